//! Arbitrary bytes as a registry document, a credential policy document and
//! a `jwks_uri`: every problem is reported, nothing panics.
#![no_main]

use jwtauth::{CredentialPolicy, JwksUri, MemoryRegistry, UriRules};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(problems) = MemoryRegistry::from_json(&text, &CredentialPolicy::default(), 1_800_000_000) {
        assert!(!problems.is_empty());
    }
    let _ = CredentialPolicy::from_json(&text);
    let _ = CredentialPolicy::default().check_client_json(&text, 1_800_000_000);
    for rules in [UriRules::default(), UriRules { allow_http: true, allow_private_addresses: true }] {
        let _ = JwksUri::parse(&text, rules);
    }
});
