//! Replay protection shared by many nodes: the (client_id, jti) record lives
//! in Redis (or Valkey), set with one atomic `SET key 1 NX PXAT until`.
//!
//! - Key: `{prefix}:{client_id}:{hex SHA-256 of the jti}` — the hash bounds
//!   the key's size and keeps attacker-chosen bytes out of it; the fixed
//!   length of the hash at the end keeps two clients' keys apart whatever
//!   their ids contain.
//! - Expiry: `PXAT` at the time the verifier gives (docs/SECURITY.md rule 8:
//!   min(exp, iat + max_age) + leeway), so Redis forgets the jti exactly when
//!   the assertion could no longer be accepted anyway.
//! - Faults: every failure to get an answer — refused or lost connection,
//!   timeout, error reply — is a [`ReplayStoreError`]; the verifier fails
//!   closed with `REPLAY_STORE_UNAVAILABLE` (503, `server_error`). A broken
//!   connection is dropped and the next check opens a new one, so the store
//!   recovers by itself when Redis is back.
//! - Connections: a small pool of synchronous connections (idle ones kept up
//!   to `pool_size`); connect and command timeouts bound every check.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use crate::crypto;
use crate::error::{Error, ErrorCode, Result};
use crate::replay::{ReplayCheck, ReplayStore, ReplayStoreError};

/// Settings of a [`RedisReplayStore`].
#[derive(Clone)]
pub struct RedisReplayConfig {
    /// `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS, with
    /// the Mozilla roots), or `redis+unix:///path`.
    pub url: String,
    /// Key prefix (default `jwtauth:jti`), e.g. one per authorization server.
    pub prefix: String,
    /// Idle connections kept open (default 8).
    pub pool_size: usize,
    /// Time allowed to open a connection (default 1 s).
    pub connect_timeout: Duration,
    /// Time allowed for one command's reply (default 500 ms).
    pub command_timeout: Duration,
}

impl RedisReplayConfig {
    /// Defaults for `url`.
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            prefix: "jwtauth:jti".to_owned(),
            pool_size: 8,
            connect_timeout: Duration::from_secs(1),
            command_timeout: Duration::from_millis(500),
        }
    }
}

impl fmt::Debug for RedisReplayConfig {
    // Never the URL: it may carry a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisReplayConfig")
            .field("prefix", &self.prefix)
            .field("pool_size", &self.pool_size)
            .field("connect_timeout", &self.connect_timeout)
            .field("command_timeout", &self.command_timeout)
            .finish_non_exhaustive()
    }
}

/// The replay store on Redis. Share one per process (`Arc`); every node of a
/// deployment points at the same Redis and prefix.
pub struct RedisReplayStore {
    client: redis::Client,
    config: RedisReplayConfig,
    idle: Mutex<Vec<redis::Connection>>,
}

impl fmt::Debug for RedisReplayStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisReplayStore").field("config", &self.config).finish_non_exhaustive()
    }
}

/// What went wrong, without the server's words (which may echo a key) or the URL.
fn describe(e: &redis::RedisError) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connection_refusal() {
        "connection refused"
    } else if e.is_connection_dropped() || e.is_io_error() {
        "connection lost"
    } else {
        match e.kind() {
            redis::ErrorKind::AuthenticationFailed => "authentication failed",
            redis::ErrorKind::InvalidClientConfig => "invalid configuration",
            _ => "error reply",
        }
    };
    format!("redis {what}")
}

impl RedisReplayStore {
    /// A store for `config`. Nothing is connected yet: the first check
    /// connects (so a node starts even while Redis is down, and fails
    /// closed until it is up).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for a URL that is not a Redis URL, an empty
    /// prefix, a zero pool size or zero timeouts.
    pub fn new(config: RedisReplayConfig) -> Result<Self> {
        if config.prefix.is_empty() || config.pool_size == 0 {
            return Err(Error::new(ErrorCode::InvalidArgument, "redis: empty prefix or zero pool size"));
        }
        if config.connect_timeout.is_zero() || config.command_timeout.is_zero() {
            return Err(Error::new(ErrorCode::InvalidArgument, "redis: timeouts must be positive"));
        }
        let client = redis::Client::open(config.url.as_str()).map_err(|_| {
            Error::new(ErrorCode::InvalidArgument, "redis: not a redis://, rediss:// or redis+unix:// URL")
        })?;
        Ok(Self { client, config, idle: Mutex::new(Vec::new()) })
    }

    /// A store for `url` with the default settings.
    ///
    /// # Errors
    /// As [`RedisReplayStore::new`].
    pub fn open(url: &str) -> Result<Self> {
        Self::new(RedisReplayConfig::new(url))
    }

    /// The settings.
    #[must_use]
    pub const fn config(&self) -> &RedisReplayConfig {
        &self.config
    }

    /// The Redis key that records (client_id, jti).
    #[must_use]
    pub fn key(&self, client_id: &str, jti: &str) -> String {
        let digest = crypto::sha256(jti.as_bytes());
        let mut key = String::with_capacity(self.config.prefix.len() + client_id.len() + 66);
        key.push_str(&self.config.prefix);
        key.push(':');
        key.push_str(client_id);
        key.push(':');
        for b in digest {
            // Both nibbles are < 16: `char::from_digit` always answers.
            key.extend(char::from_digit(u32::from(b >> 4), 16));
            key.extend(char::from_digit(u32::from(b & 15), 16));
        }
        key
    }

    fn connection(&self) -> std::result::Result<redis::Connection, redis::RedisError> {
        if let Some(c) = self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            return Ok(c);
        }
        let c = self.client.get_connection_with_timeout(self.config.connect_timeout)?;
        c.set_read_timeout(Some(self.config.command_timeout))?;
        c.set_write_timeout(Some(self.config.command_timeout))?;
        Ok(c)
    }

    fn give_back(&self, c: redis::Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < self.config.pool_size
        {
            idle.push(c);
        }
    }

    /// Send `PING`: whether Redis answers now (for health checks).
    ///
    /// # Errors
    /// `REPLAY_STORE_UNAVAILABLE` when it does not.
    pub fn ping(&self) -> Result<()> {
        let mut c = self.connection().map_err(|e| unavailable(&e))?;
        let r: std::result::Result<String, _> = redis::cmd("PING").query(&mut c);
        match r {
            Ok(_) => {
                self.give_back(c);
                Ok(())
            }
            Err(e) => Err(unavailable(&e)),
        }
    }
}

fn unavailable(e: &redis::RedisError) -> Error {
    Error::with_detail(ErrorCode::ReplayStoreUnavailable, describe(e))
}

impl ReplayStore for RedisReplayStore {
    fn check_and_insert(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: i64,
        now: i64,
    ) -> std::result::Result<ReplayCheck, ReplayStoreError> {
        let key = self.key(client_id, jti);
        // PXAT in the past would not record anything: keep it at least 1 s ahead.
        let until_ms = expires_at.max(now.saturating_add(1)).saturating_mul(1000);
        let mut c = self.connection().map_err(|e| ReplayStoreError(describe(&e)))?;
        let r: std::result::Result<Option<String>, _> =
            redis::cmd("SET").arg(&key).arg(1).arg("NX").arg("PXAT").arg(until_ms).query(&mut c);
        match r {
            Ok(reply) => {
                self.give_back(c);
                Ok(if reply.is_some() { ReplayCheck::Fresh } else { ReplayCheck::Replayed })
            }
            // The connection is dropped: the next check opens a new one.
            Err(e) => Err(ReplayStoreError(describe(&e))),
        }
    }

    /// `EXISTS` on the key: Redis drops it when the assertion expires, so an
    /// existing key is an unexpired record (`now` is Redis's own clock here).
    fn seen(
        &self,
        client_id: &str,
        jti: &str,
        _now: i64,
    ) -> std::result::Result<Option<bool>, ReplayStoreError> {
        let key = self.key(client_id, jti);
        let mut c = self.connection().map_err(|e| ReplayStoreError(describe(&e)))?;
        let r: std::result::Result<i64, _> = redis::cmd("EXISTS").arg(&key).query(&mut c);
        match r {
            Ok(n) => {
                self.give_back(c);
                Ok(Some(n > 0))
            }
            Err(e) => Err(ReplayStoreError(describe(&e))),
        }
    }
}
