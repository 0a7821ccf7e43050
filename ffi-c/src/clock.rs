//! `jwtauth_clock`: a settable clock for tests and replays of recorded
//! traffic. Without one, the library reads the system clock.
//!
//! Ownership: created by `jwtauth_clock_fixed_new`, freed by
//! `jwtauth_clock_free`; objects configured with it keep their own
//! reference, so it may be freed at any time. Thread safety: may be shared
//! and set from any thread.

use std::sync::Arc;

use jwtauth_core::FixedClock;

use crate::args::{Out, free, obj, to_c};
use crate::boundary::{call, infallible};
use crate::error::jwtauth_error;
use crate::status::jwtauth_status;

/// A clock that reads a time the program sets (opaque).
///
/// Owned by the caller: `jwtauth_clock_free`; configurations keep their own
/// reference. Threads: shareable, settable from any thread.
pub struct jwtauth_clock {
    pub(crate) inner: Arc<FixedClock>,
}

/// A clock fixed at `now` (Unix seconds).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_clock_fixed_new(now: i64, out: *mut *mut jwtauth_clock) -> jwtauth_status {
    call(std::ptr::null_mut(), || {
        let out = Out::new(out, "out")?;
        out.write(to_c(jwtauth_clock { inner: Arc::new(FixedClock::new(now)) }));
        Ok(())
    })
}

/// Set the clock to `now` (Unix seconds).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_clock_set(
    clock: *const jwtauth_clock,
    now: i64,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        obj(clock, "clock")?.inner.set(now);
        Ok(())
    })
}

/// Free a clock. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_clock_free(clock: *mut jwtauth_clock) {
    infallible((), || free(clock));
}
