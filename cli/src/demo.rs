//! The main job: generate a key for every algorithm, sign a client assertion
//! with each, verify it with the `Verifier`, then show a replay, a tampered
//! assertion and a few other attacks being rejected; then run a token
//! endpoint's whole flow — a registry with a client of every method,
//! requests built with the client side of the library, the response a server
//! sends for each — and the credential policy refusing a bad registration.
//!
//! Run: `jwtauth demo` (from a clone: `cargo run --release -p jwtauth-cli -- demo`).

use crate::out::outln;
use std::sync::Arc;

use jwtauth::form::basic_authorization;
use jwtauth::{
    Algorithm, AssertionBuilder, AuthMethod, Authenticated, Authenticator, Client, Clock as _, Credential,
    CredentialPolicy, Error, ErrorCode, FixedClock, MemoryRegistry, SigningKey, Verifier, VerifyingKey,
};
use serde_json::json;

const ISSUER: &str = "https://as.example.com";
const TOKEN_ENDPOINT: &str = "https://as.example.com/oauth2/token";

fn verdict(label: &str, r: &jwtauth::Result<jwtauth::VerifiedAssertion>) {
    match r {
        Ok(v) => outln!("  {label:<44} ACCEPTED  client={} alg={}", v.client_id, v.header.alg),
        Err(e) => outln!(
            "  {label:<44} REJECTED  {} ({} {}): {}",
            e.code().name(),
            e.http_status(),
            e.oauth_error().as_str(),
            e.detail()
        ),
    }
}

pub(crate) fn run() -> jwtauth::Result<()> {
    let clock = Arc::new(FixedClock::new(1_800_000_000));
    let verifier = Verifier::builder(ISSUER).token_endpoint(TOKEN_ENDPOINT).clock(clock.clone()).build()?;
    outln!("libjwtauth {} demo — issuer {ISSUER}\n", jwtauth::VERSION);

    outln!("1. Every algorithm: generate a key, sign, verify");
    let mut keep = None;
    for alg in Algorithm::ALL {
        let (key, method, credential) = if alg.is_symmetric() {
            // client_secret_jwt: client and server share the secret (64 bytes fits HS512 too).
            let secret = b"demo secret, demo secret, demo secret, demo secret, demo secret!!";
            let key = SigningKey::from_secret(secret, alg)?;
            (key, AuthMethod::ClientSecretJwt, Credential::from_secret(secret)?)
        } else {
            let key = SigningKey::generate(alg)?.with_kid(format!("{alg}-key"));
            let jwk = key.public_jwk().map(|v| v.to_string()).unwrap_or_default();
            (key, AuthMethod::PrivateKeyJwt, Credential::from_key(VerifyingKey::from_jwk(&jwk)?))
        };
        let client_id = format!("client-{}", alg.name().to_lowercase());
        let client = Client::new(client_id.clone(), method).with_credential(credential);
        let signed = AssertionBuilder::new(&key, &client_id, ISSUER).clock(clock.clone()).sign()?;
        verdict(
            &format!("{alg:<5} {} assertion", method.as_str()),
            &verifier.verify(&signed.assertion, &client),
        );
        if alg == Algorithm::ES256 {
            keep = Some((key, client, signed));
        }
    }

    let Some((key, client, signed)) = keep else { return Ok(()) };
    outln!("\n2. Attacks on an ES256 client");
    verdict("same assertion again (replay)", &verifier.verify(&signed.assertion, &client));

    // Re-encode the payload with another jti, keep the header and signature.
    let parts: Vec<&str> = signed.assertion.split('.').collect();
    let payload = jwtauth::b64::decode(parts.get(1).unwrap_or(&"").as_bytes()).unwrap_or_default();
    let forged = String::from_utf8_lossy(&payload).replace(&signed.jti, "forged-jti");
    let tampered = format!(
        "{}.{}.{}",
        parts.first().unwrap_or(&""),
        jwtauth::b64::encode(forged.as_bytes()),
        parts.get(2).unwrap_or(&"")
    );
    verdict("claims changed after signing (tampered)", &verifier.verify(&tampered, &client));

    let fresh = |b: AssertionBuilder<'_>| b.clock(clock.clone()).sign().map(|s| s.assertion);
    let a = fresh(AssertionBuilder::new(&key, "client-es256", "https://other.example.com"))?;
    verdict("audience of another server", &verifier.verify(&a, &client));
    let a = fresh(AssertionBuilder::new(&key, "client-es256", ISSUER).typ(Some("at+jwt")))?;
    verdict("typ at+jwt (token confusion)", &verifier.verify(&a, &client));
    let a = fresh(AssertionBuilder::new(&key, "client-es256", TOKEN_ENDPOINT).typ(None))?;
    verdict("token endpoint as aud, no typ (compat)", &verifier.verify(&a, &client));
    let a = fresh(AssertionBuilder::new(&key, "client-es256", TOKEN_ENDPOINT))?;
    verdict("token endpoint as aud, explicit typ (strict)", &verifier.verify(&a, &client));
    let other = SigningKey::generate(Algorithm::ES256)?.with_kid("ES256-key");
    let a = fresh(AssertionBuilder::new(&other, "client-es256", ISSUER))?;
    verdict("signed by an unregistered key", &verifier.verify(&a, &client));
    let a = fresh(AssertionBuilder::new(&key, "client-es256", ISSUER))?;
    clock.advance(3600);
    verdict("used an hour later (expired)", &verifier.verify(&a, &client));
    let a = format!("eyJhbGciOiJub25lIn0.{}.", &signed.assertion.split('.').nth(1).unwrap_or_default());
    verdict("alg none", &verifier.verify(&a, &client));
    clock.set(1_800_000_000);
    token_endpoint(&clock)
}

/// Print what a token endpoint would answer.
fn answer(label: &str, r: &Result<Authenticated, jwtauth::AuthError>) {
    match r {
        Ok(a) => {
            outln!("  {label:<48} 200 ACCEPTED  client={} method={}", a.client_id(), a.method.as_str())
        }
        Err(e) => {
            let resp = e.response();
            let www = resp.www_authenticate.map(|w| format!(" WWW-Authenticate: {w}")).unwrap_or_default();
            outln!("  {label:<48} {} {}{www}\n  {:<48}     body: {}", resp.status, e.code(), "", resp.body);
        }
    }
}

/// 3-4: a registry with a client of every method, requests built with the
/// client side of the library, and the credential policy at registration.
fn token_endpoint(clock: &Arc<FixedClock>) -> jwtauth::Result<()> {
    outln!("\n3. Token endpoint: one client per token_endpoint_auth_method, loaded from JSON");
    let es = SigningKey::generate(Algorithm::ES256)?.with_kid("es-1");
    let ed = SigningKey::generate(Algorithm::EdDSA)?.with_kid("ed-1");
    let jwt_secret = "a shared secret of at least 32 bytes for HS256!";
    let registry_doc = json!({ "clients": [
        { "client_id": "svc-es256", "token_endpoint_auth_method": "private_key_jwt",
          "token_endpoint_auth_signing_alg": "ES256",
          "jwks": { "keys": [es.public_jwk().unwrap_or_default()] } },
        { "client_id": "svc-ed25519", "token_endpoint_auth_method": "private_key_jwt",
          "credentials": [{ "name": "2026 key", "pem": ed.to_public_pem()?, "kid": "ed-1",
                            "expires_at": 1_800_000_000 + 86_400 * 90 }] },
        { "client_id": "svc-hs256", "token_endpoint_auth_method": "client_secret_jwt", "client_secret": jwt_secret },
        { "client_id": "web-basic", "token_endpoint_auth_method": "client_secret_basic",
          "client_secret": "basic-secret_0123456789" },
        { "client_id": "web-post", "token_endpoint_auth_method": "client_secret_post",
          "client_secret": "post-secret-0123456789" },
        { "client_id": "spa", "token_endpoint_auth_method": "none" },
    ]});
    let now = clock.now();
    let registry = MemoryRegistry::from_value(&registry_doc, &CredentialPolicy::default(), now)
        .map_err(|p| Error::with_detail(ErrorCode::InvalidArgument, format!("{p:?}")))?;
    outln!("  registered: {}", registry.client_ids().join(", "));
    let verifier = Verifier::builder(ISSUER).token_endpoint(TOKEN_ENDPOINT).clock(clock.clone()).build()?;
    let auth = Authenticator::new(verifier, Arc::new(registry));
    let grant = "grant_type=client_credentials";
    let jwt_body = |key: &SigningKey, id: &str| -> jwtauth::Result<String> {
        let a = AssertionBuilder::new(key, id, ISSUER).clock(clock.clone()).sign()?;
        Ok(format!("{grant}&{}", a.to_form_body()))
    };
    let es_body = jwt_body(&es, "svc-es256")?;
    answer("private_key_jwt ES256", &auth.authenticate_body(None, es_body.as_bytes()));
    answer(
        "private_key_jwt EdDSA (PEM credential)",
        &auth.authenticate_body(None, jwt_body(&ed, "svc-ed25519")?.as_bytes()),
    );
    let hs = SigningKey::from_secret(jwt_secret.as_bytes(), Algorithm::HS256)?;
    answer("client_secret_jwt HS256", &auth.authenticate_body(None, jwt_body(&hs, "svc-hs256")?.as_bytes()));
    let basic = basic_authorization("web-basic", "basic-secret_0123456789");
    answer("client_secret_basic", &auth.authenticate_body(Some(&basic), grant.as_bytes()));
    let post = format!("{grant}&client_id=web-post&client_secret=post-secret-0123456789");
    answer("client_secret_post", &auth.authenticate_body(None, post.as_bytes()));
    answer(
        "none (public client)",
        &auth.authenticate_body(None, format!("{grant}&client_id=spa").as_bytes()),
    );

    outln!("\n   ... and what it refuses");
    answer("the ES256 request again (replay)", &auth.authenticate_body(None, es_body.as_bytes()));
    let wrong = basic_authorization("web-basic", "guessed-secret");
    answer("Basic with a wrong secret", &auth.authenticate_body(Some(&wrong), grant.as_bytes()));
    answer("Basic and client_secret together", &auth.authenticate_body(Some(&basic), post.as_bytes()));
    let as_post = format!("{grant}&client_id=web-basic&client_secret=basic-secret_0123456789");
    answer("a Basic client's secret in the body", &auth.authenticate_body(None, as_post.as_bytes()));
    let a = AssertionBuilder::new(&es, "svc-es256", ISSUER).clock(clock.clone()).sign()?;
    let mismatch = jwtauth::form::encode_pairs([
        ("client_id", "web-post"),
        ("client_assertion_type", jwtauth::CLIENT_ASSERTION_TYPE),
        ("client_assertion", a.assertion.as_str()),
    ]);
    answer("client_id disagrees with the assertion", &auth.authenticate_body(None, mismatch.as_bytes()));
    answer(
        "a confidential client sends only client_id",
        &auth.authenticate_body(None, format!("{grant}&client_id=web-post").as_bytes()),
    );
    let rs = SigningKey::generate(Algorithm::RS256)?;
    answer(
        "svc-es256 (pinned ES256) signs RS256",
        &auth.authenticate_body(None, jwt_body(&rs, "svc-es256")?.as_bytes()),
    );

    outln!("\n4. Credential policy at registration: every problem, with where and why");
    let mut leaked = es.public_jwk().unwrap_or_default();
    if let Some(m) = leaked.as_object_mut() {
        m.insert("d".into(), json!("AAAA"));
    }
    let bad = json!({ "client_id": "svc-bad", "token_endpoint_auth_method": "private_key_jwt",
        "jwks_uri": "https://169.254.169.254/latest/meta-data",
        "jwks": { "keys": [ed.public_jwk().unwrap_or_default(), leaked] } });
    match CredentialPolicy::default().check_client(&bad, now) {
        Ok(_) => outln!("  accepted?!"),
        Err(problems) => {
            for p in problems {
                outln!("  {:<24} {:<22} {}", p.code.name(), p.location, p.message);
            }
        }
    }
    Ok(())
}
