//! Runs the shared vectors in `tests/vectors/` (the same files the C, Python
//! and Node suites run): every case must give the expected verdict and code.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use jwtauth::{
    Algorithm, AlgorithmSet, AudienceMode, AuthMethod, Client, Credential, ErrorCode, FixedClock, JwkSet,
    MemoryReplayStore, SigningKey, Verifier, VerifyingKey,
};
use serde_json::Value;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn load(name: &str) -> Value {
    let text = std::fs::read_to_string(vectors_dir().join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

struct Keys(HashMap<String, Value>);

impl Keys {
    fn load() -> Self {
        let v = load("keys.json");
        Self(v["keys"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }
    fn get(&self, name: &str, field: &str) -> &Value {
        &self.0.get(name).unwrap_or_else(|| panic!("no key {name}"))[field]
    }
}

fn credential(keys: &Keys, spec: &Value) -> Credential {
    let s = |v: &Value| v.as_str().unwrap().to_owned();
    let fmt = spec["format"].as_str().unwrap();
    let mut cred = match fmt {
        "jwk" => {
            let mut jwk = keys.get(spec["key"].as_str().unwrap(), "jwk").clone();
            if let Some(alg) = spec.get("alg") {
                jwk["alg"] = alg.clone();
            }
            Credential::from_key(VerifyingKey::from_jwk(&jwk.to_string()).unwrap())
        }
        "pem" => Credential::from_key(
            VerifyingKey::from_pem(&s(keys.get(spec["key"].as_str().unwrap(), "spki_pem"))).unwrap(),
        ),
        "pkcs1" => Credential::from_key(
            VerifyingKey::from_pem(&s(keys.get(spec["key"].as_str().unwrap(), "pkcs1_pem"))).unwrap(),
        ),
        "cert" => Credential::from_key(
            VerifyingKey::from_pem(&s(keys.get(spec["key"].as_str().unwrap(), "cert_pem"))).unwrap(),
        ),
        "jwks" => {
            let list: Vec<Value> = spec["keys"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| keys.get(n.as_str().unwrap(), "jwk").clone())
                .collect();
            let doc = serde_json::json!({ "keys": list }).to_string();
            Credential::from_jwks(JwkSet::from_json(&doc).unwrap())
        }
        "secret" => Credential::from_secret(spec["secret"].as_str().unwrap().as_bytes()).unwrap(),
        other => panic!("unknown credential format {other}"),
    };
    if let Some(e) = spec.get("expires_at").and_then(Value::as_i64) {
        cred = cred.with_expiry(e);
    }
    if spec.get("expiry_from_cert").and_then(Value::as_bool) == Some(true) {
        cred = cred.with_expiry_from_certificate().unwrap();
    }
    cred
}

fn client(keys: &Keys, spec: &Value) -> Client {
    let method = AuthMethod::from_name(spec["method"].as_str().unwrap()).unwrap();
    let mut c = Client::new(spec["client_id"].as_str().unwrap(), method);
    for cred in spec["credentials"].as_array().unwrap() {
        c = c.with_credential(credential(keys, cred));
    }
    if let Some(a) = spec.get("signing_alg").and_then(Value::as_str) {
        c = c.with_signing_alg(Algorithm::from_name(a).unwrap()).unwrap();
    }
    if let Some(m) = spec.get("audience_mode").and_then(Value::as_str) {
        c = c.with_audience_mode(AudienceMode::from_name(m).unwrap());
    }
    if let Some(a) = spec.get("max_age").and_then(Value::as_i64) {
        c = c.with_max_age(a);
    }
    if let Some(p) = spec.get("profile").and_then(Value::as_str) {
        c = c.with_profile(jwtauth::Profile::from_name(p).unwrap());
    }
    c
}

fn verifier(defaults: &Value, overrides: Option<&Value>, clock: Arc<FixedClock>) -> Verifier {
    let mut cfg = defaults.as_object().unwrap().clone();
    if let Some(o) = overrides {
        for (k, v) in o.as_object().unwrap() {
            cfg.insert(k.clone(), v.clone());
        }
    }
    let mut b = Verifier::builder(cfg["issuer"].as_str().unwrap())
        .token_endpoint(cfg["token_endpoint"].as_str().unwrap())
        .audience_mode(AudienceMode::from_name(cfg["audience_mode"].as_str().unwrap()).unwrap())
        .leeway(cfg["leeway"].as_i64().unwrap())
        .max_age(cfg["max_age"].as_i64().unwrap())
        .max_lifetime(cfg["max_lifetime"].as_i64().unwrap())
        .max_assertion_len(usize::try_from(cfg["max_assertion_len"].as_u64().unwrap()).unwrap())
        .replay_store(Arc::new(MemoryReplayStore::new(1024)))
        .clock(clock);
    for a in cfg["extra_audiences"].as_array().unwrap() {
        b = b.extra_audience(a.as_str().unwrap());
    }
    if let Some(p) = cfg.get("profile").and_then(Value::as_str) {
        b = b.profile(jwtauth::Profile::from_name(p).unwrap());
    }
    for (name, url) in cfg.get("endpoints").and_then(Value::as_object).into_iter().flatten() {
        b = b.endpoint(jwtauth::Endpoint::from_name(name).unwrap(), url.as_str().unwrap());
    }
    if let Some(p) = cfg.get("report_profile").and_then(Value::as_str) {
        b = b.report_profile(jwtauth::Profile::from_name(p).unwrap());
    }
    if let Some(list) = cfg.get("allowed_algorithms") {
        let set: AlgorithmSet = list
            .as_array()
            .unwrap()
            .iter()
            .map(|a| Algorithm::from_name(a.as_str().unwrap()).unwrap())
            .collect();
        b = b.allowed_algorithms(set);
    }
    let v = b.build().unwrap();
    match cfg.get("at").and_then(Value::as_str) {
        Some(e) => v.at(jwtauth::Endpoint::from_name(e).unwrap()),
        None => v,
    }
}

#[test]
fn assertion_vectors() {
    let keys = Keys::load();
    let doc = load("assertions.json");
    let defaults = &doc["defaults"]["config"];
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() > 100, "vector file looks truncated");
    let mut failures = Vec::new();
    let mut rules = std::collections::BTreeSet::new();
    let mut explained_steps = 0;
    for case in cases {
        let id = case["id"].as_str().unwrap();
        rules.insert(case["rule"].as_str().unwrap().to_owned());
        if let Some(code) = ring_refusal(case) {
            // ring cannot load the client's key: registration fails, saying why.
            for spec in
                case["clients"].as_array().unwrap().iter().flat_map(|c| c["credentials"].as_array().unwrap())
            {
                let jwk = keys.get(spec["key"].as_str().unwrap(), "jwk").to_string();
                let got = VerifyingKey::from_jwk(&jwk).map(|_| ()).map_err(|e| e.code().name());
                if got != Err(code) {
                    failures.push(format!("{id}: under ring expected {code}, got {got:?}"));
                }
            }
            continue;
        }
        let clock = Arc::new(FixedClock::new(case["now"].as_i64().unwrap()));
        let v = verifier(defaults, case.get("config"), clock.clone());
        let clients: HashMap<String, Client> = case["clients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["client_id"].as_str().unwrap().to_owned(), client(&keys, c)))
            .collect();
        for (i, step) in case["steps"].as_array().unwrap().iter().enumerate() {
            if let Some(now) = step.get("now").and_then(Value::as_i64) {
                clock.set(now);
            }
            // The explanation first: it records nothing and reaches the verdict verify reaches.
            let registry = jwtauth::MemoryRegistry::new();
            for c in clients.values() {
                registry.insert(c.clone());
            }
            let explained = v.explain(
                step["assertion"].as_str().unwrap().as_bytes(),
                step["client_id"].as_str(),
                &registry,
            );
            let result =
                v.verify_with(step["assertion"].as_str().unwrap(), step["client_id"].as_str(), |cid| {
                    clients.get(cid).ok_or(jwtauth::Error::new(ErrorCode::UnknownClient, "unknown client"))
                });
            let expect = &step["expect"];
            // `would_refuse` when the step names it: {profile, code}, or null for none.
            let would = |r: &jwtauth::VerifiedAssertion| match expect.get("would_refuse") {
                None => true,
                Some(Value::Null) => r.would_refuse.is_none(),
                Some(w) => r
                    .would_refuse
                    .as_ref()
                    .is_some_and(|x| w["profile"] == x.profile.as_str() && w["code"] == x.code.name()),
            };
            let ok = match (&result, expect.get("error").and_then(Value::as_str)) {
                (Ok(r), None) => expect["client_id"].as_str() == Some(r.client_id.as_str()) && would(r),
                (Err(e), Some(code)) => e.code().name() == code,
                _ => false,
            };
            if !ok {
                failures.push(format!("{id} step {i}: expected {expect}, got {result:?}"));
            }
            let agrees = match (&explained.verdict, &result) {
                (Ok(a), Ok(b)) => *a == b.client_id,
                (Err(a), Err(b)) => a.code() == b.code(),
                _ => false,
            };
            let fails = explained.steps.iter().filter(|s| s.status == jwtauth::Status::Fail).count();
            if !agrees || fails != usize::from(result.is_err()) || !explained.replay_checked {
                failures.push(format!(
                    "{id} step {i}: explain says {:?}, verify {result:?}",
                    explained.to_json()
                ));
            }
            explained_steps += 1;
        }
    }
    assert!(failures.is_empty(), "{} vector failures:\n{}", failures.len(), failures.join("\n"));
    assert!(explained_steps >= cases.len(), "explain ran on every step");
    for rule in ["1", "2", "3", "4", "5", "6", "7", "8", "P"] {
        assert!(rules.contains(rule), "no vector for rule {rule}");
    }
}

#[test]
fn every_algorithm_has_a_positive_and_a_negative_vector() {
    let doc = load("assertions.json");
    let ids: Vec<&str> = doc["cases"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    for alg in Algorithm::ALL {
        assert!(ids.contains(&format!("alg-{alg}-valid").as_str()), "{alg} positive");
        assert!(
            ids.iter().any(|i| i.starts_with(&format!("alg-{alg}-")) && !i.ends_with("-valid")),
            "{alg} negative"
        );
    }
}

/// What a build on the ring provider answers instead of the case's own
/// expectation (`expect_ring`: ring has no P-521).
fn ring_refusal(case: &Value) -> Option<&str> {
    (jwtauth::provider() == "ring").then(|| case.get("expect_ring")?["error"].as_str()).flatten()
}

#[test]
fn key_loading_vectors() {
    let doc = load("key_loading.json");
    let mut failures = Vec::new();
    for case in doc["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let input = case["input"].as_str().unwrap();
        let expect = if ring_refusal(case).is_some() { &case["expect_ring"] } else { &case["expect"] };
        let result: Result<Value, jwtauth::Error> = match case["format"].as_str().unwrap() {
            "jwk" => VerifyingKey::from_jwk(input).map(|k| describe(&k)),
            "pem" => VerifyingKey::from_pem(input).map(|k| describe(&k)),
            "private_pem" => SigningKey::from_pem(input).map(|k| describe(k.verifying_key())),
            "secret" => VerifyingKey::from_secret(input.as_bytes()).map(|k| describe(&k)),
            "jwks" => JwkSet::from_json(input).map(|s| serde_json::json!({ "count": s.keys().len() })),
            other => panic!("unknown format {other}"),
        };
        let ok = match (&result, expect.get("error").and_then(Value::as_str)) {
            (Ok(got), None) => ["thumbprint", "x5t", "not_after", "count"]
                .iter()
                .all(|f| expect.get(*f).is_none() || expect.get(*f) == got.get(*f)),
            (Err(e), Some(code)) => e.code().name() == code,
            _ => false,
        };
        if !ok {
            failures.push(format!("{id}: expected {expect}, got {result:?}"));
        }
    }
    assert!(failures.is_empty(), "{} key vector failures:\n{}", failures.len(), failures.join("\n"));
}

fn describe(k: &VerifyingKey) -> Value {
    let mut v = serde_json::json!({ "thumbprint": k.thumbprint() });
    if let Some(c) = k.certificate() {
        v["x5t"] = Value::String(jwtauth::b64::encode(&c.x5t));
        v["not_after"] = Value::from(c.not_after);
    }
    v
}
