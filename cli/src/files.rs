//! Reading inputs (files, `-` for stdin) and writing private keys.

use std::fs::OpenOptions;
use std::io::{Read as _, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

use jwtauth::{JwkSet, SigningKey, VerifyingKey};

use crate::Failure;

/// The text of `path` (`-`: standard input), as UTF-8.
pub(crate) fn read_text(path: &str) -> Result<String, Failure> {
    String::from_utf8(read_bytes(path)?).map_err(|_| Failure(format!("{path} is not UTF-8 text")))
}

/// The bytes of `path` (`-`: standard input).
pub(crate) fn read_bytes(path: &str) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    let read = if path == "-" {
        std::io::stdin().read_to_end(&mut bytes).map(drop)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)).map(drop)
    };
    read.map_err(|e| Failure(format!("cannot read {path}: {e}")))?;
    Ok(bytes)
}

/// Write a private key to a new file readable by its owner only (0600).
/// An existing file is never overwritten.
pub(crate) fn write_private(path: &Path, text: &str) -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failure(format!("cannot write {}: {e}", path.display()));
    let mut f = OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(fail)?;
    f.write_all(text.as_bytes()).map_err(fail)
}

/// A key file: a private key, or public keys (a key, a certificate, a set).
pub(crate) enum KeyFile {
    Private(Box<SigningKey>),
    Public(JwkSet),
}

/// Read a key file: PEM (private key, public key or certificate) or JSON
/// (a JWK, private or public, or a JWK Set).
pub(crate) fn read_key(path: &str) -> Result<KeyFile, Failure> {
    let text = read_text(path)?;
    let in_file = |e: jwtauth::Error| Failure(format!("{path}: {}: {}", e.code().name(), e.detail()));
    if text.trim_start().starts_with('{') {
        let doc: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| Failure(format!("{path}: not JSON: {e}")))?;
        if doc.get("keys").is_some() {
            return JwkSet::from_json(&text).map(KeyFile::Public).map_err(in_file);
        }
        // A private JWK carries its private member (`d`, or `k` for a secret).
        if doc.get("d").is_some() || doc.get("k").is_some() {
            return SigningKey::from_jwk(&text).map(|k| KeyFile::Private(Box::new(k))).map_err(in_file);
        }
        let key = VerifyingKey::from_jwk(&text).map_err(in_file)?;
        return JwkSet::from_keys(vec![key]).map(KeyFile::Public).map_err(in_file);
    }
    let label = jwtauth::pem_label(&text).map_err(in_file)?;
    if label.ends_with("PRIVATE KEY") {
        SigningKey::from_pem(&text).map(|k| KeyFile::Private(Box::new(k))).map_err(in_file)
    } else {
        let key = VerifyingKey::from_pem(&text).map_err(in_file)?;
        JwkSet::from_keys(vec![key]).map(KeyFile::Public).map_err(in_file)
    }
}
