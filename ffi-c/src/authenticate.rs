//! Token-endpoint client authentication: `jwtauth_authenticator` takes what
//! the server has at hand (the Authorization header and the form body) and
//! returns the authenticated client, or an error that carries the OAuth
//! response to send (`jwtauth_error_http_status`,
//! `jwtauth_error_response_body`, `jwtauth_error_www_authenticate`).
//!
//! Ownership: an authenticator keeps its own references to the registry and
//! the stores of its configuration; free it with `jwtauth_authenticator_free`,
//! each result with `jwtauth_authenticated_free`. Thread safety: an
//! authenticator is built once and shared by every thread.

use std::ffi::{CString, c_char};

use jwtauth_core::{Authenticated, Authenticator};

use crate::args::{Out, bytes, free, obj, opt_text, text, to_c};
use crate::boundary::{Failure, call, infallible};
use crate::error::{c_string, jwtauth_error};
use crate::registry::jwtauth_registry;
use crate::status::jwtauth_status;
use crate::verifier::{jwtauth_verified, jwtauth_verifier_config};

/// Authenticates token requests (opaque).
///
/// Owned by the caller: `jwtauth_authenticator_free`. Holds its own
/// references to the registry and stores. Threads: build once, share by all
/// threads (every call takes it const).
pub struct jwtauth_authenticator {
    inner: Authenticator,
}

/// An authenticated client (opaque).
///
/// Owned by the caller: `jwtauth_authenticated_free`; the strings and the
/// assertion it returns live as long as it does. Threads: read-only.
pub struct jwtauth_authenticated {
    client_id: CString,
    method: CString,
    verified: Option<jwtauth_verified>,
}

/// One decoded form parameter, for `jwtauth_authenticate_form`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct jwtauth_param {
    /// The name (UTF-8, not NUL-terminated).
    pub name: *const c_char,
    /// Its length in bytes.
    pub name_len: usize,
    /// The value (UTF-8, not NUL-terminated).
    pub value: *const c_char,
    /// Its length in bytes.
    pub value_len: usize,
}

/// An authenticator verifying with `config` (copied) against `registry`.
/// `realm` (may be NULL: the issuer) goes in `WWW-Authenticate`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticator_new(
    config: *const jwtauth_verifier_config,
    registry: *const jwtauth_registry,
    realm: *const c_char,
    realm_len: usize,
    out: *mut *mut jwtauth_authenticator,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let verifier = obj(config, "config")?.build()?;
        let registry = obj(registry, "registry")?.inner.clone();
        let mut a = Authenticator::new(verifier, registry);
        if let Some(r) = opt_text(realm, realm_len, "realm")? {
            a = a.with_realm(r);
        }
        out.write(to_c(jwtauth_authenticator { inner: a }));
        Ok(())
    })
}

fn result(a: Authenticated) -> jwtauth_authenticated {
    jwtauth_authenticated {
        client_id: c_string(a.client_id()),
        method: c_string(a.method.as_str()),
        verified: a.assertion.map(jwtauth_verified::new),
    }
}

/// Authenticate a token request from its `Authorization` header value
/// (NULL when the request had none) and its raw
/// `application/x-www-form-urlencoded` body. On failure the error carries
/// the response to send.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticate(
    authenticator: *const jwtauth_authenticator,
    authorization: *const c_char,
    authorization_len: usize,
    body: *const u8,
    body_len: usize,
    out: *mut *mut jwtauth_authenticated,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let a = obj(authenticator, "authenticator")?;
        let header = opt_text(authorization, authorization_len, "authorization")?;
        let body = bytes(body, body_len, "body")?;
        let done = a.inner.authenticate_body(header, body)?;
        out.write(to_c(result(done)));
        Ok(())
    })
}

/// As `jwtauth_authenticate`, with the form already decoded by the server
/// into `count` name/value pairs (repeated names must be kept: they are
/// refused).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticate_form(
    authenticator: *const jwtauth_authenticator,
    authorization: *const c_char,
    authorization_len: usize,
    params: *const jwtauth_param,
    count: usize,
    out: *mut *mut jwtauth_authenticated,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let a = obj(authenticator, "authenticator")?;
        let header = opt_text(authorization, authorization_len, "authorization")?;
        let size = count
            .checked_mul(size_of::<jwtauth_param>())
            .ok_or_else(|| Failure::argument("count", "is too large"))?;
        let raw = bytes(params.cast(), size, "params")?;
        let mut pairs = Vec::with_capacity(count);
        for chunk in raw.chunks_exact(size_of::<jwtauth_param>()) {
            // SAFETY: `chunk` is one `jwtauth_param` of the caller's array
            // (read unaligned, as a copy of plain data).
            let p: jwtauth_param = unsafe { chunk.as_ptr().cast::<jwtauth_param>().read_unaligned() };
            pairs.push((text(p.name, p.name_len, "param name")?, text(p.value, p.value_len, "param value")?));
        }
        let done = a.inner.authenticate(header, pairs)?;
        out.write(to_c(result(done)));
        Ok(())
    })
}

/// Free an authenticator. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticator_free(a: *mut jwtauth_authenticator) {
    infallible((), || free(a));
}

/// The authenticated client id. Borrowed from `a`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticated_client_id(a: *const jwtauth_authenticated) -> *const c_char {
    infallible(std::ptr::null(), || obj(a, "a").map_or(std::ptr::null(), |a| a.client_id.as_ptr()))
}

/// The `token_endpoint_auth_method` used ("private_key_jwt", …). Borrowed
/// from `a`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticated_method(a: *const jwtauth_authenticated) -> *const c_char {
    infallible(std::ptr::null(), || obj(a, "a").map_or(std::ptr::null(), |a| a.method.as_ptr()))
}

/// For the JWT methods, the verified assertion (borrowed from `a`: read it
/// with the `jwtauth_verified_*` accessors, never free it); NULL otherwise.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticated_assertion(
    a: *const jwtauth_authenticated,
) -> *const jwtauth_verified {
    infallible(std::ptr::null(), || {
        obj(a, "a").ok().and_then(|a| a.verified.as_ref()).map_or(std::ptr::null(), std::ptr::from_ref)
    })
}

/// Free a result. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticated_free(a: *mut jwtauth_authenticated) {
    infallible((), || free(a));
}
