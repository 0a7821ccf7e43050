//! `jwtauth._native`: the Python face of libjwtauth. This crate converts
//! Python values to the core's types and the core's errors to Python
//! exceptions; every rule lives in the core (`jwtauth`). The pure-Python
//! package `jwtauth` (in `python/`) re-exports it with the exception classes.

#![allow(clippy::needless_pass_by_value, reason = "pyo3 passes extracted arguments by value")]
#![allow(missing_debug_implementations, reason = "Python classes, printed through __repr__")]

use pyo3::prelude::*;

mod callback;
mod convert;
mod errors;
mod grant;
mod keys;
mod policy;
mod server;
mod sign;
mod stores;

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", jwtauth::VERSION)?;
    m.add("FIPS", jwtauth::fips_mode())?;
    m.add("CRYPTO_PROVIDER", jwtauth::provider())?;
    m.add("CLIENT_ASSERTION_TYPE", jwtauth::CLIENT_ASSERTION_TYPE)?;
    m.add("JWT_BEARER_GRANT_TYPE", jwtauth::JWT_BEARER_GRANT_TYPE)?;
    m.add_function(wrap_pyfunction!(errors::error_table, m)?)?;
    m.add_class::<keys::SigningKey>()?;
    m.add_class::<keys::VerifyingKey>()?;
    m.add_class::<keys::JwkSet>()?;
    m.add_class::<sign::ClientAssertion>()?;
    m.add_function(wrap_pyfunction!(sign::sign, m)?)?;
    m.add_class::<stores::FixedClock>()?;
    m.add_class::<stores::MemoryReplayStore>()?;
    m.add_class::<stores::RedisReplayStore>()?;
    m.add_class::<stores::RemoteJwks>()?;
    m.add_class::<policy::CredentialPolicy>()?;
    m.add_class::<policy::Problem>()?;
    m.add_class::<server::Client>()?;
    m.add_class::<server::Registry>()?;
    m.add_class::<server::Verifier>()?;
    m.add_class::<server::VerifiedAssertion>()?;
    m.add_class::<server::Authenticator>()?;
    m.add_class::<server::Authenticated>()?;
    m.add_class::<grant::TrustTable>()?;
    m.add_class::<grant::Grant>()?;
    m.add_class::<grant::GrantRequest>()?;
    Ok(())
}
