//! Keys and assertions: `keygen`, `jwks`, `thumbprint`, `sign`.

use crate::out::{out, outln};
use std::path::PathBuf;

use clap::Args;
use jwtauth::{Algorithm, AssertionBuilder, SigningKey};
use serde_json::{Value, json};

use crate::files::{KeyFile, read_key, read_text, write_private};
use crate::{Failure, Outcome, Run};

#[derive(Debug, Args)]
pub(crate) struct Keygen {
    /// The signing algorithm: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA.
    #[arg(long)]
    alg: String,
    /// RSA modulus size in bits (2048 to 4096; default 2048).
    #[arg(long)]
    bits: Option<usize>,
    /// The key id (`kid`) of the JWK; give `jwtauth sign` the same `--kid`.
    /// By default the key's RFC 7638 thumbprint, which `jwtauth sign` uses
    /// too when it is given no `--kid`.
    #[arg(long, conflicts_with = "kid_thumbprint")]
    kid: Option<String>,
    /// Use the key's RFC 7638 thumbprint as its key id (the default).
    #[arg(long)]
    kid_thumbprint: bool,
    /// Write the private key here (PKCS#8 PEM, mode 0600; never overwrites).
    /// Without it, the private key is printed before the public JWK.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the public key as a JWK Set (`{"keys": [...]}`), ready to register.
    #[arg(long)]
    jwks: bool,
}

fn algorithm(name: &str) -> Result<Algorithm, Failure> {
    Algorithm::from_name(name)
        .ok_or_else(|| Failure(format!("{name} is not a JWS algorithm this library signs with")))
}

pub(crate) fn keygen(a: &Keygen) -> Run {
    let alg = algorithm(&a.alg)?;
    if alg.is_symmetric() {
        return Err(Failure(format!(
            "{alg} uses the client_secret the authorization server issues: sign with `jwtauth sign --secret-file`"
        )));
    }
    let key = match a.bits {
        Some(bits) => SigningKey::generate_rsa(alg, bits)?,
        None => SigningKey::generate(alg)?,
    };
    let key = match &a.kid {
        Some(kid) => key.with_kid(kid.clone()),
        None => {
            let t = key.thumbprint();
            key.with_kid(t)
        }
    };
    let pem = key.to_pkcs8_pem()?;
    match &a.out {
        Some(path) => write_private(path, &pem)?,
        None => out!("{}", pem.as_str()),
    }
    let jwk = key.public_jwk().ok_or_else(|| Failure("the key has no public JWK".into()))?;
    print_json(&if a.jwks { json!({ "keys": [jwk] }) } else { jwk });
    Ok(Outcome::Ok)
}

#[derive(Debug, Args)]
pub(crate) struct Jwks {
    /// Key files: private or public PEM, X.509 certificates (PEM), JWKs or JWK Sets.
    #[arg(required = true)]
    keys: Vec<String>,
}

pub(crate) fn jwks(a: &Jwks) -> Run {
    let mut out = Vec::new();
    for path in &a.keys {
        match read_key(path)? {
            KeyFile::Private(k) => out.push(
                k.public_jwk()
                    .ok_or_else(|| Failure(format!("{path}: a secret has no public key to publish")))?,
            ),
            KeyFile::Public(keys) => {
                for k in keys.keys() {
                    out.push(
                        k.to_jwk().ok_or_else(|| Failure(format!("{path}: a secret is never published")))?,
                    );
                }
            }
        }
    }
    print_json(&json!({ "keys": out }));
    Ok(Outcome::Ok)
}

#[derive(Debug, Args)]
pub(crate) struct Thumbprint {
    /// A key or certificate file (PEM or JWK).
    key: String,
    /// Print a JSON object.
    #[arg(long)]
    json: bool,
}

pub(crate) fn thumbprint(a: &Thumbprint) -> Run {
    let mut doc = serde_json::Map::new();
    match read_key(&a.key)? {
        KeyFile::Private(k) => {
            doc.insert("thumbprint".into(), k.thumbprint().into());
        }
        KeyFile::Public(keys) => {
            let [k] = keys.keys() else {
                return Err(Failure(format!("{}: a key set: give one key", a.key)));
            };
            doc.insert("thumbprint".into(), k.thumbprint().into());
            if let Some(x) = k.x5t() {
                doc.insert("x5t".into(), jwtauth::b64::encode(x).into());
            }
            if let Some(x) = k.x5t_s256() {
                doc.insert("x5t#S256".into(), jwtauth::b64::encode(x).into());
            }
        }
    }
    if a.json {
        print_json(&Value::Object(doc));
    } else {
        for (name, value) in &doc {
            outln!("{name:<11}{}", value.as_str().unwrap_or_default());
        }
    }
    Ok(Outcome::Ok)
}

#[derive(Debug, Args)]
pub(crate) struct Sign {
    /// The client's private key (PEM or private JWK): private_key_jwt.
    #[arg(long, required_unless_present = "secret_file", conflicts_with = "secret_file")]
    key: Option<String>,
    /// A file holding the client_secret: client_secret_jwt.
    #[arg(long)]
    secret_file: Option<String>,
    /// With --secret-file: HS256, HS384 or HS512.
    #[arg(long, default_value = "HS256")]
    alg: String,
    /// The client_id (iss and sub).
    #[arg(long)]
    client_id: String,
    /// The audience: the authorization server's issuer identifier.
    #[arg(long)]
    aud: String,
    /// Lifetime in seconds (default 60; above 300 most servers refuse).
    #[arg(long, default_value_t = 60)]
    lifetime: i64,
    /// The `kid` header: the key id registered with the server (by default
    /// the key's own, or its RFC 7638 thumbprint, as `jwtauth keygen` names it).
    #[arg(long)]
    kid: Option<String>,
    /// The `typ` header (default client-authentication+jwt, JWT with
    /// --subject; "" to omit it).
    #[arg(long)]
    typ: Option<String>,
    /// Sign a JWT bearer grant (RFC 7523 §2.1) for this subject instead of a
    /// client assertion: --client-id is its issuer (iss); --form and --curl
    /// give a grant request (grant_type and assertion).
    #[arg(long)]
    subject: Option<String>,
    /// Print the form body of a client_credentials token request.
    #[arg(long, conflicts_with = "curl")]
    form: bool,
    /// Print a curl command posting a client_credentials request to this token endpoint.
    #[arg(long, value_name = "TOKEN_URL")]
    curl: Option<String>,
    /// Sign this many assertions (each with its own jti), one per line: test
    /// data for a load generator.
    #[arg(long, default_value_t = 1, conflicts_with = "curl")]
    count: u32,
}

pub(crate) fn sign(a: &Sign) -> Run {
    let key = match (&a.key, &a.secret_file) {
        (Some(path), _) => match read_key(path)? {
            KeyFile::Private(k) => *k,
            KeyFile::Public(_) => {
                return Err(Failure(format!("{path} holds a public key; signing needs the private key")));
            }
        },
        (None, Some(path)) => {
            let secret = read_text(path)?;
            SigningKey::from_secret(secret.trim_end_matches(['\r', '\n']).as_bytes(), algorithm(&a.alg)?)?
        }
        (None, None) => return Err(Failure("give --key or --secret-file".into())),
    };
    let mut builder = AssertionBuilder::new(&key, a.client_id.as_str(), a.aud.as_str()).lifetime(a.lifetime);
    if let Some(sub) = &a.subject {
        builder = builder.subject(sub.as_str());
    }
    if a.lifetime > jwtauth::MAX_LIFETIME {
        builder = builder.allow_long_lifetime();
    }
    if let Some(kid) = &a.kid {
        builder = builder.kid(kid.as_str());
    }
    if let Some(typ) = &a.typ {
        builder = builder.typ((!typ.is_empty()).then_some(typ.as_str()));
    }
    for _ in 0..a.count {
        let signed = builder.clone().sign()?;
        // A grant's fields are the grant; a client assertion goes beside one.
        let body = if signed.subject.is_some() {
            signed.to_form_body()
        } else {
            format!("grant_type=client_credentials&{}", signed.to_form_body())
        };
        match (&a.curl, a.form) {
            (Some(url), _) => outln!(
                "curl -sS -X POST {} -H 'Content-Type: application/x-www-form-urlencoded' --data '{body}'",
                shell_quote(url)
            ),
            (None, true) => outln!("{body}"),
            (None, false) => outln!("{}", signed.assertion),
        }
    }
    Ok(Outcome::Ok)
}

/// `s` as one single-quoted shell word.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

pub(crate) fn print_json(v: &Value) {
    outln!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}
