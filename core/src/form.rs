//! `application/x-www-form-urlencoded` (WHATWG URL §5; RFC 6749 Appendix B).

use std::fmt::Write as _;

/// Encode one name or value: unreserved bytes as is, space as `+`, the rest `%XX`.
#[must_use]
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// Encode name/value pairs joined by `&`.
#[must_use]
pub fn encode_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&encode_component(k));
        out.push('=');
        out.push_str(&encode_component(v));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes() {
        assert_eq!(super::encode_pairs([("a b", "x/y:z"), ("c", "é")]), "a+b=x%2Fy%3Az&c=%C3%A9");
    }
}
