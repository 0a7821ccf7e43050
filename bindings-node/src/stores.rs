//! Clock, the in-memory replay store and the remote JWKS cache.

use std::sync::Arc;
use std::time::Duration;

use jwtauth::RemoteJwksConfig;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::errors::{IntoJs, usage};

/// A clock the program sets (tests, replays of recorded traffic).
#[napi]
pub struct FixedClock {
    pub(crate) inner: Arc<jwtauth::FixedClock>,
}

#[napi]
impl FixedClock {
    /// A clock stopped at `now` (Unix seconds).
    #[napi(constructor)]
    #[must_use]
    pub fn new(now: i64) -> Self {
        Self { inner: Arc::new(jwtauth::FixedClock::new(now)) }
    }

    /// Set the time (Unix seconds).
    #[napi]
    pub fn set(&self, now: i64) {
        self.inner.set(now);
    }

    /// Move the time forward by `seconds`.
    #[napi]
    pub fn advance(&self, seconds: i64) {
        self.inner.advance(seconds);
    }

    /// The time (Unix seconds).
    #[napi(getter)]
    pub fn now(&self) -> i64 {
        jwtauth::Clock::now(&*self.inner)
    }
}

/// The in-memory replay store: bounded, sharded; refuses new assertions
/// (REPLAY_STORE_UNAVAILABLE) rather than forgetting old ones when full.
#[napi]
pub struct MemoryReplayStore {
    pub(crate) inner: Arc<jwtauth::MemoryReplayStore>,
}

#[napi]
impl MemoryReplayStore {
    /// A store holding at most `capacity` unexpired jti values.
    #[napi(constructor)]
    #[must_use]
    pub fn new(capacity: Option<u32>) -> Self {
        let s = capacity.map_or_else(jwtauth::MemoryReplayStore::default, |c| {
            jwtauth::MemoryReplayStore::new(c as usize)
        });
        Self { inner: Arc::new(s) }
    }

    /// How many jti values are remembered.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }
}

/// Settings of a `RedisReplayStore`.
#[napi(object)]
#[derive(Debug, Default)]
pub struct RedisOptions {
    /// Key prefix (default `jwtauth:jti`).
    pub prefix: Option<String>,
    /// Idle connections kept (default 8).
    pub pool_size: Option<u32>,
    /// Seconds to open a connection (default 1).
    pub connect_timeout: Option<f64>,
    /// Seconds for one reply (default 0.5).
    pub command_timeout: Option<f64>,
}

/// The replay store on Redis (or Valkey), shared by every node of a
/// deployment: one atomic `SET key 1 NX PXAT until` per check, keys
/// `prefix:clientId:sha256(jti)`. Nothing connects until the first check;
/// while Redis is unreachable or slower than the timeouts, verification
/// fails with `JWTAUTH_REPLAY_STORE_UNAVAILABLE` (503) and never accepts;
/// the store reconnects by itself. Checks block their thread for the round
/// trip: use the async calls.
#[napi]
pub struct RedisReplayStore {
    pub(crate) inner: Arc<jwtauth::RedisReplayStore>,
}

#[napi]
impl RedisReplayStore {
    /// `url`: one server (`redis://[user:password@]host[:port][/db]`,
    /// `rediss://…` for TLS, `redis+unix:///path`), a Redis Cluster
    /// (`redis+cluster://host:port,host:port/`) or a primary found through
    /// Sentinel (`redis+sentinel://host:port,host:port/service`).
    #[napi(constructor)]
    pub fn new(env: Env, url: String, options: Option<RedisOptions>) -> Result<Self> {
        let o = options.unwrap_or_default();
        let mut c = jwtauth::RedisReplayConfig::new(url);
        if let Some(p) = o.prefix {
            c.prefix = p;
        }
        if let Some(n) = o.pool_size {
            c.pool_size = n as usize;
        }
        let secs = |t: f64| {
            Duration::try_from_secs_f64(t)
                .map_err(|_| usage(&env, "timeouts must be non-negative numbers of seconds"))
        };
        if let Some(t) = o.connect_timeout {
            c.connect_timeout = secs(t)?;
        }
        if let Some(t) = o.command_timeout {
            c.command_timeout = secs(t)?;
        }
        Ok(Self { inner: Arc::new(jwtauth::RedisReplayStore::new(c).js(&env)?) })
    }

    /// The key prefix.
    #[napi(getter)]
    pub fn prefix(&self) -> String {
        self.inner.config().prefix.clone()
    }

    /// The Redis key recording (clientId, jti).
    #[napi]
    pub fn key(&self, client_id: String, jti: String) -> String {
        self.inner.key(&client_id, &jti)
    }

    /// Resolves when Redis answers a PING (health checks); rejects with a
    /// `JwtAuthError` (REPLAY_STORE_UNAVAILABLE) otherwise.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn ping<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        let s = self.inner.clone();
        crate::pool::spawn(env, move || s.ping(), |env, r| r.map_err(|e| crate::errors::to_js(env, &e)))
    }
}

/// Settings of the remote JWKS cache (clients registered with `jwks_uri`).
#[napi(object)]
#[derive(Default)]
pub struct RemoteJwksOptions {
    /// Seconds a fetched set is used when the response says nothing (600).
    pub default_ttl: Option<i64>,
    /// Lower bound on the cache lifetime (60).
    pub min_ttl: Option<i64>,
    /// Upper bound on the cache lifetime (86400).
    pub max_ttl: Option<i64>,
    /// Seconds between two fetches of one URI on unknown kids (30).
    pub cooldown: Option<i64>,
    /// Fetch timeout in seconds (5).
    pub timeout: Option<f64>,
    /// Largest accepted body in bytes (65536).
    pub max_size: Option<u32>,
    /// Permit http:// URIs (tests only).
    pub allow_http: Option<bool>,
    /// Permit loopback and private addresses (tests only).
    pub allow_private_addresses: Option<bool>,
    /// The server's own fetcher instead of the built-in HTTPS client:
    /// `fetch(uri)` answering the body (string or bytes) or `{ body, maxAge }`
    /// (seconds), directly or as a Promise. The URI rules above still apply
    /// before it is called.
    #[napi(ts_type = "(uri: string) => JwksResponse | Promise<JwksResponse>")]
    pub fetch: Option<Function<'static>>,
}

impl std::fmt::Debug for RemoteJwksOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RemoteJwksOptions")
    }
}

/// The remote JWKS cache for clients registered with a `jwks_uri`; fetches
/// with the core's HTTPS client (from a worker in the async calls).
#[napi]
pub struct RemoteJwks {
    pub(crate) inner: Arc<jwtauth::RemoteJwks>,
}

#[napi]
impl RemoteJwks {
    /// A cache with these settings (defaults in `RemoteJwksOptions`).
    #[napi(constructor)]
    pub fn new(env: Env, options: Option<RemoteJwksOptions>) -> Result<Self> {
        let o = options.unwrap_or_default();
        let d = RemoteJwksConfig::default();
        let timeout = match o.timeout {
            Some(t) => Duration::try_from_secs_f64(t)
                .map_err(|_| usage(&env, "timeout must be a non-negative number of seconds"))?,
            None => d.timeout,
        };
        let mut c = RemoteJwksConfig {
            default_ttl: o.default_ttl.unwrap_or(d.default_ttl),
            min_ttl: o.min_ttl.unwrap_or(d.min_ttl),
            max_ttl: o.max_ttl.unwrap_or(d.max_ttl),
            cooldown: o.cooldown.unwrap_or(d.cooldown),
            timeout,
            max_size: o.max_size.map_or(d.max_size, |m| m as usize),
            ..d
        };
        c.rules.allow_http = o.allow_http.unwrap_or(false);
        c.rules.allow_private_addresses = o.allow_private_addresses.unwrap_or(false);
        c.check().js(&env)?;
        let inner = match &o.fetch {
            Some(f) => {
                jwtauth::RemoteJwks::with_fetcher(c, Arc::new(crate::callbacks::JsFetcher::new(&env, f)?))
            }
            None => jwtauth::RemoteJwks::new(c),
        };
        Ok(Self { inner: Arc::new(inner) })
    }

    /// How many fetches of `uri` were started.
    #[napi]
    pub fn fetch_count(&self, uri: String) -> f64 {
        self.inner.fetch_count(&uri) as f64
    }
}
