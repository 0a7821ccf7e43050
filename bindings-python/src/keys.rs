//! Keys: `SigningKey`, `VerifyingKey`, `JwkSet`. Immutable, shareable
//! across threads.

use std::sync::Arc;

use jwtauth::{Algorithm, b64};
use pyo3::prelude::*;

use crate::convert::{bytes, json_text, text, to_python};
use crate::errors::{IntoPy, usage};

pub(crate) fn algorithm(py: Python<'_>, name: &str) -> PyResult<Algorithm> {
    Algorithm::from_name(name).ok_or_else(|| {
        crate::errors::to_py(
            py,
            &jwtauth::Error::with_detail(
                jwtauth::ErrorCode::UnsupportedAlgorithm,
                format!("unknown algorithm {name:?}"),
            ),
        )
    })
}

/// A private key or HMAC secret, kept parsed, with its algorithm and kid.
#[pyclass(module = "jwtauth", frozen)]
pub struct SigningKey {
    pub(crate) inner: Arc<jwtauth::SigningKey>,
}

fn with_kid(k: jwtauth::SigningKey, kid: Option<String>) -> SigningKey {
    SigningKey {
        inner: Arc::new(match kid {
            Some(kid) => k.with_kid(kid),
            None => k,
        }),
    }
}

#[pymethods]
impl SigningKey {
    /// Load a private key from PEM (PKCS#8, PKCS#1 or SEC1). `alg` picks
    /// the algorithm where the key allows several (an RSA key signs RS256
    /// unless told PS256, RS384, …).
    #[staticmethod]
    #[pyo3(signature = (pem, *, alg = None, kid = None))]
    fn from_pem(
        py: Python<'_>,
        pem: &Bound<'_, PyAny>,
        alg: Option<&str>,
        kid: Option<String>,
    ) -> PyResult<Self> {
        let pem = text(pem, "pem")?;
        let mut k = jwtauth::SigningKey::from_pem(&pem).py_err(py)?;
        if let Some(a) = alg {
            k = k.with_alg(algorithm(py, a)?).py_err(py)?;
        }
        Ok(with_kid(k, kid))
    }

    /// Load a private key from a private JWK (str, bytes or dict).
    #[staticmethod]
    fn from_jwk(py: Python<'_>, jwk: &Bound<'_, PyAny>) -> PyResult<Self> {
        let jwk = json_text(jwk, "jwk")?;
        Ok(with_kid(jwtauth::SigningKey::from_jwk(&jwk).py_err(py)?, None))
    }

    /// An HMAC secret for client_secret_jwt.
    #[staticmethod]
    #[pyo3(signature = (secret, alg = "HS256"))]
    fn from_secret(py: Python<'_>, secret: &Bound<'_, PyAny>, alg: &str) -> PyResult<Self> {
        let alg = algorithm(py, alg)?;
        let secret = bytes(secret, "secret")?;
        Ok(with_kid(jwtauth::SigningKey::from_secret(&secret, alg).py_err(py)?, None))
    }

    /// Generate a key for `alg` (RSA: `bits`, default 2048).
    #[staticmethod]
    #[pyo3(signature = (alg, *, bits = None, kid = None))]
    fn generate(py: Python<'_>, alg: &str, bits: Option<usize>, kid: Option<String>) -> PyResult<Self> {
        let alg = algorithm(py, alg)?;
        let k = py.detach(|| match bits {
            Some(b) => jwtauth::SigningKey::generate_rsa(alg, b),
            None => jwtauth::SigningKey::generate(alg),
        });
        Ok(with_kid(k.py_err(py)?, kid))
    }

    /// The signing algorithm.
    #[getter]
    fn alg(&self) -> &'static str {
        self.inner.alg().name()
    }

    /// The key id, if any.
    #[getter]
    fn kid(&self) -> Option<&str> {
        self.inner.kid()
    }

    /// The RFC 7638 thumbprint (base64url).
    #[getter]
    fn thumbprint(&self) -> String {
        self.inner.thumbprint()
    }

    /// The private key as PKCS#8 PEM.
    fn private_pem(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.inner.to_pkcs8_pem().py_err(py)?.to_string())
    }

    /// The public key as SPKI PEM.
    fn public_pem(&self, py: Python<'_>) -> PyResult<String> {
        self.inner.to_public_pem().py_err(py)
    }

    /// The public JWK as a dict (kid, alg, use).
    fn public_jwk<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let jwk = self.inner.public_jwk().ok_or_else(|| usage(py, "an HMAC secret has no public JWK"))?;
        to_python(py, &jwk)
    }

    fn __repr__(&self) -> String {
        format!("SigningKey(alg={:?}, kid={:?})", self.inner.alg().name(), self.inner.kid())
    }
}

/// A registered public key (or a certificate's key).
#[pyclass(module = "jwtauth", frozen)]
pub struct VerifyingKey {
    /// A set of one key, shareable with clients.
    pub(crate) inner: Arc<jwtauth::JwkSet>,
}

impl VerifyingKey {
    fn new(k: jwtauth::VerifyingKey, kid: Option<String>) -> Self {
        let k = match kid {
            Some(kid) => k.with_kid(kid),
            None => k,
        };
        Self { inner: Arc::new(jwtauth::JwkSet::from(k)) }
    }

    #[allow(clippy::indexing_slicing, reason = "built by `new` from exactly one key")]
    fn key(&self) -> &jwtauth::VerifyingKey {
        &self.inner.keys()[0]
    }
}

#[pymethods]
impl VerifyingKey {
    /// Load a public key from PEM: SPKI, PKCS#1 or an X.509 certificate.
    #[staticmethod]
    #[pyo3(signature = (pem, *, kid = None))]
    fn from_pem(py: Python<'_>, pem: &Bound<'_, PyAny>, kid: Option<String>) -> PyResult<Self> {
        let pem = text(pem, "pem")?;
        Ok(Self::new(jwtauth::VerifyingKey::from_pem(&pem).py_err(py)?, kid))
    }

    /// Load the key of a DER X.509 certificate.
    #[staticmethod]
    #[pyo3(signature = (der, *, kid = None))]
    fn from_certificate_der(py: Python<'_>, der: &Bound<'_, PyAny>, kid: Option<String>) -> PyResult<Self> {
        let der = bytes(der, "der")?;
        Ok(Self::new(jwtauth::VerifyingKey::from_certificate_der(&der).py_err(py)?, kid))
    }

    /// Load a public key from a JWK (str, bytes or dict).
    #[staticmethod]
    fn from_jwk(py: Python<'_>, jwk: &Bound<'_, PyAny>) -> PyResult<Self> {
        let jwk = json_text(jwk, "jwk")?;
        Ok(Self::new(jwtauth::VerifyingKey::from_jwk(&jwk).py_err(py)?, None))
    }

    /// The RFC 7638 thumbprint (base64url).
    #[getter]
    fn thumbprint(&self) -> String {
        self.key().thumbprint()
    }

    /// The key id, if any.
    #[getter]
    fn kid(&self) -> Option<&str> {
        self.key().kid()
    }

    /// The public JWK as a dict.
    fn to_jwk<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let jwk = self.key().to_jwk().ok_or_else(|| usage(py, "an HMAC secret has no JWK"))?;
        to_python(py, &jwk)
    }

    /// For a certificate's key: notAfter (Unix seconds); otherwise None.
    #[getter]
    fn not_after(&self) -> Option<i64> {
        self.key().certificate().map(|c| c.not_after)
    }

    /// For a certificate's key: its x5t (base64url SHA-1); otherwise None.
    #[getter]
    fn x5t(&self) -> Option<String> {
        self.key().certificate().map(|c| b64::encode(&c.x5t))
    }

    fn __repr__(&self) -> String {
        format!("VerifyingKey(thumbprint={:?}, kid={:?})", self.key().thumbprint(), self.key().kid())
    }
}

/// A parsed JWK Set.
#[pyclass(module = "jwtauth", frozen)]
pub struct JwkSet {
    pub(crate) inner: Arc<jwtauth::JwkSet>,
}

#[pymethods]
impl JwkSet {
    /// Parse a JWKS document (str, bytes or dict).
    #[staticmethod]
    fn from_json(py: Python<'_>, doc: &Bound<'_, PyAny>) -> PyResult<Self> {
        let doc = json_text(doc, "doc")?;
        Ok(Self { inner: Arc::new(jwtauth::JwkSet::from_json(&doc).py_err(py)?) })
    }

    fn __len__(&self) -> usize {
        self.inner.keys().len()
    }

    /// The set as a dict (public members).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v: serde_json::Value =
            serde_json::from_str(&self.inner.to_json()).map_err(|_| usage(py, "unreachable: JWKS JSON"))?;
        to_python(py, &v)
    }
}
