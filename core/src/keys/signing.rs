//! Signing keys (client side), kept parsed for their whole life.

use std::fmt;

use serde_json::Value;
use zeroize::Zeroizing;

use super::der::parse_rsa_public_key;
use super::jwk::{self, Jwk};
use super::verifying::{Meta, VerifyingKey, check_rsa, components_from_jwk};
use super::{Components, pem};
use crate::algorithm::{Algorithm, KeyType};
use crate::crypto::{PrivateKey, PublicParts};
use crate::error::{Error, ErrorCode, Result};

/// A private key (or client secret) that signs client assertions.
///
/// Parsed once; signing never re-parses it. `Send + Sync`; the secret
/// material is zeroized when it is dropped. `Debug` never prints it.
pub struct SigningKey {
    key: PrivateKey,
    alg: Algorithm,
    kid: Option<String>,
    public: VerifyingKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .field("thumbprint", &self.public.thumbprint())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    fn new(key: PrivateKey, alg: Option<Algorithm>, kid: Option<String>) -> Result<Self> {
        let components = match key.public_parts() {
            PublicParts::RsaPkcs1(der) => {
                let (n, e) = parse_rsa_public_key(&der)?;
                check_rsa(&n, &e)?;
                Components::Rsa { n, e }
            }
            PublicParts::EcPoint(curve, point) => Components::Ec { curve, point },
            PublicParts::Ed25519(x) => Components::Ed25519 { x },
            PublicParts::Secret(k) => Components::Oct { k },
        };
        let kt = key.key_type();
        let alg = alg.unwrap_or(Algorithm::default_for(kt));
        if !alg.fits_key_type(kt) {
            return Err(Error::with_detail(
                ErrorCode::KeyUsageMismatch,
                format!("{alg} cannot be used with a {} key", kt.kty()),
            ));
        }
        let meta = Meta { kid: kid.clone(), alg: Some(alg), key_use: None, key_ops: None };
        let public = VerifyingKey::build(components, meta, None)?;
        Ok(Self { key, alg, kid, public })
    }

    /// Parse a PEM private key: `PRIVATE KEY` (PKCS#8: RSA, EC, Ed25519),
    /// `RSA PRIVATE KEY` (PKCS#1) or `EC PRIVATE KEY` (SEC1). The algorithm
    /// defaults to RS256, the curve's ES*, or EdDSA.
    ///
    /// # Errors
    /// `INVALID_KEY`, `WEAK_KEY` or `UNSUPPORTED_KEY`.
    pub fn from_pem(text: &str) -> Result<Self> {
        let (label, der) = pem::first_block(text)?;
        let key = match label.as_str() {
            "PRIVATE KEY" => return Self::from_pkcs8_der(&der),
            "RSA PRIVATE KEY" => PrivateKey::rsa_pkcs1(&der)?,
            "EC PRIVATE KEY" => PrivateKey::ec_sec1(&der)?,
            "ENCRYPTED PRIVATE KEY" => {
                return Err(Error::new(
                    ErrorCode::UnsupportedKey,
                    "encrypted private keys are not supported",
                ));
            }
            _ => {
                return Err(Error::with_detail(
                    ErrorCode::InvalidKey,
                    format!("PEM label `{}` is not a private key", crate::json::loggable_name(&label)),
                ));
            }
        };
        Self::new(key, None, None)
    }

    /// Parse a DER PKCS#8 `PrivateKeyInfo` (RSA, EC P-256/384/521, Ed25519).
    ///
    /// # Errors
    /// As [`SigningKey::from_pem`].
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let key = match PrivateKey::rsa_pkcs8(der).or_else(|_| PrivateKey::ec_pkcs8(der)) {
            Ok(key) => key,
            // A key the provider cannot use (ring: P-521) says so.
            Err(e) if e.code() == ErrorCode::ProviderUnsupported => return Err(e),
            Err(_) => PrivateKey::ed25519_pkcs8(der).map_err(|_| {
                Error::new(ErrorCode::InvalidKey, "not a PKCS#8 RSA (≥ 2048 bits), EC or Ed25519 private key")
            })?,
        };
        Self::new(key, None, None)
    }

    /// Parse a private JWK (RSA with CRT members, EC, OKP Ed25519, or oct).
    /// Its `kid` and `alg` are kept.
    ///
    /// # Errors
    /// As [`SigningKey::from_pem`], and `KEY_USAGE_MISMATCH` when `use` or
    /// `key_ops` forbid signing.
    pub fn from_jwk(text: &str) -> Result<Self> {
        let obj = jwk::parse_object(text.as_bytes())?;
        let j = Jwk(&obj);
        let kt = j.key_type()?;
        if let Some(u) = j.key_use()?
            && u != "sig"
        {
            return Err(Error::new(ErrorCode::KeyUsageMismatch, "key use is not `sig`"));
        }
        if let Some(ops) = j.key_ops()?
            && !ops.iter().any(|o| o == "sign")
        {
            return Err(Error::new(ErrorCode::KeyUsageMismatch, "key_ops does not include `sign`"));
        }
        let components = components_from_jwk(&j, kt)?;
        let key = match (&components, kt) {
            (Components::Rsa { n, e }, _) => {
                if obj.contains_key("oth") {
                    return Err(Error::new(
                        ErrorCode::UnsupportedKey,
                        "multi-prime RSA keys are not supported",
                    ));
                }
                let m = |name| j.bytes(name).map(Zeroizing::new);
                let (d, p, q, dp, dq, qi) = (m("d")?, m("p")?, m("q")?, m("dp")?, m("dq")?, m("qi")?);
                PrivateKey::rsa_components(n, e, &d, &p, &q, &dp, &dq, &qi)?
            }
            (Components::Ec { point, .. }, KeyType::Ec(curve)) => {
                let d = Zeroizing::new(j.bytes("d")?);
                PrivateKey::ec_components(curve, &d, point)?
            }
            (Components::Ed25519 { x }, _) => {
                let d = Zeroizing::new(j.bytes("d")?);
                PrivateKey::ed25519_seed(&d, x)?
            }
            (Components::Oct { k }, _) => {
                if k.len() < 32 {
                    return Err(Error::new(ErrorCode::WeakKey, "HMAC secret shorter than 32 bytes"));
                }
                PrivateKey::hmac(k)
            }
            (Components::Ec { .. }, _) => {
                return Err(Error::new(ErrorCode::Internal, "EC components without an EC key type"));
            }
        };
        Self::new(key, j.alg()?, j.kid()?)
    }

    /// A client secret for `client_secret_jwt` with `alg` (HS256/384/512).
    ///
    /// # Errors
    /// `KEY_USAGE_MISMATCH` for a non-HMAC alg; `WEAK_KEY` when the secret is
    /// shorter than the hash (32/48/64 bytes, RFC 7518 §3.2).
    pub fn from_secret(secret: &[u8], alg: Algorithm) -> Result<Self> {
        if !alg.is_symmetric() {
            return Err(Error::new(ErrorCode::KeyUsageMismatch, "a client secret signs only HS256/384/512"));
        }
        if secret.len() < alg.min_secret_len() {
            return Err(Error::with_detail(
                ErrorCode::WeakKey,
                format!("{alg} needs a secret of at least {} bytes", alg.min_secret_len()),
            ));
        }
        Self::new(PrivateKey::hmac(secret), Some(alg), None)
    }

    /// Generate a new key for `alg` (RSA: 2048 bits; HMAC: a random secret of
    /// the hash size).
    ///
    /// # Errors
    /// `CRYPTO_FAILURE` if the provider fails.
    pub fn generate(alg: Algorithm) -> Result<Self> {
        Self::new(PrivateKey::generate(alg, 2048)?, Some(alg), None)
    }

    /// Generate an RSA key of `bits` (2048, 3072, 4096) for `alg`.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for another size or a non-RSA alg.
    pub fn generate_rsa(alg: Algorithm, bits: usize) -> Result<Self> {
        if KeyType::from_alg(alg) != KeyType::Rsa {
            return Err(Error::new(ErrorCode::InvalidArgument, "generate_rsa needs an RS* or PS* algorithm"));
        }
        Self::new(PrivateKey::generate(alg, bits)?, Some(alg), None)
    }

    /// Use `alg` for signing.
    ///
    /// # Errors
    /// `KEY_USAGE_MISMATCH` when the key cannot produce `alg` signatures;
    /// `WEAK_KEY` when an HMAC secret is shorter than `alg` needs.
    pub fn with_alg(self, alg: Algorithm) -> Result<Self> {
        Self::new(self.key, Some(alg), self.kid)
    }

    /// Set the key id put in the JWS header and the public JWK.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        let kid = kid.into();
        self.public = self.public.with_kid(kid.clone());
        self.kid = Some(kid);
        self
    }

    /// The signing algorithm.
    #[must_use]
    pub const fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The explicit key id, if any.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The RFC 7638 thumbprint of the public key, base64url.
    #[must_use]
    pub fn thumbprint(&self) -> String {
        self.public.thumbprint()
    }

    /// The key type.
    #[must_use]
    pub fn key_type(&self) -> KeyType {
        self.key.key_type()
    }

    /// The matching verifying key (for HMAC: the same secret).
    #[must_use]
    pub const fn verifying_key(&self) -> &VerifyingKey {
        &self.public
    }

    /// The public JWK with kid (or the thumbprint as kid), alg and `use: sig`.
    /// `None` for HMAC secrets.
    #[must_use]
    pub fn public_jwk(&self) -> Option<Value> {
        let mut v = self.public.to_jwk()?;
        if let Some(obj) = v.as_object_mut() {
            obj.entry("kid").or_insert_with(|| Value::String(self.thumbprint()));
        }
        Some(v)
    }

    /// The private key as PKCS#8 PEM (`PRIVATE KEY`), zeroized on drop.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for HMAC secrets, which have no PEM form.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        let der = self
            .key
            .pkcs8_der()?
            .ok_or(Error::new(ErrorCode::InvalidArgument, "an HMAC secret has no PEM form"))?;
        pem::encode("PRIVATE KEY", &der)
    }

    /// The public key as SPKI PEM (`PUBLIC KEY`).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for HMAC secrets.
    pub fn to_public_pem(&self) -> Result<String> {
        let der = self
            .key
            .public_spki_der()?
            .ok_or(Error::new(ErrorCode::InvalidArgument, "an HMAC secret has no PEM form"))?;
        pem::encode("PUBLIC KEY", &der).map(|s| s.to_string())
    }

    /// Sign raw bytes (a JWS signing input) with this key's algorithm. ECDSA
    /// signatures are raw R||S as JWS requires.
    ///
    /// # Errors
    /// `CRYPTO_FAILURE` if the provider fails.
    pub fn sign_bytes(&self, signing_input: &[u8]) -> Result<Vec<u8>> {
        self.sign(signing_input)
    }

    pub(crate) fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>> {
        self.key.sign(self.alg, signing_input)
    }
}
