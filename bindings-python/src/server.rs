//! The server side: `Client`, `Registry`, `Verifier`, `Authenticator` and
//! their results. Verifiers, registries and authenticators are meant to be
//! made once and shared by every thread; signature work runs without the
//! GIL.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};

use jwtauth::{AudienceMode, Authorization, Clock, MemoryRegistry};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::callback;
use crate::convert::{json_text, request_bytes, to_python};
use crate::errors::{IntoPy, auth_to_py, usage};
use crate::keys::algorithm;
use crate::policy::{CredentialPolicy, now_or_system};
use crate::stores::{self, FixedClock, RemoteJwks, type_name};

/// One registered client, its keys parsed once.
#[pyclass(module = "jwtauth", frozen)]
pub struct Client {
    pub(crate) inner: Arc<jwtauth::Client>,
}

#[pymethods]
impl Client {
    /// A client from its registration metadata (dict or JSON; RFC 7591
    /// names, docs/registry.md), checked against `policy` (default policy
    /// when None) at `now` (default: the system clock). Raises
    /// `InvalidCredentialError` listing every problem.
    #[staticmethod]
    #[pyo3(signature = (metadata, *, policy = None, now = None))]
    fn from_metadata(
        py: Python<'_>,
        metadata: &Bound<'_, PyAny>,
        policy: Option<&CredentialPolicy>,
        now: Option<i64>,
    ) -> PyResult<Self> {
        let text = json_text(metadata, "metadata")?;
        let default = jwtauth::CredentialPolicy::default();
        let policy = policy.map_or(&default, |p| &p.inner);
        Ok(Self { inner: Arc::new(policy.check_client_json(&text, now_or_system(now)).py_err(py)?) })
    }

    /// The client id.
    #[getter]
    fn client_id(&self) -> &str {
        self.inner.client_id()
    }

    /// The registered token_endpoint_auth_method.
    #[getter]
    fn method(&self) -> &'static str {
        self.inner.method().as_str()
    }

    fn __repr__(&self) -> String {
        format!("Client({:?}, {})", self.inner.client_id(), self.inner.method().as_str())
    }
}

/// The host's registry: a callable `lookup(client_id) -> Client | None`.
struct PyRegistry(Py<PyAny>);

impl fmt::Debug for PyRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PyRegistry")
    }
}

impl jwtauth::Registry for PyRegistry {
    fn client(&self, client_id: &str) -> jwtauth::Result<Option<Arc<jwtauth::Client>>> {
        Python::attach(|py| {
            let unavailable =
                |why: String| jwtauth::Error::with_detail(jwtauth::ErrorCode::RegistryUnavailable, why);
            let f = self.0.bind(py);
            let r = callback::answer(py, "registry lookup", || f.call1((client_id,))).map_err(unavailable)?;
            if r.is_none() {
                return Ok(None);
            }
            let c = r.cast::<Client>().map_err(|_| {
                unavailable(format!("the lookup answered a {} instead of a Client or None", type_name(&r)))
            })?;
            Ok(Some(c.get().inner.clone()))
        })
    }
}

/// Where clients are found: in memory (from a registry document, `add`,
/// `remove`), or the host's `lookup` callable.
#[pyclass(module = "jwtauth", frozen)]
pub struct Registry {
    pub(crate) inner: Arc<dyn jwtauth::Registry>,
    memory: Option<Arc<MemoryRegistry>>,
}

impl Registry {
    fn memory(&self, py: Python<'_>) -> PyResult<&MemoryRegistry> {
        self.memory
            .as_deref()
            .ok_or_else(|| usage(py, "a callback registry is changed in the host's own store"))
    }
}

#[pymethods]
impl Registry {
    /// An empty in-memory registry.
    #[new]
    fn new() -> Self {
        let m = Arc::new(MemoryRegistry::new());
        Self { inner: m.clone(), memory: Some(m) }
    }

    /// An in-memory registry from a registry document (`{"clients": [...]}`
    /// as dict or JSON), every client checked against `policy`; all or
    /// nothing (`InvalidCredentialError` lists every problem).
    #[staticmethod]
    #[pyo3(signature = (doc, *, policy = None, now = None))]
    fn from_json(
        py: Python<'_>,
        doc: &Bound<'_, PyAny>,
        policy: Option<&CredentialPolicy>,
        now: Option<i64>,
    ) -> PyResult<Self> {
        let text = json_text(doc, "doc")?;
        let default = jwtauth::CredentialPolicy::default();
        let policy = policy.map_or(&default, |p| &p.inner);
        let m = Arc::new(MemoryRegistry::from_json(&text, policy, now_or_system(now)).py_err(py)?);
        Ok(Self { inner: m.clone(), memory: Some(m) })
    }

    /// A registry backed by `lookup(client_id) -> Client | None` (called
    /// from any thread; an exception refuses the request with
    /// REGISTRY_UNAVAILABLE).
    #[staticmethod]
    fn from_callback(lookup: Py<PyAny>) -> Self {
        Self { inner: Arc::new(PyRegistry(lookup)), memory: None }
    }

    /// Register a client (a `Client`, or metadata checked against `policy`).
    #[pyo3(signature = (client, *, policy = None, now = None))]
    fn add(
        &self,
        py: Python<'_>,
        client: &Bound<'_, PyAny>,
        policy: Option<&CredentialPolicy>,
        now: Option<i64>,
    ) -> PyResult<()> {
        let m = self.memory(py)?;
        if let Ok(c) = client.cast::<Client>() {
            m.insert((*c.get().inner).clone());
            return Ok(());
        }
        let text = json_text(client, "client")?;
        let default = jwtauth::CredentialPolicy::default();
        let policy = policy.map_or(&default, |p| &p.inner);
        m.register_json(&text, policy, now_or_system(now)).py_err(py)
    }

    /// Remove a client; whether it was there.
    fn remove(&self, py: Python<'_>, client_id: &str) -> PyResult<bool> {
        Ok(self.memory(py)?.remove(client_id))
    }

    /// The registered client, or None.
    fn get(&self, py: Python<'_>, client_id: &str) -> PyResult<Option<Client>> {
        Ok(self.inner.client(client_id).py_err(py)?.map(|inner| Client { inner }))
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(self.memory(py)?.len())
    }

    fn __contains__(&self, py: Python<'_>, client_id: &str) -> PyResult<bool> {
        Ok(self.inner.client(client_id).py_err(py)?.is_some())
    }
}

/// Verifies client assertions; make one per server and share it.
#[pyclass(module = "jwtauth", frozen)]
pub struct Verifier {
    pub(crate) inner: Arc<jwtauth::Verifier>,
}

#[pymethods]
impl Verifier {
    /// A verifier for the server whose issuer identifier is `issuer`.
    /// `leeway`: clock skew allowed, seconds (default 60); `max_age`: largest
    /// age of an assertion, now − iat (or, without iat, exp − now), seconds
    /// (default 300); `max_lifetime`: largest exp − iat, seconds, inclusive
    /// (default 3600); `max_assertion_len`: bytes (default 16384).
    /// `replay_store`: a `MemoryReplayStore` (the default: a fresh one), a
    /// `RedisReplayStore` (servers on many nodes), or
    /// any object with `check_and_insert(client_id, jti, expires_at, now)
    /// -> bool`. `remote_jwks`: a `RemoteJwks`, or False to disable
    /// `jwks_uri` clients. `profile` / `report_profile`: docs/profiles.md;
    /// `endpoints`: URLs of other endpoints by RFC 8414 name (see `at`).
    /// `policy_hook`: `hook(context) -> bool | str`, asked after every check
    /// and before the jti is recorded (`context`: `client_id`, `method`,
    /// `alg`, `kid`, `typ`, `claims`); True accepts, False or a reason
    /// refuses (`POLICY_REFUSED`, 401); an exception, a late answer or any
    /// other answer fails closed (`HOOK_FAILED`, 503). `async def` in the
    /// async variants. `event_hook`: `hook(event) -> None`, told every
    /// outcome of this verifier and the authenticators over it (a dict:
    /// `outcome`, `endpoint`, `client_id`, `method`, `alg`, `profile`,
    /// `code`, `status`, `error`, `detail`, `would_refuse`, `duration_us`)
    /// on the verifying thread once the outcome is final; a plain function
    /// whose exceptions go to `sys.unraisablehook`: it changes no outcome.
    #[new]
    #[pyo3(signature = (issuer, *, token_endpoint = None, audiences = Vec::new(), audience_mode = "compat",
                        profile = "compat", report_profile = None, endpoints = None, policy_hook = None, event_hook = None,
                        leeway = None, max_age = None, max_lifetime = None, max_assertion_len = None, algorithms = None,
                        replay_store = None, clock = None, remote_jwks = None))]
    #[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn new(
        py: Python<'_>,
        issuer: &str,
        token_endpoint: Option<&str>,
        audiences: Vec<String>,
        audience_mode: &str,
        profile: &str,
        report_profile: Option<&str>,
        endpoints: Option<std::collections::BTreeMap<String, String>>,
        policy_hook: Option<&Bound<'_, PyAny>>,
        event_hook: Option<&Bound<'_, PyAny>>,
        leeway: Option<i64>,
        max_age: Option<i64>,
        max_lifetime: Option<i64>,
        max_assertion_len: Option<usize>,
        algorithms: Option<Vec<String>>,
        replay_store: Option<&Bound<'_, PyAny>>,
        clock: Option<&FixedClock>,
        remote_jwks: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut b = jwtauth::Verifier::builder(issuer);
        if let Some(t) = token_endpoint {
            b = b.token_endpoint(t);
        }
        for a in audiences {
            b = b.extra_audience(a);
        }
        b = b.audience_mode(
            AudienceMode::from_name(audience_mode)
                .ok_or_else(|| usage(py, "audience_mode must be strict or compat"))?,
        );
        let named = |name: &str| jwtauth::Profile::named(name).py_err(py);
        b = b.profile(named(profile)?);
        if let Some(r) = report_profile {
            b = b.report_profile(named(r)?);
        }
        for (name, url) in endpoints.into_iter().flatten() {
            b = b.endpoint(endpoint(py, &name)?, url);
        }
        if let Some(h) = policy_hook {
            if !h.is_callable() {
                return Err(usage(py, "policy_hook must be callable"));
            }
            b = b.policy_hook(Arc::new(stores::PyPolicyHook(h.clone().unbind())));
        }
        if let Some(h) = event_hook {
            if !h.is_callable() {
                return Err(usage(py, "event_hook must be callable"));
            }
            b = b.event_hook(Arc::new(stores::PyEventHook(h.clone().unbind())));
        }
        if let Some(l) = leeway {
            b = b.leeway(l);
        }
        if let Some(m) = max_age {
            b = b.max_age(m);
        }
        if let Some(m) = max_lifetime {
            b = b.max_lifetime(m);
        }
        if let Some(m) = max_assertion_len {
            b = b.max_assertion_len(m);
        }
        if let Some(list) = algorithms {
            let mut set = jwtauth::AlgorithmSet::EMPTY;
            for a in list {
                set = set.with(algorithm(py, &a)?);
            }
            b = b.allowed_algorithms(set);
        }
        if let Some(s) = replay_store {
            b = b.replay_store(stores::replay_store(s));
        }
        if let Some(c) = clock {
            b = b.clock(c.inner.clone() as Arc<dyn Clock>);
        }
        if let Some(r) = remote_jwks {
            if let Ok(r) = r.cast::<RemoteJwks>() {
                b = b.remote_jwks(r.get().inner.clone());
            } else if !r.is_truthy()? {
                b = b.without_remote_jwks();
            } else {
                return Err(usage(py, "remote_jwks must be a RemoteJwks or False"));
            }
        }
        Ok(Self { inner: Arc::new(b.build().py_err(py)?) })
    }

    /// Verify `assertion` (the client_assertion value), finding the client
    /// from its iss/sub in `registry`; `client_id` is the request's
    /// client_id parameter, if any (it must agree). Raises
    /// `InvalidClientError` (or another `JwtAuthError`) when refused.
    /// Host callbacks must answer within `timeout` seconds (default 10) of
    /// the call; an `async def` callback needs `verify_async`.
    #[pyo3(signature = (assertion, registry, *, client_id = None, timeout = None))]
    fn verify(
        &self,
        py: Python<'_>,
        assertion: &Bound<'_, PyAny>,
        registry: &Registry,
        client_id: Option<&str>,
        timeout: Option<f64>,
    ) -> PyResult<VerifiedAssertion> {
        let timeout = callback::timeout(py, timeout)?;
        let assertion = request_bytes(assertion, "assertion")?;
        let (v, reg) = (&self.inner, &registry.inner);
        let (r, misuse) =
            py.detach(|| callback::run(timeout, || v.verify_bytes_in(&assertion, client_id, &**reg)));
        if let Some(why) = misuse {
            return Err(usage(py, why));
        }
        Ok(VerifiedAssertion::new(r.py_err(py)?))
    }

    /// As `verify`, awaitable: runs on the event loop's default executor, and
    /// host callbacks may be `async def` (awaited on this loop); the whole
    /// call, callbacks included, is bounded by `timeout` (default 10 s).
    #[pyo3(signature = (assertion, registry, *, client_id = None, timeout = None))]
    fn verify_async<'py>(
        slf: &Bound<'py, Self>,
        assertion: &Bound<'py, PyAny>,
        registry: &Bound<'py, Registry>,
        client_id: Option<&str>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let kwargs = PyDict::new(py);
        kwargs.set_item("client_id", client_id)?;
        run_async(py, &slf.getattr("verify")?, timeout, (assertion, registry), kwargs)
    }

    /// Why this verifier accepts or refuses `assertion`, rule by rule, as a
    /// dict: ``verdict`` (``"accepted"`` or ``"refused"``), ``client_id`` or
    /// ``error`` and ``detail``, and ``steps`` (``rule``, ``name``, ``checks``,
    /// ``status``: ``pass`` / ``fail`` / ``not_reached``, ``detail``, ``fix``).
    /// The verifier's own pipeline, recording nothing: the verdict is what
    /// ``verify`` would answer now, and the assertion stays unused.
    #[pyo3(signature = (assertion, registry, *, client_id = None, timeout = None))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        assertion: &Bound<'py, PyAny>,
        registry: &Registry,
        client_id: Option<&str>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let timeout = callback::timeout(py, timeout)?;
        let assertion = request_bytes(assertion, "assertion")?;
        let (v, reg) = (&self.inner, &registry.inner);
        let (e, misuse) = py.detach(|| callback::run(timeout, || v.explain(&assertion, client_id, &**reg)));
        if let Some(why) = misuse {
            return Err(usage(py, why));
        }
        to_python(py, &e.to_json())
    }

    /// Verify a JWT bearer grant assertion (RFC 7523 §2.1) against
    /// `trust_table`: the client assertion's rules, the issuer trusted
    /// before any key is fetched, its keys only, the subject allowed, the
    /// jti recorded under the issuer. Raises a `JwtAuthError` naming the
    /// rule that failed (`UNTRUSTED_ISSUER`, `SUBJECT_NOT_ALLOWED`, …).
    fn verify_grant(
        &self,
        py: Python<'_>,
        assertion: &Bound<'_, PyAny>,
        trust_table: &crate::grant::TrustTable,
    ) -> PyResult<crate::grant::Grant> {
        let assertion = request_bytes(assertion, "assertion")?;
        let (v, t) = (&self.inner, &trust_table.inner);
        let r = py.detach(|| v.verify_grant(&assertion, t));
        Ok(crate::grant::Grant::new(r.py_err(py)?))
    }

    /// Why `verify_grant` would accept or refuse `assertion` now, step by
    /// step, as a dict (``verdict``, ``issuer``, ``subject``, or ``error``,
    /// ``detail`` and the ``response`` to send; ``steps``). Records nothing.
    fn explain_grant<'py>(
        &self,
        py: Python<'py>,
        assertion: &Bound<'py, PyAny>,
        trust_table: &crate::grant::TrustTable,
    ) -> PyResult<Bound<'py, PyAny>> {
        let assertion = request_bytes(assertion, "assertion")?;
        let (v, t) = (&self.inner, &trust_table.inner);
        let e = py.detach(|| v.explain_grant(&assertion, t));
        to_python(py, &e.to_json())
    }

    /// The issuer identifier.
    #[getter]
    fn issuer(&self) -> &str {
        self.inner.issuer()
    }

    /// The effective settings, defaults included (times in seconds; the
    /// remote key set's ``timeout_ms`` in milliseconds; ``remote_jwks`` is
    /// None when remote key sets are off).
    fn settings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.inner.settings())
    }

    /// This verifier for assertions that ``endpoint`` received (an RFC 8414
    /// name: ``"introspection_endpoint"``, ``"revocation_endpoint"``, …): the
    /// URL given for it in ``endpoints=`` is an accepted audience too
    /// (``compat``); the replay store, clock and key-set cache are shared.
    /// Make one per endpoint at start-up.
    fn at(&self, py: Python<'_>, endpoint_name: &str) -> PyResult<Self> {
        Ok(Self { inner: Arc::new(self.inner.at(endpoint(py, endpoint_name)?)) })
    }

    /// The outcome counters: ``{"accepted": {method: n}, "refused":
    /// {"JWTAUTH_…": n}}``, counted once per call by this verifier and every
    /// authenticator over it; explanations count nothing.
    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.inner.metrics().to_json())
    }

    /// What the report-only profile would have refused so far: a dict with
    /// ``profile`` (or None), ``counts`` (``client_id``, ``code``, ``count``)
    /// and ``dropped`` (refusals not kept: the table holds 10,000 pairs).
    fn report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.inner.report().to_json())
    }
}

/// An endpoint by its RFC 8414 name.
fn endpoint(py: Python<'_>, name: &str) -> PyResult<jwtauth::Endpoint> {
    jwtauth::Endpoint::named(name).py_err(py)
}

/// A report-only refusal as Python sees it: None, or a dict with
/// ``profile``, ``code`` (as ``JwtAuthError.code``) and ``detail``.
fn would_refuse<'py>(
    py: Python<'py>,
    w: Option<&jwtauth::WouldRefuse>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    w.map(|w| to_python(py, &w.to_json())).transpose()
}

/// A verified assertion.
#[pyclass(module = "jwtauth", frozen)]
pub struct VerifiedAssertion {
    inner: jwtauth::VerifiedAssertion,
    claims: OnceLock<Py<PyAny>>,
}

impl VerifiedAssertion {
    pub(crate) const fn new(inner: jwtauth::VerifiedAssertion) -> Self {
        Self { inner, claims: OnceLock::new() }
    }
}

#[pymethods]
impl VerifiedAssertion {
    /// The authenticated client id.
    #[getter]
    fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// The jti.
    #[getter]
    fn jti(&self) -> Option<&str> {
        self.inner.claims.jti()
    }

    /// The algorithm.
    #[getter]
    fn alg(&self) -> &'static str {
        self.inner.header.alg.name()
    }

    /// The kid of the key that verified the signature, if it has one.
    #[getter]
    fn key_id(&self) -> Option<&str> {
        self.inner.key_id.as_deref()
    }

    /// The RFC 7638 thumbprint of the key that verified the signature.
    #[getter]
    fn key_thumbprint(&self) -> &str {
        &self.inner.key_thumbprint
    }

    /// Until when the jti is remembered (Unix seconds).
    #[getter]
    fn replay_until(&self) -> i64 {
        self.inner.replay_until
    }

    /// What the verifier's report-only profile would have refused in this
    /// assertion (``profile``, ``code``, ``detail``), or None.
    #[getter]
    fn would_refuse<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        would_refuse(py, self.inner.would_refuse.as_ref())
    }

    /// The verified claims (a dict, made on first access).
    #[getter]
    fn claims(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if let Some(c) = self.claims.get() {
            return Ok(c.clone_ref(py));
        }
        let c = to_python(py, &self.inner.claims.to_json())?.unbind();
        Ok(self.claims.get_or_init(|| c).clone_ref(py))
    }

    fn __repr__(&self) -> String {
        format!(
            "VerifiedAssertion(client_id={:?}, alg={})",
            self.inner.client_id,
            self.inner.header.alg.name()
        )
    }
}

/// Authenticates token requests for every token_endpoint_auth_method.
#[pyclass(module = "jwtauth", frozen)]
pub struct Authenticator {
    inner: jwtauth::Authenticator,
}

/// A request's headers, from a mapping (`.items()`) or an iterable of
/// (name, value) pairs, names and values `str` or `bytes` (ASGI servers give
/// bytes), kept as bytes: the core finds Authorization in them.
fn header_pairs(headers: &Bound<'_, PyAny>) -> PyResult<Vec<(Vec<u8>, Vec<u8>)>> {
    let py = headers.py();
    let items: Bound<'_, PyAny> =
        if headers.hasattr("items")? { headers.call_method0("items")? } else { headers.clone() };
    let mut out = Vec::new();
    for item in items.try_iter()? {
        let item = item?;
        let pair =
            item.cast::<PyTuple>().ok().filter(|t| t.len() == 2).ok_or_else(|| {
                usage(py, "headers must be a mapping or an iterable of (name, value) pairs")
            })?;
        let (k, v) = (pair.get_item(0)?, pair.get_item(1)?);
        out.push((
            request_bytes(&k, "header name")?.into_owned(),
            request_bytes(&v, "header value")?.into_owned(),
        ));
    }
    Ok(out)
}

/// Decoded form pairs from a mapping (values str or lists of str, so that
/// repeated parameters are kept) or an iterable of pairs, as request bytes.
fn pairs_from(form: &Bound<'_, PyAny>) -> PyResult<Vec<(Vec<u8>, Vec<u8>)>> {
    let py = form.py();
    let b = |v: &Bound<'_, PyAny>, what: &str| request_bytes(v, what).map(Cow::into_owned);
    let mut out = Vec::new();
    if let Ok(d) = form.cast::<PyDict>() {
        for (k, v) in d.iter() {
            let k = b(&k, "form name")?;
            if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
                for x in v.try_iter()? {
                    out.push((k.clone(), b(&x?, "form value")?));
                }
            } else {
                out.push((k, b(&v, "form value")?));
            }
        }
        return Ok(out);
    }
    // Werkzeug MultiDict / Django QueryDict: keep every value of a name.
    if form.hasattr("getlist")? && form.hasattr("keys")? {
        for k in form.call_method0("keys")?.try_iter()? {
            let k = k?;
            for v in form.call_method1("getlist", (&k,))?.try_iter()? {
                out.push((b(&k, "form name")?, b(&v?, "form value")?));
            }
        }
        return Ok(out);
    }
    let bad = || usage(py, "form must be a mapping or an iterable of (name, value) pairs");
    for item in form.try_iter()? {
        let item = item?;
        let pair = item.cast::<PyTuple>().ok().filter(|t| t.len() == 2).ok_or_else(bad)?;
        out.push((b(&pair.get_item(0)?, "form name")?, b(&pair.get_item(1)?, "form value")?));
    }
    Ok(out)
}

/// Run a sync method on the event loop's executor (`jwtauth._bridge`).
fn run_async<'py>(
    py: Python<'py>,
    method: &Bound<'py, PyAny>,
    timeout: Option<f64>,
    args: impl IntoPyObject<'py, Target = PyTuple>,
    kwargs: Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    let bridge = py.import("jwtauth._bridge")?;
    bridge.call_method1("run_async", (method, timeout, args, kwargs))
}

/// A token request as Python gave it: the Authorization header (given, or
/// found in the headers) and the form (decoded pairs or the raw body).
struct Request {
    given: Option<Vec<u8>>,
    listed: Vec<(Vec<u8>, Vec<u8>)>,
    form: Form,
    certificate: Option<(jwtauth::CertificateFormat, Vec<u8>, bool)>,
}

/// The client certificate arguments: `client_certificate` (bytes: DER by
/// default; str: PEM by default), `certificate_format` ("der", "pem",
/// "nginx", "xfcc") and `certificate_verified`.
#[derive(Clone, Copy)]
struct CertArgs<'a, 'py> {
    data: Option<&'a Bound<'py, PyAny>>,
    format: Option<&'a str>,
    verified: bool,
}

enum Form {
    Pairs(Vec<(Vec<u8>, Vec<u8>)>),
    Body(Vec<u8>),
}

impl Request {
    fn read(
        py: Python<'_>,
        headers: Option<&Bound<'_, PyAny>>,
        authorization: Option<&Bound<'_, PyAny>>,
        form: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        cert: CertArgs<'_, '_>,
    ) -> PyResult<Self> {
        let given =
            authorization.map(|a| request_bytes(a, "authorization").map(Cow::into_owned)).transpose()?;
        let listed = match (&given, headers) {
            (None, Some(h)) => header_pairs(h)?,
            _ => Vec::new(),
        };
        let form = match (form, body) {
            (Some(_), Some(_)) => return Err(usage(py, "give form or body, not both")),
            (Some(f), None) => Form::Pairs(pairs_from(f)?),
            (None, Some(b)) => Form::Body(request_bytes(b, "body")?.into_owned()),
            (None, None) => Form::Body(Vec::new()),
        };
        let certificate = match cert.data {
            None if cert.format.is_some() => {
                return Err(usage(py, "certificate_format without client_certificate"));
            }
            None => None,
            Some(d) => {
                let default = if d.is_instance_of::<pyo3::types::PyString>() { "pem" } else { "der" };
                let format = jwtauth::CertificateFormat::named(cert.format.unwrap_or(default)).py_err(py)?;
                Some((format, request_bytes(d, "client_certificate")?.into_owned(), cert.verified))
            }
        };
        Ok(Self { given, listed, form, certificate })
    }

    fn certificate(&self) -> Option<jwtauth::PresentedCertificate<'_>> {
        self.certificate.as_ref().map(|(format, bytes, verified_by_tls)| jwtauth::PresentedCertificate::Raw {
            format: *format,
            bytes,
            verified_by_tls: *verified_by_tls,
        })
    }

    fn authorization(&self) -> Authorization<'_> {
        match &self.given {
            Some(v) => Authorization::Value(v),
            None => Authorization::from_headers(self.listed.iter().map(|(n, v)| (n, v))),
        }
    }
}

/// Call the sync method `method` of `slf` with a token request's arguments
/// on the event loop's executor (`run_async`).
#[allow(clippy::too_many_arguments, reason = "the request's Python keyword arguments, passed on")]
fn request_async<'py>(
    slf: &Bound<'py, PyAny>,
    method: &str,
    headers: Option<&Bound<'py, PyAny>>,
    authorization: Option<&Bound<'py, PyAny>>,
    form: Option<&Bound<'py, PyAny>>,
    body: Option<&Bound<'py, PyAny>>,
    cert: CertArgs<'_, 'py>,
    timeout: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let kwargs = PyDict::new(py);
    kwargs.set_item("authorization", authorization)?;
    kwargs.set_item("form", form)?;
    kwargs.set_item("body", body)?;
    kwargs.set_item("client_certificate", cert.data)?;
    kwargs.set_item("certificate_format", cert.format)?;
    kwargs.set_item("certificate_verified", cert.verified)?;
    run_async(py, &slf.getattr(method)?, timeout, (headers,), kwargs)
}

/// Read a token request, then run `on_body` (a raw body) or `on_pairs`
/// (decoded pairs) on it without the GIL, host callbacks bounded by
/// `timeout`; a callback's misuse is a usage error.
#[allow(clippy::too_many_arguments, reason = "the request's Python keyword arguments, passed on")]
fn with_request<T: Send>(
    py: Python<'_>,
    headers: Option<&Bound<'_, PyAny>>,
    authorization: Option<&Bound<'_, PyAny>>,
    form: Option<&Bound<'_, PyAny>>,
    body: Option<&Bound<'_, PyAny>>,
    cert: CertArgs<'_, '_>,
    timeout: Option<f64>,
    on_body: impl FnOnce(Authorization<'_>, &[u8], Option<jwtauth::PresentedCertificate<'_>>) -> T + Send,
    on_pairs: impl FnOnce(
        Authorization<'_>,
        &[(Vec<u8>, Vec<u8>)],
        Option<jwtauth::PresentedCertificate<'_>>,
    ) -> T
    + Send,
) -> PyResult<T> {
    let timeout = callback::timeout(py, timeout)?;
    let request = Request::read(py, headers, authorization, form, body, cert)?;
    let (result, misuse) = py.detach(|| {
        callback::run(timeout, || match &request.form {
            Form::Pairs(pairs) => on_pairs(request.authorization(), pairs, request.certificate()),
            Form::Body(raw) => on_body(request.authorization(), raw, request.certificate()),
        })
    });
    match misuse {
        Some(why) => Err(usage(py, why)),
        None => Ok(result),
    }
}

#[pymethods]
impl Authenticator {
    /// An authenticator verifying with `verifier` against `registry`;
    /// `realm` (default: the issuer) goes in WWW-Authenticate; `client_ca`
    /// (PEM, str or bytes): the CAs `tls_client_auth` certificates must chain
    /// to when the TLS layer did not verify them.
    /// `trust`: the `TrustTable` of issuers whose JWT bearer grants
    /// `authenticate_grant` accepts.
    #[new]
    #[pyo3(signature = (verifier, registry, *, realm = None, client_ca = None, trust = None))]
    fn new(
        py: Python<'_>,
        verifier: &Verifier,
        registry: &Registry,
        realm: Option<&str>,
        client_ca: Option<&Bound<'_, PyAny>>,
        trust: Option<&crate::grant::TrustTable>,
    ) -> PyResult<Self> {
        let mut a =
            jwtauth::Authenticator::with_shared_verifier(verifier.inner.clone(), registry.inner.clone());
        if let Some(r) = realm {
            a = a.with_realm(r);
        }
        if let Some(ca) = client_ca {
            let pem = request_bytes(ca, "client_ca")?;
            a = a.with_client_ca(jwtauth::TrustAnchors::from_pem(&pem).py_err(py)?);
        }
        if let Some(t) = trust {
            a = a.with_trust((*t.inner).clone());
        }
        Ok(Self { inner: a })
    }

    /// This authenticator for requests that ``endpoint`` (an RFC 8414 name)
    /// received: see ``Verifier.at``.
    fn at(&self, py: Python<'_>, endpoint_name: &str) -> PyResult<Self> {
        Ok(Self { inner: self.inner.at(endpoint(py, endpoint_name)?) })
    }

    /// Authenticate a token request: the Authorization header (given as
    /// `authorization=`, or found in `headers`), and the form (`body=`, the
    /// raw application/x-www-form-urlencoded body, or `form=`, the decoded
    /// parameters). Returns `Authenticated`; raises a `JwtAuthError` whose
    /// `response()` is what to send.
    /// Over mutual TLS, `client_certificate` is the client's certificate as
    /// the TLS terminator gives it (bytes: DER, e.g. `getpeercert(True)`;
    /// str: PEM; or `certificate_format="nginx"` / `"xfcc"` for nginx's
    /// `$ssl_client_escaped_cert` / Envoy's `x-forwarded-client-cert`), and
    /// `certificate_verified=True` when the TLS layer verified its chain.
    /// Host callbacks must answer within `timeout` seconds (default 10).
    #[pyo3(signature = (headers = None, *, authorization = None, form = None, body = None,
                        client_certificate = None, certificate_format = None, certificate_verified = false,
                        timeout = None))]
    #[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn authenticate(
        &self,
        py: Python<'_>,
        headers: Option<&Bound<'_, PyAny>>,
        authorization: Option<&Bound<'_, PyAny>>,
        form: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        client_certificate: Option<&Bound<'_, PyAny>>,
        certificate_format: Option<&str>,
        certificate_verified: bool,
        timeout: Option<f64>,
    ) -> PyResult<Authenticated> {
        let cert =
            CertArgs { data: client_certificate, format: certificate_format, verified: certificate_verified };
        let a = &self.inner;
        let result = with_request(
            py,
            headers,
            authorization,
            form,
            body,
            cert,
            timeout,
            |h, raw, c| a.authenticate_tls(h, raw, c),
            |h, pairs, c| a.authenticate_tls_pairs(h, pairs.iter().map(|(k, v)| (k, v)), c),
        )?;
        result.map(Authenticated::new).map_err(|e| auth_to_py(py, &e))
    }

    /// Authenticate a JWT bearer grant request (RFC 7523 §2.1:
    /// ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`` and
    /// ``assertion``), the same arguments as `authenticate`: the client
    /// authentication the request carries (any method; none only when the
    /// trust table says ``"client_authentication": "optional"``), then the
    /// grant against the ``trust`` table. Returns a `GrantRequest`
    /// (``.client``, ``.grant``); raises a `JwtAuthError` whose `response()`
    /// is what to send: every refusal of the grant is ``invalid_grant``
    /// (400, `InvalidGrantError`) with its code.
    #[pyo3(signature = (headers = None, *, authorization = None, form = None, body = None,
                        client_certificate = None, certificate_format = None, certificate_verified = false,
                        timeout = None))]
    #[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn authenticate_grant(
        &self,
        py: Python<'_>,
        headers: Option<&Bound<'_, PyAny>>,
        authorization: Option<&Bound<'_, PyAny>>,
        form: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        client_certificate: Option<&Bound<'_, PyAny>>,
        certificate_format: Option<&str>,
        certificate_verified: bool,
        timeout: Option<f64>,
    ) -> PyResult<crate::grant::GrantRequest> {
        let cert =
            CertArgs { data: client_certificate, format: certificate_format, verified: certificate_verified };
        let a = &self.inner;
        let result = with_request(
            py,
            headers,
            authorization,
            form,
            body,
            cert,
            timeout,
            |h, raw, c| a.authenticate_grant(h, raw, c),
            |h, pairs, c| a.authenticate_grant_pairs(h, pairs.iter().map(|(k, v)| (k, v)), c),
        )?;
        match result {
            Ok(r) => crate::grant::GrantRequest::new(py, r.client.map(Authenticated::new), r.grant),
            Err(e) => Err(auth_to_py(py, &e)),
        }
    }

    /// As `authenticate_grant`, awaitable (see `authenticate_async`).
    #[pyo3(signature = (headers = None, *, authorization = None, form = None, body = None,
                        client_certificate = None, certificate_format = None, certificate_verified = false,
                        timeout = None))]
    #[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn authenticate_grant_async<'py>(
        slf: &Bound<'py, Self>,
        headers: Option<&Bound<'py, PyAny>>,
        authorization: Option<&Bound<'py, PyAny>>,
        form: Option<&Bound<'py, PyAny>>,
        body: Option<&Bound<'py, PyAny>>,
        client_certificate: Option<&Bound<'py, PyAny>>,
        certificate_format: Option<&str>,
        certificate_verified: bool,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let cert =
            CertArgs { data: client_certificate, format: certificate_format, verified: certificate_verified };
        request_async(slf.as_any(), "authenticate_grant", headers, authorization, form, body, cert, timeout)
    }

    /// Why this authenticator accepts or refuses the token request, step by
    /// step, as a dict (the same arguments as `authenticate`): the request's
    /// own steps (form, mechanism, Basic decoding, client, secret), then for
    /// a client assertion the verifier's rules; `verdict`, `client_id` and
    /// `method`, or `error`, `detail` and the `response` a refusal gets. The
    /// same pipeline, recording nothing.
    #[pyo3(signature = (headers = None, *, authorization = None, form = None, body = None,
                        client_certificate = None, certificate_format = None, certificate_verified = false,
                        timeout = None))]
    #[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        headers: Option<&Bound<'py, PyAny>>,
        authorization: Option<&Bound<'py, PyAny>>,
        form: Option<&Bound<'py, PyAny>>,
        body: Option<&Bound<'py, PyAny>>,
        client_certificate: Option<&Bound<'py, PyAny>>,
        certificate_format: Option<&str>,
        certificate_verified: bool,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let cert =
            CertArgs { data: client_certificate, format: certificate_format, verified: certificate_verified };
        let a = &self.inner;
        let e = with_request(
            py,
            headers,
            authorization,
            form,
            body,
            cert,
            timeout,
            |h, raw, c| a.explain_tls(h, raw, c),
            |h, pairs, c| a.explain_tls_pairs(h, pairs.iter().map(|(k, v)| (k, v)), c),
        )?;
        to_python(py, &e.to_json())
    }

    /// As `authenticate`, awaitable: runs on the event loop's default
    /// executor, and host callbacks may be `async def` (awaited on this
    /// loop); the whole call is bounded by `timeout` (default 10 s).
    #[pyo3(signature = (headers = None, *, authorization = None, form = None, body = None,
                        client_certificate = None, certificate_format = None, certificate_verified = false,
                        timeout = None))]
    #[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn authenticate_async<'py>(
        slf: &Bound<'py, Self>,
        headers: Option<&Bound<'py, PyAny>>,
        authorization: Option<&Bound<'py, PyAny>>,
        form: Option<&Bound<'py, PyAny>>,
        body: Option<&Bound<'py, PyAny>>,
        client_certificate: Option<&Bound<'py, PyAny>>,
        certificate_format: Option<&str>,
        certificate_verified: bool,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let cert =
            CertArgs { data: client_certificate, format: certificate_format, verified: certificate_verified };
        request_async(slf.as_any(), "authenticate", headers, authorization, form, body, cert, timeout)
    }
}

/// An authenticated client.
#[pyclass(module = "jwtauth", frozen)]
pub struct Authenticated {
    client: Client,
    method: &'static str,
    assertion: Option<VerifiedAssertion>,
    report: Option<jwtauth::WouldRefuse>,
    certificate_thumbprint: Option<String>,
}

impl Authenticated {
    pub(crate) fn new(done: jwtauth::Authenticated) -> Self {
        Self {
            client: Client { inner: done.client.clone() },
            method: done.method.as_str(),
            assertion: done.assertion.map(VerifiedAssertion::new),
            report: done.would_refuse,
            certificate_thumbprint: done.certificate_thumbprint,
        }
    }
}

#[pymethods]
impl Authenticated {
    /// The client id.
    #[getter]
    fn client_id(&self) -> &str {
        self.client.inner.client_id()
    }

    /// The token_endpoint_auth_method used.
    #[getter]
    fn method(&self) -> &'static str {
        self.method
    }

    /// The registered client.
    #[getter]
    fn client(&self) -> Client {
        Client { inner: self.client.inner.clone() }
    }

    /// For the JWT methods, the verified assertion's claims; otherwise None.
    #[getter]
    fn claims(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        self.assertion.as_ref().map(|a| a.claims(py)).transpose()
    }

    /// For the JWT methods, the jti; otherwise None.
    #[getter]
    fn jti(&self) -> Option<&str> {
        self.assertion.as_ref().and_then(|a| a.inner.claims.jti())
    }

    /// What the verifier's report-only profile would have refused in this
    /// request (``profile``, ``code``, ``detail``), or None.
    #[getter]
    fn would_refuse<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        would_refuse(py, self.report.as_ref())
    }

    /// When the request came with a client certificate (whatever the
    /// method): its ``x5t#S256``, for a certificate-bound access token's
    /// ``cnf`` (RFC 8705 §3); otherwise None.
    #[getter]
    fn certificate_thumbprint(&self) -> Option<&str> {
        self.certificate_thumbprint.as_deref()
    }

    fn __repr__(&self) -> String {
        format!("Authenticated({:?}, {})", self.client.inner.client_id(), self.method)
    }
}
