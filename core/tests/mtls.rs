//! Mutual-TLS client authentication (RFC 8705) end to end through the
//! authenticator, with certificates made here by rcgen: a CA, client
//! certificates of each subject shape, self-signed ones, and the formats
//! TLS terminators hand them over in.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use std::sync::Arc;

use jwtauth::{
    AssertionBuilder, AuthMethod, Authenticator, Authorization, CertificateFormat, ClientCertificate,
    CredentialPolicy, ErrorCode, MemoryRegistry, PresentedCertificate, SigningKey, TrustAnchors, Verifier,
    VerifyingKey,
};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyPair, SanType,
};
use serde_json::json;

const ISSUER: &str = "https://as.example.com";

struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

fn ca(name: &str) -> Ca {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).unwrap();
    Ca { pem: cert.pem(), issuer: Issuer::new(params, key) }
}

struct Leaf {
    der: Vec<u8>,
    pem: String,
    key: KeyPair,
}

fn leaf(ca: Option<&Ca>, dn: &[(DnType, &str)], sans: Vec<SanType>, expired: bool) -> Leaf {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    for (t, v) in dn {
        params.distinguished_name.push(t.clone(), *v);
    }
    params.subject_alt_names = sans;
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    if expired {
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    }
    let cert = match ca {
        Some(ca) => params.signed_by(&key, &ca.issuer).unwrap(),
        None => params.self_signed(&key).unwrap(),
    };
    Leaf { der: cert.der().to_vec(), pem: cert.pem(), key }
}

fn svc_dn() -> Vec<(DnType, &'static str)> {
    vec![
        (DnType::CountryName, "DE"),
        (DnType::OrganizationName, "Example Corp"),
        (DnType::OrganizationalUnitName, "Payments"),
        (DnType::CommonName, "svc-payments"),
    ]
}

fn public_jwk(l: &Leaf) -> serde_json::Value {
    VerifyingKey::from_certificate_der(&l.der).unwrap().to_jwk().unwrap()
}

struct World {
    ca: Ca,
    svc: Leaf,
    selfie: Leaf,
    auth: Authenticator,
    jwt_key: SigningKey,
}

fn world() -> World {
    let ca = ca("Example Client CA");
    let svc = leaf(
        Some(&ca),
        &svc_dn(),
        vec![
            SanType::DnsName("svc.example.com".try_into().unwrap()),
            SanType::URI("spiffe://example.com/ns/pay/sa/svc".try_into().unwrap()),
            SanType::IpAddress("2001:db8::7".parse().unwrap()),
            SanType::Rfc822Name("Ops@Example.com".try_into().unwrap()),
        ],
        false,
    );
    let selfie = leaf(None, &[(DnType::CommonName, "device-42")], vec![], false);
    let jwt_key = SigningKey::generate(jwtauth::Algorithm::ES256).unwrap();
    let doc = json!({"clients": [
        // Registered with spaces and case OpenSSL or a dashboard might use.
        {"client_id": "by-dn", "token_endpoint_auth_method": "tls_client_auth",
         "tls_client_auth_subject_dn": "cn = SVC-Payments, ou=payments, o=Example  Corp, c=de"},
        {"client_id": "by-dns", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_dns": "SVC.example.com"},
        {"client_id": "by-uri", "token_endpoint_auth_method": "tls_client_auth",
         "tls_client_auth_san_uri": "spiffe://example.com/ns/pay/sa/svc"},
        {"client_id": "by-ip", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_ip": "2001:0db8:0:0::7"},
        {"client_id": "by-email", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_email": "Ops@example.COM"},
        {"client_id": "other-dn", "token_endpoint_auth_method": "tls_client_auth",
         "tls_client_auth_subject_dn": "CN=svc-billing,OU=Payments,O=Example Corp,C=DE"},
        {"client_id": "device", "token_endpoint_auth_method": "self_signed_tls_client_auth",
         "jwks": {"keys": [public_jwk(&selfie)]}},
        {"client_id": "jwt", "token_endpoint_auth_method": "private_key_jwt",
         "jwks": {"keys": [jwt_key.verifying_key().to_jwk().unwrap()]}},
    ]});
    let registry =
        MemoryRegistry::from_json(&doc.to_string(), &CredentialPolicy::default(), 1_800_000_000).unwrap();
    let verifier = Verifier::builder(ISSUER).build().unwrap();
    let auth = Authenticator::new(verifier, Arc::new(registry))
        .with_client_ca(TrustAnchors::from_pem(ca.pem.as_bytes()).unwrap());
    World { ca, svc, selfie, auth, jwt_key }
}

fn body(client_id: &str) -> Vec<u8> {
    format!("grant_type=client_credentials&client_id={client_id}").into_bytes()
}

fn der(l: &Leaf) -> ClientCertificate {
    ClientCertificate::parse(CertificateFormat::Der, &l.der).unwrap()
}

fn code(r: Result<jwtauth::Authenticated, jwtauth::AuthError>) -> ErrorCode {
    r.unwrap_err().code()
}

#[test]
fn tls_client_auth_by_subject_dn_and_each_san() {
    let w = world();
    let cert = der(&w.svc);
    for id in ["by-dn", "by-dns", "by-uri", "by-ip", "by-email"] {
        let a = w.auth.authenticate_tls(Authorization::Absent, &body(id), Some((&cert).into())).unwrap();
        assert_eq!((a.client_id(), a.method), (id, AuthMethod::TlsClientAuth));
        // The certificate-bound token's cnf: base64url SHA-256 of the DER.
        assert_eq!(a.certificate_thumbprint.as_deref(), Some(cert.thumbprint().as_str()));
        assert_eq!(cert.thumbprint(), jwtauth::b64::encode(&sha256(&w.svc.der)));
    }
    // A certificate for another subject.
    assert_eq!(
        code(w.auth.authenticate_tls(Authorization::Absent, &body("other-dn"), Some((&cert).into()))),
        ErrorCode::ClientCertificateMismatch
    );
    // The same subject and SANs from a CA nobody trusts.
    let rogue = ca("Rogue CA");
    let forged =
        leaf(Some(&rogue), &svc_dn(), vec![SanType::DnsName("svc.example.com".try_into().unwrap())], false);
    for id in ["by-dn", "by-dns"] {
        assert_eq!(
            code(w.auth.authenticate_tls(Authorization::Absent, &body(id), Some((&der(&forged)).into()))),
            ErrorCode::ClientCertificateUntrusted,
            "{id}"
        );
    }
    // Expired: the chain does not verify today.
    let old = leaf(Some(&w.ca), &svc_dn(), vec![], true);
    assert_eq!(
        code(w.auth.authenticate_tls(Authorization::Absent, &body("by-dn"), Some((&der(&old)).into()))),
        ErrorCode::ClientCertificateUntrusted
    );
    // No certificate at all.
    assert_eq!(
        code(w.auth.authenticate_tls(Authorization::Absent, &body("by-dn"), None)),
        ErrorCode::ClientCertificateRequired
    );
    // A SAN that differs in the one way that matters.
    let near = leaf(Some(&w.ca), &svc_dn(), vec![SanType::IpAddress("2001:db8::8".parse().unwrap())], false);
    assert_eq!(
        code(w.auth.authenticate_tls(Authorization::Absent, &body("by-ip"), Some((&der(&near)).into()))),
        ErrorCode::ClientCertificateMismatch
    );
}

/// SHA-256 straight from aws-lc-rs, not through the library.
fn sha256(data: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data).as_ref().to_vec()
}

#[test]
fn who_verifies_the_chain() {
    let w = world();
    let registry = w.auth.registry().clone();
    // Without client CAs, only a certificate the TLS layer verified counts.
    let bare = Authenticator::new(Verifier::builder(ISSUER).build().unwrap(), registry);
    let cert = der(&w.svc);
    assert_eq!(
        code(bare.authenticate_tls(Authorization::Absent, &body("by-dn"), Some((&cert).into()))),
        ErrorCode::ClientCertificateUntrusted
    );
    let verified = cert.clone().verified_by_tls(true);
    assert!(bare.authenticate_tls(Authorization::Absent, &body("by-dn"), Some((&verified).into())).is_ok());
    // A verified chain is still matched against the registration.
    assert_eq!(
        code(bare.authenticate_tls(Authorization::Absent, &body("other-dn"), Some((&verified).into()))),
        ErrorCode::ClientCertificateMismatch
    );
}

#[test]
fn self_signed_tls_client_auth_by_registered_key() {
    let w = world();
    let a = w
        .auth
        .authenticate_tls(Authorization::Absent, &body("device"), Some((&der(&w.selfie)).into()))
        .unwrap();
    assert_eq!(a.method, AuthMethod::SelfSignedTlsClientAuth);
    // Another self-signed certificate, same subject, other key.
    let imposter = leaf(None, &[(DnType::CommonName, "device-42")], vec![], false);
    assert_eq!(
        code(w.auth.authenticate_tls(Authorization::Absent, &body("device"), Some((&der(&imposter)).into()))),
        ErrorCode::ClientCertificateMismatch
    );
    // The registered key in a new certificate (the client re-issued it, even expired): still the key.
    let mut params = CertificateParams::default();
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    let reissued = params.self_signed(&w.selfie.key).unwrap();
    let cert = ClientCertificate::parse(CertificateFormat::Der, reissued.der()).unwrap();
    assert!(w.auth.authenticate_tls(Authorization::Absent, &body("device"), Some((&cert).into())).is_ok());
}

#[test]
fn a_certificate_authenticates_only_a_client_registered_for_it() {
    let w = world();
    let cert = der(&w.svc);
    // A private_key_jwt client over mTLS: its assertion authenticates it,
    // the certificate's thumbprint rides along for a bound token.
    let signed = AssertionBuilder::new(&w.jwt_key, "jwt", ISSUER).sign().unwrap();
    let form = format!("grant_type=client_credentials&{}", signed.to_form_body());
    let a = w.auth.authenticate_tls(Authorization::Absent, form.as_bytes(), Some((&cert).into())).unwrap();
    assert_eq!(a.method, AuthMethod::PrivateKeyJwt);
    assert_eq!(a.certificate_thumbprint, Some(cert.thumbprint()));
    // Its client_id and a certificate alone do not authenticate it.
    assert_eq!(
        code(w.auth.authenticate_tls(Authorization::Absent, &body("jwt"), Some((&cert).into()))),
        ErrorCode::NoClientAuthentication
    );
    // An mTLS client that sends a secret or an assertion uses the wrong method.
    let secret = b"grant_type=client_credentials&client_id=by-dn&client_secret=whatever-it-is-123";
    assert_eq!(
        code(w.auth.authenticate_tls(Authorization::Absent, secret, Some((&cert).into()))),
        ErrorCode::AuthMethodMismatch
    );
    let theirs = AssertionBuilder::new(&w.jwt_key, "by-dn", ISSUER).sign().unwrap();
    let form = format!("grant_type=client_credentials&{}", theirs.to_form_body());
    assert_eq!(
        code(w.auth.authenticate_tls(Authorization::Absent, form.as_bytes(), Some((&cert).into()))),
        ErrorCode::AuthMethodMismatch
    );
    // Without a certificate, the old entry points refuse an mTLS client.
    assert_eq!(
        code(w.auth.authenticate_raw(Authorization::Absent, &body("by-dn"))),
        ErrorCode::ClientCertificateRequired
    );
}

#[test]
fn the_formats_terminators_use() {
    let w = world();
    let pem = format!("{}{}", w.svc.pem, w.ca.pem);
    let escaped: String = pem
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let escaped_leaf: String = w
        .svc
        .pem
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let xfcc = format!(
        "By=spiffe://example.com/gw;Hash=abc;Cert=\"{escaped_leaf}\";Chain=\"{escaped}\";Subject=\"CN=svc-payments,OU=Payments,O=Example Corp,C=DE\";DNS=svc.example.com"
    );
    for (format, input) in [
        (CertificateFormat::Der, w.svc.der.clone()),
        (CertificateFormat::Pem, pem.clone().into_bytes()),
        (CertificateFormat::NginxEscaped, escaped.clone().into_bytes()),
        (CertificateFormat::Xfcc, xfcc.clone().into_bytes()),
    ] {
        let presented = PresentedCertificate::Raw { format, bytes: &input, verified_by_tls: false };
        let a = w.auth.authenticate_tls(Authorization::Absent, &body("by-dn"), Some(presented)).unwrap();
        assert_eq!(a.certificate_thumbprint, Some(der(&w.svc).thumbprint()), "{format:?}");
    }
    // Malformed inputs refuse the request with a precise code.
    let truncated = &pem.as_bytes()[..pem.len() / 3];
    let two = format!("{xfcc},By=spiffe://other;Cert=\"{escaped_leaf}\"");
    for (format, input) in [
        (CertificateFormat::Pem, truncated.to_vec()),
        (CertificateFormat::Der, b"not a certificate".to_vec()),
        (CertificateFormat::Xfcc, two.into_bytes()),
        (CertificateFormat::Xfcc, b"By=x;Hash=y".to_vec()),
        (CertificateFormat::Xfcc, b"Cert=\"unterminated".to_vec()),
        (CertificateFormat::NginxEscaped, b"%2".to_vec()),
    ] {
        let presented = PresentedCertificate::Raw { format, bytes: &input, verified_by_tls: true };
        let e = w.auth.authenticate_tls(Authorization::Absent, &body("by-dn"), Some(presented)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::MalformedClientCertificate, "{format:?}");
        assert_eq!(e.response().status, 401);
    }
}

#[test]
fn registrations_are_checked() {
    let problems = |client: serde_json::Value| {
        CredentialPolicy::default().check_client(&client, 1_800_000_000).err().unwrap_or_default()
    };
    let ok = |client: serde_json::Value| assert!(problems(client.clone()).is_empty(), "{client}");
    ok(
        json!({"client_id": "a", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_dns": "a.example"}),
    );
    ok(
        json!({"client_id": "a", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "CN=a",
              "profile": "fapi2"}),
    );
    for (client, at) in [
        (json!({"client_id": "a", "token_endpoint_auth_method": "tls_client_auth"}), ""),
        (
            json!({"client_id": "a", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_dns": "a",
                "tls_client_auth_san_uri": "https://a"}),
            "",
        ),
        (
            json!({"client_id": "a", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "CN"}),
            "/tls_client_auth_subject_dn",
        ),
        (
            json!({"client_id": "a", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_ip": "10.0.0"}),
            "/tls_client_auth_san_ip",
        ),
        (
            json!({"client_id": "a", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_dns": 7}),
            "/tls_client_auth_san_dns",
        ),
        (
            json!({"client_id": "a", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_dns": "a",
                "client_secret": "a-secret-of-enough-length"}),
            "/client_secret",
        ),
        (
            json!({"client_id": "a", "token_endpoint_auth_method": "private_key_jwt", "tls_client_auth_san_dns": "a",
                "jwks_uri": "https://a.example/jwks"}),
            "/tls_client_auth_san_dns",
        ),
        (json!({"client_id": "a", "token_endpoint_auth_method": "self_signed_tls_client_auth"}), ""),
    ] {
        let found = problems(client.clone());
        assert!(found.iter().any(|p| p.location == at), "{client}: {found:?}");
    }
    // A self-signed client's key set must hold no private key.
    let key = SigningKey::generate(jwtauth::Algorithm::ES256).unwrap();
    let mut private = key.verifying_key().to_jwk().unwrap();
    private["d"] = json!("3fTVmiE7Q8Dn4sOWPmE4Nq7MCbWqbDOoYGiVTxtIZ0E");
    let found =
        problems(json!({"client_id": "a", "token_endpoint_auth_method": "self_signed_tls_client_auth",
                                "jwks": {"keys": [private]}}));
    assert!(found.iter().any(|p| p.code == ErrorCode::PrivateKeyMaterial), "{found:?}");
}

#[test]
fn explanations_walk_the_certificate_steps() {
    let w = world();
    let rogue = ca("Rogue CA");
    let forged = leaf(Some(&rogue), &svc_dn(), vec![], false);
    let failed = |id: &str, cert: Option<&ClientCertificate>| {
        let x = w.auth.explain_tls(Authorization::Absent, &body(id), cert.map(Into::into));
        x.steps.iter().find(|s| s.status == jwtauth::Status::Fail).map(|s| s.rule.name)
    };
    assert_eq!(failed("by-dn", None), Some("certificate"));
    assert_eq!(failed("by-dn", Some(&der(&forged))), Some("chain"));
    assert_eq!(failed("other-dn", Some(&der(&w.svc))), Some("match"));
    assert_eq!(failed("by-dn", Some(&der(&w.svc))), None);
    let x = w.auth.explain_tls(Authorization::Absent, &body("by-dn"), Some((&der(&w.svc)).into()));
    let names: Vec<&str> = x.steps.iter().map(|s| s.rule.name).collect();
    assert_eq!(names, ["form", "mechanism", "client", "certificate", "chain", "match", "policy"]);
}
