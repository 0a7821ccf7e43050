//! PEM (RFC 7468) framing: find the first block, check its label, decode it.

use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};

/// The label and DER body of the first PEM block in `text` (later blocks, such
/// as the rest of a certificate chain, are ignored). The body is zeroized on
/// drop because it may be a private key.
pub(crate) fn first_block(text: &str) -> Result<(String, Zeroizing<Vec<u8>>)> {
    let invalid = |d: &'static str| Error::new(ErrorCode::InvalidKey, d);
    let start = text.find("-----BEGIN ").ok_or_else(|| invalid("no PEM block found"))?;
    let rest = text.get(start..).unwrap_or_default();
    let end_marker = rest.find("-----END ").ok_or_else(|| invalid("PEM block is not terminated"))?;
    let after_end = rest.get(end_marker + 9..).unwrap_or_default();
    let close = after_end.find("-----").ok_or_else(|| invalid("PEM block is not terminated"))?;
    let block = rest.get(..end_marker + 9 + close + 5).unwrap_or_default();
    let (label, der) = pem_rfc7468::decode_vec(block.as_bytes())
        .map_err(|_| invalid("PEM block is malformed (RFC 7468)"))?;
    Ok((label.to_owned(), Zeroizing::new(der)))
}

/// The label of the first PEM block in `text` (`PUBLIC KEY`, `CERTIFICATE`, …).
///
/// # Errors
/// `INVALID_KEY` when `text` has no well-formed PEM block.
pub fn pem_label(text: &str) -> Result<String> {
    first_block(text).map(|(label, _)| label)
}

/// Encode DER as PEM with `label`, LF line endings.
pub(crate) fn encode(label: &str, der: &[u8]) -> Result<Zeroizing<String>> {
    pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der)
        .map(Zeroizing::new)
        .map_err(|_| Error::new(ErrorCode::Internal, "PEM encoding failed"))
}
