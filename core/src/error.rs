//! The one error type, and the table of stable error codes.
//!
//! [`ErrorCode`] is the single source of truth for every code the library can
//! return, in every language: its number (ABI — never renumbered, retired
//! numbers stay reserved), its machine name (`JWTAUTH_` + name is the C
//! constant; Python and Node expose the same name as `.code`), the OAuth error
//! and HTTP status a token endpoint sends, and a generic public description.
//! `tests/vectors/error_codes.json` is generated from this table and
//! drift-checked by `core/tests/error_table.rs`.
//!
//! The public description never depends on the input. The detail (for logs)
//! names the rule that failed but never contains secrets, key material or
//! whole assertions.

use std::borrow::Cow;
use std::fmt;

/// The OAuth 2.0 error a token endpoint returns (RFC 6749 §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OAuthError {
    /// `invalid_request` (HTTP 400): the request itself is malformed.
    InvalidRequest,
    /// `invalid_client` (HTTP 401): client authentication failed.
    InvalidClient,
    /// `server_error` (HTTP 500/503): the server could not decide.
    ServerError,
    /// `invalid_client_metadata` (HTTP 400, RFC 7591 §3.2.2): a credential or
    /// client registration is refused. Never sent by a token endpoint.
    InvalidClientMetadata,
    /// `invalid_grant` (HTTP 400, RFC 6749 §5.2): the authorization grant
    /// (here a JWT bearer assertion, RFC 7523 §3.1) is not valid.
    InvalidGrant,
    /// `unsupported_grant_type` (HTTP 400, RFC 6749 §5.2): the request's
    /// `grant_type` is not one this call handles.
    UnsupportedGrantType,
}

impl OAuthError {
    /// The `error` member of the OAuth JSON error body.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::ServerError => "server_error",
            Self::InvalidClientMetadata => "invalid_client_metadata",
            Self::InvalidGrant => "invalid_grant",
            Self::UnsupportedGrantType => "unsupported_grant_type",
        }
    }
}

/// What kind of failure a code is; bindings map these to exception classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCategory {
    /// The caller used the API wrongly (bad argument, bad configuration).
    Usage,
    /// The token request is malformed.
    InvalidRequest,
    /// The client could not be authenticated (bad assertion, signature, claims).
    InvalidClient,
    /// A key or credential could not be loaded or violates the policy.
    InvalidCredential,
    /// The library or a store it depends on failed; the request was not accepted.
    Internal,
    /// The authorization grant (a JWT bearer assertion) is not valid.
    InvalidGrant,
}

impl ErrorCategory {
    /// Lower-case name used in the exported table.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Usage => "usage",
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidCredential => "invalid_credential",
            Self::Internal => "internal",
            Self::InvalidGrant => "invalid_grant",
        }
    }
}

macro_rules! error_codes {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $num:literal, $name:literal, $cat:ident, $oauth:ident, $status:literal, $desc:literal;
    )*) => {
        /// Stable error codes. The numbers are ABI and never change.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u32)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[doc = $doc])* $variant = $num, )*
        }

        impl ErrorCode {
            /// Every code, in numeric order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The stable number.
            #[must_use]
            pub const fn number(self) -> u32 { self as u32 }

            /// The machine name, e.g. `SIGNATURE_INVALID` (C constant: `JWTAUTH_SIGNATURE_INVALID`).
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self { $(Self::$variant => $name,)* }
            }

            /// The category (bindings map it to an exception class).
            #[must_use]
            pub const fn category(self) -> ErrorCategory {
                match self { $(Self::$variant => ErrorCategory::$cat,)* }
            }

            /// The OAuth error a token endpoint sends for this code.
            #[must_use]
            pub const fn oauth_error(self) -> OAuthError {
                match self { $(Self::$variant => OAuthError::$oauth,)* }
            }

            /// The HTTP status a token endpoint sends for this code.
            #[must_use]
            pub const fn http_status(self) -> u16 {
                match self { $(Self::$variant => $status,)* }
            }

            /// What the code means, for developers and logs (the variant's
            /// documentation); never sent to the client.
            #[must_use]
            pub const fn meaning(self) -> &'static str {
                match self { $(Self::$variant => concat!($($doc),*),)* }
            }

            /// Generic public description, safe to send to the client.
            #[must_use]
            pub const fn description(self) -> &'static str {
                match self { $(Self::$variant => $desc,)* }
            }

            /// The code with this number, if any.
            #[must_use]
            pub fn from_number(n: u32) -> Option<Self> {
                match n { $($num => Some(Self::$variant),)* _ => None }
            }

            /// The code with this machine name, if any.
            #[must_use]
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($name => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

// Numbering: 1-99 usage/internal, 100-199 assertion format and header,
// 200-299 client identification, 300-399 keys and signature, 400-499 claims,
// 500-599 replay, 600-699 key and credential loading (registration time),
// 700-799 token request (mechanism, parameters, secrets).
error_codes! {
    /// An argument or option is invalid (API misuse).
    InvalidArgument = 1, "INVALID_ARGUMENT", Usage, ServerError, 500, "The server is misconfigured.";
    /// An unexpected internal failure (a bug, or a caught panic).
    Internal = 2, "INTERNAL", Internal, ServerError, 500, "The server could not authenticate the client.";
    /// The random number generator or a cryptographic primitive failed.
    CryptoFailure = 3, "CRYPTO_FAILURE", Internal, ServerError, 500, "The server could not authenticate the client.";
    /// The client registry (a host database or callback) failed; the request is refused.
    RegistryUnavailable = 4, "REGISTRY_UNAVAILABLE", Internal, ServerError, 503, "The server cannot authenticate clients right now.";
    /// The host's policy hook failed, answered late or answered something else than its documented type; the request is refused (fail closed).
    HookFailed = 5, "HOOK_FAILED", Internal, ServerError, 503, "The server cannot authenticate clients right now.";

    /// The assertion exceeds the configured size limit.
    AssertionTooLarge = 100, "ASSERTION_TOO_LARGE", InvalidClient, InvalidClient, 401, "The client assertion is too large.";
    /// Not a compact JWS: not exactly three non-empty segments.
    MalformedJws = 101, "MALFORMED_JWS", InvalidClient, InvalidClient, 401, "The client assertion is not a well-formed JWT.";
    /// A segment is not strict base64url (padding, bad characters, non-canonical bits).
    InvalidBase64 = 102, "INVALID_BASE64", InvalidClient, InvalidClient, 401, "The client assertion is not a well-formed JWT.";
    /// The header is not a JSON object or a member has the wrong type.
    MalformedHeader = 103, "MALFORMED_HEADER", InvalidClient, InvalidClient, 401, "The client assertion is not a well-formed JWT.";
    /// The header or claims contain a member name twice.
    DuplicateMember = 104, "DUPLICATE_MEMBER", InvalidClient, InvalidClient, 401, "The client assertion is not a well-formed JWT.";
    /// `alg` is missing, `none`, or not an algorithm this library implements.
    UnsupportedAlgorithm = 105, "UNSUPPORTED_ALGORITHM", InvalidClient, InvalidClient, 401, "The client assertion uses an unsupported algorithm.";
    /// `alg` is implemented but not allowed for this client, method or key.
    AlgorithmNotAllowed = 106, "ALGORITHM_NOT_ALLOWED", InvalidClient, InvalidClient, 401, "The client assertion uses an algorithm that is not allowed for this client.";
    /// The header uses `crit`, `b64` or `zip`.
    UnsupportedHeader = 107, "UNSUPPORTED_HEADER", InvalidClient, InvalidClient, 401, "The client assertion uses an unsupported header parameter.";
    /// The header carries a key or key reference (`jwk`, `jku`, `x5u`, `x5c`).
    EmbeddedKey = 108, "EMBEDDED_KEY", InvalidClient, InvalidClient, 401, "The client assertion must not carry its own key.";
    /// `typ` is neither absent, `JWT` nor `client-authentication+jwt`.
    InvalidType = 109, "INVALID_TYPE", InvalidClient, InvalidClient, 401, "The client assertion has the wrong type.";
    /// The payload is not a JSON object or a claim has the wrong type.
    MalformedClaims = 110, "MALFORMED_CLAIMS", InvalidClient, InvalidClient, 401, "The client assertion is not a well-formed JWT.";

    /// `iss` or `sub` is missing.
    MissingIssuer = 200, "MISSING_ISSUER", InvalidClient, InvalidClient, 401, "The client assertion does not identify the client.";
    /// `iss` and `sub` differ.
    IssuerSubjectMismatch = 201, "ISSUER_SUBJECT_MISMATCH", InvalidClient, InvalidClient, 401, "The client assertion does not identify the client.";
    /// The assertion's client differs from the `client_id` of the request.
    ClientIdMismatch = 202, "CLIENT_ID_MISMATCH", InvalidClient, InvalidClient, 401, "The client assertion does not match the client.";
    /// No client is registered under that id.
    UnknownClient = 203, "UNKNOWN_CLIENT", InvalidClient, InvalidClient, 401, "Client authentication failed.";

    /// No registered, unexpired key matches the header (kid, x5t, type, alg).
    NoMatchingKey = 300, "NO_MATCHING_KEY", InvalidClient, InvalidClient, 401, "No registered key matches the client assertion.";
    /// The only matching credential has expired.
    CredentialExpired = 301, "CREDENTIAL_EXPIRED", InvalidClient, InvalidClient, 401, "The client's credential has expired.";
    /// The signature does not verify (wrong length, wrong key, tampered).
    SignatureInvalid = 302, "SIGNATURE_INVALID", InvalidClient, InvalidClient, 401, "The client assertion signature is invalid.";
    /// The client's `jwks_uri` could not be fetched and no earlier key set is cached.
    JwksUnavailable = 303, "JWKS_UNAVAILABLE", InvalidClient, InvalidClient, 401, "The client's keys could not be retrieved.";

    /// A required claim (`exp`, `jti`, `aud`) is missing.
    MissingClaim = 400, "MISSING_CLAIM", InvalidClient, InvalidClient, 401, "The client assertion is missing a required claim.";
    /// `aud` does not name this server as required by the audience mode.
    AudienceMismatch = 401, "AUDIENCE_MISMATCH", InvalidClient, InvalidClient, 401, "The client assertion is not intended for this server.";
    /// `exp` has passed (beyond the leeway).
    Expired = 402, "EXPIRED", InvalidClient, InvalidClient, 401, "The client assertion has expired.";
    /// `nbf` is in the future (beyond the leeway).
    NotYetValid = 403, "NOT_YET_VALID", InvalidClient, InvalidClient, 401, "The client assertion is not yet valid.";
    /// `iat` is in the future (beyond the leeway).
    IssuedInFuture = 404, "ISSUED_IN_FUTURE", InvalidClient, InvalidClient, 401, "The client assertion was issued in the future.";
    /// `iat` is older than the maximum age.
    TooOld = 405, "TOO_OLD", InvalidClient, InvalidClient, 401, "The client assertion is too old.";
    /// Without `iat`, `exp` lies further ahead than the maximum age allows.
    ExpiryTooFar = 406, "EXPIRY_TOO_FAR", InvalidClient, InvalidClient, 401, "The client assertion lifetime is too long.";
    /// `exp − iat` (or, without `iat`, `exp − now`) exceeds the maximum lifetime, or `exp` is not a representable time.
    LifetimeTooLong = 407, "LIFETIME_TOO_LONG", InvalidClient, InvalidClient, 401, "The client assertion is valid for too long.";

    /// This (client_id, jti) was already used.
    Replayed = 500, "REPLAYED", InvalidClient, InvalidClient, 401, "The client assertion has already been used.";
    /// The replay store failed or is full; the request is refused (fail closed).
    ReplayStoreUnavailable = 501, "REPLAY_STORE_UNAVAILABLE", Internal, ServerError, 503, "The server cannot check the client assertion right now.";

    /// Key material could not be parsed (PEM, DER, JWK, certificate).
    InvalidKey = 600, "INVALID_KEY", InvalidCredential, InvalidClientMetadata, 400, "The key is not valid.";
    /// The key is valid but too weak (RSA < 2048 bits, bad exponent, short secret).
    WeakKey = 601, "WEAK_KEY", InvalidCredential, InvalidClientMetadata, 400, "The key is too weak.";
    /// The key type, curve or algorithm is not supported.
    UnsupportedKey = 602, "UNSUPPORTED_KEY", InvalidCredential, InvalidClientMetadata, 400, "The key type is not supported.";
    /// The key's `alg`, `use` or `key_ops` contradict the requested use.
    KeyUsageMismatch = 603, "KEY_USAGE_MISMATCH", InvalidCredential, InvalidClientMetadata, 400, "The key cannot be used for this algorithm.";
    /// A public key or key set contains private key material (`d`, `p`, `q`, …).
    PrivateKeyMaterial = 604, "PRIVATE_KEY_MATERIAL", InvalidCredential, InvalidClientMetadata, 400, "The key set contains private key material.";
    /// Two keys of a key set share a `kid`.
    DuplicateKeyId = 605, "DUPLICATE_KEY_ID", InvalidCredential, InvalidClientMetadata, 400, "The key set has duplicate key ids.";
    /// The client has more credentials than the policy allows.
    TooManyCredentials = 606, "TOO_MANY_CREDENTIALS", InvalidCredential, InvalidClientMetadata, 400, "The client has too many credentials.";
    /// The expiry is in the past, too far ahead, missing when required, or set twice.
    InvalidExpiry = 607, "INVALID_EXPIRY", InvalidCredential, InvalidClientMetadata, 400, "The credential expiry is not acceptable.";
    /// `jwks_uri` is not an https URL, or names a host the policy refuses.
    InvalidJwksUri = 608, "INVALID_JWKS_URI", InvalidCredential, InvalidClientMetadata, 400, "The jwks_uri is not acceptable.";
    /// Client metadata is malformed or inconsistent (method, alg, missing secret or keys).
    InvalidClientMetadata = 609, "INVALID_CLIENT_METADATA", InvalidCredential, InvalidClientMetadata, 400, "The client metadata is not valid.";
    /// The crypto provider this library was built with cannot use the key
    /// (the `ring` build: P-521 keys, RSA key generation); refused when the
    /// key is loaded or generated, never at verify time.
    ProviderUnsupported = 610, "PROVIDER_UNSUPPORTED", InvalidCredential, InvalidClientMetadata, 400, "The key is not supported by this server.";

    /// The request uses more than one client authentication mechanism.
    MultipleAuthMethods = 700, "MULTIPLE_AUTH_METHODS", InvalidRequest, InvalidRequest, 400, "The request uses more than one client authentication method.";
    /// A client authentication parameter appears more than once.
    RepeatedParameter = 701, "REPEATED_PARAMETER", InvalidRequest, InvalidRequest, 400, "A request parameter is repeated.";
    /// The form body is not valid `application/x-www-form-urlencoded` UTF-8.
    MalformedRequest = 702, "MALFORMED_REQUEST", InvalidRequest, InvalidRequest, 400, "The request is malformed.";
    /// A parameter the mechanism needs is missing (e.g. `client_assertion_type`).
    MissingParameter = 703, "MISSING_PARAMETER", InvalidRequest, InvalidRequest, 400, "A required parameter is missing.";
    /// The Authorization header is not valid HTTP Basic with form-encoded id and secret.
    MalformedAuthorization = 704, "MALFORMED_AUTHORIZATION", InvalidClient, InvalidClient, 401, "The Authorization header is malformed.";
    /// The Authorization header uses a scheme other than Basic.
    UnsupportedAuthScheme = 705, "UNSUPPORTED_AUTH_SCHEME", InvalidClient, InvalidClient, 401, "The authorization scheme is not supported.";
    /// The request carries no client authentication and no client_id.
    NoClientAuthentication = 706, "NO_CLIENT_AUTHENTICATION", InvalidClient, InvalidClient, 401, "Client authentication is required.";
    /// The mechanism used is not the client's registered `token_endpoint_auth_method`.
    AuthMethodMismatch = 707, "AUTH_METHOD_MISMATCH", InvalidClient, InvalidClient, 401, "The client is not registered for this authentication method.";
    /// The client secret is wrong.
    InvalidSecret = 708, "INVALID_SECRET", InvalidClient, InvalidClient, 401, "Client authentication failed.";
    /// The client secret has expired (`client_secret_expires_at`).
    SecretExpired = 709, "SECRET_EXPIRED", InvalidClient, InvalidClient, 401, "The client secret has expired.";
    /// `client_assertion_type` is not `urn:ietf:params:oauth:client-assertion-type:jwt-bearer`.
    UnsupportedAssertionType = 710, "UNSUPPORTED_ASSERTION_TYPE", InvalidClient, InvalidClient, 401, "The client assertion type is not supported.";
    /// The host's policy hook refused an authentication that passed every check.
    PolicyRefused = 711, "POLICY_REFUSED", InvalidClient, InvalidClient, 401, "Client authentication failed.";

    /// The client is registered for mutual TLS and the request has no client certificate.
    ClientCertificateRequired = 800, "CLIENT_CERTIFICATE_REQUIRED", InvalidClient, InvalidClient, 401, "A client certificate is required.";
    /// The client certificate (or the proxy header carrying it) cannot be read.
    MalformedClientCertificate = 801, "MALFORMED_CLIENT_CERTIFICATE", InvalidClient, InvalidClient, 401, "The client certificate could not be read.";
    /// The client certificate's chain does not verify to a trusted client CA (or nothing verified it).
    ClientCertificateUntrusted = 802, "CLIENT_CERTIFICATE_UNTRUSTED", InvalidClient, InvalidClient, 401, "The client certificate is not trusted.";
    /// The client certificate is not the registered one (subject DN, SAN, or public key).
    ClientCertificateMismatch = 803, "CLIENT_CERTIFICATE_MISMATCH", InvalidClient, InvalidClient, 401, "The client certificate does not match the client.";

    /// A JWT bearer grant's issuer is not in the trust table.
    UntrustedIssuer = 900, "UNTRUSTED_ISSUER", InvalidGrant, InvalidGrant, 400, "The assertion's issuer is not trusted.";
    /// A JWT bearer grant's subject is not one its issuer may assert.
    SubjectNotAllowed = 901, "SUBJECT_NOT_ALLOWED", InvalidGrant, InvalidGrant, 400, "The assertion's subject is not allowed.";
    /// A grant request's `grant_type` is not the JWT bearer grant.
    UnsupportedGrantType = 902, "UNSUPPORTED_GRANT_TYPE", InvalidRequest, UnsupportedGrantType, 400, "The grant type is not supported.";
    /// A JWT bearer grant request also carries another grant's parameters (`code`, `refresh_token`, …).
    MultipleGrants = 903, "MULTIPLE_GRANTS", InvalidRequest, InvalidRequest, 400, "The request carries more than one authorization grant.";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The public description of a refused authorization grant whose code is
/// shared with client assertions (their own descriptions name the client).
pub const GRANT_DESCRIPTION: &str = "The authorization grant is not valid.";

/// The library's error: a stable [`ErrorCode`] plus a detail for logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    detail: Cow<'static, str>,
    /// Raised while verifying an authorization grant: answered
    /// `invalid_grant` (400) unless the server failed.
    grant: bool,
}

impl Error {
    /// An error with a fixed detail.
    #[must_use]
    pub const fn new(code: ErrorCode, detail: &'static str) -> Self {
        Self { code, detail: Cow::Borrowed(detail), grant: false }
    }

    /// An error with a formatted detail. Callers never put secrets, keys or
    /// whole assertions in it.
    #[must_use]
    pub fn with_detail(code: ErrorCode, detail: String) -> Self {
        Self { code, detail: Cow::Owned(detail), grant: false }
    }

    /// The same error, raised while verifying an authorization grant (RFC
    /// 7523 §3.1): a token endpoint answers it `invalid_grant` (400) —
    /// whatever rule failed — unless the server failed (5xx stays). The code
    /// is unchanged.
    #[must_use]
    pub fn in_grant(mut self) -> Self {
        self.grant = self.code.http_status() < 500 && self.code.category() != ErrorCategory::Usage;
        self
    }

    /// Whether it refuses an authorization grant ([`Error::in_grant`]).
    #[must_use]
    pub const fn is_grant(&self) -> bool {
        self.grant
    }

    /// What kind of failure it is: its code's category, or
    /// [`ErrorCategory::InvalidGrant`] for any refusal of a grant.
    #[must_use]
    pub const fn category(&self) -> ErrorCategory {
        if self.grant { ErrorCategory::InvalidGrant } else { self.code.category() }
    }

    /// The stable code.
    #[must_use]
    pub const fn code(&self) -> ErrorCode {
        self.code
    }

    /// The detailed reason, for logs (never sent to the client).
    #[must_use]
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The generic description that may be sent to the client.
    #[must_use]
    pub const fn description(&self) -> &'static str {
        if self.grant && !matches!(self.code.category(), ErrorCategory::InvalidGrant) {
            GRANT_DESCRIPTION
        } else {
            self.code.description()
        }
    }

    /// The OAuth error a token endpoint sends.
    #[must_use]
    pub const fn oauth_error(&self) -> OAuthError {
        if self.grant { OAuthError::InvalidGrant } else { self.code.oauth_error() }
    }

    /// The HTTP status a token endpoint sends.
    #[must_use]
    pub const fn http_status(&self) -> u16 {
        if self.grant { 400 } else { self.code.http_status() }
    }

    /// The OAuth JSON error body a server sends for this error:
    /// `{"error": …, "error_description": …}` (RFC 6749 §5.2). Never holds
    /// the detail.
    #[must_use]
    pub fn oauth_body(&self) -> String {
        serde_json::json!({
            "error": self.oauth_error().as_str(),
            "error_description": self.description(),
        })
        .to_string()
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({}: {})", self.code.name(), self.detail)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.detail)
    }
}

impl std::error::Error for Error {}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The error table as a JSON document (what `tests/vectors/error_codes.json` holds),
/// for generating or checking the C, Python and Node layers.
#[must_use]
pub fn error_table_json() -> String {
    let rows: Vec<serde_json::Value> = ErrorCode::ALL
        .iter()
        .map(|c| {
            serde_json::json!({
                "number": c.number(),
                "name": c.name(),
                "category": c.category().as_str(),
                "oauth_error": c.oauth_error().as_str(),
                "http_status": c.http_status(),
                "description": c.description(),
            })
        })
        .collect();
    let doc = serde_json::json!({ "codes": rows });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
