//! Public keys that parse but must never be registered: Ed25519 points of
//! small order or in a non-canonical encoding, and RSA moduli with a small
//! prime factor (an even modulus included).
//!
//! A small-order Ed25519 key lets anyone forge: with A of order dividing 8,
//! the signature (R = identity, S = 0) verifies under the cofactored check
//! for some messages, so a jti search finds one in a few tries. The
//! small-order subgroup has exactly five y-coordinates (0, 1, p − 1 and the
//! two of the points of order 8); an encoding is that y plus a sign bit, or
//! y + p where that still fits in 255 bits (non-canonical).

use std::sync::LazyLock;

/// The y-coordinates (little-endian, sign bit clear) of the eight points of
/// the small-order subgroup of edwards25519: order 4 (y = 0), order 1
/// (y = 1), order 8 (two values), order 2 (y = p − 1).
const SMALL_ORDER_Y: [[u8; 32]; 5] = [
    [0; 32],
    {
        let mut one = [0; 32];
        one[0] = 1;
        one
    },
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5,
        0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a,
        0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a,
    ],
    {
        // p − 1 = 2^255 − 20
        let mut y = [0xff; 32];
        y[0] = 0xec;
        y[31] = 0x7f;
        y
    },
];

/// Why an Ed25519 public key is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ed25519Defect {
    /// y ≥ p: the same point has a shorter (canonical) encoding.
    NonCanonical,
    /// The point lies in the subgroup of order 8.
    SmallOrder,
}

/// Check a 32-byte Ed25519 public key encoding (RFC 8032 §5.1.3).
pub(crate) fn ed25519_defect(x: &[u8; 32]) -> Option<Ed25519Defect> {
    let mut y = *x;
    if let Some(last) = y.last_mut() {
        *last &= 0x7f;
    }
    // y ≥ p = 2^255 − 19 exactly when the bytes above the lowest are all
    // ones (0x7f for the top one, the sign bit cleared) and the lowest is at
    // least 0xed.
    let (low, rest) = y.split_first().unwrap_or((&0, &[]));
    let (top, middle) = rest.split_last().unwrap_or((&0, &[]));
    if *low >= 0xed && *top == 0x7f && middle.iter().all(|b| *b == 0xff) {
        return Some(Ed25519Defect::NonCanonical);
    }
    if SMALL_ORDER_Y.contains(&y) {
        return Some(Ed25519Defect::SmallOrder);
    }
    None
}

/// Products of the odd primes below 1000, each below 2^32, so that a modulus
/// is reduced four bytes at a time in `u64` arithmetic; 2 is tested apart.
static PRIME_PRODUCTS: LazyLock<Vec<u64>> = LazyLock::new(|| {
    let mut primes: Vec<u64> = Vec::new();
    let mut products = Vec::new();
    let mut product = 1u64;
    for p in (3..1000u64).step_by(2) {
        if primes.iter().any(|q| p % q == 0) {
            continue;
        }
        primes.push(p);
        if product * p > u64::from(u32::MAX) {
            products.push(product);
            product = 1;
        }
        product *= p;
    }
    products.push(product);
    products
});

const fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Whether the modulus (big-endian, no leading zeros) is even or divisible
/// by a prime below 1000. A product of two large primes never is; a
/// modulus that is must not be registered (its factorisation is at hand).
pub(crate) fn rsa_has_small_factor(n: &[u8]) -> bool {
    if n.last().is_none_or(|b| b & 1 == 0) {
        return true;
    }
    PRIME_PRODUCTS.iter().any(|&m| {
        // The head (len mod 4 bytes) first, then four bytes at a time.
        let (head, body) = n.split_at(n.len() % 4);
        let mut r = head.iter().fold(0u64, |acc, b| ((acc << 8) | u64::from(*b)) % m);
        for w in body.chunks_exact(4) {
            let word = w.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
            r = ((r << 32) | word) % m;
        }
        gcd(r, m) != 1
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le(n: u128) -> [u8; 32] {
        let mut out = [0; 32];
        out[..16].copy_from_slice(&n.to_le_bytes());
        out
    }

    #[test]
    fn small_order_points_in_every_encoding() {
        for y in SMALL_ORDER_Y {
            let mut signed = y;
            signed[31] |= 0x80;
            assert_eq!(ed25519_defect(&y), Some(Ed25519Defect::SmallOrder));
            assert_eq!(ed25519_defect(&signed), Some(Ed25519Defect::SmallOrder));
        }
        // p and p + 1 (non-canonical 0 and 1), with and without the sign bit.
        let mut p = SMALL_ORDER_Y[4];
        p[0] = 0xed;
        let mut p1 = p;
        p1[0] = 0xee;
        for mut enc in [p, p1] {
            assert_eq!(ed25519_defect(&enc), Some(Ed25519Defect::NonCanonical));
            enc[31] |= 0x80;
            assert_eq!(ed25519_defect(&enc), Some(Ed25519Defect::NonCanonical));
        }
        // 2^255 − 1, the largest encoding.
        let mut max = [0xff; 32];
        max[31] = 0x7f;
        assert_eq!(ed25519_defect(&max), Some(Ed25519Defect::NonCanonical));
    }

    #[test]
    fn ordinary_encodings_pass() {
        // p − 2 is canonical (and not of small order); y = 2 likewise.
        let mut y = SMALL_ORDER_Y[4];
        y[0] = 0xeb;
        assert_eq!(ed25519_defect(&y), None);
        assert_eq!(ed25519_defect(&le(2)), None);
    }

    #[test]
    fn small_factors_are_found() {
        let n = |v: u128| {
            let b = v.to_be_bytes();
            let start = b.iter().position(|x| *x != 0).unwrap_or(15);
            b[start..].to_vec()
        };
        assert!(rsa_has_small_factor(&n(2 * 1_000_003)));
        assert!(rsa_has_small_factor(&n(997 * 1_000_003)));
        assert!(rsa_has_small_factor(&n(3 * 5 * 1_000_003)));
        assert!(!rsa_has_small_factor(&n(1_000_003 * 1_000_033)));
        assert!(!rsa_has_small_factor(&n(1009 * 1013)));
        assert!(rsa_has_small_factor(&[]));
    }
}
