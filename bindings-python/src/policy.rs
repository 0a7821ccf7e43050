//! Credential validation: `CredentialPolicy` and `Problem`.

use jwtauth::{AuthMethod, CredentialSource, CredentialSpec};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{bytes, json_text, to_python};
use crate::errors::{IntoPy, usage};
use crate::keys::algorithm;

/// One problem found by the policy: a stable code (the C constant name),
/// where (a JSON Pointer into the registered document) and a message a
/// dashboard can show.
#[pyclass(module = "jwtauth", frozen, get_all)]
pub struct Problem {
    code: String,
    location: String,
    message: String,
}

#[pymethods]
impl Problem {
    fn __repr__(&self) -> String {
        format!("Problem({}, {:?}, {:?})", self.code, self.location, self.message)
    }
}

pub(crate) fn problems(list: Vec<jwtauth::Problem>) -> Vec<Problem> {
    list.into_iter()
        .map(|p| Problem {
            code: format!("JWTAUTH_{}", p.code.name()),
            location: p.location,
            message: p.message,
        })
        .collect()
}

/// What a client may register. Keyword arguments change the defaults
/// (defaults and member names in docs/registry.md: `min_rsa_bits`,
/// `max_credentials`, `require_expiry`, …).
#[pyclass(module = "jwtauth", frozen)]
pub struct CredentialPolicy {
    pub(crate) inner: jwtauth::CredentialPolicy,
}

pub(crate) fn now_or_system(now: Option<i64>) -> i64 {
    now.unwrap_or_else(|| jwtauth::Clock::now(&jwtauth::SystemClock))
}

#[pymethods]
impl CredentialPolicy {
    #[new]
    #[pyo3(signature = (**settings))]
    fn new(py: Python<'_>, settings: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let inner = match settings {
            Some(d) if !d.is_empty() => {
                jwtauth::CredentialPolicy::from_json(&json_text(d.as_any(), "settings")?).py_err(py)?
            }
            _ => jwtauth::CredentialPolicy::default(),
        };
        Ok(Self { inner })
    }

    /// Every setting, defaults included, with the names the constructor
    /// takes.
    fn settings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.inner.settings())
    }

    /// A policy from a JSON document (str, bytes or dict).
    #[staticmethod]
    fn from_json(py: Python<'_>, doc: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self { inner: jwtauth::CredentialPolicy::from_json(&json_text(doc, "doc")?).py_err(py)? })
    }

    /// Every problem with one credential a client registered for `method`
    /// would add ([] when it is acceptable). `kind`: "pem", "certificate_der",
    /// "jwk", "jwks", "jwks_uri" or "secret".
    #[pyo3(signature = (kind, data, method, *, signing_alg = None, kid = None, expires_at = None,
                        expiry_from_cert = false, now = None))]
    #[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
    fn check_credential(
        &self,
        py: Python<'_>,
        kind: &str,
        data: &Bound<'_, PyAny>,
        method: &str,
        signing_alg: Option<&str>,
        kid: Option<&str>,
        expires_at: Option<i64>,
        expiry_from_cert: bool,
        now: Option<i64>,
    ) -> PyResult<Vec<Problem>> {
        let raw = if kind == "jwk" || kind == "jwks" {
            json_text(data, "data")?.into_bytes()
        } else {
            bytes(data, "data")?.into_owned()
        };
        let source = CredentialSource::from_kind(kind, &raw).py_err(py)?;
        let method = AuthMethod::from_name(method)
            .ok_or_else(|| usage(py, "method is not a token_endpoint_auth_method"))?;
        let signing_alg = signing_alg.map(|a| algorithm(py, a)).transpose()?;
        let mut spec = CredentialSpec::new(source);
        spec.kid = kid;
        spec.expires_at = expires_at;
        spec.parse_expiry_from_cert = expiry_from_cert;
        Ok(match self.inner.check_credential(&spec, method, signing_alg, now_or_system(now)) {
            Ok(_) => Vec::new(),
            Err(list) => problems(list),
        })
    }

    /// Every problem with a client's registration metadata (dict or JSON)
    /// ([] when it is acceptable).
    #[pyo3(signature = (metadata, *, now = None))]
    fn check_client(&self, metadata: &Bound<'_, PyAny>, now: Option<i64>) -> PyResult<Vec<Problem>> {
        let text = json_text(metadata, "metadata")?;
        Ok(match self.inner.check_client_json(&text, now_or_system(now)) {
            Ok(_) => Vec::new(),
            Err(list) => problems(list),
        })
    }
}
