//! X.509 certificates: only what client authentication needs — the public
//! key, the validity period and the `x5t` / `x5t#S256` thumbprints.

use der::{Decode as _, Encode as _};
use x509_cert::Certificate;

use super::der::{PublicComponents, parse_spki};
use crate::crypto;
use crate::error::{Error, ErrorCode, Result};

pub(crate) struct ParsedCertificate {
    pub(crate) components: PublicComponents,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    pub(crate) x5t: [u8; 20],
    pub(crate) x5t_s256: [u8; 32],
}

fn unix(t: x509_cert::time::Time) -> i64 {
    i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

pub(crate) fn parse(der: &[u8]) -> Result<ParsedCertificate> {
    let cert = Certificate::from_der(der)
        .map_err(|_| Error::new(ErrorCode::InvalidKey, "not a DER X.509 certificate"))?;
    let tbs = cert.tbs_certificate();
    let spki = tbs
        .subject_public_key_info()
        .to_der()
        .map_err(|_| Error::new(ErrorCode::InvalidKey, "certificate public key cannot be encoded"))?;
    let validity = tbs.validity();
    Ok(ParsedCertificate {
        components: parse_spki(&spki)?,
        not_before: unix(validity.not_before),
        not_after: unix(validity.not_after),
        x5t: crypto::sha1(der),
        x5t_s256: crypto::sha256(der),
    })
}
