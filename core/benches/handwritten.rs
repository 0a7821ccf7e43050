//! Does the hand-written code earn its place? Each piece against what the
//! crates would do instead, and each difference as a share of the whole
//! operation it serves, all timed in interleaved rounds in one process
//! (HS256: the cheapest operation, where these pieces weigh most).
//!
//! `cargo bench -p jwtauth --bench handwritten` prints one JSON document;
//! docs/ARCHITECTURE.md ("Hand-written code") records the decisions.
//!
//! - `scan`: `Claims::parse` of a typical claims set, which `Scan` reads in
//!   place, vs the same set with one escaped character, which `Scan` hands
//!   to the full serde_json reader.
//! - `header_cache`: whole verifications whose header repeats (the per-thread
//!   cache hits) vs 64 distinct headers in turn (every one read again).
//! - `json_writer`: whole signatures by `AssertionBuilder` vs the same steps
//!   with serde_json serialising derived structs and the `base64` crate.

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

use aws_lc_rs::{hmac, rand};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwtauth::{
    Algorithm, AssertionBuilder, AuthMethod, Claims, Client, Credential, FixedClock, MemoryReplayStore,
    SigningKey, Verifier, VerifyingKey,
};
use serde::Serialize;
use serde_json::json;

const ISSUER: &str = "https://as.example.com";
const NOW: i64 = 1_800_000_000;
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const ROUNDS: usize = 15;
const N: usize = 4096;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn per_op(f: impl FnOnce()) -> f64 {
    let start = Instant::now();
    f();
    start.elapsed().as_secs_f64() * 1e6 / N as f64
}

/// Every contender once per round, order rotated; median µs per operation.
fn interleaved<const K: usize>(mut fns: [&mut dyn FnMut() -> f64; K]) -> [f64; K] {
    let mut samples: [Vec<f64>; K] = std::array::from_fn(|_| Vec::new());
    for f in &mut fns {
        f();
    }
    for r in 0..ROUNDS {
        for k in 0..K {
            let i = (k + r) % K;
            samples[i].push(fns[i]());
        }
    }
    samples.map(median)
}

#[derive(Serialize)]
struct Header<'a> {
    alg: &'a str,
    typ: &'a str,
}

#[derive(Serialize)]
struct ClaimsOut<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    jti: &'a str,
    iat: i64,
    exp: i64,
}

/// `AssertionBuilder::sign`'s steps, with the crates doing the writing.
fn sign_with_crates(key: &hmac::Key) -> String {
    let mut raw = [0u8; 16];
    rand::fill(&mut raw).unwrap();
    let jti = URL_SAFE_NO_PAD.encode(raw);
    let header = serde_json::to_vec(&Header { alg: "HS256", typ: "client-authentication+jwt" }).unwrap();
    let claims = serde_json::to_vec(&ClaimsOut {
        iss: "client-1",
        sub: "client-1",
        aud: ISSUER,
        jti: &jti,
        iat: NOW,
        exp: NOW + 60,
    })
    .unwrap();
    let mut out = URL_SAFE_NO_PAD.encode(header);
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(claims, &mut out);
    let tag = hmac::sign(key, out.as_bytes());
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(tag.as_ref(), &mut out);
    out
}

fn main() {
    let clock = Arc::new(FixedClock::new(NOW));
    let key = SigningKey::from_secret(SECRET, Algorithm::HS256).unwrap();
    let client = Client::new("client-1", AuthMethod::ClientSecretJwt)
        .with_credential(Credential::from_secret(SECRET).unwrap());
    let sign = |kid: Option<String>| {
        let b = AssertionBuilder::new(&key, "client-1", ISSUER).clock(clock.clone());
        let b = match kid {
            Some(k) => b.kid(k),
            None => b,
        };
        b.sign().unwrap().assertion
    };
    let verifier = || {
        Verifier::builder(ISSUER)
            .clock(clock.clone())
            .replay_store(Arc::new(MemoryReplayStore::default()))
            .build()
            .unwrap()
    };
    // Pools: one header for all; 64 distinct headers (kid) in turn.
    let same: Vec<Vec<String>> = (0..=ROUNDS).map(|_| (0..N).map(|_| sign(None)).collect()).collect();
    let mixed: Vec<Vec<String>> =
        (0..=ROUNDS).map(|_| (0..N).map(|i| sign(Some(format!("kid-{}", i % 64)))).collect()).collect();
    let probe = verifier();
    assert!(probe.verify(&mixed[0][0], &client).is_ok(), "a kid on an HMAC secret must verify");

    let (mut a, mut b) = (0, 0);
    let [hits, misses] = interleaved([
        &mut || {
            let v = verifier();
            a += 1;
            per_op(|| {
                same[a % same.len()].iter().for_each(|t| assert!(v.verify(black_box(t), &client).is_ok()))
            })
        },
        &mut || {
            let v = verifier();
            b += 1;
            per_op(|| {
                mixed[b % mixed.len()].iter().for_each(|t| assert!(v.verify(black_box(t), &client).is_ok()))
            })
        },
    ]);

    let plain = serde_json::to_vec(&json!({"iss": "client-1", "sub": "client-1", "aud": ISSUER,
        "jti": "n3PdJ1m6cR7y0t8Kq2WlZg", "iat": NOW, "exp": NOW + 60}))
    .unwrap();
    // The same claims with one escaped character: Scan hands it to serde_json.
    let escaped = String::from_utf8(plain.clone()).unwrap().replace("n3PdJ1", "n3P\\u0064J1").into_bytes();
    assert_eq!(Claims::parse(&plain).unwrap().jti(), Some("n3PdJ1m6cR7y0t8Kq2WlZg"));
    assert_eq!(Claims::parse(&escaped).unwrap().jti(), Some("n3PdJ1m6cR7y0t8Kq2WlZg"));
    let [scan, full] = interleaved([
        &mut || per_op(|| (0..N).for_each(|_| drop(black_box(Claims::parse(black_box(&plain)).unwrap())))),
        &mut || per_op(|| (0..N).for_each(|_| drop(black_box(Claims::parse(black_box(&escaped)).unwrap())))),
    ]);

    let hkey = hmac::Key::new(hmac::HMAC_SHA256, SECRET);
    let check = sign_with_crates(&hkey);
    assert!(probe.verify(&check, &client).is_ok(), "the crate-built assertion must verify");
    let _ = VerifyingKey::from_secret(SECRET).unwrap();
    let [ours_sign, crate_sign] =
        interleaved([&mut || per_op(|| (0..N).for_each(|_| drop(black_box(sign(None))))), &mut || {
            per_op(|| (0..N).for_each(|_| drop(black_box(sign_with_crates(&hkey)))))
        }]);

    let share = |saved: f64, whole: f64| saved / whole;
    println!(
        "{}",
        json!({
            "rounds": ROUNDS,
            "verify_hs256_us": hits,
            "header_cache": { "hits_us": hits, "misses_us": misses, "share": share(misses - hits, misses) },
            "scan": { "scan_us": scan, "serde_json_us": full, "share": share(full - scan, hits + full - scan) },
            "json_writer": { "ours_us": ours_sign, "crates_us": crate_sign, "share": share(crate_sign - ours_sign, crate_sign) },
        })
    );
}
