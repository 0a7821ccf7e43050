//! Arbitrary bytes as the JWKS fetcher's HTTP response (status line,
//! headers, plain or chunked body): read within the size cap or refused,
//! never a panic or an allocation beyond the cap.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for max in [64, 64 * 1024] {
        if let Ok(r) = jwtauth::read_http_response(data, max) {
            assert!(r.body.len() <= max);
        }
    }
});
