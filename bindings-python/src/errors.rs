//! Core errors as Python exceptions. The classes are defined once, in
//! `python/jwtauth/errors.py` (so that they carry Python methods); this is
//! the one place that maps a core error to them.

use jwtauth::{AuthError, Error, ErrorCategory, ErrorCode, OAuthResponse, Problem};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyTuple;

/// The class for a category, from `jwtauth.errors`.
fn class_name(category: ErrorCategory) -> &'static str {
    match category {
        ErrorCategory::Usage => "UsageError",
        ErrorCategory::InvalidRequest => "InvalidRequestError",
        ErrorCategory::InvalidClient => "InvalidClientError",
        ErrorCategory::InvalidCredential => "InvalidCredentialError",
        ErrorCategory::Internal => "ServerError",
        ErrorCategory::InvalidGrant => "InvalidGrantError",
    }
}

static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn make(py: Python<'_>, e: &Error, response: OAuthResponse, problems: Vec<Problem>) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let module = ERRORS.get_or_try_init(py, || py.import("jwtauth.errors").map(Bound::unbind))?;
        let code = e.code();
        let cls = module.bind(py).getattr(class_name(e.category()))?;
        let problems: Vec<(String, String, String)> = problems
            .into_iter()
            .map(|p| (format!("JWTAUTH_{}", p.code.name()), p.location, p.message))
            .collect();
        let headers: Vec<(&str, String)> = response.headers();
        let args = PyTuple::new(
            py,
            [
                code.number().into_pyobject(py)?.into_any(),
                code.name().into_pyobject(py)?.into_any(),
                e.detail().into_pyobject(py)?.into_any(),
                response.status.into_pyobject(py)?.into_any(),
                response.body.into_pyobject(py)?.into_any(),
                response.www_authenticate.into_pyobject(py)?.into_any(),
                problems.into_pyobject(py)?.into_any(),
                headers.into_pyobject(py)?.into_any(),
            ],
        )?;
        Ok(PyErr::from_value(cls.call1(args)?))
    };
    build().unwrap_or_else(|err| err)
}

/// A core error as the matching `jwtauth.errors` exception.
pub(crate) fn to_py(py: Python<'_>, e: &Error) -> PyErr {
    make(py, e, OAuthResponse::for_error(e), Vec::new())
}

/// An authentication failure, with the response to send.
pub(crate) fn auth_to_py(py: Python<'_>, e: &AuthError) -> PyErr {
    make(py, e.error(), e.response(), Vec::new())
}

/// Credential-policy problems: one exception listing them all.
pub(crate) fn problems_to_py(py: Python<'_>, problems: Vec<Problem>) -> PyErr {
    let code = problems.first().map_or(ErrorCode::InvalidClientMetadata, |p| p.code);
    let detail = match problems.len() {
        1 => "1 problem".to_owned(),
        n => format!("{n} problems"),
    };
    let e = Error::with_detail(code, detail);
    make(py, &e, OAuthResponse::for_error(&e), problems)
}

/// A usage error raised by the binding itself (a wrong argument type or
/// value that the core never sees).
pub(crate) fn usage(py: Python<'_>, detail: impl Into<String>) -> PyErr {
    to_py(py, &Error::with_detail(ErrorCode::InvalidArgument, detail.into()))
}

/// Extension for core results.
pub(crate) trait IntoPy<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, Error> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, &e))
    }
}

impl<T> IntoPy<T> for Result<T, Vec<Problem>> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|p| problems_to_py(py, p))
    }
}

/// The core's error table: (number, name, category, oauth_error,
/// http_status, description) for every code. `jwtauth.errors` builds its
/// table from this, and the tests compare it with
/// `tests/vectors/error_codes.json`.
#[pyfunction]
pub(crate) fn error_table() -> Vec<(u32, &'static str, &'static str, &'static str, u16, &'static str)> {
    ErrorCode::ALL
        .iter()
        .map(|c| {
            (
                c.number(),
                c.name(),
                c.category().as_str(),
                c.oauth_error().as_str(),
                c.http_status(),
                c.description(),
            )
        })
        .collect()
}
