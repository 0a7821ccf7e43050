//! The client side: `sign()` returns a `ClientAssertion`.

use std::sync::Arc;

use jwtauth::AssertionBuilder;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::json_text;
use crate::errors::IntoPy;
use crate::keys::SigningKey;
use crate::stores::FixedClock;

/// A signed client assertion and the form fields that carry it.
#[pyclass(module = "jwtauth", frozen, get_all)]
pub struct ClientAssertion {
    /// The compact JWS (the `client_assertion` value).
    assertion: String,
    /// iss and sub.
    client_id: String,
    /// The jti.
    jti: String,
    /// iat (Unix seconds).
    issued_at: i64,
    /// exp (Unix seconds).
    expires_at: i64,
    /// `client_id=…&client_assertion_type=…&client_assertion=…`, encoded.
    form_body: String,
}

#[pymethods]
impl ClientAssertion {
    /// The three form fields as a dict: client_id, client_assertion_type,
    /// client_assertion.
    #[getter]
    fn form<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("client_id", &self.client_id)?;
        d.set_item("client_assertion_type", jwtauth::CLIENT_ASSERTION_TYPE)?;
        d.set_item("client_assertion", &self.assertion)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "ClientAssertion(client_id={:?}, jti={:?}, expires_at={})",
            self.client_id, self.jti, self.expires_at
        )
    }
}

/// Sign a client assertion for `client_id` (iss and sub) and `audience`
/// (the server's issuer identifier or token endpoint). Defaults: lifetime
/// 60 s (at most 300 unless `allow_long_lifetime`), a fresh jti, typ
/// `client-authentication+jwt` (`omit_typ=True` omits it), kid from the key
/// (`omit_kid=True` omits it). The signature runs without the GIL.
#[pyfunction]
#[pyo3(signature = (key, client_id, audience, *, lifetime = None, allow_long_lifetime = false,
                    not_before = false, typ = None, omit_typ = false,
                    kid = None, omit_kid = false, jti = None, claims = None, clock = None))]
#[allow(clippy::too_many_arguments, reason = "Python keyword arguments")]
pub(crate) fn sign(
    py: Python<'_>,
    key: &SigningKey,
    client_id: &str,
    audience: &str,
    lifetime: Option<i64>,
    allow_long_lifetime: bool,
    not_before: bool,
    typ: Option<String>,
    omit_typ: bool,
    kid: Option<String>,
    omit_kid: bool,
    jti: Option<String>,
    claims: Option<&Bound<'_, PyAny>>,
    clock: Option<&FixedClock>,
) -> PyResult<ClientAssertion> {
    let extra: Option<serde_json::Map<String, serde_json::Value>> = match claims {
        Some(c) => {
            let text = json_text(c, "claims")?;
            let v: serde_json::Value = serde_json::from_str(&text)
                .map_err(|_| crate::errors::usage(py, "claims must be a JSON object"))?;
            match v {
                serde_json::Value::Object(m) => Some(m),
                _ => return Err(crate::errors::usage(py, "claims must be a JSON object")),
            }
        }
        None => None,
    };
    let key = key.inner.clone();
    let clock: Option<Arc<dyn jwtauth::Clock>> = clock.map(|c| c.inner.clone() as Arc<dyn jwtauth::Clock>);
    let signed = py
        .detach(|| {
            let mut b = AssertionBuilder::new(&key, client_id, audience).not_before(not_before);
            if let Some(l) = lifetime {
                b = b.lifetime(l);
            }
            if allow_long_lifetime {
                b = b.allow_long_lifetime();
            }
            if omit_typ {
                b = b.typ(None);
            } else if let Some(t) = &typ {
                b = b.typ(Some(t.as_str()));
            }
            if omit_kid {
                b = b.no_kid();
            } else if let Some(k) = kid {
                b = b.kid(k);
            }
            if let Some(j) = jti {
                b = b.jti(j);
            }
            for (k, v) in extra.into_iter().flatten() {
                b = b.claim(&k, v)?;
            }
            if let Some(c) = clock {
                b = b.clock(c);
            }
            b.sign()
        })
        .py_err(py)?;
    let form_body = signed.to_form_body();
    Ok(ClientAssertion {
        assertion: signed.assertion,
        client_id: signed.client_id,
        jti: signed.jti,
        issued_at: signed.issued_at,
        expires_at: signed.expires_at,
        form_body,
    })
}
