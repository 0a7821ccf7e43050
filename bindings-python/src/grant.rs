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
        let t = jwtauth::TrustTable::from_json(&text, policy, now_or_system(now)).py_err(py)?;
        Ok(Self { inner: Arc::new(t) })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
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
