//! Refresh-token rotation (SPEC §14) across two quickstart instances sharing one Redis:
//! exactly-once refresh under a storm, reuse seen by the other instance, the reuse interval.
//!
//! Without Redis these tests fail when `CI=true` and are skipped, saying why, elsewhere.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/quickstart.rs"]
mod quickstart;

mod common;

use common::msg;
use common::rotation::{exactly_one_success, family, login, pair, protected, refresh, rotating};
use common::store::{prefix, shared_redis};
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::{json, Value};

fn revoked() -> (Status, Value) {
    (Status::Unauthorized, msg("Token has been revoked"))
}

/// Two instances on the shared server under one fresh prefix, or `None` without Redis.
async fn two_instances(test: &str, overrides: Value) -> Option<(Client, Client)> {
    let url = shared_redis()?;
    let prefix = prefix(test);
    let mut config = json!({"blocklist": url, "blocklist_key_prefix": prefix});
    if let (Some(base), Value::Object(extra)) = (config.as_object_mut(), overrides) {
        base.extend(extra);
    }
    let a = rotating(quickstart::rocket(), config.clone()).await;
    let b = rotating(quickstart::rocket(), config).await;
    Some((a, b))
}

#[rocket::async_test]
async fn a_storm_of_refreshes_on_two_instances_succeeds_exactly_once() {
    let Some((a, b)) = two_instances("storm", json!({})).await else {
        return;
    };
    for _ in 0..3 {
        let (_, token) = login(&a).await;
        let attempts = (0..60).map(|i| {
            let client = if i % 2 == 0 { &a } else { &b };
            refresh(client, &token)
        });
        let answers = rocket::futures::future::join_all(attempts).await;
        exactly_one_success(&answers);
    }
}

#[rocket::async_test]
async fn reuse_on_one_instance_ends_the_family_on_both() {
    let Some((a, b)) = two_instances("reuse", json!({})).await else {
        return;
    };
    let (login_access, first) = login(&a).await;
    let (status, body) = refresh(&a, &first).await;
    assert_eq!(status, Status::Ok);
    let (access, second) = pair(&body);
    assert_eq!(protected(&b, &access).await, Status::Ok);
    // The thief replays the spent token on the other instance.
    assert_eq!(refresh(&b, &first).await, revoked());
    for client in [&a, &b] {
        assert_eq!(refresh(client, &second).await, revoked());
        assert_eq!(protected(client, &access).await, Status::Unauthorized);
        assert_eq!(protected(client, &login_access).await, Status::Unauthorized);
    }
}

#[rocket::async_test]
async fn the_reuse_interval_holds_across_instances() {
    let Some((a, b)) = two_instances("interval", json!({"refresh_reuse_interval": 30})).await
    else {
        return;
    };
    let (_, first) = login(&a).await;
    let (status, body) = refresh(&a, &first).await;
    assert_eq!(status, Status::Ok);
    let (_, tab_one) = pair(&body);
    let (status, body) = refresh(&b, &first).await;
    assert_eq!(
        status,
        Status::Ok,
        "a second tab, through the other instance"
    );
    let (access, tab_two) = pair(&body);
    assert_eq!(family(&tab_two), family(&tab_one));
    assert_eq!(protected(&a, &access).await, Status::Ok);
}

#[rocket::async_test]
async fn logout_with_the_refresh_token_ends_the_family_everywhere() {
    let Some((a, b)) = two_instances("logout", json!({})).await else {
        return;
    };
    let (access, refresh_token) = login(&a).await;
    let bearer = rocket::http::Header::new("Authorization", format!("Bearer {refresh_token}"));
    let response = b.delete("/logout").header(bearer).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(protected(&a, &access).await, Status::Unauthorized);
    assert_eq!(refresh(&a, &refresh_token).await, revoked());
}
