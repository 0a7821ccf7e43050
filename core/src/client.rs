//! Registered clients and their credentials.

use std::fmt;
use std::sync::Arc;

use crate::algorithm::{Algorithm, AlgorithmSet};
use crate::claims::AudienceMode;
use crate::crypto;
use crate::error::{Error, ErrorCode, Result};
use crate::keys::{JwkSet, VerifyingKey};
use crate::net::JwksUri;
use crate::profile::Profile;

/// How a client authenticates at the token endpoint (RFC 7591 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthMethod {
    /// HTTP Basic with client_id and client_secret.
    ClientSecretBasic,
    /// client_id and client_secret in the form body.
    ClientSecretPost,
    /// A JWT signed with HMAC over the client secret.
    ClientSecretJwt,
    /// A JWT signed with the client's private key.
    PrivateKeyJwt,
    /// A public client: no authentication.
    None,
    /// Mutual TLS with a certificate from a trusted CA whose subject DN or
    /// subject alternative name is registered (RFC 8705 §2.1).
    TlsClientAuth,
    /// Mutual TLS with a self-signed certificate whose public key is one the
    /// client registered (RFC 8705 §2.2).
    SelfSignedTlsClientAuth,
}

impl AuthMethod {
    /// Every method.
    pub const ALL: [Self; 7] = [
        Self::ClientSecretBasic,
        Self::ClientSecretPost,
        Self::ClientSecretJwt,
        Self::PrivateKeyJwt,
        Self::None,
        Self::TlsClientAuth,
        Self::SelfSignedTlsClientAuth,
    ];

    /// The registered name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::ClientSecretJwt => "client_secret_jwt",
            Self::PrivateKeyJwt => "private_key_jwt",
            Self::None => "none",
            Self::TlsClientAuth => "tls_client_auth",
            Self::SelfSignedTlsClientAuth => "self_signed_tls_client_auth",
        }
    }

    /// The method an assertion signed with `alg` stands for:
    /// `client_secret_jwt` for HMAC, `private_key_jwt` otherwise.
    #[must_use]
    pub const fn for_assertion(alg: Algorithm) -> Self {
        if alg.is_symmetric() { Self::ClientSecretJwt } else { Self::PrivateKeyJwt }
    }

    /// Parse a registered name.
    #[must_use]
    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "client_secret_basic" => Self::ClientSecretBasic,
            "client_secret_post" => Self::ClientSecretPost,
            "client_secret_jwt" => Self::ClientSecretJwt,
            "private_key_jwt" => Self::PrivateKeyJwt,
            "none" => Self::None,
            "tls_client_auth" => Self::TlsClientAuth,
            "self_signed_tls_client_auth" => Self::SelfSignedTlsClientAuth,
            _ => return None,
        })
    }

    /// Whether the method authenticates with the TLS client certificate.
    #[must_use]
    pub const fn is_mtls(self) -> bool {
        matches!(self, Self::TlsClientAuth | Self::SelfSignedTlsClientAuth)
    }

    /// The algorithms of the keys a client of this method registers: its
    /// assertion algorithms, or every asymmetric one for
    /// `self_signed_tls_client_auth` (the certificates' keys).
    #[must_use]
    pub const fn key_algorithms(self) -> AlgorithmSet {
        match self {
            Self::SelfSignedTlsClientAuth => AlgorithmSet::ASYMMETRIC,
            other => other.assertion_algorithms(),
        }
    }

    /// The algorithms an assertion may use with this method (empty for the
    /// methods without an assertion).
    #[must_use]
    pub const fn assertion_algorithms(self) -> AlgorithmSet {
        match self {
            Self::PrivateKeyJwt => AlgorithmSet::ASYMMETRIC,
            Self::ClientSecretJwt => AlgorithmSet::SYMMETRIC,
            _ => AlgorithmSet::EMPTY,
        }
    }
}

/// One registered credential: a key, a key set or a secret, with an
/// optional name and expiry.
#[derive(Debug, Clone)]
pub struct Credential {
    name: Option<String>,
    expires_at: Option<i64>,
    source: KeySource,
}

#[derive(Debug, Clone)]
enum KeySource {
    /// Keys registered inline (JWK, JWKS, PEM, certificate, secret).
    Keys(Arc<JwkSet>),
    /// Keys published by the client at a `jwks_uri`, fetched and cached by the
    /// verifier's remote JWKS cache.
    Remote(Arc<JwksUri>),
}

impl Credential {
    /// A credential holding one key.
    #[must_use]
    pub fn from_key(key: VerifyingKey) -> Self {
        Self { name: None, expires_at: None, source: KeySource::Keys(Arc::new(JwkSet::from(key))) }
    }

    /// A credential holding a key set.
    #[must_use]
    pub fn from_jwks(keys: JwkSet) -> Self {
        Self { name: None, expires_at: None, source: KeySource::Keys(Arc::new(keys)) }
    }

    /// A credential holding a key set shared with other credentials (the
    /// bindings keep parsed keys behind an `Arc` and register them without
    /// copying).
    #[must_use]
    pub const fn from_shared_jwks(keys: Arc<JwkSet>) -> Self {
        Self { name: None, expires_at: None, source: KeySource::Keys(keys) }
    }

    /// A credential whose keys the client publishes at `uri` (RFC 7591 `jwks_uri`).
    #[must_use]
    pub fn from_jwks_uri(uri: JwksUri) -> Self {
        Self { name: None, expires_at: None, source: KeySource::Remote(Arc::new(uri)) }
    }

    /// A client secret (`client_secret_jwt`).
    ///
    /// # Errors
    /// `WEAK_KEY` when shorter than 32 bytes.
    pub fn from_secret(secret: &[u8]) -> Result<Self> {
        VerifyingKey::from_secret(secret).map(Self::from_key)
    }

    /// Name the credential (shown in logs and dashboards).
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Expire the credential at `expires_at` (Unix seconds).
    #[must_use]
    pub const fn with_expiry(mut self, expires_at: i64) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// Take the expiry from the certificate's notAfter (`parse_expiry_from_cert`).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` when an expiry is already set (the two are
    /// exclusive) or the credential holds no certificate.
    pub fn with_expiry_from_certificate(mut self) -> Result<Self> {
        if self.expires_at.is_some() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "expires_at and parse_expiry_from_cert are exclusive",
            ));
        }
        let not_after = self
            .keys()
            .iter()
            .filter_map(|k| k.certificate().map(|c| c.not_after))
            .min()
            .ok_or(Error::new(ErrorCode::InvalidArgument, "the credential holds no certificate"))?;
        self.expires_at = Some(not_after);
        Ok(self)
    }

    /// The name, if any.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The expiry, if any.
    #[must_use]
    pub const fn expires_at(&self) -> Option<i64> {
        self.expires_at
    }

    /// The keys registered inline (none for a `jwks_uri` credential).
    #[must_use]
    pub fn keys(&self) -> &[VerifyingKey] {
        match &self.source {
            KeySource::Keys(k) => k.keys(),
            KeySource::Remote(_) => &[],
        }
    }

    /// The `jwks_uri`, for a remote key set.
    #[must_use]
    pub fn jwks_uri(&self) -> Option<&JwksUri> {
        match &self.source {
            KeySource::Keys(_) => None,
            KeySource::Remote(u) => Some(u),
        }
    }

    /// Whether the credential has expired at `now`.
    #[must_use]
    pub fn is_expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|e| now >= e)
    }
}

/// The registered secret of a `client_secret_basic` / `client_secret_post`
/// client. Only its SHA-256 is kept: presented secrets are hashed and the
/// digests compared in constant time, so neither the secret's content nor its
/// length leaks through timing.
#[derive(Clone)]
struct SecretDigest {
    digest: [u8; 32],
    expires_at: Option<i64>,
}

impl fmt::Debug for SecretDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientSecret").field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

/// A registered client.
#[derive(Debug, Clone)]
pub struct Client {
    client_id: String,
    method: AuthMethod,
    signing_alg: Option<Algorithm>,
    audience_mode: Option<AudienceMode>,
    profile: Option<Profile>,
    max_age: Option<i64>,
    max_lifetime: Option<i64>,
    credentials: Vec<Credential>,
    secrets: Vec<SecretDigest>,
    tls_subject: Option<crate::mtls::TlsSubject>,
}

impl Client {
    /// A client with no credentials yet.
    #[must_use]
    pub fn new(client_id: impl Into<String>, method: AuthMethod) -> Self {
        Self {
            client_id: client_id.into(),
            method,
            signing_alg: None,
            audience_mode: None,
            profile: None,
            max_age: None,
            max_lifetime: None,
            credentials: Vec::new(),
            secrets: Vec::new(),
            tls_subject: None,
        }
    }

    /// Register a client secret (`client_secret`, with `client_secret_expires_at`
    /// when it expires). For `client_secret_basic` and `client_secret_post` only
    /// its SHA-256 digest is kept, and a client may have several while it
    /// rotates (each with its expiry; any unexpired one is accepted); for
    /// `client_secret_jwt` it becomes an HMAC credential (at least 32 bytes,
    /// RFC 7518 §3.2).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for a method without a secret; `WEAK_KEY` for an
    /// empty secret, or one shorter than 32 bytes for `client_secret_jwt`.
    pub fn with_secret(mut self, secret: &[u8], expires_at: Option<i64>) -> Result<Self> {
        if secret.is_empty() {
            return Err(Error::new(ErrorCode::WeakKey, "client_secret is empty"));
        }
        match self.method {
            AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost => {
                self.secrets.push(SecretDigest { digest: crypto::sha256(secret), expires_at });
            }
            AuthMethod::ClientSecretJwt => {
                let mut c = Credential::from_secret(secret)?.with_name("client_secret");
                c.expires_at = expires_at;
                self.credentials.push(c);
            }
            AuthMethod::PrivateKeyJwt
            | AuthMethod::None
            | AuthMethod::TlsClientAuth
            | AuthMethod::SelfSignedTlsClientAuth => {
                return Err(Error::with_detail(
                    ErrorCode::InvalidArgument,
                    format!("{} clients have no client_secret", self.method.as_str()),
                ));
            }
        }
        Ok(self)
    }

    /// Check a presented `client_secret` (Basic or form) at `now` against
    /// every registered one (each compared in constant time, all of them
    /// always). The digests are compared first, so only a holder of a
    /// secret learns that it has expired.
    ///
    /// # Errors
    /// `INVALID_SECRET` when it matches none or when the client has no
    /// secret; `SECRET_EXPIRED` when it matches only expired ones.
    pub fn check_secret(&self, presented: &[u8], now: i64) -> Result<()> {
        if self.secrets.is_empty() {
            return Err(Error::new(ErrorCode::InvalidSecret, "the client has no secret registered"));
        }
        let digest = crypto::sha256(presented);
        let (mut live, mut expired) = (false, false);
        for s in &self.secrets {
            let matches = crypto::ct_eq(&digest, &s.digest);
            let gone = s.expires_at.is_some_and(|e| now >= e);
            live |= matches && !gone;
            expired |= matches && gone;
        }
        match (live, expired) {
            (true, _) => Ok(()),
            (false, true) => Err(Error::new(ErrorCode::SecretExpired, "client_secret has expired")),
            (false, false) => Err(Error::new(ErrorCode::InvalidSecret, "client_secret does not match")),
        }
    }

    /// Whether a secret is registered for `client_secret_basic` / `client_secret_post`.
    #[must_use]
    pub const fn has_secret(&self) -> bool {
        !self.secrets.is_empty()
    }

    /// Add a credential.
    #[must_use]
    pub fn with_credential(mut self, c: Credential) -> Self {
        self.credentials.push(c);
        self
    }

    /// Pin `token_endpoint_auth_signing_alg`.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` when the alg does not fit the method.
    pub fn with_signing_alg(mut self, alg: Algorithm) -> Result<Self> {
        if !self.method.assertion_algorithms().contains(alg) {
            return Err(Error::with_detail(
                ErrorCode::InvalidArgument,
                format!("{alg} cannot be used with {}", self.method.as_str()),
            ));
        }
        self.signing_alg = Some(alg);
        Ok(self)
    }

    /// Override the verifier's audience mode for this client.
    #[must_use]
    pub const fn with_audience_mode(mut self, mode: AudienceMode) -> Self {
        self.audience_mode = Some(mode);
        self
    }

    /// The certificate a `tls_client_auth` client is registered by (its
    /// subject DN or one subject alternative name).
    #[must_use]
    pub fn with_tls_subject(mut self, subject: crate::mtls::TlsSubject) -> Self {
        self.tls_subject = Some(subject);
        self
    }

    /// The registered certificate subject of a `tls_client_auth` client.
    #[must_use]
    pub const fn tls_subject(&self) -> Option<&crate::mtls::TlsSubject> {
        self.tls_subject.as_ref()
    }

    /// Override the verifier's profile for this client.
    #[must_use]
    pub const fn with_profile(mut self, profile: Profile) -> Self {
        self.profile = Some(profile);
        self
    }

    /// The profile override, if any.
    #[must_use]
    pub const fn profile(&self) -> Option<Profile> {
        self.profile
    }

    /// Override the verifier's maximum assertion age (seconds) for this client.
    #[must_use]
    pub const fn with_max_age(mut self, secs: i64) -> Self {
        self.max_age = Some(secs);
        self
    }

    /// Override the verifier's maximum assertion lifetime (`exp − iat`,
    /// seconds) for this client.
    #[must_use]
    pub const fn with_max_lifetime(mut self, secs: i64) -> Self {
        self.max_lifetime = Some(secs);
        self
    }

    /// The client id.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The registered `token_endpoint_auth_method`.
    #[must_use]
    pub const fn method(&self) -> AuthMethod {
        self.method
    }

    /// The pinned `token_endpoint_auth_signing_alg`, if any.
    #[must_use]
    pub const fn signing_alg(&self) -> Option<Algorithm> {
        self.signing_alg
    }

    /// The audience mode override, if any.
    #[must_use]
    pub const fn audience_mode(&self) -> Option<AudienceMode> {
        self.audience_mode
    }

    /// The max-age override, if any.
    #[must_use]
    pub const fn max_age(&self) -> Option<i64> {
        self.max_age
    }

    /// The max-lifetime override, if any.
    #[must_use]
    pub const fn max_lifetime(&self) -> Option<i64> {
        self.max_lifetime
    }

    /// The credentials.
    #[must_use]
    pub fn credentials(&self) -> &[Credential] {
        &self.credentials
    }

    /// Algorithms an assertion from this client may use.
    #[must_use]
    pub const fn allowed_algorithms(&self) -> AlgorithmSet {
        match self.signing_alg {
            Some(a) => self.method.assertion_algorithms().intersect(AlgorithmSet::only(a)),
            None => self.method.assertion_algorithms(),
        }
    }
}
