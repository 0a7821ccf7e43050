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
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax => f.write_str("not a well-formed JSON object"),
            Self::Duplicate(name) => write!(f, "duplicate member `{name}`"),
            Self::Type(name, expected) => write!(f, "member `{name}` must be {expected}"),
        }
    }
}

/// A member name printable in logs: truncated, so no large attacker data is echoed.
pub(crate) fn loggable_name(name: &str) -> String {
    let mut s: String = name.chars().take(32).collect();
    if s.len() < name.len() {
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
pub enum StringOrArray {
    /// A single JSON string.
    One(String),
    /// A JSON array of strings.
    Many(Vec<String>),
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
}
