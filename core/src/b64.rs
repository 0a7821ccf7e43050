//! Strict base64url (RFC 7515 §2): no padding, URL alphabet only, canonical
//! trailing bits — a lenient decoder lets one signature have many encodings.
//! The `base64` crate's `URL_SAFE_NO_PAD` engine is exactly that; the
//! padding-tolerant decoder is for `x5t` only. (A table-driven codec of our
//! own made an HS256 verification 3.5 % faster, under the 10 % a hand-written
//! replacement must earn: docs/ARCHITECTURE.md, "Hand-written code".)

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};

/// Accepts `=` padding too: only for `x5t` / `x5t#S256` header values, which MSAL pads.
const URL_SAFE_PAD_OPTIONAL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Encode without padding.
#[must_use]
pub fn encode(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// Append the encoding of `data` (ASCII bytes, no padding) to `out`.
pub fn encode_bytes(data: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    let Some(len) = base64::encoded_len(data.len(), false) else { return };
    out.resize(start + len, 0);
    if let Some(dst) = out.get_mut(start..) {
        // The slice has exactly the encoded length: this cannot fail.
        let _ = URL_SAFE_NO_PAD.encode_slice(data, dst);
    }
}

/// Decoded length of `n` base64url characters, or `None` for an impossible length.
pub(crate) const fn decoded_len(n: usize) -> Option<usize> {
    match n % 4 {
        1 => None,
        r => Some(n / 4 * 3 + if r == 0 { 0 } else { r - 1 }),
    }
}

/// Decode strictly, appending to `out`; false (with `out` unspecified) on any deviation.
pub fn decode_append(s: &[u8], out: &mut Vec<u8>) -> bool {
    URL_SAFE_NO_PAD.decode_vec(s, out).is_ok()
}

/// Decode strictly into `dst`, which must be exactly the decoded length
/// ([`decoded_len`]); false (with `dst` unspecified) on any deviation.
pub(crate) fn decode_into(s: &[u8], dst: &mut [u8]) -> bool {
    decoded_len(s.len()) == Some(dst.len()) && URL_SAFE_NO_PAD.decode_slice(s, dst) == Ok(dst.len())
}

/// Decode strictly; `None` on any deviation.
#[must_use]
pub fn decode(s: &[u8]) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s).ok()
}

/// Decode, tolerating `=` padding (certificate thumbprints only).
#[must_use]
pub fn decode_padding_optional(s: &[u8]) -> Option<Vec<u8>> {
    URL_SAFE_PAD_OPTIONAL.decode(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictness() {
        assert_eq!(decode(b"AQI").as_deref(), Some(&[1u8, 2][..]));
        assert_eq!(decode(b"AQ").as_deref(), Some(&[1u8][..]));
        assert_eq!(decode(b"").as_deref(), Some(&[][..]));
        assert!(decode(b"AQI=").is_none(), "padding");
        assert!(decode(b"AQJ").is_none(), "non-canonical trailing bits");
        assert!(decode(b"AR").is_none(), "non-canonical trailing bits");
        assert!(decode(b"A+I").is_none(), "standard alphabet");
        assert!(decode(b"AQ I").is_none(), "whitespace");
        assert!(decode(b"A").is_none(), "impossible length");
        assert!(decode(b"AAAAA").is_none(), "impossible length");
        assert_eq!(decode_padding_optional(b"AQI=").as_deref(), Some(&[1u8, 2][..]));
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        // Exactly sized outputs, as the signature buffer gives.
        for (text, want) in [(&b"AQI"[..], &[1u8, 2][..]), (b"AQ", &[1]), (b"AQIDBA", &[1, 2, 3, 4])] {
            let mut dst = vec![0u8; decoded_len(text.len()).unwrap()];
            assert!(decode_into(text, &mut dst), "{text:?}");
            assert_eq!(dst, want);
        }
        assert!(!decode_into(b"AQJ", &mut [0u8; 2]), "non-canonical into a slice");
        let mut out = b"x.".to_vec();
        encode_bytes(&[0xfb, 0xff], &mut out);
        assert_eq!(out, b"x.-_8");
    }

    #[test]
    fn agrees_with_the_base64_crate() {
        let mut x = 0x1234_5678_u32;
        for len in 0..200usize {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x.to_le_bytes()[0]
                })
                .collect();
            let e = encode(&data);
            assert_eq!(e, URL_SAFE_NO_PAD.encode(&data));
            assert_eq!(decode(e.as_bytes()).as_deref(), Some(&data[..]));
            // Every single-character corruption is either refused or decodes as the crate does.
            for i in 0..e.len().min(8) {
                let mut bad = e.clone().into_bytes();
                bad[i] = b'=';
                assert_eq!(decode(&bad), URL_SAFE_NO_PAD.decode(&bad).ok());
            }
        }
    }
}
