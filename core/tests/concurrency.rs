//! One verifier shared across threads: the same assertion presented from many
//! threads at once is accepted exactly once; distinct assertions all pass.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use jwtauth::{
    Algorithm, AssertionBuilder, AuthMethod, Client, Credential, ErrorCode, SigningKey, Verifier,
    VerifyingKey,
};

const ISSUER: &str = "https://as.example.com";
const THREADS: usize = 16;

fn setup(alg: Algorithm) -> (SigningKey, Arc<Client>, Arc<Verifier>) {
    let key = SigningKey::generate(alg).unwrap().with_kid("k");
    let vk = VerifyingKey::from_jwk(&key.public_jwk().unwrap().to_string()).unwrap();
    let client =
        Arc::new(Client::new("c", AuthMethod::PrivateKeyJwt).with_credential(Credential::from_key(vk)));
    (key, client, Arc::new(Verifier::builder(ISSUER).build().unwrap()))
}

#[test]
fn one_jti_from_many_threads_exactly_one_winner() {
    let (key, client, verifier) = setup(Algorithm::EdDSA);
    for round in 0..20 {
        let token = Arc::new(AssertionBuilder::new(&key, "c", ISSUER).sign().unwrap().assertion);
        let barrier = Arc::new(Barrier::new(THREADS));
        let wins = Arc::new(AtomicUsize::new(0));
        let replays = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let (t, c, v, b, w, r) = (
                    token.clone(),
                    client.clone(),
                    verifier.clone(),
                    barrier.clone(),
                    wins.clone(),
                    replays.clone(),
                );
                std::thread::spawn(move || {
                    b.wait();
                    match v.verify(&t, &c) {
                        Ok(_) => w.fetch_add(1, Ordering::SeqCst),
                        Err(e) if e.code() == ErrorCode::Replayed => r.fetch_add(1, Ordering::SeqCst),
                        Err(e) => panic!("unexpected {e}"),
                    };
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(wins.load(Ordering::SeqCst), 1, "round {round}");
        assert_eq!(replays.load(Ordering::SeqCst), THREADS - 1, "round {round}");
    }
}

#[test]
fn distinct_assertions_all_pass_in_parallel() {
    let (key, client, verifier) = setup(Algorithm::ES256);
    let tokens: Vec<String> = (0..THREADS * 8)
        .map(|_| AssertionBuilder::new(&key, "c", ISSUER).sign().unwrap().assertion)
        .collect();
    let tokens = Arc::new(tokens);
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let (t, c, v) = (tokens.clone(), client.clone(), verifier.clone());
            std::thread::spawn(move || (0..8).all(|j| v.verify(&t[i * 8 + j], &c).is_ok()))
        })
        .collect();
    assert!(handles.into_iter().all(|h| h.join().unwrap()));
}
