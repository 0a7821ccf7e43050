//! What an assertion says, decoded **without verifying it**: for people
//! reading one (the command line's `inspect`, a support desk), with a
//! warning for each thing a default verifier refuses or a standard
//! advises against. Nothing here may decide whether to accept an assertion:
//! that is [`crate::Verifier`]'s job.

use serde_json::{Map, Value};

use crate::algorithm::Algorithm;
use crate::error::{Error, ErrorCode, Result};
use crate::jws::TYP_CLIENT_AUTH;
use crate::verifier::{DEFAULT_LEEWAY, DEFAULT_MAX_AGE, DEFAULT_MAX_ASSERTION_LEN, DEFAULT_MAX_LIFETIME};
use crate::{b64, json};

/// A decoded, unverified assertion.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    /// The JOSE header.
    pub header: Map<String, Value>,
    /// The claims.
    pub claims: Map<String, Value>,
    /// The signature's length in bytes.
    pub signature_len: usize,
    /// What a default verifier would refuse, or a standard advises against.
    pub warnings: Vec<Warning>,
}

/// One finding of [`inspect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// A stable name (`missing_jti`, `expired`, `several_audiences`, …).
    pub code: &'static str,
    /// Whether a verifier with the default settings refuses the assertion for it.
    pub refused: bool,
    /// What it means, in one sentence.
    pub message: String,
}

/// Decode `assertion` without verifying it, at time `now` (Unix seconds).
///
/// # Errors
/// `MALFORMED_JWS`, `INVALID_BASE64`, `MALFORMED_HEADER`, `MALFORMED_CLAIMS` or
/// `DUPLICATE_MEMBER` when it cannot be decoded at all.
pub fn inspect(assertion: &str, now: i64) -> Result<Inspection> {
    let parts: Vec<&str> = assertion.trim().split('.').collect();
    let [h, p, s] = parts.as_slice() else {
        return Err(Error::with_detail(
            ErrorCode::MalformedJws,
            format!("a compact JWS has three segments separated by dots; this has {}", parts.len()),
        ));
    };
    let segment = |text: &str, name: &str| {
        b64::decode(text.as_bytes()).ok_or_else(|| {
            Error::with_detail(ErrorCode::InvalidBase64, format!("the {name} is not strict base64url"))
        })
    };
    let object = |bytes: Vec<u8>, code: ErrorCode, name: &str| {
        json::parse_unique_object(&bytes)
            .map_err(|e| Error::with_detail(code, format!("the {name} is not one JSON object: {e}")))
    };
    let header = object(segment(h, "header")?, ErrorCode::MalformedHeader, "header")?;
    let claims = object(segment(p, "payload")?, ErrorCode::MalformedClaims, "payload")?;
    let signature_len = segment(s, "signature")?.len();
    let mut warnings = Vec::new();
    header_warnings(&header, &mut warnings);
    claim_warnings(&claims, now, &mut warnings);
    if assertion.len() > DEFAULT_MAX_ASSERTION_LEN {
        warn(
            &mut warnings,
            "too_large",
            true,
            format!("{} bytes; the default limit is {DEFAULT_MAX_ASSERTION_LEN}", assertion.len()),
        );
    }
    Ok(Inspection { header, claims, signature_len, warnings })
}

fn warn(list: &mut Vec<Warning>, code: &'static str, refused: bool, message: impl Into<String>) {
    list.push(Warning { code, refused, message: message.into() });
}

fn header_warnings(header: &Map<String, Value>, w: &mut Vec<Warning>) {
    match header.get("alg").and_then(Value::as_str) {
        None => warn(w, "missing_alg", true, "the header has no alg"),
        Some(a) if Algorithm::from_name(a).is_none() => {
            warn(
                w,
                "unsupported_alg",
                true,
                format!("alg {} is not one a verifier accepts", json::loggable_name(a)),
            );
        }
        Some(_) => {}
    }
    match header.get("typ").and_then(Value::as_str) {
        None => warn(
            w,
            "missing_typ",
            false,
            format!(
                "no typ: draft-ietf-oauth-rfc7523bis asks for typ {TYP_CLIENT_AUTH}, which stops the token being used as another kind of JWT"
            ),
        ),
        Some(t) if t == TYP_CLIENT_AUTH || t.eq_ignore_ascii_case("JWT") => {}
        Some(t) => warn(
            w,
            "wrong_typ",
            true,
            format!("typ {} is refused: use {TYP_CLIENT_AUTH} (or JWT)", json::loggable_name(t)),
        ),
    }
    for name in ["jwk", "jku", "x5u"] {
        if header.contains_key(name) {
            warn(
                w,
                "embedded_key",
                true,
                format!(
                    "the header carries `{name}`: keys come from the client's registration, never from the token"
                ),
            );
        }
    }
    for name in ["crit", "b64", "zip"] {
        if header.contains_key(name) {
            warn(w, "unsupported_header", true, format!("the header member `{name}` is refused"));
        }
    }
}

fn claim_warnings(claims: &Map<String, Value>, now: i64, w: &mut Vec<Warning>) {
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    let time = |name: &str| claims.get(name).and_then(Value::as_i64);
    match (text("iss"), text("sub")) {
        (None, _) | (_, None) => warn(w, "missing_iss_sub", true, "iss and sub must both be the client_id"),
        (Some(i), Some(s)) if i != s => {
            warn(w, "iss_sub_differ", true, "iss and sub must both be the client_id; they differ")
        }
        _ => {}
    }
    if text("jti").is_none_or(str::is_empty) {
        warn(w, "missing_jti", true, "no jti: a fresh unique jti in every assertion is what stops replays");
    }
    match claims.get("aud") {
        None => warn(w, "missing_aud", true, "no aud: it must name the authorization server"),
        Some(Value::Array(a)) if a.len() > 1 => warn(
            w,
            "several_audiences",
            false,
            "several audiences: draft-ietf-oauth-rfc7523bis wants one string, the server's issuer identifier (strict servers refuse an array)",
        ),
        Some(Value::String(a)) if a.trim_end_matches('/').matches('/').count() > 2 => warn(
            w,
            "aud_has_path",
            false,
            "aud has a path (a token endpoint URL?): strict servers accept only their issuer identifier",
        ),
        _ => {}
    }
    let (iat, exp) = (time("iat"), time("exp"));
    match exp {
        None => warn(w, "missing_exp", true, "no exp (a number of seconds): it is required"),
        Some(e) if e + DEFAULT_LEEWAY < now => warn(w, "expired", true, format!("expired {} s ago", now - e)),
        Some(_) => {}
    }
    if let Some(n) = time("nbf").filter(|n| *n > now + DEFAULT_LEEWAY) {
        warn(w, "not_yet_valid", true, format!("nbf is {} s in the future", n - now));
    }
    match iat {
        Some(i) if i > now + DEFAULT_LEEWAY => {
            warn(w, "issued_in_future", true, format!("iat is {} s in the future (clock skew?)", i - now))
        }
        Some(i) if now - i > DEFAULT_MAX_AGE + DEFAULT_LEEWAY => {
            warn(
                w,
                "too_old",
                true,
                format!(
                    "issued {} s ago; a verifier takes assertions up to {DEFAULT_MAX_AGE} s old",
                    now - i
                ),
            );
        }
        _ => {}
    }
    if let (Some(i), Some(e)) = (iat, exp) {
        let lifetime = e - i;
        if lifetime > DEFAULT_MAX_LIFETIME {
            warn(
                w,
                "lifetime_too_long",
                true,
                format!("lives {lifetime} s; the default limit is {DEFAULT_MAX_LIFETIME} s"),
            );
        } else if lifetime > 300 {
            warn(
                w,
                "long_lifetime",
                false,
                format!("lives {lifetime} s: a few minutes is enough, and less if stolen"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AssertionBuilder, FixedClock, SigningKey};
    use std::sync::Arc;

    const NOW: i64 = 1_800_000_000;

    fn codes(i: &Inspection) -> Vec<&'static str> {
        i.warnings.iter().map(|w| w.code).collect()
    }

    #[test]
    fn a_fresh_assertion_has_no_warning() {
        let key = SigningKey::generate(Algorithm::ES256).unwrap_or_else(|_| unreachable!());
        let a = AssertionBuilder::new(&key, "c1", "https://as.example.com")
            .clock(Arc::new(FixedClock::new(NOW)))
            .sign()
            .unwrap_or_else(|_| unreachable!());
        let i = inspect(&a.assertion, NOW + 10).unwrap_or_else(|_| unreachable!());
        assert_eq!(codes(&i), Vec::<&str>::new());
        assert_eq!(i.claims.get("iss"), Some(&Value::from("c1")));
        assert_eq!(i.signature_len, 64);
        let late = inspect(&a.assertion, NOW + 3600).unwrap_or_else(|_| unreachable!());
        assert_eq!(codes(&late), ["expired", "too_old"]);
    }

    #[test]
    fn what_a_verifier_refuses_is_named() {
        let h = b64::encode(br#"{"alg":"none","jwk":{}}"#);
        let p = b64::encode(br#"{"iss":"a","sub":"b","aud":["x","y"],"iat":1799990000,"exp":1800090000}"#);
        let i = inspect(&format!("{h}.{p}.AA"), NOW).unwrap_or_else(|_| unreachable!());
        assert_eq!(
            codes(&i),
            [
                "unsupported_alg",
                "missing_typ",
                "embedded_key",
                "iss_sub_differ",
                "missing_jti",
                "several_audiences",
                "too_old",
                "lifetime_too_long"
            ]
        );
        assert!(i.warnings.iter().filter(|w| w.code == "missing_typ").all(|w| !w.refused));
    }

    #[test]
    fn undecodable_input_is_a_precise_error() {
        for (input, code) in [
            ("abc", ErrorCode::MalformedJws),
            ("a.b.c.d", ErrorCode::MalformedJws),
            ("e30=.e30.AA", ErrorCode::InvalidBase64),
            ("WzFd.e30.AA", ErrorCode::MalformedHeader),
            ("e30.eyJhIjoxLCJhIjoyfQ.AA", ErrorCode::MalformedClaims),
        ] {
            assert_eq!(inspect(input, NOW).map(|_| ()).map_err(|e| e.code()), Err(code), "{input}");
        }
    }
}
