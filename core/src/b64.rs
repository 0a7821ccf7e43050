//! Strict base64url (RFC 7515 §2): no padding, URL alphabet only, canonical
//! trailing bits. A lenient decoder lets one signature have many encodings.
//!
//! Encoding and decoding are small table-driven loops (they run three times per
//! assertion signed or verified); the padding-tolerant decoder for `x5t` uses
//! the `base64` crate, which the tests also use as the reference.

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};

/// Accepts `=` padding too: only for `x5t` / `x5t#S256` header values, which MSAL pads.
const URL_SAFE_PAD_OPTIONAL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

const INVALID: u8 = 0xff;

/// base64url alphabet → 6-bit value; 0xff for every other byte.
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time; an out-of-bounds index fails the build"
)]
static DECODE: [u8; 256] = {
    let mut t = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Pre-shifted tables for the 4-character main loop: `SHIFTED[i][c]` is the
/// 6-bit value of `c` moved to its place in the 24-bit group (i = 0 highest),
/// or `BAD` (bit 24, outside the group) for a character outside the alphabet.
const BAD: u32 = 1 << 24;

#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time; an out-of-bounds index fails the build"
)]
static SHIFTED: [[u32; 256]; 4] = {
    let mut t = [[BAD; 256]; 4];
    let mut c = 0;
    while c < 256 {
        let v = DECODE[c];
        if v != INVALID {
            let v = v as u32;
            t[0][c] = v << 18;
            t[1][c] = v << 12;
            t[2][c] = v << 6;
            t[3][c] = v;
        }
        c += 1;
    }
    t
};

/// One 4-character group as 24 bits (plus `BAD` if any character is invalid).
#[allow(clippy::indexing_slicing, reason = "u8 indexes a 256-entry table; the outer index is a constant < 4")]
#[inline(always)]
fn group(a: u8, b: u8, c: u8, d: u8) -> u32 {
    SHIFTED[0][a as usize] | SHIFTED[1][b as usize] | SHIFTED[2][c as usize] | SHIFTED[3][d as usize]
}

/// The 6-bit value of a base64url character, or `INVALID`.
#[allow(clippy::indexing_slicing, reason = "a u8 always indexes a 256-entry table")]
const fn val(b: u8) -> u8 {
    DECODE[b as usize]
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The base64url character for the low 6 bits of `v`.
#[allow(clippy::indexing_slicing, reason = "masked to 6 bits: always within the 64-entry alphabet")]
const fn ch(v: u32) -> u8 {
    ALPHABET[(v & 63) as usize]
}

/// Every 12-bit value as its two base64url characters: the encoder's main
/// loop makes four characters from two lookups.
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time; an out-of-bounds index fails the build"
)]
static PAIRS: [[u8; 2]; 4096] = {
    let mut t = [[0u8; 2]; 4096];
    let mut i = 0;
    while i < 4096 {
        t[i] = [ALPHABET[i >> 6], ALPHABET[i & 63]];
        i += 1;
    }
    t
};

/// The two characters for the low 12 bits of `v`.
#[allow(clippy::indexing_slicing, reason = "masked to 12 bits: always within the 4096-entry table")]
#[inline(always)]
fn pair(v: u32) -> [u8; 2] {
    PAIRS[(v & 0xfff) as usize]
}

/// Encode without padding.
#[must_use]
pub fn encode(data: &[u8]) -> String {
    let mut out = Vec::new();
    encode_bytes(data, &mut out);
    // The alphabet is ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// Append the encoding of `data` (ASCII bytes, no padding) to `out`.
pub fn encode_bytes(data: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    let len = data.len() / 3 * 4
        + match data.len() % 3 {
            0 => 0,
            1 => 2,
            _ => 3,
        };
    out.resize(start + len, 0);
    let Some(dst) = out.get_mut(start..) else { return };
    let src = data.chunks_exact(3);
    let tail = src.remainder();
    let mut dst = dst.chunks_exact_mut(4);
    for (c, o) in src.zip(&mut dst) {
        if let ([a, b, c], [w, x, y, z]) = (c, o) {
            let n = (u32::from(*a) << 16) | (u32::from(*b) << 8) | u32::from(*c);
            let ([p, q], [r, t]) = (pair(n >> 12), pair(n));
            (*w, *x, *y, *z) = (p, q, r, t);
        }
    }
    match (tail, dst.into_remainder()) {
        ([a], [w, x]) => {
            let n = u32::from(*a) << 16;
            (*w, *x) = (ch(n >> 18), ch(n >> 12));
        }
        ([a, b], [w, x, y]) => {
            let n = (u32::from(*a) << 16) | (u32::from(*b) << 8);
            (*w, *x, *y) = (ch(n >> 18), ch(n >> 12), ch(n >> 6));
        }
        _ => {}
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
    let Some(len) = decoded_len(s.len()) else { return false };
    let start = out.len();
    out.resize(start + len, 0);
    out.get_mut(start..).is_some_and(|dst| decode_into(s, dst))
}

/// Decode strictly into `dst`, which must be exactly the decoded length
/// ([`decoded_len`]); false (with `dst` unspecified) on any deviation.
pub(crate) fn decode_into(s: &[u8], dst: &mut [u8]) -> bool {
    if decoded_len(s.len()) != Some(dst.len()) {
        return false;
    }
    let src = s.chunks_exact(4);
    let tail = src.remainder();
    let mut dst = dst.chunks_exact_mut(3);
    let mut bad = 0u8;
    let mut bad_groups = 0u32;
    for (c, o) in src.zip(&mut dst) {
        if let ([a, b, c, d], [x, y, z]) = (c, o) {
            let g = group(*a, *b, *c, *d);
            bad_groups |= g;
            let [_, hi, mid, lo] = g.to_be_bytes();
            (*x, *y, *z) = (hi, mid, lo);
        }
    }
    if bad_groups & BAD != 0 {
        return false;
    }
    let o = dst.into_remainder();
    let ok_tail = match (tail, o) {
        ([], []) => true,
        ([a, b], [x]) => {
            let (a, b) = (val(*a), val(*b));
            bad |= a | b;
            *x = (a << 2) | (b >> 4);
            // 12 bits carry 8: the low 4 bits must be zero (canonical).
            b & 0x0f == 0
        }
        ([a, b, c], [x, y]) => {
            let (a, b, c) = (val(*a), val(*b), val(*c));
            bad |= a | b | c;
            *x = (a << 2) | (b >> 4);
            *y = (b << 4) | (c >> 2);
            // 18 bits carry 16: the low 2 bits must be zero (canonical).
            c & 0x03 == 0
        }
        _ => false,
    };
    // INVALID (0xff) is the only table value with the top bits set.
    ok_tail && bad & 0xc0 == 0
}

/// Decode strictly; `None` on any deviation.
#[must_use]
pub fn decode(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    decode_append(s, &mut out).then_some(out)
}

/// Decode, tolerating `=` padding (certificate thumbprints only).
#[must_use]
pub fn decode_padding_optional(s: &[u8]) -> Option<Vec<u8>> {
    URL_SAFE_PAD_OPTIONAL.decode(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

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
