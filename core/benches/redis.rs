//! Verification with the Redis replay store against the in-memory store,
//! on loopback: latency (one thread) and throughput (N threads, each
//! verifying its own assertions, so N checks are in flight on N
//! connections). Prints the README table.
//!
//! `cargo bench -p jwtauth --features redis --bench redis` — uses
//! `JWTAUTH_REDIS_URL`, else starts a `redis-server` from PATH on a free port.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_precision_loss,
    clippy::indexing_slicing,
    reason = "benchmark program"
)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jwtauth::{
    Algorithm, AssertionBuilder, AuthMethod, Client, MemoryRegistry, MemoryReplayStore, RedisReplayConfig,
    RedisReplayStore, ReplayStore, SigningKey, Verifier,
};

const ISSUER: &str = "https://as.example.com";
const SECRET: &[u8] = b"a-shared-secret-for-the-redis-bench-0123456789";

struct Server(Option<Child>);

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(c) = self.0.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn server() -> Option<(String, Server)> {
    if let Ok(url) = std::env::var("JWTAUTH_REDIS_URL") {
        return Some((url, Server(None)));
    }
    let port = TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .ok()?;
    let url = format!("redis://127.0.0.1:{port}/");
    let s = Server(Some(child));
    for _ in 0..200 {
        if RedisReplayStore::open(&url).and_then(|r| r.ping()).is_ok() {
            return Some((url, s));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

struct Setup {
    registry: MemoryRegistry,
    key: SigningKey,
}

fn setup(alg: Algorithm) -> Setup {
    let registry = MemoryRegistry::new();
    let key = if alg == Algorithm::HS256 {
        registry.insert(Client::new("c1", AuthMethod::ClientSecretJwt).with_secret(SECRET, None).unwrap());
        SigningKey::from_secret(SECRET, alg).unwrap()
    } else {
        let key = SigningKey::generate(alg).unwrap();
        let jwks = serde_json::json!({ "keys": [key.public_jwk().unwrap()] }).to_string();
        let set = jwtauth::JwkSet::from_json(&jwks).unwrap();
        let client =
            Client::new("c1", AuthMethod::PrivateKeyJwt).with_credential(jwtauth::Credential::from_jwks(set));
        registry.insert(client);
        key
    };
    Setup { registry, key }
}

/// µs per verification, median over rounds, `threads` threads each verifying `per_thread`.
fn run(s: &Setup, store: &Arc<dyn ReplayStore>, threads: usize, per_thread: usize, rounds: usize) -> f64 {
    let v = Arc::new(Verifier::builder(ISSUER).replay_store(store.clone()).build().unwrap());
    let mut times = Vec::new();
    for _ in 0..rounds {
        let batches: Vec<Vec<String>> = (0..threads)
            .map(|_| {
                (0..per_thread)
                    .map(|_| AssertionBuilder::new(&s.key, "c1", ISSUER).sign().unwrap().assertion)
                    .collect()
            })
            .collect();
        let t = Instant::now();
        std::thread::scope(|scope| {
            for batch in &batches {
                let v = v.clone();
                let reg = &s.registry;
                scope.spawn(move || {
                    for a in batch {
                        std::hint::black_box(v.verify_in(a, None, reg).unwrap());
                    }
                });
            }
        });
        times.push(t.elapsed().as_secs_f64() * 1e6 / (threads * per_thread) as f64);
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let Some((url, _server)) = server() else {
        eprintln!("SKIPPED: no Redis (set JWTAUTH_REDIS_URL or put redis-server on PATH)");
        return;
    };
    let mut config = RedisReplayConfig::new(&url);
    config.prefix = format!("jwtauth-bench:{}", std::process::id());
    config.pool_size = 64;
    let redis: Arc<dyn ReplayStore> = Arc::new(RedisReplayStore::new(config).unwrap());
    let memory: Arc<dyn ReplayStore> = Arc::new(MemoryReplayStore::default());
    println!(
        "| alg | threads | in-memory µs/verify | Redis µs/verify | Redis − memory (µs) | in-memory verifies/s | Redis verifies/s |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for alg in [Algorithm::HS256, Algorithm::ES256] {
        let s = setup(alg);
        let per = if alg == Algorithm::HS256 { 2000 } else { 300 };
        for threads in [1, 4, 16] {
            let (m, r) = (run(&s, &memory, threads, per, 7), run(&s, &redis, threads, per, 7));
            println!(
                "| {} | {threads} | {m:.2} | {r:.2} | {:+.2} | {:.0} | {:.0} |",
                alg.name(),
                r - m,
                1e6 / m,
                1e6 / r
            );
        }
    }
}
