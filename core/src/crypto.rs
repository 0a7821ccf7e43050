//! Every call into the cryptographic provider (aws-lc-rs) lives in this module.
//!
//! The rest of the crate sees only [`PublicKey`], [`PrivateKey`] and a few
//! free functions, so a second provider (ring, behind a feature) replaces
//! this one file. Keys are parsed once, at construction: verifying keys are
//! held as `ParsedPublicKey` (one per algorithm the key may verify, since the
//! provider binds a parsed key to its padding and hash), HMAC secrets as
//! prepared `hmac::Key`s, private keys as key pairs.

use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::signature::{
    self as sig, EcdsaKeyPair, EcdsaSigningAlgorithm, EcdsaVerificationAlgorithm, Ed25519KeyPair,
    KeyPair as _, ParsedPublicKey, RsaKeyPair, RsaParameters, RsaPublicKeyComponents, RsaSignatureEncoding,
};
use aws_lc_rs::{digest, hmac, rand};
use zeroize::Zeroizing;

use crate::algorithm::{Algorithm, AlgorithmSet, Curve, KeyType};
use crate::error::{Error, ErrorCode, Result};

const RSA_ALGS: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

fn rsa_params(alg: Algorithm) -> Option<&'static RsaParameters> {
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

fn rsa_encoding(alg: Algorithm) -> Option<&'static RsaSignatureEncoding> {
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

/// HMAC keys prepared once for each of HS256, HS384, HS512.
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

/// A verifying key in the provider's pre-parsed form.
pub(crate) enum PublicKey {
    /// One parsed key per RSA algorithm the key may verify (index = position in `RSA_ALGS`).
    Rsa(Box<[Option<ParsedPublicKey>; 6]>),
    Ec(ParsedPublicKey),
    Ed25519(ParsedPublicKey),
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
    /// parsed for each algorithm of `algs` it may verify.
    pub(crate) fn rsa(n: &[u8], e: &[u8], algs: AlgorithmSet) -> Result<Self> {
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
        Ok(Self::Rsa(Box::new(parsed)))
    }

    /// An EC key from its uncompressed SEC1 point; the provider checks that the
    /// point is on the curve.
    pub(crate) fn ec(curve: Curve, point: &[u8]) -> Result<Self> {
        ParsedPublicKey::new(ecdsa_verify_alg(curve), point)
            .map(Self::Ec)
            .map_err(|_| rejected("EC public point is not valid on its curve"))
    }

    /// An Ed25519 key from its 32 raw bytes.
    pub(crate) fn ed25519(x: &[u8]) -> Result<Self> {
        if x.len() != 32 {
            return Err(rejected("Ed25519 public key must be 32 bytes"));
        }
        ParsedPublicKey::new(&sig::ED25519, x)
            .map(Self::Ed25519)
            .map_err(|_| rejected("Ed25519 public key rejected by the crypto provider"))
    }

    /// HMAC keys prepared for HS256/384/512.
    pub(crate) fn hmac(secret: &[u8]) -> Self {
        Self::Hmac(hmac_keys(secret))
    }

    /// Verify `signature` over `message`. The caller has already checked that the
    /// key type fits `alg` and that the signature has the exact length.
    pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Self::Rsa(keys) => RSA_ALGS
                .iter()
                .position(|a| *a == alg)
                .and_then(|i| keys.get(i))
                .and_then(Option::as_ref)
                .is_some_and(|k| k.verify_sig(message, signature).is_ok()),
            Self::Ec(k) | Self::Ed25519(k) => k.verify_sig(message, signature).is_ok(),
            // Constant-time comparison inside the provider.
            Self::Hmac(keys) => {
                keys.get(alg).is_some_and(|key| hmac::verify(key, message, signature).is_ok())
            }
        }
    }
}

/// A signing key kept parsed (the provider's key pair, or prepared HMAC keys).
pub(crate) enum PrivateKey {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair, Curve),
    Ed25519(Ed25519KeyPair),
    Hmac(HmacKeys, Zeroizing<Vec<u8>>),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Rsa(_) => "PrivateKey::Rsa(..)",
            Self::Ec(..) => "PrivateKey::Ec(..)",
            Self::Ed25519(_) => "PrivateKey::Ed25519(..)",
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
            Self::Rsa(_) => KeyType::Rsa,
            Self::Ec(_, c) => KeyType::Ec(*c),
            Self::Ed25519(_) => KeyType::Ed25519,
            Self::Hmac(..) => KeyType::Oct,
        }
    }

    /// RSA from PKCS#8 `PrivateKeyInfo` DER.
    pub(crate) fn rsa_pkcs8(der: &[u8]) -> Result<Self> {
        RsaKeyPair::from_pkcs8(der).map(Self::Rsa).map_err(|_| rejected("not an RSA PKCS#8 key"))
    }

    /// RSA from PKCS#1 `RSAPrivateKey` DER.
    pub(crate) fn rsa_pkcs1(der: &[u8]) -> Result<Self> {
        RsaKeyPair::from_der(der).map(Self::Rsa).map_err(|_| rejected("not an RSA PKCS#1 key"))
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
            .map(Self::Rsa)
            .map_err(|_| rejected("RSA private JWK components are inconsistent or unsupported"))
    }

    /// ECDSA from PKCS#8 DER, trying each supported curve.
    pub(crate) fn ec_pkcs8(der: &[u8]) -> Result<Self> {
        for c in [Curve::P256, Curve::P384, Curve::P521] {
            if let Ok(kp) = EcdsaKeyPair::from_pkcs8(ecdsa_sign_alg(c), der) {
                return Ok(Self::Ec(kp, c));
            }
        }
        Err(rejected("not an EC PKCS#8 key on P-256, P-384 or P-521"))
    }

    /// ECDSA from SEC1 `ECPrivateKey` DER (RFC 5915), trying each supported curve.
    pub(crate) fn ec_sec1(der: &[u8]) -> Result<Self> {
        for c in [Curve::P256, Curve::P384, Curve::P521] {
            if let Ok(kp) = EcdsaKeyPair::from_private_key_der(ecdsa_sign_alg(c), der) {
                return Ok(Self::Ec(kp, c));
            }
        }
        Err(rejected("not a SEC1 EC key on P-256, P-384 or P-521"))
    }

    /// ECDSA from the private scalar and the uncompressed public point.
    pub(crate) fn ec_components(curve: Curve, d: &[u8], point: &[u8]) -> Result<Self> {
        EcdsaKeyPair::from_private_key_and_public_key(ecdsa_sign_alg(curve), d, point)
            .map(|kp| Self::Ec(kp, curve))
            .map_err(|_| rejected("EC private JWK: d does not match x and y, or a point is invalid"))
    }

    /// Ed25519 from PKCS#8 (v1 or v2) DER.
    pub(crate) fn ed25519_pkcs8(der: &[u8]) -> Result<Self> {
        Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
            .map(Self::Ed25519)
            .map_err(|_| rejected("not an Ed25519 PKCS#8 key"))
    }

    /// Ed25519 from the seed and public key (JWK `d` and `x`).
    pub(crate) fn ed25519_seed(seed: &[u8], public: &[u8]) -> Result<Self> {
        Ed25519KeyPair::from_seed_and_public_key(seed, public)
            .map(Self::Ed25519)
            .map_err(|_| rejected("Ed25519 private JWK: d does not match x"))
    }

    /// An HMAC secret.
    pub(crate) fn hmac(secret: &[u8]) -> Self {
        Self::Hmac(hmac_keys(secret), Zeroizing::new(secret.to_vec()))
    }

    /// Generate a fresh key for `alg` (RSA keys are 2048 bits).
    pub(crate) fn generate(alg: Algorithm, rsa_bits: usize) -> Result<Self> {
        let fail = |_| Error::new(ErrorCode::CryptoFailure, "key generation failed");
        match KeyType::from_alg(alg) {
            KeyType::Rsa => {
                let size = match rsa_bits {
                    2048 => aws_lc_rs::rsa::KeySize::Rsa2048,
                    3072 => aws_lc_rs::rsa::KeySize::Rsa3072,
                    4096 => aws_lc_rs::rsa::KeySize::Rsa4096,
                    8192 => aws_lc_rs::rsa::KeySize::Rsa8192,
                    _ => {
                        return Err(Error::new(
                            ErrorCode::InvalidArgument,
                            "RSA key size must be 2048, 3072, 4096 or 8192 bits",
                        ));
                    }
                };
                RsaKeyPair::generate(size).map(Self::Rsa).map_err(fail)
            }
            KeyType::Ec(c) => EcdsaKeyPair::generate(ecdsa_sign_alg(c)).map(|k| Self::Ec(k, c)).map_err(fail),
            KeyType::Ed25519 => Ed25519KeyPair::generate().map(Self::Ed25519).map_err(fail),
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
        match self {
            Self::Rsa(kp) => {
                let enc = rsa_encoding(alg)
                    .ok_or(Error::new(ErrorCode::InvalidArgument, "algorithm does not fit an RSA key"))?;
                let mut out = vec![0u8; kp.public_modulus_len()];
                kp.sign(enc, &rand::SystemRandom::new(), message, &mut out).map_err(fail)?;
                Ok(out)
            }
            Self::Ec(kp, _) => {
                kp.sign(&rand::SystemRandom::new(), message).map(|s| s.as_ref().to_vec()).map_err(fail)
            }
            Self::Ed25519(kp) => Ok(kp.sign(message).as_ref().to_vec()),
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
            Self::Rsa(kp) => PublicParts::RsaPkcs1(kp.public_key().as_ref().to_vec()),
            Self::Ec(kp, c) => PublicParts::EcPoint(*c, kp.public_key().as_ref().to_vec()),
            Self::Ed25519(kp) => PublicParts::Ed25519(kp.public_key().as_ref().to_vec()),
            Self::Hmac(_, secret) => PublicParts::Secret(secret.clone()),
        }
    }

    /// The public key as DER SubjectPublicKeyInfo. None for HMAC secrets.
    pub(crate) fn public_spki_der(&self) -> Result<Option<Vec<u8>>> {
        let fail = |_| Error::new(ErrorCode::CryptoFailure, "public key export failed");
        Ok(Some(match self {
            Self::Rsa(kp) => {
                AsDer::<PublicKeyX509Der<'_>>::as_der(kp.public_key()).map_err(fail)?.as_ref().to_vec()
            }
            Self::Ec(kp, _) => {
                AsDer::<PublicKeyX509Der<'_>>::as_der(kp.public_key()).map_err(fail)?.as_ref().to_vec()
            }
            Self::Ed25519(kp) => {
                AsDer::<PublicKeyX509Der<'_>>::as_der(kp.public_key()).map_err(fail)?.as_ref().to_vec()
            }
            Self::Hmac(..) => return Ok(None),
        }))
    }

    /// PKCS#8 `PrivateKeyInfo` DER (v1), zeroized on drop. None for HMAC secrets.
    pub(crate) fn pkcs8_der(&self) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let fail = |_| Error::new(ErrorCode::CryptoFailure, "PKCS#8 export failed");
        Ok(Some(Zeroizing::new(match self {
            Self::Rsa(kp) => kp.as_der().map_err(fail)?.as_ref().to_vec(),
            Self::Ec(kp, _) => kp.to_pkcs8v1().map_err(fail)?.as_ref().to_vec(),
            Self::Ed25519(kp) => kp.to_pkcs8v1().map_err(fail)?.as_ref().to_vec(),
            Self::Hmac(..) => return Ok(None),
        })))
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
    rand::fill(out).map_err(|_| Error::new(ErrorCode::CryptoFailure, "random number generator failed"))
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
    aws_lc_rs::constant_time::verify_slices_are_equal(a, b).is_ok()
}

/// SHA-1, only for the X.509 `x5t` thumbprint (RFC 7515 §4.1.7).
pub(crate) fn sha1(data: &[u8]) -> [u8; 20] {
    let d = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, data);
    let mut out = [0u8; 20];
    out.copy_from_slice(d.as_ref());
    out
}

/// The signature algorithms a client certificate chain may use (rustls'
/// own list for aws-lc-rs: ECDSA P-256/P-384/P-521, RSA PKCS#1 and PSS of
/// 2048–8192 bits, Ed25519).
pub(crate) static CERTIFICATE_SIGNATURE_ALGORITHMS:
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_algorithm_signs_and_verifies_with_a_generated_key() {
        for alg in Algorithm::ALL {
            let sk = PrivateKey::generate(alg, 2048).unwrap();
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
}
