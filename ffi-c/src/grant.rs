//! JWT bearer authorization grants (RFC 7523 §2.1, docs/grants.md): the
//! trust table of issuers, and the token request that carries a grant,
//! authenticated with `jwtauth_authenticate_grant`.
//!
//! Ownership: free a table with `jwtauth_trust_table_free` (configurations
//! and authenticators keep their own reference), each result with
//! `jwtauth_grant_request_free`. Threads: a table and an authenticator are
//! shared by every thread; a result is read-only.

use std::ffi::{CString, c_char, c_void};
use std::sync::Arc;

use jwtauth_core::TrustTable;

use crate::args::{Out, bytes, document, free, obj, obj_mut, to_c};
use crate::authenticate::{jwtauth_authenticated, jwtauth_authenticator, jwtauth_client_certificate};
use crate::boundary::{call, infallible};
use crate::error::{c_string, jwtauth_error};
use crate::policy::jwtauth_policy;
use crate::replay::UserData;
use crate::status::jwtauth_status;
use crate::strings::give;
use crate::verifier::jwtauth_verifier_config;

/// The issuers whose JWTs are accepted as authorization grants (opaque).
///
/// Owned by the caller: `jwtauth_trust_table_free`. Threads: read-only,
/// shared by all threads.
pub struct jwtauth_trust_table {
    pub(crate) inner: Arc<TrustTable>,
}

/// A trust table from its document (`{"client_authentication": …,
/// "issuers": [{"issuer", "jwks" | "jwks_uri" | "credentials", "subjects",
/// "subject_prefixes", "audience", "algorithms", "max_age", "max_lifetime",
/// "require_jti"}]}`, docs/grants.md), every issuer's keys checked against
/// `policy` (NULL: the default) at `now`. All or nothing: on refusal the
/// error lists every problem, located by JSON Pointer.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_trust_table_from_json(
    json: *const c_char,
    json_len: usize,
    policy: *const jwtauth_policy,
    now: i64,
    out: *mut *mut jwtauth_trust_table,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let json = document(json, json_len, "json")?;
        let t = TrustTable::from_json(json, &crate::registry::policy_or_default(policy)?, now)?;
        out.write(to_c(jwtauth_trust_table { inner: Arc::new(t) }));
        Ok(())
    })
}

/// Returned by a subject hook: the issuer may assert the subject.
pub const JWTAUTH_SUBJECT_ALLOWED: i32 = 1;
/// Returned by a subject hook: it may not (`JWTAUTH_SUBJECT_NOT_ALLOWED`,
/// 400 `invalid_grant`). Any other value means the hook could not decide:
/// the grant is refused with `JWTAUTH_HOOK_FAILED` (503: fail closed).
pub const JWTAUTH_SUBJECT_NOT_ALLOWED_BY_HOOK: i32 = 0;

/// Whether `issuer` may assert `subject` (each not NUL-terminated, valid
/// during the call), for issuers whose `subjects` is `"host"`. Return
/// `JWTAUTH_SUBJECT_ALLOWED` or `JWTAUTH_SUBJECT_NOT_ALLOWED_BY_HOOK`; any
/// other value fails closed. Called from whichever thread verifies,
/// concurrently: it and `user_data` must be thread-safe.
pub type jwtauth_subject_hook_fn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        issuer: *const c_char,
        issuer_len: usize,
        subject: *const c_char,
        subject_len: usize,
    ) -> i32,
>;

type SubjectFn = unsafe extern "C" fn(*mut c_void, *const c_char, usize, *const c_char, usize) -> i32;

struct CallbackSubjects {
    f: SubjectFn,
    user_data: UserData,
}

impl std::fmt::Debug for CallbackSubjects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CallbackSubjects")
    }
}

impl jwtauth_core::SubjectHook for CallbackSubjects {
    fn allowed(&self, issuer: &str, subject: &str) -> Result<bool, String> {
        // SAFETY: the header's contract for `jwtauth_subject_hook_fn`: the
        // strings are valid for their lengths during the call.
        let r = unsafe {
            (self.f)(
                self.user_data.0,
                issuer.as_ptr().cast(),
                issuer.len(),
                subject.as_ptr().cast(),
                subject.len(),
            )
        };
        match r {
            JWTAUTH_SUBJECT_ALLOWED => Ok(true),
            JWTAUTH_SUBJECT_NOT_ALLOWED_BY_HOOK => Ok(false),
            other => Err(format!("the host's subject hook returned {other}")),
        }
    }
}

/// Ask `hook` (with `user_data`) for the issuers of `table` whose
/// `subjects` is `"host"`; NULL removes it (then they may assert nobody).
/// Set it before the table goes to a configuration: once shared,
/// `JWTAUTH_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_trust_table_set_subject_hook(
    table: *mut jwtauth_trust_table,
    hook: jwtauth_subject_hook_fn,
    user_data: *mut c_void,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let t = obj_mut(table, "table")?;
        let inner = Arc::get_mut(&mut t.inner).ok_or_else(|| {
            crate::boundary::Failure::argument(
                "table",
                "is already used by a configuration; set the hook first",
            )
        })?;
        let taken = std::mem::take(inner);
        *inner = match hook {
            Some(f) => {
                taken.with_subject_hook(Arc::new(CallbackSubjects { f, user_data: UserData(user_data) }))
            }
            None => taken.without_subject_hook(),
        };
        Ok(())
    })
}

/// How many issuers the table trusts (0 for NULL).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_trust_table_len(table: *const jwtauth_trust_table) -> usize {
    infallible(0, || obj(table, "table").map_or(0, |t| t.inner.len()))
}

/// Free a trust table. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_trust_table_free(table: *mut jwtauth_trust_table) {
    infallible((), || free(table));
}

/// The trust table authenticators made from this configuration check JWT
/// bearer grants against (`jwtauth_authenticate_grant`). The configuration
/// keeps its own reference.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_config_set_trust_table(
    config: *mut jwtauth_verifier_config,
    table: *const jwtauth_trust_table,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let t = Arc::clone(&obj(table, "table")?.inner);
        obj_mut(config, "config")?.set_trust(t);
        Ok(())
    })
}

/// An accepted JWT bearer grant request (opaque): the grant, and the client
/// that authenticated with it, if any.
///
/// Owned by the caller: `jwtauth_grant_request_free`; the strings and the
/// client it returns live as long as it does. Threads: read-only.
pub struct jwtauth_grant_request {
    client: Option<jwtauth_authenticated>,
    issuer: CString,
    subject: CString,
    jti: Option<CString>,
    claims_json: CString,
}

/// Authenticate a JWT bearer grant request (RFC 7523 §2.1:
/// `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` and
/// `assertion`): its `Authorization` header (NULL when none), its raw body
/// and, over mutual TLS, its client certificate (NULL: none). The client
/// authentication it carries (any method) is checked first; a request
/// without any is refused (`JWTAUTH_NO_CLIENT_AUTHENTICATION`) unless the
/// trust table says `"client_authentication": "optional"`. Then the grant
/// against the trust table of the authenticator's configuration
/// (`jwtauth_verifier_config_set_trust_table`). On failure the error carries
/// the response to send: every refusal of the grant is `invalid_grant`
/// (400) with its status; another grant's parameter or a repeated one is
/// `invalid_request`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticate_grant(
    authenticator: *const jwtauth_authenticator,
    authorization: *const c_char,
    authorization_len: usize,
    body: *const u8,
    body_len: usize,
    certificate: *const jwtauth_client_certificate,
    out: *mut *mut jwtauth_grant_request,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let a = obj(authenticator, "authenticator")?;
        let header = crate::authenticate::header_arg(authorization, authorization_len)?;
        let body = bytes(body, body_len, "body")?;
        let cert = crate::authenticate::certificate_arg(certificate)?;
        let r = a.inner.authenticate_grant(header, body, cert)?;
        let g = &r.grant;
        out.write(to_c(jwtauth_grant_request {
            client: r.client.map(crate::authenticate::result),
            issuer: c_string(&g.issuer),
            subject: c_string(&g.subject),
            jti: g.claims.jti().map(c_string),
            claims_json: c_string(&g.claims.to_json().to_string()),
        }));
        Ok(())
    })
}

/// Why the authenticator's verifier would accept or refuse `assertion` as a
/// JWT bearer grant now, step by step, as JSON (`verdict`, `issuer`,
/// `subject`, or `error`, `detail` and the `response` to send; `steps`).
/// Records nothing. Owned: free with `jwtauth_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_authenticator_explain_grant_json(
    authenticator: *const jwtauth_authenticator,
    assertion: *const c_char,
    assertion_len: usize,
    out: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let a = obj(authenticator, "authenticator")?;
        let assertion = bytes(assertion.cast(), assertion_len, "assertion")?;
        give(out, &a.inner.explain_grant(assertion).to_json().to_string());
        Ok(())
    })
}

fn field(
    r: *const jwtauth_grant_request,
    f: impl Fn(&jwtauth_grant_request) -> *const c_char,
) -> *const c_char {
    infallible(std::ptr::null(), || obj(r, "r").map_or(std::ptr::null(), &f))
}

/// The authenticated client (borrowed from `r`: read it with the
/// `jwtauth_authenticated_*` accessors, never free it), or NULL when the
/// request came without client authentication (allowed by the trust table).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_grant_request_client(
    r: *const jwtauth_grant_request,
) -> *const jwtauth_authenticated {
    infallible(std::ptr::null(), || {
        obj(r, "r").ok().and_then(|r| r.client.as_ref()).map_or(std::ptr::null(), std::ptr::from_ref)
    })
}

/// The grant's trusted issuer (`iss`). Borrowed from `r`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_grant_request_issuer(r: *const jwtauth_grant_request) -> *const c_char {
    field(r, |r| r.issuer.as_ptr())
}

/// The grant's subject (`sub`): whom the access token is for. Borrowed from `r`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_grant_request_subject(r: *const jwtauth_grant_request) -> *const c_char {
    field(r, |r| r.subject.as_ptr())
}

/// The grant's `jti`, or NULL when it had none. Borrowed from `r`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_grant_request_jti(r: *const jwtauth_grant_request) -> *const c_char {
    field(r, |r| r.jti.as_ref().map_or(std::ptr::null(), |j| j.as_ptr()))
}

/// The grant's verified claims as a JSON object. Borrowed from `r`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_grant_request_claims_json(r: *const jwtauth_grant_request) -> *const c_char {
    field(r, |r| r.claims_json.as_ptr())
}

/// Free a result. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_grant_request_free(r: *mut jwtauth_grant_request) {
    infallible((), || free(r));
}
