//! Ignition warns when the Redis store's server may evict keys (`maxmemory-policy` other than
//! `noeviction`): an evicted revocation lets its token in again. Servers of the test's own;
//! without `redis-server` the test fails under `CI=true` and is skipped, saying why, elsewhere.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/quickstart.rs"]
mod quickstart;

mod common;

use common::capture::Capture;
use common::topology::Server;
use common::SECRET;
use serde_json::json;

/// Every line jwt-ext logs in this test binary.
static CAPTURE: Capture = Capture::new();

async fn warnings_at_ignition(server: &Server) -> Vec<String> {
    CAPTURE.0.lock().unwrap().clear();
    let figment = rocket::figment::Figment::from(rocket::Config::debug_default())
        .merge(("log_level", "off"))
        .merge((
            "jwt",
            json!({"secret_key": SECRET, "blocklist": server.url()}),
        ));
    let client =
        rocket::local::asynchronous::Client::untracked(quickstart::rocket().configure(figment))
            .await
            .unwrap();
    drop(client);
    let lines = CAPTURE.0.lock().unwrap().clone();
    lines
        .into_iter()
        .filter(|line| line.starts_with("WARN"))
        .collect()
}

#[rocket::async_test]
async fn ignition_warns_when_redis_may_evict_revocations() {
    let Some(evicting) = Server::available() else {
        return;
    };
    let _ = log::set_logger(&CAPTURE);
    log::set_max_level(log::LevelFilter::Trace);
    evicting.text(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]);
    let warnings = warnings_at_ignition(&evicting).await;
    assert!(
        warnings
            .iter()
            .any(|line| line.contains("`maxmemory-policy` is `allkeys-lru`")
                && line.contains("noeviction")),
        "{warnings:?}"
    );
    evicting.text(&["CONFIG", "SET", "maxmemory-policy", "noeviction"]);
    let warnings = warnings_at_ignition(&evicting).await;
    assert!(
        !warnings
            .iter()
            .any(|line| line.contains("maxmemory-policy")),
        "{warnings:?}"
    );
}
