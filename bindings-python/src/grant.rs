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
