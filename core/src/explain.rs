//! Why an assertion is accepted or refused, rule by rule: the verifier's own
//! pipeline run once more, recording nothing, so an explanation can never
//! disagree with a verdict (`Verifier::explain`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use crate::algorithm::Algorithm;
use crate::authenticator::{AuthError, Authenticator, Authorization, OAuthResponse};
use crate::claims::AudienceMode;
use crate::client::AuthMethod;
use crate::error::{Error, ErrorCode};
use crate::registry::Registry;
use crate::replay::DryRun;
use crate::verifier::Verifier;

/// One step of the pipeline, in the order the verifier runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The rule's number in docs/SECURITY.md.
    pub number: u8,
    /// A short name (`structure`, `header`, `client`, …).
    pub name: &'static str,
    /// What the step checks.
    pub checks: &'static str,
}

/// The steps, in the verifier's order (audience before times: an assertion
/// for another server is refused for that, whatever its times).
pub const RULES: [Rule; 9] = [
    Rule { number: 1, name: "structure", checks: "size, three segments, strict base64url" },
    Rule { number: 2, name: "header", checks: "one strict JSON object; alg allowed; no embedded key; typ" },
    Rule {
        number: 3,
        name: "client",
        checks: "iss and sub name one registered client (and client_id agrees)",
    },
    Rule {
        number: 4,
        name: "key",
        checks: "a registered, unexpired key that fits the header's kid or thumbprint",
    },
    Rule { number: 5, name: "signature", checks: "the signature verifies with that key" },
    Rule { number: 7, name: "audience", checks: "aud names this server" },
    Rule {
        number: 6,
        name: "claims",
        checks: "exp, nbf, iat within leeway, age and lifetime bounds; jti present",
    },
    POLICY,
    Rule { number: 8, name: "replay", checks: "this jti was not used before by this client" },
];

/// The steps of a JWT bearer grant (`docs/grants.md`), in the order
/// [`Verifier::verify_grant`] runs them; numbered as that page numbers them.
pub const GRANT_RULES: [Rule; 9] = [
    Rule { number: 1, name: "structure", checks: "size, three segments, strict base64url" },
    Rule {
        number: 1,
        name: "header",
        checks: "one strict JSON object; no embedded key; not a client assertion's typ",
    },
    Rule { number: 2, name: "issuer", checks: "iss and sub present; the issuer in the trust table" },
    Rule {
        number: 3,
        name: "key",
        checks: "an algorithm the issuer's entry allows; a key of the issuer that fits",
    },
    Rule { number: 3, name: "signature", checks: "the signature verifies with that key" },
    Rule { number: 4, name: "audience", checks: "aud names this server, as the issuer's entry allows" },
    Rule { number: 4, name: "claims", checks: "exp, nbf, iat within leeway, age and lifetime bounds" },
    Rule { number: 5, name: "subject", checks: "the issuer may assert this subject" },
    Rule {
        number: 6,
        name: "jti",
        checks: "jti present (unless the entry says otherwise) and not used before by this issuer",
    },
];

/// The host's policy hook, after every check and before the record.
const POLICY: Rule =
    Rule { number: 8, name: "policy", checks: "the server's policy hook, when it has one, accepts" };

/// The step an error code ends, if it is one of the pipeline's.
const fn step_of(code: ErrorCode) -> Option<usize> {
    use ErrorCode as C;
    Some(match code {
        C::AssertionTooLarge | C::MalformedJws | C::InvalidBase64 => 0,
        C::MalformedHeader
        | C::DuplicateMember
        | C::UnsupportedAlgorithm
        | C::AlgorithmNotAllowed
        | C::UnsupportedHeader
        | C::EmbeddedKey
        | C::InvalidType => 1,
        C::MalformedClaims
        | C::MissingIssuer
        | C::IssuerSubjectMismatch
        | C::ClientIdMismatch
        | C::UnknownClient
        | C::RegistryUnavailable => 2,
        C::NoMatchingKey | C::CredentialExpired | C::JwksUnavailable => 3,
        C::SignatureInvalid => 4,
        C::AudienceMismatch => 5,
        C::MissingClaim
        | C::Expired
        | C::NotYetValid
        | C::IssuedInFuture
        | C::TooOld
        | C::ExpiryTooFar
        | C::LifetimeTooLong => 6,
        C::PolicyRefused | C::HookFailed => 7,
        C::Replayed | C::ReplayStoreUnavailable => 8,
        _ => return None,
    })
}

/// What happened at one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The step's checks held.
    Pass,
    /// The step refused the assertion.
    Fail,
    /// An earlier step refused it.
    NotReached,
}

impl Status {
    /// `pass`, `fail` or `not_reached`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::NotReached => "not_reached",
        }
    }
}

/// One step's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The rule.
    pub rule: Rule,
    /// Its outcome.
    pub status: Status,
    /// For a failure: what was found against what was expected.
    pub detail: Option<String>,
    /// For a failure: how a client developer fixes it.
    pub fix: Option<String>,
}

/// The explanation of one assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// Every step, in order.
    pub steps: Vec<Step>,
    /// The verdict the verifier reaches: the client id, or the error.
    pub verdict: Result<String, Error>,
    /// Whether the replay step could consult the verifier's store (a store
    /// written by a host may not be asked without recording).
    pub replay_checked: bool,
    /// For a token request refused: the response the server sends.
    pub response: Option<OAuthResponse>,
    /// For a token request: the method the client used or, refused, the
    /// one the request presented (an assertion's by its `alg`), when it can
    /// be told.
    pub method: Option<AuthMethod>,
    /// The client the request names (Basic user name, form `client_id`, or
    /// the assertion's `sub`), also when it is refused; `None` when it names
    /// none that can be read. For a grant: the subject.
    pub client_id: Option<String>,
    /// Whether it explains a grant ([`Verifier::explain_grant`]).
    pub grant: bool,
    /// For a grant: the issuer (as the assertion names it, when refused).
    pub issuer: Option<String>,
}

impl Explanation {
    /// The explanation as JSON: `verdict` (`accepted` or `refused`),
    /// `client_id` (`null` when a refused request names none it can read),
    /// for a request `method` (when it can be told), `error` / `detail` (and
    /// for a request the `response` to send: `status`, `headers`, `body`), and
    /// `steps` with `rule`, `name`, `checks`, `status`, `detail`, `fix`.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let steps: Vec<Value> = self
            .steps
            .iter()
            .map(|s| {
                json!({ "rule": s.rule.number, "name": s.rule.name, "checks": s.rule.checks,
                        "status": s.status.as_str(), "detail": s.detail, "fix": s.fix })
            })
            .collect();
        let mut doc = match &self.verdict {
            Ok(id) => {
                json!({ "verdict": "accepted", "client_id": id, "steps": steps, "replay_checked": self.replay_checked })
            }
            Err(e) => {
                json!({ "verdict": "refused", "error": format!("JWTAUTH_{}", e.code().name()), "detail": e.detail(),
                        "client_id": self.client_id, "steps": steps, "replay_checked": self.replay_checked })
            }
        };
        if let Some(obj) = doc.as_object_mut() {
            if self.grant {
                // A grant: the subject is not a client.
                obj.insert("issuer".into(), self.issuer.as_deref().into());
                if let Some(id) = obj.remove("client_id") {
                    obj.insert("subject".into(), id);
                }
            }
            if let Some(m) = self.method {
                obj.insert("method".into(), m.as_str().into());
            }
            if let Some(r) = &self.response {
                let headers: serde_json::Map<String, Value> =
                    r.headers().into_iter().map(|(k, v)| (k.to_owned(), Value::String(v))).collect();
                obj.insert(
                    "response".into(),
                    json!({ "status": r.status, "headers": headers, "body": r.body }),
                );
            }
        }
        doc
    }
}

/// What the assertion holds that a failed step looked at (each value at most
/// 120 characters, control characters escaped).
fn found(step: &str, d: &crate::Inspection, now: i64) -> Option<String> {
    let member = |map: &serde_json::Map<String, Value>, name: &str| {
        map.get(name).map(|v| format!("{name} {}", crate::json::bounded(&v.to_string(), 120)))
    };
    let list = |map: &serde_json::Map<String, Value>, names: &[&str]| {
        let parts: Vec<String> = names.iter().filter_map(|n| member(map, n)).collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    };
    match step {
        "header" => list(&d.header, &["alg", "typ"]),
        "client" => list(&d.claims, &["iss", "sub"]),
        "key" => list(&d.header, &["kid", "x5t", "x5t#S256"]).or_else(|| Some("no kid in the header".into())),
        "audience" => list(&d.claims, &["aud"]),
        "claims" => list(&d.claims, &["iat", "nbf", "exp"]).map(|t| format!("{t}; now {now}")),
        _ => None,
    }
}

/// Steps before the failed one pass, the failed one fails (with what was
/// found and the fix), the rest are not reached; all pass on success.
fn walk(
    rules: &[Rule],
    failed: Option<usize>,
    error: Option<&Error>,
    found: impl Fn(&str) -> Option<String>,
    fix: impl Fn(ErrorCode) -> String,
) -> Vec<Step> {
    rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let (status, detail, fix) = match (error, failed) {
                (None, _) => (Status::Pass, None, None),
                (Some(e), Some(f)) if i == f => {
                    let detail = match found(rule.name) {
                        Some(found) => format!("{} ({found})", e.detail()),
                        None => e.detail().to_owned(),
                    };
                    (Status::Fail, Some(detail), Some(fix(e.code())))
                }
                (Some(_), Some(f)) if i < f => (Status::Pass, None, None),
                (Some(_), _) => (Status::NotReached, None, None),
            };
            Step { rule: *rule, status, detail, fix }
        })
        .collect()
}

/// The request-level steps (docs/SECURITY.md rule 9), before the mechanism's own.
const FORM: Rule =
    Rule { number: 9, name: "form", checks: "the body decodes; each authentication parameter at most once" };
const MECHANISM: Rule = Rule {
    number: 9,
    name: "mechanism",
    checks: "exactly one mechanism: Basic header, client_secret in the form, or a client assertion",
};
const BASIC: Rule = Rule {
    number: 9,
    name: "basic",
    checks: "the Authorization header is Basic, base64 of form-encoded id:secret",
};
const CLIENT: Rule =
    Rule { number: 9, name: "client", checks: "client_id agrees, the client is registered, for this method" };
const SECRET: Rule =
    Rule { number: 9, name: "secret", checks: "the secret matches the registered one and has not expired" };
const CERTIFICATE: Rule =
    Rule { number: 10, name: "certificate", checks: "the request came with a client certificate that reads" };
const CHAIN: Rule = Rule {
    number: 10,
    name: "chain",
    checks: "tls_client_auth: the chain verifies to a trusted client CA (here or in the TLS layer)",
};
const MATCH: Rule = Rule {
    number: 10,
    name: "match",
    checks: "the registered subject DN or SAN; self-signed: a registered public key",
};

/// Which mechanism a request uses, as its explanation walks it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mechanism {
    Basic,
    Post,
    Jwt,
    None,
    Tls,
}

impl Mechanism {
    fn rules(self) -> Vec<Rule> {
        match self {
            Self::Basic => vec![FORM, MECHANISM, BASIC, CLIENT, SECRET, POLICY],
            Self::Post => vec![FORM, MECHANISM, CLIENT, SECRET, POLICY],
            Self::Jwt => [FORM, MECHANISM].into_iter().chain(RULES).collect(),
            Self::None => vec![FORM, MECHANISM, CLIENT, POLICY],
            Self::Tls => vec![FORM, MECHANISM, CLIENT, CERTIFICATE, CHAIN, MATCH, POLICY],
        }
    }

    /// The step (by name) an error code ends for this mechanism.
    fn step_of(self, code: ErrorCode) -> Option<&'static str> {
        use ErrorCode as C;
        Some(match code {
            C::MalformedRequest | C::RepeatedParameter => "form",
            C::MultipleAuthMethods | C::MissingParameter | C::UnsupportedAssertionType => "mechanism",
            C::NoClientAuthentication if self == Self::None => "client",
            C::ClientCertificateRequired | C::MalformedClientCertificate => "certificate",
            C::ClientCertificateUntrusted => "chain",
            C::ClientCertificateMismatch | C::JwksUnavailable if self == Self::Tls => "match",
            C::NoClientAuthentication => "mechanism",
            C::MalformedAuthorization | C::UnsupportedAuthScheme => "basic",
            C::InvalidSecret | C::SecretExpired => "secret",
            C::PolicyRefused | C::HookFailed if self != Self::Jwt => "policy",
            C::AuthMethodMismatch if self == Self::Jwt => "client",
            C::ClientIdMismatch | C::UnknownClient | C::AuthMethodMismatch | C::RegistryUnavailable
                if self != Self::Jwt =>
            {
                "client"
            }
            _ if self == Self::Jwt => return step_of(code).and_then(|i| RULES.get(i)).map(|r| r.name),
            _ => return None,
        })
    }
}

impl Authenticator {
    /// Explain what [`Authenticator::authenticate_raw`] would answer for this
    /// request now, step by step: the request's own steps (form, mechanism,
    /// Basic decoding, client, secret), then for a client assertion the
    /// verifier's rules. The same pipeline runs, recording nothing.
    #[must_use]
    pub fn explain(&self, authorization: Authorization<'_>, body: &[u8]) -> Explanation {
        self.explain_tls(authorization, body, None)
    }

    /// As [`Authenticator::explain`], for a request that came with a client
    /// certificate (as [`Authenticator::authenticate_tls`] takes it): the
    /// mutual-TLS steps (certificate, chain, match) for a client registered
    /// for them.
    #[must_use]
    pub fn explain_tls(
        &self,
        authorization: Authorization<'_>,
        body: &[u8],
        certificate: Option<crate::PresentedCertificate<'_>>,
    ) -> Explanation {
        let text = String::from_utf8_lossy(body);
        let pairs: Vec<(String, String)> = crate::form::raw_pairs(&text)
            .filter_map(|(k, v)| {
                Some((
                    crate::form::decode_component(k)?.into_owned(),
                    crate::form::decode_component(v)?.into_owned(),
                ))
            })
            .collect();
        self.explain_with(authorization, &pairs, |shadow, authorization| {
            shadow.authenticate_tls(authorization, body, certificate)
        })
    }

    /// As [`Authenticator::explain`], with the form already decoded into
    /// name/value pairs (as [`Authenticator::authenticate_raw_pairs`] takes them).
    #[must_use]
    pub fn explain_pairs<I, K, V>(&self, authorization: Authorization<'_>, form: I) -> Explanation
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        self.explain_tls_pairs(authorization, form, None)
    }

    /// As [`Authenticator::explain_tls`], with the form already decoded into
    /// name/value pairs (as [`Authenticator::authenticate_tls_pairs`] takes them).
    #[must_use]
    pub fn explain_tls_pairs<I, K, V>(
        &self,
        authorization: Authorization<'_>,
        form: I,
        certificate: Option<crate::PresentedCertificate<'_>>,
    ) -> Explanation
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let raw: Vec<(Vec<u8>, Vec<u8>)> =
            form.into_iter().map(|(k, v)| (k.as_ref().to_vec(), v.as_ref().to_vec())).collect();
        let pairs: Vec<(String, String)> = raw
            .iter()
            .map(|(k, v)| (String::from_utf8_lossy(k).into_owned(), String::from_utf8_lossy(v).into_owned()))
            .collect();
        self.explain_with(authorization, &pairs, |shadow, authorization| {
            shadow.authenticate_tls_pairs(authorization, raw.iter().map(|(k, v)| (k, v)), certificate)
        })
    }

    /// Run `authenticate` on a shadow of this authenticator whose replay store
    /// records nothing, and walk the steps of the request's mechanism
    /// (`pairs`: the decoded form, to tell the mechanism and read the assertion).
    fn explain_with(
        &self,
        authorization: Authorization<'_>,
        pairs: &[(String, String)],
        authenticate: impl FnOnce(&Self, Authorization<'_>) -> Result<crate::Authenticated, AuthError>,
    ) -> Explanation {
        let dry = Arc::new(DryRun {
            inner: Arc::clone(self.verifier().replay_store()),
            unknown: AtomicBool::new(false),
        });
        let shadow = self.with_verifier(Arc::new(self.verifier().with_replay_store(dry.clone())));
        let header = authorization.present().is_some();
        let result = authenticate(&shadow, authorization);
        let value =
            |name: &str| pairs.iter().find(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.as_str());
        let mechanism = match (
            header,
            value("client_secret"),
            value("client_assertion").or(value("client_assertion_type")),
        ) {
            (true, _, _) => Mechanism::Basic,
            (false, Some(_), _) => Mechanism::Post,
            (false, None, Some(_)) => Mechanism::Jwt,
            (false, None, None) => {
                let mtls = match &result {
                    Ok(a) => a.method.is_mtls(),
                    Err(e) => matches!(
                        e.code(),
                        ErrorCode::ClientCertificateRequired
                            | ErrorCode::MalformedClientCertificate
                            | ErrorCode::ClientCertificateUntrusted
                            | ErrorCode::ClientCertificateMismatch
                    ),
                };
                if mtls { Mechanism::Tls } else { Mechanism::None }
            }
        };
        let rules = mechanism.rules();
        let error = result.as_ref().err().map(AuthError::error);
        let failed = error
            .and_then(|e| mechanism.step_of(e.code()))
            .and_then(|name| rules.iter().position(|r| r.name == name));
        let now = self.verifier().clock().now();
        let decoded = (mechanism == Mechanism::Jwt)
            .then(|| value("client_assertion"))
            .flatten()
            .and_then(|a| crate::inspect(a, now).ok());
        let steps = walk(
            &rules,
            failed,
            error,
            |step| decoded.as_ref().and_then(|d| found(step, d, now)),
            |code| self.verifier().fix(code),
        );
        let (verdict, response, method, client_id) = match result {
            Ok(a) => (Ok(a.client_id().to_owned()), None, Some(a.method), Some(a.client_id().to_owned())),
            Err(e) => {
                // What the request presented, read as the pipeline reads it.
                let named = match mechanism {
                    Mechanism::Basic => crate::authenticator::basic_user(authorization)
                        .or(value("client_id").map(str::to_owned)),
                    _ => value("client_id").map(str::to_owned),
                };
                let sub = decoded.as_ref().and_then(|d| d.claims.get("sub")?.as_str().map(str::to_owned));
                let presented = match mechanism {
                    Mechanism::Basic => Some(AuthMethod::ClientSecretBasic),
                    Mechanism::Post => Some(AuthMethod::ClientSecretPost),
                    Mechanism::Jwt => decoded.as_ref().and_then(|d| {
                        Algorithm::from_name(d.header.get("alg")?.as_str()?).map(AuthMethod::for_assertion)
                    }),
                    Mechanism::None => named.is_some().then_some(AuthMethod::None),
                    Mechanism::Tls => None,
                };
                (Err(e.error().clone()), Some(e.response()), presented, named.or(sub))
            }
        };
        Explanation {
            steps,
            verdict,
            replay_checked: !dry.unknown.load(Ordering::Relaxed),
            response,
            method,
            client_id,
            grant: false,
            issuer: None,
        }
    }
}

impl Authenticator {
    /// Explain, as [`Verifier::explain_grant`], the grant `assertion`
    /// against this authenticator's trust table (without one, no issuer is
    /// trusted). Records nothing.
    #[must_use]
    pub fn explain_grant(&self, assertion: &[u8]) -> Explanation {
        match self.trust() {
            Some(t) => self.verifier().explain_grant(assertion, t),
            None => self.verifier().explain_grant(assertion, &crate::TrustTable::default()),
        }
    }
}

impl Verifier {
    /// Explain what [`Verifier::verify_bytes_in`] would answer for `assertion`
    /// now, step by step, recording nothing: the same pipeline runs with a
    /// replay store that only asks the real one whether the jti was seen
    /// ([`crate::ReplayStore::seen`]).
    #[must_use]
    pub fn explain(&self, assertion: &[u8], client_id: Option<&str>, registry: &dyn Registry) -> Explanation {
        let dry =
            Arc::new(DryRun { inner: Arc::clone(self.replay_store()), unknown: AtomicBool::new(false) });
        let shadow = self.with_replay_store(dry.clone());
        let verdict = shadow.verify_bytes_in(assertion, client_id, registry).map(|v| v.client_id);
        let failed = verdict.as_ref().err().and_then(|e| step_of(e.code()));
        // What the (unverified) assertion says, for the failed step's "found".
        let now = self.clock().now();
        let decoded = std::str::from_utf8(assertion).ok().and_then(|t| crate::inspect(t, now).ok());
        let steps = walk(
            &RULES,
            failed,
            verdict.as_ref().err(),
            |step| decoded.as_ref().and_then(|d| found(step, d, now)),
            |code| self.fix(code),
        );
        let client_id = match &verdict {
            Ok(id) => Some(id.clone()),
            Err(_) => client_id
                .map(str::to_owned)
                .or_else(|| decoded.as_ref().and_then(|d| d.claims.get("sub")?.as_str().map(str::to_owned))),
        };
        Explanation {
            steps,
            verdict,
            replay_checked: !dry.unknown.load(Ordering::Relaxed),
            response: None,
            method: None,
            client_id,
            grant: false,
            issuer: None,
        }
    }

    /// Explain what [`Verifier::verify_grant`] would answer for `assertion`
    /// now, step by step ([`GRANT_RULES`]), recording nothing (the jti is
    /// only looked up). The verdict is the subject; [`Explanation::issuer`]
    /// the issuer (as the assertion names it, when refused).
    #[must_use]
    pub fn explain_grant(&self, assertion: &[u8], table: &crate::TrustTable) -> Explanation {
        let dry =
            Arc::new(DryRun { inner: Arc::clone(self.replay_store()), unknown: AtomicBool::new(false) });
        let shadow = self.with_replay_store(dry.clone());
        let stage = std::cell::Cell::new(0);
        let result =
            shadow.grant_inner(assertion, table, &crate::events::Trace::OFF, &stage).map_err(Error::in_grant);
        let failed = result.as_ref().err().map(|e| match (e.code(), stage.get()) {
            (ErrorCode::SignatureInvalid, _) => 4,
            (c, s) if s < 2 => step_of(c).unwrap_or(0).min(1),
            (_, s) => s,
        });
        let now = self.clock().now();
        let decoded = std::str::from_utf8(assertion).ok().and_then(|t| crate::inspect(t, now).ok());
        let found = |step: &str| {
            let d = decoded.as_ref()?;
            match step {
                "issuer" | "subject" => found("client", d, now),
                "jti" => {
                    d.claims.get("jti").map(|j| format!("jti {}", crate::json::bounded(&j.to_string(), 120)))
                }
                other => found(other, d, now),
            }
        };
        let steps = walk(&GRANT_RULES, failed, result.as_ref().err(), found, |code| self.fix_grant(code));
        let claim =
            |name: &str| decoded.as_ref().and_then(|d| d.claims.get(name)?.as_str().map(str::to_owned));
        let (verdict, issuer, response) = match result {
            Ok(g) => (Ok(g.subject), Some(g.issuer), None),
            Err(e) => {
                let response = OAuthResponse::for_error(&e);
                (Err(e), claim("iss"), Some(response))
            }
        };
        let client_id = match &verdict {
            Ok(sub) => Some(sub.clone()),
            Err(_) => claim("sub"),
        };
        Explanation {
            steps,
            verdict,
            replay_checked: !dry.unknown.load(Ordering::Relaxed),
            response,
            method: None,
            client_id,
            grant: true,
            issuer,
        }
    }

    /// How the issuer of a grant (or the operator) fixes `code`.
    fn fix_grant(&self, code: ErrorCode) -> String {
        use ErrorCode as C;
        match code {
            C::InvalidType => "a grant is not a client assertion: leave typ out or set it to JWT".into(),
            C::MissingIssuer | C::MalformedClaims => "the assertion needs iss and sub (one JSON object)".into(),
            C::UntrustedIssuer => "the operator adds this issuer, with its keys and subjects, to the trust table (only its issuers are accepted)".into(),
            C::AlgorithmNotAllowed | C::UnsupportedAlgorithm => "sign with an algorithm the issuer's entry allows (its algorithms, asymmetric only)".into(),
            C::NoMatchingKey | C::CredentialExpired | C::JwksUnavailable => "sign with a key the issuer's entry holds (jwks or jwks_uri), named by its kid".into(),
            C::SignatureInvalid => "send the token exactly as the issuer signed it; the issuer's keys in the trust table must be current".into(),
            C::AudienceMismatch => format!("ask the issuer for a token whose aud is {} or the token endpoint, as the issuer's entry allows", self.issuer()),
            C::MissingClaim => "the token needs aud, exp and, unless the issuer's entry sets require_jti false, a jti".into(),
            C::SubjectNotAllowed => "the operator lists this subject for the issuer (subjects or subject_prefixes), or the host's subject hook allows it".into(),
            C::Replayed => "exchange each token once: get a fresh one for every request".into(),
            C::Expired | C::TooOld => "get a fresh token from the issuer (the trust table's max_age bounds how old it may be)".into(),
            C::ExpiryTooFar | C::LifetimeTooLong => "the issuer's tokens live longer than the entry's max_lifetime allows: raise it, or ask for shorter-lived tokens".into(),
            _ => self.fix(code),
        }
    }

    /// How a client developer fixes `code`, with this verifier's settings.
    pub(crate) fn fix(&self, code: ErrorCode) -> String {
        use ErrorCode as C;
        let profile = self.profile;
        let aud = if self.endpoints.is_empty()
            || self.audience_mode != AudienceMode::Compat
            || profile != crate::Profile::Compat
        {
            self.issuer().to_owned()
        } else {
            format!("{} (or {})", self.issuer(), self.endpoints.join(", "))
        };
        let algs: Vec<&str> =
            self.allowed.intersect(profile.algorithms()).iter().map(Algorithm::name).collect();
        match code {
            C::AssertionTooLarge => format!("keep the assertion under {} bytes (a certificate chain in x5c is the usual cause)", self.max_len),
            C::MalformedJws | C::InvalidBase64 => "send the compact JWS exactly as signed: three base64url segments without padding, nothing around them".into(),
            C::MalformedHeader | C::DuplicateMember | C::MalformedClaims => "sign a header and claims that are each one JSON object, every member once".into(),
            C::UnsupportedAlgorithm | C::AlgorithmNotAllowed => format!("sign with one of {}", algs.join(", ")),
            C::UnsupportedHeader => "drop crit, b64 and zip from the header".into(),
            C::EmbeddedKey => "do not put the key in the header (jwk, jku, x5u, or an x5c that is not registered): register it and name it by kid".into(),
            C::InvalidType => "set typ to client-authentication+jwt (or JWT), or leave it out".into(),
            C::MissingIssuer | C::IssuerSubjectMismatch => "set both iss and sub to the client_id".into(),
            C::ClientIdMismatch => "send the same client_id in the form as in iss and sub".into(),
            C::UnknownClient => "use the client_id this server registered (iss and sub)".into(),
            C::NoMatchingKey => "sign with a registered key and put its kid (as registered) in the header, or register the key".into(),
            C::CredentialExpired => "register a new key: the one that matched has expired".into(),
            C::JwksUnavailable => "make the client's jwks_uri answer with its key set over HTTPS".into(),
            C::SignatureInvalid => "sign with the private key of the registered public key, and send the assertion unmodified".into(),
            C::AudienceMismatch => format!("set aud to {aud}"),
            C::MissingClaim => "include exp (a number of seconds) and a fresh jti".into(),
            C::Expired | C::TooOld => format!("sign a fresh assertion for each request (accepted up to {} s after iat); check the client's clock", self.max_age),
            C::NotYetValid | C::IssuedInFuture => format!("set the client's clock right (leeway {} s)", profile.future_leeway(self.leeway)),
            C::ExpiryTooFar | C::LifetimeTooLong => format!("keep exp − iat within {} s (a minute is plenty)", self.max_lifetime),
            C::Replayed => "sign a new assertion with a fresh jti for every request".into(),
            C::PolicyRefused => "this server's own policy refused the client: ask its operator (the reason is in the server's log)".into(),
            C::HookFailed => "nothing on the client side: the server's policy hook failed; retry later".into(),
            C::RegistryUnavailable | C::ReplayStoreUnavailable => "nothing on the client side: the server's registry or replay store failed; retry later".into(),
            C::MalformedRequest => "send the body as application/x-www-form-urlencoded UTF-8".into(),
            C::RepeatedParameter => "send each of client_id, client_secret, client_assertion and client_assertion_type once".into(),
            C::MultipleAuthMethods => "use one mechanism only: the Basic header, or client_secret in the form, or a client assertion".into(),
            C::MissingParameter => "send client_assertion with client_assertion_type, and client_secret with client_id".into(),
            C::UnsupportedAssertionType => "set client_assertion_type to urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
            C::NoClientAuthentication => "authenticate with the method the client is registered for".into(),
            C::MalformedAuthorization | C::UnsupportedAuthScheme => "send Authorization: Basic base64(urlencode(client_id) \":\" urlencode(secret)) (RFC 6749 §2.3.1), once".into(),
            C::AuthMethodMismatch if profile == crate::Profile::Fapi2 => "use private_key_jwt or mutual TLS, the methods the fapi2 profile takes (register the client for one)".into(),
            C::AuthMethodMismatch => "use the token_endpoint_auth_method the client is registered for".into(),
            C::InvalidSecret => "send the client_secret this server issued (form-encoded inside Basic)".into(),
            C::SecretExpired => "ask for a new client_secret: this one has expired".into(),
            C::ClientCertificateRequired => "connect with the client certificate (mutual TLS) and send client_id in the form".into(),
            C::MalformedClientCertificate => "nothing on the client side if it sent a certificate over TLS: the proxy's certificate header is malformed".into(),
            C::ClientCertificateUntrusted => "use a certificate issued by a client CA this server trusts, within its validity".into(),
            C::ClientCertificateMismatch => "use the certificate registered for this client (its subject DN or SAN; self-signed: its key in the client's jwks)".into(),
            _ => code.meaning().trim().to_owned(),
        }
    }
}
