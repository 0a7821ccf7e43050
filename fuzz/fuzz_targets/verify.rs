//! Arbitrary bytes as a client assertion, against clients of both JWT
//! methods. Nothing may panic; nothing but a correctly signed assertion may
//! be accepted (and the fuzzer cannot forge one).
#![no_main]

use std::sync::{Arc, LazyLock};

use jwtauth::{AuthMethod, Client, Credential, FixedClock, Verifier, VerifyingKey};
use libfuzzer_sys::fuzz_target;

const JWK: &str = r#"{"kty":"EC","crv":"P-256","kid":"k","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#;
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static SETUP: LazyLock<(Verifier, Client, Client)> = LazyLock::new(|| {
    let v = Verifier::builder("https://as.example.com")
        .token_endpoint("https://as.example.com/token")
        .clock(Arc::new(FixedClock::new(1_800_000_000)))
        .build()
        .expect("verifier");
    let ec = Client::new("c", AuthMethod::PrivateKeyJwt)
        .with_credential(Credential::from_key(VerifyingKey::from_jwk(JWK).expect("jwk")));
    let hs = Client::new("c", AuthMethod::ClientSecretJwt)
        .with_credential(Credential::from_secret(SECRET).expect("secret"));
    (v, ec, hs)
});

fuzz_target!(|data: &[u8]| {
    let (v, ec, hs) = &*SETUP;
    let token = String::from_utf8_lossy(data);
    assert!(v.verify(&token, ec).is_err());
    assert!(v.verify(&token, hs).is_err());
});
