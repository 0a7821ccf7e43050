//! `jwtauth serve` run as a process on the loopback: every authentication
//! method through the token endpoint, the OAuth errors exactly as the library
//! builds them, the attempts page and JSON (the failed rule and its fix;
//! nothing secret; what a client sends is escaped), the test
//! authorization_code grant, metadata, registry reloads, bounds (body,
//! content type, slow clients, connections), JSON logs, SIGTERM, and the
//! replay store on Redis shared by two servers. The page in a real browser is
//! `serve_page.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code"
)]

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use jwtauth::{AssertionBuilder, SigningKey, form};
use serde_json::{Value, json};

mod support;
use support::*;

fn attempts(addr: &str) -> Vec<Value> {
    get(addr, "/attempts").json()["attempts"].as_array().unwrap().clone()
}

fn is_token(r: &Reply) {
    assert_eq!(r.status, 200, "{}", r.body);
    let t = r.json();
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 3600);
    assert!(t["access_token"].as_str().unwrap().len() >= 43);
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[test]
fn every_method_and_the_library_s_errors() {
    let dir = scratch("methods");
    let key = setup(&dir);
    let s = Server::start(&dir, &[]);
    let aud = s.base.clone();
    // private_key_jwt: a token, then the same assertion refused as a replay.
    let body = assertion_body(&key, "svc", &aud);
    let first = post_form(&s.addr, &body, None);
    is_token(&first);
    let second = post_form(&s.addr, &body, None);
    assert_eq!((second.status, second.json()["error"].as_str()), (401, Some("invalid_client")));
    assert_eq!(second.header("www-authenticate"), None, "no Authorization header was used");
    // Two tokens are never the same.
    let other = post_form(&s.addr, &assertion_body(&key, "svc", &aud), None);
    is_token(&other);
    assert_ne!(first.json()["access_token"], other.json()["access_token"]);
    // client_secret_jwt.
    let hmac = SigningKey::from_secret(JWT_SECRET.as_bytes(), jwtauth::Algorithm::HS256).unwrap();
    is_token(&post_form(&s.addr, &assertion_body(&hmac, "hmac", &aud), None));
    // client_secret_basic, right and wrong: the 401 carries the library's WWW-Authenticate.
    let basic = form::basic_authorization("basic", SECRET);
    is_token(&post_form(&s.addr, "grant_type=client_credentials&scope=read", Some(&basic)));
    let wrong =
        post_form(&s.addr, "grant_type=client_credentials", Some(&form::basic_authorization("basic", "x")));
    assert_eq!(wrong.status, 401);
    assert_eq!(
        wrong.header("www-authenticate"),
        Some(format!("Basic realm=\"{aud}\", charset=\"UTF-8\"").as_str())
    );
    assert_eq!(
        wrong.body,
        r#"{"error":"invalid_client","error_description":"Client authentication failed."}"#
    );
    // client_secret_post.
    let post = form::encode_pairs([
        ("grant_type", "client_credentials"),
        ("client_id", "post"),
        ("client_secret", SECRET),
    ]);
    is_token(&post_form(&s.addr, &post, None));
    // Two mechanisms at once: the library's 400.
    let both = post_form(&s.addr, &post, Some(&basic));
    assert_eq!((both.status, both.json()["error"].as_str()), (400, Some("invalid_request")));
    // A public client cannot use client_credentials; an unknown grant type is refused.
    let public = post_form(&s.addr, "grant_type=client_credentials&client_id=public", None);
    assert_eq!((public.status, public.json()["error"].as_str()), (400, Some("unauthorized_client")));
    let password = post_form(&s.addr, "grant_type=password&username=a&password=b", Some(&basic));
    assert_eq!((password.status, password.json()["error"].as_str()), (400, Some("unsupported_grant_type")));
    let none = post_form(&s.addr, "scope=x", Some(&basic));
    assert_eq!((none.status, none.json()["error"].as_str()), (400, Some("invalid_request")));

    // The attempts, newest first, with the refusals explained.
    let list = attempts(&s.addr);
    assert_eq!(list.len(), 11);
    let replay = &list[9];
    assert_eq!(replay["verdict"], "refused");
    assert_eq!(replay["client_id"], "svc");
    assert_eq!(replay["method"], "private_key_jwt");
    assert_eq!(replay["alg"], "ES256");
    assert_eq!(replay["error"], "JWTAUTH_REPLAYED");
    assert_eq!(replay["failed"]["name"], "replay");
    assert!(replay["failed"]["fix"].as_str().unwrap().contains("fresh jti"));
    assert_eq!(replay["claims"]["sub"], "svc");
    let wrong_secret = &list[5];
    assert_eq!(
        (&wrong_secret["client_id"], &wrong_secret["method"], &wrong_secret["failed"]["name"]),
        (&json!("basic"), &json!("client_secret_basic"), &json!("secret"))
    );
    assert_eq!(list[0]["grant_error"], "invalid_request");
    assert_eq!(list[0]["verdict"], "accepted");
    // Nothing secret anywhere: no secret, no whole assertion, no signature.
    let everything = format!("{}{}{}", get(&s.addr, "/attempts").body, get(&s.addr, "/").body, s.stdout());
    let assertion = body.split("client_assertion=").nth(1).unwrap().split('&').next().unwrap();
    let signature = assertion.rsplit('.').next().unwrap();
    for secret in [SECRET, JWT_SECRET, assertion, signature] {
        assert!(!everything.contains(secret), "{secret} leaked");
    }
    // One text log line per attempt, refusals with their rule and fix.
    let log = s.stdout();
    assert_eq!(log.lines().count(), 11, "{log}");
    assert!(log.contains("refused client=svc method=private_key_jwt alg=ES256"), "{log}");
    assert!(log.contains("error=JWTAUTH_REPLAYED rule=8 (replay) fix: "), "{log}");
}

#[test]
fn the_page_explains_a_refusal_and_escapes_what_clients_send() {
    let dir = scratch("page");
    let key = setup(&dir);
    let s = Server::start(&dir, &[]);
    let empty = get(&s.addr, "/");
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("No token request yet"));
    assert_eq!(
        empty.header("content-security-policy"),
        Some("default-src 'none'; style-src 'unsafe-inline'")
    );
    // An audience the server does not answer to, and markup in a kid (shown
    // in the refusal's decoded header).
    let wrong_aud = assertion_body(&key, "svc", "https://elsewhere.example");
    assert_eq!(post_form(&s.addr, &wrong_aud, None).status, 401);
    let signed = AssertionBuilder::new(&key, "svc", "https://elsewhere.example")
        .kid("<script>alert(1)</script>")
        .sign()
        .unwrap();
    let body = format!("grant_type=client_credentials&{}", signed.to_form_body());
    assert_eq!(post_form(&s.addr, &body, None).status, 401);
    let page = get(&s.addr, "/").body;
    assert!(!page.contains("<script>"), "markup from a client reached the page");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("Failed rule 7 — <span class=\"rule-name\">audience</span>"), "{page}");
    assert!(page.contains(&format!("fix: set aud to {}", s.base)), "{page}");
    assert!(page.contains("http-equiv=\"refresh\""));
    // Only the last 100 are kept.
    for _ in 0..101 {
        post_form(&s.addr, "grant_type=client_credentials", None);
    }
    assert_eq!(attempts(&s.addr).len(), 100);
}

#[test]
fn metadata_and_the_test_authorization_code_grant() {
    let dir = scratch("code");
    setup(&dir);
    let s = Server::start(&dir, &["--token-endpoint-path", "/oauth/token"]);
    for path in ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"] {
        let m = get(&s.addr, path).json();
        assert_eq!(m["issuer"], s.base);
        assert_eq!(m["token_endpoint"], format!("{}/oauth/token", s.base));
        let methods = m["token_endpoint_auth_methods_supported"].as_array().unwrap();
        for name in
            ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"]
        {
            assert!(methods.contains(&json!(name)), "{name}");
        }
        let algs = m["token_endpoint_auth_signing_alg_values_supported"].as_array().unwrap();
        assert!(
            algs.contains(&json!("ES256"))
                && algs.contains(&json!("HS256"))
                && !algs.contains(&json!("none"))
        );
    }
    let token = |body: &str| {
        request(
            &s.addr,
            "POST",
            "/oauth/token",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        )
    };
    let authorize = |q: &str| get(&s.addr, &format!("/authorize?{q}"));
    let r =
        authorize("response_type=code&client_id=public&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&state=xyz");
    assert_eq!(r.status, 302, "{}", r.body);
    let location = r.header("location").unwrap().to_owned();
    assert!(location.starts_with("http://127.0.0.1/cb?code="), "{location}");
    let q: Vec<(String, String)> = location
        .split_once('?')
        .unwrap()
        .1
        .split('&')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (k.to_owned(), form::decode_component(v).unwrap().into_owned())
        })
        .collect();
    let get_q = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap();
    assert_eq!(get_q("state"), "xyz");
    assert_eq!(get_q("iss"), s.base);
    let code = get_q("code");
    let exchange = form::encode_pairs([
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "http://127.0.0.1/cb"),
        ("client_id", "public"),
    ]);
    is_token(&token(&exchange));
    // Single use.
    let again = token(&exchange);
    assert_eq!((again.status, again.json()["error"].as_str()), (400, Some("invalid_grant")));
    // Bound to its client and redirect_uri.
    let r = authorize("response_type=code&client_id=public&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb");
    let code =
        r.header("location").unwrap().split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    let other_uri = format!(
        "grant_type=authorization_code&code={code}&redirect_uri=http%3A%2F%2Fevil%2F&client_id=public"
    );
    assert_eq!(token(&other_uri).json()["error"], "invalid_grant");
    let basic = form::basic_authorization("basic", SECRET);
    let r = authorize("response_type=code&client_id=public&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb");
    let code =
        r.header("location").unwrap().split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    let stolen = request(
        &s.addr,
        "POST",
        "/oauth/token",
        &[("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", &basic)],
        format!("grant_type=authorization_code&code={code}").as_bytes(),
    );
    assert_eq!(stolen.json()["error"], "invalid_grant");
    // Refused authorization requests.
    assert_eq!(authorize("response_type=token&client_id=public&redirect_uri=http%3A%2F%2Fx%2F").status, 400);
    assert_eq!(authorize("response_type=code&client_id=nobody&redirect_uri=http%3A%2F%2Fx%2F").status, 400);
    assert_eq!(
        authorize("response_type=code&client_id=public&redirect_uri=javascript%3Aalert(1)").status,
        400
    );
    // The old path is not the token endpoint; GET on it is 405.
    assert_eq!(token_at(&s.addr, "/token").status, 404);
    let r = get(&s.addr, "/oauth/token");
    assert_eq!((r.status, r.header("allow")), (405, Some("POST")));
}

fn token_at(addr: &str, path: &str) -> Reply {
    request(
        addr,
        "POST",
        path,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"grant_type=client_credentials",
    )
}

#[test]
fn bounds_body_content_type_slow_clients_and_connections() {
    let dir = scratch("bounds");
    setup(&dir);
    let s = Server::start(&dir, &["--max-body", "1024", "--timeout", "1s", "--max-connections", "2"]);
    let big = format!("grant_type=client_credentials&pad={}", "a".repeat(2000));
    let r = post_form(&s.addr, &big, Some(&form::basic_authorization("basic", SECRET)));
    assert_eq!((r.status, r.json()["error"].as_str()), (413, Some("invalid_request")));
    let r = request(&s.addr, "POST", "/token", &[("Content-Type", "application/json")], b"{}");
    assert_eq!((r.status, r.json()["error"].as_str()), (400, Some("invalid_request")));
    // A client that sends half its headers is cut off (the 1 s header timeout).
    let mut slow = TcpStream::connect(&s.addr).unwrap();
    slow.write_all(b"POST /token HTTP/1.1\r\nHost: x\r\n").unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut buf = Vec::new();
    let _ = slow.read_to_end(&mut buf);
    assert!(!String::from_utf8_lossy(&buf).contains("200 OK"), "a half request was answered");
    // So is one that promises a body and never sends it.
    let mut stalled = TcpStream::connect(&s.addr).unwrap();
    stalled
        .write_all(b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant")
        .unwrap();
    stalled.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut buf = Vec::new();
    let _ = stalled.read_to_end(&mut buf);
    assert!(String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 408"), "{}", String::from_utf8_lossy(&buf));
    assert!(!s.stderr().contains("panicked"));
}

#[test]
fn connections_are_bounded() {
    let dir = scratch("connections");
    setup(&dir);
    let s = Server::start(&dir, &["--timeout", "30s", "--max-connections", "2"]);
    // Two connections at most: a third is accepted only when one closes.
    let held: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(&s.addr).unwrap()).collect();
    let mut third = TcpStream::connect(&s.addr).unwrap(); // queued by the kernel, not served
    third.write_all(b"GET /attempts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    third.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let mut one = [0u8; 1];
    assert!(third.read(&mut one).is_err(), "a third connection was served while two were open");
    drop(held);
    third.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut buf = Vec::new();
    third.read_to_end(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 200"));
    assert!(!s.stderr().contains("panicked"));
}

#[test]
fn the_registry_reloads_and_a_bad_file_keeps_the_old_one() {
    let dir = scratch("reload");
    let key = setup(&dir);
    let s = Server::start(&dir, &[]);
    let basic = form::basic_authorization("basic", SECRET);
    is_token(&post_form(&s.addr, "grant_type=client_credentials", Some(&basic)));
    // A file with problems: every problem logged, the old registry kept.
    std::fs::write(
        dir.join("clients.json"),
        r#"{"clients":[{"client_id":"x","token_endpoint_auth_method":"client_secret_basic","client_secret":"short"},{"client_id":"y"}]}"#,
    )
    .unwrap();
    s.wait_for("registry NOT reloaded (the file changed): 2 problems");
    s.wait_for("/clients/0/client_secret: WEAK_KEY");
    is_token(&post_form(&s.addr, "grant_type=client_credentials", Some(&basic)));
    // A good file with a new client: taken on the change.
    let mut doc: Value = json!({ "clients": [
        { "client_id": "basic", "token_endpoint_auth_method": "client_secret_basic", "client_secret": SECRET },
        { "client_id": "newcomer", "token_endpoint_auth_method": "client_secret_basic", "client_secret": SECRET },
    ]});
    std::fs::write(dir.join("clients.json"), doc.to_string()).unwrap();
    s.wait_for("registry reloaded (the file changed): 2 clients");
    is_token(&post_form(
        &s.addr,
        "grant_type=client_credentials",
        Some(&form::basic_authorization("newcomer", SECRET)),
    ));
    // The private_key_jwt client is not in the new file.
    assert_eq!(post_form(&s.addr, &assertion_body(&key, "svc", &s.base), None).status, 401);
    // SIGHUP reloads too.
    doc["clients"].as_array_mut().unwrap().pop();
    std::fs::write(dir.join("clients.json"), doc.to_string()).unwrap();
    s.wait_for("registry reloaded (the file changed): 1 clients");
    s.signal("HUP");
    s.wait_for("registry reloaded (SIGHUP): 1 clients");
    assert_eq!(
        post_form(
            &s.addr,
            "grant_type=client_credentials",
            Some(&form::basic_authorization("newcomer", SECRET))
        )
        .status,
        401
    );
}

#[test]
fn json_log_and_sigterm() {
    let dir = scratch("term");
    let key = setup(&dir);
    let mut s = Server::start(&dir, &["--log", "json"]);
    is_token(&post_form(&s.addr, &assertion_body(&key, "svc", &s.base), None));
    post_form(&s.addr, &assertion_body(&key, "svc", "https://elsewhere.example"), None);
    // An idle keep-alive connection does not hold the shutdown up.
    let mut idle = TcpStream::connect(&s.addr).unwrap();
    idle.write_all(b"GET /attempts HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).unwrap();
    let until = Instant::now() + Duration::from_secs(10);
    while s.stdout().lines().count() < 2 {
        assert!(Instant::now() < until);
        std::thread::sleep(Duration::from_millis(20));
    }
    let lines: Vec<Value> = s.stdout().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["verdict"], "accepted");
    assert_eq!(lines[1]["verdict"], "refused");
    assert_eq!(lines[1]["failed"]["name"], "audience");
    assert!(lines[1].get("steps").is_none(), "the log line keeps the failed rule, not every step");
    // The library's event for each request: the profile in force and how long it took.
    for line in &lines {
        assert_eq!(line["profile"], "compat", "{line}");
        assert!(line["duration_us"].as_u64().is_some_and(|d| d > 0), "{line}");
    }
    s.signal("TERM");
    let status = s.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    s.wait_for("jwtauth serve: stopped");
}

#[test]
fn bad_starts_are_one_line_and_exit_2() {
    let dir = scratch("bad");
    std::fs::write(dir.join("clients.json"), r#"{"clients":[{"client_id":"x"}]}"#).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_jwtauth"))
        .args(["serve", "--registry", "clients.json", "--listen", "127.0.0.1:0"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("jwtauth registry check"), "{err}");
    for args in [
        &["serve", "--registry", "missing.json"][..],
        &["serve", "--registry", "clients.json", "--tls-cert", "nothing.pem", "--tls-key", "nothing.pem"],
        &["serve", "--registry", "clients.json", "--token-endpoint-path", "token"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_jwtauth")).args(args).current_dir(&dir).output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!((out.status.code(), err.lines().count()), (Some(2), 1), "{args:?}: {err}");
        assert!(err.starts_with("jwtauth: "), "{err}");
    }
}

/// Two servers on one Redis: an assertion used on one is a replay on the
/// other — on one server, a Redis Cluster and a Sentinel-managed primary.
#[test]
fn two_servers_share_the_replay_store_on_redis() {
    let mut dir = None;
    for (var, deployment) in [
        ("JWTAUTH_REDIS_URL", "server"),
        ("JWTAUTH_REDIS_CLUSTER_URL", "cluster"),
        ("JWTAUTH_REDIS_SENTINEL_URL", "sentinel"),
    ] {
        let Ok(url) = std::env::var(var) else {
            assert!(
                std::env::var_os("JWTAUTH_REQUIRE_REDIS").is_none(),
                "JWTAUTH_REQUIRE_REDIS is set but no {var}"
            );
            eprintln!("skipped: no {var}");
            continue;
        };
        let d = scratch(&format!("redis-{deployment}"));
        let key = setup(&d);
        let issuer = "https://as.example.com";
        let a = Server::start(&d, &["--redis", &url, "--issuer", issuer]);
        let b = Server::start(&d, &["--redis", &url, "--issuer", issuer]);
        assert!(a.stderr().contains(&format!("replay store on Redis ({deployment})")), "{}", a.stderr());
        let body = assertion_body(&key, "svc", issuer);
        is_token(&post_form(&a.addr, &body, None));
        let again = post_form(&b.addr, &body, None);
        assert_eq!(again.status, 401);
        let list = attempts(&b.addr);
        assert_eq!(list[0]["error"], "JWTAUTH_REPLAYED");
        assert_eq!(list[0]["failed"]["name"], "replay", "explain on Redis sees the replay");
        dir = Some(d);
    }
    let Some(dir) = dir else { return };
    // A Redis that is not there: one line, exit 2.
    let out = Command::new(env!("CARGO_BIN_EXE_jwtauth"))
        .args([
            "serve",
            "--registry",
            "clients.json",
            "--listen",
            "127.0.0.1:0",
            "--redis",
            "redis://127.0.0.1:1/",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!((out.status.code(), err.lines().count()), (Some(2), 1), "{err}");
    assert!(err.contains("REPLAY_STORE_UNAVAILABLE"), "{err}");
}

#[test]
fn profiles_enforced_and_in_report_only_mode() {
    let dir = scratch("profiles");
    let key = setup(&dir);
    let basic = form::basic_authorization("basic", SECRET);
    // Report-only: everything accepted, what fapi2 would refuse recorded and counted.
    let s = Server::start(&dir, &["--report-profile", "fapi2"]);
    is_token(&post_form(&s.addr, "grant_type=client_credentials", Some(&basic)));
    is_token(&post_form(&s.addr, "grant_type=client_credentials", Some(&basic)));
    let doc = get(&s.addr, "/attempts").json();
    assert_eq!(doc["attempts"][0]["would_refuse"]["code"], "JWTAUTH_AUTH_METHOD_MISMATCH");
    assert_eq!(
        doc["report"]["counts"][0],
        json!({ "client_id": "basic", "code": "JWTAUTH_AUTH_METHOD_MISMATCH", "count": 2 })
    );
    assert!(get(&s.addr, "/").body.contains("fapi2 would refuse: JWTAUTH_AUTH_METHOD_MISMATCH"));
    assert!(s.stdout().contains("fapi2_would_refuse=JWTAUTH_AUTH_METHOD_MISMATCH"));
    drop(s);
    // Enforced: Basic refused, with the fix; ES256 with the issuer as aud accepted.
    let s = Server::start(&dir, &["--profile", "fapi2"]);
    let r = post_form(&s.addr, "grant_type=client_credentials", Some(&basic));
    assert_eq!((r.status, r.json()["error"].as_str()), (401, Some("invalid_client")));
    let a = &get(&s.addr, "/attempts").json()["attempts"][0];
    assert_eq!(a["error"], "JWTAUTH_AUTH_METHOD_MISMATCH");
    assert!(a["failed"]["fix"].as_str().unwrap().contains("private_key_jwt"), "{a}");
    is_token(&post_form(&s.addr, &assertion_body(&key, "svc", &s.base), None));
    // Prometheus counters at /metrics: one accepted ES256 request, one refused Basic.
    let m = get(&s.addr, "/metrics");
    assert_eq!(m.status, 200);
    assert!(m.header("content-type").unwrap().starts_with("text/plain; version=0.0.4"));
    assert!(m.body.contains("jwtauth_accepted_total{method=\"private_key_jwt\"} 1\n"), "{}", m.body);
    assert!(m.body.contains("jwtauth_refused_total{code=\"JWTAUTH_AUTH_METHOD_MISMATCH\",oauth_error=\"invalid_client\",status=\"401\"} 1\n"), "{}", m.body);
    // A bad profile name is a usage error.
    let out = Command::new(env!("CARGO_BIN_EXE_jwtauth"))
        .args(["serve", "--registry", "clients.json", "--profile", "fapi3"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("compat, rfc7523bis, fapi2"));
}
