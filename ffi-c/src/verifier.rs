//! The server side: `jwtauth_verifier_config` (settings), `jwtauth_verifier`
//! (verifies assertions for registered clients) and `jwtauth_verified` (the
//! result).
//!
//! Ownership: a configuration is freed by `jwtauth_verifier_config_free` and
//! may be freed once verifiers and authenticators are built from it (they
//! copy it); a verifier by `jwtauth_verifier_free`; a result by
//! `jwtauth_verified_free`. Thread safety: a verifier is meant to be built
//! once and shared by every thread; a configuration must not be modified
//! concurrently; results are plain data.

use std::ffi::{CString, c_char};
use std::mem::MaybeUninit;
use std::sync::{Arc, OnceLock};

use jwtauth_core::{
    AlgorithmSet, AudienceMode, Clock, Endpoint, Profile, Registry, RemoteJwks, ReplayStore,
    VerifiedAssertion, Verifier, WouldRefuse,
};

use crate::args::{Out, bytes, free, obj, obj_mut, opt_text, text, to_c};
use crate::boundary::{Failure, call, infallible};
use crate::clock::jwtauth_clock;
use crate::error::{c_string, jwtauth_error};
use crate::keys::{alg_name, algorithm_named};
use crate::registry::jwtauth_registry;
use crate::remote::jwtauth_remote_jwks;
use crate::replay::jwtauth_replay_store;
use crate::status::jwtauth_status;
use crate::strings::give;

/// Verifier settings (opaque).
///
/// Owned by the caller: `jwtauth_verifier_config_free` (copied by
/// `jwtauth_verifier_new` and `jwtauth_authenticator_new`). Threads: not to
/// be modified concurrently.
pub struct jwtauth_verifier_config {
    issuer: String,
    token_endpoint: Option<String>,
    audiences: Vec<String>,
    audience_mode: Option<AudienceMode>,
    endpoints: Vec<(Endpoint, String)>,
    profile: Option<Profile>,
    report_profile: Option<Profile>,
    hook: Option<crate::hook::CallbackHook>,
    events: Option<crate::hook::CallbackEvents>,
    client_ca: Option<jwtauth_core::TrustAnchors>,
    trust: Option<Arc<jwtauth_core::TrustTable>>,
    leeway: Option<i64>,
    max_age: Option<i64>,
    max_lifetime: Option<i64>,
    max_assertion_len: Option<usize>,
    algorithms: Option<AlgorithmSet>,
    replay: Option<Arc<dyn ReplayStore>>,
    clock: Option<Arc<dyn Clock>>,
    remote: Option<Option<Arc<RemoteJwks>>>,
}

impl jwtauth_verifier_config {
    /// The client CAs for `tls_client_auth` (authenticators only).
    pub(crate) const fn client_ca(&self) -> Option<&jwtauth_core::TrustAnchors> {
        self.client_ca.as_ref()
    }

    /// The trust table of JWT bearer grants (authenticators only).
    pub(crate) fn trust(&self) -> Option<&jwtauth_core::TrustTable> {
        self.trust.as_deref()
    }

    pub(crate) fn set_trust(&mut self, table: Arc<jwtauth_core::TrustTable>) {
        self.trust = Some(table);
    }

    pub(crate) fn build(&self) -> Result<Verifier, Failure> {
        let mut b = Verifier::builder(self.issuer.as_str());
        if let Some(t) = &self.token_endpoint {
            b = b.token_endpoint(t.as_str());
        }
        for a in &self.audiences {
            b = b.extra_audience(a.as_str());
        }
        if let Some(m) = self.audience_mode {
            b = b.audience_mode(m);
        }
        if let Some(p) = self.profile {
            b = b.profile(p);
        }
        for (e, url) in &self.endpoints {
            b = b.endpoint(*e, url.as_str());
        }
        if let Some(p) = self.report_profile {
            b = b.report_profile(p);
        }
        if let Some(h) = self.hook {
            b = b.policy_hook(Arc::new(h));
        }
        if let Some(h) = self.events {
            b = b.event_hook(Arc::new(h));
        }
        if let Some(l) = self.leeway {
            b = b.leeway(l);
        }
        if let Some(m) = self.max_age {
            b = b.max_age(m);
        }
        if let Some(m) = self.max_lifetime {
            b = b.max_lifetime(m);
        }
        if let Some(m) = self.max_assertion_len {
            b = b.max_assertion_len(m);
        }
        if let Some(a) = self.algorithms {
            b = b.allowed_algorithms(a);
        }
        if let Some(r) = &self.replay {
            b = b.replay_store(r.clone());
        }
        if let Some(c) = &self.clock {
            b = b.clock(c.clone());
        }
        match &self.remote {
            Some(Some(r)) => b = b.remote_jwks(r.clone()),
            Some(None) => b = b.without_remote_jwks(),
            None => {}
        }
        Ok(b.build()?)
    }
}

/// Verifies client assertions (opaque).
///
/// Owned by the caller: `jwtauth_verifier_free`. Threads: build once, share
/// by all threads.
pub struct jwtauth_verifier {
    pub(crate) inner: Verifier,
}

/// The verifier's effective settings, defaults included, as a JSON object
/// (owned: free with `jwtauth_string_free`): `issuer`, `audiences`,
/// `audience_mode`, `leeway`, `max_age`, `max_lifetime` (seconds),
/// `max_assertion_len`, `algorithms`, and `remote_jwks` (its cache settings,
/// `timeout_ms` in milliseconds, or null when remote key sets are off). The
/// same object every face reports.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_settings_json(
    verifier: *const jwtauth_verifier,
    out: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        give(out, &obj(verifier, "verifier")?.inner.settings().to_string());
        Ok(())
    })
}

/// What the report-only profile would have refused so far, as a JSON object
/// (owned: free with `jwtauth_string_free`): `profile` (or null),
/// `counts` (`client_id`, `code` as `JWTAUTH_…`, `count`), `dropped`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_report_json(
    verifier: *const jwtauth_verifier,
    out: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        give(out, &obj(verifier, "verifier")?.inner.report().to_json().to_string());
        Ok(())
    })
}

/// The outcome counters as a JSON object (owned: free with
/// `jwtauth_string_free`): `accepted` (per method) and `refused` (per
/// `JWTAUTH_…` code), counted once per call by the verifier and everything
/// built over it; explanations count nothing.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_metrics_json(
    verifier: *const jwtauth_verifier,
    out: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        give(out, &obj(verifier, "verifier")?.inner.metrics().to_json().to_string());
        Ok(())
    })
}

/// Why `verifier` accepts or refuses `assertion`, rule by rule, as a JSON
/// document (owned: free with `jwtauth_string_free`): `verdict`
/// (`"accepted"` or `"refused"`), `client_id` or `error` and `detail`, and
/// `steps` (`rule`, `name`, `checks`, `status`: `pass` / `fail` /
/// `not_reached`, `detail`, `fix`). The verifier's own pipeline, recording
/// nothing: the verdict is what `jwtauth_verifier_verify` would return now,
/// and the assertion stays unused. `client_id` may be NULL. The status is
/// `JWTAUTH_OK` whenever the document was written, whatever its verdict.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_explain_json(
    verifier: *const jwtauth_verifier,
    registry: *const jwtauth_registry,
    assertion: *const c_char,
    assertion_len: usize,
    client_id: *const c_char,
    client_id_len: usize,
    out: *mut *mut c_char,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let v = obj(verifier, "verifier")?;
        let reg = obj(registry, "registry")?;
        let assertion = bytes(assertion.cast(), assertion_len, "assertion")?;
        let client_id = opt_text(client_id, client_id_len, "client_id")?;
        give(out, &v.inner.explain(assertion, client_id, &*reg.inner).to_json().to_string());
        Ok(())
    })
}

/// A verified assertion (opaque).
///
/// Owned by the caller (`jwtauth_verified_free`), or borrowed from a
/// `jwtauth_authenticated` (never freed then). Threads: read-only.
pub struct jwtauth_verified {
    inner: VerifiedAssertion,
    /// Taken from `inner` (whose copy is left empty): the core leaves room
    /// for the terminator, so this costs no allocation.
    client_id: CString,
    /// The other C strings, made on first use (most servers read only the id).
    jti: OnceLock<CString>,
    claims_json: OnceLock<CString>,
    key_thumbprint: OnceLock<CString>,
}

impl jwtauth_verified {
    /// Verify into a result handed to C, built in place: the result is a few
    /// hundred bytes, and copying it right after the core wrote it was a
    /// third of what the C API added to a verification (the copy's wide
    /// loads wait for the core's narrow stores to retire).
    fn verify_into_c(
        v: &Verifier,
        assertion: &[u8],
        client_id: Option<&str>,
        registry: &dyn Registry,
    ) -> Result<*mut Self, jwtauth_core::Error> {
        let mut slot = Box::<Self>::new_uninit();
        let p = slot.as_mut_ptr();
        // SAFETY: `p` points into the allocation `slot` owns; its `inner`
        // field is viewed as uninitialised memory of its own type.
        let inner =
            unsafe { &mut *std::ptr::addr_of_mut!((*p).inner).cast::<MaybeUninit<VerifiedAssertion>>() };
        // On failure nothing was written (the core writes `inner` only on
        // success) and `slot` is freed as the uninitialised memory it is.
        v.verify_bytes_into(assertion, client_id, registry, inner)?;
        // SAFETY: `inner` is initialised (Ok above); the other fields are
        // written once each before the allocation is handed out, and only
        // `inner.client_id` is read back.
        unsafe {
            let id = std::mem::take(&mut (*p).inner.client_id);
            std::ptr::addr_of_mut!((*p).client_id).write(Self::c_client_id(id));
            std::ptr::addr_of_mut!((*p).jti).write(OnceLock::new());
            std::ptr::addr_of_mut!((*p).claims_json).write(OnceLock::new());
            std::ptr::addr_of_mut!((*p).key_thumbprint).write(OnceLock::new());
        }
        Ok(Box::into_raw(slot).cast::<Self>())
    }

    /// The client id as a C string (the core leaves room for the
    /// terminator, so this costs no allocation).
    fn c_client_id(id: String) -> CString {
        CString::new(id).unwrap_or_else(|e| c_string(&String::from_utf8_lossy(&e.into_vec())))
    }

    /// Drop a result made by [`jwtauth_verified::verify_into_c`]. NULL is a
    /// no-op.
    fn free(ptr: *mut Self) {
        if ptr.is_null() {
            return;
        }
        // SAFETY: the header's contract: a pointer given to
        // `jwtauth_verified_free` came from `jwtauth_verifier_verify` (so from
        // `verify_into_c`: a Box of this type, fully initialised) and is not
        // used afterwards.
        drop(unsafe { Box::from_raw(ptr) });
    }

    pub(crate) fn new(mut inner: VerifiedAssertion) -> Self {
        let client_id = Self::c_client_id(std::mem::take(&mut inner.client_id));
        Self {
            inner,
            client_id,
            jti: OnceLock::new(),
            claims_json: OnceLock::new(),
            key_thumbprint: OnceLock::new(),
        }
    }
}

/// Settings for a server whose issuer identifier is `issuer` (the
/// audience every assertion may name). Defaults: audience mode "compat",
/// leeway 60 s, max age 300 s, assertions ≤ 16 KiB, every algorithm but
/// `none`, an in-memory replay store, the system clock, remote JWKS with
/// the default settings.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_config_new(
    issuer: *const c_char,
    issuer_len: usize,
    out: *mut *mut jwtauth_verifier_config,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let issuer = text(issuer, issuer_len, "issuer")?.to_owned();
        out.write(to_c(jwtauth_verifier_config {
            issuer,
            token_endpoint: None,
            audiences: Vec::new(),
            audience_mode: None,
            endpoints: Vec::new(),
            profile: None,
            report_profile: None,
            hook: None,
            events: None,
            client_ca: None,
            trust: None,
            leeway: None,
            max_age: None,
            max_lifetime: None,
            max_assertion_len: None,
            algorithms: None,
            replay: None,
            clock: None,
            remote: None,
        }));
        Ok(())
    })
}

/// The token endpoint URL (accepted as audience in "compat" mode).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_config_set_token_endpoint(
    config: *mut jwtauth_verifier_config,
    url: *const c_char,
    url_len: usize,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let url = text(url, url_len, "url")?.to_owned();
        obj_mut(config, "config")?.token_endpoint = Some(url);
        Ok(())
    })
}

/// One more URL accepted as audience in "compat" mode (e.g. the PAR
/// endpoint).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_config_add_audience(
    config: *mut jwtauth_verifier_config,
    url: *const c_char,
    url_len: usize,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let url = text(url, url_len, "url")?.to_owned();
        obj_mut(config, "config")?.audiences.push(url);
        Ok(())
    })
}

/// "strict" (aud must be exactly the issuer, draft-ietf-oauth-rfc7523bis)
/// or "compat" (the issuer, the token endpoint or an added URL, alone or in
/// an array).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_config_set_audience_mode(
    config: *mut jwtauth_verifier_config,
    mode: *const c_char,
    mode_len: usize,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let name = text(mode, mode_len, "mode")?;
        let mode = AudienceMode::from_name(name)
            .ok_or_else(|| Failure::argument("mode", "is not strict or compat"))?;
        obj_mut(config, "config")?.audience_mode = Some(mode);
        Ok(())
    })
}

/// A profile by name ("compat", "rfc7523bis", "fapi2"), for an argument `what`.
pub(crate) fn profile_named(name: *const c_char, len: usize, what: &'static str) -> Result<Profile, Failure> {
    Ok(Profile::named(text(name, len, what)?)?)
}

/// The profile's name, static.
pub(crate) fn profile_name(p: Profile) -> *const c_char {
    match p {
        Profile::Compat => c"compat".as_ptr(),
        Profile::Rfc7523bis => c"rfc7523bis".as_ptr(),
        Profile::Fapi2 => c"fapi2".as_ptr(),
    }
}

/// What a report-only profile would have refused, for C: the status it
/// would have refused with (`JWTAUTH_OK` for nothing) and its profile.
pub(crate) fn would_refuse(w: Option<&WouldRefuse>, profile: *mut *const c_char) -> jwtauth_status {
    let (status, name) = w.map_or((jwtauth_status::JWTAUTH_OK, std::ptr::null()), |w| {
        (jwtauth_status::from_code(w.code), profile_name(w.profile))
    });
    // NULL: the caller does not want the name.
    if let Ok(out) = Out::new(profile, "profile") {
        out.write(name);
    }
    status
}

/// An endpoint by its RFC 8414 name ("introspection_endpoint", …).
pub(crate) fn endpoint_named(name: *const c_char, len: usize) -> Result<Endpoint, Failure> {
    Ok(Endpoint::named(text(name, len, "endpoint")?)?)
}

/// The URL of another endpoint that receives client assertions, by its
/// RFC 8414 name: "pushed_authorization_request_endpoint",
/// "introspection_endpoint", "revocation_endpoint",
/// "backchannel_authentication_endpoint", "device_authorization_endpoint"
/// ("token_endpoint" sets the token endpoint). In `compat` it is an
/// accepted audience for a verifier or authenticator made for that
/// endpoint (`jwtauth_verifier_at`, `jwtauth_authenticator_at`) only.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_config_set_endpoint(
    config: *mut jwtauth_verifier_config,
    endpoint: *const c_char,
    endpoint_len: usize,
    url: *const c_char,
    url_len: usize,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let e = endpoint_named(endpoint, endpoint_len)?;
        let url = text(url, url_len, "url")?.to_owned();
        let c = obj_mut(config, "config")?;
        if e == Endpoint::Token {
            c.token_endpoint = Some(url);
        } else {
            c.endpoints.retain(|(x, _)| *x != e);
            c.endpoints.push((e, url));
        }
        Ok(())
    })
}

/// A verifier for assertions that `endpoint` (an RFC 8414 name) received:
/// its configured URL is an accepted audience too (`compat`); the replay
/// store, clock and key-set cache are shared with `verifier`. Owned: free
/// with `jwtauth_verifier_free`. Make one per endpoint at start-up.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_at(
    verifier: *const jwtauth_verifier,
    endpoint: *const c_char,
    endpoint_len: usize,
    out: *mut *mut jwtauth_verifier,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let e = endpoint_named(endpoint, endpoint_len)?;
        let inner = obj(verifier, "verifier")?.inner.at(e);
        out.write(to_c(jwtauth_verifier { inner }));
        Ok(())
    })
}

/// The host's policy hook (`jwtauth_policy_hook_fn`), asked once an
/// authentication has passed every check and before the assertion's `jti`
/// is recorded: it may refuse (`JWTAUTH_POLICY_REFUSED`, 401) — a refused
/// assertion leaves no `jti` behind — or fail (`JWTAUTH_HOOK_FAILED`, 503).
/// `f` NULL removes the hook. Called from any thread, concurrently.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_config_set_policy_hook(
    config: *mut jwtauth_verifier_config,
    f: crate::hook::jwtauth_policy_hook_fn,
    user_data: *mut std::ffi::c_void,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        obj_mut(config, "config")?.hook =
            f.map(|f| crate::hook::CallbackHook { f, user_data: crate::replay::UserData(user_data) });
        Ok(())
    })
}

/// The host's event hook (`jwtauth_event_hook_fn`), told every outcome of
/// the verifier made from this configuration and of the authenticators and
/// endpoint views over it: once per call, on the calling thread, after the
/// outcome is final (explanations tell it nothing). `f` NULL removes the
/// hook. Called from any thread, concurrently.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_config_set_event_hook(
    config: *mut jwtauth_verifier_config,
    f: crate::hook::jwtauth_event_hook_fn,
    user_data: *mut std::ffi::c_void,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        obj_mut(config, "config")?.events =
            f.map(|f| crate::hook::CallbackEvents { f, user_data: crate::replay::UserData(user_data) });
        Ok(())
    })
}

/// The CAs (PEM, one or more certificates) that `tls_client_auth` client
/// certificates must chain to when the TLS layer did not verify them
/// (`jwtauth_client_certificate.verified_by_tls` false). Used by
/// authenticators made from this configuration. `JWTAUTH_INVALID_KEY` when
/// a block is not a usable CA certificate.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_config_set_client_ca(
    config: *mut jwtauth_verifier_config,
    pem: *const c_char,
    pem_len: usize,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let config = obj_mut(config, "config")?;
        let pem = bytes(pem.cast(), pem_len, "pem")?;
        config.client_ca = Some(jwtauth_core::TrustAnchors::from_pem(pem)?);
        Ok(())
    })
}

/// The profile enforced: "compat" (the default), "rfc7523bis" or "fapi2"
/// (docs/profiles.md); a client's own profile overrides it.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_config_set_profile(
    config: *mut jwtauth_verifier_config,
    profile: *const c_char,
    profile_len: usize,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let p = profile_named(profile, profile_len, "profile")?;
        obj_mut(config, "config")?.profile = Some(p);
        Ok(())
    })
}

/// A profile evaluated beside the enforced one in report-only mode: it
/// refuses nothing; `jwtauth_verified_would_refuse` and
/// `jwtauth_authenticated_would_refuse` say what it would have refused, and
/// `jwtauth_verifier_report_json` counts it per client and code.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_config_set_report_profile(
    config: *mut jwtauth_verifier_config,
    profile: *const c_char,
    profile_len: usize,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let p = profile_named(profile, profile_len, "profile")?;
        obj_mut(config, "config")?.report_profile = Some(p);
        Ok(())
    })
}

/// Clock tolerance (seconds, 0–300; default 60), the largest accepted age
/// of an assertion, now − iat or without iat exp − now (seconds, 1–86400;
/// default 300) and the largest accepted assertion (bytes; default 16384).
/// A negative value (or 0 for `max_assertion_len`) keeps the current
/// setting.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_config_set_limits(
    config: *mut jwtauth_verifier_config,
    leeway: i64,
    max_age: i64,
    max_assertion_len: usize,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let c = obj_mut(config, "config")?;
        if leeway >= 0 {
            c.leeway = Some(leeway);
        }
        if max_age >= 0 {
            c.max_age = Some(max_age);
        }
        if max_assertion_len > 0 {
            c.max_assertion_len = Some(max_assertion_len);
        }
        Ok(())
    })
}

/// The largest accepted assertion lifetime, `exp − iat` (or `exp − now`
/// without `iat`), in seconds, inclusive: 1–86400, default 3600. Longer, or
/// an `exp` that is no representable time, is `JWTAUTH_LIFETIME_TOO_LONG`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_config_set_max_lifetime(
    config: *mut jwtauth_verifier_config,
    seconds: i64,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        if !(1..=86_400).contains(&seconds) {
            return Err(Failure::argument("seconds", "must be between 1 and 86400"));
        }
        obj_mut(config, "config")?.max_lifetime = Some(seconds);
        Ok(())
    })
}

/// Restrict the accepted algorithms to a comma-separated list of names
/// ("RS256,ES256,EdDSA").
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_config_set_algorithms(
    config: *mut jwtauth_verifier_config,
    names: *const c_char,
    names_len: usize,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let list = text(names, names_len, "names")?;
        let mut set = AlgorithmSet::EMPTY;
        for name in list.split(',').map(str::trim) {
            set = set.with(algorithm_named(name)?);
        }
        obj_mut(config, "config")?.algorithms = Some(set);
        Ok(())
    })
}

/// Use `store` for replay protection (shared: the configuration keeps a
/// reference). Without one, each verifier has its own in-memory store.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_config_set_replay_store(
    config: *mut jwtauth_verifier_config,
    store: *const jwtauth_replay_store,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let store = obj(store, "store")?.inner.clone();
        obj_mut(config, "config")?.replay = Some(store);
        Ok(())
    })
}

/// Read the time from `clock` instead of the system clock.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_config_set_clock(
    config: *mut jwtauth_verifier_config,
    clock: *const jwtauth_clock,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let clock: Arc<dyn Clock> = obj(clock, "clock")?.inner.clone();
        obj_mut(config, "config")?.clock = Some(clock);
        Ok(())
    })
}

/// Use `remote` (a shared cache) for clients registered with a `jwks_uri`;
/// NULL disables remote key sets (such clients then fail with
/// `JWTAUTH_JWKS_UNAVAILABLE`).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_config_set_remote_jwks(
    config: *mut jwtauth_verifier_config,
    remote: *const jwtauth_remote_jwks,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let remote = if remote.is_null() { None } else { Some(obj(remote, "remote")?.inner.clone()) };
        obj_mut(config, "config")?.remote = Some(remote);
        Ok(())
    })
}

/// Free a configuration. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_config_free(config: *mut jwtauth_verifier_config) {
    infallible((), || free(config));
}

/// A verifier with `config` (copied; checked: e.g. an issuer that is not a
/// URL gives `JWTAUTH_INVALID_ARGUMENT`).
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_new(
    config: *const jwtauth_verifier_config,
    out: *mut *mut jwtauth_verifier,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let inner = obj(config, "config")?.build()?;
        out.write(to_c(jwtauth_verifier { inner }));
        Ok(())
    })
}

/// Verify `assertion` (the `client_assertion` value), finding the client
/// from its iss/sub in `registry`. `client_id` (may be NULL) is the
/// request's `client_id` parameter, which must then agree. Every rule of
/// the verification pipeline applies, the replay check last.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_verify(
    verifier: *const jwtauth_verifier,
    registry: *const jwtauth_registry,
    assertion: *const c_char,
    assertion_len: usize,
    client_id: *const c_char,
    client_id_len: usize,
    out: *mut *mut jwtauth_verified,
    err: *mut *mut jwtauth_error,
) -> jwtauth_status {
    call(err, || {
        let out = Out::new(out, "out")?;
        let (v, reg) = (obj(verifier, "verifier")?, obj(registry, "registry")?);
        // Request content: any bytes, refused by the rule they break (only
        // ASCII passes the core's first rules, and nothing happens before).
        let assertion = bytes(assertion.cast(), assertion_len, "assertion")?;
        let client_id = opt_text(client_id, client_id_len, "client_id")?;
        out.write(jwtauth_verified::verify_into_c(&v.inner, assertion, client_id, &*reg.inner)?);
        Ok(())
    })
}

/// Free a verifier. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verifier_free(verifier: *mut jwtauth_verifier) {
    infallible((), || free(verifier));
}

fn field(v: *const jwtauth_verified, f: impl FnOnce(&jwtauth_verified) -> *const c_char) -> *const c_char {
    infallible(std::ptr::null(), || obj(v, "verified").map_or(std::ptr::null(), f))
}

/// The authenticated client id. Borrowed from `v`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verified_client_id(v: *const jwtauth_verified) -> *const c_char {
    field(v, |v| v.client_id.as_ptr())
}

/// The assertion's jti. Borrowed from `v`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verified_jti(v: *const jwtauth_verified) -> *const c_char {
    field(v, |v| v.jti.get_or_init(|| c_string(v.inner.claims.jti().unwrap_or_default())).as_ptr())
}

/// The verified claims as a JSON object. Borrowed from `v`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verified_claims_json(v: *const jwtauth_verified) -> *const c_char {
    field(v, |v| v.claims_json.get_or_init(|| c_string(&v.inner.claims.to_json().to_string())).as_ptr())
}

/// The RFC 7638 thumbprint of the key that verified the signature (for
/// logs and audit). Borrowed from `v`.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verified_key_thumbprint(v: *const jwtauth_verified) -> *const c_char {
    field(v, |v| v.key_thumbprint.get_or_init(|| c_string(&v.inner.key_thumbprint)).as_ptr())
}

/// The algorithm of the assertion ("RS256", …); static.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verified_alg(v: *const jwtauth_verified) -> *const c_char {
    field(v, |v| alg_name(v.inner.header.alg))
}

/// Until when (Unix seconds) the jti is remembered by the replay store.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verified_replay_until(v: *const jwtauth_verified) -> i64 {
    infallible(0, || obj(v, "verified").map_or(0, |v| v.inner.replay_until))
}

/// What the verifier's report-only profile would have refused in this
/// assertion: the status it would have refused with, or `JWTAUTH_OK` for
/// nothing; `*profile` (when `profile` is not NULL) gets the profile's name
/// (static) or NULL.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verified_would_refuse(
    v: *const jwtauth_verified,
    profile: *mut *const c_char,
) -> jwtauth_status {
    infallible(jwtauth_status::JWTAUTH_OK, || {
        would_refuse(obj(v, "verified").ok().and_then(|v| v.inner.would_refuse.as_ref()), profile)
    })
}

/// Free a result. NULL is a no-op.
#[unsafe(no_mangle)]
pub extern "C" fn jwtauth_verified_free(v: *mut jwtauth_verified) {
    infallible((), || jwtauth_verified::free(v));
}
