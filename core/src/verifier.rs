//! The server side: verify a client assertion following docs/SECURITY.md in order.
//!
//! 1. size and structure, 2. header, 3. client identification,
//! 4. key selection, 5. signature, 6. claims, 7. audience, 8. replay.
//!
//! Nothing is recorded and no claim is trusted before the signature verifies.

use std::sync::Arc;
use std::time::Instant;

use crate::algorithm::{Algorithm, AlgorithmSet};
use crate::claims::{self, AudienceMode, Claims, TimeRules};
use crate::client::{AuthMethod, Client};
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorCode, Result};
use crate::events::{EventHook, Trace};
use crate::hook::{HookContext, PolicyHook};
use crate::jws::{self, Header};
use crate::keys::JwkSet;
use crate::metrics::{Metrics, MetricsSnapshot};
use crate::profile::{Endpoint, Profile, ReportCount, ReportCounters, WouldRefuse};
use crate::registry::{Registry, lookup_client};
use crate::remote::RemoteJwks;
use crate::replay::{MemoryReplayStore, ReplayCheck, ReplayStore};

#[cfg(feature = "remote-jwks")]
fn default_remote() -> Option<Arc<RemoteJwks>> {
    Some(Arc::new(RemoteJwks::new(crate::remote::RemoteJwksConfig::default())))
}

#[cfg(not(feature = "remote-jwks"))]
const fn default_remote() -> Option<Arc<RemoteJwks>> {
    None
}

/// Default size cap: 16 KiB (MSAL puts a certificate chain in the header).
pub const DEFAULT_MAX_ASSERTION_LEN: usize = 16 * 1024;
/// Default clock leeway in seconds.
pub const DEFAULT_LEEWAY: i64 = 60;
/// Default maximum age of an assertion in seconds.
pub const DEFAULT_MAX_AGE: i64 = 300;
/// Default maximum lifetime (`exp − iat`) of an assertion in seconds,
/// inclusive (Authlib sends `exp = iat + 3600`).
pub const DEFAULT_MAX_LIFETIME: i64 = 3600;

/// A verified client assertion.
#[derive(Debug, Clone)]
pub struct VerifiedAssertion {
    /// The authenticated client id.
    pub client_id: String,
    /// The validated header (shared: one client's assertions usually carry
    /// the same header, read once per thread).
    pub header: Arc<Header>,
    /// The verified claims.
    pub claims: Claims,
    /// RFC 7638 thumbprint (base64url) of the key that verified the signature.
    pub key_thumbprint: Arc<str>,
    /// The kid of that key, if it has one.
    pub key_id: Option<String>,
    /// Until when the jti is remembered (Unix seconds).
    pub replay_until: i64,
    /// What the report-only profile would have refused in this assertion.
    pub would_refuse: Option<WouldRefuse>,
}

/// Verifies client assertions. Configure once with [`Verifier::builder`],
/// share across threads (`Send + Sync`; wrap in an `Arc`), call per request.
#[derive(Debug)]
pub struct Verifier {
    issuer: String,
    pub(crate) endpoints: Vec<String>,
    /// URLs of the other endpoints ([`Endpoint`]), accepted by a view made
    /// for one of them with [`Verifier::at`].
    endpoint_urls: Vec<(Endpoint, String)>,
    pub(crate) audience_mode: AudienceMode,
    pub(crate) leeway: i64,
    pub(crate) max_age: i64,
    pub(crate) max_lifetime: i64,
    pub(crate) max_len: usize,
    pub(crate) allowed: AlgorithmSet,
    pub(crate) profile: Profile,
    pub(crate) report: Option<Profile>,
    report_counts: Arc<ReportCounters>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) hook: Option<Arc<dyn PolicyHook>>,
    events: Option<Arc<dyn EventHook>>,
    /// The endpoint this verifier answers for ([`Verifier::at`]).
    endpoint: Endpoint,
    replay: Arc<dyn ReplayStore>,
    clock: Arc<dyn Clock>,
    remote: Option<Arc<RemoteJwks>>,
}

/// Builder for [`Verifier`].
#[derive(Debug)]
pub struct VerifierBuilder {
    issuer: String,
    endpoints: Vec<String>,
    endpoint_urls: Vec<(Endpoint, String)>,
    audience_mode: AudienceMode,
    leeway: i64,
    max_age: i64,
    max_lifetime: i64,
    max_len: usize,
    allowed: AlgorithmSet,
    profile: Profile,
    report: Option<Profile>,
    hook: Option<Arc<dyn PolicyHook>>,
    events: Option<Arc<dyn EventHook>>,
    replay: Option<Arc<dyn ReplayStore>>,
    clock: Option<Arc<dyn Clock>>,
    remote: Option<Option<Arc<RemoteJwks>>>,
}

impl VerifierBuilder {
    /// The token endpoint URL, accepted as audience in `compat` mode.
    #[must_use]
    pub fn token_endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoints.insert(0, url.into());
        self
    }

    /// The URL of another endpoint that receives client assertions
    /// (introspection, revocation, PAR, CIBA, device authorization): in
    /// `compat`, an accepted audience for a verifier or authenticator made for
    /// that endpoint ([`Verifier::at`], [`crate::Authenticator::at`]), not for
    /// the others. `Endpoint::Token` is the same as [`Self::token_endpoint`].
    #[must_use]
    pub fn endpoint(mut self, endpoint: Endpoint, url: impl Into<String>) -> Self {
        if endpoint == Endpoint::Token {
            return self.token_endpoint(url);
        }
        self.endpoint_urls.retain(|(e, _)| *e != endpoint);
        self.endpoint_urls.push((endpoint, url.into()));
        self
    }

    /// Another endpoint URL accepted as audience in `compat` mode (e.g. PAR).
    #[must_use]
    pub fn extra_audience(mut self, url: impl Into<String>) -> Self {
        self.endpoints.push(url.into());
        self
    }

    /// The default audience mode (clients may override it).
    #[must_use]
    pub const fn audience_mode(mut self, mode: AudienceMode) -> Self {
        self.audience_mode = mode;
        self
    }

    /// Clock leeway in seconds (default 60).
    #[must_use]
    pub const fn leeway(mut self, secs: i64) -> Self {
        self.leeway = secs;
        self
    }

    /// Maximum assertion age in seconds (default 300).
    #[must_use]
    pub const fn max_age(mut self, secs: i64) -> Self {
        self.max_age = secs;
        self
    }

    /// Maximum assertion lifetime, `exp − iat` (or `exp − now` without
    /// `iat`), in seconds, inclusive (default 3600). Independent of
    /// `max_age`, which bounds how long after `iat` an assertion is used.
    #[must_use]
    pub const fn max_lifetime(mut self, secs: i64) -> Self {
        self.max_lifetime = secs;
        self
    }

    /// Maximum assertion size in bytes (default 16 KiB).
    #[must_use]
    pub const fn max_assertion_len(mut self, bytes: usize) -> Self {
        self.max_len = bytes;
        self
    }

    /// Restrict the algorithms accepted from any client (default: all).
    #[must_use]
    pub const fn allowed_algorithms(mut self, algs: AlgorithmSet) -> Self {
        self.allowed = algs;
        self
    }

    /// The profile enforced (default [`Profile::Compat`]; a client's own
    /// `profile` in the registry overrides it): docs/profiles.md.
    #[must_use]
    pub const fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// A profile evaluated beside the enforced one, refusing nothing: each
    /// accepted assertion or request it would refuse carries a
    /// [`WouldRefuse`], and [`Verifier::report`] counts them per client and code.
    #[must_use]
    pub const fn report_profile(mut self, profile: Profile) -> Self {
        self.report = Some(profile);
        self
    }

    /// The host's policy hook, asked once an assertion (or a request, in
    /// the authenticator) has passed every check and before its `jti` is
    /// recorded: it may refuse (`POLICY_REFUSED`, 401) or fail
    /// (`HOOK_FAILED`, 503); a refused assertion leaves no `jti` behind.
    #[must_use]
    pub fn policy_hook(mut self, hook: Arc<dyn PolicyHook>) -> Self {
        self.hook = Some(hook);
        self
    }

    /// The host's event hook, told every outcome of this verifier and of
    /// the authenticators and endpoint views over it ([`crate::Event`]):
    /// once per call, on the calling thread, after the outcome is final;
    /// nothing it does changes the outcome. Explanations tell it nothing.
    #[must_use]
    pub fn event_hook(mut self, hook: Arc<dyn EventHook>) -> Self {
        self.events = Some(hook);
        self
    }

    /// The replay store (default: a [`MemoryReplayStore`]).
    #[must_use]
    pub fn replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.replay = Some(store);
        self
    }

    /// The clock (default: [`SystemClock`]).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The cache that fetches `jwks_uri` key sets (default with the
    /// `remote-jwks` feature: [`RemoteJwks::new`] with default settings;
    /// without it: none). Share one cache between verifiers of one server.
    #[must_use]
    pub fn remote_jwks(mut self, remote: Arc<RemoteJwks>) -> Self {
        self.remote = Some(Some(remote));
        self
    }

    /// Never fetch `jwks_uri` key sets: clients registered with one fail
    /// with `JWKS_UNAVAILABLE`.
    #[must_use]
    pub fn without_remote_jwks(mut self) -> Self {
        self.remote = Some(None);
        self
    }

    /// Check the configuration and build.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for an empty issuer, negative times, a zero size cap
    /// or an empty algorithm list.
    pub fn build(self) -> Result<Verifier> {
        let bad = |d: &'static str| Err(Error::new(ErrorCode::InvalidArgument, d));
        if self.issuer.is_empty() {
            return bad("issuer must not be empty");
        }
        if self.endpoints.iter().chain(self.endpoint_urls.iter().map(|(_, u)| u)).any(String::is_empty) {
            return bad("audience URLs must not be empty");
        }
        if !(0..=3600).contains(&self.leeway) {
            return bad("leeway must be between 0 and 3600 seconds");
        }
        if !(1..=86_400).contains(&self.max_age) {
            return bad("max_age must be between 1 and 86400 seconds");
        }
        if !(1..=86_400).contains(&self.max_lifetime) {
            return bad("max_lifetime must be between 1 and 86400 seconds");
        }
        if self.max_len < 64 {
            return bad("max_assertion_len must be at least 64 bytes");
        }
        if self.allowed.is_empty() {
            return bad("the algorithm allow-list is empty");
        }
        Ok(Verifier {
            issuer: self.issuer,
            endpoints: self.endpoints,
            endpoint_urls: self.endpoint_urls,
            audience_mode: self.audience_mode,
            leeway: self.leeway,
            max_age: self.max_age,
            max_lifetime: self.max_lifetime,
            max_len: self.max_len,
            allowed: self.allowed,
            profile: self.profile,
            report: self.report,
            report_counts: Arc::default(),
            metrics: Arc::default(),
            hook: self.hook,
            events: self.events,
            endpoint: Endpoint::Token,
            replay: self.replay.unwrap_or_else(|| Arc::new(MemoryReplayStore::default())),
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            remote: self.remote.unwrap_or_else(default_remote),
        })
    }
}

impl Verifier {
    /// Start configuring a verifier for the authorization server `issuer`
    /// (its issuer identifier, RFC 8414).
    #[must_use]
    pub fn builder(issuer: impl Into<String>) -> VerifierBuilder {
        VerifierBuilder {
            issuer: issuer.into(),
            endpoints: Vec::new(),
            endpoint_urls: Vec::new(),
            audience_mode: AudienceMode::Compat,
            leeway: DEFAULT_LEEWAY,
            max_age: DEFAULT_MAX_AGE,
            max_lifetime: DEFAULT_MAX_LIFETIME,
            max_len: DEFAULT_MAX_ASSERTION_LEN,
            allowed: AlgorithmSet::ALL,
            profile: Profile::Compat,
            report: None,
            hook: None,
            events: None,
            replay: None,
            clock: None,
            remote: None,
        }
    }

    /// The effective settings, defaults included, as a JSON object: what
    /// every face reports as the verifier's `settings` (times in seconds,
    /// the remote key set's `timeout` in milliseconds; `remote_jwks` is
    /// `null` when remote key sets are off).
    #[must_use]
    pub fn settings(&self) -> serde_json::Value {
        serde_json::json!({
            "issuer": self.issuer,
            "audiences": self.endpoints,
            "endpoints": self.endpoint_urls.iter().map(|(e, u)| (e.as_str().to_owned(), serde_json::Value::from(u.as_str()))).collect::<serde_json::Map<_, _>>(),
            "audience_mode": self.audience_mode.as_str(),
            "leeway": self.leeway,
            "max_age": self.max_age,
            "max_lifetime": self.max_lifetime,
            "max_assertion_len": self.max_len,
            "algorithms": self.allowed.iter().map(Algorithm::name).collect::<Vec<_>>(),
            "profile": self.profile.as_str(),
            "report_profile": self.report.map(Profile::as_str),
            "remote_jwks": self.remote.as_ref().map(|r| r.config().settings()),
        })
    }

    /// The replay store in use.
    pub(crate) const fn replay_store(&self) -> &Arc<dyn ReplayStore> {
        &self.replay
    }

    /// This verifier for assertions that `endpoint` received: in `compat`,
    /// the URL configured for it ([`VerifierBuilder::endpoint`]) is accepted
    /// as audience too. Everything else is shared — the replay store (one
    /// jti is one use, whichever endpoint saw it), clock, remote key sets,
    /// report counters. Make one per endpoint when the server starts.
    #[must_use]
    pub fn at(&self, endpoint: Endpoint) -> Self {
        let mut v = self.with_replay_store(Arc::clone(&self.replay));
        v.report_counts = Arc::clone(&self.report_counts);
        v.metrics = Arc::clone(&self.metrics);
        v.events.clone_from(&self.events);
        v.endpoint = endpoint;
        if let Some((_, url)) = self.endpoint_urls.iter().find(|(e, _)| *e == endpoint) {
            v.endpoints.push(url.clone());
        }
        v
    }

    /// This verifier with another replay store (`explain`'s dry run).
    pub(crate) fn with_replay_store(&self, replay: Arc<dyn ReplayStore>) -> Self {
        Self {
            issuer: self.issuer.clone(),
            endpoints: self.endpoints.clone(),
            endpoint_urls: self.endpoint_urls.clone(),
            audience_mode: self.audience_mode,
            leeway: self.leeway,
            max_age: self.max_age,
            max_lifetime: self.max_lifetime,
            max_len: self.max_len,
            allowed: self.allowed,
            profile: self.profile,
            report: self.report,
            // An explanation counts nothing and tells no event hook.
            report_counts: Arc::default(),
            metrics: Arc::default(),
            hook: self.hook.clone(),
            events: None,
            endpoint: self.endpoint,
            replay,
            clock: Arc::clone(&self.clock),
            remote: self.remote.clone(),
        }
    }

    /// What the report-only profile would have refused so far: counts per
    /// client and code, and how many refusals were not kept because the
    /// table (10,000 client/code pairs) was full.
    #[must_use]
    pub fn report(&self) -> Report {
        let (counts, dropped) = self.report_counts.snapshot();
        Report { profile: self.report, counts, dropped }
    }

    /// How many verifications and authentications this verifier (and the
    /// authenticators and endpoint views over it) accepted, per method, and
    /// refused, per code. Explanations count nothing.
    #[must_use]
    pub fn metrics(&self) -> MetricsSnapshot {
        self.metrics.snapshot()
    }

    /// Run one call, telling the event hook (if any) how it ended.
    pub(crate) fn observed<T>(&self, run: impl FnOnce(&Trace) -> Result<T>) -> Result<T> {
        let Some(hook) = &self.events else { return run(&Trace::OFF) };
        let started = Instant::now();
        let trace = Trace::on();
        let r = run(&trace);
        trace.deliver(&**hook, self.endpoint, self.profile, r.as_ref().map(|_| ()), started);
        r
    }

    /// Rules 4–5: a registered, unexpired key of `client` that fits the
    /// header, and the signature verified with it. Remote key sets
    /// (`jwks_uri`) are fetched or taken from the cache; a signature that
    /// fails with a published set may be from a key rotated in under the
    /// same kid, so each set is fetched again (once per cooldown) and the
    /// signature tried once more. Returns the key's thumbprint and kid.
    #[inline]
    pub(crate) fn verify_signature(
        &self,
        parsed: &jws::Parsed<'_>,
        client: &Client,
        now: i64,
    ) -> Result<KeyUsed> {
        // Remote key sets (jwks_uri) are fetched or taken from the cache now;
        // a client without one allocates nothing here.
        let mut remote_sets: Vec<(Arc<JwkSet>, bool)> = Vec::new();
        let mut remote_error = None;
        for c in client.credentials() {
            if let Some(uri) = c.jwks_uri() {
                let got = match &self.remote {
                    Some(r) => r.keys(uri, parsed.header.kid.as_deref(), now),
                    None => Err(Error::new(ErrorCode::JwksUnavailable, "remote JWKS fetching is disabled")),
                };
                match got {
                    Ok(set) => remote_sets.push((set, c.is_expired(now))),
                    Err(e) => remote_error = Some(e),
                }
            }
        }
        let candidates = client
            .credentials()
            .iter()
            .flat_map(|c| c.keys().iter().map(move |k| (k, c.is_expired(now))))
            .chain(
                remote_sets.iter().flat_map(|(set, expired)| set.keys().iter().map(move |k| (k, *expired))),
            );
        // Key rotation: a signature that fails with a published set may be
        // from a key rotated in under the same kid; fetch each set again
        // (once per cooldown) and try once more.
        let mut refreshed: Vec<(Arc<JwkSet>, bool)> = Vec::new();
        let key = match jws::select_and_verify(parsed, candidates) {
            Err(e) if e.code() == ErrorCode::NoMatchingKey && remote_error.is_some() => {
                return Err(remote_error.unwrap_or(e));
            }
            Err(e) if e.code() == ErrorCode::SignatureInvalid && !remote_sets.is_empty() => {
                if let Some(r) = &self.remote {
                    for c in client.credentials() {
                        if let Some(set) = c.jwks_uri().and_then(|uri| r.refresh(uri, now)) {
                            refreshed.push((set, c.is_expired(now)));
                        }
                    }
                }
                if refreshed.is_empty() {
                    return Err(e);
                }
                let retry = client
                    .credentials()
                    .iter()
                    .flat_map(|c| c.keys().iter().map(move |k| (k, c.is_expired(now))))
                    .chain(
                        refreshed
                            .iter()
                            .flat_map(|(set, expired)| set.keys().iter().map(move |k| (k, *expired))),
                    );
                jws::select_and_verify(parsed, retry)?
            }
            other => other?,
        };
        Ok(KeyUsed { thumbprint: key.thumbprint_shared(), kid: key.kid().map(str::to_owned) })
    }

    /// Count a verification's outcome.
    fn counted(&self, r: Result<VerifiedAssertion>) -> Result<VerifiedAssertion> {
        match &r {
            Ok(v) => self.metrics.accepted(AuthMethod::for_assertion(v.header.alg)),
            Err(e) => self.metrics.refused(e),
        }
        r
    }

    /// The key set a client publishes at `uri`, from the remote cache.
    pub(crate) fn remote_keys(&self, uri: &crate::net::JwksUri, now: i64) -> Result<Arc<JwkSet>> {
        match &self.remote {
            Some(r) => r.keys(uri, None, now),
            None => Err(Error::new(ErrorCode::JwksUnavailable, "remote JWKS fetching is disabled")),
        }
    }

    /// Count a report-only refusal (the authenticator's, for a method).
    pub(crate) fn count_report(&self, client_id: &str, code: ErrorCode) {
        self.report_counts.add(client_id, code);
    }

    /// The profile in force for `client`, and what the report-only profile
    /// (if any) says about it authenticating with its method.
    pub(crate) fn method_rules(&self, client: &Client) -> (Result<()>, Option<WouldRefuse>) {
        let profile = client.profile().unwrap_or(self.profile);
        let enforced = profile.check_method(client.method());
        let report = self
            .report
            .filter(|r| *r != profile)
            .and_then(|r| r.check_method(client.method()).err().map(|e| WouldRefuse::new(r, &e)));
        (enforced, report)
    }

    /// The issuer identifier.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The clock in use.
    #[must_use]
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Verify an assertion from a known client (e.g. found by the request's
    /// `client_id`). Its iss/sub must name that client.
    ///
    /// # Errors
    /// The error of the first rule that fails.
    pub fn verify(&self, assertion: &str, client: &Client) -> Result<VerifiedAssertion> {
        self.verify_with(assertion, None, |id| {
            if id == client.client_id() {
                Ok(client)
            } else {
                Err(Error::new(ErrorCode::ClientIdMismatch, "iss/sub do not name the given client"))
            }
        })
    }

    /// Verify an assertion, identifying the client from its (unverified)
    /// iss/sub and `lookup`. When the request carried a `client_id`, pass it
    /// as `client_id`: it must agree with iss/sub.
    ///
    /// # Errors
    /// The error of the first rule that fails; `lookup`'s error when the
    /// client is unknown.
    pub fn verify_with<'c, C, F>(
        &self,
        assertion: &str,
        client_id: Option<&str>,
        lookup: F,
    ) -> Result<VerifiedAssertion>
    where
        C: std::ops::Deref<Target = Client> + 'c,
        F: FnOnce(&str) -> Result<C>,
    {
        self.observed(|t| {
            self.counted(self.verify_inner(assertion.as_bytes(), client_id, |id, _| lookup(id), t))
        })
    }

    /// Verify an assertion, identifying the client from its iss/sub in
    /// `registry` (`UNKNOWN_CLIENT` when absent, `REGISTRY_UNAVAILABLE` when
    /// the registry fails). `client_id` as in [`Verifier::verify_with`].
    ///
    /// # Errors
    /// The error of the first rule that fails.
    pub fn verify_in(
        &self,
        assertion: &str,
        client_id: Option<&str>,
        registry: &dyn Registry,
    ) -> Result<VerifiedAssertion> {
        self.verify_bytes_in(assertion.as_bytes(), client_id, registry)
    }

    /// As [`Verifier::verify_in`], for an assertion held as bytes (from a C
    /// caller or a network buffer): no UTF-8 check is needed first, since
    /// only ASCII passes rules 1–2 and nothing happens before them (a
    /// non-ASCII assertion fails with `MALFORMED_JWS`, `INVALID_BASE64` or
    /// `ASSERTION_TOO_LARGE`, before any lookup).
    ///
    /// # Errors
    /// The error of the first rule that fails.
    pub fn verify_bytes_in(
        &self,
        assertion: &[u8],
        client_id: Option<&str>,
        registry: &dyn Registry,
    ) -> Result<VerifiedAssertion> {
        self.observed(|t| {
            self.counted(self.verify_inner(assertion, client_id, |id, _| lookup_client(registry, id), t))
        })
    }

    /// As [`Verifier::verify_bytes_in`], writing the result into `out`
    /// (initialised exactly when this returns `Ok`). For callers whose result
    /// lives in memory they allocated before the call (the C API): the result
    /// is built there, not built and then copied. Bytes that are not UTF-8
    /// fail the rule they break, like any other request content.
    ///
    /// # Errors
    /// As [`Verifier::verify_bytes_in`]; `out` is then left as it was.
    pub fn verify_bytes_into(
        &self,
        assertion: &[u8],
        client_id: Option<&str>,
        registry: &dyn Registry,
        out: &mut std::mem::MaybeUninit<VerifiedAssertion>,
    ) -> Result<()> {
        self.observed(|trace| {
            let r = self.verify_inner_with(
                assertion,
                client_id,
                |id, _| lookup_client(registry, id),
                |verified| {
                    self.metrics.accepted(AuthMethod::for_assertion(verified.header.alg));
                    out.write(verified);
                },
                trace,
            );
            if let Err(e) = &r {
                self.metrics.refused(e);
            }
            r
        })
    }

    /// As [`Verifier::verify_with`], with the header's algorithm passed to
    /// `lookup` (the authenticator derives the method used from it).
    pub(crate) fn verify_inner<'c, C, F>(
        &self,
        assertion: &[u8],
        client_id: Option<&str>,
        lookup: F,
        trace: &Trace,
    ) -> Result<VerifiedAssertion>
    where
        C: std::ops::Deref<Target = Client> + 'c,
        F: FnOnce(&str, Algorithm) -> Result<C>,
    {
        self.verify_inner_with(assertion, client_id, lookup, |verified| verified, trace)
    }

    /// The pipeline, handing the result to `finish` (monomorphised: the
    /// result is built where `finish` puts it, e.g. in memory the C API
    /// allocated).
    fn verify_inner_with<'c, C, F, R>(
        &self,
        assertion: &[u8],
        client_id: Option<&str>,
        lookup: F,
        finish: impl FnOnce(VerifiedAssertion) -> R,
        trace: &Trace,
    ) -> Result<R>
    where
        C: std::ops::Deref<Target = Client> + 'c,
        F: FnOnce(&str, Algorithm) -> Result<C>,
    {
        if let Some(given) = client_id {
            trace.named(given, None);
        }
        let _entered = crate::reentry::enter()?;
        // Rules 1-2.
        let mut sig = jws::SignatureBuf::new();
        let mut parsed = jws::parse(assertion, self.max_len, &mut sig)?;
        // Rule 3: identify the client from the still-unverified claims.
        let claims = Claims::from_payload(std::mem::take(&mut parsed.payload))?;
        let cid = claims.client_id()?;
        if let Some(given) = client_id
            && given != cid
        {
            return Err(Error::new(
                ErrorCode::ClientIdMismatch,
                "client_id differs from the assertion's iss/sub",
            ));
        }
        let alg = parsed.header.alg;
        trace.asserted(cid, alg);
        let client = trace.found(lookup(cid, alg))?;
        let profile = client.profile().unwrap_or(self.profile);
        let allowed = self.allowed.intersect(client.allowed_algorithms());
        check_algorithm(allowed, profile, alg, client.method())?;
        // Rules 4-5.
        let now = self.clock.now();
        let key = self.verify_signature(&parsed, &client, now)?;
        // Rules 6-7: the claims are now authentic.
        let mode = client.audience_mode().unwrap_or(self.audience_mode);
        let typed = parsed.header.is_explicitly_typed();
        claims::check_audience(&claims, profile.audience(mode, typed), &self.issuer, &self.endpoints)?;
        let times = TimeRules {
            now,
            leeway: self.leeway,
            future_leeway: profile.future_leeway(self.leeway),
            max_age: client.max_age().unwrap_or(self.max_age),
            max_lifetime: client.max_lifetime().unwrap_or(self.max_lifetime),
        };
        let until = claims::check_times(&claims, times)?;
        let jti = claims::jti(&claims)?;
        // The host's policy: after every check, before the record.
        if let Some(h) = &self.hook {
            let context = HookContext {
                client_id: cid,
                method: client.method(),
                header: Some(&parsed.header),
                claims: Some(&claims),
            };
            crate::hook::ask(&**h, &context)?;
        }
        // Rule 8: record last; a store failure refuses the request.
        match self.replay.check_and_insert(cid, jti, until, now) {
            Ok(ReplayCheck::Fresh) => {}
            Ok(ReplayCheck::Replayed) => {
                return Err(Error::new(ErrorCode::Replayed, "this jti was already used by this client"));
            }
            Err(e) => return Err(Error::with_detail(ErrorCode::ReplayStoreUnavailable, e.to_string())),
        }
        // Report-only: the same rules under the report profile, refusing nothing.
        let would_refuse = self.report.filter(|r| *r != profile).and_then(|r| {
            let check = || -> Result<()> {
                check_algorithm(allowed, r, alg, client.method())?;
                claims::check_audience(&claims, r.audience(mode, typed), &self.issuer, &self.endpoints)?;
                claims::check_times(
                    &claims,
                    TimeRules { future_leeway: r.future_leeway(self.leeway), ..times },
                )?;
                r.check_method(client.method())
            };
            check().err().map(|e| WouldRefuse::new(r, &e))
        });
        if let Some(w) = &would_refuse {
            self.report_counts.add(cid, w.code);
        }
        trace.reported(would_refuse.as_ref());
        Ok(finish(VerifiedAssertion {
            would_refuse,
            client_id: owned_with_terminator_room(cid),
            key_thumbprint: key.thumbprint,
            key_id: key.kid,
            header: parsed.header,
            claims,
            replay_until: until,
        }))
    }
}

/// The key that verified a signature: its RFC 7638 thumbprint and kid.
#[derive(Debug)]
pub(crate) struct KeyUsed {
    pub(crate) thumbprint: Arc<str>,
    pub(crate) kid: Option<String>,
}

/// Rule 2's algorithm check for a known client: the verifier's and the
/// client's allow-lists, then the profile's.
fn check_algorithm(
    allowed: AlgorithmSet,
    profile: Profile,
    alg: Algorithm,
    method: AuthMethod,
) -> Result<()> {
    if !allowed.contains(alg) {
        return Err(Error::with_detail(
            ErrorCode::AlgorithmNotAllowed,
            format!("{alg} is not allowed for this client ({})", method.as_str()),
        ));
    }
    if !profile.algorithms().contains(alg) {
        return Err(Error::with_detail(
            ErrorCode::AlgorithmNotAllowed,
            format!("{alg} is not allowed by the {} profile", profile.as_str()),
        ));
    }
    Ok(())
}

/// What the report-only profile would have refused so far
/// ([`Verifier::report`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The report-only profile, if one is set.
    pub profile: Option<Profile>,
    /// Per client and code, sorted.
    pub counts: Vec<ReportCount>,
    /// Refusals not kept because the table was full.
    pub dropped: u64,
}

impl Report {
    /// `{"profile": …, "counts": [{"client_id", "code", "count"}], "dropped": n}`
    /// (codes as `JWTAUTH_…` names), what every face returns.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        let counts: Vec<serde_json::Value> = self
            .counts
            .iter()
            .map(|c| {
                serde_json::json!({ "client_id": c.client_id, "code": format!("JWTAUTH_{}", c.code.name()),
                                    "count": c.count })
            })
            .collect();
        serde_json::json!({ "profile": self.profile.map(Profile::as_str), "counts": counts, "dropped": self.dropped })
    }
}

/// A copy of `s` with one byte of spare capacity, so that the C API can
/// append its NUL terminator and hand out this buffer without copying it.
fn owned_with_terminator_room(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 1);
    out.push_str(s);
    out
}
