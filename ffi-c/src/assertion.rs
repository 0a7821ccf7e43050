//! The client side: `jwtauth_assertion_builder` signs client assertions;
//! `jwtauth_assertion` is one signed assertion and its form fields.
//!
//! Ownership: the builder keeps its own reference to the key and clock; it
//! is freed by `jwtauth_assertion_builder_free`, each assertion by
//! `jwtauth_assertion_free`. Thread safety: a builder may be shared for
//! signing (`_sign` takes it const) but its setters must not run
//! concurrently with other calls on it; an assertion is plain data.

use std::ffi::{CString, c_char};
use std::sync::Arc;

use jwtauth_core::{AssertionBuilder, Clock, SigningKey};
use serde_json::Value;

use crate::args::{Out, free, obj, obj_mut, opt_text, text, to_c};
use crate::boundary::{Failure, call, infallible};
use crate::clock::jwtauth_clock;
use crate::error::{c_string, jwtauth_error};
use crate::keys::jwtauth_signing_key;
use crate::status::jwtauth_status;

/// The settings of client assertions for one client and audience (opaque).
///
/// Owned by the caller: `jwtauth_assertion_builder_free`. Holds its own
/// reference to the key and clock. Threads: `_sign` may run concurrently;
/// the setters must not run concurrently with any other call on it.
pub struct jwtauth_assertion_builder {
    key: Arc<SigningKey>,
    client_id: String,
    audience: String,
    lifetime: Option<(i64, bool)>,
    not_before: bool,
    typ: Option<Option<String>>,
    kid: Option<Option<String>>,
    jti: Option<String>,
    claims: Vec<(String, Value)>,
    clock: Option<Arc<dyn Clock>>,
    subject: Option<String>,
}

/// A signed client assertion (opaque).
///
/// Owned by the caller: `jwtauth_assertion_free`; the strings it returns
/// live as long as it does. Threads: read-only, shareable.
pub struct jwtauth_assertion {
    jws: CString,
    form_body: CString,
    jti: CString,
    issued_at: i64,
    expires_at: i64,
}

/// A builder of assertions by the client `client_id` (iss and sub) for
/// `audience` (the authorization server's issuer identifier, or its token
/// endpoint URL). Defaults: lifetime 60 s, fresh random jti, typ
/// `client-authentication+jwt`, kid from the key.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_assertion_builder_new(
    key: *const jwtauth_signing_key,
    client_id: *const c_char,
    client_id_len: usize,
    audience: *const c_char,
    audience_len: usize,
    out: *mut *mut jwtauth_assertion_builder,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let key = obj(key, "key")?.inner.clone();
        let client_id = text(client_id, client_id_len, "client_id")?.to_owned();
        let audience = text(audience, audience_len, "audience")?.to_owned();
        out.write(to_c(jwtauth_assertion_builder {
            key,
            client_id,
            audience,
            lifetime: None,
            not_before: false,
            typ: None,
            kid: None,
            jti: None,
            claims: Vec::new(),
            clock: None,
            subject: None,
        }));
        Ok(())
    })
}

/// Set the lifetime (exp − iat) in seconds; above 300 s only with
/// `allow_long` (otherwise `_sign` fails with `JWTAUTH_INVALID_ARGUMENT`).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_assertion_builder_set_lifetime(
    builder: *mut jwtauth_assertion_builder,
    seconds: i64,
    allow_long: bool,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        obj_mut(builder, "builder")?.lifetime = Some((seconds, allow_long));
        Ok(())
    })
}

/// Add an `nbf` claim equal to `iat`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_assertion_builder_set_not_before(
    builder: *mut jwtauth_assertion_builder,
    on: bool,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        obj_mut(builder, "builder")?.not_before = on;
        Ok(())
    })
}

/// Set the `typ` header; NULL omits it (some older servers reject a `typ`).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_assertion_builder_set_typ(
    builder: *mut jwtauth_assertion_builder,
    typ: *const c_char,
    typ_len: usize,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let typ = opt_text(typ, typ_len, "typ")?.map(str::to_owned);
        obj_mut(builder, "builder")?.typ = Some(typ);
        Ok(())
    })
}

/// Make JWT bearer grants (RFC 7523 §2.1) instead of client assertions:
/// `iss` the builder's client id (the issuer), `sub` this subject, `typ`
/// `JWT` unless `jwtauth_assertion_builder_set_typ` says otherwise; the form
/// body becomes `grant_type` and `assertion`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_assertion_builder_set_subject(
    builder: *mut jwtauth_assertion_builder,
    subject: *const c_char,
    subject_len: usize,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let subject = text(subject, subject_len, "subject")?.to_owned();
        obj_mut(builder, "builder")?.subject = Some(subject);
        Ok(())
    })
}

/// Set the `kid` header; NULL omits it (by default the key's kid, or its
/// RFC 7638 thumbprint).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_assertion_builder_set_kid(
    builder: *mut jwtauth_assertion_builder,
    kid: *const c_char,
    kid_len: usize,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let kid = opt_text(kid, kid_len, "kid")?.map(str::to_owned);
        obj_mut(builder, "builder")?.kid = Some(kid);
        Ok(())
    })
}

/// Use this `jti` instead of a fresh random one (tests only: a server
/// accepts a jti once).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_assertion_builder_set_jti(
    builder: *mut jwtauth_assertion_builder,
    jti: *const c_char,
    jti_len: usize,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let jti = text(jti, jti_len, "jti")?.to_owned();
        obj_mut(builder, "builder")?.jti = Some(jti);
        Ok(())
    })
}

/// Add a claim `name` with a JSON value (e.g. `"\"x\""`, `42`). Registered
/// claims (iss, sub, aud, exp, iat, nbf, jti) are refused.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_assertion_builder_add_claim(
    builder: *mut jwtauth_assertion_builder,
    name: *const c_char,
    name_len: usize,
    json_value: *const c_char,
    json_value_len: usize,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let name = text(name, name_len, "name")?.to_owned();
        let value: Value = serde_json::from_str(text(json_value, json_value_len, "json_value")?)
            .map_err(|_| Failure::argument("json_value", "is not JSON"))?;
        let b = obj_mut(builder, "builder")?;
        // Checked now, so that the error comes from the call that caused it.
        AssertionBuilder::new(&b.key, "c", "a").claim(&name, value.clone())?;
        b.claims.push((name, value));
        Ok(())
    })
}

/// Read the time from `clock` instead of the system clock.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_assertion_builder_set_clock(
    builder: *mut jwtauth_assertion_builder,
    clock: *const jwtauth_clock,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let clock: Arc<dyn Clock> = obj(clock, "clock")?.inner.clone();
        obj_mut(builder, "builder")?.clock = Some(clock);
        Ok(())
    })
}

/// Sign a new assertion (a fresh jti each call unless one was set).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_assertion_builder_sign(
    builder: *const jwtauth_assertion_builder,
    out: *mut *mut jwtauth_assertion,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let b = obj(builder, "builder")?;
        let mut a =
            AssertionBuilder::new(&b.key, b.client_id.as_str(), b.audience.as_str()).not_before(b.not_before);
        if let Some(s) = &b.subject {
            a = a.subject(s.as_str());
        }
        if let Some((secs, long)) = b.lifetime {
            a = a.lifetime(secs);
            if long {
                a = a.allow_long_lifetime();
            }
        }
        if let Some(typ) = &b.typ {
            a = a.typ(typ.as_deref());
        }
        match &b.kid {
            Some(Some(kid)) => a = a.kid(kid.as_str()),
            Some(None) => a = a.no_kid(),
            None => {}
        }
        if let Some(jti) = &b.jti {
            a = a.jti(jti.as_str());
        }
        for (name, value) in &b.claims {
            a = a.claim(name, value.clone())?;
        }
        if let Some(c) = &b.clock {
            a = a.clock(c.clone());
        }
        let signed = a.sign()?;
        out.write(to_c(jwtauth_assertion {
            jws: c_string(&signed.assertion),
            form_body: c_string(&signed.to_form_body()),
            jti: c_string(&signed.jti),
            issued_at: signed.issued_at,
            expires_at: signed.expires_at,
        }));
        Ok(())
    })
}

/// Free a builder. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_assertion_builder_free(builder: *mut jwtauth_assertion_builder) {
    infallible((), || free(builder));
}

fn field(a: *const jwtauth_assertion, f: impl FnOnce(&jwtauth_assertion) -> *const c_char) -> *const c_char {
    infallible(std::ptr::null(), || obj(a, "assertion").map_or(std::ptr::null(), f))
}

/// The compact JWS (the `client_assertion` value). Borrowed from `a`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_assertion_jws(a: *const jwtauth_assertion) -> *const c_char {
    field(a, |a| a.jws.as_ptr())
}

/// The form fields of the token request, encoded:
/// `client_id=…&client_assertion_type=…&client_assertion=…` (append the
/// grant's own parameters). Borrowed from `a`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_assertion_form_body(a: *const jwtauth_assertion) -> *const c_char {
    field(a, |a| a.form_body.as_ptr())
}

/// The jti of the assertion. Borrowed from `a`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_assertion_jti(a: *const jwtauth_assertion) -> *const c_char {
    field(a, |a| a.jti.as_ptr())
}

/// iat and exp of the assertion (Unix seconds); either output may be NULL.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_assertion_times(
    a: *const jwtauth_assertion,
    issued_at: *mut i64,
    expires_at: *mut i64,
) {
    infallible((), || {
        if let Ok(a) = obj(a, "assertion") {
            if let Ok(o) = Out::new(issued_at, "issued_at") {
                o.write(a.issued_at);
            }
            if let Ok(o) = Out::new(expires_at, "expires_at") {
                o.write(a.expires_at);
            }
        }
    });
}

/// Free an assertion. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_assertion_free(a: *mut jwtauth_assertion) {
    infallible((), || free(a));
}
