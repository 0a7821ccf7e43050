//! Token-endpoint client authentication (docs/SECURITY.md rules 9-10): one
//! mechanism per request, the client's registered method, Basic with
//! form-encoded credentials, secrets in constant time, JWT assertions
//! through the [`Verifier`], and the OAuth error response to send.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};

use crate::algorithm::Algorithm;
use crate::assertion::CLIENT_ASSERTION_TYPE;
use crate::client::{AuthMethod, Client};
use crate::crypto;
use crate::error::{Error, ErrorCode, Result};
use crate::events::Trace;
use crate::form;
use crate::grant::{Grant, JWT_BEARER_GRANT_TYPE, TrustTable};
use crate::keys::JwkSet;
use crate::mtls::{ClientCertificate, PresentedCertificate, TrustAnchors};
use crate::profile::WouldRefuse;
use crate::registry::{Registry, lookup_client};
use crate::verifier::{VerifiedAssertion, Verifier};

/// RFC 7617 Basic credentials: standard alphabet; padding tolerated either way.
const BASIC_B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The largest Authorization header value looked at.
const MAX_AUTHORIZATION_LEN: usize = 8 * 1024;

/// The `Authorization` header of a token request, as the server received it:
/// absent, one value (raw bytes: a header need not be UTF-8, and what it
/// holds is the request's business, never a server error), or sent more
/// than once (refused as `MALFORMED_AUTHORIZATION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Authorization<'a> {
    /// The request has no Authorization header (or an empty one).
    #[default]
    Absent,
    /// One Authorization header value.
    Value(&'a [u8]),
    /// The request carries the header more than once.
    Repeated,
}

impl<'a> Authorization<'a> {
    /// The Authorization header among a request's headers: names compared
    /// without regard to ASCII case, a header sent twice is
    /// [`Authorization::Repeated`]. Names and values are taken as bytes, as
    /// they came.
    #[must_use]
    pub fn from_headers<I, N, V>(headers: I) -> Self
    where
        I: IntoIterator<Item = (N, &'a V)>,
        N: AsRef<[u8]>,
        V: AsRef<[u8]> + ?Sized + 'a,
    {
        Self::from_values(
            headers
                .into_iter()
                .filter(|(n, _)| n.as_ref().eq_ignore_ascii_case(b"authorization"))
                .map(|(_, v)| v.as_ref()),
        )
    }

    /// The header from the values a server's header map holds for it (none,
    /// one, or several).
    #[must_use]
    pub fn from_values<I: IntoIterator<Item = &'a [u8]>>(values: I) -> Self {
        let mut values = values.into_iter();
        match (values.next(), values.next()) {
            (None, _) => Self::Absent,
            (Some(v), None) => Self::Value(v),
            (Some(_), Some(_)) => Self::Repeated,
        }
    }

    /// An empty or blank value counts as no header.
    pub(crate) fn present(self) -> Option<Self> {
        match self {
            Self::Absent => None,
            Self::Value(v) if v.iter().all(|b| matches!(b, b' ' | b'\t')) => None,
            other => Some(other),
        }
    }
}

impl<'a> From<Option<&'a str>> for Authorization<'a> {
    fn from(v: Option<&'a str>) -> Self {
        v.map_or(Self::Absent, |v| Self::Value(v.as_bytes()))
    }
}

impl<'a> From<Option<&'a [u8]>> for Authorization<'a> {
    fn from(v: Option<&'a [u8]>) -> Self {
        v.map_or(Self::Absent, Self::Value)
    }
}

/// A successfully authenticated token request.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The registered client.
    pub client: Arc<Client>,
    /// The mechanism the request used (always the client's registered method).
    pub method: AuthMethod,
    /// The verified assertion, for `private_key_jwt` and `client_secret_jwt`.
    pub assertion: Option<VerifiedAssertion>,
    /// What the verifier's report-only profile would have refused in this request.
    pub would_refuse: Option<WouldRefuse>,
    /// When the request came with a client certificate (whatever the method):
    /// its `x5t#S256`, for a certificate-bound access token's `cnf`
    /// (RFC 8705 §3).
    pub certificate_thumbprint: Option<String>,
}

impl Authenticated {
    /// The authenticated client id.
    #[must_use]
    pub fn client_id(&self) -> &str {
        self.client.client_id()
    }
}

/// The HTTP response a token endpoint sends when authentication fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthResponse {
    /// HTTP status (400, 401, 500 or 503).
    pub status: u16,
    /// `WWW-Authenticate` value, when the request used the Authorization header
    /// and the status is 401 (RFC 6749 §5.2).
    pub www_authenticate: Option<String>,
    /// JSON body: `{"error": …, "error_description": …}`.
    pub body: String,
}

impl OAuthResponse {
    /// The response for an error outside a token request (no
    /// `WWW-Authenticate`): its status and OAuth body.
    #[must_use]
    pub fn for_error(error: &Error) -> Self {
        Self { status: error.http_status(), www_authenticate: None, body: error.oauth_body() }
    }

    /// Every header to send: `Content-Type`, `Cache-Control: no-store` and,
    /// when set, `WWW-Authenticate`.
    #[must_use]
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut h =
            vec![("Content-Type", "application/json".to_owned()), ("Cache-Control", "no-store".to_owned())];
        if let Some(w) = &self.www_authenticate {
            h.push(("WWW-Authenticate", w.clone()));
        }
        h
    }
}

/// A failed authentication: the error, and what the response must say.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthError {
    error: Error,
    used_authorization_header: bool,
    realm: Arc<str>,
}

impl AuthError {
    /// The underlying error (code and log detail).
    #[must_use]
    pub const fn error(&self) -> &Error {
        &self.error
    }

    /// The stable code.
    #[must_use]
    pub const fn code(&self) -> ErrorCode {
        self.error.code()
    }

    /// Whether the request carried an Authorization header.
    #[must_use]
    pub const fn used_authorization_header(&self) -> bool {
        self.used_authorization_header
    }

    /// The response to send.
    #[must_use]
    pub fn response(&self) -> OAuthResponse {
        let status = self.error.http_status();
        let body = self.error.oauth_body();
        let www_authenticate = (self.used_authorization_header && status == 401)
            .then(|| format!("Basic realm=\"{}\", charset=\"UTF-8\"", quote(&self.realm)));
        OAuthResponse { status, www_authenticate, body }
    }
}

impl fmt::Debug for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthError({:?}, authorization_header: {})", self.error, self.used_authorization_header)
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for AuthError {}

/// Escape a realm for an HTTP quoted-string.
fn quote(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .flat_map(|c| if c == '"' || c == '\\' { vec!['\\', c] } else { vec![c] })
        .collect()
}

/// The client-authentication parameters of a request, decoded (and, for
/// a grant request, the grant's).
#[derive(Default)]
struct Params<'a> {
    client_id: Option<Cow<'a, str>>,
    client_secret: Option<Cow<'a, str>>,
    client_assertion: Option<Cow<'a, str>>,
    client_assertion_type: Option<Cow<'a, str>>,
    /// Read the grant's parameters too.
    grant: bool,
    grant_type: Option<Cow<'a, str>>,
    assertion: Option<Cow<'a, str>>,
    /// The first parameter of another grant the request carries.
    other_grant: Option<&'static str>,
}

/// Parameters that carry a grant other than the JWT bearer one (RFC 6749
/// §4.1.3, §4.3.2, §6; RFC 8628 §3.4; RFC 8693 §2.1; RFC 7522 §2.1 is
/// `assertion` itself).
const OTHER_GRANT_PARAMS: [&str; 5] = ["code", "refresh_token", "password", "device_code", "subject_token"];

impl<'a> Params<'a> {
    /// Record one decoded pair. Other parameters are the server's business;
    /// an empty value counts as absent (RFC 6749 §3.1).
    fn set(&mut self, name: &str, value: Cow<'a, str>) -> Result<()> {
        let slot = match name {
            "client_id" => &mut self.client_id,
            "client_secret" => &mut self.client_secret,
            "client_assertion" => &mut self.client_assertion,
            "client_assertion_type" => &mut self.client_assertion_type,
            "grant_type" if self.grant => &mut self.grant_type,
            "assertion" if self.grant => &mut self.assertion,
            _ => {
                if self.grant && !value.is_empty() && self.other_grant.is_none() {
                    self.other_grant = OTHER_GRANT_PARAMS.iter().copied().find(|p| *p == name);
                }
                return Ok(());
            }
        };
        if value.is_empty() {
            return Ok(());
        }
        if slot.is_some() {
            return Err(Error::with_detail(
                ErrorCode::RepeatedParameter,
                format!("{name} appears more than once"),
            ));
        }
        *slot = Some(value);
        Ok(())
    }

    /// Whether `name` is a parameter this request's parsing reads.
    fn wants(&self, name: &str) -> bool {
        is_auth_param(name)
            || (self.grant
                && (name == "grant_type" || name == "assertion" || OTHER_GRANT_PARAMS.contains(&name)))
    }

    fn from_pairs<I, K, V>(pairs: I) -> Result<Params<'static>>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut p = Params::default();
        for (k, v) in pairs {
            let k = k.as_ref();
            if is_auth_param(k) {
                p.set(k, Cow::Owned(v.as_ref().to_owned()))?;
            }
        }
        Ok(p)
    }

    /// Decoded pairs as bytes (a C or Python server's form): a name or value
    /// of ours that is not UTF-8 is the request's fault (`MALFORMED_REQUEST`).
    fn from_byte_pairs<I, K, V>(pairs: I, grant: bool) -> Result<Params<'static>>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let mut p = Params { grant, ..Params::default() };
        for (k, v) in pairs {
            // A name that is not UTF-8 is not one of ours.
            let Ok(k) = std::str::from_utf8(k.as_ref()) else { continue };
            if p.wants(k) {
                let v = std::str::from_utf8(v.as_ref()).map_err(|_| {
                    Error::with_detail(ErrorCode::MalformedRequest, format!("{k} is not UTF-8"))
                })?;
                p.set(k, Cow::Owned(v.to_owned()))?;
            }
        }
        Ok(p)
    }

    fn from_body(body: &'a [u8], grant: bool) -> Result<Self> {
        let text = std::str::from_utf8(body)
            .map_err(|_| Error::new(ErrorCode::MalformedRequest, "the form body is not UTF-8"))?;
        let mut p = Params { grant, ..Params::default() };
        for (k, v) in form::raw_pairs(text) {
            // Names are decoded in full (`client%5Fid` is `client_id`);
            // values only for the parameters looked at here.
            let Some(name) = form::decode_component(k) else {
                if k.contains("client") || (p.grant && (k.contains("grant") || k.contains("assertion"))) {
                    return Err(Error::new(
                        ErrorCode::MalformedRequest,
                        "a parameter name is not form-encoded",
                    ));
                }
                continue;
            };
            if !p.wants(&name) {
                continue;
            }
            let value = form::decode_component(v).ok_or_else(|| {
                Error::with_detail(ErrorCode::MalformedRequest, format!("{name} is not form-encoded UTF-8"))
            })?;
            p.set(&name, value)?;
        }
        Ok(p)
    }
}

fn is_auth_param(name: &str) -> bool {
    matches!(name, "client_id" | "client_secret" | "client_assertion" | "client_assertion_type")
}

/// Decoded HTTP Basic credentials (RFC 6749 §2.3.1: each form-encoded).
struct Basic {
    client_id: String,
    secret: zeroize::Zeroizing<String>,
}

fn parse_basic(header: Authorization<'_>) -> Result<Basic> {
    let malformed = |d: &'static str| Error::new(ErrorCode::MalformedAuthorization, d);
    let value = match header {
        Authorization::Value(v) => v,
        Authorization::Repeated => {
            return Err(malformed("the request has more than one Authorization header"));
        }
        Authorization::Absent => return Err(malformed("the Authorization header is missing")),
    };
    if value.len() > MAX_AUTHORIZATION_LEN {
        return Err(malformed("the Authorization header is too long"));
    }
    let blank = |b: &u8| matches!(b, b' ' | b'\t');
    let value = value.trim_ascii();
    let (scheme, rest) = match value.iter().position(blank) {
        Some(i) => value.split_at(i),
        None => (value, &[][..]),
    };
    if !scheme.eq_ignore_ascii_case(b"basic") {
        return Err(Error::new(ErrorCode::UnsupportedAuthScheme, "the Authorization scheme is not Basic"));
    }
    let token = rest.trim_ascii_start();
    if token.is_empty() {
        return Err(malformed("Basic credentials are missing"));
    }
    let raw = zeroize::Zeroizing::new(
        BASIC_B64.decode(token).map_err(|_| malformed("Basic credentials are not base64"))?,
    );
    let text = std::str::from_utf8(&raw).map_err(|_| malformed("Basic credentials are not UTF-8"))?;
    let (id, secret) = text.split_once(':').ok_or_else(|| malformed("Basic credentials have no `:`"))?;
    let client_id = form::decode_component(id)
        .ok_or_else(|| malformed("the Basic user name is not form-encoded"))?
        .into_owned();
    let secret = zeroize::Zeroizing::new(
        form::decode_component(secret)
            .ok_or_else(|| malformed("the Basic password is not form-encoded"))?
            .into_owned(),
    );
    if client_id.is_empty() {
        return Err(malformed("the Basic user name is empty"));
    }
    Ok(Basic { client_id, secret })
}

/// The Basic user name, when the header decodes (for `explain`'s report).
pub(crate) fn basic_user(header: Authorization<'_>) -> Option<String> {
    parse_basic(header).ok().map(|b| b.client_id)
}

/// Authenticates token requests: configured once, shared across threads.
#[derive(Debug)]
pub struct Authenticator {
    verifier: Arc<Verifier>,
    registry: Arc<dyn Registry>,
    realm: Arc<str>,
    client_ca: Option<Arc<TrustAnchors>>,
    trust: Option<Arc<TrustTable>>,
}

/// An accepted JWT bearer grant request (RFC 7523 §2.1): the grant, and
/// the client that authenticated with it (none when the trust table lets a
/// request come without client authentication and this one did).
#[derive(Debug, Clone)]
pub struct GrantRequest {
    /// The authenticated client, if the request authenticated one.
    pub client: Option<Authenticated>,
    /// The verified grant: who the access token is for.
    pub grant: Grant,
}

impl Authenticator {
    /// An authenticator over `verifier` (assertion rules, clock, replay store)
    /// and `registry`. The Basic realm defaults to the issuer identifier.
    #[must_use]
    pub fn new(verifier: Verifier, registry: Arc<dyn Registry>) -> Self {
        Self::with_shared_verifier(Arc::new(verifier), registry)
    }

    /// As [`Authenticator::new`], with a verifier shared with other users
    /// (the bindings hand out one verifier object to several authenticators).
    #[must_use]
    pub fn with_shared_verifier(verifier: Arc<Verifier>, registry: Arc<dyn Registry>) -> Self {
        let realm = Arc::from(verifier.issuer());
        Self { verifier, registry, realm, client_ca: None, trust: None }
    }

    /// The realm sent in `WWW-Authenticate: Basic realm="…"`.
    #[must_use]
    pub fn with_realm(mut self, realm: &str) -> Self {
        self.realm = Arc::from(realm);
        self
    }

    /// The CAs `tls_client_auth` certificates must chain to when the TLS
    /// layer did not verify them ([`ClientCertificate::verified_by_tls`]).
    #[must_use]
    pub fn with_client_ca(mut self, anchors: TrustAnchors) -> Self {
        self.client_ca = Some(Arc::new(anchors));
        self
    }

    /// The issuers whose JWT bearer grants [`Authenticator::authenticate_grant`]
    /// accepts.
    #[must_use]
    pub fn with_trust(mut self, table: TrustTable) -> Self {
        self.trust = Some(Arc::new(table));
        self
    }

    /// The trust table, when one is set.
    #[must_use]
    pub fn trust(&self) -> Option<&TrustTable> {
        self.trust.as_deref()
    }

    /// The verifier.
    #[must_use]
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// This authenticator for requests that `endpoint` received (see
    /// [`Verifier::at`]): the same registry, realm and replay store. Make one
    /// per endpoint when the server starts.
    #[must_use]
    pub fn at(&self, endpoint: crate::Endpoint) -> Self {
        self.with_verifier(Arc::new(self.verifier.at(endpoint)))
    }

    /// This authenticator over another verifier (`explain`'s dry run).
    pub(crate) fn with_verifier(&self, verifier: Arc<Verifier>) -> Self {
        Self {
            verifier,
            registry: Arc::clone(&self.registry),
            realm: Arc::clone(&self.realm),
            client_ca: self.client_ca.clone(),
            trust: self.trust.clone(),
        }
    }

    /// The registry.
    #[must_use]
    pub fn registry(&self) -> &Arc<dyn Registry> {
        &self.registry
    }

    /// Authenticate a request from its Authorization header value (if any)
    /// and its decoded form parameters.
    ///
    /// # Errors
    /// An [`AuthError`] carrying the response to send.
    pub fn authenticate<I, K, V>(
        &self,
        authorization: Option<&str>,
        form: I,
    ) -> Result<Authenticated, AuthError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let header = Authorization::from(authorization).present();
        self.verifier
            .observed(|t| self.counted(Params::from_pairs(form).and_then(|p| self.run(header, &p, None, t))))
            .map_err(|e| self.fail(e, header.is_some()))
    }

    /// Authenticate a request from its Authorization header value (if any)
    /// and its raw `application/x-www-form-urlencoded` body.
    ///
    /// # Errors
    /// An [`AuthError`] carrying the response to send.
    pub fn authenticate_body(
        &self,
        authorization: Option<&str>,
        body: &[u8],
    ) -> Result<Authenticated, AuthError> {
        self.authenticate_raw(Authorization::from(authorization), body)
    }

    /// Authenticate a request from its Authorization header as received (see
    /// [`Authorization::from_headers`]) and its raw body. Whatever bytes the
    /// request holds, the outcome is the request's (`invalid_request` or
    /// `invalid_client`), never a server error.
    ///
    /// # Errors
    /// An [`AuthError`] carrying the response to send.
    pub fn authenticate_raw(
        &self,
        authorization: Authorization<'_>,
        body: &[u8],
    ) -> Result<Authenticated, AuthError> {
        let header = authorization.present();
        self.verifier
            .observed(|t| {
                self.counted(Params::from_body(body, false).and_then(|p| self.run(header, &p, None, t)))
            })
            .map_err(|e| self.fail(e, header.is_some()))
    }

    /// As [`Authenticator::authenticate`], with the header as received and
    /// the decoded form pairs as bytes (a name or value of the client
    /// authentication parameters that is not UTF-8 is `MALFORMED_REQUEST`).
    ///
    /// # Errors
    /// An [`AuthError`] carrying the response to send.
    pub fn authenticate_raw_pairs<I, K, V>(
        &self,
        authorization: Authorization<'_>,
        form: I,
    ) -> Result<Authenticated, AuthError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let header = authorization.present();
        self.verifier
            .observed(|t| {
                self.counted(Params::from_byte_pairs(form, false).and_then(|p| self.run(header, &p, None, t)))
            })
            .map_err(|e| self.fail(e, header.is_some()))
    }

    /// As [`Authenticator::authenticate_raw`], for a request that came over
    /// mutual TLS with `certificate` (or without one: `None`; one that cannot
    /// be read refuses the request, `MALFORMED_CLIENT_CERTIFICATE`). A client
    /// registered for `tls_client_auth` or `self_signed_tls_client_auth`
    /// authenticates with it (and its `client_id` in the form); for any
    /// client, the result carries the certificate's `x5t#S256`. A
    /// certificate never authenticates a client registered for another
    /// method.
    ///
    /// # Errors
    /// An [`AuthError`] carrying the response to send.
    pub fn authenticate_tls(
        &self,
        authorization: Authorization<'_>,
        body: &[u8],
        certificate: Option<PresentedCertificate<'_>>,
    ) -> Result<Authenticated, AuthError> {
        let header = authorization.present();
        self.verifier
            .observed(|t| {
                self.counted(
                    Params::from_body(body, false).and_then(|p| self.run(header, &p, certificate, t)),
                )
            })
            .map_err(|e| self.fail(e, header.is_some()))
    }

    /// As [`Authenticator::authenticate_tls`], with the decoded form pairs
    /// as bytes (as [`Authenticator::authenticate_raw_pairs`]).
    ///
    /// # Errors
    /// An [`AuthError`] carrying the response to send.
    pub fn authenticate_tls_pairs<I, K, V>(
        &self,
        authorization: Authorization<'_>,
        form: I,
        certificate: Option<PresentedCertificate<'_>>,
    ) -> Result<Authenticated, AuthError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let header = authorization.present();
        self.verifier
            .observed(|t| {
                self.counted(
                    Params::from_byte_pairs(form, false).and_then(|p| self.run(header, &p, certificate, t)),
                )
            })
            .map_err(|e| self.fail(e, header.is_some()))
    }

    /// Authenticate a JWT bearer grant request (RFC 7523 §2.1:
    /// `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` and
    /// `assertion`) from its Authorization header as received, its raw body
    /// and, over mutual TLS, its client certificate. The client
    /// authentication it carries, of any method, is checked first (a
    /// failure is `invalid_client`, as in [`Authenticator::authenticate_tls`]);
    /// a request without any is refused (`NO_CLIENT_AUTHENTICATION`) unless
    /// the trust table says `"client_authentication": "optional"`. Then the
    /// grant, with [`Verifier::verify_grant`] against the trust table set with
    /// [`Authenticator::with_trust`]: every refusal of the grant is answered
    /// `invalid_grant` (400) — unless the server failed — keeping its code.
    /// `grant_type` absent or repeated, `assertion` absent or repeated, or
    /// another grant's parameter (`code`, `refresh_token`, `password`,
    /// `device_code`, `subject_token`) is `invalid_request`; another
    /// `grant_type` is `unsupported_grant_type`.
    ///
    /// # Errors
    /// An [`AuthError`] carrying the response to send.
    pub fn authenticate_grant(
        &self,
        authorization: Authorization<'_>,
        body: &[u8],
        certificate: Option<PresentedCertificate<'_>>,
    ) -> Result<GrantRequest, AuthError> {
        let header = authorization.present();
        self.verifier
            .observed(|t| {
                Params::from_body(body, true).and_then(|p| self.grant_request(header, &p, certificate, t))
            })
            .map_err(|e| self.fail(e, header.is_some()))
    }

    /// As [`Authenticator::authenticate_grant`], with the decoded form pairs
    /// as bytes.
    ///
    /// # Errors
    /// An [`AuthError`] carrying the response to send.
    pub fn authenticate_grant_pairs<I, K, V>(
        &self,
        authorization: Authorization<'_>,
        form: I,
        certificate: Option<PresentedCertificate<'_>>,
    ) -> Result<GrantRequest, AuthError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let header = authorization.present();
        self.verifier
            .observed(|t| {
                Params::from_byte_pairs(form, true)
                    .and_then(|p| self.grant_request(header, &p, certificate, t))
            })
            .map_err(|e| self.fail(e, header.is_some()))
    }

    fn grant_request(
        &self,
        header: Option<Authorization<'_>>,
        p: &Params<'_>,
        certificate: Option<PresentedCertificate<'_>>,
        trace: &Trace,
    ) -> Result<GrantRequest> {
        let table = self.trust.as_deref().ok_or(Error::new(
            ErrorCode::InvalidArgument,
            "the authenticator has no trust table (Authenticator::with_trust)",
        ))?;
        let checked = (|| {
            match p.grant_type.as_deref() {
                None => return Err(Error::new(ErrorCode::MissingParameter, "grant_type is required")),
                Some(JWT_BEARER_GRANT_TYPE) => {}
                Some(_) => {
                    return Err(Error::new(
                        ErrorCode::UnsupportedGrantType,
                        "grant_type is not urn:ietf:params:oauth:grant-type:jwt-bearer",
                    ));
                }
            }
            if let Some(other) = p.other_grant {
                return Err(Error::with_detail(
                    ErrorCode::MultipleGrants,
                    format!("the JWT bearer grant request also carries {other}"),
                ));
            }
            p.assertion.as_deref().ok_or(Error::new(ErrorCode::MissingParameter, "assertion is required"))
        })();
        let assertion = match checked {
            Ok(a) => a,
            Err(e) => {
                self.verifier.metrics.refused(&e);
                return Err(e);
            }
        };
        let presented = header.is_some()
            || p.client_id.is_some()
            || p.client_secret.is_some()
            || p.client_assertion.is_some()
            || p.client_assertion_type.is_some();
        let client = if presented || !table.allows_anonymous_grants() {
            Some(self.counted(self.run(header, p, certificate, trace))?)
        } else {
            None
        };
        let grant = self.verifier.grant_counted(assertion.as_bytes(), table, trace)?;
        Ok(GrantRequest { client, grant })
    }

    /// Count a request's outcome on the verifier's counters.
    fn counted(&self, r: Result<Authenticated>) -> Result<Authenticated> {
        match &r {
            Ok(a) => self.verifier.metrics.accepted(a.method),
            Err(e) => self.verifier.metrics.refused(e),
        }
        r
    }

    fn fail(&self, error: Error, used_authorization_header: bool) -> AuthError {
        AuthError { error, used_authorization_header, realm: self.realm.clone() }
    }

    fn lookup(&self, client_id: &str) -> Result<Arc<Client>> {
        lookup_client(&*self.registry, client_id)
    }

    fn run(
        &self,
        header: Option<Authorization<'_>>,
        p: &Params<'_>,
        certificate: Option<PresentedCertificate<'_>>,
        trace: &Trace,
    ) -> Result<Authenticated> {
        let certificate = certificate.map(PresentedCertificate::read).transpose()?;
        let certificate = certificate.as_deref();
        let mut done = self.mechanism(header, p, certificate, trace)?;
        done.certificate_thumbprint = certificate.map(ClientCertificate::thumbprint);
        Ok(done)
    }

    fn mechanism(
        &self,
        header: Option<Authorization<'_>>,
        p: &Params<'_>,
        certificate: Option<&ClientCertificate>,
        trace: &Trace,
    ) -> Result<Authenticated> {
        let _entered = crate::reentry::enter()?;
        let jwt = p.client_assertion.is_some() || p.client_assertion_type.is_some();
        let mechanisms =
            usize::from(header.is_some()) + usize::from(p.client_secret.is_some()) + usize::from(jwt);
        if mechanisms > 1 {
            return Err(Error::new(
                ErrorCode::MultipleAuthMethods,
                "the request uses more than one client authentication mechanism (RFC 6749 §2.3)",
            ));
        }
        let now = self.verifier.clock().now();
        if let Some(h) = header {
            let basic = parse_basic(h)?;
            trace.named(&basic.client_id, Some(AuthMethod::ClientSecretBasic));
            if p.client_id.as_deref().is_some_and(|id| id != basic.client_id) {
                return Err(Error::new(
                    ErrorCode::ClientIdMismatch,
                    "client_id differs from the Basic user name",
                ));
            }
            let client =
                self.secret_client(&basic.client_id, &basic.secret, AuthMethod::ClientSecretBasic, trace)?;
            client.check_secret(basic.secret.as_bytes(), now)?;
            return self.without_assertion(client, AuthMethod::ClientSecretBasic, trace);
        }
        if let Some(secret) = &p.client_secret {
            let id = p
                .client_id
                .as_deref()
                .ok_or(Error::new(ErrorCode::MissingParameter, "client_secret is sent without client_id"))?;
            trace.named(id, Some(AuthMethod::ClientSecretPost));
            let client = self.secret_client(id, secret, AuthMethod::ClientSecretPost, trace)?;
            client.check_secret(secret.as_bytes(), now)?;
            return self.without_assertion(client, AuthMethod::ClientSecretPost, trace);
        }
        if jwt {
            return self.jwt(p, trace);
        }
        let id = p.client_id.as_deref().ok_or(Error::new(
            ErrorCode::NoClientAuthentication,
            "the request has no client authentication and no client_id",
        ))?;
        trace.named(id, None);
        let client = trace.found(self.lookup(id))?;
        let method = client.method();
        if method == AuthMethod::None || method.is_mtls() {
            trace.method(method);
        }
        match method {
            AuthMethod::None => self.without_assertion(client, AuthMethod::None, trace),
            AuthMethod::TlsClientAuth | AuthMethod::SelfSignedTlsClientAuth => {
                self.mtls(&client, certificate, now)?;
                self.without_assertion(client, method, trace)
            }
            _ => Err(Error::with_detail(
                ErrorCode::NoClientAuthentication,
                format!("the client is registered for {} but sent no credentials", method.as_str()),
            )),
        }
    }

    /// RFC 8705: the certificate of a `tls_client_auth` client chains to a
    /// trusted CA (verified here or by the TLS layer) and is the registered
    /// subject; that of a `self_signed_tls_client_auth` client holds a
    /// public key the client registered (its dates and chain do not matter:
    /// the registration is the trust).
    fn mtls(&self, client: &Client, certificate: Option<&ClientCertificate>, now: i64) -> Result<()> {
        let cert = certificate.ok_or_else(|| {
            Error::with_detail(
                ErrorCode::ClientCertificateRequired,
                format!(
                    "the client is registered for {} and presented no certificate",
                    client.method().as_str()
                ),
            )
        })?;
        if client.method() == AuthMethod::TlsClientAuth {
            if !cert.is_verified_by_tls() {
                match &self.client_ca {
                    Some(anchors) => anchors.verify(cert, now)?,
                    None => {
                        return Err(Error::new(
                            ErrorCode::ClientCertificateUntrusted,
                            "nothing verified the certificate chain: the TLS layer did not say it did, and no client CAs are configured",
                        ));
                    }
                }
            }
            return client
                .tls_subject()
                .ok_or(Error::new(
                    ErrorCode::ClientCertificateMismatch,
                    "the client has no registered certificate subject",
                ))?
                .check(cert);
        }
        let presented = cert.key_thumbprint().map_err(|e| {
            Error::with_detail(
                ErrorCode::ClientCertificateMismatch,
                format!("the certificate's public key is not one a client can register: {}", e.detail()),
            )
        })?;
        let mut remote_error = None;
        for c in client.credentials().iter().filter(|c| !c.is_expired(now)) {
            let set = match c.jwks_uri() {
                None => None,
                Some(uri) => match self.verifier.remote_keys(uri, now) {
                    Ok(set) => Some(set),
                    Err(e) => {
                        remote_error = Some(e);
                        continue;
                    }
                },
            };
            let keys = set.as_deref().map_or(c.keys(), JwkSet::keys);
            if keys.iter().any(|k| crypto::ct_eq(k.thumbprint_bytes(), &presented)) {
                return Ok(());
            }
        }
        Err(remote_error.unwrap_or_else(|| {
            Error::new(
                ErrorCode::ClientCertificateMismatch,
                "the certificate's public key is not one the client registered",
            )
        }))
    }

    /// A client authenticated by a secret or as a public client: the
    /// profile's method rule, enforced and in report-only mode.
    fn without_assertion(
        &self,
        client: Arc<Client>,
        method: AuthMethod,
        trace: &Trace,
    ) -> Result<Authenticated> {
        let (enforced, would_refuse) = self.verifier.method_rules(&client);
        enforced?;
        if let Some(h) = &self.verifier.hook {
            let context =
                crate::HookContext { client_id: client.client_id(), method, header: None, claims: None };
            crate::hook::ask(&**h, &context)?;
        }
        if let Some(w) = &would_refuse {
            self.verifier.count_report(client.client_id(), w.code);
        }
        trace.reported(would_refuse.as_ref());
        Ok(Authenticated { client, method, assertion: None, would_refuse, certificate_thumbprint: None })
    }

    /// Look up a secret client; the presented secret is hashed even when the
    /// client is unknown, so timing does not tell which ids exist.
    fn secret_client(
        &self,
        id: &str,
        secret: &str,
        method: AuthMethod,
        trace: &Trace,
    ) -> Result<Arc<Client>> {
        let client = trace.found(self.lookup(id)).inspect_err(|_| {
            std::hint::black_box(crypto::sha256(secret.as_bytes()));
        })?;
        if client.method() != method {
            return Err(Error::with_detail(
                ErrorCode::AuthMethodMismatch,
                format!(
                    "{} used; the client is registered for {}",
                    method.as_str(),
                    client.method().as_str()
                ),
            ));
        }
        Ok(client)
    }

    fn jwt(&self, p: &Params<'_>, trace: &Trace) -> Result<Authenticated> {
        let assertion = p.client_assertion.as_deref().ok_or(Error::new(
            ErrorCode::MissingParameter,
            "client_assertion_type is sent without client_assertion",
        ))?;
        let kind = p.client_assertion_type.as_deref().ok_or(Error::new(
            ErrorCode::MissingParameter,
            "client_assertion is sent without client_assertion_type",
        ))?;
        if kind != CLIENT_ASSERTION_TYPE {
            return Err(Error::new(
                ErrorCode::UnsupportedAssertionType,
                "client_assertion_type is not urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ));
        }
        let mut found: Option<Arc<Client>> = None;
        let mut used = AuthMethod::PrivateKeyJwt;
        let verified = self.verifier.verify_inner(
            assertion.as_bytes(),
            p.client_id.as_deref(),
            |id, alg: Algorithm| {
                let client = trace.found(self.lookup(id))?;
                used = AuthMethod::for_assertion(alg);
                if client.method() != used {
                    return Err(Error::with_detail(
                        ErrorCode::AuthMethodMismatch,
                        format!(
                            "a {alg} assertion means {}; the client is registered for {}",
                            used.as_str(),
                            client.method().as_str()
                        ),
                    ));
                }
                found = Some(client.clone());
                Ok(client)
            },
            trace,
        )?;
        let client = found.ok_or(Error::new(ErrorCode::Internal, "verified without a client"))?;
        let would_refuse = verified.would_refuse.clone();
        Ok(Authenticated {
            client,
            method: used,
            assertion: Some(verified),
            would_refuse,
            certificate_thumbprint: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_is_form_decoded() {
        // openid-client encodes `-` and `_`; `+` is a space; `%3A` a colon.
        let token = BASIC_B64.encode("my%2Dclient%5Fid:s%3Acr%2Bt+x");
        let b = parse_basic(Authorization::Value(format!("Basic {token}").as_bytes())).unwrap();
        assert_eq!(b.client_id, "my-client_id");
        assert_eq!(b.secret.as_str(), "s:cr+t x");
        let b =
            parse_basic(Authorization::Value(format!("bAsIc  {}", token.trim_end_matches('=')).as_bytes()))
                .unwrap();
        assert_eq!(b.client_id, "my-client_id");
    }

    #[test]
    fn basic_errors_are_precise() {
        let code = |v: &str| parse_basic(Authorization::Value(v.as_bytes())).err().map(|e| e.code());
        assert_eq!(code("Bearer abc"), Some(ErrorCode::UnsupportedAuthScheme));
        assert_eq!(code("Basic"), Some(ErrorCode::MalformedAuthorization));
        assert_eq!(code("Basic !!!"), Some(ErrorCode::MalformedAuthorization));
        assert_eq!(
            code(&format!("Basic {}", BASIC_B64.encode("nocolon"))),
            Some(ErrorCode::MalformedAuthorization)
        );
        assert_eq!(
            code(&format!("Basic {}", BASIC_B64.encode("a:%zz"))),
            Some(ErrorCode::MalformedAuthorization)
        );
        assert_eq!(
            code(&format!("Basic {}", BASIC_B64.encode(":x"))),
            Some(ErrorCode::MalformedAuthorization)
        );
    }

    /// Whatever bytes the header holds, the answer is about the request.
    #[test]
    fn authorization_bytes_are_request_errors() {
        let code = |v: Authorization<'_>| parse_basic(v).err().map(|e| e.code());
        for raw in [&b"Basic \xff\xfe"[..], b"Basic \0", b"Basic YTpi\0", b"Basic\xa0YTpi", b"\xff"] {
            let got = code(Authorization::Value(raw));
            assert!(
                matches!(got, Some(ErrorCode::MalformedAuthorization | ErrorCode::UnsupportedAuthScheme)),
                "{raw:?}: {got:?}"
            );
        }
        assert_eq!(code(Authorization::Repeated), Some(ErrorCode::MalformedAuthorization));
        let two = [("Authorization", "Basic YTpi"), ("AUTHORIZATION", "Basic YTpi")];
        assert_eq!(Authorization::from_headers(two.iter().map(|(n, v)| (n, v))), Authorization::Repeated);
        let one = [("get", "x"), ("authorization", "Basic YTpi"), ("entries", "y")];
        assert_eq!(
            Authorization::from_headers(one.iter().map(|(n, v)| (n, v))),
            Authorization::Value(b"Basic YTpi")
        );
        assert_eq!(Authorization::Value(b" \t ").present(), None);
    }

    #[test]
    fn params_reject_repeats_and_ignore_empty() {
        let p = Params::from_body(b"grant_type=x&client_id=&client_id=a&scope=a&scope=b", false).unwrap();
        assert_eq!(p.client_id.as_deref(), Some("a"));
        let e = Params::from_body(b"client_id=a&client%5Fid=b", false).err().unwrap();
        assert_eq!(e.code(), ErrorCode::RepeatedParameter);
        let e = Params::from_body(b"client_secret=%zz", false).err().unwrap();
        assert_eq!(e.code(), ErrorCode::MalformedRequest);
        assert!(Params::from_body(b"other=%zz&client_id=a", false).is_ok(), "other parameters are not ours");
        assert_eq!(Params::from_body(b"\xff", false).err().unwrap().code(), ErrorCode::MalformedRequest);
    }

    #[test]
    fn realm_is_quoted() {
        assert_eq!(quote("a\"b\\c\r\n"), "a\\\"b\\\\c");
    }
}
