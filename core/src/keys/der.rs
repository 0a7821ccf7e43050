//! DER structures for public keys: SubjectPublicKeyInfo (RFC 5280) and
//! PKCS#1 RSAPublicKey (RFC 8017). Parsing only; the crypto provider
//! validates the key itself.

use der::Decode as _;
use der::asn1::ObjectIdentifier;
use spki::SubjectPublicKeyInfoRef;

use crate::algorithm::Curve;
use crate::error::{Error, ErrorCode, Result};

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");

/// Public key components as found in a SubjectPublicKeyInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PublicComponents {
    /// Modulus and exponent, big-endian without leading zeros.
    Rsa(Vec<u8>, Vec<u8>),
    /// Curve and uncompressed point (0x04 || x || y).
    Ec(Curve, Vec<u8>),
    /// 32 raw bytes.
    Ed25519(Vec<u8>),
}

fn invalid(detail: &'static str) -> Error {
    Error::new(ErrorCode::InvalidKey, detail)
}

/// Parse a PKCS#1 `RSAPublicKey`, returning (n, e) without leading zeros.
pub(crate) fn parse_rsa_public_key(der: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    let key = pkcs1::RsaPublicKey::<der::asn1::UintRef<'_>>::from_der(der)
        .map_err(|_| invalid("not a DER PKCS#1 RSAPublicKey"))?;
    Ok((
        strip_leading_zeros(key.modulus.as_bytes()).to_vec(),
        strip_leading_zeros(key.public_exponent.as_bytes()).to_vec(),
    ))
}

/// Parse a DER SubjectPublicKeyInfo.
pub(crate) fn parse_spki(der: &[u8]) -> Result<PublicComponents> {
    let spki =
        SubjectPublicKeyInfoRef::from_der(der).map_err(|_| invalid("not a DER SubjectPublicKeyInfo"))?;
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| invalid("SubjectPublicKeyInfo key has unused bits"))?;
    let oid = spki.algorithm.oid;
    if oid == RSA_ENCRYPTION {
        let (n, e) = parse_rsa_public_key(key)?;
        Ok(PublicComponents::Rsa(n, e))
    } else if oid == EC_PUBLIC_KEY {
        let curve_oid =
            spki.algorithm.parameters_oid().map_err(|_| invalid("EC key without a named curve"))?;
        let curve = if curve_oid == P256 {
            Curve::P256
        } else if curve_oid == P384 {
            Curve::P384
        } else if curve_oid == P521 {
            Curve::P521
        } else {
            return Err(Error::new(ErrorCode::UnsupportedKey, "EC curve is not P-256, P-384 or P-521"));
        };
        if key.len() != 1 + 2 * curve.coordinate_len() || key.first() != Some(&4) {
            return Err(invalid("EC public point must be uncompressed and of the curve's size"));
        }
        Ok(PublicComponents::Ec(curve, key.to_vec()))
    } else if oid == ED25519 {
        Ok(PublicComponents::Ed25519(key.to_vec()))
    } else {
        Err(Error::new(
            ErrorCode::UnsupportedKey,
            "public key algorithm is not RSA, EC (P-256/384/521) or Ed25519",
        ))
    }
}

pub(crate) fn strip_leading_zeros(b: &[u8]) -> &[u8] {
    let first = b.iter().position(|x| *x != 0).unwrap_or(b.len());
    b.get(first..).unwrap_or_default()
}
