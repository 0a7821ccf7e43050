//! Benchmark hooks: the same work as `Verifier.verify` / `sign`, looped in
//! Rust, so that `bindings-python/bench/bench.py` measures the Rust core and
//! the Python binding in one run and reports what the binding adds.

use std::time::Instant;

use pyo3::prelude::*;

use crate::errors::IntoPy;
use crate::keys::SigningKey;
use crate::server::{Registry, Verifier};

/// Verify each assertion once in a Rust loop (no Python in between);
/// returns the seconds taken. Fails on the first refusal.
#[pyfunction]
pub(crate) fn _bench_core_verify(
    py: Python<'_>,
    verifier: &Verifier,
    registry: &Registry,
    assertions: Vec<String>,
) -> PyResult<f64> {
    let (v, reg) = (&verifier.inner, &registry.inner);
    let r: Result<f64, jwtauth::Error> = py.detach(|| {
        let t = Instant::now();
        for a in &assertions {
            let r = v.verify_in(a, None, &**reg)?;
            std::hint::black_box(r);
        }
        Ok(t.elapsed().as_secs_f64())
    });
    r.py_err(py)
}

/// Sign `n` assertions in a Rust loop; returns the seconds taken.
#[pyfunction]
pub(crate) fn _bench_core_sign(
    py: Python<'_>,
    key: &SigningKey,
    client_id: &str,
    audience: &str,
    n: usize,
) -> PyResult<f64> {
    let k = &key.inner;
    let r: Result<f64, jwtauth::Error> = py.detach(|| {
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(jwtauth::AssertionBuilder::new(k, client_id, audience).sign()?);
        }
        Ok(t.elapsed().as_secs_f64())
    });
    r.py_err(py)
}
