//! Remote JWKS (`jwks_uri`) against a real HTTP server on 127.0.0.1 started
//! by the test: rotation, unknown-kid cooldown under a flood, Cache-Control
//! bounds, oversize / slow / failing / redirecting responses, single flight,
//! the SSRF check on resolved addresses and a host-supplied fetcher.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: a failed unwrap is a failed test"
)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use jwtauth::{
    Algorithm, AssertionBuilder, AuthMethod, Client, Credential, ErrorCode, FetchedJwks, FixedClock,
    HttpFetcher, JwksFetcher, JwksUri, RemoteJwks, RemoteJwksConfig, SigningKey, UriRules, Verifier,
};

#[path = "support/keys.rs"]
mod keys;
const ISSUER: &str = "https://as.example.com";
const T0: i64 = 1_800_000_000;
const LOOPBACK: UriRules = UriRules { allow_http: true, allow_private_addresses: true };

/// What the test server answers.
#[derive(Clone)]
struct Reply {
    status: u16,
    body: Vec<u8>,
    cache_control: Option<String>,
    delay: Duration,
    chunked: bool,
    /// Send Content-Length (otherwise the body ends at connection close).
    length: bool,
}

impl Reply {
    fn jwks(keys: &[&SigningKey]) -> Self {
        let list: Vec<_> = keys.iter().map(|k| k.public_jwk().unwrap()).collect();
        Self {
            status: 200,
            body: serde_json::json!({ "keys": list }).to_string().into_bytes(),
            cache_control: None,
            delay: Duration::ZERO,
            chunked: false,
            length: true,
        }
    }
}

struct Server {
    url: String,
    reply: Arc<Mutex<Reply>>,
    hits: Arc<AtomicUsize>,
}

impl Server {
    fn start(reply: Reply) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/jwks", listener.local_addr().unwrap());
        let reply = Arc::new(Mutex::new(reply));
        let hits = Arc::new(AtomicUsize::new(0));
        let (r, h) = (reply.clone(), hits.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (r, h) = (r.clone(), h.clone());
                std::thread::spawn(move || serve(stream, &r, &h));
            }
        });
        Self { url, reply, hits }
    }

    fn set(&self, f: impl FnOnce(&mut Reply)) {
        f(&mut self.reply.lock().unwrap());
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    fn uri(&self) -> JwksUri {
        JwksUri::parse(&self.url, LOOPBACK).unwrap()
    }
}

fn serve(mut s: TcpStream, reply: &Mutex<Reply>, hits: &AtomicUsize) {
    let mut req = Vec::new();
    let mut buf = [0u8; 1024];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => req.extend_from_slice(&buf[..n]),
        }
    }
    hits.fetch_add(1, Ordering::SeqCst);
    let r = reply.lock().unwrap().clone();
    std::thread::sleep(r.delay);
    let mut head =
        format!("HTTP/1.1 {} X\r\nContent-Type: application/json\r\nConnection: close\r\n", r.status);
    if r.status == 302 {
        head.push_str("Location: http://127.0.0.1:9/elsewhere\r\n");
    }
    if let Some(cc) = &r.cache_control {
        head.push_str(&format!("Cache-Control: {cc}\r\n"));
    }
    let mut out = Vec::new();
    if r.chunked {
        head.push_str("Transfer-Encoding: chunked\r\n\r\n");
        out.extend_from_slice(head.as_bytes());
        for part in r.body.chunks(100) {
            out.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
            out.extend_from_slice(part);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\n\r\n");
    } else {
        if r.length {
            head.push_str(&format!("Content-Length: {}\r\n", r.body.len()));
        }
        head.push_str("\r\n");
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(&r.body);
    }
    let _ = s.write_all(&out);
}

struct Setup {
    verifier: Arc<Verifier>,
    remote: Arc<RemoteJwks>,
    client: Arc<Client>,
    clock: Arc<FixedClock>,
}

fn setup(server: &Server, config: RemoteJwksConfig) -> Setup {
    let clock = Arc::new(FixedClock::new(T0));
    let remote = Arc::new(RemoteJwks::new(config));
    let verifier =
        Arc::new(Verifier::builder(ISSUER).clock(clock.clone()).remote_jwks(remote.clone()).build().unwrap());
    let client = Arc::new(
        Client::new("c-remote", AuthMethod::PrivateKeyJwt)
            .with_credential(Credential::from_jwks_uri(server.uri())),
    );
    Setup { verifier, remote, client, clock }
}

fn config() -> RemoteJwksConfig {
    RemoteJwksConfig { rules: LOOPBACK, timeout: Duration::from_secs(2), ..RemoteJwksConfig::default() }
}

fn key(kid: &str) -> SigningKey {
    SigningKey::generate(Algorithm::ES256).unwrap().with_kid(kid)
}

impl Setup {
    fn assertion(&self, key: &SigningKey, kid: Option<&str>) -> String {
        let mut b = AssertionBuilder::new(key, "c-remote", ISSUER).clock(self.clock.clone());
        if let Some(k) = kid {
            b = b.kid(k);
        }
        b.sign().unwrap().assertion
    }

    fn verify(&self, assertion: &str) -> Result<(), ErrorCode> {
        self.verifier.verify(assertion, &self.client).map(|_| ()).map_err(|e| e.code())
    }
}

#[test]
fn rotation_and_a_flood_of_unknown_kids_fetch_once_per_cooldown() {
    let (a, b) = (key("a"), key("b"));
    let server = Server::start(Reply::jwks(&[&a]));
    let s = setup(&server, config());
    assert_eq!(s.verify(&s.assertion(&a, None)), Ok(()));
    assert_eq!(s.verify(&s.assertion(&a, None)), Ok(()), "served from the cache");
    assert_eq!(server.hits(), 1);

    // The client rotates to key b. Within the cooldown of the last fetch an
    // unknown kid does not trigger a fetch.
    server.set(|r| *r = Reply::jwks(&[&b]));
    assert_eq!(s.verify(&s.assertion(&b, None)), Err(ErrorCode::NoMatchingKey));
    assert_eq!(server.hits(), 1);

    // After the cooldown, a flood of unknown kids from 8 threads: one fetch.
    s.clock.advance(31);
    let flood = |round: usize| {
        let barrier = Arc::new(Barrier::new(8));
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let tokens: Vec<String> =
                    (0..25).map(|i| s.assertion(&b, Some(&format!("unknown-{round}-{t}-{i}")))).collect();
                let (v, c, barrier) = (s.verifier.clone(), s.client.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    for t in tokens {
                        assert_eq!(v.verify(&t, &c).unwrap_err().code(), ErrorCode::NoMatchingKey);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    };
    flood(0);
    assert_eq!(server.hits(), 2, "200 unknown kids, one fetch");
    assert_eq!(s.remote.fetch_count(&server.url), 2);
    // That fetch brought key b.
    assert_eq!(s.verify(&s.assertion(&b, None)), Ok(()));
    flood(1);
    assert_eq!(server.hits(), 2, "still within the cooldown");
    s.clock.advance(31);
    flood(2);
    assert_eq!(server.hits(), 3, "one more fetch per cooldown");
}

/// A client rotates to a new key under the same kid: the signature fails
/// with the cached set, the set is fetched once more and the assertion is
/// accepted; a flood of bad signatures fetches at most once per cooldown.
#[test]
fn a_key_rotated_under_the_same_kid_is_found_after_one_refetch() {
    let (old, new) = (key("k1"), key("k1"));
    let server = Server::start(Reply::jwks(&[&old]));
    let s = setup(&server, config());
    assert_eq!(s.verify(&s.assertion(&old, None)), Ok(()));
    assert_eq!(server.hits(), 1);
    s.clock.advance(31);
    server.set(|r| *r = Reply::jwks(&[&new]));
    // The cache still holds the old key k1: the signature fails, one refetch, accepted.
    assert_eq!(s.verify(&s.assertion(&new, None)), Ok(()));
    assert_eq!(server.hits(), 2, "one refetch");
    // The old key is gone now; its assertions fail, and within the cooldown a
    // flood of them fetches nothing more.
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let tokens: Vec<String> = (0..25).map(|_| s.assertion(&old, None)).collect();
            let (v, c) = (s.verifier.clone(), s.client.clone());
            std::thread::spawn(move || {
                for t in tokens {
                    assert_eq!(v.verify(&t, &c).unwrap_err().code(), ErrorCode::SignatureInvalid);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(server.hits(), 2, "100 bad signatures within the cooldown: no fetch");
    s.clock.advance(31);
    for _ in 0..20 {
        assert_eq!(s.verify(&s.assertion(&old, None)), Err(ErrorCode::SignatureInvalid));
    }
    assert_eq!(server.hits(), 3, "after the cooldown: one more fetch, not twenty");
}

/// A published set may name an RSA and an EC key with one kid (FAPI 2.0:
/// told apart by type and alg); keys one algorithm could not tell apart are
/// refused.
#[test]
fn a_published_kid_may_name_keys_of_different_types() {
    let ec = key("shared");
    let rsa = keys::generate(Algorithm::RS256).unwrap().with_kid("shared");
    let server = Server::start(Reply::jwks(&[&rsa, &ec]));
    let s = setup(&server, config());
    assert_eq!(s.verify(&s.assertion(&ec, None)), Ok(()));
    assert_eq!(s.verify(&s.assertion(&rsa, None)), Ok(()));
    // Two EC P-256 keys under one kid: ambiguous, the set is refused.
    let other = key("shared");
    let server = Server::start(Reply::jwks(&[&ec, &other]));
    let s = setup(&server, config());
    assert_eq!(s.verify(&s.assertion(&ec, None)), Err(ErrorCode::JwksUnavailable));
    // A registered (inline) set keeps refusing any repeated kid.
    let inline =
        serde_json::json!({ "keys": [rsa.public_jwk().unwrap(), ec.public_jwk().unwrap()] }).to_string();
    assert_eq!(jwtauth::JwkSet::from_json(&inline).unwrap_err().code(), ErrorCode::DuplicateKeyId);
}

#[test]
fn cache_control_is_honoured_within_bounds() {
    let a = key("a");
    let server =
        Server::start(Reply { cache_control: Some("public, max-age=120".into()), ..Reply::jwks(&[&a]) });
    let s = setup(&server, config());
    assert_eq!(s.verify(&s.assertion(&a, None)), Ok(()));
    s.clock.advance(100);
    assert_eq!(s.verify(&s.assertion(&a, None)), Ok(()));
    assert_eq!(server.hits(), 1, "fresh for 120 s");
    s.clock.advance(21);
    assert_eq!(s.verify(&s.assertion(&a, None)), Ok(()));
    assert_eq!(server.hits(), 2, "stale after 120 s");

    // max-age below the floor (60 s) is raised to it; no-store too.
    for cc in ["max-age=5", "no-store"] {
        let server = Server::start(Reply { cache_control: Some(cc.into()), ..Reply::jwks(&[&a]) });
        let s = setup(&server, config());
        assert_eq!(s.verify(&s.assertion(&a, None)), Ok(()));
        s.clock.advance(45);
        assert_eq!(s.verify(&s.assertion(&a, None)), Ok(()));
        assert_eq!(server.hits(), 1, "{cc}: at least 60 s");
        s.clock.advance(20);
        assert_eq!(s.verify(&s.assertion(&a, None)), Ok(()));
        assert_eq!(server.hits(), 2, "{cc}");
    }
    // Without Cache-Control: the default 600 s.
    let server = Server::start(Reply::jwks(&[&a]));
    let s = setup(&server, config());
    assert_eq!(s.verify(&s.assertion(&a, None)), Ok(()));
    s.clock.advance(599);
    assert_eq!(s.verify(&s.assertion(&a, None)), Ok(()));
    assert_eq!(server.hits(), 1);
}

#[test]
fn oversize_and_failing_responses_keep_the_last_good_set() {
    let a = key("a");
    let server = Server::start(Reply::jwks(&[&a]));
    let s = setup(&server, config());
    assert_eq!(s.verify(&s.assertion(&a, None)), Ok(()));
    let big = vec![b' '; 100 * 1024];
    for (what, reply) in [
        ("oversize with length", Reply { body: big.clone(), ..Reply::jwks(&[]) }),
        ("oversize chunked", Reply { body: big.clone(), chunked: true, ..Reply::jwks(&[]) }),
        ("oversize until close", Reply { body: big.clone(), length: false, ..Reply::jwks(&[]) }),
        ("HTTP 500", Reply { status: 500, ..Reply::jwks(&[]) }),
        ("redirect", Reply { status: 302, ..Reply::jwks(&[]) }),
        ("not JSON", Reply { body: b"<html>".to_vec(), ..Reply::jwks(&[]) }),
    ] {
        server.set(|r| *r = reply.clone());
        let before = server.hits();
        s.clock.advance(601);
        assert_eq!(s.verify(&s.assertion(&a, None)), Ok(()), "{what}: last good set kept");
        assert_eq!(server.hits(), before + 1, "{what}: one attempt");
        // Within the cooldown the failing endpoint is not asked again.
        s.clock.advance(5);
        assert_eq!(s.verify(&s.assertion(&a, None)), Ok(()), "{what}");
        assert_eq!(server.hits(), before + 1, "{what}: no retry within the cooldown");

        // A cache that never had a good set reports the failure.
        let fresh = setup(&server, config());
        assert_eq!(fresh.verify(&fresh.assertion(&a, None)), Err(ErrorCode::JwksUnavailable), "{what}");
    }
}

#[test]
fn chunked_and_close_delimited_bodies_are_read() {
    let a = key("a");
    for reply in
        [Reply { chunked: true, ..Reply::jwks(&[&a]) }, Reply { length: false, ..Reply::jwks(&[&a]) }]
    {
        let server = Server::start(reply);
        let s = setup(&server, config());
        assert_eq!(s.verify(&s.assertion(&a, None)), Ok(()));
    }
}

#[test]
fn a_slow_server_times_out() {
    let a = key("a");
    let server = Server::start(Reply { delay: Duration::from_secs(3), ..Reply::jwks(&[&a]) });
    let s = setup(&server, RemoteJwksConfig { timeout: Duration::from_millis(400), ..config() });
    let start = Instant::now();
    let r = s.verifier.verify(&s.assertion(&a, None), &s.client).unwrap_err();
    assert_eq!(r.code(), ErrorCode::JwksUnavailable);
    assert!(r.detail().contains("timed out"), "{}", r.detail());
    assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
}

#[test]
fn concurrent_requests_share_one_fetch() {
    let a = key("a");
    let server = Server::start(Reply { delay: Duration::from_millis(300), ..Reply::jwks(&[&a]) });
    let s = setup(&server, config());
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let t = s.assertion(&a, None);
            let (v, c, b) = (s.verifier.clone(), s.client.clone(), barrier.clone());
            std::thread::spawn(move || {
                b.wait();
                v.verify(&t, &c).map(|_| ()).map_err(|e| e.code())
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), Ok(()));
    }
    assert_eq!(server.hits(), 1, "single flight");
}

#[test]
fn resolved_addresses_are_checked_against_the_ssrf_rules() {
    let server = Server::start(Reply::jwks(&[]));
    // A URL that passed registration (e.g. a host name) but resolves to loopback.
    let fetcher = HttpFetcher::new(RemoteJwksConfig {
        rules: UriRules { allow_http: true, allow_private_addresses: false },
        ..config()
    });
    let err = fetcher.fetch(&server.uri(), Duration::from_secs(5)).unwrap_err();
    assert!(err.contains("non-public"), "{err}");
    let localhost = JwksUri::parse(&server.url.replace("127.0.0.1", "localhost"), LOOPBACK).unwrap();
    assert!(fetcher.fetch(&localhost, Duration::from_secs(5)).unwrap_err().contains("non-public"));
    assert_eq!(server.hits(), 0, "no connection was made");
    // And https-only: an http URL is refused before any connection.
    let https_only = HttpFetcher::new(RemoteJwksConfig { rules: UriRules::default(), ..config() });
    assert!(https_only.fetch(&server.uri(), Duration::from_secs(5)).unwrap_err().contains("https"));
}

#[test]
fn the_host_can_supply_the_fetch_function() {
    #[derive(Debug)]
    struct Hosted(String, AtomicUsize);
    impl JwksFetcher for Hosted {
        fn fetch(&self, uri: &JwksUri, _timeout: Duration) -> Result<FetchedJwks, String> {
            assert_eq!(uri.host(), "keys.client.example");
            self.1.fetch_add(1, Ordering::SeqCst);
            Ok(FetchedJwks { body: self.0.clone().into_bytes(), max_age: Some(300) })
        }
    }
    let a = key("a");
    let body = serde_json::json!({ "keys": [a.public_jwk().unwrap(), {"kty": "RSA", "use": "enc", "n": "AQAB", "e": "AQAB"}] });
    let hosted = Arc::new(Hosted(body.to_string(), AtomicUsize::new(0)));
    let clock = Arc::new(FixedClock::new(T0));
    let remote = Arc::new(RemoteJwks::with_fetcher(RemoteJwksConfig::default(), hosted.clone()));
    let verifier = Verifier::builder(ISSUER).clock(clock.clone()).remote_jwks(remote).build().unwrap();
    let uri = JwksUri::parse("https://keys.client.example/jwks.json", UriRules::default()).unwrap();
    let client =
        Client::new("c-remote", AuthMethod::PrivateKeyJwt).with_credential(Credential::from_jwks_uri(uri));
    for _ in 0..3 {
        let t = AssertionBuilder::new(&a, "c-remote", ISSUER).clock(clock.clone()).sign().unwrap().assertion;
        verifier.verify(&t, &client).unwrap();
    }
    assert_eq!(hosted.1.load(Ordering::SeqCst), 1, "unusable keys are skipped; the set is cached");

    // Remote fetching switched off: a jwks_uri client cannot authenticate.
    let off = Verifier::builder(ISSUER).clock(clock.clone()).without_remote_jwks().build().unwrap();
    let t = AssertionBuilder::new(&a, "c-remote", ISSUER).clock(clock).sign().unwrap().assertion;
    assert_eq!(off.verify(&t, &client).unwrap_err().code(), ErrorCode::JwksUnavailable);
}

/// A host fetcher is held to the cache's timeout: it is told the deadline,
/// and an answer that comes after it is a failed fetch, not a key set.
#[test]
fn a_host_fetcher_answering_after_the_timeout_is_refused() {
    #[derive(Debug)]
    struct Slow(String, Duration, Mutex<Vec<Duration>>);
    impl JwksFetcher for Slow {
        fn fetch(&self, _uri: &JwksUri, timeout: Duration) -> Result<FetchedJwks, String> {
            self.2.lock().unwrap().push(timeout);
            std::thread::sleep(self.1);
            Ok(FetchedJwks { body: self.0.clone().into_bytes(), max_age: Some(300) })
        }
    }
    let a = key("a");
    let body = serde_json::json!({ "keys": [a.public_jwk().unwrap()] }).to_string();
    let cfg = RemoteJwksConfig { timeout: Duration::from_millis(200), ..RemoteJwksConfig::default() };
    let uri = JwksUri::parse("https://keys.client.example/jwks.json", UriRules::default()).unwrap();
    let client =
        Client::new("c-remote", AuthMethod::PrivateKeyJwt).with_credential(Credential::from_jwks_uri(uri));
    let clock = Arc::new(FixedClock::new(T0));
    for (delay, accepted) in [(Duration::from_millis(600), false), (Duration::ZERO, true)] {
        let slow = Arc::new(Slow(body.clone(), delay, Mutex::default()));
        let remote = Arc::new(RemoteJwks::with_fetcher(cfg, slow.clone()));
        let verifier = Verifier::builder(ISSUER).clock(clock.clone()).remote_jwks(remote).build().unwrap();
        let t = AssertionBuilder::new(&a, "c-remote", ISSUER).clock(clock.clone()).sign().unwrap().assertion;
        let got = verifier.verify(&t, &client).map(|_| ()).map_err(|e| e.code());
        if accepted {
            assert_eq!(got, Ok(()));
        } else {
            assert_eq!(got, Err(ErrorCode::JwksUnavailable));
        }
        assert_eq!(*slow.2.lock().unwrap(), vec![Duration::from_millis(200)], "told the deadline");
    }
}

#[test]
fn a_registered_jwks_uri_client_authenticates_through_the_authenticator() {
    use jwtauth::{Authenticator, CredentialPolicy, MemoryRegistry};
    let a = key("a");
    let server = Server::start(Reply::jwks(&[&a]));
    let policy = CredentialPolicy { jwks_uri: LOOPBACK, ..CredentialPolicy::default() };
    let doc = serde_json::json!({ "clients": [{
        "client_id": "c-remote", "token_endpoint_auth_method": "private_key_jwt", "jwks_uri": server.url,
    }]});
    let registry = MemoryRegistry::from_value(&doc, &policy, T0).unwrap();
    // The default policy refuses the same document: http, loopback.
    let refused = MemoryRegistry::from_value(&doc, &CredentialPolicy::default(), T0).unwrap_err();
    assert_eq!(refused[0].code, ErrorCode::InvalidJwksUri);
    assert_eq!(refused[0].location, "/clients/0/jwks_uri");

    let clock = Arc::new(FixedClock::new(T0));
    let remote = Arc::new(RemoteJwks::new(config()));
    let verifier = Verifier::builder(ISSUER).clock(clock.clone()).remote_jwks(remote).build().unwrap();
    let auth = Authenticator::new(verifier, Arc::new(registry));
    let signed = AssertionBuilder::new(&a, "c-remote", ISSUER).clock(clock).sign().unwrap();
    let ok = auth.authenticate_body(None, signed.to_form_body().as_bytes()).unwrap();
    assert_eq!((ok.client_id(), ok.method), ("c-remote", AuthMethod::PrivateKeyJwt));
    assert_eq!(ok.assertion.unwrap().key_id.as_deref(), Some("a"));
    assert_eq!(server.hits(), 1);
}

/// An https `jwks_uri` whose server presents a certificate no public root
/// signed: the TLS handshake fails and nothing is fetched.
#[test]
fn https_with_an_untrusted_certificate_is_refused() {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let keys: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/keys.json")).unwrap(),
    )
    .unwrap();
    let der = |pem: &str| {
        use base64::Engine as _;
        let b: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD.decode(b).unwrap()
    };
    let cert = CertificateDer::from(der(keys["keys"]["rsa-a"]["cert_pem"].as_str().unwrap()));
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der(keys["keys"]["rsa-a"]["private_pkcs8_pem"]
        .as_str()
        .unwrap())));
    let config = Arc::new(
        rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(vec![cert], key).unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/jwks", listener.local_addr().unwrap());
    let served = Arc::new(AtomicUsize::new(0));
    let s2 = served.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut tcp) = stream else { continue };
            let mut conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
            let mut buf = [0u8; 512];
            if tls.read(&mut buf).is_ok_and(|n| n > 0) {
                s2.fetch_add(1, Ordering::SeqCst); // a request got through the handshake
            }
        }
    });
    let fetcher = HttpFetcher::new(config_https());
    let err = fetcher.fetch(&JwksUri::parse(&url, LOOPBACK).unwrap(), Duration::from_secs(5)).unwrap_err();
    assert!(err.contains("certificate") || err.contains("Certificate"), "{err}");
    assert_eq!(served.load(Ordering::SeqCst), 0);
}

fn config_https() -> RemoteJwksConfig {
    RemoteJwksConfig {
        rules: UriRules { allow_http: false, allow_private_addresses: true },
        timeout: Duration::from_secs(2),
        ..RemoteJwksConfig::default()
    }
}

#[test]
fn settings_are_checked() {
    use jwtauth::RemoteJwksConfig;
    let ok = RemoteJwksConfig::default();
    assert!(ok.check().is_ok());
    for bad in [
        RemoteJwksConfig { min_ttl: 100, default_ttl: 10, ..ok },
        RemoteJwksConfig { max_ttl: 5, ..ok },
        RemoteJwksConfig { min_ttl: -1, ..ok },
        RemoteJwksConfig { cooldown: -1, ..ok },
        RemoteJwksConfig { timeout: Duration::ZERO, ..ok },
        RemoteJwksConfig { max_size: 0, ..ok },
    ] {
        assert_eq!(bad.check().map_err(|e| e.code()), Err(ErrorCode::InvalidArgument), "{bad:?}");
    }
}
