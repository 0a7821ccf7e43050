//! The Node face of libjwtauth: the native addon of the npm package
//! `jwtauth`. This crate converts JavaScript values to the core's types and
//! the core's errors to `JwtAuthError`s; every rule lives in the core
//! (`jwtauth`). `index.js` loads it and adds the error class.

#![allow(clippy::needless_pass_by_value, reason = "napi passes converted arguments by value")]
#![allow(missing_debug_implementations, reason = "JavaScript classes")]
#![allow(
    unsafe_code,
    reason = "the #[napi] macro expands to FFI glue; this crate writes no unsafe code itself"
)]

use napi::bindgen_prelude::*;
use napi_derive::napi;

pub mod callbacks;
pub mod convert;
pub mod errors;
pub mod fast;
pub mod keys;
pub mod policy;
pub mod pool;
pub mod server;
pub mod sign;
pub mod stores;

/// The version of the core.
#[napi]
#[must_use]
pub fn version() -> &'static str {
    jwtauth::VERSION
}

/// Whether the library runs on a FIPS 140-3 validated module in FIPS mode
/// (a build with the `fips` feature; docs/PROVIDERS.md). Exported as `fips`.
#[napi]
#[must_use]
pub fn fips_mode() -> bool {
    jwtauth::fips_mode()
}

/// The crypto provider of this build: "aws-lc-rs", "aws-lc-rs (FIPS)" or
/// "ring". Exported as `cryptoProvider`.
#[napi]
#[must_use]
pub fn crypto_provider() -> &'static str {
    jwtauth::provider()
}

/// `urn:ietf:params:oauth:client-assertion-type:jwt-bearer`.
#[napi]
pub const CLIENT_ASSERTION_TYPE: &str = jwtauth::CLIENT_ASSERTION_TYPE;

/// `grant_type` of the JWT bearer grant (RFC 7523 §2.1).
#[napi]
pub const JWT_BEARER_GRANT_TYPE: &str = jwtauth::JWT_BEARER_GRANT_TYPE;

/// Called once by `index.js`: the error class and the callback wrappers.
#[napi(js_name = "_init", skip_typescript)]
pub fn init(
    error_class: Function<'_, errors::ErrorArgs, Unknown<'static>>,
    wrap_lookup: Function<'_, callbacks::LookupArgs, Unknown<'static>>,
    wrap_replay: Function<'_, callbacks::ReplayArgs, Unknown<'static>>,
    wrap_fetch: Function<'_, callbacks::FetchArgs, Unknown<'static>>,
    wrap_policy: Function<'_, callbacks::PolicyArgs, Unknown<'static>>,
    wrap_event: Function<'_, callbacks::EventArgs, Unknown<'static>>,
    wrap_subject: Function<'_, callbacks::SubjectArgs, Unknown<'static>>,
) -> Result<()> {
    errors::set_error_class(&error_class)?;
    callbacks::set_wrappers(&wrap_lookup, &wrap_replay, &wrap_fetch, &wrap_policy, &wrap_event, &wrap_subject)
}
