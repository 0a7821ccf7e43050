//! # jwtauth
//!
//! The safe core of libjwtauth: OAuth 2.0 JWT client authentication
//! (`private_key_jwt`, `client_secret_jwt`; RFC 7521, RFC 7523, OpenID Connect
//! Core §9, draft-ietf-oauth-rfc7523bis).
//!
//! - Client side: [`AssertionBuilder`] signs an assertion with a [`SigningKey`].
//! - Server side: a [`Verifier`] checks an assertion against a [`Client`]'s
//!   registered credentials, following the rules of `docs/ARCHITECTURE.md`
//!   in order, and records its jti in a [`ReplayStore`].
//!
//! ```
//! use std::sync::Arc;
//! use jwtauth::{Algorithm, AssertionBuilder, AuthMethod, Client, Credential, SigningKey, Verifier};
//!
//! # fn main() -> jwtauth::Result<()> {
//! let key = SigningKey::generate(Algorithm::ES256)?;
//! let client = Client::new("client-1", AuthMethod::PrivateKeyJwt)
//!     .with_credential(Credential::from_key(jwtauth::VerifyingKey::from_jwk(
//!         &key.public_jwk().expect("asymmetric").to_string(),
//!     )?));
//! let verifier = Verifier::builder("https://as.example.com").build()?;
//!
//! let signed = AssertionBuilder::new(&key, "client-1", "https://as.example.com").sign()?;
//! let ok = verifier.verify(&signed.assertion, &client)?;
//! assert_eq!(ok.client_id, "client-1");
//! // The same assertion a second time is a replay.
//! assert_eq!(
//!     verifier.verify(&signed.assertion, &client).unwrap_err().code(),
//!     jwtauth::ErrorCode::Replayed
//! );
//! # Ok(()) }
//! ```

mod algorithm;
mod assertion;
mod authenticator;
pub mod b64;
mod claims;
mod client;
mod clock;
mod crypto;
mod error;
mod events;
mod explain;
pub mod form;
mod grant;
mod hook;
mod inspect;
mod json;
pub mod jws;
mod keys;
mod metrics;
mod mtls;
mod net;
mod policy;
mod profile;
mod reentry;
mod registry;
mod remote;
mod replay;
#[cfg(feature = "redis")]
mod replay_redis;
mod verifier;

pub use algorithm::{Algorithm, AlgorithmSet, Curve, KeyType};
pub use assertion::{
    AssertionBuilder, CLIENT_ASSERTION_TYPE, ClientAssertion, DEFAULT_LIFETIME, MAX_LIFETIME,
};
pub use authenticator::{
    AuthError, Authenticated, Authenticator, Authorization, GrantRequest, OAuthResponse,
};
pub use claims::{AudienceMode, Claims};
pub use client::{AuthMethod, Client, Credential};
pub use clock::{Clock, FixedClock, SystemClock};
#[cfg(any(feature = "remote-jwks", feature = "redis"))]
pub use crypto::rustls_provider;
pub use crypto::{fips_mode, provider};
pub use error::{Error, ErrorCategory, ErrorCode, GRANT_DESCRIPTION, OAuthError, Result, error_table_json};
pub use events::{Event, EventHook, GrantEvent, MAX_EVENT_CLIENT_ID};
pub use explain::{Explanation, GRANT_RULES, RULES, Rule, Status, Step};
pub use grant::{Grant, JWT_BEARER_GRANT_TYPE, SubjectHook, Subjects, TrustTable, TrustedIssuer};
pub use hook::{HookContext, HookError, PolicyHook};
pub use inspect::{Inspection, Warning, inspect};
pub use keys::{CertificateInfo, JwkSet, SigningKey, VerifyingKey, pem_label};
pub use metrics::MetricsSnapshot;
pub use mtls::{
    CertificateFormat, ClientCertificate, DistinguishedName, MAX_CERTIFICATE_LEN, PresentedCertificate,
    SanRule, TlsSubject, TrustAnchors,
};
pub use net::{JwksUri, UriRules, is_public};
pub use policy::{CredentialPolicy, CredentialSource, CredentialSpec, Problem};
pub use profile::{Endpoint, FAPI2_MAX_SKEW, Profile, ReportCount, WouldRefuse};
pub use reentry::MAX_NESTING;
pub use registry::{MemoryRegistry, Registry, lookup_client};
#[cfg(feature = "remote-jwks")]
pub use remote::HttpFetcher;
#[cfg(feature = "remote-jwks")]
#[doc(hidden)]
pub use remote::read_http_response;
pub use remote::{FetchedJwks, JwksFetcher, RemoteJwks, RemoteJwksConfig, cache_control_max_age};
pub use replay::{MemoryReplayStore, ReplayCheck, ReplayStore, ReplayStoreError};
#[cfg(feature = "redis")]
pub use replay_redis::{RedisReplayConfig, RedisReplayStore};
pub use verifier::{
    DEFAULT_LEEWAY, DEFAULT_MAX_AGE, DEFAULT_MAX_ASSERTION_LEN, DEFAULT_MAX_LIFETIME, Report,
    VerifiedAssertion, Verifier, VerifierBuilder,
};

/// The code blocks of the project's README, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The library version (Cargo package version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
