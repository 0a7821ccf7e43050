//! The JWT bearer authorization grant (RFC 7523 §2.1): a JWT a trusted
//! issuer signed — a Kubernetes service-account token, a CI job's OIDC
//! token, a partner's IdP assertion — exchanged for an access token. The
//! same rules as a client assertion (strict parsing, registered keys only,
//! time bounds, replay), with the issuer found in a [`TrustTable`] instead
//! of the client registry, and the subject checked against what that
//! issuer may assert.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use crate::claims::{self, Claims, TimeRules};
use crate::client::{AuthMethod, Client};
use crate::error::{Error, ErrorCode, Result};
use crate::events::Trace;
use crate::jws::{self, Header};
use crate::policy::{CredentialPolicy, Problem, Problems};
use crate::replay::ReplayCheck;
use crate::verifier::Verifier;

/// `grant_type` of the JWT bearer grant (RFC 7523 §2.1).
pub const JWT_BEARER_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The replay namespace of grants: issuers' jtis never meet clients' (a
/// client id cannot contain a control character).
const REPLAY_PREFIX: &str = "\u{1}grant\u{1}";

/// Which subjects an issuer may assert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subjects {
    /// These exact values, and any value starting with one of the prefixes.
    Listed {
        /// Exact subjects.
        exact: HashSet<String>,
        /// Subject prefixes (`repo:example-org/`).
        prefixes: Vec<String>,
    },
    /// Whatever the host's [`SubjectHook`] allows.
    Host,
}

/// The host's decision on a subject (`"subjects": "host"` in the trust table).
pub trait SubjectHook: Send + Sync + fmt::Debug {
    /// Whether `issuer` may assert `subject`. An error refuses the grant
    /// (`HOOK_FAILED`, fail closed).
    ///
    /// # Errors
    /// Why the hook could not decide.
    fn allowed(&self, issuer: &str, subject: &str) -> std::result::Result<bool, String>;
}

/// One trusted issuer: its keys, what it may assert, and how.
#[derive(Debug, Clone)]
pub struct TrustedIssuer {
    /// The keys and time overrides, held as a client registration.
    keys: Client,
    /// The algorithms its assertions may use.
    algorithms: crate::AlgorithmSet,
    subjects: Subjects,
    /// `aud` may be the server's issuer identifier.
    audience_issuer: bool,
    /// `aud` may be the token endpoint URL.
    audience_token_endpoint: bool,
    require_jti: bool,
}

impl TrustedIssuer {
    /// The issuer identifier (`iss`).
    #[must_use]
    pub fn issuer(&self) -> &str {
        self.keys.client_id()
    }

    /// Whether its assertions must carry a `jti`.
    #[must_use]
    pub const fn requires_jti(&self) -> bool {
        self.require_jti
    }

    /// The subjects it may assert.
    #[must_use]
    pub const fn subjects(&self) -> &Subjects {
        &self.subjects
    }
}

/// The issuers whose assertions are accepted as grants (a JSON document of
/// its own, `docs/grants.md`), loaded through the credential policy.
#[derive(Debug, Clone, Default)]
pub struct TrustTable {
    issuers: HashMap<String, Arc<TrustedIssuer>>,
    hook: Option<Arc<dyn SubjectHook>>,
    /// A grant request may come without client authentication.
    anonymous: bool,
}

impl TrustTable {
    /// Load a trust table document: `{"client_authentication": "required" |
    /// "optional", "issuers": [{"issuer", "jwks" | "jwks_uri" |
    /// "credentials", "subjects", "subject_prefixes", "audience",
    /// "algorithms", "max_age", "max_lifetime", "require_jti"}]}`.
    ///
    /// # Errors
    /// Every problem, each with its JSON Pointer.
    pub fn from_json(
        text: &str,
        policy: &CredentialPolicy,
        now: i64,
    ) -> std::result::Result<Self, Vec<Problem>> {
        match serde_json::from_str::<Value>(text) {
            Ok(v) => Self::from_value(&v, policy, now),
            Err(e) => Err(vec![Problem {
                code: ErrorCode::InvalidClientMetadata,
                message: format!("the trust table is not JSON: {e}"),
                location: String::new(),
            }]),
        }
    }

    /// As [`TrustTable::from_json`], from a parsed document.
    ///
    /// # Errors
    /// Every problem, each with its JSON Pointer.
    pub fn from_value(
        doc: &Value,
        policy: &CredentialPolicy,
        now: i64,
    ) -> std::result::Result<Self, Vec<Problem>> {
        let mut list = Vec::new();
        let mut issuers = HashMap::new();
        let mut anonymous = false;
        {
            let mut p = Problems::root(&mut list);
            let meta = ErrorCode::InvalidClientMetadata;
            match doc.get("issuers") {
                Some(Value::Array(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        let mut at = p.at(&format!("/issuers/{i}"));
                        if let Some(t) = trusted_issuer(item, policy, now, &mut at) {
                            match issuers.entry(t.issuer().to_owned()) {
                                std::collections::hash_map::Entry::Occupied(e) => at.push(
                                    meta,
                                    "/issuer",
                                    format!("issuer {} appears twice", crate::json::loggable_name(e.key())),
                                ),
                                std::collections::hash_map::Entry::Vacant(e) => {
                                    e.insert(Arc::new(t));
                                }
                            }
                        }
                    }
                }
                _ => p.push(meta, "/issuers", "the trust table needs an issuers array"),
            }
            match doc.get("client_authentication") {
                None | Some(Value::Null) => {}
                Some(Value::String(s)) if s == "required" => {}
                Some(Value::String(s)) if s == "optional" => anonymous = true,
                Some(_) => p.push(
                    meta,
                    "/client_authentication",
                    "client_authentication is \"required\" or \"optional\"",
                ),
            }
            if let Value::Object(m) = doc {
                for k in m.keys().filter(|k| k.as_str() != "issuers" && k.as_str() != "client_authentication")
                {
                    p.push(
                        meta,
                        &format!("/{k}"),
                        format!("`{}` is not a trust table member", crate::json::loggable_name(k)),
                    );
                }
            }
        }
        if list.is_empty() { Ok(Self { issuers, hook: None, anonymous }) } else { Err(list) }
    }

    /// The host's hook for issuers whose `subjects` is `"host"`.
    #[must_use]
    pub fn with_subject_hook(mut self, hook: Arc<dyn SubjectHook>) -> Self {
        self.hook = Some(hook);
        self
    }

    /// Without the host's hook (issuers whose `subjects` is `"host"` may
    /// then assert nobody).
    #[must_use]
    pub fn without_subject_hook(mut self) -> Self {
        self.hook = None;
        self
    }

    /// The trusted issuer `iss`, if any.
    #[must_use]
    pub fn issuer(&self, iss: &str) -> Option<&TrustedIssuer> {
        self.issuers.get(iss).map(|t| &**t)
    }

    /// Whether a grant request may come without client authentication
    /// (`"client_authentication": "optional"`; RFC 7523 §3.1 leaves it to
    /// the server). By default a client must authenticate.
    #[must_use]
    pub const fn allows_anonymous_grants(&self) -> bool {
        self.anonymous
    }

    /// How many issuers it trusts.
    #[must_use]
    pub fn len(&self) -> usize {
        self.issuers.len()
    }

    /// Whether it trusts none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.issuers.is_empty()
    }

    fn subject_allowed(&self, issuer: &TrustedIssuer, subject: &str) -> Result<()> {
        let allowed = match &issuer.subjects {
            Subjects::Listed { exact, prefixes } => {
                exact.contains(subject) || prefixes.iter().any(|p| subject.starts_with(p.as_str()))
            }
            Subjects::Host => match &self.hook {
                None => false,
                Some(h) => h.allowed(issuer.issuer(), subject).map_err(|why| {
                    Error::with_detail(
                        ErrorCode::HookFailed,
                        format!("the subject hook failed: {}", crate::json::bounded(&why, 200)),
                    )
                })?,
            },
        };
        if allowed {
            Ok(())
        } else {
            Err(Error::with_detail(
                ErrorCode::SubjectNotAllowed,
                format!(
                    "{} may not assert the subject {}",
                    crate::json::bounded(issuer.issuer(), 200),
                    crate::json::bounded(subject, 200)
                ),
            ))
        }
    }
}

/// One issuer entry: its own members, then its keys and time overrides
/// checked as a `private_key_jwt` registration (`client_id` = the issuer).
fn trusted_issuer(
    item: &Value,
    policy: &CredentialPolicy,
    now: i64,
    p: &mut Problems<'_>,
) -> Option<TrustedIssuer> {
    let meta = ErrorCode::InvalidClientMetadata;
    let Value::Object(m) = item else {
        p.push(meta, "", "an issuer entry must be a JSON object");
        return None;
    };
    const OWN: [&str; 5] = ["issuer", "subjects", "subject_prefixes", "audience", "require_jti"];
    const KEYS: [&str; 6] = ["jwks", "jwks_uri", "credentials", "algorithms", "max_age", "max_lifetime"];
    for k in m.keys().filter(|k| !OWN.contains(&k.as_str()) && !KEYS.contains(&k.as_str())) {
        p.push(
            meta,
            &format!("/{k}"),
            format!("`{}` is not an issuer member", crate::json::loggable_name(k)),
        );
    }
    let issuer = match m.get("issuer") {
        Some(Value::String(s)) if !s.is_empty() && !s.chars().any(char::is_control) => s.clone(),
        _ => {
            p.push(meta, "/issuer", "issuer must be a non-empty string");
            return None;
        }
    };
    let strings = |name: &str, p: &mut Problems<'_>| -> Vec<String> {
        match m.get(name) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) if a.iter().all(|v| v.as_str().is_some_and(|s| !s.is_empty())) => {
                a.iter().filter_map(Value::as_str).map(str::to_owned).collect()
            }
            Some(_) => {
                p.push(meta, &format!("/{name}"), format!("{name} must be an array of non-empty strings"));
                Vec::new()
            }
        }
    };
    let subjects = match m.get("subjects") {
        Some(Value::String(s)) if s == "host" => {
            if m.contains_key("subject_prefixes") {
                p.push(
                    meta,
                    "/subject_prefixes",
                    "subject_prefixes with subjects \"host\": the host decides",
                );
            }
            Subjects::Host
        }
        _ => {
            let exact: HashSet<String> = strings("subjects", p).into_iter().collect();
            let prefixes = strings("subject_prefixes", p);
            if exact.is_empty() && prefixes.is_empty() {
                p.push(
                    meta,
                    "/subjects",
                    "an issuer needs subjects (exact values), subject_prefixes, or subjects \"host\"",
                );
            }
            Subjects::Listed { exact, prefixes }
        }
    };
    let audience = strings("audience", p);
    let (audience_issuer, audience_token_endpoint) = if m.contains_key("audience") {
        for (i, a) in audience.iter().enumerate() {
            if a != "issuer" && a != "token_endpoint" {
                p.push(
                    meta,
                    &format!("/audience/{i}"),
                    "audience values are \"issuer\" and \"token_endpoint\"",
                );
            }
        }
        if audience.is_empty() {
            p.push(meta, "/audience", "audience must name \"issuer\", \"token_endpoint\" or both");
        }
        (audience.iter().any(|a| a == "issuer"), audience.iter().any(|a| a == "token_endpoint"))
    } else {
        (true, true)
    };
    let require_jti = match m.get("require_jti") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            p.push(meta, "/require_jti", "require_jti must be true or false");
            true
        }
    };
    // The keys: a private_key_jwt registration of the issuer.
    let mut reg = serde_json::Map::new();
    reg.insert("client_id".into(), Value::String(issuer));
    reg.insert("token_endpoint_auth_method".into(), Value::String(AuthMethod::PrivateKeyJwt.as_str().into()));
    for k in ["jwks", "jwks_uri", "credentials", "max_age", "max_lifetime"] {
        if let Some(v) = m.get(k) {
            reg.insert(k.into(), v.clone());
        }
    }
    let keys = policy.client(&Value::Object(reg), now, p)?;
    let names = strings("algorithms", p);
    let mut algorithms = keys.allowed_algorithms();
    if !names.is_empty() {
        let mut set = crate::AlgorithmSet::EMPTY;
        for (i, a) in names.iter().enumerate() {
            match crate::Algorithm::from_name(a) {
                Some(alg) if alg.is_symmetric() => {
                    p.push(
                        meta,
                        &format!("/algorithms/{i}"),
                        "a grant is signed with the issuer's private key, not a secret",
                    );
                }
                Some(alg) => set = set.with(alg),
                None => p.push(
                    meta,
                    &format!("/algorithms/{i}"),
                    format!("`{}` is not a supported algorithm", crate::json::loggable_name(a)),
                ),
            }
        }
        algorithms = algorithms.intersect(set);
    }
    Some(TrustedIssuer { keys, algorithms, subjects, audience_issuer, audience_token_endpoint, require_jti })
}

/// A verified grant assertion.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The trusted issuer (`iss`).
    pub issuer: String,
    /// The subject it asserts (`sub`): who the access token is for.
    pub subject: String,
    /// The validated header.
    pub header: Arc<Header>,
    /// The verified claims.
    pub claims: Claims,
    /// The RFC 7638 thumbprint of the key that verified the signature.
    pub key_thumbprint: Arc<str>,
    /// The kid of that key, if it has one.
    pub key_id: Option<String>,
    /// Whether its jti was recorded (present), and until when.
    pub replay_until: Option<i64>,
}

impl Verifier {
    /// Verify a JWT bearer grant assertion (RFC 7523 §2.1) against `table`:
    /// rules 1–2 as for a client assertion (an explicitly typed client
    /// assertion is not a grant), the issuer trusted (before any key is
    /// fetched), its registered keys only, `aud` the server (its issuer
    /// identifier or token endpoint, as the issuer entry allows; an array
    /// may name others too), the time rules, the subject allowed, and the
    /// `jti` recorded in the verifier's replay store under the issuer (when
    /// present; required unless the issuer entry says otherwise).
    ///
    /// # Errors
    /// The error of the first rule that fails (a token endpoint answers it
    /// with `invalid_grant`, 400, unless the server failed).
    pub fn verify_grant(&self, assertion: &[u8], table: &TrustTable) -> Result<Grant> {
        self.observed(|t| self.grant_counted(assertion, table, t))
    }

    /// A grant verified and counted, its refusal marked as a grant's.
    pub(crate) fn grant_counted(&self, assertion: &[u8], table: &TrustTable, trace: &Trace) -> Result<Grant> {
        let r = self.grant_inner(assertion, table, trace, &Cell::new(0)).map_err(Error::in_grant);
        match &r {
            Ok(_) => self.metrics.grant_accepted(),
            Err(e) => self.metrics.refused(e),
        }
        r
    }

    /// The pipeline; `stage` follows it (an index into
    /// [`crate::explain::GRANT_RULES`]) for the explanation.
    pub(crate) fn grant_inner(
        &self,
        assertion: &[u8],
        table: &TrustTable,
        trace: &Trace,
        stage: &Cell<usize>,
    ) -> Result<Grant> {
        let _entered = crate::reentry::enter()?;
        let mut sig = jws::SignatureBuf::new();
        let mut parsed = jws::parse(assertion, self.max_len, &mut sig)?;
        if parsed.header.is_explicitly_typed() {
            return Err(Error::new(
                ErrorCode::InvalidType,
                "typ client-authentication+jwt marks a client assertion, not an authorization grant",
            ));
        }
        stage.set(2);
        let claims = Claims::from_payload(std::mem::take(&mut parsed.payload))?;
        trace.grant(claims.iss(), claims.sub(), Some(parsed.header.alg));
        let iss = claims
            .iss()
            .filter(|s| !s.is_empty())
            .ok_or(Error::new(ErrorCode::MissingIssuer, "iss is required"))?;
        let sub = claims
            .sub()
            .filter(|s| !s.is_empty())
            .ok_or(Error::new(ErrorCode::MissingClaim, "sub is required"))?;
        let trusted = table.issuer(iss).ok_or_else(|| {
            Error::with_detail(
                ErrorCode::UntrustedIssuer,
                format!("{} is not a trusted issuer", crate::json::bounded(iss, 200)),
            )
        })?;
        stage.set(3);
        let alg = parsed.header.alg;
        let allowed = self.allowed.intersect(trusted.algorithms);
        if !allowed.contains(alg) {
            return Err(Error::with_detail(
                ErrorCode::AlgorithmNotAllowed,
                format!("{alg} is not allowed for this issuer"),
            ));
        }
        let now = self.clock().now();
        let key = self.verify_signature(&parsed, &trusted.keys, now)?;
        // The claims are now authentic.
        stage.set(5);
        let aud_ok = claims.audiences().iter().any(|a| {
            (trusted.audience_issuer && *a == self.issuer())
                || (trusted.audience_token_endpoint && self.endpoints.iter().any(|e| e == a))
        });
        if !aud_ok {
            return Err(if claims.aud().is_none() {
                Error::new(ErrorCode::MissingClaim, "aud is required")
            } else {
                Error::new(ErrorCode::AudienceMismatch, "aud does not name this server")
            });
        }
        stage.set(6);
        let times = TimeRules {
            now,
            leeway: self.leeway,
            future_leeway: self.leeway,
            max_age: trusted.keys.max_age().unwrap_or(self.max_age),
            max_lifetime: trusted.keys.max_lifetime().unwrap_or(self.max_lifetime),
        };
        let until = claims::check_times(&claims, times)?;
        stage.set(7);
        table.subject_allowed(trusted, sub)?;
        stage.set(8);
        let jti = match claims.jti() {
            Some("") => return Err(Error::new(ErrorCode::MissingClaim, "jti is empty")),
            None if trusted.require_jti => {
                return Err(Error::new(ErrorCode::MissingClaim, "jti is required by this issuer's entry"));
            }
            other => other,
        };
        if let Some(j) = jti {
            match self.replay_store().check_and_insert(&format!("{REPLAY_PREFIX}{iss}"), j, until, now) {
                Ok(ReplayCheck::Fresh) => {}
                Ok(ReplayCheck::Replayed) => {
                    return Err(Error::new(ErrorCode::Replayed, "this jti was already used by this issuer"));
                }
                Err(e) => return Err(Error::with_detail(ErrorCode::ReplayStoreUnavailable, e.to_string())),
            }
        }
        Ok(Grant {
            issuer: iss.to_owned(),
            subject: sub.to_owned(),
            replay_until: jti.map(|_| until),
            header: parsed.header,
            claims,
            key_thumbprint: key.thumbprint,
            key_id: key.kid,
        })
    }
}
