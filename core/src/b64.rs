//! Strict base64url (RFC 7515 §2): no padding, URL alphabet only, canonical
//! trailing bits. A lenient decoder lets one signature have many encodings.

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

/// Append the encoding of `data` to `out`.
pub fn encode_into(data: &[u8], out: &mut String) {
    URL_SAFE_NO_PAD.encode_string(data, out);
}

/// Decode strictly; `None` on any deviation.
#[must_use]
pub fn decode(s: &[u8]) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s).ok()
}

/// Decode strictly into `out` (cleared first); false on any deviation.
pub fn decode_into(s: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    URL_SAFE_NO_PAD.decode_vec(s, out).is_ok()
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
        assert!(decode(b"AQI=").is_none(), "padding");
        assert!(decode(b"AQJ").is_none(), "non-canonical trailing bits");
        assert!(decode(b"A+I").is_none(), "standard alphabet");
        assert!(decode(b"AQ I").is_none(), "whitespace");
        assert!(decode(b"A").is_none(), "impossible length");
        assert_eq!(decode_padding_optional(b"AQI=").as_deref(), Some(&[1u8, 2][..]));
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
    }
}
