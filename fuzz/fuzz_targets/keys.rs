//! Arbitrary bytes into every key parser: JWK, JWKS, PEM (public and
//! private), DER (SPKI, PKCS#1, certificate, PKCS#8), private JWK.
#![no_main]

use jwtauth::{JwkSet, SigningKey, VerifyingKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = VerifyingKey::from_jwk(&text);
    let _ = VerifyingKey::from_pem(&text);
    let _ = JwkSet::from_json(&text);
    let _ = SigningKey::from_pem(&text);
    let _ = SigningKey::from_jwk(&text);
    let _ = VerifyingKey::from_spki_der(data);
    let _ = VerifyingKey::from_pkcs1_der(data);
    let _ = VerifyingKey::from_certificate_der(data);
    let _ = SigningKey::from_pkcs8_der(data);
});
