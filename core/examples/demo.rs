//! The main job: generate a key for every algorithm, sign a client assertion
//! with each, verify it with the `Verifier`, then show a replay, a tampered
//! assertion and a few other attacks being rejected, printing every verdict.
//!
//! Run: `cargo run --release -p jwtauth --example demo`
#![allow(clippy::print_stdout, reason = "a demo prints its verdicts")]

use std::sync::Arc;

use jwtauth::{
    Algorithm, AssertionBuilder, AuthMethod, Client, Credential, FixedClock, SigningKey, Verifier,
    VerifyingKey,
};

const ISSUER: &str = "https://as.example.com";
const TOKEN_ENDPOINT: &str = "https://as.example.com/oauth2/token";

fn verdict(label: &str, r: &jwtauth::Result<jwtauth::VerifiedAssertion>) {
    match r {
        Ok(v) => println!("  {label:<44} ACCEPTED  client={} alg={}", v.client_id, v.header.alg),
        Err(e) => println!(
            "  {label:<44} REJECTED  {} ({} {}): {}",
            e.code().name(),
            e.http_status(),
            e.oauth_error().as_str(),
            e.detail()
        ),
    }
}

fn main() -> jwtauth::Result<()> {
    let clock = Arc::new(FixedClock::new(1_800_000_000));
    let verifier = Verifier::builder(ISSUER).token_endpoint(TOKEN_ENDPOINT).clock(clock.clone()).build()?;
    println!("libjwtauth {} demo — issuer {ISSUER}\n", jwtauth::VERSION);

    println!("1. Every algorithm: generate a key, sign, verify");
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
    println!("\n2. Attacks on an ES256 client");
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
    Ok(())
}
