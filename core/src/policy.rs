//! Credential policy (docs/registry.md): what a client may register, checked
//! once at registration time. Every problem is reported, each with a stable
//! code, a message a dashboard can show and where in the input it was found.

use std::fmt;

use serde_json::{Map, Value};

use crate::algorithm::{Algorithm, AlgorithmSet, KeyType};
use crate::claims::AudienceMode;
use crate::client::{AuthMethod, Client, Credential};
use crate::error::{Error, ErrorCode};
use crate::json;
use crate::keys::jwk::{self, Jwk};
use crate::keys::{JwkSet, VerifyingKey};
use crate::mtls::TlsSubject;
use crate::net::{JwksUri, UriRules};
use crate::profile::Profile;

/// One thing wrong with a credential or a client registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Stable code (the same table as every other error).
    pub code: ErrorCode,
    /// A message for people, e.g. "JWKS key 2 contains private member d".
    /// Never contains secrets or key material.
    pub message: String,
    /// Where: a JSON Pointer (RFC 6901) into the checked document, e.g.
    /// `/clients/0/jwks/keys/2`; empty for the document itself.
    pub location: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            write!(f, "{}: {}", self.code.name(), self.message)
        } else {
            write!(f, "{} at {}: {}", self.code.name(), self.location, self.message)
        }
    }
}

/// Where a credential's key material comes from.
#[derive(Debug, Clone, Copy)]
pub enum CredentialSource<'a> {
    /// A PEM public key (SPKI or PKCS#1) or X.509 certificate.
    Pem(&'a str),
    /// A DER X.509 certificate.
    CertificateDer(&'a [u8]),
    /// One public JWK (JSON text).
    Jwk(&'a str),
    /// A JWKS document (JSON text).
    Jwks(&'a str),
    /// A `jwks_uri`.
    JwksUri(&'a str),
    /// A client secret (`client_secret_jwt` HMAC key).
    Secret(&'a [u8]),
}

impl<'a> CredentialSource<'a> {
    /// The names of the kinds, as [`CredentialSource::from_kind`] takes them
    /// (the bindings' `check_credential` `kind` argument).
    pub const KINDS: [&'static str; 6] = ["pem", "certificate_der", "jwk", "jwks", "jwks_uri", "secret"];

    /// A credential of the kind named `kind` (one of [`CredentialSource::KINDS`])
    /// over `data`; the text kinds require UTF-8. `INVALID_ARGUMENT` for any
    /// other name or non-UTF-8 text.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` as above.
    pub fn from_kind(kind: &str, data: &'a [u8]) -> Result<Self, Error> {
        let text = || {
            std::str::from_utf8(data).map_err(|_| {
                Error::with_detail(ErrorCode::InvalidArgument, format!("{kind} data is not UTF-8"))
            })
        };
        Ok(match kind {
            "pem" => Self::Pem(text()?),
            "certificate_der" => Self::CertificateDer(data),
            "jwk" => Self::Jwk(text()?),
            "jwks" => Self::Jwks(text()?),
            "jwks_uri" => Self::JwksUri(text()?),
            "secret" => Self::Secret(data),
            _ => {
                return Err(Error::with_detail(
                    ErrorCode::InvalidArgument,
                    format!("kind must be one of {}", Self::KINDS.join(", ")),
                ));
            }
        })
    }
}

/// A credential to register.
#[derive(Debug, Clone, Copy)]
pub struct CredentialSpec<'a> {
    /// The key material.
    pub source: CredentialSource<'a>,
    /// A name for logs and dashboards.
    pub name: Option<&'a str>,
    /// Key id for a PEM key or certificate (JWKs carry their own).
    pub kid: Option<&'a str>,
    /// Expiry, Unix seconds.
    pub expires_at: Option<i64>,
    /// Take the expiry from the certificate's notAfter (exclusive with `expires_at`).
    pub parse_expiry_from_cert: bool,
}

impl<'a> CredentialSpec<'a> {
    /// A spec with no name, kid or expiry.
    #[must_use]
    pub const fn new(source: CredentialSource<'a>) -> Self {
        Self { source, name: None, kid: None, expires_at: None, parse_expiry_from_cert: false }
    }
}

/// What a client may register. The defaults are in docs/registry.md.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialPolicy {
    /// Smallest RSA modulus in bits (default 2048; the key loader never goes lower).
    pub min_rsa_bits: usize,
    /// Largest RSA modulus in bits (default 4096).
    pub max_rsa_bits: usize,
    /// Algorithms a registered key or secret may serve (default: all);
    /// removing ES512, for instance, refuses P-521 keys.
    pub algorithms: AlgorithmSet,
    /// Most credentials per client (default 2: one live, one rotating in).
    pub max_credentials: usize,
    /// Refuse credentials without an expiry (default false).
    pub require_expiry: bool,
    /// Longest time from now to a credential's expiry, in seconds (default none).
    pub max_lifetime: Option<i64>,
    /// Shortest `client_secret` for `client_secret_basic` / `client_secret_post`
    /// in bytes (default 16). `client_secret_jwt` secrets follow RFC 7518 §3.2
    /// (32, 48, 64 bytes).
    pub min_client_secret_len: usize,
    /// Which `jwks_uri` values are acceptable (default: https to public hosts).
    pub jwks_uri: UriRules,
}

impl Default for CredentialPolicy {
    fn default() -> Self {
        Self {
            min_rsa_bits: 2048,
            max_rsa_bits: 4096,
            algorithms: AlgorithmSet::ALL,
            max_credentials: 2,
            require_expiry: false,
            max_lifetime: None,
            min_client_secret_len: 16,
            jwks_uri: UriRules::default(),
        }
    }
}

impl CredentialPolicy {
    /// The policy as the JSON object [`CredentialPolicy::from_json`] reads
    /// (every member, defaults included): what every face reports as the
    /// policy's `settings`.
    #[must_use]
    pub fn settings(&self) -> Value {
        serde_json::json!({
            "min_rsa_bits": self.min_rsa_bits,
            "max_rsa_bits": self.max_rsa_bits,
            "algorithms": self.algorithms.iter().map(Algorithm::name).collect::<Vec<_>>(),
            "max_credentials": self.max_credentials,
            "require_expiry": self.require_expiry,
            "max_lifetime": self.max_lifetime,
            "min_client_secret_len": self.min_client_secret_len,
            "jwks_uri_allow_http": self.jwks_uri.allow_http,
            "jwks_uri_allow_private_addresses": self.jwks_uri.allow_private_addresses,
        })
    }

    /// A policy from a JSON object overriding the defaults. Members:
    /// `min_rsa_bits`, `max_rsa_bits`, `algorithms` (array of names),
    /// `max_credentials`, `require_expiry`, `max_lifetime` (seconds),
    /// `min_client_secret_len`, `jwks_uri_allow_http`,
    /// `jwks_uri_allow_private_addresses`.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for malformed JSON, an unknown member or a wrong type.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let bad = |d: String| Error::with_detail(ErrorCode::InvalidArgument, d);
        let obj = json::parse_unique_object(text.as_bytes()).map_err(|e| bad(format!("policy: {e}")))?;
        let mut p = Self::default();
        for (k, v) in &obj {
            let uint = || {
                v.as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| bad(format!("policy member `{k}` must be a non-negative integer")))
            };
            let boolean =
                || v.as_bool().ok_or_else(|| bad(format!("policy member `{k}` must be true or false")));
            match k.as_str() {
                "min_rsa_bits" => p.min_rsa_bits = uint()?,
                "max_rsa_bits" => p.max_rsa_bits = uint()?,
                "max_credentials" => p.max_credentials = uint()?,
                "min_client_secret_len" => p.min_client_secret_len = uint()?,
                "require_expiry" => p.require_expiry = boolean()?,
                "jwks_uri_allow_http" => p.jwks_uri.allow_http = boolean()?,
                "jwks_uri_allow_private_addresses" => p.jwks_uri.allow_private_addresses = boolean()?,
                "max_lifetime" => {
                    p.max_lifetime = if v.is_null() {
                        None
                    } else {
                        Some(v.as_i64().filter(|n| *n > 0).ok_or_else(|| {
                            bad("policy member `max_lifetime` must be a positive integer".into())
                        })?)
                    };
                }
                "algorithms" => {
                    let list =
                        v.as_array().ok_or_else(|| bad("policy `algorithms` must be an array".into()))?;
                    let mut set = AlgorithmSet::EMPTY;
                    for a in list {
                        let alg = a.as_str().and_then(Algorithm::from_name).ok_or_else(|| {
                            bad(format!(
                                "policy `algorithms`: `{}` is not an algorithm",
                                json::loggable_name(&a.to_string())
                            ))
                        })?;
                        set = set.with(alg);
                    }
                    p.algorithms = set;
                }
                other => return Err(bad(format!("unknown policy member `{}`", json::loggable_name(other)))),
            }
        }
        Ok(p)
    }
}

/// Collects problems with their locations.
pub(crate) struct Problems<'p> {
    list: &'p mut Vec<Problem>,
    base: String,
}

impl<'p> Problems<'p> {
    pub(crate) const fn root(list: &'p mut Vec<Problem>) -> Self {
        Self { list, base: String::new() }
    }

    pub(crate) fn push(&mut self, code: ErrorCode, at: &str, message: impl Into<String>) {
        self.list.push(Problem { code, message: message.into(), location: format!("{}{at}", self.base) });
    }

    fn error(&mut self, at: &str, e: &Error) {
        self.push(e.code(), at, e.detail().to_owned());
    }

    pub(crate) fn at<'q>(&'q mut self, at: &str) -> Problems<'q> {
        Problems { base: format!("{}{at}", self.base), list: self.list }
    }
}

/// A registration's members, read with a problem for each of the wrong type.
struct Fields<'m>(&'m Map<String, Value>);

impl<'m> Fields<'m> {
    /// A string member (absent and `null` are `None`).
    fn str(&self, p: &mut Problems<'_>, name: &str) -> Option<&'m str> {
        match self.0.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                p.push(
                    ErrorCode::InvalidClientMetadata,
                    &format!("/{name}"),
                    format!("{name} must be a string"),
                );
                None
            }
        }
    }

    /// An integer member (absent and `null` are `None`).
    fn int(&self, p: &mut Problems<'_>, name: &str) -> Option<i64> {
        match self.0.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => v.as_i64().or_else(|| {
                p.push(
                    ErrorCode::InvalidClientMetadata,
                    &format!("/{name}"),
                    format!("{name} must be an integer"),
                );
                None
            }),
        }
    }
}

/// A registration's settings, each `None` when absent or refused.
struct ClientSettings<'m> {
    client_id: Option<&'m str>,
    method: Option<AuthMethod>,
    pin: Option<Algorithm>,
    audience_mode: Option<AudienceMode>,
    profile: Option<Profile>,
    max_age: Option<i64>,
    max_lifetime: Option<i64>,
}

/// A rotating `client_secret_basic` / `client_secret_post` secret and its expiry.
type Password<'m> = (&'m str, Option<i64>);

/// What a client's method and pin let its keys be used for.
#[derive(Clone, Copy)]
struct Use {
    method: AuthMethod,
    pin: Option<Algorithm>,
}

impl CredentialPolicy {
    /// Check one credential for a client using `method` (and its pinned
    /// `token_endpoint_auth_signing_alg`, if any) at `now`.
    ///
    /// # Errors
    /// Every problem found.
    pub fn check_credential(
        &self,
        spec: &CredentialSpec<'_>,
        method: AuthMethod,
        signing_alg: Option<Algorithm>,
        now: i64,
    ) -> Result<Credential, Vec<Problem>> {
        let mut list = Vec::new();
        let mut p = Problems { list: &mut list, base: String::new() };
        let c = self.credential(spec, Use { method, pin: signing_alg }, now, &mut p);
        match c {
            Some(c) if list.is_empty() => Ok(c),
            _ => Err(list),
        }
    }

    /// Check a client's metadata (RFC 7591 names; schema in
    /// `docs/registry.md`) and build the client.
    ///
    /// # Errors
    /// Every problem found.
    pub fn check_client(&self, metadata: &Value, now: i64) -> Result<Client, Vec<Problem>> {
        let mut list = Vec::new();
        let mut p = Problems { list: &mut list, base: String::new() };
        let c = self.client(metadata, now, &mut p);
        match c {
            Some(c) if list.is_empty() => Ok(c),
            _ => Err(list),
        }
    }

    /// As [`CredentialPolicy::check_client`], from JSON text.
    ///
    /// # Errors
    /// Every problem found.
    pub fn check_client_json(&self, metadata: &str, now: i64) -> Result<Client, Vec<Problem>> {
        match json::parse_unique(metadata.as_bytes()) {
            Ok(v) => self.check_client(&v, now),
            Err(e) => Err(vec![Problem {
                code: ErrorCode::InvalidClientMetadata,
                message: format!("client metadata is not JSON: {e}"),
                location: String::new(),
            }]),
        }
    }

    /// The client a registration describes, every problem with it pushed to
    /// `p`: its settings, then its credentials, then what its method needs.
    pub(crate) fn client(&self, metadata: &Value, now: i64, p: &mut Problems<'_>) -> Option<Client> {
        let Value::Object(m) = metadata else {
            p.push(ErrorCode::InvalidClientMetadata, "", "client metadata must be a JSON object");
            return None;
        };
        let fields = Fields(m);
        let settings = self.settings_of(&fields, p);
        let secret = fields.str(p, "client_secret");
        // client_secret_expires_at: 0 means "never" (RFC 7591 §3.2.1).
        let secret_expires = fields.int(p, "client_secret_expires_at").filter(|e| *e != 0);
        let (Some(client_id), Some(method)) = (settings.client_id, settings.method) else { return None };
        let usage = Use { method, pin: settings.pin };
        let (creds, count, passwords) = self.credentials_of(&fields, usage, secret, secret_expires, now, p);
        // A refused secret counts as one given (its own problem says why).
        self.method_needs(method, count, secret.is_some() || !passwords.is_empty() || count > 0, p);
        let tls_subject = tls_subject_of(&fields, method, p);

        let mut client = Client::new(client_id, method);
        if let Some(a) = settings.pin {
            client = client.with_signing_alg(a).ok()?;
        }
        if let Some(mode) = settings.audience_mode {
            client = client.with_audience_mode(mode);
        }
        if let Some(profile) = settings.profile {
            client = client.with_profile(profile);
        }
        if let Some(a) = settings.max_age {
            client = client.with_max_age(a);
        }
        if let Some(l) = settings.max_lifetime {
            client = client.with_max_lifetime(l);
        }
        for c in creds {
            client = client.with_credential(c);
        }
        if let Some(t) = tls_subject {
            client = client.with_tls_subject(t);
        }
        if let (AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost, Some(s)) = (method, secret) {
            match client.with_secret(s.as_bytes(), secret_expires) {
                Ok(c) => client = c,
                Err(e) => {
                    p.error("/client_secret", &e);
                    return None;
                }
            }
        }
        for (s, expires_at) in passwords {
            match client.with_secret(s.as_bytes(), expires_at) {
                Ok(c) => client = c,
                Err(e) => {
                    p.error("/credentials", &e);
                    return None;
                }
            }
        }
        Some(client)
    }

    /// A registration's settings: id, method, algorithm pin, audience mode,
    /// time overrides.
    fn settings_of<'m>(&self, fields: &Fields<'m>, p: &mut Problems<'_>) -> ClientSettings<'m> {
        let meta_err = ErrorCode::InvalidClientMetadata;
        let client_id = fields.str(p, "client_id");
        match client_id {
            None => p.push(meta_err, "/client_id", "client_id is required"),
            Some("") => p.push(meta_err, "/client_id", "client_id must not be empty"),
            Some(id) if id.chars().any(char::is_control) => {
                p.push(meta_err, "/client_id", "client_id must not contain control characters");
            }
            Some(_) => {}
        }
        // RFC 7591 §2: the default method is client_secret_basic.
        let method_name = fields.str(p, "token_endpoint_auth_method").unwrap_or("client_secret_basic");
        let method = AuthMethod::from_name(method_name);
        if method.is_none() {
            p.push(
                meta_err,
                "/token_endpoint_auth_method",
                format!("token_endpoint_auth_method `{}` is not supported", json::loggable_name(method_name)),
            );
        }
        let pin = fields.str(p, "token_endpoint_auth_signing_alg").and_then(|name| {
            let alg = Algorithm::from_name(name);
            match (alg, method) {
                (None, _) => p.push(
                    meta_err,
                    "/token_endpoint_auth_signing_alg",
                    format!("`{}` is not a supported algorithm", json::loggable_name(name)),
                ),
                (Some(a), Some(me)) if !me.assertion_algorithms().contains(a) => p.push(
                    meta_err,
                    "/token_endpoint_auth_signing_alg",
                    format!("{a} cannot be used with {}", me.as_str()),
                ),
                (Some(a), _) if !self.algorithms.contains(a) => p.push(
                    ErrorCode::UnsupportedKey,
                    "/token_endpoint_auth_signing_alg",
                    format!("{a} is not allowed by the policy"),
                ),
                _ => {}
            }
            alg
        });
        let audience_mode = fields.str(p, "audience_mode").and_then(|s| {
            let mode = AudienceMode::from_name(s);
            if mode.is_none() {
                p.push(meta_err, "/audience_mode", "audience_mode must be `compat` or `strict`");
            }
            mode
        });
        let profile = fields.str(p, "profile").and_then(|s| {
            let profile = Profile::from_name(s);
            match profile {
                None => p.push(meta_err, "/profile", "profile must be `compat`, `rfc7523bis` or `fapi2`"),
                Some(pr) => {
                    if let Some(m) = method.filter(|m| !pr.allows_method(*m)) {
                        p.push(
                            meta_err,
                            "/token_endpoint_auth_method",
                            format!(
                                "the {} profile allows {}, not {}",
                                pr.as_str(),
                                pr.methods_text(),
                                m.as_str()
                            ),
                        );
                    }
                    if let Some(a) = pin.filter(|a| !pr.algorithms().contains(*a)) {
                        p.push(
                            meta_err,
                            "/token_endpoint_auth_signing_alg",
                            format!("the {} profile does not allow {a}", pr.as_str()),
                        );
                    }
                }
            }
            profile
        });
        let mut seconds = |name: &str| {
            fields.int(p, name).filter(|a| {
                let ok = (1..=86_400).contains(a);
                if !ok {
                    p.push(
                        meta_err,
                        &format!("/{name}"),
                        format!("{name} must be between 1 and 86400 seconds"),
                    );
                }
                ok
            })
        };
        let (max_age, max_lifetime) = (seconds("max_age"), seconds("max_lifetime"));
        ClientSettings { client_id, method, pin, audience_mode, profile, max_age, max_lifetime }
    }

    /// Every credential a registration gives (`jwks`, `jwks_uri`, the
    /// `credentials` array, `client_secret`), checked for its use, and how
    /// many it gives (a refused one counts too).
    fn credentials_of<'m>(
        &self,
        fields: &Fields<'m>,
        usage: Use,
        secret: Option<&str>,
        secret_expires: Option<i64>,
        now: i64,
        p: &mut Problems<'_>,
    ) -> (Vec<Credential>, usize, Vec<Password<'m>>) {
        let meta_err = ErrorCode::InvalidClientMetadata;
        let (m, method) = (fields.0, usage.method);
        let mut creds: Vec<Credential> = Vec::new();
        // Rotating secrets of client_secret_basic / client_secret_post.
        let mut passwords = Vec::new();
        let password_method = matches!(method, AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost);
        let mut count = 0usize;
        let keyed = matches!(method, AuthMethod::PrivateKeyJwt | AuthMethod::SelfSignedTlsClientAuth);
        let forbid = |p: &mut Problems<'_>, at: &str, what: &str| {
            p.push(meta_err, at, format!("{what} is not used by {}", method.as_str()));
        };
        if m.contains_key("jwks") && m.contains_key("jwks_uri") {
            p.push(meta_err, "", "jwks and jwks_uri must not both be present (RFC 7591 §2)");
        }
        if let Some(v) = m.get("jwks").filter(|v| !v.is_null()) {
            count += 1;
            if keyed {
                creds.extend(self.jwks_value(v, usage, None, &mut p.at("/jwks")));
            } else {
                forbid(p, "/jwks", "jwks");
            }
        }
        if let Some(uri) = fields.str(p, "jwks_uri") {
            count += 1;
            if keyed {
                let spec = CredentialSpec::new(CredentialSource::JwksUri(uri));
                creds.extend(self.credential(&spec, usage, now, &mut p.at("/jwks_uri")));
            } else {
                forbid(p, "/jwks_uri", "jwks_uri");
            }
        }
        match m.get("credentials") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    count += 1;
                    if password_method {
                        let at = format!("/credentials/{i}");
                        passwords.extend(self.password_value(item, now, &mut p.at(&at)));
                        continue;
                    }
                    creds.extend(self.credential_value(
                        item,
                        usage,
                        now,
                        &mut p.at(&format!("/credentials/{i}")),
                    ));
                }
            }
            Some(_) => p.push(meta_err, "/credentials", "credentials must be an array"),
        }
        if secret_expires.is_some() && secret.is_none() {
            p.push(meta_err, "/client_secret_expires_at", "client_secret_expires_at without client_secret");
        }
        match (method, secret.map(str::as_bytes)) {
            (AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost, Some(s)) => {
                count += 1;
                if s.len() < self.min_client_secret_len {
                    p.push(
                        ErrorCode::WeakKey,
                        "/client_secret",
                        format!(
                            "client_secret is {} bytes; at least {} required",
                            s.len(),
                            self.min_client_secret_len
                        ),
                    );
                }
                self.check_expiry(secret_expires, now, "/client_secret_expires_at", p);
            }
            (AuthMethod::ClientSecretJwt, Some(s)) => {
                count += 1;
                let spec = CredentialSpec {
                    expires_at: secret_expires,
                    ..CredentialSpec::new(CredentialSource::Secret(s))
                };
                creds.extend(self.credential(&spec, usage, now, &mut p.at("/client_secret")));
            }
            (
                AuthMethod::PrivateKeyJwt
                | AuthMethod::None
                | AuthMethod::TlsClientAuth
                | AuthMethod::SelfSignedTlsClientAuth,
                Some(_),
            ) => forbid(p, "/client_secret", "client_secret"),
            (_, None) => {}
        }
        (creds, count, passwords)
    }

    /// What the method needs: credentials (or none at all), a secret, and no
    /// more credentials than the policy allows.
    /// A rotating secret of a `client_secret_basic` / `client_secret_post`
    /// client: `{"secret": …, "expires_at": …}` in `credentials`.
    fn password_value<'m>(
        &self,
        v: &'m Value,
        now: i64,
        p: &mut Problems<'_>,
    ) -> Option<(&'m str, Option<i64>)> {
        let meta_err = ErrorCode::InvalidClientMetadata;
        let Value::Object(m) = v else {
            p.push(meta_err, "", "a credential must be a JSON object");
            return None;
        };
        for name in m.keys().filter(|n| !matches!(n.as_str(), "secret" | "expires_at" | "name")) {
            p.push(
                meta_err,
                &format!("/{name}"),
                "a client_secret credential has only secret, expires_at and name",
            );
        }
        let Some(secret) = m.get("secret").and_then(Value::as_str) else {
            p.push(
                meta_err,
                "/secret",
                "a credential of a client_secret_basic or client_secret_post client is a secret",
            );
            return None;
        };
        let expires_at = match m.get("expires_at") {
            None | Some(Value::Null) => None,
            Some(v) => {
                let e = v.as_i64();
                if e.is_none() {
                    p.push(meta_err, "/expires_at", "expires_at must be an integer");
                }
                e
            }
        };
        if secret.len() < self.min_client_secret_len {
            p.push(
                ErrorCode::WeakKey,
                "/secret",
                format!(
                    "client_secret is {} bytes; at least {} required",
                    secret.len(),
                    self.min_client_secret_len
                ),
            );
            return None;
        }
        self.check_expiry(expires_at, now, "/expires_at", p);
        Some((secret, expires_at))
    }

    fn method_needs(&self, method: AuthMethod, count: usize, has_secret: bool, p: &mut Problems<'_>) {
        let meta_err = ErrorCode::InvalidClientMetadata;
        match method {
            AuthMethod::PrivateKeyJwt if count == 0 => {
                p.push(meta_err, "", "private_key_jwt needs jwks, jwks_uri or credentials");
            }
            AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost if !has_secret => {
                p.push(meta_err, "/client_secret", format!("{} needs a client_secret", method.as_str()));
            }
            AuthMethod::ClientSecretJwt if count == 0 => {
                p.push(meta_err, "/client_secret", "client_secret_jwt needs a client_secret");
            }
            AuthMethod::None if count != 0 => {
                p.push(meta_err, "", "a client with method none has no credentials");
            }
            AuthMethod::SelfSignedTlsClientAuth if count == 0 => {
                p.push(
                    meta_err,
                    "",
                    "self_signed_tls_client_auth needs jwks, jwks_uri or credentials (the certificates' public keys)",
                );
            }
            AuthMethod::TlsClientAuth if count != 0 => {
                p.push(
                    meta_err,
                    "",
                    "a tls_client_auth client has no credentials: its certificate is named by tls_client_auth_subject_dn or a tls_client_auth_san_* member",
                );
            }
            _ => {}
        }
        if count > self.max_credentials {
            p.push(
                ErrorCode::TooManyCredentials,
                "",
                format!("{count} credentials; at most {} allowed", self.max_credentials),
            );
        }
    }

    fn credential_value(&self, v: &Value, usage: Use, now: i64, p: &mut Problems<'_>) -> Option<Credential> {
        let meta_err = ErrorCode::InvalidClientMetadata;
        let Value::Object(m) = v else {
            p.push(meta_err, "", "a credential must be a JSON object");
            return None;
        };
        let s = |name: &str| m.get(name).and_then(Value::as_str);
        for (name, v) in m {
            let ok = match name.as_str() {
                "name" | "kid" | "pem" | "jwk" | "jwks_uri" | "secret" => v.is_string(),
                "jwks" => v.is_object() || v.is_string(),
                "expires_at" => v.is_i64() || v.is_null(),
                "parse_expiry_from_cert" => v.is_boolean(),
                _ => {
                    p.push(meta_err, &format!("/{name}"), "unknown credential member");
                    continue;
                }
            };
            if !ok {
                p.push(meta_err, &format!("/{name}"), format!("{name} has the wrong type"));
            }
        }
        let sources: Vec<&str> =
            ["pem", "jwk", "jwks", "jwks_uri", "secret"].into_iter().filter(|k| m.contains_key(*k)).collect();
        let [which] = sources.as_slice() else {
            p.push(meta_err, "", "a credential needs exactly one of pem, jwk, jwks, jwks_uri, secret");
            return None;
        };
        let expires_at = m.get("expires_at").and_then(Value::as_i64);
        let from_cert = m.get("parse_expiry_from_cert").and_then(Value::as_bool).unwrap_or(false);
        if *which == "jwks"
            && let Some(j) = m.get("jwks").filter(|j| j.is_object())
        {
            let mut c = self.jwks_value(j, usage, s("name"), &mut p.at("/jwks"))?;
            if from_cert {
                return self.expiry_from_certificate(c, expires_at, now, p);
            }
            self.check_expiry(expires_at, now, "/expires_at", p);
            if let Some(e) = expires_at {
                c = c.with_expiry(e);
            }
            return Some(c);
        }
        let text = s(which)?;
        let source = match *which {
            "pem" => CredentialSource::Pem(text),
            "jwk" => CredentialSource::Jwk(text),
            "jwks" => CredentialSource::Jwks(text),
            "jwks_uri" => CredentialSource::JwksUri(text),
            _ => CredentialSource::Secret(text.as_bytes()),
        };
        let spec = CredentialSpec {
            source,
            name: s("name"),
            kid: s("kid"),
            expires_at,
            parse_expiry_from_cert: from_cert,
        };
        self.credential(&spec, usage, now, p)
    }

    fn credential(
        &self,
        spec: &CredentialSpec<'_>,
        usage: Use,
        now: i64,
        p: &mut Problems<'_>,
    ) -> Option<Credential> {
        let meta_err = ErrorCode::InvalidClientMetadata;
        let (asymmetric, symmetric) = (
            matches!(usage.method, AuthMethod::PrivateKeyJwt),
            matches!(usage.method, AuthMethod::ClientSecretJwt),
        );
        let wrong_method = |p: &mut Problems<'_>, what: &str| {
            p.push(meta_err, "", format!("{what} cannot be used with {}", usage.method.as_str()));
        };
        let mut cred = match spec.source {
            CredentialSource::Pem(_) | CredentialSource::CertificateDer(_) | CredentialSource::Jwk(_)
                if !asymmetric =>
            {
                wrong_method(p, "a public key");
                return None;
            }
            CredentialSource::Jwks(_) | CredentialSource::JwksUri(_) if !asymmetric => {
                wrong_method(p, "a key set");
                return None;
            }
            CredentialSource::Secret(_) if !symmetric => {
                wrong_method(p, "a secret");
                return None;
            }
            CredentialSource::Pem(text) => {
                let key = VerifyingKey::from_pem(text).map_err(|e| p.error("", &e)).ok()?;
                let key = match spec.kid {
                    Some(kid) => key.with_kid(kid),
                    None => key,
                };
                self.check_key(&key, usage, "", "", p);
                Credential::from_key(key)
            }
            CredentialSource::CertificateDer(der) => {
                let key = VerifyingKey::from_certificate_der(der).map_err(|e| p.error("", &e)).ok()?;
                let key = match spec.kid {
                    Some(kid) => key.with_kid(kid),
                    None => key,
                };
                self.check_key(&key, usage, "", "", p);
                Credential::from_key(key)
            }
            CredentialSource::Jwk(text) => {
                let obj = jwk::parse_object(text.as_bytes()).map_err(|e| p.error("", &e)).ok()?;
                let key = self.jwk_object(&obj, usage, "JWK", p)?;
                Credential::from_key(key)
            }
            CredentialSource::Jwks(text) => {
                let v = json::parse_unique(text.as_bytes())
                    .map_err(|e| p.push(ErrorCode::InvalidKey, "", format!("JWKS is not JSON: {e}")))
                    .ok()?;
                self.jwks_value(&v, usage, None, p)?
            }
            CredentialSource::JwksUri(url) => match JwksUri::parse(url, self.jwks_uri) {
                Ok(u) => Credential::from_jwks_uri(u),
                Err(why) => {
                    p.push(ErrorCode::InvalidJwksUri, "", why);
                    return None;
                }
            },
            CredentialSource::Secret(s) => {
                let min = usage.pin.map_or(32, Algorithm::min_secret_len);
                if s.len() < min {
                    let alg = usage.pin.map_or_else(|| "HS256".to_owned(), |a| a.to_string());
                    p.push(
                        ErrorCode::WeakKey,
                        "",
                        format!(
                            "client_secret is {} bytes; {alg} needs at least {min} (RFC 7518 §3.2)",
                            s.len()
                        ),
                    );
                    return None;
                }
                let c = Credential::from_secret(s).map_err(|e| p.error("", &e)).ok()?;
                if let Some(k) = c.keys().first() {
                    self.check_key(k, usage, "", "", p);
                }
                c.with_name("client_secret")
            }
        };
        if let Some(name) = spec.name {
            cred = cred.with_name(name);
        }
        if spec.parse_expiry_from_cert {
            cred = self.expiry_from_certificate(cred, spec.expires_at, now, p)?;
        } else {
            self.check_expiry(spec.expires_at, now, "/expires_at", p);
            if let Some(e) = spec.expires_at {
                cred = cred.with_expiry(e);
            }
        }
        Some(cred)
    }

    /// `parse_expiry_from_cert`: the earliest notAfter of the credential's
    /// certificates (a PEM certificate, or a JWK's `x5c[0]`) is its expiry.
    fn expiry_from_certificate(
        &self,
        cred: Credential,
        expires_at: Option<i64>,
        now: i64,
        p: &mut Problems<'_>,
    ) -> Option<Credential> {
        if expires_at.is_some() {
            p.push(ErrorCode::InvalidExpiry, "", "expires_at and parse_expiry_from_cert are exclusive");
            return None;
        }
        let Ok(cred) = cred.with_expiry_from_certificate() else {
            p.push(
                ErrorCode::InvalidExpiry,
                "/parse_expiry_from_cert",
                "parse_expiry_from_cert needs a certificate (a PEM certificate, or a JWK with x5c)",
            );
            return None;
        };
        if let Some(e) = cred.expires_at()
            && e <= now
        {
            p.push(ErrorCode::InvalidExpiry, "", format!("the certificate expired at {e} (Unix time)"));
            return None;
        }
        self.check_expiry(cred.expires_at(), now, "", p);
        Some(cred)
    }

    fn check_expiry(&self, expires_at: Option<i64>, now: i64, at: &str, p: &mut Problems<'_>) {
        match expires_at {
            None if self.require_expiry => {
                p.push(ErrorCode::InvalidExpiry, at, "the policy requires an expiry")
            }
            None => {}
            Some(e) if e <= now => {
                p.push(ErrorCode::InvalidExpiry, at, format!("expiry {e} (Unix time) is in the past"));
            }
            Some(e) => {
                if let Some(max) = self.max_lifetime
                    && e.saturating_sub(now) > max
                {
                    p.push(
                        ErrorCode::InvalidExpiry,
                        at,
                        format!("expiry is {} s ahead; at most {max} s allowed", e.saturating_sub(now)),
                    );
                }
            }
        }
    }

    /// A JWKS given as a JSON value: every key checked, every problem reported.
    fn jwks_value(
        &self,
        v: &Value,
        usage: Use,
        name: Option<&str>,
        p: &mut Problems<'_>,
    ) -> Option<Credential> {
        let v = match v {
            // Some registries store the JWKS as a JSON string.
            Value::String(s) => match json::parse_unique(s.as_bytes()) {
                Ok(v) => v,
                Err(e) => {
                    p.push(ErrorCode::InvalidKey, "", format!("JWKS is not JSON: {e}"));
                    return None;
                }
            },
            other => other.clone(),
        };
        let Some(Value::Array(items)) = v.get("keys") else {
            p.push(ErrorCode::InvalidKey, "", "JWKS must have a `keys` array");
            return None;
        };
        if items.is_empty() {
            p.push(ErrorCode::InvalidKey, "/keys", "JWKS has no keys");
            return None;
        }
        let before = p.list.len();
        let mut keys = Vec::with_capacity(items.len());
        let mut kids: Vec<(usize, &str)> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = format!("/keys/{i}");
            let Value::Object(obj) = item else {
                p.push(ErrorCode::InvalidKey, &at, format!("JWKS key {i} is not an object"));
                continue;
            };
            if let Some(Value::String(kid)) = obj.get("kid") {
                if let Some((j, _)) = kids.iter().find(|(_, k)| *k == kid.as_str()) {
                    p.push(
                        ErrorCode::DuplicateKeyId,
                        &at,
                        format!("JWKS keys {j} and {i} share kid `{}`", json::loggable_name(kid)),
                    );
                }
                kids.push((i, kid));
            }
            if let Some(k) = self.jwk_object(obj, usage, &format!("JWKS key {i}"), &mut p.at(&at)) {
                keys.push(k);
            }
        }
        if p.list.len() != before {
            return None;
        }
        match JwkSet::from_keys(keys) {
            Ok(set) => {
                let c = Credential::from_jwks(set);
                Some(match name {
                    Some(n) => c.with_name(n),
                    None => c,
                })
            }
            Err(e) => {
                p.error("", &e);
                None
            }
        }
    }

    /// One public JWK object, labelled `what` in messages ("JWKS key 2").
    fn jwk_object(
        &self,
        obj: &Map<String, Value>,
        usage: Use,
        what: &str,
        p: &mut Problems<'_>,
    ) -> Option<VerifyingKey> {
        let j = Jwk(obj);
        if obj.get("kty").and_then(Value::as_str) == Some("oct") {
            p.push(
                ErrorCode::PrivateKeyMaterial,
                "",
                format!("{what} is a symmetric key: a secret must never be published in a JWKS"),
            );
            return None;
        }
        if let Some(m) = j.has_private_members() {
            p.push(
                ErrorCode::PrivateKeyMaterial,
                &format!("/{m}"),
                format!("{what} contains private member {m}"),
            );
            return None;
        }
        match VerifyingKey::from_jwk_object(obj) {
            Ok(k) => {
                self.check_key(&k, usage, "", what, p);
                Some(k)
            }
            Err(e) => {
                p.push(e.code(), "", format!("{what}: {}", e.detail()));
                None
            }
        }
    }

    /// Policy checks on a parsed key: size and algorithms.
    fn check_key(&self, key: &VerifyingKey, usage: Use, at: &str, what: &str, p: &mut Problems<'_>) {
        let label = |m: String| if what.is_empty() { m } else { format!("{what}: {m}") };
        if let Some(bits) = key.rsa_bits() {
            if bits < self.min_rsa_bits {
                p.push(
                    ErrorCode::WeakKey,
                    at,
                    label(format!("RSA key is {bits} bits; at least {} required", self.min_rsa_bits)),
                );
            } else if bits > self.max_rsa_bits {
                p.push(
                    ErrorCode::UnsupportedKey,
                    at,
                    label(format!("RSA key is {bits} bits; at most {} allowed", self.max_rsa_bits)),
                );
            }
        }
        let family = key.algorithms().intersect(usage.method.key_algorithms());
        if family.is_empty() {
            p.push(
                ErrorCode::KeyUsageMismatch,
                at,
                label(format!(
                    "a {} key cannot be used with {}",
                    kty_label(key.key_type()),
                    usage.method.as_str()
                )),
            );
            return;
        }
        if let Some(pin) = usage.pin
            && !family.contains(pin)
        {
            p.push(
                ErrorCode::KeyUsageMismatch,
                at,
                label(format!(
                    "a {} key cannot sign {pin}, the client's signing alg",
                    kty_label(key.key_type())
                )),
            );
            return;
        }
        if family.intersect(self.algorithms).is_empty() {
            p.push(
                ErrorCode::UnsupportedKey,
                at,
                label(format!("{} keys are not allowed by the policy", kty_label(key.key_type()))),
            );
        }
    }
}

fn kty_label(kt: KeyType) -> String {
    match kt {
        KeyType::Ec(c) => c.name().to_owned(),
        KeyType::Rsa => "RSA".to_owned(),
        KeyType::Ed25519 => "Ed25519".to_owned(),
        KeyType::Oct => "symmetric".to_owned(),
    }
}

/// The certificate a `tls_client_auth` client names: exactly one of the
/// RFC 8705 §2.1.2 members; for other methods, none of them.
fn tls_subject_of(fields: &Fields<'_>, method: AuthMethod, p: &mut Problems<'_>) -> Option<TlsSubject> {
    let meta_err = ErrorCode::InvalidClientMetadata;
    let present: Vec<(&str, Option<&str>)> = TlsSubject::MEMBERS
        .iter()
        .filter_map(|m| match fields.0.get(*m) {
            None | Some(Value::Null) => None,
            Some(v) => Some((*m, v.as_str())),
        })
        .collect();
    if method != AuthMethod::TlsClientAuth {
        for (m, _) in &present {
            p.push(meta_err, &format!("/{m}"), format!("{m} is not used by {}", method.as_str()));
        }
        return None;
    }
    match present.as_slice() {
        [] => {
            p.push(
                meta_err,
                "",
                "tls_client_auth needs one of tls_client_auth_subject_dn, tls_client_auth_san_dns, tls_client_auth_san_uri, tls_client_auth_san_ip, tls_client_auth_san_email",
            );
            None
        }
        [(m, value)] => {
            let at = format!("/{m}");
            let Some(value) = value else {
                p.push(meta_err, &at, format!("{m} must be a string"));
                return None;
            };
            TlsSubject::parse(m, value).map_err(|e| p.push(e.code(), &at, e.detail().to_owned())).ok()
        }
        many => {
            let names: Vec<&str> = many.iter().map(|(m, _)| *m).collect();
            p.push(
                meta_err,
                "",
                format!(
                    "tls_client_auth takes exactly one of its certificate members (RFC 8705 §2.1.2), not {}",
                    names.join(", ")
                ),
            );
            None
        }
    }
}
