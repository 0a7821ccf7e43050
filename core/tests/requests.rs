//! Runs `tests/vectors/requests.json` (the same file the C, Python and Node
//! suites run): registration through the registry loader and the credential
//! policy, then each request through the `Authenticator`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]
use std::path::PathBuf;
use std::sync::Arc;

use jwtauth::{
    AudienceMode, Authenticator, CredentialPolicy, FixedClock, MemoryRegistry, MemoryReplayStore, Verifier,
};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn authenticator(
    cfg: &serde_json::Map<String, Value>,
    registry: MemoryRegistry,
    clock: Arc<FixedClock>,
) -> Authenticator {
    let mut b = Verifier::builder(cfg["issuer"].as_str().unwrap())
        .token_endpoint(cfg["token_endpoint"].as_str().unwrap())
        .audience_mode(AudienceMode::from_name(cfg["audience_mode"].as_str().unwrap()).unwrap())
        .leeway(cfg["leeway"].as_i64().unwrap())
        .max_age(cfg["max_age"].as_i64().unwrap())
        .max_assertion_len(usize::try_from(cfg["max_assertion_len"].as_u64().unwrap()).unwrap())
        .replay_store(Arc::new(MemoryReplayStore::new(1024)))
        .clock(clock);
    for a in cfg["extra_audiences"].as_array().unwrap() {
        b = b.extra_audience(a.as_str().unwrap());
    }
    if let Some(p) = cfg.get("profile").and_then(Value::as_str) {
        b = b.profile(jwtauth::Profile::from_name(p).unwrap());
    }
    if let Some(p) = cfg.get("report_profile").and_then(Value::as_str) {
        b = b.report_profile(jwtauth::Profile::from_name(p).unwrap());
    }
    let mut a =
        Authenticator::new(b.build().unwrap(), Arc::new(registry)).with_realm(cfg["realm"].as_str().unwrap());
    if let Some(pem) = cfg.get("client_ca").and_then(Value::as_str) {
        a = a.with_client_ca(jwtauth::TrustAnchors::from_pem(pem.as_bytes()).unwrap());
    }
    a
}

/// A step's client certificate: `{"format", "data", "verified_by_tls"}`
/// (DER as standard base64).
fn certificate_of(step: &Value) -> Option<(jwtauth::CertificateFormat, Vec<u8>, bool)> {
    use base64::Engine as _;
    let c = step.get("certificate")?;
    let format = jwtauth::CertificateFormat::named(c["format"].as_str().unwrap()).unwrap();
    let data = c["data"].as_str().unwrap();
    let bytes = if format == jwtauth::CertificateFormat::Der {
        base64::engine::general_purpose::STANDARD.decode(data).unwrap()
    } else {
        data.as_bytes().to_vec()
    };
    Some((format, bytes, c["verified_by_tls"].as_bool().unwrap()))
}

#[test]
fn request_vectors() {
    let doc = load("requests.json");
    let defaults = doc["defaults"]["config"].as_object().unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 60, "vector file looks truncated");
    let mut failures = Vec::new();
    let (mut steps_run, mut registrations_refused, mut explained_steps) = (0, 0, 0);
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let now = case["now"].as_i64().unwrap();
        let policy = case
            .get("policy")
            .map_or_else(CredentialPolicy::default, |p| CredentialPolicy::from_json(&p.to_string()).unwrap());
        let loaded = MemoryRegistry::from_value(&case["registry"], &policy, now);
        let registry = match (loaded, case.get("registration")) {
            (Ok(r), None) => r,
            (Err(problems), Some(want)) => {
                let got: Vec<&str> = problems.iter().map(|p| p.code.name()).collect();
                let want: Vec<&str> =
                    want["problems"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
                if got == want {
                    registrations_refused += 1;
                    // Messages are for people: never empty, never key material.
                    for p in &problems {
                        assert!(!p.message.is_empty() && !p.message.contains("AAAA"), "{id}: {p}");
                    }
                } else {
                    failures
                        .push(format!("{id}: registration problems {got:?}, want {want:?}: {problems:?}"));
                }
                continue;
            }
            (Ok(_), Some(want)) => {
                failures.push(format!("{id}: registration accepted, want {want}"));
                continue;
            }
            (Err(problems), None) => {
                failures.push(format!("{id}: registration refused: {problems:?}"));
                continue;
            }
        };
        let mut cfg = defaults.clone();
        if let Some(o) = case.get("config") {
            cfg.extend(o.as_object().unwrap().clone());
        }
        let clock = Arc::new(FixedClock::new(now));
        let auth = authenticator(&cfg, registry, clock.clone());
        for (i, step) in case["steps"].as_array().unwrap().iter().enumerate() {
            steps_run += 1;
            if let Some(t) = step.get("now").and_then(Value::as_i64) {
                clock.set(t);
            }
            let authorization = step.get("authorization").and_then(Value::as_str);
            let cert = certificate_of(step);
            let presented =
                cert.as_ref().map(|(format, bytes, verified_by_tls)| jwtauth::PresentedCertificate::Raw {
                    format: *format,
                    bytes,
                    verified_by_tls: *verified_by_tls,
                });
            // The explanation first: it records nothing and reaches authenticate's verdict.
            let explained = auth.explain_tls(
                jwtauth::Authorization::from(authorization),
                step["body"].as_str().unwrap().as_bytes(),
                presented,
            );
            let results = {
                let mut r = vec![(
                    "body",
                    auth.authenticate_tls(
                        jwtauth::Authorization::from(authorization),
                        step["body"].as_str().unwrap().as_bytes(),
                        presented,
                    ),
                )];
                if cert.is_some() {
                    // The certificate API: its pair variant must agree too.
                    let form = step["form"].as_array().unwrap();
                    let pairs: Vec<(&str, &str)> =
                        form.iter().map(|p| (p[0].as_str().unwrap(), p[1].as_str().unwrap())).collect();
                    if step["expect"].get("error").is_some()
                        || !pairs.iter().any(|(k, _)| *k == "client_assertion")
                    {
                        r.push((
                            "form",
                            auth.authenticate_tls_pairs(
                                jwtauth::Authorization::from(authorization),
                                pairs.iter().map(|(k, v)| (k.as_bytes(), v.as_bytes())),
                                presented,
                            ),
                        ));
                    }
                } else if let Some(form) = step.get("form") {
                    // The pair API must agree with the body API; only run it
                    // when the step is not a replay of the body request.
                    let pairs: Vec<(String, String)> = form
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|p| (p[0].as_str().unwrap().to_owned(), p[1].as_str().unwrap().to_owned()))
                        .collect();
                    let replays = step["expect"].get("error").is_none()
                        && pairs.iter().any(|(k, _)| k == "client_assertion");
                    if !replays {
                        let explained_pairs = auth.explain_pairs(
                            jwtauth::Authorization::from(authorization),
                            pairs.iter().map(|(k, v)| (k.as_bytes(), v.as_bytes())),
                        );
                        let result = auth.authenticate(authorization, pairs);
                        let agrees = match (&explained_pairs.verdict, &result) {
                            (Ok(id), Ok(a)) => id == a.client_id(),
                            (Err(x), Err(y)) => x.code() == y.code(),
                            _ => false,
                        };
                        if !agrees || explained_pairs.steps != explained.steps {
                            failures.push(format!(
                                "{id} step {i}: explain_pairs says {}",
                                explained_pairs.to_json()
                            ));
                        }
                        r.push(("form", result));
                    }
                }
                r
            };
            let expect = &step["expect"];
            if let Some((_, body_result)) = results.first() {
                let fails = explained.steps.iter().filter(|s| s.status == jwtauth::Status::Fail).count();
                let agrees = match (&explained.verdict, body_result) {
                    (Ok(id), Ok(a)) => id == a.client_id() && explained.method == Some(a.method),
                    (Err(x), Err(y)) => {
                        x.code() == y.code()
                            && explained.response.as_ref() == Some(&y.response())
                            && fails == 1
                    }
                    _ => false,
                };
                if !agrees || (body_result.is_ok() && fails != 0) {
                    failures.push(format!(
                        "{id} step {i}: explain says {}, authenticate {body_result:?}",
                        explained.to_json()
                    ));
                }
                explained_steps += 1;
            }
            for (api, result) in results {
                let ok = match (&result, expect.get("error")) {
                    (Ok(a), None) => {
                        a.client_id() == expect["client_id"].as_str().unwrap()
                            && a.method.as_str() == expect["method"].as_str().unwrap()
                            && a.assertion.is_some() == a.method.as_str().ends_with("_jwt")
                            && a.certificate_thumbprint.as_deref()
                                == expect.get("certificate_thumbprint").and_then(Value::as_str)
                            && match expect.get("would_refuse") {
                                None => true,
                                Some(Value::Null) => a.would_refuse.is_none(),
                                Some(w) => a.would_refuse.as_ref().is_some_and(|x| {
                                    w["profile"] == x.profile.as_str() && w["code"] == x.code.name()
                                }),
                            }
                    }
                    (Err(e), Some(code)) => {
                        let r = e.response();
                        let body: Value = serde_json::from_str(&r.body).unwrap();
                        e.code().name() == code.as_str().unwrap()
                            && u64::from(r.status) == expect["status"].as_u64().unwrap()
                            && r.www_authenticate.is_some() == expect["www_authenticate"].as_bool().unwrap()
                            && body["error"] == e.error().oauth_error().as_str()
                            && body["error_description"] == e.error().description()
                            && r.www_authenticate
                                .as_deref()
                                .is_none_or(|w| w.contains("realm=\"as.example.com\""))
                    }
                    _ => false,
                };
                if !ok {
                    failures.push(format!("{id} step {i} ({api}): got {result:?}, want {expect}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(explained_steps, steps_run, "explain ran on every step");
    assert!(
        steps_run > 60 && registrations_refused >= 15,
        "{steps_run} steps, {registrations_refused} refusals"
    );
}

/// A refused request's explanation still names the client and the method it
/// presented (what `jwtauth serve` lists for each attempt).
#[test]
fn a_refusal_names_the_client_and_the_presented_method() {
    use jwtauth::{AssertionBuilder, AuthMethod, Authorization, Client, SigningKey, form};
    let registry = MemoryRegistry::new();
    registry.insert(
        Client::new("basic-client", AuthMethod::ClientSecretBasic)
            .with_secret(b"a-long-enough-secret-for-basic-32b", None)
            .unwrap(),
    );
    let auth =
        Authenticator::new(Verifier::builder("https://as.example.com").build().unwrap(), Arc::new(registry));
    let basic = form::basic_authorization("basic-client", "wrong");
    let e = auth.explain(Authorization::from(Some(basic.as_str())), b"grant_type=client_credentials");
    assert_eq!(e.verdict.as_ref().unwrap_err().code(), jwtauth::ErrorCode::InvalidSecret);
    assert_eq!(e.client_id.as_deref(), Some("basic-client"));
    assert_eq!(e.method, Some(AuthMethod::ClientSecretBasic));
    assert_eq!(e.to_json()["client_id"], "basic-client");
    // An HS256 assertion from an unknown client: named by its sub, client_secret_jwt by its alg.
    let key =
        SigningKey::from_secret(b"another-secret-of-thirty-two-bytes!!", jwtauth::Algorithm::HS256).unwrap();
    let jwt = AssertionBuilder::new(&key, "nobody", "https://as.example.com").sign().unwrap().assertion;
    let body = form::encode_pairs([
        ("grant_type", "client_credentials"),
        ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
        ("client_assertion", jwt.as_str()),
    ]);
    let e = auth.explain(Authorization::Absent, body.as_bytes());
    assert_eq!(e.verdict.as_ref().unwrap_err().code(), jwtauth::ErrorCode::UnknownClient);
    assert_eq!(e.client_id.as_deref(), Some("nobody"));
    assert_eq!(e.method, Some(AuthMethod::ClientSecretJwt));
    // No client at all: nothing named, nothing presented.
    let e = auth.explain(Authorization::Absent, b"grant_type=client_credentials");
    assert_eq!((e.client_id, e.method), (None, None));
}
