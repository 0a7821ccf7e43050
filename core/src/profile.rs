//! Deployment profiles: one setting that fixes the audience, algorithm and
//! time rules together (docs/profiles.md), enforced by the verifier and the
//! authenticator or evaluated beside the enforced one in report-only mode.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::algorithm::{Algorithm, AlgorithmSet};
use crate::claims::AudienceMode;
use crate::client::AuthMethod;
use crate::error::{Error, ErrorCode};

/// A set of rules a deployment follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Profile {
    /// Today's practice (the default): the audience mode decides (`compat`:
    /// the issuer, the token endpoint or another configured endpoint, as a
    /// string or a one-member array), every algorithm, the configured leeway.
    #[default]
    Compat,
    /// draft-ietf-oauth-rfc7523bis: `aud` is the issuer, as a string or a
    /// one-member array; no endpoint URL is accepted.
    Rfc7523bis,
    /// FAPI 2.0 Security Profile: PS256, ES256 and EdDSA only; `aud` the
    /// issuer as a string; `iat` and `nbf` at most 10 s ahead;
    /// `private_key_jwt` only. (RSA keys are at least 2048 bits in every profile.)
    Fapi2,
}

/// Largest clock skew ahead that FAPI 2.0 allows for `iat` and `nbf`.
pub const FAPI2_MAX_SKEW: i64 = 10;

/// Which `aud` values a profile accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AudienceRule {
    /// The token endpoint and the other configured endpoint URLs too.
    pub(crate) endpoints: bool,
    /// A one-member array as well as a string.
    pub(crate) array: bool,
}

impl AudienceRule {
    pub(crate) const COMPAT: Self = Self { endpoints: true, array: true };
    pub(crate) const ISSUER: Self = Self { endpoints: false, array: true };
    pub(crate) const ISSUER_STRING: Self = Self { endpoints: false, array: false };
}

impl Profile {
    /// Every profile, mildest first.
    pub const ALL: [Self; 3] = [Self::Compat, Self::Rfc7523bis, Self::Fapi2];

    /// `compat`, `rfc7523bis` or `fapi2`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Compat => "compat",
            Self::Rfc7523bis => "rfc7523bis",
            Self::Fapi2 => "fapi2",
        }
    }

    /// Parse a profile name.
    #[must_use]
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Parse a profile name, or say which names there are (what every face
    /// reports for a wrong one).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` naming the profiles.
    pub fn named(name: &str) -> Result<Self, Error> {
        Self::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|p| p.as_str()).collect();
            Error::with_detail(
                ErrorCode::InvalidArgument,
                format!("`{}` is not a profile ({})", crate::json::loggable_name(name), names.join(", ")),
            )
        })
    }

    /// The algorithms the profile allows.
    #[must_use]
    pub const fn algorithms(self) -> AlgorithmSet {
        match self {
            Self::Compat | Self::Rfc7523bis => AlgorithmSet::ALL,
            Self::Fapi2 => AlgorithmSet::only(Algorithm::PS256).with(Algorithm::ES256).with(Algorithm::EdDSA),
        }
    }

    /// Whether the profile allows a client to authenticate with `method`.
    #[must_use]
    pub const fn allows_method(self, method: AuthMethod) -> bool {
        match self {
            Self::Compat | Self::Rfc7523bis => true,
            // FAPI 2.0 Security Profile §5.3.3.4: private_key_jwt or mutual TLS.
            Self::Fapi2 => matches!(
                method,
                AuthMethod::PrivateKeyJwt | AuthMethod::TlsClientAuth | AuthMethod::SelfSignedTlsClientAuth
            ),
        }
    }

    /// The audience rule: in `compat`, the configured mode (and an explicitly
    /// typed assertion is held to the issuer as a string, as rfc7523bis asks).
    pub(crate) const fn audience(self, mode: AudienceMode, explicitly_typed: bool) -> AudienceRule {
        match (self, mode, explicitly_typed) {
            (Self::Compat, AudienceMode::Compat, false) => AudienceRule::COMPAT,
            (Self::Compat, _, _) | (Self::Fapi2, _, _) => AudienceRule::ISSUER_STRING,
            (Self::Rfc7523bis, _, _) => AudienceRule::ISSUER,
        }
    }

    /// How far ahead `iat` and `nbf` may be, given the configured leeway.
    pub(crate) const fn future_leeway(self, leeway: i64) -> i64 {
        match self {
            Self::Fapi2 if leeway > FAPI2_MAX_SKEW => FAPI2_MAX_SKEW,
            _ => leeway,
        }
    }

    /// The refusal of `method` under this profile.
    /// The methods the profile allows, as text for messages.
    #[must_use]
    pub const fn methods_text(self) -> &'static str {
        match self {
            Self::Compat | Self::Rfc7523bis => "every method",
            Self::Fapi2 => "private_key_jwt, tls_client_auth and self_signed_tls_client_auth only",
        }
    }

    pub(crate) fn check_method(self, method: AuthMethod) -> Result<(), Error> {
        if self.allows_method(method) {
            Ok(())
        } else {
            Err(Error::with_detail(
                ErrorCode::AuthMethodMismatch,
                format!(
                    "the {} profile allows {}, not {}",
                    self.as_str(),
                    self.methods_text(),
                    method.as_str()
                ),
            ))
        }
    }
}

/// The endpoint of the authorization server that received an assertion
/// (RFC 8414 metadata names). In the `compat` profile the URL configured for
/// it ([`crate::VerifierBuilder::endpoint`]) is an accepted audience when a
/// verifier or authenticator made for it ([`crate::Verifier::at`],
/// [`crate::Authenticator::at`]) checks the assertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// `token_endpoint` (the default).
    Token,
    /// `pushed_authorization_request_endpoint` (RFC 9126).
    PushedAuthorizationRequest,
    /// `introspection_endpoint` (RFC 7662).
    Introspection,
    /// `revocation_endpoint` (RFC 7009).
    Revocation,
    /// `backchannel_authentication_endpoint` (OpenID CIBA).
    BackchannelAuthentication,
    /// `device_authorization_endpoint` (RFC 8628).
    DeviceAuthorization,
}

impl Endpoint {
    /// Every endpoint.
    pub const ALL: [Self; 6] = [
        Self::Token,
        Self::PushedAuthorizationRequest,
        Self::Introspection,
        Self::Revocation,
        Self::BackchannelAuthentication,
        Self::DeviceAuthorization,
    ];

    /// The RFC 8414 metadata name, e.g. `introspection_endpoint`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token_endpoint",
            Self::PushedAuthorizationRequest => "pushed_authorization_request_endpoint",
            Self::Introspection => "introspection_endpoint",
            Self::Revocation => "revocation_endpoint",
            Self::BackchannelAuthentication => "backchannel_authentication_endpoint",
            Self::DeviceAuthorization => "device_authorization_endpoint",
        }
    }

    /// Parse an RFC 8414 metadata name.
    #[must_use]
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// Parse an RFC 8414 metadata name, or say which names there are.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` naming the endpoints.
    pub fn named(name: &str) -> Result<Self, Error> {
        Self::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|e| e.as_str()).collect();
            Error::with_detail(
                ErrorCode::InvalidArgument,
                format!("`{}` is not an endpoint ({})", crate::json::loggable_name(name), names.join(", ")),
            )
        })
    }
}

/// What a report-only profile would have refused in an accepted request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WouldRefuse {
    /// The profile evaluated in report-only mode.
    pub profile: Profile,
    /// The code it would have refused with.
    pub code: ErrorCode,
    /// Why (the error's log detail).
    pub detail: String,
}

impl WouldRefuse {
    pub(crate) fn new(profile: Profile, e: &Error) -> Self {
        Self { profile, code: e.code(), detail: e.detail().to_owned() }
    }

    /// `{"profile", "code": "JWTAUTH_…", "detail"}`, what every face reports.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "profile": self.profile.as_str(), "code": format!("JWTAUTH_{}", self.code.name()),
                            "detail": self.detail })
    }
}

/// Counters of report-only refusals, per client and code; bounded (past
/// [`ReportCounters::MAX_KEYS`] distinct keys, new ones go to `overflow`).
#[derive(Debug, Default)]
pub(crate) struct ReportCounters {
    map: Mutex<HashMap<(String, ErrorCode), u64>>,
    overflow: std::sync::atomic::AtomicU64,
}

/// One counter: a client, the code the report profile would have refused
/// with, and how many accepted requests it would have refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportCount {
    /// The client.
    pub client_id: String,
    /// The code.
    pub code: ErrorCode,
    /// How many times.
    pub count: u64,
}

impl ReportCounters {
    pub(crate) const MAX_KEYS: usize = 10_000;

    pub(crate) fn add(&self, client_id: &str, code: ErrorCode) {
        let Ok(mut map) = self.map.lock() else { return };
        if let Some(n) = map.get_mut(&(client_id.to_owned(), code)) {
            *n += 1;
        } else if map.len() < Self::MAX_KEYS {
            map.insert((client_id.to_owned(), code), 1);
        } else {
            self.overflow.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// The counters, sorted by client then code; and the count of refusals
    /// not kept because the table was full.
    pub(crate) fn snapshot(&self) -> (Vec<ReportCount>, u64) {
        let mut list: Vec<ReportCount> = self
            .map
            .lock()
            .map(|m| {
                m.iter()
                    .map(|((c, code), n)| ReportCount { client_id: c.clone(), code: *code, count: *n })
                    .collect()
            })
            .unwrap_or_default();
        list.sort_by(|a, b| {
            (a.client_id.as_str(), a.code.number()).cmp(&(b.client_id.as_str(), b.code.number()))
        });
        (list, self.overflow.load(std::sync::atomic::Ordering::Relaxed))
    }
}
