//! The Rust face of the hostile-input suite (`docs/SECURITY.md`): each class
//! of attack found against the library's edges, asserted by its exact error
//! code. The bindings' suites run the same classes through their own faces.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic, reason = "test code")]

use std::sync::{Arc, Mutex};

use jwtauth::{
    Algorithm, AssertionBuilder, AuthMethod, Authenticator, Authorization, Client, Credential,
    CredentialPolicy, ErrorCode, FixedClock, MemoryRegistry, Registry, SigningKey, Verifier, VerifyingKey,
    b64,
};
use serde_json::json;

#[path = "support/keys.rs"]
mod keys;
const ISSUER: &str = "https://as.example.com";
const NOW: i64 = 1_800_000_000;
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

fn verifier() -> Verifier {
    Verifier::builder(ISSUER).clock(Arc::new(FixedClock::new(NOW))).build().unwrap()
}

/// The canonical encodings of the eight small-order points (by their five
/// y values, each with both sign bits) and the non-canonical p and p + 1.
fn small_order_encodings() -> Vec<[u8; 32]> {
    let hex = |s: &str| -> [u8; 32] {
        let v: Vec<u8> = (0..32).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap()).collect();
        v.try_into().unwrap()
    };
    let ys = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ];
    let mut out = Vec::new();
    for y in ys {
        let y = hex(y);
        let mut signed = y;
        signed[31] |= 0x80;
        out.extend([y, signed]);
    }
    out
}

/// Finding 1: with a small-order key registered, (R = identity, S = 0)
/// verifies for some messages. Such keys never load, in any format.
#[test]
fn small_order_ed25519_keys_never_load() {
    for x in small_order_encodings() {
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": b64::encode(&x)}).to_string();
        let code = VerifyingKey::from_jwk(&jwk).unwrap_err().code();
        assert!(matches!(code, ErrorCode::WeakKey | ErrorCode::InvalidKey), "{x:02x?}: {code:?}");
        // SPKI DER: SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING x }.
        let mut spki = vec![0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
        spki.extend_from_slice(&x);
        assert_eq!(VerifyingKey::from_spki_der(&spki).unwrap_err().code(), code);
        // And through the registration policy, as a problem with its pointer.
        let doc = json!({"clients": [{"client_id": "c", "token_endpoint_auth_method": "private_key_jwt",
            "jwks": {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": b64::encode(&x)}]}}]});
        let problems = MemoryRegistry::from_value(&doc, &CredentialPolicy::default(), NOW).unwrap_err();
        assert_eq!(problems[0].code, code);
        assert!(problems[0].location.starts_with("/clients/0/jwks"), "{}", problems[0].location);
    }
}

/// The forgery itself, against a key that would be small-order if it loaded:
/// not reachable, since the key is refused; an ordinary key refuses the
/// (identity, 0) signature.
#[test]
fn the_identity_signature_never_verifies() {
    let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let vk = VerifyingKey::from_jwk(&key.public_jwk().unwrap().to_string()).unwrap();
    let client = Client::new("c", AuthMethod::PrivateKeyJwt).with_credential(Credential::from_key(vk));
    let v = verifier();
    let mut forged_sig = [0u8; 64];
    forged_sig[0] = 1;
    for i in 0..64 {
        let header = b64::encode(br#"{"alg":"EdDSA"}"#);
        let claims = json!({"iss": "c", "sub": "c", "aud": ISSUER, "exp": NOW + 60, "jti": format!("j{i}")});
        let payload = b64::encode(claims.to_string().as_bytes());
        let t = format!("{header}.{payload}.{}", b64::encode(&forged_sig));
        assert_eq!(v.verify(&t, &client).unwrap_err().code(), ErrorCode::SignatureInvalid);
    }
}

/// Finding 1, RSA: an even modulus or one with a small prime factor.
#[test]
fn rsa_moduli_with_small_factors_never_load() {
    let key = keys::generate(Algorithm::RS256).unwrap();
    let jwk = key.public_jwk().unwrap();
    let n = b64::decode(jwk["n"].as_str().unwrap().as_bytes()).unwrap();
    let with_n = |n: &[u8]| json!({"kty": "RSA", "n": b64::encode(n), "e": "AQAB"}).to_string();
    assert!(VerifyingKey::from_jwk(&with_n(&n)).is_ok());
    let mut even = n.clone();
    *even.last_mut().unwrap() &= 0xfe;
    assert_eq!(VerifyingKey::from_jwk(&with_n(&even)).unwrap_err().code(), ErrorCode::WeakKey);
    // n' = n − (n mod 3): divisible by 3, same size (still odd after making it so).
    let rem = n.iter().fold(0u32, |acc, b| (acc * 256 + u32::from(*b)) % 3);
    let mut by3 = n.clone();
    let mut borrow = rem;
    for b in by3.iter_mut().rev() {
        let (v, o) = b.overflowing_sub(u8::try_from(borrow).unwrap());
        *b = v;
        borrow = u32::from(o);
    }
    if by3.last().unwrap() & 1 == 0 {
        // Subtract 3 more to get back to odd (and keep divisibility by 3).
        let mut borrow = 3u32;
        for b in by3.iter_mut().rev() {
            let (v, o) = b.overflowing_sub(u8::try_from(borrow).unwrap());
            *b = v;
            borrow = u32::from(o);
        }
    }
    assert_eq!(VerifyingKey::from_jwk(&with_n(&by3)).unwrap_err().code(), ErrorCode::WeakKey);
}

/// A registry that answers the client it holds for any id, the way a
/// case-insensitive database lookup would for a different spelling.
#[derive(Debug)]
struct Sloppy(Arc<Client>);

impl Registry for Sloppy {
    fn client(&self, _client_id: &str) -> jwtauth::Result<Option<Arc<Client>>> {
        Ok(Some(self.0.clone()))
    }
}

/// Finding 5: the client answered must be the client asked for.
#[test]
fn a_registry_answering_another_client_is_not_trusted() {
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let vk = VerifyingKey::from_jwk(&key.public_jwk().unwrap().to_string()).unwrap();
    let real = Arc::new(
        Client::new("rsa-client", AuthMethod::PrivateKeyJwt).with_credential(Credential::from_key(vk)),
    );
    let clock = Arc::new(FixedClock::new(NOW));
    let v = Verifier::builder(ISSUER).clock(clock.clone()).build().unwrap();
    let registry = Sloppy(real.clone());
    let ghost = AssertionBuilder::new(&key, "ghost", ISSUER).clock(clock.clone()).sign().unwrap();
    assert_eq!(v.verify_in(&ghost.assertion, None, &registry).unwrap_err().code(), ErrorCode::UnknownClient);
    let auth = Authenticator::new(v, Arc::new(Sloppy(real)));
    let e = auth.authenticate_body(None, ghost.to_form_body().as_bytes()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnknownClient);
    // The genuine id still works.
    let ok = AssertionBuilder::new(&key, "rsa-client", ISSUER).clock(clock).sign().unwrap();
    assert_eq!(auth.authenticate_body(None, ok.to_form_body().as_bytes()).unwrap().client_id(), "rsa-client");
}

/// A registry whose lookup verifies again, from inside the verification.
#[derive(Debug)]
struct Recursing {
    verifier: Arc<Verifier>,
    client: Arc<Client>,
    tokens: Mutex<Vec<String>>,
    deepest_error: Mutex<Option<ErrorCode>>,
}

impl Registry for Recursing {
    fn client(&self, _client_id: &str) -> jwtauth::Result<Option<Arc<Client>>> {
        let next = self.tokens.lock().unwrap().pop();
        if let Some(t) = next
            && let Err(e) = self.verifier.verify_in(&t, None, self)
        {
            self.deepest_error.lock().unwrap().get_or_insert(e.code());
            return Err(e);
        }
        Ok(Some(self.client.clone()))
    }
}

/// Finding 7: nesting is bounded by a usage error, not by the stack.
#[test]
fn nested_verification_is_bounded() {
    let clock = Arc::new(FixedClock::new(NOW));
    let key = SigningKey::from_secret(SECRET, Algorithm::HS256).unwrap();
    let client = Arc::new(Client::new("c", AuthMethod::ClientSecretJwt).with_secret(SECRET, None).unwrap());
    let verifier = Arc::new(Verifier::builder(ISSUER).clock(clock.clone()).build().unwrap());
    let tokens: Vec<String> = (0..1000)
        .map(|_| AssertionBuilder::new(&key, "c", ISSUER).clock(clock.clone()).sign().unwrap().assertion)
        .collect();
    let first = tokens[0].clone();
    let r = Recursing {
        verifier: verifier.clone(),
        client,
        tokens: Mutex::new(tokens),
        deepest_error: Mutex::new(None),
    };
    let e = verifier.verify_in(&first, None, &r).unwrap_err();
    assert_eq!(*r.deepest_error.lock().unwrap(), Some(ErrorCode::InvalidArgument));
    assert_eq!(e.code(), ErrorCode::RegistryUnavailable, "the outer call sees its registry fail");
    assert_eq!(r.tokens.lock().unwrap().len(), 1000 - jwtauth::MAX_NESTING as usize);
    // Afterwards the thread verifies normally.
    let fresh = AssertionBuilder::new(&key, "c", ISSUER).clock(clock).sign().unwrap();
    assert!(verifier.verify(&fresh.assertion, &r.client).is_ok());
}

fn secret_authenticator() -> Authenticator {
    let doc = json!({"clients": [{"client_id": "c", "token_endpoint_auth_method": "client_secret_basic",
        "client_secret": "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t"}]});
    let registry = MemoryRegistry::from_value(&doc, &CredentialPolicy::default(), NOW).unwrap();
    Authenticator::new(verifier(), Arc::new(registry))
}

/// Finding 13: whatever bytes arrive in a request, the answer is the
/// request's fault (400/401), never a server error.
#[test]
fn request_bytes_are_never_server_errors() {
    let a = secret_authenticator();
    let headers: [&[u8]; 7] = [
        b"Basic \xff\xfe",
        b"Basic \0",
        b"Basic YzpzM2NyM3Qtcz\0NjcjN0",
        b"\xc3\x28 abc",
        b"Basic YzpzM2NyM3Q\xe2\x82\xac",
        b"Basic \xed\xa0\x80",
        b"\0",
    ];
    for h in headers {
        let e = a.authenticate_raw(Authorization::Value(h), b"grant_type=client_credentials").unwrap_err();
        assert!(matches!(e.code().http_status(), 400 | 401), "{h:?}: {:?}", e.code());
        assert!(e.response().headers().iter().any(|(n, _)| n.eq_ignore_ascii_case("www-authenticate")));
    }
    let e = a.authenticate_raw(Authorization::Repeated, b"").unwrap_err();
    assert_eq!(e.code(), ErrorCode::MalformedAuthorization);
    for body in
        [&b"client_id=\xff"[..], b"client_id=c&client_secret=%ff", b"\xff\xfe=1", b"client_id=%00%ed%a0%80"]
    {
        let e = a.authenticate_raw(Authorization::Absent, body).unwrap_err();
        assert!(matches!(e.code().http_status(), 400 | 401), "{body:?}: {:?}", e.code());
    }
    let pairs: [(&[u8], &[u8]); 2] = [(b"client_id", b"c"), (b"client_secret", b"\xff")];
    let e = a.authenticate_raw_pairs(Authorization::Absent, pairs).unwrap_err();
    assert_eq!(e.code(), ErrorCode::MalformedRequest);
    // An attacker-named header is only a header.
    let hs: [(&str, &[u8]); 3] = [("get", b"x"), ("entries", b"y"), ("Authorization", b"Basic YzpzM2NyM3Q=")];
    let auth = Authorization::from_headers(hs.iter().map(|(n, v)| (n, *v)));
    assert_eq!(auth, Authorization::Value(b"Basic YzpzM2NyM3Q="));
}

/// Finding 10, end to end: a validly signed assertion whose header holds an
/// unreadable member is refused like the same content in the claims.
#[test]
fn signed_headers_with_unreadable_members_are_refused() {
    let key = SigningKey::from_secret(SECRET, Algorithm::HS256).unwrap();
    let client = Client::new("c", AuthMethod::ClientSecretJwt).with_secret(SECRET, None).unwrap();
    let v = verifier();
    let claims = json!({"iss": "c", "sub": "c", "aud": ISSUER, "exp": NOW + 60, "jti": "j"}).to_string();
    let sign = |header: &[u8]| {
        let input = format!("{}.{}", b64::encode(header), b64::encode(claims.as_bytes()));
        format!("{input}.{}", b64::encode(&key.sign_bytes(input.as_bytes()).unwrap()))
    };
    let deep = format!(r#"{{"alg":"HS256","x":{}0{}}}"#, "[".repeat(5000), "]".repeat(5000));
    let cases: [(&[u8], ErrorCode); 5] = [
        (b"{\"alg\":\"HS256\",\"x\":\"\xff\"}", ErrorCode::MalformedHeader),
        (br#"{"alg":"HS256","x":"\ud800"}"#, ErrorCode::MalformedHeader),
        (br#"{"alg":"HS256","x":1e400}"#, ErrorCode::MalformedHeader),
        (br#"{"alg":"HS256","x":{"k":1,"k":2}}"#, ErrorCode::DuplicateMember),
        (deep.as_bytes(), ErrorCode::MalformedHeader),
    ];
    for (header, code) in cases {
        assert_eq!(v.verify(&sign(header), &client).unwrap_err().code(), code);
    }
    assert!(v.verify(&sign(br#"{"alg":"HS256","x":{"k":[1,"\u00e9"]}}"#), &client).is_ok());
}

/// Finding 9 through the registration policy.
#[test]
fn jwks_uri_spellings_are_refused_at_registration() {
    for uri in [
        "https://[::127.0.0.1]/jwks",
        "https://[::ffff:0:7f00:1]/jwks",
        "https://[64:ff9b::7f00:1]/jwks",
        "https://[2002:7f00:1::]/jwks",
        "https://2130706433/jwks",
        "https://0x7f000001/jwks",
        "https://0177.0.0.1/jwks",
        "https://127.1/jwks",
        "https://0/jwks",
    ] {
        let doc = json!({"clients": [{"client_id": "c", "token_endpoint_auth_method": "private_key_jwt", "jwks_uri": uri}]});
        let problems = MemoryRegistry::from_value(&doc, &CredentialPolicy::default(), NOW).unwrap_err();
        assert_eq!(problems[0].code, ErrorCode::InvalidJwksUri, "{uri}");
        assert_eq!(problems[0].location, "/clients/0/jwks_uri");
    }
}
