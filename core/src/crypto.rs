//! Every call into the cryptographic provider lives in this module.
//!
//! The rest of the crate sees only [`PublicKey`], [`PrivateKey`] and a few
//! free functions, so the provider is chosen here and nowhere else: aws-lc-rs
//! (the default, feature `aws-lc`), aws-lc-rs on the AWS-LC FIPS module
//! (feature `fips`, which wins over `ring`) or ring (feature `ring`). Keys are
//! parsed once, at construction: with aws-lc-rs verifying keys are held as
//! `ParsedPublicKey` (one per algorithm the key may verify, since the
//! provider binds a parsed key to its padding and hash); ring has no parsed
//! form, so its RSA keys are checked at load and parsed again per verify.
//! HMAC secrets are prepared `hmac::Key`s, private keys key pairs. What a
//! provider cannot do (ring: P-521, RSA key generation) is refused when the
//! key is loaded or generated, with `PROVIDER_UNSUPPORTED`, never at verify
//! time.

#[cfg(not(any(feature = "aws-lc", feature = "ring")))]
compile_error!("jwtauth needs a crypto provider: feature `aws-lc` (the default), `fips` or `ring`");

use zeroize::Zeroizing;

use crate::algorithm::{Algorithm, AlgorithmSet, Curve, KeyType};
use crate::error::{Error, ErrorCode, Result};

use imp::p::signature::{self as sig, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};
use imp::p::{digest, hmac};

/// The provider in this build: `"aws-lc-rs"`, `"aws-lc-rs (FIPS)"` or `"ring"`.
#[must_use]
pub const fn provider() -> &'static str {
    imp::NAME
}

/// Whether the library runs on a FIPS 140-3 validated module in FIPS mode:
/// true only in a `fips` build whose module passed its power-on self tests.
#[must_use]
pub fn fips_mode() -> bool {
    #[cfg(feature = "fips")]
    {
        aws_lc_rs::try_fips_mode().is_ok()
    }
    #[cfg(not(feature = "fips"))]
    {
        false
    }
}

/// The rustls provider on the same crypto provider (and in a `fips` build,
/// restricted to what the FIPS module approves), for the HTTPS and Redis
/// TLS connections the library opens and for hosts that want the same.
#[cfg(any(feature = "remote-jwks", feature = "redis"))]
#[must_use]
pub fn rustls_provider() -> std::sync::Arc<rustls::crypto::CryptoProvider> {
    std::sync::Arc::new(imp::rustls_provider())
}

#[cfg(all(feature = "ring", not(feature = "fips")))]
fn unsupported(what: &'static str) -> Error {
    Error::new(ErrorCode::ProviderUnsupported, what)
}

fn rsa_params(alg: Algorithm) -> Option<&'static sig::RsaParameters> {
    Some(match alg {
        Algorithm::RS256 => &sig::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::RS384 => &sig::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &sig::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &sig::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &sig::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &sig::RSA_PSS_2048_8192_SHA512,
        _ => return None,
    })
}

fn rsa_encoding(alg: Algorithm) -> Option<&'static dyn sig::RsaEncoding> {
    Some(match alg {
        Algorithm::RS256 => &sig::RSA_PKCS1_SHA256,
        Algorithm::RS384 => &sig::RSA_PKCS1_SHA384,
        Algorithm::RS512 => &sig::RSA_PKCS1_SHA512,
        Algorithm::PS256 => &sig::RSA_PSS_SHA256,
        Algorithm::PS384 => &sig::RSA_PSS_SHA384,
        Algorithm::PS512 => &sig::RSA_PSS_SHA512,
        _ => return None,
    })
}

/// The HMAC keys a secret serves: one per algorithm its length allows
/// (RFC 7518 §3.2: HS256 32 bytes, HS384 48, HS512 64), each in its own
/// allocation. An aws-lc HMAC key holds its precomputed inner and outer hash
/// states inline (about 1.2 KB), so a 32-byte secret costs one key, not
/// three (docs/PERFORMANCE.md, "How the cost grows").
pub(crate) struct HmacKeys {
    hs256: Option<Box<hmac::Key>>,
    hs384: Option<Box<hmac::Key>>,
    hs512: Option<Box<hmac::Key>>,
}

impl HmacKeys {
    fn get(&self, alg: Algorithm) -> Option<&hmac::Key> {
        match alg {
            Algorithm::HS256 => self.hs256.as_deref(),
            Algorithm::HS384 => self.hs384.as_deref(),
            Algorithm::HS512 => self.hs512.as_deref(),
            _ => None,
        }
    }
}

fn hmac_keys(secret: &[u8]) -> HmacKeys {
    let key = |alg: Algorithm, which| {
        (secret.len() >= alg.min_secret_len()).then(|| Box::new(hmac::Key::new(which, secret)))
    };
    HmacKeys {
        hs256: key(Algorithm::HS256, hmac::HMAC_SHA256),
        hs384: key(Algorithm::HS384, hmac::HMAC_SHA384),
        hs512: key(Algorithm::HS512, hmac::HMAC_SHA512),
    }
}

fn rejected(what: &'static str) -> Error {
    Error::new(ErrorCode::InvalidKey, what)
}

/// A verifying key in the provider's form.
pub(crate) enum PublicKey {
    Rsa(imp::RsaPublic),
    Ec(imp::PointKey),
    Ed25519(imp::PointKey),
    /// Prepared HMAC keys for HS256, HS384, HS512.
    Hmac(HmacKeys),
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Rsa(_) => "PublicKey::Rsa",
            Self::Ec(_) => "PublicKey::Ec",
            Self::Ed25519(_) => "PublicKey::Ed25519",
            Self::Hmac(_) => "PublicKey::Hmac(..)",
        })
    }
}

impl PublicKey {
    /// An RSA key from its modulus and exponent (big-endian, no leading zeros),
    /// checked (and with aws-lc-rs parsed) for each algorithm of `algs` it may verify.
    pub(crate) fn rsa(n: &[u8], e: &[u8], algs: AlgorithmSet) -> Result<Self> {
        imp::rsa_public(n, e, algs).map(Self::Rsa)
    }

    /// An EC key from its uncompressed SEC1 point; the provider checks that the
    /// point is on the curve.
    pub(crate) fn ec(curve: Curve, point: &[u8]) -> Result<Self> {
        imp::ec_public(curve, point).map(Self::Ec)
    }

    /// An Ed25519 key from its 32 raw bytes.
    pub(crate) fn ed25519(x: &[u8]) -> Result<Self> {
        if x.len() != 32 {
            return Err(rejected("Ed25519 public key must be 32 bytes"));
        }
        imp::ed25519_public(x).map(Self::Ed25519)
    }

    /// HMAC keys prepared for HS256/384/512.
    pub(crate) fn hmac(secret: &[u8]) -> Self {
        Self::Hmac(hmac_keys(secret))
    }

    /// Verify `signature` over `message`. The caller has already checked that the
    /// key type fits `alg` and that the signature has the exact length.
    pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Self::Rsa(k) => imp::rsa_verify(k, alg, message, signature),
            Self::Ec(k) | Self::Ed25519(k) => imp::point_verify(k, message, signature),
            // Constant-time comparison inside the provider.
            Self::Hmac(keys) => {
                keys.get(alg).is_some_and(|key| hmac::verify(key, message, signature).is_ok())
            }
        }
    }
}

/// A signing key kept parsed (the provider's key pair, or prepared HMAC
/// keys), with what the provider needs to export it (`imp::Export`: nothing
/// for aws-lc-rs, which exports its own keys; the PKCS#8 document for ring).
pub(crate) enum PrivateKey {
    Rsa(RsaKeyPair, imp::Export),
    Ec(EcdsaKeyPair, Curve, imp::Export),
    Ed25519(Ed25519KeyPair, imp::Export),
    Hmac(HmacKeys, Zeroizing<Vec<u8>>),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Rsa(..) => "PrivateKey::Rsa(..)",
            Self::Ec(..) => "PrivateKey::Ec(..)",
            Self::Ed25519(..) => "PrivateKey::Ed25519(..)",
            Self::Hmac(..) => "PrivateKey::Hmac(..)",
        })
    }
}

/// Public components of a private key, for building the public key and JWK.
pub(crate) enum PublicParts {
    /// PKCS#1 `RSAPublicKey` DER.
    RsaPkcs1(Vec<u8>),
    /// Uncompressed SEC1 point.
    EcPoint(Curve, Vec<u8>),
    Ed25519(Vec<u8>),
    Secret(Zeroizing<Vec<u8>>),
}

impl PrivateKey {
    pub(crate) fn key_type(&self) -> KeyType {
        match self {
            Self::Rsa(..) => KeyType::Rsa,
            Self::Ec(_, c, _) => KeyType::Ec(*c),
            Self::Ed25519(..) => KeyType::Ed25519,
            Self::Hmac(..) => KeyType::Oct,
        }
    }

    /// RSA from PKCS#8 `PrivateKeyInfo` DER.
    pub(crate) fn rsa_pkcs8(der: &[u8]) -> Result<Self> {
        imp::rsa_pkcs8(der).map(|(k, x)| Self::Rsa(k, x))
    }

    /// RSA from PKCS#1 `RSAPrivateKey` DER.
    pub(crate) fn rsa_pkcs1(der: &[u8]) -> Result<Self> {
        imp::rsa_pkcs1(der).map(|(k, x)| Self::Rsa(k, x))
    }

    /// RSA from JWK components; the provider checks their consistency.
    #[allow(clippy::too_many_arguments, clippy::many_single_char_names, reason = "RSA component names")]
    pub(crate) fn rsa_components(
        n: &[u8],
        e: &[u8],
        d: &[u8],
        p: &[u8],
        q: &[u8],
        dp: &[u8],
        dq: &[u8],
        qi: &[u8],
    ) -> Result<Self> {
        imp::rsa_components([n, e, d, p, q, dp, dq, qi]).map(|(k, x)| Self::Rsa(k, x))
    }

    /// ECDSA from PKCS#8 DER, trying each supported curve.
    pub(crate) fn ec_pkcs8(der: &[u8]) -> Result<Self> {
        imp::ec_pkcs8(der).map(|(k, c, x)| Self::Ec(k, c, x))
    }

    /// ECDSA from SEC1 `ECPrivateKey` DER (RFC 5915), trying each supported curve.
    pub(crate) fn ec_sec1(der: &[u8]) -> Result<Self> {
        imp::ec_sec1(der).map(|(k, c, x)| Self::Ec(k, c, x))
    }

    /// ECDSA from the private scalar and the uncompressed public point.
    pub(crate) fn ec_components(curve: Curve, d: &[u8], point: &[u8]) -> Result<Self> {
        imp::ec_components(curve, d, point).map(|(k, x)| Self::Ec(k, curve, x))
    }

    /// Ed25519 from PKCS#8 (v1 or v2) DER.
    pub(crate) fn ed25519_pkcs8(der: &[u8]) -> Result<Self> {
        imp::ed25519_pkcs8(der).map(|(k, x)| Self::Ed25519(k, x))
    }

    /// Ed25519 from the seed and public key (JWK `d` and `x`).
    pub(crate) fn ed25519_seed(seed: &[u8], public: &[u8]) -> Result<Self> {
        imp::ed25519_seed(seed, public).map(|(k, x)| Self::Ed25519(k, x))
    }

    /// An HMAC secret.
    pub(crate) fn hmac(secret: &[u8]) -> Self {
        Self::Hmac(hmac_keys(secret), Zeroizing::new(secret.to_vec()))
    }

    /// Generate a fresh key for `alg` (RSA keys are 2048 bits).
    pub(crate) fn generate(alg: Algorithm, rsa_bits: usize) -> Result<Self> {
        match KeyType::from_alg(alg) {
            KeyType::Rsa => {
                if ![2048, 3072, 4096, 8192].contains(&rsa_bits) {
                    return Err(Error::new(
                        ErrorCode::InvalidArgument,
                        "RSA key size must be 2048, 3072, 4096 or 8192 bits",
                    ));
                }
                imp::rsa_generate(rsa_bits).map(|(k, x)| Self::Rsa(k, x))
            }
            KeyType::Ec(c) => imp::ec_generate(c).map(|(k, x)| Self::Ec(k, c, x)),
            KeyType::Ed25519 => imp::ed25519_generate().map(|(k, x)| Self::Ed25519(k, x)),
            KeyType::Oct => {
                let mut secret = Zeroizing::new(vec![0u8; alg.min_secret_len()]);
                fill_random(&mut secret)?;
                Ok(Self::hmac(&secret))
            }
        }
    }

    /// Sign `message` with `alg` (which the caller has checked fits the key).
    pub(crate) fn sign(&self, alg: Algorithm, message: &[u8]) -> Result<Vec<u8>> {
        let fail = |_| Error::new(ErrorCode::CryptoFailure, "signing failed");
        let rng = imp::p::rand::SystemRandom::new();
        match self {
            Self::Rsa(kp, _) => {
                let enc = rsa_encoding(alg)
                    .ok_or(Error::new(ErrorCode::InvalidArgument, "algorithm does not fit an RSA key"))?;
                let mut out = vec![0u8; imp::modulus_len(kp)];
                kp.sign(enc, &rng, message, &mut out).map_err(fail)?;
                Ok(out)
            }
            Self::Ec(kp, ..) => kp.sign(&rng, message).map(|s| s.as_ref().to_vec()).map_err(fail),
            Self::Ed25519(kp, _) => Ok(kp.sign(message).as_ref().to_vec()),
            Self::Hmac(keys, _) => {
                let key = keys
                    .get(alg)
                    .ok_or(Error::new(ErrorCode::InvalidArgument, "algorithm does not fit an HMAC secret"))?;
                Ok(hmac::sign(key, message).as_ref().to_vec())
            }
        }
    }

    /// The public half.
    pub(crate) fn public_parts(&self) -> PublicParts {
        match self {
            Self::Rsa(kp, _) => PublicParts::RsaPkcs1(kp.public_key().as_ref().to_vec()),
            Self::Ec(kp, c, _) => PublicParts::EcPoint(*c, kp.public_key().as_ref().to_vec()),
            Self::Ed25519(kp, _) => PublicParts::Ed25519(kp.public_key().as_ref().to_vec()),
            Self::Hmac(_, secret) => PublicParts::Secret(secret.clone()),
        }
    }

    /// The public key as DER SubjectPublicKeyInfo. None for HMAC secrets.
    pub(crate) fn public_spki_der(&self) -> Result<Option<Vec<u8>>> {
        if matches!(self, Self::Hmac(..)) {
            return Ok(None);
        }
        imp::public_spki_der(self).map(Some)
    }

    /// PKCS#8 `PrivateKeyInfo` DER (v1), zeroized on drop. None for HMAC secrets.
    pub(crate) fn pkcs8_der(&self) -> Result<Option<Zeroizing<Vec<u8>>>> {
        if matches!(self, Self::Hmac(..)) {
            return Ok(None);
        }
        imp::pkcs8_der(self).map(Some)
    }
}

impl KeyType {
    /// The key type an algorithm needs.
    #[must_use]
    pub const fn from_alg(alg: Algorithm) -> Self {
        match alg {
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => Self::Rsa,
            Algorithm::ES256 => Self::Ec(Curve::P256),
            Algorithm::ES384 => Self::Ec(Curve::P384),
            Algorithm::ES512 => Self::Ec(Curve::P521),
            Algorithm::EdDSA => Self::Ed25519,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => Self::Oct,
        }
    }
}

/// Fill `out` with random bytes from the provider's CSPRNG.
pub(crate) fn fill_random(out: &mut [u8]) -> Result<()> {
    use imp::p::rand::SecureRandom as _;
    imp::p::rand::SystemRandom::new()
        .fill(out)
        .map_err(|_| Error::new(ErrorCode::CryptoFailure, "random number generator failed"))
}

/// SHA-256.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let d = digest::digest(&digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// Constant-time equality of two byte strings of the same length (the
/// length itself is not secret: callers compare fixed-size digests).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    imp::ct_eq(a, b)
}

/// SHA-1, only for the X.509 `x5t` thumbprint (RFC 7515 §4.1.7).
pub(crate) fn sha1(data: &[u8]) -> [u8; 20] {
    let d = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, data);
    let mut out = [0u8; 20];
    out.copy_from_slice(d.as_ref());
    out
}

/// The signature algorithms a client certificate chain may use (rustls'
/// own list for the provider: ECDSA P-256/P-384 (and P-521 with aws-lc-rs),
/// RSA PKCS#1 and PSS of 2048–8192 bits, Ed25519).
pub(crate) static CERTIFICATE_SIGNATURE_ALGORITHMS:
    &[&dyn rustls_pki_types::SignatureVerificationAlgorithm] = imp::CERTIFICATE_SIGNATURE_ALGORITHMS;

/// aws-lc-rs (and its FIPS module, with the feature `fips`).
#[cfg(any(feature = "fips", not(feature = "ring")))]
mod imp {
    pub(super) use aws_lc_rs as p;

    use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
    use aws_lc_rs::signature::{
        self as sig, EcdsaKeyPair, EcdsaSigningAlgorithm, EcdsaVerificationAlgorithm, Ed25519KeyPair,
        KeyPair as _, ParsedPublicKey, RsaKeyPair, RsaPublicKeyComponents,
    };
    use zeroize::Zeroizing;

    use super::{PrivateKey, rejected, rsa_params};

    const RSA_ALGS: [Algorithm; 6] = [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
    ];

    use crate::algorithm::{Algorithm, AlgorithmSet, Curve};
    use crate::error::{Error, ErrorCode, Result};

    #[cfg(not(feature = "fips"))]
    pub(super) const NAME: &str = "aws-lc-rs";
    #[cfg(feature = "fips")]
    pub(super) const NAME: &str = "aws-lc-rs (FIPS)";

    /// aws-lc-rs exports its own keys: nothing to keep.
    pub(super) type Export = ();

    /// One parsed key per RSA algorithm the key may verify (index = position in `RSA_ALGS`).
    pub(super) type RsaPublic = Box<[Option<ParsedPublicKey>; 6]>;
    pub(super) type PointKey = ParsedPublicKey;

    pub(super) fn rsa_public(n: &[u8], e: &[u8], algs: AlgorithmSet) -> Result<RsaPublic> {
        let comps = RsaPublicKeyComponents { n, e };
        let mut parsed: [Option<ParsedPublicKey>; 6] = Default::default();
        for (slot, alg) in parsed.iter_mut().zip(RSA_ALGS) {
            if !algs.contains(alg) {
                continue;
            }
            if let Some(params) = rsa_params(alg) {
                *slot = Some(
                    comps
                        .to_parsed_public_key(params)
                        .map_err(|_| rejected("RSA public key rejected by the crypto provider"))?,
                );
            }
        }
        Ok(Box::new(parsed))
    }

    pub(super) fn rsa_verify(k: &RsaPublic, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        RSA_ALGS
            .iter()
            .position(|a| *a == alg)
            .and_then(|i| k.get(i))
            .and_then(Option::as_ref)
            .is_some_and(|k| k.verify_sig(message, signature).is_ok())
    }

    const fn ecdsa_verify_alg(c: Curve) -> &'static EcdsaVerificationAlgorithm {
        match c {
            Curve::P256 => &sig::ECDSA_P256_SHA256_FIXED,
            Curve::P384 => &sig::ECDSA_P384_SHA384_FIXED,
            Curve::P521 => &sig::ECDSA_P521_SHA512_FIXED,
        }
    }

    const fn ecdsa_sign_alg(c: Curve) -> &'static EcdsaSigningAlgorithm {
        match c {
            Curve::P256 => &sig::ECDSA_P256_SHA256_FIXED_SIGNING,
            Curve::P384 => &sig::ECDSA_P384_SHA384_FIXED_SIGNING,
            Curve::P521 => &sig::ECDSA_P521_SHA512_FIXED_SIGNING,
        }
    }

    pub(super) fn ec_public(curve: Curve, point: &[u8]) -> Result<PointKey> {
        ParsedPublicKey::new(ecdsa_verify_alg(curve), point)
            .map_err(|_| rejected("EC public point is not valid on its curve"))
    }

    pub(super) fn ed25519_public(x: &[u8]) -> Result<PointKey> {
        ParsedPublicKey::new(&sig::ED25519, x)
            .map_err(|_| rejected("Ed25519 public key rejected by the crypto provider"))
    }

    pub(super) fn point_verify(k: &PointKey, message: &[u8], signature: &[u8]) -> bool {
        k.verify_sig(message, signature).is_ok()
    }

    pub(super) fn rsa_pkcs8(der: &[u8]) -> Result<(RsaKeyPair, Export)> {
        RsaKeyPair::from_pkcs8(der).map(|k| (k, ())).map_err(|_| rejected("not an RSA PKCS#8 key"))
    }

    pub(super) fn rsa_pkcs1(der: &[u8]) -> Result<(RsaKeyPair, Export)> {
        RsaKeyPair::from_der(der).map(|k| (k, ())).map_err(|_| rejected("not an RSA PKCS#1 key"))
    }

    pub(super) fn rsa_components(c: [&[u8]; 8]) -> Result<(RsaKeyPair, Export)> {
        let [n, e, d, p, q, dp, dq, qi] = c;
        let comps = aws_lc_rs::rsa::KeyPairComponents {
            public_key: RsaPublicKeyComponents { n, e },
            d,
            p,
            q,
            dP: dp,
            dQ: dq,
            qInv: qi,
        };
        RsaKeyPair::from_components(&comps)
            .map(|k| (k, ()))
            .map_err(|_| rejected("RSA private JWK components are inconsistent or unsupported"))
    }

    pub(super) fn ec_pkcs8(der: &[u8]) -> Result<(EcdsaKeyPair, Curve, Export)> {
        for c in [Curve::P256, Curve::P384, Curve::P521] {
            if let Ok(kp) = EcdsaKeyPair::from_pkcs8(ecdsa_sign_alg(c), der) {
                return Ok((kp, c, ()));
            }
        }
        Err(rejected("not an EC PKCS#8 key on P-256, P-384 or P-521"))
    }

    pub(super) fn ec_sec1(der: &[u8]) -> Result<(EcdsaKeyPair, Curve, Export)> {
        for c in [Curve::P256, Curve::P384, Curve::P521] {
            if let Ok(kp) = EcdsaKeyPair::from_private_key_der(ecdsa_sign_alg(c), der) {
                return Ok((kp, c, ()));
            }
        }
        Err(rejected("not a SEC1 EC key on P-256, P-384 or P-521"))
    }

    pub(super) fn ec_components(curve: Curve, d: &[u8], point: &[u8]) -> Result<(EcdsaKeyPair, Export)> {
        EcdsaKeyPair::from_private_key_and_public_key(ecdsa_sign_alg(curve), d, point)
            .map(|k| (k, ()))
            .map_err(|_| rejected("EC private JWK: d does not match x and y, or a point is invalid"))
    }

    pub(super) fn ed25519_pkcs8(der: &[u8]) -> Result<(Ed25519KeyPair, Export)> {
        Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
            .map(|k| (k, ()))
            .map_err(|_| rejected("not an Ed25519 PKCS#8 key"))
    }

    pub(super) fn ed25519_seed(seed: &[u8], public: &[u8]) -> Result<(Ed25519KeyPair, Export)> {
        Ed25519KeyPair::from_seed_and_public_key(seed, public)
            .map(|k| (k, ()))
            .map_err(|_| rejected("Ed25519 private JWK: d does not match x"))
    }

    fn generation_failed<E>(_: E) -> Error {
        Error::new(ErrorCode::CryptoFailure, "key generation failed")
    }

    pub(super) fn rsa_generate(bits: usize) -> Result<(RsaKeyPair, Export)> {
        let size = match bits {
            2048 => aws_lc_rs::rsa::KeySize::Rsa2048,
            3072 => aws_lc_rs::rsa::KeySize::Rsa3072,
            4096 => aws_lc_rs::rsa::KeySize::Rsa4096,
            _ => aws_lc_rs::rsa::KeySize::Rsa8192,
        };
        RsaKeyPair::generate(size).map(|k| (k, ())).map_err(generation_failed)
    }

    pub(super) fn ec_generate(c: Curve) -> Result<(EcdsaKeyPair, Export)> {
        EcdsaKeyPair::generate(ecdsa_sign_alg(c)).map(|k| (k, ())).map_err(generation_failed)
    }

    pub(super) fn ed25519_generate() -> Result<(Ed25519KeyPair, Export)> {
        Ed25519KeyPair::generate().map(|k| (k, ())).map_err(generation_failed)
    }

    pub(super) fn public_spki_der(key: &PrivateKey) -> Result<Vec<u8>> {
        let fail = |_| Error::new(ErrorCode::CryptoFailure, "public key export failed");
        Ok(match key {
            PrivateKey::Rsa(kp, _) => AsDer::<PublicKeyX509Der<'_>>::as_der(kp.public_key()).map_err(fail)?,
            PrivateKey::Ec(kp, ..) => AsDer::<PublicKeyX509Der<'_>>::as_der(kp.public_key()).map_err(fail)?,
            PrivateKey::Ed25519(kp, _) => {
                AsDer::<PublicKeyX509Der<'_>>::as_der(kp.public_key()).map_err(fail)?
            }
            PrivateKey::Hmac(..) => return Err(Error::new(ErrorCode::InvalidArgument, "an HMAC secret")),
        }
        .as_ref()
        .to_vec())
    }

    pub(super) fn pkcs8_der(key: &PrivateKey) -> Result<Zeroizing<Vec<u8>>> {
        let fail = |_| Error::new(ErrorCode::CryptoFailure, "PKCS#8 export failed");
        Ok(Zeroizing::new(match key {
            PrivateKey::Rsa(kp, _) => kp.as_der().map_err(fail)?.as_ref().to_vec(),
            PrivateKey::Ec(kp, ..) => kp.to_pkcs8v1().map_err(fail)?.as_ref().to_vec(),
            PrivateKey::Ed25519(kp, _) => kp.to_pkcs8v1().map_err(fail)?.as_ref().to_vec(),
            PrivateKey::Hmac(..) => return Err(Error::new(ErrorCode::InvalidArgument, "an HMAC secret")),
        }))
    }

    pub(super) fn modulus_len(kp: &RsaKeyPair) -> usize {
        kp.public_modulus_len()
    }

    pub(super) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
        aws_lc_rs::constant_time::verify_slices_are_equal(a, b).is_ok()
    }

    #[cfg(any(feature = "remote-jwks", feature = "redis"))]
    pub(super) fn rustls_provider() -> rustls::crypto::CryptoProvider {
        #[cfg(feature = "fips")]
        {
            rustls::crypto::default_fips_provider()
        }
        #[cfg(not(feature = "fips"))]
        {
            rustls::crypto::aws_lc_rs::default_provider()
        }
    }

    pub(super) static CERTIFICATE_SIGNATURE_ALGORITHMS:
        &[&dyn rustls_pki_types::SignatureVerificationAlgorithm] = &[
        webpki::aws_lc_rs::ECDSA_P256_SHA256,
        webpki::aws_lc_rs::ECDSA_P256_SHA384,
        webpki::aws_lc_rs::ECDSA_P384_SHA256,
        webpki::aws_lc_rs::ECDSA_P384_SHA384,
        webpki::aws_lc_rs::ECDSA_P521_SHA256,
        webpki::aws_lc_rs::ECDSA_P521_SHA384,
        webpki::aws_lc_rs::ECDSA_P521_SHA512,
        webpki::aws_lc_rs::ED25519,
        webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
        webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA384,
        webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA512,
        webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
    ];
}

/// ring: no P-521, no RSA key generation, no parsed RSA public keys and no
/// key export; what it lacks is made up here (checks at load, PKCS#8 built
/// from the parts) or refused with `PROVIDER_UNSUPPORTED`.
#[cfg(all(feature = "ring", not(feature = "fips")))]
mod imp {
    pub(super) use ring as p;

    use ring::agreement;
    use ring::rand::SystemRandom;
    use ring::signature::{
        self as sig, EcdsaKeyPair, EcdsaSigningAlgorithm, Ed25519KeyPair, KeyPair as _, RsaKeyPair,
        RsaPublicKeyComponents, UnparsedPublicKey,
    };
    use zeroize::Zeroizing;

    use super::{PrivateKey, rejected, rsa_params, unsupported};
    use crate::algorithm::{Algorithm, AlgorithmSet, Curve};
    use crate::error::{Error, ErrorCode, Result};

    pub(super) const NAME: &str = "ring";

    /// ring cannot export keys: the PKCS#8 document is kept beside the pair.
    pub(super) type Export = Zeroizing<Vec<u8>>;

    /// The modulus and exponent, checked at load against ring's rules and
    /// parsed by ring on every verify (it has no parsed form).
    pub(crate) struct RsaPublic {
        n: Box<[u8]>,
        e: Box<[u8]>,
        algs: AlgorithmSet,
    }

    pub(super) type PointKey = UnparsedPublicKey<Box<[u8]>>;

    const P521: &str = "P-521 (ES512) keys are not available with the ring provider";

    pub(super) fn rsa_public(n: &[u8], e: &[u8], algs: AlgorithmSet) -> Result<RsaPublic> {
        // ring's limits, checked now so that verification never meets them:
        // a 2048-8192-bit odd modulus, an odd exponent from 3 to 2^33 - 1.
        let bits =
            |v: &[u8]| (v.len() * 8).saturating_sub(v.first().map_or(8, |b| b.leading_zeros() as usize));
        let (n_bits, e_bits) = (bits(n), bits(e));
        let odd = |v: &[u8]| v.last().is_some_and(|b| b & 1 == 1);
        if !(2048..=8192).contains(&n_bits) || !odd(n) {
            return Err(rejected("RSA public key rejected by the crypto provider"));
        }
        if e_bits > 33 || !odd(e) || e_bits < 2 {
            return Err(rejected("RSA public key rejected by the crypto provider"));
        }
        Ok(RsaPublic { n: n.into(), e: e.into(), algs })
    }

    pub(super) fn rsa_verify(k: &RsaPublic, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        k.algs.contains(alg)
            && rsa_params(alg).is_some_and(|params| {
                RsaPublicKeyComponents { n: &k.n[..], e: &k.e[..] }.verify(params, message, signature).is_ok()
            })
    }

    pub(super) fn ec_public(curve: Curve, point: &[u8]) -> Result<PointKey> {
        let (verify, ecdh): (&'static dyn sig::VerificationAlgorithm, _) = match curve {
            Curve::P256 => (&sig::ECDSA_P256_SHA256_FIXED, &agreement::ECDH_P256),
            Curve::P384 => (&sig::ECDSA_P384_SHA384_FIXED, &agreement::ECDH_P384),
            Curve::P521 => return Err(unsupported(P521)),
        };
        // ring checks a point only when it uses it: one key agreement with a
        // throw-away key checks it now (on the curve, not the identity).
        let mine = agreement::EphemeralPrivateKey::generate(ecdh, &SystemRandom::new())
            .map_err(|_| Error::new(ErrorCode::CryptoFailure, "random number generator failed"))?;
        agreement::agree_ephemeral(mine, &agreement::UnparsedPublicKey::new(ecdh, point), |_| ())
            .map_err(|_| rejected("EC public point is not valid on its curve"))?;
        Ok(UnparsedPublicKey::new(verify, point.into()))
    }

    pub(super) fn ed25519_public(x: &[u8]) -> Result<PointKey> {
        Ok(UnparsedPublicKey::new(&sig::ED25519, x.into()))
    }

    pub(super) fn point_verify(k: &PointKey, message: &[u8], signature: &[u8]) -> bool {
        k.verify(message, signature).is_ok()
    }

    // DER, just enough to wrap keys in PKCS#8 and SPKI.
    const RSA_ENCRYPTION: &[u8] =
        &[0x06, 9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];
    const EC_PUBLIC_KEY: &[u8] = &[0x06, 7, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    const P256_OID: &[u8] = &[0x06, 8, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    const P384_OID: &[u8] = &[0x06, 5, 0x2b, 0x81, 0x04, 0x00, 0x22];
    const ED25519_OID: &[u8] = &[0x06, 3, 0x2b, 0x65, 0x70];
    const P521_OID: &[u8] = &[0x06, 5, 0x2b, 0x81, 0x04, 0x00, 0x23];

    /// Whether a key document names P-521 (only to say why it was refused).
    fn names_p521(der: &[u8]) -> bool {
        der.windows(P521_OID.len()).any(|w| w == P521_OID)
    }

    fn tlv(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let mut out = vec![tag];
        if len < 0x80 {
            out.extend(u8::try_from(len));
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|b| **b == 0).count();
            out.extend(u8::try_from(0x80 + bytes.len() - skip));
            out.extend(bytes.iter().skip(skip));
        }
        for p in parts {
            out.extend_from_slice(p);
        }
        out
    }

    /// A DER INTEGER from unsigned big-endian bytes.
    fn uint(v: &[u8]) -> Vec<u8> {
        let zeros = v.iter().take_while(|b| **b == 0).count().min(v.len().saturating_sub(1));
        let v = v.get(zeros..).unwrap_or(v);
        if v.first().is_some_and(|b| b & 0x80 != 0) { tlv(0x02, &[&[0], v]) } else { tlv(0x02, &[v]) }
    }

    fn pkcs8(algorithm: &[&[u8]], private_key: &[u8]) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(tlv(
            0x30,
            &[&[0x02, 1, 0], &tlv(0x30, algorithm), &Zeroizing::new(tlv(0x04, &[private_key]))],
        ))
    }

    fn spki(algorithm: &[&[u8]], key: &[u8]) -> Vec<u8> {
        tlv(0x30, &[&tlv(0x30, algorithm), &tlv(0x03, &[&[0], key])])
    }

    const fn curve_oid(c: Curve) -> &'static [u8] {
        match c {
            Curve::P256 => P256_OID,
            _ => P384_OID,
        }
    }

    const fn ecdsa_sign_alg(c: Curve) -> Option<&'static EcdsaSigningAlgorithm> {
        match c {
            Curve::P256 => Some(&sig::ECDSA_P256_SHA256_FIXED_SIGNING),
            Curve::P384 => Some(&sig::ECDSA_P384_SHA384_FIXED_SIGNING),
            Curve::P521 => None,
        }
    }

    pub(super) fn rsa_pkcs8(der: &[u8]) -> Result<(RsaKeyPair, Export)> {
        RsaKeyPair::from_pkcs8(der)
            .map(|k| (k, Zeroizing::new(der.to_vec())))
            .map_err(|_| rejected("not an RSA PKCS#8 key of 2048-4096 bits"))
    }

    pub(super) fn rsa_pkcs1(der: &[u8]) -> Result<(RsaKeyPair, Export)> {
        RsaKeyPair::from_der(der)
            .map(|k| (k, pkcs8(&[RSA_ENCRYPTION], der)))
            .map_err(|_| rejected("not an RSA PKCS#1 key of 2048-4096 bits"))
    }

    pub(super) fn rsa_components(c: [&[u8]; 8]) -> Result<(RsaKeyPair, Export)> {
        let [n, e, d, p, q, dp, dq, qi] = c;
        let comps = ring::rsa::KeyPairComponents {
            public_key: ring::rsa::PublicKeyComponents { n, e },
            d,
            p,
            q,
            dP: dp,
            dQ: dq,
            qInv: qi,
        };
        let kp = RsaKeyPair::from_components(&comps)
            .map_err(|_| rejected("RSA private JWK components are inconsistent or unsupported"))?;
        let ints: Vec<Zeroizing<Vec<u8>>> =
            [&[0u8][..], n, e, d, p, q, dp, dq, qi].iter().map(|v| Zeroizing::new(uint(v))).collect();
        let parts: Vec<&[u8]> = ints.iter().map(|v| v.as_slice()).collect();
        let pkcs1 = Zeroizing::new(tlv(0x30, &parts));
        Ok((kp, pkcs8(&[RSA_ENCRYPTION], &pkcs1)))
    }

    pub(super) fn ec_pkcs8(der: &[u8]) -> Result<(EcdsaKeyPair, Curve, Export)> {
        let rng = SystemRandom::new();
        for c in [Curve::P256, Curve::P384] {
            if let Some(alg) = ecdsa_sign_alg(c)
                && let Ok(kp) = EcdsaKeyPair::from_pkcs8(alg, der, &rng)
            {
                return Ok((kp, c, Zeroizing::new(der.to_vec())));
            }
        }
        if names_p521(der) {
            return Err(unsupported(P521));
        }
        Err(rejected("not an EC PKCS#8 key on P-256 or P-384"))
    }

    pub(super) fn ec_sec1(der: &[u8]) -> Result<(EcdsaKeyPair, Curve, Export)> {
        // ring reads SEC1 keys only inside PKCS#8: wrap it for each curve.
        for c in [Curve::P256, Curve::P384] {
            let doc = pkcs8(&[EC_PUBLIC_KEY, curve_oid(c)], der);
            if let Ok((kp, c, _)) = ec_pkcs8(&doc) {
                return Ok((kp, c, doc));
            }
        }
        if names_p521(der) {
            return Err(unsupported(P521));
        }
        Err(rejected("not a SEC1 EC key (with its public key) on P-256 or P-384"))
    }

    pub(super) fn ec_components(curve: Curve, d: &[u8], point: &[u8]) -> Result<(EcdsaKeyPair, Export)> {
        let alg = ecdsa_sign_alg(curve).ok_or_else(|| unsupported(P521))?;
        let kp = EcdsaKeyPair::from_private_key_and_public_key(alg, d, point, &SystemRandom::new())
            .map_err(|_| rejected("EC private JWK: d does not match x and y, or a point is invalid"))?;
        let sec1 = Zeroizing::new(tlv(
            0x30,
            &[&[0x02, 1, 1], &Zeroizing::new(tlv(0x04, &[d])), &tlv(0xa1, &[&tlv(0x03, &[&[0], point])])],
        ));
        Ok((kp, pkcs8(&[EC_PUBLIC_KEY, curve_oid(curve)], &sec1)))
    }

    pub(super) fn ed25519_pkcs8(der: &[u8]) -> Result<(Ed25519KeyPair, Export)> {
        Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
            .map(|k| (k, Zeroizing::new(der.to_vec())))
            .map_err(|_| rejected("not an Ed25519 PKCS#8 key"))
    }

    pub(super) fn ed25519_seed(seed: &[u8], public: &[u8]) -> Result<(Ed25519KeyPair, Export)> {
        let kp = Ed25519KeyPair::from_seed_and_public_key(seed, public)
            .map_err(|_| rejected("Ed25519 private JWK: d does not match x"))?;
        // RFC 8410: the private key is itself an OCTET STRING inside PKCS#8's.
        Ok((kp, pkcs8(&[ED25519_OID], &Zeroizing::new(tlv(0x04, &[seed])))))
    }

    fn generation_failed<E>(_: E) -> Error {
        Error::new(ErrorCode::CryptoFailure, "key generation failed")
    }

    pub(super) fn rsa_generate(_bits: usize) -> Result<(RsaKeyPair, Export)> {
        Err(unsupported("RSA key generation is not available with the ring provider"))
    }

    pub(super) fn ec_generate(c: Curve) -> Result<(EcdsaKeyPair, Export)> {
        let alg = ecdsa_sign_alg(c).ok_or_else(|| unsupported(P521))?;
        let rng = SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(alg, &rng).map_err(generation_failed)?;
        let kp = EcdsaKeyPair::from_pkcs8(alg, doc.as_ref(), &rng).map_err(generation_failed)?;
        Ok((kp, Zeroizing::new(doc.as_ref().to_vec())))
    }

    pub(super) fn ed25519_generate() -> Result<(Ed25519KeyPair, Export)> {
        let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(generation_failed)?;
        let kp = Ed25519KeyPair::from_pkcs8(doc.as_ref()).map_err(generation_failed)?;
        Ok((kp, Zeroizing::new(doc.as_ref().to_vec())))
    }

    pub(super) fn public_spki_der(key: &PrivateKey) -> Result<Vec<u8>> {
        Ok(match key {
            PrivateKey::Rsa(kp, _) => spki(&[RSA_ENCRYPTION], kp.public_key().as_ref()),
            PrivateKey::Ec(kp, c, _) => spki(&[EC_PUBLIC_KEY, curve_oid(*c)], kp.public_key().as_ref()),
            PrivateKey::Ed25519(kp, _) => spki(&[ED25519_OID], kp.public_key().as_ref()),
            PrivateKey::Hmac(..) => return Err(Error::new(ErrorCode::InvalidArgument, "an HMAC secret")),
        })
    }

    pub(super) fn pkcs8_der(key: &PrivateKey) -> Result<Zeroizing<Vec<u8>>> {
        match key {
            PrivateKey::Rsa(_, doc) | PrivateKey::Ec(_, _, doc) | PrivateKey::Ed25519(_, doc) => {
                Ok(doc.clone())
            }
            PrivateKey::Hmac(..) => Err(Error::new(ErrorCode::InvalidArgument, "an HMAC secret")),
        }
    }

    pub(super) fn modulus_len(kp: &RsaKeyPair) -> usize {
        kp.public().modulus_len()
    }

    pub(super) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
        #[allow(deprecated, reason = "ring's constant-time comparison, kept until ring removes it")]
        ring::constant_time::verify_slices_are_equal(a, b).is_ok()
    }

    #[cfg(any(feature = "remote-jwks", feature = "redis"))]
    pub(super) fn rustls_provider() -> rustls::crypto::CryptoProvider {
        rustls::crypto::ring::default_provider()
    }

    pub(super) static CERTIFICATE_SIGNATURE_ALGORITHMS:
        &[&dyn rustls_pki_types::SignatureVerificationAlgorithm] = &[
        webpki::ring::ECDSA_P256_SHA256,
        webpki::ring::ECDSA_P256_SHA384,
        webpki::ring::ECDSA_P384_SHA256,
        webpki::ring::ECDSA_P384_SHA384,
        webpki::ring::ED25519,
        webpki::ring::RSA_PKCS1_2048_8192_SHA256,
        webpki::ring::RSA_PKCS1_2048_8192_SHA384,
        webpki::ring::RSA_PKCS1_2048_8192_SHA512,
        webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        webpki::ring::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        webpki::ring::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The curves' generators, uncompressed (SEC 2).
    const P256_G: &str = "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
    const P521_G: &str = "0400c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650";

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn every_algorithm_signs_and_verifies_with_a_generated_key() {
        for alg in Algorithm::ALL {
            let sk = match PrivateKey::generate(alg, 2048) {
                Ok(sk) => sk,
                // ring: no P-521, no RSA generation — refused, saying why.
                Err(e) if provider() == "ring" => {
                    assert_eq!(e.code(), ErrorCode::ProviderUnsupported, "{alg}");
                    assert!(alg == Algorithm::ES512 || KeyType::from_alg(alg) == KeyType::Rsa, "{alg}");
                    continue;
                }
                Err(e) => panic!("{alg}: {e}"),
            };
            let pk = match sk.public_parts() {
                PublicParts::RsaPkcs1(der) => {
                    let rsa = crate::keys::der::parse_rsa_public_key(&der).unwrap();
                    PublicKey::rsa(&rsa.0, &rsa.1, AlgorithmSet::ALL).unwrap()
                }
                PublicParts::EcPoint(c, p) => PublicKey::ec(c, &p).unwrap(),
                PublicParts::Ed25519(x) => PublicKey::ed25519(&x).unwrap(),
                PublicParts::Secret(s) => PublicKey::hmac(&s),
            };
            let sig = sk.sign(alg, b"message").unwrap();
            assert!(pk.verify(alg, b"message", &sig), "{alg}");
            assert!(!pk.verify(alg, b"messagf", &sig), "{alg}");
        }
    }

    /// What ring lacks is refused when a key is loaded, never when it verifies.
    #[test]
    fn keys_the_provider_cannot_use_are_refused_at_load() {
        // A P-521 point (the curve's generator): fine for aws-lc-rs, refused by ring.
        let g = &hex(P521_G);
        match PublicKey::ec(Curve::P521, g) {
            Ok(_) => assert_ne!(provider(), "ring"),
            Err(e) => assert_eq!((provider(), e.code()), ("ring", ErrorCode::ProviderUnsupported)),
        }
        // A point off the curve is refused by both, as an invalid key.
        let mut bad = hex(P256_G);
        if let Some(last) = bad.last_mut() {
            *last ^= 1;
        }
        assert_eq!(PublicKey::ec(Curve::P256, &bad).unwrap_err().code(), ErrorCode::InvalidKey);
        assert!(PublicKey::ec(Curve::P256, &hex(P256_G)).is_ok());
    }

    /// Keys loaded from parts export as PKCS#8 that loads back to the same key
    /// (ring builds that document itself).
    #[test]
    fn keys_from_parts_export_and_load_back() {
        for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::EdDSA] {
            let sk = PrivateKey::generate(alg, 2048).unwrap();
            let doc = sk.pkcs8_der().unwrap().unwrap();
            let again = match KeyType::from_alg(alg) {
                KeyType::Ec(_) => PrivateKey::ec_pkcs8(&doc).unwrap(),
                _ => PrivateKey::ed25519_pkcs8(&doc).unwrap(),
            };
            let (a, b) = (sk.public_spki_der().unwrap(), again.public_spki_der().unwrap());
            assert_eq!(a, b, "{alg}");
            let sig = again.sign(alg, b"m").unwrap();
            let pk = match sk.public_parts() {
                PublicParts::EcPoint(c, p) => PublicKey::ec(c, &p).unwrap(),
                PublicParts::Ed25519(x) => PublicKey::ed25519(&x).unwrap(),
                _ => unreachable!(),
            };
            assert!(pk.verify(alg, b"m", &sig), "{alg}");
        }
    }

    /// In a `fips` build every algorithm offered is one the module approves:
    /// its own service indicator says so for each signature and each
    /// verification (and each key generation), made the way the library
    /// makes them.
    #[cfg(feature = "fips")]
    #[test]
    #[allow(unsafe_code, reason = "the module's service indicator is a C function without preconditions")]
    fn in_fips_mode_every_offered_algorithm_is_approved_by_the_module() {
        fn approved<T>(what: &str, f: impl FnOnce() -> T) -> T {
            // SAFETY: both functions only read and bump a thread-local counter.
            let before = unsafe { aws_lc_fips_sys::FIPS_service_indicator_before_call() };
            let out = f();
            let after = unsafe { aws_lc_fips_sys::FIPS_service_indicator_after_call() };
            assert_ne!(before, after, "{what}: not an approved service of the FIPS module");
            out
        }
        assert!(fips_mode());
        assert_eq!(provider(), "aws-lc-rs (FIPS)");
        for alg in Algorithm::ALL {
            let sk = if alg.is_symmetric() {
                PrivateKey::hmac(&[7u8; 64])
            } else {
                approved(&format!("{alg} key generation"), || PrivateKey::generate(alg, 2048).unwrap())
            };
            let pk = match sk.public_parts() {
                PublicParts::RsaPkcs1(der) => {
                    let rsa = crate::keys::der::parse_rsa_public_key(&der).unwrap();
                    PublicKey::rsa(&rsa.0, &rsa.1, AlgorithmSet::ALL).unwrap()
                }
                PublicParts::EcPoint(c, p) => PublicKey::ec(c, &p).unwrap(),
                PublicParts::Ed25519(x) => PublicKey::ed25519(&x).unwrap(),
                PublicParts::Secret(s) => PublicKey::hmac(&s),
            };
            let sig = approved(&format!("{alg} signature"), || sk.sign(alg, b"message").unwrap());
            assert!(approved(&format!("{alg} verification"), || pk.verify(alg, b"message", &sig)), "{alg}");
        }
        for bits in [3072, 4096] {
            approved(&format!("RSA-{bits} key generation"), || {
                PrivateKey::generate(Algorithm::PS256, bits).unwrap()
            });
        }
        approved("SHA-256", || sha256(b"message"));
    }
}
