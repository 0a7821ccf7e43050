//! The client side: build and sign a client assertion (RFC 7523 §3,
//! OpenID Connect Core §9, draft-ietf-oauth-rfc7523bis).

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::b64;
use crate::clock::{Clock, SystemClock};
use crate::crypto;
use crate::error::{Error, ErrorCode, Result};
use crate::jws::TYP_CLIENT_AUTH;
use crate::keys::SigningKey;

/// `client_assertion_type` for JWT client assertions (RFC 7523 §2.2).
pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Default assertion lifetime in seconds.
pub const DEFAULT_LIFETIME: i64 = 60;
/// Longest lifetime accepted without [`AssertionBuilder::allow_long_lifetime`]:
/// verifiers bound the age of an assertion (300 s by default here).
pub const MAX_LIFETIME: i64 = 300;

const REGISTERED: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// Which `kid` goes in the header.
#[derive(Debug, Clone, PartialEq, Eq)]
enum KidChoice {
    /// The key's own kid, else its RFC 7638 thumbprint (none for HMAC secrets).
    FromKey,
    Given(String),
    Omit,
}

/// Builds one client assertion. Cheap; make one per token request.
#[derive(Debug, Clone)]
pub struct AssertionBuilder<'k> {
    key: &'k SigningKey,
    client_id: String,
    audience: String,
    lifetime: i64,
    allow_long: bool,
    not_before: bool,
    typ: Option<Cow<'static, str>>,
    kid: KidChoice,
    jti: Option<String>,
    extra: Map<String, Value>,
    clock: Option<Arc<dyn Clock>>,
    /// A grant's subject (`sub` differs from `iss`).
    subject: Option<String>,
}

/// A signed client assertion (or JWT bearer grant) and the form fields that
/// carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAssertion {
    /// The compact JWS.
    pub assertion: String,
    /// The client id (iss, and sub unless it is a grant); for a grant, its issuer.
    pub client_id: String,
    /// For a JWT bearer grant ([`AssertionBuilder::subject`]): its `sub`.
    pub subject: Option<String>,
    /// The jti used.
    pub jti: String,
    /// iat (Unix seconds).
    pub issued_at: i64,
    /// exp (Unix seconds).
    pub expires_at: i64,
}

impl ClientAssertion {
    /// The form fields that carry it, in order. A client assertion: the
    /// client authentication of a token request — `client_id`,
    /// `client_assertion_type`, `client_assertion` — beside its grant. A
    /// JWT bearer grant: the grant — `grant_type`, `assertion` (RFC 7523
    /// §2.1) — beside the client's authentication, if any.
    #[must_use]
    pub fn form_fields(&self) -> Vec<(&'static str, &str)> {
        if self.subject.is_some() {
            return vec![
                ("grant_type", crate::JWT_BEARER_GRANT_TYPE),
                ("assertion", self.assertion.as_str()),
            ];
        }
        vec![
            ("client_id", self.client_id.as_str()),
            ("client_assertion_type", CLIENT_ASSERTION_TYPE),
            ("client_assertion", self.assertion.as_str()),
        ]
    }

    /// The fields as an `application/x-www-form-urlencoded` body fragment.
    #[must_use]
    pub fn to_form_body(&self) -> String {
        crate::form::encode_pairs(self.form_fields())
    }
}

impl<'k> AssertionBuilder<'k> {
    /// An assertion by `client_id` (iss and sub) for `audience` (the
    /// authorization server's issuer identifier, or its token endpoint URL
    /// for servers that still expect it).
    #[must_use]
    pub fn new(key: &'k SigningKey, client_id: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            key,
            client_id: client_id.into(),
            audience: audience.into(),
            lifetime: DEFAULT_LIFETIME,
            allow_long: false,
            not_before: false,
            typ: Some(Cow::Borrowed(TYP_CLIENT_AUTH)),
            kid: KidChoice::FromKey,
            jti: None,
            extra: Map::new(),
            clock: None,
            subject: None,
        }
    }

    /// Make a JWT bearer grant (RFC 7523 §2.1) instead of a client
    /// assertion: `iss` is the builder's client id (the issuer), `sub` this
    /// subject — whom the access token is for —, `typ` `JWT` (a grant is not
    /// a client assertion; call [`AssertionBuilder::typ`] after this to
    /// change it). The form fields become `grant_type` and `assertion`.
    #[must_use]
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self.typ = Some(Cow::Borrowed("JWT"));
        self
    }

    /// Lifetime in seconds (default 60; at most 300 unless
    /// [`allow_long_lifetime`](Self::allow_long_lifetime)).
    #[must_use]
    pub const fn lifetime(mut self, secs: i64) -> Self {
        self.lifetime = secs;
        self
    }

    /// Accept a lifetime above 300 s (most verifiers will refuse it).
    #[must_use]
    pub const fn allow_long_lifetime(mut self) -> Self {
        self.allow_long = true;
        self
    }

    /// Add `nbf` equal to `iat`.
    #[must_use]
    pub const fn not_before(mut self, on: bool) -> Self {
        self.not_before = on;
        self
    }

    /// Set `typ` (default `client-authentication+jwt`); `None` omits it.
    #[must_use]
    pub fn typ(mut self, typ: Option<&str>) -> Self {
        self.typ = typ.map(|t| Cow::Owned(t.to_owned()));
        self
    }

    /// Put this `kid` in the header instead of the key's.
    #[must_use]
    pub fn kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = KidChoice::Given(kid.into());
        self
    }

    /// Put no `kid` in the header.
    #[must_use]
    pub fn no_kid(mut self) -> Self {
        self.kid = KidChoice::Omit;
        self
    }

    /// Use this `jti` instead of a fresh random one (tests; never reuse one).
    #[must_use]
    pub fn jti(mut self, jti: impl Into<String>) -> Self {
        self.jti = Some(jti.into());
        self
    }

    /// Add a private claim.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for a registered claim name the builder sets itself.
    pub fn claim(mut self, name: &str, value: Value) -> Result<Self> {
        if REGISTERED.contains(&name) {
            return Err(Error::with_detail(
                ErrorCode::InvalidArgument,
                format!("claim `{name}` is set by the builder"),
            ));
        }
        self.extra.insert(name.to_owned(), value);
        Ok(self)
    }

    /// Use `clock` for iat/exp (default: the system clock).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Sign.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for an empty client id or audience, or a lifetime
    /// out of range; `CRYPTO_FAILURE` if the provider fails.
    pub fn sign(&self) -> Result<ClientAssertion> {
        let bad = |d: &'static str| Err(Error::new(ErrorCode::InvalidArgument, d));
        if self.client_id.is_empty() {
            return bad("client_id must not be empty");
        }
        if self.audience.is_empty() {
            return bad("audience must not be empty");
        }
        if self.subject.as_deref().is_some_and(str::is_empty) {
            return bad("subject must not be empty");
        }
        if self.lifetime < 1 {
            return bad("lifetime must be at least 1 second");
        }
        if self.lifetime > MAX_LIFETIME && !self.allow_long {
            return bad("lifetime above 300 s: call allow_long_lifetime() to insist");
        }
        let now = self.clock.as_ref().map_or_else(|| SystemClock.now(), |c| c.now());
        let jti = match &self.jti {
            Some(j) if j.is_empty() => return bad("jti must not be empty"),
            Some(j) => j.clone(),
            None => {
                let mut raw = [0u8; 16];
                crypto::fill_random(&mut raw)?;
                b64::encode(&raw)
            }
        };
        let thumbprint;
        let kid = match &self.kid {
            KidChoice::Given(k) => Some(k.as_str()),
            KidChoice::Omit => None,
            KidChoice::FromKey => match self.key.kid() {
                Some(k) => Some(k),
                None if self.key.alg().is_symmetric() => None,
                None => {
                    thumbprint = self.key.thumbprint();
                    Some(thumbprint.as_str())
                }
            },
        };
        let exp =
            now.checked_add(self.lifetime).ok_or(Error::new(ErrorCode::InvalidArgument, "exp overflows"))?;
        // Written directly (every string through `json_str`, which escapes
        // what needs it): no intermediate structs; the header's JSON, then
        // the claims', in one buffer.
        let mut json = Vec::with_capacity(288);
        json.extend_from_slice(b"{\"alg\":\"");
        json.extend_from_slice(self.key.alg().name().as_bytes());
        json.push(b'"');
        if let Some(kid) = kid {
            json.extend_from_slice(b",\"kid\":");
            json_str(&mut json, kid)?;
        }
        if let Some(typ) = &self.typ {
            json.extend_from_slice(b",\"typ\":");
            json_str(&mut json, typ)?;
        }
        json.push(b'}');
        let header_end = json.len();
        json.extend_from_slice(b"{\"iss\":");
        json_str(&mut json, &self.client_id)?;
        json.extend_from_slice(b",\"sub\":");
        json_str(&mut json, self.subject.as_deref().unwrap_or(&self.client_id))?;
        json.extend_from_slice(b",\"aud\":");
        json_str(&mut json, &self.audience)?;
        json.extend_from_slice(b",\"jti\":");
        json_str(&mut json, &jti)?;
        json_int(&mut json, "iat", now);
        if self.not_before {
            json_int(&mut json, "nbf", now);
        }
        json_int(&mut json, "exp", exp);
        for (k, v) in &self.extra {
            json.push(b',');
            json_str(&mut json, k)?;
            json.push(b':');
            serde_json::to_writer(&mut json, v)
                .map_err(|_| Error::new(ErrorCode::Internal, "JSON serialisation failed"))?;
        }
        json.push(b'}');
        let (header_json, claims_json) = json.split_at(header_end);
        let mut out = Vec::with_capacity(json.len() * 4 / 3 + 700);
        b64::encode_bytes(header_json, &mut out);
        out.push(b'.');
        b64::encode_bytes(claims_json, &mut out);
        let sig = self.key.sign(&out)?;
        out.push(b'.');
        b64::encode_bytes(&sig, &mut out);
        let out = String::from_utf8(out).map_err(|_| Error::new(ErrorCode::Internal, "non-ASCII JWS"))?;
        Ok(ClientAssertion {
            assertion: out,
            client_id: self.client_id.clone(),
            subject: self.subject.clone(),
            jti,
            issued_at: now,
            expires_at: exp,
        })
    }
}

fn json_str(out: &mut Vec<u8>, s: &str) -> Result<()> {
    // Printable ASCII without quote or backslash (client ids, URLs, jtis)
    // is its own JSON text; anything else goes through serde_json's escaping.
    if crate::json::plain_len(s.as_bytes()) == s.len() {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return Ok(());
    }
    serde_json::to_writer(out, s).map_err(|_| Error::new(ErrorCode::Internal, "JSON serialisation failed"))
}

/// `,"name":v` with `v` in decimal (no formatting machinery: this runs
/// three times per assertion signed).
fn json_int(out: &mut Vec<u8>, name: &str, v: i64) {
    out.extend_from_slice(b",\"");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
    if v < 0 {
        out.push(b'-');
    }
    let mut n = v.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(at..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The writers produce what serde_json / `Display` produce.
        #[test]
        fn json_writers_match_serde(s in "\\PC*|[ -~]{0,40}", v in proptest::prelude::any::<i64>()) {
            let mut ours = Vec::new();
            json_str(&mut ours, &s).unwrap();
            proptest::prop_assert_eq!(ours, serde_json::to_vec(&s).unwrap());
            let mut ours = Vec::new();
            json_int(&mut ours, "exp", v);
            proptest::prop_assert_eq!(String::from_utf8(ours).unwrap(), format!(",\"exp\":{v}"));
        }
    }

    #[test]
    fn json_int_edges() {
        for v in [0, 1, -1, 9, 10, 99, 100, 1_800_000_000, i64::MAX, i64::MIN] {
            let mut ours = Vec::new();
            json_int(&mut ours, "iat", v);
            assert_eq!(String::from_utf8(ours).unwrap(), format!(",\"iat\":{v}"));
        }
    }
}
