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
#[pyclass(module = "jwtauth", frozen)]
pub struct ClientAssertion {
    inner: jwtauth::ClientAssertion,
}

#[pymethods]
impl ClientAssertion {
    /// The compact JWS (the `client_assertion` value).
    #[getter]
    fn assertion(&self) -> &str {
        &self.inner.assertion
    }

    /// iss and sub.
    #[getter]
    fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// The jti.
    #[getter]
    fn jti(&self) -> &str {
        &self.inner.jti
    }

    /// iat (Unix seconds).
    #[getter]
    fn issued_at(&self) -> i64 {
        self.inner.issued_at
    }

    /// exp (Unix seconds).
    #[getter]
    fn expires_at(&self) -> i64 {
        self.inner.expires_at
    }

    /// `client_id=…&client_assertion_type=…&client_assertion=…`, encoded.
    #[getter]
    fn form_body(&self) -> String {
        self.inner.to_form_body()
    }

    /// The form fields as a dict: client_id, client_assertion_type,
    /// client_assertion; for a grant (signed with `subject=`): grant_type,
    /// assertion.
    #[getter]
    fn form<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in self.inner.form_fields() {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    /// For a JWT bearer grant (signed with `subject=`): its subject; None for
    /// a client assertion.
    #[getter]
    fn subject(&self) -> Option<&str> {
        self.inner.subject.as_deref()
    }

    fn __repr__(&self) -> String {
        format!(
            "ClientAssertion(client_id={:?}, jti={:?}, expires_at={})",
            self.inner.client_id, self.inner.jti, self.inner.expires_at
        )
    }
}

/// Sign a client assertion for `client_id` (iss and sub) and `audience`
/// (the server's issuer identifier or token endpoint). Defaults: lifetime
/// 60 s (at most 300 unless `allow_long_lifetime`), a fresh jti, typ
/// `client-authentication+jwt` (`omit_typ=True` omits it), kid from the key
/// (`omit_kid=True` omits it). With `subject`, a JWT bearer grant (RFC 7523
/// §2.1) instead: iss `client_id` (the issuer), sub `subject`, typ `JWT`;
/// its `form` is grant_type and assertion. The signature runs without the GIL.
#[pyfunction]
#[pyo3(signature = (key, client_id, audience, *, lifetime = None, allow_long_lifetime = false,
                    not_before = false, typ = None, omit_typ = false,
                    kid = None, omit_kid = false, jti = None, claims = None, clock = None, subject = None))]
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
    subject: Option<String>,
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
    let work = || {
        let mut b = AssertionBuilder::new(&key, client_id, audience).not_before(not_before);
        if let Some(s) = subject {
            b = b.subject(s);
        }
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
    };
    // An HMAC takes about a microsecond: releasing and taking back the GIL
    // would cost more than it lets other threads do.
    let signed = if key.alg().is_symmetric() { work() } else { py.detach(work) }.py_err(py)?;
    Ok(ClientAssertion { inner: signed })
}
