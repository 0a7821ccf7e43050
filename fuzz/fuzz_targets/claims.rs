//! Arbitrary bytes as a claims set, as a compact JWS for the JWS layer, and
//! as an assertion to inspect (unverified decoding, what the command line and
//! `explain` show).
#![no_main]

use jwtauth::{AlgorithmSet, Claims, JwkSet, VerifyingKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = Claims::parse(data) {
        let _ = c.client_id();
        let _ = c.to_json();
    }
    if let Ok(i) = jwtauth::inspect(&String::from_utf8_lossy(data), 1_800_000_000) {
        assert!(i.warnings.iter().all(|w| !w.message.is_empty()));
    }
    let keys = JwkSet::from(VerifyingKey::from_secret(&[7u8; 32]).expect("secret"));
    let _ = jwtauth::jws::verify_compact(&String::from_utf8_lossy(data), &keys, AlgorithmSet::ALL, 16 * 1024);
});
