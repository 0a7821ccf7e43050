//! Subject alternative names (RFC 8705 §2.1.2): the one a
//! `tls_client_auth` client registers, compared with the certificate's
//! entries of the same type — DNS names ASCII case-insensitively, URIs
//! exactly, IP addresses as addresses (`::1` is `0:0:0:0:0:0:0:1`), email
//! addresses with the domain case-insensitive and the local part exact.

use std::fmt;
use std::net::IpAddr;

use crate::error::{Error, ErrorCode, Result};

/// The registered SAN a certificate must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SanRule {
    /// `tls_client_auth_san_dns`: a dNSName entry.
    Dns(String),
    /// `tls_client_auth_san_uri`: a uniformResourceIdentifier entry.
    Uri(String),
    /// `tls_client_auth_san_ip`: an iPAddress entry.
    Ip(IpAddr),
    /// `tls_client_auth_san_email`: an rfc822Name entry.
    Email(String),
}

/// One SAN entry of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum San {
    Dns(String),
    Uri(String),
    Ip(IpAddr),
    Email(String),
}

impl SanRule {
    /// The RFC 8705 registration member names, in order.
    pub const MEMBERS: [&'static str; 4] = [
        "tls_client_auth_san_dns",
        "tls_client_auth_san_uri",
        "tls_client_auth_san_ip",
        "tls_client_auth_san_email",
    ];

    /// The rule a registration member gives (`member` one of [`Self::MEMBERS`]).
    ///
    /// # Errors
    /// `INVALID_CLIENT_METADATA` for an empty value, an unknown member, an
    /// IP address that does not parse, an email without `@`, a value with
    /// spaces or control characters.
    pub fn parse(member: &str, value: &str) -> Result<Self> {
        let bad =
            |why: &str| Error::with_detail(ErrorCode::InvalidClientMetadata, format!("{member}: {why}"));
        if value.is_empty() {
            return Err(bad("must not be empty"));
        }
        if value.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(bad("must not contain spaces or control characters"));
        }
        if value.len() > 1024 {
            return Err(bad("is longer than 1024 bytes"));
        }
        match member {
            "tls_client_auth_san_dns" => Ok(Self::Dns(value.to_owned())),
            "tls_client_auth_san_uri" => {
                if !value.contains(':') {
                    return Err(bad("is not an absolute URI"));
                }
                Ok(Self::Uri(value.to_owned()))
            }
            "tls_client_auth_san_ip" => value
                .parse::<IpAddr>()
                .map(Self::Ip)
                .map_err(|_| bad("is not an IPv4 or IPv6 address (RFC 5952 text)")),
            "tls_client_auth_san_email" => match value.rsplit_once('@') {
                Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
                    Ok(Self::Email(value.to_owned()))
                }
                _ => Err(bad("is not an email address")),
            },
            _ => Err(bad("is not a subject alternative name member")),
        }
    }

    /// The registration member this rule came from.
    #[must_use]
    pub const fn member(&self) -> &'static str {
        match self {
            Self::Dns(_) => "tls_client_auth_san_dns",
            Self::Uri(_) => "tls_client_auth_san_uri",
            Self::Ip(_) => "tls_client_auth_san_ip",
            Self::Email(_) => "tls_client_auth_san_email",
        }
    }

    /// Whether `entry` is the registered name.
    pub(crate) fn matches(&self, entry: &San) -> bool {
        match (self, entry) {
            (Self::Dns(a), San::Dns(b)) => {
                a.trim_end_matches('.').eq_ignore_ascii_case(b.trim_end_matches('.'))
            }
            (Self::Uri(a), San::Uri(b)) => a == b,
            (Self::Ip(a), San::Ip(b)) => a == b,
            (Self::Email(a), San::Email(b)) => match (a.rsplit_once('@'), b.rsplit_once('@')) {
                (Some((la, da)), Some((lb, db))) => la == lb && da.eq_ignore_ascii_case(db),
                _ => false,
            },
            _ => false,
        }
    }
}

impl fmt::Display for SanRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dns(v) | Self::Uri(v) | Self::Email(v) => write!(f, "{}={v}", self.member()),
            Self::Ip(ip) => write!(f, "{}={ip}", self.member()),
        }
    }
}

impl San {
    /// The certificate's entries of the four types (others are skipped).
    pub(crate) fn from_general_names(names: &[x509_cert::ext::pkix::name::GeneralName]) -> Vec<Self> {
        use x509_cert::ext::pkix::name::GeneralName as G;
        names
            .iter()
            .filter_map(|n| match n {
                G::DnsName(s) => Some(Self::Dns(s.to_string())),
                G::UniformResourceIdentifier(s) => Some(Self::Uri(s.to_string())),
                G::Rfc822Name(s) => Some(Self::Email(s.to_string())),
                G::IpAddress(o) => match o.as_bytes().len() {
                    4 => <[u8; 4]>::try_from(o.as_bytes()).ok().map(|b| Self::Ip(IpAddr::from(b))),
                    16 => <[u8; 16]>::try_from(o.as_bytes()).ok().map(|b| Self::Ip(IpAddr::from(b))),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_type_compares_its_way() {
        let r = |m: &str, v: &str| SanRule::parse(m, v).unwrap();
        assert!(r("tls_client_auth_san_dns", "Svc.Example.com").matches(&San::Dns("svc.example.COM".into())));
        assert!(
            !r("tls_client_auth_san_dns", "svc.example.com").matches(&San::Dns("xsvc.example.com".into()))
        );
        assert!(
            !r("tls_client_auth_san_dns", "svc.example.com").matches(&San::Uri("svc.example.com".into()))
        );
        assert!(
            r("tls_client_auth_san_uri", "spiffe://example.com/svc")
                .matches(&San::Uri("spiffe://example.com/svc".into()))
        );
        assert!(
            !r("tls_client_auth_san_uri", "spiffe://example.com/svc")
                .matches(&San::Uri("spiffe://example.com/SVC".into()))
        );
        let ip6 = r("tls_client_auth_san_ip", "::1");
        assert!(ip6.matches(&San::Ip("0:0:0:0:0:0:0:1".parse().unwrap())));
        assert!(!ip6.matches(&San::Ip("127.0.0.1".parse().unwrap())));
        assert!(
            r("tls_client_auth_san_ip", "2001:db8::1")
                .matches(&San::Ip("2001:0db8:0:0::0001".parse().unwrap()))
        );
        let mail = r("tls_client_auth_san_email", "Ops@Example.com");
        assert!(mail.matches(&San::Email("Ops@example.COM".into())));
        assert!(!mail.matches(&San::Email("ops@example.com".into())), "the local part is exact");
    }

    #[test]
    fn registration_values_are_checked() {
        for (m, v) in [
            ("tls_client_auth_san_dns", ""),
            ("tls_client_auth_san_dns", "a b"),
            ("tls_client_auth_san_ip", "1.2.3"),
            ("tls_client_auth_san_ip", "::g"),
            ("tls_client_auth_san_email", "nobody"),
            ("tls_client_auth_san_uri", "relative/path"),
            ("tls_client_auth_san_other", "x"),
        ] {
            assert_eq!(SanRule::parse(m, v).unwrap_err().code(), ErrorCode::InvalidClientMetadata, "{m}={v}");
        }
    }
}
