//! `jwtauth_error`: the owned details of a failed call, and the status
//! table helpers.
//!
//! Ownership: an error written to `*err` belongs to the caller, who frees it
//! with `jwtauth_error_free`. Strings returned by the accessors are borrowed
//! from the error and valid until it is freed. Thread safety: an error is
//! plain data; it may be read from any thread, freed once.

use std::ffi::{CString, c_char};
use std::sync::LazyLock;

use jwtauth_core::{Error, ErrorCode, OAuthError, OAuthResponse, Problem};

use crate::args::{Out, free};
use crate::boundary::infallible;
use crate::status::jwtauth_status;

/// One problem found by the credential policy.
struct ProblemC {
    status: jwtauth_status,
    location: CString,
    message: CString,
}

/// The details of a failed call (opaque): code, names, public description,
/// log detail, the OAuth response to send, and credential-policy problems.
///
/// Owned by the caller: `jwtauth_error_free`; the strings it returns live as
/// long as it does. Threads: read-only, shareable.
pub struct jwtauth_error {
    pub(crate) status: jwtauth_status,
    code: Option<ErrorCode>,
    /// The OAuth error and the public description, as the core answers
    /// this error (a refused grant's differ from its code's).
    oauth_error: &'static str,
    description: &'static str,
    detail: CString,
    http_status: u16,
    body: CString,
    www_authenticate: Option<CString>,
    problems: Vec<ProblemC>,
}

/// A Rust string as a C string; interior NULs (never produced by the core)
/// are dropped rather than truncating silently.
pub(crate) fn c_string(s: &str) -> CString {
    CString::new(s).unwrap_or_else(|_| CString::new(s.replace('\0', "")).unwrap_or_default())
}

impl jwtauth_error {
    pub(crate) fn from_error(e: &Error, response: Option<OAuthResponse>, problems: Vec<Problem>) -> Self {
        let (http_status, body, www) = match response {
            Some(r) => (r.status, r.body, r.www_authenticate),
            None => (e.http_status(), e.oauth_body(), None),
        };
        Self {
            status: jwtauth_status::from_code(e.code()),
            code: Some(e.code()),
            oauth_error: e.oauth_error().as_str(),
            description: e.description(),
            detail: c_string(e.detail()),
            http_status,
            body: c_string(&body),
            www_authenticate: www.as_deref().map(c_string),
            problems: problems
                .into_iter()
                .map(|p| ProblemC {
                    status: jwtauth_status::from_code(p.code),
                    location: c_string(&p.location),
                    message: c_string(&p.message),
                })
                .collect(),
        }
    }
}

struct Names {
    name: Vec<(u32, CString)>,
    oauth: Vec<(u32, CString)>,
    description: Vec<(u32, CString)>,
}

/// NUL-terminated copies of the static table, built once.
static NAMES: LazyLock<Names> = LazyLock::new(|| {
    let mut n = Names { name: Vec::new(), oauth: Vec::new(), description: Vec::new() };
    n.name.push((0, c_string("OK")));
    for c in ErrorCode::ALL {
        n.name.push((c.number(), c_string(c.name())));
        n.oauth.push((c.number(), c_string(c.oauth_error().as_str())));
        n.description.push((c.number(), c_string(c.description())));
    }
    n
});

fn lookup(list: &[(u32, CString)], number: u32) -> *const c_char {
    list.iter().find(|(n, _)| *n == number).map_or(std::ptr::null(), |(_, s)| s.as_ptr())
}

/// The machine name of a status ("OK", "REPLAYED", …; the C constant is
/// `JWTAUTH_` + name), or NULL for a number that is not a status. Static.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_status_name(status: u32) -> *const c_char {
    infallible(std::ptr::null(), || lookup(&NAMES.name, status))
}

/// The OAuth error a token endpoint sends for a status ("invalid_client",
/// …), or NULL for `JWTAUTH_OK` and unknown numbers. Static.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_status_oauth_error(status: u32) -> *const c_char {
    infallible(std::ptr::null(), || lookup(&NAMES.oauth, status))
}

/// The generic public description of a status, or NULL for `JWTAUTH_OK` and
/// unknown numbers. Static.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_status_description(status: u32) -> *const c_char {
    infallible(std::ptr::null(), || lookup(&NAMES.description, status))
}

/// The HTTP status a token endpoint sends for a status, or 0 for
/// `JWTAUTH_OK` and unknown numbers.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_status_http_status(status: u32) -> u16 {
    ErrorCode::from_number(status).map_or(0, ErrorCode::http_status)
}

fn get<'a>(e: *const jwtauth_error) -> Option<&'a jwtauth_error> {
    // SAFETY: the header's contract: NULL or an error returned by this
    // library and not yet freed.
    unsafe { e.as_ref() }
}

/// The status of the failed call (`JWTAUTH_INTERNAL` for NULL).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_error_status(e: *const jwtauth_error) -> jwtauth_status {
    get(e).map_or(jwtauth_status::JWTAUTH_INTERNAL, |e| e.status)
}

/// The machine name of the error ("REPLAYED"); static. NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_error_name(e: *const jwtauth_error) -> *const c_char {
    get(e).and_then(|e| e.code).map_or(std::ptr::null(), |c| jwtauth_status_name(c.number()))
}

/// The OAuth error the response carries ("invalid_client"; for any refusal
/// of a JWT bearer grant "invalid_grant", whatever its status); static.
/// NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_error_oauth_error(e: *const jwtauth_error) -> *const c_char {
    get(e).map_or(std::ptr::null(), |e| static_text(e.oauth_error))
}

/// The generic description, safe to send to the client; static. NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_error_description(e: *const jwtauth_error) -> *const c_char {
    get(e).map_or(std::ptr::null(), |e| static_text(e.description))
}

/// Every OAuth error and public description the core answers with,
/// NUL-terminated once: the static C strings the accessors return.
static TEXTS: LazyLock<Vec<(&'static str, CString)>> = LazyLock::new(|| {
    let mut all: Vec<&'static str> = vec![jwtauth_core::GRANT_DESCRIPTION, OAuthError::InvalidGrant.as_str()];
    for c in ErrorCode::ALL {
        all.extend([c.oauth_error().as_str(), c.description()]);
    }
    all.sort_unstable();
    all.dedup();
    all.into_iter().map(|s| (s, c_string(s))).collect()
});

/// `s`, one of the core's static texts, as a static C string (NULL for
/// anything else, which the core never produces).
fn static_text(s: &'static str) -> *const c_char {
    TEXTS
        .binary_search_by(|(t, _)| t.cmp(&s))
        .ok()
        .and_then(|i| TEXTS.get(i))
        .map_or(std::ptr::null(), |(_, c)| c.as_ptr())
}

/// The detailed reason, for logs only (never sent to a client; never holds
/// secrets or whole assertions). Borrowed from `e`. NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_error_detail(e: *const jwtauth_error) -> *const c_char {
    get(e).map_or(std::ptr::null(), |e| e.detail.as_ptr())
}

/// The HTTP status of the response to send (400, 401, 500, 503). 0 for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_error_http_status(e: *const jwtauth_error) -> u16 {
    get(e).map_or(0, |e| e.http_status)
}

/// The JSON body of the response to send:
/// `{"error":"…","error_description":"…"}`. Borrowed from `e`. NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_error_response_body(e: *const jwtauth_error) -> *const c_char {
    get(e).map_or(std::ptr::null(), |e| e.body.as_ptr())
}

/// The `WWW-Authenticate` header value to send, or NULL when none is due
/// (only a 401 for a request that used the Authorization header carries
/// one). Borrowed from `e`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_error_www_authenticate(e: *const jwtauth_error) -> *const c_char {
    get(e).and_then(|e| e.www_authenticate.as_ref()).map_or(std::ptr::null(), |s| s.as_ptr())
}

/// How many credential-policy problems the error lists (0 unless the call
/// validated a credential or client registration).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_error_problem_count(e: *const jwtauth_error) -> usize {
    get(e).map_or(0, |e| e.problems.len())
}

/// Problem `index` of the error: its code, its location (a JSON Pointer
/// into the registered document, "" for the whole) and a message a
/// dashboard can show. The strings are borrowed from `e`. Returns
/// `JWTAUTH_INVALID_ARGUMENT` for a NULL argument or an index out of range
/// (outputs untouched).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_error_problem(
    e: *const jwtauth_error,
    index: usize,
    code: *mut jwtauth_status,
    location: *mut *const c_char,
    message: *mut *const c_char,
) -> jwtauth_status {
    infallible(jwtauth_status::JWTAUTH_INTERNAL, || {
        let (Some(e), Ok(code), Ok(location), Ok(message)) =
            (get(e), Out::new(code, "code"), Out::new(location, "location"), Out::new(message, "message"))
        else {
            return jwtauth_status::JWTAUTH_INVALID_ARGUMENT;
        };
        let Some(p) = e.problems.get(index) else {
            return jwtauth_status::JWTAUTH_INVALID_ARGUMENT;
        };
        code.write(p.status);
        location.write(p.location.as_ptr());
        message.write(p.message.as_ptr());
        jwtauth_status::JWTAUTH_OK
    })
}

/// Free an error. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_error_free(e: *mut jwtauth_error) {
    infallible((), || free(e));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_code_has_a_status_with_its_number_and_name() {
        for c in ErrorCode::ALL {
            let s = jwtauth_status::from_code(*c);
            assert_eq!(s as u32, c.number(), "{c:?}");
            assert_eq!(format!("{s:?}"), format!("JWTAUTH_{}", c.name()));
            // SAFETY: a static NUL-terminated string of the table.
            let name = unsafe { std::ffi::CStr::from_ptr(jwtauth_status_name(c.number())) };
            assert_eq!(name.to_str().ok(), Some(c.name()));
        }
        assert!(jwtauth_status_name(99_999).is_null());
    }
}
