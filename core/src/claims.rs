//! The claims of a client assertion: typed parsing (numbers may be
//! fractional, strings are never dates) and the checks of rules 3, 6 and 7.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::{Error, ErrorCode, Result};
use crate::json::{
    self, Either, Fail, JsonError, Key, NumSeed, Scan, StrOrArraySeed, StrSeed, StringOrArray,
};
use crate::profile::AudienceRule;

/// Where a string claim's value lies in [`Claims`]' text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Span {
    at: usize,
    len: usize,
}

/// The `aud` claim's place(s) in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AudSpans {
    One(Span),
    Many(Vec<Span>),
}

/// The `aud` claim as sent: a string or an array of strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience<'a> {
    /// A single JSON string.
    One(&'a str),
    /// A JSON array of strings.
    Many(Vec<&'a str>),
}

/// The claims of a client assertion. Registered claims are typed (read
/// them with the accessors); any other member is kept in
/// [`Claims::other`].
///
/// The string claims are not copied out one by one: they are read in place
/// from the decoded payload, which the claims keep (when a value has JSON
/// escapes, its unescaped text is kept instead).
#[derive(Clone, Default)]
pub struct Claims {
    /// The text every [`Span`] points into.
    text: String,
    iss: Option<Span>,
    sub: Option<Span>,
    jti: Option<Span>,
    aud: Option<AudSpans>,
    exp: Option<f64>,
    nbf: Option<f64>,
    iat: Option<f64>,
    other: Map<String, Value>,
}

/// What the full parser reads, before it is laid out as [`Claims`].
#[derive(Default)]
struct Owned {
    iss: Option<String>,
    sub: Option<String>,
    jti: Option<String>,
    aud: Option<StringOrArray>,
    exp: Option<f64>,
    nbf: Option<f64>,
    iat: Option<f64>,
    other: Map<String, Value>,
}

/// The bit tracking a registered claim while reading (0: not registered).
/// Names of three bytes are compared as one integer.
fn registered_bit(name: &str) -> u8 {
    const fn word(n: &[u8; 3]) -> u32 {
        u32::from_le_bytes([n[0], n[1], n[2], 0])
    }
    const ISS: u32 = word(b"iss");
    const SUB: u32 = word(b"sub");
    const JTI: u32 = word(b"jti");
    const AUD: u32 = word(b"aud");
    const EXP: u32 = word(b"exp");
    const NBF: u32 = word(b"nbf");
    const IAT: u32 = word(b"iat");
    let &[a, b, c] = name.as_bytes() else { return 0 };
    match word(&[a, b, c]) {
        ISS => 1,
        SUB => 2,
        JTI => 4,
        AUD => 8,
        EXP => 16,
        NBF => 32,
        IAT => 64,
        _ => 0,
    }
}

struct ClaimsSeed<'a>(&'a Fail);

impl<'de> DeserializeSeed<'de> for ClaimsSeed<'_> {
    type Value = Owned;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Owned, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ClaimsSeed<'_> {
    type Value = Owned;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWT claims object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Owned, A::Error> {
        let fail = self.0;
        // Registered claims are tracked by bit; others are refused twice by the map.
        let mut known = 0u8;
        let mut c = Owned::default();
        while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
            let bit = registered_bit(&k);
            if (bit != 0 && known & bit != 0) || (bit == 0 && c.other.contains_key(k.as_ref())) {
                return Err(fail.set(JsonError::Duplicate(json::loggable_name(&k))));
            }
            known |= bit;
            match k.as_ref() {
                "iss" => c.iss = Some(map.next_value_seed(StrSeed { name: "iss", fail })?),
                "sub" => c.sub = Some(map.next_value_seed(StrSeed { name: "sub", fail })?),
                "jti" => c.jti = Some(map.next_value_seed(StrSeed { name: "jti", fail })?),
                "aud" => c.aud = Some(map.next_value_seed(StrOrArraySeed { name: "aud", fail })?),
                "exp" => {
                    c.exp = Some(map.next_value_seed(NumSeed { name: "exp", fail }).map_err(|e| {
                        // `1e400`: serde_json refuses a number beyond f64.
                        if e.to_string().starts_with("number out of range") {
                            fail.set(JsonError::OutOfRange("exp"))
                        } else {
                            e
                        }
                    })?);
                }
                "nbf" => c.nbf = Some(map.next_value_seed(NumSeed { name: "nbf", fail })?),
                "iat" => c.iat = Some(map.next_value_seed(NumSeed { name: "iat", fail })?),
                _ => {
                    let v = map.next_value_seed(json::unique_value_seed(fail))?;
                    c.other.insert(k.into_owned(), v);
                }
            }
        }
        Ok(c)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Owned, A::Error> {
        Err(self.0.set(JsonError::Syntax))
    }
}

impl Owned {
    /// Lay the values out one after another in one text.
    fn into_claims(self) -> Claims {
        let mut text = String::new();
        let mut put = |s: &str| {
            let span = Span { at: text.len(), len: s.len() };
            text.push_str(s);
            span
        };
        let iss = self.iss.as_deref().map(&mut put);
        let sub = self.sub.as_deref().map(&mut put);
        let jti = self.jti.as_deref().map(&mut put);
        let aud = self.aud.map(|a| match a {
            StringOrArray::One(s) => AudSpans::One(put(&s)),
            StringOrArray::Many(v) => AudSpans::Many(v.iter().map(|s| put(s)).collect()),
        });
        Claims { text, iss, sub, jti, aud, exp: self.exp, nbf: self.nbf, iat: self.iat, other: self.other }
    }
}

impl Claims {
    /// Parse a JWT claims set (duplicate names refused, registered claims typed).
    ///
    /// # Errors
    /// `DUPLICATE_MEMBER` or `MALFORMED_CLAIMS`.
    pub fn parse(payload: &[u8]) -> Result<Self> {
        Self::from_payload(payload.to_vec())
    }

    /// As [`Claims::parse`], keeping `payload` as the claims' text when the
    /// fast reader takes it (no copy of any value).
    pub(crate) fn from_payload(payload: Vec<u8>) -> Result<Self> {
        let payload = match String::from_utf8(payload) {
            Ok(text) => match Self::scan_spans(&text) {
                Some(c) => return Ok(Self { text, ..c }),
                None => text.into_bytes(),
            },
            Err(e) => e.into_bytes(),
        };
        let fail = Fail::default();
        json::parse_with(&payload, ClaimsSeed(&fail), &fail).map(Owned::into_claims).map_err(|e| {
            let code = match e {
                JsonError::Duplicate(_) => ErrorCode::DuplicateMember,
                JsonError::OutOfRange("exp") => ErrorCode::LifetimeTooLong,
                _ => ErrorCode::MalformedClaims,
            };
            Error::with_detail(code, format!("claims: {e}"))
        })
    }

    /// The fast path: registered claims only, in the shape [`Scan`] reads;
    /// `None` for anything else (including every error), which the full
    /// parser then reads or refuses. The result's spans point into `text`
    /// (its own text is left empty for the caller to fill).
    fn scan_spans(text: &str) -> Option<Self> {
        let base = text.as_ptr() as usize;
        let span = |v: &str| Span { at: (v.as_ptr() as usize).wrapping_sub(base), len: v.len() };
        let mut known = 0u8;
        let mut c = Self::default();
        Scan::new(text.as_bytes())?.object(|name, v| {
            let bit = registered_bit(name);
            if bit == 0 || known & bit != 0 {
                return None;
            }
            known |= bit;
            match bit {
                1 => c.iss = Some(span(v.str()?)),
                2 => c.sub = Some(span(v.str()?)),
                4 => c.jti = Some(span(v.str()?)),
                8 => {
                    c.aud = Some(match v.str_or_array()? {
                        Either::One(s) => AudSpans::One(span(s)),
                        Either::Many(items) => AudSpans::Many(items.into_iter().map(span).collect()),
                    });
                }
                16 => c.exp = Some(v.int()?),
                32 => c.nbf = Some(v.int()?),
                _ => c.iat = Some(v.int()?),
            }
            Some(())
        })?;
        Some(c)
    }

    /// The fast path on its own (tests): the claims it reads, or `None`.
    #[cfg(test)]
    fn scan(payload: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(payload).ok()?;
        Self::scan_spans(text).map(|c| Self { text: text.to_owned(), ..c })
    }

    fn at(&self, s: Span) -> &str {
        self.text.get(s.at..s.at + s.len).unwrap_or_default()
    }

    /// `iss`: the client id.
    #[must_use]
    pub fn iss(&self) -> Option<&str> {
        self.iss.map(|s| self.at(s))
    }

    /// `sub`: the client id.
    #[must_use]
    pub fn sub(&self) -> Option<&str> {
        self.sub.map(|s| self.at(s))
    }

    /// `jti`: unique per assertion.
    #[must_use]
    pub fn jti(&self) -> Option<&str> {
        self.jti.map(|s| self.at(s))
    }

    /// `aud`, as sent (a string or an array).
    #[must_use]
    pub fn aud(&self) -> Option<Audience<'_>> {
        self.aud.as_ref().map(|a| match a {
            AudSpans::One(s) => Audience::One(self.at(*s)),
            AudSpans::Many(v) => Audience::Many(v.iter().map(|s| self.at(*s)).collect()),
        })
    }

    /// `exp`, seconds since the epoch (may be fractional).
    #[must_use]
    pub const fn exp(&self) -> Option<f64> {
        self.exp
    }

    /// `nbf`, seconds since the epoch.
    #[must_use]
    pub const fn nbf(&self) -> Option<f64> {
        self.nbf
    }

    /// `iat`, seconds since the epoch.
    #[must_use]
    pub const fn iat(&self) -> Option<f64> {
        self.iat
    }

    /// Every member other than the registered claims above.
    #[must_use]
    pub const fn other(&self) -> &Map<String, Value> {
        &self.other
    }

    /// Rule 3: the client this assertion claims to be (`iss == sub`).
    ///
    /// # Errors
    /// `MISSING_ISSUER`, `ISSUER_SUBJECT_MISMATCH`.
    pub fn client_id(&self) -> Result<&str> {
        let (Some(iss), Some(sub)) = (self.iss(), self.sub()) else {
            return Err(Error::new(ErrorCode::MissingIssuer, "iss and sub are both required"));
        };
        if iss.is_empty() {
            return Err(Error::new(ErrorCode::MissingIssuer, "iss is empty"));
        }
        if iss != sub {
            return Err(Error::new(ErrorCode::IssuerSubjectMismatch, "iss and sub differ"));
        }
        Ok(iss)
    }

    /// All audiences, as a slice view.
    #[must_use]
    pub fn audiences(&self) -> Vec<&str> {
        match self.aud() {
            None => Vec::new(),
            Some(Audience::One(s)) => vec![s],
            Some(Audience::Many(v)) => v,
        }
    }

    /// The claims as a JSON object (registered claims first).
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                m.insert(k.to_owned(), v);
            }
        };
        let text = |s: Option<&str>| s.map(|s| Value::String(s.to_owned()));
        put("iss", text(self.iss()));
        put("sub", text(self.sub()));
        put(
            "aud",
            self.aud().map(|a| match a {
                Audience::One(s) => Value::String(s.to_owned()),
                Audience::Many(v) => {
                    Value::Array(v.into_iter().map(|s| Value::String(s.to_owned())).collect())
                }
            }),
        );
        let num = |n: Option<f64>| n.map(num_value);
        put("exp", num(self.exp));
        put("nbf", num(self.nbf));
        put("iat", num(self.iat));
        put("jti", text(self.jti()));
        for (k, v) in &self.other {
            m.insert(k.clone(), v.clone());
        }
        Value::Object(m)
    }
}

/// Equal when every claim is (whatever text the values were read from).
impl PartialEq for Claims {
    fn eq(&self, o: &Self) -> bool {
        self.iss() == o.iss()
            && self.sub() == o.sub()
            && self.jti() == o.jti()
            && self.aud() == o.aud()
            && self.exp == o.exp
            && self.nbf == o.nbf
            && self.iat == o.iat
            && self.other == o.other
    }
}

impl fmt::Debug for Claims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claims")
            .field("iss", &self.iss())
            .field("sub", &self.sub())
            .field("aud", &self.aud())
            .field("exp", &self.exp)
            .field("nbf", &self.nbf)
            .field("iat", &self.iat)
            .field("jti", &self.jti())
            .field("other", &self.other)
            .finish()
    }
}

#[allow(clippy::cast_possible_truncation, reason = "only whole numbers within i64 are converted")]
fn num_value(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// Which audience values are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AudienceMode {
    /// The issuer identifier, the token endpoint URL or a configured extra
    /// endpoint URL, as a string or a one-element array (RFC 7523 practice).
    #[default]
    Compat,
    /// Only the issuer identifier, as a single string (draft-ietf-oauth-rfc7523bis).
    Strict,
}

impl AudienceMode {
    /// `compat` or `strict`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Compat => "compat",
            Self::Strict => "strict",
        }
    }

    /// Parse `compat` or `strict`.
    #[must_use]
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "compat" => Some(Self::Compat),
            "strict" => Some(Self::Strict),
            _ => None,
        }
    }
}

/// Rule 7: exact string comparison, no prefix or substring matching.
pub(crate) fn check_audience(
    c: &Claims,
    rule: AudienceRule,
    issuer: &str,
    endpoints: &[String],
) -> Result<()> {
    let mismatch = |d: &'static str| Error::new(ErrorCode::AudienceMismatch, d);
    let value = match &c.aud {
        None => return Err(Error::new(ErrorCode::MissingClaim, "aud is required")),
        Some(AudSpans::One(s)) => c.at(*s),
        Some(AudSpans::Many(_)) if !rule.array => {
            return Err(mismatch("strict audience: aud must be a single string, not an array"));
        }
        Some(AudSpans::Many(v)) => match v.as_slice() {
            [one] => c.at(*one),
            [] => return Err(mismatch("aud is an empty array")),
            _ => return Err(mismatch("aud must name exactly one audience")),
        },
    };
    let endpoint = endpoints.iter().any(|e| e == value);
    if value == issuer || (rule.endpoints && endpoint) {
        Ok(())
    } else if endpoint {
        Err(mismatch("strict audience: aud must be the issuer identifier, not an endpoint URL"))
    } else {
        Err(mismatch("aud does not name this server"))
    }
}

/// Time limits, all in seconds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimeRules {
    pub(crate) now: i64,
    pub(crate) leeway: i64,
    /// How far ahead `iat` and `nbf` may be (the leeway, or less under a profile).
    pub(crate) future_leeway: i64,
    pub(crate) max_age: i64,
    /// Largest `exp − iat` accepted (inclusive).
    pub(crate) max_lifetime: i64,
}

/// The largest `exp` taken as a time: year 9999. Beyond it (`1e20`, huge
/// integers) an `exp` is no time at all and is refused as too long a lifetime.
const LATEST_TIME: f64 = 253_402_300_799.0;

/// Rule 6 time checks. Returns the instant (Unix seconds) until which the
/// jti must be remembered: min(exp, iat + max_age) + leeway.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    reason = "seconds well within f64's exact range"
)]
pub(crate) fn check_times(c: &Claims, t: TimeRules) -> Result<i64> {
    let now = t.now as f64;
    let leeway = t.leeway as f64;
    let max_age = t.max_age as f64;
    let exp = c.exp.ok_or(Error::new(ErrorCode::MissingClaim, "exp is required"))?;
    // The lifetime the client chose, bounded whatever the age rules say.
    let lifetime = if exp > LATEST_TIME { f64::INFINITY } else { exp - c.iat.unwrap_or(now) };
    if lifetime > t.max_lifetime as f64 {
        return Err(Error::with_detail(
            ErrorCode::LifetimeTooLong,
            format!(
                "{} exceeds the maximum lifetime of {} s",
                if c.iat.is_some() { "exp - iat" } else { "exp - now (no iat)" },
                t.max_lifetime
            ),
        ));
    }
    if now >= exp + leeway {
        return Err(Error::new(ErrorCode::Expired, "exp has passed"));
    }
    let ahead = t.future_leeway as f64;
    if let Some(nbf) = c.nbf
        && nbf > now + ahead
    {
        return Err(Error::with_detail(
            ErrorCode::NotYetValid,
            format!("nbf is more than {} s in the future", t.future_leeway),
        ));
    }
    let horizon = match c.iat {
        Some(iat) => {
            if iat > now + ahead {
                return Err(Error::with_detail(
                    ErrorCode::IssuedInFuture,
                    format!("iat is more than {} s in the future", t.future_leeway),
                ));
            }
            if now - iat > max_age + leeway {
                return Err(Error::with_detail(
                    ErrorCode::TooOld,
                    format!("iat is more than {} s in the past", t.max_age),
                ));
            }
            exp.min(iat + max_age)
        }
        None => {
            if exp - now > max_age + leeway {
                return Err(Error::with_detail(
                    ErrorCode::ExpiryTooFar,
                    format!("without iat, exp must be within {} s", t.max_age),
                ));
            }
            exp
        }
    };
    Ok((horizon + leeway).ceil() as i64)
}

/// Rule 6: `jti` present and non-empty.
pub(crate) fn jti(c: &Claims) -> Result<&str> {
    match c.jti() {
        Some(j) if !j.is_empty() => Ok(j),
        Some(_) => Err(Error::new(ErrorCode::MissingClaim, "jti is empty")),
        None => Err(Error::new(ErrorCode::MissingClaim, "jti is required")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        /// Whatever the fast reader accepts, the full parser reads to the same claims.
        #[test]
        fn fast_reader_agrees_with_the_full_parser(doc in json::samples::document(json::samples::CLAIM_NAMES)) {
            if let Some(fast) = Claims::scan(&doc) {
                let fail = Fail::default();
                let full = json::parse_with(&doc, ClaimsSeed(&fail), &fail).map(Owned::into_claims);
                proptest::prop_assert_eq!(Ok(fast.clone()), full, "{}", String::from_utf8_lossy(&doc));
                // And the claims read in place are those of Claims::parse.
                proptest::prop_assert_eq!(Ok(fast), Claims::parse(&doc).map_err(|e| e.code()));
            }
        }
    }

    /// The differential test above is only as good as the share of samples
    /// the fast reader takes; keep the generator honest.
    #[test]
    fn samples_reach_both_readers() {
        use proptest::strategy::{Strategy, ValueTree};
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let (mut fast, mut headers, n) = (0, 0, 2000);
        for _ in 0..n {
            let doc =
                json::samples::document(json::samples::CLAIM_NAMES).new_tree(&mut runner).unwrap().current();
            fast += usize::from(Claims::scan(&doc).is_some());
            let doc =
                json::samples::document(json::samples::HEADER_NAMES).new_tree(&mut runner).unwrap().current();
            headers += usize::from(crate::jws::scan_header(&doc).is_some());
        }
        assert!(fast > n / 8 && fast < n * 4 / 5, "{fast} of {n} taken by the fast claims reader");
        assert!(headers > n / 8 && headers < n * 4 / 5, "{headers} of {n} taken by the fast header reader");
    }

    #[test]
    fn fast_reader_takes_the_usual_shapes() {
        for doc in [
            // This library, jose, PyJWT/Authlib (compact), json.dumps defaults (spaced).
            r#"{"iss":"client-1","sub":"client-1","aud":"https://as.example.com","jti":"LedT97vvozuPDb3luFcg6g","iat":1800000000,"exp":1800000060}"#,
            r#"{"jti":"6b2a","aud":["https://as.example.com/token"],"exp":1800000060,"iat":1800000000,"nbf":1800000000,"iss":"c","sub":"c"}"#,
            "{\"iss\": \"c\", \"sub\": \"c\", \"aud\": \"https://as\", \"exp\": 1800000060, \"jti\": \"x\"}",
            "{\n  \"iss\": \"c\",\n  \"aud\": [ ]\n}\n",
        ] {
            let c = Claims::scan(doc.as_bytes()).expect(doc);
            assert_eq!(Some(c), Claims::parse(doc.as_bytes()).ok());
        }
        // Handed to the full parser: a private claim, a fraction, an escape.
        for doc in [r#"{"iss":"c","x":1}"#, r#"{"exp":1.5}"#, r#"{"iss":"\u0063"}"#] {
            assert!(Claims::scan(doc.as_bytes()).is_none(), "{doc}");
        }
    }

    #[test]
    fn typed_claims() {
        let c =
            Claims::parse(br#"{"iss":"a","sub":"a","exp":1.5e9,"iat":1500000000,"aud":["x"],"x":{"y":1}}"#)
                .unwrap();
        assert_eq!(c.exp(), Some(1.5e9));
        assert_eq!(c.aud(), Some(Audience::Many(vec!["x"])));
        assert_eq!(c.other().get("x"), Some(&serde_json::json!({"y": 1})));
        // Escaped values are kept unescaped; the accessors agree with to_json.
        let e = Claims::parse(br#"{"iss":"\u0063","sub":"c","jti":"a\"b","aud":["\u00e9","x"]}"#).unwrap();
        assert_eq!((e.iss(), e.sub(), e.jti()), (Some("c"), Some("c"), Some("a\"b")));
        assert_eq!(e.audiences(), vec!["\u{e9}", "x"]);
        assert_eq!(e.to_json()["aud"], serde_json::json!(["\u{e9}", "x"]));
        assert_eq!(e.client_id().unwrap(), "c");
        assert_eq!(Claims::parse(br#"{"exp":"1500000000"}"#).unwrap_err().code(), ErrorCode::MalformedClaims);
        assert_eq!(Claims::parse(br#"{"exp":true}"#).unwrap_err().code(), ErrorCode::MalformedClaims);
        assert_eq!(
            Claims::parse(br#"{"iss":"a","iss":"b"}"#).unwrap_err().code(),
            ErrorCode::DuplicateMember
        );
        assert_eq!(Claims::parse(br#"{"x":{"y":1,"y":2}}"#).unwrap_err().code(), ErrorCode::DuplicateMember);
        assert_eq!(Claims::parse(br#"[]"#).unwrap_err().code(), ErrorCode::MalformedClaims);
        assert_eq!(Claims::parse(br#"{"aud":[1]}"#).unwrap_err().code(), ErrorCode::MalformedClaims);
        // An exp beyond any f64 is a lifetime too long, not a parse failure;
        // elsewhere such a number is malformed.
        assert_eq!(Claims::parse(br#"{"exp":1e400}"#).unwrap_err().code(), ErrorCode::LifetimeTooLong);
        assert_eq!(
            Claims::parse(br#"{"iss":"c","exp":-1e400}"#).unwrap_err().code(),
            ErrorCode::LifetimeTooLong
        );
        assert_eq!(Claims::parse(br#"{"iat":1e400}"#).unwrap_err().code(), ErrorCode::MalformedClaims);
        assert_eq!(Claims::parse(br#"{"x":1e400}"#).unwrap_err().code(), ErrorCode::MalformedClaims);
    }

    #[test]
    fn time_rules() {
        let t = TimeRules { now: 1000, leeway: 60, future_leeway: 60, max_age: 300, max_lifetime: 3600 };
        let c = |exp: f64, iat: Option<f64>, nbf: Option<f64>| Claims {
            exp: Some(exp),
            iat,
            nbf,
            ..Claims::default()
        };
        assert_eq!(check_times(&c(1060.0, Some(1000.0), None), t).unwrap(), 1120);
        assert_eq!(check_times(&c(939.0, None, None), t).unwrap_err().code(), ErrorCode::Expired);
        assert_eq!(check_times(&c(940.0, None, None), t).unwrap_err().code(), ErrorCode::Expired);
        assert!(check_times(&c(940.5, None, None), t).is_ok());
        assert_eq!(
            check_times(&c(2000.0, Some(1061.0), None), t).unwrap_err().code(),
            ErrorCode::IssuedInFuture
        );
        assert_eq!(check_times(&c(2000.0, Some(639.0), None), t).unwrap_err().code(), ErrorCode::TooOld);
        // Authlib-style exp = iat + 3600: accepted, remembered until iat + max_age + leeway.
        assert_eq!(check_times(&c(4600.0, Some(1000.0), None), t).unwrap(), 1360);
        assert_eq!(check_times(&c(1361.0, None, None), t).unwrap_err().code(), ErrorCode::ExpiryTooFar);
        // Lifetime: exactly max_lifetime is accepted, a second more is not;
        // an exp that is no time at all is refused by the same rule.
        assert!(check_times(&c(4600.0, Some(1000.0), None), t).is_ok());
        assert_eq!(
            check_times(&c(4601.0, Some(1000.0), None), t).unwrap_err().code(),
            ErrorCode::LifetimeTooLong
        );
        for exp in [1e20, 1e300, f64::MAX] {
            assert_eq!(
                check_times(&c(exp, Some(1000.0), None), t).unwrap_err().code(),
                ErrorCode::LifetimeTooLong
            );
            assert_eq!(check_times(&c(exp, None, None), t).unwrap_err().code(), ErrorCode::LifetimeTooLong);
        }
        let long = TimeRules { max_age: 86_400, max_lifetime: 600, ..t };
        assert_eq!(check_times(&c(1601.0, None, None), long).unwrap_err().code(), ErrorCode::LifetimeTooLong);
        assert!(check_times(&c(1600.0, None, None), long).is_ok());
        assert_eq!(
            check_times(&c(1100.0, None, Some(1061.0)), t).unwrap_err().code(),
            ErrorCode::NotYetValid
        );
    }
}
