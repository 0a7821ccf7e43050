//! Registries and replay stores written in JavaScript.
//!
//! The core calls them from whichever thread verifies. In a sync call that
//! is the JavaScript thread itself: the callback is called directly and
//! must answer synchronously. In an async call it is a worker: the call is
//! queued to the JavaScript thread (a threadsafe function) and the worker
//! waits for the answer, which may come from a Promise, for at most
//! [`TIMEOUT`]; no answer fails closed (REGISTRY_UNAVAILABLE or
//! REPLAY_STORE_UNAVAILABLE), never open.
//!
//! `index.js` wraps each user function as `(id, ...args) => void` that
//! settles through `_settleLookup` / `_settleReplay` / `_settleError`
//! (converted and checked here, in Rust).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use jwtauth::{FetchedJwks, JwksFetcher, JwksUri, ReplayCheck, ReplayStore, ReplayStoreError};
use napi::bindgen_prelude::*;
use napi::sys;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

use crate::server::Client;

/// How long a worker waits for a JavaScript callback.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(10);

/// What a callback answered.
enum Outcome {
    Client(Option<Arc<jwtauth::Client>>),
    Fresh(bool),
    Fetched(FetchedJwks),
    /// The policy hook's verdict: `None` accepts, `Some(reason)` refuses.
    Policy(Option<String>),
    /// The subject hook's verdict.
    Allowed(bool),
    Failed(String),
}

static NEXT: AtomicU32 = AtomicU32::new(1);
static PENDING: LazyLock<Mutex<HashMap<u32, Sender<Outcome>>>> = LazyLock::new(Mutex::default);

fn settle(id: u32, outcome: Outcome) {
    let tx = PENDING.lock().ok().and_then(|mut p| p.remove(&id));
    if let Some(tx) = tx {
        // The waiter may have timed out and gone: nothing to do then.
        let _ = tx.send(outcome);
    }
}

#[napi(js_name = "_settleLookup", skip_typescript)]
pub fn settle_lookup(id: u32, client: Option<&Client>) {
    settle(id, Outcome::Client(client.map(|c| c.inner.clone())));
}

#[napi(js_name = "_settleReplay", skip_typescript)]
pub fn settle_replay(id: u32, fresh: bool) {
    settle(id, Outcome::Fresh(fresh));
}

#[napi(js_name = "_settleFetch", skip_typescript)]
pub fn settle_fetch(id: u32, body: crate::convert::Bytes, max_age: Option<i64>) {
    let body = crate::convert::bytes(&body).to_vec();
    settle(id, Outcome::Fetched(FetchedJwks { body, max_age }));
}

/// The policy hook's answer: `true` accepts, `false` refuses, a string
/// refuses with that reason; anything else fails closed.
#[napi(js_name = "_settlePolicy", skip_typescript)]
pub fn settle_policy(id: u32, answer: Either<bool, String>) {
    settle(
        id,
        Outcome::Policy(match answer {
            Either::A(true) => None,
            Either::A(false) => Some("the hook answered false".to_owned()),
            Either::B(reason) => Some(reason),
        }),
    );
}

/// The subject hook's answer: `true` allows, `false` does not; anything
/// else fails closed.
#[napi(js_name = "_settleSubject", skip_typescript)]
pub fn settle_subject(id: u32, allowed: bool) {
    settle(id, Outcome::Allowed(allowed));
}

#[napi(js_name = "_settleError", skip_typescript)]
pub fn settle_error(id: u32, why: String) {
    settle(id, Outcome::Failed(why));
}

thread_local! {
    /// Set while a sync call runs on this JavaScript thread.
    static SYNC_ENV: Cell<Option<sys::napi_env>> = const { Cell::new(None) };
    /// The wrappers from `index.js`, called with the user's function as
    /// `this`.
    static WRAP_LOOKUP: RefCell<Option<FunctionRef<LookupArgs, Unknown<'static>>>> = const { RefCell::new(None) };
    static WRAP_REPLAY: RefCell<Option<FunctionRef<ReplayArgs, Unknown<'static>>>> = const { RefCell::new(None) };
    static WRAP_FETCH: RefCell<Option<FunctionRef<FetchArgs, Unknown<'static>>>> = const { RefCell::new(None) };
    static WRAP_POLICY: RefCell<Option<FunctionRef<PolicyArgs, Unknown<'static>>>> = const { RefCell::new(None) };
    static WRAP_SUBJECT: RefCell<Option<FunctionRef<SubjectArgs, Unknown<'static>>>> = const { RefCell::new(None) };
    static WRAP_EVENT: RefCell<Option<FunctionRef<EventArgs, Unknown<'static>>>> = const { RefCell::new(None) };
}

/// `(event)`: the event as a JSON text, parsed by the wrapper.
pub(crate) type EventArgs = FnArgs<(String,)>;

/// `(id, context)`: the context as a JSON text, parsed by the wrapper.
pub(crate) type PolicyArgs = FnArgs<(u32, String)>;
/// `(id, issuer, subject)`.
pub(crate) type SubjectArgs = FnArgs<(u32, String, String)>;

/// `(id, uri)`.
pub(crate) type FetchArgs = FnArgs<(u32, String)>;

/// `(id, clientId)`.
pub(crate) type LookupArgs = FnArgs<(u32, String)>;
/// `(id, clientId, jti, expiresAt, now)`.
pub(crate) type ReplayArgs = FnArgs<(u32, String, String, i64, i64)>;

pub(crate) fn set_wrappers(
    lookup: &Function<'_, LookupArgs, Unknown<'static>>,
    replay: &Function<'_, ReplayArgs, Unknown<'static>>,
    fetch: &Function<'_, FetchArgs, Unknown<'static>>,
    policy: &Function<'_, PolicyArgs, Unknown<'static>>,
    event: &Function<'_, EventArgs, Unknown<'static>>,
    subject: &Function<'_, SubjectArgs, Unknown<'static>>,
) -> Result<()> {
    let (l, r, f, p) =
        (lookup.create_ref()?, replay.create_ref()?, fetch.create_ref()?, policy.create_ref()?);
    let e = event.create_ref()?;
    let s = subject.create_ref()?;
    WRAP_SUBJECT.with(|w| *w.borrow_mut() = Some(s));
    WRAP_EVENT.with(|w| *w.borrow_mut() = Some(e));
    WRAP_LOOKUP.with(|w| *w.borrow_mut() = Some(l));
    WRAP_REPLAY.with(|w| *w.borrow_mut() = Some(r));
    WRAP_FETCH.with(|w| *w.borrow_mut() = Some(f));
    WRAP_POLICY.with(|w| *w.borrow_mut() = Some(p));
    Ok(())
}

struct SyncGuard(Option<sys::napi_env>);

impl Drop for SyncGuard {
    fn drop(&mut self) {
        SYNC_ENV.set(self.0);
    }
}

/// Run `f` (a sync call) with JavaScript callbacks called directly.
pub(crate) fn sync<R>(env: &Env, f: impl FnOnce() -> R) -> R {
    let _guard = SyncGuard(SYNC_ENV.replace(Some(env.raw())));
    f()
}

/// A wrapped JavaScript function, callable from the JavaScript thread and
/// from workers.
struct JsCallback<Args: JsValuesTupleIntoVec + 'static> {
    func: FunctionRef<Args, Unknown<'static>>,
    tsfn: ThreadsafeFunction<Args, Unknown<'static>, Args, Status, false, true>,
}

impl<Args: JsValuesTupleIntoVec + 'static> JsCallback<Args> {
    fn new(
        env: &Env,
        wrapper: &'static std::thread::LocalKey<RefCell<Option<FunctionRef<Args, Unknown<'static>>>>>,
        user: &Function<'_>,
    ) -> Result<Self> {
        wrapper.with(|w| {
            let w = w.borrow();
            let w =
                w.as_ref().ok_or_else(|| Error::from_reason("jwtauth: load the package through index.js"))?;
            let wrapper = w.borrow_back(env)?;
            let func = wrapper.bind(*user)?;
            let tsfn =
                func.build_threadsafe_function::<Args>().callee_handled::<false>().weak::<true>().build()?;
            Ok(Self { func: func.create_ref()?, tsfn })
        })
    }

    fn invoke(&self, args: impl FnOnce(u32) -> Args, wait: Duration) -> std::result::Result<Outcome, String> {
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = channel();
        PENDING.lock().map_err(|_| "internal lock poisoned".to_owned())?.insert(id, tx);
        let answer = match SYNC_ENV.get() {
            Some(raw) => {
                let env = Env::from_raw(raw);
                match self.func.borrow_back(&env).and_then(|f| f.call(args(id))) {
                    Ok(_) => rx.try_recv().map_err(|_| {
                        "the callback returned a Promise in a sync call (use the async variant)".to_owned()
                    }),
                    Err(_) => Err("the callback could not be called".to_owned()),
                }
            }
            None => {
                if self.tsfn.call(args(id), ThreadsafeFunctionCallMode::NonBlocking) == Status::Ok {
                    crate::pool::about_to_wait();
                    rx.recv_timeout(wait)
                        .map_err(|_| format!("the callback did not answer within {} ms", wait.as_millis()))
                } else {
                    Err("the JavaScript thread is not accepting calls".to_owned())
                }
            }
        };
        if let Ok(mut p) = PENDING.lock() {
            p.remove(&id);
        }
        match answer? {
            Outcome::Failed(why) => Err(why),
            o => Ok(o),
        }
    }
}

/// `lookup(clientId) => Client | null | undefined | Promise<…>`.
pub(crate) struct JsRegistry(JsCallback<LookupArgs>);

impl JsRegistry {
    pub(crate) fn new(env: &Env, lookup: &Function<'_>) -> Result<Self> {
        Ok(Self(JsCallback::new(env, &WRAP_LOOKUP, lookup)?))
    }
}

impl fmt::Debug for JsRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JsRegistry")
    }
}

impl jwtauth::Registry for JsRegistry {
    fn client(&self, client_id: &str) -> jwtauth::Result<Option<Arc<jwtauth::Client>>> {
        let unavailable =
            |why: String| jwtauth::Error::with_detail(jwtauth::ErrorCode::RegistryUnavailable, why);
        match self.0.invoke(|id| FnArgs::from((id, client_id.to_owned())), TIMEOUT).map_err(unavailable)? {
            Outcome::Client(c) => Ok(c),
            _ => Err(unavailable("the lookup gave an unexpected answer".to_owned())),
        }
    }
}

/// `{ checkAndInsert(clientId, jti, expiresAt, now) => boolean | Promise<boolean> }`.
pub(crate) struct JsReplayStore(JsCallback<ReplayArgs>);

impl JsReplayStore {
    pub(crate) fn new(env: &Env, check: &Function<'_>) -> Result<Self> {
        Ok(Self(JsCallback::new(env, &WRAP_REPLAY, check)?))
    }
}

impl fmt::Debug for JsReplayStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JsReplayStore")
    }
}

impl ReplayStore for JsReplayStore {
    fn check_and_insert(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: i64,
        now: i64,
    ) -> std::result::Result<ReplayCheck, ReplayStoreError> {
        match self
            .0
            .invoke(|id| FnArgs::from((id, client_id.to_owned(), jti.to_owned(), expires_at, now)), TIMEOUT)
        {
            Ok(Outcome::Fresh(true)) => Ok(ReplayCheck::Fresh),
            Ok(Outcome::Fresh(false)) => Ok(ReplayCheck::Replayed),
            Ok(_) => Err(ReplayStoreError("the replay store gave an unexpected answer".to_owned())),
            Err(why) => Err(ReplayStoreError(why)),
        }
    }
}

/// `hook(context) => boolean | string | Promise<…>`: the host's policy,
/// asked after every check and before the jti is recorded.
pub(crate) struct JsPolicyHook(JsCallback<PolicyArgs>);

impl JsPolicyHook {
    pub(crate) fn new(env: &Env, hook: &Function<'_>) -> Result<Self> {
        Ok(Self(JsCallback::new(env, &WRAP_POLICY, hook)?))
    }
}

impl fmt::Debug for JsPolicyHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JsPolicyHook")
    }
}

impl jwtauth::PolicyHook for JsPolicyHook {
    fn check(&self, context: &jwtauth::HookContext<'_>) -> std::result::Result<(), jwtauth::HookError> {
        let json = context.to_json().to_string();
        match self.0.invoke(|id| FnArgs::from((id, json)), TIMEOUT) {
            Ok(Outcome::Policy(None)) => Ok(()),
            Ok(Outcome::Policy(Some(reason))) => Err(jwtauth::HookError::Refused(reason)),
            Ok(_) => Err(jwtauth::HookError::Failed("the policy hook gave an unexpected answer".to_owned())),
            Err(why) => Err(jwtauth::HookError::Failed(why)),
        }
    }
}

/// `hook({ issuer, subject }) => boolean | Promise<boolean>`: whether a
/// trusted issuer may assert this subject (`"subjects": "host"` in the
/// trust table). A throw, a rejection, a late or non-boolean answer fails
/// closed (`JWTAUTH_HOOK_FAILED`).
pub(crate) struct JsSubjectHook(JsCallback<SubjectArgs>);

impl JsSubjectHook {
    pub(crate) fn new(env: &Env, hook: &Function<'_>) -> Result<Self> {
        Ok(Self(JsCallback::new(env, &WRAP_SUBJECT, hook)?))
    }
}

impl fmt::Debug for JsSubjectHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JsSubjectHook")
    }
}

impl jwtauth::SubjectHook for JsSubjectHook {
    fn allowed(&self, issuer: &str, subject: &str) -> std::result::Result<bool, String> {
        match self.0.invoke(|id| FnArgs::from((id, issuer.to_owned(), subject.to_owned())), TIMEOUT)? {
            Outcome::Allowed(a) => Ok(a),
            _ => Err("the subject hook gave an unexpected answer".to_owned()),
        }
    }
}

/// `fetch(uri) => string | Uint8Array | { body, maxAge } | Promise<…>`: a
/// JWKS fetcher written in JavaScript (the server's own HTTP client). A
/// throw, a rejection or a wrong answer is a failed fetch (the cache keeps
/// its last good set; without one the client is refused, JWKS_UNAVAILABLE).
pub(crate) struct JsFetcher(JsCallback<FetchArgs>);

impl JsFetcher {
    pub(crate) fn new(env: &Env, fetch: &Function<'_>) -> Result<Self> {
        Ok(Self(JsCallback::new(env, &WRAP_FETCH, fetch)?))
    }
}

impl fmt::Debug for JsFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JsFetcher")
    }
}

impl JwksFetcher for JsFetcher {
    fn fetch(&self, uri: &JwksUri, timeout: Duration) -> std::result::Result<FetchedJwks, String> {
        // The fetch timeout of the remote JWKS settings, not the callbacks' one.
        match self.0.invoke(|id| FnArgs::from((id, uri.as_str().to_owned())), timeout.min(TIMEOUT))? {
            Outcome::Fetched(f) => Ok(f),
            _ => Err("the fetch callback gave an unexpected answer".to_owned()),
        }
    }
}

/// Events a worker may have queued for the JavaScript thread before it
/// waits for room (back-pressure, not loss).
const EVENT_QUEUE: usize = 4096;

/// `hook(event) => void`: told every outcome. In a sync call it is called
/// directly, before the call returns; from a worker (async calls) the event
/// is queued to the JavaScript thread and the worker goes on — it waits
/// only when [`EVENT_QUEUE`] events are already queued. The wrapper in
/// `index.js` catches what the hook throws or rejects: nothing it does
/// reaches the outcome.
pub(crate) struct JsEventHook {
    func: FunctionRef<EventArgs, Unknown<'static>>,
    tsfn: ThreadsafeFunction<EventArgs, Unknown<'static>, EventArgs, Status, false, true, EVENT_QUEUE>,
}

impl JsEventHook {
    pub(crate) fn new(env: &Env, hook: &Function<'_>) -> Result<Self> {
        WRAP_EVENT.with(|w| {
            let w = w.borrow();
            let w =
                w.as_ref().ok_or_else(|| Error::from_reason("jwtauth: load the package through index.js"))?;
            let wrapper = w.borrow_back(env)?;
            let func = wrapper.bind(*hook)?;
            let tsfn = func
                .build_threadsafe_function::<EventArgs>()
                .callee_handled::<false>()
                .weak::<true>()
                .max_queue_size::<EVENT_QUEUE>()
                .build()?;
            Ok(Self { func: func.create_ref()?, tsfn })
        })
    }
}

impl fmt::Debug for JsEventHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JsEventHook")
    }
}

impl jwtauth::EventHook for JsEventHook {
    fn event(&self, event: &jwtauth::Event<'_>) {
        let json = event.to_json().to_string();
        match SYNC_ENV.get() {
            Some(raw) => {
                let env = Env::from_raw(raw);
                let _ = self.func.borrow_back(&env).and_then(|f| f.call(FnArgs::from((json,))));
            }
            None => {
                let _ = self.tsfn.call(FnArgs::from((json,)), ThreadsafeFunctionCallMode::Blocking);
            }
        }
    }
}
