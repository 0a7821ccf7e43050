//! End-to-end verify and sign, per algorithm, against the floor (the aws-lc-rs
//! primitive on the same signing input, key pre-parsed) and the `jsonwebtoken`
//! crate, timed in interleaved rounds in one process (each round times every
//! contender once, in a rotated order, so the machine's drift hits all
//! alike). Prints one JSON document: per operation and algorithm, the median
//! µs per operation of each contender and the medians of the per-round ratios.
//!
//! `cargo bench -p jwtauth --bench verify` (`bash bench/run.sh` makes
//! docs/PERFORMANCE.md from it):
//!
//! - floor: `ParsedPublicKey::verify_sig` (HMAC: `hmac::verify`) over the
//!   same pool of signatures jwtauth verifies; `sign`: the key pair's `sign`.
//! - jwtauth: `Verifier::verify` — size and structure checks, base64url,
//!   header and claims JSON, key lookup, signature, claim checks and the
//!   in-memory replay insert; `AssertionBuilder::sign` (fresh jti).
//! - jsonwebtoken: `decode` with exp/aud validation (no replay store, no
//!   iss/sub/jti rules); `encode` with the same claims.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::large_enum_variant,
    clippy::print_stdout,
    clippy::cast_precision_loss,
    reason = "benchmark setup, not library code; the report goes to stdout"
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use aws_lc_rs::signature::{self as sig, KeyPair as _};
use aws_lc_rs::{hmac, rand};
use jsonwebtoken as jt;
use jwtauth::{
    Algorithm, AssertionBuilder, AuthMethod, Client, Credential, FixedClock, MemoryReplayStore, SigningKey,
    Verifier, VerifyingKey,
};
use serde_json::json;

const ISSUER: &str = "https://as.example.com";
const NOW: i64 = 1_800_000_000;
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

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

/// Rounds per figure (`JWTAUTH_BENCH_ROUNDS`, default 11).
fn rounds() -> usize {
    std::env::var("JWTAUTH_BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(11)
}

/// How many operations one timed pass makes: about 20 ms of work each.
const fn pass_len(alg: Algorithm, sign: bool) -> usize {
    match (alg, sign) {
        (Algorithm::RS256 | Algorithm::PS256, true) => 24,
        (Algorithm::ES384 | Algorithm::ES512, _) => 48,
        (Algorithm::HS256, _) => 4096,
        _ => 256,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

type Contender<'a> = (&'static str, Box<dyn FnMut() -> f64 + 'a>);

/// Time every contender once per round, the order rotated each round; µs per
/// operation. Returns the medians, the median of per-round jwtauth / floor
/// and the median of per-round jsonwebtoken / jwtauth.
fn interleaved(mut fns: Vec<Contender<'_>>) -> serde_json::Value {
    let names: Vec<&str> = fns.iter().map(|(n, _)| *n).collect();
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); fns.len()];
    for (_, f) in &mut fns {
        f(); // warm-up
    }
    let (mut vs_floor, mut vs_peer) = (Vec::new(), Vec::new());
    for r in 0..rounds() {
        let mut got = vec![0.0; fns.len()];
        for k in 0..fns.len() {
            let i = (k + r) % fns.len();
            got[i] = (fns[i].1)();
        }
        vs_floor.push(got[1] / got[0]);
        if got.len() > 2 {
            vs_peer.push(got[2] / got[1]);
        }
        for (s, g) in samples.iter_mut().zip(got) {
            s.push(g);
        }
    }
    let mut out = serde_json::Map::new();
    for (name, s) in names.iter().zip(samples) {
        out.insert((*name).to_owned(), json!(median(s)));
    }
    out.insert("jwtauth_over_floor".into(), json!(median(vs_floor)));
    out.insert(
        "peer_over_jwtauth".into(),
        if vs_peer.is_empty() { json!(null) } else { json!(median(vs_peer)) },
    );
    serde_json::Value::Object(out)
}

fn per_op(n: usize, f: impl FnOnce()) -> f64 {
    let start = Instant::now();
    f();
    start.elapsed().as_secs_f64() * 1e6 / n as f64
}

fn main() {
    let clock = Arc::new(FixedClock::new(NOW));
    let (mut verify, mut sign) = (serde_json::Map::new(), serde_json::Map::new());
    for alg in ALGS {
        let s = setup(alg);
        let n = pass_len(alg, false);
        let pool: Vec<String> = (0..n)
            .map(|_| {
                AssertionBuilder::new(&s.key, "client-1", ISSUER)
                    .clock(clock.clone())
                    .sign()
                    .unwrap()
                    .assertion
            })
            .collect();
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
        let jt_verify = s.jt_alg.zip(s.jt_dec.as_ref()).map(|(ja, dec)| {
            // jsonwebtoken checks exp against the system clock: sign for now.
            let token =
                AssertionBuilder::new(&s.key, "client-1", ISSUER).lifetime(300).sign().unwrap().assertion;
            let mut val = jt::Validation::new(ja);
            val.set_audience(&[ISSUER]);
            (token, val, dec)
        });
        let mut fns: Vec<Contender<'_>> = vec![
            (
                "floor",
                Box::new(|| {
                    per_op(n, || {
                        for (i, sg) in &inputs {
                            assert!(s.floor.verify(black_box(i), black_box(sg)));
                        }
                    })
                }),
            ),
            (
                "jwtauth",
                Box::new(|| {
                    // A fresh store per pass: each assertion is used once.
                    let v = Verifier::builder(ISSUER)
                        .clock(clock.clone())
                        .replay_store(Arc::new(MemoryReplayStore::default()))
                        .build()
                        .unwrap();
                    per_op(n, || {
                        for t in &pool {
                            assert!(v.verify(black_box(t), &s.client).is_ok());
                        }
                    })
                }),
            ),
        ];
        if let Some((token, val, dec)) = &jt_verify {
            fns.push((
                "jsonwebtoken",
                Box::new(move || {
                    per_op(n, || {
                        for _ in 0..n {
                            assert!(jt::decode::<serde_json::Value>(black_box(token), dec, val).is_ok());
                        }
                    })
                }),
            ));
        }
        verify.insert(alg.name().to_owned(), interleaved(fns));

        let n = pass_len(alg, true);
        let input = inputs[0].0.clone();
        let mut fns: Vec<Contender<'_>> = vec![
            (
                "floor",
                Box::new(|| {
                    per_op(n, || {
                        for _ in 0..n {
                            black_box(s.floor_signer.sign(black_box(&input)));
                        }
                    })
                }),
            ),
            (
                "jwtauth",
                Box::new(|| {
                    per_op(n, || {
                        for _ in 0..n {
                            black_box(
                                AssertionBuilder::new(&s.key, "client-1", ISSUER)
                                    .clock(clock.clone())
                                    .sign()
                                    .unwrap(),
                            );
                        }
                    })
                }),
            ),
        ];
        if let (Some(ja), Some(enc)) = (s.jt_alg, &s.jt_enc) {
            let mut header = jt::Header::new(ja);
            header.kid = Some("k1".into());
            fns.push((
                "jsonwebtoken",
                Box::new(move || {
                    per_op(n, || {
                        for _ in 0..n {
                            let claims = json!({"iss": "client-1", "sub": "client-1", "aud": ISSUER,
                                "jti": "0123456789abcdefghijkl", "iat": NOW, "exp": NOW + 60});
                            black_box(jt::encode(&header, &claims, enc).unwrap());
                        }
                    })
                }),
            ));
        }
        sign.insert(alg.name().to_owned(), interleaved(fns));
    }
    println!("{}", json!({ "rounds": rounds(), "verify": verify, "sign": sign }));
}
