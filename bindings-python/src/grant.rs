//! JWT bearer grants (RFC 7523 §2.1): the trust table and the grant a
//! verifier checks against it. Types only; the rules are the core's.

use std::sync::Arc;

use pyo3::prelude::*;

use crate::convert::{json_text, to_python};
use crate::errors::IntoPy;
use crate::policy::{CredentialPolicy, now_or_system};

/// The issuers whose JWTs are accepted as authorization grants
/// (docs/grants.md).
#[pyclass(module = "jwtauth", frozen)]
pub struct TrustTable {
    pub(crate) inner: Arc<jwtauth::TrustTable>,
}

#[pymethods]
impl TrustTable {
    /// A trust table from its document (`{"issuers": [...]}` as dict or
    /// JSON), every issuer's keys checked against `policy`; all or nothing
    /// (`InvalidCredentialError` lists every problem with its JSON Pointer).
    /// `subject_hook(issuer, subject) -> bool` decides for issuers whose
    /// ``subjects`` is ``"host"`` (an ``async def`` in the async calls); an
    /// exception, another answer or a late one fails closed
    /// (``HOOK_FAILED``, 503).
    #[staticmethod]
    #[pyo3(signature = (doc, *, policy = None, now = None, subject_hook = None))]
    fn from_json(
        py: Python<'_>,
        doc: &Bound<'_, PyAny>,
        policy: Option<&CredentialPolicy>,
        now: Option<i64>,
        subject_hook: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let text = json_text(doc, "doc")?;
        let default = jwtauth::CredentialPolicy::default();
        let policy = policy.map_or(&default, |p| &p.inner);
        let mut t = jwtauth::TrustTable::from_json(&text, policy, now_or_system(now)).py_err(py)?;
        if let Some(h) = subject_hook {
            if !h.is_callable() {
                return Err(crate::errors::usage(py, "subject_hook must be callable"));
            }
            t = t.with_subject_hook(Arc::new(PySubjectHook(h.clone().unbind())));
        }
        Ok(Self { inner: Arc::new(t) })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }
}

/// The host's subject hook: `hook(issuer, subject) -> bool`.
struct PySubjectHook(Py<PyAny>);

impl std::fmt::Debug for PySubjectHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PySubjectHook")
    }
}

impl jwtauth::SubjectHook for PySubjectHook {
    fn allowed(&self, issuer: &str, subject: &str) -> Result<bool, String> {
        Python::attach(|py| {
            let hook = self.0.bind(py);
            let r = crate::callback::answer(py, "subject hook", || hook.call1((issuer, subject)))?;
            r.cast::<pyo3::types::PyBool>().map(|b| b.is_true()).map_err(|_| {
                format!(
                    "the subject hook answered a {} instead of True or False",
                    r.get_type().name().map(|n| n.to_string()).unwrap_or_default()
                )
            })
        })
    }
}

/// A verified grant: who issued it, whom it is for, its claims.
#[pyclass(module = "jwtauth", frozen)]
pub struct Grant {
    inner: jwtauth::Grant,
}

#[pymethods]
impl Grant {
    /// The trusted issuer (`iss`).
    #[getter]
    fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// The subject (`sub`): whom the access token is for.
    #[getter]
    fn subject(&self) -> &str {
        &self.inner.subject
    }

    /// The jti, if the assertion had one.
    #[getter]
    fn jti(&self) -> Option<&str> {
        self.inner.claims.jti()
    }

    /// The verified claims, as a dict.
    #[getter]
    fn claims<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.inner.claims.to_json())
    }

    fn __repr__(&self) -> String {
        format!("Grant(issuer={:?}, subject={:?})", self.inner.issuer, self.inner.subject)
    }
}

impl Grant {
    pub(crate) const fn new(inner: jwtauth::Grant) -> Self {
        Self { inner }
    }
}

/// An accepted JWT bearer grant request: the grant and the client that
/// authenticated with it (None when the trust table lets a request come
/// without client authentication and this one did).
#[pyclass(module = "jwtauth", frozen)]
pub struct GrantRequest {
    client: Option<Py<crate::server::Authenticated>>,
    grant: Py<Grant>,
}

#[pymethods]
impl GrantRequest {
    /// The authenticated client (`Authenticated`), or None.
    #[getter]
    fn client(&self, py: Python<'_>) -> Option<Py<crate::server::Authenticated>> {
        self.client.as_ref().map(|c| c.clone_ref(py))
    }

    /// The verified grant (`Grant`).
    #[getter]
    fn grant(&self, py: Python<'_>) -> Py<Grant> {
        self.grant.clone_ref(py)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let g = self.grant.get();
        let client =
            self.client.as_ref().map(|c| c.bind(py).repr().map(|r| r.to_string()).unwrap_or_default());
        format!(
            "GrantRequest(client={}, grant=Grant(issuer={:?}, subject={:?}))",
            client.as_deref().unwrap_or("None"),
            g.inner.issuer,
            g.inner.subject
        )
    }
}

impl GrantRequest {
    pub(crate) fn new(
        py: Python<'_>,
        client: Option<crate::server::Authenticated>,
        grant: jwtauth::Grant,
    ) -> PyResult<Self> {
        Ok(Self {
            client: client.map(|c| Py::new(py, c)).transpose()?,
            grant: Py::new(py, Grant::new(grant))?,
        })
    }
}
