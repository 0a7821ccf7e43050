//! Arbitrary bytes as a claims set and as a compact JWS for the JWS layer.
#![no_main]

use jwtauth::{AlgorithmSet, Claims, JwkSet, VerifyingKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = Claims::parse(data) {
        let _ = c.client_id();
        let _ = c.to_json();
    }
    let keys = JwkSet::from(VerifyingKey::from_secret(&[7u8; 32]).expect("secret"));
    let _ = jwtauth::jws::verify_compact(&String::from_utf8_lossy(data), &keys, AlgorithmSet::ALL, 16 * 1024);
});
