//! The Redis replay store against real Redis deployments.
//!
//! Deployments: one server (`JWTAUTH_REDIS_URL`, else a `redis-server` from
//! PATH started by the test on a free port), a Redis Cluster
//! (`JWTAUTH_REDIS_CLUSTER_URL`) and a Sentinel-managed primary
//! (`JWTAUTH_REDIS_SENTINEL_URL`); CI starts all three with
//! `tests/redis/topology.py`. The shared tests run against each one present.
//! A missing one is reported and skipped, unless `JWTAUTH_REQUIRE_REDIS=1`
//! (CI), which makes it a failure. The fault tests start their own servers
//! (one, or a whole cluster or Sentinel set), since they kill them.
#![cfg(feature = "redis")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::print_stdout,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jwtauth::{
    AssertionBuilder, Client, Clock, ErrorCode, MemoryRegistry, RedisReplayConfig, RedisReplayStore,
    ReplayCheck, ReplayStore, SigningKey, SystemClock, Verifier,
};

const ISSUER: &str = "https://as.example.com";
const SECRET: &[u8] = b"a-shared-secret-for-the-redis-tests-0123456789";

fn required() -> bool {
    std::env::var("JWTAUTH_REQUIRE_REDIS").is_ok_and(|v| v == "1")
}

fn skip(why: &str) {
    assert!(!required(), "JWTAUTH_REQUIRE_REDIS=1 but {why}");
    eprintln!("SKIPPED: {why} (set JWTAUTH_REDIS_URL or put redis-server on PATH)");
}

/// A redis-server started by a test; stopped on drop.
struct Server {
    port: u16,
    child: Option<Child>,
}

impl Server {
    fn start() -> Option<Self> {
        let port = TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let mut s = Self { port, child: None };
        s.restart().then_some(s)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn restart(&mut self) -> bool {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(child) = child else { return false };
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if RedisReplayStore::open(&self.url()).and_then(|s| s.ping()).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The shared server's URL (and the server, when the test started it).
fn shared() -> Option<(String, Option<Server>)> {
    if let Ok(url) = std::env::var("JWTAUTH_REDIS_URL") {
        return Some((url, None));
    }
    match Server::start() {
        Some(s) => Some((s.url(), Some(s))),
        None => {
            skip("no Redis server");
            None
        }
    }
}

/// Every deployment to run the shared tests against: the single server,
/// then the cluster and the Sentinel set when their URLs are given.
fn deployments() -> (Vec<(&'static str, String)>, Option<Server>) {
    let mut all = Vec::new();
    let server = shared().and_then(|(url, server)| {
        all.push(("server", url));
        server
    });
    for (kind, var) in [("cluster", "JWTAUTH_REDIS_CLUSTER_URL"), ("sentinel", "JWTAUTH_REDIS_SENTINEL_URL")]
    {
        match std::env::var(var) {
            Ok(url) => all.push((kind, url)),
            Err(_) => skip(&format!("{var} is not set: the {kind} part is not run")),
        }
    }
    (all, server)
}

/// A whole deployment started by `tests/redis/topology.py` for one test;
/// every server killed on drop.
struct Deployment {
    dir: std::path::PathBuf,
    url: String,
    /// (port, pidfile, role) of each server.
    nodes: Vec<(u16, String, String)>,
}

fn topology_script() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/redis/topology.py")
}

impl Deployment {
    fn start(kind: &str) -> Option<Self> {
        let dir = std::env::temp_dir().join(unique(kind).replace(':', "-"));
        let out = Command::new("python3")
            .arg(topology_script())
            .args(["start", kind])
            .arg(&dir)
            .stderr(Stdio::inherit())
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let nodes = doc["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                let port = u16::try_from(n["port"].as_u64().unwrap()).unwrap();
                (port, n["pidfile"].as_str().unwrap().to_owned(), n["role"].as_str().unwrap().to_owned())
            })
            .collect();
        Some(Self { dir, url: doc["url"].as_str().unwrap().to_owned(), nodes })
    }

    fn kill(&self, port: u16) {
        let (_, pidfile, _) = self.nodes.iter().find(|n| n.0 == port).unwrap();
        let pid = std::fs::read_to_string(pidfile).unwrap();
        assert!(Command::new("kill").args(["-9", pid.trim()]).status().unwrap().success());
    }

    fn ports(&self, role: &str) -> Vec<u16> {
        self.nodes.iter().filter(|n| n.2 == role).map(|n| n.0).collect()
    }
}

impl Drop for Deployment {
    fn drop(&mut self) {
        let _ = Command::new("python3").arg(topology_script()).arg("stop").arg(&self.dir).status();
    }
}

fn node(port: u16) -> redis::Connection {
    let c = redis::Client::open(format!("redis://127.0.0.1:{port}/").as_str()).unwrap();
    c.get_connection_with_timeout(Duration::from_secs(2)).unwrap()
}

fn unique(tag: &str) -> String {
    let n = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!("jwtauth-test:{tag}:{n}:{}", std::process::id())
}

fn store(url: &str, prefix: &str) -> Arc<RedisReplayStore> {
    let mut c = RedisReplayConfig::new(url);
    c.prefix = prefix.to_owned();
    Arc::new(RedisReplayStore::new(c).unwrap())
}

fn registry() -> MemoryRegistry {
    let r = MemoryRegistry::new();
    r.insert(Client::new("c1", jwtauth::AuthMethod::ClientSecretJwt).with_secret(SECRET, None).unwrap());
    r
}

fn verifier(store: Arc<RedisReplayStore>) -> Verifier {
    Verifier::builder(ISSUER).replay_store(store).build().unwrap()
}

fn assertion(jti: &str) -> String {
    let key = SigningKey::from_secret(SECRET, jwtauth::Algorithm::HS256).unwrap();
    AssertionBuilder::new(&key, "c1", ISSUER).jti(jti).sign().unwrap().assertion
}

#[test]
fn two_clients_with_one_jti_do_not_collide() {
    let (all, _server) = deployments();
    for (kind, url) in all {
        eprintln!("-- {kind}");
        two_clients_with_one_jti_do_not_collide_on(&url);
    }
}

fn two_clients_with_one_jti_do_not_collide_on(url: &str) {
    let s = store(url, &unique("collide"));
    let now = SystemClock.now();
    assert_eq!(s.check_and_insert("a", "j1", now + 60, now).unwrap(), ReplayCheck::Fresh);
    assert_eq!(s.check_and_insert("b", "j1", now + 60, now).unwrap(), ReplayCheck::Fresh);
    // Ids and jtis that would run together in a naive key.
    assert_eq!(s.check_and_insert("a:j1", "x", now + 60, now).unwrap(), ReplayCheck::Fresh);
    assert_eq!(s.check_and_insert("a", "j1:x", now + 60, now).unwrap(), ReplayCheck::Fresh);
    assert_eq!(s.check_and_insert("a", "j1", now + 60, now).unwrap(), ReplayCheck::Replayed);
    assert_eq!(s.check_and_insert("b", "j1", now + 60, now).unwrap(), ReplayCheck::Replayed);
    assert_ne!(s.key("a", "j1"), s.key("b", "j1"));
    assert!(s.key("a", "j1").starts_with(&format!("{}:a:", s.config().prefix)));
    // Another prefix is another namespace.
    let other = store(url, &unique("collide-other"));
    assert_eq!(other.check_and_insert("a", "j1", now + 60, now).unwrap(), ReplayCheck::Fresh);
}

#[test]
fn the_record_expires_as_rule_8_says() {
    let (all, _server) = deployments();
    for (kind, url) in all {
        eprintln!("-- {kind}");
        the_record_expires_as_rule_8_says_on(&url);
    }
}

/// A direct connection to whichever server holds `key` (the cluster's
/// owner of its slot, the Sentinels' primary), to read what was stored.
fn holder(url: &str) -> Box<dyn redis::ConnectionLike> {
    if let Some(rest) = url.strip_prefix("redis+cluster://") {
        let nodes: Vec<String> =
            rest.trim_end_matches('/').split(',').map(|h| format!("redis://{h}/")).collect();
        return Box::new(redis::cluster::ClusterClient::new(nodes).unwrap().get_connection().unwrap());
    }
    if let Some(rest) = url.strip_prefix("redis+sentinel://") {
        let (hosts, service) = rest.split_once('/').unwrap();
        let sentinels: Vec<String> = hosts.split(',').map(|h| format!("redis://{h}/")).collect();
        let mut s = redis::sentinel::SentinelClient::build(
            sentinels,
            service,
            None,
            redis::sentinel::SentinelServerType::Master,
        )
        .unwrap();
        return Box::new(s.get_connection().unwrap());
    }
    Box::new(redis::Client::open(url).unwrap().get_connection().unwrap())
}

fn the_record_expires_as_rule_8_says_on(url: &str) {
    let s = store(url, &unique("ttl"));
    let v = verifier(s.clone());
    let r = v.verify_in(&assertion("ttl-1"), None, &registry()).unwrap();
    // min(exp, iat + max_age) + leeway, from the verifier's own result.
    let key = s.key("c1", "ttl-1");
    let mut c = holder(url);
    let at: i64 = redis::cmd("PEXPIRETIME").arg(&key).query(&mut *c).unwrap();
    assert_eq!(at, r.replay_until * 1000);
    #[allow(clippy::cast_possible_truncation, reason = "a test's exp")]
    let exp = r.claims.exp().unwrap() as i64;
    assert!(r.replay_until <= exp + 60 && r.replay_until > SystemClock.now());
    // And the second use is refused.
    let e = v.verify_in(&assertion("ttl-1"), None, &registry()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Replayed);
}

#[test]
fn explain_sees_a_replay_without_recording() {
    let (all, _server) = deployments();
    for (kind, url) in all {
        eprintln!("-- {kind}");
        explain_sees_a_replay_without_recording_on(&url);
    }
}

fn explain_sees_a_replay_without_recording_on(url: &str) {
    let s = store(url, &unique("explain"));
    let v = verifier(s.clone());
    let a = assertion("explain-1");
    // Before use: explained as accepted, and explaining records nothing.
    let e = v.explain(a.as_bytes(), None, &registry());
    assert!(e.replay_checked);
    assert_eq!(e.verdict.as_deref(), Ok("c1"));
    assert_eq!(s.seen("c1", "explain-1", SystemClock.now()).unwrap(), Some(false));
    v.verify_in(&a, None, &registry()).unwrap();
    // After use: the replay step fails, as verify would.
    let e = v.explain(a.as_bytes(), None, &registry());
    assert_eq!(e.verdict.unwrap_err().code(), ErrorCode::Replayed);
    assert_eq!(v.verify_in(&a, None, &registry()).unwrap_err().code(), ErrorCode::Replayed);
    assert_eq!(s.seen("c1", "explain-1", SystemClock.now()).unwrap(), Some(true));
}

/// One child process of the race: 16 threads present each assertion at once.
/// Run by `exactly_once_across_processes`, ignored otherwise.
#[test]
#[ignore = "a child process of exactly_once_across_processes"]
fn race_child() {
    let Ok(url) = std::env::var("JWTAUTH_RACE_URL") else { return };
    let prefix = std::env::var("JWTAUTH_RACE_PREFIX").unwrap();
    let jtis: Vec<String> =
        std::env::var("JWTAUTH_RACE_JTIS").unwrap().split(',').map(str::to_owned).collect();
    let start_ms: u128 = std::env::var("JWTAUTH_RACE_START_MS").unwrap().parse().unwrap();
    let v = Arc::new(verifier(store(&url, &prefix)));
    let reg = Arc::new(registry());
    let assertions: Arc<Vec<String>> = Arc::new(jtis.iter().map(|j| assertion(j)).collect());
    // Connect every thread's connection before the start line.
    let barrier = Arc::new(Barrier::new(16));
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let (v, reg, assertions, barrier) = (v.clone(), reg.clone(), assertions.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                while SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() < start_ms {
                    std::hint::spin_loop();
                }
                let mut accepted = vec![0_u32; assertions.len()];
                for (i, a) in assertions.iter().enumerate() {
                    match v.verify_in(a, None, &*reg) {
                        Ok(_) => accepted[i] += 1,
                        Err(e) => assert_eq!(e.code(), ErrorCode::Replayed, "{e}"),
                    }
                }
                accepted
            })
        })
        .collect();
    let mut total = vec![0_u32; assertions.len()];
    for h in handles {
        for (t, a) in total.iter_mut().zip(h.join().unwrap()) {
            *t += a;
        }
    }
    println!("RACE {}", total.iter().map(u32::to_string).collect::<Vec<_>>().join(","));
}

#[test]
fn exactly_once_across_processes() {
    let (all, _server) = deployments();
    for (kind, url) in all {
        eprintln!("-- {kind}");
        exactly_once_across_processes_on(&url);
    }
}

fn exactly_once_across_processes_on(url: &str) {
    let prefix = unique("race");
    let rounds = 20;
    let jtis: Vec<String> = (0..rounds).map(|i| format!("race-{i}")).collect();
    let start = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() + 1500;
    let exe = std::env::current_exe().unwrap();
    let children: Vec<Child> = (0..4)
        .map(|_| {
            Command::new(&exe)
                .args(["--exact", "race_child", "--ignored", "--nocapture", "--test-threads=1"])
                .env("JWTAUTH_RACE_URL", url)
                .env("JWTAUTH_RACE_PREFIX", &prefix)
                .env("JWTAUTH_RACE_JTIS", jtis.join(","))
                .env("JWTAUTH_RACE_START_MS", start.to_string())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut total = vec![0_u32; rounds];
    for mut child in children {
        let out = BufReader::new(child.stdout.take().unwrap());
        // libtest prints "test race_child ... " first, on the same line.
        let lines: Vec<String> = out.lines().map(Result::unwrap).collect();
        let line = lines.iter().find(|l| l.contains("RACE ")).expect("a RACE line");
        let counts = line.split_once("RACE ").map(|(_, c)| c.trim().to_owned()).unwrap();
        for (t, n) in total.iter_mut().zip(counts.split(',')) {
            *t += n.parse::<u32>().unwrap();
        }
        assert!(child.wait().unwrap().success());
    }
    // 4 processes × 16 threads per assertion, 20 assertions: each accepted once.
    assert_eq!(total, vec![1; rounds]);
}

#[test]
fn fails_closed_while_redis_is_down_and_recovers() {
    let Some(mut server) = Server::start() else {
        skip("no redis-server on PATH to stop and restart");
        return;
    };
    let mut config = RedisReplayConfig::new(server.url());
    config.command_timeout = Duration::from_millis(300);
    config.connect_timeout = Duration::from_millis(300);
    let s = Arc::new(RedisReplayStore::new(config).unwrap());
    let v = verifier(s.clone());
    let reg = registry();
    v.verify_in(&assertion("up-1"), None, &reg).unwrap();

    server.stop();
    for i in 0..20 {
        let t = Instant::now();
        let e = v.verify_in(&assertion(&format!("down-{i}")), None, &reg).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ReplayStoreUnavailable, "{e}");
        assert_eq!(e.http_status(), 503);
        assert_eq!(e.code().oauth_error().as_str(), "server_error");
        assert!(t.elapsed() < Duration::from_secs(2), "bounded by the timeouts");
        assert!(!e.detail().contains("127.0.0.1"), "no address or URL in the detail: {}", e.detail());
    }

    assert!(server.restart(), "redis-server restarted");
    // The store reconnects by itself.
    let r = v.verify_in(&assertion("back-1"), None, &reg).unwrap();
    assert_eq!(r.client_id, "c1");
    assert_eq!(v.verify_in(&assertion("back-1"), None, &reg).unwrap_err().code(), ErrorCode::Replayed);
}

#[test]
fn a_paused_server_times_out_closed() {
    let Some(server) = Server::start() else {
        skip("no redis-server on PATH");
        return;
    };
    let mut config = RedisReplayConfig::new(server.url());
    config.command_timeout = Duration::from_millis(200);
    let s = RedisReplayStore::new(config).unwrap();
    s.ping().unwrap();
    let client = redis::Client::open(server.url().as_str()).unwrap();
    let mut admin = client.get_connection().unwrap();
    let _: () = redis::cmd("CLIENT").arg("PAUSE").arg(1500).arg("ALL").query(&mut admin).unwrap();
    let now = SystemClock.now();
    let t = Instant::now();
    let e = s.check_and_insert("c1", "slow-1", now + 60, now).unwrap_err();
    assert!(t.elapsed() < Duration::from_millis(1200), "{:?}", t.elapsed());
    assert!(e.0.contains("timed out") || e.0.contains("lost"), "{}", e.0);
    std::thread::sleep(Duration::from_millis(1600));
    assert_eq!(s.check_and_insert("c1", "slow-2", now + 60, now).unwrap(), ReplayCheck::Fresh);
}

#[test]
fn configuration_is_checked_and_never_shows_the_password() {
    assert_eq!(RedisReplayStore::open("http://example.com").unwrap_err().code(), ErrorCode::InvalidArgument);
    let mut c = RedisReplayConfig::new("redis://:hunter2-password@127.0.0.1:1/");
    assert!(!format!("{c:?}").contains("hunter2"));
    c.prefix = String::new();
    assert_eq!(RedisReplayStore::new(c).unwrap_err().code(), ErrorCode::InvalidArgument);
    let s = RedisReplayStore::open("redis://:hunter2-password@127.0.0.1:1/").unwrap();
    assert!(!format!("{s:?}").contains("hunter2"));
    let now = SystemClock.now();
    let e = s.check_and_insert("c1", "j", now + 60, now).unwrap_err();
    assert!(!e.0.contains("hunter2") && !e.0.contains("127.0.0.1"), "{}", e.0);
}

#[test]
fn cluster_and_sentinel_urls_are_checked() {
    for (url, kind) in [
        ("redis+cluster://127.0.0.1:7000,127.0.0.1:7001/", "cluster"),
        ("rediss+cluster://:pw@a.example:7000,b.example:7000", "cluster"),
        ("redis+sentinel://127.0.0.1:26379,127.0.0.1:26380/mymaster", "sentinel"),
        ("redis+sentinel://user:hunter2@[::1]:26379/mymaster/3", "sentinel"),
        ("redis://127.0.0.1/", "server"),
        ("redis+unix:///run/redis.sock", "server"),
    ] {
        assert_eq!(RedisReplayStore::open(url).unwrap().deployment(), kind, "{url}");
    }
    for (url, part) in [
        ("redis+cluster://:hunter2@127.0.0.1:7000,,127.0.0.1:7001/", "empty host"),
        ("redis+cluster://:hunter2@127.0.0.1:7000/3", "no database"),
        ("redis+sentinel://:hunter2@127.0.0.1:26379", "no service"),
        ("redis+sentinel://:hunter2@127.0.0.1:26379/", "no service"),
        ("redis+sentinel://:hunter2@127.0.0.1:26379/svc/x", "not a number"),
        ("redis+sentinel://:hunter2@127.0.0.1:port/svc", "host[:port]"),
        ("rediss+cluster://:hunter2@:7000/", "host[:port]"),
        ("redis+clusterx://:hunter2@127.0.0.1/", ""),
    ] {
        let e = RedisReplayStore::open(url).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument, "{url}");
        assert!(e.detail().contains(part), "{url}: {}", e.detail());
        assert!(!e.to_string().contains("hunter2") && !e.detail().contains("hunter2"), "{url}");
    }
}

/// Kill the primary that holds a record while checks keep coming: every
/// check is refused (503) or, for a used jti, `REPLAYED` — never accepted —
/// until the replica takes over; then service resumes and the record made
/// before the kill still counts.
fn failover(kind: &str) {
    let Some(d) = Deployment::start(kind) else {
        skip(&format!("cannot start a {kind} (python3, redis-server and redis-cli on PATH)"));
        return;
    };
    let mut config = RedisReplayConfig::new(d.url.clone());
    config.prefix = unique("failover");
    config.connect_timeout = Duration::from_millis(300);
    config.command_timeout = Duration::from_millis(300);
    let s = Arc::new(RedisReplayStore::new(config).unwrap());
    let v = verifier(s.clone());
    let reg = registry();
    v.verify_in(&assertion("before"), None, &reg).unwrap();
    let key = s.key("c1", "before");

    // The victim: the primary that holds the record (for a cluster, the
    // owner of the key's slot); its replica; fresh jtis it would own.
    let (victim, replica, fresh): (u16, u16, Vec<String>) = if kind == "cluster" {
        let any = d.ports("primary")[0];
        let mut c = node(any);
        let slot_of = |c: &mut redis::Connection, k: &str| -> i64 {
            redis::cmd("CLUSTER").arg("KEYSLOT").arg(k).query(c).unwrap()
        };
        let nodes: String = redis::cmd("CLUSTER").arg("NODES").query(&mut c).unwrap();
        let lines: Vec<Vec<&str>> = nodes.lines().map(|l| l.split(' ').collect()).collect();
        let port_of = |l: &[&str]| -> u16 { l[1].split(['@', ':']).nth(1).unwrap().parse().unwrap() };
        let slot = slot_of(&mut c, &key);
        let owner = lines
            .iter()
            .find(|l| {
                l[2].contains("master")
                    && l[8..].iter().any(|r| {
                        let (a, b) = r.split_once('-').unwrap_or((r, r));
                        a.parse::<i64>().is_ok_and(|a| a <= slot) && b.parse::<i64>().is_ok_and(|b| slot <= b)
                    })
            })
            .unwrap();
        let replica = lines.iter().find(|l| l[3] == owner[0]).map(|l| port_of(l)).unwrap();
        let victim = port_of(owner);
        let mut fresh = Vec::new();
        let mut victim_conn = node(victim);
        // The victim answers for its own slots; another node's key is MOVED.
        for i in 0.. {
            let jti = format!("fresh-{i}");
            let r: redis::RedisResult<Option<String>> =
                redis::cmd("GET").arg(s.key("c1", &jti)).query(&mut victim_conn);
            if r.is_ok() {
                fresh.push(jti);
            }
            if fresh.len() == 80 {
                break;
            }
        }
        (victim, replica, fresh)
    } else {
        (d.ports("primary")[0], d.ports("replica")[0], (0..80).map(|i| format!("fresh-{i}")).collect())
    };
    // The record has reached the replica before the kill.
    let mut r = node(replica);
    if kind == "cluster" {
        let _: () = redis::cmd("READONLY").query(&mut r).unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while redis::cmd("EXISTS").arg(&key).query::<i64>(&mut r).unwrap() != 1 {
        assert!(Instant::now() < deadline, "the record never reached the replica");
        std::thread::sleep(Duration::from_millis(20));
    }

    d.kill(victim);
    let t = Instant::now();
    let (mut refused, mut recovered) = (0, None);
    for jti in &fresh {
        // A used jti: never accepted, whatever the state.
        let e = v.verify_in(&assertion("before"), None, &reg).unwrap_err();
        assert!(matches!(e.code(), ErrorCode::Replayed | ErrorCode::ReplayStoreUnavailable), "{e}");
        match v.verify_in(&assertion(jti), None, &reg) {
            Ok(_) => {
                recovered = Some(t.elapsed());
                break;
            }
            Err(e) => {
                assert_eq!((e.code(), e.http_status()), (ErrorCode::ReplayStoreUnavailable, 503), "{e}");
                refused += 1;
            }
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let recovered = recovered.expect("service resumed after the failover");
    eprintln!("{kind}: {refused} checks refused (503) before the failover, service back after {recovered:?}");
    assert!(refused > 0, "the kill was seen: checks were refused before the replica took over");
    // After the failover: the record made before the kill is still there.
    assert_eq!(v.verify_in(&assertion("before"), None, &reg).unwrap_err().code(), ErrorCode::Replayed);
    let after = fresh.last().unwrap();
    v.verify_in(&assertion(&format!("{after}-after")), None, &reg).unwrap();
    assert_eq!(
        v.verify_in(&assertion(&format!("{after}-after")), None, &reg).unwrap_err().code(),
        ErrorCode::Replayed
    );
}

#[test]
fn a_cluster_failover_refuses_then_recovers() {
    failover("cluster");
}

#[test]
fn a_sentinel_failover_refuses_then_recovers() {
    failover("sentinel");
}

/// A JWT bearer grant is used once across nodes: two verifiers, each with
/// its own connection to the same Redis; its record never meets a client's.
#[test]
fn a_grant_is_used_once_across_nodes() {
    let (all, _server) = deployments();
    for (kind, url) in all {
        eprintln!("-- {kind}");
        a_grant_is_used_once_across_nodes_on(&url);
    }
}

fn a_grant_is_used_once_across_nodes_on(url: &str) {
    let prefix = unique("grant");
    let key = SigningKey::generate(jwtauth::Algorithm::EdDSA).unwrap();
    let doc = serde_json::json!({"issuers": [{"issuer": "c1", "subjects": ["batch-job"],
                                              "jwks": {"keys": [key.public_jwk().unwrap()]}}]});
    let table =
        jwtauth::TrustTable::from_value(&doc, &jwtauth::CredentialPolicy::default(), SystemClock.now())
            .unwrap();
    let (a, b) = (verifier(store(url, &prefix)), verifier(store(url, &prefix)));
    let grant =
        AssertionBuilder::new(&key, "c1", ISSUER).subject("batch-job").jti("shared-jti").sign().unwrap();
    assert_eq!(a.verify_grant(grant.assertion.as_bytes(), &table).unwrap().subject, "batch-job");
    let e = b.verify_grant(grant.assertion.as_bytes(), &table).unwrap_err();
    assert_eq!((e.code(), e.http_status()), (ErrorCode::Replayed, 400));
    // The client c1's own assertion with the same jti is another record.
    assert!(b.verify_in(&assertion("shared-jti"), None, &registry()).is_ok());
}
