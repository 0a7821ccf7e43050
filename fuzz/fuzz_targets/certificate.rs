//! Arbitrary bytes as the client certificate of a mutual-TLS request, in each
//! format a TLS terminator uses (DER, PEM, nginx's escaped PEM, Envoy's XFCC),
//! against tls_client_auth (DN and SAN) and self-signed clients; and as a
//! registered subject DN. Nothing may panic; a refusal is a 401.
#![no_main]

use std::sync::{Arc, LazyLock};

use jwtauth::{
    Authenticator, Authorization, CertificateFormat, CredentialPolicy, DistinguishedName, FixedClock, MemoryRegistry,
    PresentedCertificate, Verifier,
};
use libfuzzer_sys::fuzz_target;

const REGISTRY: &str = r#"{"clients": [
  {"client_id": "dn", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "CN=svc,OU=a+O=b,C=DE"},
  {"client_id": "san", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_ip": "2001:db8::7"},
  {"client_id": "self", "token_endpoint_auth_method": "self_signed_tls_client_auth",
   "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "nrbx84OB21zjWzPaOHFJDh56f8P3Vchczr1Scu0gbSU", "y": "500Ta4G8Qqp74Lf58Cv9B9CN8L4SxpiJNs9I3Z8EXhQ"}]}}
]}"#;

static AUTH: LazyLock<Authenticator> = LazyLock::new(|| {
    let registry = MemoryRegistry::from_json(REGISTRY, &CredentialPolicy::default(), 1_800_000_000).expect("registry");
    let v = Verifier::builder("https://as.example.com")
        .clock(Arc::new(FixedClock::new(1_800_000_000)))
        .build()
        .expect("verifier");
    Authenticator::new(v, Arc::new(registry))
});

fuzz_target!(|data: &[u8]| {
    let Some((&mode, bytes)) = data.split_first() else { return };
    if mode % 5 == 4 {
        if let Ok(text) = std::str::from_utf8(bytes) {
            let _ = DistinguishedName::parse(text);
        }
        return;
    }
    let format = CertificateFormat::ALL[usize::from(mode % 4)];
    let body: &[u8] = match (mode >> 2) % 3 {
        0 => b"grant_type=client_credentials&client_id=dn",
        1 => b"grant_type=client_credentials&client_id=san",
        _ => b"grant_type=client_credentials&client_id=self",
    };
    let cert = PresentedCertificate::Raw { format, bytes, verified_by_tls: mode & 0x80 != 0 };
    if let Err(e) = AUTH.authenticate_tls(Authorization::Absent, body, Some(cert)) {
        assert_eq!(e.response().status, 401, "{:?}", e.error());
    }
});
