//! Compact JWS: structure (rule 1), protected header (rule 2), key selection
//! (rule 4) and signature (rule 5) of docs/SECURITY.md. No claim is looked at here.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

use crate::algorithm::{Algorithm, AlgorithmSet};
use crate::b64;
use crate::error::{Error, ErrorCode, Result};
use crate::json::{self, CowStrSeed, Fail, JsonError, Key, Scan, SeenKeys, StrSeed};
use crate::keys::{JwkSet, VerifyingKey};

/// The `typ` a client assertion may carry (besides none and `JWT`).
pub const TYP_CLIENT_AUTH: &str = "client-authentication+jwt";

/// The protected header, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The algorithm (`Ed25519` is normalised to `EdDSA`).
    pub alg: Algorithm,
    /// The header's `alg` text as sent (`Ed25519` or the canonical name).
    pub alg_name: &'static str,
    /// `typ` as sent, if any.
    pub typ: Option<String>,
    /// `kid`, if any.
    pub kid: Option<String>,
    /// Decoded `x5t` (SHA-1 of a certificate), if any.
    pub x5t: Option<Vec<u8>>,
    /// Decoded `x5t#S256`, if any.
    pub x5t_s256: Option<Vec<u8>>,
    /// SHA-256 of the DER of `x5c[0]`, when the header carries a certificate
    /// chain. Never a key source: it names a registered certificate, like
    /// `x5t#S256`, or the assertion is refused (`EMBEDDED_KEY`).
    pub x5c_s256: Option<Vec<u8>>,
}

impl Header {
    /// Whether `typ` explicitly marks an RFC 7523bis client assertion.
    #[must_use]
    pub fn is_explicitly_typed(&self) -> bool {
        self.typ.as_deref().is_some_and(|t| typ_is(t, TYP_CLIENT_AUTH))
    }
}

/// Media type comparison (RFC 7515 §4.1.9: case-insensitive, `application/` optional).
fn typ_is(typ: &str, name: &str) -> bool {
    let t = if typ.len() > 12 && typ.get(..12).is_some_and(|p| p.eq_ignore_ascii_case("application/")) {
        typ.get(12..).unwrap_or_default()
    } else {
        typ
    };
    t.eq_ignore_ascii_case(name)
}

/// A parsed compact JWS whose signature has not been checked yet.
#[derive(Debug)]
pub(crate) struct Parsed<'a> {
    /// Shared with the thread's header cache (no copy per verification).
    pub(crate) header: Arc<Header>,
    pub(crate) signing_input: &'a [u8],
    /// The decoded payload (the verifier moves it into the claims).
    pub(crate) payload: Vec<u8>,
    /// The decoded signature, in the caller's [`SignatureBuf`].
    pub(crate) signature: &'a [u8],
}

/// Where [`parse`] decodes the signature: in place up to RSA-2048's 256
/// bytes (every HMAC, ECDSA and EdDSA signature too), else on the heap. The
/// caller keeps it on its stack for the one verification, so the decoded
/// bytes are written once and never moved.
pub(crate) struct SignatureBuf {
    inline: [u8; SignatureBuf::INLINE],
    heap: Vec<u8>,
}

impl SignatureBuf {
    const INLINE: usize = 256;

    pub(crate) const fn new() -> Self {
        Self { inline: [0; Self::INLINE], heap: Vec::new() }
    }

    /// Decode strictly; `None` on any deviation.
    fn decode(&mut self, s: &[u8]) -> Option<&[u8]> {
        let len = b64::decoded_len(s.len())?;
        if len <= Self::INLINE {
            let out = self.inline.get_mut(..len)?;
            b64::decode_into(s, out).then_some(&*out)
        } else {
            self.heap = b64::decode(s)?;
            Some(&self.heap)
        }
    }
}

#[derive(Debug, Default, PartialEq)]
pub(crate) struct RawHeader {
    alg: Option<Algorithm>,
    alg_name: &'static str,
    alg_unknown: Option<String>,
    typ: Option<String>,
    kid: Option<String>,
    x5t: Option<String>,
    x5t_s256: Option<String>,
    x5c: Option<serde_json::Value>,
    forbidden: Option<&'static str>,
    embedded: Option<&'static str>,
}

struct HeaderSeed<'a>(&'a Fail);

impl<'de> DeserializeSeed<'de> for HeaderSeed<'_> {
    type Value = RawHeader;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawHeader, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for HeaderSeed<'_> {
    type Value = RawHeader;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JOSE header object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawHeader, A::Error> {
        let fail = self.0;
        // Known members are tracked by bit, others by name (rare: no allocation otherwise).
        let mut known = 0u16;
        let mut seen = SeenKeys::default();
        let mut h = RawHeader::default();
        while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
            let bit = match k.as_ref() {
                "alg" => 1,
                "typ" => 2,
                "kid" => 4,
                "x5t" => 8,
                "x5t#S256" => 16,
                "x5c" => 32,
                _ => 0,
            };
            let fresh = if bit == 0 { seen.insert(k.clone()) } else { known & bit == 0 };
            if !fresh {
                return Err(fail.set(JsonError::Duplicate(json::loggable_name(&k))));
            }
            known |= bit;
            match k.as_ref() {
                "alg" => {
                    let name = map.next_value_seed(CowStrSeed { name: "alg", fail })?;
                    h.alg = Algorithm::from_name(&name);
                    match h.alg {
                        Some(a) => h.alg_name = if name == "Ed25519" { "Ed25519" } else { a.name() },
                        None => h.alg_unknown = Some(json::loggable_name(&name)),
                    }
                }
                "typ" => h.typ = Some(map.next_value_seed(StrSeed { name: "typ", fail })?),
                "kid" => h.kid = Some(map.next_value_seed(StrSeed { name: "kid", fail })?),
                "x5t" => h.x5t = Some(map.next_value_seed(StrSeed { name: "x5t", fail })?),
                "x5t#S256" => h.x5t_s256 = Some(map.next_value_seed(StrSeed { name: "x5t#S256", fail })?),
                "x5c" => h.x5c = Some(map.next_value_seed(json::unique_value_seed(fail))?),
                other => {
                    match other {
                        "crit" | "b64" | "zip" => h.forbidden = h.forbidden.or(Some(static_name(other))),
                        "jwk" | "jku" | "x5u" => h.embedded = h.embedded.or(Some(static_name(other))),
                        _ => {}
                    }
                    // Read, not skipped: a member the rules do not look at
                    // is held to the claims' JSON strictness (UTF-8, no lone
                    // surrogates, finite numbers, no duplicate names, bounded
                    // nesting).
                    map.next_value_seed(json::unique_value_seed(fail))?;
                }
            }
        }
        Ok(h)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<RawHeader, A::Error> {
        Err(self.0.set(JsonError::Syntax))
    }
}

fn static_name(name: &str) -> &'static str {
    ["crit", "b64", "zip", "jwk", "jku", "x5u"].into_iter().find(|n| *n == name).unwrap_or("?")
}

fn json_err(code_for_type: ErrorCode, what: &str, e: &JsonError) -> Error {
    let code = match e {
        JsonError::Duplicate(_) => ErrorCode::DuplicateMember,
        _ => code_for_type,
    };
    Error::with_detail(code, format!("{what}: {e}"))
}

/// The fast path: `alg` (a supported name), `typ` and `kid` only, in the
/// shape [`Scan`] reads; `None` for anything else, which the full parser
/// then reads or refuses.
pub(crate) fn scan_header(bytes: &[u8]) -> Option<RawHeader> {
    let mut h = RawHeader::default();
    Scan::new(bytes)?.object(|name, v| {
        let slot = match name {
            "typ" => &mut h.typ,
            "kid" => &mut h.kid,
            "alg" if h.alg.is_none() => {
                let alg = v.str()?;
                let a = Algorithm::from_name(alg)?;
                h.alg = Some(a);
                h.alg_name = if alg == "Ed25519" { "Ed25519" } else { a.name() };
                return Some(());
            }
            _ => return None,
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(v.str()?.to_owned());
        Some(())
    })?;
    Some(h)
}

/// The full reader: any JSON, with a precise error.
fn read_header(bytes: &[u8]) -> Result<RawHeader> {
    let fail = Fail::default();
    json::parse_with(bytes, HeaderSeed(&fail), &fail)
        .map_err(|e| json_err(ErrorCode::MalformedHeader, "header", &e))
}

fn parse_header(bytes: &[u8]) -> Result<Header> {
    match scan_header(bytes) {
        Some(raw) => validate_header(raw),
        None => validate_header(read_header(bytes)?),
    }
}

/// Rule 2 on the members read.
fn validate_header(raw: RawHeader) -> Result<Header> {
    if let Some(name) = raw.alg_unknown {
        return Err(Error::with_detail(
            ErrorCode::UnsupportedAlgorithm,
            format!("alg `{name}` is not supported"),
        ));
    }
    let alg = raw.alg.ok_or(Error::new(ErrorCode::MalformedHeader, "header has no alg"))?;
    let alg_name = raw.alg_name;
    if let Some(name) = raw.forbidden {
        return Err(Error::with_detail(
            ErrorCode::UnsupportedHeader,
            format!("header parameter `{name}` is not supported"),
        ));
    }
    if let Some(name) = raw.embedded {
        return Err(Error::with_detail(
            ErrorCode::EmbeddedKey,
            format!("header parameter `{name}` would let the token choose its own key"),
        ));
    }
    if let Some(t) = &raw.typ
        && !(typ_is(t, "JWT") || typ_is(t, TYP_CLIENT_AUTH))
    {
        return Err(Error::with_detail(
            ErrorCode::InvalidType,
            format!("typ `{}` is not a client assertion type", json::loggable_name(t)),
        ));
    }
    let thumb = |v: Option<String>, name: &str, len: usize| -> Result<Option<Vec<u8>>> {
        v.map(|s| {
            b64::decode_padding_optional(s.as_bytes()).filter(|d| d.len() == len).ok_or_else(|| {
                Error::with_detail(
                    ErrorCode::MalformedHeader,
                    format!("header `{name}` is not a base64url thumbprint"),
                )
            })
        })
        .transpose()
    };
    let x5t_s256 = thumb(raw.x5t_s256, "x5t#S256", 32)?;
    let x5c_s256 = raw.x5c.as_ref().map(x5c_first_sha256).transpose()?;
    if let (Some(a), Some(b)) = (&x5c_s256, &x5t_s256)
        && a != b
    {
        return Err(Error::new(
            ErrorCode::EmbeddedKey,
            "header x5c[0] and x5t#S256 name different certificates",
        ));
    }
    Ok(Header {
        alg,
        alg_name,
        typ: raw.typ,
        kid: raw.kid,
        x5t: thumb(raw.x5t, "x5t", 20)?,
        x5t_s256,
        x5c_s256,
    })
}

/// The SHA-256 of the DER of a header's `x5c[0]` (RFC 7515 §4.1.6: an array
/// of standard base64 DER certificates, the signer's first; line breaks
/// inside a value are ignored).
fn x5c_first_sha256(x5c: &serde_json::Value) -> Result<Vec<u8>> {
    use base64::Engine as _;
    let malformed = |d: &'static str| Error::new(ErrorCode::MalformedHeader, d);
    let first = match x5c.as_array().map(Vec::as_slice) {
        Some([first, rest @ ..]) if rest.iter().all(serde_json::Value::is_string) => first.as_str(),
        _ => None,
    }
    .ok_or_else(|| malformed("header x5c must be a non-empty array of strings"))?;
    // MSAL sends the PEM body as it is, 64-character lines and all: line
    // breaks are dropped, nothing else is tolerated.
    let compact: Vec<u8> = first.bytes().filter(|b| !matches!(b, b'\r' | b'\n')).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|_| malformed("header x5c[0] is not standard base64"))?;
    Ok(crate::crypto::sha256(&der).to_vec())
}

/// A header's encoded text and what it reads to.
type CachedHeader = (Box<[u8]>, Arc<Header>);

/// Recently seen protected headers, by their exact encoded text. A client
/// sends the same header with every assertion, so most verifications skip
/// decoding and reading it. Only valid headers are kept (a refused one is
/// read and refused again each time), and a hit compares the whole text, so
/// the result is what [`parse_header`] returns for it. Per thread (no lock),
/// direct-mapped: a collision or an attacker cycling through headers only
/// costs the ordinary read.
struct HeaderCache {
    slots: [Option<CachedHeader>; HeaderCache::SLOTS],
}

impl HeaderCache {
    const SLOTS: usize = 16;
    /// Headers longer than this are read each time (they are unusual).
    const MAX_TEXT: usize = 512;

    /// The slot for `text`: FNV-1a over its length and last 16 bytes
    /// (headers of one client differ in their `kid`, near the end).
    fn slot(text: &[u8]) -> usize {
        let tail = text.get(text.len().saturating_sub(16)..).unwrap_or(text);
        let mut h: u32 = 0x811c_9dc5 ^ u32::try_from(text.len()).unwrap_or(u32::MAX);
        for &b in tail {
            h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        (h >> 16) as usize % Self::SLOTS
    }
}

thread_local! {
    static HEADERS: RefCell<HeaderCache> = const { RefCell::new(HeaderCache { slots: [const { None }; HeaderCache::SLOTS] }) };
}

fn cached_header(text: &[u8]) -> Option<Arc<Header>> {
    if text.len() > HeaderCache::MAX_TEXT {
        return None;
    }
    HEADERS
        .try_with(|c| {
            let c = c.try_borrow().ok()?;
            match c.slots.get(HeaderCache::slot(text))? {
                Some((t, h)) if **t == *text => Some(Arc::clone(h)),
                _ => None,
            }
        })
        .ok()
        .flatten()
}

fn remember_header(text: &[u8], header: &Arc<Header>) {
    if text.len() > HeaderCache::MAX_TEXT {
        return;
    }
    // During thread exit the cache is gone; nothing to remember then.
    let _ = HEADERS.try_with(|c| {
        if let Ok(mut c) = c.try_borrow_mut()
            && let Some(slot) = c.slots.get_mut(HeaderCache::slot(text))
        {
            *slot = Some((text.into(), Arc::clone(header)));
        }
    });
}

/// The index of the first `.` in `s` at or after `from` (memchr's vector
/// search: `str::find` was a tenth of an HS256 verification).
fn find_dot(s: &[u8], from: usize) -> Option<usize> {
    memchr::memchr(b'.', s.get(from..)?).map(|i| from + i)
}

/// Rule 1 and 2: size, three non-empty strict-base64url segments, a valid header.
/// Works on bytes: every byte of an acceptable token is base64url or one of
/// the two dots, so a token that is not ASCII fails here, whatever it holds.
pub(crate) fn parse<'a>(bytes: &'a [u8], max_len: usize, sig: &'a mut SignatureBuf) -> Result<Parsed<'a>> {
    if bytes.len() > max_len {
        return Err(Error::with_detail(
            ErrorCode::AssertionTooLarge,
            format!("assertion is {} bytes; the limit is {max_len}", bytes.len()),
        ));
    }
    let three = || Error::new(ErrorCode::MalformedJws, "a compact JWS has exactly three segments");
    let d1 = find_dot(bytes, 0);
    let (Some(d1), Some(d2)) = (d1, d1.and_then(|d| find_dot(bytes, d + 1))) else {
        return Err(three());
    };
    // A further dot would fail the signature's base64url; only when something
    // fails is the rest searched for one, so that a token of four or more
    // segments gets the structural error (rule 1) before any other.
    segments(bytes, d1, d2, sig).map_err(|e| if find_dot(bytes, d2 + 1).is_some() { three() } else { e })
}

/// [`parse`] once the first two dots are known.
fn segments<'a>(bytes: &'a [u8], d1: usize, d2: usize, sig: &'a mut SignatureBuf) -> Result<Parsed<'a>> {
    let (h, rest) = bytes.split_at(d1);
    let p = rest.get(1..d2 - d1).unwrap_or_default();
    let s = bytes.get(d2 + 1..).unwrap_or_default();
    if h.is_empty() || p.is_empty() || s.is_empty() {
        return Err(Error::new(ErrorCode::MalformedJws, "a JWS segment is empty"));
    }
    let b64_err = |seg: &'static str| {
        Error::with_detail(ErrorCode::InvalidBase64, format!("{seg} is not strict base64url"))
    };
    let header = match cached_header(h) {
        Some(header) => header,
        None => {
            let mut decoded = Vec::with_capacity(h.len() * 3 / 4 + 3);
            if !b64::decode_append(h, &mut decoded) {
                return Err(b64_err("header"));
            }
            let header = Arc::new(parse_header(&decoded)?);
            remember_header(h, &header);
            header
        }
    };
    let mut payload = Vec::with_capacity(p.len() * 3 / 4 + 3);
    if !b64::decode_append(p, &mut payload) {
        return Err(b64_err("payload"));
    }
    let Some(signature) = sig.decode(s) else {
        return Err(b64_err("signature"));
    };
    Ok(Parsed { header, signing_input: bytes.get(..d2).unwrap_or_default(), payload, signature })
}

/// A candidate key and whether its credential has expired.
pub(crate) type Candidate<'k> = (&'k VerifyingKey, bool);

/// Rule 4 and 5: select keys from the registered ones only and verify.
///
/// With a `kid`, keys whose kid equals it (and whose certificate thumbprints,
/// when both sides have them, equal the header's); failing that, kid-less
/// keys whose RFC 7638 thumbprint equals it; failing that, every kid-less key
/// (a PEM or certificate credential cannot be addressed by kid). With `x5t`
/// or `x5t#S256` (and no kid), keys with that certificate identity, then
/// every kid-less key. A header `x5c` names a registered certificate (its
/// SHA-256, as `x5t#S256`) or the assertion is refused (`EMBEDDED_KEY`): it
/// is never a key. With none of these, every key. Expired keys are skipped;
/// keys whose type or alg do not permit the header's alg are never tried.
pub(crate) fn select_and_verify<'k, I>(parsed: &Parsed<'_>, candidates: I) -> Result<&'k VerifyingKey>
where
    I: Iterator<Item = Candidate<'k>> + Clone,
{
    let h = &parsed.header;
    let alg = h.alg;
    let s256 = h.x5t_s256.as_deref().or(h.x5c_s256.as_deref());
    // A thumbprint agrees unless both sides have one and they differ.
    let agrees = |k: &VerifyingKey| {
        h.x5t.as_deref().is_none_or(|t| k.x5t().is_none_or(|kt| kt.as_slice() == t))
            && s256.is_none_or(|t| k.x5t_s256().is_none_or(|kt| kt.as_slice() == t))
    };
    // Some thumbprint of the header is the key's.
    let named = |k: &VerifyingKey| {
        h.x5t.as_deref().is_some_and(|t| k.x5t().is_some_and(|kt| kt.as_slice() == t))
            || s256.is_some_and(|t| k.x5t_s256().is_some_and(|kt| kt.as_slice() == t))
    };
    if let Some(chain) = h.x5c_s256.as_deref()
        && !candidates.clone().any(|(k, _)| k.x5t_s256().is_some_and(|kt| kt.as_slice() == chain))
    {
        return Err(Error::new(
            ErrorCode::EmbeddedKey,
            "the header's x5c is not a registered certificate of this client",
        ));
    }
    let tiers: [&dyn Fn(&VerifyingKey) -> bool; 3] = [
        &|k| match (&h.kid, h.x5t.is_some() || s256.is_some()) {
            (Some(kid), _) => k.kid() == Some(kid.as_str()) && agrees(k),
            (None, false) => true,
            (None, true) => named(k) && agrees(k),
        },
        &|k| {
            h.x5c_s256.is_none()
                && k.kid().is_none()
                && h.kid
                    .as_deref()
                    .is_some_and(|kid| b64::decode(kid.as_bytes()).is_some_and(|t| t == k.thumbprint_bytes()))
        },
        &|k| {
            h.x5c_s256.is_none()
                && k.kid().is_none()
                && (h.kid.is_some() || h.x5t.is_some() || h.x5t_s256.is_some())
        },
    ];
    let (mut tried, mut expired, mut unfit) = (0usize, false, false);
    for tier in tiers {
        let mut matched = false;
        for (key, is_expired) in candidates.clone() {
            if !tier(key) {
                continue;
            }
            matched = true;
            if is_expired {
                expired = true;
                continue;
            }
            if !key.permits(alg) {
                unfit = true;
                continue;
            }
            tried += 1;
            if key.verify(alg, parsed.signing_input, parsed.signature) {
                return Ok(key);
            }
        }
        if matched {
            break;
        }
    }
    Err(if tried > 0 {
        Error::new(ErrorCode::SignatureInvalid, "signature does not verify with the selected key(s)")
    } else if expired {
        Error::new(ErrorCode::CredentialExpired, "the matching credential has expired")
    } else if unfit {
        Error::with_detail(ErrorCode::NoMatchingKey, format!("no matching key may verify {alg}"))
    } else {
        Error::new(ErrorCode::NoMatchingKey, "no registered key matches the header")
    })
}

/// A JWS whose signature verified: the header, the payload and the key used.
#[derive(Debug)]
pub struct VerifiedJws<'k> {
    /// The validated header.
    pub header: Arc<Header>,
    /// The payload bytes (not interpreted).
    pub payload: Vec<u8>,
    /// The key that verified the signature.
    pub key: &'k VerifyingKey,
}

/// Verify a compact JWS against a key set: rules 1, 2, 4 and 5 only, no
/// claims. This is the layer the Wycheproof JOSE vectors exercise; client
/// assertions go through [`crate::Verifier`], which adds the rest.
///
/// # Errors
/// The error of the first rule that fails.
pub fn verify_compact<'k>(
    token: &str,
    keys: &'k JwkSet,
    allowed: AlgorithmSet,
    max_len: usize,
) -> Result<VerifiedJws<'k>> {
    let mut sig = SignatureBuf::new();
    let parsed = parse(token.as_bytes(), max_len, &mut sig)?;
    if !allowed.contains(parsed.header.alg) {
        return Err(Error::with_detail(
            ErrorCode::AlgorithmNotAllowed,
            format!("{} is not in the allow-list", parsed.header.alg),
        ));
    }
    let key = select_and_verify(&parsed, keys.keys().iter().map(|k| (k, false)))?;
    Ok(VerifiedJws { header: parsed.header, payload: parsed.payload, key })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        /// Whatever the fast reader accepts, the full parser reads to the same header.
        #[test]
        fn fast_header_reader_agrees_with_the_full_parser(doc in json::samples::document(json::samples::HEADER_NAMES)) {
            if let Some(fast) = scan_header(&doc) {
                proptest::prop_assert_eq!(Some(fast), read_header(&doc).ok(), "{}", String::from_utf8_lossy(&doc));
            }
        }

        #[test]
        fn find_dot_is_the_first_dot(s in proptest::collection::vec(proptest::sample::select(&b"ab.\xae"[..]), 0..40), from in 0..45usize) {
            let naive = s.get(from..).and_then(|r| r.iter().position(|&c| c == b'.')).map(|i| from + i);
            proptest::prop_assert_eq!(find_dot(&s, from), naive);
        }
    }

    /// Rule 1 comes first: a token of four or more segments is refused as
    /// such, whatever its segments hold (bad base64, a header that is not
    /// JSON, empty parts), and the same tokens with three segments get the
    /// segment's own error.
    #[test]
    fn extra_segments_are_the_first_error() {
        let good_h = b64::encode(br#"{"alg":"HS256"}"#);
        let bad_json = b64::encode(b"not json");
        let p = b64::encode(br#"{"iss":"c"}"#);
        let cases: [(&str, ErrorCode); 6] = [
            (&format!("{good_h}.{p}.c2ln"), ErrorCode::SignatureInvalid),
            (&format!("{good_h}.{p}.c2l*"), ErrorCode::InvalidBase64),
            (&format!("*{good_h}.{p}.c2ln"), ErrorCode::InvalidBase64),
            (&format!("{good_h}.{p}*.c2ln"), ErrorCode::InvalidBase64),
            (&format!("{bad_json}.{p}.c2ln"), ErrorCode::MalformedHeader),
            (&format!("{good_h}..c2ln"), ErrorCode::MalformedJws),
        ];
        for (three, code) in cases {
            let mut sig = SignatureBuf::new();
            let got = parse(three.as_bytes(), 10_000, &mut sig).map(|_| ()).map_err(|e| e.code());
            if code == ErrorCode::SignatureInvalid {
                assert_eq!(got, Ok(()), "{three}");
            } else {
                assert_eq!(got, Err(code), "{three}");
            }
            for extra in [".", ".x", ".x.y", "..", ".*"] {
                let four = format!("{three}{extra}");
                let mut sig = SignatureBuf::new();
                let e = parse(four.as_bytes(), 10_000, &mut sig).map(|_| ()).unwrap_err();
                assert_eq!(e.code(), ErrorCode::MalformedJws, "{four}");
                assert!(e.detail().contains("exactly three segments"), "{four}: {}", e.detail());
            }
        }
    }

    /// Members the rules do not read are held to the same JSON strictness as
    /// the claims: nothing unreadable rides along in a signed header.
    #[test]
    fn unknown_header_members_are_strict_json() {
        let deep = format!(r#"{{"alg":"HS256","x":{}1{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
        let cases: [(&[u8], ErrorCode); 6] = [
            (b"{\"alg\":\"HS256\",\"x\":\"\xff\xfe\"}", ErrorCode::MalformedHeader),
            (br#"{"alg":"HS256","x":"\ud800"}"#, ErrorCode::MalformedHeader),
            (br#"{"alg":"HS256","x":1e400}"#, ErrorCode::MalformedHeader),
            (br#"{"alg":"HS256","x":{"a":1,"a":2}}"#, ErrorCode::DuplicateMember),
            (br#"{"alg":"HS256","x":[{"b":[{"c":1,"c":1}]}]}"#, ErrorCode::DuplicateMember),
            (deep.as_bytes(), ErrorCode::MalformedHeader),
        ];
        for (doc, code) in cases {
            let got = parse_header(doc).map(|_| ()).map_err(|e| e.code());
            assert_eq!(got, Err(code), "{}", String::from_utf8_lossy(doc.get(..60).unwrap_or(doc)));
        }
        // Well-formed unknown members are still accepted (and ignored).
        let ok = br#"{"alg":"HS256","x":{"a":[1,2.5,"\u00e9",null,true]},"y":"z"}"#;
        assert!(parse_header(ok).is_ok());
    }

    /// Details echo at most 32 characters of what the attacker sent, with
    /// control characters escaped: no forged log lines.
    #[test]
    fn details_escape_control_characters() {
        for doc in [
            r#"{"alg":"HS256","typ":"x\nFAKE LOG LINE\r\u0000\u2028"}"#,
            r#"{"alg":"HS256\nFAKE"}"#,
            r#"{"alg":"HS256","a\nb":1,"a\nb":2}"#,
        ] {
            let e = parse_header(doc.as_bytes()).unwrap_err();
            let d = e.detail();
            assert!(!d.chars().any(|c| c.is_control() || c == '\u{2028}'), "{d:?}");
            assert!(d.contains("\\n"), "{d:?}");
        }
        let long = format!(r#"{{"alg":"HS256","typ":"{}"}}"#, "x".repeat(5000));
        assert!(parse_header(long.as_bytes()).unwrap_err().detail().len() < 120);
    }

    #[test]
    fn fast_header_reader_takes_the_usual_shapes() {
        for doc in [
            r#"{"alg":"HS256","typ":"JWT"}"#,
            r#"{"alg":"RS256","kid":"k1","typ":"client-authentication+jwt"}"#,
            r#"{"typ": "JWT", "alg": "Ed25519", "kid": "abc"}"#,
        ] {
            let h = scan_header(doc.as_bytes()).expect(doc);
            assert_eq!(Some(h), read_header(doc.as_bytes()).ok());
        }
        for doc in [r#"{"alg":"HS256","x5t":"AA"}"#, r#"{"alg":"none"}"#, r#"{"alg":"HS256","alg":"HS256"}"#]
        {
            assert!(scan_header(doc.as_bytes()).is_none(), "{doc}");
        }
    }
}
