//! Remote key sets (`jwks_uri`, docs/SECURITY.md): fetched when first needed,
//! cached per URL, refreshed by Cache-Control within bounds or on an unknown
//! kid (at most once per cooldown), one fetch per URL at a time, the last
//! good set kept when a fetch fails.
//!
//! The fetch itself is a [`JwksFetcher`]: [`HttpFetcher`] (feature
//! `remote-jwks`: timeout, size cap, no redirects, resolved addresses checked
//! against the SSRF rules) or one the host supplies.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::algorithm::KeyType;
use crate::error::{Error, ErrorCode, Result};
use crate::json;
use crate::keys::{JwkSet, VerifyingKey};
use crate::net::{JwksUri, UriRules};

/// A fetched key set document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedJwks {
    /// The response body (a JWKS document).
    pub body: Vec<u8>,
    /// `max-age` from Cache-Control, in seconds (0 for `no-store` / `no-cache`).
    pub max_age: Option<i64>,
}

/// Fetches a `jwks_uri`. Implementations must bound their own size, and
/// answer within `timeout` (the cache's configured fetch timeout): an answer
/// that comes later is discarded as a failed fetch.
pub trait JwksFetcher: Send + Sync + fmt::Debug {
    /// Fetch the document at `uri` within `timeout`.
    ///
    /// # Errors
    /// A reason for logs (never the body).
    fn fetch(&self, uri: &JwksUri, timeout: Duration) -> Result<FetchedJwks, String>;
}

/// Remote key set settings (docs/SECURITY.md, "Remote key sets").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteJwksConfig {
    /// Freshness when the response has no usable Cache-Control (default 600 s).
    pub default_ttl: i64,
    /// Lower bound on freshness (default 60 s).
    pub min_ttl: i64,
    /// Upper bound on freshness (default 86 400 s).
    pub max_ttl: i64,
    /// Least time between two fetches of one URL, whatever triggers them
    /// (unknown kid, failure, expiry) (default 30 s).
    pub cooldown: i64,
    /// Whole-fetch time limit: resolve, connect, TLS, response (default 5 s).
    pub timeout: Duration,
    /// Largest accepted response body (default 64 KiB).
    pub max_size: usize,
    /// Which URLs and resolved addresses may be fetched.
    pub rules: UriRules,
}

impl Default for RemoteJwksConfig {
    fn default() -> Self {
        Self {
            default_ttl: 600,
            min_ttl: 60,
            max_ttl: 86_400,
            cooldown: 30,
            timeout: Duration::from_secs(5),
            max_size: 64 * 1024,
            rules: UriRules::default(),
        }
    }
}

impl RemoteJwksConfig {
    /// The settings as a JSON object (part of the verifier's `settings`):
    /// times in seconds, `timeout` in milliseconds.
    #[must_use]
    pub fn settings(&self) -> Value {
        serde_json::json!({
            "default_ttl": self.default_ttl,
            "min_ttl": self.min_ttl,
            "max_ttl": self.max_ttl,
            "cooldown": self.cooldown,
            "timeout_ms": u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
            "max_size": self.max_size,
            "allow_http": self.rules.allow_http,
            "allow_private_addresses": self.rules.allow_private_addresses,
        })
    }

    /// Check the settings: `0 <= min_ttl <= default_ttl <= max_ttl`,
    /// `cooldown >= 0`, a non-zero timeout and size limit. The bindings call
    /// this before building a cache from settings given by a host.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` naming the setting.
    pub fn check(&self) -> Result<()> {
        let bad = |d: &'static str| Err(Error::new(ErrorCode::InvalidArgument, d));
        if !(0 <= self.min_ttl && self.min_ttl <= self.default_ttl && self.default_ttl <= self.max_ttl) {
            return bad("remote JWKS: need 0 <= min_ttl <= default_ttl <= max_ttl");
        }
        if self.cooldown < 0 {
            return bad("remote JWKS: cooldown is negative");
        }
        if self.timeout.is_zero() || self.max_size == 0 {
            return bad("remote JWKS: timeout and max_size must be positive");
        }
        Ok(())
    }
}

#[derive(Default)]
struct State {
    keys: Option<Arc<JwkSet>>,
    fresh_until: i64,
    last_attempt: Option<i64>,
    fetching: bool,
    last_error: Option<String>,
    fetches: u64,
}

#[derive(Default)]
struct Entry {
    state: Mutex<State>,
    done: Condvar,
}

/// The cache of remote key sets, shared by a verifier's threads.
pub struct RemoteJwks {
    config: RemoteJwksConfig,
    fetcher: Arc<dyn JwksFetcher>,
    entries: Mutex<HashMap<String, Arc<Entry>>>,
}

impl fmt::Debug for RemoteJwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteJwks").field("config", &self.config).field("fetcher", &self.fetcher).finish()
    }
}

impl RemoteJwks {
    /// A cache fetching over HTTP(S) with [`HttpFetcher`].
    #[cfg(feature = "remote-jwks")]
    #[must_use]
    pub fn new(config: RemoteJwksConfig) -> Self {
        let fetcher = Arc::new(HttpFetcher::new(config));
        Self::with_fetcher(config, fetcher)
    }

    /// A cache using the host's fetch function (bounds on time and size are
    /// then the host's; the size cap is checked again here).
    #[must_use]
    pub fn with_fetcher(config: RemoteJwksConfig, fetcher: Arc<dyn JwksFetcher>) -> Self {
        Self { config, fetcher, entries: Mutex::new(HashMap::new()) }
    }

    /// The settings.
    #[must_use]
    pub const fn config(&self) -> &RemoteJwksConfig {
        &self.config
    }

    /// How many fetches of `uri` were started (for metrics and tests).
    #[must_use]
    pub fn fetch_count(&self, uri: &str) -> u64 {
        let entry = self.entries.lock().ok().and_then(|m| m.get(uri).cloned());
        entry.map_or(0, |e| e.state.lock().map_or(0, |s| s.fetches))
    }

    /// The key set for `uri` at `now`, fetching when there is none yet, when
    /// it is stale, or when `kid` is not in it — each at most once per
    /// cooldown. A failed fetch keeps the last good set.
    ///
    /// # Errors
    /// `JWKS_UNAVAILABLE` when no key set has ever been fetched successfully.
    pub fn keys(&self, uri: &JwksUri, kid: Option<&str>, now: i64) -> Result<Arc<JwkSet>> {
        self.lookup(uri, kid, now, false).0
    }

    /// After a signature failed with a key from `uri`: fetch the set again
    /// (the client may have rotated a key under the same kid), at most once
    /// per cooldown, one fetch at a time. The new set when this call (or the
    /// fetch it waited for) fetched one; `None` when the cooldown holds it
    /// back or the fetch failed.
    pub fn refresh(&self, uri: &JwksUri, now: i64) -> Option<Arc<JwkSet>> {
        match self.lookup(uri, None, now, true) {
            (Ok(set), true) => Some(set),
            _ => None,
        }
    }

    /// `keys`, or with `force` a refetch whatever the cache holds (within
    /// the cooldown); and whether the set returned was fetched by this call
    /// or by the fetch it waited for.
    fn lookup(&self, uri: &JwksUri, kid: Option<&str>, now: i64, force: bool) -> (Result<Arc<JwkSet>>, bool) {
        let entry = {
            let mut m = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            m.entry(uri.as_str().to_owned()).or_default().clone()
        };
        let mut st = entry.state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut waited = false;
        loop {
            let have = st.keys.clone();
            let kid_known = match (kid, &have) {
                (None, _) => true,
                (Some(k), Some(set)) => set.keys().iter().any(|key| key.kid() == Some(k)),
                (Some(_), None) => false,
            };
            let fresh = have.is_some() && now < st.fresh_until;
            let cooled = st.last_attempt.is_none_or(|t| now.saturating_sub(t) >= self.config.cooldown);
            let want = force || !fresh || !kid_known;
            if st.fetching && want && !waited && (force || !(have.is_some() && kid_known)) {
                // Single flight: wait for the fetch in progress, then use its result.
                let limit = self.config.timeout.saturating_add(Duration::from_secs(1));
                st = entry.done.wait_timeout(st, limit).unwrap_or_else(PoisonError::into_inner).0;
                waited = true;
                // The fetch waited for is the refetch asked for.
                if force && !st.fetching && st.last_error.is_none() {
                    return (st.keys.clone().ok_or_else(|| unavailable(None)), true);
                }
                continue;
            }
            if !want || !cooled || st.fetching || waited {
                return (have.ok_or_else(|| unavailable(st.last_error.as_deref())), false);
            }
            break;
        }
        st.fetching = true;
        st.last_attempt = Some(now);
        st.fetches += 1;
        drop(st);

        let outcome = self.fetch_and_parse(uri);

        let mut st = entry.state.lock().unwrap_or_else(PoisonError::into_inner);
        st.fetching = false;
        match outcome {
            Ok((set, ttl)) => {
                st.keys = Some(Arc::new(set));
                st.fresh_until = now.saturating_add(ttl);
                st.last_error = None;
            }
            Err(e) => st.last_error = Some(e),
        }
        entry.done.notify_all();
        let fetched = st.last_error.is_none();
        (st.keys.clone().ok_or_else(|| unavailable(st.last_error.as_deref())), fetched)
    }

    fn fetch_and_parse(&self, uri: &JwksUri) -> Result<(JwkSet, i64), String> {
        let timeout = self.config.timeout;
        let started = Instant::now();
        let fetched = self.fetcher.fetch(uri, timeout)?;
        // A host fetcher's late answer counts as no answer (fail closed).
        if started.elapsed() > timeout {
            return Err(format!("the fetch took longer than the {} ms timeout", timeout.as_millis()));
        }
        if fetched.body.len() > self.config.max_size {
            return Err(format!("JWKS is larger than {} bytes", self.config.max_size));
        }
        let set = parse_remote_jwks(&fetched.body)?;
        let c = &self.config;
        let ttl = fetched.max_age.unwrap_or(c.default_ttl).clamp(c.min_ttl, c.max_ttl.max(c.min_ttl));
        Ok((set, ttl))
    }
}

fn unavailable(why: Option<&str>) -> Error {
    Error::with_detail(
        ErrorCode::JwksUnavailable,
        format!("jwks_uri could not be fetched: {}", why.unwrap_or("a fetch is in progress")),
    )
}

/// A fetched JWKS: usable signature keys are kept; encryption keys, keys of
/// unsupported types and keys that fail validation are skipped (a published
/// set often holds more than signing keys); symmetric keys and private
/// members are never accepted from the network.
fn parse_remote_jwks(body: &[u8]) -> Result<JwkSet, String> {
    let doc = json::parse_unique(body).map_err(|e| format!("JWKS is not JSON: {e}"))?;
    let Some(Value::Array(items)) = doc.get("keys") else {
        return Err("JWKS has no `keys` array".into());
    };
    let keys: Vec<VerifyingKey> = items
        .iter()
        .filter_map(|item| match item {
            Value::Object(m) => VerifyingKey::from_jwk_object(m).ok(),
            _ => None,
        })
        .filter(|k| k.key_type() != KeyType::Oct)
        .collect();
    JwkSet::from_published_keys(keys).map_err(|e| e.detail().to_owned())
}

/// Parse `max-age` out of a Cache-Control value; `no-store`/`no-cache` give 0.
#[must_use]
pub fn cache_control_max_age(value: &str) -> Option<i64> {
    let mut max_age = None;
    for directive in value.split(',') {
        let d = directive.trim();
        if d.eq_ignore_ascii_case("no-store") || d.eq_ignore_ascii_case("no-cache") {
            return Some(0);
        }
        if let Some((k, v)) = d.split_once('=')
            && k.trim().eq_ignore_ascii_case("max-age")
        {
            max_age = v.trim().trim_matches('"').parse::<i64>().ok().map(|n| n.max(0));
        }
    }
    max_age
}

#[cfg(feature = "remote-jwks")]
pub use http::HttpFetcher;
#[cfg(feature = "remote-jwks")]
#[doc(hidden)]
pub use http::read_response as read_http_response;

#[cfg(feature = "remote-jwks")]
mod http {
    //! A deliberately small HTTP/1.1 GET: one request per connection, to an
    //! address checked after resolution (so DNS cannot point it at a private
    //! network), with one deadline for the whole exchange.

    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
    use std::sync::{Arc, LazyLock};
    use std::time::{Duration, Instant};

    use super::{FetchedJwks, JwksFetcher, RemoteJwksConfig, cache_control_max_age};
    use crate::net::{JwksUri, UriRules, is_public};

    const MAX_HEADER_BYTES: usize = 16 * 1024;

    static TLS: LazyLock<Option<Arc<rustls::ClientConfig>>> = LazyLock::new(|| {
        let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        // The crate's own provider (in a `fips` build, the FIPS one), not a
        // process default: the host may install another or none.
        rustls::ClientConfig::builder_with_provider(crate::crypto::rustls_provider())
            .with_safe_default_protocol_versions()
            .map(|b| Arc::new(b.with_root_certificates(roots).with_no_client_auth()))
            .ok()
    });

    /// Fetches over HTTP(S) with a deadline, a size cap, no redirects, and
    /// the resolved addresses checked against the SSRF rules.
    #[derive(Debug, Clone)]
    pub struct HttpFetcher {
        timeout: Duration,
        max_size: usize,
        rules: UriRules,
    }

    impl HttpFetcher {
        /// A fetcher with the limits and rules of `config`.
        #[must_use]
        pub const fn new(config: RemoteJwksConfig) -> Self {
            Self { timeout: config.timeout, max_size: config.max_size, rules: config.rules }
        }
    }

    impl JwksFetcher for HttpFetcher {
        fn fetch(&self, uri: &JwksUri, timeout: Duration) -> Result<FetchedJwks, String> {
            let deadline = Instant::now() + timeout.min(self.timeout);
            if !uri.is_https() && !self.rules.allow_http {
                return Err("jwks_uri must use https".into());
            }
            let addrs: Vec<SocketAddr> = (uri.host(), uri.port())
                .to_socket_addrs()
                .map_err(|e| format!("cannot resolve the jwks_uri host: {e}"))?
                .collect();
            if addrs.is_empty() {
                return Err("the jwks_uri host has no address".into());
            }
            if !self.rules.allow_private_addresses && addrs.iter().any(|a| !is_public(a.ip())) {
                return Err("the jwks_uri host resolves to a non-public address".into());
            }
            let mut last = String::from("no address could be reached");
            let mut stream = None;
            for a in &addrs {
                let left = remaining(deadline)?;
                match TcpStream::connect_timeout(a, left) {
                    Ok(s) => {
                        stream = Some(s);
                        break;
                    }
                    Err(e) => last = format!("cannot connect: {e}"),
                }
            }
            let tcp = stream.ok_or(last)?;
            tcp.set_nodelay(true).ok();
            let host_header = match (uri.is_https(), uri.port()) {
                (true, 443) | (false, 80) => bracket(uri.host()),
                (_, p) => format!("{}:{p}", bracket(uri.host())),
            };
            let request = format!(
                "GET {} HTTP/1.1\r\nHost: {host_header}\r\nAccept: application/jwk-set+json, application/json\r\n\
                 Accept-Encoding: identity\r\nUser-Agent: libjwtauth/{}\r\nConnection: close\r\n\r\n",
                uri.path(),
                crate::VERSION
            );
            if uri.is_https() {
                let name = rustls::pki_types::ServerName::try_from(uri.host().to_owned())
                    .map_err(|_| "the jwks_uri host is not a valid TLS server name".to_owned())?;
                let config = TLS.clone().ok_or_else(|| "TLS setup failed: no protocol version".to_owned())?;
                let conn = rustls::ClientConnection::new(config, name)
                    .map_err(|e| format!("TLS setup failed: {e}"))?;
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                exchange(&mut tls, request.as_bytes(), deadline, self.max_size, |s, t| {
                    s.sock.set_read_timeout(Some(t)).and_then(|()| s.sock.set_write_timeout(Some(t)))
                })
            } else {
                let mut plain = tcp;
                exchange(&mut plain, request.as_bytes(), deadline, self.max_size, |s, t| {
                    s.set_read_timeout(Some(t)).and_then(|()| s.set_write_timeout(Some(t)))
                })
            }
        }
    }

    fn bracket(host: &str) -> String {
        if host.contains(':') { format!("[{host}]") } else { host.to_owned() }
    }

    fn remaining(deadline: Instant) -> Result<Duration, String> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() { Err("the jwks_uri fetch timed out".into()) } else { Ok(left) }
    }

    /// Send the request and read one response within the deadline.
    fn exchange<S: Read + Write>(
        s: &mut S,
        request: &[u8],
        deadline: Instant,
        max_size: usize,
        set_timeout: impl Fn(&S, Duration) -> std::io::Result<()>,
    ) -> Result<FetchedJwks, String> {
        let io = |e: std::io::Error| {
            if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) {
                "the jwks_uri fetch timed out".to_owned()
            } else {
                format!("the jwks_uri fetch failed: {e}")
            }
        };
        set_timeout(s, remaining(deadline)?).map_err(io)?;
        s.write_all(request).map_err(io)?;
        s.flush().map_err(io)?;
        // Read everything up to the cap (headers + body + chunk framing).
        let cap = MAX_HEADER_BYTES + max_size + max_size / 8 + 1024;
        let mut buf = Vec::with_capacity(8 * 1024);
        let mut chunk = [0u8; 8 * 1024];
        let mut head_end = None;
        let mut expected_total = None;
        loop {
            if let Some(total) = expected_total
                && buf.len() >= total
            {
                break;
            }
            set_timeout(s, remaining(deadline)?).map_err(io)?;
            let n = match s.read(&mut chunk) {
                Ok(n) => n,
                // A peer closing TLS without close_notify after a complete body is common.
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => 0,
                Err(e) => return Err(io(e)),
            };
            if n == 0 {
                break;
            }
            buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
            if buf.len() > cap {
                return Err(format!("the JWKS response is larger than {max_size} bytes"));
            }
            if head_end.is_none() {
                head_end = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4);
                match head_end {
                    None if buf.len() > MAX_HEADER_BYTES => {
                        return Err("response headers are too large".into());
                    }
                    None => continue,
                    Some(end) => {
                        let head = parse_head(buf.get(..end).unwrap_or_default())?;
                        if let Some(len) = head.content_length {
                            if len > max_size {
                                return Err(format!("the JWKS response is larger than {max_size} bytes"));
                            }
                            expected_total = Some(end + len);
                        }
                    }
                }
            }
        }
        let end = head_end.ok_or("the response ended before its headers")?;
        let head = parse_head(buf.get(..end).unwrap_or_default())?;
        let raw = buf.get(end..).unwrap_or_default();
        let body = if head.chunked {
            dechunk(raw, max_size)?
        } else if let Some(len) = head.content_length {
            raw.get(..len).ok_or("the response body is shorter than its Content-Length")?.to_vec()
        } else {
            raw.to_vec()
        };
        if body.len() > max_size {
            return Err(format!("the JWKS response is larger than {max_size} bytes"));
        }
        Ok(FetchedJwks { body, max_age: head.cache_control.as_deref().and_then(cache_control_max_age) })
    }

    /// A canned response, read as the fetcher reads a connection (for the
    /// fuzz target of the response reader; requests written to it vanish).
    struct Canned<'a>(&'a [u8]);

    impl Read for Canned<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.0.read(buf)
        }
    }

    impl Write for Canned<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Read `response` (status line, headers, plain or chunked body) as the
    /// fetcher reads one from the network. Not API: the fuzz target's entry.
    #[doc(hidden)]
    pub fn read_response(response: &[u8], max_size: usize) -> Result<FetchedJwks, String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        exchange(&mut Canned(response), b"", deadline, max_size, |_, _| Ok(()))
    }

    #[derive(Debug)]
    struct Head {
        content_length: Option<usize>,
        chunked: bool,
        cache_control: Option<String>,
    }

    fn parse_head(head: &[u8]) -> Result<Head, String> {
        let text = std::str::from_utf8(head).map_err(|_| "response headers are not text".to_owned())?;
        let mut lines = text.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or_default();
        let status: u16 = parts.next().and_then(|s| s.parse().ok()).ok_or("malformed HTTP status line")?;
        if !version.starts_with("HTTP/1.") {
            return Err("not an HTTP/1.x response".into());
        }
        if (300..400).contains(&status) {
            return Err(format!("HTTP {status}: redirects are not followed"));
        }
        if status != 200 {
            return Err(format!("HTTP {status}"));
        }
        let mut h = Head { content_length: None, chunked: false, cache_control: None };
        for line in lines.filter(|l| !l.is_empty()) {
            let Some((name, value)) = line.split_once(':') else { continue };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                h.content_length = Some(value.parse().map_err(|_| "malformed Content-Length".to_owned())?);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                h.chunked = value.to_ascii_lowercase().split(',').any(|t| t.trim() == "chunked");
            } else if name.eq_ignore_ascii_case("cache-control") {
                h.cache_control = Some(value.to_owned());
            }
        }
        if h.chunked {
            h.content_length = None;
        }
        Ok(h)
    }

    fn dechunk(mut raw: &[u8], max_size: usize) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        loop {
            let line_end = raw.windows(2).position(|w| w == b"\r\n").ok_or("truncated chunked body")?;
            let size_text = std::str::from_utf8(raw.get(..line_end).unwrap_or_default())
                .map_err(|_| "malformed chunk size".to_owned())?;
            let size_hex = size_text.split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(size_hex, 16).map_err(|_| "malformed chunk size".to_owned())?;
            raw = raw.get(line_end + 2..).unwrap_or_default();
            if size == 0 {
                return Ok(out);
            }
            if out.len().saturating_add(size) > max_size {
                return Err(format!("the JWKS response is larger than {max_size} bytes"));
            }
            out.extend_from_slice(raw.get(..size).ok_or("truncated chunked body")?);
            raw = raw.get(size..).and_then(|r| r.strip_prefix(b"\r\n")).ok_or("malformed chunked body")?;
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn dechunks() {
            assert_eq!(dechunk(b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n", 100).unwrap(), b"abcde");
            assert!(dechunk(b"3\r\nabc\r\n", 100).is_err());
            assert!(dechunk(b"ff\r\nabc", 100).is_err());
            assert!(dechunk(b"65\r\n", 100).is_err(), "over the cap");
        }

        #[test]
        fn heads() {
            let h = parse_head(
                b"HTTP/1.1 200 OK\r\nCache-Control: public, max-age=120\r\nContent-Length: 5\r\n\r\n",
            )
            .unwrap();
            assert_eq!(
                (h.content_length, h.chunked, h.cache_control.as_deref()),
                (Some(5), false, Some("public, max-age=120"))
            );
            assert!(
                parse_head(b"HTTP/1.1 302 Found\r\nLocation: x\r\n\r\n").unwrap_err().contains("redirect")
            );
            assert!(parse_head(b"HTTP/1.1 500 Oops\r\n\r\n").is_err());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control() {
        assert_eq!(cache_control_max_age("public, max-age=120"), Some(120));
        assert_eq!(cache_control_max_age("max-age=\"5\""), Some(5));
        assert_eq!(cache_control_max_age("no-store"), Some(0));
        assert_eq!(cache_control_max_age("private"), None);
        assert_eq!(cache_control_max_age("max-age=-3"), Some(0));
    }
}
