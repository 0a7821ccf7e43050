//! Credential validation: `CredentialPolicy`.

use jwtauth::{AuthMethod, CredentialSource, CredentialSpec};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::convert::{Json, json_text};
use crate::errors::{IntoJs, Problem, problems, usage};
use crate::keys::algorithm;

pub(crate) fn now_or_system(now: Option<i64>) -> i64 {
    now.unwrap_or_else(|| jwtauth::Clock::now(&jwtauth::SystemClock))
}

/// Options for `checkCredential`.
#[napi(object)]
#[derive(Debug, Default)]
pub struct CredentialOptions {
    /// The registered token_endpoint_auth_signing_alg.
    #[napi(ts_type = "Alg")]
    pub signing_alg: Option<String>,
    /// The key id the credential is registered under.
    pub kid: Option<String>,
    /// When the credential expires (Unix seconds).
    pub expires_at: Option<i64>,
    /// Take the expiry from the certificate's notAfter.
    pub expiry_from_cert: Option<bool>,
    /// The time to check at (default: now).
    pub now: Option<i64>,
}

/// What a client may register (defaults and settings in docs/registry.md:
/// `min_rsa_bits`, `max_credentials`, `require_expiry`, …).
#[napi]
pub struct CredentialPolicy {
    pub(crate) inner: jwtauth::CredentialPolicy,
}

#[napi]
impl CredentialPolicy {
    /// The default policy, or one changed by `settings` (JSON text or
    /// object; snake_case names as in docs/registry.md).
    #[napi(constructor)]
    pub fn new(
        env: Env,
        #[napi(ts_arg_type = "string | Record<string, unknown>")] settings: Option<Json<'_>>,
    ) -> Result<Self> {
        let inner = match settings {
            Some(s) => jwtauth::CredentialPolicy::from_json(&json_text(&env, s)?).js(&env)?,
            None => jwtauth::CredentialPolicy::default(),
        };
        Ok(Self { inner })
    }

    /// Every setting, defaults included, with the names the constructor
    /// takes.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn settings(&self) -> serde_json::Value {
        self.inner.settings()
    }

    /// Every problem with one credential a client registered for `method`
    /// would add (`[]` when it is acceptable). `kind`: pem,
    /// certificate_der, jwk, jwks, jwks_uri or secret.
    #[napi]
    pub fn check_credential(
        &self,
        env: Env,
        #[napi(ts_arg_type = "'pem' | 'certificate_der' | 'jwk' | 'jwks' | 'jwks_uri' | 'secret'")]
        kind: String,
        #[napi(ts_arg_type = "string | Uint8Array | object")] data: Either3<String, Uint8Array, Object<'_>>,
        #[napi(ts_arg_type = "AuthMethod")] method: String,
        options: Option<CredentialOptions>,
    ) -> Result<Vec<Problem>> {
        let o = options.unwrap_or_default();
        let raw: Vec<u8> = match data {
            Either3::A(s) => s.into_bytes(),
            Either3::B(b) => b.to_vec(),
            Either3::C(o) => json_text(&env, Either::B(o))?.into_bytes(),
        };
        let source = CredentialSource::from_kind(&kind, &raw).js(&env)?;
        let method = AuthMethod::from_name(&method)
            .ok_or_else(|| usage(&env, "method is not a token_endpoint_auth_method"))?;
        let signing_alg = o.signing_alg.map(|a| algorithm(&env, &a)).transpose()?;
        let mut spec = CredentialSpec::new(source);
        spec.kid = o.kid.as_deref();
        spec.expires_at = o.expires_at;
        spec.parse_expiry_from_cert = o.expiry_from_cert.unwrap_or(false);
        Ok(match self.inner.check_credential(&spec, method, signing_alg, now_or_system(o.now)) {
            Ok(_) => Vec::new(),
            Err(list) => problems(list),
        })
    }

    /// Every problem with a client's registration metadata (JSON text or
    /// object) (`[]` when it is acceptable).
    #[napi]
    pub fn check_client(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | ClientMetadata")] metadata: Json<'_>,
        now: Option<i64>,
    ) -> Result<Vec<Problem>> {
        Ok(match self.inner.check_client_json(&json_text(&env, metadata)?, now_or_system(now)) {
            Ok(_) => Vec::new(),
            Err(list) => problems(list),
        })
    }
}
