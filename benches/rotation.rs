//! Refresh throughput under rotation (SPEC §14): `Auth::rotate` — the spend in the store plus
//! the new pair — on the memory and the Redis store, beside issuing the same pair without a
//! spend (the floor: what a refresh costs when nothing is stored).

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)] // a benchmark, not an API

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use jwt_ext::{Auth, TokenData};

fn client(jwt: serde_json::Value) -> rocket::local::blocking::Client {
    let mut config = serde_json::json!({
        "secret_key": "benchmark-secret-benchmark-secret-0123456789",
        "refresh_token_rotation": true,
    });
    if let (Some(base), serde_json::Value::Object(extra)) = (config.as_object_mut(), jwt) {
        base.extend(extra);
    }
    let figment = rocket::figment::Figment::from(rocket::Config::debug_default())
        .merge(("log_level", "off"))
        .merge(("jwt", config));
    rocket::local::blocking::Client::untracked(rocket::custom(figment).attach(Auth::fairing()))
        .expect("launches")
}

/// A fresh refresh token of a new family, verified.
fn refresh_token(auth: &Auth) -> TokenData {
    let token = auth.refresh_token("alice").issue().expect("issued");
    auth.decode(&token).expect("valid")
}

fn bench(c: &mut Criterion) {
    let rt = rocket::tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let memory = client(serde_json::json!({}));
    let memory = memory.rocket().state::<Auth>().expect("the fairing");
    let mut group = c.benchmark_group("refresh");
    group.bench_function("issue pair (no spend)", |b| {
        b.iter_batched(
            || refresh_token(memory),
            |token| {
                let family = token.family().unwrap_or_default().to_owned();
                let access = memory.access_token("alice").family(&family).issue();
                let refresh = memory.refresh_token("alice").family(family).issue();
                black_box((access, refresh))
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("rotate, memory store", |b| {
        b.iter_batched(
            || refresh_token(memory),
            |token| {
                rt.block_on(memory.rotate(black_box(&token)))
                    .expect("rotated")
            },
            BatchSize::SmallInput,
        )
    });
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let prefix = format!("jwt-ext-bench:{}:", std::process::id());
    let redis = client(serde_json::json!({"blocklist": url, "blocklist_key_prefix": prefix}));
    let redis = redis.rocket().state::<Auth>().expect("the fairing");
    match rt.block_on(redis.rotate(&refresh_token(redis))) {
        Ok(_) => {
            group.bench_function("rotate, Redis store", |b| {
                b.iter_batched(
                    || refresh_token(redis),
                    |token| {
                        rt.block_on(redis.rotate(black_box(&token)))
                            .expect("rotated")
                    },
                    BatchSize::SmallInput,
                )
            });
        }
        Err(e) => println!("SKIPPED the Redis store: {url} does not answer ({e})"),
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
