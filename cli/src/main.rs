//! `jwtauth`: the command line of libjwtauth, for operators and client
//! developers. Every rule lives in the core (`jwtauth`); this crate reads
//! files and arguments and prints. Exit codes: 0 ok, 1 refused or problems
//! found, 2 usage or I/O error.
#![allow(clippy::print_stderr, reason = "a command line reports failures on stderr")]

mod out;

mod demo;
mod files;
mod keys;
mod report;
mod serve;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// OAuth 2.0 client authentication (private_key_jwt, client_secret_jwt, …):
/// keys, client assertions, inspection and registry checks.
#[derive(Debug, Parser)]
#[command(name = "jwtauth", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate a private key (PKCS#8 PEM) and print its public JWK.
    ///
    /// Example: jwtauth keygen --alg ES256 --kid-thumbprint --out client-key.pem
    Keygen(keys::Keygen),
    /// The public JWK Set of key or certificate files (PEM or JWK).
    ///
    /// Example: jwtauth jwks client-key.pem old-cert.pem > jwks.json
    Jwks(keys::Jwks),
    /// The RFC 7638 thumbprint of a key (and x5t, x5t#S256 of a certificate).
    ///
    /// Example: jwtauth thumbprint client-cert.pem
    Thumbprint(keys::Thumbprint),
    /// Sign a client assertion: print it, its form body, or a curl command.
    ///
    /// Example: jwtauth sign --key client-key.pem --client-id svc --aud https://as.example.com --curl https://as.example.com/token
    Sign(keys::Sign),
    /// Decode an assertion without verifying it, with what a verifier would say.
    ///
    /// Example: jwtauth inspect eyJhbGciOi…   (or - to read it from stdin)
    Inspect(report::Inspect),
    /// Explain, rule by rule, why a server accepts or refuses an assertion,
    /// and how to fix a refusal.
    ///
    /// Example: jwtauth explain eyJhbGciOi… --issuer https://as.example.com --registry clients.json
    Explain(report::Explain),
    /// Check a registry document (docs/registry.md) against the credential policy.
    ///
    /// Example: jwtauth registry check clients.json
    #[command(subcommand)]
    Registry(report::RegistryCommand),
    /// The error table: every code with its number, OAuth error and HTTP status.
    ///
    /// Example: jwtauth errors --json
    Errors(report::Errors),
    /// A token endpoint on the loopback that authenticates with the library
    /// and shows, at /, why each request was refused and how to fix it.
    ///
    /// Example: jwtauth serve --registry clients.json --listen 127.0.0.1:8080
    Serve(serve::Serve),
    /// Run the demo: every algorithm signed and verified, attacks refused, a
    /// token endpoint's whole flow.
    ///
    /// Example: jwtauth demo
    Demo,
}

/// What a command found: everything fine, or something refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    Refused,
}

/// A failure to run the command (usage, I/O, unreadable input): one line.
#[derive(Debug)]
struct Failure(String);

impl From<jwtauth::Error> for Failure {
    fn from(e: jwtauth::Error) -> Self {
        Self(format!("{}: {}", e.code().name(), e.detail()))
    }
}

type Run = Result<Outcome, Failure>;

fn main() -> ExitCode {
    // A bug must still end in one line and exit 2, never a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("jwtauth: internal error (please report it): {info}");
        std::process::exit(2);
    }));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Keygen(a) => keys::keygen(&a),
        Command::Jwks(a) => keys::jwks(&a),
        Command::Thumbprint(a) => keys::thumbprint(&a),
        Command::Sign(a) => keys::sign(&a),
        Command::Inspect(a) => report::inspect(&a),
        Command::Explain(a) => report::explain(&a),
        Command::Registry(report::RegistryCommand::Check(a)) => report::registry_check(&a),
        Command::Errors(a) => report::errors(&a),
        Command::Serve(a) => serve::serve(&a),
        Command::Demo => demo::run().map(|()| Outcome::Ok).map_err(Failure::from),
    };
    match result {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Refused) => ExitCode::from(1),
        Err(Failure(message)) => {
            eprintln!("jwtauth: {message}");
            ExitCode::from(2)
        }
    }
}
