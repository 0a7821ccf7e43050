//! The panic boundary: every exported function runs its body through
//! [`call`], which turns an error into a status plus an owned
//! `jwtauth_error`, and a panic into `JWTAUTH_INTERNAL` — never an unwind
//! into C.

use std::panic::{AssertUnwindSafe, catch_unwind};

use jwtauth_core::{AuthError, Error, ErrorCode, Problem};

use crate::error::jwtauth_error;
use crate::status::jwtauth_status;

/// Why a call failed: becomes the `jwtauth_error` handed to C.
pub(crate) struct Failure(pub(crate) Box<jwtauth_error>);

impl Failure {
    /// A bad argument from the caller: `JWTAUTH_INVALID_ARGUMENT`.
    pub(crate) fn argument(what: &'static str, why: &str) -> Self {
        Error::with_detail(ErrorCode::InvalidArgument, format!("{what} {why}")).into()
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Self(Box::new(jwtauth_error::from_error(&e, None, Vec::new())))
    }
}

impl From<AuthError> for Failure {
    fn from(e: AuthError) -> Self {
        let response = e.response();
        Self(Box::new(jwtauth_error::from_error(e.error(), Some(response), Vec::new())))
    }
}

impl From<Vec<Problem>> for Failure {
    fn from(problems: Vec<Problem>) -> Self {
        let code = problems.first().map_or(ErrorCode::InvalidClientMetadata, |p| p.code);
        let detail = match problems.len() {
            1 => "1 problem".to_owned(),
            n => format!("{n} problems"),
        };
        let e = Error::with_detail(code, detail);
        Self(Box::new(jwtauth_error::from_error(&e, None, problems)))
    }
}

/// Run `f` at the boundary. On failure writes the error to `*err` when `err`
/// is not NULL (and leaves it untouched on success).
pub(crate) fn call(err: *mut *mut jwtauth_error, f: impl FnOnce() -> Result<(), Failure>) -> jwtauth_status {
    let outcome = catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(Error::new(ErrorCode::Internal, "a panic was caught at the C boundary (a bug in libjwtauth)")
            .into())
    });
    match outcome {
        Ok(()) => jwtauth_status::JWTAUTH_OK,
        Err(Failure(e)) => {
            let status = e.status;
            if !err.is_null() {
                // SAFETY: the header's contract: a non-NULL `err` points to
                // writable storage for one `jwtauth_error *`.
                unsafe { err.write(Box::into_raw(e)) };
            }
            status
        }
    }
}

/// Run `f`, which cannot fail but must not unwind into C either (getters,
/// `_free` functions): a panic yields `fallback`.
pub(crate) fn infallible<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::panic, reason = "the test plants a panic")]
    fn a_panic_becomes_internal_with_an_error_object() {
        let mut err: *mut jwtauth_error = std::ptr::null_mut();
        let status = call(&raw mut err, || panic!("planted"));
        assert_eq!(status, jwtauth_status::JWTAUTH_INTERNAL);
        assert!(!err.is_null());
        crate::jwtauth_error_free(err);
        // Without an error pointer too.
        let status = call(std::ptr::null_mut(), || panic!("planted"));
        assert_eq!(status, jwtauth_status::JWTAUTH_INTERNAL);
        assert_eq!(infallible(7, || panic!("planted")), 7);
    }
}
