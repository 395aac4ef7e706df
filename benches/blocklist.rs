//! Revocation stores: the memory store holding 1 million revoked tokens (lookup time, memory
//! held, time to evict them once expired) and the Redis check against the memory check.
//!
//! Memory is counted by this binary's allocator, so the figure is what the store holds.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // a benchmark, not an API

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use jwt_ext::{Auth, Blocklist, MemoryBlocklist, RedisBlocklist, TokenData};

/// Counts live heap bytes.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator, only counting sizes.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const REVOKED: usize = 1_000_000;

fn auth() -> rocket::local::blocking::Client {
    let figment = rocket::figment::Figment::from(rocket::Config::debug_default())
        .merge(("log_level", "off"))
        .merge((
            "jwt",
            serde_json::json!({"secret_key": "benchmark-secret-benchmark-secret-0123456789"}),
        ));
    rocket::local::blocking::Client::untracked(rocket::custom(figment).attach(Auth::fairing()))
        .expect("launches")
}

fn token(auth: &Auth, identity: &str) -> TokenData {
    auth.decode(&auth.access_token(identity).issue().unwrap())
        .unwrap()
}

/// Polls a future that completes without waiting (the memory store's), without a runtime.
fn ready<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let waker = std::task::Waker::noop();
    match future
        .as_mut()
        .poll(&mut std::task::Context::from_waker(waker))
    {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("the memory store does not wait"),
    }
}

fn runtime() -> rocket::tokio::runtime::Runtime {
    rocket::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let client = auth();
    let auth = client.rocket().state::<Auth>().unwrap();
    let rt = runtime();
    let now = jsonwebtoken::get_current_timestamp() as i64;

    // 1M revoked tokens, as the issuer's uuid4 `jti`s, expiring in an hour.
    let before = LIVE.load(Ordering::Relaxed);
    let store = MemoryBlocklist::new();
    let jtis: Vec<String> = (0..REVOKED)
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    let jti_bytes = LIVE.load(Ordering::Relaxed) - before;
    rt.block_on(async {
        for jti in &jtis {
            store
                .revoke_token("bench", jti, Some(now + 3600))
                .await
                .unwrap();
        }
    });
    let held = LIVE.load(Ordering::Relaxed) - before - jti_bytes;
    println!(
        "memory store: {REVOKED} revoked tokens hold {:.1} MB ({} bytes per token)",
        held as f64 / 1e6,
        held / REVOKED
    );

    let revoked = token(auth, "alice");
    rt.block_on(store.revoke_token("alice", revoked.jti().unwrap(), Some(now + 3600)))
        .unwrap();
    let live = token(auth, "bob");
    // O(1): the same lookups in a store of 1 000 entries.
    let small = MemoryBlocklist::new();
    rt.block_on(async {
        for jti in &jtis[..1000] {
            small
                .revoke_token("bench", jti, Some(now + 3600))
                .await
                .unwrap();
        }
        small
            .revoke_token("alice", revoked.jti().unwrap(), Some(now + 3600))
            .await
            .unwrap();
    });
    let mut group = c.benchmark_group("memory-store");
    for (size, store) in [("1M", &store), ("1K", &small)] {
        group.bench_function(format!("{size} lookup (not revoked)"), |b| {
            b.iter(|| ready(store.is_revoked(black_box(&live))).unwrap())
        });
        group.bench_function(format!("{size} lookup (revoked)"), |b| {
            b.iter(|| ready(store.is_revoked(black_box(&revoked))).unwrap())
        });
    }
    group.sample_size(10);
    group.bench_function("evict 1M expired", |b| {
        b.iter_batched(
            || {
                let expired = MemoryBlocklist::new();
                rt.block_on(async {
                    for jti in &jtis {
                        expired
                            .revoke_token("bench", jti, Some(now + 3600))
                            .await
                            .unwrap();
                    }
                });
                expired
            },
            |expired| {
                expired.evict_expired_at(now + 7200);
                assert!(expired.is_empty());
                expired
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();

    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let open = |cache: bool| {
        RedisBlocklist::open(&url)
            .unwrap()
            .with_prefix(format!("jwt-ext-bench:{}:", std::process::id()))
            .with_timeout(Duration::from_secs(1))
            .with_cache(cache)
    };
    let (redis, cached) = (open(false), open(true));
    match rt.block_on(redis.prepare()) {
        Ok(()) => {
            // The cache answers once its subscription is up and the token was seen once.
            // A token issued after the store's epochs were made: not refused as older.
            let fresh = token(auth, "carol");
            rt.block_on(async {
                cached.prepare().await.unwrap();
                rocket::tokio::time::sleep(Duration::from_millis(300)).await;
                assert!(!cached.is_revoked(&fresh).await.unwrap());
            });
            let mut group = c.benchmark_group("check");
            group.bench_function("memory", |b| {
                b.iter(|| rt.block_on(store.is_revoked(black_box(&live))).unwrap())
            });
            group.bench_function("redis", |b| {
                b.iter(|| rt.block_on(redis.is_revoked(black_box(&fresh))).unwrap())
            });
            group.bench_function("redis, cache", |b| {
                b.iter(|| rt.block_on(cached.is_revoked(black_box(&fresh))).unwrap())
            });
            group.finish();
        }
        Err(e) => println!("SKIPPED the Redis check: {url} does not answer ({e})"),
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
