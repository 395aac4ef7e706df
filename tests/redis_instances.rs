//! Several instances on one Redis, and faults: a `redis-server` of the test's own that is
//! frozen, killed and restarted mid-test.
//!
//! Without Redis these tests fail when `CI=true` and are skipped, saying why, elsewhere.
//! They use Rocket's asynchronous client: a Redis connection belongs to the runtime it was
//! opened on, as in an app, where everything runs on Rocket's runtime.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/quickstart.rs"]
mod quickstart;

mod common;

use std::time::{Duration, Instant};

use common::store::*;
use common::topology::Server;
use common::{bearer, msg, SECRET};
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::{json, Value};

async fn quickstart_on(url: &str, prefix: &str) -> Client {
    let rocket = quickstart::rocket().configure(
        rocket::figment::Figment::from(rocket::Config::debug_default())
            .merge(("log_level", "off"))
            .merge((
                "jwt",
                json!({"secret_key": SECRET, "blocklist": url, "blocklist_key_prefix": prefix}),
            )),
    );
    Client::untracked(rocket)
        .await
        .expect("the quickstart launches on Redis")
}

#[rocket::async_test]
async fn two_quickstart_instances_share_revocations() {
    let Some(url) = shared_redis() else { return };
    let prefix = prefix("shared");
    let (a, b) = (
        quickstart_on(&url, &prefix).await,
        quickstart_on(&url, &prefix).await,
    );
    let tokens = login(&a, "alice", "wonderland").await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(
        get(&b, "/protected", &access).await,
        (Status::Ok, json!({"logged_in_as": "alice"}))
    );

    let logout = answer(a.delete("/logout").header(bearer(&access)).dispatch().await).await;
    assert_eq!(logout, (Status::Ok, msg("Access token revoked")));
    assert_eq!(
        get(&b, "/protected", &access).await,
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    assert_eq!(
        answer(b.post("/refresh").header(bearer(&refresh)).dispatch().await)
            .await
            .0,
        Status::Ok
    );

    let fresh = login(&b, "alice", "wonderland").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        answer(
            b.delete("/logout-everywhere")
                .header(bearer(&fresh))
                .dispatch()
                .await
        )
        .await
        .0,
        Status::Ok
    );
    let refreshed = answer(a.post("/refresh").header(bearer(&refresh)).dispatch().await).await;
    assert_eq!(
        refreshed,
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    assert_eq!(
        get(&a, "/protected", &fresh).await,
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    let after = login(&a, "alice", "wonderland").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        get(&b, "/protected", &after).await,
        (Status::Ok, json!({"logged_in_as": "alice"}))
    );

    let mut redis = sync_connection(&url);
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query(&mut redis)
        .unwrap();
    assert!(!keys.is_empty());
    let _: () = redis::cmd("DEL").arg(&keys).query(&mut redis).unwrap();
}

/// Retries until `/protected` answers `status`: the store reconnects by itself.
async fn eventually(client: &Client, token: &str, status: Status) -> (Status, Value) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = get(client, "/protected", token).await;
        if got.0 == status || Instant::now() > deadline {
            return got;
        }
        rocket::tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[rocket::async_test]
async fn an_unreachable_store_fails_closed_and_recovers() {
    let Some(mut server) = Server::available() else {
        return;
    };
    let client = app(&server.url(), &prefix("faults"), 200).await;
    let auth = auth(&client);
    let token = auth.access_token("alice").issue().unwrap();
    let revoked = auth.access_token("alice").issue().unwrap();
    auth.revoke(&auth.decode(&revoked).unwrap()).await.unwrap();
    assert_eq!(get(&client, "/protected", &token).await.0, Status::Ok);
    let unavailable = msg("Token revocation store unavailable");
    let public = || async { answer(client.get("/public").dispatch().await).await };

    // Frozen: every command times out.
    server.signal("-STOP");
    let response = client
        .get("/protected")
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.headers().get_one("Retry-After"), Some("5"));
    assert_eq!(
        answer(response).await,
        (Status::ServiceUnavailable, unavailable.clone())
    );
    assert_eq!(
        get(&client, "/protected", &revoked).await,
        (Status::ServiceUnavailable, unavailable.clone())
    );
    // A revocation during the outage does not claim success (it may still land later: fail
    // closed means more revoked, never less).
    let logging_out = auth.access_token("alice").issue().unwrap();
    assert_eq!(
        auth.revoke(&auth.decode(&logging_out).unwrap()).await,
        Err(jwt_ext::AuthError::StoreUnavailable)
    );
    assert_eq!(public().await, (Status::Ok, json!("public")));
    server.signal("-CONT");
    assert_eq!(
        eventually(&client, &token, Status::Ok).await,
        (Status::Ok, json!("alice"))
    );
    assert_eq!(
        get(&client, "/protected", &revoked).await,
        (Status::Unauthorized, msg("Token has been revoked"))
    );

    // Killed: connection refused, then a new server on the same port.
    server.kill();
    assert_eq!(
        get(&client, "/protected", &token).await,
        (Status::ServiceUnavailable, unavailable.clone())
    );
    assert_eq!(
        get(&client, "/protected", &revoked).await,
        (Status::ServiceUnavailable, unavailable)
    );
    assert_eq!(public().await, (Status::Ok, json!("public")));
    // The restarted server is empty (no persistence): once it answers, tokens issued before
    // the loss are refused as revoked (SPEC §15), and a new token is accepted. Restarted in
    // a later second than the tokens were issued, so that they are older than the new epoch.
    let issued = common::now();
    while common::now() == issued {
        rocket::tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.start();
    assert_eq!(
        eventually(&client, &token, Status::Unauthorized).await,
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    let fresh = auth.access_token("alice").issue().unwrap();
    assert_eq!(
        get(&client, "/protected", &fresh).await,
        (Status::Ok, json!("alice"))
    );
}

#[rocket::async_test]
async fn quickstart_logout_answers_503_while_redis_is_down() {
    let Some(server) = Server::available() else {
        return;
    };
    let client = quickstart_on(&server.url(), &prefix("logout")).await;
    let access = login(&client, "test", "test").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    server.signal("-STOP");
    let response = client
        .delete("/logout")
        .header(bearer(&access))
        .dispatch()
        .await;
    assert!(response.headers().get_one("Retry-After").is_some());
    assert_eq!(
        answer(response).await,
        (
            Status::ServiceUnavailable,
            msg("Token revocation store unavailable")
        )
    );
    login(&client, "test", "test").await; // routes without a token keep working
    server.signal("-CONT");
    let response = client
        .delete("/logout")
        .header(bearer(&access))
        .dispatch()
        .await;
    assert_eq!(
        answer(response).await,
        (Status::Ok, msg("Access token revoked"))
    );
}
