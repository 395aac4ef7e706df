//! The revoked-token shards of the memory store: `jti`s as numbers or text, evicted as they
//! grow.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use super::MIN_SWEEP;

/// A `jti` as stored: our uuid4 `jti`s as 16 bytes, anything else as text.
#[derive(Clone, Copy)]
pub(super) enum Jti<'a> {
    Uuid(u128),
    Other(&'a str),
}

impl<'a> Jti<'a> {
    /// Only the canonical lower-case hyphenated form maps to a number, so two different
    /// `jti` strings never share an entry.
    pub(super) fn new(jti: &'a str) -> Self {
        let canonical = jti.len() == 36 && !jti.bytes().any(|b| b.is_ascii_uppercase());
        match uuid::Uuid::try_parse(jti) {
            Ok(uuid) if canonical => Jti::Uuid(uuid.as_u128()),
            _ => Jti::Other(jti),
        }
    }

    pub(super) fn shard(self, shards: usize) -> usize {
        let hash = match self {
            // uuid4 bits are random already.
            Jti::Uuid(n) => n as u64,
            Jti::Other(text) => {
                let mut hasher = DefaultHasher::new();
                text.hash(&mut hasher);
                hasher.finish()
            }
        };
        (hash % shards as u64) as usize
    }
}

/// Hashes a uuid4 by its own bits: they are random already, and only tokens we issued (their
/// signature checked) ever reach the store, so nobody can choose keys to collide.
#[derive(Default)]
struct UuidHasher(u64);

impl Hasher for UuidHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 ^= u64::from_le_bytes(word);
        }
    }

    fn write_u128(&mut self, n: u128) {
        self.0 ^= (n as u64) ^ ((n >> 64) as u64);
    }
}

#[derive(Default)]
pub(super) struct Shard {
    uuids: HashMap<u128, i64, BuildHasherDefault<UuidHasher>>,
    others: HashMap<Box<str>, i64>,
    sweep_at: usize,
}

impl Shard {
    pub(super) fn len(&self) -> usize {
        self.uuids.len() + self.others.len()
    }

    /// Drops entries whose tokens have expired when the shard doubled since the last sweep,
    /// so the cost is amortised O(1) per insert and memory stays within about twice the
    /// number of live revocations.
    pub(super) fn insert(&mut self, jti: Jti<'_>, keep_until: i64, now: i64) {
        if self.len() >= self.sweep_at.max(MIN_SWEEP) {
            self.evict(now);
            self.sweep_at = self.len() * 2;
        }
        let entry = match jti {
            Jti::Uuid(n) => self.uuids.entry(n).or_insert(keep_until),
            Jti::Other(text) => self.others.entry(text.into()).or_insert(keep_until),
        };
        *entry = (*entry).max(keep_until);
    }

    pub(super) fn evict(&mut self, now: i64) {
        self.uuids.retain(|_, until| *until > now);
        self.others.retain(|_, until| *until > now);
    }

    pub(super) fn is_live(&self, jti: Jti<'_>, now: i64) -> bool {
        let until = match jti {
            Jti::Uuid(n) => self.uuids.get(&n),
            Jti::Other(text) => self.others.get(text),
        };
        until.is_some_and(|until| *until > now)
    }
}
