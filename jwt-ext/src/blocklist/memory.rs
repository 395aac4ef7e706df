//! The in-memory store: sharded maps with amortised eviction of expired entries.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::{Blocklist, StoreError};
use crate::token::{now, TokenData};

/// Entries of one shard are swept when it grows past this many since the last sweep.
const MIN_SWEEP: usize = 1024;
const SHARDS: usize = 16;

#[derive(Default)]
struct Shard {
    entries: HashMap<Box<str>, Option<i64>>,
    sweep_at: usize,
}

impl Shard {
    /// Drops entries whose tokens have expired; runs when the shard doubled since the last
    /// sweep, so the cost is amortised O(1) per insert and memory stays within twice the
    /// number of live revocations.
    fn insert(&mut self, key: &str, keep_until: Option<i64>, now: i64) {
        if self.entries.len() >= self.sweep_at.max(MIN_SWEEP) {
            self.evict(now);
            self.sweep_at = self.entries.len() * 2;
        }
        let entry = self.entries.entry(key.into()).or_insert(keep_until);
        *entry = max_until(*entry, keep_until);
    }

    fn evict(&mut self, now: i64) {
        self.entries
            .retain(|_, until| until.is_none_or(|t| t > now));
    }

    fn is_live(&self, key: &str, now: i64) -> bool {
        self.entries
            .get(key)
            .is_some_and(|until| until.is_none_or(|t| t > now))
    }
}

/// The later of two expiries, `None` (never) winning.
fn max_until(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    a.zip(b).map(|(a, b)| a.max(b))
}

/// Tokens of an identity issued at or before `.0` are revoked; forget it after `.1`.
type IdentityRevocation = (i64, Option<i64>);

/// The default store: revocations held in this process, lost on restart, not shared between
/// instances (use the Redis store for that). Expired entries are evicted as it grows, so
/// memory is bounded by the number of revoked tokens that could still pass verification.
pub struct MemoryBlocklist {
    tokens: Box<[RwLock<Shard>]>,
    identities: RwLock<HashMap<Box<str>, IdentityRevocation>>,
}

impl Default for MemoryBlocklist {
    fn default() -> Self {
        MemoryBlocklist {
            tokens: (0..SHARDS).map(|_| RwLock::default()).collect(),
            identities: RwLock::default(),
        }
    }
}

impl fmt::Debug for MemoryBlocklist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryBlocklist")
            .field("revoked_tokens", &self.len())
            .finish()
    }
}

/// A poisoned lock only means another thread panicked mid-update of a map that is valid at
/// every step; keep serving rather than fail every later request.
fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

impl MemoryBlocklist {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn shard(&self, jti: &str) -> &RwLock<Shard> {
        let mut hasher = DefaultHasher::new();
        jti.hash(&mut hasher);
        &self.tokens[(hasher.finish() as usize) % self.tokens.len()]
    }

    /// Number of revoked-token entries held, live or not yet evicted.
    pub fn len(&self) -> usize {
        self.tokens.iter().map(|s| read(s).entries.len()).sum()
    }

    /// Whether no token entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every entry whose tokens have expired. Runs by itself as the store grows; call it
    /// to reclaim memory at a moment of your choosing.
    pub fn evict_expired(&self) {
        let now = now();
        for shard in self.tokens.iter() {
            write(shard).evict(now);
        }
        write(&self.identities).retain(|_, (_, until)| until.is_none_or(|t| t > now));
    }

    fn revoke_token_now(&self, jti: &str, keep_until: Option<i64>, now: i64) {
        write(self.shard(jti)).insert(jti, keep_until, now);
    }

    fn is_revoked_now(&self, token: &TokenData, now: i64) -> bool {
        if let Some(jti) = token.jti() {
            if read(self.shard(jti)).is_live(jti, now) {
                return true;
            }
        }
        let identities = read(&self.identities);
        match identities.get(token.identity()) {
            Some((before, until)) if until.is_none_or(|t| t > now) => {
                // Tokens without `iat` (lenient mode) cannot prove they are newer.
                token.issued_at().is_none_or(|iat| iat <= *before)
            }
            _ => false,
        }
    }
}

#[rocket::async_trait]
impl Blocklist for MemoryBlocklist {
    async fn is_revoked(&self, token: &TokenData) -> Result<bool, StoreError> {
        Ok(self.is_revoked_now(token, now()))
    }

    async fn revoke_token(&self, jti: &str, keep_until: Option<i64>) -> Result<(), StoreError> {
        self.revoke_token_now(jti, keep_until, now());
        Ok(())
    }

    async fn revoke_identity(
        &self,
        identity: &str,
        issued_before: i64,
        keep_until: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut identities = write(&self.identities);
        let entry = identities
            .entry(identity.into())
            .or_insert((issued_before, keep_until));
        *entry = (entry.0.max(issued_before), max_until(entry.1, keep_until));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_entries_are_evicted_as_the_store_grows() {
        let store = MemoryBlocklist::new();
        let now = now();
        for i in 0..(MIN_SWEEP * SHARDS * 2) {
            store.revoke_token_now(&format!("old-{i}"), Some(now - 1), now);
        }
        for i in 0..(MIN_SWEEP * SHARDS * 2) {
            store.revoke_token_now(&format!("new-{i}"), Some(now + 60), now);
        }
        // Every shard swept at least once after the old entries expired.
        assert!(store.len() < MIN_SWEEP * SHARDS * 4, "held {}", store.len());
        store.evict_expired();
        assert_eq!(store.len(), MIN_SWEEP * SHARDS * 2);
    }

    #[test]
    fn revoking_twice_keeps_the_later_expiry() {
        let mut shard = Shard::default();
        shard.insert("a", Some(10), 0);
        shard.insert("a", Some(5), 0);
        assert!(shard.is_live("a", 9));
        shard.insert("a", None, 0);
        assert!(shard.is_live("a", i64::MAX));
    }
}
