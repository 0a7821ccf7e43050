//! The cost of the C boundary per verification: the C API
//! (`jwtauth_verifier_verify` in `libjwtauth.so`, loaded with `dlopen`, as a
//! C server calls it) against the Rust core (`Verifier::verify_in`) on the
//! same pool of assertions, in one process. Paired rounds as in
//! `core/benches/paired.rs`: each round times the Rust pass and the C pass
//! back to back, each after an untimed warm-up on its own verifier; the
//! report is the median per-round ratio and its IQR.
//!
//!   make -C ffi-c && cargo bench -p jwtauth-ffi-bench
//!
//! With the library built with the benchmark hook (`make -C ffi-c
//! bench-lib`, which this harness prefers when present), each round also
//! times the same core compiled into `libjwtauth.so` (the hook
//! `jwtauth_bench_core_verify`), which splits the gap in two: what the C
//! layer adds over the core beside it in the shared object, and what
//! placing the core in a shared object costs (the same code reached through
//! a PIC shared object's calls, thread-locals and layout).
//!
//! `JWTAUTH_LIB` overrides the library path; `C_API_ONLY=HS256` runs one
//! algorithm; `C_API_ROUNDS` sets the number of paired rounds (default: as
//! many as fit in about 3 s per algorithm, 41 to 4001 — HS256, a microsecond
//! per verification, needs the thousands for a median that holds to a
//! percent from run to run on a noisy machine).
//!
//! `bash ffi-c/bench/c_api_bench.sh` measures the same from C, with the C
//! API and the core in one binary (linked with `libjwtauth.a`, then with
//! `libjwtauth.so`).

#![allow(unsafe_code, reason = "calls into the C API through dlopen/dlsym")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::missing_transmute_annotations,
    reason = "benchmark harness"
)]

use std::ffi::{CString, c_char, c_void};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jwtauth::{
    Algorithm, AssertionBuilder, CredentialPolicy, FixedClock, MemoryRegistry, MemoryReplayStore, SigningKey,
    Verifier,
};
use serde_json::json;

const ISSUER: &str = "https://as.example.com";
const NOW: i64 = 1_800_000_000;
const POOL: usize = 256;
/// Time per algorithm when `C_API_ROUNDS` is not set, and the bounds on
/// the rounds it gives.
const BUDGET: Duration = Duration::from_secs(3);
const MIN_ROUNDS: usize = 41;
const MAX_ROUNDS: usize = 4001;
/// Assertions verified untimed before each timed pass, so that each side
/// runs with its own code and data warm (as in a server, which calls one of
/// the two, not both in turn).
const WARM: usize = 64;

type Opaque = c_void;
type Err = *mut *mut Opaque;
type Hook = unsafe extern "C" fn(
    *const Opaque,
    *const Opaque,
    *const *const c_char,
    *const usize,
    usize,
    *mut u64,
) -> usize;

/// The C functions used, resolved with dlsym.
struct Api {
    clock_fixed_new: unsafe extern "C" fn(i64, *mut *mut Opaque) -> u32,
    config_new: unsafe extern "C" fn(*const c_char, usize, *mut *mut Opaque, Err) -> u32,
    config_set_clock: unsafe extern "C" fn(*mut Opaque, *const Opaque, Err) -> u32,
    config_free: unsafe extern "C" fn(*mut Opaque),
    verifier_new: unsafe extern "C" fn(*const Opaque, *mut *mut Opaque, Err) -> u32,
    verifier_free: unsafe extern "C" fn(*mut Opaque),
    registry_from_json:
        unsafe extern "C" fn(*const c_char, usize, *const Opaque, i64, *mut *mut Opaque, Err) -> u32,
    verify: unsafe extern "C" fn(
        *const Opaque,
        *const Opaque,
        *const c_char,
        usize,
        *const c_char,
        usize,
        *mut *mut Opaque,
        Err,
    ) -> u32,
    verified_client_id: unsafe extern "C" fn(*const Opaque) -> *const c_char,
    verified_free: unsafe extern "C" fn(*mut Opaque),
    registry_free: unsafe extern "C" fn(*mut Opaque),
    clock_free: unsafe extern "C" fn(*mut Opaque),
    /// The benchmark hook (feature bench-hooks), when the library has it.
    core_in_library: Option<Hook>,
}

fn library() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("JWTAUTH_LIB") {
        return Some(PathBuf::from(p));
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target");
    let triple = std::env::var("CARGO_BUILD_TARGET").unwrap_or_default();
    [root.join("bench-hooks").join(&triple), root.join(&triple)]
        .into_iter()
        .map(|dir| dir.join("release/libjwtauth.so"))
        .find(|p| p.exists())
}

fn load(path: &Path) -> Api {
    let c = CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: dlopen of our own library; the handle is never closed.
    let h = unsafe { libc::dlopen(c.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
    assert!(!h.is_null(), "dlopen {}", path.display());
    let lookup = |name: &str| {
        let n = CString::new(name).unwrap();
        // SAFETY: looking up an exported symbol of the loaded library.
        unsafe { libc::dlsym(h, n.as_ptr()) }
    };
    let sym = |name: &str| {
        let p = lookup(name);
        assert!(!p.is_null(), "missing symbol {name}");
        p
    };
    let hook = lookup("jwtauth_bench_core_verify");
    // SAFETY: each symbol has the signature of include/jwtauth.h.
    unsafe {
        Api {
            clock_fixed_new: std::mem::transmute(sym("jwtauth_clock_fixed_new")),
            config_new: std::mem::transmute(sym("jwtauth_verifier_config_new")),
            config_set_clock: std::mem::transmute(sym("jwtauth_verifier_config_set_clock")),
            config_free: std::mem::transmute(sym("jwtauth_verifier_config_free")),
            verifier_new: std::mem::transmute(sym("jwtauth_verifier_new")),
            verifier_free: std::mem::transmute(sym("jwtauth_verifier_free")),
            registry_from_json: std::mem::transmute(sym("jwtauth_registry_from_json")),
            verify: std::mem::transmute(sym("jwtauth_verifier_verify")),
            verified_client_id: std::mem::transmute(sym("jwtauth_verified_client_id")),
            verified_free: std::mem::transmute(sym("jwtauth_verified_free")),
            registry_free: std::mem::transmute(sym("jwtauth_registry_free")),
            clock_free: std::mem::transmute(sym("jwtauth_clock_free")),
            core_in_library: (!hook.is_null()).then(|| std::mem::transmute(hook)),
        }
    }
}

fn median_iqr(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.25), at(0.75))
}

fn main() {
    if std::env::args().skip(1).any(|a| a == "--list" || a == "--test") {
        return;
    }
    let Some(path) = library() else {
        println!("libjwtauth.so not built: run `make -C ffi-c` first (or set JWTAUTH_LIB); skipped");
        return;
    };
    let api = load(&path);
    let fixed_rounds: Option<usize> = std::env::var("C_API_ROUNDS").ok().and_then(|r| r.parse().ok());
    println!("C API (dlopen {}) vs Rust core, {POOL} assertions per pass, paired rounds\n", path.display());
    if api.core_in_library.is_some() {
        println!(
            "| alg | rounds | Rust core µs | core in the .so µs | C API µs | C API / Rust core (IQR) | C API / core in the .so (IQR) | core in the .so / Rust core (IQR) |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    } else {
        println!("| alg | rounds | Rust core µs | C API µs | C API / Rust core (IQR) | C − Rust (µs) |");
        println!("|---|---:|---:|---:|---:|---:|");
    }
    let only = std::env::var("C_API_ONLY").ok();
    for alg in [Algorithm::RS256, Algorithm::ES256, Algorithm::EdDSA, Algorithm::HS256] {
        if only.as_deref().is_some_and(|o| o != alg.name()) {
            continue;
        }
        let secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let (key, client) = if alg.is_symmetric() {
            (
                SigningKey::from_secret(secret.as_bytes(), alg).unwrap(),
                json!({ "client_id": "c1", "token_endpoint_auth_method": "client_secret_jwt", "client_secret": secret }),
            )
        } else {
            let key = SigningKey::generate(alg).unwrap().with_kid("k1");
            let jwk = key.public_jwk().unwrap();
            (
                key,
                json!({ "client_id": "c1", "token_endpoint_auth_method": "private_key_jwt", "jwks": { "keys": [jwk] } }),
            )
        };
        let doc = json!({ "clients": [client] }).to_string();
        let clock = Arc::new(FixedClock::new(NOW));
        let sign = |n: usize| -> Vec<String> {
            (0..n)
                .map(|_| {
                    AssertionBuilder::new(&key, "c1", ISSUER).clock(clock.clone()).sign().unwrap().assertion
                })
                .collect()
        };
        let (pool, warm) = (sign(POOL), sign(WARM));

        // Rust: the core, as a Rust server calls it.
        let registry = MemoryRegistry::from_json(&doc, &CredentialPolicy::default(), NOW).unwrap();
        let rust_verifier = || {
            Verifier::builder(ISSUER)
                .clock(clock.clone())
                .replay_store(Arc::new(MemoryReplayStore::default()))
                .build()
                .unwrap()
        };
        // C: the same through the C API.
        let mut c_clock = std::ptr::null_mut();
        let mut c_config = std::ptr::null_mut();
        let mut c_registry = std::ptr::null_mut();
        // SAFETY: calls per include/jwtauth.h with valid arguments.
        unsafe {
            assert_eq!((api.clock_fixed_new)(NOW, &raw mut c_clock), 0);
            assert_eq!(
                (api.config_new)(
                    ISSUER.as_ptr().cast(),
                    ISSUER.len(),
                    &raw mut c_config,
                    std::ptr::null_mut()
                ),
                0
            );
            assert_eq!((api.config_set_clock)(c_config, c_clock, std::ptr::null_mut()), 0);
            assert_eq!(
                (api.registry_from_json)(
                    doc.as_ptr().cast(),
                    doc.len(),
                    std::ptr::null(),
                    NOW,
                    &raw mut c_registry,
                    std::ptr::null_mut()
                ),
                0
            );
        }
        let c_verifier = || {
            let mut v = std::ptr::null_mut();
            // SAFETY: as above.
            assert_eq!(unsafe { (api.verifier_new)(c_config, &raw mut v, std::ptr::null_mut()) }, 0);
            v
        };

        let rust_pass = |v: &Verifier| -> Duration {
            for a in &warm {
                assert!(v.verify_in(black_box(a), None, &registry).is_ok());
            }
            let t = Instant::now();
            for a in &pool {
                let r = v.verify_in(black_box(a), None, &registry).unwrap();
                black_box(r.client_id.len());
            }
            t.elapsed()
        };
        let c_call = |v: *mut Opaque, a: &String| {
            let mut out = std::ptr::null_mut();
            // SAFETY: calls per include/jwtauth.h; the result is freed right away.
            unsafe {
                let st = (api.verify)(
                    v,
                    c_registry,
                    a.as_ptr().cast(),
                    a.len(),
                    std::ptr::null(),
                    0,
                    &raw mut out,
                    std::ptr::null_mut(),
                );
                assert_eq!(st, 0);
                black_box((api.verified_client_id)(out));
                (api.verified_free)(out);
            }
        };
        let c_pass = |v: *mut Opaque| -> Duration {
            for a in &warm {
                c_call(v, a);
            }
            let t = Instant::now();
            for a in &pool {
                c_call(v, black_box(a));
            }
            t.elapsed()
        };
        // A pass on a fresh C verifier (a fresh replay store), freed after.
        let on_fresh_c_verifier = |pass: &dyn Fn(*mut Opaque) -> Duration| -> Duration {
            let v = c_verifier();
            let d = pass(v);
            // SAFETY: freeing what we created.
            unsafe { (api.verifier_free)(v) };
            d
        };
        // Warm up both, then paired rounds with fresh replay stores per pass;
        // the warm-up's time sets the rounds when not given.
        let started = Instant::now();
        rust_pass(&rust_verifier());
        on_fresh_c_verifier(&c_pass);
        // The core inside the library (when it has the hook): the same pool
        // through `jwtauth_bench_core_verify`, which times its own loop.
        let ptrs = |v: &[String]| -> (Vec<*const c_char>, Vec<usize>) {
            (v.iter().map(|a| a.as_ptr().cast()).collect(), v.iter().map(String::len).collect())
        };
        let ((pool_p, pool_l), (warm_p, warm_l)) = (ptrs(&pool), ptrs(&warm));
        let so_pass = |hook: Hook, v: *mut Opaque| -> Duration {
            let mut nanos = 0u64;
            // SAFETY: the hook's contract: arrays of `n` pointers and lengths
            // into live Strings, handles made above.
            unsafe {
                assert_eq!(hook(v, c_registry, warm_p.as_ptr(), warm_l.as_ptr(), WARM, &raw mut nanos), WARM);
                assert_eq!(hook(v, c_registry, pool_p.as_ptr(), pool_l.as_ptr(), POOL, &raw mut nanos), POOL);
            }
            Duration::from_nanos(nanos)
        };
        if let Some(hook) = api.core_in_library {
            on_fresh_c_verifier(&|v| so_pass(hook, v));
        }
        let rounds = fixed_rounds.unwrap_or_else(|| {
            let per_round = started.elapsed().as_secs_f64().max(1e-9);
            ((BUDGET.as_secs_f64() / per_round) as usize).clamp(MIN_ROUNDS, MAX_ROUNDS)
        });
        let mut times: [Vec<f64>; 3] = Default::default();
        let mut ratios: [Vec<f64>; 3] = Default::default();
        for round in 0..rounds {
            // Every order of the sides in turn, so that none always runs first.
            const ORDERS: [[usize; 3]; 6] =
                [[0, 1, 2], [1, 0, 2], [2, 0, 1], [0, 2, 1], [1, 2, 0], [2, 1, 0]];
            let mut took = [Duration::ZERO; 3];
            for side in ORDERS[round % 6] {
                took[side] = match (side, api.core_in_library) {
                    (0, _) => rust_pass(&rust_verifier()),
                    (1, _) => on_fresh_c_verifier(&c_pass),
                    (_, Some(hook)) => on_fresh_c_verifier(&|v| so_pass(hook, v)),
                    _ => Duration::ZERO,
                };
            }
            let [r, c, so] = took.map(|d| d.as_secs_f64());
            for (i, t) in [r, c, so].into_iter().enumerate() {
                times[i].push(t * 1e6 / POOL as f64);
            }
            ratios[0].push(c / r);
            ratios[1].push(c / so);
            ratios[2].push(so / r);
        }
        let med = |v: &Vec<f64>| median_iqr(v.clone()).0;
        let cell = |v: &Vec<f64>| {
            let (m, lo, hi) = median_iqr(v.clone());
            format!("{m:.3}× ({lo:.3}–{hi:.3})")
        };
        if api.core_in_library.is_some() {
            println!(
                "| {} | {rounds} | {:.2} | {:.2} | {:.2} | {} | {} | {} |",
                alg.name(),
                med(&times[0]),
                med(&times[2]),
                med(&times[1]),
                cell(&ratios[0]),
                cell(&ratios[1]),
                cell(&ratios[2])
            );
        } else {
            println!(
                "| {} | {rounds} | {:.2} | {:.2} | {} | {:+.2} |",
                alg.name(),
                med(&times[0]),
                med(&times[1]),
                cell(&ratios[0]),
                med(&times[1]) - med(&times[0])
            );
        }
        // SAFETY: freeing what we created.
        unsafe {
            (api.config_free)(c_config);
            (api.registry_free)(c_registry);
            (api.clock_free)(c_clock);
        }
    }
}
