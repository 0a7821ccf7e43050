//! Why an assertion is accepted or refused, rule by rule: the verifier's own
//! pipeline run once more, recording nothing, so an explanation can never
//! disagree with a verdict (`Verifier::explain`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use crate::algorithm::Algorithm;
use crate::claims::AudienceMode;
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
pub const RULES: [Rule; 8] = [
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
    Rule { number: 8, name: "replay", checks: "this jti was not used before by this client" },
];

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
        C::Replayed | C::ReplayStoreUnavailable => 7,
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
}

impl Explanation {
    /// The explanation as JSON: `verdict` (`accepted` or the code name),
    /// `client_id` or `error` / `detail`, and `steps` with `rule`, `name`,
    /// `checks`, `status`, `detail`, `fix`.
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
        match &self.verdict {
            Ok(id) => {
                json!({ "verdict": "accepted", "client_id": id, "steps": steps, "replay_checked": self.replay_checked })
            }
            Err(e) => {
                json!({ "verdict": "refused", "error": format!("JWTAUTH_{}", e.code().name()), "detail": e.detail(),
                              "steps": steps, "replay_checked": self.replay_checked })
            }
        }
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
        let steps = RULES
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                let (status, detail, fix) = match (&verdict, failed) {
                    (Ok(_), _) => (Status::Pass, None, None),
                    (Err(e), Some(f)) if i == f => {
                        let found = decoded.as_ref().and_then(|d| found(rule.name, d, now));
                        let detail = match found {
                            Some(found) => format!("{} ({found})", e.detail()),
                            None => e.detail().to_owned(),
                        };
                        (Status::Fail, Some(detail), Some(self.fix(e.code())))
                    }
                    (Err(_), Some(f)) if i < f => (Status::Pass, None, None),
                    (Err(_), _) => (Status::NotReached, None, None),
                };
                Step { rule: *rule, status, detail, fix }
            })
            .collect();
        Explanation { steps, verdict, replay_checked: !dry.unknown.load(Ordering::Relaxed) }
    }

    /// How a client developer fixes `code`, with this verifier's settings.
    fn fix(&self, code: ErrorCode) -> String {
        use ErrorCode as C;
        let aud = if self.endpoints.is_empty() || self.audience_mode != AudienceMode::Compat {
            self.issuer().to_owned()
        } else {
            format!("{} (or {})", self.issuer(), self.endpoints.join(", "))
        };
        let algs: Vec<&str> = self.allowed.iter().map(Algorithm::name).collect();
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
            C::NotYetValid | C::IssuedInFuture => format!("set the client's clock right (leeway {} s)", self.leeway),
            C::ExpiryTooFar | C::LifetimeTooLong => format!("keep exp − iat within {} s (a minute is plenty)", self.max_lifetime),
            C::Replayed => "sign a new assertion with a fresh jti for every request".into(),
            C::RegistryUnavailable | C::ReplayStoreUnavailable => "nothing on the client side: the server's registry or replay store failed; retry later".into(),
            _ => code.meaning().trim().to_owned(),
        }
    }
}
