//! The client side: `sign` / `signSync` return a `ClientAssertion`.

use std::sync::Arc;

use jwtauth::AssertionBuilder;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::errors::{IntoJs, to_js};
use crate::keys::SigningKey;
use crate::pool;
use crate::stores::FixedClock;

/// What crosses to `index.js` for a signed assertion: the compact JWS
/// alone (`results.js` reads jti, iat and exp from its payload when asked).
fn pack(a: jwtauth::ClientAssertion) -> String {
    a.assertion
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
    /// Sign a JWT bearer grant (RFC 7523 §2.1) for this subject instead of
    /// a client assertion: iss `clientId` (the issuer), sub `subject`, typ
    /// `JWT` unless `typ` says otherwise.
    pub subject: Option<String>,
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
    subject: Option<String>,
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
            subject: o.subject,
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
        if let Some(s) = self.subject {
            b = b.subject(s);
        }
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
#[napi(
    ts_args_type = "key: SigningKey, clientId: string, audience: string, options?: SignOptions | undefined | null",
    ts_return_type = "ClientAssertion"
)]
pub fn sign_sync(
    env: Env,
    key: Unknown<'_>,
    client_id: String,
    audience: String,
    options: Option<SignOptions>,
) -> Result<String> {
    let key = crate::fast::class_ref::<SigningKey>(&env, &key, "key")?;
    Ok(pack(SignJob::new(key, client_id, audience, options).run().js(&env)?))
}

/// As `signSync`, with the signature made on a worker thread.
#[napi(ts_return_type = "Promise<ClientAssertion>")]
pub fn sign<'env>(
    env: &'env Env,
    key: ClassInstance<'_, SigningKey>,
    client_id: String,
    audience: String,
    options: Option<SignOptions>,
) -> Result<Object<'env>> {
    let job = SignJob::new(&key, client_id, audience, options);
    pool::spawn(env, move || job.run(), |env, r| r.map(pack).map_err(|e| to_js(env, &e)))
}
