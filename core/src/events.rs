//! The host's event hook: one [`Event`] per verification or authentication
//! a verifier answers (accepted or refused), for logs, audit trails and
//! metrics the host keeps itself. What it carries is what the counters
//! count plus who and how long: client id, method, algorithm, profile,
//! endpoint, code, duration. Never a secret, an assertion or a signature.
//!
//! The hook is told, not asked: whatever it does — fail, panic, verify
//! again from inside — the outcome stays what it was. A verifier without a
//! hook keeps no trace and reads no clock for it.

use std::cell::Cell;
use std::fmt;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::algorithm::Algorithm;
use crate::client::{AuthMethod, Client};
use crate::error::{Error, ErrorCode, Result};
use crate::profile::{Endpoint, Profile, WouldRefuse};

/// Longest client id an event repeats from a refused request (what the
/// request presented is attacker-controlled; a longer one is `null`).
pub const MAX_EVENT_CLIENT_ID: usize = 256;

/// One outcome, as the host's [`EventHook`] receives it.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    /// The endpoint whose verifier answered (`token_endpoint` unless made
    /// with [`crate::Verifier::at`]).
    pub endpoint: Endpoint,
    /// Accepted: the authenticated client. Refused: the client the request
    /// named (Basic user name, form `client_id`, or the assertion's iss/sub
    /// as read before any check — unverified), `None` when it named none
    /// readable or one longer than [`MAX_EVENT_CLIENT_ID`] bytes.
    pub client_id: Option<&'a str>,
    /// The method used or, refused, presented (when it can be told).
    pub method: Option<AuthMethod>,
    /// The assertion's `alg`, for the JWT methods once the header is read.
    pub alg: Option<Algorithm>,
    /// The profile in force: the client's own when the client was found,
    /// else the verifier's.
    pub profile: Profile,
    /// `None` when accepted; the error refusing the request otherwise.
    pub error: Option<&'a Error>,
    /// Accepted: what the report-only profile would have refused.
    pub would_refuse: Option<&'a WouldRefuse>,
    /// For a JWT bearer grant: its `iss` and `sub` as the assertion states
    /// them (verified when accepted; when refused, as read before any check,
    /// each `None` beyond [`MAX_EVENT_CLIENT_ID`] bytes) and its `alg`.
    pub grant: Option<GrantEvent<'a>>,
    /// From the call's start to its answer (the hook's own time excluded).
    pub duration: Duration,
}

impl Event<'_> {
    /// The refusal's code, `None` when accepted.
    #[must_use]
    pub fn code(&self) -> Option<ErrorCode> {
        self.error.map(Error::code)
    }

    /// The event as JSON, what the bindings hand their hooks:
    /// `outcome` (`"accepted"` or `"refused"`), `endpoint`, `client_id`,
    /// `method`, `alg`, `profile`, `code` (`JWTAUTH_…`), `status` and
    /// `error` (the HTTP status and OAuth error a token endpoint answers),
    /// `detail` (the error's log detail), `would_refuse`, `grant` (`null`,
    /// or `{"issuer", "subject", "alg"}`), `duration_us`.
    #[must_use]
    pub fn to_json(&self) -> Value {
        json!({
            "outcome": if self.error.is_some() { "refused" } else { "accepted" },
            "endpoint": self.endpoint.as_str(),
            "client_id": self.client_id,
            "method": self.method.map(AuthMethod::as_str),
            "alg": self.alg.map(Algorithm::name),
            "profile": self.profile.as_str(),
            "code": self.error.map(|e| format!("JWTAUTH_{}", e.code().name())),
            "status": self.error.map(Error::http_status),
            "error": self.error.map(|e| e.oauth_error().as_str()),
            "detail": self.error.map(Error::detail),
            "would_refuse": self.would_refuse.map(WouldRefuse::to_json),
            "grant": self.grant.map(|g| json!({
                "issuer": g.issuer,
                "subject": g.subject,
                "alg": g.alg.map(Algorithm::name),
            })),
            "duration_us": u64::try_from(self.duration.as_micros()).unwrap_or(u64::MAX),
        })
    }
}

/// The grant part of an [`Event`].
#[derive(Debug, Clone, Copy)]
pub struct GrantEvent<'a> {
    /// The assertion's `iss`.
    pub issuer: Option<&'a str>,
    /// The assertion's `sub`.
    pub subject: Option<&'a str>,
    /// The assertion's `alg`, once its header is read.
    pub alg: Option<Algorithm>,
}

/// The host's event hook ([`crate::VerifierBuilder::event_hook`]), called
/// once per call, on the calling thread, after the outcome is final.
pub trait EventHook: Send + Sync + fmt::Debug {
    /// Take note of `event`. Nothing it does changes the outcome.
    fn event(&self, event: &Event<'_>);
}

/// What one call established, as it went: recorded only when a hook is
/// set (without one, `Trace` is one empty word and every record a branch).
#[derive(Default)]
pub(crate) struct Trace(Option<Box<Traced>>);

/// A grant's issuer, subject and alg as read.
type TracedGrant = (Option<String>, Option<String>, Option<Algorithm>);

#[derive(Default)]
struct Traced {
    client_id: Cell<Option<String>>,
    method: Cell<Option<AuthMethod>>,
    alg: Cell<Option<Algorithm>>,
    profile: Cell<Option<Profile>>,
    would_refuse: Cell<Option<WouldRefuse>>,
    grant: Cell<Option<TracedGrant>>,
}

impl fmt::Debug for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trace").field("on", &self.0.is_some()).finish_non_exhaustive()
    }
}

impl Trace {
    /// Recording nothing.
    pub(crate) const OFF: Self = Self(None);

    /// Recording.
    pub(crate) fn on() -> Self {
        Self(Some(Box::default()))
    }

    /// The request named `client_id` for `method`.
    pub(crate) fn named(&self, client_id: &str, method: Option<AuthMethod>) {
        if let Some(t) = &self.0 {
            t.client_id.set((client_id.len() <= MAX_EVENT_CLIENT_ID).then(|| client_id.to_owned()));
            if method.is_some() {
                t.method.set(method);
            }
        }
    }

    /// The method a request without credentials uses (its client's).
    pub(crate) fn method(&self, method: AuthMethod) {
        if let Some(t) = &self.0 {
            t.method.set(Some(method));
        }
    }

    /// The assertion's (still unverified) iss/sub named `client_id`, signed with `alg`.
    pub(crate) fn asserted(&self, client_id: &str, alg: Algorithm) {
        if let Some(t) = &self.0 {
            self.named(client_id, Some(AuthMethod::for_assertion(alg)));
            t.alg.set(Some(alg));
        }
    }

    /// A grant assertion's (still unverified) `iss`, `sub` and `alg`.
    pub(crate) fn grant(&self, issuer: Option<&str>, subject: Option<&str>, alg: Option<Algorithm>) {
        if let Some(t) = &self.0 {
            let bounded = |s: Option<&str>| s.filter(|s| s.len() <= MAX_EVENT_CLIENT_ID).map(str::to_owned);
            t.grant.set(Some((bounded(issuer), bounded(subject), alg)));
        }
    }

    /// The lookup's answer: the client's own profile, when it has one.
    pub(crate) fn found<C: std::ops::Deref<Target = Client>>(&self, client: Result<C>) -> Result<C> {
        if let Some(t) = &self.0
            && let Ok(c) = &client
        {
            t.profile.set(c.profile());
        }
        client
    }

    /// What the report-only profile said about an accepted request.
    pub(crate) fn reported(&self, would_refuse: Option<&WouldRefuse>) {
        if let Some(t) = &self.0 {
            t.would_refuse.set(would_refuse.cloned());
        }
    }

    /// Tell `hook` how the call ended.
    pub(crate) fn deliver(
        self,
        hook: &dyn EventHook,
        endpoint: Endpoint,
        default_profile: Profile,
        outcome: std::result::Result<(), &Error>,
        started: Instant,
    ) {
        let duration = started.elapsed();
        // A hook that verifies from inside nests the pipeline: bounded like
        // any other nesting, past the bound the nested event is not told.
        let Ok(_entered) = crate::reentry::enter() else { return };
        let t = self.0.unwrap_or_default();
        let client_id = t.client_id.take();
        let would_refuse = t.would_refuse.take().filter(|_| outcome.is_ok());
        let grant = t.grant.take();
        let event = Event {
            endpoint,
            client_id: client_id.as_deref(),
            method: t.method.get(),
            alg: t.alg.get(),
            profile: t.profile.get().unwrap_or(default_profile),
            error: outcome.err(),
            would_refuse: would_refuse.as_ref(),
            grant: grant.as_ref().map(|(issuer, subject, alg)| GrantEvent {
                issuer: issuer.as_deref(),
                subject: subject.as_deref(),
                alg: *alg,
            }),
            duration,
        };
        // A panicking hook changes nothing (the panic hook has reported it).
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hook.event(&event)));
    }
}
