//! Benchmark hook, built only with the `bench-hooks` feature (never in the
//! shipped library, never in the header): the Rust core verifying a pool of
//! assertions inside `libjwtauth.so`, so that `ffi-c/bench` can compare the
//! C API with the core compiled into the same shared object, beside the
//! core compiled into the benchmark's own executable.

use std::ffi::c_char;
use std::time::Instant;

use jwtauth_core::Registry;

use crate::registry::jwtauth_registry;
use crate::verifier::jwtauth_verifier;

/// Verify `assertions[i]` (`lens[i]` bytes) for `i < n` with the core, as a
/// Rust server calls it (`Verifier::verify_in`, whose body is
/// `verify_bytes_in`: called on the bytes here, so that no pass over the
/// pool right before the clock starts brings it into the cache, which the C
/// API's timed loop does not get), and write the nanoseconds the loop took
/// to `nanos`. Returns the number accepted; 0 when an argument is NULL.
///
/// # Safety
///
/// `assertions` and `lens` point to `n` elements each, every
/// `assertions[i]` to `lens[i]` readable bytes; `nanos` to one writable
/// `uint64_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn jwtauth_bench_core_verify(
    verifier: *const jwtauth_verifier,
    registry: *const jwtauth_registry,
    assertions: *const *const c_char,
    lens: *const usize,
    n: usize,
    nanos: *mut u64,
) -> usize {
    crate::boundary::infallible(0, || {
        if assertions.is_null() || lens.is_null() || nanos.is_null() {
            return 0;
        }
        let (Ok(v), Ok(reg)) =
            (crate::args::obj(verifier, "verifier"), crate::args::obj(registry, "registry"))
        else {
            return 0;
        };
        let reg: &dyn Registry = &*reg.inner;
        let mut pool = Vec::with_capacity(n);
        for i in 0..n {
            // SAFETY: the function's contract (# Safety).
            pool.push(unsafe { std::slice::from_raw_parts((*assertions.add(i)).cast::<u8>(), *lens.add(i)) });
        }
        let t = Instant::now();
        let mut accepted = 0;
        for a in &pool {
            if let Ok(r) = v.inner.verify_bytes_in(std::hint::black_box(a), None, reg) {
                std::hint::black_box(r.client_id.len());
                accepted += 1;
            }
        }
        let took = u64::try_from(t.elapsed().as_nanos()).unwrap_or(u64::MAX);
        // SAFETY: checked non-NULL above; the function's contract.
        unsafe { nanos.write(took) };
        accepted
    })
}
