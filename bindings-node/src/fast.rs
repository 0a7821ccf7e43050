//! Argument reading for the hot calls (`verifySync`, `authenticateSync`),
//! cheaper than napi-rs's general conversions and as safe:
//!
//! - class objects are checked by their napi-rs class type tag (the check
//!   napi-rs itself makes) and unwrapped, without napi-rs's per-call
//!   registry lookups under a global lock (≈ 0.4 µs per `ClassInstance`);
//! - a string is copied once into a buffer kept by the JavaScript thread,
//!   instead of measured, then copied into a fresh `String`, and handed on
//!   as bytes (no UTF-8 pass: V8 writes UTF-8, and the core's byte entry
//!   points refuse whatever is not ASCII).

use std::cell::RefCell;

use napi::bindgen_prelude::*;
use napi::sys;

use crate::convert::Bytes;
use crate::errors::usage;

/// `value` as a `&T` when it is an object of the `#[napi]` class `T`.
///
/// The reference is valid for the current call: the object is one of its
/// arguments, so JavaScript keeps it (and napi-rs's box behind it) alive.
pub(crate) fn class_ref<'a, T: TypeTag + 'a>(env: &Env, value: &Unknown<'a>, what: &str) -> Result<&'a T> {
    let (e, v) = (env.raw(), value.raw());
    let wrong = || {
        usage(
            env,
            format!("{what} is not a {}", std::any::type_name::<T>().rsplit("::").next().unwrap_or("?")),
        )
    };
    // Node-API converts a primitive with ToObject first (a TypeError for null).
    if value.get_type()? != ValueType::Object {
        return Err(wrong());
    }
    let mut tagged = false;
    // SAFETY: `e` and `v` are the live env and argument of this call.
    let status = unsafe { sys::napi_check_object_type_tag(e, v, &T::type_tag(), &raw mut tagged) };
    if status != sys::Status::napi_ok || !tagged {
        return Err(wrong());
    }
    let mut p = std::ptr::null_mut();
    // SAFETY: as above; napi-rs wraps every instance of `T` (and only those
    // carry `T`'s tag) with a pointer to a boxed `T` it frees in the finalizer.
    let status = unsafe { sys::napi_unwrap(e, v, &raw mut p) };
    if status != sys::Status::napi_ok || p.is_null() {
        return Err(usage(env, format!("{what} is not initialised")));
    }
    // SAFETY: tagged as a `T` and wrapped by napi-rs, see above.
    Ok(unsafe { &*p.cast::<T>() })
}

/// What the reused buffer starts with, and the most it keeps between calls
/// (one huge string must not stay resident).
const TEXT_CAPACITY: usize = 4096;
const TEXT_KEPT: usize = 64 * 1024;

thread_local! {
    /// Text read from JavaScript strings, reused from call to call.
    static TEXT: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(TEXT_CAPACITY));
}

/// Call `f` with the bytes of `value` (`string | Buffer | Uint8Array`): a
/// string as UTF-8 (V8 writes well-formed UTF-8, lone surrogates replaced),
/// a Buffer as it is, unchecked — for the core's byte entry points, which
/// refuse anything but ASCII by themselves.
pub(crate) fn with_bytes<R>(
    env: &Env,
    value: &Unknown<'_>,
    what: &str,
    f: impl FnOnce(&[u8]) -> Result<R>,
) -> Result<R> {
    if value.get_type()? != ValueType::String {
        // SAFETY: a value of this call, converted by napi-rs's own checks.
        let b = unsafe { Bytes::from_napi_value(env.raw(), value.raw()) }
            .map_err(|_| usage(env, format!("{what} must be a string, Buffer or Uint8Array")))?;
        return match &b {
            Either::A(s) => f(s.as_bytes()),
            Either::B(u) => f(u),
        };
    }
    // The buffer is taken out for the call: a nested call (a callback that
    // verifies while we verify) gets an empty one of its own.
    let mut fresh = Vec::new();
    let mut held = TEXT.with(|t| t.try_borrow_mut().ok().map(|mut t| std::mem::take(&mut *t)));
    let buf = held.as_mut().unwrap_or(&mut fresh);
    let result = read_string(env, value, buf)
        .and_then(|len| f(buf.get(..len).ok_or_else(|| usage(env, format!("{what} could not be read")))?));
    if let Some(mut b) = held {
        if b.capacity() > TEXT_KEPT {
            b = Vec::with_capacity(TEXT_CAPACITY);
        }
        TEXT.with(|t| {
            if let Ok(mut t) = t.try_borrow_mut() {
                *t = b;
            }
        });
    }
    result
}

/// Copy a JavaScript string into `buf` as UTF-8; its length.
fn read_string(env: &Env, value: &Unknown<'_>, buf: &mut Vec<u8>) -> Result<usize> {
    let (e, v) = (env.raw(), value.raw());
    let mut len = 0usize;
    // One copy when it fits. V8 writes at most capacity − 1 bytes and a NUL,
    // and never part of a character: a string cut short may leave up to
    // three bytes unused (the next character needing up to four). So only
    // when at least four bytes were left over is the string known to be
    // whole; otherwise it is measured and read again.
    buf.resize(buf.capacity().max(64), 0);
    // SAFETY: `buf` has `buf.len()` writable bytes.
    check_status!(unsafe {
        sys::napi_get_value_string_utf8(e, v, buf.as_mut_ptr().cast(), buf.len(), &raw mut len)
    })?;
    if len + 1 + 4 <= buf.len() {
        return Ok(len);
    }
    // SAFETY: a null buffer asks for the length only.
    check_status!(unsafe { sys::napi_get_value_string_utf8(e, v, std::ptr::null_mut(), 0, &raw mut len) })?;
    buf.resize(len + 1, 0);
    // SAFETY: as above.
    check_status!(unsafe {
        sys::napi_get_value_string_utf8(e, v, buf.as_mut_ptr().cast(), buf.len(), &raw mut len)
    })?;
    Ok(len)
}
