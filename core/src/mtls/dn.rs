//! Subject distinguished names, compared as parsed RDN sequences — never as
//! strings. A registered `tls_client_auth_subject_dn` is an RFC 4514 string
//! (`CN=svc,OU=Payments+O=Example,C=DE`); a certificate's subject is DER.
//! Both become a sequence of RDNs, each a set of (attribute type OID,
//! value); two names are equal when the sequences have the same length and
//! each pair of RDNs holds the same set. Values of string types are compared
//! after RFC 4518 string preparation (case and compatibility folded, NFKC,
//! insignificant spaces removed); values of other types by their DER bytes.

use std::fmt;

use der::asn1::ObjectIdentifier;
use der::{Decode as _, Encode as _, Tag, Tagged as _};
use unicode_normalization::UnicodeNormalization as _;

use crate::error::{Error, ErrorCode, Result};

/// Attribute type short names (RFC 4514 §3, RFC 4519, and the ones
/// certificates commonly carry), case-insensitive.
const NAMES: &[(&str, &str)] = &[
    ("CN", "2.5.4.3"),
    ("commonName", "2.5.4.3"),
    ("SN", "2.5.4.4"),
    ("surname", "2.5.4.4"),
    ("serialNumber", "2.5.4.5"),
    ("C", "2.5.4.6"),
    ("countryName", "2.5.4.6"),
    ("L", "2.5.4.7"),
    ("localityName", "2.5.4.7"),
    ("ST", "2.5.4.8"),
    ("S", "2.5.4.8"),
    ("stateOrProvinceName", "2.5.4.8"),
    ("STREET", "2.5.4.9"),
    ("streetAddress", "2.5.4.9"),
    ("O", "2.5.4.10"),
    ("organizationName", "2.5.4.10"),
    ("OU", "2.5.4.11"),
    ("organizationalUnitName", "2.5.4.11"),
    ("title", "2.5.4.12"),
    ("businessCategory", "2.5.4.15"),
    ("postalCode", "2.5.4.17"),
    ("GN", "2.5.4.42"),
    ("givenName", "2.5.4.42"),
    ("initials", "2.5.4.43"),
    ("generationQualifier", "2.5.4.44"),
    ("dnQualifier", "2.5.4.46"),
    ("pseudonym", "2.5.4.65"),
    ("organizationIdentifier", "2.5.4.97"),
    ("UID", "0.9.2342.19200300.100.1.1"),
    ("userId", "0.9.2342.19200300.100.1.1"),
    ("DC", "0.9.2342.19200300.100.1.25"),
    ("domainComponent", "0.9.2342.19200300.100.1.25"),
    ("E", "1.2.840.113549.1.9.1"),
    ("emailAddress", "1.2.840.113549.1.9.1"),
    ("jurisdictionC", "1.3.6.1.4.1.311.60.2.1.3"),
    ("jurisdictionST", "1.3.6.1.4.1.311.60.2.1.2"),
    ("jurisdictionL", "1.3.6.1.4.1.311.60.2.1.1"),
];

/// Longest distinguished name string accepted at registration.
const MAX_DN_LEN: usize = 4096;

/// One attribute value, ready to compare.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Value {
    /// A string value after RFC 4518 preparation; `None` when it holds a
    /// character the preparation prohibits (it then matches nothing).
    Text(Option<String>),
    /// A value of another type: its DER encoding.
    Der(Vec<u8>),
}

/// A distinguished name: RDNs in DER order (the most general first), each
/// a sorted set of (OID, value).
#[derive(Clone)]
pub struct DistinguishedName {
    rdns: Vec<Vec<(ObjectIdentifier, Value)>>,
    text: Text,
}

/// The name as people read it: the registered string, or a certificate's
/// name written as RFC 4514 text only when asked (for a message or a log:
/// formatting it costs more than matching it).
#[derive(Clone)]
enum Text {
    Given(String),
    Certificate(Box<x509_cert::name::Name>, std::sync::OnceLock<String>),
}

impl PartialEq for DistinguishedName {
    fn eq(&self, other: &Self) -> bool {
        self.rdns == other.rdns
    }
}

impl Eq for DistinguishedName {}

impl fmt::Debug for DistinguishedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DistinguishedName").field(&self.to_string()).finish()
    }
}

impl fmt::Display for DistinguishedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.text {
            Text::Given(t) => f.write_str(t),
            Text::Certificate(name, text) => f.write_str(text.get_or_init(|| name.to_string())),
        }
    }
}

fn bad(why: impl Into<String>) -> Error {
    Error::with_detail(ErrorCode::InvalidClientMetadata, why.into())
}

impl DistinguishedName {
    /// Parse an RFC 4514 string: RDNs separated by `,` (or `;`), attribute
    /// values of one RDN by `+`; attribute types by short name
    /// (case-insensitive) or dotted OID (`2.5.4.3`, `OID.2.5.4.3`); values
    /// with `\`-escapes (`\,`, `\2C`, UTF-8 as `\C3\A9`), in double quotes,
    /// or as `#` and the hex of their DER. Spaces around separators are
    /// ignored (OpenSSL prints `CN = x, O = y`).
    ///
    /// # Errors
    /// `INVALID_CLIENT_METADATA` saying what is wrong and where.
    pub fn parse(text: &str) -> Result<Self> {
        if text.len() > MAX_DN_LEN {
            return Err(bad(format!("the subject DN is longer than {MAX_DN_LEN} bytes")));
        }
        if text.trim().is_empty() {
            return Err(bad("the subject DN is empty"));
        }
        let mut p = Parser { s: text.as_bytes(), at: 0 };
        let mut rdns = Vec::new();
        loop {
            let mut rdn = Vec::new();
            loop {
                rdn.push(p.attribute()?);
                p.spaces();
                if p.eat(b'+') {
                    continue;
                }
                break;
            }
            rdn.sort();
            if rdn.windows(2).any(|w| w.first().map(|a| &a.0) == w.get(1).map(|b| &b.0)) {
                return Err(bad(format!(
                    "an RDN of the subject DN names one attribute type twice (at byte {})",
                    p.at
                )));
            }
            rdns.push(rdn);
            p.spaces();
            if p.at == p.s.len() {
                break;
            }
            if !(p.eat(b',') || p.eat(b';')) {
                return Err(bad(format!("the subject DN has an unexpected character at byte {}", p.at)));
            }
        }
        // RFC 4514 writes the most specific RDN first; DER the other way round.
        rdns.reverse();
        Ok(Self { rdns, text: Text::Given(text.to_owned()) })
    }

    /// A certificate's subject (or issuer).
    pub(crate) fn from_name(name: &x509_cert::name::Name) -> Self {
        let mut rdns: Vec<Vec<(ObjectIdentifier, Value)>> = name
            .iter_rdn()
            .map(|rdn| {
                let mut set: Vec<(ObjectIdentifier, Value)> =
                    rdn.iter().map(|atv| (atv.oid, value_of(atv.value.tag(), atv.value.value()))).collect();
                set.sort();
                set
            })
            .collect();
        rdns.shrink_to_fit();
        Self { rdns, text: Text::Certificate(Box::new(name.clone()), std::sync::OnceLock::new()) }
    }

    /// Whether `other` is the same name (see the module's rules).
    #[must_use]
    pub fn matches(&self, other: &Self) -> bool {
        self.rdns.len() == other.rdns.len()
            && self.rdns.iter().zip(&other.rdns).all(|(a, b)| {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((oa, va), (ob, vb))| oa == ob && va == vb && !matches!(va, Value::Text(None)))
            })
    }
}

/// A value as its tag says: prepared text for the string types, DER for the rest.
fn value_of(tag: Tag, bytes: &[u8]) -> Value {
    let text = match tag {
        Tag::Utf8String => std::str::from_utf8(bytes).ok().map(str::to_owned),
        Tag::PrintableString | Tag::Ia5String | Tag::NumericString | Tag::VisibleString => {
            bytes.is_ascii().then(|| String::from_utf8_lossy(bytes).into_owned())
        }
        // T.61 in practice holds Latin-1.
        Tag::TeletexString => Some(bytes.iter().map(|b| char::from(*b)).collect()),
        Tag::BmpString => {
            let units: Option<Vec<u16>> = bytes.len().is_multiple_of(2).then(|| {
                bytes
                    .chunks_exact(2)
                    .filter_map(|c| <[u8; 2]>::try_from(c).ok())
                    .map(u16::from_be_bytes)
                    .collect()
            });
            units.and_then(|u| String::from_utf16(&u).ok())
        }
        _ => {
            let der = der::asn1::Any::new(tag, bytes).and_then(|a| a.to_der()).unwrap_or_default();
            return Value::Der(der);
        }
    };
    match text {
        Some(t) => Value::Text(prepare(&t)),
        // A string type whose bytes are not that type: matches nothing.
        None => Value::Text(None),
    }
}

/// RFC 4518 string preparation for caseIgnoreMatch: map (drop what maps to
/// nothing, every space character to SPACE), fold case and normalise
/// (Unicode compatibility caseless form), prohibit (private use,
/// non-characters, U+FFFD: `None`), then insignificant spaces (trimmed,
/// runs collapsed to one).
pub(crate) fn prepare(s: &str) -> Option<String> {
    if s.is_ascii() {
        // ASCII: folding is lowercasing, NFKC changes nothing, nothing is prohibited.
        let mapped: String = s
            .bytes()
            .filter_map(|b| match b {
                0x09..=0x0D => Some(' '),
                0x00..=0x1F | 0x7F => None,
                b => Some(char::from(b.to_ascii_lowercase())),
            })
            .collect();
        return Some(mapped.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" "));
    }
    let mapped: String = s
        .chars()
        .filter_map(|c| match c {
            '\u{00AD}'
            | '\u{1806}'
            | '\u{034F}'
            | '\u{180B}'..='\u{180D}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FFFC}'
            | '\u{200B}' => None,
            '\u{0009}'..='\u{000D}' | '\u{0085}' => Some(' '),
            c if c.is_control() => None,
            '\u{00A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}' => Some(' '),
            c => Some(c),
        })
        .collect();
    let folded: String = caseless::Caseless::default_case_fold(mapped.nfd()).nfkc().collect();
    let folded: String = caseless::Caseless::default_case_fold(folded.chars()).nfkc().collect();
    if folded.chars().any(|c| {
        matches!(c, '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{FFFFD}' | '\u{100000}'..='\u{10FFFD}' | '\u{FFFD}')
            || (c as u32 & 0xFFFE) == 0xFFFE
            || ('\u{FDD0}'..='\u{FDEF}').contains(&c)
    }) {
        return None;
    }
    Some(folded.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" "))
}

struct Parser<'s> {
    s: &'s [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.at += 1;
        }
        hit
    }

    fn spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    fn attribute(&mut self) -> Result<(ObjectIdentifier, Value)> {
        self.spaces();
        let start = self.at;
        while let Some(b) = self.peek() {
            if b == b'=' || b == b' ' {
                break;
            }
            if !(b.is_ascii_alphanumeric() || b == b'-' || b == b'.') {
                return Err(bad(format!("the subject DN has an unexpected character at byte {}", self.at)));
            }
            self.at += 1;
        }
        let name = std::str::from_utf8(self.s.get(start..self.at).unwrap_or_default()).unwrap_or_default();
        self.spaces();
        if name.is_empty() || !self.eat(b'=') {
            return Err(bad(format!("the subject DN needs TYPE=value at byte {start}")));
        }
        let oid = oid_of(name).ok_or_else(|| {
            bad(format!("`{}` is not an attribute type of a subject DN", crate::json::loggable_name(name)))
        })?;
        self.spaces();
        let value = match self.peek() {
            Some(b'#') => {
                self.at += 1;
                self.hex_value()?
            }
            Some(b'"') => {
                self.at += 1;
                Value::Text(prepare(&self.string(true)?))
            }
            _ => Value::Text(prepare(&self.string(false)?)),
        };
        Ok((oid, value))
    }

    /// `#` then the hex of a DER value.
    fn hex_value(&mut self) -> Result<Value> {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_hexdigit()) {
            self.at += 1;
        }
        let hex = self.s.get(start..self.at).unwrap_or_default();
        let der = (hex.len().is_multiple_of(2) && !hex.is_empty())
            .then(|| {
                hex.chunks_exact(2).map(|p| hex_byte(*p.first()?, *p.get(1)?)).collect::<Option<Vec<u8>>>()
            })
            .flatten()
            .ok_or_else(|| bad(format!("the #-value at byte {start} is not an even number of hex digits")))?;
        let any = der::asn1::Any::from_der(&der)
            .map_err(|_| bad(format!("the #-value at byte {start} is not one DER value")))?;
        Ok(value_of(any.tag(), any.value()))
    }

    /// A value up to the next unescaped separator (or closing quote),
    /// escapes undone; trailing unescaped spaces are not part of it.
    fn string(&mut self, quoted: bool) -> Result<String> {
        let mut out: Vec<u8> = Vec::new();
        // Length of `out` up to its last escaped or non-space byte.
        let mut keep = 0;
        loop {
            let Some(b) = self.peek() else {
                if quoted {
                    return Err(bad("a quoted value of the subject DN is not closed"));
                }
                break;
            };
            match b {
                b'"' if quoted => {
                    self.at += 1;
                    keep = out.len();
                    break;
                }
                b',' | b'+' | b';' if !quoted => break,
                b'\\' => {
                    self.at += 1;
                    match (self.peek(), self.s.get(self.at + 1).copied()) {
                        (Some(h), Some(l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => {
                            out.extend(hex_byte(h, l));
                            self.at += 2;
                        }
                        (Some(c), _)
                            if matches!(
                                c,
                                b',' | b'+' | b'"' | b'\\' | b'<' | b'>' | b';' | b'=' | b' ' | b'#'
                            ) =>
                        {
                            out.push(c);
                            self.at += 1;
                        }
                        _ => {
                            return Err(bad(format!(
                                "the subject DN has a bad escape at byte {}",
                                self.at - 1
                            )));
                        }
                    }
                    keep = out.len();
                }
                b'"' | b'<' | b'>' | b'=' if !quoted => {
                    return Err(bad(format!(
                        "`{}` must be escaped in a subject DN (byte {})",
                        char::from(b),
                        self.at
                    )));
                }
                b => {
                    out.push(b);
                    self.at += 1;
                    if b != b' ' || quoted {
                        keep = out.len();
                    }
                }
            }
        }
        out.truncate(keep);
        String::from_utf8(out).map_err(|_| bad("a value of the subject DN is not UTF-8"))
    }
}

fn hex_byte(h: u8, l: u8) -> Option<u8> {
    let d = |c: u8| char::from(c).to_digit(16).and_then(|v| u8::try_from(v).ok());
    Some(d(h)? << 4 | d(l)?)
}

fn oid_of(name: &str) -> Option<ObjectIdentifier> {
    let dotted = name.strip_prefix("OID.").or_else(|| name.strip_prefix("oid.")).unwrap_or(name);
    if dotted.starts_with(|c: char| c.is_ascii_digit()) {
        return ObjectIdentifier::new(dotted).ok();
    }
    NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .and_then(|(_, oid)| ObjectIdentifier::new(oid).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dn(s: &str) -> DistinguishedName {
        DistinguishedName::parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    #[test]
    fn preparation_folds_case_space_and_compatibility() {
        assert_eq!(prepare("  Payments   Team "), Some("payments team".into()));
        assert_eq!(prepare("STRASSE"), prepare("Straße"));
        assert_eq!(prepare("ＡＢＣ"), prepare("abc")); // full-width
        assert_eq!(prepare("e\u{301}"), prepare("\u{e9}")); // combining
        assert_eq!(prepare("a\u{00A0}b"), prepare("a b"));
        assert_eq!(prepare("soft\u{00AD}hyphen"), prepare("softhyphen"));
        assert_eq!(prepare("private\u{E000}"), None);
    }

    #[test]
    fn strings_parse_to_rdn_sequences() {
        let a = dn("CN=svc,OU=Payments+O=Example,C=DE");
        assert_eq!(a.rdns.len(), 3);
        assert_eq!(a.rdns[0].len(), 1, "C first, in DER order");
        assert_eq!(a.rdns[1].len(), 2, "a multi-valued RDN");
        assert!(a.matches(&dn("cn = SVC , o=example + ou=payments ; c=de")));
        assert!(a.matches(&dn("2.5.4.3=svc,OU=Payments+O=Example,OID.2.5.4.6=DE")));
        assert!(a.matches(&dn("CN=\"svc\",OU=Payments+O=Example,C=DE")));
        assert!(a.matches(&dn("CN=#0c03737663,OU=Payments+O=Example,C=DE")), "#-hex of UTF8String svc");
        // Near misses.
        for other in [
            "CN=svc2,OU=Payments+O=Example,C=DE",
            "CN=svc,OU=Payments,O=Example,C=DE",
            "CN=svc,OU=Payments+O=Example",
            "OU=Payments+O=Example,CN=svc,C=DE",
            "CN=svc,OU=Payments+O=Example,C=DE,DC=x",
            "CN=s vc,OU=Payments+O=Example,C=DE",
        ] {
            assert!(!a.matches(&dn(other)), "{other}");
        }
    }

    #[test]
    fn escapes() {
        let a = dn(r"CN=Smith\, John,O=A\+B \3C\3E,C=DE");
        let b = dn(r"CN=smith\2c john,O=a\2bb <>,C=DE".replace("<>", r"\<\>").as_str());
        assert!(a.matches(&b));
        assert!(dn(r"CN=Caf\C3\A9").matches(&dn("CN=café")));
        assert!(dn(r"CN=\ lead").matches(&dn("CN=lead")), "insignificant spaces, escaped or not");
        assert!(dn("CN=trail\\ ").matches(&dn("CN=trail")));
    }

    #[test]
    fn bad_strings_say_where() {
        for bad in [
            "",
            "CN",
            "CN=a,",
            "=a",
            "XX=a",
            "CN=a=b",
            "CN=a\\zz",
            "CN=\"open",
            "CN=#0c0",
            "CN=#zz",
            "CN=a+CN=b",
            "CN=a,O=<x>",
        ] {
            let e = DistinguishedName::parse(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidClientMetadata, "{bad}");
        }
        assert!(DistinguishedName::parse(&"CN=a,".repeat(1000)).is_err());
    }
}
