//! `application/x-www-form-urlencoded` (WHATWG URL §5; RFC 6749 Appendix B).

/// Bytes sent as they are in a form component (the rest is `%XX`, space `+`).
#[allow(clippy::indexing_slicing, reason = "evaluated at compile time; b < 256")]
static UNRESERVED: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = matches!(b as u8, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*');
        b += 1;
    }
    t
};

/// Encode one name or value: unreserved bytes as is, space as `+`, the rest `%XX`.
#[must_use]
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    encode_into(&mut out, s);
    out
}

/// Append the encoding of `s` to `out`, copying runs of unreserved bytes
/// whole (a client assertion is one run: base64url and dots).
#[allow(clippy::indexing_slicing, reason = "u8 indexes a 256-entry table; run bounds come from the scan")]
fn encode_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    // A run holds unreserved (ASCII) bytes only, so it is UTF-8; a run may
    // start inside a multi-byte character only when it is empty.
    fn run(r: &[u8]) -> &str {
        std::str::from_utf8(r).unwrap_or_default()
    }
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if UNRESERVED[usize::from(b)] {
            continue;
        }
        out.push_str(run(&bytes[start..i]));
        if b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
        start = i + 1;
    }
    out.push_str(run(&bytes[start..]));
}

/// Encode name/value pairs joined by `&`.
#[must_use]
pub fn encode_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_into(&mut out, k);
        out.push('=');
        encode_into(&mut out, v);
    }
    out
}

/// The `Authorization` header value for `client_secret_basic`: id and secret
/// each form-encoded (RFC 6749 §2.3.1), joined by `:`, base64 (RFC 7617).
#[must_use]
pub fn basic_authorization(client_id: &str, client_secret: &str) -> String {
    use base64::Engine as _;
    let raw = zeroize::Zeroizing::new(format!(
        "{}:{}",
        encode_component(client_id),
        encode_component(client_secret)
    ));
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw.as_bytes()))
}

/// Decode one form-encoded name or value: `+` is a space, `%XX` a byte; the
/// result must be UTF-8. Unlike lenient form parsers, a `%` not followed by
/// two hex digits is an error (`None`): a secret or assertion is never
/// guessed at.
#[must_use]
pub fn decode_component(s: &str) -> Option<std::borrow::Cow<'_, str>> {
    if !has_escapes(s.as_bytes()) {
        return Some(std::borrow::Cow::Borrowed(s));
    }
    let hex = |b: u8| -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    };
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = hex(bytes.next()?)?;
                let lo = hex(bytes.next()?)?;
                out.push((hi << 4) | lo);
            }
            _ => out.push(b),
        }
    }
    String::from_utf8(out).ok().map(std::borrow::Cow::Owned)
}

/// Whether `s` holds a `%` or `+` (a client assertion is hundreds of bytes
/// and normally has neither: memchr's vector search).
fn has_escapes(s: &[u8]) -> bool {
    memchr::memchr2(b'%', b'+', s).is_some()
}

/// Split an `application/x-www-form-urlencoded` body into raw (still
/// encoded) name/value pairs; empty pieces are skipped, a piece without `=`
/// has an empty value.
pub fn raw_pairs(body: &str) -> impl Iterator<Item = (&str, &str)> {
    // memchr's vector search: `str::split` with a char was a measurable part
    // of authenticating a request whose assertion is hundreds of bytes.
    let ends = memchr::memchr_iter(b'&', body.as_bytes()).chain(std::iter::once(body.len()));
    let mut start = 0;
    ends.filter_map(move |end| {
        let piece = body.get(start..end).unwrap_or_default();
        start = end + 1;
        (!piece.is_empty()).then(|| match memchr::memchr(b'=', piece.as_bytes()) {
            Some(eq) => (piece.get(..eq).unwrap_or_default(), piece.get(eq + 1..).unwrap_or_default()),
            None => (piece, ""),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes() {
        assert_eq!(encode_pairs([("a b", "x/y:z"), ("c", "é")]), "a+b=x%2Fy%3Az&c=%C3%A9");
    }

    #[test]
    fn decodes_strictly() {
        assert_eq!(decode_component("a+b%2Fc%2d%5F").as_deref(), Some("a b/c-_"));
        assert_eq!(decode_component("%C3%A9").as_deref(), Some("é"));
        assert_eq!(decode_component("plain").as_deref(), Some("plain"));
        for bad in ["%", "%4", "%zz", "%FF"] {
            assert_eq!(decode_component(bad), None, "{bad}");
        }
        for s in ["client id/é", "é1ü-x", "🔑key🔑", "a&b=c%d+e", "", " ", "日本語 text"] {
            assert_eq!(decode_component(&encode_component(s)).as_deref(), Some(s), "{s}");
        }
        assert_eq!(encode_component("é1ü-x"), "%C3%A91%C3%BC-x");
    }

    #[test]
    fn finds_escapes_anywhere() {
        for len in 0..40 {
            let clean = "a".repeat(len);
            assert!(!has_escapes(clean.as_bytes()));
            for at in 0..len {
                for c in ['%', '+'] {
                    let mut v = clean.clone().into_bytes();
                    v[at] = c as u8;
                    assert!(has_escapes(&v), "{len} {at} {c}");
                }
            }
        }
        // Bytes next to the targets ('$', ',', '*', 0x25 ^ 0x80) are not matches.
        assert!(!has_escapes(b"$$$$$$$$,,,,,,,,****\xa5\xab"));
    }

    #[test]
    fn splits_pairs() {
        let v: Vec<_> = raw_pairs("a=1&&b&c=x=y").collect();
        assert_eq!(v, [("a", "1"), ("b", ""), ("c", "x=y")]);
    }
}
