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
//! `JWTAUTH_LIB` overrides the library path; `C_API_ONLY=HS256` runs one
//! algorithm; `C_API_ROUNDS` sets the number of paired rounds (default 41).

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
const DEFAULT_ROUNDS: usize = 41;
/// Assertions verified untimed before each timed pass, so that each side
/// runs with its own code and data warm (as in a server, which calls one of
/// the two, not both in turn).
const WARM: usize = 64;

type Opaque = c_void;
type Err = *mut *mut Opaque;

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
}

fn library() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("JWTAUTH_LIB") {
        return Some(PathBuf::from(p));
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target");
    let triple = std::env::var("CARGO_BUILD_TARGET").unwrap_or_default();
    let p = root.join(triple).join("release/libjwtauth.so");
    p.exists().then_some(p)
}

fn load(path: &Path) -> Api {
    let c = CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: dlopen of our own library; the handle is never closed.
    let h = unsafe { libc::dlopen(c.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
    assert!(!h.is_null(), "dlopen {}", path.display());
    let sym = |name: &str| {
        let n = CString::new(name).unwrap();
        // SAFETY: looking up an exported symbol of the loaded library.
        let p = unsafe { libc::dlsym(h, n.as_ptr()) };
        assert!(!p.is_null(), "missing symbol {name}");
        p
    };
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
    let rounds = std::env::var("C_API_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(DEFAULT_ROUNDS);
    println!(
        "C API (dlopen {}) vs Rust core, {POOL} assertions per pass, {rounds} paired rounds\n",
        path.display()
    );
    println!("| alg | Rust µs | C API µs | median C/Rust | IQR | C − Rust (µs) |");
    println!("|---|---:|---:|---:|---:|---:|");
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
        // Warm up both, then paired rounds with fresh replay stores per pass.
        rust_pass(&rust_verifier());
        let v = c_verifier();
        c_pass(v);
        // SAFETY: freeing what we created.
        unsafe { (api.verifier_free)(v) };
        let (mut ratios, mut rust_us, mut c_us) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            let (rv, cv) = (rust_verifier(), c_verifier());
            // Alternate the order so that neither side always runs second.
            let (r, c) = if round % 2 == 0 {
                let r = rust_pass(&rv);
                (r, c_pass(cv))
            } else {
                let c = c_pass(cv);
                (rust_pass(&rv), c)
            };
            // SAFETY: freeing what we created.
            unsafe { (api.verifier_free)(cv) };
            let per = |d: Duration| d.as_secs_f64() * 1e6 / POOL as f64;
            ratios.push(c.as_secs_f64() / r.as_secs_f64());
            rust_us.push(per(r));
            c_us.push(per(c));
        }
        let (m, lo, hi) = median_iqr(ratios);
        let (r, _, _) = median_iqr(rust_us);
        let (c, _, _) = median_iqr(c_us);
        println!("| {} | {r:.2} | {c:.2} | {m:.3}× | {lo:.3}–{hi:.3} | {:+.2} |", alg.name(), c - r);
        // SAFETY: freeing what we created.
        unsafe {
            (api.config_free)(c_config);
            (api.registry_free)(c_registry);
            (api.clock_free)(c_clock);
        }
    }
}
