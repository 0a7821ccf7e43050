//! `jwtauth serve` under load beside the library's own rate, on the same
//! machine, in interleaved rounds: for private_key_jwt (ES256) and
//! client_secret_basic, each round measures `Authenticator::authenticate_body`
//! on 1 and 2 threads in this process, then `wrk` (2 threads, 16 keep-alive
//! connections, 3 s, loopback only) against `jwtauth serve`. Every ES256
//! request carries its own assertion (a replay would be refused), signed
//! before the rounds. Prints one JSON document (bench/run.sh →
//! docs/PERFORMANCE.md):
//!
//! `cargo bench -p jwtauth-cli --bench load` (needs `wrk`: apt-get install wrk)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark program"
)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jwtauth::Clock as _;
use jwtauth::form::basic_authorization;
use jwtauth::{
    AssertionBuilder, Authenticator, CredentialPolicy, MemoryRegistry, SigningKey, SystemClock, Verifier,
};
use serde_json::{Value, json};

const ISSUER: &str = "https://as.example.com";
const SECRET: &str = "basic-secret_0123456789abcdef";
const ROUNDS: usize = 3;
const WRK_THREADS: usize = 2;
const CONNECTIONS: usize = 16;
const WRK_SECONDS: u64 = 3;
/// Assertions per wrk thread and round (enough for ~21k requests/s).
const PER_SLOT: usize = 32_000;
/// Assertions per library thread (reused each round with a fresh replay store).
const LIBRARY_POOL: usize = 40_000;

fn sign_many(key: &SigningKey, n: usize) -> Vec<String> {
    let half = n / 2;
    std::thread::scope(|s| {
        let parts: Vec<_> = [half, n - half]
            .into_iter()
            .map(|m| {
                s.spawn(move || {
                    (0..m)
                        .map(|_| {
                            let a = AssertionBuilder::new(key, "svc", ISSUER).lifetime(300).sign().unwrap();
                            format!("grant_type=client_credentials&{}", a.to_form_body())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts.into_iter().flat_map(|p| p.join().unwrap()).collect()
    })
}

fn authenticator(registry: &str) -> Authenticator {
    let r = MemoryRegistry::from_json(registry, &CredentialPolicy::default(), SystemClock.now()).unwrap();
    Authenticator::new(Verifier::builder(ISSUER).build().unwrap(), Arc::new(r))
}

/// Requests per second of the library on `threads` threads, each taking its
/// own requests (`None`: the same Basic request again and again) for at most 2 s.
fn library(registry: &str, pools: &[Vec<String>], threads: usize, basic: Option<&str>) -> f64 {
    let auth = authenticator(registry);
    let start = Instant::now();
    let done: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let auth = &auth;
                let pool = &pools[t];
                s.spawn(move || {
                    let until = Instant::now() + Duration::from_secs(2);
                    let mut n = 0;
                    loop {
                        for _ in 0..64 {
                            let ok = match basic {
                                Some(h) => {
                                    auth.authenticate_body(Some(h), b"grant_type=client_credentials").is_ok()
                                }
                                None => match pool.get(n) {
                                    Some(b) => auth.authenticate_body(None, b.as_bytes()).is_ok(),
                                    None => return n,
                                },
                            };
                            assert!(ok);
                            n += 1;
                        }
                        if Instant::now() >= until {
                            return n;
                        }
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    done as f64 / start.elapsed().as_secs_f64()
}

struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(dir: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jwtauth"))
        .args(["serve", "--registry", "clients.json", "--listen", "127.0.0.1:0", "--issuer", ISSUER])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap()).read_line(&mut line).unwrap();
    let addr = line.split("listening on http://").nth(1).unwrap().split(' ').next().unwrap().to_owned();
    Server(child, addr)
}

/// One wrk run: requests per second, non-2xx responses, p50 and p99 latency (ms).
fn wrk(addr: &str, script: &Path, args: &[String]) -> Value {
    let out = Command::new("wrk")
        .args([
            "-t",
            &WRK_THREADS.to_string(),
            "-c",
            &CONNECTIONS.to_string(),
            "-d",
            &format!("{WRK_SECONDS}s"),
        ])
        .args(["--timeout", "5s", "--latency", "-s"])
        .arg(script)
        .arg(format!("http://{addr}/token"))
        .arg("--")
        .args(args)
        .output()
        .expect("wrk (apt-get install wrk)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field =
        |prefix: &str| text.lines().find_map(|l| l.trim().strip_prefix(prefix).map(|r| r.trim().to_owned()));
    let ms = |v: Option<String>| {
        v.map(|v| {
            let (n, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(v.len()));
            let n: f64 = n.parse().unwrap_or(f64::NAN);
            match unit {
                "us" => n / 1000.0,
                "s" => n * 1000.0,
                _ => n,
            }
        })
    };
    json!({
        "rps": field("Requests/sec:").and_then(|v| v.parse::<f64>().ok()),
        "non_2xx": field("Non-2xx or 3xx responses:").and_then(|v| v.parse::<u64>().ok()).unwrap_or(0),
        "p50_ms": ms(field("50%")),
        "p99_ms": ms(field("99%")),
    })
}

const JWT_LUA: &str = r#"-- args: bodies file, threads, round, rounds
local counter = 0
function setup(thread) thread:set("id", counter); counter = counter + 1 end
function init(args)
  local threads, round, rounds = tonumber(args[2]), tonumber(args[3]), tonumber(args[4])
  local slot, slots = round * threads + id, threads * rounds
  bodies, i, n = {}, 0, 0
  for line in io.lines(args[1]) do
    if n % slots == slot then bodies[#bodies + 1] = line end
    n = n + 1
  end
  headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
end
function request()
  i = i + 1
  if i > #bodies then i = 1 end
  return wrk.format("POST", nil, headers, bodies[i])
end
"#;

fn basic_lua(header: &str) -> String {
    format!(
        "wrk.method = \"POST\"\nwrk.body = \"grant_type=client_credentials\"\n\
         wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\nwrk.headers[\"Authorization\"] = \"{header}\"\n"
    )
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--bench") && Command::new("wrk").arg("--version").output().is_err() {
        panic!("this benchmark needs wrk (apt-get install wrk)");
    }
    let dir = std::env::temp_dir().join(format!("jwtauth-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = SigningKey::generate(jwtauth::Algorithm::ES256).unwrap();
    let registry = json!({ "clients": [
        { "client_id": "svc", "token_endpoint_auth_method": "private_key_jwt",
          "jwks": { "keys": [key.verifying_key().to_jwk().unwrap()] } },
        { "client_id": "basic", "token_endpoint_auth_method": "client_secret_basic", "client_secret": SECRET },
    ]})
    .to_string();
    std::fs::write(dir.join("clients.json"), &registry).unwrap();
    eprintln!("signing {} assertions", WRK_THREADS * ROUNDS * PER_SLOT + 2 * LIBRARY_POOL);
    let bodies = sign_many(&key, WRK_THREADS * ROUNDS * PER_SLOT);
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("bodies.txt")).unwrap());
    for b in &bodies {
        writeln!(f, "{b}").unwrap();
    }
    f.flush().unwrap();
    drop(f);
    let pools = [sign_many(&key, LIBRARY_POOL), sign_many(&key, LIBRARY_POOL)];
    std::fs::write(dir.join("jwt.lua"), JWT_LUA).unwrap();
    let header = basic_authorization("basic", SECRET);
    std::fs::write(dir.join("basic.lua"), basic_lua(&header)).unwrap();

    let server = serve(&dir);
    let mut result = json!({});
    let (mut es_lib1, mut es_lib2, mut es_serve) = (vec![], vec![], vec![]);
    let (mut b_lib1, mut b_lib2, mut b_serve) = (vec![], vec![], vec![]);
    for round in 0..ROUNDS {
        eprintln!("round {}/{ROUNDS}", round + 1);
        es_lib1.push(library(&registry, &pools, 1, None));
        es_lib2.push(library(&registry, &pools, 2, None));
        let args = [
            dir.join("bodies.txt").display().to_string(),
            WRK_THREADS.to_string(),
            round.to_string(),
            ROUNDS.to_string(),
        ];
        es_serve.push(wrk(&server.1, &dir.join("jwt.lua"), &args));
        b_lib1.push(library(&registry, &pools, 1, Some(&header)));
        b_lib2.push(library(&registry, &pools, 2, Some(&header)));
        b_serve.push(wrk(&server.1, &dir.join("basic.lua"), &[]));
    }
    for (name, lib1, lib2, runs) in [
        ("private_key_jwt_es256", es_lib1, es_lib2, es_serve),
        ("client_secret_basic", b_lib1, b_lib2, b_serve),
    ] {
        let rps: Vec<f64> = runs.iter().filter_map(|r| r["rps"].as_f64()).collect();
        let p50: Vec<f64> = runs.iter().filter_map(|r| r["p50_ms"].as_f64()).collect();
        let p99: Vec<f64> = runs.iter().filter_map(|r| r["p99_ms"].as_f64()).collect();
        result[name] = json!({
            "library_1_thread": median(lib1.clone()), "library_2_threads": median(lib2.clone()),
            "serve": median(rps.clone()), "serve_p50_ms": median(p50), "serve_p99_ms": median(p99),
            "serve_runs": rps, "library_2_threads_runs": lib2,
            "non_2xx": runs.iter().map(|r| r["non_2xx"].as_u64().unwrap_or(0)).sum::<u64>(),
        });
    }
    result["setup"] = json!({ "wrk_threads": WRK_THREADS, "connections": CONNECTIONS, "seconds": WRK_SECONDS,
                              "rounds": ROUNDS, "cores": std::thread::available_parallelism().map_or(0, usize::from) });
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    println!("{}", serde_json::to_string_pretty(&result).unwrap());
}
