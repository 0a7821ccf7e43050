//! Core errors as JavaScript `JwtAuthError`s. The class is defined once, in
//! `errors.js` (so that it carries JavaScript methods), and handed to the
//! addon when the package loads (`init`); this is the one place that maps a
//! core error to it.

use std::cell::RefCell;

use jwtauth::{AuthError, Error, ErrorCode, OAuthResponse};
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// One problem found by the credential policy.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct Problem {
    /// The stable code (the C constant name, `JWTAUTH_…`).
    pub code: String,
    /// Where: a JSON Pointer into the registered document.
    pub location: String,
    /// A message a dashboard can show.
    pub message: String,
}

pub(crate) fn problems(list: Vec<jwtauth::Problem>) -> Vec<Problem> {
    list.into_iter()
        .map(|p| Problem {
            code: format!("JWTAUTH_{}", p.code.name()),
            location: p.location,
            message: p.message,
        })
        .collect()
}

/// `new JwtAuthError(number, detail, status, body, wwwAuthenticate, problems, headers)`:
/// `headers` are the core's response headers as `[name, value]` pairs.
pub(crate) type ErrorArgs =
    FnArgs<(u32, String, u32, String, Option<String>, Vec<Problem>, Vec<Vec<String>>)>;

thread_local! {
    /// The `JwtAuthError` class of this JavaScript thread.
    static ERROR_CLASS: RefCell<Option<FunctionRef<ErrorArgs, Unknown<'static>>>> = const { RefCell::new(None) };
}

pub(crate) fn set_error_class(class: &Function<'_, ErrorArgs, Unknown<'static>>) -> Result<()> {
    let r = class.create_ref()?;
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(r));
    Ok(())
}

fn make(env: &Env, e: &Error, response: OAuthResponse, problems: Vec<Problem>) -> napi::Error {
    let code = e.code();
    let headers: Vec<Vec<String>> =
        response.headers().into_iter().map(|(name, value)| vec![name.to_owned(), value]).collect();
    let OAuthResponse { status, www_authenticate: www, body } = response;
    let built = ERROR_CLASS.with(|c| -> Result<Option<napi::Error>> {
        let class = c.borrow();
        let Some(class) = class.as_ref() else { return Ok(None) };
        let args = FnArgs::from((
            code.number(),
            e.detail().to_owned(),
            u32::from(status),
            body,
            www,
            problems,
            headers,
        ));
        let instance = class.borrow_back(env)?.new_instance(args)?;
        Ok(Some(napi::Error::from(instance)))
    });
    match built {
        Ok(Some(err)) => err,
        // Loaded without `index.js` (no class registered), or the class
        // could not be built: a plain Error that still names the code.
        Ok(None) | Err(_) => {
            napi::Error::new(Status::GenericFailure, format!("JWTAUTH_{}: {}", code.name(), e.detail()))
        }
    }
}

/// A core error as a `JwtAuthError`.
pub(crate) fn to_js(env: &Env, e: &Error) -> napi::Error {
    make(env, e, OAuthResponse::for_error(e), Vec::new())
}

/// An authentication failure, with the response to send.
pub(crate) fn auth_to_js(env: &Env, e: &AuthError) -> napi::Error {
    make(env, e.error(), e.response(), Vec::new())
}

/// Credential-policy problems: one error listing them all.
pub(crate) fn problems_to_js(env: &Env, list: Vec<jwtauth::Problem>) -> napi::Error {
    let code = list.first().map_or(ErrorCode::InvalidClientMetadata, |p| p.code);
    let detail = match list.len() {
        1 => "1 problem".to_owned(),
        n => format!("{n} problems"),
    };
    let e = Error::with_detail(code, detail);
    make(env, &e, OAuthResponse::for_error(&e), problems(list))
}

/// A usage error raised by the binding itself (a wrong argument the core
/// never sees).
pub(crate) fn usage(env: &Env, detail: impl Into<String>) -> napi::Error {
    to_js(env, &Error::with_detail(ErrorCode::InvalidArgument, detail.into()))
}

/// Any failure while reading what a request holds, as a `JwtAuthError`:
/// ours pass through; a napi conversion error or an exception thrown by a
/// getter (cleared) becomes a usage error, so that no request content ever
/// surfaces as another kind of exception.
pub(crate) fn as_jwtauth_error(env: &Env, e: napi::Error, what: &str) -> napi::Error {
    let mut pending = false;
    // SAFETY: the live env of this call.
    unsafe { sys::napi_is_exception_pending(env.raw(), &raw mut pending) };
    if pending {
        // A getter or trap threw: the exception is dropped (an error made
        // while it was pending could not be thrown anyway).
        let mut thrown = std::ptr::null_mut();
        // SAFETY: the live env of this call.
        unsafe { sys::napi_get_and_clear_last_exception(env.raw(), &raw mut thrown) };
    } else if e.reason.starts_with("JwtAuthError: JWTAUTH_") {
        return e;
    }
    let reason: String = e.reason.chars().take(80).filter(|c| !c.is_control()).collect();
    usage(env, format!("{what} could not be read: {reason}"))
}

/// Extension for core results.
pub(crate) trait IntoJs<T> {
    fn js(self, env: &Env) -> Result<T>;
}

impl<T> IntoJs<T> for std::result::Result<T, Error> {
    fn js(self, env: &Env) -> Result<T> {
        self.map_err(|e| to_js(env, &e))
    }
}

impl<T> IntoJs<T> for std::result::Result<T, Vec<jwtauth::Problem>> {
    fn js(self, env: &Env) -> Result<T> {
        self.map_err(|p| problems_to_js(env, p))
    }
}

/// One row of the core's error table.
#[napi(object)]
#[derive(Debug)]
pub struct ErrorInfo {
    /// The stable number (the C enum value).
    pub number: u32,
    /// The name without prefix (`BAD_SIGNATURE`).
    pub name: String,
    /// usage, invalid_request, invalid_client, invalid_credential or internal.
    pub category: String,
    /// The OAuth `error` value sent to the client.
    pub oauth_error: String,
    /// The HTTP status of the response.
    pub status: u32,
    /// What it means.
    pub description: String,
}

/// The core's error table; `errors.js` builds `CODES` from it.
#[napi]
#[must_use]
pub fn error_table() -> Vec<ErrorInfo> {
    ErrorCode::ALL
        .iter()
        .map(|c| ErrorInfo {
            number: c.number(),
            name: c.name().to_owned(),
            category: c.category().as_str().to_owned(),
            oauth_error: c.oauth_error().as_str().to_owned(),
            status: u32::from(c.http_status()),
            description: c.description().to_owned(),
        })
        .collect()
}
