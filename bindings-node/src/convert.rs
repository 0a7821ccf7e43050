//! JavaScript values in: text and bytes from `string`, `Buffer` or
//! `Uint8Array`; JSON documents as text or as objects (serialised, then
//! parsed by the core, so that the core's strict parser applies).

use napi::bindgen_prelude::*;

use crate::errors::usage;

/// `string | Buffer | Uint8Array`.
pub(crate) type Bytes = Either<String, Uint8Array>;

/// A JSON document: text or a plain object/array.
pub(crate) type Json<'a> = Either<String, Object<'a>>;

/// The bytes of a `string | Buffer | Uint8Array`.
pub(crate) fn bytes(b: &Bytes) -> &[u8] {
    match b {
        Either::A(s) => s.as_bytes(),
        Either::B(u) => u,
    }
}

/// UTF-8 text from a `string | Buffer | Uint8Array`.
pub(crate) fn text<'a>(env: &Env, b: &'a Bytes, what: &str) -> Result<&'a str> {
    match b {
        Either::A(s) => Ok(s),
        Either::B(u) => std::str::from_utf8(u).map_err(|_| usage(env, format!("{what} is not UTF-8"))),
    }
}

/// A JSON document as text (an object through `JSON.stringify`).
pub(crate) fn json_text(env: &Env, j: Json<'_>) -> Result<String> {
    match j {
        Either::A(s) => Ok(s),
        Either::B(o) => {
            let stringify: Function<'_, Object<'_>, Option<String>> = env
                .get_global()?
                .get_named_property::<Object<'_>>("JSON")?
                .get_named_property("stringify")?;
            stringify.call(o)?.ok_or_else(|| usage(env, "the object has no JSON form"))
        }
    }
}
