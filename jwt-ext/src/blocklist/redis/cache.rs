//! `blocklist_cache`: each instance remembers which tokens the store found not revoked, and
//! forgets them when Redis says they may have changed (SPEC §15).
//!
//! Every write of the store publishes the bucket it wrote on the revocation channel, inside
//! the script that wrote (a revocation that succeeded is always published). Each instance
//! subscribes; a message drops the bucket's answers, `*` (a wipe noticed) drops all of them.
//! The cache answers only while the subscription is known to be alive: losing it (or a ping
//! over it going unanswered) drops every answer and stops caching until it is back.
//!
//! An answer fetched from Redis is kept only when no invalidation of its bucket (and no loss
//! of the subscription) happened while it was fetched: each lookup takes a ticket first.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard, Weak};
use std::time::Duration;

use rocket::futures::StreamExt;

use super::layout::{Layout, BUCKETS};
use super::link::Link;

/// An answer is kept at most this long, so that even a loss of data nobody noticed (a node of
/// a Cluster restarted empty, while every token in use is cached) is seen within it.
const MAX_AGE_SECS: i64 = 30;
/// How often the subscription is pinged, and the store's epoch looked at.
const KEEPALIVE: Duration = Duration::from_secs(1);
/// The most answers one bucket keeps; past it the bucket starts over.
const MAX_PER_BUCKET: usize = 4096;

/// The local answers of one instance.
pub(super) struct Cache {
    live: AtomicBool,
    generation: AtomicU64,
    buckets: Box<[RwLock<Answers>]>,
}

#[derive(Default)]
struct Answers {
    generation: u64,
    /// Not-revoked tokens by `jti`.
    tokens: HashMap<String, Answer>,
}

/// What a check's answer depends on besides the `jti`: a token is found in the cache only
/// when all of it matches, so that two tokens sharing a `jti` (an external issuer's, say)
/// never share an answer.
#[derive(Clone, Copy)]
pub(super) struct Checked<'a> {
    pub(super) jti: &'a str,
    pub(super) identity: &'a str,
    pub(super) issued_at: Option<i64>,
    pub(super) family: Option<&'a str>,
}

struct Answer {
    identity: Box<str>,
    issued_at: Option<i64>,
    family: Option<Box<str>>,
    /// When the answer stops being used.
    until: i64,
}

impl Answer {
    fn answers(&self, checked: &Checked<'_>) -> bool {
        *self.identity == *checked.identity
            && self.issued_at == checked.issued_at
            && self.family.as_deref() == checked.family
    }
}

/// Taken before asking Redis; an answer is kept only with a ticket still valid.
#[derive(Clone, Copy)]
pub(super) struct Ticket {
    generation: u64,
    bucket: u64,
}

impl Cache {
    pub(super) fn new() -> Self {
        Cache {
            live: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            buckets: (0..BUCKETS).map(|_| RwLock::default()).collect(),
        }
    }

    fn slot(&self, bucket: u32) -> Option<&RwLock<Answers>> {
        self.buckets.get(usize::try_from(bucket).ok()?)
    }

    fn answers(&self, bucket: u32) -> Option<RwLockReadGuard<'_, Answers>> {
        Some(self.slot(bucket)?.read().unwrap_or_else(|e| e.into_inner()))
    }

    fn answers_mut(&self, bucket: u32) -> Option<RwLockWriteGuard<'_, Answers>> {
        Some(
            self.slot(bucket)?
                .write()
                .unwrap_or_else(|e| e.into_inner()),
        )
    }

    /// Whether the token is known not to be revoked.
    pub(super) fn not_revoked(&self, bucket: u32, checked: &Checked<'_>, now: i64) -> bool {
        self.live.load(Ordering::Acquire)
            && self.answers(bucket).is_some_and(|answers| {
                answers
                    .tokens
                    .get(checked.jti)
                    .is_some_and(|answer| now < answer.until && answer.answers(checked))
            })
    }

    pub(super) fn ticket(&self, bucket: u32) -> Option<Ticket> {
        if !self.live.load(Ordering::Acquire) {
            return None;
        }
        let generation = self.generation.load(Ordering::Acquire);
        let bucket = self.answers(bucket)?.generation;
        Some(Ticket { generation, bucket })
    }

    /// Keeps a "not revoked" answer fetched under `ticket`, until `until` at the latest.
    pub(super) fn keep(
        &self,
        ticket: Ticket,
        bucket: u32,
        checked: &Checked<'_>,
        now: i64,
        until: i64,
    ) {
        let Some(mut answers) = self.answers_mut(bucket) else {
            return;
        };
        // Checked under the bucket's lock: an invalidation takes it too.
        if answers.generation != ticket.bucket
            || self.generation.load(Ordering::Acquire) != ticket.generation
            || !self.live.load(Ordering::Acquire)
        {
            return;
        }
        if answers.tokens.len() >= MAX_PER_BUCKET {
            answers.tokens.retain(|_, answer| now < answer.until);
            if answers.tokens.len() >= MAX_PER_BUCKET {
                answers.tokens.clear();
            }
        }
        let until = until.min(now.saturating_add(MAX_AGE_SECS));
        let answer = Answer {
            identity: checked.identity.into(),
            issued_at: checked.issued_at,
            family: checked.family.map(Into::into),
            until,
        };
        answers.tokens.insert(checked.jti.to_owned(), answer);
    }

    /// A message of the channel: a bucket, or `*` for all.
    fn invalidate(&self, message: &str) {
        match message.parse::<u32>() {
            Ok(bucket) => {
                if let Some(mut answers) = self.answers_mut(bucket) {
                    answers.generation = answers.generation.wrapping_add(1);
                    answers.tokens.clear();
                }
            }
            Err(_) => self.invalidate_all(),
        }
    }

    fn invalidate_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        for bucket in self.buckets.iter() {
            let mut answers = bucket.write().unwrap_or_else(|e| e.into_inner());
            answers.generation = answers.generation.wrapping_add(1);
            answers.tokens.clear();
        }
    }

    /// Caching starts (the subscription is confirmed) or stops (it was lost): either way no
    /// answer from before is used again.
    fn set_live(&self, live: bool) {
        self.live.store(live, Ordering::Release);
        self.invalidate_all();
    }
}

/// Keeps the subscription of `cache` alive for as long as the store exists: subscribes, drops
/// answers as messages say, and on any loss drops everything and subscribes again.
pub(super) async fn subscribe(
    cache: Weak<Cache>,
    link: Arc<Link>,
    layout: Layout,
    timeout: Duration,
) {
    let mut attempt = 0usize;
    loop {
        match listen(&cache, &link, &layout, timeout, attempt).await {
            // The store was dropped.
            Ok(()) => return,
            Err(e) => {
                rocket::warn!("jwt-ext: the revocation cache is off until Redis answers again: {e}")
            }
        }
        let Some(live) = cache.upgrade() else { return };
        live.set_live(false);
        drop(live);
        attempt = attempt.wrapping_add(1);
        rocket::tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// One subscription, until it fails (`Err`) or the store is dropped (`Ok`).
async fn listen(
    cache: &Weak<Cache>,
    link: &Link,
    layout: &Layout,
    timeout: Duration,
    attempt: usize,
) -> Result<(), String> {
    let deadline = |what: &'static str| move |_| format!("{what} took longer than {timeout:?}");
    let client = rocket::tokio::time::timeout(timeout, link.subscriber(attempt))
        .await
        .map_err(deadline("finding the server"))?
        .map_err(|e| e.to_string())?;
    let mut pubsub = rocket::tokio::time::timeout(timeout, client.get_async_pubsub())
        .await
        .map_err(deadline("connecting"))?
        .map_err(|e| e.to_string())?;
    rocket::tokio::time::timeout(timeout, pubsub.subscribe(layout.channel()))
        .await
        .map_err(deadline("subscribing"))?
        .map_err(|e| e.to_string())?;
    let (mut sink, mut messages) = pubsub.split();
    match cache.upgrade() {
        Some(cache) => cache.set_live(true),
        None => return Ok(()),
    }
    let mut keepalive = rocket::tokio::time::interval(KEEPALIVE);
    loop {
        rocket::tokio::select! {
            message = messages.next() => {
                let message = message.ok_or("the subscription was closed")?;
                let payload: String = message.get_payload().unwrap_or_default();
                let Some(cache) = cache.upgrade() else { return Ok(()) };
                cache.invalidate(&payload);
            }
            _ = keepalive.tick() => {
                if cache.strong_count() == 0 {
                    return Ok(());
                }
                rocket::tokio::time::timeout(timeout, sink.ping::<redis::Value>())
                    .await
                    .map_err(deadline("a ping"))?
                    .map_err(|e| e.to_string())?;
                if super::epochs::seed_if_lost(link, layout, timeout).await? {
                    // The store lost its data: no answer from before may be used.
                    let Some(cache) = cache.upgrade() else { return Ok(()) };
                    cache.invalidate_all();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000;

    fn alice() -> Checked<'static> {
        Checked {
            jti: "shared-jti",
            identity: "alice",
            issued_at: Some(900),
            family: None,
        }
    }

    fn kept(checked: &Checked<'_>) -> Cache {
        let cache = Cache::new();
        cache.set_live(true);
        let ticket = cache.ticket(7).expect("a live cache hands out tickets");
        cache.keep(ticket, 7, checked, NOW, NOW + 60);
        cache
    }

    #[test]
    fn an_answer_serves_only_the_token_it_was_fetched_for() {
        let cache = kept(&alice());
        assert!(cache.not_revoked(7, &alice(), NOW));
        let others = [
            Checked {
                identity: "bob",
                ..alice()
            },
            Checked {
                issued_at: Some(800),
                ..alice()
            },
            Checked {
                issued_at: None,
                ..alice()
            },
            Checked {
                family: Some("f"),
                ..alice()
            },
            Checked {
                jti: "other",
                ..alice()
            },
        ];
        for other in &others {
            assert!(
                !cache.not_revoked(7, other, NOW),
                "{:?} used alice's answer",
                other.identity
            );
        }
        assert!(!cache.not_revoked(8, &alice(), NOW), "another bucket");
    }

    #[test]
    fn answers_end_with_their_token_and_within_max_age() {
        let cache = kept(&alice());
        assert!(!cache.not_revoked(7, &alice(), NOW + 60));
        let cache = Cache::new();
        cache.set_live(true);
        let ticket = cache.ticket(7).expect("live");
        cache.keep(ticket, 7, &alice(), NOW, i64::MAX);
        assert!(cache.not_revoked(7, &alice(), NOW + MAX_AGE_SECS - 1));
        assert!(!cache.not_revoked(7, &alice(), NOW + MAX_AGE_SECS));
    }

    #[test]
    fn an_invalidation_during_a_lookup_keeps_its_answer_out() {
        let cache = Cache::new();
        cache.set_live(true);
        let ticket = cache.ticket(7).expect("live");
        cache.invalidate("7");
        cache.keep(ticket, 7, &alice(), NOW, NOW + 60);
        assert!(!cache.not_revoked(7, &alice(), NOW));

        let ticket = cache.ticket(7).expect("live");
        cache.invalidate("*");
        cache.keep(ticket, 7, &alice(), NOW, NOW + 60);
        assert!(!cache.not_revoked(7, &alice(), NOW));

        let cache = kept(&alice());
        cache.set_live(false);
        assert!(
            !cache.not_revoked(7, &alice(), NOW),
            "a lost subscription drops answers"
        );
        assert!(cache.ticket(7).is_none(), "and stops caching");
    }
}
