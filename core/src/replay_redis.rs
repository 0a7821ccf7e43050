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
//! - Deployments: one server (`redis://`, `rediss://`, `redis+unix://`), a
//!   Redis Cluster (`redis+cluster://h:p,h:p/`: the client follows the slot
//!   map, so each key's `SET NX PXAT` runs on the primary that owns it), or a
//!   primary found through Sentinel (`redis+sentinel://h:p,h:p/service`: a
//!   new connection asks the Sentinels for the current primary and checks
//!   its role). A connection that fails is dropped, so after a failover the
//!   next check finds the new primary; until then checks fail closed.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use redis::{ConnectionLike, IntoConnectionInfo as _};

use crate::crypto;
use crate::error::{Error, ErrorCode, Result};
use crate::replay::{ReplayCheck, ReplayStore, ReplayStoreError};

/// Settings of a [`RedisReplayStore`].
#[derive(Clone)]
pub struct RedisReplayConfig {
    /// Where Redis is (TLS with the Mozilla roots for the `rediss` forms):
    /// - one server: `redis://[user:password@]host[:port][/db]`, `rediss://…`
    ///   or `redis+unix:///path`;
    /// - Redis Cluster: `redis+cluster://[user:password@]host:port[,host:port…]/`
    ///   (or `rediss+cluster://`), any of its nodes as seeds;
    /// - Sentinel: `redis+sentinel://[user:password@]host:port[,host:port…]/service[/db]`
    ///   (or `rediss+sentinel://`), the Sentinels' addresses and the name they
    ///   watch the primary under; the credentials are the primary's.
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
    backend: Backend,
    config: RedisReplayConfig,
    idle: Mutex<Vec<Conn>>,
}

/// How connections are made for each kind of deployment.
enum Backend {
    Single(redis::Client),
    Cluster(redis::cluster::ClusterClient),
    /// Asked for the current primary each time a connection is opened.
    Sentinel(Mutex<redis::sentinel::SentinelClient>),
}

enum Conn {
    Single(redis::Connection),
    Cluster(Box<redis::cluster::ClusterConnection>),
}

impl Conn {
    fn get(&mut self) -> &mut dyn ConnectionLike {
        match self {
            Self::Single(c) => c,
            Self::Cluster(c) => &mut **c,
        }
    }
}

/// The deployment a URL names.
enum Target {
    Single,
    /// Each node's own URL (with the credentials and the TLS choice).
    Cluster(Vec<String>),
    /// The Sentinels' URLs, the service name, the primary's own URL.
    Sentinel(Vec<String>, String, String),
}

const BAD_URL: &str =
    "redis: not a redis://, rediss://, redis+unix://, redis+cluster:// or redis+sentinel:// URL";

fn bad_url(what: &str) -> Error {
    Error::with_detail(ErrorCode::InvalidArgument, format!("{BAD_URL} ({what})"))
}

/// Split a `redis+cluster://` or `redis+sentinel://` URL into node URLs.
/// Errors name the part at fault, never the URL (it may hold a password).
fn parse_target(url: &str) -> Result<Target> {
    let (scheme, rest) = url.split_once("://").ok_or_else(|| bad_url("no scheme"))?;
    let (tls, kind) = match scheme.to_ascii_lowercase().as_str() {
        "redis+cluster" => (false, true),
        "rediss+cluster" => (true, true),
        "redis+sentinel" => (false, false),
        "rediss+sentinel" => (true, false),
        _ => return Ok(Target::Single),
    };
    let node_scheme = if tls { "rediss" } else { "redis" };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), authority),
    };
    let hosts: Vec<&str> = hosts.split(',').collect();
    if hosts.iter().any(|h| h.is_empty()) {
        return Err(bad_url("an empty host in the list"));
    }
    let check = |u: &str| -> Result<()> {
        u.into_connection_info().map(drop).map_err(|_| bad_url("a host that is not host[:port]"))
    };
    if kind {
        if !path.is_empty() {
            return Err(bad_url("a cluster has no database number"));
        }
        let nodes: Vec<String> = hosts.iter().map(|h| format!("{node_scheme}://{userinfo}{h}/")).collect();
        nodes.iter().try_for_each(|u| check(u))?;
        return Ok(Target::Cluster(nodes));
    }
    let (service, db) = path.split_once('/').unwrap_or((path, ""));
    if service.is_empty() {
        return Err(bad_url("no service name after the Sentinels"));
    }
    if !db.is_empty() && db.parse::<u16>().is_err() {
        return Err(bad_url("a database that is not a number"));
    }
    let sentinels: Vec<String> = hosts.iter().map(|h| format!("{node_scheme}://{h}/")).collect();
    sentinels.iter().try_for_each(|u| check(u))?;
    // The primary's credentials and database, on a placeholder address.
    let primary = format!("{node_scheme}://{userinfo}127.0.0.1/{db}");
    check(&primary)?;
    Ok(Target::Sentinel(sentinels, service.to_owned(), primary))
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
            redis::ErrorKind::MasterNameNotFoundBySentinel | redis::ErrorKind::EmptySentinelList => {
                "no primary known to the Sentinels"
            }
            redis::ErrorKind::ClusterConnectionNotFound => "no cluster node reachable",
            _ if e.is_cluster_error() => "cluster unavailable",
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
    /// `INVALID_ARGUMENT` for a URL that is not a Redis URL (the detail
    /// names the part at fault, never the URL), an empty prefix, a zero pool
    /// size or zero timeouts.
    pub fn new(config: RedisReplayConfig) -> Result<Self> {
        if config.prefix.is_empty() || config.pool_size == 0 {
            return Err(Error::new(ErrorCode::InvalidArgument, "redis: empty prefix or zero pool size"));
        }
        if config.connect_timeout.is_zero() || config.command_timeout.is_zero() {
            return Err(Error::new(ErrorCode::InvalidArgument, "redis: timeouts must be positive"));
        }
        // The redis client's TLS reads rustls' process default provider:
        // where the host has set none, it is this library's (in a `fips`
        // build, the FIPS one).
        if config.url.to_ascii_lowercase().starts_with("rediss")
            && rustls::crypto::CryptoProvider::get_default().is_none()
        {
            let _ = rustls::crypto::CryptoProvider::install_default(std::sync::Arc::unwrap_or_clone(
                crypto::rustls_provider(),
            ));
        }
        let backend = match parse_target(&config.url)? {
            Target::Single => Backend::Single(
                redis::Client::open(config.url.as_str())
                    .map_err(|_| Error::new(ErrorCode::InvalidArgument, BAD_URL))?,
            ),
            Target::Cluster(nodes) => Backend::Cluster(
                redis::cluster::ClusterClient::builder(nodes)
                    .connection_timeout(config.connect_timeout)
                    .response_timeout(config.command_timeout)
                    // A redirect after resharding is followed; a node that
                    // is down fails the check at once (closed) instead of
                    // waiting out the failover.
                    .retries(1)
                    .min_retry_wait(10)
                    .max_retry_wait(50)
                    .build()
                    .map_err(|_| bad_url("the nodes do not share one set of credentials"))?,
            ),
            Target::Sentinel(sentinels, service, primary) => {
                let primary =
                    primary.into_connection_info().map_err(|_| bad_url("the primary's credentials"))?;
                let node = redis::sentinel::SentinelNodeConnectionInfo::default()
                    .set_redis_connection_info(primary.redis_settings().clone());
                let node = match primary.addr() {
                    redis::ConnectionAddr::TcpTls { .. } => node.set_tls_mode(redis::TlsMode::Secure),
                    _ => node,
                };
                let client = redis::sentinel::SentinelClient::build(
                    sentinels,
                    service,
                    Some(node),
                    redis::sentinel::SentinelServerType::Master,
                )
                .map_err(|_| bad_url("the Sentinels' addresses"))?;
                Backend::Sentinel(Mutex::new(client))
            }
        };
        Ok(Self { backend, config, idle: Mutex::new(Vec::new()) })
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

    /// The kind of deployment the URL names: `"server"`, `"cluster"` or `"sentinel"`.
    #[must_use]
    pub const fn deployment(&self) -> &'static str {
        match self.backend {
            Backend::Single(_) => "server",
            Backend::Cluster(_) => "cluster",
            Backend::Sentinel(_) => "sentinel",
        }
    }

    fn connection(&self) -> std::result::Result<Conn, redis::RedisError> {
        if let Some(c) = self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            return Ok(c);
        }
        let single = |client: &redis::Client| {
            let c = client.get_connection_with_timeout(self.config.connect_timeout)?;
            c.set_read_timeout(Some(self.config.command_timeout))?;
            c.set_write_timeout(Some(self.config.command_timeout))?;
            Ok(Conn::Single(c))
        };
        match &self.backend {
            Backend::Single(client) => single(client),
            Backend::Cluster(client) => Ok(Conn::Cluster(Box::new(client.get_connection()?))),
            Backend::Sentinel(sentinel) => {
                // Ask the Sentinels for the primary (they check its role);
                // the lock is held only for that question.
                let client = sentinel
                    .lock()
                    .map_err(|_| {
                        redis::RedisError::from((redis::ErrorKind::Client, "sentinel lock poisoned"))
                    })?
                    .get_client()?;
                single(&client)
            }
        }
    }

    fn give_back(&self, c: Conn) {
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
        let r: std::result::Result<String, _> = redis::cmd("PING").query(c.get());
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
            redis::cmd("SET").arg(&key).arg(1).arg("NX").arg("PXAT").arg(until_ms).query(c.get());
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
        let r: std::result::Result<i64, _> = redis::cmd("EXISTS").arg(&key).query(c.get());
        match r {
            Ok(n) => {
                self.give_back(c);
                Ok(Some(n > 0))
            }
            Err(e) => Err(ReplayStoreError(describe(&e))),
        }
    }
}
