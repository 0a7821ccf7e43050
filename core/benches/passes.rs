//! The spread of short passes: this shared VM alternates between quiet
//! stretches and stretches where a neighbour slows everything (the
//! pipeline's integer and memory work more than the HMAC or signature
//! instructions). Each pass verifies the same 256 assertions (a fresh
//! verifier and replay store per pass, outside the timing) and then runs the
//! floor on them; the report gives the best, 10th percentile and median pass
//! of each, so the quiet figure and the typical one can be told apart.
//!
//! `PASSES_ALG=HS256 PASSES_SECS=5 cargo bench -p jwtauth --bench passes`
//! (`PASSES_AUTH=1`: whole token requests instead of assertions;
//! `PASSES_FRESH=64`: 64 pools of distinct assertions taken in turn, each
//! read once before its pass, instead of the same 256 every pass;
//! `PASSES_LONG=2000`: one long-lived verifier for 2000 passes of fresh
//! assertions).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::cast_precision_loss,
    reason = "benchmark harness"
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use jwtauth::{
    Algorithm, AssertionBuilder, Authenticator, CredentialPolicy, FixedClock, MemoryRegistry,
    MemoryReplayStore, Registry, SigningKey, Verifier, VerifyingKey,
};
use serde_json::json;

const ISSUER: &str = "https://as.example.com";
const NOW: i64 = 1_800_000_000;
const SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const POOL: usize = 256;

fn spread(v: &mut [f64]) -> String {
    v.sort_by(f64::total_cmp);
    format!("best {:.3}, p10 {:.3}, median {:.3}", v[0], v[v.len() / 10], v[v.len() / 2])
}

fn main() {
    if std::env::args().skip(1).any(|a| a == "--list" || a == "--test") {
        return;
    }
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
    let alg = Algorithm::from_name(&env("PASSES_ALG", "HS256")).expect("PASSES_ALG");
    let secs: f64 = env("PASSES_SECS", "5").parse().expect("PASSES_SECS");
    let whole_requests = std::env::var("PASSES_AUTH").is_ok();
    let clock = Arc::new(FixedClock::new(NOW));
    let (key, client, floor_key) = if alg.is_symmetric() {
        let client = json!({ "client_id": "c1", "token_endpoint_auth_method": "client_secret_jwt", "client_secret": SECRET });
        (
            SigningKey::from_secret(SECRET.as_bytes(), alg).unwrap(),
            client,
            VerifyingKey::from_secret(SECRET.as_bytes()).unwrap(),
        )
    } else {
        let key = SigningKey::generate(alg).unwrap().with_kid("k1");
        let jwk = key.public_jwk().unwrap();
        let client = json!({ "client_id": "c1", "token_endpoint_auth_method": "private_key_jwt", "jwks": { "keys": [jwk] } });
        let vk = VerifyingKey::from_jwk(&key.public_jwk().unwrap().to_string()).unwrap();
        (key, client, vk)
    };
    let registry = Arc::new(
        MemoryRegistry::from_value(&json!({ "clients": [client] }), &CredentialPolicy::default(), NOW)
            .unwrap(),
    );
    let signed: Vec<_> = (0..POOL)
        .map(|_| AssertionBuilder::new(&key, "c1", ISSUER).clock(clock.clone()).sign().unwrap())
        .collect();
    let pool: Vec<String> = signed.iter().map(|a| a.assertion.clone()).collect();
    // `PASSES_FRESH=N`: N pools of distinct assertions taken in turn (each
    // read once before its pass), instead of the same pool every pass.
    let fresh: usize = env("PASSES_FRESH", "0").parse().expect("PASSES_FRESH");
    let pools: Vec<Vec<String>> = (0..fresh)
        .map(|_| {
            (0..POOL)
                .map(|_| {
                    AssertionBuilder::new(&key, "c1", ISSUER).clock(clock.clone()).sign().unwrap().assertion
                })
                .collect()
        })
        .collect();
    let bodies: Vec<String> =
        signed.iter().map(|a| format!("grant_type=client_credentials&{}", a.to_form_body())).collect();
    let inputs: Vec<(Vec<u8>, Vec<u8>)> = pool
        .iter()
        .map(|t| {
            let (i, s) = t.rsplit_once('.').unwrap();
            (i.as_bytes().to_vec(), jwtauth::b64::decode(s.as_bytes()).unwrap())
        })
        .collect();
    let client = registry.client("c1").unwrap().unwrap();
    let (mut ours, mut floor, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
    // `PASSES_LONG=N`: one long-lived verifier (its replay store filling up
    // as in a server that has been up a while) for N passes, each of a pool
    // signed just before it (untimed).
    let long: usize = env("PASSES_LONG", "0").parse().expect("PASSES_LONG");
    let new_auth = || {
        let verifier = Verifier::builder(ISSUER)
            .clock(clock.clone())
            .replay_store(Arc::new(MemoryReplayStore::new(if long > 0 {
                (long + 1) * POOL * 2
            } else {
                1 << 16
            })))
            .build()
            .unwrap();
        Authenticator::new(verifier, registry.clone())
    };
    let long_auth = new_auth();
    let mut long_pool: Vec<String>;
    let start = Instant::now();
    let mut pass = 0;
    while if long > 0 { pass < long } else { start.elapsed().as_secs_f64() < secs } {
        let pool = if long > 0 {
            long_pool = (0..POOL)
                .map(|_| {
                    AssertionBuilder::new(&key, "c1", ISSUER).clock(clock.clone()).sign().unwrap().assertion
                })
                .collect();
            &long_pool
        } else if fresh == 0 {
            &pool
        } else {
            &pools[pass % fresh]
        };
        pass += 1;
        black_box(pool.iter().map(|a| a.bytes().fold(0u8, u8::wrapping_add)).fold(0u8, u8::wrapping_add));
        let fresh_auth;
        let auth = if long > 0 {
            &long_auth
        } else {
            fresh_auth = new_auth();
            &fresh_auth
        };
        let t = Instant::now();
        if whole_requests {
            for b in &bodies {
                assert!(auth.authenticate_body(None, black_box(b.as_bytes())).is_ok());
            }
        } else {
            for a in pool {
                assert!(auth.verifier().verify(black_box(a), &client).is_ok());
            }
        }
        let o = t.elapsed().as_secs_f64() * 1e6 / POOL as f64;
        let t = Instant::now();
        for (i, s) in &inputs {
            assert!(floor_key.verify_signature(alg, black_box(i), black_box(s)).is_ok());
        }
        let f = t.elapsed().as_secs_f64() * 1e6 / POOL as f64;
        ours.push(o);
        floor.push(f);
        ratio.push(o / f);
    }
    let what = if whole_requests { "authenticate" } else { "verify" };
    println!("{alg} {what}, {} passes of {POOL} (µs per operation)", ours.len());
    println!("  jwtauth: {}", spread(&mut ours));
    println!("  floor (the key's verify_signature): {}", spread(&mut floor));
    println!("  ratio per pass: {}", spread(&mut ratio));
}
