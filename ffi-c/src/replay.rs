//! Replay stores: `jwtauth_replay_store`, in memory (the default) or backed
//! by the host through a callback (its own database or cache).
//!
//! Ownership: freed by `jwtauth_replay_store_free`; verifier configurations
//! keep their own reference. Thread safety: a store may be shared; a
//! callback store calls its function from whichever thread verifies, so the
//! function and `user_data` must be thread-safe.

use std::ffi::{c_char, c_void};
use std::fmt;
use std::sync::Arc;

use jwtauth_core::{MemoryReplayStore, ReplayCheck, ReplayStore, ReplayStoreError};

use crate::args::{Out, free, to_c};
use crate::boundary::{call, infallible};
use crate::error::jwtauth_error;
use crate::status::jwtauth_status;

/// A replay store (opaque): in memory, or the host's callback.
///
/// Owned by the caller: `jwtauth_replay_store_free`; configurations keep
/// their own reference. Threads: shareable; a callback is called from any
/// thread, concurrently.
pub struct jwtauth_replay_store {
    pub(crate) inner: Arc<dyn ReplayStore>,
}

/// Returned by a replay callback: the (client_id, jti) pair was not seen and
/// is now recorded.
pub const JWTAUTH_REPLAY_FRESH: i32 = 0;
/// Returned by a replay callback: the pair was already recorded.
pub const JWTAUTH_REPLAY_SEEN: i32 = 1;
/// Returned by a replay callback: the store failed (the request is refused
/// with `JWTAUTH_REPLAY_STORE_UNAVAILABLE`: fail closed). So is any other
/// value.
pub const JWTAUTH_REPLAY_ERROR: i32 = 2;

/// Record (client_id, jti) until `expires_at` (Unix seconds) if absent,
/// atomically, and say which: `JWTAUTH_REPLAY_FRESH`, `JWTAUTH_REPLAY_SEEN`
/// or `JWTAUTH_REPLAY_ERROR`. The strings are not NUL-terminated and valid
/// only during the call. `now` is the verifier's clock.
pub type jwtauth_replay_fn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        client_id: *const c_char,
        client_id_len: usize,
        jti: *const c_char,
        jti_len: usize,
        expires_at: i64,
        now: i64,
    ) -> i32,
>;

/// The host's store behind a C callback.
struct CallbackStore {
    f: unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize, i64, i64) -> i32,
    user_data: UserData,
}

/// The host's `user_data` pointer.
#[derive(Clone, Copy)]
pub(crate) struct UserData(pub(crate) *mut c_void);

// SAFETY: the header's contract: callbacks and their user_data may be
// called from any thread and concurrently; the library never dereferences
// the pointer, it only passes it back.
unsafe impl Send for UserData {}
// SAFETY: as above.
unsafe impl Sync for UserData {}

impl fmt::Debug for CallbackStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallbackStore")
    }
}

impl ReplayStore for CallbackStore {
    fn check_and_insert(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<ReplayCheck, ReplayStoreError> {
        // SAFETY: the header's contract for `jwtauth_replay_fn`; the string
        // pointers are valid for the lengths passed during the call.
        let r = unsafe {
            (self.f)(
                self.user_data.0,
                client_id.as_ptr().cast(),
                client_id.len(),
                jti.as_ptr().cast(),
                jti.len(),
                expires_at,
                now,
            )
        };
        match r {
            JWTAUTH_REPLAY_FRESH => Ok(ReplayCheck::Fresh),
            JWTAUTH_REPLAY_SEEN => Ok(ReplayCheck::Replayed),
            other => Err(ReplayStoreError(format!("the host's replay callback returned {other}"))),
        }
    }
}

/// The in-memory store (what a verifier uses when given none): bounded to
/// `capacity` live entries (0 for the default, 1,048,576); when full it
/// refuses new assertions rather than forget old ones.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_replay_store_memory_new(
    capacity: usize,
    out: *mut *mut jwtauth_replay_store,
) -> jwtauth_status {
    call(std::ptr::null_mut(), || {
        let out = Out::new(out, "out")?;
        let store =
            if capacity == 0 { MemoryReplayStore::default() } else { MemoryReplayStore::new(capacity) };
        out.write(to_c(jwtauth_replay_store { inner: Arc::new(store) }));
        Ok(())
    })
}

/// A store implemented by the host: `f` is called once per verified
/// assertion, after the signature and claims checks.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_replay_store_callback_new(
    f: jwtauth_replay_fn,
    user_data: *mut c_void,
    out: *mut *mut jwtauth_replay_store,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let f = f.ok_or_else(|| crate::boundary::Failure::argument("f", "is NULL"))?;
        out.write(to_c(jwtauth_replay_store {
            inner: Arc::new(CallbackStore { f, user_data: UserData(user_data) }),
        }));
        Ok(())
    })
}

/// Free a replay store. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_replay_store_free(store: *mut jwtauth_replay_store) {
    infallible((), || free(store));
}
