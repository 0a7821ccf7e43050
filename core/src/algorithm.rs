//! JWS algorithms (RFC 7518, RFC 8037) and the key types they bind to.

use std::fmt;

/// Elliptic curves for ECDSA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Curve {
    /// NIST P-256 (ES256).
    P256,
    /// NIST P-384 (ES384).
    P384,
    /// NIST P-521 (ES512).
    P521,
}

impl Curve {
    /// The JWK `crv` name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::P256 => "P-256",
            Self::P384 => "P-384",
            Self::P521 => "P-521",
        }
    }

    /// Parse a JWK `crv` name.
    #[must_use]
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "P-256" => Some(Self::P256),
            "P-384" => Some(Self::P384),
            "P-521" => Some(Self::P521),
            _ => None,
        }
    }

    /// Bytes of one coordinate (and of r or s in a JWS signature).
    #[must_use]
    pub const fn coordinate_len(self) -> usize {
        match self {
            Self::P256 => 32,
            Self::P384 => 48,
            Self::P521 => 66,
        }
    }

    /// The ECDSA algorithm this curve is used with in JWS.
    #[must_use]
    pub const fn algorithm(self) -> Algorithm {
        match self {
            Self::P256 => Algorithm::ES256,
            Self::P384 => Algorithm::ES384,
            Self::P521 => Algorithm::ES512,
        }
    }
}

/// The type of a key, which fixes the algorithms it may verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// RSA (RS*, PS*).
    Rsa,
    /// ECDSA on one curve (only the matching ES*).
    Ec(Curve),
    /// Ed25519 (EdDSA).
    Ed25519,
    /// A symmetric secret (HS*).
    Oct,
}

impl KeyType {
    /// The JWK `kty` value.
    #[must_use]
    pub const fn kty(self) -> &'static str {
        match self {
            Self::Rsa => "RSA",
            Self::Ec(_) => "EC",
            Self::Ed25519 => "OKP",
            Self::Oct => "oct",
        }
    }
}

/// A JWS signature algorithm. `none` does not exist here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(clippy::upper_case_acronyms, reason = "JOSE algorithm names")]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256, salt 32.
    PS256,
    /// RSASSA-PSS with SHA-384, salt 48.
    PS384,
    /// RSASSA-PSS with SHA-512, salt 64.
    PS512,
    /// ECDSA P-256 with SHA-256.
    ES256,
    /// ECDSA P-384 with SHA-384.
    ES384,
    /// ECDSA P-521 with SHA-512.
    ES512,
    /// Ed25519 (header name `EdDSA`; `Ed25519` is accepted too).
    EdDSA,
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
}

impl Algorithm {
    /// Every algorithm.
    pub const ALL: [Algorithm; 13] = [
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::ES256,
        Self::ES384,
        Self::ES512,
        Self::EdDSA,
        Self::HS256,
        Self::HS384,
        Self::HS512,
    ];

    /// The canonical JOSE name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::ES512 => "ES512",
            Self::EdDSA => "EdDSA",
            Self::HS256 => "HS256",
            Self::HS384 => "HS384",
            Self::HS512 => "HS512",
        }
    }

    /// Parse a header `alg`. Accepts `Ed25519` (fully-specified name, RFC 9864,
    /// sent by openid-client) as `EdDSA`. Never accepts `none`.
    #[must_use]
    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "RS256" => Self::RS256,
            "RS384" => Self::RS384,
            "RS512" => Self::RS512,
            "PS256" => Self::PS256,
            "PS384" => Self::PS384,
            "PS512" => Self::PS512,
            "ES256" => Self::ES256,
            "ES384" => Self::ES384,
            "ES512" => Self::ES512,
            "EdDSA" | "Ed25519" => Self::EdDSA,
            "HS256" => Self::HS256,
            "HS384" => Self::HS384,
            "HS512" => Self::HS512,
            _ => return None,
        })
    }

    /// Whether this is an HMAC algorithm (`client_secret_jwt`).
    #[must_use]
    pub const fn is_symmetric(self) -> bool {
        matches!(self, Self::HS256 | Self::HS384 | Self::HS512)
    }

    /// Whether a key of type `kt` may verify or create this algorithm's signatures.
    #[must_use]
    pub fn fits_key_type(self, kt: KeyType) -> bool {
        match self {
            Self::RS256 | Self::RS384 | Self::RS512 | Self::PS256 | Self::PS384 | Self::PS512 => {
                kt == KeyType::Rsa
            }
            Self::ES256 => kt == KeyType::Ec(Curve::P256),
            Self::ES384 => kt == KeyType::Ec(Curve::P384),
            Self::ES512 => kt == KeyType::Ec(Curve::P521),
            Self::EdDSA => kt == KeyType::Ed25519,
            Self::HS256 | Self::HS384 | Self::HS512 => kt == KeyType::Oct,
        }
    }

    /// The minimum HMAC secret length in bytes (RFC 7518 §3.2: at least the hash size).
    #[must_use]
    pub const fn min_secret_len(self) -> usize {
        match self {
            Self::HS384 => 48,
            Self::HS512 => 64,
            _ => 32,
        }
    }

    /// The default algorithm for a key type (used when signing without an explicit alg).
    #[must_use]
    pub const fn default_for(kt: KeyType) -> Self {
        match kt {
            KeyType::Rsa => Self::RS256,
            KeyType::Ec(c) => c.algorithm(),
            KeyType::Ed25519 => Self::EdDSA,
            KeyType::Oct => Self::HS256,
        }
    }

    const fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of algorithms (an allow-list).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AlgorithmSet(u16);

impl AlgorithmSet {
    /// No algorithm.
    pub const EMPTY: Self = Self(0);
    /// Every asymmetric algorithm (`private_key_jwt`).
    pub const ASYMMETRIC: Self = Self(
        Algorithm::RS256.bit()
            | Algorithm::RS384.bit()
            | Algorithm::RS512.bit()
            | Algorithm::PS256.bit()
            | Algorithm::PS384.bit()
            | Algorithm::PS512.bit()
            | Algorithm::ES256.bit()
            | Algorithm::ES384.bit()
            | Algorithm::ES512.bit()
            | Algorithm::EdDSA.bit(),
    );
    /// The HMAC algorithms (`client_secret_jwt`).
    pub const SYMMETRIC: Self =
        Self(Algorithm::HS256.bit() | Algorithm::HS384.bit() | Algorithm::HS512.bit());
    /// Every algorithm.
    pub const ALL: Self = Self(Self::ASYMMETRIC.0 | Self::SYMMETRIC.0);

    /// A set holding only `alg`.
    #[must_use]
    pub const fn only(alg: Algorithm) -> Self {
        Self(alg.bit())
    }

    /// Whether `alg` is in the set.
    #[must_use]
    pub const fn contains(self, alg: Algorithm) -> bool {
        self.0 & alg.bit() != 0
    }

    /// The set with `alg` added.
    #[must_use]
    pub const fn with(self, alg: Algorithm) -> Self {
        Self(self.0 | alg.bit())
    }

    /// Intersection.
    #[must_use]
    pub const fn intersect(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// Whether the set is empty.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The algorithms in the set.
    pub fn iter(self) -> impl Iterator<Item = Algorithm> {
        Algorithm::ALL.into_iter().filter(move |a| self.contains(*a))
    }
}

impl FromIterator<Algorithm> for AlgorithmSet {
    fn from_iter<I: IntoIterator<Item = Algorithm>>(iter: I) -> Self {
        iter.into_iter().fold(Self::EMPTY, Self::with)
    }
}

impl fmt::Debug for AlgorithmSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(Algorithm::name)).finish()
    }
}
