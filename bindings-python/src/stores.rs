//! Clock, replay stores and the remote JWKS cache.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jwtauth::{
    FetchedJwks, JwksFetcher, JwksUri, RemoteJwksConfig, ReplayCheck, ReplayStore, ReplayStoreError,
};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyInt, PyString, PyTuple};

use crate::callback;
use crate::convert::bytes;
use crate::errors::IntoPy;

/// The type name of a callback's answer, for the reason in logs.
pub(crate) fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type().name().map_or_else(|_| "?".to_owned(), |n| n.to_string())
}

/// A clock the program sets (tests, replays of recorded traffic).
#[pyclass(module = "jwtauth", frozen)]
pub struct FixedClock {
    pub(crate) inner: Arc<jwtauth::FixedClock>,
}

#[pymethods]
impl FixedClock {
    #[new]
    fn new(now: i64) -> Self {
        Self { inner: Arc::new(jwtauth::FixedClock::new(now)) }
    }

    /// Set the time (Unix seconds).
    fn set(&self, now: i64) {
        self.inner.set(now);
    }

    /// Move the time forward by `seconds`.
    fn advance(&self, seconds: i64) {
        self.inner.advance(seconds);
    }

    /// The time (Unix seconds).
    #[getter]
    fn now(&self) -> i64 {
        jwtauth::Clock::now(&*self.inner)
    }
}

/// The in-memory replay store (bounded; refuses new assertions when full).
#[pyclass(module = "jwtauth", frozen)]
pub struct MemoryReplayStore {
    pub(crate) inner: Arc<jwtauth::MemoryReplayStore>,
}

#[pymethods]
impl MemoryReplayStore {
    #[new]
    #[pyo3(signature = (capacity = None))]
    fn new(capacity: Option<usize>) -> Self {
        let s = capacity.map_or_else(jwtauth::MemoryReplayStore::default, jwtauth::MemoryReplayStore::new);
        Self { inner: Arc::new(s) }
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }
}

/// A replay store written in Python: any object with
/// `check_and_insert(client_id, jti, expires_at, now) -> bool` (True when
/// the pair was new and is now recorded, False when it was already there;
/// an exception fails closed).
pub(crate) struct PyReplayStore(pub(crate) Py<PyAny>);

impl fmt::Debug for PyReplayStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PyReplayStore")
    }
}

impl ReplayStore for PyReplayStore {
    fn check_and_insert(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<ReplayCheck, ReplayStoreError> {
        Python::attach(|py| {
            let store = self.0.bind(py);
            let r = callback::answer(py, "replay store", || {
                store.call_method1("check_and_insert", (client_id, jti, expires_at, now))
            })
            .map_err(ReplayStoreError)?;
            // Only a bool answers: a coroutine, "no", [False] or None is no
            // answer at all, never "fresh".
            match r.cast::<PyBool>() {
                Ok(b) if b.is_true() => Ok(ReplayCheck::Fresh),
                Ok(_) => Ok(ReplayCheck::Replayed),
                Err(_) => Err(ReplayStoreError(format!(
                    "the replay store answered a {} instead of a bool",
                    type_name(&r)
                ))),
            }
        })
    }
}

/// The replay store on Redis (or Valkey), shared by every node of a
/// deployment: one atomic `SET key 1 NX PXAT until` per check. Nothing
/// connects until the first check; while Redis is unreachable or slower than
/// the timeouts, verification raises `ServerError`
/// (`JWTAUTH_REPLAY_STORE_UNAVAILABLE`, 503) and never accepts; the store
/// reconnects by itself.
#[pyclass(module = "jwtauth", frozen)]
pub struct RedisReplayStore {
    pub(crate) inner: Arc<jwtauth::RedisReplayStore>,
}

#[pymethods]
impl RedisReplayStore {
    /// `url`: one server (`redis://[user:password@]host[:port][/db]`,
    /// `rediss://…` for TLS, `redis+unix:///path`), a Redis Cluster
    /// (`redis+cluster://host:port,host:port/`) or a primary found through
    /// Sentinel (`redis+sentinel://host:port,host:port/service`); `prefix` namespaces the keys (default
    /// `jwtauth:jti`); `pool_size` idle connections (8); timeouts in seconds
    /// (connect 1.0, command 0.5).
    #[new]
    #[pyo3(signature = (url, *, prefix = None, pool_size = None, connect_timeout = None, command_timeout = None))]
    fn new(
        py: Python<'_>,
        url: &str,
        prefix: Option<String>,
        pool_size: Option<usize>,
        connect_timeout: Option<f64>,
        command_timeout: Option<f64>,
    ) -> PyResult<Self> {
        let mut c = jwtauth::RedisReplayConfig::new(url);
        if let Some(p) = prefix {
            c.prefix = p;
        }
        if let Some(n) = pool_size {
            c.pool_size = n;
        }
        let secs = |t: f64| {
            Duration::try_from_secs_f64(t)
                .map_err(|_| crate::errors::usage(py, "timeouts must be non-negative numbers of seconds"))
        };
        if let Some(t) = connect_timeout {
            c.connect_timeout = secs(t)?;
        }
        if let Some(t) = command_timeout {
            c.command_timeout = secs(t)?;
        }
        Ok(Self { inner: Arc::new(jwtauth::RedisReplayStore::new(c).py_err(py)?) })
    }

    /// The key prefix.
    #[getter]
    fn prefix(&self) -> &str {
        &self.inner.config().prefix
    }

    /// The Redis key recording (client_id, jti).
    fn key(&self, client_id: &str, jti: &str) -> String {
        self.inner.key(client_id, jti)
    }

    /// Raise `ServerError` unless Redis answers a PING now (health checks).
    fn ping(&self, py: Python<'_>) -> PyResult<()> {
        let s = &self.inner;
        py.detach(|| s.ping()).py_err(py)
    }

    fn __repr__(&self) -> String {
        format!("RedisReplayStore(prefix={:?})", self.inner.config().prefix)
    }
}

/// A replay store argument: ours, or a Python object.
pub(crate) fn replay_store(obj: &Bound<'_, PyAny>) -> Arc<dyn ReplayStore> {
    if let Ok(m) = obj.cast::<MemoryReplayStore>() {
        return m.get().inner.clone();
    }
    if let Ok(r) = obj.cast::<RedisReplayStore>() {
        return r.get().inner.clone();
    }
    Arc::new(PyReplayStore(obj.clone().unbind()))
}

/// A fetch function written in Python: `fetch(uri) -> bytes | str | (body,
/// max_age)`; an exception is a failed fetch.
struct PyFetcher(Py<PyAny>);

impl fmt::Debug for PyFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PyFetcher")
    }
}

impl JwksFetcher for PyFetcher {
    fn fetch(&self, uri: &JwksUri, _timeout: Duration) -> Result<FetchedJwks, String> {
        Python::attach(|py| {
            let f = self.0.bind(py);
            let r = callback::answer(py, "JWKS fetcher", || f.call1((uri.as_str(),)))?;
            // `bytes | str | (body, max_age)`, nothing else.
            let (body, max_age) = match r.cast::<PyTuple>() {
                Ok(t) if t.len() == 2 => {
                    let body = t.get_item(0).map_err(|e| e.to_string())?;
                    let age = t.get_item(1).map_err(|e| e.to_string())?;
                    let max_age = if age.is_none() {
                        None
                    } else if age.is_instance_of::<PyInt>() && !age.is_instance_of::<PyBool>() {
                        Some(
                            age.extract::<i64>()
                                .map_err(|_| "the fetcher's max_age is out of range".to_owned())?,
                        )
                    } else {
                        return Err(format!("the fetcher's max_age is a {}, not an int", type_name(&age)));
                    };
                    (body, max_age)
                }
                _ => (r, None),
            };
            if !(body.is_instance_of::<PyBytes>()
                || body.is_instance_of::<PyString>()
                || body.is_instance_of::<PyByteArray>())
            {
                return Err(format!("the fetcher answered a {} instead of bytes or str", type_name(&body)));
            }
            let body =
                bytes(&body, "body").map_err(|_| "the fetcher's body is not UTF-8".to_owned())?.into_owned();
            Ok(FetchedJwks { body, max_age })
        })
    }
}

/// The remote JWKS cache for clients registered with a `jwks_uri`.
#[pyclass(module = "jwtauth", frozen)]
pub struct RemoteJwks {
    pub(crate) inner: Arc<jwtauth::RemoteJwks>,
}

#[pymethods]
impl RemoteJwks {
    /// Defaults: TTL 600 s within [60, 86400], cooldown 30 s, timeout 5 s,
    /// body ≤ 64 KiB, https only, public addresses only; `fetch` (a
    /// callable taking the URL) replaces the built-in HTTPS client.
    #[new]
    #[pyo3(signature = (*, default_ttl = 600, min_ttl = 60, max_ttl = 86_400, cooldown = 30,
                        timeout = 5.0, max_size = 65_536, allow_http = false,
                        allow_private_addresses = false, fetch = None))]
    #[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn new(
        py: Python<'_>,
        default_ttl: i64,
        min_ttl: i64,
        max_ttl: i64,
        cooldown: i64,
        timeout: f64,
        max_size: usize,
        allow_http: bool,
        allow_private_addresses: bool,
        fetch: Option<Py<PyAny>>,
    ) -> PyResult<Self> {
        let timeout = Duration::try_from_secs_f64(timeout)
            .map_err(|_| crate::errors::usage(py, "timeout must be a non-negative number of seconds"))?;
        let mut c = RemoteJwksConfig {
            default_ttl,
            min_ttl,
            max_ttl,
            cooldown,
            timeout,
            max_size,
            ..RemoteJwksConfig::default()
        };
        c.rules.allow_http = allow_http;
        c.rules.allow_private_addresses = allow_private_addresses;
        c.check().py_err(py)?;
        let inner = match fetch {
            Some(f) => jwtauth::RemoteJwks::with_fetcher(c, Arc::new(PyFetcher(f))),
            None => jwtauth::RemoteJwks::new(c),
        };
        Ok(Self { inner: Arc::new(inner) })
    }

    /// How many fetches of `uri` were started.
    fn fetch_count(&self, uri: &str) -> u64 {
        self.inner.fetch_count(uri)
    }
}

/// A policy hook written in Python: `hook(context: dict) -> bool | str`,
/// True accepts, False refuses, a str refuses with that reason (for the
/// logs); an exception, a late answer or any other answer fails closed.
pub(crate) struct PyPolicyHook(pub(crate) Py<PyAny>);

impl fmt::Debug for PyPolicyHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PyPolicyHook")
    }
}

impl jwtauth::PolicyHook for PyPolicyHook {
    fn check(&self, context: &jwtauth::HookContext<'_>) -> Result<(), jwtauth::HookError> {
        use jwtauth::HookError::{Failed, Refused};
        Python::attach(|py| {
            let doc = crate::convert::to_python(py, &context.to_json())
                .map_err(|_| Failed("the context could not be converted".into()))?;
            let hook = self.0.bind(py);
            let r = callback::answer(py, "policy hook", || hook.call1((doc,))).map_err(Failed)?;
            if let Ok(b) = r.cast::<PyBool>() {
                return if b.is_true() { Ok(()) } else { Err(Refused("the hook answered False".into())) };
            }
            if let Ok(s) = r.cast::<PyString>() {
                return Err(Refused(s.to_string()));
            }
            Err(Failed(format!(
                "the policy hook answered a {} instead of True, False or a reason",
                type_name(&r)
            )))
        })
    }
}

/// `hook(event) -> None`: told every outcome (a dict: `outcome`,
/// `endpoint`, `client_id`, `method`, `alg`, `profile`, `code`, `status`,
/// `error`, `detail`, `would_refuse`, `duration_us`). Called with the GIL
/// on the verifying thread once the outcome is final; what it returns is
/// ignored, what it raises goes to `sys.unraisablehook`. It is told, not
/// asked: nothing it does changes the outcome.
pub(crate) struct PyEventHook(pub(crate) Py<PyAny>);

impl fmt::Debug for PyEventHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PyEventHook")
    }
}

impl jwtauth::EventHook for PyEventHook {
    fn event(&self, event: &jwtauth::Event<'_>) {
        Python::attach(|py| {
            let hook = self.0.bind(py);
            let told = crate::convert::to_python(py, &event.to_json()).and_then(|doc| hook.call1((doc,)));
            match told {
                Ok(r) if r.hasattr("__await__").unwrap_or(false) => {
                    // A coroutine nobody will await: closed, and the host told why.
                    let _ = r.call_method0("close");
                    pyo3::exceptions::PyTypeError::new_err(
                        "the event hook returned an awaitable: it must be a plain function \
                         (schedule async work from it, e.g. with loop.call_soon_threadsafe)",
                    )
                    .write_unraisable(py, Some(hook));
                }
                Ok(_) => {}
                Err(e) => e.write_unraisable(py, Some(hook)),
            }
        });
    }
}
