//! Client registry: lookup by client_id. The in-memory default loads a JSON
//! document (schema in `docs/registry.md`); servers with their own database
//! implement [`Registry`] (or, from C, Python and Node, pass a callback).
//!
//! Keys are parsed and checked when a client is registered, never per request.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use serde_json::Value;

use crate::client::Client;
use crate::error::{Error, ErrorCode, Result};
use crate::json;
use crate::policy::{CredentialPolicy, Problem, Problems};

/// Where the authenticator finds clients.
pub trait Registry: Send + Sync + fmt::Debug {
    /// The client registered as `client_id`, or `None` when there is none.
    ///
    /// # Errors
    /// A failure to decide (database down); the request is then refused
    /// with `REGISTRY_UNAVAILABLE` rather than treated as an unknown client.
    fn client(&self, client_id: &str) -> Result<Option<Arc<Client>>>;
}

/// Look `client_id` up: `UNKNOWN_CLIENT` when it is not registered,
/// `REGISTRY_UNAVAILABLE` (a server error, not the client's fault) when the
/// registry could not answer.
///
/// A client the registry answers for another id (a case-insensitive or
/// normalising database lookup does this) is refused as unknown: its
/// credentials are not the requested client's.
///
/// # Errors
/// As above.
pub fn lookup_client(registry: &dyn Registry, client_id: &str) -> Result<Arc<Client>> {
    let client = registry
        .client(client_id)
        .map_err(|e| Error::with_detail(ErrorCode::RegistryUnavailable, e.detail().to_owned()))?
        .ok_or(Error::new(ErrorCode::UnknownClient, "no client is registered under this client_id"))?;
    if client.client_id() != client_id {
        return Err(Error::new(
            ErrorCode::UnknownClient,
            "the registry answered a client whose client_id differs from the one looked up",
        ));
    }
    Ok(client)
}

/// The in-memory registry: a map behind a read-write lock, cheap to share.
#[derive(Default)]
pub struct MemoryRegistry {
    clients: RwLock<HashMap<String, Arc<Client>>>,
}

impl fmt::Debug for MemoryRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryRegistry").field("clients", &self.len()).finish()
    }
}

impl MemoryRegistry {
    /// An empty registry.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Load `{"clients": [metadata, …]}` (see `docs/registry.md`), checking
    /// every client against `policy` at `now` (Unix seconds). Nothing is
    /// loaded unless everything passes.
    ///
    /// # Errors
    /// Every problem found, located by JSON Pointer (`/clients/1/jwks/keys/0`).
    pub fn from_json(text: &str, policy: &CredentialPolicy, now: i64) -> Result<Self, Vec<Problem>> {
        let doc = json::parse_unique(text.as_bytes()).map_err(|e| {
            vec![Problem {
                code: ErrorCode::InvalidClientMetadata,
                message: format!("registry document is not JSON: {e}"),
                location: String::new(),
            }]
        })?;
        Self::from_value(&doc, policy, now)
    }

    /// As [`MemoryRegistry::from_json`], from a parsed document.
    ///
    /// # Errors
    /// Every problem found.
    pub fn from_value(doc: &Value, policy: &CredentialPolicy, now: i64) -> Result<Self, Vec<Problem>> {
        let mut list = Vec::new();
        let mut map = HashMap::new();
        {
            let mut p = Problems::root(&mut list);
            match doc.get("clients") {
                Some(Value::Array(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        let mut q = p.at(&format!("/clients/{i}"));
                        if let Some(c) = policy.client(item, now, &mut q) {
                            let id = c.client_id().to_owned();
                            match map.entry(id) {
                                std::collections::hash_map::Entry::Occupied(e) => q.push(
                                    ErrorCode::InvalidClientMetadata,
                                    "/client_id",
                                    format!(
                                        "client_id `{}` is registered twice",
                                        json::loggable_name(e.key())
                                    ),
                                ),
                                std::collections::hash_map::Entry::Vacant(e) => {
                                    e.insert(Arc::new(c));
                                }
                            }
                        }
                    }
                }
                _ => p.push(ErrorCode::InvalidClientMetadata, "", "the document needs a `clients` array"),
            }
        }
        if list.is_empty() { Ok(Self { clients: RwLock::new(map) }) } else { Err(list) }
    }

    /// Register (or replace) a client built in code.
    pub fn insert(&self, client: Client) {
        if let Ok(mut m) = self.clients.write() {
            m.insert(client.client_id().to_owned(), Arc::new(client));
        }
    }

    /// Check one client's metadata against `policy` and register it
    /// (replacing any client with the same id).
    ///
    /// # Errors
    /// Every problem found; nothing is registered then.
    pub fn register_json(
        &self,
        metadata: &str,
        policy: &CredentialPolicy,
        now: i64,
    ) -> Result<(), Vec<Problem>> {
        let c = policy.check_client_json(metadata, now)?;
        self.insert(c);
        Ok(())
    }

    /// Remove a client; whether it was there.
    pub fn remove(&self, client_id: &str) -> bool {
        self.clients.write().is_ok_and(|mut m| m.remove(client_id).is_some())
    }

    /// The client registered as `client_id`.
    #[must_use]
    pub fn get(&self, client_id: &str) -> Option<Arc<Client>> {
        self.clients.read().ok().and_then(|m| m.get(client_id).cloned())
    }

    /// Number of clients.
    #[must_use]
    pub fn len(&self) -> usize {
        self.clients.read().map_or(0, |m| m.len())
    }

    /// Whether no client is registered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The registered client ids, sorted.
    #[must_use]
    pub fn client_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> =
            self.clients.read().map(|m| m.keys().cloned().collect()).unwrap_or_default();
        ids.sort();
        ids
    }
}

impl Registry for MemoryRegistry {
    fn client(&self, client_id: &str) -> Result<Option<Arc<Client>>> {
        self.clients
            .read()
            .map(|m| m.get(client_id).cloned())
            .map_err(|_| Error::new(ErrorCode::RegistryUnavailable, "registry lock poisoned"))
    }
}
