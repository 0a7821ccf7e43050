//! The credential policy: every problem reported with a stable code, a
//! message a dashboard can show and its location; normalised credentials on
//! success; the policy's own knobs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::path::PathBuf;

use jwtauth::{
    Algorithm, AlgorithmSet, AuthMethod, CredentialPolicy, CredentialSource, CredentialSpec, ErrorCode,
    Problem,
};
use serde_json::{Value, json};

const NOW: i64 = 1_800_000_000;

fn keys() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/keys.json");
    serde_json::from_str::<Value>(&std::fs::read_to_string(path).unwrap()).unwrap()["keys"].clone()
}

fn summary(problems: &[Problem]) -> Vec<(ErrorCode, String, String)> {
    problems.iter().map(|p| (p.code, p.location.clone(), p.message.clone())).collect()
}

#[test]
fn every_problem_of_a_jwks_is_listed_with_its_location_and_message() {
    let k = keys();
    let mut with_d = k["ec256-b"]["jwk"].clone();
    with_d["d"] = json!("c2VjcmV0");
    let mut enc = k["ed-a"]["jwk"].clone();
    enc["use"] = json!("enc");
    let mut dup = k["ed-b"]["jwk"].clone();
    dup["kid"] = json!("ed-a");
    let jwks = json!({ "keys": [k["rsa-1024"]["jwk"], k["rsa-a"]["jwk"], with_d, enc, dup] });
    let p = CredentialPolicy::default()
        .check_credential(
            &CredentialSpec::new(CredentialSource::Jwks(&jwks.to_string())),
            AuthMethod::PrivateKeyJwt,
            None,
            NOW,
        )
        .unwrap_err();
    assert_eq!(
        summary(&p),
        [
            (
                ErrorCode::WeakKey,
                "/keys/0".into(),
                "JWKS key 0: RSA key is 1024 bits; at least 2048 required".into()
            ),
            (
                ErrorCode::PrivateKeyMaterial,
                "/keys/2/d".into(),
                "JWKS key 2 contains private member d".into()
            ),
            (ErrorCode::KeyUsageMismatch, "/keys/3".into(), "JWKS key 3: key use `enc` is not `sig`".into()),
            (ErrorCode::DuplicateKeyId, "/keys/4".into(), "JWKS keys 3 and 4 share kid `ed-a`".into()),
        ]
    );
    // Messages never carry key material.
    assert!(p.iter().all(|p| !p.message.contains("c2VjcmV0")));
}

#[test]
fn a_good_credential_is_normalised() {
    let k = keys();
    let cert = k["rsa-a"]["cert_pem"].as_str().unwrap();
    let spec = CredentialSpec {
        name: Some("2026 certificate"),
        kid: Some("rsa-cert"),
        parse_expiry_from_cert: true,
        ..CredentialSpec::new(CredentialSource::Pem(cert))
    };
    let c =
        CredentialPolicy::default().check_credential(&spec, AuthMethod::PrivateKeyJwt, None, NOW).unwrap();
    assert_eq!(c.name(), Some("2026 certificate"));
    assert_eq!(c.expires_at(), k["rsa-a"]["cert_not_after"].as_i64());
    assert_eq!(c.keys()[0].kid(), Some("rsa-cert"));
}

#[test]
fn the_policy_knobs_apply() {
    let k = keys();
    let ec521 = k["ec521"]["jwk"].to_string();
    let rsa = k["rsa-a"]["spki_pem"].as_str().unwrap();
    let check = |policy: &CredentialPolicy, spec: CredentialSpec<'_>| {
        policy
            .check_credential(&spec, AuthMethod::PrivateKeyJwt, None, NOW)
            .map(|_| ())
            .map_err(|p| summary(&p))
    };
    let no_p521 = CredentialPolicy {
        algorithms: AlgorithmSet::ALL.iter().filter(|a| *a != Algorithm::ES512).collect(),
        ..CredentialPolicy::default()
    };
    // A build on ring cannot load the key at all, and says so first.
    let (code, why) = if jwtauth::provider() == "ring" {
        (ErrorCode::ProviderUnsupported, "JWK: P-521 (ES512) keys are not available with the ring provider")
    } else {
        (ErrorCode::UnsupportedKey, "JWK: P-521 keys are not allowed by the policy")
    };
    assert_eq!(
        check(&no_p521, CredentialSpec::new(CredentialSource::Jwk(&ec521))),
        Err(vec![(code, String::new(), why.into())])
    );
    let floor = CredentialPolicy { min_rsa_bits: 3072, ..CredentialPolicy::default() };
    assert_eq!(
        check(&floor, CredentialSpec::new(CredentialSource::Pem(rsa))).unwrap_err()[0].2,
        "RSA key is 2048 bits; at least 3072 required"
    );
    let expiring =
        CredentialPolicy { require_expiry: true, max_lifetime: Some(86_400), ..CredentialPolicy::default() };
    assert_eq!(
        check(&expiring, CredentialSpec::new(CredentialSource::Pem(rsa))).unwrap_err()[0].0,
        ErrorCode::InvalidExpiry
    );
    let far = CredentialSpec {
        expires_at: Some(NOW + 2 * 86_400),
        ..CredentialSpec::new(CredentialSource::Pem(rsa))
    };
    assert_eq!(check(&expiring, far).unwrap_err()[0].2, "expiry is 172800 s ahead; at most 86400 s allowed");
    let past =
        CredentialSpec { expires_at: Some(NOW - 1), ..CredentialSpec::new(CredentialSource::Pem(rsa)) };
    assert_eq!(check(&CredentialPolicy::default(), past).unwrap_err()[0].0, ErrorCode::InvalidExpiry);
    let soon =
        CredentialSpec { expires_at: Some(NOW + 3600), ..CredentialSpec::new(CredentialSource::Pem(rsa)) };
    assert_eq!(check(&expiring, soon), Ok(()));
    // From JSON, as the bindings and vectors configure it.
    let p = CredentialPolicy::from_json(
        r#"{"min_rsa_bits": 3072, "algorithms": ["ES256"], "jwks_uri_allow_http": true}"#,
    )
    .unwrap();
    assert_eq!(
        (p.min_rsa_bits, p.algorithms, p.jwks_uri.allow_http),
        (3072, AlgorithmSet::only(Algorithm::ES256), true)
    );
    assert_eq!(
        CredentialPolicy::from_json(r#"{"min_rsa_bit": 1}"#).unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn client_metadata_problems_are_all_reported() {
    let p = CredentialPolicy::default();
    let bad = json!({
        "client_id": "",
        "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": "none",
        "audience_mode": "loose",
        "max_age": 0,
    });
    let got: Vec<(ErrorCode, String)> =
        p.check_client(&bad, NOW).unwrap_err().into_iter().map(|p| (p.code, p.location)).collect();
    assert_eq!(
        got,
        [
            (ErrorCode::InvalidClientMetadata, "/client_id".into()),
            (ErrorCode::InvalidClientMetadata, "/token_endpoint_auth_signing_alg".into()),
            (ErrorCode::InvalidClientMetadata, "/audience_mode".into()),
            (ErrorCode::InvalidClientMetadata, "/max_age".into()),
            (ErrorCode::InvalidClientMetadata, String::new()), // no keys
        ]
    );
    // RFC 7591 defaults: no method means client_secret_basic, which needs a secret.
    let e = p.check_client(&json!({"client_id": "x"}), NOW).unwrap_err();
    assert_eq!(
        (e[0].code, e[0].message.as_str()),
        (ErrorCode::InvalidClientMetadata, "client_secret_basic needs a client_secret")
    );
    let c = p.check_client(&json!({"client_id": "x", "client_secret": "0123456789abcdef"}), NOW).unwrap();
    assert_eq!(c.method(), AuthMethod::ClientSecretBasic);
    assert!(c.check_secret(b"0123456789abcdef", NOW).is_ok());
    assert_eq!(c.check_secret(b"0123456789abcdeF", NOW).unwrap_err().code(), ErrorCode::InvalidSecret);
    // The secret never shows in Debug output.
    assert!(!format!("{c:?}").contains("0123456789abcdef"));
}
