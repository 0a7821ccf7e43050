//! The async variants: the work runs on the addon's own worker threads and
//! settles a Promise on the JavaScript thread.
//!
//! Not libuv's pool: a registry or replay store written in JavaScript is
//! called back on the JavaScript thread while a worker waits for it, and a
//! callback that itself awaits libuv work (fs, dns, crypto) would deadlock
//! a pool whose threads were all waiting. Our workers wait only on
//! JavaScript, which never waits on them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, LazyLock, Mutex};
use std::thread;

use napi::bindgen_prelude::*;

type Job = Box<dyn FnOnce() + Send + 'static>;

struct Pool {
    jobs: Mutex<Sender<Job>>,
    queue: Arc<Mutex<Receiver<Job>>>,
}

/// Workers waiting for a job, and workers alive.
static IDLE: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);

/// The most workers there may be: the configured count, plus one for each
/// worker waiting on a JavaScript callback, up to this bound.
const MAX_WORKERS: usize = 256;

/// Worker count: `JWTAUTH_THREADS`, else the CPU count, at least 4 (as
/// libuv's default).
fn threads() -> usize {
    std::env::var("JWTAUTH_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|n| (1..=256).contains(n))
        .unwrap_or_else(|| thread::available_parallelism().map_or(4, |n| n.get().max(4)))
}

fn worker(jobs: &Mutex<Receiver<Job>>) {
    loop {
        IDLE.fetch_add(1, Ordering::SeqCst);
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        IDLE.fetch_sub(1, Ordering::SeqCst);
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

fn start_worker(queue: &Arc<Mutex<Receiver<Job>>>) {
    let rx = queue.clone();
    let i = LIVE.fetch_add(1, Ordering::SeqCst);
    // A failed spawn leaves fewer workers; the first one is checked below.
    if thread::Builder::new().name(format!("jwtauth-{i}")).spawn(move || worker(&rx)).is_err() {
        LIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

static POOL: LazyLock<Pool> = LazyLock::new(|| {
    let (tx, rx) = channel::<Job>();
    let queue = Arc::new(Mutex::new(rx));
    for _ in 0..threads() {
        start_worker(&queue);
    }
    Pool { jobs: Mutex::new(tx), queue }
});

/// Called by a worker about to wait for a JavaScript callback: when no other
/// worker is free, one more is started (up to [`MAX_WORKERS`]), so that a
/// callback that never answers holds its own call only, never the calls
/// queued behind it.
pub(crate) fn about_to_wait() {
    if IDLE.load(Ordering::SeqCst) == 0 && LIVE.load(Ordering::SeqCst) < MAX_WORKERS {
        start_worker(&POOL.queue);
    }
}

/// Run `work` on a worker; `settle` turns its output into the value (or
/// error) of the returned Promise, on the JavaScript thread.
pub(crate) fn spawn<'env, T, D, W, S>(env: &'env Env, work: W, settle: S) -> Result<Object<'env>>
where
    T: Send + 'static,
    D: ToNapiValue + 'static,
    W: FnOnce() -> T + Send + 'static,
    S: FnOnce(&Env, T) -> Result<D> + Send + 'static,
{
    let (deferred, promise) = env.create_deferred::<D, _>()?;
    let job: Job = Box::new(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        deferred.resolve(move |env: Env| match out {
            Ok(out) => settle(&env, out),
            Err(_) => Err(crate::errors::to_js(
                &env,
                &jwtauth::Error::new(jwtauth::ErrorCode::Internal, "a worker panicked"),
            )),
        });
    });
    let sent = POOL.jobs.lock().map_err(|_| Error::from_reason("jwtauth: worker pool poisoned"))?.send(job);
    if sent.is_err() {
        return Err(Error::from_reason("jwtauth: no worker thread could be started"));
    }
    Ok(promise)
}
