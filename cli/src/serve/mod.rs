//! `jwtauth serve`: a token endpoint on the loopback that authenticates with
//! the library and shows, on a page and in logs, why each request was
//! refused. A development and conformance tool with production manners
//! (bounded bodies and connections, timeouts, graceful shutdown, a registry
//! reload that keeps the old registry on a bad file), not an authorization
//! server. Every rule is the core's: this module reads files, speaks HTTP
//! and prints.

mod endpoint;
mod page;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use clap::{Args, ValueEnum};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use jwtauth::{
    AudienceMode, Authenticator, Clock as _, CredentialPolicy, MemoryRegistry, SystemClock, Verifier,
};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::files::read_text;
use crate::{Failure, Outcome, Run};

#[derive(Debug, Args)]
pub(crate) struct Serve {
    /// The registry document (docs/registry.md). Reloaded on SIGHUP and when
    /// the file changes; a file with problems keeps the previous registry.
    #[arg(long)]
    registry: PathBuf,
    /// The issuer identifier [default: the URL the server listens on].
    #[arg(long)]
    issuer: Option<String>,
    /// Address to listen on (port 0: any free port; the URL is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Path of the token endpoint (its URL is also an accepted audience unless --strict).
    #[arg(long, default_value = "/token")]
    token_endpoint_path: String,
    /// Accept only the issuer as audience (draft-ietf-oauth-rfc7523bis).
    #[arg(long)]
    strict: bool,
    /// The profile enforced: compat, rfc7523bis or fapi2 (docs/profiles.md).
    #[arg(long, value_parser = crate::report::profile, default_value = "compat")]
    profile: jwtauth::Profile,
    /// A profile evaluated beside the enforced one, refusing nothing: each
    /// attempt says what it would have refused; /attempts counts them.
    #[arg(long, value_parser = crate::report::profile)]
    report_profile: Option<jwtauth::Profile>,
    /// A credential policy (JSON) the registry is checked against [default: the library's].
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Record assertion ids on Redis instead of in memory: one server
    /// (redis://… or rediss://…), a Redis Cluster (redis+cluster://host:port,host:port/)
    /// or a primary found through Sentinel (redis+sentinel://host:port,…/service).
    #[arg(long, value_name = "URL")]
    redis: Option<String>,
    /// Serve HTTPS with this certificate chain (PEM).
    #[arg(long, requires = "tls_key", value_name = "FILE")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, requires = "tls_cert", value_name = "FILE")]
    tls_key: Option<PathBuf>,
    /// Mutual TLS (RFC 8705): ask clients for a certificate (never require
    /// one) and accept tls_client_auth and self_signed_tls_client_auth
    /// clients. Needs --tls-cert.
    #[arg(long, requires = "tls_cert")]
    mtls: bool,
    /// The CAs (PEM) tls_client_auth certificates must chain to; implies --mtls.
    #[arg(long, requires = "tls_cert", value_name = "FILE")]
    client_ca: Option<PathBuf>,
    /// Accept JWT bearer authorization grants (RFC 7523 §2.1) from the
    /// issuers of this trust table (docs/grants.md) and issue tokens for them.
    #[arg(long, value_name = "FILE")]
    trust: Option<PathBuf>,
    /// One line per attempt on standard output: text or json.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log: LogFormat,
    /// Connections served at once; more wait to be accepted.
    #[arg(long, default_value_t = 256)]
    max_connections: usize,
    /// Largest request body, in bytes (a larger one is answered 413).
    #[arg(long, default_value_t = 64 * 1024)]
    max_body: usize,
    /// Time a client has to send a request's headers (also the idle
    /// keep-alive limit) and, again, its body.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    timeout: Duration,
    /// Time given to open connections to finish after SIGTERM or Ctrl-C.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    drain: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LogFormat {
    Text,
    Json,
}

/// What the handlers share.
pub(crate) struct State {
    /// The authenticator over the current registry (swapped on reload; the
    /// verifier, and so the replay store, is shared across reloads).
    auth: RwLock<Arc<Authenticator>>,
    verifier: Arc<Verifier>,
    /// `--client-ca`: the CAs tls_client_auth chains are verified against.
    client_ca: Option<jwtauth::TrustAnchors>,
    /// Whether client certificates are asked for (`--mtls`, `--client-ca`).
    mtls: bool,
    /// `--trust`: the issuers whose JWT bearer grants are accepted.
    trust: Option<jwtauth::TrustTable>,
    policy: CredentialPolicy,
    registry_path: PathBuf,
    issuer: String,
    token_endpoint: String,
    /// The request path of the token endpoint (the issuer's path, then
    /// --token-endpoint-path).
    token_path: String,
    /// The issuer's path, without a trailing `/` (empty for most issuers).
    prefix: String,
    max_body: usize,
    timeout: Duration,
    log: LogFormat,
    /// Clients in the registry in use.
    clients: std::sync::atomic::AtomicUsize,
    /// The last attempts, newest first.
    attempts: Mutex<std::collections::VecDeque<serde_json::Value>>,
    /// Codes of the test authorization_code grant.
    codes: Mutex<std::collections::HashMap<String, endpoint::Code>>,
}

impl State {
    fn authenticator(&self) -> Arc<Authenticator> {
        self.auth.read().map_or_else(|p| Arc::clone(&p.into_inner()), |a| Arc::clone(&a))
    }
}

/// An authenticator over `registry`, sharing `verifier` (and its replay store).
fn authenticator_over(
    verifier: &Arc<Verifier>,
    registry: MemoryRegistry,
    client_ca: Option<&jwtauth::TrustAnchors>,
    trust: Option<&jwtauth::TrustTable>,
) -> Authenticator {
    let mut a = Authenticator::with_shared_verifier(Arc::clone(verifier), Arc::new(registry));
    if let Some(ca) = client_ca {
        a = a.with_client_ca(ca.clone());
    }
    if let Some(t) = trust {
        a = a.with_trust(t.clone());
    }
    a
}

/// Load the registry file, or every problem as a line.
fn load(path: &std::path::Path, policy: &CredentialPolicy) -> Result<MemoryRegistry, Vec<String>> {
    let text = read_text(&path.to_string_lossy()).map_err(|Failure(m)| vec![m])?;
    MemoryRegistry::from_json(&text, policy, SystemClock.now()).map_err(|problems| {
        problems
            .iter()
            .map(|p| {
                let at = if p.location.is_empty() { "/" } else { p.location.as_str() };
                format!("{at}: {} — {}", p.code.name(), p.message)
            })
            .collect()
    })
}

#[allow(clippy::print_stderr, reason = "the server reports its life on stderr")]
pub(crate) fn serve(a: &Serve) -> Run {
    if !a.token_endpoint_path.starts_with('/') {
        return Err(Failure("--token-endpoint-path must start with /".into()));
    }
    let policy = match &a.policy {
        Some(p) => CredentialPolicy::from_json(&read_text(&p.to_string_lossy())?)?,
        None => CredentialPolicy::default(),
    };
    let registry = load(&a.registry, &policy).map_err(|problems| {
        Failure(format!(
            "{}: {} (jwtauth registry check {} lists every problem)",
            a.registry.display(),
            problems.first().map_or("unreadable", String::as_str),
            a.registry.display()
        ))
    })?;
    let tls = match (&a.tls_cert, &a.tls_key) {
        (Some(c), Some(k)) => Some(endpoint::tls_config(c, k, a.mtls || a.client_ca.is_some())?),
        _ => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async move {
        let listener =
            TcpListener::bind(a.listen).await.map_err(|e| Failure(format!("cannot listen on {}: {e}", a.listen)))?;
        let bound = listener.local_addr().map_err(|e| Failure(format!("cannot listen: {e}")))?;
        let base = format!("{}://{bound}", if tls.is_some() { "https" } else { "http" });
        let issuer = a.issuer.clone().unwrap_or_else(|| base.clone());
        let token_endpoint = format!("{}{}", issuer.trim_end_matches('/'), a.token_endpoint_path);
        // The issuer's path (`https://host/tenant` → `/tenant`) prefixes the
        // endpoints, as their URLs in the metadata say.
        let prefix = issuer
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].trim_end_matches('/').to_owned()))
            .unwrap_or_default();
        let mut b = Verifier::builder(issuer.as_str()).token_endpoint(token_endpoint.as_str());
        if a.strict {
            b = b.audience_mode(AudienceMode::Strict);
        }
        b = b.profile(a.profile);
        if let Some(r) = a.report_profile {
            b = b.report_profile(r);
        }
        let mut on_redis = None;
        if let Some(url) = &a.redis {
            let store = jwtauth::RedisReplayStore::new(jwtauth::RedisReplayConfig::new(url.as_str()))?;
            store.ping()?;
            on_redis = Some(store.deployment());
            b = b.replay_store(Arc::new(store));
        }
        b = b.event_hook(Arc::new(endpoint::LastEvent));
        let verifier = Arc::new(b.build()?);
        let clients = registry.len();
        let client_ca = match &a.client_ca {
            Some(p) => Some(jwtauth::TrustAnchors::from_pem(read_text(&p.to_string_lossy())?.as_bytes())?),
            None => None,
        };
        let trust = match &a.trust {
            Some(p) => {
                let text = read_text(&p.to_string_lossy())?;
                let table = jwtauth::TrustTable::from_json(&text, &policy, SystemClock.now()).map_err(|problems| {
                    let list: Vec<String> = problems
                        .iter()
                        .map(|p| format!("\n  {}: {} — {}", p.location, p.code.name(), p.message))
                        .collect();
                    Failure(format!("{}: the trust table has problems:{}", p.display(), list.concat()))
                })?;
                Some(table)
            }
            None => None,
        };
        let state = Arc::new(State {
            auth: RwLock::new(Arc::new(authenticator_over(
                &verifier,
                registry,
                client_ca.as_ref(),
                trust.as_ref(),
            ))),
            mtls: a.mtls || client_ca.is_some(),
            trust,
            client_ca,
            verifier,
            policy,
            registry_path: a.registry.clone(),
            issuer: issuer.clone(),
            token_endpoint: token_endpoint.clone(),
            token_path: format!("{prefix}{}", a.token_endpoint_path),
            prefix,
            max_body: a.max_body,
            timeout: a.timeout,
            log: a.log,
            clients: std::sync::atomic::AtomicUsize::new(clients),
            attempts: Mutex::new(std::collections::VecDeque::new()),
            codes: Mutex::new(std::collections::HashMap::new()),
        });
        eprintln!(
            "jwtauth serve: listening on {base} (issuer {issuer}, token endpoint {token_endpoint}, {clients} clients{}{}{})",
            state.trust.as_ref().map_or_else(String::new, |t| format!(", {} trusted grant issuers", t.len())),
            on_redis.map_or_else(String::new, |d| format!(", replay store on Redis ({d})")),
            if jwtauth::fips_mode() { ", FIPS mode" } else { "" }
        );
        eprintln!("jwtauth serve: attempts at {base}/, metadata at {base}/.well-known/oauth-authorization-server");
        tokio::spawn(watch_registry(Arc::clone(&state)));
        accept(listener, state, tls, a.max_connections, a.drain).await;
        Ok(Outcome::Ok)
    })
}

/// Accept connections until SIGTERM or Ctrl-C, then let open ones finish
/// (at most `drain`).
#[allow(clippy::print_stderr, reason = "the server reports its life on stderr")]
async fn accept(
    listener: TcpListener,
    state: Arc<State>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    max_connections: usize,
    drain: Duration,
) {
    let permits = Arc::new(Semaphore::new(max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(state.timeout).max_buf_size(64 * 1024);
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("jwtauth serve: cannot watch SIGTERM: {e}");
            return;
        }
    };
    loop {
        // Bound the connections: wait for a free slot before accepting.
        let permit = tokio::select! {
            p = Arc::clone(&permits).acquire_owned() => match p { Ok(p) => p, Err(_) => break },
            _ = term.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
        };
        let (stream, _) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of descriptors and the like: pause, go on.
                    eprintln!("jwtauth serve: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = term.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
        };
        let _ = stream.set_nodelay(true);
        let handshake = state.timeout;
        let state = Arc::clone(&state);
        match &tls {
            None => {
                let service =
                    hyper::service::service_fn(move |req| endpoint::handle(Arc::clone(&state), req, None));
                let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    let _ = conn.await;
                    drop(permit);
                });
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                let http = http.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    if let Ok(Ok(tls)) = tokio::time::timeout(handshake, acceptor.accept(stream)).await {
                        // The client certificate chain (mutual TLS), as the handshake proved it.
                        let peer: Option<Arc<Vec<Vec<u8>>>> = tls
                            .get_ref()
                            .1
                            .peer_certificates()
                            .map(|chain| Arc::new(chain.iter().map(|c| c.to_vec()).collect()));
                        let service = hyper::service::service_fn(move |req| {
                            endpoint::handle(Arc::clone(&state), req, peer.clone())
                        });
                        let _ = watcher.watch(http.serve_connection(TokioIo::new(tls), service)).await;
                    }
                    drop(permit);
                });
            }
        }
    }
    drop(listener);
    eprintln!(
        "jwtauth serve: stopping; letting open connections finish (at most {})",
        humantime::format_duration(drain)
    );
    if tokio::time::timeout(drain, graceful.shutdown()).await.is_err() {
        eprintln!(
            "jwtauth serve: connections still open after {}; closing them",
            humantime::format_duration(drain)
        );
    }
    eprintln!("jwtauth serve: stopped");
}

/// Reload the registry on SIGHUP and when its file changes (checked every
/// 500 ms by modification time and size). A file with problems keeps the
/// registry in use and logs every problem.
#[allow(clippy::print_stderr, reason = "the server reports its life on stderr")]
async fn watch_registry(state: Arc<State>) {
    let stamp = |p: &PathBuf| std::fs::metadata(p).ok().map(|m| (m.modified().ok(), m.len()));
    let mut last = stamp(&state.registry_path);
    let mut hup = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!("jwtauth serve: cannot watch SIGHUP ({e}); reloading on file changes only");
            None
        }
    };
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        let why = tokio::select! {
            Some(()) = async { match hup.as_mut() { Some(h) => h.recv().await, None => std::future::pending().await } } => "SIGHUP",
            _ = tick.tick() => {
                let now = stamp(&state.registry_path);
                if now == last { continue; }
                last = now;
                "the file changed"
            }
        };
        let path = state.registry_path.clone();
        let policy = state.policy.clone();
        let loaded = tokio::task::spawn_blocking(move || load(&path, &policy)).await;
        match loaded {
            Ok(Ok(registry)) => {
                let n = registry.len();
                let auth = authenticator_over(
                    &state.verifier,
                    registry,
                    state.client_ca.as_ref(),
                    state.trust.as_ref(),
                );
                if let Ok(mut slot) = state.auth.write() {
                    *slot = Arc::new(auth);
                }
                state.clients.store(n, std::sync::atomic::Ordering::Relaxed);
                eprintln!("jwtauth serve: registry reloaded ({why}): {n} clients");
            }
            Ok(Err(problems)) => {
                eprintln!(
                    "jwtauth serve: registry NOT reloaded ({why}): {} problem{}; the previous registry stays in use",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" }
                );
                for p in problems {
                    eprintln!("jwtauth serve:   {p}");
                }
            }
            Err(e) => eprintln!("jwtauth serve: registry reload failed: {e}"),
        }
    }
}

/// Unix seconds now.
fn unix_now() -> i64 {
    SystemClock.now()
}

/// `t` as an RFC 3339 UTC time.
fn rfc3339(t: i64) -> String {
    u64::try_from(t)
        .ok()
        .and_then(|s| SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(s)))
        .map_or_else(String::new, |d| humantime::format_rfc3339_seconds(d).to_string())
}
