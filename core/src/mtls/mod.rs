//! Mutual-TLS client authentication (RFC 8705): `tls_client_auth` (a
//! certificate from a trusted CA whose subject DN or one subject
//! alternative name is the registered one) and `self_signed_tls_client_auth`
//! (a certificate whose public key is one the client registered).

mod cert;
mod dn;
mod san;

pub use cert::{
    CertificateFormat, ClientCertificate, MAX_CERTIFICATE_LEN, PresentedCertificate, TrustAnchors,
};
pub use dn::DistinguishedName;
pub use san::SanRule;

use crate::error::{Error, ErrorCode, Result};

/// What a `tls_client_auth` client registered its certificate by: exactly
/// one of `tls_client_auth_subject_dn` and the `tls_client_auth_san_*`
/// members (RFC 8705 §2.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSubject {
    /// `tls_client_auth_subject_dn`.
    Dn(DistinguishedName),
    /// One `tls_client_auth_san_*` member.
    San(SanRule),
}

impl TlsSubject {
    /// The registration members that name it.
    pub const MEMBERS: [&'static str; 5] = [
        "tls_client_auth_subject_dn",
        "tls_client_auth_san_dns",
        "tls_client_auth_san_uri",
        "tls_client_auth_san_ip",
        "tls_client_auth_san_email",
    ];

    /// The rule a registration member gives.
    ///
    /// # Errors
    /// `INVALID_CLIENT_METADATA` saying what is wrong.
    pub fn parse(member: &str, value: &str) -> Result<Self> {
        if member == "tls_client_auth_subject_dn" {
            DistinguishedName::parse(value).map(Self::Dn)
        } else {
            SanRule::parse(member, value).map(Self::San)
        }
    }

    /// The registration member and value, as registered.
    #[must_use]
    pub fn registered(&self) -> (&'static str, String) {
        match self {
            Self::Dn(dn) => ("tls_client_auth_subject_dn", dn.to_string()),
            Self::San(s) => {
                (s.member(), s.to_string().split_once('=').map(|(_, v)| v.to_owned()).unwrap_or_default())
            }
        }
    }

    /// Whether `cert` is the registered one.
    ///
    /// # Errors
    /// `CLIENT_CERTIFICATE_MISMATCH` saying what the certificate carries.
    pub fn check(&self, cert: &ClientCertificate) -> Result<()> {
        let ok = match self {
            Self::Dn(dn) => dn.matches(cert.subject_name()),
            Self::San(rule) => cert.sans().iter().any(|s| rule.matches(s)),
        };
        if ok {
            return Ok(());
        }
        Err(Error::with_detail(
            ErrorCode::ClientCertificateMismatch,
            match self {
                Self::Dn(dn) => format!(
                    "the certificate's subject `{}` is not the registered `{}`",
                    crate::json::bounded(&cert.subject(), 300),
                    crate::json::bounded(&dn.to_string(), 300)
                ),
                Self::San(rule) => format!(
                    "the certificate has no subject alternative name {} ({} of its own)",
                    crate::json::bounded(&rule.to_string(), 300),
                    cert.sans().len()
                ),
            },
        ))
    }
}
