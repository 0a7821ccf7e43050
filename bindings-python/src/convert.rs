//! Python values in: text and bytes from `str`, `bytes`, `bytearray` and
//! `memoryview`; JSON documents from `str`/`bytes` or from dicts and lists
//! (serialised by the standard `json` module, then parsed by the core, so
//! that the core's strict parser — duplicate members, types — applies).

use std::borrow::Cow;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyString};

use crate::errors::usage;

/// Bytes from `bytes`, `bytearray`, `memoryview` or `str` (UTF-8).
pub(crate) fn bytes<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Cow<'a, [u8]>> {
    let py = obj.py();
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Cow::Borrowed(b.as_bytes()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Cow::Owned(s.to_cow()?.as_bytes().to_vec()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(Cow::Owned(b.to_vec()));
    }
    if obj.hasattr("tobytes")? {
        let b = obj.call_method0("tobytes")?;
        if let Ok(b) = b.cast::<PyBytes>() {
            return Ok(Cow::Owned(b.as_bytes().to_vec()));
        }
    }
    Err(usage(py, format!("{what} must be str, bytes, bytearray or memoryview")))
}

/// Request content (an assertion, a header, a form value) as bytes: `bytes`,
/// `bytearray`, `memoryview`, or `str` encoded as UTF-8 with lone surrogates
/// kept as the bytes they would be (invalid UTF-8, which the core refuses as
/// the request's fault). Only a value of another type is a usage error.
pub(crate) fn request_bytes<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(s) = obj.cast::<PyString>() {
        if let Ok(t) = s.to_cow() {
            return Ok(Cow::Owned(t.as_bytes().to_vec()));
        }
        let b = s.call_method1("encode", ("utf-8", "surrogatepass"))?;
        return Ok(Cow::Owned(b.cast::<PyBytes>()?.as_bytes().to_vec()));
    }
    bytes(obj, what)
}

/// UTF-8 text from `str`, `bytes`, `bytearray` or `memoryview`.
pub(crate) fn text<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Cow<'a, str>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Cow::Owned(s.to_cow()?.into_owned()));
    }
    match bytes(obj, what)? {
        Cow::Borrowed(b) => std::str::from_utf8(b).map(Cow::Borrowed),
        Cow::Owned(b) => String::from_utf8(b).map(Cow::Owned).map_err(|e| e.utf8_error()),
    }
    .map_err(|_| usage(obj.py(), format!("{what} is not UTF-8")))
}

static JSON: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn json_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    Ok(JSON.get_or_try_init(py, || py.import("json").map(Bound::unbind))?.bind(py))
}

/// A JSON document as text: given as text, or a dict/list to serialise.
pub(crate) fn json_text(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if obj.is_instance_of::<PyDict>() || obj.is_instance_of::<PyList>() {
        let s = json_module(obj.py())?.call_method1("dumps", (obj,))?;
        return s.extract::<String>();
    }
    Ok(text(obj, what)?.into_owned())
}

/// A serde_json value as a Python object (through the `json` module).
pub(crate) fn to_python<'py>(py: Python<'py>, v: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    json_module(py)?.call_method1("loads", (v.to_string(),))
}
