//! Arbitrary bytes as a token request: an Authorization header (or none, or
//! repeated) and a form body, or decoded form pairs, against clients of every
//! method — and as a JWT bearer grant request against a trust table. Nothing
//! may panic; whatever the bytes, a refusal is the request's (400/401),
//! never a server error.
#![no_main]

use std::sync::{Arc, LazyLock};

use jwtauth::{Authenticator, Authorization, CredentialPolicy, FixedClock, MemoryRegistry, Verifier};
use libfuzzer_sys::fuzz_target;

const REGISTRY: &str = r#"{"clients": [
  {"client_id": "b1", "token_endpoint_auth_method": "client_secret_basic", "client_secret": "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t"},
  {"client_id": "p1", "token_endpoint_auth_method": "client_secret_post", "client_secret": "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t"},
  {"client_id": "j1", "token_endpoint_auth_method": "client_secret_jwt", "client_secret": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
  {"client_id": "n1", "token_endpoint_auth_method": "none"}
]}"#;

static AUTH: LazyLock<Authenticator> = LazyLock::new(|| {
    let registry = MemoryRegistry::from_json(REGISTRY, &CredentialPolicy::default(), 1_800_000_000).expect("registry");
    let v = Verifier::builder("https://as.example.com")
        .clock(Arc::new(FixedClock::new(1_800_000_000)))
        .build()
        .expect("verifier");
    let trust = jwtauth::TrustTable::from_json(TRUST, &CredentialPolicy::default(), 1_800_000_000).expect("trust");
    Authenticator::new(v, Arc::new(registry)).with_trust(trust)
});

/// Grants without client authentication reach the grant's own parsing.
const TRUST: &str = r#"{"client_authentication": "optional", "issuers": [
  {"issuer": "https://ci.example.com", "subject_prefixes": ["repo:"],
   "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "kid": "ci-1",
     "x": "nrbx84OB21zjWzPaOHFJDh56f8P3Vchczr1Scu0gbSU", "y": "500Ta4G8Qqp74Lf58Cv9B9CN8L4SxpiJNs9I3Z8EXhQ"}]}}
]}"#;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    // The header is what comes before the first newline.
    let (header, body) = match rest.iter().position(|b| *b == b'\n') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (&rest[..0], rest),
    };
    let authorization = match mode % 3 {
        0 => Authorization::Absent,
        1 => Authorization::Value(header),
        _ => Authorization::Repeated,
    };
    let check = |r: Result<jwtauth::Authenticated, jwtauth::AuthError>| {
        if let Err(e) = r {
            assert!(matches!(e.code().http_status(), 400 | 401), "{:?}", e.code());
        }
    };
    if mode & 8 != 0 {
        // A grant request: the client's refusals are 400/401, the grant's 400.
        if let Err(e) = AUTH.authenticate_grant(authorization, body, None) {
            let status = e.response().status;
            assert!(matches!(status, 400 | 401), "{:?} {status}", e.code());
            assert!(!e.error().is_grant() || status == 400, "{:?}", e.code());
        }
    } else if mode & 4 == 0 {
        check(AUTH.authenticate_raw(authorization, body));
    } else {
        // Pairs: NUL separates them, the first `=` splits name from value.
        let pairs: Vec<(&[u8], &[u8])> = body
            .split(|b| *b == 0)
            .map(|p| match p.iter().position(|b| *b == b'=') {
                Some(i) => (&p[..i], &p[i + 1..]),
                None => (p, &p[..0]),
            })
            .collect();
        check(AUTH.authenticate_raw_pairs(authorization, pairs));
    }
});
