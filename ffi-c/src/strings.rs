//! Owned strings handed to C.

use std::ffi::c_char;

use crate::args::{Out, take_string};
use crate::boundary::infallible;
use crate::error::c_string;

/// Hand an owned string to C through `out` (freed by `jwtauth_string_free`).
pub(crate) fn give(out: Out<*mut c_char>, s: &str) {
    out.write(c_string(s).into_raw());
}

/// Free a string this library returned as `char *` (a PEM, a JWK, a
/// thumbprint, …). Its bytes are overwritten with zeros first, since some
/// (private keys) are secrets. NULL is a no-op. Never pass a string that
/// came from elsewhere, nor a `const char *` borrowed from an object.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_string_free(s: *mut c_char) {
    infallible((), || {
        if s.is_null() {
            return;
        }
        let owned = take_string(s);
        let mut bytes = owned.into_bytes_with_nul();
        bytes.iter_mut().for_each(|b| {
            // SAFETY: a valid, aligned, exclusive reference to a byte;
            // volatile so that the zeroing is not optimised away.
            unsafe { std::ptr::write_volatile(b, 0) }
        });
    });
}
