//! The C API of libjwtauth: `libjwtauth.so` / `libjwtauth.a`, described by
//! `include/jwtauth.h` (generated from this crate by cbindgen; do not edit
//! the header by hand).
//!
//! Conventions (rustls-ffi is the model):
//! - every symbol is `jwtauth_*`; every constant `JWTAUTH_*`;
//! - objects are opaque handles, created by a `_new`/`_from_*` function and
//!   released by their `_free`, which accepts NULL;
//! - every function returns a [`jwtauth_status`] and, when the caller passes
//!   a non-NULL `err`, writes an owned [`jwtauth_error`] there on failure;
//!   outputs are written only on success;
//! - strings and bytes go in as pointer + length (`(NULL, 0)` is empty) and
//!   come out as NUL-terminated strings, either borrowed from the object
//!   that returned them or owned (free with `jwtauth_string_free`);
//! - no panic crosses the boundary: it becomes `JWTAUTH_INTERNAL`.
//!
//! This crate only converts types and errors: every rule lives in the core
//! (`jwtauth`).

#![allow(unsafe_code, reason = "the C ABI takes raw pointers; each unsafe block states why it is sound")]
#![warn(clippy::undocumented_unsafe_blocks)]
#![allow(non_camel_case_types, reason = "C naming: the header's types are jwtauth_*")]
#![allow(missing_debug_implementations, reason = "opaque C handles, never printed from Rust")]

mod args;
mod assertion;
mod authenticate;
mod boundary;
mod clock;
mod error;
mod grant;
mod hook;
mod keys;
mod policy;
mod registry;
mod remote;
mod replay;
mod status;
mod strings;
mod verifier;

pub use assertion::*;
pub use authenticate::*;
pub use clock::*;
pub use error::*;
pub use grant::*;
pub use hook::*;
pub use keys::*;
pub use policy::*;
pub use registry::*;
pub use remote::*;
pub use replay::*;
pub use status::jwtauth_status;
pub use strings::*;
pub use verifier::*;

use std::ffi::c_char;

/// The library version, "MAJOR.MINOR.PATCH" (static; never free it). Equal
/// to `JWTAUTH_VERSION` of the header the program was compiled with unless
/// it runs against a different build of the library.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_version() -> *const c_char {
    static VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    VERSION.as_ptr().cast()
}

/// Whether the library runs on a FIPS 140-3 validated module in FIPS mode:
/// true only in a build with the `fips` feature whose module passed its
/// power-on self tests (docs/PROVIDERS.md).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_fips_mode() -> bool {
    jwtauth_core::fips_mode()
}

/// The crypto provider of this build: "aws-lc-rs", "aws-lc-rs (FIPS)" or
/// "ring" (static; never free it).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_crypto_provider() -> *const c_char {
    // The core's name, NUL-terminated once (it holds no NUL: the empty string otherwise).
    static NAME: std::sync::OnceLock<std::ffi::CString> = std::sync::OnceLock::new();
    NAME.get_or_init(|| std::ffi::CString::new(jwtauth_core::provider()).unwrap_or_default()).as_ptr()
}

/// The library version packed as `MAJOR * 10000 + MINOR * 100 + PATCH`,
/// comparable with `JWTAUTH_VERSION_NUMBER`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_version_number() -> u32 {
    #[allow(clippy::indexing_slicing, reason = "const evaluation: i < len, and a fault fails the build")]
    const fn num(s: &str) -> u32 {
        let b = s.as_bytes();
        let mut n = 0;
        let mut i = 0;
        while i < b.len() {
            n = n * 10 + (b[i] - b'0') as u32;
            i += 1;
        }
        n
    }
    const N: u32 = num(env!("CARGO_PKG_VERSION_MAJOR")) * 10_000
        + num(env!("CARGO_PKG_VERSION_MINOR")) * 100
        + num(env!("CARGO_PKG_VERSION_PATCH"));
    N
}
