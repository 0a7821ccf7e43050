//! The `jwtauth` binary run as a process: outputs, exit codes (0 ok, 1 refused
//! or problems, 2 usage or I/O), `--json` shapes, file modes; bad input gets
//! one clear line, never a panic. What it signs is checked by the library's
//! verifier; what it reports about keys, by the shared vectors (made with
//! pyca/cryptography).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code"
)]

use jwtauth::{Client, Credential, Verifier, VerifyingKey};
use serde_json::{Value, json};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ISSUER: &str = "https://as.example.com";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_with(args: &[&str], stdin: Option<&str>, dir: &Path) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jwtauth"));
    cmd.args(args).current_dir(dir).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let input = stdin.unwrap_or_default().to_owned();
    let mut pipe = child.stdin.take().unwrap();
    std::thread::spawn(move || std::io::Write::write_all(&mut pipe, input.as_bytes()));
    let Output { status, stdout, stderr } = child.wait_with_output().unwrap();
    let run = Run {
        code: status.code().unwrap(),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    };
    assert!(!run.stderr.contains("panicked"), "{args:?} panicked: {}", run.stderr);
    run
}

fn run(args: &[&str], dir: &Path) -> Run {
    run_with(args, None, dir)
}

/// A failure: exit 2 and exactly one line on stderr, naming the problem.
fn fails_cleanly(r: &Run, needle: &str) {
    assert_eq!(r.code, 2, "stdout {} stderr {}", r.stdout, r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
    assert!(r.stderr.starts_with("jwtauth: ") && r.stderr.contains(needle), "{}", r.stderr);
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jwtauth-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn vectors(file: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors").join(file);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn json_of(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

#[test]
fn keygen_writes_a_private_file_and_prints_the_public_jwk() {
    let dir = scratch("keygen");
    let r = run(&["keygen", "--alg", "ES256", "--kid-thumbprint", "--out", "key.pem"], &dir);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let jwk = json_of(&r.stdout);
    assert_eq!((jwk["kty"].as_str(), jwk["alg"].as_str(), jwk.get("d")), (Some("EC"), Some("ES256"), None));
    let key = VerifyingKey::from_jwk(&jwk.to_string()).unwrap();
    assert_eq!(jwk["kid"].as_str(), Some(key.thumbprint().as_str()), "--kid-thumbprint");
    let meta = std::fs::metadata(dir.join("key.pem")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(dir.join("key.pem")).unwrap().starts_with("-----BEGIN PRIVATE KEY-----"));
    // Never overwrites.
    fails_cleanly(&run(&["keygen", "--alg", "ES256", "--out", "key.pem"], &dir), "key.pem");
    // A set, RSA of a chosen size, a named kid.
    let r = run(
        &["keygen", "--alg", "PS256", "--bits", "3072", "--kid", "k-2026", "--jwks", "--out", "rsa.pem"],
        &dir,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let set = json_of(&r.stdout);
    let n = set["keys"][0]["n"].as_str().unwrap();
    assert_eq!(
        (set["keys"][0]["kid"].as_str(), jwtauth::b64::decode(n.as_bytes()).unwrap().len()),
        (Some("k-2026"), 384)
    );
    // Without --out the private key comes first, then the JWK.
    let r = run(&["keygen", "--alg", "EdDSA"], &dir);
    assert!(r.stdout.starts_with("-----BEGIN PRIVATE KEY-----") && r.stdout.contains("\"crv\": \"Ed25519\""));
    fails_cleanly(&run(&["keygen", "--alg", "HS256"], &dir), "client_secret");
    fails_cleanly(&run(&["keygen", "--alg", "none"], &dir), "none");
    fails_cleanly(&run(&["keygen", "--alg", "RS256", "--bits", "1024"], &dir), "");
    let usage = run(&["keygen"], &dir);
    assert_eq!(usage.code, 2, "clap's usage error");
}

#[test]
fn jwks_and_thumbprint_agree_with_the_vectors() {
    let dir = scratch("jwks");
    let keys = vectors("keys.json");
    let rsa = &keys["keys"]["rsa-a"];
    std::fs::write(dir.join("cert.pem"), rsa["cert_pem"].as_str().unwrap()).unwrap();
    std::fs::write(dir.join("ec.pem"), keys["keys"]["ec256-a"]["private_pkcs8_pem"].as_str().unwrap())
        .unwrap();
    std::fs::write(dir.join("ed.jwk"), keys["keys"]["ed-a"]["jwk"].to_string()).unwrap();
    let r = run(&["jwks", "cert.pem", "ec.pem", "ed.jwk"], &dir);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let set = json_of(&r.stdout);
    let list = set["keys"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[0]["x5t"], rsa["x5t"]);
    assert_eq!(list[0]["x5t#S256"], rsa["x5t#S256"]);
    assert!(list[0]["x5c"].is_array(), "a certificate keeps its chain");
    assert!(list.iter().all(|k| k.get("d").is_none()), "no private member is ever printed");
    assert_eq!(list[1]["x"], keys["keys"]["ec256-a"]["jwk"]["x"]);

    let case = vectors("key_loading.json")["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "cert-rsa-a")
        .unwrap()
        .clone();
    std::fs::write(dir.join("case.pem"), case["input"].as_str().unwrap()).unwrap();
    let r = run(&["thumbprint", "case.pem", "--json"], &dir);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = json_of(&r.stdout);
    assert_eq!((&t["thumbprint"], &t["x5t"]), (&case["expect"]["thumbprint"], &case["expect"]["x5t"]));
    let plain = run(&["thumbprint", "case.pem"], &dir);
    assert!(plain.stdout.contains(case["expect"]["thumbprint"].as_str().unwrap()));

    std::fs::write(dir.join("bad.pem"), "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n")
        .unwrap();
    fails_cleanly(&run(&["jwks", "bad.pem"], &dir), "bad.pem");
    fails_cleanly(&run(&["thumbprint", "missing.pem"], &dir), "cannot read missing.pem");
    std::fs::write(dir.join("set.json"), set.to_string()).unwrap();
    fails_cleanly(&run(&["thumbprint", "set.json"], &dir), "give one key");
}

#[test]
fn what_sign_prints_verifies() {
    let dir = scratch("sign");
    let jwk = json_of(&run(&["keygen", "--alg", "ES384", "--kid", "k1", "--out", "key.pem"], &dir).stdout);
    let client = Client::new("svc", jwtauth::AuthMethod::PrivateKeyJwt)
        .with_credential(Credential::from_key(VerifyingKey::from_jwk(&jwk.to_string()).unwrap()));
    let verifier = Verifier::builder(ISSUER).build().unwrap();
    let r = run(&["sign", "--key", "key.pem", "--kid", "k1", "--client-id", "svc", "--aud", ISSUER], &dir);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = verifier.verify(r.stdout.trim(), &client).unwrap();
    assert_eq!((v.client_id.as_str(), v.header.kid.as_deref()), ("svc", Some("k1")));
    // A PEM file holds no kid: without --kid the header names the thumbprint,
    // which is not what this JWK was registered as.
    let r = run(&["sign", "--key", "key.pem", "--client-id", "svc", "--aud", ISSUER], &dir);
    assert_eq!(
        verifier.verify(r.stdout.trim(), &client).map(|_| ()).map_err(|e| e.code()),
        Err(jwtauth::ErrorCode::NoMatchingKey)
    );
    // keygen's default kid is the thumbprint, which sign uses by default: they match.
    let jwk2 = json_of(&run(&["keygen", "--alg", "ES256", "--out", "key2.pem"], &dir).stdout);
    let client2 = Client::new("svc", jwtauth::AuthMethod::PrivateKeyJwt)
        .with_credential(Credential::from_key(VerifyingKey::from_jwk(&jwk2.to_string()).unwrap()));
    let r = run(&["sign", "--key", "key2.pem", "--client-id", "svc", "--aud", ISSUER], &dir);
    assert!(verifier.verify(r.stdout.trim(), &client2).is_ok());

    let form = run(
        &["sign", "--key", "key.pem", "--kid", "k1", "--client-id", "svc", "--aud", ISSUER, "--form"],
        &dir,
    )
    .stdout;
    let value = |name: &str| {
        jwtauth::form::raw_pairs(form.trim())
            .find(|(k, _)| *k == name)
            .and_then(|(_, v)| jwtauth::form::decode_component(v).map(|v| v.into_owned()))
    };
    assert_eq!(value("grant_type").as_deref(), Some("client_credentials"));
    assert!(verifier.verify(&value("client_assertion").unwrap(), &client).is_ok());

    let curl = run(
        &[
            "sign",
            "--key",
            "key.pem",
            "--client-id",
            "svc",
            "--aud",
            ISSUER,
            "--curl",
            "https://as.example.com/t'oken",
        ],
        &dir,
    );
    assert!(
        curl.stdout.starts_with("curl -sS -X POST 'https://as.example.com/t'\\''oken' "),
        "{}",
        curl.stdout
    );

    // client_secret_jwt from a secret file; the secret is never printed.
    let secret = "s3cret-of-at-least-32-bytes-0123456789";
    std::fs::write(dir.join("secret.txt"), format!("{secret}\n")).unwrap();
    let r = run(
        &["sign", "--secret-file", "secret.txt", "--client-id", "web", "--aud", ISSUER, "--lifetime", "30"],
        &dir,
    );
    assert!(!r.stdout.contains(secret) && !r.stderr.contains(secret));
    let web = Client::new("web", jwtauth::AuthMethod::ClientSecretJwt)
        .with_credential(Credential::from_secret(secret.as_bytes()).unwrap());
    assert!(verifier.verify(r.stdout.trim(), &web).is_ok());
    let short = run(
        &["sign", "--secret-file", "secret.txt", "--alg", "HS512", "--client-id", "web", "--aud", ISSUER],
        &dir,
    );
    fails_cleanly(&short, "WEAK_KEY");
    assert!(!short.stderr.contains(secret));

    std::fs::write(dir.join("pub.jwk"), jwk.to_string()).unwrap();
    fails_cleanly(
        &run(&["sign", "--key", "pub.jwk", "--client-id", "svc", "--aud", ISSUER], &dir),
        "private key",
    );
}

#[test]
fn inspect_reports_what_a_verifier_would_refuse() {
    let dir = scratch("inspect");
    run(&["keygen", "--alg", "EdDSA", "--out", "key.pem"], &dir);
    let token = run(&["sign", "--key", "key.pem", "--client-id", "svc", "--aud", ISSUER], &dir).stdout;
    let fresh = run(&["inspect", token.trim(), "--json"], &dir);
    assert_eq!(fresh.code, 0, "{}", fresh.stdout);
    let doc = json_of(&fresh.stdout);
    assert_eq!((doc["header"]["alg"].as_str(), doc["claims"]["iss"].as_str()), (Some("EdDSA"), Some("svc")));
    assert_eq!(
        (doc["warnings"].as_array().map(Vec::len), &doc["refused"], &doc["signature_len"]),
        (Some(0), &json!(false), &json!(64))
    );

    // An hour later: expired and too old, exit 1; read from stdin.
    let iat = doc["claims"]["iat"].as_i64().unwrap();
    let late = run_with(&["inspect", "-", "--at", &(iat + 3600).to_string()], Some(&token), &dir);
    assert_eq!(late.code, 1);
    assert!(late.stdout.contains("REFUSED expired") && late.stdout.contains("min ago)"), "{}", late.stdout);

    let typ_less =
        run(&["sign", "--key", "key.pem", "--client-id", "svc", "--aud", ISSUER, "--typ", ""], &dir).stdout;
    let advice = run(&["inspect", typ_less.trim()], &dir);
    assert_eq!(advice.code, 0, "advice is not a refusal");
    assert!(advice.stdout.contains("advice  missing_typ"), "{}", advice.stdout);

    for bad in ["not-a-jwt", "a.b.c", "e30.e30.e30=", ""] {
        fails_cleanly(&run(&["inspect", bad], &dir), "");
    }
}

#[test]
fn registry_check_lists_every_problem_with_its_pointer() {
    let dir = scratch("registry");
    let good = json!({"clients": [
        {"client_id": "web", "token_endpoint_auth_method": "client_secret_basic", "client_secret": "a-secret-of-enough-length"},
        {"client_id": "cli", "token_endpoint_auth_method": "none"}]});
    std::fs::write(dir.join("good.json"), good.to_string()).unwrap();
    let r = run(&["registry", "check", "good.json"], &dir);
    assert_eq!((r.code, r.stdout.trim()), (0, "good.json: 2 clients, no problems"));

    let bad = json!({"clients": [
        {"client_id": "web", "token_endpoint_auth_method": "client_secret_basic", "client_secret": "short"},
        {"client_id": "svc", "token_endpoint_auth_method": "private_key_jwt"}]});
    std::fs::write(dir.join("bad.json"), bad.to_string()).unwrap();
    let r = run(&["registry", "check", "bad.json", "--json"], &dir);
    assert_eq!(r.code, 1);
    let doc = json_of(&r.stdout);
    let found: Vec<(&str, &str)> = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["code"].as_str().unwrap(), p["location"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [("JWTAUTH_WEAK_KEY", "/clients/0/client_secret"), ("JWTAUTH_INVALID_CLIENT_METADATA", "/clients/1")]
    );
    assert_eq!(doc["clients"], Value::Null);
    let text = run(&["registry", "check", "bad.json"], &dir);
    assert!(text.stdout.contains("/clients/0/client_secret: WEAK_KEY") && text.stdout.contains("2 problems"));

    // A stricter policy from a file.
    std::fs::write(dir.join("policy.json"), r#"{"min_client_secret_len": 64}"#).unwrap();
    assert_eq!(run(&["registry", "check", "good.json", "--policy", "policy.json"], &dir).code, 1);
    std::fs::write(dir.join("policy.json"), r#"{"no_such_member": 1}"#).unwrap();
    fails_cleanly(
        &run(&["registry", "check", "good.json", "--policy", "policy.json"], &dir),
        "INVALID_ARGUMENT",
    );

    std::fs::write(dir.join("junk.json"), "{not json").unwrap();
    assert_eq!(
        run(&["registry", "check", "junk.json"], &dir).code,
        1,
        "a malformed document is a problem of the document"
    );
    fails_cleanly(&run(&["registry", "check", "nowhere.json"], &dir), "cannot read nowhere.json");
    std::fs::write(dir.join("latin1.json"), [0xe9u8, 0x7b]).unwrap();
    fails_cleanly(&run(&["registry", "check", "latin1.json"], &dir), "not UTF-8");
}

#[test]
fn errors_is_the_error_table() {
    let dir = scratch("errors");
    let r = run(&["errors", "--json"], &dir);
    assert_eq!(json_of(&r.stdout), vectors("error_codes.json"));
    let table = run(&["errors"], &dir).stdout;
    assert!(table.lines().any(|l| l.contains("500") && l.contains("JWTAUTH_REPLAYED") && l.contains("401")));
}

#[test]
fn the_demo_runs() {
    let r = run(&["demo"], &scratch("demo"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("ACCEPTED") && r.stdout.contains("REJECTED  REPLAYED"), "{}", r.stdout);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::{BufRead as _, BufReader};
    // `jwtauth demo | head -1`: the reader goes away after one line.
    let mut child = Command::new(env!("CARGO_BIN_EXE_jwtauth"))
        .arg("demo")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("libjwtauth"));
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stderr).unwrap(), "", "no panic, no message");
}

#[test]
fn explain_walks_the_rules_and_says_how_to_fix_a_refusal() {
    let dir = scratch("explain");
    let jwk = json_of(&run(&["keygen", "--alg", "ES256", "--out", "key.pem"], &dir).stdout);
    let registry = json!({"clients": [{"client_id": "svc", "token_endpoint_auth_method": "private_key_jwt",
                                       "jwks": {"keys": [jwk]}}]});
    std::fs::write(dir.join("clients.json"), registry.to_string()).unwrap();
    let token = run(&["sign", "--key", "key.pem", "--client-id", "svc", "--aud", ISSUER], &dir).stdout;
    let token = token.trim();
    let args = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = ["explain", token, "--registry", "clients.json"].map(String::from).to_vec();
        v.extend(extra.iter().map(|s| (*s).to_owned()));
        v
    };
    let call = |extra: &[&str]| {
        let a = args(extra);
        run(&a.iter().map(String::as_str).collect::<Vec<_>>(), &dir)
    };
    // Accepted, and twice: explaining records nothing.
    for _ in 0..2 {
        let ok = call(&["--issuer", ISSUER]);
        assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
        assert_eq!(ok.stdout.lines().filter(|l| l.starts_with("pass")).count(), 9, "{}", ok.stdout);
        assert!(ok.stdout.contains("ACCEPTED: client svc"));
    }
    // Another server, strict: refused at the audience, with the fix.
    let other = call(&["--issuer", "https://other.example", "--strict", "--json"]);
    assert_eq!(other.code, 1);
    let doc = json_of(&other.stdout);
    assert_eq!(
        (doc["verdict"].as_str(), doc["error"].as_str()),
        (Some("refused"), Some("JWTAUTH_AUDIENCE_MISMATCH"))
    );
    let steps = doc["steps"].as_array().unwrap();
    let status: Vec<&str> = steps.iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(
        status,
        ["pass", "pass", "pass", "pass", "pass", "fail", "not_reached", "not_reached", "not_reached"]
    );
    assert_eq!(steps[5]["name"], "audience");
    assert!(steps[5]["detail"].as_str().unwrap().contains(ISSUER), "found: the assertion's aud");
    assert_eq!(steps[5]["fix"].as_str(), Some("set aud to https://other.example"));
    // Later than its lifetime: the claims step, with the times found.
    let iat = json_of(&run(&["inspect", token, "--json"], &dir).stdout)["claims"]["iat"].as_i64().unwrap();
    let late = call(&["--issuer", ISSUER, "--at", &(iat + 900).to_string()]);
    assert_eq!(late.code, 1);
    assert!(
        late.stdout.contains("FAIL  rule 6  claims") && late.stdout.contains("REFUSED: JWTAUTH_EXPIRED"),
        "{}",
        late.stdout
    );
    // Garbage is refused at the first rule; a registry with problems is not loaded.
    let junk = run(&["explain", "junk", "--issuer", ISSUER, "--registry", "clients.json"], &dir);
    assert!(junk.code == 1 && junk.stdout.contains("FAIL  rule 1  structure"), "{}", junk.stdout);
    std::fs::write(
        dir.join("bad.json"),
        r#"{"clients":[{"client_id":"x","token_endpoint_auth_method":"private_key_jwt"}]}"#,
    )
    .unwrap();
    fails_cleanly(
        &run(&["explain", token, "--issuer", ISSUER, "--registry", "bad.json"], &dir),
        "registry check",
    );
}

#[test]
fn explain_a_raw_token_request() {
    let dir = scratch("explain-request");
    let registry = json!({"clients": [{"client_id": "web", "token_endpoint_auth_method": "client_secret_basic",
                                       "client_secret": "a-secret-of-enough-length"}]});
    std::fs::write(dir.join("clients.json"), registry.to_string()).unwrap();
    let request = |authorization: &str, body: &str| {
        format!(
            "POST /token HTTP/1.1\r\nHost: as.example.com\r\n{authorization}Content-Type: application/x-www-form-urlencoded\r\n\r\n{body}\r\n"
        )
    };
    let basic =
        |secret: &str| format!("Authorization: {}\r\n", jwtauth::form::basic_authorization("web", secret));
    let explain = |raw: String| {
        std::fs::write(dir.join("req.txt"), raw).unwrap();
        run(
            &["explain", "--request", "req.txt", "--issuer", ISSUER, "--registry", "clients.json", "--json"],
            &dir,
        )
    };
    let ok = explain(request(&basic("a-secret-of-enough-length"), "grant_type=client_credentials"));
    assert_eq!(ok.code, 0, "{}", ok.stdout);
    assert_eq!(
        (json_of(&ok.stdout)["client_id"].as_str(), json_of(&ok.stdout)["method"].as_str()),
        (Some("web"), Some("client_secret_basic"))
    );

    let wrong = explain(request(&basic("wrong"), "grant_type=client_credentials"));
    assert_eq!(wrong.code, 1);
    let doc = json_of(&wrong.stdout);
    let names: Vec<(&str, &str)> = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("form", "pass"),
            ("mechanism", "pass"),
            ("basic", "pass"),
            ("client", "pass"),
            ("secret", "fail"),
            ("policy", "not_reached")
        ]
    );
    assert_eq!(doc["response"]["status"], 401);
    assert!(doc["response"]["headers"]["WWW-Authenticate"].as_str().unwrap().starts_with("Basic realm="));

    let both = explain(request(&basic("a-secret-of-enough-length"), "client_id=web&client_secret=x"));
    let doc = json_of(&both.stdout);
    assert_eq!(
        (doc["error"].as_str(), doc["steps"][1]["status"].as_str()),
        (Some("JWTAUTH_MULTIPLE_AUTH_METHODS"), Some("fail"))
    );
    assert_eq!(doc["response"]["status"], 400);

    fails_cleanly(
        &run(&["explain", "--request", "none.txt", "--issuer", ISSUER, "--registry", "clients.json"], &dir),
        "cannot read none.txt",
    );
    let neither = run(&["explain", "--issuer", ISSUER, "--registry", "clients.json"], &dir);
    assert_eq!(neither.code, 2, "an assertion or --request is required");
}
