//! Reading C arguments: every pointer checked, every string UTF-8 checked,
//! before any work is done. The one place that turns raw pointers into
//! references.

use std::ffi::c_char;

use crate::boundary::Failure;

/// `(ptr, len)` as bytes; `(NULL, 0)` is empty, `(NULL, n > 0)` an error.
pub(crate) fn bytes<'a>(ptr: *const u8, len: usize, what: &'static str) -> Result<&'a [u8], Failure> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(Failure::argument(what, "is NULL with a non-zero length"))
        };
    }
    if isize::try_from(len).is_err() {
        return Err(Failure::argument(what, "length is too large"));
    }
    // SAFETY: the header's contract: a non-NULL `ptr` points to `len`
    // readable bytes that stay valid and unmodified for the duration of the
    // call; the length fits in isize (checked above).
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// `(ptr, len)` as UTF-8 text (not NUL-terminated; a NUL byte is refused:
/// names and URLs given here may come back out as C strings).
pub(crate) fn text<'a>(ptr: *const c_char, len: usize, what: &'static str) -> Result<&'a str, Failure> {
    let s = document(ptr, len, what)?;
    if s.as_bytes().contains(&0) {
        return Err(Failure::argument(what, "contains a NUL byte"));
    }
    Ok(s)
}

/// `(ptr, len)` as UTF-8 text that the core parses and never hands back
/// (assertions, bodies, JSON and PEM documents): no NUL scan, since the
/// parsers refuse a NUL wherever one would matter.
pub(crate) fn document<'a>(ptr: *const c_char, len: usize, what: &'static str) -> Result<&'a str, Failure> {
    let b = bytes(ptr.cast(), len, what)?;
    if b.is_ascii() {
        // SAFETY: ASCII is valid UTF-8. (Assertions and bodies are ASCII;
        // `is_ascii` checks a word at a time, several times faster than a
        // full UTF-8 validation, which is what the other branch does.)
        return Ok(unsafe { std::str::from_utf8_unchecked(b) });
    }
    std::str::from_utf8(b).map_err(|_| Failure::argument(what, "is not UTF-8"))
}

/// As [`text`], with NULL meaning "not given".
pub(crate) fn opt_text<'a>(
    ptr: *const c_char,
    len: usize,
    what: &'static str,
) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() && len == 0 { Ok(None) } else { text(ptr, len, what).map(Some) }
}

/// An optional `const int64_t *` input (NULL: not given).
pub(crate) fn opt_i64(ptr: *const i64) -> Option<i64> {
    // SAFETY: the header's contract: NULL or a readable, aligned int64_t.
    unsafe { ptr.as_ref() }.copied()
}

/// Take back a string handed out with `CString::into_raw`.
pub(crate) fn take_string(ptr: *mut c_char) -> std::ffi::CString {
    // SAFETY: the header's contract: a non-NULL `char *` given to
    // `jwtauth_string_free` came from `CString::into_raw` in this library
    // and is freed once. The caller checks NULL.
    unsafe { std::ffi::CString::from_raw(ptr) }
}

/// A handle passed by the caller.
pub(crate) fn obj<'a, T>(ptr: *const T, what: &'static str) -> Result<&'a T, Failure> {
    // SAFETY: the header's contract: a non-NULL handle was returned by this
    // library, has not been freed, and may be shared (the types used here
    // are Sync or documented as not to be shared).
    unsafe { ptr.as_ref() }.ok_or_else(|| Failure::argument(what, "is NULL"))
}

/// A handle passed by the caller for modification.
pub(crate) fn obj_mut<'a, T>(ptr: *mut T, what: &'static str) -> Result<&'a mut T, Failure> {
    // SAFETY: the header's contract: a non-NULL handle was returned by this
    // library, has not been freed, and no other thread uses it during a call
    // that modifies it (documented per function).
    unsafe { ptr.as_mut() }.ok_or_else(|| Failure::argument(what, "is NULL"))
}

/// An output pointer, checked before any work so that a call either fails
/// without side effects or writes its result.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    pub(crate) fn new(ptr: *mut T, what: &'static str) -> Result<Self, Failure> {
        if ptr.is_null() { Err(Failure::argument(what, "output pointer is NULL")) } else { Ok(Self(ptr)) }
    }

    pub(crate) fn write(self, value: T) {
        // SAFETY: non-NULL (checked in `new`), and by the header's contract
        // points to writable, properly aligned storage for a T. The old
        // value is not dropped: for C outputs it is uninitialised or POD.
        unsafe { self.0.write(value) }
    }
}

/// Move a value to the heap and hand its ownership to C.
pub(crate) fn to_c<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Take back a handle created by [`to_c`] and drop it; NULL is a no-op.
pub(crate) fn free<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: the header's contract: a non-NULL pointer given to a
        // `_free` function was returned by this library for that type (so it
        // came from `Box::into_raw` of a T) and is not used afterwards.
        drop(unsafe { Box::from_raw(ptr) });
    }
}
