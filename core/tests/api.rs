//! Behaviour of the public API that the vectors do not cover: the client-side
//! builder, key export round trips, errors, and that secrets never reach
//! `Debug` or error text.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use std::sync::Arc;

use jwtauth::{
    Algorithm, AssertionBuilder, AuthMethod, CLIENT_ASSERTION_TYPE, Claims, Client, Credential, ErrorCode,
    FixedClock, JwkSet, SigningKey, Verifier, VerifyingKey,
};
use serde_json::json;

#[path = "support/keys.rs"]
mod keys;
const ISSUER: &str = "https://as.example.com";

fn claims_of(token: &str) -> Claims {
    Claims::parse(&jwtauth::b64::decode(token.split('.').nth(1).unwrap().as_bytes()).unwrap()).unwrap()
}

fn header_of(token: &str) -> serde_json::Value {
    serde_json::from_slice(&jwtauth::b64::decode(token.split('.').next().unwrap().as_bytes()).unwrap())
        .unwrap()
}

#[test]
fn builder_defaults_and_options() {
    let clock = Arc::new(FixedClock::new(1_800_000_000));
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let a = AssertionBuilder::new(&key, "client-1", ISSUER).clock(clock.clone()).sign().unwrap();
    let c = claims_of(&a.assertion);
    assert_eq!(c.iss(), Some("client-1"));
    assert_eq!(c.sub(), Some("client-1"));
    assert_eq!(c.iat(), Some(1_800_000_000.0));
    assert_eq!(c.exp(), Some(1_800_000_060.0), "default lifetime 60 s");
    assert!(c.nbf().is_none());
    assert_eq!(c.jti().map(str::len), Some(22), "128 random bits");
    let h = header_of(&a.assertion);
    assert_eq!(h["typ"], "client-authentication+jwt");
    assert_eq!(h["kid"], json!(key.thumbprint()), "kid defaults to the RFC 7638 thumbprint");
    let b = AssertionBuilder::new(&key, "client-1", ISSUER).clock(clock.clone()).sign().unwrap();
    assert_ne!(a.jti, b.jti, "fresh jti each time");

    let fields = a.form_fields();
    assert_eq!(fields[0], ("client_id", "client-1"));
    assert_eq!(fields[1], ("client_assertion_type", CLIENT_ASSERTION_TYPE));
    assert_eq!(fields[2].1, a.assertion);
    assert!(a.to_form_body().starts_with(
        "client_id=client-1&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=ey"
    ));

    let o = AssertionBuilder::new(&key, "client-1", ISSUER)
        .clock(clock)
        .lifetime(120)
        .not_before(true)
        .typ(None)
        .kid("my-kid")
        .claim("extra", json!({"a": 1}))
        .unwrap()
        .sign()
        .unwrap();
    let c = claims_of(&o.assertion);
    assert_eq!(c.exp(), Some(1_800_000_120.0));
    assert_eq!(c.nbf(), Some(1_800_000_000.0));
    assert_eq!(c.other()["extra"], json!({"a": 1}));
    let h = header_of(&o.assertion);
    assert!(h.get("typ").is_none());
    assert_eq!(h["kid"], "my-kid");
    assert!(
        header_of(&AssertionBuilder::new(&key, "c", ISSUER).no_kid().sign().unwrap().assertion)
            .get("kid")
            .is_none()
    );
}

#[test]
fn builder_refuses_bad_input() {
    let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let code = |b: AssertionBuilder<'_>| b.sign().unwrap_err().code();
    assert_eq!(code(AssertionBuilder::new(&key, "c", ISSUER).lifetime(301)), ErrorCode::InvalidArgument);
    assert!(AssertionBuilder::new(&key, "c", ISSUER).lifetime(3600).allow_long_lifetime().sign().is_ok());
    assert_eq!(code(AssertionBuilder::new(&key, "c", ISSUER).lifetime(0)), ErrorCode::InvalidArgument);
    assert_eq!(code(AssertionBuilder::new(&key, "", ISSUER)), ErrorCode::InvalidArgument);
    assert_eq!(code(AssertionBuilder::new(&key, "c", "")), ErrorCode::InvalidArgument);
    assert_eq!(
        AssertionBuilder::new(&key, "c", ISSUER).claim("exp", json!(1)).unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn pem_and_jwk_round_trips_for_every_asymmetric_algorithm() {
    for alg in Algorithm::ALL.into_iter().filter(|a| !a.is_symmetric()) {
        let Some(key) = keys::generate(alg) else { continue };
        let key = key.with_kid("k1");
        // Private PEM round trip keeps the public key.
        let again = SigningKey::from_pem(&key.to_pkcs8_pem().unwrap()).unwrap().with_alg(alg).unwrap();
        assert_eq!(again.thumbprint(), key.thumbprint(), "{alg}");
        // Public PEM and JWK give the same thumbprint.
        let from_pem = VerifyingKey::from_pem(&key.to_public_pem().unwrap()).unwrap();
        let jwk = key.public_jwk().unwrap();
        assert_eq!(jwk["kid"], "k1");
        assert_eq!(jwk["alg"], alg.name());
        assert_eq!(jwk["use"], "sig");
        assert!(jwk.get("d").is_none(), "{alg}: public JWK must not carry d");
        let from_jwk = VerifyingKey::from_jwk(&jwk.to_string()).unwrap();
        assert_eq!(from_pem.thumbprint(), key.thumbprint());
        assert_eq!(from_jwk.thumbprint(), key.thumbprint());
        // The re-imported key signs; the exported public key verifies.
        let sig = again.sign_bytes(b"x.y").unwrap();
        assert!(from_pem.verify_signature(alg, b"x.y", &sig).is_ok(), "{alg}");
        let set = JwkSet::from_keys(vec![from_jwk]).unwrap();
        assert!(set.to_json().contains("\"kid\":\"k1\""));
    }
}

#[test]
fn rfc7638_thumbprint_example() {
    // RFC 7638 §3.1.
    let jwk = r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#;
    let k = VerifyingKey::from_jwk(jwk).unwrap();
    assert_eq!(k.thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    assert_eq!(k.rsa_bits(), Some(2048));
}

#[test]
fn secrets_never_reach_debug_or_errors() {
    let secret = b"super-secret-value-that-must-not-leak-0123456789";
    let key = SigningKey::from_secret(secret, Algorithm::HS256).unwrap();
    let cred = Credential::from_secret(secret).unwrap();
    let text = format!("{key:?} {cred:?}");
    assert!(!text.contains("super-secret"), "{text}");
    let pem = SigningKey::generate(Algorithm::ES256).unwrap();
    assert!(!format!("{pem:?}").contains("PRIVATE"));
    // A rejected assertion's error does not echo it.
    let client = Client::new("c", AuthMethod::ClientSecretJwt).with_credential(cred);
    let verifier = Verifier::builder(ISSUER).build().unwrap();
    let other =
        SigningKey::from_secret(b"another-secret-of-sufficient-length-0123", Algorithm::HS256).unwrap();
    let token = AssertionBuilder::new(&other, "c", ISSUER).sign().unwrap().assertion;
    let e = verifier.verify(&token, &client).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SignatureInvalid);
    let shown = format!("{e} {e:?} {}", e.description());
    assert!(!shown.contains(&token[..20]) && !shown.contains("super-secret"), "{shown}");
    assert_eq!(e.http_status(), 401);
    assert_eq!(e.oauth_error().as_str(), "invalid_client");
}

#[test]
fn verifier_configuration_is_checked() {
    assert_eq!(Verifier::builder("").build().unwrap_err().code(), ErrorCode::InvalidArgument);
    assert_eq!(Verifier::builder(ISSUER).leeway(-1).build().unwrap_err().code(), ErrorCode::InvalidArgument);
    assert_eq!(Verifier::builder(ISSUER).max_age(0).build().unwrap_err().code(), ErrorCode::InvalidArgument);
    assert_eq!(
        Verifier::builder(ISSUER)
            .allowed_algorithms(jwtauth::AlgorithmSet::EMPTY)
            .build()
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        Client::new("c", AuthMethod::PrivateKeyJwt).with_signing_alg(Algorithm::HS256).unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn error_codes_are_unique_and_round_trip() {
    let mut numbers = std::collections::HashSet::new();
    let mut names = std::collections::HashSet::new();
    for c in ErrorCode::ALL {
        assert!(numbers.insert(c.number()), "{c} number");
        assert!(names.insert(c.name()), "{c} name");
        assert_eq!(ErrorCode::from_number(c.number()), Some(*c));
        assert_eq!(ErrorCode::from_name(c.name()), Some(*c));
        assert!(!c.description().is_empty());
    }
    // ABI: these numbers never change.
    assert_eq!(ErrorCode::SignatureInvalid.number(), 302);
    assert_eq!(ErrorCode::Replayed.number(), 500);
}

#[test]
fn error_table_file_is_current() {
    let committed = include_str!("../../tests/vectors/error_codes.json");
    assert_eq!(
        committed,
        jwtauth::error_table_json(),
        "regenerate: cargo run -p jwtauth --example error_table"
    );
}

#[test]
fn defaults_file_is_what_the_core_reports() {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/vectors/defaults.json")).expect("JSON");
    let issuer = doc["issuer"].as_str().expect("issuer");
    let verifier = Verifier::builder(issuer).build().expect("verifier");
    assert_eq!(doc["verifier"], verifier.settings());
    assert_eq!(doc["policy"], jwtauth::CredentialPolicy::default().settings());
    // The settings say what was set, not only the defaults.
    let tuned = Verifier::builder(issuer)
        .leeway(5)
        .max_lifetime(600)
        .without_remote_jwks()
        .build()
        .expect("verifier");
    assert_eq!(tuned.settings()["leeway"], 5);
    assert_eq!(tuned.settings()["max_lifetime"], 600);
    assert!(tuned.settings()["remote_jwks"].is_null());
    let policy = jwtauth::CredentialPolicy::from_json(r#"{"max_credentials": 3, "max_lifetime": 86400}"#)
        .expect("policy");
    assert_eq!(
        jwtauth::CredentialPolicy::from_json(&policy.settings().to_string()).expect("round trip").settings(),
        policy.settings()
    );
    assert_eq!(policy.settings()["max_credentials"], 3);
}

/// A registry that counts lookups: `verify_bytes_in` must refuse a
/// non-ASCII assertion before asking for any client.
#[derive(Debug, Default)]
struct CountingRegistry {
    client: Option<Arc<Client>>,
    lookups: std::sync::atomic::AtomicUsize,
}

impl jwtauth::Registry for CountingRegistry {
    fn client(&self, _client_id: &str) -> jwtauth::Result<Option<Arc<Client>>> {
        self.lookups.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(self.client.clone())
    }
}

/// An HS256 client "client-1" in a counting registry, its key, a fixed
/// clock and a verifier on it.
fn hs256_client() -> (Arc<FixedClock>, SigningKey, CountingRegistry, Verifier) {
    const NOW: i64 = 1_800_000_000;
    let clock = Arc::new(FixedClock::new(NOW));
    let secret = b"0123456789abcdef0123456789abcdef";
    let key = SigningKey::from_secret(secret, Algorithm::HS256).unwrap();
    let client = Client::new("client-1", AuthMethod::ClientSecretJwt).with_secret(secret, None).unwrap();
    let reg = CountingRegistry { client: Some(Arc::new(client)), ..CountingRegistry::default() };
    let v = Verifier::builder(ISSUER).clock(clock.clone()).build().unwrap();
    (clock, key, reg, v)
}

#[test]
fn verify_bytes_in_takes_unchecked_bytes() {
    let (clock, key, reg, v) = hs256_client();
    let jws = AssertionBuilder::new(&key, "client-1", ISSUER).clock(clock.clone()).sign().unwrap().assertion;
    // The same result as verify_in for a valid assertion given as bytes.
    let ok = v.verify_bytes_in(jws.as_bytes(), None, &reg).unwrap();
    assert_eq!(ok.client_id, "client-1");
    assert_eq!(reg.lookups.load(std::sync::atomic::Ordering::SeqCst), 1);
    // Every byte position of a valid assertion replaced by a non-ASCII
    // byte (invalid UTF-8 or part of a valid sequence): refused by rules
    // 1-2 with a precise code, and no lookup happens.
    let fresh = AssertionBuilder::new(&key, "client-1", ISSUER).clock(clock).sign().unwrap().assertion;
    for at in 0..fresh.len() {
        for bad in [&[0xffu8][..], &[0xc3, 0xa9][..], &[0x80][..]] {
            let mut b = fresh.as_bytes().to_vec();
            b.splice(at..=at, bad.iter().copied());
            let e = v.verify_bytes_in(&b, None, &reg).unwrap_err();
            assert!(
                matches!(e.code(), ErrorCode::MalformedJws | ErrorCode::InvalidBase64),
                "byte {at}: {:?}",
                e.code()
            );
        }
    }
    assert_eq!(
        reg.lookups.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "no lookup for a non-ASCII assertion"
    );
    // And the untouched assertion still verifies (nothing was recorded).
    assert_eq!(v.verify_bytes_in(fresh.as_bytes(), None, &reg).unwrap().client_id, "client-1");
}

/// Assertion bytes come from the request: whatever they hold, a refusal is
/// the request's (401), never an argument error of the server's.
#[test]
fn assertion_bytes_that_are_not_utf8_are_the_requests_fault() {
    let (clock, key, reg, v) = hs256_client();
    let jws = AssertionBuilder::new(&key, "client-1", ISSUER).clock(clock).sign().unwrap().assertion;
    let at = jws.len() / 2;
    for bad in [&[0xff][..], "é".as_bytes(), &[0xed, 0xa0, 0x80], &[0]] {
        let mut b = jws.as_bytes().to_vec();
        b.splice(at..=at, bad.iter().copied());
        let e = v.verify_bytes_in(&b, None, &reg).unwrap_err();
        assert!(
            matches!(e.code(), ErrorCode::MalformedJws | ErrorCode::InvalidBase64),
            "{bad:?}: {:?}",
            e.code()
        );
        assert_eq!(e.http_status(), 401);
    }
    assert_eq!(v.verify_bytes_in(jws.as_bytes(), None, &reg).unwrap().client_id, "client-1");
}

#[test]
#[allow(unsafe_code, reason = "reads the MaybeUninit the call under test initialised")]
fn verify_bytes_into_writes_the_result_only_on_success() {
    let (clock, key, reg, v) = hs256_client();
    let signed = AssertionBuilder::new(&key, "client-1", ISSUER).clock(clock).sign().unwrap();
    let jws = signed.assertion.as_bytes();
    let mut out = std::mem::MaybeUninit::<jwtauth::VerifiedAssertion>::uninit();
    // Refused: the errors of verify_bytes_in (and the slot is not read
    // afterwards: it was not written).
    let mut bad = jws.to_vec();
    bad[jws.len() / 2] = 0xff;
    let e = v.verify_bytes_into(&bad, None, &reg, &mut out).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidBase64);
    let e = v.verify_bytes_into(jws, Some("someone-else"), &reg, &mut out).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ClientIdMismatch);
    // Accepted: the slot holds the verified assertion.
    v.verify_bytes_into(jws, None, &reg, &mut out).unwrap();
    // SAFETY: initialised by the Ok call just above.
    let got = unsafe { out.assume_init() };
    assert_eq!(got.client_id, "client-1");
    assert_eq!(got.claims.jti(), Some(signed.jti.as_str()));
    // Once only: the same assertion again is a replay, and leaves `out` alone.
    let mut again = std::mem::MaybeUninit::<jwtauth::VerifiedAssertion>::uninit();
    let e = v.verify_bytes_into(jws, None, &reg, &mut again).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Replayed);
}

/// Report-only: a stricter profile beside the enforced one refuses nothing,
/// says what it would have refused, and counts it per client and code; the
/// explanation counts nothing.
#[test]
fn report_only_profile_counts_and_refuses_nothing() {
    use jwtauth::{Authenticator, MemoryRegistry, Profile, form};
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let registry = MemoryRegistry::new();
    registry.insert(Client::new("svc", AuthMethod::PrivateKeyJwt).with_credential(Credential::from_key(
        VerifyingKey::from_jwk(&key.verifying_key().to_jwk().unwrap().to_string()).unwrap(),
    )));
    registry.insert(
        Client::new("web", AuthMethod::ClientSecretBasic)
            .with_secret(b"a-secret-of-enough-length", None)
            .unwrap(),
    );
    let verifier = Verifier::builder(ISSUER)
        .token_endpoint("https://as.example.com/token")
        .report_profile(Profile::Fapi2)
        .build()
        .unwrap();
    assert_eq!(verifier.settings()["report_profile"], "fapi2");
    assert_eq!(verifier.settings()["profile"], "compat");
    let auth = Authenticator::new(verifier, Arc::new(registry));
    let form_of = |aud: &str| {
        // Untyped: an explicitly typed assertion is held to the issuer in every profile.
        let a = AssertionBuilder::new(&key, "svc", aud).typ(None).sign().unwrap();
        format!("grant_type=client_credentials&{}", a.to_form_body())
    };
    // The token endpoint as aud: accepted (compat), refused by fapi2.
    let body = form_of("https://as.example.com/token");
    let explained = auth.explain(jwtauth::Authorization::Absent, body.as_bytes());
    assert!(explained.verdict.is_ok());
    let ok = auth.authenticate_body(None, body.as_bytes()).unwrap();
    let w = ok.would_refuse.unwrap();
    assert_eq!((w.profile, w.code), (Profile::Fapi2, ErrorCode::AudienceMismatch));
    // The issuer as aud: nothing to report.
    assert!(auth.authenticate_body(None, form_of(ISSUER).as_bytes()).unwrap().would_refuse.is_none());
    // Basic twice: fapi2 takes private_key_jwt only.
    let basic = form::basic_authorization("web", "a-secret-of-enough-length");
    for _ in 0..2 {
        let ok = auth.authenticate_body(Some(&basic), b"grant_type=client_credentials").unwrap();
        assert_eq!(ok.would_refuse.unwrap().code, ErrorCode::AuthMethodMismatch);
    }
    let report = auth.verifier().report();
    let counts: Vec<(&str, &str, u64)> =
        report.counts.iter().map(|c| (c.client_id.as_str(), c.code.name(), c.count)).collect();
    assert_eq!(counts, vec![("svc", "AUDIENCE_MISMATCH", 1), ("web", "AUTH_METHOD_MISMATCH", 2)]);
    assert_eq!(report.to_json()["counts"][1]["code"], "JWTAUTH_AUTH_METHOD_MISMATCH");
    assert_eq!(report.to_json()["profile"], "fapi2");

    // Enforced, the same requests are refused.
    let registry = MemoryRegistry::new();
    registry.insert(
        Client::new("web", AuthMethod::ClientSecretBasic)
            .with_secret(b"a-secret-of-enough-length", None)
            .unwrap(),
    );
    let strict = Authenticator::new(
        Verifier::builder(ISSUER).profile(Profile::Fapi2).build().unwrap(),
        Arc::new(registry),
    );
    let e = strict.authenticate_body(Some(&basic), b"grant_type=client_credentials").unwrap_err();
    assert_eq!(e.code(), ErrorCode::AuthMethodMismatch);
    assert_eq!(e.response().status, 401);
    let x =
        strict.explain(jwtauth::Authorization::from(Some(basic.as_str())), b"grant_type=client_credentials");
    let failed = x.steps.iter().find(|s| s.status == jwtauth::Status::Fail).unwrap();
    assert_eq!(failed.rule.name, "client");
    assert!(failed.fix.as_deref().unwrap().contains("private_key_jwt"), "{failed:?}");
}

/// A registration that declares the fapi2 profile is held to it.
#[test]
fn a_fapi2_registration_needs_private_key_jwt_and_its_algorithms() {
    let policy = jwtauth::CredentialPolicy::default();
    let problems = policy
        .check_client(
            &json!({ "client_id": "x", "token_endpoint_auth_method": "client_secret_basic",
                     "client_secret": "a-secret-of-enough-length", "profile": "fapi2" }),
            0,
        )
        .unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].location, "/token_endpoint_auth_method");
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let problems = policy
        .check_client(
            &json!({ "client_id": "x", "token_endpoint_auth_method": "private_key_jwt", "profile": "fapi2",
                     "token_endpoint_auth_signing_alg": "ES384",
                     "jwks": { "keys": [key.verifying_key().to_jwk().unwrap()] } }),
            0,
        )
        .unwrap_err();
    assert!(problems.iter().any(|p| p.location == "/token_endpoint_auth_signing_alg"), "{problems:?}");
    let bad = policy.check_client(&json!({ "client_id": "x", "profile": "fapi3" }), 0).unwrap_err();
    assert!(bad.iter().any(|p| p.location == "/profile"), "{bad:?}");
    let ok = policy
        .check_client(
            &json!({ "client_id": "x", "token_endpoint_auth_method": "private_key_jwt", "profile": "fapi2",
                     "jwks": { "keys": [key.verifying_key().to_jwk().unwrap()] } }),
            0,
        )
        .unwrap();
    assert_eq!(ok.profile(), Some(jwtauth::Profile::Fapi2));
}

/// The host's policy hook runs after every check and before the jti is
/// recorded: a refusal leaves the assertion unused; a failure fails closed.
#[test]
fn the_policy_hook_refuses_before_the_record_and_fails_closed() {
    use jwtauth::{Authenticator, HookContext, HookError, MemoryRegistry, PolicyHook};
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU8, Ordering};

    #[derive(Debug, Default)]
    struct Hook {
        /// 0 accept, 1 refuse, 2 fail.
        mode: AtomicU8,
        seen: Mutex<Vec<serde_json::Value>>,
    }
    impl PolicyHook for Hook {
        fn check(&self, context: &HookContext<'_>) -> Result<(), HookError> {
            self.seen.lock().unwrap().push(context.to_json());
            match self.mode.load(Ordering::SeqCst) {
                0 => Ok(()),
                1 => Err(HookError::Refused("tenant suspended".into())),
                _ => Err(HookError::Failed("policy database down".into())),
            }
        }
    }

    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let registry = MemoryRegistry::new();
    registry.insert(Client::new("svc", AuthMethod::PrivateKeyJwt).with_credential(Credential::from_key(
        VerifyingKey::from_jwk(&key.verifying_key().to_jwk().unwrap().to_string()).unwrap(),
    )));
    registry.insert(
        Client::new("web", AuthMethod::ClientSecretBasic)
            .with_secret(b"a-secret-of-enough-length", None)
            .unwrap(),
    );
    let hook = Arc::new(Hook { mode: AtomicU8::new(1), ..Hook::default() });
    let verifier = Verifier::builder(ISSUER).policy_hook(hook.clone()).build().unwrap();
    let auth = Authenticator::new(verifier, Arc::new(registry));
    let signed = AssertionBuilder::new(&key, "svc", ISSUER).sign().unwrap();
    let body = format!("grant_type=client_credentials&{}", signed.to_form_body());
    // Refused: 401 invalid_client, the reason only in the log detail.
    let e = auth.authenticate_body(None, body.as_bytes()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::PolicyRefused);
    assert!(e.error().detail().contains("tenant suspended"));
    assert_eq!(e.response().status, 401);
    assert!(!e.response().body.contains("tenant"), "the reason is not sent to the client");
    let seen = hook.seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        (seen["client_id"].as_str(), seen["method"].as_str(), seen["alg"].as_str()),
        (Some("svc"), Some("private_key_jwt"), Some("ES256"))
    );
    assert_eq!(seen["claims"]["jti"], signed.jti.as_str());
    assert!(!seen.to_string().contains(&signed.assertion), "the hook never sees the assertion");
    // The explanation names the policy step.
    let x = auth.explain(jwtauth::Authorization::Absent, body.as_bytes());
    let failed = x.steps.iter().find(|s| s.status == jwtauth::Status::Fail).unwrap();
    assert_eq!(failed.rule.name, "policy");
    // The jti was not recorded: once the hook allows, the same assertion is accepted, once.
    hook.mode.store(0, Ordering::SeqCst);
    assert!(auth.authenticate_body(None, body.as_bytes()).is_ok());
    assert_eq!(auth.authenticate_body(None, body.as_bytes()).unwrap_err().code(), ErrorCode::Replayed);
    // A failing hook: 503, fail closed.
    hook.mode.store(2, Ordering::SeqCst);
    let fresh = AssertionBuilder::new(&key, "svc", ISSUER).sign().unwrap();
    let e = auth
        .authenticate_body(None, format!("grant_type=client_credentials&{}", fresh.to_form_body()).as_bytes())
        .unwrap_err();
    assert_eq!((e.code(), e.response().status), (ErrorCode::HookFailed, 503));
    // The password methods are asked too (no header, no claims).
    hook.mode.store(1, Ordering::SeqCst);
    let basic = jwtauth::form::basic_authorization("web", "a-secret-of-enough-length");
    let e = auth.authenticate_body(Some(&basic), b"grant_type=client_credentials").unwrap_err();
    assert_eq!(e.code(), ErrorCode::PolicyRefused);
    assert!(e.response().www_authenticate.is_some());
    let seen = hook.seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        (seen["method"].as_str(), &seen["claims"]),
        (Some("client_secret_basic"), &serde_json::Value::Null)
    );
    let x =
        auth.explain(jwtauth::Authorization::from(Some(basic.as_str())), b"grant_type=client_credentials");
    assert_eq!(x.steps.iter().find(|s| s.status == jwtauth::Status::Fail).unwrap().rule.name, "policy");
}

/// Every outcome is counted once — accepted per method, refused per code —
/// by the verifier and the authenticators and endpoint views over it; an
/// explanation counts nothing. Prometheus text for `jwtauth serve`.
#[test]
fn outcomes_are_counted_once_and_explanations_not_at_all() {
    use jwtauth::{Authenticator, MemoryRegistry, Profile};
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let registry = Arc::new(MemoryRegistry::new());
    registry.insert(Client::new("svc", AuthMethod::PrivateKeyJwt).with_credential(Credential::from_key(
        VerifyingKey::from_jwk(&key.verifying_key().to_jwk().unwrap().to_string()).unwrap(),
    )));
    registry.insert(
        Client::new("web", AuthMethod::ClientSecretBasic)
            .with_secret(b"a-secret-of-enough-length", None)
            .unwrap(),
    );
    let verifier = Arc::new(Verifier::builder(ISSUER).report_profile(Profile::Fapi2).build().unwrap());
    let auth = Authenticator::with_shared_verifier(verifier.clone(), registry.clone());
    let signed = AssertionBuilder::new(&key, "svc", ISSUER).sign().unwrap();
    let body = format!("grant_type=client_credentials&{}", signed.to_form_body());
    let _ = auth.explain(jwtauth::Authorization::Absent, body.as_bytes());
    assert!(auth.authenticate_body(None, body.as_bytes()).is_ok()); // one JWT request: counted once
    assert!(auth.authenticate_body(None, body.as_bytes()).is_err()); // replayed
    let basic = jwtauth::form::basic_authorization("web", "a-secret-of-enough-length");
    assert!(auth.at(jwtauth::Endpoint::Revocation).authenticate_body(Some(&basic), b"x=1").is_ok());
    let other = AssertionBuilder::new(&key, "svc", ISSUER).sign().unwrap().assertion;
    assert!(verifier.verify_in(&other, None, &*registry).is_ok());
    assert!(verifier.verify_in("not.a.jwt", None, &*registry).is_err());
    let m = verifier.metrics();
    let accepted: std::collections::HashMap<&str, u64> =
        m.accepted.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    assert_eq!((accepted["private_key_jwt"], accepted["client_secret_basic"], accepted["none"]), (2, 1, 0));
    let refused: Vec<(&str, u64)> = m.refused.iter().map(|(c, n)| (c.name(), *n)).collect();
    assert_eq!(refused, vec![("INVALID_BASE64", 1), ("REPLAYED", 1)]);
    assert_eq!(m.to_json()["refused"]["JWTAUTH_REPLAYED"], 1);
    let text = m.to_prometheus(&verifier.report());
    assert!(text.contains("jwtauth_accepted_total{method=\"private_key_jwt\"} 2\n"), "{text}");
    assert!(text.contains(
        "jwtauth_refused_total{code=\"JWTAUTH_REPLAYED\",oauth_error=\"invalid_client\",status=\"401\"} 1\n"
    ));
    assert!(text.contains("jwtauth_report_would_refuse_total{profile=\"fapi2\",client_id=\"web\",code=\"JWTAUTH_AUTH_METHOD_MISMATCH\"} 1\n"), "{text}");
    // Every line is a comment or `name{labels} value`.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (series, value) = line.rsplit_once(' ').unwrap();
        assert!(
            series.starts_with("jwtauth_")
                && (series.ends_with('}') || !series.contains(['{', '}', ' ']))
                && value.parse::<u64>().is_ok(),
            "{line}"
        );
    }
}
