//! No panic on any input: property tests throw arbitrary bytes, arbitrary
//! JSON and mutated assertions at the verifier and every key parser. A
//! mutated assertion is never accepted; whatever is accepted satisfies the
//! claim invariants.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::sync::{Arc, LazyLock};

use jwtauth::{
    Algorithm, AssertionBuilder, AuthMethod, Client, Credential, FixedClock, JwkSet, SigningKey, Verifier,
    VerifyingKey,
};
use proptest::prelude::*;
use serde_json::{Value, json};

const NOW: i64 = 1_800_000_000;
const ISSUER: &str = "https://as.example.com";
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Fixture {
    es_key: SigningKey,
    es_client: Client,
    hs_key: SigningKey,
    hs_client: Client,
    valid: String,
}

static FX: LazyLock<Fixture> = LazyLock::new(|| {
    let es_key = SigningKey::generate(Algorithm::ES256).unwrap().with_kid("k");
    let vk = VerifyingKey::from_jwk(&es_key.public_jwk().unwrap().to_string()).unwrap();
    let es_client = Client::new("c", AuthMethod::PrivateKeyJwt).with_credential(Credential::from_key(vk));
    let hs_key = SigningKey::from_secret(SECRET, Algorithm::HS256).unwrap();
    let hs_client = Client::new("c", AuthMethod::ClientSecretJwt)
        .with_credential(Credential::from_secret(SECRET).unwrap());
    let valid = AssertionBuilder::new(&es_key, "c", ISSUER)
        .clock(Arc::new(FixedClock::new(NOW)))
        .jti("fixed")
        .sign()
        .unwrap()
        .assertion;
    Fixture { es_key, es_client, hs_key, hs_client, valid }
});

fn verifier() -> Verifier {
    Verifier::builder(ISSUER).clock(Arc::new(FixedClock::new(NOW))).build().unwrap()
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[a-z0-9+/:. -]{0,12}".prop_map(Value::String),
        Just(Value::String("c".into())),
        Just(Value::String(ISSUER.into())),
        (NOW - 400..NOW + 400).prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("iss".to_owned()),
                    Just("sub".to_owned()),
                    Just("aud".to_owned()),
                    Just("exp".to_owned()),
                    Just("iat".to_owned()),
                    Just("nbf".to_owned()),
                    Just("jti".to_owned()),
                    Just("alg".to_owned()),
                    Just("typ".to_owned()),
                    Just("kid".to_owned()),
                    Just("crit".to_owned()),
                    "[a-z]{1,4}",
                ],
                inner,
                0..8,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn sign_hs(header: &str, payload: &str) -> String {
    let input =
        format!("{}.{}", jwtauth::b64::encode(header.as_bytes()), jwtauth::b64::encode(payload.as_bytes()));
    let sig = FX.hs_key.sign_bytes(input.as_bytes()).unwrap();
    format!("{input}.{}", jwtauth::b64::encode(&sig))
}

fn assert_invariants(r: &jwtauth::VerifiedAssertion) {
    let c = &r.claims;
    assert_eq!(c.iss(), Some("c"));
    assert_eq!(c.sub(), Some("c"));
    assert!(c.jti().is_some_and(|j| !j.is_empty()));
    #[allow(clippy::cast_precision_loss, reason = "test bounds")]
    let now = NOW as f64;
    assert!(c.exp().is_some_and(|e| e > now - 60.0));
    assert_eq!(c.audiences(), vec![ISSUER]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let s = String::from_utf8_lossy(&bytes);
        prop_assert!(verifier().verify(&s, &FX.es_client).is_err());
        let _ = VerifyingKey::from_jwk(&s);
        let _ = VerifyingKey::from_pem(&s);
        let _ = VerifyingKey::from_spki_der(&bytes);
        let _ = VerifyingKey::from_pkcs1_der(&bytes);
        let _ = VerifyingKey::from_certificate_der(&bytes);
        let _ = JwkSet::from_json(&s);
        let _ = SigningKey::from_pem(&s);
        let _ = SigningKey::from_jwk(&s);
        let _ = SigningKey::from_pkcs8_der(&bytes);
        let _ = jwtauth::Claims::parse(&bytes);
    }

    #[test]
    fn arbitrary_segments_never_panic(h in "[A-Za-z0-9_=+/-]{0,40}", p in "[A-Za-z0-9_=-]{0,80}", s in "[A-Za-z0-9_.-]{0,90}") {
        let token = format!("{h}.{p}.{s}");
        prop_assert!(verifier().verify(&token, &FX.es_client).is_err());
    }

    #[test]
    fn mutated_assertions_are_never_accepted(
        edits in prop::collection::vec((0usize..400, any::<u8>(), 0u8..4), 1..4),
    ) {
        let mut bytes = FX.valid.clone().into_bytes();
        for (pos, b, kind) in edits {
            let i = pos % (bytes.len() + 1);
            match kind {
                0 if i < bytes.len() => bytes[i] = b,
                1 => bytes.insert(i, b),
                2 if i < bytes.len() => { bytes.remove(i); }
                _ => bytes.truncate(i),
            }
        }
        let s = String::from_utf8_lossy(&bytes).into_owned();
        let r = verifier().verify(&s, &FX.es_client);
        if s != FX.valid {
            prop_assert!(r.is_err(), "mutation accepted: {s}");
        }
    }

    #[test]
    fn signed_arbitrary_json_never_panics_and_acceptance_implies_invariants(
        header in arb_json(), payload in arb_json(),
    ) {
        let t = sign_hs(&header.to_string(), &payload.to_string());
        if let Ok(r) = verifier().verify(&t, &FX.hs_client) {
            assert_invariants(&r);
        }
    }

    #[test]
    fn signed_plausible_claims(
        exp in NOW - 200..NOW + 400, iat in prop::option::of(NOW - 500..NOW + 100),
        nbf in prop::option::of(NOW - 100..NOW + 100), aud_array in any::<bool>(),
        typ in prop::option::of(prop_oneof![Just("JWT"), Just("client-authentication+jwt"), Just("at+jwt")]),
    ) {
        let mut claims = json!({"iss": "c", "sub": "c", "jti": "j", "exp": exp});
        claims["aud"] = if aud_array { json!([ISSUER]) } else { json!(ISSUER) };
        if let Some(i) = iat { claims["iat"] = json!(i); }
        if let Some(n) = nbf { claims["nbf"] = json!(n); }
        let mut header = json!({"alg": "HS256"});
        if let Some(t) = typ { header["typ"] = json!(t); }
        let t = sign_hs(&header.to_string(), &claims.to_string());
        if let Ok(r) = verifier().verify(&t, &FX.hs_client) {
            assert_invariants(&r);
            prop_assert!(typ != Some("at+jwt"));
            prop_assert!(nbf.is_none_or(|n| n <= NOW + 60));
            prop_assert!(iat.is_none_or(|i| i <= NOW + 60 && NOW - i <= 360));
        }
    }
}

#[test]
fn es_fixture_signs_valid_assertion() {
    // The mutation test above is only meaningful if the unmutated token verifies.
    assert!(verifier().verify(&FX.valid, &FX.es_client).is_ok());
    assert_eq!(FX.es_key.alg(), Algorithm::ES256);
}
