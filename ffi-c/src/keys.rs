//! Keys: `jwtauth_signing_key` (client side: private key or HMAC secret),
//! `jwtauth_verifying_key` (a registered public key) and `jwtauth_jwks`.
//!
//! Ownership: each is created by a `_from_*`/`_generate*` function and freed
//! by its `_free`; objects built from a key (assertion builders, clients)
//! keep their own reference, so a key may be freed once they are made.
//! Thread safety: keys are immutable once made and may be shared across
//! threads.

use std::ffi::c_char;
use std::sync::Arc;

use jwtauth_core::{Algorithm, Error, ErrorCode, JwkSet, SigningKey, VerifyingKey, b64};

use crate::args::{Out, bytes, document, free, obj, opt_text, text, to_c};
use crate::boundary::{Failure, call, infallible};
use crate::error::jwtauth_error;
use crate::status::jwtauth_status;
use crate::strings::give;

/// A private key or HMAC secret with its algorithm and optional kid (opaque).
///
/// Owned by the caller: `jwtauth_signing_key_free` (zeroes the key).
/// Builders keep their own reference. Threads: immutable, shareable.
pub struct jwtauth_signing_key {
    pub(crate) inner: Arc<SigningKey>,
}

/// A public key (or a certificate's key) with optional kid and alg (opaque).
///
/// Owned by the caller: `jwtauth_verifying_key_free`; clients keep their own
/// reference. Threads: immutable, shareable.
pub struct jwtauth_verifying_key {
    /// A set of exactly one key, so that clients can share it.
    pub(crate) inner: Arc<JwkSet>,
}

impl jwtauth_verifying_key {
    fn key(&self) -> Result<&VerifyingKey, Failure> {
        self.inner.keys().first().ok_or_else(|| Failure::argument("key", "is empty"))
    }
}

/// A parsed JWK Set (opaque).
///
/// Owned by the caller: `jwtauth_jwks_free`; clients keep their own
/// reference. Threads: immutable, shareable.
pub struct jwtauth_jwks {
    pub(crate) inner: Arc<JwkSet>,
}

pub(crate) fn algorithm(ptr: *const c_char, len: usize) -> Result<Algorithm, Failure> {
    algorithm_named(text(ptr, len, "alg")?)
}

pub(crate) fn algorithm_named(name: &str) -> Result<Algorithm, Failure> {
    Algorithm::from_name(name).ok_or_else(|| {
        Error::with_detail(ErrorCode::UnsupportedAlgorithm, format!("unknown algorithm {name:?}")).into()
    })
}

fn new_signing(key: SigningKey, kid: Option<&str>, out: Out<*mut jwtauth_signing_key>) {
    let key = match kid {
        Some(k) => key.with_kid(k),
        None => key,
    };
    out.write(to_c(jwtauth_signing_key { inner: Arc::new(key) }));
}

/// Load a private key from PEM: PKCS#8 (`PRIVATE KEY`), PKCS#1
/// (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`). `alg` (may be NULL)
/// picks the algorithm where the key allows several (an RSA key signs RS256
/// unless told "PS256", "RS384", …). `kid` (may be NULL) is the key id to
/// put in assertion headers.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_signing_key_from_pem(
    pem: *const c_char,
    pem_len: usize,
    alg: *const c_char,
    alg_len: usize,
    kid: *const c_char,
    kid_len: usize,
    out: *mut *mut jwtauth_signing_key,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let (pem, kid) = (document(pem, pem_len, "pem")?, opt_text(kid, kid_len, "kid")?);
        let alg = opt_text(alg, alg_len, "alg")?.map(algorithm_named).transpose()?;
        let mut key = SigningKey::from_pem(pem)?;
        if let Some(a) = alg {
            key = key.with_alg(a)?;
        }
        new_signing(key, kid, out);
        Ok(())
    })
}

/// Load a private key from a private JWK (its `kid` and `alg` are kept).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_signing_key_from_jwk(
    jwk: *const c_char,
    jwk_len: usize,
    out: *mut *mut jwtauth_signing_key,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        new_signing(SigningKey::from_jwk(document(jwk, jwk_len, "jwk")?)?, None, out);
        Ok(())
    })
}

/// An HMAC secret for `client_secret_jwt` with `alg` ("HS256", "HS384",
/// "HS512"); at least as long as the hash (32/48/64 bytes).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_signing_key_from_secret(
    secret: *const u8,
    secret_len: usize,
    alg: *const c_char,
    alg_len: usize,
    out: *mut *mut jwtauth_signing_key,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let alg = algorithm(alg, alg_len)?;
        new_signing(SigningKey::from_secret(bytes(secret, secret_len, "secret")?, alg)?, None, out);
        Ok(())
    })
}

/// Generate a key for `alg`; HMAC: a random secret of the hash size. `bits`
/// is 0 for the default (RSA: 2048); only RSA algorithms accept another
/// value (2048 to 4096 bits).
/// `kid` may be NULL.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_signing_key_generate(
    alg: *const c_char,
    alg_len: usize,
    bits: u32,
    kid: *const c_char,
    kid_len: usize,
    out: *mut *mut jwtauth_signing_key,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let alg = algorithm(alg, alg_len)?;
        let kid = opt_text(kid, kid_len, "kid")?;
        let key = if bits != 0 {
            SigningKey::generate_rsa(
                alg,
                usize::try_from(bits).map_err(|_| Failure::argument("bits", "is too large"))?,
            )?
        } else {
            SigningKey::generate(alg)?
        };
        new_signing(key, kid, out);
        Ok(())
    })
}

/// The key's signing algorithm ("RS256", …); static. NULL for NULL.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_signing_key_alg(key: *const jwtauth_signing_key) -> *const c_char {
    infallible(std::ptr::null(), || obj(key, "key").map_or(std::ptr::null(), |k| alg_name(k.inner.alg())))
}

pub(crate) fn alg_name(alg: Algorithm) -> *const c_char {
    static NAMES: std::sync::LazyLock<Vec<(Algorithm, std::ffi::CString)>> = std::sync::LazyLock::new(|| {
        Algorithm::ALL.iter().map(|a| (*a, crate::error::c_string(a.name()))).collect()
    });
    NAMES.iter().find(|(a, _)| *a == alg).map_or(std::ptr::null(), |(_, s)| s.as_ptr())
}

/// The RFC 7638 thumbprint of the key (base64url SHA-256), owned: free it
/// with `jwtauth_string_free`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_signing_key_thumbprint(
    key: *const jwtauth_signing_key,
    out: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        give(out, &obj(key, "key")?.inner.thumbprint());
        Ok(())
    })
}

/// The private key as PKCS#8 PEM, owned (a secret: `jwtauth_string_free`
/// zeroes it). `JWTAUTH_INVALID_ARGUMENT` for an HMAC secret.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_signing_key_private_pem(
    key: *const jwtauth_signing_key,
    out: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let pem = obj(key, "key")?.inner.to_pkcs8_pem()?;
        give(out, &pem);
        Ok(())
    })
}

/// The public key as SPKI PEM, owned.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_signing_key_public_pem(
    key: *const jwtauth_signing_key,
    out: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        give(out, &obj(key, "key")?.inner.to_public_pem()?);
        Ok(())
    })
}

/// The public JWK (JSON, with kid, alg and `use: sig`), owned; register it
/// with the authorization server. `JWTAUTH_INVALID_ARGUMENT` for an HMAC
/// secret, which is never exported.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_signing_key_public_jwk(
    key: *const jwtauth_signing_key,
    out: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let jwk = obj(key, "key")?
            .inner
            .public_jwk()
            .ok_or_else(|| Failure::argument("key", "is an HMAC secret, which has no public JWK"))?;
        give(out, &jwk.to_string());
        Ok(())
    })
}

/// Free a signing key (its memory is zeroed). NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_signing_key_free(key: *mut jwtauth_signing_key) {
    infallible((), || free(key));
}

fn new_verifying(key: VerifyingKey, kid: Option<&str>, out: Out<*mut jwtauth_verifying_key>) {
    let key = match kid {
        Some(k) => key.with_kid(k),
        None => key,
    };
    out.write(to_c(jwtauth_verifying_key { inner: Arc::new(JwkSet::from(key)) }));
}

/// Load a public key from PEM: SPKI (`PUBLIC KEY`), PKCS#1
/// (`RSA PUBLIC KEY`) or an X.509 certificate (`CERTIFICATE`: its key,
/// notAfter and thumbprints). `kid` may be NULL. Weak keys are refused
/// (`JWTAUTH_WEAK_KEY`), private keys too (`JWTAUTH_PRIVATE_KEY_MATERIAL`).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifying_key_from_pem(
    pem: *const c_char,
    pem_len: usize,
    kid: *const c_char,
    kid_len: usize,
    out: *mut *mut jwtauth_verifying_key,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let (pem, kid) = (document(pem, pem_len, "pem")?, opt_text(kid, kid_len, "kid")?);
        new_verifying(VerifyingKey::from_pem(pem)?, kid, out);
        Ok(())
    })
}

/// Load the key of a DER X.509 certificate. `kid` may be NULL.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifying_key_from_certificate_der(
    der: *const u8,
    der_len: usize,
    kid: *const c_char,
    kid_len: usize,
    out: *mut *mut jwtauth_verifying_key,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let (der, kid) = (bytes(der, der_len, "der")?, opt_text(kid, kid_len, "kid")?);
        new_verifying(VerifyingKey::from_certificate_der(der)?, kid, out);
        Ok(())
    })
}

/// Load a public key from a JWK (JSON text).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifying_key_from_jwk(
    jwk: *const c_char,
    jwk_len: usize,
    out: *mut *mut jwtauth_verifying_key,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        new_verifying(VerifyingKey::from_jwk(document(jwk, jwk_len, "jwk")?)?, None, out);
        Ok(())
    })
}

/// The RFC 7638 thumbprint, owned.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifying_key_thumbprint(
    key: *const jwtauth_verifying_key,
    out: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        give(out, &obj(key, "key")?.key()?.thumbprint());
        Ok(())
    })
}

/// The public JWK (JSON), owned.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifying_key_to_jwk(
    key: *const jwtauth_verifying_key,
    out: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let jwk =
            obj(key, "key")?.key()?.to_jwk().ok_or_else(|| Failure::argument("key", "is an HMAC secret"))?;
        give(out, &jwk.to_string());
        Ok(())
    })
}

/// For a key loaded from a certificate: its notAfter (Unix seconds) and its
/// `x5t` and `x5t#S256` thumbprints (base64url, owned; either output may be
/// NULL when not wanted). `JWTAUTH_INVALID_ARGUMENT` for other keys.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifying_key_certificate(
    key: *const jwtauth_verifying_key,
    not_after: *mut i64,
    x5t: *mut *mut c_char,
    x5t_s256: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let not_after = Out::new(not_after, "not_after")?;
        let cert = obj(key, "key")?
            .key()?
            .certificate()
            .ok_or_else(|| Failure::argument("key", "did not come from a certificate"))?;
        not_after.write(cert.not_after);
        if let Ok(o) = Out::new(x5t, "x5t") {
            give(o, &b64::encode(&cert.x5t));
        }
        if let Ok(o) = Out::new(x5t_s256, "x5t_s256") {
            give(o, &b64::encode(&cert.x5t_s256));
        }
        Ok(())
    })
}

/// Free a verifying key. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifying_key_free(key: *mut jwtauth_verifying_key) {
    infallible((), || free(key));
}

/// Parse a JWK Set document (`{"keys": [...]}`); every key is checked
/// (private members, weak keys, duplicate kids are refused).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_jwks_from_json(
    json: *const c_char,
    json_len: usize,
    out: *mut *mut jwtauth_jwks,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let set = JwkSet::from_json(document(json, json_len, "json")?)?;
        out.write(to_c(jwtauth_jwks { inner: Arc::new(set) }));
        Ok(())
    })
}

/// The number of keys in the set (0 for NULL).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_jwks_len(jwks: *const jwtauth_jwks) -> usize {
    infallible(0, || obj(jwks, "jwks").map_or(0, |j| j.inner.keys().len()))
}

/// The set as a JWKS JSON document (public members only), owned.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_jwks_to_json(
    jwks: *const jwtauth_jwks,
    out: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        give(out, &obj(jwks, "jwks")?.inner.to_json());
        Ok(())
    })
}

/// Free a key set. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_jwks_free(jwks: *mut jwtauth_jwks) {
    infallible((), || free(jwks));
}
