#![allow(clippy::unwrap_used, clippy::print_stdout, missing_docs)]
use jwtauth::*;
use std::sync::Arc;
use std::time::Instant;
fn main() {
    let reps: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    let secret = "0123456789abcdef0123456789abcdef";
    let key = SigningKey::from_secret(secret.as_bytes(), Algorithm::HS256).unwrap();
    let doc = serde_json::json!({"clients":[{"client_id":"c1","token_endpoint_auth_method":"client_secret_jwt","client_secret":secret}]}).to_string();
    let reg: Arc<dyn Registry> =
        Arc::new(MemoryRegistry::from_json(&doc, &CredentialPolicy::default(), 0).unwrap());
    let iss = "https://as.example.com";
    let pool: Vec<String> =
        (0..4096).map(|_| AssertionBuilder::new(&key, "c1", iss).sign().unwrap().assertion).collect();
    let mut total = 0.0;
    let mut cnt = 0;
    for _ in 0..reps {
        let v = Verifier::builder(iss).build().unwrap();
        let t = Instant::now();
        for a in &pool {
            let r = v.verify_in(std::hint::black_box(a), None, &*reg).unwrap();
            std::hint::black_box(r.client_id.len());
        }
        total += t.elapsed().as_secs_f64();
        cnt += pool.len();
    }
    println!("exe core: {:.3} us/verify", total / cnt as f64 * 1e6);
}
