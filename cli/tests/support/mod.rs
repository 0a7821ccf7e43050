//! What the `serve` tests share: the server as a child process, a minimal
//! HTTP/1.1 client on a plain socket, a registry with a client per method.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code,
    reason = "test code"
)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jwtauth::{AssertionBuilder, SigningKey};
use serde_json::{Value, json};

pub const SECRET: &str = "a-client-secret-of-32-bytes-long!";
pub const JWT_SECRET: &str = "another-secret-for-hs256-of-32-bytes";

pub struct Server {
    pub child: Child,
    /// `127.0.0.1:PORT`
    pub addr: String,
    pub base: String,
    stderr: Arc<Mutex<String>>,
    stdout: Arc<Mutex<String>>,
}

fn collect(
    pipe: impl std::io::Read + Send + 'static,
    into: Arc<Mutex<String>>,
) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            into.lock().unwrap().push_str(&format!("{line}\n"));
            let _ = tx.send(line);
        }
    });
    rx
}

impl Server {
    pub fn start(dir: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_jwtauth"))
            .args(["serve", "--registry", "clients.json", "--listen", "127.0.0.1:0"])
            .args(extra)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let stdout = Arc::new(Mutex::new(String::new()));
        let lines = collect(child.stderr.take().unwrap(), stderr.clone());
        collect(child.stdout.take().unwrap(), stdout.clone());
        let first = lines.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let base = first
            .split("listening on ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .unwrap_or_else(|| panic!("no address in {first:?} {}", stderr.lock().unwrap()))
            .to_owned();
        let addr = base.split("://").nth(1).unwrap().to_owned();
        Self { child, addr, base, stderr, stdout }
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// Wait (at most 20 s) until stderr holds `needle`.
    pub fn wait_for(&self, needle: &str) {
        let until = Instant::now() + Duration::from_secs(20);
        while !self.stderr().contains(needle) {
            assert!(Instant::now() < until, "no {needle:?} in {}", self.stderr());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill").args(["-s", sig, &self.child.id().to_string()]).status().unwrap();
        assert!(ok.success());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// One HTTP/1.1 request on its own connection.
pub fn request(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    parse(&raw)
}

pub fn parse(raw: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no response: {text:?}"));
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Reply { status, headers, body: body.to_owned() }
}

pub fn post_form(addr: &str, body: &str, authorization: Option<&str>) -> Reply {
    let mut headers = vec![("Content-Type", "application/x-www-form-urlencoded")];
    if let Some(a) = authorization {
        headers.push(("Authorization", a));
    }
    request(addr, "POST", "/token", &headers, body.as_bytes())
}

pub fn get(addr: &str, path: &str) -> Reply {
    request(addr, "GET", path, &[], b"")
}

pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("jwtauth-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A registry with one client per method; the ES256 key is returned.
pub fn setup(dir: &Path) -> SigningKey {
    let key = SigningKey::generate(jwtauth::Algorithm::ES256).unwrap();
    let jwk: Value = key.verifying_key().to_jwk().unwrap();
    let doc = json!({ "clients": [
        { "client_id": "svc", "token_endpoint_auth_method": "private_key_jwt", "jwks": { "keys": [jwk] } },
        { "client_id": "basic", "token_endpoint_auth_method": "client_secret_basic", "client_secret": SECRET },
        { "client_id": "post", "token_endpoint_auth_method": "client_secret_post", "client_secret": SECRET },
        { "client_id": "hmac", "token_endpoint_auth_method": "client_secret_jwt", "client_secret": JWT_SECRET },
        { "client_id": "public", "token_endpoint_auth_method": "none" },
    ]});
    std::fs::write(dir.join("clients.json"), doc.to_string()).unwrap();
    key
}

pub fn assertion_body(key: &SigningKey, client_id: &str, aud: &str) -> String {
    let signed = AssertionBuilder::new(key, client_id, aud).sign().unwrap();
    format!("grant_type=client_credentials&{}", signed.to_form_body())
}
