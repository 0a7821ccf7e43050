//! Keys: verifying keys (JWK, JWKS, PEM, X.509), signing keys (PEM, private
//! JWK, HMAC secrets, generation), RFC 7638 thumbprints, exports.
//!
//! Every key is parsed and validated once, here; the verification hot path
//! only ever sees the parsed form.

pub(crate) mod der;
pub(crate) mod jwk;
mod pem;
mod roca;
mod signing;
mod verifying;
mod weak;
mod x509;

pub use signing::SigningKey;
pub use verifying::{CertificateInfo, JwkSet, VerifyingKey};

use zeroize::Zeroizing;

use crate::algorithm::Curve;

/// Public components of a key, kept for thumbprints and JWK export.
#[derive(Clone)]
pub(crate) enum Components {
    Rsa { n: Vec<u8>, e: Vec<u8> },
    Ec { curve: Curve, point: Vec<u8> },
    Ed25519 { x: Vec<u8> },
    Oct { k: Zeroizing<Vec<u8>> },
}

/// Split an uncompressed point (validated to be 1 + 2·len bytes) into x and y.
pub(crate) fn split_point(curve: Curve, point: &[u8]) -> (&[u8], &[u8]) {
    let len = curve.coordinate_len();
    let body = point.get(1..).unwrap_or_default();
    let x = body.get(..len).unwrap_or_default();
    let y = body.get(len..).unwrap_or_default();
    (x, y)
}

pub(crate) use pem::blocks as pem_blocks;
pub use pem::pem_label;

/// The RFC 7638 SHA-256 thumbprint of the public key in a DER
/// SubjectPublicKeyInfo: what [`VerifyingKey::thumbprint`] is for that key,
/// without building a key (a client certificate's key is compared with the
/// registered ones, which were validated when registered).
pub(crate) fn spki_thumbprint(spki: &[u8]) -> crate::error::Result<[u8; 32]> {
    let components = match der::parse_spki(spki)? {
        der::PublicComponents::Rsa(n, e) => Components::Rsa { n, e },
        der::PublicComponents::Ec(curve, point) => Components::Ec { curve, point },
        der::PublicComponents::Ed25519(x) => Components::Ed25519 { x },
    };
    Ok(crate::crypto::sha256(jwk::thumbprint_input(&components).as_bytes()))
}
