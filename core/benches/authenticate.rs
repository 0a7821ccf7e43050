//! Full token-request authentication (`Authenticator::authenticate_body`:
//! form parsing, mechanism rules, registry lookup, the whole assertion
//! pipeline with the in-memory replay insert) against the signature floor,
//! and `client_secret_basic` (Basic decoding, lookup, SHA-256 and
//! constant-time comparison).
//!
//! `cargo bench -p jwtauth --bench authenticate`, then

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, reason = "benchmark setup")]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_lc_rs::signature as sig;
use criterion::{Criterion, criterion_group, criterion_main};
use jwtauth::form::basic_authorization;
use jwtauth::{
    Algorithm, AssertionBuilder, Authenticator, CredentialPolicy, FixedClock, MemoryRegistry,
    MemoryReplayStore, SigningKey, Verifier,
};
use serde_json::json;

const ISSUER: &str = "https://as.example.com";
const NOW: i64 = 1_800_000_000;
const POOL: usize = 512;
const SECRET: &str = "basic-secret_0123456789abcdef";

fn spki(key: &SigningKey) -> Vec<u8> {
    use base64::Engine as _;
    let pem = key.to_public_pem().unwrap();
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(b64).unwrap()
}

fn authenticator(registry: &serde_json::Value, clock: &Arc<FixedClock>) -> Authenticator {
    let registry = MemoryRegistry::from_value(registry, &CredentialPolicy::default(), NOW).unwrap();
    let verifier = Verifier::builder(ISSUER)
        .clock(clock.clone())
        .replay_store(Arc::new(MemoryReplayStore::default()))
        .build()
        .unwrap();
    Authenticator::new(verifier, Arc::new(registry))
}

fn bench(c: &mut Criterion) {
    let clock = Arc::new(FixedClock::new(NOW));
    for (alg, params) in [
        (Algorithm::RS256, &sig::RSA_PKCS1_2048_8192_SHA256 as &'static dyn sig::VerificationAlgorithm),
        (Algorithm::ES256, &sig::ECDSA_P256_SHA256_FIXED),
    ] {
        let key = SigningKey::generate(alg).unwrap().with_kid("k1");
        let registry = json!({ "clients": [
            { "client_id": "other", "token_endpoint_auth_method": "client_secret_post", "client_secret": SECRET },
            { "client_id": "client-1", "token_endpoint_auth_method": "private_key_jwt",
              "jwks": { "keys": [key.public_jwk().unwrap()] } },
        ]});
        let bodies: Vec<String> = (0..POOL)
            .map(|_| {
                let a = AssertionBuilder::new(&key, "client-1", ISSUER).clock(clock.clone()).sign().unwrap();
                format!("grant_type=client_credentials&scope=read+write&{}", a.to_form_body())
            })
            .collect();
        // The floor verifies the same pool of signatures (distinct signatures
        // take distinct paths through the scalar multiplication; one repeated
        // signature would flatter the floor).
        let inputs: Vec<(Vec<u8>, Vec<u8>)> = bodies
            .iter()
            .map(|b| {
                let a = b.rsplit_once("client_assertion=").unwrap().1;
                let (input, signature) = a.rsplit_once('.').unwrap();
                (input.as_bytes().to_vec(), jwtauth::b64::decode(signature.as_bytes()).unwrap())
            })
            .collect();
        let floor = sig::ParsedPublicKey::new(params, spki(&key)).unwrap();
        let mut g = c.benchmark_group(format!("authenticate/{alg}"));
        g.bench_function("floor", |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for (input, signature) in inputs.iter().cycle().take(usize::try_from(iters).unwrap()) {
                    floor.verify_sig(black_box(input), black_box(signature)).unwrap();
                }
                start.elapsed()
            });
        });
        g.bench_function("jwtauth", |b| {
            b.iter_custom(|iters| {
                // A fresh authenticator (replay store) per pass: each request is new.
                let mut total = Duration::ZERO;
                let mut left = iters;
                while left > 0 {
                    let n = usize::try_from(left.min(POOL as u64)).unwrap();
                    let auth = authenticator(&registry, &clock);
                    let start = Instant::now();
                    for body in &bodies[..n] {
                        assert!(auth.authenticate_body(None, black_box(body.as_bytes())).is_ok());
                    }
                    total += start.elapsed();
                    left -= n as u64;
                }
                total
            });
        });
        g.finish();
    }

    let registry = json!({ "clients": [
        { "client_id": "web-basic", "token_endpoint_auth_method": "client_secret_basic", "client_secret": SECRET },
    ]});
    let auth = authenticator(&registry, &clock);
    let header = basic_authorization("web-basic", SECRET);
    let body = b"grant_type=client_credentials&scope=read+write";
    let mut g = c.benchmark_group("authenticate/client_secret_basic");
    g.bench_function("jwtauth", |b| {
        b.iter(|| assert!(auth.authenticate_body(Some(black_box(&header)), black_box(body)).is_ok()));
    });
    g.finish();
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
