//! End-to-end verify and sign, per algorithm, against the floor (the aws-lc-rs
//! primitive on the same signing input, key pre-parsed) and the `jsonwebtoken`
//! crate, in the same run.
//!
//! `cargo bench -p jwtauth --bench verify`, then
//!
//! - `verify/<alg>/floor`: `ParsedPublicKey::verify_sig` (HMAC: `hmac::verify`)
//!   over the same pool of signatures jwtauth verifies.
//! - `verify/<alg>/jwtauth`: `Verifier::verify`: size and structure checks,
//!   base64url, header and claims JSON, key lookup, signature, claim checks
//!   and the in-memory replay insert — everything a token endpoint runs.
//! - `verify/<alg>/jsonwebtoken`: `jsonwebtoken::decode` with exp/aud
//!   validation (no replay store, no iss/sub/jti rules).
//! - `sign/<alg>/floor`: the key pair's `sign` over a signing input.
//! - `sign/<alg>/jwtauth`: `AssertionBuilder::sign` (fresh jti, JSON, base64url).
//! - `sign/<alg>/jsonwebtoken`: `jsonwebtoken::encode` with the same claims.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::large_enum_variant,
    reason = "benchmark setup, not library code"
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lc_rs::signature::{self as sig, KeyPair as _};
use aws_lc_rs::{hmac, rand};
use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken as jt;
use jwtauth::{
    Algorithm, AssertionBuilder, AuthMethod, Client, Credential, FixedClock, MemoryReplayStore, SigningKey,
    Verifier, VerifyingKey,
};
use serde_json::json;

const ISSUER: &str = "https://as.example.com";
const NOW: i64 = 1_800_000_000;
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const POOL: usize = 512;

const ALGS: [Algorithm; 7] = [
    Algorithm::RS256,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::ES512,
    Algorithm::EdDSA,
    Algorithm::HS256,
];

/// The aws-lc-rs primitive for `alg`, with keys parsed once.
enum Floor {
    Verify(sig::ParsedPublicKey),
    Hmac(hmac::Key),
}

impl Floor {
    fn verify(&self, msg: &[u8], s: &[u8]) -> bool {
        match self {
            Self::Verify(k) => k.verify_sig(msg, s).is_ok(),
            Self::Hmac(k) => hmac::verify(k, msg, s).is_ok(),
        }
    }
}

enum FloorSigner {
    Rsa(sig::RsaKeyPair, &'static sig::RsaSignatureEncoding),
    Ec(sig::EcdsaKeyPair),
    Ed(sig::Ed25519KeyPair),
    Hmac(hmac::Key),
}

impl FloorSigner {
    fn sign(&self, msg: &[u8]) -> Vec<u8> {
        match self {
            Self::Rsa(kp, enc) => {
                let mut out = vec![0; kp.public_modulus_len()];
                kp.sign(*enc, &rand::SystemRandom::new(), msg, &mut out).unwrap();
                out
            }
            Self::Ec(kp) => kp.sign(&rand::SystemRandom::new(), msg).unwrap().as_ref().to_vec(),
            Self::Ed(kp) => kp.sign(msg).as_ref().to_vec(),
            Self::Hmac(k) => hmac::sign(k, msg).as_ref().to_vec(),
        }
    }
}

struct Setup {
    key: SigningKey,
    client: Client,
    floor: Floor,
    floor_signer: FloorSigner,
    jt_alg: Option<jt::Algorithm>,
    jt_dec: Option<jt::DecodingKey>,
    jt_enc: Option<jt::EncodingKey>,
}

fn setup(alg: Algorithm) -> Setup {
    if alg.is_symmetric() {
        return Setup {
            key: SigningKey::from_secret(SECRET, alg).unwrap(),
            client: Client::new("client-1", AuthMethod::ClientSecretJwt)
                .with_credential(Credential::from_secret(SECRET).unwrap()),
            floor: Floor::Hmac(hmac::Key::new(hmac::HMAC_SHA256, SECRET)),
            floor_signer: FloorSigner::Hmac(hmac::Key::new(hmac::HMAC_SHA256, SECRET)),
            jt_alg: Some(jt::Algorithm::HS256),
            jt_dec: Some(jt::DecodingKey::from_secret(SECRET)),
            jt_enc: Some(jt::EncodingKey::from_secret(SECRET)),
        };
    }
    let key = SigningKey::generate(alg).unwrap().with_kid("k1");
    let pkcs8_pem = key.to_pkcs8_pem().unwrap();
    let pub_pem = key.to_public_pem().unwrap();
    let der = pem_body(&pkcs8_pem);
    let (floor, floor_signer, jt_alg, jt_dec, jt_enc) = match alg {
        Algorithm::RS256 | Algorithm::PS256 => {
            let (params, enc, ja) = if alg == Algorithm::RS256 {
                (&sig::RSA_PKCS1_2048_8192_SHA256, &sig::RSA_PKCS1_SHA256, jt::Algorithm::RS256)
            } else {
                (&sig::RSA_PSS_2048_8192_SHA256, &sig::RSA_PSS_SHA256, jt::Algorithm::PS256)
            };
            let kp = sig::RsaKeyPair::from_pkcs8(&der).unwrap();
            (
                Floor::Verify(sig::ParsedPublicKey::new(params, kp.public_key().as_ref()).unwrap()),
                FloorSigner::Rsa(kp, enc),
                Some(ja),
                Some(jt::DecodingKey::from_rsa_pem(pub_pem.as_bytes()).unwrap()),
                Some(jt::EncodingKey::from_rsa_pem(pkcs8_pem.as_bytes()).unwrap()),
            )
        }
        Algorithm::ES256 | Algorithm::ES384 | Algorithm::ES512 => {
            let (v, s, ja) = match alg {
                Algorithm::ES256 => (
                    &sig::ECDSA_P256_SHA256_FIXED,
                    &sig::ECDSA_P256_SHA256_FIXED_SIGNING,
                    Some(jt::Algorithm::ES256),
                ),
                Algorithm::ES384 => (
                    &sig::ECDSA_P384_SHA384_FIXED,
                    &sig::ECDSA_P384_SHA384_FIXED_SIGNING,
                    Some(jt::Algorithm::ES384),
                ),
                _ => (&sig::ECDSA_P521_SHA512_FIXED, &sig::ECDSA_P521_SHA512_FIXED_SIGNING, None),
            };
            let kp = sig::EcdsaKeyPair::from_pkcs8(s, &der).unwrap();
            (
                Floor::Verify(sig::ParsedPublicKey::new(v, kp.public_key().as_ref()).unwrap()),
                FloorSigner::Ec(kp),
                ja,
                ja.map(|_| jt::DecodingKey::from_ec_pem(pub_pem.as_bytes()).unwrap()),
                ja.map(|_| jt::EncodingKey::from_ec_pem(pkcs8_pem.as_bytes()).unwrap()),
            )
        }
        _ => {
            let kp = sig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der).unwrap();
            (
                Floor::Verify(sig::ParsedPublicKey::new(&sig::ED25519, kp.public_key().as_ref()).unwrap()),
                FloorSigner::Ed(kp),
                Some(jt::Algorithm::EdDSA),
                Some(jt::DecodingKey::from_ed_pem(pub_pem.as_bytes()).unwrap()),
                Some(jt::EncodingKey::from_ed_pem(pkcs8_pem.as_bytes()).unwrap()),
            )
        }
    };
    let vk = VerifyingKey::from_jwk(&key.public_jwk().unwrap().to_string()).unwrap();
    let client = Client::new("client-1", AuthMethod::PrivateKeyJwt).with_credential(Credential::from_key(vk));
    Setup { key, client, floor, floor_signer, jt_alg, jt_dec, jt_enc }
}

fn pem_body(pem: &str) -> Vec<u8> {
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(b64).unwrap()
}

fn bench(c: &mut Criterion) {
    let clock = Arc::new(FixedClock::new(NOW));
    for alg in ALGS {
        let s = setup(alg);
        let pool: Vec<String> = (0..POOL)
            .map(|_| {
                AssertionBuilder::new(&s.key, "client-1", ISSUER)
                    .clock(clock.clone())
                    .sign()
                    .unwrap()
                    .assertion
            })
            .collect();
        let (input, signature) = {
            let t = &pool[0];
            let (input, sig) = t.rsplit_once('.').unwrap();
            (input.as_bytes().to_vec(), jwtauth::b64::decode(sig.as_bytes()).unwrap())
        };
        assert!(s.floor.verify(&input, &signature));

        let mut g = c.benchmark_group(format!("verify/{alg}"));
        // The floor verifies the same pool of distinct signatures as jwtauth
        // (one repeated signature would let the branch predictor learn its
        // scalar-multiplication path and flatter the floor).
        let inputs: Vec<(Vec<u8>, Vec<u8>)> = pool
            .iter()
            .map(|t| {
                let (i, sg) = t.rsplit_once('.').unwrap();
                (i.as_bytes().to_vec(), jwtauth::b64::decode(sg.as_bytes()).unwrap())
            })
            .collect();
        g.bench_function("floor", |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for (i, sg) in inputs.iter().cycle().take(usize::try_from(iters).unwrap()) {
                    assert!(s.floor.verify(black_box(i), black_box(sg)));
                }
                start.elapsed()
            });
        });
        g.bench_function("jwtauth", |b| {
            b.iter_custom(|iters| {
                // A fresh store per pass over the pool: each assertion is used once.
                let mut total = Duration::ZERO;
                let mut left = iters;
                while left > 0 {
                    let n = usize::try_from(left.min(POOL as u64)).unwrap();
                    let v = Verifier::builder(ISSUER)
                        .clock(clock.clone())
                        .replay_store(Arc::new(MemoryReplayStore::default()))
                        .build()
                        .unwrap();
                    let start = Instant::now();
                    for t in &pool[..n] {
                        assert!(v.verify(black_box(t), &s.client).is_ok());
                    }
                    total += start.elapsed();
                    left -= n as u64;
                }
                total
            });
        });
        if let (Some(ja), Some(dec)) = (s.jt_alg, &s.jt_dec) {
            // jsonwebtoken checks exp against the system clock: sign for now.
            let token =
                AssertionBuilder::new(&s.key, "client-1", ISSUER).lifetime(300).sign().unwrap().assertion;
            let mut val = jt::Validation::new(ja);
            val.set_audience(&[ISSUER]);
            assert!(jt::decode::<serde_json::Value>(&token, dec, &val).is_ok());
            g.bench_function("jsonwebtoken", |b| {
                b.iter(|| assert!(jt::decode::<serde_json::Value>(black_box(&token), dec, &val).is_ok()));
            });
        }
        g.finish();

        let mut g = c.benchmark_group(format!("sign/{alg}"));
        g.bench_function("floor", |b| b.iter(|| s.floor_signer.sign(black_box(&input))));
        g.bench_function("jwtauth", |b| {
            b.iter(|| AssertionBuilder::new(&s.key, "client-1", ISSUER).clock(clock.clone()).sign().unwrap());
        });
        if let (Some(ja), Some(enc)) = (s.jt_alg, &s.jt_enc) {
            let mut header = jt::Header::new(ja);
            header.kid = Some("k1".into());
            g.bench_function("jsonwebtoken", |b| {
                b.iter(|| {
                    let claims = json!({"iss": "client-1", "sub": "client-1", "aud": ISSUER,
                        "jti": "0123456789abcdefghijkl", "iat": NOW, "exp": NOW + 60});
                    jt::encode(&header, &claims, enc).unwrap()
                });
            });
        }
        g.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_secs(2))
        .without_plots()
}

criterion_group! { name = benches; config = config(); targets = bench }
criterion_main!(benches);
