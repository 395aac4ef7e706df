//! The in-memory store: sharded maps with amortised eviction of expired entries.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::{Blocklist, Spend, Spent, StoreError};
use families::{Families, SpentToken};
use shard::{Jti, Shard};

mod families;
mod shard;
use crate::token::{now, TokenData};

/// Entries of one shard are swept when it grows past this many since the last sweep.
pub(super) const MIN_SWEEP: usize = 1024;
const SHARDS: usize = 16;
/// `keep_until` of entries kept forever.
const FOREVER: i64 = i64::MAX;

/// Tokens of an identity issued at or before `.0` are revoked; forget it after `.1`.
type IdentityRevocation = (i64, i64);

/// The default store: revocations held in this process, lost on restart, not shared between
/// instances (use the Redis store for that). Expired entries are evicted as it grows, so
/// memory is bounded by the number of revoked tokens that could still pass verification.
pub struct MemoryBlocklist {
    tokens: Box<[RwLock<Shard>]>,
    identities: RwLock<HashMap<Box<str>, IdentityRevocation>>,
    /// Whether any identity was ever revoked: spares checks the identity map's lock until then.
    any_identity: AtomicBool,
    /// Whether any token was ever revoked: spares checks parsing the `jti` and locking a shard.
    any_token: AtomicBool,
    families: Mutex<Families>,
    /// Whether any refresh token was ever spent or family revoked: spares checks the lock.
    any_family: AtomicBool,
}

impl Default for MemoryBlocklist {
    fn default() -> Self {
        MemoryBlocklist {
            tokens: (0..SHARDS).map(|_| RwLock::default()).collect(),
            identities: RwLock::default(),
            any_identity: AtomicBool::new(false),
            any_token: AtomicBool::new(false),
            families: Mutex::default(),
            any_family: AtomicBool::new(false),
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

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl MemoryBlocklist {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn shard(&self, jti: Jti<'_>) -> &RwLock<Shard> {
        &self.tokens[jti.shard(self.tokens.len())]
    }

    /// Number of revoked-token entries held, live or not yet evicted.
    pub fn len(&self) -> usize {
        self.tokens.iter().map(|s| read(s).len()).sum()
    }

    /// Whether no token entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every entry whose tokens have expired. Runs by itself as the store grows; call it
    /// to reclaim memory at a moment of your choosing.
    pub fn evict_expired(&self) {
        self.evict_expired_at(now());
    }

    /// Like [`evict_expired`](Self::evict_expired), as if the clock read `now` (Unix seconds).
    pub fn evict_expired_at(&self, now: i64) {
        for shard in self.tokens.iter() {
            write(shard).evict(now);
        }
        write(&self.identities).retain(|_, (_, until)| *until > now);
        let mut families = lock(&self.families);
        families.revoked.retain(|_, until| *until > now);
        families.spent.retain(|_, spent| spent.keep_until > now);
    }

    fn revoke_token_now(&self, jti: &str, keep_until: Option<i64>, now: i64) {
        let jti = Jti::new(jti);
        let mut shard = write(self.shard(jti));
        self.any_token.store(true, Ordering::Release);
        shard.insert(jti, keep_until.unwrap_or(FOREVER), now);
    }

    fn is_revoked_now(&self, token: &TokenData, now: i64) -> bool {
        if self.is_revoked_by_token_or_identity(token, now) {
            return true;
        }
        if !self.any_family.load(Ordering::Acquire) {
            return false;
        }
        let mut families = lock(&self.families);
        families.is_revoked(token.family(), now) || families.detect_reuse(token, now)
    }

    fn is_revoked_by_token_or_identity(&self, token: &TokenData, now: i64) -> bool {
        if self.any_token.load(Ordering::Acquire) {
            if let Some(jti) = token.jti().map(Jti::new) {
                if read(self.shard(jti)).is_live(jti, now) {
                    return true;
                }
            }
        }
        if !self.any_identity.load(Ordering::Acquire) {
            return false;
        }
        let identities = read(&self.identities);
        match identities.get(&*token.revocation_identity()) {
            Some((before, until)) if *until > now => {
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

    async fn revoke_token(
        &self,
        _identity: &str,
        jti: &str,
        keep_until: Option<i64>,
    ) -> Result<(), StoreError> {
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
        self.any_identity.store(true, Ordering::Release);
        let keep_until = keep_until.unwrap_or(FOREVER);
        let entry = identities
            .entry(identity.into())
            .or_insert((issued_before, keep_until));
        *entry = (entry.0.max(issued_before), entry.1.max(keep_until));
        Ok(())
    }

    async fn spend(&self, token: &TokenData, spend: &Spend) -> Result<Spent, StoreError> {
        let Some(jti) = token.jti() else {
            return Ok(Spent::Revoked);
        };
        // One lock for the whole decision: concurrent spends of one token are ordered.
        let mut families = lock(&self.families);
        self.any_family.store(true, Ordering::Release);
        let now = spend.now;
        if self.is_revoked_by_token_or_identity(token, now)
            || families.is_revoked(token.family(), now)
        {
            return Ok(Spent::Revoked);
        }
        let family_keep_until = spend.family_keep_until.unwrap_or(FOREVER);
        match families.spent.get(jti).copied() {
            None => {
                families.sweep(now);
                let spent = SpentToken {
                    reuse_until: spend.reuse_until,
                    family_keep_until,
                    keep_until: spend.keep_until.unwrap_or(FOREVER),
                };
                families.spent.insert(jti.into(), spent);
                Ok(Spent::First)
            }
            Some(spent) if now <= spent.reuse_until => Ok(Spent::Again),
            Some(spent) => {
                if let Some(family) = token.family() {
                    families.revoke(family, spent.family_keep_until.max(family_keep_until));
                }
                Ok(Spent::Reuse)
            }
        }
    }

    async fn revoke_family(
        &self,
        _identity: &str,
        family: &str,
        keep_until: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut families = lock(&self.families);
        self.any_family.store(true, Ordering::Release);
        families.sweep(now());
        families.revoke(family, keep_until.unwrap_or(FOREVER));
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
        let n = MIN_SWEEP * SHARDS * 2;
        for _ in 0..n {
            store.revoke_token_now(&uuid::Uuid::new_v4().to_string(), Some(now - 1), now);
        }
        for i in 0..n {
            store.revoke_token_now(&format!("other-{i}"), Some(now + 60), now);
        }
        // Every shard swept at least once after the first entries expired.
        assert!(store.len() < n * 2, "held {}", store.len());
        store.evict_expired();
        assert_eq!(store.len(), n);
    }

    #[test]
    fn revoking_twice_keeps_the_later_expiry() {
        let mut shard = Shard::default();
        let jti = Jti::new("a");
        shard.insert(jti, 10, 0);
        shard.insert(jti, 5, 0);
        assert!(shard.is_live(jti, 9));
        shard.insert(jti, FOREVER, 0);
        assert!(shard.is_live(jti, i64::MAX - 1));
    }

    #[test]
    fn only_canonical_uuids_are_stored_as_numbers() {
        let lower = "5f1c8a3e-6a0b-4c4e-9a55-4f1f2b0d7c11";
        assert!(matches!(Jti::new(lower), Jti::Uuid(_)));
        assert!(matches!(Jti::new(&lower.to_uppercase()), Jti::Other(_)));
        assert!(matches!(Jti::new(&lower.replace('-', "")), Jti::Other(_)));
        let mut shard = Shard::default();
        shard.insert(Jti::new(lower), FOREVER, 0);
        assert!(shard.is_live(Jti::new(lower), 0));
        assert!(!shard.is_live(Jti::new(&lower.to_uppercase()), 0));
    }
}
