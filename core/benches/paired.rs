//! Paired wall-clock ratios, robust to a noisy shared VM: in each round the
//! floor (the aws-lc-rs primitive over a pool of distinct signatures) and
//! jwtauth (the same pool, end to end) run back to back, and the ratio of the
//! two is recorded; the report is the median ratio over the rounds with its
//! interquartile range. Slow drifts (frequency, neighbours) hit both halves
//! of a round alike and cancel out, unlike in two separate criterion runs.
//!
//! `cargo bench -p jwtauth --bench paired`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "benchmark harness"
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use aws_lc_rs::{hmac, signature as sig};
use jwtauth::{
    Algorithm, AssertionBuilder, Authenticator, CredentialPolicy, FixedClock, MemoryRegistry,
    MemoryReplayStore, SigningKey, Verifier,
};
use serde_json::json;

const ISSUER: &str = "https://as.example.com";
const NOW: i64 = 1_800_000_000;
const POOL: usize = 256;
const ROUNDS: usize = 41;
const SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[allow(clippy::large_enum_variant, reason = "two values per run")]
enum Floor {
    Parsed(sig::ParsedPublicKey),
    Hmac(hmac::Key),
}

fn spki(key: &SigningKey) -> Vec<u8> {
    use base64::Engine as _;
    let pem = key.to_public_pem().unwrap();
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(b64).unwrap()
}

fn floor(alg: Algorithm, key: &SigningKey) -> Floor {
    let params: &'static dyn sig::VerificationAlgorithm = match alg {
        Algorithm::HS256 => return Floor::Hmac(hmac::Key::new(hmac::HMAC_SHA256, SECRET.as_bytes())),
        Algorithm::RS256 => &sig::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::PS256 => &sig::RSA_PSS_2048_8192_SHA256,
        Algorithm::ES256 => &sig::ECDSA_P256_SHA256_FIXED,
        Algorithm::EdDSA => &sig::ED25519,
        _ => unreachable!("not benchmarked"),
    };
    Floor::Parsed(sig::ParsedPublicKey::new(params, spki(key)).unwrap())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn main() {
    if std::env::args().skip(1).any(|a| a == "--list" || a == "--test") {
        return;
    }
    let clock = Arc::new(FixedClock::new(NOW));
    println!("{POOL} operations per pass, {ROUNDS} paired rounds; µs per operation are medians.\n");
    println!("| operation | floor µs | jwtauth µs | median ratio | IQR of ratio | jwtauth − floor (µs) |");
    println!("|---|---:|---:|---:|---:|---:|");
    // `PAIRED_ONLY=RS256` limits the run to one algorithm (for profiling).
    let only = std::env::var("PAIRED_ONLY").ok();
    for alg in [Algorithm::RS256, Algorithm::PS256, Algorithm::ES256, Algorithm::EdDSA, Algorithm::HS256] {
        if only.as_deref().is_some_and(|o| o != alg.name()) {
            continue;
        }
        let (key, client) = if alg.is_symmetric() {
            let key = SigningKey::from_secret(SECRET.as_bytes(), alg).unwrap();
            (
                key,
                json!({ "client_id": "client-1", "token_endpoint_auth_method": "client_secret_jwt", "client_secret": SECRET }),
            )
        } else {
            let key = SigningKey::generate(alg).unwrap().with_kid("k1");
            let jwk = key.public_jwk().unwrap();
            (
                key,
                json!({ "client_id": "client-1", "token_endpoint_auth_method": "private_key_jwt", "jwks": { "keys": [jwk] } }),
            )
        };
        let registry = json!({ "clients": [client] });
        // Every round gets assertions of its own (a jti is accepted once), and
        // one long-lived verifier with its replay store serves the whole run,
        // as in a server that has been up for a while.
        let pools: Vec<Vec<String>> = (0..=ROUNDS)
            .map(|_| {
                (0..POOL)
                    .map(|_| {
                        AssertionBuilder::new(&key, "client-1", ISSUER)
                            .clock(clock.clone())
                            .sign()
                            .unwrap()
                            .assertion
                    })
                    .collect()
            })
            .collect();
        let inputs: Vec<Vec<(Vec<u8>, Vec<u8>)>> = pools
            .iter()
            .map(|pool| {
                pool.iter()
                    .map(|t| {
                        let (i, s) = t.rsplit_once('.').unwrap();
                        (i.as_bytes().to_vec(), jwtauth::b64::decode(s.as_bytes()).unwrap())
                    })
                    .collect()
            })
            .collect();
        let fl = floor(alg, &key);
        let floor_pass = |round: usize| {
            let inputs = &inputs[round];
            touch(inputs.iter().map(|(i, s)| (i.as_slice(), s.as_slice())));
            let t = Instant::now();
            for (i, s) in inputs {
                let ok = match &fl {
                    Floor::Parsed(k) => k.verify_sig(black_box(i), black_box(s)).is_ok(),
                    Floor::Hmac(k) => hmac::verify(k, black_box(i), black_box(s)).is_ok(),
                };
                assert!(ok);
            }
            t.elapsed()
        };
        let reg = MemoryRegistry::from_value(&registry, &CredentialPolicy::default(), NOW).unwrap();
        let verifier = Verifier::builder(ISSUER)
            .clock(clock.clone())
            .replay_store(Arc::new(MemoryReplayStore::default()))
            .build()
            .unwrap();
        let auth = Authenticator::new(verifier, Arc::new(reg));
        let client = auth.registry().client("client-1").unwrap().unwrap();
        let verify_pass = |round: usize| {
            let pool = &pools[round];
            touch(pool.iter().map(|a| (a.as_bytes(), &[][..])));
            let t = Instant::now();
            for a in pool {
                assert!(auth.verifier().verify(black_box(a), &client).is_ok());
            }
            t.elapsed()
        };
        paired_timed(&format!("verify {alg}"), floor_pass, verify_pass);
        if matches!(alg, Algorithm::RS256 | Algorithm::ES256) {
            let (key, clock) = (&key, &clock);
            let bodies: Vec<Vec<String>> = (0..=ROUNDS)
                .map(|_| {
                    (0..POOL)
                        .map(|_| {
                            let a = AssertionBuilder::new(key, "client-1", ISSUER)
                                .clock(clock.clone())
                                .sign()
                                .unwrap();
                            format!("grant_type=client_credentials&{}", a.to_form_body())
                        })
                        .collect()
                })
                .collect();
            let auth_pass = |round: usize| {
                let bodies = &bodies[round];
                touch(bodies.iter().map(|b| (b.as_bytes(), &[][..])));
                let t = Instant::now();
                for b in bodies {
                    assert!(auth.authenticate_body(None, black_box(b.as_bytes())).is_ok());
                }
                t.elapsed()
            };
            paired_timed(&format!("authenticate private_key_jwt {alg}"), floor_pass, auth_pass);
        }
    }
}

/// Read the round's inputs once before timing: a server verifies an
/// assertion it has just read from the request, so it is in cache.
fn touch<'a>(items: impl Iterator<Item = (&'a [u8], &'a [u8])>) {
    let mut sum = 0u64;
    for (a, b) in items {
        sum = a.iter().chain(b).fold(sum, |s, &x| s.wrapping_add(u64::from(x)));
    }
    black_box(sum);
}

/// Runs `ROUNDS` paired measurements (round 0 warms up; each pass times
/// its own loop, leaving setup out) and prints one table row.
fn paired_timed(
    label: &str,
    floor_pass: impl Fn(usize) -> std::time::Duration,
    jwtauth_pass: impl Fn(usize) -> std::time::Duration,
) {
    floor_pass(0);
    jwtauth_pass(0);
    let (mut ratios, mut f_us, mut j_us) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        let f = floor_pass(round).as_secs_f64();
        let j = jwtauth_pass(round).as_secs_f64();
        ratios.push(j / f);
        f_us.push(f * 1e6 / POOL as f64);
        j_us.push(j * 1e6 / POOL as f64);
    }
    for v in [&mut ratios, &mut f_us, &mut j_us] {
        v.sort_by(f64::total_cmp);
    }
    println!(
        "| {label} | {:.2} | {:.2} | {:.3}× | {:.3}–{:.3} | {:+.2} |",
        percentile(&f_us, 0.5),
        percentile(&j_us, 0.5),
        percentile(&ratios, 0.5),
        percentile(&ratios, 0.25),
        percentile(&ratios, 0.75),
        percentile(&j_us, 0.5) - percentile(&f_us, 0.5),
    );
}
