//! Placeholder for a later issue: this crate will expose the `jwtauth` core here.
//! It builds now so that the workspace layout is fixed from the start.

/// The version of the core this crate is built against.
#[must_use]
pub fn core_version() -> &'static str {
    jwtauth::VERSION
}
