//! `jwtauth serve --client-ca` over real TLS with a rustls client presenting
//! certificates (RFC 8705): tls_client_auth and self_signed_tls_client_auth,
//! each accepted and refused; the shared vectors' test certificates.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

mod support;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use serde_json::{Value, json};
use support::{Reply, Server, parse, scratch};

fn material() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/keys.json");
    serde_json::from_str::<Value>(&std::fs::read_to_string(path).unwrap()).unwrap()["mtls"].clone()
}

/// One request over TLS, presenting `label`'s certificate (or none).
fn tls_request(m: &Value, addr: &str, label: Option<&str>, method: &str, path: &str, body: &str) -> Reply {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(m["server_ca_pem"].as_str().unwrap().as_bytes()).unwrap())
        .unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
    let config = match label {
        Some(l) => builder
            .with_client_auth_cert(
                vec![CertificateDer::from_pem_slice(m[l].as_str().unwrap().as_bytes()).unwrap()],
                PrivateKeyDer::from_pem_slice(m[format!("{l}_key")].as_str().unwrap().as_bytes()).unwrap(),
            )
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    let conn =
        rustls::ClientConnection::new(Arc::new(config), ServerName::try_from("127.0.0.1").unwrap()).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, TcpStream::connect(addr).unwrap());
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    tls.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = tls.read_to_end(&mut raw); // the server closes without close_notify on some paths
    parse(&raw)
}

#[test]
fn mutual_tls_clients_are_authenticated_by_their_certificates() {
    let m = material();
    let dir = scratch("mtls");
    std::fs::write(dir.join("server.pem"), m["server_pem"].as_str().unwrap()).unwrap();
    std::fs::write(dir.join("server.key"), m["server_key"].as_str().unwrap()).unwrap();
    std::fs::write(dir.join("client-ca.pem"), m["ca_pem"].as_str().unwrap()).unwrap();
    let device = jwtauth::VerifyingKey::from_pem(m["device"].as_str().unwrap()).unwrap().to_jwk().unwrap();
    let clients = json!({"clients": [
        {"client_id": "by-dn", "token_endpoint_auth_method": "tls_client_auth",
         "tls_client_auth_subject_dn": "CN=svc-payments,OU=Payments+O=Example Corp,C=DE"},
        {"client_id": "device", "token_endpoint_auth_method": "self_signed_tls_client_auth", "jwks": {"keys": [device]}},
    ]});
    std::fs::write(dir.join("clients.json"), clients.to_string()).unwrap();
    let s = Server::start(
        &dir,
        &[
            "--tls-cert",
            "server.pem",
            "--tls-key",
            "server.key",
            "--client-ca",
            "client-ca.pem",
            "--log",
            "json",
        ],
    );
    let form = |id: &str| format!("grant_type=client_credentials&client_id={id}");
    let last = |label| tls_request(&m, &s.addr, label, "GET", "/attempts", "").json()["attempts"][0].clone();
    for (label, id, status, failed) in [
        ("svc", "by-dn", 200, None),
        ("forged", "by-dn", 401, Some("chain")),
        ("device", "device", 200, None),
        ("imposter", "device", 401, Some("match")),
    ] {
        let r = tls_request(&m, &s.addr, Some(label), "POST", "/token", &form(id));
        assert_eq!(r.status, status, "{label}: {}", r.body);
        let a = last(Some("svc"));
        assert_eq!(a["client_id"], id, "{a}");
        assert_eq!(a["failed"]["name"].as_str(), failed, "{label}: {a}");
        assert!(a["certificate"]["x5t#S256"].as_str().is_some_and(|t| t.len() == 43), "{a}");
    }
    // Without a certificate: refused, and the metadata says mTLS is on.
    let r = tls_request(&m, &s.addr, None, "POST", "/token", &form("by-dn"));
    assert_eq!((r.status, r.json()["error"].as_str()), (401, Some("invalid_client")));
    assert_eq!(last(None)["error"], "JWTAUTH_CLIENT_CERTIFICATE_REQUIRED");
    let meta = tls_request(&m, &s.addr, None, "GET", "/.well-known/oauth-authorization-server", "").json();
    assert_eq!(meta["tls_client_certificate_bound_access_tokens"], true);
}
