//! Keys: `SigningKey`, `VerifyingKey`, `JwkSet`. Immutable, shareable.

use std::sync::Arc;

use jwtauth::{Algorithm, b64};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::convert::{Bytes, Json, bytes, json_text, text};
use crate::errors::{IntoJs, to_js, usage};

pub(crate) fn algorithm(env: &Env, name: &str) -> Result<Algorithm> {
    Algorithm::from_name(name).ok_or_else(|| {
        to_js(
            env,
            &jwtauth::Error::with_detail(
                jwtauth::ErrorCode::UnsupportedAlgorithm,
                format!("unknown algorithm {name:?}"),
            ),
        )
    })
}

/// Options for `SigningKey.fromPem`.
#[napi(object)]
#[derive(Debug, Default)]
pub struct PemOptions {
    /// The algorithm where the key allows several (an RSA key signs RS256
    /// unless told PS256, RS384, …).
    #[napi(ts_type = "Alg")]
    pub alg: Option<String>,
    /// The key id to put in assertions.
    pub kid: Option<String>,
}

/// Options for `SigningKey.generate`.
#[napi(object)]
#[derive(Debug, Default)]
pub struct GenerateOptions {
    /// RSA modulus size (default 2048).
    pub bits: Option<u32>,
    /// The key id to put in assertions.
    pub kid: Option<String>,
}

/// A private key or HMAC secret, kept parsed, with its algorithm and kid.
#[napi]
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

#[napi]
impl SigningKey {
    /// Load a private key from PEM (PKCS#8, PKCS#1 or SEC1).
    #[napi(factory)]
    pub fn from_pem(env: Env, pem: Bytes, options: Option<PemOptions>) -> Result<Self> {
        let o = options.unwrap_or_default();
        let mut k = jwtauth::SigningKey::from_pem(text(&env, &pem, "pem")?).js(&env)?;
        if let Some(a) = o.alg {
            k = k.with_alg(algorithm(&env, &a)?).js(&env)?;
        }
        Ok(with_kid(k, o.kid))
    }

    /// Load a private key from a private JWK (JSON text or object).
    #[napi(factory)]
    pub fn from_jwk(
        env: Env,
        #[napi(ts_arg_type = "string | JsonWebKey | object")] jwk: Json,
    ) -> Result<Self> {
        Ok(with_kid(jwtauth::SigningKey::from_jwk(&json_text(&env, jwk)?).js(&env)?, None))
    }

    /// An HMAC secret for client_secret_jwt (`alg`: HS256, HS384 or HS512).
    #[napi(factory)]
    pub fn from_secret(
        env: Env,
        secret: Bytes,
        #[napi(ts_arg_type = "Alg")] alg: Option<String>,
    ) -> Result<Self> {
        let alg = algorithm(&env, alg.as_deref().unwrap_or("HS256"))?;
        Ok(with_kid(jwtauth::SigningKey::from_secret(bytes(&secret), alg).js(&env)?, None))
    }

    /// Generate a key for `alg` (RSA: `bits`, default 2048). RSA generation
    /// takes tens of milliseconds: call it at start-up.
    #[napi(factory)]
    pub fn generate(
        env: Env,
        #[napi(ts_arg_type = "Alg")] alg: String,
        options: Option<GenerateOptions>,
    ) -> Result<Self> {
        let o = options.unwrap_or_default();
        let alg = algorithm(&env, &alg)?;
        let k = match o.bits {
            Some(b) => jwtauth::SigningKey::generate_rsa(alg, b as usize),
            None => jwtauth::SigningKey::generate(alg),
        };
        Ok(with_kid(k.js(&env)?, o.kid))
    }

    /// The signing algorithm.
    #[napi(getter, ts_return_type = "Alg")]
    pub fn alg(&self) -> &'static str {
        self.inner.alg().name()
    }

    /// The key id, if any.
    #[napi(getter)]
    pub fn kid(&self) -> Option<String> {
        self.inner.kid().map(str::to_owned)
    }

    /// The RFC 7638 thumbprint (base64url).
    #[napi(getter)]
    pub fn thumbprint(&self) -> String {
        self.inner.thumbprint()
    }

    /// The private key as PKCS#8 PEM.
    #[napi]
    pub fn private_pem(&self, env: Env) -> Result<String> {
        Ok(self.inner.to_pkcs8_pem().js(&env)?.to_string())
    }

    /// The public key as SPKI PEM.
    #[napi]
    pub fn public_pem(&self, env: Env) -> Result<String> {
        self.inner.to_public_pem().js(&env)
    }

    /// The public JWK (with kid, alg, use) as an object.
    #[napi(ts_return_type = "JsonWebKey")]
    pub fn public_jwk(&self, env: Env) -> Result<serde_json::Value> {
        self.inner.public_jwk().ok_or_else(|| usage(&env, "an HMAC secret has no public JWK"))
    }

    /// `SigningKey(alg, kid)`; never the key material.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        format!("SigningKey(alg={}, kid={:?})", self.inner.alg().name(), self.inner.kid())
    }
}

/// A registered public key (or a certificate's key).
#[napi]
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

/// Options naming a key.
#[napi(object)]
#[derive(Debug, Default)]
pub struct KidOptions {
    /// The key id.
    pub kid: Option<String>,
}

#[napi]
impl VerifyingKey {
    /// Load a public key from PEM: SPKI, PKCS#1 or an X.509 certificate.
    #[napi(factory)]
    pub fn from_pem(env: Env, pem: Bytes, options: Option<KidOptions>) -> Result<Self> {
        let k = jwtauth::VerifyingKey::from_pem(text(&env, &pem, "pem")?).js(&env)?;
        Ok(Self::new(k, options.and_then(|o| o.kid)))
    }

    /// Load the key of a DER X.509 certificate.
    #[napi(factory)]
    pub fn from_certificate_der(env: Env, der: Uint8Array, options: Option<KidOptions>) -> Result<Self> {
        let k = jwtauth::VerifyingKey::from_certificate_der(&der).js(&env)?;
        Ok(Self::new(k, options.and_then(|o| o.kid)))
    }

    /// Load a public key from a JWK (JSON text or object).
    #[napi(factory)]
    pub fn from_jwk(
        env: Env,
        #[napi(ts_arg_type = "string | JsonWebKey | object")] jwk: Json,
    ) -> Result<Self> {
        Ok(Self::new(jwtauth::VerifyingKey::from_jwk(&json_text(&env, jwk)?).js(&env)?, None))
    }

    /// The RFC 7638 thumbprint (base64url).
    #[napi(getter)]
    pub fn thumbprint(&self) -> String {
        self.key().thumbprint()
    }

    /// The key id, if any.
    #[napi(getter)]
    pub fn kid(&self) -> Option<String> {
        self.key().kid().map(str::to_owned)
    }

    /// For a certificate's key: notAfter (Unix seconds).
    #[napi(getter)]
    pub fn not_after(&self) -> Option<i64> {
        self.key().certificate().map(|c| c.not_after)
    }

    /// For a certificate's key: its x5t (base64url SHA-1).
    #[napi(getter, js_name = "x5t")]
    pub fn x5t(&self) -> Option<String> {
        self.key().certificate().map(|c| b64::encode(&c.x5t))
    }

    /// The public JWK as an object.
    #[napi(ts_return_type = "JsonWebKey")]
    pub fn to_jwk(&self, env: Env) -> Result<serde_json::Value> {
        self.key().to_jwk().ok_or_else(|| usage(&env, "an HMAC secret has no JWK"))
    }
}

/// A parsed JWK Set.
#[napi]
pub struct JwkSet {
    pub(crate) inner: Arc<jwtauth::JwkSet>,
}

#[napi]
impl JwkSet {
    /// Parse a JWKS document (JSON text or object).
    #[napi(factory)]
    pub fn from_json(
        env: Env,
        #[napi(ts_arg_type = "string | { keys: object[] }")] doc: Json,
    ) -> Result<Self> {
        Ok(Self { inner: Arc::new(jwtauth::JwkSet::from_json(&json_text(&env, doc)?).js(&env)?) })
    }

    /// How many keys.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.keys().len()).unwrap_or(u32::MAX)
    }

    /// The set (public members) as an object.
    #[napi(js_name = "toJSON", ts_return_type = "{ keys: JsonWebKey[] }")]
    pub fn to_json(&self, env: Env) -> Result<serde_json::Value> {
        serde_json::from_str(&self.inner.to_json()).map_err(|_| usage(&env, "unreachable: JWKS JSON"))
    }
}
