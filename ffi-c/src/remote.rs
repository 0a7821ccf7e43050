//! Remote key sets (`jwks_uri`): `jwtauth_remote_jwks` is the cache and
//! fetcher shared by verifiers; its settings come from a
//! `jwtauth_remote_jwks_config`. The library fetches over HTTPS itself, or
//! the host supplies the fetch through a callback.
//!
//! Ownership: the configuration is freed by `jwtauth_remote_jwks_config_free`
//! (after `jwtauth_remote_jwks_new`, which copies it); the cache by
//! `jwtauth_remote_jwks_free` (verifier configurations keep a reference).
//! Thread safety: the cache may be shared; a configuration must not be
//! modified concurrently. A fetch callback is called from whichever thread
//! verifies (one fetch per URL at a time).

use std::ffi::{c_char, c_void};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jwtauth_core::{FetchedJwks, JwksFetcher, JwksUri, RemoteJwks, RemoteJwksConfig};

use crate::args::{Out, bytes, free, obj, obj_mut, text, to_c};
use crate::boundary::{call, infallible};
use crate::error::jwtauth_error;
use crate::replay::UserData;
use crate::status::jwtauth_status;

/// Settings of the remote key-set cache (opaque).
///
/// Owned by the caller: `jwtauth_remote_jwks_config_free` (copied by
/// `jwtauth_remote_jwks_new`). Threads: not to be modified concurrently.
pub struct jwtauth_remote_jwks_config {
    config: RemoteJwksConfig,
    fetch: Option<(FetchFn, UserData)>,
}

/// The remote key-set cache (opaque).
///
/// Owned by the caller: `jwtauth_remote_jwks_free`; verifier configurations
/// keep their own reference. Threads: shareable (one fetch per URL at a
/// time).
pub struct jwtauth_remote_jwks {
    pub(crate) inner: Arc<RemoteJwks>,
}

/// What a fetch callback fills in (opaque).
///
/// Owned by the library, valid only during the callback; never freed by
/// the host.
pub struct jwtauth_fetch_response {
    body: Option<Vec<u8>>,
    max_age: Option<i64>,
}

type FetchFn = unsafe extern "C" fn(*mut c_void, *const c_char, usize, *mut jwtauth_fetch_response) -> i32;

/// Fetch the JWKS at `uri` (not NUL-terminated; already checked against the
/// URL rules) and give the body with `jwtauth_fetch_response_set_body`
/// (and its Cache-Control max-age with `jwtauth_fetch_response_set_max_age`);
/// return 0 on success, anything else on failure. Must bound its own time
/// and size, follow no redirects, and refuse private addresses unless the
/// host means to allow them.
pub type jwtauth_fetch_fn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        uri: *const c_char,
        uri_len: usize,
        response: *mut jwtauth_fetch_response,
    ) -> i32,
>;

struct CallbackFetcher {
    f: FetchFn,
    user_data: UserData,
}

impl fmt::Debug for CallbackFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallbackFetcher")
    }
}

impl JwksFetcher for CallbackFetcher {
    fn fetch(&self, uri: &JwksUri, _timeout: Duration) -> Result<FetchedJwks, String> {
        let mut response = jwtauth_fetch_response { body: None, max_age: None };
        let u = uri.as_str();
        // SAFETY: the header's contract for `jwtauth_fetch_fn`; `u` and
        // `response` are valid for the duration of the call.
        let r = unsafe { (self.f)(self.user_data.0, u.as_ptr().cast(), u.len(), &raw mut response) };
        match (r, response.body) {
            (0, Some(body)) => Ok(FetchedJwks { body, max_age: response.max_age }),
            (0, None) => Err("the host's fetch callback gave no body".to_owned()),
            (n, _) => Err(format!("the host's fetch callback failed ({n})")),
        }
    }
}

/// A configuration with the defaults: TTL 600 s within [60 s, 86,400 s],
/// refetch cooldown 30 s, timeout 5 s, body ≤ 64 KiB, https only, public
/// addresses only, the built-in HTTPS fetcher.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_remote_jwks_config_new(
    out: *mut *mut jwtauth_remote_jwks_config,
) -> jwtauth_status {
    call(std::ptr::null_mut(), || {
        let out = Out::new(out, "out")?;
        out.write(to_c(jwtauth_remote_jwks_config { config: RemoteJwksConfig::default(), fetch: None }));
        Ok(())
    })
}

/// Freshness of a fetched set, in seconds: `default_ttl` when the response
/// has no usable Cache-Control, which is otherwise clamped to
/// [`min_ttl`, `max_ttl`].
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_remote_jwks_config_set_ttl(
    config: *mut jwtauth_remote_jwks_config,
    default_ttl: i64,
    min_ttl: i64,
    max_ttl: i64,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let c = &mut obj_mut(config, "config")?.config;
        let checked = RemoteJwksConfig { default_ttl, min_ttl, max_ttl, ..*c };
        checked.check()?;
        *c = checked;
        Ok(())
    })
}

/// The least time between two fetches of one URL (unknown kid, failure,
/// expiry), in seconds.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_remote_jwks_config_set_cooldown(
    config: *mut jwtauth_remote_jwks_config,
    seconds: i64,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let c = &mut obj_mut(config, "config")?.config;
        let checked = RemoteJwksConfig { cooldown: seconds, ..*c };
        checked.check()?;
        *c = checked;
        Ok(())
    })
}

/// The limit on one whole fetch (milliseconds) and on the body (bytes).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_remote_jwks_config_set_limits(
    config: *mut jwtauth_remote_jwks_config,
    timeout_ms: u64,
    max_size: usize,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let c = &mut obj_mut(config, "config")?.config;
        let checked = RemoteJwksConfig { timeout: Duration::from_millis(timeout_ms), max_size, ..*c };
        checked.check()?;
        *c = checked;
        Ok(())
    })
}

/// Which URLs may be fetched: `allow_http` accepts `http://` as well as
/// `https://`; `allow_private_addresses` accepts loopback, private and
/// link-local addresses (tests and closed networks only: SSRF).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_remote_jwks_config_set_url_rules(
    config: *mut jwtauth_remote_jwks_config,
    allow_http: bool,
    allow_private_addresses: bool,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let r = &mut obj_mut(config, "config")?.config.rules;
        (r.allow_http, r.allow_private_addresses) = (allow_http, allow_private_addresses);
        Ok(())
    })
}

/// Fetch through `f` instead of the built-in HTTPS client (NULL restores
/// the built-in one).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_remote_jwks_config_set_fetcher(
    config: *mut jwtauth_remote_jwks_config,
    f: jwtauth_fetch_fn,
    user_data: *mut c_void,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        obj_mut(config, "config")?.fetch = f.map(|f| (f, UserData(user_data)));
        Ok(())
    })
}

/// Free a configuration. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_remote_jwks_config_free(config: *mut jwtauth_remote_jwks_config) {
    infallible((), || free(config));
}

/// A cache with `config` (copied).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_remote_jwks_new(
    config: *const jwtauth_remote_jwks_config,
    out: *mut *mut jwtauth_remote_jwks,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let c = obj(config, "config")?;
        let remote = match c.fetch {
            Some((f, user_data)) => {
                RemoteJwks::with_fetcher(c.config, Arc::new(CallbackFetcher { f, user_data }))
            }
            None => RemoteJwks::new(c.config),
        };
        out.write(to_c(jwtauth_remote_jwks { inner: Arc::new(remote) }));
        Ok(())
    })
}

/// How many fetches of `uri` were started (for monitoring and tests).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_remote_jwks_fetch_count(
    remote: *const jwtauth_remote_jwks,
    uri: *const c_char,
    uri_len: usize,
    out: *mut u64,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        out.write(obj(remote, "remote")?.inner.fetch_count(text(uri, uri_len, "uri")?));
        Ok(())
    })
}

/// Free a cache. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_remote_jwks_free(remote: *mut jwtauth_remote_jwks) {
    infallible((), || free(remote));
}

/// In a fetch callback: the response body (copied).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_fetch_response_set_body(
    response: *mut jwtauth_fetch_response,
    body: *const u8,
    body_len: usize,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let body = bytes(body, body_len, "body")?.to_vec();
        obj_mut(response, "response")?.body = Some(body);
        Ok(())
    })
}

/// In a fetch callback: the response's Cache-Control max-age, in seconds
/// (0 for no-store / no-cache). Without it the configured TTL applies.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_fetch_response_set_max_age(
    response: *mut jwtauth_fetch_response,
    seconds: i64,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        obj_mut(response, "response")?.max_age = Some(seconds.max(0));
        Ok(())
    })
}
