//! The host's hooks: a policy asked once an authentication has passed
//! every check, before the assertion's `jti` is recorded; and an event hook
//! told every outcome.
//!
//! Thread safety: the function is called from whichever thread verifies,
//! concurrently; it and its `user_data` must be thread-safe.

use std::ffi::{c_char, c_void};
use std::fmt;

use jwtauth_core::{Event, EventHook, HookContext, HookError, PolicyHook};

use crate::replay::UserData;

/// Returned by a policy hook: accept.
pub const JWTAUTH_POLICY_ACCEPT: i32 = 0;
/// Returned by a policy hook: refuse (`JWTAUTH_POLICY_REFUSED`, 401
/// `invalid_client`); a NUL-terminated reason written to `reason` goes to
/// the error's detail (for logs, never to the client).
pub const JWTAUTH_POLICY_REFUSE: i32 = 1;
/// Returned by a policy hook: it could not decide; the request is refused
/// with `JWTAUTH_HOOK_FAILED` (503: fail closed). So is any other value.
pub const JWTAUTH_POLICY_ERROR: i32 = 2;

/// Room for the reason a hook may write (bytes, NUL included).
const REASON_CAP: usize = 256;

/// Decide on an authentication that passed every check: `context_json`
/// (not NUL-terminated, valid during the call) is a JSON object with
/// `client_id`, `method` and, for the JWT methods, `alg`, `kid`, `typ` and
/// `claims` (never the assertion or a secret). Return
/// `JWTAUTH_POLICY_ACCEPT`, `JWTAUTH_POLICY_REFUSE` (optionally writing a
/// NUL-terminated reason of at most `reason_cap` bytes to `reason`) or
/// `JWTAUTH_POLICY_ERROR`.
pub type jwtauth_policy_hook_fn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        context_json: *const c_char,
        context_len: usize,
        reason: *mut c_char,
        reason_cap: usize,
    ) -> i32,
>;

type HookFn = unsafe extern "C" fn(*mut c_void, *const c_char, usize, *mut c_char, usize) -> i32;

/// The host's hook behind a C function.
#[derive(Clone, Copy)]
pub(crate) struct CallbackHook {
    pub(crate) f: HookFn,
    pub(crate) user_data: UserData,
}

impl fmt::Debug for CallbackHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallbackHook")
    }
}

impl PolicyHook for CallbackHook {
    fn check(&self, context: &HookContext<'_>) -> Result<(), HookError> {
        let json = context.to_json().to_string();
        let mut reason = [0u8; REASON_CAP];
        // SAFETY: the header's contract for `jwtauth_policy_hook_fn`: the
        // JSON pointer is valid for its length during the call, and the
        // hook writes at most `reason_cap` bytes to `reason`.
        let r = unsafe {
            (self.f)(
                self.user_data.0,
                json.as_ptr().cast(),
                json.len(),
                reason.as_mut_ptr().cast(),
                REASON_CAP,
            )
        };
        let why = || {
            let end = reason.iter().position(|b| *b == 0).unwrap_or(REASON_CAP);
            String::from_utf8_lossy(reason.get(..end).unwrap_or_default()).into_owned()
        };
        match r {
            JWTAUTH_POLICY_ACCEPT => Ok(()),
            JWTAUTH_POLICY_REFUSE => Err(HookError::Refused(why())),
            JWTAUTH_POLICY_ERROR => Err(HookError::Failed(why())),
            other => Err(HookError::Failed(format!("the host's policy hook returned {other}"))),
        }
    }
}

/// Take note of one outcome: `event_json` (not NUL-terminated, valid
/// during the call) is a JSON object with `outcome` ("accepted" or
/// "refused"), `endpoint`, `client_id`, `method`, `alg`, `profile`, `code`
/// (`"JWTAUTH_…"`, null when accepted), `status`, `error`, `detail`,
/// `would_refuse` and `duration_us` (never an assertion or a secret). The
/// outcome is already final: nothing the hook does changes it.
pub type jwtauth_event_hook_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, event_json: *const c_char, event_len: usize)>;

type EventFn = unsafe extern "C" fn(*mut c_void, *const c_char, usize);

/// The host's event hook behind a C function.
#[derive(Clone, Copy)]
pub(crate) struct CallbackEvents {
    pub(crate) f: EventFn,
    pub(crate) user_data: UserData,
}

impl fmt::Debug for CallbackEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallbackEvents")
    }
}

impl EventHook for CallbackEvents {
    fn event(&self, event: &Event<'_>) {
        let json = event.to_json().to_string();
        // SAFETY: the header's contract for `jwtauth_event_hook_fn`: the
        // JSON pointer is valid for its length during the call.
        unsafe { (self.f)(self.user_data.0, json.as_ptr().cast(), json.len()) };
    }
}
