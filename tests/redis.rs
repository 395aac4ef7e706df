//! The Redis blocklist against the shared server at `REDIS_URL` (default
//! `redis://127.0.0.1:6379`): keys, expiries, identity revocations.
//!
//! Without Redis these tests fail when `CI=true` and are skipped, saying why, elsewhere.
//! They use Rocket's asynchronous client: a Redis connection belongs to the runtime it was
//! opened on, as in an app, where everything runs on Rocket's runtime.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use std::time::Duration;

use common::store::*;
use common::{forge, msg, now, payload, rocket_with};
use jwt_ext::{Auth, Blocklist, RedisBlocklist};
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use rocket::routes;
use serde_json::json;

#[rocket::async_test]
async fn revoking_tokens_and_identities_in_redis() {
    let Some(url) = shared_redis() else { return };
    let prefix = prefix("store");
    let client = app(&url, &prefix, 1000).await;
    let auth = auth(&client);
    let store = RedisBlocklist::open(&url)
        .unwrap()
        .with_prefix(prefix.as_str());
    let access = auth
        .decode(&auth.access_token("alice").issue().unwrap())
        .unwrap();
    let refresh = auth
        .decode(&auth.refresh_token("alice").issue().unwrap())
        .unwrap();
    let bob = auth
        .decode(&auth.access_token("bob").issue().unwrap())
        .unwrap();

    assert!(!store.is_revoked(&access).await.unwrap());
    auth.revoke(&access).await.unwrap();
    auth.revoke(&access).await.unwrap(); // twice is harmless
    assert!(store.is_revoked(&access).await.unwrap());
    assert!(!store.is_revoked(&refresh).await.unwrap());
    auth.revoke(&refresh).await.unwrap();
    assert!(store.is_revoked(&refresh).await.unwrap());
    auth.revoke_identity("bob").await.unwrap();
    assert!(store.is_revoked(&bob).await.unwrap());

    // Keys live as long as the token could pass, no longer.
    let mut redis = sync_connection(&url);
    let access_key = key_named(
        &mut redis,
        &prefix,
        &format!("token:{}", access.jti().unwrap()),
    );
    let refresh_key = key_named(
        &mut redis,
        &prefix,
        &format!("token:{}", refresh.jti().unwrap()),
    );
    let ttl: i64 = redis::cmd("TTL")
        .arg(&access_key)
        .query(&mut redis)
        .unwrap();
    let remaining = access.expires_at().unwrap() - now();
    assert!(
        (remaining - 2..=remaining).contains(&ttl),
        "ttl {ttl}, token has {remaining}s left"
    );
    let identity_key = key_named(&mut redis, &prefix, "identity:bob");
    let ttl: i64 = redis::cmd("TTL")
        .arg(&identity_key)
        .query(&mut redis)
        .unwrap();
    // Without `max_token_lifetime` nothing bounds how long a token of bob's may live (a
    // builder's `expires_in`, a peer's settings), so the entry is kept.
    assert_eq!(ttl, -1, "identity ttl {ttl}");
    let stored: i64 = redis::cmd("GET")
        .arg(&identity_key)
        .query(&mut redis)
        .unwrap();
    assert!(stored >= bob.issued_at().unwrap());

    // An expired token needs no entry.
    store
        .revoke_token("alice", "already-expired", Some(now() - 1))
        .await
        .unwrap();
    assert_eq!(
        keys_named(&mut redis, &prefix, "token:already-expired"),
        Vec::<String>::new()
    );

    // Through the guards: revoked tokens and identities are refused, others pass.
    let carol = auth.access_token("carol").issue().unwrap();
    assert_eq!(
        get(&client, "/protected", &carol).await,
        (Status::Ok, json!("carol"))
    );
    let mut claims = payload();
    claims.insert("sub".into(), json!("bob"));
    claims.insert("iat".into(), json!(bob.issued_at().unwrap()));
    assert_eq!(
        get(&client, "/protected", &forge(&claims)).await,
        (Status::Unauthorized, msg("Token has been revoked"))
    );

    let _: () = redis::cmd("DEL")
        .arg(&access_key)
        .arg(&refresh_key)
        .arg(&identity_key)
        .query(&mut redis)
        .unwrap();
}

#[rocket::async_test]
async fn identity_revocations_keep_the_latest_time() {
    let Some(url) = shared_redis() else { return };
    let prefix = prefix("identity");
    let store = RedisBlocklist::open(&url)
        .unwrap()
        .with_prefix(prefix.as_str());
    let mut redis = sync_connection(&url);
    store
        .revoke_identity("alice", 2_000, Some(now() + 100))
        .await
        .unwrap();
    let key = key_named(&mut redis, &prefix, "identity:alice");
    store
        .revoke_identity("alice", 1_000, Some(now() + 50))
        .await
        .unwrap();
    let stored: i64 = redis::cmd("GET").arg(&key).query(&mut redis).unwrap();
    assert_eq!(stored, 2_000);
    let ttl: i64 = redis::cmd("TTL").arg(&key).query(&mut redis).unwrap();
    assert!((95..=100).contains(&ttl), "ttl {ttl}");
    store.revoke_identity("alice", 3_000, None).await.unwrap();
    let ttl: i64 = redis::cmd("TTL").arg(&key).query(&mut redis).unwrap();
    assert_eq!(ttl, -1, "no expiry once a never-expiring token is covered");
    let _: () = redis::cmd("DEL").arg(&key).query(&mut redis).unwrap();
}

/// `expires_in(Duration::MAX)` with a leeway: no overflow (it used to panic in debug builds and
/// store nothing in release builds), an expiry past what Redis accepts is kept forever, and
/// with `max_token_lifetime` the identity entry expires when the longest token could.
#[rocket::async_test]
async fn expiries_redis_cannot_hold_are_stored_forever() {
    let Some(url) = shared_redis() else { return };
    let prefix = prefix("forever");
    let rocket =
        rocket_with(json!({"blocklist": url, "blocklist_key_prefix": prefix, "decode_leeway": 1}))
            .attach(Auth::fairing())
            .mount("/", routes![protected]);
    let client = Client::tracked(rocket).await.expect("launches");
    let auth = auth(&client);
    let raw = auth
        .access_token("alice")
        .expires_in(Duration::MAX)
        .issue()
        .unwrap();
    let token = auth.decode(&raw).unwrap();
    auth.revoke(&token).await.unwrap();
    assert_eq!(
        get(&client, "/protected", &raw).await,
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    let mut redis = sync_connection(&url);
    let ttl: i64 = redis::cmd("TTL")
        .arg(key_named(
            &mut redis,
            &prefix,
            &format!("token:{}", token.jti().unwrap()),
        ))
        .query(&mut redis)
        .unwrap();
    assert_eq!(ttl, -1);

    let bounded = prefix.clone() + "bounded:";
    let rocket = rocket_with(
        json!({"blocklist": url, "blocklist_key_prefix": bounded, "max_token_lifetime": 3600}),
    )
    .attach(Auth::fairing())
    .mount("/", routes![protected]);
    let bounded_client = Client::tracked(rocket).await.expect("launches");
    self::auth(&bounded_client)
        .revoke_identity("bob")
        .await
        .unwrap();
    let ttl: i64 = redis::cmd("TTL")
        .arg(key_named(&mut redis, &bounded, "identity:bob"))
        .query(&mut redis)
        .unwrap();
    assert!((3590..=3600).contains(&ttl), "identity ttl {ttl}");
}
