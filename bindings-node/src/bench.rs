//! Benchmark hooks: the same work as `Verifier.verifySync` / `signSync`,
//! looped in Rust, so that `bench/bench.mjs` measures the Rust core and the
//! Node binding in one run and reports what the binding adds.

use std::time::Instant;

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::errors::IntoJs;
use crate::keys::SigningKey;
use crate::server::{Registry, Verifier};

/// Verify each assertion once in a Rust loop (no JavaScript in between);
/// returns the seconds taken. Fails on the first refusal.
#[napi(js_name = "_benchCoreVerify", skip_typescript)]
pub fn bench_core_verify(
    env: Env,
    verifier: &Verifier,
    registry: &Registry,
    assertions: Vec<String>,
) -> Result<f64> {
    let (v, reg) = (&verifier.inner, &registry.inner);
    let t = Instant::now();
    for a in &assertions {
        std::hint::black_box(v.verify_in(a, None, &**reg).js(&env)?);
    }
    Ok(t.elapsed().as_secs_f64())
}

/// Sign `n` assertions in a Rust loop; returns the seconds taken.
#[napi(js_name = "_benchCoreSign", skip_typescript)]
pub fn bench_core_sign(
    env: Env,
    key: &SigningKey,
    client_id: String,
    audience: String,
    n: u32,
) -> Result<f64> {
    let k = &key.inner;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(jwtauth::AssertionBuilder::new(k, &client_id, &audience).sign().js(&env)?);
    }
    Ok(t.elapsed().as_secs_f64())
}

/// A Promise settled by a worker that does nothing: the pool's round trip
/// (queue, wake a worker, settle on the JavaScript thread), which is what an
/// async call adds to its sync twin.
#[napi(js_name = "_benchNoop", skip_typescript)]
pub fn bench_noop(env: &Env) -> Result<Object<'_>> {
    crate::pool::spawn(env, || 0_u32, |_, n| Ok(n))
}

/// Verify one assertion in the core, timed inside Rust; returns the seconds
/// taken by the verification alone (not this call's own conversions). Paired
/// with a timed `verifySync` of another assertion, it measures what one
/// sync call adds without the noise of two separate loops.
#[napi(js_name = "_benchCoreVerifyOne", skip_typescript)]
pub fn bench_core_verify_one(
    env: Env,
    verifier: &Verifier,
    registry: &Registry,
    assertion: String,
) -> Result<f64> {
    let (v, reg) = (&verifier.inner, &registry.inner);
    let t = Instant::now();
    std::hint::black_box(v.verify_in(&assertion, None, &**reg).js(&env)?);
    Ok(t.elapsed().as_secs_f64())
}

/// Sign one assertion in the core, timed inside Rust (as above).
#[napi(js_name = "_benchCoreSignOne", skip_typescript)]
pub fn bench_core_sign_one(env: Env, key: &SigningKey, client_id: String, audience: String) -> Result<f64> {
    let k = &key.inner;
    let t = Instant::now();
    std::hint::black_box(jwtauth::AssertionBuilder::new(k, &client_id, &audience).sign().js(&env)?);
    Ok(t.elapsed().as_secs_f64())
}
