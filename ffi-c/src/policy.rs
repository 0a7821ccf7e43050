//! Credential validation: `jwtauth_policy` (what a client may register) and
//! the checks a registration dashboard runs before storing a credential.
//!
//! Every problem found is reported, not only the first: the call returns the
//! code of the first and the `jwtauth_error` lists them all
//! (`jwtauth_error_problem_count` / `jwtauth_error_problem`), each with a
//! stable code, a JSON Pointer location and a message a dashboard can show.
//!
//! Ownership: freed by `jwtauth_policy_free`. Thread safety: immutable,
//! shareable.

use std::ffi::c_char;

use jwtauth_core::{AuthMethod, CredentialPolicy, CredentialSource, CredentialSpec};

use crate::args::{Out, bytes, document, free, obj, opt_i64, opt_text, text, to_c};
use crate::boundary::{Failure, call, infallible};
use crate::error::jwtauth_error;
use crate::keys::algorithm_named;
use crate::status::jwtauth_status;
use crate::strings::give;

/// What a client may register (opaque).
///
/// Owned by the caller: `jwtauth_policy_free`; calls copy what they need.
/// Threads: immutable, shareable.
pub struct jwtauth_policy {
    pub(crate) inner: CredentialPolicy,
}

/// The kind of credential given to `jwtauth_policy_check_credential`.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum jwtauth_credential_kind {
    /// A PEM public key (SPKI or PKCS#1) or X.509 certificate.
    JWTAUTH_CREDENTIAL_PEM = 1,
    /// A DER X.509 certificate.
    JWTAUTH_CREDENTIAL_CERTIFICATE_DER = 2,
    /// One public JWK (JSON).
    JWTAUTH_CREDENTIAL_JWK = 3,
    /// A JWKS document (JSON).
    JWTAUTH_CREDENTIAL_JWKS = 4,
    /// A `jwks_uri`.
    JWTAUTH_CREDENTIAL_JWKS_URI = 5,
    /// A client secret.
    JWTAUTH_CREDENTIAL_SECRET = 6,
}

/// The default policy (docs/registry.md): RSA 2048–4096 bits, every algorithm
/// but `none`, at most 2 credentials per client, expiry optional, secrets of
/// at least 16 bytes, `jwks_uri` over https to public addresses.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_policy_new(out: *mut *mut jwtauth_policy) -> jwtauth_status {
    call(std::ptr::null_mut(), || {
        let out = Out::new(out, "out")?;
        out.write(to_c(jwtauth_policy { inner: CredentialPolicy::default() }));
        Ok(())
    })
}

/// Every setting of the policy, defaults included, as the JSON object
/// `jwtauth_policy_from_json` reads (owned: free with `jwtauth_string_free`).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_policy_settings_json(
    policy: *const jwtauth_policy,
    out: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        give(out, &obj(policy, "policy")?.inner.settings().to_string());
        Ok(())
    })
}

/// A policy from JSON: the defaults with the members given changed (the
/// members are listed in docs/registry.md). Unknown members are refused.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_policy_from_json(
    json: *const c_char,
    json_len: usize,
    out: *mut *mut jwtauth_policy,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let inner = CredentialPolicy::from_json(document(json, json_len, "json")?)?;
        out.write(to_c(jwtauth_policy { inner }));
        Ok(())
    })
}

/// Check one credential that a client registered for
/// `token_endpoint_auth_method` `method` (with its optional
/// `token_endpoint_auth_signing_alg` `signing_alg`, may be NULL) would add,
/// at time `now`. `expires_at` (may be NULL) is the credential's expiry;
/// `expiry_from_cert` takes it from the certificate instead (the two are
/// exclusive). `kid` (may be NULL) names a PEM key or certificate.
/// `JWTAUTH_OK` when acceptable; otherwise the first problem's code, with
/// every problem in `*err`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_policy_check_credential(
    policy: *const jwtauth_policy,
    kind: u32,
    data: *const u8,
    data_len: usize,
    method: *const c_char,
    method_len: usize,
    signing_alg: *const c_char,
    signing_alg_len: usize,
    kid: *const c_char,
    kid_len: usize,
    expires_at: *const i64,
    expiry_from_cert: bool,
    now: i64,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let policy = &obj(policy, "policy")?.inner;
        let data = bytes(data, data_len, "data")?;
        let utf8 = || std::str::from_utf8(data).map_err(|_| Failure::argument("data", "is not UTF-8"));
        let source = match kind {
            1 => CredentialSource::Pem(utf8()?),
            2 => CredentialSource::CertificateDer(data),
            3 => CredentialSource::Jwk(utf8()?),
            4 => CredentialSource::Jwks(utf8()?),
            5 => CredentialSource::JwksUri(utf8()?),
            6 => CredentialSource::Secret(data),
            _ => return Err(Failure::argument("kind", "is not a jwtauth_credential_kind")),
        };
        let method = text(method, method_len, "method")?;
        let method = AuthMethod::from_name(method)
            .ok_or_else(|| Failure::argument("method", "is not a token_endpoint_auth_method"))?;
        let signing_alg =
            opt_text(signing_alg, signing_alg_len, "signing_alg")?.map(algorithm_named).transpose()?;
        let mut spec = CredentialSpec::new(source);
        spec.kid = opt_text(kid, kid_len, "kid")?;
        spec.expires_at = opt_i64(expires_at);
        spec.parse_expiry_from_cert = expiry_from_cert;
        policy.check_credential(&spec, method, signing_alg, now)?;
        Ok(())
    })
}

/// Free a policy. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_policy_free(policy: *mut jwtauth_policy) {
    infallible((), || free(policy));
}
