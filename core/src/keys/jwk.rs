//! JSON Web Keys (RFC 7517, RFC 7518 §6, RFC 8037) and thumbprints (RFC 7638).

use serde_json::{Map, Value};

use crate::algorithm::{Algorithm, Curve, KeyType};
use crate::b64;
use crate::error::{Error, ErrorCode, Result};
use crate::json::{self, JsonError};

/// Members that only a private JWK has (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2).
pub(crate) const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

pub(crate) fn invalid(detail: String) -> Error {
    Error::with_detail(ErrorCode::InvalidKey, detail)
}

pub(crate) fn json_error(what: &str, e: &JsonError) -> Error {
    invalid(format!("{what}: {e}"))
}

/// Parse a JWK document into its members (duplicates refused).
pub(crate) fn parse_object(text: &[u8]) -> Result<Map<String, Value>> {
    json::parse_unique_object(text).map_err(|e| json_error("JWK", &e))
}

/// Typed access to the members of one JWK.
pub(crate) struct Jwk<'a>(pub(crate) &'a Map<String, Value>);

impl<'a> Jwk<'a> {
    pub(crate) fn str(&self, name: &str) -> Result<Option<&'a str>> {
        match self.0.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(invalid(format!("JWK member `{name}` must be a string"))),
        }
    }

    pub(crate) fn required_str(&self, name: &str) -> Result<&'a str> {
        self.str(name)?.ok_or_else(|| invalid(format!("JWK member `{name}` is missing")))
    }

    /// A required base64url member, decoded strictly.
    pub(crate) fn bytes(&self, name: &str) -> Result<Vec<u8>> {
        let s = self.required_str(name)?;
        b64::decode(s.as_bytes())
            .ok_or_else(|| invalid(format!("JWK member `{name}` is not strict base64url")))
    }

    pub(crate) fn kty(&self) -> Result<&'a str> {
        self.required_str("kty")
    }

    pub(crate) fn kid(&self) -> Result<Option<String>> {
        Ok(self.str("kid")?.map(str::to_owned))
    }

    pub(crate) fn key_use(&self) -> Result<Option<String>> {
        Ok(self.str("use")?.map(str::to_owned))
    }

    pub(crate) fn key_ops(&self) -> Result<Option<Vec<String>>> {
        match self.0.get("key_ops") {
            None => Ok(None),
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let Value::String(s) = item else {
                        return Err(invalid("JWK member `key_ops` must be an array of strings".into()));
                    };
                    if out.contains(s) {
                        return Err(invalid("JWK member `key_ops` repeats a value".into()));
                    }
                    out.push(s.clone());
                }
                Ok(Some(out))
            }
            Some(_) => Err(invalid("JWK member `key_ops` must be an array of strings".into())),
        }
    }

    /// The `alg` member: absent, or a signature algorithm this library implements.
    pub(crate) fn alg(&self) -> Result<Option<Algorithm>> {
        match self.str("alg")? {
            None => Ok(None),
            Some(name) => Algorithm::from_name(name).map(Some).ok_or_else(|| {
                Error::with_detail(
                    ErrorCode::KeyUsageMismatch,
                    format!("JWK alg `{}` is not a supported signature algorithm", json::loggable_name(name)),
                )
            }),
        }
    }

    pub(crate) fn has_private_members(&self) -> Option<&'static str> {
        PRIVATE_MEMBERS.iter().copied().find(|m| self.0.contains_key(*m))
    }

    /// The key type from `kty` (and `crv` for EC and OKP).
    pub(crate) fn key_type(&self) -> Result<KeyType> {
        let unsupported = |what: String| Error::with_detail(ErrorCode::UnsupportedKey, what);
        match self.kty()? {
            "RSA" => Ok(KeyType::Rsa),
            "EC" => {
                let crv = self.required_str("crv")?;
                Curve::from_name(crv).map(KeyType::Ec).ok_or_else(|| {
                    unsupported(format!("EC curve `{}` is not supported", json::loggable_name(crv)))
                })
            }
            "OKP" => match self.required_str("crv")? {
                "Ed25519" => Ok(KeyType::Ed25519),
                other => Err(unsupported(format!(
                    "OKP curve `{}` is not supported (only Ed25519)",
                    json::loggable_name(other)
                ))),
            },
            "oct" => Ok(KeyType::Oct),
            other => Err(unsupported(format!("kty `{}` is not supported", json::loggable_name(other)))),
        }
    }
}

/// The RFC 7638 thumbprint input for public components.
pub(crate) fn thumbprint_input(components: &super::Components) -> String {
    use super::Components;
    match components {
        Components::Rsa { n, e } => {
            format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, b64::encode(e), b64::encode(n))
        }
        Components::Ec { curve, point } => {
            let (x, y) = super::split_point(*curve, point);
            format!(
                r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
                curve.name(),
                b64::encode(x),
                b64::encode(y)
            )
        }
        Components::Ed25519 { x } => {
            format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, b64::encode(x))
        }
        Components::Oct { k } => format!(r#"{{"k":"{}","kty":"oct"}}"#, b64::encode(k)),
    }
}
