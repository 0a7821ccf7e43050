//! Counters of outcomes: every verification and authentication a verifier
//! (or an authenticator over it) answers, accepted by method or refused by
//! code, counted once per call (explanations count nothing). Lock-free: one
//! atomic add per outcome.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

use crate::client::AuthMethod;
use crate::error::ErrorCode;
use crate::verifier::Report;

/// The live counters of one verifier.
#[derive(Debug)]
pub(crate) struct Metrics {
    accepted: [AtomicU64; AuthMethod::ALL.len()],
    /// Indexed like [`ErrorCode::ALL`].
    refused: Box<[AtomicU64]>,
    /// Authorization grants (JWT bearer assertions) accepted.
    grants_accepted: AtomicU64,
    /// Authorization grants refused, indexed like [`ErrorCode::ALL`].
    grants_refused: Box<[AtomicU64]>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            accepted: Default::default(),
            refused: ErrorCode::ALL.iter().map(|_| AtomicU64::new(0)).collect(),
            grants_accepted: AtomicU64::new(0),
            grants_refused: ErrorCode::ALL.iter().map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

impl Metrics {
    pub(crate) fn accepted(&self, method: AuthMethod) {
        if let Some(n) = AuthMethod::ALL.iter().position(|m| *m == method).and_then(|i| self.accepted.get(i))
        {
            n.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A refusal: of the grant when the error says so, else of the client.
    pub(crate) fn refused(&self, error: &crate::Error) {
        let counters = if error.is_grant() { &self.grants_refused } else { &self.refused };
        let code = error.code();
        if let Some(n) = ErrorCode::ALL.iter().position(|c| *c == code).and_then(|i| counters.get(i)) {
            n.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn grant_accepted(&self) {
        self.grants_accepted.fetch_add(1, Ordering::Relaxed);
    }

    fn seen(counters: &[AtomicU64]) -> Vec<(ErrorCode, u64)> {
        ErrorCode::ALL
            .iter()
            .zip(counters)
            .map(|(c, n)| (*c, n.load(Ordering::Relaxed)))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    pub(crate) fn snapshot(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            accepted: AuthMethod::ALL
                .iter()
                .zip(&self.accepted)
                .map(|(m, n)| (*m, n.load(Ordering::Relaxed)))
                .collect(),
            refused: Self::seen(&self.refused),
            grants_accepted: self.grants_accepted.load(Ordering::Relaxed),
            grants_refused: Self::seen(&self.grants_refused),
        }
    }
}

/// The counters at one moment ([`crate::Verifier::metrics`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsSnapshot {
    /// Accepted, per method (every method, zeros included).
    pub accepted: Vec<(AuthMethod, u64)>,
    /// Refused, per code (the codes seen).
    pub refused: Vec<(ErrorCode, u64)>,
    /// Authorization grants accepted.
    pub grants_accepted: u64,
    /// Authorization grants refused, per code (the codes seen). A grant
    /// request refused for its client authentication counts in `refused`.
    pub grants_refused: Vec<(ErrorCode, u64)>,
}

impl MetricsSnapshot {
    /// `{"accepted": {method: n}, "refused": {"JWTAUTH_…": n}, "grants":
    /// {"accepted": n, "refused": {"JWTAUTH_…": n}}}`.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let by_code = |list: &[(ErrorCode, u64)]| -> serde_json::Map<String, Value> {
            list.iter().map(|(c, n)| (format!("JWTAUTH_{}", c.name()), Value::from(*n))).collect()
        };
        let accepted: serde_json::Map<String, Value> =
            self.accepted.iter().map(|(m, n)| (m.as_str().to_owned(), Value::from(*n))).collect();
        json!({
            "accepted": accepted,
            "refused": by_code(&self.refused),
            "grants": {"accepted": self.grants_accepted, "refused": by_code(&self.grants_refused)},
        })
    }

    /// The counters, and the report-only counts, in the Prometheus text
    /// exposition format (version 0.0.4).
    #[must_use]
    pub fn to_prometheus(&self, report: &Report) -> String {
        let mut out = String::new();
        out.push_str("# HELP jwtauth_accepted_total Client authentications accepted, by method.\n");
        out.push_str("# TYPE jwtauth_accepted_total counter\n");
        for (m, n) in &self.accepted {
            let _ = writeln!(out, "jwtauth_accepted_total{{method=\"{}\"}} {n}", m.as_str());
        }
        out.push_str("# HELP jwtauth_refused_total Client authentications refused, by code.\n");
        out.push_str("# TYPE jwtauth_refused_total counter\n");
        for (c, n) in &self.refused {
            let _ = writeln!(
                out,
                "jwtauth_refused_total{{code=\"JWTAUTH_{}\",oauth_error=\"{}\",status=\"{}\"}} {n}",
                c.name(),
                c.oauth_error().as_str(),
                c.http_status()
            );
        }
        out.push_str("# HELP jwtauth_grants_accepted_total JWT bearer authorization grants accepted.\n");
        out.push_str("# TYPE jwtauth_grants_accepted_total counter\n");
        let _ = writeln!(out, "jwtauth_grants_accepted_total {}", self.grants_accepted);
        out.push_str(
            "# HELP jwtauth_grants_refused_total JWT bearer authorization grants refused, by code.\n",
        );
        out.push_str("# TYPE jwtauth_grants_refused_total counter\n");
        for (c, n) in &self.grants_refused {
            let _ = writeln!(out, "jwtauth_grants_refused_total{{code=\"JWTAUTH_{}\"}} {n}", c.name());
        }
        if let Some(p) = report.profile {
            out.push_str(
                "# HELP jwtauth_report_would_refuse_total Accepted requests the report-only profile would refuse, by client and code.\n",
            );
            out.push_str("# TYPE jwtauth_report_would_refuse_total counter\n");
            for c in &report.counts {
                let _ = writeln!(
                    out,
                    "jwtauth_report_would_refuse_total{{profile=\"{}\",client_id=\"{}\",code=\"JWTAUTH_{}\"}} {}",
                    p.as_str(),
                    label(&c.client_id),
                    c.code.name(),
                    c.count
                );
            }
        }
        out
    }
}

/// A Prometheus label value: backslash, double quote and line feed escaped.
fn label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}
