//! JSON helpers on serde_json that reject duplicate member names.
//!
//! serde_json keeps the last of two members with the same name; two parsers
//! that disagree on which one wins is how signature checks get bypassed, so
//! every JOSE object we read goes through a visitor that refuses duplicates.
//! The typed seeds here report a wrong member type through a side channel
//! (`Fail`) so callers can return a precise error code instead of serde's text.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Why a JSON document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonError {
    /// Not valid JSON, or not the expected top-level type.
    Syntax,
    /// A member name occurs twice in one object (the name, truncated).
    Duplicate(String),
    /// A known member has the wrong type: (member, expected type).
    Type(&'static str, &'static str),
    /// A known member is a number beyond any f64 (`1e400`).
    OutOfRange(&'static str),
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax => f.write_str("not a well-formed JSON object"),
            Self::Duplicate(name) => write!(f, "duplicate member `{name}`"),
            Self::Type(name, expected) => write!(f, "member `{name}` must be {expected}"),
            Self::OutOfRange(name) => write!(f, "member `{name}` is a number out of range"),
        }
    }
}

/// A member name printable in logs: truncated, so no large attacker data is echoed.
pub(crate) fn loggable_name(name: &str) -> String {
    bounded(name, 32)
}

/// `text` with control characters escaped and at most `max` characters kept
/// (then `…`).
pub(crate) fn bounded(text: &str, max: usize) -> String {
    let name = text;
    let mut s = String::with_capacity(name.len().min(max + 8));
    let mut taken = 0;
    for c in name.chars().take(max) {
        taken += c.len_utf8();
        // Control characters (a newline would forge a log line) and the
        // Unicode line separators are written as escapes.
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            s.extend(c.escape_default());
        } else {
            s.push(c);
        }
    }
    if taken < name.len() {
        s.push('…');
    }
    s
}

/// Side channel through which typed seeds report the precise failure.
#[derive(Default)]
pub(crate) struct Fail(Cell<Option<JsonError>>);

impl Fail {
    pub(crate) fn set<E: de::Error>(&self, err: JsonError) -> E {
        let msg = err.to_string();
        self.0.set(Some(err));
        E::custom(msg)
    }

    /// The recorded failure, or `Syntax` when serde itself failed.
    pub(crate) fn take(&self) -> JsonError {
        self.0.take().unwrap_or(JsonError::Syntax)
    }
}

/// Tracks the member names of one object to refuse duplicates.
/// Linear scan: JOSE headers and client assertions have a handful of members.
#[derive(Default)]
pub(crate) struct SeenKeys<'de>(Vec<Cow<'de, str>>);

impl<'de> SeenKeys<'de> {
    /// Record `key`; false if it was already seen.
    pub(crate) fn insert(&mut self, key: Cow<'de, str>) -> bool {
        if self.0.contains(&key) {
            return false;
        }
        self.0.push(key);
        true
    }
}

/// A member name, borrowed from the input when it has no escapes.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Reads one member value that must be a string.
pub(crate) struct StrSeed<'a> {
    pub(crate) name: &'static str,
    pub(crate) fail: &'a Fail,
}

impl<'de> DeserializeSeed<'de> for StrSeed<'_> {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(TypedVisitor { name: self.name, fail: self.fail, want: Want::Str }).and_then(|v| {
            match v {
                Typed::Str(s) => Ok(s),
                _ => Err(self.fail.set(JsonError::Type(self.name, "a string"))),
            }
        })
    }
}

/// Reads one member value that must be a string, borrowed when it has no escapes.
pub(crate) struct CowStrSeed<'a> {
    pub(crate) name: &'static str,
    pub(crate) fail: &'a Fail,
}

impl<'de> DeserializeSeed<'de> for CowStrSeed<'_> {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        struct V<'a>(&'static str, &'a Fail);
        impl<'de> Visitor<'de> for V<'_> {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_owned()))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Err(self.1.set(JsonError::Type(self.0, "a string")))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Err(self.1.set(JsonError::Type(self.0, "a string")))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Err(self.1.set(JsonError::Type(self.0, "a string")))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Err(self.1.set(JsonError::Type(self.0, "a string")))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Err(self.1.set(JsonError::Type(self.0, "a string")))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
                Err(self.1.set(JsonError::Type(self.0, "a string")))
            }
            fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
                Err(self.1.set(JsonError::Type(self.0, "a string")))
            }
        }
        d.deserialize_any(V(self.name, self.fail))
    }
}

/// Reads one member value that must be a number (integer or fractional).
pub(crate) struct NumSeed<'a> {
    pub(crate) name: &'static str,
    pub(crate) fail: &'a Fail,
}

impl<'de> DeserializeSeed<'de> for NumSeed<'_> {
    type Value = f64;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<f64, D::Error> {
        d.deserialize_any(TypedVisitor { name: self.name, fail: self.fail, want: Want::Num }).and_then(|v| {
            match v {
                Typed::Num(n) => Ok(n),
                _ => Err(self.fail.set(JsonError::Type(self.name, "a number"))),
            }
        })
    }
}

/// Reads a member that must be a string or an array of strings (`aud`).
pub(crate) struct StrOrArraySeed<'a> {
    pub(crate) name: &'static str,
    pub(crate) fail: &'a Fail,
}

/// A string or an array of strings, as it appeared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StringOrArray {
    /// A single JSON string.
    One(String),
    /// A JSON array of strings.
    Many(Vec<String>),
}

/// One value or several (the fast reader's `aud`, borrowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Either<T, U> {
    One(T),
    Many(U),
}

impl<'de> DeserializeSeed<'de> for StrOrArraySeed<'_> {
    type Value = StringOrArray;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<StringOrArray, D::Error> {
        d.deserialize_any(TypedVisitor { name: self.name, fail: self.fail, want: Want::StrOrArray }).and_then(
            |v| match v {
                Typed::Str(s) => Ok(StringOrArray::One(s)),
                Typed::Arr(a) => Ok(StringOrArray::Many(a)),
                Typed::Num(_) => {
                    Err(self.fail.set(JsonError::Type(self.name, "a string or an array of strings")))
                }
            },
        )
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Str,
    Num,
    StrOrArray,
}

enum Typed {
    Str(String),
    Num(f64),
    Arr(Vec<String>),
}

struct TypedVisitor<'a> {
    name: &'static str,
    fail: &'a Fail,
    want: Want,
}

impl TypedVisitor<'_> {
    fn wrong<E: de::Error>(&self) -> E {
        let expected = match self.want {
            Want::Str => "a string",
            Want::Num => "a number",
            Want::StrOrArray => "a string or an array of strings",
        };
        self.fail.set(JsonError::Type(self.name, expected))
    }
    fn num<E: de::Error>(&self, n: f64) -> Result<Typed, E> {
        if self.want == Want::Num && n.is_finite() { Ok(Typed::Num(n)) } else { Err(self.wrong()) }
    }
}

impl<'de> Visitor<'de> for TypedVisitor<'_> {
    type Value = Typed;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a typed member value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Typed, E> {
        match self.want {
            Want::Str | Want::StrOrArray => Ok(Typed::Str(v.to_owned())),
            Want::Num => Err(self.wrong()),
        }
    }
    #[allow(clippy::cast_precision_loss, reason = "NumericDate: seconds fit f64 exactly below 2^53")]
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Typed, E> {
        self.num(v as f64)
    }
    #[allow(clippy::cast_precision_loss, reason = "NumericDate: seconds fit f64 exactly below 2^53")]
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Typed, E> {
        self.num(v as f64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Typed, E> {
        self.num(v)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Typed, E> {
        Err(self.wrong())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Typed, E> {
        Err(self.wrong())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Typed, A::Error> {
        if self.want != Want::StrOrArray {
            return Err(self.wrong());
        }
        let mut out = Vec::new();
        while let Some(item) = seq.next_element_seed(StrSeed { name: self.name, fail: self.fail })? {
            out.push(item);
        }
        Ok(Typed::Arr(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Typed, A::Error> {
        Err(self.wrong())
    }
}

/// A JSON value whose objects, at every depth, have no duplicate member names.
struct UniqueValue<'a>(&'a Fail);

impl<'de> DeserializeSeed<'de> for UniqueValue<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for UniqueValue<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(UniqueValue(self.0))? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
            if out.contains_key(k.as_ref()) {
                return Err(self.0.set(JsonError::Duplicate(loggable_name(&k))));
            }
            let v = map.next_value_seed(UniqueValue(self.0))?;
            out.insert(k.into_owned(), v);
        }
        Ok(Value::Object(out))
    }
}

/// Parse `bytes` as a JSON value with no duplicate member names at any depth.
pub(crate) fn parse_unique(bytes: &[u8]) -> Result<Value, JsonError> {
    let fail = Fail::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let v = UniqueValue(&fail).deserialize(&mut de).map_err(|_| fail.take())?;
    de.end().map_err(|_| JsonError::Syntax)?;
    Ok(v)
}

/// Parse `bytes` as a JSON object with no duplicate member names at any depth.
pub(crate) fn parse_unique_object(bytes: &[u8]) -> Result<Map<String, Value>, JsonError> {
    match parse_unique(bytes)? {
        Value::Object(m) => Ok(m),
        _ => Err(JsonError::Syntax),
    }
}

/// Run a typed object visitor over `bytes` (one top-level object, nothing after it).
pub(crate) fn parse_with<'de, S>(bytes: &'de [u8], seed: S, fail: &Fail) -> Result<S::Value, JsonError>
where
    S: DeserializeSeed<'de>,
{
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let v = seed.deserialize(&mut de).map_err(|_| fail.take())?;
    de.end().map_err(|_| JsonError::Syntax)?;
    Ok(v)
}

/// Read a member value as a `Value` (objects checked for duplicates).
pub(crate) fn unique_value_seed(fail: &Fail) -> impl for<'de> DeserializeSeed<'de, Value = Value> + '_ {
    UniqueValue(fail)
}

/// The length of the leading run of printable ASCII other than `"` and `\\`
/// (what a JSON string may hold unescaped), eight bytes at a time (SWAR).
pub(crate) fn plain_len(s: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES << 7;
    // Flags the zero bytes of `v`; the lowest flag is always a true one.
    const fn zero(v: u64) -> u64 {
        v.wrapping_sub(ONES) & !v & HIGH
    }
    let mut words = s.chunks_exact(8);
    let mut at = 0;
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        let x = u64::from_le_bytes(b);
        // Below 0x20 (lowest flag exact, as for `zero`), 0x80 and above,
        // DEL, quote, backslash.
        let stop = (x.wrapping_sub(ONES * 0x20) & !x & HIGH)
            | (x & HIGH)
            | zero(x ^ (ONES * 0x7f))
            | zero(x ^ (ONES * u64::from(b'"')))
            | zero(x ^ (ONES * u64::from(b'\\')));
        if stop != 0 {
            return at + (stop.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    let tail = words.remainder();
    at + tail
        .iter()
        .position(|&c| !(0x20..0x7f).contains(&c) || c == b'"' || c == b'\\')
        .unwrap_or(tail.len())
}

/// A scanner for the shape nearly every JOSE header and claims set has:
/// one object of ASCII member names and values (strings without escapes,
/// non-negative integers, arrays of such strings), compact or spaced. It
/// reads in place and never fails with an error: on anything else (escapes,
/// non-ASCII, fractions, nesting, duplicates, trailing data) the caller gets
/// `None` and hands the document to the full parser above, which decides.
/// Whatever it accepts, the full parser reads to the same values (checked by
/// the differential property tests of the header and claims readers).
pub(crate) struct Scan<'a> {
    text: &'a str,
    s: &'a [u8],
    i: usize,
}

impl<'a> Scan<'a> {
    /// `None` when `s` is not UTF-8 (one check for the whole document).
    pub(crate) fn new(s: &'a [u8]) -> Option<Self> {
        let text = std::str::from_utf8(s).ok()?;
        Some(Self { text, s, i: 0 })
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// Skip JSON whitespace (RFC 8259: space, tab, LF, CR).
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// A string of printable ASCII without escapes.
    #[inline]
    pub(crate) fn str(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let rest = self.s.get(self.i..)?;
        let len = plain_len(rest);
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        let text = self.text.get(self.i..self.i + len)?;
        self.i += len + 1;
        Some(text)
    }

    /// A member name: JOSE's registered names have three characters, read
    /// here without a search; any other goes through [`Scan::str`].
    #[inline]
    fn name(&mut self) -> Option<&'a str> {
        self.ws();
        if let Some([b'"', a, b, c, b'"']) = self.s.get(self.i..self.i + 5)
            && [a, b, c].iter().all(|&&x| (0x20..0x7f).contains(&x) && x != b'"' && x != b'\\')
        {
            let name = self.text.get(self.i + 1..self.i + 4)?;
            self.i += 5;
            return Some(name);
        }
        self.str()
    }

    /// A non-negative integer of at most 15 digits (exact as an f64).
    #[allow(clippy::cast_precision_loss, reason = "at most 15 digits: below 2^53, exact")]
    #[inline]
    pub(crate) fn int(&mut self) -> Option<f64> {
        self.ws();
        let rest = self.s.get(self.i..)?;
        let (mut n, mut len) = (0u64, 0usize);
        // One pass: value and length together; a 16th digit gives up.
        while let Some(d) = rest.get(len).map(|c| c.wrapping_sub(b'0')).filter(|d| *d <= 9) {
            if len == 15 {
                return None;
            }
            n = n * 10 + u64::from(d);
            len += 1;
        }
        // No leading zero (not JSON), no fraction or exponent (the full parser rounds those).
        if len == 0 || (len > 1 && rest.first() == Some(&b'0')) {
            return None;
        }
        if let Some(b'.' | b'e' | b'E') = rest.get(len) {
            return None;
        }
        self.i += len;
        Some(n as f64)
    }

    /// `"…"` or `["…", …]` (the `aud` shapes), borrowed from the document.
    pub(crate) fn str_or_array(&mut self) -> Option<Either<&'a str, Vec<&'a str>>> {
        self.ws();
        if self.peek()? != b'[' {
            return Some(Either::One(self.str()?));
        }
        self.i += 1;
        let mut items = Vec::new();
        if self.eat(b']').is_some() {
            return Some(Either::Many(items));
        }
        loop {
            items.push(self.str()?);
            if self.eat(b',').is_none() {
                self.eat(b']')?;
                return Some(Either::Many(items));
            }
        }
    }

    /// The whole document as one object: `member` reads each value after its
    /// name (and returns `None` to give up); nothing but whitespace may follow.
    pub(crate) fn object(mut self, mut member: impl FnMut(&'a str, &mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.eat(b'}').is_none() {
            loop {
                let name = self.name()?;
                self.eat(b':')?;
                member(name, &mut self)?;
                if self.eat(b',').is_none() {
                    self.eat(b'}')?;
                    break;
                }
            }
        }
        self.ws();
        (self.i == self.s.len()).then_some(())
    }
}

/// Documents for the differential tests of the fast readers: objects mixing
/// the shapes [`Scan`] reads with every shape it must hand over (escapes,
/// non-ASCII, fractions, big or signed numbers, nesting, odd whitespace,
/// duplicates, trailing data), plus byte-level mutations of them.
#[cfg(test)]
pub(crate) mod samples {
    use proptest::prelude::*;

    const NAMES: &[&str] = &[
        "iss",
        "sub",
        "jti",
        "aud",
        "exp",
        "nbf",
        "iat",
        "alg",
        "typ",
        "kid",
        "x5t",
        "x5t#S256",
        "crit",
        "jwk",
        "x",
        "is\\u0073",
        "\\u0061lg",
        "",
        "iss ",
        "ALG",
    ];
    const VALUES: &[&str] = &[
        "\"client-1\"",
        "\"https://as.example.com\"",
        "\"HS256\"",
        "\"RS256\"",
        "\"EdDSA\"",
        "\"Ed25519\"",
        "\"none\"",
        "\"JWT\"",
        "\"client-authentication+jwt\"",
        "\"application/JWT\"",
        "\"at+jwt\"",
        "\"\"",
        "\"a\\\"b\"",
        "\"a\\u0041\"",
        "\"caf\u{e9}\"",
        "\"tab\there\"",
        "\"x\u{7f}\"",
        "\"LedT97vvozuPDb3luFcg6g\"",
        "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"",
        "0",
        "7",
        "1800000000",
        "01",
        "-0",
        "-5",
        "1.5",
        "1e9",
        "1800000000.25",
        "123456789012345",
        "1234567890123456",
        "99999999999999999999",
        "true",
        "null",
        "[]",
        "[\"a\"]",
        "[\"a\",\"b\"]",
        "[ \"a\" , \"b\" ]",
        "[1]",
        "[\"a\",]",
        "{}",
        "{\"y\":1}",
        "{\"y\":1,\"y\":2}",
        "\"unterminated",
    ];
    /// Whitespace, then two characters JSON does not count as whitespace.
    const SPACES: &[&str] = &["", "", "", " ", "\n", "\t", "\r\n  ", "\u{a0}", "\u{b}"];
    const JSON_SPACES: usize = 7;
    const STRINGS: &[&str] = &[
        "\"client-1\"",
        "\"https://as.example.com\"",
        "\"JWT\"",
        "\"client-authentication+jwt\"",
        "\"LedT97vvozuPDb3luFcg6g\"",
        "\"\"",
        "\"application/jwt\"",
    ];
    const NUMBERS: &[&str] = &["0", "1800000000", "123456789012345", "1800000060"];
    const AUDIENCES: &[&str] =
        &["\"https://as.example.com\"", "[]", "[\"https://as.example.com\"]", "[ \"a\" ,\"b\" ]"];
    const ALGS: &[&str] = &["\"HS256\"", "\"ES256\"", "\"RS512\"", "\"EdDSA\"", "\"Ed25519\""];

    /// Values of the type the member has, which the fast reader takes.
    fn fitting(name: &str) -> &'static [&'static str] {
        match name {
            "exp" | "nbf" | "iat" => NUMBERS,
            "aud" => AUDIENCES,
            "alg" => ALGS,
            _ => STRINGS,
        }
    }

    fn member(names: &'static [&'static str]) -> impl Strategy<Value = String> {
        let fits =
            (0..names.len(), any::<prop::sample::Index>(), 0..JSON_SPACES).prop_map(move |(n, v, a)| {
                let values = fitting(names[n]);
                format!("\"{}\":{}{}", names[n], SPACES[a], values[v.index(values.len())])
            });
        let any = (0..NAMES.len(), 0..VALUES.len(), 0..SPACES.len(), 0..SPACES.len())
            .prop_map(|(n, v, a, b)| format!("\"{}\"{}:{}{}", NAMES[n], SPACES[a], SPACES[b], VALUES[v]));
        prop_oneof![12 => fits, 1 => any]
    }

    fn object(names: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
        (prop::collection::vec((member(names), 0..JSON_SPACES), 0..6), 0..SPACES.len(), 0..8usize).prop_map(
            |(members, outer, tail)| {
                let body: Vec<String> =
                    members.into_iter().map(|(m, s)| format!("{m}{}", SPACES[s])).collect();
                let end = ["", "", "", "", "", " \n", "x", "}"][tail];
                format!("{}{{{}}}{end}", SPACES[outer], body.join(",")).into_bytes()
            },
        )
    }

    /// The members the claims reader knows.
    pub(crate) const CLAIM_NAMES: &[&str] = &["iss", "sub", "jti", "aud", "exp", "nbf", "iat"];
    /// The members the header reader knows.
    pub(crate) const HEADER_NAMES: &[&str] = &["alg", "typ", "kid"];

    /// Generated objects, some with one byte changed, inserted or cut;
    /// `names` are the members the reader under test knows.
    pub(crate) fn document(names: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
        (object(names), any::<prop::sample::Index>(), any::<u8>(), 0..8u8).prop_map(
            |(mut doc, at, byte, how)| {
                if !doc.is_empty() {
                    let i = at.index(doc.len());
                    match how {
                        1 => doc[i] = byte,
                        2 => doc.insert(i, byte),
                        3 => doc.truncate(i),
                        _ => {}
                    }
                }
                doc
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_refused_at_every_depth() {
        assert!(parse_unique_object(br#"{"a":1,"b":{"c":1}}"#).is_ok());
        assert_eq!(parse_unique_object(br#"{"a":1,"a":2}"#), Err(JsonError::Duplicate("a".into())));
        assert_eq!(parse_unique_object(br#"{"a":{"c":1,"c":1}}"#), Err(JsonError::Duplicate("c".into())));
        // An escaped spelling of the same name is the same name.
        assert_eq!(
            parse_unique_object(br#"{"alg":1,"\u0061lg":2}"#),
            Err(JsonError::Duplicate("alg".into()))
        );
        assert_eq!(parse_unique_object(b"[1]"), Err(JsonError::Syntax));
        assert_eq!(parse_unique_object(b"{} x"), Err(JsonError::Syntax));
    }

    proptest::proptest! {
        #[test]
        fn plain_len_is_the_first_byte_a_string_must_escape(s in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let naive = s.iter().position(|&c| !(0x20..0x7f).contains(&c) || c == b'"' || c == b'\\').unwrap_or(s.len());
            proptest::prop_assert_eq!(plain_len(&s), naive);
        }
    }
}
