//! Differential tests against the `jsonwebtoken` crate (the card's named JWT
//! crate), both ways, for every algorithm it supports (it has no ES512):
//! - assertions we sign verify in jsonwebtoken, and tampered ones fail there;
//! - tokens jsonwebtoken signs verify in our `Verifier`, tampered ones fail.
//!
//! Then the places where we are deliberately stricter, each asserted: the
//! oracle accepts, we refuse, and why.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken as jt;
use jwtauth::{
    Algorithm, AssertionBuilder, AuthMethod, Client, Credential, ErrorCode, SigningKey, Verifier,
    VerifyingKey,
};
use serde_json::{Value, json};

#[path = "support/keys.rs"]
mod keys;
const ISSUER: &str = "https://as.example.com";
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn jt_alg(alg: Algorithm) -> Option<jt::Algorithm> {
    Some(match alg {
        Algorithm::RS256 => jt::Algorithm::RS256,
        Algorithm::RS384 => jt::Algorithm::RS384,
        Algorithm::RS512 => jt::Algorithm::RS512,
        Algorithm::PS256 => jt::Algorithm::PS256,
        Algorithm::PS384 => jt::Algorithm::PS384,
        Algorithm::PS512 => jt::Algorithm::PS512,
        Algorithm::ES256 => jt::Algorithm::ES256,
        Algorithm::ES384 => jt::Algorithm::ES384,
        Algorithm::EdDSA => jt::Algorithm::EdDSA,
        Algorithm::HS256 => jt::Algorithm::HS256,
        Algorithm::HS384 => jt::Algorithm::HS384,
        Algorithm::HS512 => jt::Algorithm::HS512,
        Algorithm::ES512 => return None,
    })
}

struct Pair {
    ours: SigningKey,
    client: Client,
    decoding: jt::DecodingKey,
    encoding: jt::EncodingKey,
}

fn pair(alg: Algorithm) -> Pair {
    if alg.is_symmetric() {
        let ours = SigningKey::from_secret(SECRET, alg).unwrap();
        let client = Client::new("client", AuthMethod::ClientSecretJwt)
            .with_credential(Credential::from_secret(SECRET).unwrap());
        return Pair {
            ours,
            client,
            decoding: jt::DecodingKey::from_secret(SECRET),
            encoding: jt::EncodingKey::from_secret(SECRET),
        };
    }
    let ours = keys::generate(alg).unwrap().with_kid("k1");
    let public_pem = ours.to_public_pem().unwrap();
    let private_pem = ours.to_pkcs8_pem().unwrap();
    let (decoding, encoding) = match alg {
        Algorithm::ES256 | Algorithm::ES384 => (
            jt::DecodingKey::from_ec_pem(public_pem.as_bytes()).unwrap(),
            jt::EncodingKey::from_ec_pem(private_pem.as_bytes()).unwrap(),
        ),
        Algorithm::EdDSA => (
            jt::DecodingKey::from_ed_pem(public_pem.as_bytes()).unwrap(),
            jt::EncodingKey::from_ed_pem(private_pem.as_bytes()).unwrap(),
        ),
        _ => (
            jt::DecodingKey::from_rsa_pem(public_pem.as_bytes()).unwrap(),
            jt::EncodingKey::from_rsa_pem(private_pem.as_bytes()).unwrap(),
        ),
    };
    let vk = VerifyingKey::from_pem(&public_pem).unwrap().with_kid("k1");
    let client = Client::new("client", AuthMethod::PrivateKeyJwt).with_credential(Credential::from_key(vk));
    Pair { ours, client, decoding, encoding }
}

fn oracle_accepts(token: &str, alg: jt::Algorithm, key: &jt::DecodingKey) -> bool {
    let mut v = jt::Validation::new(alg);
    v.set_audience(&[ISSUER]);
    v.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    jt::decode::<Value>(token, key, &v).is_ok()
}

fn verifier() -> Verifier {
    Verifier::builder(ISSUER).build().unwrap()
}

fn now() -> i64 {
    i64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()).unwrap()
}

/// Change one character of the signature segment (keeping it canonical base64url).
fn tamper_signature(token: &str) -> String {
    let (rest, sig) = token.rsplit_once('.').unwrap();
    let mut bytes = jwtauth::b64::decode(sig.as_bytes()).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    format!("{rest}.{}", jwtauth::b64::encode(&bytes))
}

/// Re-encode the payload with another jti, keeping header and signature.
fn tamper_payload(token: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&jwtauth::b64::decode(parts[1].as_bytes()).unwrap()).unwrap();
    claims["jti"] = json!("tampered");
    format!("{}.{}.{}", parts[0], jwtauth::b64::encode(claims.to_string().as_bytes()), parts[2])
}

fn claims(jti: &str) -> Value {
    let n = now();
    json!({"iss": "client", "sub": "client", "aud": ISSUER, "jti": jti, "iat": n, "exp": n + 60})
}

#[test]
fn both_ways_agree_on_valid_and_tampered() {
    for alg in Algorithm::ALL {
        let Some(jalg) = jt_alg(alg) else { continue };
        let p = pair(alg);

        // Ours -> jsonwebtoken.
        let ours = AssertionBuilder::new(&p.ours, "client", ISSUER).typ(Some("JWT")).sign().unwrap();
        assert!(oracle_accepts(&ours.assertion, jalg, &p.decoding), "{alg}: oracle refused our assertion");
        for bad in [tamper_signature(&ours.assertion), tamper_payload(&ours.assertion)] {
            assert!(!oracle_accepts(&bad, jalg, &p.decoding), "{alg}: oracle accepted a tampered assertion");
            let e = verifier().verify(&bad, &p.client).unwrap_err();
            assert_eq!(e.code(), ErrorCode::SignatureInvalid, "{alg}");
        }

        // jsonwebtoken -> ours.
        let mut header = jt::Header::new(jalg);
        if !alg.is_symmetric() {
            header.kid = Some("k1".into());
        }
        let theirs = jt::encode(&header, &claims("theirs-1"), &p.encoding).unwrap();
        let v = verifier();
        let got = v.verify(&theirs, &p.client).unwrap();
        assert_eq!(got.client_id, "client", "{alg}");
        assert_eq!(got.header.alg, alg);
        let theirs2 = jt::encode(&header, &claims("theirs-2"), &p.encoding).unwrap();
        for bad in [tamper_signature(&theirs2), tamper_payload(&theirs2)] {
            assert!(!oracle_accepts(&bad, jalg, &p.decoding), "{alg}: oracle accepted its tampered token");
            assert_eq!(v.verify(&bad, &p.client).unwrap_err().code(), ErrorCode::SignatureInvalid, "{alg}");
        }
    }
}

/// Where the oracle accepts and we refuse, on purpose (docs/SECURITY.md).
#[test]
fn deliberately_stricter_than_the_oracle() {
    let p = pair(Algorithm::ES256);
    let jalg = jt::Algorithm::ES256;
    let sign_raw = |header: Value, claims: Value| {
        let input = format!(
            "{}.{}",
            jwtauth::b64::encode(header.to_string().as_bytes()),
            jwtauth::b64::encode(claims.to_string().as_bytes())
        );
        let sig = p.ours.sign_bytes(input.as_bytes()).unwrap();
        format!("{input}.{}", jwtauth::b64::encode(&sig))
    };
    let h = |extra: Value| {
        let mut base = json!({"alg": "ES256", "kid": "k1"});
        base.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        base
    };
    let n = now();
    let base = |jti: &str| claims(jti);
    let cases: Vec<(&str, String, ErrorCode)> = vec![
        (
            "typ at+jwt: token confusion",
            sign_raw(h(json!({"typ": "at+jwt"})), base("s1")),
            ErrorCode::InvalidType,
        ),
        (
            "jku in the header",
            sign_raw(h(json!({"jku": "https://evil.example/jwks"})), base("s2")),
            ErrorCode::EmbeddedKey,
        ),
        (
            "no jti (replay could not be stopped)",
            sign_raw(h(json!({})), {
                let mut c = base("x");
                c.as_object_mut().unwrap().remove("jti");
                c
            }),
            ErrorCode::MissingClaim,
        ),
        (
            "iss differs from sub",
            sign_raw(h(json!({})), {
                let mut c = base("s4");
                c["sub"] = json!("someone-else");
                c
            }),
            ErrorCode::IssuerSubjectMismatch,
        ),
        (
            "iat 50 minutes old with exp ahead, lifetime within bounds (max_age)",
            sign_raw(h(json!({})), {
                let mut c = base("s5");
                c["iat"] = json!(n - 3000);
                c["exp"] = json!(n + 500);
                c
            }),
            ErrorCode::TooOld,
        ),
        (
            "a lifetime of two hours (max_lifetime)",
            sign_raw(h(json!({})), {
                let mut c = base("s5b");
                c["iat"] = json!(n);
                c["exp"] = json!(n + 7200);
                c
            }),
            ErrorCode::LifetimeTooLong,
        ),
        (
            "aud as a two-element array",
            sign_raw(h(json!({})), {
                let mut c = base("s6");
                c["aud"] = json!([ISSUER, "https://other.example"]);
                c
            }),
            ErrorCode::AudienceMismatch,
        ),
    ];
    for (what, token, code) in cases {
        let mut v = jt::Validation::new(jalg);
        v.set_audience(&[ISSUER]);
        v.set_required_spec_claims(&["exp"]);
        assert!(jt::decode::<Value>(&token, &p.decoding, &v).is_ok(), "oracle should accept: {what}");
        let e = verifier().verify(&token, &p.client).unwrap_err();
        assert_eq!(e.code(), code, "{what}");
    }
}
