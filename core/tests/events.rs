//! The host's event hook: one event per call, accepted or refused, with
//! who, how, under which profile, at which endpoint and how long — never a
//! secret or an assertion — and nothing the hook does changes an outcome.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic, reason = "test code")]

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use jwtauth::{
    Algorithm, AssertionBuilder, AuthMethod, Authenticator, Authorization, Client, Credential, Endpoint,
    ErrorCode, Event, EventHook, MemoryRegistry, Profile, SigningKey, Verifier, VerifyingKey,
};
use serde_json::Value;

const ISSUER: &str = "https://as.example.com";
const SECRET: &str = "a-secret-of-enough-length";

#[derive(Debug, Default)]
struct Recorder {
    seen: Mutex<Vec<Value>>,
    /// 0 records, 1 panics after recording, 2 verifies from inside.
    mode: AtomicU8,
    inner: OnceLock<Arc<Authenticator>>,
}

impl EventHook for Recorder {
    fn event(&self, event: &Event<'_>) {
        let json = event.to_json();
        // The typed fields and the JSON agree.
        assert_eq!(json["code"].is_null(), event.code().is_none());
        self.seen.lock().unwrap().push(json);
        match self.mode.load(Ordering::SeqCst) {
            1 => panic!("the host's hook panics"),
            2 => {
                if let Some(a) = self.inner.get() {
                    let _ = a.authenticate_body(None, b"client_id=pub");
                }
            }
            _ => {}
        }
    }
}

impl Recorder {
    fn take(&self) -> Vec<Value> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

struct Setup {
    key: SigningKey,
    hook: Arc<Recorder>,
    auth: Arc<Authenticator>,
    registry: Arc<MemoryRegistry>,
}

fn setup(report: Option<Profile>) -> Setup {
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let registry = Arc::new(MemoryRegistry::new());
    let jwk = || VerifyingKey::from_jwk(&key.verifying_key().to_jwk().unwrap().to_string()).unwrap();
    registry
        .insert(Client::new("svc", AuthMethod::PrivateKeyJwt).with_credential(Credential::from_key(jwk())));
    registry.insert(
        Client::new("strict", AuthMethod::PrivateKeyJwt)
            .with_credential(Credential::from_key(jwk()))
            .with_profile(Profile::Fapi2),
    );
    registry.insert(
        Client::new("web", AuthMethod::ClientSecretBasic).with_secret(SECRET.as_bytes(), None).unwrap(),
    );
    registry.insert(Client::new("pub", AuthMethod::None));
    let hook = Arc::new(Recorder::default());
    let mut b = Verifier::builder(ISSUER)
        .token_endpoint(format!("{ISSUER}/token"))
        .endpoint(Endpoint::Introspection, format!("{ISSUER}/introspect"))
        .event_hook(hook.clone());
    if let Some(p) = report {
        b = b.report_profile(p);
    }
    let auth = Arc::new(Authenticator::new(b.build().unwrap(), registry.clone()));
    Setup { key, hook, auth, registry }
}

/// An assertion as most clients send it today (no `typ`: an endpoint URL
/// is then an accepted audience under `compat`).
fn body(key: &SigningKey, sub: &str, aud: &str) -> String {
    let a = AssertionBuilder::new(key, sub, aud).typ(None).sign().unwrap();
    format!("grant_type=client_credentials&{}", a.to_form_body())
}

#[test]
fn every_outcome_is_one_event_with_who_how_and_how_long() {
    let s = setup(Some(Profile::Rfc7523bis));
    // Accepted private_key_jwt with the token endpoint as audience: the
    // report-only profile would refuse it, and the event says so.
    let ok = body(&s.key, "svc", &format!("{ISSUER}/token"));
    s.auth.authenticate_body(None, ok.as_bytes()).unwrap();
    // The same again: replayed, refused.
    assert_eq!(s.auth.authenticate_body(None, ok.as_bytes()).unwrap_err().code(), ErrorCode::Replayed);
    let events = s.hook.take();
    assert_eq!(
        events.len(),
        2,
        "one event per call (the assertion inside an authentication is not a second)"
    );
    let (a, r) = (&events[0], &events[1]);
    assert_eq!(a["outcome"], "accepted");
    assert_eq!(
        (&a["client_id"], &a["method"], &a["alg"], &a["profile"], &a["endpoint"]),
        (
            &"svc".into(),
            &"private_key_jwt".into(),
            &"ES256".into(),
            &"compat".into(),
            &"token_endpoint".into()
        )
    );
    assert_eq!((&a["code"], &a["status"], &a["error"]), (&Value::Null, &Value::Null, &Value::Null));
    assert_eq!(a["would_refuse"]["profile"], "rfc7523bis");
    assert_eq!(a["would_refuse"]["code"], "JWTAUTH_AUDIENCE_MISMATCH");
    assert!(a["duration_us"].as_u64().unwrap() > 0, "an ES256 verification takes time");
    assert_eq!(r["outcome"], "refused");
    assert_eq!(
        (&r["client_id"], &r["method"], &r["code"], &r["status"], &r["error"]),
        (
            &"svc".into(),
            &"private_key_jwt".into(),
            &"JWTAUTH_REPLAYED".into(),
            &401.into(),
            &"invalid_client".into()
        )
    );
    assert_eq!(r["would_refuse"], Value::Null, "a refusal carries no report");

    // A client registered under fapi2: its profile is the one in force,
    // accepted or refused (RS256 is outside fapi2; here: a wrong key).
    let other = SigningKey::generate(Algorithm::ES256).unwrap();
    assert!(s.auth.authenticate_body(None, body(&s.key, "strict", ISSUER).as_bytes()).is_ok());
    let e = s.auth.authenticate_body(None, body(&other, "strict", ISSUER).as_bytes()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SignatureInvalid);
    let events = s.hook.take();
    assert_eq!((&events[0]["profile"], &events[1]["profile"]), (&"fapi2".into(), &"fapi2".into()));
    assert_eq!((&events[1]["client_id"], &events[1]["alg"]), (&"strict".into(), &"ES256".into()));

    // An unknown client: what the request named, the verifier's profile.
    let e = s.auth.authenticate_body(None, body(&s.key, "nobody", ISSUER).as_bytes()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnknownClient);
    let ev = &s.hook.take()[0];
    assert_eq!(
        (&ev["client_id"], &ev["method"], &ev["profile"]),
        (&"nobody".into(), &"private_key_jwt".into(), &"compat".into())
    );

    // The password methods and a public client.
    let basic = jwtauth::form::basic_authorization("web", SECRET);
    assert!(s.auth.authenticate_body(Some(&basic), b"grant_type=client_credentials").is_ok());
    let wrong = jwtauth::form::basic_authorization("web", "not-the-secret-at-all");
    assert!(s.auth.authenticate_body(Some(&wrong), b"grant_type=client_credentials").is_err());
    assert!(s.auth.authenticate_body(None, b"client_id=web&client_secret=x").is_err());
    assert!(s.auth.authenticate_body(None, b"client_id=pub").is_ok());
    let events = s.hook.take();
    let seen: Vec<(&str, &str, &str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["outcome"].as_str().unwrap(),
                e["client_id"].as_str().unwrap(),
                e["method"].as_str().unwrap(),
                e["code"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("accepted", "web", "client_secret_basic", "-"),
            ("refused", "web", "client_secret_basic", "JWTAUTH_INVALID_SECRET"),
            ("refused", "web", "client_secret_post", "JWTAUTH_AUTH_METHOD_MISMATCH"),
            ("accepted", "pub", "none", "-"),
        ]
    );
    assert!(events.iter().all(|e| e["alg"].is_null()), "no algorithm without an assertion");
    // The report-only profile (rfc7523bis) has nothing against these.
    assert!(events[0]["would_refuse"].is_null());

    // A request that names nothing readable: no client, no method.
    assert!(s.auth.authenticate_body(None, b"client_id=a&client_id=b").is_err());
    assert!(s.auth.authenticate_body(None, b"grant_type=client_credentials").is_err());
    for e in s.hook.take() {
        assert_eq!((&e["client_id"], &e["method"]), (&Value::Null, &Value::Null), "{e}");
    }
    // A client id longer than the bound is not repeated.
    let long = "x".repeat(jwtauth::MAX_EVENT_CLIENT_ID + 1);
    assert!(s.auth.authenticate_body(None, format!("client_id={long}").as_bytes()).is_err());
    assert_eq!(s.hook.take()[0]["client_id"], Value::Null);
}

#[test]
fn endpoint_views_verifiers_and_explanations() {
    let s = setup(None);
    let at = s.auth.at(Endpoint::Introspection);
    assert!(
        at.authenticate_body(None, body(&s.key, "svc", &format!("{ISSUER}/introspect")).as_bytes()).is_ok()
    );
    assert_eq!(s.hook.take()[0]["endpoint"], "introspection_endpoint");
    // The verifier alone: its three entry points tell the hook too.
    let v = s.auth.verifier();
    let one = AssertionBuilder::new(&s.key, "svc", ISSUER).sign().unwrap().assertion;
    assert!(v.verify_in(&one, None, &*s.registry).is_ok());
    let two = AssertionBuilder::new(&s.key, "svc", ISSUER).sign().unwrap().assertion;
    let mut out = std::mem::MaybeUninit::uninit();
    assert!(v.verify_bytes_into(two.as_bytes(), None, &*s.registry, &mut out).is_ok());
    // A form client_id that disagrees with iss/sub: the event names the form's.
    let three = AssertionBuilder::new(&s.key, "svc", ISSUER).sign().unwrap().assertion;
    assert_eq!(
        v.verify_in(&three, Some("web"), &*s.registry).unwrap_err().code(),
        ErrorCode::ClientIdMismatch
    );
    let events = s.hook.take();
    assert_eq!(events.len(), 3);
    assert_eq!((&events[0]["client_id"], &events[1]["client_id"]), (&"svc".into(), &"svc".into()));
    assert_eq!(
        (&events[2]["client_id"], &events[2]["code"]),
        (&"web".into(), &"JWTAUTH_CLIENT_ID_MISMATCH".into())
    );
    // Explanations tell nothing.
    let _ = s.auth.explain(Authorization::Absent, body(&s.key, "svc", ISSUER).as_bytes());
    let _ = v.explain(three.as_bytes(), None, &*s.registry);
    assert!(s.hook.take().is_empty());
}

#[test]
fn no_secret_or_assertion_reaches_the_hook() {
    let s = setup(None);
    let signed = AssertionBuilder::new(&s.key, "svc", ISSUER).sign().unwrap();
    let form = format!("grant_type=client_credentials&{}", signed.to_form_body());
    assert!(s.auth.authenticate_body(None, form.as_bytes()).is_ok());
    assert!(s.auth.authenticate_body(None, form.as_bytes()).is_err());
    let basic = jwtauth::form::basic_authorization("web", SECRET);
    assert!(s.auth.authenticate_body(Some(&basic), b"").is_ok());
    let wrong = jwtauth::form::basic_authorization("web", "guess-the-secret-1234");
    assert!(s.auth.authenticate_body(Some(&wrong), b"").is_err());
    assert!(
        s.auth.authenticate_body(None, format!("client_id=web&client_secret={SECRET}").as_bytes()).is_err()
    );
    let text = serde_json::to_string(&s.hook.take()).unwrap();
    let signature = signed.assertion.rsplit('.').next().unwrap();
    for needle in [SECRET, "guess-the-secret-1234", signed.assertion.as_str(), signature, signed.jti.as_str()]
    {
        assert!(!text.contains(needle), "{needle} in {text}");
    }
}

#[test]
fn nothing_the_hook_does_changes_an_outcome() {
    let s = setup(None);
    // A panicking hook: the outcome stands, and the next call is served.
    s.hook.mode.store(1, Ordering::SeqCst);
    let ok = body(&s.key, "svc", ISSUER);
    s.auth.authenticate_body(None, ok.as_bytes()).unwrap();
    assert_eq!(s.auth.authenticate_body(None, ok.as_bytes()).unwrap_err().code(), ErrorCode::Replayed);
    assert_eq!(s.hook.take().len(), 2);
    // A hook that authenticates from inside: its own calls are events too,
    // nested to the bound and no further; the outer outcome stands.
    s.hook.mode.store(2, Ordering::SeqCst);
    s.hook.inner.set(s.auth.clone()).unwrap();
    assert!(s.auth.authenticate_body(None, b"client_id=pub").is_ok());
    let n = s.hook.take().len();
    assert!((2..=jwtauth::MAX_NESTING as usize).contains(&n), "{n} events");
    // And the verifier still works once the hook is quiet.
    s.hook.mode.store(0, Ordering::SeqCst);
    assert!(s.auth.authenticate_body(None, body(&s.key, "svc", ISSUER).as_bytes()).is_ok());
    assert_eq!(s.hook.take().len(), 1);
}
