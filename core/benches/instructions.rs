//! Instruction counts per operation, for `core/benches/instructions.sh`:
//! deterministic where wall-clock timings on a shared VM are not. Each loop is
//! its own non-inlined function so callgrind can collect exactly one of them
//! (`--toggle-collect`). Run by hand: `instructions <alg> <floor|jwtauth> <n>`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::large_enum_variant,
    reason = "benchmark setup, not library code"
)]

use std::hint::black_box;
use std::sync::Arc;

use aws_lc_rs::{hmac, signature as sig};
use jwtauth::{
    Algorithm, AssertionBuilder, AuthMethod, Client, Credential, FixedClock, MemoryReplayStore, SigningKey,
    Verifier, VerifyingKey,
};

const ISSUER: &str = "https://as.example.com";
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

enum Floor {
    Parsed(sig::ParsedPublicKey),
    Hmac(hmac::Key),
}

#[inline(never)]
fn floor_loop(floor: &Floor, inputs: &[(Vec<u8>, Vec<u8>)]) {
    for (msg, s) in inputs {
        let ok = match floor {
            Floor::Parsed(k) => k.verify_sig(black_box(msg), black_box(s)).is_ok(),
            Floor::Hmac(k) => hmac::verify(k, black_box(msg), black_box(s)).is_ok(),
        };
        assert!(ok);
    }
}

#[inline(never)]
fn sign_floor_loop(key: &SigningKey, input: &[u8], n: usize) {
    for _ in 0..n {
        black_box(key.sign_bytes(black_box(input)).unwrap());
    }
}

#[inline(never)]
fn sign_jwtauth_loop(key: &SigningKey, clock: &Arc<FixedClock>, n: usize) {
    for _ in 0..n {
        black_box(AssertionBuilder::new(key, "client-1", ISSUER).clock(clock.clone()).sign().unwrap());
    }
}

#[inline(never)]
fn jwtauth_loop(v: &Verifier, client: &Client, pool: &[String]) {
    for t in pool {
        assert!(v.verify(black_box(t), client).is_ok());
    }
}

/// As the C API and the bindings verify: the client found in a registry.
#[inline(never)]
fn registry_loop(v: &Verifier, registry: &jwtauth::MemoryRegistry, pool: &[String]) {
    for t in pool {
        assert!(v.verify_in(black_box(t), None, registry).is_ok());
    }
}

/// The JWT bearer grant: the same assertions, their issuer in a trust table.
#[inline(never)]
fn grant_loop(v: &Verifier, table: &jwtauth::TrustTable, pool: &[String]) {
    for t in pool {
        assert!(v.verify_grant(black_box(t.as_bytes()), table).is_ok());
    }
}

#[inline(never)]
fn authenticate_loop(auth: &jwtauth::Authenticator, bodies: &[String]) {
    for b in bodies {
        assert!(auth.authenticate_body(None, black_box(b.as_bytes())).is_ok());
    }
}

/// A JWT bearer grant request from a public client: the request's form and
/// client, then the grant.
#[inline(never)]
fn grant_request_loop(auth: &jwtauth::Authenticator, bodies: &[String]) {
    for b in bodies {
        assert!(
            auth.authenticate_grant(jwtauth::Authorization::Absent, black_box(b.as_bytes()), None).is_ok()
        );
    }
}

/// The same request with no credential (a public client): what every
/// request costs before a method's own work.
#[inline(never)]
fn public_loop(auth: &jwtauth::Authenticator, body: &[u8], n: usize) {
    for _ in 0..n {
        assert!(auth.authenticate_body(None, black_box(body)).is_ok());
    }
}

#[inline(never)]
fn basic_loop(auth: &jwtauth::Authenticator, header: &str, n: usize) {
    for _ in 0..n {
        assert!(
            auth.authenticate_body(Some(black_box(header)), black_box(b"grant_type=client_credentials"))
                .is_ok()
        );
    }
}

/// Mutual TLS: each request reads the certificate's DER (as a TLS library
/// hands it over), matches it and computes its `x5t#S256`.
#[inline(never)]
fn tls_loop(auth: &jwtauth::Authenticator, body: &[u8], der: &[u8], verified_by_tls: bool, n: usize) {
    for _ in 0..n {
        let cert = jwtauth::PresentedCertificate::Raw {
            format: jwtauth::CertificateFormat::Der,
            bytes: black_box(der),
            verified_by_tls,
        };
        assert!(auth.authenticate_tls(jwtauth::Authorization::Absent, black_box(body), Some(cert)).is_ok());
    }
}

/// A client CA and a client certificate it issued (subject DN and a DNS
/// SAN, ECDSA P-256), and a self-signed one: (CA PEM, leaf DER, self-signed DER, its public JWK).
fn certificates() -> (String, Vec<u8>, Vec<u8>, serde_json::Value) {
    use rcgen::{
        BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair, SanType,
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::default();
    ca.distinguished_name = DistinguishedName::new();
    ca.distinguished_name.push(DnType::CommonName, "Bench Client CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
    let issuer = Issuer::new(ca, ca_key);
    let mut leaf = CertificateParams::default();
    leaf.distinguished_name = DistinguishedName::new();
    leaf.distinguished_name.push(DnType::CountryName, "DE");
    leaf.distinguished_name.push(DnType::OrganizationName, "Example Corp");
    leaf.distinguished_name.push(DnType::CommonName, "svc-payments");
    leaf.subject_alt_names = vec![SanType::DnsName("svc.example.com".try_into().unwrap())];
    let leaf_key = KeyPair::generate().unwrap();
    let leaf_der = leaf.signed_by(&leaf_key, &issuer).unwrap().der().to_vec();
    let own_key = KeyPair::generate().unwrap();
    let own_der = CertificateParams::default().self_signed(&own_key).unwrap().der().to_vec();
    let jwk = VerifyingKey::from_certificate_der(&own_der).unwrap().to_jwk().unwrap();
    (ca_pem, leaf_der, own_der, jwk)
}

fn authenticator(client: serde_json::Value, clock: Arc<FixedClock>) -> jwtauth::Authenticator {
    let doc = serde_json::json!({ "clients": [client] });
    let registry =
        jwtauth::MemoryRegistry::from_value(&doc, &jwtauth::CredentialPolicy::default(), 1_800_000_000)
            .unwrap();
    let v = Verifier::builder(ISSUER)
        .clock(clock)
        .replay_store(Arc::new(MemoryReplayStore::default()))
        .build()
        .unwrap();
    jwtauth::Authenticator::new(v, Arc::new(registry))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes `--bench`; only run when called with our arguments.
    if args.len() < 4 || args[1].starts_with('-') {
        return;
    }
    let alg = Algorithm::from_name(&args[1]).expect("alg");
    let n: usize = args[3].parse().expect("n");
    let clock = Arc::new(FixedClock::new(1_800_000_000));
    let (key, client) = if alg.is_symmetric() {
        let c = Client::new("client-1", AuthMethod::ClientSecretJwt)
            .with_credential(Credential::from_secret(SECRET).unwrap());
        (SigningKey::from_secret(SECRET, alg).unwrap(), c)
    } else {
        let k = SigningKey::generate(alg).unwrap_or_else(|_| {
            // ring cannot generate RSA keys: bring one made by aws-lc-rs.
            let kp = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
            let der = aws_lc_rs::encoding::AsDer::<aws_lc_rs::encoding::Pkcs8V1Der<'_>>::as_der(&kp).unwrap();
            SigningKey::from_pkcs8_der(der.as_ref()).unwrap().with_alg(alg).unwrap()
        });
        let vk = VerifyingKey::from_jwk(&k.public_jwk().unwrap().to_string()).unwrap();
        (k, Client::new("client-1", AuthMethod::PrivateKeyJwt).with_credential(Credential::from_key(vk)))
    };
    let signed: Vec<_> = (0..n)
        .map(|_| AssertionBuilder::new(&key, "client-1", ISSUER).clock(clock.clone()).sign().unwrap())
        .collect();
    let pool: Vec<String> = signed.iter().map(|a| a.assertion.clone()).collect();
    match args[2].as_str() {
        "authenticate" => {
            let client = serde_json::json!({ "client_id": "client-1", "token_endpoint_auth_method": "private_key_jwt",
                "jwks": { "keys": [key.public_jwk().unwrap()] } });
            let bodies: Vec<String> = signed
                .iter()
                .map(|a| format!("grant_type=client_credentials&{}", a.to_form_body()))
                .collect();
            authenticate_loop(&authenticator(client, clock), &bodies);
        }
        "grant-request" => {
            let client = serde_json::json!({ "client_id": "c", "token_endpoint_auth_method": "none" });
            let doc = serde_json::json!({ "issuers": [{ "issuer": "client-1", "subjects": ["client-1"],
                "jwks": { "keys": [key.public_jwk().unwrap()] } }] });
            let table =
                jwtauth::TrustTable::from_value(&doc, &jwtauth::CredentialPolicy::default(), 1_800_000_000)
                    .unwrap();
            let bodies: Vec<String> = (0..n)
                .map(|_| {
                    let a = AssertionBuilder::new(&key, "client-1", ISSUER)
                        .subject("client-1")
                        .clock(clock.clone())
                        .sign()
                        .unwrap();
                    format!("{}&client_id=c", a.to_form_body())
                })
                .collect();
            grant_request_loop(&authenticator(client, clock).with_trust(table), &bodies);
        }
        "public" | "mtls-dn" | "mtls-chain" | "mtls-self-signed" => {
            let (ca, leaf, own, jwk) = certificates();
            let (client, der) = match args[2].as_str() {
                "public" => {
                    (serde_json::json!({ "client_id": "c", "token_endpoint_auth_method": "none" }), None)
                }
                "mtls-self-signed" => (
                    serde_json::json!({ "client_id": "c", "token_endpoint_auth_method": "self_signed_tls_client_auth",
                                        "jwks": { "keys": [jwk] } }),
                    Some(own),
                ),
                _ => (
                    serde_json::json!({ "client_id": "c", "token_endpoint_auth_method": "tls_client_auth",
                                        "tls_client_auth_subject_dn": "CN=svc-payments,O=Example Corp,C=DE" }),
                    Some(leaf),
                ),
            };
            let auth = authenticator(client, clock)
                .with_client_ca(jwtauth::TrustAnchors::from_pem(ca.as_bytes()).unwrap());
            let body = b"grant_type=client_credentials&client_id=c";
            match der {
                None => public_loop(&auth, body, n),
                Some(der) => tls_loop(&auth, body, &der, args[2] != "mtls-chain", n),
            }
        }
        "basic" => {
            let secret = "basic-secret_0123456789abcdef";
            let client = serde_json::json!({ "client_id": "web-basic",
                "token_endpoint_auth_method": "client_secret_basic", "client_secret": secret });
            let header = jwtauth::form::basic_authorization("web-basic", secret);
            basic_loop(&authenticator(client, clock), &header, n);
        }
        "sign-floor" | "sign" => {
            let input = pool[0].rsplit_once('.').unwrap().0.as_bytes().to_vec();
            // Warm the CSPRNG (its one-time seeding is not per-signature work).
            sign_jwtauth_loop(&key, &clock, 1);
            if args[2] == "sign" {
                sign_jwtauth_loop(&key, &clock, n);
            } else {
                sign_floor_loop(&key, &input, n);
            }
        }
        "floor" => {
            let inputs: Vec<(Vec<u8>, Vec<u8>)> = pool
                .iter()
                .map(|t| {
                    let (a, b) = t.rsplit_once('.').unwrap();
                    (a.as_bytes().to_vec(), jwtauth::b64::decode(b.as_bytes()).unwrap())
                })
                .collect();
            let der = key.to_public_pem().ok();
            let spki = der.map(|p| {
                use base64::Engine as _;
                let b: String = p.lines().filter(|l| !l.starts_with("-----")).collect();
                base64::engine::general_purpose::STANDARD.decode(b).unwrap()
            });
            let floor = match alg {
                Algorithm::HS256 => Floor::Hmac(hmac::Key::new(hmac::HMAC_SHA256, SECRET)),
                Algorithm::RS256 => Floor::Parsed(
                    sig::ParsedPublicKey::new(&sig::RSA_PKCS1_2048_8192_SHA256, spki.unwrap()).unwrap(),
                ),
                Algorithm::PS256 => Floor::Parsed(
                    sig::ParsedPublicKey::new(&sig::RSA_PSS_2048_8192_SHA256, spki.unwrap()).unwrap(),
                ),
                Algorithm::ES256 => Floor::Parsed(
                    sig::ParsedPublicKey::new(&sig::ECDSA_P256_SHA256_FIXED, spki.unwrap()).unwrap(),
                ),
                Algorithm::ES384 => Floor::Parsed(
                    sig::ParsedPublicKey::new(&sig::ECDSA_P384_SHA384_FIXED, spki.unwrap()).unwrap(),
                ),
                Algorithm::ES512 => Floor::Parsed(
                    sig::ParsedPublicKey::new(&sig::ECDSA_P521_SHA512_FIXED, spki.unwrap()).unwrap(),
                ),
                Algorithm::EdDSA => {
                    Floor::Parsed(sig::ParsedPublicKey::new(&sig::ED25519, spki.unwrap()).unwrap())
                }
                _ => panic!("unsupported"),
            };
            floor_loop(&floor, &inputs);
        }
        mode => {
            let v = Verifier::builder(ISSUER)
                .clock(clock.clone())
                .replay_store(Arc::new(MemoryReplayStore::default()))
                .build()
                .unwrap();
            // `grant` and its client-assertion twin `registry-jwt`: typ JWT (a grant refuses
            // an explicitly typed client assertion), the same bytes to check.
            let plain = || -> Vec<String> {
                (0..n)
                    .map(|_| {
                        AssertionBuilder::new(&key, "client-1", ISSUER)
                            .typ(Some("JWT"))
                            .clock(clock.clone())
                            .sign()
                            .unwrap()
                            .assertion
                    })
                    .collect()
            };
            if mode == "grant" {
                // Issuer = subject = client-1, signed with the same key: the
                // same bytes to check as a client assertion's.
                let doc = serde_json::json!({ "issuers": [{ "issuer": "client-1", "subjects": ["client-1"],
                    "jwks": { "keys": [key.public_jwk().unwrap()] } }] });
                let table = jwtauth::TrustTable::from_value(
                    &doc,
                    &jwtauth::CredentialPolicy::default(),
                    1_800_000_000,
                )
                .unwrap();
                grant_loop(&v, &table, &plain());
            } else if mode == "registry-jwt" {
                let registry = jwtauth::MemoryRegistry::new();
                registry.insert(client);
                registry_loop(&v, &registry, &plain());
            } else if mode == "registry" {
                let registry = jwtauth::MemoryRegistry::new();
                registry.insert(client);
                registry_loop(&v, &registry, &pool);
            } else {
                jwtauth_loop(&v, &client, &pool);
            }
        }
    }
}
