//! The client certificate of a mutual-TLS request, as the TLS terminator
//! hands it over: DER, PEM, nginx's `$ssl_client_escaped_cert`, or Envoy's
//! `x-forwarded-client-cert`. Which format arrives is the deployment's
//! setting, never guessed from the bytes (a header an attacker can send is
//! data, not a hint). Parsed once: subject, subject alternative names, the
//! public key's thumbprint, and `x5t#S256` for certificate-bound tokens.

use std::fmt;

use der::{Decode as _, Encode as _};
use x509_cert::Certificate;

use super::dn::DistinguishedName;
use super::san::San;
use crate::crypto;
use crate::error::{Error, ErrorCode, Result};

/// Largest certificate (or header carrying one, chain included) accepted.
pub const MAX_CERTIFICATE_LEN: usize = 64 * 1024;
/// Most intermediates a presented chain may carry.
const MAX_CHAIN: usize = 8;

/// How the TLS terminator hands the certificate over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateFormat {
    /// The leaf certificate's DER bytes.
    Der,
    /// PEM: the leaf certificate first, intermediates after it.
    Pem,
    /// nginx's `$ssl_client_escaped_cert`: URL-encoded PEM.
    NginxEscaped,
    /// Envoy's `x-forwarded-client-cert` header with exactly one element
    /// carrying `Cert=` (and optionally `Chain=`), URL-encoded PEM.
    Xfcc,
}

impl CertificateFormat {
    /// Every format.
    pub const ALL: [Self; 4] = [Self::Der, Self::Pem, Self::NginxEscaped, Self::Xfcc];

    /// The name used by every face: `der`, `pem`, `nginx`, `xfcc`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Der => "der",
            Self::Pem => "pem",
            Self::NginxEscaped => "nginx",
            Self::Xfcc => "xfcc",
        }
    }

    /// A format by name, or an error naming the formats.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT`.
    pub fn named(name: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name).ok_or_else(|| {
            Error::with_detail(
                ErrorCode::InvalidArgument,
                format!(
                    "`{}` is not a certificate format (der, pem, nginx, xfcc)",
                    crate::json::loggable_name(name)
                ),
            )
        })
    }
}

/// A client certificate presented on the TLS connection.
#[derive(Clone)]
pub struct ClientCertificate {
    der: Vec<u8>,
    chain: Vec<Vec<u8>>,
    verified_by_tls: bool,
    subject: DistinguishedName,
    sans: Vec<San>,
    /// The DER SubjectPublicKeyInfo.
    spki: Vec<u8>,
    x5t_s256: [u8; 32],
    not_before: i64,
    not_after: i64,
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("subject", &self.subject.to_string())
            .field("x5t#S256", &self.thumbprint())
            .field("chain", &self.chain.len())
            .field("verified_by_tls", &self.verified_by_tls)
            .finish()
    }
}

fn malformed(why: impl Into<String>) -> Error {
    Error::with_detail(ErrorCode::MalformedClientCertificate, why.into())
}

impl ClientCertificate {
    /// Read a certificate in `format`.
    ///
    /// # Errors
    /// `MALFORMED_CLIENT_CERTIFICATE` saying what is wrong.
    pub fn parse(format: CertificateFormat, input: &[u8]) -> Result<Self> {
        if input.len() > MAX_CERTIFICATE_LEN {
            return Err(malformed(format!(
                "the client certificate is larger than {MAX_CERTIFICATE_LEN} bytes"
            )));
        }
        match format {
            CertificateFormat::Der => Self::from_der(input.to_vec(), Vec::new()),
            CertificateFormat::Pem => Self::from_pem(input),
            CertificateFormat::NginxEscaped => Self::from_pem(&percent_decode(input)?),
            CertificateFormat::Xfcc => Self::from_xfcc(input),
        }
    }

    /// A certificate chain as a TLS library hands it over: the leaf's DER
    /// first, then the intermediates the client sent.
    ///
    /// # Errors
    /// `MALFORMED_CLIENT_CERTIFICATE` when the leaf is not a certificate,
    /// the chain is empty or longer than 8 intermediates.
    pub fn from_der_chain(chain: &[&[u8]]) -> Result<Self> {
        let (leaf, rest) = chain.split_first().ok_or_else(|| malformed("the certificate chain is empty"))?;
        if rest.len() > MAX_CHAIN || chain.iter().map(|c| c.len()).sum::<usize>() > MAX_CERTIFICATE_LEN {
            return Err(malformed(format!(
                "the chain is longer than {MAX_CHAIN} intermediates or {MAX_CERTIFICATE_LEN} bytes"
            )));
        }
        Self::from_der(leaf.to_vec(), rest.iter().map(|c| c.to_vec()).collect())
    }

    fn from_pem(pem: &[u8]) -> Result<Self> {
        let text = std::str::from_utf8(pem).map_err(|_| malformed("the PEM is not text"))?;
        let blocks = crate::keys::pem_blocks(text, MAX_CHAIN + 1)
            .map_err(|e| malformed(format!("the client certificate PEM: {}", e.detail())))?;
        let mut ders = Vec::with_capacity(blocks.len());
        for (label, der) in blocks {
            if label != "CERTIFICATE" {
                return Err(malformed(format!(
                    "a PEM block is a {}, not a CERTIFICATE",
                    crate::json::loggable_name(&label)
                )));
            }
            ders.push(der);
        }
        let mut ders = ders.into_iter();
        let leaf = ders.next().ok_or_else(|| malformed("no PEM CERTIFICATE block"))?;
        Self::from_der(leaf, ders.collect())
    }

    fn from_xfcc(header: &[u8]) -> Result<Self> {
        let text =
            std::str::from_utf8(header).map_err(|_| malformed("x-forwarded-client-cert is not text"))?;
        let elements = xfcc_elements(text)?;
        let [element] = elements.as_slice() else {
            return Err(malformed(format!(
                "x-forwarded-client-cert has {} elements; one is taken (let the proxy replace the header: Envoy's forward_client_cert_details SANITIZE_SET)",
                elements.len()
            )));
        };
        let get =
            |key: &str| element.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str());
        let cert = get("Cert").ok_or_else(|| {
            malformed("the x-forwarded-client-cert element has no Cert (Envoy: set_current_client_cert_details cert: true)")
        })?;
        let leaf = Self::from_pem(&percent_decode(cert.as_bytes())?)?;
        match get("Chain") {
            None => Ok(leaf),
            Some(chain) => {
                // Chain= holds the leaf and its intermediates.
                let all = Self::from_pem(&percent_decode(chain.as_bytes())?)?;
                if all.der != leaf.der {
                    return Err(malformed("the x-forwarded-client-cert Chain does not start with its Cert"));
                }
                Ok(Self { chain: all.chain, ..leaf })
            }
        }
    }

    fn from_der(der: Vec<u8>, chain: Vec<Vec<u8>>) -> Result<Self> {
        let cert = Certificate::from_der(&der).map_err(|_| malformed("not a DER X.509 certificate"))?;
        let tbs = cert.tbs_certificate();
        let sans = match tbs.get_extension::<x509_cert::ext::pkix::SubjectAltName>() {
            Ok(Some((_, san))) => San::from_general_names(&san.0),
            Ok(None) => Vec::new(),
            Err(_) => return Err(malformed("the subject alternative name extension does not decode")),
        };
        let unix =
            |t: x509_cert::time::Time| i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
        let spki = tbs
            .subject_public_key_info()
            .to_der()
            .map_err(|_| malformed("the certificate's public key does not encode"))?;
        Ok(Self {
            subject: DistinguishedName::from_name(tbs.subject()),
            sans,
            spki,
            x5t_s256: crypto::sha256(&der),
            not_before: unix(tbs.validity().not_before),
            not_after: unix(tbs.validity().not_after),
            der,
            chain,
            verified_by_tls: false,
        })
    }

    /// The TLS layer verified this certificate's chain to the client CAs it
    /// trusts (nginx `ssl_verify_client on`, Envoy with a validation
    /// context): `tls_client_auth` then needs no trust anchors here.
    #[must_use]
    pub const fn verified_by_tls(mut self, verified: bool) -> Self {
        self.verified_by_tls = verified;
        self
    }

    /// Whether the TLS layer verified the chain.
    #[must_use]
    pub const fn is_verified_by_tls(&self) -> bool {
        self.verified_by_tls
    }

    /// `x5t#S256`: base64url of the SHA-256 of the DER, what a
    /// certificate-bound access token's `cnf` carries (RFC 8705 §3.1).
    #[must_use]
    pub fn thumbprint(&self) -> String {
        crate::b64::encode(&self.x5t_s256)
    }

    /// The subject, as RFC 4514 text (for logs and explanations).
    #[must_use]
    pub fn subject(&self) -> String {
        self.subject.to_string()
    }

    pub(crate) const fn subject_name(&self) -> &DistinguishedName {
        &self.subject
    }

    pub(crate) fn sans(&self) -> &[San] {
        &self.sans
    }

    /// The RFC 7638 thumbprint of the certificate's public key.
    pub(crate) fn key_thumbprint(&self) -> Result<[u8; 32]> {
        crate::keys::spki_thumbprint(&self.spki)
    }

    /// The leaf's DER.
    #[must_use]
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// `notBefore` and `notAfter`, Unix seconds.
    #[must_use]
    pub const fn validity(&self) -> (i64, i64) {
        (self.not_before, self.not_after)
    }
}

/// A request's client certificate as the host has it: parsed already, or
/// the bytes the TLS terminator handed over (read during the request, so a
/// malformed one is that request's refusal: `MALFORMED_CLIENT_CERTIFICATE`).
#[derive(Debug, Clone, Copy)]
pub enum PresentedCertificate<'a> {
    /// A certificate read with [`ClientCertificate::parse`].
    Parsed(&'a ClientCertificate),
    /// The chain a TLS library hands over, leaf first
    /// ([`ClientCertificate::from_der_chain`]); its chain was not verified.
    DerChain(&'a [&'a [u8]]),
    /// Bytes in `format`; `verified_by_tls` as [`ClientCertificate::verified_by_tls`].
    Raw {
        /// How the terminator encoded it.
        format: CertificateFormat,
        /// What it handed over.
        bytes: &'a [u8],
        /// Whether the TLS layer verified the chain.
        verified_by_tls: bool,
    },
}

impl<'a> From<&'a ClientCertificate> for PresentedCertificate<'a> {
    fn from(c: &'a ClientCertificate) -> Self {
        Self::Parsed(c)
    }
}

impl<'a> PresentedCertificate<'a> {
    /// The certificate, read if need be.
    pub(crate) fn read(self) -> Result<std::borrow::Cow<'a, ClientCertificate>> {
        match self {
            Self::Parsed(c) => Ok(std::borrow::Cow::Borrowed(c)),
            Self::DerChain(chain) => ClientCertificate::from_der_chain(chain).map(std::borrow::Cow::Owned),
            Self::Raw { format, bytes, verified_by_tls } => ClientCertificate::parse(format, bytes)
                .map(|c| std::borrow::Cow::Owned(c.verified_by_tls(verified_by_tls))),
        }
    }
}

/// Undo URL encoding (`%XX`; `+` is kept: nginx and Envoy encode spaces
/// as `%20`, and base64's `+` as `%2B`).
fn percent_decode(input: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        if b == b'%' {
            let hex = |j: usize| input.get(j).and_then(|c| char::from(*c).to_digit(16));
            let (Some(h), Some(l)) = (hex(i + 1), hex(i + 2)) else {
                return Err(malformed("a %-escape of the URL-encoded certificate is not two hex digits"));
            };
            out.push(u8::try_from(h * 16 + l).unwrap_or_default());
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Ok(out)
}

/// The elements of an `x-forwarded-client-cert` value: `,`-separated
/// elements of `;`-separated `key=value` pairs; a value may be in double
/// quotes (then `,`, `;` and `=` are data and `\"` is a quote).
fn xfcc_elements(text: &str) -> Result<Vec<Vec<(String, String)>>> {
    let bytes = text.as_bytes();
    let mut elements = vec![Vec::new()];
    let mut i = 0;
    loop {
        // key
        let start = i;
        while bytes.get(i).is_some_and(|b| !matches!(b, b'=' | b';' | b',')) {
            i += 1;
        }
        let key = text.get(start..i).unwrap_or_default().trim().to_owned();
        if bytes.get(i) != Some(&b'=') || key.is_empty() {
            return Err(malformed(format!(
                "x-forwarded-client-cert: a key=value pair is expected at byte {start}"
            )));
        }
        i += 1;
        // value
        let mut value = String::new();
        if bytes.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match bytes.get(i) {
                    None => return Err(malformed("x-forwarded-client-cert: a quoted value is not closed")),
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(b'\\') if bytes.get(i + 1) == Some(&b'"') => {
                        value.push('"');
                        i += 2;
                    }
                    Some(_) => {
                        let ch = text.get(i..).and_then(|t| t.chars().next()).unwrap_or_default();
                        value.push(ch);
                        i += ch.len_utf8();
                    }
                }
            }
        } else {
            let start = i;
            while bytes.get(i).is_some_and(|b| !matches!(b, b';' | b',')) {
                if bytes.get(i) == Some(&b'"') || bytes.get(i) == Some(&b'=') {
                    return Err(malformed(format!(
                        "x-forwarded-client-cert: `{}` in an unquoted value at byte {i}",
                        char::from(bytes.get(i).copied().unwrap_or_default())
                    )));
                }
                i += 1;
            }
            value.push_str(text.get(start..i).unwrap_or_default().trim());
        }
        if let Some(element) = elements.last_mut() {
            element.push((key, value));
        }
        match bytes.get(i) {
            None => break,
            Some(b';') => i += 1,
            Some(b',') => {
                elements.push(Vec::new());
                i += 1;
            }
            Some(_) => {
                return Err(malformed(format!("x-forwarded-client-cert: `;` or `,` expected at byte {i}")));
            }
        }
        if elements.len() > 16 {
            return Err(malformed("x-forwarded-client-cert has more than 16 elements"));
        }
    }
    Ok(elements)
}

/// The CAs whose client certificates `tls_client_auth` accepts when the
/// library verifies chains itself (the TLS layer did not).
#[derive(Clone)]
pub struct TrustAnchors {
    anchors: Vec<rustls_pki_types::TrustAnchor<'static>>,
    subjects: Vec<String>,
}

impl fmt::Debug for TrustAnchors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TrustAnchors").field(&self.subjects).finish()
    }
}

impl TrustAnchors {
    /// CA certificates in PEM (one or more `CERTIFICATE` blocks).
    ///
    /// # Errors
    /// `INVALID_KEY` when a block is not a usable CA certificate, or there is none.
    pub fn from_pem(pem: &[u8]) -> Result<Self> {
        let bad = |why: String| Error::with_detail(ErrorCode::InvalidKey, why);
        let text = std::str::from_utf8(pem).map_err(|_| bad("the CA bundle is not text".into()))?;
        let blocks =
            crate::keys::pem_blocks(text, 1000).map_err(|e| bad(format!("the CA bundle: {}", e.detail())))?;
        let mut anchors = Vec::new();
        let mut subjects = Vec::new();
        for (i, (label, der)) in blocks.into_iter().enumerate() {
            if label != "CERTIFICATE" {
                return Err(bad(format!(
                    "CA block {i} is a {}, not a CERTIFICATE",
                    crate::json::loggable_name(&label)
                )));
            }
            let c = ClientCertificate::from_der(der.clone(), Vec::new())
                .map_err(|_| bad(format!("CA block {i} is not an X.509 certificate")))?;
            let cert = rustls_pki_types::CertificateDer::from(der);
            let anchor = webpki::anchor_from_trusted_cert(&cert)
                .map_err(|e| bad(format!("CA block {i} cannot be a trust anchor: {e}")))?
                .to_owned();
            anchors.push(anchor);
            subjects.push(c.subject());
        }
        if anchors.is_empty() {
            return Err(bad("the CA bundle holds no CERTIFICATE".into()));
        }
        Ok(Self { anchors, subjects })
    }

    /// The CAs' subjects.
    #[must_use]
    pub fn subjects(&self) -> &[String] {
        &self.subjects
    }

    /// Verify `cert`'s chain (its intermediates as presented) to one of
    /// these anchors at `now`, for client authentication.
    pub(crate) fn verify(&self, cert: &ClientCertificate, now: i64) -> Result<()> {
        let untrusted = |why: String| Error::with_detail(ErrorCode::ClientCertificateUntrusted, why);
        let leaf = rustls_pki_types::CertificateDer::from(cert.der.as_slice());
        let ee = webpki::EndEntityCert::try_from(&leaf)
            .map_err(|e| untrusted(format!("the certificate cannot be verified: {e}")))?;
        let intermediates: Vec<rustls_pki_types::CertificateDer<'_>> =
            cert.chain.iter().map(|d| rustls_pki_types::CertificateDer::from(d.as_slice())).collect();
        let time = rustls_pki_types::UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            u64::try_from(now).unwrap_or_default(),
        ));
        ee.verify_for_usage(
            crypto::CERTIFICATE_SIGNATURE_ALGORITHMS,
            &self.anchors,
            &intermediates,
            time,
            webpki::KeyUsage::client_auth(),
            None,
            None,
        )
        .map(|_| ())
        .map_err(|e| untrusted(format!("the certificate chain does not verify to a trusted client CA: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xfcc_elements_and_quoting() {
        let e = xfcc_elements(r#"By=spiffe://a;Hash=ab;Subject="CN=x,O=\"q\"";URI=spiffe://b"#).unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0][2], ("Subject".to_owned(), "CN=x,O=\"q\"".to_owned()));
        assert_eq!(xfcc_elements("By=a;Cert=x,By=b;Cert=y").unwrap().len(), 2);
        for bad in ["", "Cert", "Cert=\"open", "=x", "a=b=c", "a=b\"c", "a=\"b\"x"] {
            assert_eq!(
                xfcc_elements(bad).unwrap_err().code(),
                ErrorCode::MalformedClientCertificate,
                "{bad}"
            );
        }
    }

    #[test]
    fn percent_decoding_is_strict() {
        assert_eq!(percent_decode(b"a%2Bb%20c+d").unwrap(), b"a+b c+d");
        assert!(percent_decode(b"%2").is_err());
        assert!(percent_decode(b"%zz").is_err());
    }

    #[test]
    fn bad_inputs_are_precise() {
        let code = |f, b: &[u8]| ClientCertificate::parse(f, b).unwrap_err().code();
        assert_eq!(
            code(CertificateFormat::Der, b"\x30\x03\x02\x01\x01"),
            ErrorCode::MalformedClientCertificate
        );
        assert_eq!(
            code(CertificateFormat::Pem, b"-----BEGIN CERTIFICATE-----\nMIIB"),
            ErrorCode::MalformedClientCertificate
        );
        assert_eq!(code(CertificateFormat::Pem, b"hello"), ErrorCode::MalformedClientCertificate);
        assert_eq!(code(CertificateFormat::Xfcc, b"By=x;Hash=y"), ErrorCode::MalformedClientCertificate);
        assert_eq!(code(CertificateFormat::NginxEscaped, b"%ZZ"), ErrorCode::MalformedClientCertificate);
        assert_eq!(
            code(CertificateFormat::Der, &vec![0u8; MAX_CERTIFICATE_LEN + 1]),
            ErrorCode::MalformedClientCertificate
        );
    }
}
