//! The host's policy hook: called once an authentication has passed every
//! check, before the assertion's `jti` is recorded, it may still refuse
//! (node-oidc-provider's `assertJwtClientAuthClaimsAndHeader`, Spring's
//! validator factory). A refused assertion leaves no `jti` behind. A hook
//! that fails — or, in the bindings, throws, answers late or answers
//! something other than its documented type — refuses the request
//! (`HOOK_FAILED`, fail closed).

use std::fmt;

use serde_json::{Value, json};

use crate::claims::Claims;
use crate::client::AuthMethod;
use crate::error::{Error, ErrorCode};
use crate::jws::Header;

/// What the hook sees: the client, the method and, for a client assertion,
/// its verified header and claims. Never the assertion itself, its
/// signature or a secret.
#[derive(Debug, Clone, Copy)]
pub struct HookContext<'a> {
    /// The authenticated client.
    pub client_id: &'a str,
    /// The method it used.
    pub method: AuthMethod,
    /// For `private_key_jwt` and `client_secret_jwt`: the verified header.
    pub header: Option<&'a Header>,
    /// For `private_key_jwt` and `client_secret_jwt`: the verified claims.
    pub claims: Option<&'a Claims>,
}

impl HookContext<'_> {
    /// The context as JSON, what the bindings hand their hooks:
    /// `client_id`, `method`, and (`null` for the password methods) `alg`,
    /// `kid`, `typ` and `claims`.
    #[must_use]
    pub fn to_json(&self) -> Value {
        json!({
            "client_id": self.client_id,
            "method": self.method.as_str(),
            "alg": self.header.map(|h| h.alg.name()),
            "kid": self.header.and_then(|h| h.kid.as_deref()),
            "typ": self.header.and_then(|h| h.typ.as_deref()),
            "claims": self.claims.map(Claims::to_json),
        })
    }
}

/// A hook's "no".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookError {
    /// The policy refuses: `POLICY_REFUSED` (401 `invalid_client`). The
    /// reason goes to the error's log detail, never to the client.
    Refused(String),
    /// The hook could not decide: `HOOK_FAILED` (503), the request refused.
    Failed(String),
}

/// The host's policy, asked after every check and before the `jti` is recorded.
pub trait PolicyHook: Send + Sync + fmt::Debug {
    /// `Ok(())` accepts; an error refuses.
    ///
    /// # Errors
    /// [`HookError::Refused`] or [`HookError::Failed`].
    fn check(&self, context: &HookContext<'_>) -> Result<(), HookError>;
}

/// Ask `hook`: the library's error for its "no".
pub(crate) fn ask(hook: &dyn PolicyHook, context: &HookContext<'_>) -> crate::Result<()> {
    hook.check(context).map_err(|e| match e {
        HookError::Refused(why) => Error::with_detail(
            ErrorCode::PolicyRefused,
            format!("the policy hook refused: {}", crate::json::bounded(&why, 200)),
        ),
        HookError::Failed(why) => Error::with_detail(
            ErrorCode::HookFailed,
            format!("the policy hook failed: {}", crate::json::bounded(&why, 200)),
        ),
    })
}
