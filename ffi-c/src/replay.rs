//! Replay stores: `jwtauth_replay_store`, in memory (the default), on Redis
//! (servers on many nodes), or backed by the host through a callback (its
//! own database or cache).
//!
//! Ownership: freed by `jwtauth_replay_store_free`; verifier configurations
//! keep their own reference. Thread safety: a store may be shared; a
//! callback store calls its function from whichever thread verifies, so the
//! function and `user_data` must be thread-safe.

use std::ffi::{c_char, c_void};
use std::fmt;
use std::sync::Arc;

use std::time::Duration;

use jwtauth_core::{
    MemoryReplayStore, RedisReplayConfig, RedisReplayStore, ReplayCheck, ReplayStore, ReplayStoreError,
};

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

/// A store on Redis (or Valkey), shared by every node of a deployment so
/// that an assertion accepted by one node is refused by all the others.
///
/// `url`: one server, `redis://[user:password@]host[:port][/db]`,
/// `rediss://…` (TLS, Mozilla roots) or `redis+unix:///path`; a Redis
/// Cluster, `redis+cluster://host:port[,host:port…]/`; or a primary found
/// through Sentinel, `redis+sentinel://host:port[,host:port…]/service[/db]`
/// (`rediss+…` for TLS; docs/replay.md). `prefix` (NULL for
/// `jwtauth:jti`) namespaces the keys (`prefix:client_id:sha256(jti)`).
/// `pool_size`: idle connections kept (0 for 8). `connect_timeout_ms` and
/// `command_timeout_ms`: bounds on each check (0 for 1000 and 500). One
/// atomic `SET key 1 NX PXAT until` per check.
///
/// Nothing connects here: the first check does. While Redis is unreachable
/// or slower than the timeouts, verification fails with
/// `JWTAUTH_REPLAY_STORE_UNAVAILABLE` (503, `server_error`; never an
/// acceptance); the store reconnects by itself when Redis is back.
/// `JWTAUTH_INVALID_ARGUMENT` for a URL that is not a Redis URL or an empty
/// prefix. Errors never contain the URL (it may carry a password).
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments, reason = "a C constructor with its settings")]
pub extern "C" fn jwtauth_replay_store_redis_new(
    url: *const c_char,
    url_len: usize,
    prefix: *const c_char,
    prefix_len: usize,
    pool_size: usize,
    connect_timeout_ms: u32,
    command_timeout_ms: u32,
    out: *mut *mut jwtauth_replay_store,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let url = crate::args::text(url, url_len, "url")?;
        let mut config = RedisReplayConfig::new(url);
        if let Some(p) = crate::args::opt_text(prefix, prefix_len, "prefix")? {
            p.clone_into(&mut config.prefix);
        }
        if pool_size != 0 {
            config.pool_size = pool_size;
        }
        if connect_timeout_ms != 0 {
            config.connect_timeout = Duration::from_millis(u64::from(connect_timeout_ms));
        }
        if command_timeout_ms != 0 {
            config.command_timeout = Duration::from_millis(u64::from(command_timeout_ms));
        }
        let store = RedisReplayStore::new(config)?;
        out.write(to_c(jwtauth_replay_store { inner: Arc::new(store) }));
        Ok(())
    })
}

/// Free a replay store. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_replay_store_free(store: *mut jwtauth_replay_store) {
    infallible((), || free(store));
}
