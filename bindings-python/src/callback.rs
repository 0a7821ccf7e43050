//! Calling the host's Python callbacks (registry lookup, replay store, JWKS
//! fetcher) from inside a verification, and judging their answers.
//!
//! Every call runs under a deadline set by the `verify` / `authenticate`
//! call that started it (`timeout=`, default 10 s, the same as Node's): an
//! answer that comes after it counts as no answer (fail closed). An
//! awaitable answer (`async def` callbacks) is awaited on the caller's event
//! loop when the call came through `verify_async` / `authenticate_async`
//! (`jwtauth._bridge`), within what is left of the deadline; in a sync call
//! it is a usage error that names the async variants. Whether an answer has
//! the documented type is checked by each callback's caller; nothing is
//! judged by truthiness.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// The default deadline of a call that runs host callbacks.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

struct Call {
    deadline: Instant,
    /// A misuse seen in a callback (an awaitable in a sync call): the call
    /// then raises a usage error with this text, whatever the core made of
    /// the failed callback.
    misuse: Option<String>,
}

thread_local! {
    static CALL: RefCell<Vec<Call>> = const { RefCell::new(Vec::new()) };
}

/// Seconds as a deadline (`None`: the default).
pub(crate) fn timeout(py: Python<'_>, secs: Option<f64>) -> PyResult<Duration> {
    match secs {
        None => Ok(DEFAULT_TIMEOUT),
        Some(s) if s.is_finite() && s > 0.0 => Duration::try_from_secs_f64(s)
            .map_err(|_| crate::errors::usage(py, "timeout must be a positive number of seconds")),
        Some(_) => Err(crate::errors::usage(py, "timeout must be a positive number of seconds")),
    }
}

/// Run `f` (the core call) with callbacks under `timeout`; the misuse a
/// callback reported, if any.
pub(crate) fn run<R>(timeout: Duration, f: impl FnOnce() -> R) -> (R, Option<String>) {
    CALL.with(|c| c.borrow_mut().push(Call { deadline: Instant::now() + timeout, misuse: None }));
    struct Pop;
    impl Drop for Pop {
        fn drop(&mut self) {
            CALL.with(|c| c.borrow_mut().pop());
        }
    }
    let pop = Pop;
    let r = f();
    let misuse = CALL.with(|c| c.borrow_mut().last_mut().and_then(|c| c.misuse.take()));
    drop(pop);
    (r, misuse)
}

fn deadline() -> Instant {
    CALL.with(|c| c.borrow().last().map(|c| c.deadline)).unwrap_or_else(|| Instant::now() + DEFAULT_TIMEOUT)
}

fn record_misuse(why: &str) {
    CALL.with(|c| {
        if let Some(c) = c.borrow_mut().last_mut() {
            c.misuse.get_or_insert_with(|| why.to_owned());
        }
    });
}

static BRIDGE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// Call `f` with `args` and return its answer, resolved: an awaitable is
/// awaited through the bridge (or refused in a sync call); an answer past
/// the deadline is refused. `what` names the callback in the reason.
pub(crate) fn answer<'py>(
    py: Python<'py>,
    what: &str,
    call: impl FnOnce() -> PyResult<Bound<'py, PyAny>>,
) -> Result<Bound<'py, PyAny>, String> {
    let deadline = deadline();
    let mut value = call().map_err(|e| format!("the {what} raised {}", e.get_type(py)))?;
    if is_awaitable(&value) {
        let left = deadline.saturating_duration_since(Instant::now()).as_secs_f64();
        let bridge = BRIDGE
            .get_or_try_init(py, || py.import("jwtauth._bridge").map(Bound::unbind))
            .map_err(|_| "jwtauth._bridge cannot be imported".to_owned())?
            .bind(py);
        value = match bridge.call_method1("resolve", (value, left)) {
            Ok(v) => v,
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyTypeError>(py) => {
                let why = format!(
                    "the {what} returned an awaitable in a sync call: use verify_async / authenticate_async"
                );
                record_misuse(&why);
                return Err(why);
            }
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyTimeoutError>(py) => {
                return Err(format!("the {what} did not answer in time"));
            }
            Err(e) => return Err(format!("the {what} raised {}", e.get_type(py))),
        };
    }
    if Instant::now() > deadline {
        return Err(format!("the {what} answered after the deadline"));
    }
    Ok(value)
}

fn is_awaitable(v: &Bound<'_, PyAny>) -> bool {
    v.hasattr("__await__").unwrap_or(false)
}
