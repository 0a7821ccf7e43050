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

use jwtauth_core::{Authenticated, Authenticator, Authorization, CertificateFormat, PresentedCertificate};

use crate::args::{Out, bytes, free, obj, opt_text, to_c};
use crate::boundary::{Failure, call, infallible};
use crate::error::{c_string, jwtauth_error};
use crate::registry::jwtauth_registry;
use crate::status::jwtauth_status;
use crate::strings::give;
use crate::verifier::{jwtauth_verified, jwtauth_verifier_config};

/// Authenticates token requests (opaque).
///
/// Owned by the caller: `jwtauth_authenticator_free`. Holds its own
/// references to the registry and stores. Threads: build once, share by all
/// threads (every call takes it const).
pub struct jwtauth_authenticator {
    pub(crate) inner: Authenticator,
}

/// An authenticated client (opaque).
///
/// Owned by the caller: `jwtauth_authenticated_free`; the strings and the
/// assertion it returns live as long as it does. Threads: read-only.
pub struct jwtauth_authenticated {
    client_id: CString,
    method: CString,
    verified: Option<jwtauth_verified>,
    would_refuse: Option<jwtauth_core::WouldRefuse>,
    certificate_thumbprint: Option<CString>,
}

/// The client certificate of a mutual-TLS request, as the TLS terminator
/// handed it over (for `jwtauth_authenticate_tls`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct jwtauth_client_certificate {
    /// The bytes (not NUL-terminated).
    pub data: *const u8,
    /// Their length.
    pub len: usize,
    /// Their format: "der", "pem" (the leaf first, then intermediates),
    /// "nginx" (`$ssl_client_escaped_cert`) or "xfcc" (Envoy's
    /// `x-forwarded-client-cert`, one element).
    pub format: *const c_char,
    /// Its length.
    pub format_len: usize,
    /// Whether the TLS layer verified the chain to the client CAs it trusts
    /// (then `tls_client_auth` needs no `jwtauth_verifier_config_set_client_ca`).
    pub verified_by_tls: bool,
}

/// One decoded form parameter, for `jwtauth_authenticate_form`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct jwtauth_param {
    /// The name (bytes as received, not NUL-terminated).
    pub name: *const c_char,
    /// Its length in bytes.
    pub name_len: usize,
    /// The value (bytes as received, not NUL-terminated; a client
    /// authentication parameter that is not UTF-8 is the request's fault,
    /// `JWTAUTH_MALFORMED_REQUEST`).
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
        let config = obj(config, "config")?;
        let mut a = Authenticator::new(verifier, registry);
        if let Some(r) = opt_text(realm, realm_len, "realm")? {
            a = a.with_realm(r);
        }
        if let Some(ca) = config.client_ca() {
            a = a.with_client_ca(ca.clone());
        }
        if let Some(t) = config.trust() {
            a = a.with_trust(t.clone());
        }
        out.write(to_c(jwtauth_authenticator { inner: a }));
        Ok(())
    })
}

/// An authenticator for requests that `endpoint` (an RFC 8414 name, e.g.
/// "introspection_endpoint") received: its configured URL is an accepted
/// audience too (`compat`); registry, realm and replay store are shared.
/// Owned: free with `jwtauth_authenticator_free`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticator_at(
    auth: *const jwtauth_authenticator,
    endpoint: *const c_char,
    endpoint_len: usize,
    out: *mut *mut jwtauth_authenticator,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let e = crate::verifier::endpoint_named(endpoint, endpoint_len)?;
        let inner = obj(auth, "auth")?.inner.at(e);
        out.write(to_c(jwtauth_authenticator { inner }));
        Ok(())
    })
}

pub(crate) fn result(a: Authenticated) -> jwtauth_authenticated {
    jwtauth_authenticated {
        client_id: c_string(a.client_id()),
        method: c_string(a.method.as_str()),
        verified: a.assertion.map(jwtauth_verified::new),
        would_refuse: a.would_refuse,
        certificate_thumbprint: a.certificate_thumbprint.as_deref().map(c_string),
    }
}

/// The header argument: NULL (with length 0) when the request had none;
/// otherwise its bytes as received (any bytes: what a request holds is never
/// a usage error).
pub(crate) fn header_arg<'a>(ptr: *const c_char, len: usize) -> Result<Authorization<'a>, Failure> {
    if ptr.is_null() && len == 0 {
        return Ok(Authorization::Absent);
    }
    bytes(ptr.cast(), len, "authorization").map(Authorization::Value)
}

/// Authenticate a token request from its `Authorization` header value
/// (NULL when the request had none; its raw bytes otherwise) and its raw
/// `application/x-www-form-urlencoded` body. Whatever bytes the header and
/// body hold, a failure is the request's (`invalid_request` or
/// `invalid_client`); on failure the error carries the response to send. A
/// server that may receive the header more than once calls
/// `jwtauth_authenticate_headers`.
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
        let header = header_arg(authorization, authorization_len)?;
        respond(a, header, body, body_len, out)
    })
}

/// The certificate argument: NULL for a request without one.
pub(crate) fn certificate_arg<'a>(
    cert: *const jwtauth_client_certificate,
) -> Result<Option<PresentedCertificate<'a>>, Failure> {
    if cert.is_null() {
        return Ok(None);
    }
    let c = *obj(cert, "certificate")?;
    let name = crate::args::text(c.format, c.format_len, "certificate format")?;
    let format = CertificateFormat::named(name)?;
    Ok(Some(PresentedCertificate::Raw {
        format,
        bytes: bytes(c.data, c.len, "certificate data")?,
        verified_by_tls: c.verified_by_tls,
    }))
}

/// As `jwtauth_authenticate`, for a request that came over mutual TLS with
/// `certificate` (NULL: none). A client registered for `tls_client_auth` or
/// `self_signed_tls_client_auth` authenticates with it and its `client_id`
/// in the form; for any client the result carries the certificate's
/// `x5t#S256` (`jwtauth_authenticated_certificate_thumbprint`). A certificate
/// that cannot be read refuses the request
/// (`JWTAUTH_MALFORMED_CLIENT_CERTIFICATE`).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticate_tls(
    authenticator: *const jwtauth_authenticator,
    authorization: *const c_char,
    authorization_len: usize,
    body: *const u8,
    body_len: usize,
    certificate: *const jwtauth_client_certificate,
    out: *mut *mut jwtauth_authenticated,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let a = obj(authenticator, "authenticator")?;
        let header = header_arg(authorization, authorization_len)?;
        let body = bytes(body, body_len, "body")?;
        let cert = certificate_arg(certificate)?;
        let done = a.inner.authenticate_tls(header, body, cert)?;
        out.write(to_c(result(done)));
        Ok(())
    })
}

/// As `jwtauth_authenticator_explain_json`, for a request with a client
/// certificate (NULL: none): the mutual-TLS steps (certificate, chain,
/// match) for a client registered for them.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticator_explain_tls_json(
    authenticator: *const jwtauth_authenticator,
    authorization: *const c_char,
    authorization_len: usize,
    body: *const u8,
    body_len: usize,
    certificate: *const jwtauth_client_certificate,
    out: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let a = obj(authenticator, "authenticator")?;
        let header = header_arg(authorization, authorization_len)?;
        let body = bytes(body, body_len, "body")?;
        let cert = certificate_arg(certificate)?;
        give(out, &a.inner.explain_tls(header, body, cert).to_json().to_string());
        Ok(())
    })
}

/// Why `authenticator` accepts or refuses this token request (the same
/// arguments as `jwtauth_authenticate`), step by step, as a JSON document
/// (owned: free with `jwtauth_string_free`): the request's own steps (form,
/// mechanism, Basic decoding, client, secret), then for a client assertion
/// the verifier's rules; `verdict`, `client_id` and `method`, or `error`,
/// `detail` and the `response` a refusal gets. The same pipeline, recording
/// nothing. `JWTAUTH_OK` whenever the document was written, whatever its
/// verdict.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticator_explain_json(
    authenticator: *const jwtauth_authenticator,
    authorization: *const c_char,
    authorization_len: usize,
    body: *const u8,
    body_len: usize,
    out: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let a = obj(authenticator, "authenticator")?;
        let header = header_arg(authorization, authorization_len)?;
        let body = bytes(body, body_len, "body")?;
        give(out, &a.inner.explain(header, body).to_json().to_string());
        Ok(())
    })
}

/// The raw-body calls' common end: the body read, the core's verdict, the
/// result handed to C.
fn respond(
    a: &jwtauth_authenticator,
    header: Authorization<'_>,
    body: *const u8,
    body_len: usize,
    out: Out<*mut jwtauth_authenticated>,
) -> Result<(), Failure> {
    let body = bytes(body, body_len, "body")?;
    let done = a.inner.authenticate_raw(header, body)?;
    out.write(to_c(result(done)));
    Ok(())
}

/// Name/value pairs borrowed from the caller.
type Pairs<'a> = Vec<(&'a [u8], &'a [u8])>;

/// `count` name/value pairs from the caller's array, as byte slices.
fn pairs<'a>(params: *const jwtauth_param, count: usize, what: &'static str) -> Result<Pairs<'a>, Failure> {
    let size = count
        .checked_mul(size_of::<jwtauth_param>())
        .ok_or_else(|| Failure::argument(what, "count is too large"))?;
    let raw = bytes(params.cast(), size, what)?;
    let mut out = Vec::with_capacity(count);
    for chunk in raw.chunks_exact(size_of::<jwtauth_param>()) {
        // SAFETY: `chunk` is one `jwtauth_param` of the caller's array
        // (read unaligned, as a copy of plain data).
        let p: jwtauth_param = unsafe { chunk.as_ptr().cast::<jwtauth_param>().read_unaligned() };
        out.push((
            bytes(p.name.cast(), p.name_len, "param name")?,
            bytes(p.value.cast(), p.value_len, "param value")?,
        ));
    }
    Ok(out)
}

/// As `jwtauth_authenticate`, given every header of the request as
/// `header_count` name/value pairs (bytes as received): the library finds
/// `Authorization` (any case) and refuses a request that carries it more
/// than once (`JWTAUTH_MALFORMED_AUTHORIZATION`). Other headers are ignored,
/// whatever their names.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticate_headers(
    authenticator: *const jwtauth_authenticator,
    headers: *const jwtauth_param,
    header_count: usize,
    body: *const u8,
    body_len: usize,
    out: *mut *mut jwtauth_authenticated,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let a = obj(authenticator, "authenticator")?;
        let headers = pairs(headers, header_count, "headers")?;
        let header = Authorization::from_headers(headers.iter().map(|(n, v)| (n, *v)));
        respond(a, header, body, body_len, out)
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
        let header = header_arg(authorization, authorization_len)?;
        let pairs = pairs(params, count, "params")?;
        let done = a.inner.authenticate_raw_pairs(header, pairs)?;
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

/// When the request came with a client certificate (whatever the method),
/// its `x5t#S256` — base64url of the SHA-256 of its DER — for a
/// certificate-bound access token's `cnf` (RFC 8705 §3); NULL otherwise.
/// Borrowed from `a`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticated_certificate_thumbprint(
    a: *const jwtauth_authenticated,
) -> *const c_char {
    infallible(std::ptr::null(), || {
        obj(a, "a")
            .ok()
            .and_then(|a| a.certificate_thumbprint.as_ref())
            .map_or(std::ptr::null(), |c| c.as_ptr())
    })
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

/// What the report-only profile would have refused so far in requests this
/// authenticator accepted, as `jwtauth_verifier_report_json` writes it
/// (owned: free with `jwtauth_string_free`).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticator_report_json(
    auth: *const jwtauth_authenticator,
    out: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        give(out, &obj(auth, "auth")?.inner.verifier().report().to_json().to_string());
        Ok(())
    })
}

/// The outcome counters of this authenticator's verifier, as
/// `jwtauth_verifier_metrics_json` writes them (owned: free with
/// `jwtauth_string_free`).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticator_metrics_json(
    auth: *const jwtauth_authenticator,
    out: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        give(out, &obj(auth, "auth")?.inner.verifier().metrics().to_json().to_string());
        Ok(())
    })
}

/// What the verifier's report-only profile would have refused in this
/// request (its method, or its assertion): the status, or `JWTAUTH_OK` for
/// nothing; `*profile` (when not NULL) gets the profile's name (static) or NULL.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticated_would_refuse(
    a: *const jwtauth_authenticated,
    profile: *mut *const c_char,
) -> jwtauth_status {
    infallible(jwtauth_status::JWTAUTH_OK, || {
        crate::verifier::would_refuse(obj(a, "a").ok().and_then(|a| a.would_refuse.as_ref()), profile)
    })
}

/// Free a result. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticated_free(a: *mut jwtauth_authenticated) {
    infallible((), || free(a));
}
