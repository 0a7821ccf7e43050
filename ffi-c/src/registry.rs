//! Clients and where the server finds them: `jwtauth_client` (one
//! registered client, keys parsed once) and `jwtauth_registry` (in memory,
//! or the host's own lookup through a callback).
//!
//! Ownership: a client is freed by `jwtauth_client_free`; registries copy
//! (reference) what they are given, so a client may be freed after
//! `jwtauth_registry_insert`. A registry is freed by `jwtauth_registry_free`;
//! authenticators keep their own reference. Thread safety: registries and
//! clients may be shared across threads; the in-memory registry may be
//! changed (insert, remove) while other threads authenticate. A client's
//! setters must not run concurrently with other uses of that client. A
//! lookup callback is called from whichever thread authenticates.

use std::ffi::{c_char, c_void};
use std::fmt;
use std::sync::Arc;

use jwtauth_core::{
    AudienceMode, AuthMethod, Client, Credential, Error, ErrorCode, MemoryRegistry, Registry,
};

use crate::args::{Out, bytes, document, free, obj, obj_mut, opt_i64, text, to_c};
use crate::boundary::{Failure, call, infallible};
use crate::error::jwtauth_error;
use crate::keys::{algorithm, jwtauth_jwks, jwtauth_verifying_key};
use crate::policy::jwtauth_policy;
use crate::replay::UserData;
use crate::status::jwtauth_status;

/// One registered client (opaque).
///
/// Owned by the caller: `jwtauth_client_free`. Registries take their own
/// copy. Threads: shareable once built; its setters must not run
/// concurrently with any other use of it.
pub struct jwtauth_client {
    pub(crate) inner: Arc<Client>,
}

/// Where clients are found (opaque): in memory, or the host's callback.
///
/// Owned by the caller: `jwtauth_registry_free`; authenticators keep their
/// own reference. Threads: shareable; the in-memory registry may be changed
/// (insert, remove) while other threads authenticate.
pub struct jwtauth_registry {
    pub(crate) inner: Arc<dyn Registry>,
    memory: Option<Arc<MemoryRegistry>>,
}

pub(crate) fn policy_or_default(
    policy: *const jwtauth_policy,
) -> Result<jwtauth_core::CredentialPolicy, Failure> {
    if policy.is_null() {
        Ok(jwtauth_core::CredentialPolicy::default())
    } else {
        Ok(obj(policy, "policy")?.inner.clone())
    }
}

/// A client from its registration metadata (RFC 7591 names:
/// `client_id`, `token_endpoint_auth_method`, `jwks`, `jwks_uri`,
/// `client_secret`, …; schema in docs/registry.md), checked against
/// `policy` (NULL: the default policy) at time `now`. On refusal the error
/// lists every problem.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_client_from_json(
    policy: *const jwtauth_policy,
    metadata: *const c_char,
    metadata_len: usize,
    now: i64,
    out: *mut *mut jwtauth_client,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let metadata = document(metadata, metadata_len, "metadata")?;
        let client = policy_or_default(policy)?.check_client_json(metadata, now)?;
        out.write(to_c(jwtauth_client { inner: Arc::new(client) }));
        Ok(())
    })
}

/// A client built in code, without credentials yet: `method` is its
/// `token_endpoint_auth_method` ("private_key_jwt", "client_secret_jwt",
/// "client_secret_basic", "client_secret_post", "none", "tls_client_auth",
/// "self_signed_tls_client_auth"). Unlike
/// `jwtauth_client_from_json`, the credential policy is not applied.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_client_new(
    client_id: *const c_char,
    client_id_len: usize,
    method: *const c_char,
    method_len: usize,
    out: *mut *mut jwtauth_client,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let id = text(client_id, client_id_len, "client_id")?;
        let method = AuthMethod::from_name(text(method, method_len, "method")?)
            .ok_or_else(|| Failure::argument("method", "is not a token_endpoint_auth_method"))?;
        out.write(to_c(jwtauth_client { inner: Arc::new(Client::new(id, method)) }));
        Ok(())
    })
}

fn edit(
    client: *mut jwtauth_client,
    f: impl FnOnce(Client) -> Result<Client, Failure>,
) -> Result<(), Failure> {
    let c = obj_mut(client, "client")?;
    let updated = f((*c.inner).clone())?;
    c.inner = Arc::new(updated);
    Ok(())
}

fn expiry(c: Credential, expires_at: *const i64, expiry_from_cert: bool) -> Result<Credential, Failure> {
    let c = match opt_i64(expires_at) {
        Some(t) => c.with_expiry(t),
        None => c,
    };
    Ok(if expiry_from_cert { c.with_expiry_from_certificate()? } else { c })
}

/// Add a public key to the client. `expires_at` (may be NULL) is its expiry
/// (Unix seconds); `expiry_from_cert` takes it from the key's certificate.
/// Registries already holding the client keep the earlier version.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_client_add_key(
    client: *mut jwtauth_client,
    key: *const jwtauth_verifying_key,
    expires_at: *const i64,
    expiry_from_cert: bool,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let credential = expiry(
            Credential::from_shared_jwks(obj(key, "key")?.inner.clone()),
            expires_at,
            expiry_from_cert,
        )?;
        edit(client, |c| Ok(c.with_credential(credential)))
    })
}

/// Add a key set to the client (one credential). `expires_at` may be NULL.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_client_add_jwks(
    client: *mut jwtauth_client,
    jwks: *const jwtauth_jwks,
    expires_at: *const i64,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let credential =
            expiry(Credential::from_shared_jwks(obj(jwks, "jwks")?.inner.clone()), expires_at, false)?;
        edit(client, |c| Ok(c.with_credential(credential)))
    })
}

/// Set the client secret (client_secret_basic/post: compared in constant
/// time; client_secret_jwt: the HMAC key). `expires_at` may be NULL.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_client_set_secret(
    client: *mut jwtauth_client,
    secret: *const u8,
    secret_len: usize,
    expires_at: *const i64,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let secret = bytes(secret, secret_len, "secret")?;
        let expires_at = opt_i64(expires_at);
        edit(client, |c| Ok(c.with_secret(secret, expires_at)?))
    })
}

/// Pin the client's `token_endpoint_auth_signing_alg`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_client_set_signing_alg(
    client: *mut jwtauth_client,
    alg: *const c_char,
    alg_len: usize,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let alg = algorithm(alg, alg_len)?;
        edit(client, |c| Ok(c.with_signing_alg(alg)?))
    })
}

/// Override the verifier's profile for this client: "compat", "rfc7523bis"
/// or "fapi2" (docs/profiles.md).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_client_set_profile(
    client: *mut jwtauth_client,
    profile: *const c_char,
    profile_len: usize,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let p = crate::verifier::profile_named(profile, profile_len, "profile")?;
        edit(client, |c| Ok(c.with_profile(p)))
    })
}

/// Override the verifier's audience mode ("strict"/"compat") and/or max age
/// (seconds) for this client; NULL / a negative value keeps the verifier's.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_client_set_overrides(
    client: *mut jwtauth_client,
    audience_mode: *const c_char,
    audience_mode_len: usize,
    max_age: i64,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let mode = crate::args::opt_text(audience_mode, audience_mode_len, "audience_mode")?
            .map(|m| {
                AudienceMode::from_name(m)
                    .ok_or_else(|| Failure::argument("audience_mode", "is not strict or compat"))
            })
            .transpose()?;
        edit(client, |mut c| {
            if let Some(m) = mode {
                c = c.with_audience_mode(m);
            }
            if max_age >= 0 {
                c = c.with_max_age(max_age);
            }
            Ok(c)
        })
    })
}

/// The client's id, owned (`jwtauth_string_free`).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_client_id(
    client: *const jwtauth_client,
    out: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        crate::strings::give(out, obj(client, "client")?.inner.client_id());
        Ok(())
    })
}

/// Free a client. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_client_free(client: *mut jwtauth_client) {
    infallible((), || free(client));
}

/// An empty in-memory registry.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_registry_new(out: *mut *mut jwtauth_registry) -> jwtauth_status {
    call(std::ptr::null_mut(), || {
        let out = Out::new(out, "out")?;
        let m = Arc::new(MemoryRegistry::new());
        out.write(to_c(jwtauth_registry { inner: m.clone(), memory: Some(m) }));
        Ok(())
    })
}

/// An in-memory registry loaded from a registry document
/// (`{"clients": [metadata, …]}`, docs/registry.md), every client checked
/// against `policy` (NULL: the default) at `now`. All or nothing: on
/// refusal the error lists every problem, located by JSON Pointer.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_registry_from_json(
    json: *const c_char,
    json_len: usize,
    policy: *const jwtauth_policy,
    now: i64,
    out: *mut *mut jwtauth_registry,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let json = document(json, json_len, "json")?;
        let m = Arc::new(MemoryRegistry::from_json(json, &policy_or_default(policy)?, now)?);
        out.write(to_c(jwtauth_registry { inner: m.clone(), memory: Some(m) }));
        Ok(())
    })
}

fn memory<'a>(registry: *const jwtauth_registry) -> Result<&'a MemoryRegistry, Failure> {
    obj(registry, "registry")?.memory.as_deref().ok_or_else(|| {
        Failure::argument("registry", "is a callback registry; change the host's store instead")
    })
}

/// Register `client` (replacing a client with the same id). In-memory
/// registries only.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_registry_insert(
    registry: *const jwtauth_registry,
    client: *const jwtauth_client,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let client = (*obj(client, "client")?.inner).clone();
        memory(registry)?.insert(client);
        Ok(())
    })
}

/// Check one client's metadata against `policy` (NULL: the default) and
/// register it. In-memory registries only.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_registry_add_json(
    registry: *const jwtauth_registry,
    metadata: *const c_char,
    metadata_len: usize,
    policy: *const jwtauth_policy,
    now: i64,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let metadata = document(metadata, metadata_len, "metadata")?;
        let policy = policy_or_default(policy)?;
        memory(registry)?.register_json(metadata, &policy, now)?;
        Ok(())
    })
}

/// Remove a client; `*removed` (may be NULL) says whether it was there.
/// In-memory registries only.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_registry_remove(
    registry: *const jwtauth_registry,
    client_id: *const c_char,
    client_id_len: usize,
    removed: *mut bool,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let id = text(client_id, client_id_len, "client_id")?;
        let was = memory(registry)?.remove(id);
        if let Ok(o) = Out::new(removed, "removed") {
            o.write(was);
        }
        Ok(())
    })
}

/// The number of clients of an in-memory registry (0 for NULL or a
/// callback registry).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_registry_len(registry: *const jwtauth_registry) -> usize {
    infallible(0, || memory(registry).map_or(0, MemoryRegistry::len))
}

/// Look `client_id` up (not NUL-terminated, valid during the call): write a
/// client to `*out` and return `JWTAUTH_LOOKUP_FOUND`, or return
/// `JWTAUTH_LOOKUP_NOT_FOUND`; any other value means the host's store
/// failed (the request is refused with `JWTAUTH_REGISTRY_UNAVAILABLE`, a
/// server error). The library takes its own reference to the client: the
/// host keeps ownership of `*out` (typically a cache of clients built with
/// `jwtauth_client_from_json` when they registered).
pub type jwtauth_lookup_fn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        client_id: *const c_char,
        client_id_len: usize,
        out: *mut *const jwtauth_client,
    ) -> i32,
>;

/// Returned by a lookup callback: `*out` holds the client.
pub const JWTAUTH_LOOKUP_FOUND: i32 = 0;
/// Returned by a lookup callback: no such client.
pub const JWTAUTH_LOOKUP_NOT_FOUND: i32 = 1;
/// Returned by a lookup callback: the store failed.
pub const JWTAUTH_LOOKUP_ERROR: i32 = 2;

struct CallbackRegistry {
    f: unsafe extern "C" fn(*mut c_void, *const c_char, usize, *mut *const jwtauth_client) -> i32,
    user_data: UserData,
}

impl fmt::Debug for CallbackRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallbackRegistry")
    }
}

impl Registry for CallbackRegistry {
    fn client(&self, client_id: &str) -> jwtauth_core::Result<Option<Arc<Client>>> {
        let mut found: *const jwtauth_client = std::ptr::null();
        // SAFETY: the header's contract for `jwtauth_lookup_fn`; the id and
        // `found` are valid for the duration of the call.
        let r =
            unsafe { (self.f)(self.user_data.0, client_id.as_ptr().cast(), client_id.len(), &raw mut found) };
        match r {
            JWTAUTH_LOOKUP_FOUND => {
                // SAFETY: the contract: on FOUND, `found` is NULL or a live
                // client handle owned by the host.
                let c = unsafe { found.as_ref() }.ok_or(Error::new(
                    ErrorCode::RegistryUnavailable,
                    "the lookup callback said found but gave NULL",
                ))?;
                Ok(Some(c.inner.clone()))
            }
            JWTAUTH_LOOKUP_NOT_FOUND => Ok(None),
            n => Err(Error::with_detail(
                ErrorCode::RegistryUnavailable,
                format!("the lookup callback failed ({n})"),
            )),
        }
    }
}

/// A registry backed by the host's lookup function.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_registry_from_callback(
    f: jwtauth_lookup_fn,
    user_data: *mut c_void,
    out: *mut *mut jwtauth_registry,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let f = f.ok_or_else(|| Failure::argument("f", "is NULL"))?;
        out.write(to_c(jwtauth_registry {
            inner: Arc::new(CallbackRegistry { f, user_data: UserData(user_data) }),
            memory: None,
        }));
        Ok(())
    })
}

/// Free a registry. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_registry_free(registry: *mut jwtauth_registry) {
    infallible((), || free(registry));
}
