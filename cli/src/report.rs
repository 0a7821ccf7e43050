//! Reports: `inspect`, `registry check`, `errors`.

use crate::out::{out, outln};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use jwtauth::{
    AudienceMode, Authenticator, Authorization, Clock as _, CredentialPolicy, ErrorCode, FixedClock,
    MemoryRegistry, Status, SystemClock, Verifier,
};
use serde_json::{Value, json};

use crate::files::{read_bytes, read_text};
use crate::keys::print_json;
use crate::{Outcome, Run};

#[derive(Debug, Args)]
pub(crate) struct Inspect {
    /// The assertion (a compact JWS), or - to read it from standard input.
    jwt: String,
    /// Judge times at this Unix time instead of now.
    #[arg(long)]
    at: Option<i64>,
    /// Print a JSON object.
    #[arg(long)]
    json: bool,
}

fn now(at: Option<i64>) -> i64 {
    at.unwrap_or_else(|| SystemClock.now())
}

/// `t` (Unix seconds) as an RFC 3339 date, and relative to `now`.
fn when(t: i64, now: i64) -> String {
    let date =
        u64::try_from(t).ok().and_then(|s| UNIX_EPOCH.checked_add(Duration::from_secs(s))).map_or_else(
            || "(not a date)".to_owned(),
            |d: SystemTime| humantime::format_rfc3339_seconds(d).to_string(),
        );
    let d = t - now;
    let ago = match d.unsigned_abs() {
        0 => "now".to_owned(),
        n if n < 120 => format!("{n} s"),
        n if n < 7200 => format!("{} min", n / 60),
        n if n < 172_800 => format!("{} h", n / 3600),
        n => format!("{} days", n / 86_400),
    };
    match d {
        0 => format!("{date} (now)"),
        d if d > 0 => format!("{date} (in {ago})"),
        _ => format!("{date} ({ago} ago)"),
    }
}

pub(crate) fn inspect(a: &Inspect) -> Run {
    let text = if a.jwt == "-" { read_text("-")? } else { a.jwt.clone() };
    let now = now(a.at);
    let i = jwtauth::inspect(&text, now)?;
    let refused = i.warnings.iter().any(|w| w.refused);
    if a.json {
        let warnings: Vec<Value> = i
            .warnings
            .iter()
            .map(|w| json!({ "code": w.code, "refused": w.refused, "message": w.message }))
            .collect();
        print_json(&json!({ "header": i.header, "claims": i.claims, "signature_len": i.signature_len,
                            "warnings": warnings, "refused": refused }));
    } else {
        outln!("header (not verified):");
        print_json(&Value::Object(i.header.clone()));
        outln!("claims (not verified):");
        print_json(&Value::Object(i.claims.clone()));
        for name in ["iat", "nbf", "exp"] {
            if let Some(t) = i.claims.get(name).and_then(Value::as_i64) {
                outln!("{name}: {}", when(t, now));
            }
        }
        outln!("signature: {} bytes", i.signature_len);
        if i.warnings.is_empty() {
            outln!(
                "no warnings: a verifier with this client's key and default settings would check the signature next"
            );
        }
        for w in &i.warnings {
            outln!("{} {}: {}", if w.refused { "REFUSED" } else { "advice " }, w.code, w.message);
        }
    }
    Ok(if refused { Outcome::Refused } else { Outcome::Ok })
}

#[derive(Debug, Args)]
pub(crate) struct Explain {
    /// The assertion (a compact JWS), or - to read it from standard input.
    #[arg(required_unless_present = "request", conflicts_with = "request")]
    jwt: Option<String>,
    /// A raw HTTP token request (request line, headers, blank line, form
    /// body), explained at the request level first: form, mechanism, Basic
    /// decoding, client, secret, then the assertion's rules.
    #[arg(long, value_name = "FILE")]
    request: Option<String>,
    /// The authorization server's issuer identifier (the audience it expects).
    #[arg(long)]
    issuer: String,
    /// The token endpoint URL (also accepted as audience unless --strict).
    #[arg(long)]
    token_endpoint: Option<String>,
    /// Accept only the issuer as audience (draft-ietf-oauth-rfc7523bis).
    #[arg(long)]
    strict: bool,
    /// The profile the server enforces: compat, rfc7523bis or fapi2 (docs/profiles.md).
    #[arg(long, value_parser = profile, default_value = "compat")]
    profile: jwtauth::Profile,
    /// The registry document the server loads (docs/registry.md).
    #[arg(long, required_unless_present = "grant")]
    registry: Option<String>,
    /// Explain the assertion as a JWT bearer authorization grant (RFC 7523
    /// §2.1) against the trust table given with --trust (docs/grants.md).
    #[arg(long, requires = "trust", conflicts_with_all = ["request", "registry", "client"])]
    grant: bool,
    /// The trust table of grant issuers the server loads (docs/grants.md).
    #[arg(long, value_name = "FILE", requires = "grant")]
    trust: Option<String>,
    /// The client_id the request named, when it named one.
    #[arg(long)]
    client: Option<String>,
    /// With --request: the client certificate the request came with over
    /// mutual TLS (RFC 8705), explained with the certificate steps.
    #[arg(long, value_name = "FILE", requires = "request")]
    cert: Option<String>,
    /// The format of --cert: der, pem (the default), nginx or xfcc.
    #[arg(long, value_parser = cert_format, default_value = "pem", requires = "cert")]
    cert_format: jwtauth::CertificateFormat,
    /// The TLS layer verified the certificate's chain.
    #[arg(long, requires = "cert")]
    cert_verified: bool,
    /// The client CAs (PEM) that tls_client_auth certificates must chain to.
    #[arg(long, value_name = "FILE")]
    client_ca: Option<String>,
    /// Judge times at this Unix time instead of now.
    #[arg(long)]
    at: Option<i64>,
    /// Print a JSON object.
    #[arg(long)]
    json: bool,
}

pub(crate) fn explain(a: &Explain) -> Run {
    let now = now(a.at);
    let mut b = Verifier::builder(a.issuer.as_str()).clock(std::sync::Arc::new(FixedClock::new(now)));
    if let Some(t) = &a.token_endpoint {
        b = b.token_endpoint(t.as_str());
    }
    if a.strict {
        b = b.audience_mode(AudienceMode::Strict);
    }
    let verifier = b.profile(a.profile).build()?;
    let e = match (&a.request, &a.jwt) {
        (None, Some(jwt)) if a.grant => {
            let path = a.trust.as_deref().unwrap_or_default();
            let table = jwtauth::TrustTable::from_json(&read_text(path)?, &CredentialPolicy::default(), now)
                .map_err(|problems| {
                    let list: Vec<String> = problems
                        .iter()
                        .map(|p| format!("\n  {}: {} {}", p.location, p.code.name(), p.message))
                        .collect();
                    crate::Failure(format!("{path}: the trust table has problems:{}", list.concat()))
                })?;
            let text = if jwt == "-" { read_text("-")? } else { jwt.clone() };
            verifier.explain_grant(text.trim().as_bytes(), &table)
        }
        (Some(path), _) => {
            let registry = load_registry(a.registry.as_deref().unwrap_or_default(), now)?;
            let raw = read_text(path)?;
            let (headers, body) = http_request(&raw);
            let mut authenticator = Authenticator::new(verifier, std::sync::Arc::new(registry));
            if let Some(ca) = &a.client_ca {
                authenticator =
                    authenticator.with_client_ca(jwtauth::TrustAnchors::from_pem(&read_bytes(ca)?)?);
            }
            let cert = a.cert.as_deref().map(read_bytes).transpose()?;
            let presented = cert.as_deref().map(|bytes| jwtauth::PresentedCertificate::Raw {
                format: a.cert_format,
                bytes,
                verified_by_tls: a.cert_verified,
            });
            authenticator.explain_tls(
                Authorization::from_headers(headers.iter().map(|(n, v)| (n, *v))),
                body.as_bytes(),
                presented,
            )
        }
        (None, Some(jwt)) => {
            let registry = load_registry(a.registry.as_deref().unwrap_or_default(), now)?;
            let text = if jwt == "-" { read_text("-")? } else { jwt.clone() };
            verifier.explain(text.trim().as_bytes(), a.client.as_deref(), &registry)
        }
        (None, None) => return Err(crate::Failure("give an assertion or --request FILE".into())),
    };
    if a.json {
        print_json(&e.to_json());
    } else {
        for s in &e.steps {
            let mark = match s.status {
                Status::Pass => "pass",
                Status::Fail => "FAIL",
                Status::NotReached => "  - ",
            };
            outln!("{mark}  rule {:<2} {:<11} {}", s.rule.number, s.rule.name, s.rule.checks);
            if let Some(d) = &s.detail {
                outln!("        found: {d}");
            }
            if let Some(f) = &s.fix {
                outln!("        fix:   {f}");
            }
        }
        if let Some(r) = &e.response {
            let www = r
                .www_authenticate
                .as_deref()
                .map(|w| format!(" (WWW-Authenticate: {w})"))
                .unwrap_or_default();
            outln!("the server answers HTTP {}{www}: {}", r.status, r.body);
        }
        match &e.verdict {
            Ok(sub) if e.grant => outln!(
                "ACCEPTED: grant from {} for subject {sub} (explain records nothing: the assertion is still unused)",
                e.issuer.as_deref().unwrap_or_default()
            ),
            Ok(id) => {
                outln!("ACCEPTED: client {id} (explain records nothing: the assertion is still unused)")
            }
            Err(err) => outln!(
                "REFUSED: JWTAUTH_{} ({} {})",
                err.code().name(),
                err.http_status(),
                err.oauth_error().as_str()
            ),
        }
    }
    Ok(if e.verdict.is_ok() { Outcome::Ok } else { Outcome::Refused })
}

/// A registry document, loaded through the default credential policy.
fn load_registry(path: &str, now: i64) -> Result<MemoryRegistry, crate::Failure> {
    MemoryRegistry::from_json(&read_text(path)?, &CredentialPolicy::default(), now).map_err(|p| {
        crate::Failure(format!(
            "{path}: {} problem{} in the registry (jwtauth registry check {path} lists them)",
            p.len(),
            if p.len() == 1 { "" } else { "s" },
        ))
    })
}

/// A profile named on the command line (the names are the core's).
pub(crate) fn profile(name: &str) -> Result<jwtauth::Profile, String> {
    jwtauth::Profile::named(name).map_err(|e| e.detail().to_owned())
}

/// A certificate format by name (der, pem, nginx, xfcc).
pub(crate) fn cert_format(name: &str) -> Result<jwtauth::CertificateFormat, String> {
    jwtauth::CertificateFormat::named(name).map_err(|e| e.detail().to_owned())
}

/// The headers and the body of a raw HTTP request: the request line, header
/// lines up to the first empty line, then the body (trailing line breaks
/// dropped). Only the framing is read here; what the headers mean is the
/// core's (`Authorization::from_headers`).
fn http_request(raw: &str) -> (Vec<(&str, &str)>, &str) {
    let (head, body) = raw.split_once("\r\n\r\n").or_else(|| raw.split_once("\n\n")).unwrap_or((raw, ""));
    let headers =
        head.lines().skip(1).filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim(), v.trim())).collect();
    (headers, body.trim_end_matches(['\r', '\n']))
}

#[derive(Debug, Subcommand)]
pub(crate) enum RegistryCommand {
    /// Every problem of a registry document, with its JSON Pointer.
    ///
    /// Example: jwtauth registry check clients.json --json
    Check(RegistryCheck),
}

#[derive(Debug, Args)]
pub(crate) struct RegistryCheck {
    /// The registry document (docs/registry.md), or - for standard input.
    file: String,
    /// A credential policy (JSON; the defaults otherwise).
    #[arg(long)]
    policy: Option<String>,
    /// Judge expiries at this Unix time instead of now.
    #[arg(long)]
    at: Option<i64>,
    /// Print a JSON object.
    #[arg(long)]
    json: bool,
}

pub(crate) fn registry_check(a: &RegistryCheck) -> Run {
    let policy = match &a.policy {
        Some(path) => CredentialPolicy::from_json(&read_text(path)?)?,
        None => CredentialPolicy::default(),
    };
    let doc = read_text(&a.file)?;
    let result = MemoryRegistry::from_json(&doc, &policy, now(a.at));
    let problems = result.as_ref().err().cloned().unwrap_or_default();
    if a.json {
        let list: Vec<Value> = problems
            .iter()
            .map(|p| json!({ "code": format!("JWTAUTH_{}", p.code.name()), "location": p.location, "message": p.message }))
            .collect();
        let clients = result.as_ref().map_or(Value::Null, |r| r.len().into());
        print_json(&json!({ "clients": clients, "problems": list }));
    } else if let Ok(r) = &result {
        outln!("{}: {} clients, no problems", a.file, r.len());
    } else {
        for p in &problems {
            let at = if p.location.is_empty() { "/" } else { p.location.as_str() };
            outln!("{at}: {} — {}", p.code.name(), p.message);
        }
        let n = problems.len();
        outln!("{}: {n} problem{}", a.file, if n == 1 { "" } else { "s" });
    }
    Ok(if result.is_ok() { Outcome::Ok } else { Outcome::Refused })
}

#[derive(Debug, Args)]
pub(crate) struct Errors {
    /// Print the table as JSON (the same document every language's tests read).
    #[arg(long)]
    json: bool,
}

pub(crate) fn errors(a: &Errors) -> Run {
    if a.json {
        out!("{}", jwtauth::error_table_json());
    } else {
        outln!("{:>4}  {:<28} {:<16} {:>4}  meaning", "no.", "code", "OAuth error", "HTTP");
        for c in ErrorCode::ALL {
            outln!(
                "{:>4}  {:<28} {:<16} {:>4}  {}",
                c.number(),
                format!("JWTAUTH_{}", c.name()),
                c.oauth_error().as_str(),
                c.http_status(),
                c.meaning().trim()
            );
        }
    }
    Ok(Outcome::Ok)
}
