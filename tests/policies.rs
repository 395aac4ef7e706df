//! Route policies: token types, freshness, optional tokens, revocation (fail-closed), and
//! the decode-once guarantee.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use common::guards::*;
use common::*;
use jwt_ext::testing::Kit;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rocket::http::Status;
use serde_json::{json, Value};

#[test]
fn token_types_are_checked_both_ways() {
    let app = app();
    let auth = auth(&app.client);
    let access = auth.access_token("alice").issue().expect("issues");
    let refresh = auth.refresh_token("alice").issue().expect("issues");
    assert_eq!(
        app.get("/protected", &refresh),
        (
            Status::UnprocessableEntity,
            msg("Only non-refresh tokens are allowed")
        )
    );
    let post = |token: &str| answer(app.client.post("/refresh").header(bearer(token)).dispatch());
    assert_eq!(
        post(&access),
        (
            Status::UnprocessableEntity,
            msg("Only refresh tokens are allowed")
        )
    );
    assert_eq!(post(&refresh), (Status::Ok, json!("alice")));
    assert_eq!(app.get("/any", &access), (Status::Ok, json!("Access")));
    assert_eq!(app.get("/any", &refresh), (Status::Ok, json!("Refresh")));
}

#[test]
fn freshness_as_bool_and_timestamp() {
    let app = app();
    let auth = auth(&app.client);
    let not_fresh = msg("Fresh token required");
    let stale = auth.access_token("alice").issue().expect("issues");
    assert_eq!(
        app.get("/fresh", &stale),
        (Status::Unauthorized, not_fresh.clone())
    );
    let fresh = auth
        .access_token("alice")
        .fresh(true)
        .issue()
        .expect("issues");
    assert_eq!(app.get("/fresh", &fresh), (Status::Ok, json!("alice")));
    let fresh_for = auth
        .access_token("alice")
        .fresh_for(Duration::from_secs(300))
        .issue()
        .expect("issues");
    let fresh_claim = auth.decode(&fresh_for).expect("valid").payload()["fresh"]
        .as_i64()
        .expect("a timestamp");
    assert!((now() + 299..=now() + 301).contains(&fresh_claim));
    assert_eq!(app.get("/fresh", &fresh_for), (Status::Ok, json!("alice")));
    let was_fresh = auth
        .access_token("alice")
        .fresh_until(now() - 1)
        .issue()
        .expect("issues");
    assert_eq!(
        app.get("/fresh", &was_fresh),
        (Status::Unauthorized, not_fresh)
    );
    let mut claims = payload();
    claims.insert("fresh".into(), json!(now() as f64 + 100.5));
    assert_eq!(
        app.get("/fresh", &forge(&claims)),
        (Status::Ok, json!("alice"))
    );
    // A stale token is still fine where freshness is not needed.
    assert_eq!(app.get("/protected", &stale), (Status::Ok, json!("alice")));
}

#[test]
fn optional_tokens() {
    let app = app();
    assert_eq!(
        answer(app.client.get("/optional").dispatch()),
        (Status::Ok, json!("anonymous"))
    );
    assert_eq!(
        app.get("/optional", &app.access()),
        (Status::Ok, json!("alice"))
    );
    let expired = Kit::new(app.client.rocket())
        .access("alice")
        .expired()
        .mint();
    assert_eq!(
        app.get("/optional", &expired),
        (Status::Unauthorized, msg("Token has expired"))
    );
    assert_eq!(
        app.get("/optional", "garbage"),
        (Status::UnprocessableEntity, msg("Not enough segments"))
    );
    assert_eq!(
        app.get_with("/optional", authorization("Bearer")).0,
        Status::UnprocessableEntity
    );
    let refresh = auth(&app.client)
        .refresh_token("alice")
        .issue()
        .expect("issues");
    assert_eq!(
        app.get("/optional", &refresh),
        (
            Status::UnprocessableEntity,
            msg("Only non-refresh tokens are allowed")
        )
    );
}

#[test]
fn revoking_one_token() {
    let app = app();
    let auth = auth(&app.client);
    let first = app.access();
    let second = app.access();
    let data = auth.decode(&first).expect("valid");
    rocket::async_test(auth.revoke(&data)).expect("revoked");
    app.assert_invalid_token("/protected", &first, "Token has been revoked");
    assert_eq!(app.get("/protected", &second), (Status::Ok, json!("alice")));
}

#[test]
fn revoking_an_identity_revokes_its_tokens_of_both_types() {
    let app = app();
    let auth = auth(&app.client);
    let access = auth.access_token("alice").issue().expect("issues");
    let refresh = auth.refresh_token("alice").issue().expect("issues");
    let bob = auth.access_token("bob").issue().expect("issues");
    rocket::async_test(auth.revoke_identity("alice")).expect("revoked");
    let revoked = msg("Token has been revoked");
    assert_eq!(
        app.get("/protected", &access),
        (Status::Unauthorized, revoked.clone())
    );
    assert_eq!(
        answer(
            app.client
                .post("/refresh")
                .header(bearer(&refresh))
                .dispatch()
        ),
        (Status::Unauthorized, revoked)
    );
    assert_eq!(app.get("/protected", &bob), (Status::Ok, json!("bob")));
    // A token issued after the revocation returned passes.
    let again = auth.access_token("alice").issue().expect("issues");
    assert_eq!(app.get("/protected", &again), (Status::Ok, json!("alice")));
}

#[test]
fn a_store_that_cannot_answer_fails_closed_with_503() {
    let app = app();
    let token = app.access();
    app.store.down.store(true, Ordering::SeqCst);
    let response = app
        .client
        .get("/protected")
        .header(bearer(&token))
        .dispatch();
    assert_eq!(response.headers().get_one("Retry-After"), Some("5"));
    assert_eq!(
        answer(response),
        (
            Status::ServiceUnavailable,
            msg("Token revocation store unavailable")
        )
    );
    assert_eq!(
        answer(app.client.get("/optional").dispatch()),
        (Status::Ok, json!("anonymous"))
    );
    app.store.down.store(false, Ordering::SeqCst);
    assert_eq!(app.get("/protected", &token), (Status::Ok, json!("alice")));
}

#[test]
fn no_store_lookup_before_the_signature_passes() {
    let app = app();
    let forged = forge_with(
        &json!({"alg": "HS256"}),
        &Value::Object(payload()),
        "wrong-secret-wrong-secret-wrong-secret!!",
    );
    assert_eq!(
        app.get("/protected", &forged).0,
        Status::UnprocessableEntity
    );
    let expired = Kit::new(app.client.rocket())
        .access("alice")
        .expired()
        .mint();
    assert_eq!(app.get("/protected", &expired).0, Status::Unauthorized);
    assert_eq!(app.store.checks.load(Ordering::SeqCst), 0);
}

#[test]
fn a_request_decodes_and_checks_once_whatever_the_guards() {
    let app = app();
    let token = app.access();
    let (status, body) = app.get("/many", &token);
    assert_eq!(
        (status, body),
        (Status::Ok, json!("alice alice Some(\"alice\") alice"))
    );
    assert_eq!(app.store.checks.load(Ordering::SeqCst), 1);
}
