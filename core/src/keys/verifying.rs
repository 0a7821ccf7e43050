//! Verifying keys and key sets.

use std::fmt;

use serde_json::{Map, Value, json};
use zeroize::Zeroizing;

use super::der::{self as kder, PublicComponents};
use super::jwk::{self, Jwk};
use super::weak::{self as defects, Ed25519Defect};
use super::{Components, pem, roca, split_point, x509};
use crate::algorithm::{Algorithm, AlgorithmSet, KeyType};
use crate::b64;
use crate::crypto;
use crate::error::{Error, ErrorCode, Result};
use crate::json as ujson;

/// What a certificate says about its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertificateInfo {
    /// notBefore, Unix seconds.
    pub not_before: i64,
    /// notAfter, Unix seconds.
    pub not_after: i64,
    /// SHA-1 of the certificate DER (`x5t`).
    pub x5t: [u8; 20],
    /// SHA-256 of the certificate DER (`x5t#S256`).
    pub x5t_s256: [u8; 32],
}

/// Optional JWK metadata attached to a key.
#[derive(Debug, Clone, Default)]
pub(crate) struct Meta {
    pub(crate) kid: Option<String>,
    pub(crate) alg: Option<Algorithm>,
    pub(crate) key_use: Option<String>,
    pub(crate) key_ops: Option<Vec<String>>,
}

/// A public key (or shared secret) that verifies client assertions, parsed once.
///
/// Cheap to share: wrap it in an `Arc` or put it in a [`JwkSet`]. Immutable
/// and `Send + Sync`.
pub struct VerifyingKey {
    meta: Meta,
    key_type: KeyType,
    components: Components,
    thumbprint: [u8; 32],
    thumbprint_b64: std::sync::Arc<str>,
    cert: Option<CertificateInfo>,
    /// The certificate identity (`x5t`, `x5t#S256`): from the certificate,
    /// or from a JWK's thumbprint members when it has no `x5c`.
    x5t: Option<[u8; 20]>,
    x5t_s256: Option<[u8; 32]>,
    /// The certificate itself (DER), exported as the JWK's `x5c`.
    cert_der: Option<std::sync::Arc<[u8]>>,
    permitted: AlgorithmSet,
    parsed: crypto::PublicKey,
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("kid", &self.meta.kid)
            .field("key_type", &self.key_type)
            .field("alg", &self.meta.alg)
            .field("thumbprint", &self.thumbprint())
            .finish_non_exhaustive()
    }
}

fn weak(detail: String) -> Error {
    Error::with_detail(ErrorCode::WeakKey, detail)
}

fn usage(detail: String) -> Error {
    Error::with_detail(ErrorCode::KeyUsageMismatch, detail)
}

fn rsa_bits(n: &[u8]) -> usize {
    n.first().map_or(0, |b| (n.len() - 1) * 8 + (8 - b.leading_zeros() as usize))
}

/// RSA public key checks shared by verifying and signing keys.
pub(crate) fn check_rsa(n: &[u8], e: &[u8]) -> Result<()> {
    let bits = rsa_bits(n);
    if bits < 2048 {
        return Err(weak(format!("RSA key is {bits} bits; at least 2048 required")));
    }
    if bits > 8192 {
        return Err(Error::with_detail(
            ErrorCode::UnsupportedKey,
            format!("RSA key is {bits} bits; at most 8192 supported"),
        ));
    }
    let odd = e.last().is_some_and(|b| b & 1 == 1);
    let e_val = e
        .iter()
        .try_fold(0u64, |acc, b| if acc >> 32 == 0 { Some((acc << 8) | u64::from(*b)) } else { None });
    match e_val {
        Some(v) if odd && v >= 3 && v <= u64::from(u32::MAX) => {}
        _ => return Err(weak("RSA public exponent must be odd, at least 3 and at most 2^32-1".into())),
    }
    if defects::rsa_has_small_factor(n) {
        return Err(weak("RSA modulus is even or has a prime factor below 1000".into()));
    }
    if roca::is_vulnerable(n) {
        return Err(weak("RSA modulus has the ROCA fingerprint (CVE-2017-15361)".into()));
    }
    Ok(())
}

/// Ed25519 public key checks: 32 bytes, canonical, not of small order.
fn check_ed25519(x: &[u8]) -> Result<()> {
    let bytes: &[u8; 32] =
        x.try_into().map_err(|_| Error::new(ErrorCode::InvalidKey, "Ed25519 public key must be 32 bytes"))?;
    match defects::ed25519_defect(bytes) {
        None => Ok(()),
        Some(Ed25519Defect::NonCanonical) => Err(Error::new(
            ErrorCode::InvalidKey,
            "Ed25519 public key is not canonically encoded (y is not below p)",
        )),
        Some(Ed25519Defect::SmallOrder) => Err(weak(
            "Ed25519 public key is a point of small order: anyone could forge its signatures".into(),
        )),
    }
}

impl VerifyingKey {
    pub(crate) fn build(components: Components, meta: Meta, cert: Option<CertificateInfo>) -> Result<Self> {
        let key_type = match &components {
            Components::Rsa { n, e } => {
                check_rsa(n, e)?;
                KeyType::Rsa
            }
            Components::Ec { curve, .. } => KeyType::Ec(*curve),
            Components::Ed25519 { x } => {
                check_ed25519(x)?;
                KeyType::Ed25519
            }
            Components::Oct { k } => {
                if k.len() < 32 {
                    return Err(weak(format!(
                        "HMAC secret is {} bytes; at least 32 required (RFC 7518 §3.2)",
                        k.len()
                    )));
                }
                KeyType::Oct
            }
        };
        if let Some(u) = &meta.key_use
            && u != "sig"
        {
            return Err(usage(format!("key use `{}` is not `sig`", ujson::loggable_name(u))));
        }
        if let Some(ops) = &meta.key_ops
            && !ops.iter().any(|o| o == "verify")
        {
            return Err(usage("key_ops does not include `verify`".into()));
        }
        let mut permitted: AlgorithmSet = Algorithm::ALL
            .into_iter()
            .filter(|a| a.fits_key_type(key_type))
            .filter(|a| match &components {
                Components::Oct { k } => k.len() >= a.min_secret_len(),
                _ => true,
            })
            .collect();
        if let Some(alg) = meta.alg {
            if !alg.fits_key_type(key_type) {
                return Err(usage(format!("key alg {alg} does not fit a {} key", key_type.kty())));
            }
            if !permitted.contains(alg) {
                return Err(weak(format!("HMAC secret is too short for {alg}")));
            }
            permitted = AlgorithmSet::only(alg);
        }
        let parsed = match &components {
            Components::Rsa { n, e } => crypto::PublicKey::rsa(n, e, permitted)?,
            Components::Ec { curve, point } => crypto::PublicKey::ec(*curve, point)?,
            Components::Ed25519 { x } => crypto::PublicKey::ed25519(x)?,
            Components::Oct { k } => crypto::PublicKey::hmac(k),
        };
        let thumbprint = crypto::sha256(jwk::thumbprint_input(&components).as_bytes());
        let thumbprint_b64 = b64::encode(&thumbprint).into();
        let (x5t, x5t_s256) = cert.map_or((None, None), |c| (Some(c.x5t), Some(c.x5t_s256)));
        Ok(Self {
            meta,
            key_type,
            components,
            thumbprint,
            thumbprint_b64,
            cert,
            x5t,
            x5t_s256,
            cert_der: None,
            permitted,
            parsed,
        })
    }

    fn from_public_components(
        pc: PublicComponents,
        meta: Meta,
        cert: Option<CertificateInfo>,
    ) -> Result<Self> {
        let components = match pc {
            PublicComponents::Rsa(n, e) => Components::Rsa { n, e },
            PublicComponents::Ec(curve, point) => Components::Ec { curve, point },
            PublicComponents::Ed25519(x) => Components::Ed25519 { x },
        };
        Self::build(components, meta, cert)
    }

    /// Parse a public JWK (JSON text). Private members are refused: a verifier
    /// has no business holding them.
    ///
    /// # Errors
    /// `INVALID_KEY`, `WEAK_KEY`, `UNSUPPORTED_KEY` or `KEY_USAGE_MISMATCH`.
    pub fn from_jwk(text: &str) -> Result<Self> {
        Self::from_jwk_object(&jwk::parse_object(text.as_bytes())?)
    }

    /// Parse a public JWK from its parsed members.
    ///
    /// # Errors
    /// As [`VerifyingKey::from_jwk`].
    pub fn from_jwk_object(obj: &Map<String, Value>) -> Result<Self> {
        let j = Jwk(obj);
        let kt = j.key_type()?;
        if kt != KeyType::Oct
            && let Some(m) = j.has_private_members()
        {
            return Err(Error::with_detail(
                ErrorCode::PrivateKeyMaterial,
                format!("public JWK contains private member {m}"),
            ));
        }
        let meta = Meta { kid: j.kid()?, alg: j.alg()?, key_use: j.key_use()?, key_ops: j.key_ops()? };
        let components = components_from_jwk(&j, kt)?;
        let identity = certificate_from_jwk(&j, &components)?;
        let mut key = Self::build(components, meta, identity.cert)?;
        key.cert_der = identity.der;
        if key.cert.is_none() {
            key.x5t = identity.x5t;
            key.x5t_s256 = identity.x5t_s256;
        }
        Ok(key)
    }

    /// Parse a PEM public key: `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY` (PKCS#1)
    /// or `CERTIFICATE` (the first of a chain).
    ///
    /// # Errors
    /// `PRIVATE_KEY_MATERIAL` for a private key; `INVALID_KEY` for other
    /// labels or malformed content; the key checks of [`VerifyingKey::from_jwk`].
    pub fn from_pem(text: &str) -> Result<Self> {
        let (label, der) = pem::first_block(text)?;
        match label.as_str() {
            "PUBLIC KEY" => Self::from_spki_der(&der),
            "RSA PUBLIC KEY" => Self::from_pkcs1_der(&der),
            "CERTIFICATE" => Self::from_certificate_der(&der),
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => {
                Err(Error::new(
                    ErrorCode::PrivateKeyMaterial,
                    "a private key was given where a public key is expected",
                ))
            }
            _ => Err(Error::with_detail(
                ErrorCode::InvalidKey,
                format!("unsupported PEM label `{}`", ujson::loggable_name(&label)),
            )),
        }
    }

    /// Parse a DER SubjectPublicKeyInfo.
    ///
    /// # Errors
    /// As [`VerifyingKey::from_pem`].
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        Self::from_public_components(kder::parse_spki(der)?, Meta::default(), None)
    }

    /// Parse a DER PKCS#1 RSAPublicKey.
    ///
    /// # Errors
    /// As [`VerifyingKey::from_pem`].
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        let (n, e) = kder::parse_rsa_public_key(der)?;
        Self::build(Components::Rsa { n, e }, Meta::default(), None)
    }

    /// Parse a DER X.509 certificate: its key, validity and thumbprints.
    ///
    /// # Errors
    /// As [`VerifyingKey::from_pem`].
    pub fn from_certificate_der(der: &[u8]) -> Result<Self> {
        let c = x509::parse(der)?;
        let info = CertificateInfo {
            not_before: c.not_before,
            not_after: c.not_after,
            x5t: c.x5t,
            x5t_s256: c.x5t_s256,
        };
        let mut key = Self::from_public_components(c.components, Meta::default(), Some(info))?;
        key.cert_der = Some(der.into());
        Ok(key)
    }

    /// A client secret as an HMAC key (`client_secret_jwt`). At least 32
    /// bytes; HS384 and HS512 need 48 and 64 (RFC 7518 §3.2).
    ///
    /// # Errors
    /// `WEAK_KEY` when the secret is shorter than 32 bytes.
    pub fn from_secret(secret: &[u8]) -> Result<Self> {
        Self::build(Components::Oct { k: Zeroizing::new(secret.to_vec()) }, Meta::default(), None)
    }

    /// Set the key id (for keys loaded from PEM or certificates).
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.meta.kid = Some(kid.into());
        self
    }

    /// Restrict the key to one algorithm.
    ///
    /// # Errors
    /// `KEY_USAGE_MISMATCH` when the key cannot verify `alg`.
    pub fn with_alg(mut self, alg: Algorithm) -> Result<Self> {
        if !self.permitted.contains(alg) {
            return Err(usage(format!("a {} key cannot verify {alg}", self.key_type.kty())));
        }
        self.meta.alg = Some(alg);
        self.permitted = AlgorithmSet::only(alg);
        Ok(self)
    }

    /// The key id, if any.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.meta.kid.as_deref()
    }

    /// The algorithm the key is pinned to, if any.
    #[must_use]
    pub const fn alg(&self) -> Option<Algorithm> {
        self.meta.alg
    }

    /// The key type.
    #[must_use]
    pub const fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The algorithms this key may verify.
    #[must_use]
    pub const fn algorithms(&self) -> AlgorithmSet {
        self.permitted
    }

    /// Whether this key may verify `alg` (type, curve, pinned alg, secret length).
    #[must_use]
    pub const fn permits(&self, alg: Algorithm) -> bool {
        self.permitted.contains(alg)
    }

    /// RSA modulus size in bits.
    #[must_use]
    pub fn rsa_bits(&self) -> Option<usize> {
        match &self.components {
            Components::Rsa { n, .. } => Some(rsa_bits(n)),
            _ => None,
        }
    }

    /// The RFC 7638 SHA-256 thumbprint, base64url.
    #[must_use]
    pub fn thumbprint(&self) -> String {
        self.thumbprint_b64.to_string()
    }

    pub(crate) fn thumbprint_shared(&self) -> std::sync::Arc<str> {
        self.thumbprint_b64.clone()
    }

    pub(crate) const fn thumbprint_bytes(&self) -> &[u8; 32] {
        &self.thumbprint
    }

    /// Certificate facts, when the key came from a certificate (PEM, DER,
    /// or a JWK's `x5c`).
    #[must_use]
    pub const fn certificate(&self) -> Option<&CertificateInfo> {
        self.cert.as_ref()
    }

    /// The SHA-1 thumbprint of the key's certificate (`x5t`), from the
    /// certificate or a JWK's `x5t` member.
    #[must_use]
    pub const fn x5t(&self) -> Option<&[u8; 20]> {
        self.x5t.as_ref()
    }

    /// The SHA-256 thumbprint of the key's certificate (`x5t#S256`), from
    /// the certificate or a JWK's `x5t#S256` member.
    #[must_use]
    pub const fn x5t_s256(&self) -> Option<&[u8; 32]> {
        self.x5t_s256.as_ref()
    }

    /// The public JWK (with kid, alg, `use: sig`, and for a certificate its
    /// `x5c`, `x5t` and `x5t#S256`). `None` for HMAC secrets, which are never
    /// exported.
    #[must_use]
    pub fn to_jwk(&self) -> Option<Value> {
        let mut v = match &self.components {
            Components::Rsa { n, e } => json!({"kty": "RSA", "n": b64::encode(n), "e": b64::encode(e)}),
            Components::Ec { curve, point } => {
                let (x, y) = split_point(*curve, point);
                json!({"kty": "EC", "crv": curve.name(), "x": b64::encode(x), "y": b64::encode(y)})
            }
            Components::Ed25519 { x } => json!({"kty": "OKP", "crv": "Ed25519", "x": b64::encode(x)}),
            Components::Oct { .. } => return None,
        };
        if let Some(obj) = v.as_object_mut() {
            if let Some(kid) = &self.meta.kid {
                obj.insert("kid".into(), Value::String(kid.clone()));
            }
            if let Some(alg) = self.meta.alg {
                obj.insert("alg".into(), Value::String(alg.name().into()));
            }
            obj.insert("use".into(), Value::String("sig".into()));
            if let Some(t) = &self.x5t {
                obj.insert("x5t".into(), Value::String(b64::encode(t)));
            }
            if let Some(t) = &self.x5t_s256 {
                obj.insert("x5t#S256".into(), Value::String(b64::encode(t)));
            }
            if let Some(der) = &self.cert_der {
                use base64::Engine as _;
                let cert = base64::engine::general_purpose::STANDARD.encode(der);
                obj.insert("x5c".into(), Value::Array(vec![Value::String(cert)]));
            }
        }
        Some(v)
    }

    /// The exact signature length for `alg` with this key.
    fn signature_len(&self, alg: Algorithm) -> usize {
        match (&self.components, alg) {
            (Components::Rsa { n, .. }, _) => n.len(),
            (Components::Ec { curve, .. }, _) => 2 * curve.coordinate_len(),
            (Components::Ed25519 { .. }, _) => 64,
            (Components::Oct { .. }, Algorithm::HS384) => 48,
            (Components::Oct { .. }, Algorithm::HS512) => 64,
            (Components::Oct { .. }, _) => 32,
        }
    }

    /// Verify a raw JWS signature over `signing_input` (rule 5 alone: no
    /// header or claim checks). The alg must be permitted for this key, the
    /// length exact (ECDSA raw R||S, never DER), and for ECDSA neither r nor s
    /// zero.
    ///
    /// # Errors
    /// `SIGNATURE_INVALID`.
    pub fn verify_signature(&self, alg: Algorithm, signing_input: &[u8], signature: &[u8]) -> Result<()> {
        if self.verify(alg, signing_input, signature) {
            Ok(())
        } else {
            Err(Error::new(ErrorCode::SignatureInvalid, "signature does not verify"))
        }
    }

    pub(crate) fn verify(&self, alg: Algorithm, signing_input: &[u8], signature: &[u8]) -> bool {
        if !self.permits(alg) || signature.len() != self.signature_len(alg) {
            return false;
        }
        if let Components::Ec { curve, .. } = &self.components {
            let (r, s) = signature.split_at(curve.coordinate_len());
            if r.iter().all(|b| *b == 0) || s.iter().all(|b| *b == 0) {
                return false;
            }
        }
        self.parsed.verify(alg, signing_input, signature)
    }
}

/// The certificate a JWK carries in `x5c` (RFC 7517 §4.7: standard base64
/// DER, the key's own certificate first), checked against the key: its
/// public key must be the JWK's, and `x5t` / `x5t#S256`, when given, must be
/// its thumbprints. A JWK whose members disagree is refused, whatever else
/// would select it.
/// What a JWK says of its certificate: the certificate itself (`x5c`), or
/// only its thumbprints.
struct JwkCertificate {
    cert: Option<CertificateInfo>,
    der: Option<std::sync::Arc<[u8]>>,
    x5t: Option<[u8; 20]>,
    x5t_s256: Option<[u8; 32]>,
}

fn certificate_from_jwk(j: &Jwk<'_>, components: &Components) -> Result<JwkCertificate> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    const STANDARD: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let thumb = |name: &str, len: usize| -> Result<Option<Vec<u8>>> {
        j.str(name)?
            .map(|t| {
                b64::decode_padding_optional(t.as_bytes())
                    .filter(|d| d.len() == len)
                    .ok_or_else(|| jwk::invalid(format!("JWK member `{name}` is not a base64url thumbprint")))
            })
            .transpose()
    };
    let x5t = thumb("x5t", 20)?;
    let x5t_s256 = thumb("x5t#S256", 32)?;
    let first = match j.0.get("x5c") {
        None => {
            return Ok(JwkCertificate {
                cert: None,
                der: None,
                x5t: x5t.and_then(|t| t.try_into().ok()),
                x5t_s256: x5t_s256.and_then(|t| t.try_into().ok()),
            });
        }
        Some(Value::Array(items)) if !items.is_empty() => {
            if !items.iter().all(Value::is_string) {
                return Err(jwk::invalid("JWK member `x5c` must be an array of strings".into()));
            }
            items.first().and_then(Value::as_str).unwrap_or_default()
        }
        Some(_) => return Err(jwk::invalid("JWK member `x5c` must be a non-empty array of strings".into())),
    };
    let der = STANDARD
        .decode(first)
        .map_err(|_| jwk::invalid("JWK x5c[0] is not standard base64 (RFC 7517 §4.7)".into()))?;
    let c = x509::parse(&der).map_err(|e| jwk::invalid(format!("JWK x5c[0]: {}", e.detail())))?;
    let cert_components = match c.components {
        PublicComponents::Rsa(n, e) => Components::Rsa { n, e },
        PublicComponents::Ec(curve, point) => Components::Ec { curve, point },
        PublicComponents::Ed25519(x) => Components::Ed25519 { x },
    };
    if jwk::thumbprint_input(&cert_components) != jwk::thumbprint_input(components) {
        return Err(jwk::invalid("JWK x5c[0] is the certificate of another key".into()));
    }
    if x5t.is_some_and(|t| t != c.x5t) {
        return Err(jwk::invalid("JWK x5t is not the SHA-1 thumbprint of x5c[0]".into()));
    }
    if x5t_s256.is_some_and(|t| t != c.x5t_s256) {
        return Err(jwk::invalid("JWK x5t#S256 is not the SHA-256 thumbprint of x5c[0]".into()));
    }
    let cert = CertificateInfo {
        not_before: c.not_before,
        not_after: c.not_after,
        x5t: c.x5t,
        x5t_s256: c.x5t_s256,
    };
    Ok(JwkCertificate {
        cert: Some(cert),
        der: Some(der.into()),
        x5t: Some(c.x5t),
        x5t_s256: Some(c.x5t_s256),
    })
}

pub(crate) fn components_from_jwk(j: &Jwk<'_>, kt: KeyType) -> Result<Components> {
    Ok(match kt {
        KeyType::Rsa => {
            let n = j.bytes("n")?;
            let e = j.bytes("e")?;
            Components::Rsa {
                n: kder::strip_leading_zeros(&n).to_vec(),
                e: kder::strip_leading_zeros(&e).to_vec(),
            }
        }
        KeyType::Ec(curve) => {
            let x = j.bytes("x")?;
            let y = j.bytes("y")?;
            if x.len() != curve.coordinate_len() || y.len() != curve.coordinate_len() {
                return Err(jwk::invalid(format!(
                    "EC coordinates must be {} bytes for {}",
                    curve.coordinate_len(),
                    curve.name()
                )));
            }
            let mut point = Vec::with_capacity(1 + 2 * x.len());
            point.push(4);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            Components::Ec { curve, point }
        }
        KeyType::Ed25519 => {
            let x = j.bytes("x")?;
            if x.len() != 32 {
                return Err(jwk::invalid("Ed25519 x must be 32 bytes".into()));
            }
            Components::Ed25519 { x }
        }
        KeyType::Oct => {
            let k = Zeroizing::new(j.bytes("k")?);
            if k.is_empty() {
                return Err(weak("HMAC secret is empty".into()));
            }
            Components::Oct { k }
        }
    })
}

/// A JSON Web Key Set of verifying keys.
///
/// Refuses duplicate kids and sets that mix symmetric and asymmetric keys
/// (either makes key selection ambiguous).
#[derive(Debug, Default)]
pub struct JwkSet {
    keys: Vec<VerifyingKey>,
}

impl JwkSet {
    /// Parse a JWKS document (`{"keys": [...]}`).
    ///
    /// # Errors
    /// `INVALID_KEY` for malformed documents, duplicate kids or mixed sets;
    /// a key's own error, with its index, for a bad key.
    pub fn from_json(text: &str) -> Result<Self> {
        let obj = jwk::parse_object(text.as_bytes())?;
        let Some(Value::Array(items)) = obj.get("keys") else {
            return Err(Error::new(ErrorCode::InvalidKey, "JWKS must have a `keys` array"));
        };
        let mut keys = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let Value::Object(m) = item else {
                return Err(Error::with_detail(
                    ErrorCode::InvalidKey,
                    format!("JWKS key {i} is not an object"),
                ));
            };
            let key = VerifyingKey::from_jwk_object(m)
                .map_err(|e| Error::with_detail(e.code(), format!("JWKS key {i}: {}", e.detail())))?;
            keys.push(key);
        }
        Self::from_keys(keys)
    }

    /// Build a set from keys, with the same checks as [`JwkSet::from_json`].
    ///
    /// # Errors
    /// `INVALID_KEY` for duplicate kids or a mix of symmetric and asymmetric keys.
    pub fn from_keys(keys: Vec<VerifyingKey>) -> Result<Self> {
        for (i, k) in keys.iter().enumerate() {
            if let Some(kid) = k.kid()
                && keys.iter().take(i).any(|o| o.kid() == Some(kid))
            {
                return Err(Error::with_detail(
                    ErrorCode::DuplicateKeyId,
                    format!("JWKS has duplicate kid `{}`", ujson::loggable_name(kid)),
                ));
            }
        }
        let symmetric = keys.iter().filter(|k| k.key_type() == KeyType::Oct).count();
        if symmetric != 0 && symmetric != keys.len() {
            return Err(Error::new(ErrorCode::InvalidKey, "JWKS mixes symmetric and asymmetric keys"));
        }
        Ok(Self { keys })
    }

    /// A set a client publishes (`jwks_uri`): one `kid` may name several
    /// keys when they are told apart by type, curve or `alg` — no two of them
    /// verify the same algorithm (FAPI 2.0, duplicate key identifiers), as
    /// when an RSA and an EC key are rotated in under one name. Keys sharing
    /// a kid that an algorithm could not tell apart are refused.
    ///
    /// # Errors
    /// `DUPLICATE_KEY_ID` for an ambiguous kid; `INVALID_KEY` for a mixed set.
    pub(crate) fn from_published_keys(keys: Vec<VerifyingKey>) -> Result<Self> {
        for (i, k) in keys.iter().enumerate() {
            if let Some(kid) = k.kid()
                && keys
                    .iter()
                    .take(i)
                    .any(|o| o.kid() == Some(kid) && !o.algorithms().intersect(k.algorithms()).is_empty())
            {
                return Err(Error::with_detail(
                    ErrorCode::DuplicateKeyId,
                    format!(
                        "JWKS has two keys with kid `{}` for the same algorithm",
                        ujson::loggable_name(kid)
                    ),
                ));
            }
        }
        let symmetric = keys.iter().filter(|k| k.key_type() == KeyType::Oct).count();
        if symmetric != 0 && symmetric != keys.len() {
            return Err(Error::new(ErrorCode::InvalidKey, "JWKS mixes symmetric and asymmetric keys"));
        }
        Ok(Self { keys })
    }

    /// The keys.
    #[must_use]
    pub fn keys(&self) -> &[VerifyingKey] {
        &self.keys
    }

    /// The public JWKS document (HMAC secrets are left out).
    #[must_use]
    pub fn to_json(&self) -> String {
        let keys: Vec<Value> = self.keys.iter().filter_map(VerifyingKey::to_jwk).collect();
        json!({ "keys": keys }).to_string()
    }
}

impl From<VerifyingKey> for JwkSet {
    fn from(k: VerifyingKey) -> Self {
        Self { keys: vec![k] }
    }
}
