//! Replay protection (rule 8): remember each (client_id, jti) until the
//! assertion could no longer be accepted, and refuse a second use.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt::{self, Debug};
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::Mutex;

use siphasher::sip128::{Hash128, Hasher128, SipHasher13};

/// Outcome of [`ReplayStore::check_and_insert`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayCheck {
    /// First use: recorded.
    Fresh,
    /// Seen before and not yet expired.
    Replayed,
}

/// A replay store failure. The verifier fails closed on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayStoreError(pub String);

impl fmt::Display for ReplayStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "replay store: {}", self.0)
    }
}

impl std::error::Error for ReplayStoreError {}

/// An atomic "insert if absent, with expiry" keyed by (client_id, jti).
///
/// Implementations must be atomic across every caller that shares the store:
/// of N concurrent calls with the same key, exactly one returns `Fresh`.
pub trait ReplayStore: Send + Sync + Debug {
    /// Record (client_id, jti) until `expires_at` (Unix seconds) unless it is
    /// already recorded and unexpired at `now`.
    ///
    /// # Errors
    /// Any failure to decide; the verifier then rejects the assertion.
    fn check_and_insert(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<ReplayCheck, ReplayStoreError>;

    /// Whether (client_id, jti) is recorded and unexpired at `now`, recording
    /// nothing: what [`crate::Verifier::explain`] asks. `None` when the store
    /// cannot tell without recording (the default for stores written by a host).
    ///
    /// # Errors
    /// Any failure to answer.
    fn seen(&self, client_id: &str, jti: &str, now: i64) -> Result<Option<bool>, ReplayStoreError> {
        let _ = (client_id, jti, now);
        Ok(None)
    }
}

/// A store that answers from another's [`ReplayStore::seen`] and records
/// nothing: the verifier's pipeline run by `explain` reaches the same verdict
/// on replays without changing what the real store holds. A store that cannot
/// tell counts the assertion as fresh (`unknown` is set).
#[derive(Debug)]
pub(crate) struct DryRun {
    pub(crate) inner: std::sync::Arc<dyn ReplayStore>,
    pub(crate) unknown: std::sync::atomic::AtomicBool,
}

impl ReplayStore for DryRun {
    fn check_and_insert(
        &self,
        client_id: &str,
        jti: &str,
        _: i64,
        now: i64,
    ) -> Result<ReplayCheck, ReplayStoreError> {
        match self.inner.seen(client_id, jti, now)? {
            Some(true) => Ok(ReplayCheck::Replayed),
            Some(false) => Ok(ReplayCheck::Fresh),
            None => {
                self.unknown.store(true, std::sync::atomic::Ordering::Relaxed);
                Ok(ReplayCheck::Fresh)
            }
        }
    }
}

/// 128-bit key of (client_id, jti): keyed SipHash-1-3-128 (one pass), so
/// neither full strings nor attacker-chosen collisions reach the map.
type Fingerprint = (u64, u64);

/// The map key is already a keyed 128-bit hash: hashing it again is wasted work.
#[derive(Default, Clone, Copy)]
struct PreHashed;

impl BuildHasher for PreHashed {
    type Hasher = PreHashedHasher;
    fn build_hasher(&self) -> PreHashedHasher {
        PreHashedHasher(0)
    }
}

#[derive(Default)]
struct PreHashedHasher(u64);

impl Hasher for PreHashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only reached for non-u64 keys, which this map never has; fold anyway.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        // The tuple hashes its two halves in turn: keep the second (not the shard selector).
        self.0 = v;
    }
}

struct Shard {
    map: HashMap<Fingerprint, i64, PreHashed>,
    next_sweep: i64,
}

/// The default store: in process, sharded by hash, bounded.
///
/// Entries expire at their own time; a shard sweeps expired entries when it
/// is full or at most once per second of clock time. When a shard is full of
/// unexpired entries, new inserts fail (closed) rather than evict a live
/// entry, since eviction would re-open a replay window.
pub struct MemoryReplayStore {
    shards: Box<[Mutex<Shard>]>,
    per_shard: usize,
    key: (u64, u64),
}

impl Debug for MemoryReplayStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryReplayStore")
            .field("shards", &self.shards.len())
            .field("capacity", &(self.shards.len() * self.per_shard))
            .finish()
    }
}

impl Default for MemoryReplayStore {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

impl MemoryReplayStore {
    /// Default capacity: one million live assertions (about 40 MB at most).
    pub const DEFAULT_CAPACITY: usize = 1 << 20;
    const SHARDS: usize = 64;

    /// A store holding at most `capacity` live entries. The bound is enforced
    /// per shard (`capacity / 64` each), so a store can refuse slightly before
    /// `capacity` entries when the hash spreads them unevenly; size it with
    /// headroom (peak assertions per `max_age` window, times two).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        let per_shard = capacity.div_ceil(Self::SHARDS).max(1);
        let shards = (0..Self::SHARDS)
            .map(|_| Mutex::new(Shard { map: HashMap::with_hasher(PreHashed), next_sweep: i64::MIN }))
            .collect();
        // Secret 128-bit key: std seeds `RandomState` from the OS's random
        // source; its keyed hashes of two constants are the two halves.
        let state = RandomState::new();
        let key = (state.hash_one(0x6a77_7461_7574_6830_u64), state.hash_one(0x6a77_7461_7574_6831_u64));
        Self { shards, per_shard, key }
    }

    fn fingerprint(&self, client_id: &str, jti: &str) -> Fingerprint {
        let mut h = SipHasher13::new_with_keys(self.key.0, self.key.1);
        h.write_usize(client_id.len());
        h.write(client_id.as_bytes());
        h.write(jti.as_bytes());
        let Hash128 { h1, h2 } = h.finish128();
        (h1, h2)
    }

    /// Number of entries currently held (live or not yet swept).
    #[must_use]
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().map_or(0, |g| g.map.len())).sum()
    }

    /// Whether the store holds no entry.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ReplayStore for MemoryReplayStore {
    fn check_and_insert(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<ReplayCheck, ReplayStoreError> {
        let fp = self.fingerprint(client_id, jti);
        let idx = usize::try_from(fp.0 % Self::SHARDS as u64).unwrap_or(0);
        let shard = self.shards.get(idx).ok_or_else(|| ReplayStoreError("shard index".into()))?;
        let mut s = shard.lock().map_err(|_| ReplayStoreError("lock poisoned".into()))?;
        let Shard { map, next_sweep } = &mut *s;
        let sweep_due = map.len() >= self.per_shard || now >= *next_sweep;
        // One probe in the usual case: a live entry is a replay, an expired
        // one is renewed in place, a new one goes in unless a sweep is due.
        match map.entry(fp) {
            Entry::Occupied(e) if *e.get() > now => return Ok(ReplayCheck::Replayed),
            Entry::Occupied(mut e) => {
                e.insert(expires_at);
                return Ok(ReplayCheck::Fresh);
            }
            Entry::Vacant(v) if !sweep_due => {
                v.insert(expires_at);
                return Ok(ReplayCheck::Fresh);
            }
            Entry::Vacant(_) => {}
        }
        map.retain(|_, exp| *exp > now);
        *next_sweep = now.saturating_add(1);
        if map.len() >= self.per_shard {
            return Err(ReplayStoreError("in-memory replay store is full".into()));
        }
        map.insert(fp, expires_at);
        Ok(ReplayCheck::Fresh)
    }

    fn seen(&self, client_id: &str, jti: &str, now: i64) -> Result<Option<bool>, ReplayStoreError> {
        let fp = self.fingerprint(client_id, jti);
        let idx = usize::try_from(fp.0 % Self::SHARDS as u64).unwrap_or(0);
        let shard = self.shards.get(idx).ok_or_else(|| ReplayStoreError("shard index".into()))?;
        let s = shard.lock().map_err(|_| ReplayStoreError("lock poisoned".into()))?;
        Ok(Some(s.map.get(&fp).is_some_and(|exp| *exp > now)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_then_replayed_then_free_after_expiry() {
        let s = MemoryReplayStore::new(1000);
        assert_eq!(s.check_and_insert("c", "j", 100, 10), Ok(ReplayCheck::Fresh));
        assert_eq!(s.check_and_insert("c", "j", 100, 11), Ok(ReplayCheck::Replayed));
        assert_eq!(s.check_and_insert("d", "j", 100, 11), Ok(ReplayCheck::Fresh), "other client");
        assert_eq!(s.check_and_insert("c", "j", 200, 100), Ok(ReplayCheck::Fresh), "expired entry");
        // Length-prefixing keeps ("ab","c") and ("a","bc") apart.
        assert_eq!(s.check_and_insert("ab", "c", 100, 10), Ok(ReplayCheck::Fresh));
        assert_eq!(s.check_and_insert("a", "bc", 100, 10), Ok(ReplayCheck::Fresh));
    }

    #[test]
    fn full_store_fails_closed_and_recovers_after_expiry() {
        let s = MemoryReplayStore::new(64); // one entry per shard
        let mut failed = false;
        for i in 0..200 {
            if s.check_and_insert("c", &i.to_string(), 100, 10).is_err() {
                failed = true;
            }
        }
        assert!(failed, "a full store must refuse, not evict");
        assert!(s.len() <= 64);
        // Once everything has expired, the shard sweeps and accepts again.
        assert_eq!(s.check_and_insert("c", "after", 300, 200), Ok(ReplayCheck::Fresh));
    }
}
