//! The HTTP face of `serve`: routing, the token endpoint, the test
//! authorization_code grant, metadata, and the record of each attempt.

use std::borrow::Cow;
use std::convert::Infallible;
use std::path::Path;
use std::sync::Arc;

use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use jwtauth::{AuthMethod, Authenticated, Authorization, Status, form};
use serde_json::{Value, json};

use super::{LogFormat, State, rfc3339, unix_now};
use crate::Failure;

pub(crate) type Reply = Response<Full<Bytes>>;

/// A code of the test authorization_code grant: single use, 60 s.
pub(crate) struct Code {
    client_id: String,
    redirect_uri: String,
    expires: i64,
}

/// Most codes outstanding at once (older ones are dropped first when full).
const MAX_CODES: usize = 10_000;
/// Attempts kept for the page and `/attempts`.
pub(crate) const KEPT: usize = 100;
/// Lifetime of an access token and of a code.
const TOKEN_LIFETIME: i64 = 3600;
const CODE_LIFETIME: i64 = 60;

/// The client certificate chain a TLS connection presented (leaf first).
pub(crate) type Peer = Option<Arc<Vec<Vec<u8>>>>;

pub(crate) async fn handle(
    state: Arc<State>,
    req: Request<Incoming>,
    peer: Peer,
) -> Result<Reply, Infallible> {
    let path = req.uri().path();
    Ok(match (req.method(), path) {
        (&Method::POST, p) if p == state.token_path => token(&state, req, peer).await,
        (_, p) if p == state.token_path => {
            let mut r = oauth_error(405, "invalid_request", "the token endpoint takes POST (RFC 6749 §3.2)");
            r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
            r
        }
        (&Method::GET, "/") => super::page::render(&state),
        (&Method::GET, "/attempts") => reply(200, "application/json", attempts_json(&state).to_string()),
        (&Method::GET, "/metrics") => reply(
            200,
            "text/plain; version=0.0.4; charset=utf-8",
            state.verifier.metrics().to_prometheus(&state.verifier.report()),
        ),
        (&Method::GET, p) if is_metadata(&state.prefix, p) => {
            reply(200, "application/json", metadata(&state).to_string())
        }
        (&Method::GET, p) if p.strip_prefix(state.prefix.as_str()) == Some("/authorize") => {
            authorize(&state, req.uri().query().unwrap_or(""))
        }
        _ => reply(404, "application/json", json!({ "error": "not_found" }).to_string()),
    })
}

pub(crate) fn reply(status: u16, content_type: &'static str, body: String) -> Reply {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// An OAuth error response that is not client authentication's (those come
/// whole from the library).
fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    reply(status, "application/json", json!({ "error": error, "error_description": description }).to_string())
}

/// Where the metadata is: RFC 8414 inserts the well-known name before the
/// issuer's path; OpenID Connect Discovery appends it to the issuer.
fn is_metadata(prefix: &str, path: &str) -> bool {
    ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"]
        .iter()
        .any(|w| path.strip_prefix(w) == Some(prefix) || path.strip_suffix(w) == Some(prefix))
}

/// RFC 8414 metadata (also served as OpenID Connect discovery).
fn metadata(state: &State) -> Value {
    let base = state.issuer.trim_end_matches('/');
    // The mutual-TLS methods only when client certificates are asked for.
    let methods: Vec<&str> =
        AuthMethod::ALL.iter().filter(|m| state.mtls || !m.is_mtls()).map(|m| m.as_str()).collect();
    json!({
        "issuer": state.issuer,
        "token_endpoint": state.token_endpoint,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint_auth_methods_supported": methods,
        "token_endpoint_auth_signing_alg_values_supported": state.verifier.settings().get("algorithms"),
        "grant_types_supported": if state.trust.is_some() {
            json!(["client_credentials", "authorization_code", jwtauth::JWT_BEARER_GRANT_TYPE])
        } else {
            json!(["client_credentials", "authorization_code"])
        },
        "response_types_supported": ["code"],
        "authorization_response_iss_parameter_supported": true,
        "tls_client_certificate_bound_access_tokens": state.mtls,
    })
}

fn attempts_json(state: &State) -> Value {
    let list: Vec<Value> = state.attempts.lock().map(|a| a.iter().cloned().collect()).unwrap_or_default();
    json!({ "issuer": state.issuer, "token_endpoint": state.token_endpoint,
            "report": state.verifier.report().to_json(), "attempts": list })
}

/// 32 random bytes, base64url.
fn random_token() -> Option<String> {
    let mut b = [0u8; 32];
    aws_lc_rs::rand::fill(&mut b).ok()?;
    Some(jwtauth::b64::encode(&b))
}

/// Decoded `name=value` pairs of a query or a form body (pairs that do not
/// decode are skipped: the library judges the body itself).
fn pairs(text: &str) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    form::raw_pairs(text)
        .filter_map(|(k, v)| Some((form::decode_component(k)?, form::decode_component(v)?)))
        .collect()
}

fn first<'a>(pairs: &'a [(Cow<'_, str>, Cow<'_, str>)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_ref()).filter(|v| !v.is_empty())
}

async fn token(state: &Arc<State>, req: Request<Incoming>, peer: Peer) -> Reply {
    let (parts, body) = req.into_parts();
    let form_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(';')
            .next()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
    });
    if !form_type {
        return oauth_error(
            400,
            "invalid_request",
            "the token request's body must be application/x-www-form-urlencoded (RFC 6749 §3.2)",
        );
    }
    let body = match tokio::time::timeout(state.timeout, Limited::new(body, state.max_body).collect()).await {
        Err(_) => return oauth_error(408, "invalid_request", "the request body was not received in time"),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return oauth_error(413, "invalid_request", "the request body is too large");
        }
        Ok(Err(_)) => return oauth_error(400, "invalid_request", "the request body could not be read"),
        Ok(Ok(c)) => c.to_bytes(),
    };
    let st = Arc::clone(state);
    let headers = parts.headers;
    // Verification is CPU work, and a jwks_uri client's key set may be fetched.
    tokio::task::spawn_blocking(move || st.attempt(&headers, &body, peer.as_deref()))
        .await
        .unwrap_or_else(|_| oauth_error(500, "server_error", "the request could not be processed"))
}

impl State {
    /// Authenticate one token request, answer it, and record the attempt.
    fn attempt(&self, headers: &HeaderMap, body: &[u8], peer: Option<&Vec<Vec<u8>>>) -> Reply {
        let auth = self.authenticator();
        let authorization = Authorization::from_headers(headers.iter().map(|(n, v)| (n.as_str(), v)));
        let text = String::from_utf8_lossy(body);
        let form = pairs(&text);
        let now = unix_now();
        // Only the decoded header and claims are kept: never the assertion itself.
        let decoded = first(&form, "client_assertion").and_then(|a| jwtauth::inspect(a, now).ok());
        let mut rec = json!({
            "time": now,
            "at": rfc3339(now),
            "grant_type": first(&form, "grant_type"),
            "alg": decoded.as_ref().and_then(|d| d.header.get("alg").cloned()),
            "header": decoded.as_ref().map(|d| Value::Object(d.header.clone())),
            "claims": decoded.as_ref().map(|d| Value::Object(d.claims.clone())),
        });
        // The certificate as the handshake gave it: the library reads it
        // (a chain it cannot read refuses the request, like any other input).
        let chain: Vec<&[u8]> = peer.map(|p| p.iter().map(Vec::as_slice).collect()).unwrap_or_default();
        let read = (!chain.is_empty()).then(|| jwtauth::ClientCertificate::from_der_chain(&chain));
        if let Some(Ok(c)) = &read {
            extend(
                &mut rec,
                json!({ "certificate": { "subject": c.subject(), "x5t#S256": c.thumbprint() } }),
            );
        }
        // Read once; one that does not read goes to the library as it came, to be refused.
        let presented = read.as_ref().map(|r| match r {
            Ok(c) => jwtauth::PresentedCertificate::Parsed(c),
            Err(_) => jwtauth::PresentedCertificate::DerChain(&chain),
        });
        if self.trust.is_some() && first(&form, "grant_type") == Some(jwtauth::JWT_BEARER_GRANT_TYPE) {
            return self.jwt_bearer(&auth, authorization, body, presented, &form, rec, now);
        }
        let outcome = auth.authenticate_tls(authorization, body, presented);
        // The library's own event for this request: the profile in force and how long it took.
        if let Some(event) = LAST_EVENT.take() {
            extend(
                &mut rec,
                json!({ "profile": event.get("profile"), "duration_us": event.get("duration_us") }),
            );
        }
        let response = match outcome {
            Ok(a) => {
                let (response, grant_error) = self.grant(&a, &form, now);
                let would_refuse = a.would_refuse.as_ref().map(jwtauth::WouldRefuse::to_json);
                extend(
                    &mut rec,
                    json!({ "verdict": "accepted", "client_id": a.client_id(), "method": a.method.as_str(),
                            "status": response.status().as_u16(), "grant_error": grant_error,
                            "would_refuse": would_refuse }),
                );
                response
            }
            Err(e) => {
                // The same pipeline again, recording nothing: which rule failed and how to fix it.
                let x = auth.explain_tls(authorization, body, presented);
                extend(
                    &mut rec,
                    json!({ "client_id": x.client_id, "method": x.method.map(AuthMethod::as_str) }),
                );
                refused(&mut rec, &e, &x)
            }
        };
        self.record(rec);
        response
    }

    /// A JWT bearer grant request (RFC 7523 §2.1): the client authentication
    /// it carries and the grant, both by the library; a token for the grant's
    /// subject, or the library's answer.
    #[allow(clippy::too_many_arguments, reason = "one request's parts, already taken apart by the caller")]
    fn jwt_bearer(
        &self,
        auth: &jwtauth::Authenticator,
        authorization: Authorization<'_>,
        body: &[u8],
        presented: Option<jwtauth::PresentedCertificate<'_>>,
        form: &[(Cow<'_, str>, Cow<'_, str>)],
        mut rec: Value,
        now: i64,
    ) -> Reply {
        // The grant's decoded header and claims (never the assertion itself).
        let decoded = first(form, "assertion").and_then(|a| jwtauth::inspect(a, now).ok());
        extend(
            &mut rec,
            json!({ "grant": { "header": decoded.as_ref().map(|d| Value::Object(d.header.clone())),
                               "claims": decoded.as_ref().map(|d| Value::Object(d.claims.clone())) } }),
        );
        let outcome = auth.authenticate_grant(authorization, body, presented);
        // The library's event: the profile, the time, and the client the
        // request authenticated (also when its grant was then refused).
        if let Some(event) = LAST_EVENT.take() {
            extend(
                &mut rec,
                json!({ "profile": event.get("profile"), "duration_us": event.get("duration_us"),
                        "client_id": event.get("client_id"), "method": event.get("method") }),
            );
        }
        let response = match outcome {
            Ok(g) => {
                let response = self.issue(form);
                extend(
                    &mut rec,
                    json!({ "verdict": "accepted", "client_id": g.client.as_ref().map(Authenticated::client_id),
                            "method": g.client.as_ref().map(|c| c.method.as_str()),
                            "issuer": g.grant.issuer, "subject": g.grant.subject,
                            "status": response.status().as_u16() }),
                );
                response
            }
            Err(e) => {
                // Which rule failed: the grant's, or the client authentication's.
                let x = match first(form, "assertion") {
                    Some(a) if e.error().is_grant() => auth.explain_grant(a.as_bytes()),
                    _ => auth.explain_tls(authorization, body, presented),
                };
                if x.grant {
                    // The client passed (its id and method are the event's); the grant did not.
                    extend(&mut rec, json!({ "issuer": x.issuer, "subject": x.client_id }));
                } else {
                    extend(
                        &mut rec,
                        json!({ "client_id": x.client_id, "method": x.method.map(AuthMethod::as_str) }),
                    );
                }
                refused(&mut rec, &e, &x)
            }
        };
        self.record(rec);
        response
    }

    /// The grant, for an authenticated client: a token, or the grant's error.
    fn grant(
        &self,
        a: &Authenticated,
        form: &[(Cow<'_, str>, Cow<'_, str>)],
        now: i64,
    ) -> (Reply, Option<String>) {
        let refuse = |status, error: &str, description: &str| {
            (oauth_error(status, error, description), Some(error.to_owned()))
        };
        match first(form, "grant_type") {
            None => refuse(400, "invalid_request", "grant_type is missing"),
            Some("client_credentials") if a.method == AuthMethod::None => refuse(
                400,
                "unauthorized_client",
                "a public client (none) cannot use client_credentials (RFC 6749 §4.4)",
            ),
            Some("client_credentials") => (self.issue(form), None),
            Some("authorization_code") => {
                let Some(code) = first(form, "code") else {
                    return refuse(400, "invalid_request", "code is missing");
                };
                let issued = self.codes.lock().ok().and_then(|mut c| c.remove(code));
                match issued {
                    Some(c) if c.expires < now => refuse(400, "invalid_grant", "the code has expired"),
                    Some(c) if c.client_id != a.client_id() => {
                        refuse(400, "invalid_grant", "the code was issued to another client")
                    }
                    Some(c) if first(form, "redirect_uri").is_some_and(|r| r != c.redirect_uri) => {
                        refuse(400, "invalid_grant", "redirect_uri differs from the authorization request's")
                    }
                    Some(_) => (self.issue(form), None),
                    None => refuse(400, "invalid_grant", "the code is unknown or was already used"),
                }
            }
            Some(_) => refuse(
                400,
                "unsupported_grant_type",
                "this server grants client_credentials and authorization_code",
            ),
        }
    }

    /// An RFC 6749 §5.1 token response with a random opaque access token.
    fn issue(&self, form: &[(Cow<'_, str>, Cow<'_, str>)]) -> Reply {
        let Some(token) = random_token() else {
            return oauth_error(500, "server_error", "no random bytes for a token");
        };
        let mut body = json!({ "access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME });
        if let Some(scope) = first(form, "scope") {
            extend(&mut body, json!({ "scope": scope }));
        }
        let mut r = reply(200, "application/json", body.to_string());
        r.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        r
    }

    /// Keep the attempt for the page and print its log line.
    #[allow(clippy::print_stdout, reason = "the attempt log goes to standard output")]
    fn record(&self, rec: Value) {
        let line = match self.log {
            LogFormat::Json => {
                let mut short = rec.clone();
                if let Some(o) = short.as_object_mut() {
                    o.remove("steps");
                }
                short.to_string()
            }
            LogFormat::Text => text_line(&rec),
        };
        // A closed standard output must not stop the server.
        let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), format!("{line}\n").as_bytes());
        if let Ok(mut list) = self.attempts.lock() {
            list.push_front(rec);
            list.truncate(KEPT);
        }
    }
}

/// One readable line: time, verdict, client, method, alg, status, and for a
/// refusal the failed rule and its fix.
fn text_line(rec: &Value) -> String {
    let s = |k: &str| rec.get(k).and_then(Value::as_str).unwrap_or("-").to_owned();
    let mut line = format!(
        "{} {} client={} method={} alg={} grant={} status={}",
        s("at"),
        s("verdict"),
        s("client_id"),
        s("method"),
        s("alg"),
        s("grant_type"),
        rec.get("status").map_or_else(String::new, Value::to_string)
    );
    if rec.get("issuer").is_some_and(|i| !i.is_null()) {
        line.push_str(&format!(" issuer={} subject={}", s("issuer"), s("subject")));
    }
    if let Some(g) = rec.get("grant_error").and_then(Value::as_str) {
        line.push_str(&format!(" grant_error={g}"));
    }
    if let Some(w) = rec.get("would_refuse").filter(|w| w.is_object()) {
        let g = |k: &str| w.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        line.push_str(&format!(" {}_would_refuse={}", g("profile"), g("code")));
    }
    if let Some(e) = rec.get("error").and_then(Value::as_str) {
        line.push_str(&format!(" error={e}"));
    }
    if let Some(f) = rec.get("failed").filter(|f| !f.is_null()) {
        let g = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        line.push_str(&format!(
            " rule={} ({}) fix: {}",
            f.get("rule").unwrap_or(&Value::Null),
            g("name"),
            g("fix")
        ));
    }
    line
}

/// A refusal: the record gets the error, the failed step with its fix and
/// every step; the reply is the library's response as built.
fn refused(rec: &mut Value, e: &jwtauth::AuthError, x: &jwtauth::Explanation) -> Reply {
    let r = e.response();
    let failed = x.steps.iter().find(|s| s.status == Status::Fail).map(|s| {
        json!({ "rule": s.rule.number, "name": s.rule.name, "checks": s.rule.checks,
                "found": s.detail, "fix": s.fix })
    });
    extend(
        rec,
        json!({ "verdict": "refused", "status": r.status, "error": format!("JWTAUTH_{}", e.code().name()),
                "oauth_error": e.error().oauth_error().as_str(), "detail": e.error().detail(),
                "failed": failed, "steps": x.to_json().get("steps") }),
    );
    let mut out = reply(r.status, "application/json", r.body);
    if let Some(w) = r.www_authenticate.and_then(|w| HeaderValue::from_str(&w).ok()) {
        out.headers_mut().insert(header::WWW_AUTHENTICATE, w);
    }
    out
}

fn extend(target: &mut Value, more: Value) {
    if let (Some(t), Value::Object(m)) = (target.as_object_mut(), more) {
        t.extend(m);
    }
}

/// `GET /authorize` of the test authorization_code grant: no user, no
/// consent; a registered client and an http(s) redirect_uri get a code.
fn authorize(state: &State, query: &str) -> Reply {
    let q = pairs(query);
    let bad =
        |d: &str| reply(400, "text/plain; charset=utf-8", format!("authorization request refused: {d}\n"));
    if first(&q, "response_type") != Some("code") {
        return bad("response_type must be code");
    }
    let Some(client_id) = first(&q, "client_id") else { return bad("client_id is missing") };
    let Some(redirect_uri) = first(&q, "redirect_uri") else { return bad("redirect_uri is missing") };
    if !(redirect_uri.starts_with("https://") || redirect_uri.starts_with("http://"))
        || redirect_uri.contains('#')
    {
        return bad("redirect_uri must be an absolute http(s) URL without a fragment");
    }
    let auth = state.authenticator();
    if !matches!(auth.registry().client(client_id), Ok(Some(_))) {
        return bad("the client is not registered");
    }
    let (Some(code), Ok(mut codes)) = (random_token(), state.codes.lock()) else {
        return reply(500, "text/plain; charset=utf-8", "no code could be issued\n".into());
    };
    let now = unix_now();
    codes.retain(|_, c| c.expires >= now);
    if codes.len() >= MAX_CODES {
        return reply(
            503,
            "text/plain; charset=utf-8",
            "too many outstanding codes; try again in a minute\n".into(),
        );
    }
    codes.insert(
        code.clone(),
        Code {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            expires: now + CODE_LIFETIME,
        },
    );
    let mut params = vec![("code", code.as_str()), ("iss", state.issuer.as_str())];
    if let Some(s) = first(&q, "state") {
        params.push(("state", s));
    }
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    let location = format!("{redirect_uri}{sep}{}", form::encode_pairs(params));
    let mut r = reply(302, "text/plain; charset=utf-8", String::new());
    match HeaderValue::from_str(&location) {
        Ok(v) => {
            r.headers_mut().insert(header::LOCATION, v);
            r
        }
        Err(_) => bad("redirect_uri cannot be sent back in a Location header"),
    }
}

/// The TLS acceptor for `--tls-cert` / `--tls-key` (PEM; the chain's first
/// certificate is the server's).
/// Client certificates for mutual TLS (RFC 8705): asked for, never
/// required, and accepted whoever issued them — the handshake proves the
/// client holds the key; the library then decides (a `tls_client_auth`
/// chain against `--client-ca`, a self-signed certificate against the
/// client's registered keys).
#[derive(Debug)]
struct AnyClientCertificate(rustls::crypto::WebPkiSupportedAlgorithms);

impl rustls::server::danger::ClientCertVerifier for AnyClientCertificate {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::server::danger::ClientCertVerified, rustls::Error> {
        Ok(rustls::server::danger::ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.supported_schemes()
    }
}

pub(crate) fn tls_config(cert: &Path, key: &Path, mtls: bool) -> Result<tokio_rustls::TlsAcceptor, Failure> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(Iterator::collect)
        .map_err(|e| Failure(format!("{}: no certificate chain: {e}", cert.display())))?;
    if certs.is_empty() {
        return Err(Failure(format!("{}: no certificate in the file", cert.display())));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| Failure(format!("{}: no private key: {e}", key.display())))?;
    // The library's provider: in a `fips` build, the FIPS one.
    let provider = jwtauth::rustls_provider();
    let algorithms = provider.signature_verification_algorithms;
    let builder = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Failure(format!("TLS: {e}")))?;
    let builder = if mtls {
        builder.with_client_cert_verifier(Arc::new(AnyClientCertificate(algorithms)))
    } else {
        builder.with_no_client_auth()
    };
    let mut config = builder.with_single_cert(certs, key).map_err(|e| Failure(format!("TLS: {e}")))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

thread_local! {
    /// The event of the authentication this thread just ran.
    static LAST_EVENT: std::cell::Cell<Option<Value>> = const { std::cell::Cell::new(None) };
}

/// The verifier's event hook: called on the thread that authenticates, it
/// leaves the event for the request's record.
#[derive(Debug)]
pub(crate) struct LastEvent;

impl jwtauth::EventHook for LastEvent {
    fn event(&self, event: &jwtauth::Event<'_>) {
        LAST_EVENT.set(Some(event.to_json()));
    }
}
