//! The client side: `sign` / `signSync` return a `ClientAssertion`.

use std::sync::Arc;

use jwtauth::AssertionBuilder;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::errors::{IntoJs, to_js};
use crate::keys::SigningKey;
use crate::pool;
use crate::stores::FixedClock;

/// A signed client assertion and the form fields that carry it.
#[napi]
pub struct ClientAssertion {
    inner: jwtauth::ClientAssertion,
}

/// The three form fields of a client assertion.
#[napi(object)]
#[derive(Debug)]
pub struct AssertionForm {
    /// iss and sub.
    #[napi(js_name = "client_id")]
    pub client_id: String,
    /// `urn:ietf:params:oauth:client-assertion-type:jwt-bearer`.
    #[napi(js_name = "client_assertion_type")]
    pub client_assertion_type: String,
    /// The compact JWS.
    #[napi(js_name = "client_assertion")]
    pub client_assertion: String,
}

#[napi]
impl ClientAssertion {
    /// The compact JWS (the `client_assertion` value).
    #[napi(getter)]
    pub fn assertion(&self) -> String {
        self.inner.assertion.clone()
    }

    /// iss and sub.
    #[napi(getter)]
    pub fn client_id(&self) -> String {
        self.inner.client_id.clone()
    }

    /// The jti.
    #[napi(getter)]
    pub fn jti(&self) -> String {
        self.inner.jti.clone()
    }

    /// iat (Unix seconds).
    #[napi(getter)]
    pub fn issued_at(&self) -> i64 {
        self.inner.issued_at
    }

    /// exp (Unix seconds).
    #[napi(getter)]
    pub fn expires_at(&self) -> i64 {
        self.inner.expires_at
    }

    /// `client_id=…&client_assertion_type=…&client_assertion=…`, encoded.
    #[napi(getter)]
    pub fn form_body(&self) -> String {
        self.inner.to_form_body()
    }

    /// The three form fields (for `URLSearchParams` or a form object).
    #[napi(getter)]
    pub fn form(&self) -> AssertionForm {
        AssertionForm {
            client_id: self.inner.client_id.clone(),
            client_assertion_type: jwtauth::CLIENT_ASSERTION_TYPE.to_owned(),
            client_assertion: self.inner.assertion.clone(),
        }
    }

    /// `ClientAssertion(clientId, jti)`; never the assertion itself.
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        format!("ClientAssertion(client_id={:?}, jti={:?})", self.inner.client_id, self.inner.jti)
    }
}

/// Options for `sign` and `signSync`.
#[napi(object)]
#[derive(Default)]
pub struct SignOptions {
    /// Seconds until exp (default 60; at most 300 unless `allowLongLifetime`).
    pub lifetime: Option<i64>,
    /// Permit a lifetime above 300 s.
    pub allow_long_lifetime: Option<bool>,
    /// Add nbf = iat.
    pub not_before: Option<bool>,
    /// The JOSE `typ` (default `client-authentication+jwt`); `null` omits it.
    pub typ: Option<Either<String, Null>>,
    /// The kid (default: the key's kid or thumbprint); `null` omits it.
    pub kid: Option<Either<String, Null>>,
    /// The jti (default: 128 random bits).
    pub jti: Option<String>,
    /// Extra claims (may not replace iss, sub, aud, exp, iat, jti, nbf).
    pub claims: Option<serde_json::Map<String, serde_json::Value>>,
    /// A clock for tests.
    pub clock: Option<Reference<FixedClock>>,
}

impl std::fmt::Debug for SignOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignOptions")
    }
}

/// What a sign call needs, owned so that it can move to a worker.
struct SignJob {
    key: Arc<jwtauth::SigningKey>,
    client_id: String,
    audience: String,
    lifetime: Option<i64>,
    allow_long: bool,
    not_before: bool,
    typ: Option<Option<String>>,
    kid: Option<Option<String>>,
    jti: Option<String>,
    claims: Option<serde_json::Map<String, serde_json::Value>>,
    clock: Option<Arc<dyn jwtauth::Clock>>,
}

impl SignJob {
    fn new(key: &SigningKey, client_id: String, audience: String, o: Option<SignOptions>) -> Self {
        let o = o.unwrap_or_default();
        Self {
            key: key.inner.clone(),
            client_id,
            audience,
            lifetime: o.lifetime,
            allow_long: o.allow_long_lifetime.unwrap_or(false),
            not_before: o.not_before.unwrap_or(false),
            typ: None,
            kid: o.kid.map(|k| match k {
                Either::A(s) => Some(s),
                Either::B(_) => None,
            }),
            jti: o.jti,
            claims: o.claims,
            clock: o.clock.map(|c| c.inner.clone() as Arc<dyn jwtauth::Clock>),
        }
        .typ_from(o.typ)
    }

    fn typ_from(mut self, typ: Option<Either<String, Null>>) -> Self {
        self.typ = typ.map(|t| match t {
            Either::A(s) => Some(s),
            Either::B(_) => None,
        });
        self
    }

    fn run(self) -> jwtauth::Result<jwtauth::ClientAssertion> {
        let mut b =
            AssertionBuilder::new(&self.key, &self.client_id, &self.audience).not_before(self.not_before);
        if let Some(l) = self.lifetime {
            b = b.lifetime(l);
        }
        if self.allow_long {
            b = b.allow_long_lifetime();
        }
        if let Some(t) = &self.typ {
            b = b.typ(t.as_deref());
        }
        match self.kid {
            Some(Some(k)) => b = b.kid(k),
            Some(None) => b = b.no_kid(),
            None => {}
        }
        if let Some(j) = self.jti {
            b = b.jti(j);
        }
        for (k, v) in self.claims.into_iter().flatten() {
            b = b.claim(&k, v)?;
        }
        if let Some(c) = self.clock {
            b = b.clock(c);
        }
        b.sign()
    }
}

/// Sign a client assertion for `clientId` (iss and sub) and `audience`
/// (the server's issuer identifier or token endpoint), on this thread.
#[napi]
pub fn sign_sync(
    env: Env,
    key: &SigningKey,
    client_id: String,
    audience: String,
    options: Option<SignOptions>,
) -> Result<ClientAssertion> {
    let signed = SignJob::new(key, client_id, audience, options).run().js(&env)?;
    Ok(ClientAssertion { inner: signed })
}

/// As `signSync`, with the signature made on a worker thread.
#[napi(ts_return_type = "Promise<ClientAssertion>")]
pub fn sign<'env>(
    env: &'env Env,
    key: &SigningKey,
    client_id: String,
    audience: String,
    options: Option<SignOptions>,
) -> Result<Object<'env>> {
    let job = SignJob::new(key, client_id, audience, options);
    pool::spawn(
        env,
        move || job.run(),
        |env, r| r.map(|inner| ClientAssertion { inner }).map_err(|e| to_js(env, &e)),
    )
}
