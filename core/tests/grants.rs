//! The JWT bearer authorization grant (RFC 7523 §2.1) against a trust table:
//! assertions signed by the `jsonwebtoken` crate (not this library's
//! signer), in the shapes of a CI job's OIDC token and a Kubernetes
//! service-account token.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use jsonwebtoken as jt;
use jwtauth::{
    Algorithm, CredentialPolicy, ErrorCode, FixedClock, MemoryReplayStore, SigningKey, SubjectHook,
    TrustTable, Verifier,
};
use serde_json::{Value, json};

#[path = "support/keys.rs"]
mod keys;
const AS: &str = "https://as.example.com";
const TOKEN: &str = "https://as.example.com/oauth2/token";
const CI: &str = "https://ci.example.com";
const K8S: &str = "https://kubernetes.default.svc.cluster.local";
const NOW: i64 = 1_800_000_000;

struct Issuer {
    key: SigningKey,
    kid: &'static str,
}

impl Issuer {
    fn new(kid: &'static str) -> Self {
        Self { key: SigningKey::generate(Algorithm::ES256).unwrap(), kid }
    }

    fn jwk(&self) -> Value {
        let mut j = self.key.public_jwk().unwrap();
        j["kid"] = json!(self.kid);
        j
    }

    fn sign(&self, claims: &Value) -> String {
        let mut header = jt::Header::new(jt::Algorithm::ES256);
        header.kid = Some(self.kid.to_owned());
        let pem = self.key.to_pkcs8_pem().unwrap();
        jt::encode(&header, claims, &jt::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap()).unwrap()
    }
}

fn table(ci: &Issuer, k8s: &Issuer, extra: Value) -> TrustTable {
    let mut doc = json!({"issuers": [
        {"issuer": CI, "jwks": {"keys": [ci.jwk()]}, "subject_prefixes": ["repo:example-org/"],
         "audience": ["issuer"], "max_lifetime": 3600},
        {"issuer": K8S, "jwks": {"keys": [k8s.jwk()]}, "subjects": ["system:serviceaccount:payments:api"],
         "require_jti": false, "max_age": 3600, "max_lifetime": 86400}
    ]});
    if let Some(more) = extra.as_array() {
        doc["issuers"].as_array_mut().unwrap().extend(more.iter().cloned());
    }
    TrustTable::from_value(&doc, &CredentialPolicy::default(), NOW).unwrap()
}

fn verifier(store: Arc<MemoryReplayStore>) -> Verifier {
    Verifier::builder(AS)
        .token_endpoint(TOKEN)
        .clock(Arc::new(FixedClock::new(NOW)))
        .replay_store(store)
        .build()
        .unwrap()
}

/// A CI job's OIDC token (GitHub Actions' shape).
fn ci_claims(sub: &str, jti: &str) -> Value {
    json!({"iss": CI, "sub": sub, "aud": AS, "iat": NOW - 5, "nbf": NOW - 5, "exp": NOW + 300, "jti": jti,
           "repository": "example-org/app", "ref": "refs/heads/main", "workflow": "deploy"})
}

/// A projected Kubernetes service-account token: several audiences, a
/// nested claim, no jti (older clusters).
fn k8s_claims(sub: &str) -> Value {
    json!({"iss": K8S, "sub": sub, "aud": ["https://kubernetes.default.svc", TOKEN], "iat": NOW - 600,
           "nbf": NOW - 600, "exp": NOW + 3000,
           "kubernetes.io": {"namespace": "payments", "serviceaccount": {"name": "api", "uid": "4f6c"}}})
}

fn code(r: jwtauth::Result<jwtauth::Grant>) -> ErrorCode {
    r.unwrap_err().code()
}

#[test]
fn trusted_issuers_grant_their_subjects() {
    let (ci, k8s) = (Issuer::new("ci-1"), Issuer::new("k8s-1"));
    let t = table(&ci, &k8s, json!([]));
    let v = verifier(Arc::new(MemoryReplayStore::default()));
    let g = v
        .verify_grant(ci.sign(&ci_claims("repo:example-org/app:ref:refs/heads/main", "j1")).as_bytes(), &t)
        .unwrap();
    assert_eq!((g.issuer.as_str(), g.subject.as_str()), (CI, "repo:example-org/app:ref:refs/heads/main"));
    assert_eq!(g.claims.to_json()["workflow"], "deploy");
    assert_eq!(g.key_id.as_deref(), Some("ci-1"));
    assert!(g.replay_until.is_some_and(|u| u >= NOW + 300), "its jti is kept until it expires");
    // The Kubernetes token: aud an array naming the token endpoint among others; no jti, allowed.
    let token = k8s.sign(&k8s_claims("system:serviceaccount:payments:api"));
    let g = v.verify_grant(token.as_bytes(), &t).unwrap();
    assert_eq!((g.subject.as_str(), g.replay_until), ("system:serviceaccount:payments:api", None));
    assert!(v.verify_grant(token.as_bytes(), &t).is_ok(), "without a jti nothing is recorded");
}

#[test]
fn every_refusal_has_its_code() {
    let (ci, k8s) = (Issuer::new("ci-1"), Issuer::new("k8s-1"));
    let t = table(&ci, &k8s, json!([]));
    let v = verifier(Arc::new(MemoryReplayStore::default()));
    let sign = |c: &Value| ci.sign(c);
    let main = "repo:example-org/app:ref:refs/heads/main";
    // Unknown issuer, subject outside the prefixes.
    let mut other = ci_claims(main, "a");
    other["iss"] = json!("https://evil.example");
    assert_eq!(code(v.verify_grant(sign(&other).as_bytes(), &t)), ErrorCode::UntrustedIssuer);
    assert_eq!(
        code(v.verify_grant(sign(&ci_claims("repo:other-org/app", "b")).as_bytes(), &t)),
        ErrorCode::SubjectNotAllowed
    );
    // The CI entry accepts the issuer as audience only, not the token endpoint.
    let mut to_endpoint = ci_claims(main, "c");
    to_endpoint["aud"] = json!(TOKEN);
    assert_eq!(code(v.verify_grant(sign(&to_endpoint).as_bytes(), &t)), ErrorCode::AudienceMismatch);
    let mut elsewhere = ci_claims(main, "d");
    elsewhere["aud"] = json!("https://other-as.example");
    assert_eq!(code(v.verify_grant(sign(&elsewhere).as_bytes(), &t)), ErrorCode::AudienceMismatch);
    // jti required by the CI entry; absent or empty refused.
    let mut no_jti = ci_claims(main, "e");
    no_jti.as_object_mut().unwrap().remove("jti");
    assert_eq!(code(v.verify_grant(sign(&no_jti).as_bytes(), &t)), ErrorCode::MissingClaim);
    assert_eq!(code(v.verify_grant(sign(&ci_claims(main, "")).as_bytes(), &t)), ErrorCode::MissingClaim);
    // Times: expired; too old for the Kubernetes entry's max_age even without a jti.
    let mut expired = ci_claims(main, "f");
    expired["exp"] = json!(NOW - 120);
    assert_eq!(code(v.verify_grant(sign(&expired).as_bytes(), &t)), ErrorCode::Expired);
    let mut old = k8s_claims("system:serviceaccount:payments:api");
    old["iat"] = json!(NOW - 7200);
    old["nbf"] = json!(NOW - 7200);
    assert_eq!(code(v.verify_grant(k8s.sign(&old).as_bytes(), &t)), ErrorCode::TooOld);
    // Another issuer's key; a key not registered; no sub.
    assert_eq!(
        code(v.verify_grant(k8s.sign(&ci_claims(main, "g")).as_bytes(), &t)),
        ErrorCode::NoMatchingKey
    );
    let mut no_sub = ci_claims(main, "h");
    no_sub.as_object_mut().unwrap().remove("sub");
    assert_eq!(code(v.verify_grant(sign(&no_sub).as_bytes(), &t)), ErrorCode::MissingClaim);
    // An explicitly typed client assertion is never a grant.
    let mut header = jt::Header::new(jt::Algorithm::ES256);
    header.kid = Some("ci-1".into());
    header.typ = Some("client-authentication+jwt".into());
    let pem = ci.key.to_pkcs8_pem().unwrap();
    let typed =
        jt::encode(&header, &ci_claims(main, "i"), &jt::EncodingKey::from_ec_pem(pem.as_bytes()).unwrap())
            .unwrap();
    assert_eq!(code(v.verify_grant(typed.as_bytes(), &t)), ErrorCode::InvalidType);
    // Every grant refusal is invalid_grant material: the codes' own HTTP status for these two is 400.
    assert_eq!(ErrorCode::UntrustedIssuer.http_status(), 400);
    assert_eq!(ErrorCode::SubjectNotAllowed.oauth_error().as_str(), "invalid_grant");
}

#[test]
fn a_jti_is_used_once_across_verifiers_sharing_a_store() {
    let (ci, k8s) = (Issuer::new("ci-1"), Issuer::new("k8s-1"));
    let t = table(&ci, &k8s, json!([]));
    let store = Arc::new(MemoryReplayStore::default());
    let (a, b) = (verifier(store.clone()), verifier(store));
    let token = ci.sign(&ci_claims("repo:example-org/app", "once"));
    assert!(a.verify_grant(token.as_bytes(), &t).is_ok());
    assert_eq!(code(b.verify_grant(token.as_bytes(), &t)), ErrorCode::Replayed);
    // A present jti is recorded even where it is not required.
    let mut with_jti = k8s_claims("system:serviceaccount:payments:api");
    with_jti["jti"] = json!("k-1");
    let token = k8s.sign(&with_jti);
    assert!(a.verify_grant(token.as_bytes(), &t).is_ok());
    assert_eq!(code(b.verify_grant(token.as_bytes(), &t)), ErrorCode::Replayed);
}

#[test]
fn the_host_decides_subjects_when_asked_to() {
    #[derive(Debug, Default)]
    struct Hook(AtomicUsize);
    impl SubjectHook for Hook {
        fn allowed(&self, issuer: &str, subject: &str) -> Result<bool, String> {
            self.0.fetch_add(1, Ordering::SeqCst);
            assert_eq!(issuer, "https://idp.partner.example");
            match subject {
                "alice@partner.example" => Ok(true),
                "down" => Err("directory unavailable".into()),
                _ => Ok(false),
            }
        }
    }
    let (ci, k8s, partner) = (Issuer::new("ci-1"), Issuer::new("k8s-1"), Issuer::new("p-1"));
    let hook = Arc::new(Hook::default());
    let t = table(
        &ci,
        &k8s,
        json!([{"issuer": "https://idp.partner.example", "jwks": {"keys": [partner.jwk()]},
                                      "subjects": "host", "algorithms": ["ES256"]}]),
    )
    .with_subject_hook(hook.clone());
    let v = verifier(Arc::new(MemoryReplayStore::default()));
    let claims = |sub: &str, jti: &str| json!({"iss": "https://idp.partner.example", "sub": sub, "aud": AS, "iat": NOW, "exp": NOW + 60, "jti": jti});
    assert!(v.verify_grant(partner.sign(&claims("alice@partner.example", "1")).as_bytes(), &t).is_ok());
    assert_eq!(
        code(v.verify_grant(partner.sign(&claims("mallory", "2")).as_bytes(), &t)),
        ErrorCode::SubjectNotAllowed
    );
    assert_eq!(
        code(v.verify_grant(partner.sign(&claims("down", "3")).as_bytes(), &t)),
        ErrorCode::HookFailed
    );
    assert_eq!(hook.0.load(Ordering::SeqCst), 3);
    // Without a hook, a "host" issuer grants nobody.
    let bare = table(
        &ci,
        &k8s,
        json!([{"issuer": "https://idp.partner.example", "jwks": {"keys": [partner.jwk()]},
                                         "subjects": "host"}]),
    );
    assert_eq!(
        code(v.verify_grant(partner.sign(&claims("alice@partner.example", "4")).as_bytes(), &bare)),
        ErrorCode::SubjectNotAllowed
    );
}

#[test]
fn a_trust_table_with_problems_lists_them_all() {
    let ci = Issuer::new("ci-1");
    let mut private = ci.jwk();
    private["d"] = json!("3fTVmiE7Q8Dn4sOWPmE4Nq7MCbWqbDOoYGiVTxtIZ0E");
    let doc = json!({"issuers": [
        {"issuer": CI, "jwks": {"keys": [ci.jwk()]}},
        {"issuer": CI, "jwks": {"keys": [ci.jwk()]}, "subjects": ["a"]},
        {"issuer": "https://b.example", "jwks": {"keys": [private]}, "subjects": ["a"]},
        {"issuer": "https://c.example", "jwks_uri": "http://c.example/jwks", "subjects": ["a"], "audience": ["everyone"],
         "algorithms": ["HS256"], "colour": "blue"},
        {"subjects": ["a"]}
    ], "version": 2});
    let problems = TrustTable::from_value(&doc, &CredentialPolicy::default(), NOW).unwrap_err();
    let at: Vec<(&str, &str)> = problems.iter().map(|p| (p.location.as_str(), p.code.name())).collect();
    for want in [
        ("/issuers/0/subjects", "INVALID_CLIENT_METADATA"),
        ("/issuers/1/issuer", "INVALID_CLIENT_METADATA"),
        ("/issuers/2/jwks/keys/0/d", "PRIVATE_KEY_MATERIAL"),
        ("/issuers/3/jwks_uri", "INVALID_JWKS_URI"),
        ("/issuers/3/audience/0", "INVALID_CLIENT_METADATA"),
        ("/issuers/3/algorithms/0", "INVALID_CLIENT_METADATA"),
        ("/issuers/3/colour", "INVALID_CLIENT_METADATA"),
        ("/issuers/4/issuer", "INVALID_CLIENT_METADATA"),
        ("/version", "INVALID_CLIENT_METADATA"),
    ] {
        assert!(at.contains(&want), "{want:?} not in {at:?}");
    }
}

#[test]
fn an_unknown_issuer_fetches_nothing() {
    #[derive(Debug, Default)]
    struct Counting(AtomicUsize);
    impl jwtauth::JwksFetcher for Counting {
        fn fetch(
            &self,
            _uri: &jwtauth::JwksUri,
            _timeout: std::time::Duration,
        ) -> Result<jwtauth::FetchedJwks, String> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Err("offline".into())
        }
    }
    let fetcher = Arc::new(Counting::default());
    let remote =
        Arc::new(jwtauth::RemoteJwks::with_fetcher(jwtauth::RemoteJwksConfig::default(), fetcher.clone()));
    let doc = json!({"issuers": [{"issuer": CI, "jwks_uri": "https://ci.example.com/jwks", "subject_prefixes": ["repo:"]}]});
    let t = TrustTable::from_value(&doc, &CredentialPolicy::default(), NOW).unwrap();
    let v = Verifier::builder(AS).clock(Arc::new(FixedClock::new(NOW))).remote_jwks(remote).build().unwrap();
    let stranger = Issuer::new("x");
    let mut claims = ci_claims("repo:a", "1");
    claims["iss"] = json!("https://stranger.example");
    assert_eq!(code(v.verify_grant(stranger.sign(&claims).as_bytes(), &t)), ErrorCode::UntrustedIssuer);
    assert_eq!(fetcher.0.load(Ordering::SeqCst), 0, "nothing fetched for an issuer nobody trusts");
    // The trusted issuer's registered jwks_uri is fetched (and here fails: JWKS_UNAVAILABLE).
    assert_eq!(
        code(v.verify_grant(stranger.sign(&ci_claims("repo:a", "2")).as_bytes(), &t)),
        ErrorCode::JwksUnavailable
    );
    assert_eq!(fetcher.0.load(Ordering::SeqCst), 1);
}

/// A token-endpoint authenticator with the trust table: one
/// `client_secret_basic` client and one `private_key_jwt` client.
fn authenticator(t: TrustTable, v: Verifier, client_key: &SigningKey) -> jwtauth::Authenticator {
    let registry = jwtauth::MemoryRegistry::from_json(
        &json!({"clients": [
            {"client_id": "worker", "token_endpoint_auth_method": "client_secret_basic",
             "client_secret": "a-long-enough-secret-for-basic-auth-0001"},
            {"client_id": "signer", "token_endpoint_auth_method": "private_key_jwt",
             "jwks": {"keys": [client_key.public_jwk().unwrap()]}}
        ]})
        .to_string(),
        &CredentialPolicy::default(),
        NOW,
    )
    .unwrap();
    jwtauth::Authenticator::new(v, Arc::new(registry)).with_trust(t)
}

fn grant_body(assertion: &str, extra: &[(&str, &str)]) -> Vec<u8> {
    let mut pairs = vec![("grant_type", jwtauth::JWT_BEARER_GRANT_TYPE), ("assertion", assertion)];
    pairs.extend_from_slice(extra);
    jwtauth::form::encode_pairs(pairs).into_bytes()
}

const BASIC: &str = "Basic d29ya2VyOmEtbG9uZy1lbm91Z2gtc2VjcmV0LWZvci1iYXNpYy1hdXRoLTAwMDE=";

#[test]
fn a_grant_request_returns_the_client_and_the_grant() {
    use jwtauth::Authorization;
    let (ci, k8s) = (Issuer::new("ci-1"), Issuer::new("k8s-1"));
    let client_key = SigningKey::generate(Algorithm::ES256).unwrap();
    let a = authenticator(
        table(&ci, &k8s, json!([])),
        verifier(Arc::new(MemoryReplayStore::default())),
        &client_key,
    );
    let main = "repo:example-org/app:ref:refs/heads/main";
    // Basic authentication and the grant.
    let body = grant_body(&ci.sign(&ci_claims(main, "r1")), &[("scope", "deploy")]);
    let r = a.authenticate_grant(Authorization::Value(BASIC.as_bytes()), &body, None).unwrap();
    assert_eq!(r.client.as_ref().map(jwtauth::Authenticated::client_id), Some("worker"));
    assert_eq!((r.grant.issuer.as_str(), r.grant.subject.as_str()), (CI, main));
    // A client assertion (private_key_jwt) and the grant, in one form.
    let client_assertion = jwtauth::AssertionBuilder::new(&client_key, "signer", AS)
        .clock(Arc::new(FixedClock::new(NOW)))
        .sign()
        .unwrap();
    let client_assertion = client_assertion.assertion.as_str();
    let body = grant_body(
        &k8s.sign(&k8s_claims("system:serviceaccount:payments:api")),
        &[("client_assertion_type", jwtauth::CLIENT_ASSERTION_TYPE), ("client_assertion", client_assertion)],
    );
    let r = a.authenticate_grant(Authorization::Absent, &body, None).unwrap();
    assert_eq!(r.client.as_ref().map(|c| c.method), Some(jwtauth::AuthMethod::PrivateKeyJwt));
    assert_eq!(r.grant.issuer, K8S);
    // No client authentication: refused by default.
    let body = grant_body(&ci.sign(&ci_claims(main, "r2")), &[]);
    let e = a.authenticate_grant(Authorization::Absent, &body, None).unwrap_err();
    assert_eq!((e.code(), e.response().status), (ErrorCode::NoClientAuthentication, 401));
    // The refused client did not spend the grant's jti: with the client it is accepted.
    assert!(a.authenticate_grant(Authorization::Value(BASIC.as_bytes()), &body, None).is_ok());
    // A bad client secret is invalid_client, 401, and the grant is not looked at.
    let bad = jwtauth::form::basic_authorization("worker", "wrong-secret");
    let e = a.authenticate_grant(Authorization::Value(bad.as_bytes()), &body, None).unwrap_err();
    assert_eq!((e.code(), e.response().status), (ErrorCode::InvalidSecret, 401));
    assert!(e.response().body.contains("invalid_client"));
}

#[test]
fn anonymous_grants_when_the_table_allows_them() {
    use jwtauth::Authorization;
    let (ci, k8s) = (Issuer::new("ci-1"), Issuer::new("k8s-1"));
    let doc = json!({"client_authentication": "optional", "issuers": [
        {"issuer": CI, "jwks": {"keys": [ci.jwk()]}, "subject_prefixes": ["repo:example-org/"]}]});
    let t = TrustTable::from_value(&doc, &CredentialPolicy::default(), NOW).unwrap();
    assert!(t.allows_anonymous_grants());
    let client_key = SigningKey::generate(Algorithm::ES256).unwrap();
    let a = authenticator(t, verifier(Arc::new(MemoryReplayStore::default())), &client_key);
    let body = grant_body(&ci.sign(&ci_claims("repo:example-org/app", "n1")), &[]);
    let r = a.authenticate_grant(Authorization::Absent, &body, None).unwrap();
    assert!(r.client.is_none());
    assert_eq!(r.grant.subject, "repo:example-org/app");
    // A client that does authenticate is still checked.
    let body = grant_body(&ci.sign(&ci_claims("repo:example-org/app", "n2")), &[("client_id", "nobody")]);
    let e = a.authenticate_grant(Authorization::Absent, &body, None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnknownClient);
    let _ = k8s;
    // A bad value for the member is a problem with its pointer.
    let doc = json!({"client_authentication": "sometimes", "issuers": []});
    let problems = TrustTable::from_value(&doc, &CredentialPolicy::default(), NOW).unwrap_err();
    assert!(problems.iter().any(|p| p.location == "/client_authentication"), "{problems:?}");
}

#[test]
fn grant_refusals_are_invalid_grant_and_request_errors_invalid_request() {
    use jwtauth::Authorization;
    let (ci, k8s) = (Issuer::new("ci-1"), Issuer::new("k8s-1"));
    let client_key = SigningKey::generate(Algorithm::ES256).unwrap();
    let a = authenticator(
        table(&ci, &k8s, json!([])),
        verifier(Arc::new(MemoryReplayStore::default())),
        &client_key,
    );
    let basic = Authorization::Value(BASIC.as_bytes());
    let main = "repo:example-org/app";
    let refuse = |body: &[u8]| {
        let e = a.authenticate_grant(basic, body, None).unwrap_err();
        let r = e.response();
        let error: Value = serde_json::from_str(&r.body).unwrap();
        (e.code(), r.status, error["error"].as_str().unwrap().to_owned(), r.www_authenticate)
    };
    let grant = |c: ErrorCode| (c, 400, "invalid_grant".to_owned(), None);
    let mut expired = ci_claims(main, "e1");
    expired["exp"] = json!(NOW - 100);
    expired["iat"] = json!(NOW - 200);
    let mut untrusted = ci_claims(main, "u1");
    untrusted["iss"] = json!("https://evil.example");
    let mut wrong_aud = ci_claims(main, "w1");
    wrong_aud["aud"] = json!("https://other.example");
    let mut no_jti = ci_claims(main, "x");
    no_jti.as_object_mut().unwrap().remove("jti");
    // Every grant refusal: invalid_grant, 400, no WWW-Authenticate, the code kept.
    assert_eq!(refuse(&grant_body(&ci.sign(&expired), &[])), grant(ErrorCode::Expired));
    assert_eq!(refuse(&grant_body(&ci.sign(&untrusted), &[])), grant(ErrorCode::UntrustedIssuer));
    assert_eq!(refuse(&grant_body(&ci.sign(&wrong_aud), &[])), grant(ErrorCode::AudienceMismatch));
    assert_eq!(refuse(&grant_body(&ci.sign(&no_jti), &[])), grant(ErrorCode::MissingClaim));
    assert_eq!(
        refuse(&grant_body(&ci.sign(&ci_claims("repo:x/y", "s1")), &[])),
        grant(ErrorCode::SubjectNotAllowed)
    );
    assert_eq!(refuse(&grant_body("not.a.jwt", &[])), grant(ErrorCode::InvalidBase64));
    let forged = k8s.sign(&ci_claims(main, "f1"));
    assert_eq!(refuse(&grant_body(&forged, &[])).0, ErrorCode::NoMatchingKey);
    assert_eq!(refuse(&grant_body(&forged, &[])).1, 400);
    let once = grant_body(&ci.sign(&ci_claims(main, "once")), &[]);
    assert!(a.authenticate_grant(basic, &once, None).is_ok());
    assert_eq!(refuse(&once), grant(ErrorCode::Replayed));
    // The request's shape: invalid_request (or unsupported_grant_type).
    let req = |c: ErrorCode| (c, 400, "invalid_request".to_owned(), None);
    let token = ci.sign(&ci_claims(main, "shape"));
    assert_eq!(refuse(&grant_body(&token, &[("code", "abc")])), req(ErrorCode::MultipleGrants));
    assert_eq!(refuse(&grant_body(&token, &[("refresh_token", "r")])), req(ErrorCode::MultipleGrants));
    assert_eq!(refuse(&grant_body(&token, &[("assertion", "again")])), req(ErrorCode::RepeatedParameter));
    assert_eq!(
        refuse(&grant_body(&token, &[("grant_type", "client_credentials")])),
        req(ErrorCode::RepeatedParameter)
    );
    let no_assertion = jwtauth::form::encode_pairs([("grant_type", jwtauth::JWT_BEARER_GRANT_TYPE)]);
    assert_eq!(refuse(no_assertion.as_bytes()), req(ErrorCode::MissingParameter));
    let other = jwtauth::form::encode_pairs([("grant_type", "client_credentials"), ("assertion", &token)]);
    assert_eq!(
        refuse(other.as_bytes()),
        (ErrorCode::UnsupportedGrantType, 400, "unsupported_grant_type".to_owned(), None)
    );
    // None of those spent the assertion's jti.
    assert!(a.authenticate_grant(basic, &grant_body(&token, &[]), None).is_ok());
    // The counters: grants apart from clients.
    let m = a.verifier().metrics().to_json();
    assert_eq!(m["grants"]["accepted"], 2, "{m}");
    assert_eq!(m["grants"]["refused"]["JWTAUTH_REPLAYED"], 1, "{m}");
    assert_eq!(m["grants"]["refused"]["JWTAUTH_UNTRUSTED_ISSUER"], 1, "{m}");
    assert_eq!(m["refused"]["JWTAUTH_MULTIPLE_GRANTS"], 2, "{m}");
    assert!(m["refused"].get("JWTAUTH_REPLAYED").is_none(), "{m}");
    let text = a.verifier().metrics().to_prometheus(&a.verifier().report());
    assert!(text.contains("jwtauth_grants_accepted_total 2"), "{text}");
}

#[test]
fn grant_events_name_the_issuer_and_subject() {
    use std::sync::Mutex;
    #[derive(Debug, Default)]
    struct Log(Mutex<Vec<Value>>);
    impl jwtauth::EventHook for Log {
        fn event(&self, e: &jwtauth::Event<'_>) {
            self.0.lock().unwrap().push(e.to_json());
        }
    }
    let (ci, k8s) = (Issuer::new("ci-1"), Issuer::new("k8s-1"));
    let log = Arc::new(Log::default());
    let v = Verifier::builder(AS)
        .token_endpoint(TOKEN)
        .clock(Arc::new(FixedClock::new(NOW)))
        .event_hook(log.clone())
        .build()
        .unwrap();
    let t = table(&ci, &k8s, json!([]));
    let main = "repo:example-org/app";
    v.verify_grant(ci.sign(&ci_claims(main, "ev1")).as_bytes(), &t).unwrap();
    let _ = v.verify_grant(ci.sign(&ci_claims("repo:else/x", "ev2")).as_bytes(), &t);
    let events = log.0.lock().unwrap().clone();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["outcome"], "accepted");
    assert_eq!(events[0]["grant"], json!({"issuer": CI, "subject": main, "alg": "ES256"}));
    assert_eq!(events[1]["code"], "JWTAUTH_SUBJECT_NOT_ALLOWED");
    assert_eq!(
        (events[1]["status"].clone(), events[1]["error"].clone()),
        (json!(400), json!("invalid_grant"))
    );
    assert_eq!(events[1]["grant"]["subject"], "repo:else/x");
    for e in &events {
        assert!(!e.to_string().contains("eyJ"), "an event never holds the assertion: {e}");
    }
}

/// `tests/vectors/grants.json`, the file the C, Python and Node suites run.
#[test]
fn grant_vectors() {
    use jwtauth::{Authenticator, Authorization, MemoryRegistry};
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/grants.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cfg = &doc["defaults"]["config"];
    let mut failures = Vec::new();
    let (mut steps, mut tables_refused, mut explained_steps) = (0, 0, 0);
    for case in doc["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let now = case["now"].as_i64().unwrap();
        let policy = CredentialPolicy::default();
        let table = match (TrustTable::from_value(&case["trust"], &policy, now), case.get("trust_problems")) {
            (Ok(t), None) => t,
            (Err(problems), Some(want)) => {
                let mut got: Vec<&str> = problems.iter().map(|p| p.location.as_str()).collect();
                got.sort_unstable();
                let want: Vec<&str> = want.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
                if got == want {
                    tables_refused += 1;
                } else {
                    failures.push(format!("{id}: problems at {got:?}, want {want:?}"));
                }
                continue;
            }
            (r, _) => {
                failures.push(format!("{id}: trust table {:?}", r.err()));
                continue;
            }
        };
        let store = Arc::new(MemoryReplayStore::default());
        let make = || {
            let v = Verifier::builder(cfg["issuer"].as_str().unwrap())
                .token_endpoint(cfg["token_endpoint"].as_str().unwrap())
                .clock(Arc::new(FixedClock::new(now)))
                .replay_store(store.clone())
                .build()
                .unwrap();
            let registry = MemoryRegistry::from_value(&case["registry"], &policy, now).unwrap();
            Authenticator::new(v, Arc::new(registry))
                .with_realm(cfg["realm"].as_str().unwrap())
                .with_trust(table.clone())
        };
        let (a, b) = (make(), make());
        for (i, step) in case["steps"].as_array().unwrap().iter().enumerate() {
            steps += 1;
            let on = if step.get("verifier").is_some() { &b } else { &a };
            let authorization = Authorization::from(step.get("authorization").and_then(Value::as_str));
            let expect = &step["expect"];
            // The explanation of the assertion alone, first (it records nothing).
            let assertion = step["form"].as_array().unwrap().iter().find(|p| p[0] == "assertion");
            let explained =
                assertion.map(|p| on.verifier().explain_grant(p[1].as_str().unwrap().as_bytes(), &table));
            let r = on.authenticate_grant(authorization, step["body"].as_str().unwrap().as_bytes(), None);
            let grant_verdict = expect.get("error").is_none() || expect["oauth_error"] == "invalid_grant";
            if let (Some(x), true) = (&explained, grant_verdict) {
                let fails = x.steps.iter().filter(|s| s.status == jwtauth::Status::Fail).count();
                let agrees = match (&x.verdict, &r) {
                    (Ok(sub), Ok(g)) => {
                        *sub == g.grant.subject
                            && x.issuer.as_deref() == Some(g.grant.issuer.as_str())
                            && fails == 0
                    }
                    (Err(a), Err(b)) => {
                        a.code() == b.code() && fails == 1 && x.response.as_ref() == Some(&b.response())
                    }
                    _ => false,
                };
                if !agrees {
                    failures.push(format!("{id} step {i}: explain_grant says {}", x.to_json()));
                }
                explained_steps += 1;
            }
            let ok = match (&r, expect.get("error")) {
                (Ok(g), None) => {
                    g.client.as_ref().map(jwtauth::Authenticated::client_id) == expect["client_id"].as_str()
                        && g.client.as_ref().map(|c| c.method.as_str()) == expect["method"].as_str()
                        && g.grant.issuer == expect["grant"]["issuer"]
                        && g.grant.subject == expect["grant"]["subject"]
                }
                (Err(e), Some(code)) => {
                    let resp = e.response();
                    let body: Value = serde_json::from_str(&resp.body).unwrap();
                    e.code().name() == code.as_str().unwrap()
                        && u64::from(resp.status) == expect["status"].as_u64().unwrap()
                        && body["error"] == expect["oauth_error"]
                        && resp.www_authenticate.is_some() == expect["www_authenticate"].as_bool().unwrap()
                }
                _ => false,
            };
            if !ok {
                failures.push(format!("{id} step {i}: got {r:?}, want {expect}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert!(steps >= 30 && tables_refused == 1, "{steps} steps, {tables_refused} tables refused");
    assert!(explained_steps >= 20, "{explained_steps} explained");
}

/// The library signs grants too (a workload that holds its own key, as a
/// service account does): `AssertionBuilder::subject`.
#[test]
fn the_builder_signs_a_grant() {
    let key = SigningKey::generate(Algorithm::EdDSA).unwrap();
    let doc = json!({"issuers": [{"issuer": "https://svc.example", "jwks": {"keys": [key.public_jwk().unwrap()]},
                                  "subjects": ["batch-job"]}]});
    let t = TrustTable::from_value(&doc, &CredentialPolicy::default(), NOW).unwrap();
    let signed = jwtauth::AssertionBuilder::new(&key, "https://svc.example", AS)
        .subject("batch-job")
        .clock(Arc::new(FixedClock::new(NOW)))
        .sign()
        .unwrap();
    assert_eq!(signed.subject.as_deref(), Some("batch-job"));
    let fields = signed.form_fields();
    assert_eq!(
        fields,
        vec![("grant_type", jwtauth::JWT_BEARER_GRANT_TYPE), ("assertion", signed.assertion.as_str())]
    );
    let v = verifier(Arc::new(MemoryReplayStore::default()));
    let g = v.verify_grant(signed.assertion.as_bytes(), &t).unwrap();
    assert_eq!((g.issuer.as_str(), g.subject.as_str()), ("https://svc.example", "batch-job"));
    assert_eq!(g.header.typ.as_deref(), Some("JWT"), "a grant is not typed as a client assertion");
    // An empty subject is a usage error.
    let e = jwtauth::AssertionBuilder::new(&key, "https://svc.example", AS).subject("").sign().unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArgument);
}

/// A GitHub Actions OIDC token's header names its key twice, `kid` and
/// `x5t`, while the published JWK Set carries `kid` (and the certificate
/// thumbprint) — the key is found, the token accepted.
#[test]
fn a_github_style_header_with_x5t_finds_its_jwks_key() {
    let key = keys::generate(Algorithm::RS256).unwrap();
    let mut jwk = key.public_jwk().unwrap();
    jwk["kid"] = json!("38826b17-6a30-5f9b-b169-8beb8202f723");
    jwk["use"] = json!("sig");
    jwk["alg"] = json!("RS256");
    let doc = json!({"issuers": [{"issuer": "https://token.actions.githubusercontent.com", "jwks": {"keys": [jwk]},
                                  "subject_prefixes": ["repo:example-org/"], "audience": ["issuer"]}]});
    let t = TrustTable::from_value(&doc, &CredentialPolicy::default(), NOW).unwrap();
    let mut header = jt::Header::new(jt::Algorithm::RS256);
    header.kid = Some("38826b17-6a30-5f9b-b169-8beb8202f723".into());
    header.x5t = Some("cgBy9TkQWTWzRjUs0RR1fqY6kDs".into());
    header.typ = Some("JWT".into());
    let claims = json!({"iss": "https://token.actions.githubusercontent.com", "aud": AS,
        "sub": "repo:example-org/deploy-tool:ref:refs/heads/main", "jti": "a1b2", "iat": NOW - 5, "nbf": NOW - 65,
        "exp": NOW + 295, "repository": "example-org/deploy-tool", "repository_owner": "example-org",
        "ref": "refs/heads/main", "runner_environment": "github-hosted", "job_workflow_ref": "example-org/deploy-tool/.github/workflows/deploy.yml@refs/heads/main"});
    let pem = key.to_pkcs8_pem().unwrap();
    let token =
        jt::encode(&header, &claims, &jt::EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap()).unwrap();
    let v = verifier(Arc::new(MemoryReplayStore::default()));
    let g = v.verify_grant(token.as_bytes(), &t).unwrap();
    assert_eq!(g.claims.to_json()["repository_owner"], "example-org");
}
