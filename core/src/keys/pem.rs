//! PEM (RFC 7468) framing: find the first block, check its label, decode it.

use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};

/// The label and DER body of the first PEM block in `text` (later blocks, such
/// as the rest of a certificate chain, are ignored). The body is zeroized on
/// drop because it may be a private key.
pub(crate) fn first_block(text: &str) -> Result<(String, Zeroizing<Vec<u8>>)> {
    let start = text.find("-----BEGIN ").ok_or(Error::new(ErrorCode::InvalidKey, "no PEM block found"))?;
    let (label, der, _) = block_at(text.get(start..).unwrap_or_default())?;
    Ok((label, Zeroizing::new(der)))
}

/// The block `rest` starts with, and the text after it.
fn block_at(rest: &str) -> Result<(String, Vec<u8>, &str)> {
    let invalid = |d: &'static str| Error::new(ErrorCode::InvalidKey, d);
    let end_marker = rest.find("-----END ").ok_or_else(|| invalid("PEM block is not terminated"))?;
    let after_end = rest.get(end_marker + 9..).unwrap_or_default();
    let close = after_end.find("-----").ok_or_else(|| invalid("PEM block is not terminated"))?;
    let len = end_marker + 9 + close + 5;
    let block = rest.get(..len).unwrap_or_default();
    let (label, der) = pem_rfc7468::decode_vec(block.as_bytes())
        .map_err(|_| invalid("PEM block is malformed (RFC 7468)"))?;
    Ok((label.to_owned(), der, rest.get(len..).unwrap_or_default()))
}

/// Every PEM block of `text` (at most `max`): label and DER body. For
/// public material only (certificate chains, CA bundles): not zeroized.
///
/// # Errors
/// `INVALID_KEY` for a block that is not terminated or does not decode,
/// more than `max` blocks, or none.
pub(crate) fn blocks(text: &str, max: usize) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let (label, der, after) = block_at(rest.get(start..).unwrap_or_default())?;
        if out.len() == max {
            return Err(Error::with_detail(ErrorCode::InvalidKey, format!("more than {max} PEM blocks")));
        }
        out.push((label, der));
        rest = after;
    }
    if out.is_empty() {
        return Err(Error::new(ErrorCode::InvalidKey, "no PEM block found"));
    }
    Ok(out)
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
