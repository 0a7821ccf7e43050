//! The server side: `Client`, `Registry`, `Verifier`, `Authenticator` and
//! their results. Make verifiers, registries and authenticators once and
//! share them; the async calls verify on worker threads.

use std::sync::Arc;

use jwtauth::{AudienceMode, Clock, MemoryRegistry};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::callbacks::{self, JsEventHook, JsPolicyHook, JsRegistry, JsReplayStore};
use crate::convert::{Bytes, Json, bytes, json_text, text};
use crate::errors::{IntoJs, auth_to_js, to_js, usage};
use crate::fast;
use crate::keys::algorithm;
use crate::policy::{CredentialPolicy, now_or_system};
use crate::pool;
use crate::stores::{FixedClock, MemoryReplayStore, RedisReplayStore, RemoteJwks};

/// One registered client, its keys parsed once.
#[napi]
pub struct Client {
    pub(crate) inner: Arc<jwtauth::Client>,
}

/// Options for checking registration metadata.
#[napi(object)]
#[derive(Default)]
pub struct RegisterOptions {
    /// The policy (default: the default policy).
    pub policy: Option<Reference<CredentialPolicy>>,
    /// The time to check at (Unix seconds; default: now).
    pub now: Option<i64>,
}

impl std::fmt::Debug for RegisterOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RegisterOptions")
    }
}

fn with_policy<R>(o: Option<RegisterOptions>, f: impl FnOnce(&jwtauth::CredentialPolicy, i64) -> R) -> R {
    let o = o.unwrap_or_default();
    let now = now_or_system(o.now);
    match &o.policy {
        Some(p) => f(&p.inner, now),
        None => f(&jwtauth::CredentialPolicy::default(), now),
    }
}

#[napi]
impl Client {
    /// A client from its registration metadata (JSON text or object; RFC
    /// 7591 names, docs/registry.md), checked against the policy. Throws a
    /// `JwtAuthError` listing every problem.
    #[napi(factory)]
    pub fn from_metadata(
        env: Env,
        #[napi(ts_arg_type = "string | ClientMetadata")] metadata: Json<'_>,
        options: Option<RegisterOptions>,
    ) -> Result<Self> {
        let text = json_text(&env, metadata)?;
        let c = with_policy(options, |p, now| p.check_client_json(&text, now)).js(&env)?;
        Ok(Self { inner: Arc::new(c) })
    }

    /// The client id.
    #[napi(getter)]
    pub fn client_id(&self) -> String {
        self.inner.client_id().to_owned()
    }

    /// The registered token_endpoint_auth_method.
    #[napi(getter, ts_return_type = "AuthMethod")]
    pub fn method(&self) -> &'static str {
        self.inner.method().as_str()
    }
}

/// Where clients are found: in memory, or the host's lookup callback.
#[napi]
pub struct Registry {
    pub(crate) inner: Arc<dyn jwtauth::Registry>,
    memory: Option<Arc<MemoryRegistry>>,
}

impl Registry {
    fn memory(&self, env: &Env) -> Result<&MemoryRegistry> {
        self.memory
            .as_deref()
            .ok_or_else(|| usage(env, "a callback registry is changed in the host's own store"))
    }
}

#[napi]
impl Registry {
    /// An empty in-memory registry.
    #[napi(constructor)]
    #[must_use]
    pub fn new() -> Self {
        let m = Arc::new(MemoryRegistry::new());
        Self { inner: m.clone(), memory: Some(m) }
    }

    /// An in-memory registry from a registry document (`{ clients: [...] }`,
    /// JSON text or object), every client checked against the policy; all
    /// or nothing (the error lists every problem).
    #[napi(factory)]
    pub fn from_json(
        env: Env,
        #[napi(ts_arg_type = "string | { clients: ClientMetadata[] }")] doc: Json<'_>,
        options: Option<RegisterOptions>,
    ) -> Result<Self> {
        let text = json_text(&env, doc)?;
        let m = with_policy(options, |p, now| MemoryRegistry::from_json(&text, p, now)).js(&env)?;
        let m = Arc::new(m);
        Ok(Self { inner: m.clone(), memory: Some(m) })
    }

    /// A registry backed by `lookup(clientId)`, which returns a `Client`,
    /// `null`/`undefined`, or a Promise of one. Sync calls need a lookup
    /// that answers synchronously. A lookup that throws, rejects or does
    /// not answer within 10 s refuses the request with
    /// REGISTRY_UNAVAILABLE (503).
    #[napi(factory, strict)]
    pub fn from_callback(
        env: Env,
        #[napi(
            ts_arg_type = "(clientId: string) => Client | null | undefined | Promise<Client | null | undefined>"
        )]
        lookup: Function<'_>,
    ) -> Result<Self> {
        Ok(Self { inner: Arc::new(JsRegistry::new(&env, &lookup)?), memory: None })
    }

    /// Register a client (a `Client`, or metadata checked against the
    /// policy); replaces one with the same id.
    #[napi]
    pub fn add(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Client | string | ClientMetadata")] client: Either<&Client, Json<'_>>,
        options: Option<RegisterOptions>,
    ) -> Result<()> {
        let m = self.memory(&env)?;
        match client {
            Either::A(c) => {
                m.insert((*c.inner).clone());
                Ok(())
            }
            Either::B(j) => {
                let text = json_text(&env, j)?;
                with_policy(options, |p, now| m.register_json(&text, p, now)).js(&env)
            }
        }
    }

    /// Remove a client; whether it was there.
    #[napi]
    pub fn remove(&self, env: Env, client_id: String) -> Result<bool> {
        Ok(self.memory(&env)?.remove(&client_id))
    }

    /// The registered client, or null.
    #[napi]
    pub fn get(&self, env: Env, client_id: String) -> Result<Option<Client>> {
        let found = callbacks::sync(&env, || self.inner.client(&client_id)).js(&env)?;
        Ok(found.map(|inner| Client { inner }))
    }

    /// How many clients (in-memory registries).
    #[napi(getter)]
    pub fn size(&self, env: Env) -> Result<u32> {
        Ok(u32::try_from(self.memory(&env)?.len()).unwrap_or(u32::MAX))
    }
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

/// Verifier settings.
#[napi(object)]
#[derive(Default)]
pub struct VerifierOptions {
    /// The token endpoint URL (accepted as audience).
    pub token_endpoint: Option<String>,
    /// More accepted audiences.
    pub audiences: Option<Vec<String>>,
    /// `compat` (default: issuer, token endpoint or an extra audience, as a
    /// string or one-element array) or `strict` (the issuer, as a string).
    #[napi(ts_type = "'compat' | 'strict'")]
    pub audience_mode: Option<String>,
    /// The profile enforced (docs/profiles.md): `compat` (default),
    /// `rfc7523bis` or `fapi2`; a client's own `profile` overrides it.
    #[napi(ts_type = "Profile")]
    pub profile: Option<String>,
    /// A profile evaluated beside the enforced one, refusing nothing:
    /// results carry `wouldRefuse`, and `report()` counts per client and code.
    #[napi(ts_type = "Profile")]
    pub report_profile: Option<String>,
    /// URLs of the other endpoints that receive client assertions, by RFC
    /// 8414 name (`introspection_endpoint`, `revocation_endpoint`, …): in
    /// `compat`, accepted audiences for a verifier made for that endpoint
    /// (`verifier.at(name)`).
    #[napi(ts_type = "Partial<Record<EndpointName, string>>")]
    pub endpoints: Option<std::collections::HashMap<String, String>>,
    /// Clock skew allowed, seconds (default 60).
    pub leeway: Option<i64>,
    /// Largest accepted age of an assertion, now − iat (or, without iat,
    /// exp − now), seconds (default 300).
    pub max_age: Option<i64>,
    /// Largest accepted lifetime, exp − iat (or, without iat, exp − now),
    /// seconds, inclusive (default 3600).
    pub max_lifetime: Option<i64>,
    /// Largest accepted assertion, bytes.
    pub max_assertion_len: Option<u32>,
    /// Accepted algorithms (default: all supported).
    #[napi(ts_type = "Alg[]")]
    pub algorithms: Option<Vec<String>>,
    /// The replay store (default: a fresh `MemoryReplayStore`), a
    /// `RedisReplayStore` (servers on many nodes), or an object with `checkAndInsert(clientId, jti, expiresAt, now)` returning
    /// a boolean (true: first use, now recorded) or a Promise of one.
    #[napi(ts_type = "MemoryReplayStore | RedisReplayStore | ReplayStoreCallback")]
    pub replay_store: Option<
        Either3<
            ClassInstance<'static, MemoryReplayStore>,
            ClassInstance<'static, RedisReplayStore>,
            Object<'static>,
        >,
    >,
    /// The host's policy, asked after every check and before the jti is
    /// recorded: `(context) => boolean | string | Promise<…>` with `context`
    /// `{ client_id, method, alg, kid, typ, claims }`; true accepts, false or
    /// a reason refuses (`JWTAUTH_POLICY_REFUSED`, 401); a throw, a late or
    /// any other answer fails closed (`JWTAUTH_HOOK_FAILED`, 503).
    #[napi(ts_type = "(context: HookContext) => boolean | string | Promise<boolean | string>")]
    pub policy_hook: Option<Function<'static>>,
    /// Told every outcome of this verifier and the authenticators over it:
    /// `(event) => void` with `event` `{ outcome, endpoint, client_id,
    /// method, alg, profile, code, status, error, detail, would_refuse,
    /// duration_us }` (never a secret or an assertion). In a sync call it
    /// runs before the call returns; after an async call, on the event loop
    /// soon after. What it returns is ignored; a throw or a rejection is
    /// reported once per hook with `process.emitWarning`: it changes no
    /// outcome.
    #[napi(ts_type = "(event: AuthEvent) => void")]
    pub event_hook: Option<Function<'static>>,
    /// A clock for tests.
    pub clock: Option<Reference<FixedClock>>,
    /// The remote JWKS cache for `jwks_uri` clients, or `false` to refuse
    /// them (default: a cache with default settings).
    pub remote_jwks: Option<Either<ClassInstance<'static, RemoteJwks>, bool>>,
}

impl std::fmt::Debug for VerifierOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerifierOptions")
    }
}

/// Verifies client assertions; make one per server and share it.
#[napi]
pub struct Verifier {
    pub(crate) inner: Arc<jwtauth::Verifier>,
}

/// Options of a verify call.
#[napi(object)]
#[derive(Debug, Default)]
pub struct VerifyOptions {
    /// The request's client_id parameter, if any (it must agree with
    /// iss/sub).
    pub client_id: Option<String>,
}

#[napi]
impl Verifier {
    /// A verifier for the server whose issuer identifier is `issuer`.
    #[napi(constructor)]
    pub fn new(env: Env, issuer: String, options: Option<VerifierOptions>) -> Result<Self> {
        let o = options.unwrap_or_default();
        let mut b = jwtauth::Verifier::builder(&issuer);
        if let Some(t) = &o.token_endpoint {
            b = b.token_endpoint(t);
        }
        for a in o.audiences.into_iter().flatten() {
            b = b.extra_audience(a);
        }
        if let Some(m) = &o.audience_mode {
            b = b.audience_mode(
                AudienceMode::from_name(m)
                    .ok_or_else(|| usage(&env, "audienceMode must be strict or compat"))?,
            );
        }
        let named = |name: &str| jwtauth::Profile::named(name).map_err(|e| to_js(&env, &e));
        if let Some(p) = &o.profile {
            b = b.profile(named(p)?);
        }
        if let Some(p) = &o.report_profile {
            b = b.report_profile(named(p)?);
        }
        for (name, url) in o.endpoints.iter().flatten() {
            b = b.endpoint(endpoint(&env, name)?, url.as_str());
        }
        if let Some(l) = o.leeway {
            b = b.leeway(l);
        }
        if let Some(m) = o.max_age {
            b = b.max_age(m);
        }
        if let Some(m) = o.max_lifetime {
            b = b.max_lifetime(m);
        }
        if let Some(m) = o.max_assertion_len {
            b = b.max_assertion_len(m as usize);
        }
        if let Some(list) = &o.algorithms {
            let mut set = jwtauth::AlgorithmSet::EMPTY;
            for a in list {
                set = set.with(algorithm(&env, a)?);
            }
            b = b.allowed_algorithms(set);
        }
        match &o.replay_store {
            Some(Either3::A(m)) => b = b.replay_store(m.inner.clone()),
            Some(Either3::B(r)) => b = b.replay_store(r.inner.clone()),
            Some(Either3::C(obj)) => {
                let check: Function<'_> = obj.get_named_property("checkAndInsert").map_err(|_| {
                    usage(&env, "replayStore must be a MemoryReplayStore or have checkAndInsert()")
                })?;
                let check = check.bind(*obj)?;
                b = b.replay_store(Arc::new(JsReplayStore::new(&env, &check)?));
            }
            None => {}
        }
        if let Some(h) = &o.policy_hook {
            b = b.policy_hook(Arc::new(JsPolicyHook::new(&env, h)?));
        }
        if let Some(h) = &o.event_hook {
            b = b.event_hook(Arc::new(JsEventHook::new(&env, h)?));
        }
        if let Some(c) = &o.clock {
            b = b.clock(c.inner.clone() as Arc<dyn Clock>);
        }
        match &o.remote_jwks {
            Some(Either::A(r)) => b = b.remote_jwks(r.inner.clone()),
            Some(Either::B(false)) => b = b.without_remote_jwks(),
            Some(Either::B(true)) => return Err(usage(&env, "remoteJwks must be a RemoteJwks or false")),
            None => {}
        }
        Ok(Self { inner: Arc::new(b.build().js(&env)?) })
    }

    /// The issuer identifier.
    #[napi(getter)]
    pub fn issuer(&self) -> String {
        self.inner.issuer().to_owned()
    }

    /// Why this verifier accepts or refuses `assertion`, rule by rule:
    /// `verdict` (`accepted` or `refused`), `client_id` or `error` and
    /// `detail`, and `steps` (`rule`, `name`, `checks`, `status`: `pass` /
    /// `fail` / `not_reached`, `detail`, `fix`). The verifier's own pipeline,
    /// recording nothing: the verdict is what `verifySync` would answer now,
    /// and the assertion stays unused. Runs on this thread.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn explain(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | Uint8Array")] assertion: Bytes,
        registry: ClassInstance<'_, Registry>,
        options: Option<VerifyOptions>,
    ) -> serde_json::Value {
        let client_id = options.and_then(|o| o.client_id);
        let e = callbacks::sync(&env, || {
            self.inner.explain(bytes(&assertion), client_id.as_deref(), &*registry.inner)
        });
        e.to_json()
    }

    /// The effective settings, defaults included, with the core's member
    /// names (times in seconds; the remote key set's `timeout_ms` in
    /// milliseconds; `remote_jwks` is null when remote key sets are off).
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn settings(&self) -> serde_json::Value {
        self.inner.settings()
    }

    /// This verifier for assertions that `endpoint` received (an RFC 8414
    /// name): the URL given for it in `endpoints` is an accepted audience too
    /// (`compat`); the replay store, clock and key-set cache are shared.
    /// Make one per endpoint at start-up.
    #[napi]
    pub fn at(&self, env: Env, #[napi(ts_arg_type = "EndpointName")] endpoint_name: String) -> Result<Self> {
        Ok(Self { inner: Arc::new(self.inner.at(endpoint(&env, &endpoint_name)?)) })
    }

    /// The outcome counters: `{ accepted: { method: n }, refused: {
    /// JWTAUTH_…: n } }`, counted once per call by this verifier and every
    /// authenticator over it; explanations count nothing.
    #[napi(ts_return_type = "{ accepted: Record<AuthMethod, number>; refused: Record<string, number> }")]
    pub fn metrics(&self) -> serde_json::Value {
        self.inner.metrics().to_json()
    }

    /// What the report-only profile would have refused so far: `profile`
    /// (or null), `counts` (`client_id`, `code`, `count`), `dropped`.
    #[napi(
        ts_return_type = "{ profile: Profile | null; counts: { client_id: string; code: string; count: number }[]; dropped: number }"
    )]
    pub fn report(&self) -> serde_json::Value {
        self.inner.report().to_json()
    }

    /// Verify a JWT bearer grant assertion (RFC 7523 §2.1) against
    /// `trustTable`, on this thread: the client assertion's rules, the
    /// issuer trusted before any key is fetched, its keys only, the subject
    /// allowed, the jti recorded under the issuer. Throws a `JwtAuthError`
    /// naming the rule that failed (`JWTAUTH_UNTRUSTED_ISSUER`, …).
    #[napi(
        ts_return_type = "{ issuer: string; subject: string; jti: string | null; claims: Record<string, unknown> }"
    )]
    pub fn verify_grant_sync(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | Uint8Array")] assertion: Bytes,
        trust_table: &TrustTable,
    ) -> Result<serde_json::Value> {
        let g = callbacks::sync(&env, || self.inner.verify_grant(bytes(&assertion), &trust_table.inner))
            .js(&env)?;
        Ok(grant_json(&g))
    }

    /// As `verifyGrantSync`, on a worker thread.
    #[napi(
        ts_return_type = "Promise<{ issuer: string; subject: string; jti: string | null; claims: Record<string, unknown> }>"
    )]
    pub fn verify_grant<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string | Uint8Array")] assertion: Bytes,
        trust_table: &TrustTable,
    ) -> Result<Object<'env>> {
        let assertion = bytes(&assertion).to_vec();
        let (v, t) = (self.inner.clone(), trust_table.inner.clone());
        pool::spawn(
            env,
            move || v.verify_grant(&assertion, &t),
            |env, r| r.map(|g| grant_json(&g).to_string()).map_err(|e| to_js(env, &e)),
        )
    }

    /// Why `verifyGrantSync` would accept or refuse `assertion` now, step by
    /// step: `verdict`, `issuer`, `subject`, or `error`, `detail` and the
    /// `response` to send; `steps`. Records nothing. Runs on this thread.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn explain_grant(
        &self,
        env: Env,
        #[napi(ts_arg_type = "string | Uint8Array")] assertion: Bytes,
        trust_table: &TrustTable,
    ) -> serde_json::Value {
        callbacks::sync(&env, || self.inner.explain_grant(bytes(&assertion), &trust_table.inner)).to_json()
    }
}

/// A verified grant as JavaScript sees it.
fn grant_json(g: &jwtauth::Grant) -> serde_json::Value {
    serde_json::json!({ "issuer": g.issuer, "subject": g.subject, "jti": g.claims.jti(),
                        "claims": g.claims.to_json() })
}

/// A grant request's result for `index.js`: the grant, and the client
/// packed as `pack_authenticated` packs it (or null).
fn pack_grant_request(r: &jwtauth::GrantRequest) -> String {
    serde_json::json!({ "grant": grant_json(&r.grant), "client": r.client.as_ref().map(pack_authenticated) })
        .to_string()
}

/// How a trust table is loaded.
#[napi(object)]
#[derive(Default)]
pub struct TrustTableOptions {
    /// The policy the issuers' keys are checked against (default: the default policy).
    pub policy: Option<Reference<CredentialPolicy>>,
    /// The time to check at (Unix seconds; default: now).
    pub now: Option<i64>,
    /// For issuers whose `subjects` is `"host"`: whether `issuer` may
    /// assert `subject` — `true` or `false`, directly or as a Promise (in
    /// async calls). A throw, a rejection, another answer or no answer
    /// within 10 s fails closed (`JWTAUTH_HOOK_FAILED`, 503).
    #[napi(ts_type = "(context: { issuer: string; subject: string }) => boolean | Promise<boolean>")]
    pub subject_hook: Option<Function<'static>>,
}

/// The issuers whose JWTs are accepted as authorization grants
/// (docs/grants.md).
#[napi]
pub struct TrustTable {
    inner: Arc<jwtauth::TrustTable>,
}

#[napi]
impl TrustTable {
    /// A trust table from its document (`{ issuers: [...] }`, JSON text or
    /// object), every issuer's keys checked against the policy; all or
    /// nothing (the error lists every problem with its JSON Pointer).
    #[napi(factory)]
    pub fn from_json(
        env: Env,
        #[napi(
            ts_arg_type = "string | { issuers: Record<string, unknown>[]; client_authentication?: 'required' | 'optional' }"
        )]
        doc: Json<'_>,
        options: Option<TrustTableOptions>,
    ) -> Result<Self> {
        let text = json_text(&env, doc)?;
        let o = options.unwrap_or_default();
        let policy = RegisterOptions { policy: o.policy, now: o.now };
        let mut t =
            with_policy(Some(policy), |p, now| jwtauth::TrustTable::from_json(&text, p, now)).js(&env)?;
        if let Some(h) = &o.subject_hook {
            t = t.with_subject_hook(Arc::new(callbacks::JsSubjectHook::new(&env, h)?));
        }
        Ok(Self { inner: Arc::new(t) })
    }

    /// How many issuers it trusts.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }
}

/// An endpoint by its RFC 8414 name.
fn endpoint(env: &Env, name: &str) -> Result<jwtauth::Endpoint> {
    jwtauth::Endpoint::named(name).map_err(|e| to_js(env, &e))
}

/// A report-only refusal for `results.js`: "" for none, else a JSON object
/// (`profile`, `code` as `JwtAuthError.code`, `detail`), which never holds a raw NUL.
fn pack_would_refuse(w: Option<&jwtauth::WouldRefuse>) -> String {
    w.map_or_else(String::new, |w| w.to_json().to_string())
}

// The hot calls are free functions taking the objects as plain values,
// checked by class type tag (`fast::class_ref`): a `&self` receiver costs
// Node-API ≈ 0.9 µs per call in napi-rs's borrow tracking, a `ClassInstance`
// argument ≈ 0.4 µs. `index.js` installs them as `Verifier.prototype.verifySync`
// etc.; `types-header.d.ts` declares them.

/// `Verifier.prototype.verifySync`: verify `assertion` (the
/// client_assertion value) on this thread, finding the client from its
/// iss/sub in `registry`. Throws a `JwtAuthError` when refused.
#[napi(js_name = "_verifySync", skip_typescript)]
pub fn verify_sync(
    env: Env,
    verifier: Unknown<'_>,
    assertion: Unknown<'_>,
    registry: Unknown<'_>,
    options: Option<VerifyOptions>,
) -> Result<String> {
    let verifier = fast::class_ref::<Verifier>(&env, &verifier, "this")?;
    let registry = fast::class_ref::<Registry>(&env, &registry, "registry")?;
    let client_id = options.and_then(|o| o.client_id);
    fast::with_bytes(&env, &assertion, "assertion", |assertion| {
        // A Buffer is not checked as UTF-8 up front (only ASCII passes the
        // core's first rules); the core reports a failing one that is not
        // UTF-8 as the argument error it always was.
        let r = callbacks::sync(&env, || {
            verifier.inner.verify_bytes_in(assertion, client_id.as_deref(), &*registry.inner)
        });
        Ok(pack_verified(&r.js(&env)?))
    })
}

/// `Verifier.prototype.verify`: as `verifySync`, on a worker thread.
#[napi(js_name = "_verify", skip_typescript)]
pub fn verify<'env>(
    env: &'env Env,
    verifier: ClassInstance<'_, Verifier>,
    assertion: Bytes,
    registry: ClassInstance<'_, Registry>,
    options: Option<VerifyOptions>,
) -> Result<Object<'env>> {
    let assertion = text(env, &assertion, "assertion")?.to_owned();
    let client_id = options.and_then(|o| o.client_id);
    let (v, reg) = (verifier.inner.clone(), registry.inner.clone());
    pool::spawn(
        env,
        move || v.verify_in(&assertion, client_id.as_deref(), &*reg),
        |env, r| r.map(|v| pack_verified(&v)).map_err(|e| to_js(env, &e)),
    )
}

/// A verified assertion for `index.js` (which makes the `VerifiedAssertion`
/// object): the JSON array `[clientId, jti, alg, keyId, keyThumbprint,
/// replayUntil]`. One short string crosses the boundary instead of an object
/// built property by property, which costs Node-API several microseconds;
/// the claims are the assertion's verified payload, which `index.js` decodes
/// only when they are read.
pub(crate) fn pack_verified(v: &jwtauth::VerifiedAssertion) -> String {
    let jti = v.claims.jti().unwrap_or_default();
    let kid = v.key_id.as_deref();
    let until = v.replay_until.to_string();
    let would = pack_would_refuse(v.would_refuse.as_ref());
    let fields = [
        v.client_id.as_str(),
        jti,
        v.header.alg.name(),
        kid.unwrap_or_default(),
        &v.key_thumbprint,
        &until,
        &would,
        if kid.is_some() { "1" } else { "0" },
    ];
    // NUL-separated after a leading NUL (a split is cheaper than a JSON.parse
    // in JavaScript); a JSON array of the same fields when a text contains NUL.
    if fields.iter().any(|f| f.bytes().any(|b| b == 0)) {
        let mut all = vec![""];
        all.extend(fields);
        return serde_json::to_string(&all).unwrap_or_default();
    }
    let mut out = String::with_capacity(fields.iter().map(|f| f.len() + 1).sum());
    for f in fields {
        out.push('\0');
        out.push_str(f);
    }
    out
}

/// An authentication result for `index.js` (the `Authenticated` object):
/// `[clientId, method, jti, wouldRefuse]`, a newline, the claims as JSON
/// (empty for the password methods).
fn pack_authenticated(r: &jwtauth::Authenticated) -> String {
    let a = r.assertion.as_ref();
    let would = r.would_refuse.as_ref().map(jwtauth::WouldRefuse::to_json);
    let head = (
        r.client.client_id(),
        r.method.as_str(),
        a.and_then(|a| a.claims.jti()),
        would,
        r.certificate_thumbprint.as_deref(),
    );
    let head = serde_json::to_string(&head).unwrap_or_default();
    match a {
        Some(a) => format!("{head}\n{}", a.claims.to_json()),
        None => format!("{head}\n"),
    }
}

/// Authenticator settings.
#[napi(object)]
#[derive(Default)]
pub struct AuthenticatorOptions {
    /// The realm in WWW-Authenticate (default: the issuer).
    pub realm: Option<String>,
    /// The CAs (PEM) that `tls_client_auth` certificates must chain to when
    /// the TLS layer did not verify them (`certificateVerified`).
    pub client_ca: Option<String>,
    /// The issuers whose JWT bearer grants `authenticateGrant` accepts.
    pub trust: Option<Reference<TrustTable>>,
}

/// Authenticates token requests for every token_endpoint_auth_method.
#[napi]
pub struct Authenticator {
    inner: Arc<jwtauth::Authenticator>,
}

/// A request's client certificate: format, bytes, verified by the TLS layer.
type Cert = Option<(jwtauth::CertificateFormat, Vec<u8>, bool)>;

fn presented(cert: &Cert) -> Option<jwtauth::PresentedCertificate<'_>> {
    cert.as_ref().map(|(format, bytes, verified_by_tls)| jwtauth::PresentedCertificate::Raw {
        format: *format,
        bytes,
        verified_by_tls: *verified_by_tls,
    })
}

/// A token request, decoded from JavaScript.
enum Form {
    Body(Vec<u8>),
    Pairs(Vec<(Vec<u8>, Vec<u8>)>),
}

/// The Authorization header's values as found (none, one, or each of a
/// repeated header), owned: an async call takes them to a worker. The core
/// decides what they mean (`Authorization::from_values`).
struct Header(Vec<Vec<u8>>);

impl Header {
    fn as_core(&self) -> jwtauth::Authorization<'_> {
        jwtauth::Authorization::from_values(self.0.iter().map(Vec::as_slice))
    }
}

/// Whether `value` is an instance of the global class `name` (false when
/// the global does not exist).
fn is_instance(env: &Env, value: &Object<'_>, name: &str) -> Result<bool> {
    let global = env.get_global()?;
    if !global.has_named_property(name)? {
        return Ok(false);
    }
    let class: Unknown<'_> = global.get_named_property(name)?;
    if class.get_type()? != ValueType::Function {
        return Ok(false);
    }
    value.instanceof(class)
}

/// A header or form value: `string | Buffer | Uint8Array` (or, for the
/// values of one name, an array of them), as bytes.
fn values_of(env: &Env, v: Unknown<'_>, what: &str) -> Result<Vec<Vec<u8>>> {
    let bad = || usage(env, format!("{what} must be a string, a Buffer or an array of them"));
    match v.get_type()? {
        ValueType::Undefined | ValueType::Null => Ok(Vec::new()),
        ValueType::Object if v.is_array()? => {
            // SAFETY: an array value of this call, converted by napi-rs's checks.
            let items =
                unsafe { Vec::<Unknown<'_>>::from_napi_value(env.raw(), v.raw()) }.map_err(|_| bad())?;
            items.into_iter().map(|i| one_value(env, i).ok_or_else(bad)).collect()
        }
        _ => Ok(vec![one_value(env, v).ok_or_else(bad)?]),
    }
}

fn one_value(env: &Env, v: Unknown<'_>) -> Option<Vec<u8>> {
    // SAFETY: a value of this call, converted by napi-rs's own checks.
    let b = unsafe { Bytes::from_napi_value(env.raw(), v.raw()) }.ok()?;
    Some(bytes(&b).to_vec())
}

/// The Authorization header from `headers`: a fetch `Headers` (its `get`),
/// or Node's `req.headers`-style object whose values are strings or arrays
/// of strings. What a member is called decides nothing else: a header named
/// `get` or `entries` is only a header.
fn authorization_from(env: &Env, headers: &Object<'_>) -> Result<Header> {
    if is_instance(env, headers, "Headers")? {
        let get: Function<'_, String, Option<String>> = headers.get_named_property("get")?;
        let v = get.bind(*headers)?.call("authorization".to_owned())?;
        return Ok(Header(v.map(String::into_bytes).into_iter().collect()));
    }
    let mut found = Vec::new();
    for k in Object::keys(headers)? {
        // Only the Authorization header's values are read (a conversion
        // shortcut; the core decides what they mean).
        if k.eq_ignore_ascii_case("authorization") {
            let v: Unknown<'_> = headers.get_named_property(&k)?;
            found.extend(values_of(env, v, "a header value")?);
        }
    }
    Ok(Header(found))
}

/// Decoded form pairs, by the form's type: an array of `[name, value]`
/// pairs; a `URLSearchParams` or `Map`; or a plain object whose values are
/// strings or arrays of strings. Member names never change how it is read.
fn pairs_from(env: &Env, form: Object<'_>) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let bad =
        || usage(env, "form must be an object, an array of [name, value] pairs, a URLSearchParams or a Map");
    let form = if !form.is_array()?
        && (is_instance(env, &form, "URLSearchParams")? || is_instance(env, &form, "Map")?)
    {
        let array_from: Function<'_, Object<'_>, Object<'_>> =
            env.get_global()?.get_named_property::<Function<'_>>("Array")?.get_named_property("from")?;
        array_from.call(form)?
    } else {
        form
    };
    let mut out = Vec::new();
    if form.is_array()? {
        for i in 0..form.get_array_length()? {
            let pair: Unknown<'_> = form.get_element(i).map_err(|_| bad())?;
            let pair = values_of(env, pair, "a form pair").map_err(|_| bad())?;
            match <[Vec<u8>; 2]>::try_from(pair) {
                Ok([k, v]) => out.push((k, v)),
                Err(_) => return Err(bad()),
            }
        }
        return Ok(out);
    }
    for k in Object::keys(&form)? {
        let v: Unknown<'_> = form.get_named_property(&k).map_err(|_| bad())?;
        for v in values_of(env, v, "a form value")? {
            out.push((k.clone().into_bytes(), v));
        }
    }
    Ok(out)
}

/// `{ authorization?, body? }` or `{ headers?, form? }`. Whatever the
/// request holds, a conversion failure is a `JwtAuthError` (usage), never
/// another exception.
fn request_from(env: &Env, req: &Object<'_>) -> Result<(Header, Form, Cert)> {
    let read = || -> Result<(Header, Form, Cert)> {
        let authorization: Unknown<'_> = req.get_named_property("authorization")?;
        let header = match authorization.get_type()? {
            ValueType::Undefined | ValueType::Null => match req.get::<Object<'_>>("headers")? {
                Some(h) => authorization_from(env, &h)?,
                None => Header(Vec::new()),
            },
            _ => Header(values_of(env, authorization, "authorization")?),
        };
        let body: Option<Bytes> = req.get("body")?;
        let form: Option<Object<'_>> = req.get("form")?;
        let form = match (body, form) {
            (Some(_), Some(_)) => return Err(usage(env, "give form or body, not both")),
            (Some(b), None) => Form::Body(bytes(&b).to_vec()),
            (None, Some(f)) => Form::Pairs(pairs_from(env, f)?),
            (None, None) => Form::Body(Vec::new()),
        };
        // `clientCertificate`: a Buffer (DER by default) or a string (PEM by
        // default); `certificateFormat`: der, pem, nginx or xfcc.
        let data: Option<Bytes> = req.get("clientCertificate")?;
        let format: Option<String> = req.get("certificateFormat")?;
        let verified: Option<bool> = req.get("certificateVerified")?;
        let cert = match (data, format) {
            (None, Some(_)) => return Err(usage(env, "certificateFormat without clientCertificate")),
            (None, None) => None,
            (Some(d), f) => {
                let default = if matches!(d, Either::A(_)) { "pem" } else { "der" };
                let format = jwtauth::CertificateFormat::named(f.as_deref().unwrap_or(default)).js(env)?;
                Some((format, bytes(&d).to_vec(), verified.unwrap_or(false)))
            }
        };
        Ok((header, form, cert))
    };
    read().map_err(|e| crate::errors::as_jwtauth_error(env, e, "the request"))
}

fn run(
    a: &jwtauth::Authenticator,
    header: &Header,
    form: Form,
    cert: &Cert,
) -> std::result::Result<jwtauth::Authenticated, jwtauth::AuthError> {
    match form {
        Form::Body(b) => a.authenticate_tls(header.as_core(), &b, presented(cert)),
        Form::Pairs(p) => a.authenticate_tls_pairs(header.as_core(), p, presented(cert)),
    }
}

#[napi]
impl Authenticator {
    /// An authenticator verifying with `verifier` against `registry`.
    #[napi(constructor)]
    pub fn new(
        env: Env,
        verifier: &Verifier,
        registry: &Registry,
        options: Option<AuthenticatorOptions>,
    ) -> Result<Self> {
        let o = options.unwrap_or_default();
        let mut a =
            jwtauth::Authenticator::with_shared_verifier(verifier.inner.clone(), registry.inner.clone());
        if let Some(r) = &o.realm {
            a = a.with_realm(r);
        }
        if let Some(pem) = &o.client_ca {
            a = a.with_client_ca(jwtauth::TrustAnchors::from_pem(pem.as_bytes()).js(&env)?);
        }
        if let Some(t) = &o.trust {
            a = a.with_trust((*t.inner).clone());
        }
        Ok(Self { inner: Arc::new(a) })
    }

    /// This authenticator for requests that `endpoint` (an RFC 8414 name)
    /// received: see `Verifier.at`.
    #[napi]
    pub fn at(&self, env: Env, #[napi(ts_arg_type = "EndpointName")] endpoint_name: String) -> Result<Self> {
        Ok(Self { inner: Arc::new(self.inner.at(endpoint(&env, &endpoint_name)?)) })
    }

    /// Why this authenticator accepts or refuses the token request (the same
    /// request object as `authenticateSync`), step by step: the request's own
    /// steps (form, mechanism, Basic decoding, client, secret), then for a
    /// client assertion the verifier's rules; `verdict`, `client_id` and
    /// `method`, or `error`, `detail` and the `response` a refusal gets. The
    /// same pipeline, recording nothing. Runs on this thread.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn explain(
        &self,
        env: Env,
        #[napi(ts_arg_type = "TokenRequest")] request: Object<'_>,
    ) -> Result<serde_json::Value> {
        let (header, form, cert) = request_from(&env, &request)?;
        let e = callbacks::sync(&env, || match form {
            Form::Body(b) => self.inner.explain_tls(header.as_core(), &b, presented(&cert)),
            Form::Pairs(p) => self.inner.explain_tls_pairs(header.as_core(), p, presented(&cert)),
        });
        Ok(e.to_json())
    }
}

/// `Authenticator.prototype.authenticateSync`: authenticate a token request
/// on this thread: the Authorization header (`authorization`, or found in
/// `headers`) and the form (`body`, the raw
/// application/x-www-form-urlencoded body, or `form`, the decoded
/// parameters). Throws a `JwtAuthError` whose `response()` is what to send.
#[napi(js_name = "_authenticateSync", skip_typescript)]
pub fn authenticate_sync(env: Env, authenticator: Unknown<'_>, request: Object<'_>) -> Result<String> {
    let authenticator = fast::class_ref::<Authenticator>(&env, &authenticator, "this")?;
    let (header, form, cert) = request_from(&env, &request)?;
    let r = callbacks::sync(&env, || run(&authenticator.inner, &header, form, &cert));
    r.map(|r| pack_authenticated(&r)).map_err(|e| auth_to_js(&env, &e))
}

/// `Authenticator.prototype.authenticate`: as `authenticateSync`, on a
/// worker thread.
#[napi(js_name = "_authenticate", skip_typescript)]
pub fn authenticate<'env>(
    env: &'env Env,
    authenticator: ClassInstance<'_, Authenticator>,
    request: Object<'_>,
) -> Result<Object<'env>> {
    let (header, form, cert) = request_from(env, &request)?;
    let a = authenticator.inner.clone();
    pool::spawn(
        env,
        move || run(&a, &header, form, &cert),
        |env, r| r.map(|r| pack_authenticated(&r)).map_err(|e| auth_to_js(env, &e)),
    )
}

fn run_grant(
    a: &jwtauth::Authenticator,
    header: &Header,
    form: Form,
    cert: &Cert,
) -> std::result::Result<jwtauth::GrantRequest, jwtauth::AuthError> {
    match form {
        Form::Body(b) => a.authenticate_grant(header.as_core(), &b, presented(cert)),
        Form::Pairs(p) => a.authenticate_grant_pairs(header.as_core(), p, presented(cert)),
    }
}

/// `Authenticator.prototype.authenticateGrantSync`: a JWT bearer grant
/// request (RFC 7523 §2.1), the same request object as `authenticateSync`:
/// its client authentication (any method; none only when the trust table
/// allows it), then the grant against the authenticator's trust table.
#[napi(js_name = "_authenticateGrantSync", skip_typescript)]
pub fn authenticate_grant_sync(env: Env, authenticator: Unknown<'_>, request: Object<'_>) -> Result<String> {
    let authenticator = fast::class_ref::<Authenticator>(&env, &authenticator, "this")?;
    let (header, form, cert) = request_from(&env, &request)?;
    let r = callbacks::sync(&env, || run_grant(&authenticator.inner, &header, form, &cert));
    r.map(|r| pack_grant_request(&r)).map_err(|e| auth_to_js(&env, &e))
}

/// `Authenticator.prototype.authenticateGrant`: as `authenticateGrantSync`,
/// on a worker thread.
#[napi(js_name = "_authenticateGrant", skip_typescript)]
pub fn authenticate_grant<'env>(
    env: &'env Env,
    authenticator: ClassInstance<'_, Authenticator>,
    request: Object<'_>,
) -> Result<Object<'env>> {
    let (header, form, cert) = request_from(env, &request)?;
    let a = authenticator.inner.clone();
    pool::spawn(
        env,
        move || run_grant(&a, &header, form, &cert),
        |env, r| r.map(|r| pack_grant_request(&r)).map_err(|e| auth_to_js(env, &e)),
    )
}
