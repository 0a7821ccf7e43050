//! How the cost grows, for `bash bench/run.sh` (one JSON document on stdout):
//!
//! - `scaling registry <n>`: load a registry document of `n` clients
//!   (`client_secret_jwt`, a 32-byte secret each, the document already in
//!   memory) — milliseconds, and the process's resident memory after the load
//!   minus before (parse garbage the allocator keeps included; run once per
//!   size, each in a fresh process);
//! - `scaling verify`: HS256 verification (`Verifier::verify_in`, the client
//!   found in the registry by `iss`) with 10 vs 1,000,000 registered clients
//!   and with 10,000 vs 1,000,000 live jtis in the in-memory replay store, and
//!   ES256 verification on 1 vs 2 threads sharing one verifier; each pair
//!   timed in interleaved rounds in this one process.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::cast_precision_loss,
    reason = "benchmark setup, not library code; the report goes to stdout"
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use jwtauth::{
    AssertionBuilder, CredentialPolicy, FixedClock, MemoryRegistry, MemoryReplayStore, ReplayStore as _,
    SigningKey, Verifier,
};
use serde_json::json;

const ISSUER: &str = "https://as.example.com";
const NOW: i64 = 1_800_000_000;
const ROUNDS: usize = 11;
const PASS: usize = 2048;

fn secret(i: usize) -> String {
    format!("{i:032}")
}

fn client_id(i: usize) -> String {
    format!("client-{i}")
}

fn registry_doc(n: usize) -> String {
    let clients: Vec<_> = (0..n)
        .map(|i| {
            json!({"client_id": client_id(i), "token_endpoint_auth_method": "client_secret_jwt",
                   "client_secret": secret(i)})
        })
        .collect();
    json!({ "clients": clients }).to_string()
}

fn load(n: usize) -> MemoryRegistry {
    MemoryRegistry::from_json(&registry_doc(n), &CredentialPolicy::default(), NOW).unwrap()
}

/// Resident memory of this process in bytes (`/proc/self/statm`).
fn resident() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: f64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// `n` HS256 assertions by clients spread over `0..clients` (a fixed
/// pseudo-random walk, so both sizes see the same pattern).
fn assertions(clients: usize, n: usize, seed: usize) -> Vec<String> {
    let clock = Arc::new(FixedClock::new(NOW));
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let i = (x >> 17) % clients;
            let key = SigningKey::from_secret(secret(i).as_bytes(), jwtauth::Algorithm::HS256).unwrap();
            AssertionBuilder::new(&key, client_id(i), ISSUER).clock(clock.clone()).sign().unwrap().assertion
        })
        .collect()
}

fn verifier(store: Arc<MemoryReplayStore>) -> Verifier {
    Verifier::builder(ISSUER).clock(Arc::new(FixedClock::new(NOW))).replay_store(store).build().unwrap()
}

fn time_pass(v: &Verifier, registry: &MemoryRegistry, pool: &[String]) -> f64 {
    let start = Instant::now();
    for t in pool {
        assert!(v.verify_in(black_box(t), None, registry).is_ok());
    }
    start.elapsed().as_secs_f64() * 1e6 / pool.len() as f64
}

/// Two contenders, interleaved round by round (order alternating); the
/// median µs per operation of each and the median per-round ratio b / a.
fn pair(mut a: impl FnMut(usize) -> f64, mut b: impl FnMut(usize) -> f64) -> serde_json::Value {
    let (mut sa, mut sb, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..ROUNDS {
        let (x, y) = if r % 2 == 0 {
            let x = a(r);
            (x, b(r))
        } else {
            let y = b(r);
            (a(r), y)
        };
        sa.push(x);
        sb.push(y);
        ratio.push(y / x);
    }
    json!({ "a": median(sa), "b": median(sb), "ratio": median(ratio) })
}

fn clients() -> serde_json::Value {
    let (small, large) = (load(10), load(1_000_000));
    let pools_small: Vec<Vec<String>> = (0..ROUNDS).map(|r| assertions(10, PASS, r)).collect();
    let pools_large: Vec<Vec<String>> = (0..ROUNDS).map(|r| assertions(1_000_000, PASS, r)).collect();
    let fresh = || verifier(Arc::new(MemoryReplayStore::default()));
    pair(|r| time_pass(&fresh(), &small, &pools_small[r]), |r| time_pass(&fresh(), &large, &pools_large[r]))
}

fn jtis() -> serde_json::Value {
    let registry = load(10);
    let filled = |n: usize| {
        let store = Arc::new(MemoryReplayStore::default());
        for i in 0..n {
            store.check_and_insert(&client_id(i % 10), &format!("prefill-{i}"), NOW + 300, NOW).unwrap();
        }
        verifier(store)
    };
    let (small, large) = (filled(10_000), filled(1_000_000));
    // Fresh assertions for every pass: each verification adds its jti.
    let pools: Vec<(Vec<String>, Vec<String>)> =
        (0..ROUNDS).map(|r| (assertions(10, PASS, 100 + r), assertions(10, PASS, 200 + r))).collect();
    pair(|r| time_pass(&small, &registry, &pools[r].0), |r| time_pass(&large, &registry, &pools[r].1))
}

fn threads() -> serde_json::Value {
    let key = SigningKey::generate(jwtauth::Algorithm::ES256).unwrap();
    let doc = json!({"clients": [{"client_id": "client-0", "token_endpoint_auth_method": "private_key_jwt",
                                  "jwks": {"keys": [key.public_jwk().unwrap()]}}]});
    let registry = MemoryRegistry::from_json(&doc.to_string(), &CredentialPolicy::default(), NOW).unwrap();
    let clock = Arc::new(FixedClock::new(NOW));
    let n = 512;
    let pools: Vec<Vec<String>> = (0..2 * ROUNDS)
        .map(|_| {
            (0..n)
                .map(|_| {
                    AssertionBuilder::new(&key, "client-0", ISSUER)
                        .clock(clock.clone())
                        .sign()
                        .unwrap()
                        .assertion
                })
                .collect()
        })
        .collect();
    let v = verifier(Arc::new(MemoryReplayStore::default()));
    // Operations per second over the whole pool, by 1 or 2 threads.
    let run = |pool: &[String], threads: usize| {
        let start = Instant::now();
        std::thread::scope(|s| {
            for part in pool.chunks(pool.len() / threads) {
                let (v, registry) = (&v, &registry);
                s.spawn(move || {
                    for t in part {
                        assert!(v.verify_in(black_box(t), None, registry).is_ok());
                    }
                });
            }
        });
        start.elapsed().as_secs_f64() * 1e6 / pool.len() as f64
    };
    pair(|r| run(&pools[2 * r], 1), |r| run(&pools[2 * r + 1], 2))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    match args.first().map(String::as_str) {
        Some("registry") => {
            let n: usize = args[1].parse().unwrap();
            let doc = registry_doc(n);
            let before = resident();
            let start = Instant::now();
            let registry = MemoryRegistry::from_json(&doc, &CredentialPolicy::default(), NOW).unwrap();
            let ms = start.elapsed().as_secs_f64() * 1e3;
            let grew = resident() - before;
            assert_eq!(black_box(&registry).len(), n);
            println!("{}", json!({ "clients": n, "load_ms": ms, "resident_bytes": grew }));
        }
        Some("verify") => {
            println!(
                "{}",
                json!({ "rounds": ROUNDS, "clients_10_vs_1m": clients(), "jtis_10k_vs_1m": jtis(), "threads_1_vs_2": threads() })
            );
        }
        _ => println!("usage: scaling registry <n> | scaling verify"),
    }
}
