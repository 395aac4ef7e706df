//! Lifetimes and revocation: `max_token_lifetime`, entries that never lapse while a token they
//! cover can pass, expiries at the end of time.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use common::core::*;
use common::*;
use std::time::Duration;

use rocket::http::Status;
use serde_json::json;

#[test]
fn max_token_lifetime_refuses_longer_tokens() {
    let client = app(json!({"max_token_lifetime": 3600}));
    let auth = auth(&client);
    let long = auth
        .access_token("alice")
        .expires_in(Duration::from_secs(7200))
        .issue()
        .unwrap();
    assert_eq!(
        access(&client, &long),
        invalid("Token lifetime exceeds the maximum")
    );
    let mut claims = payload();
    claims.remove("exp");
    assert_eq!(
        access(&client, &forge(&claims)),
        invalid("Missing claim: exp")
    );
    let normal = auth.access_token("alice").issue().unwrap();
    assert_eq!(access(&client, &normal), (Status::Ok, json!("alice")));
}

#[test]
fn log_out_everywhere_never_lapses_while_a_token_can_pass() {
    let (client, store, long) = logged_out_everywhere(json!({}));
    // The configured refresh lifetime (30 days) has passed, the token's own (90) has not.
    store.evict_expired_at(now() + 31 * DAY);
    assert_eq!(
        refresh(&client, &long),
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    // Control: a login after the logout works.
    let new = auth(&client).refresh_token("alice").issue().unwrap();
    assert_eq!(refresh(&client, &new), (Status::Ok, json!("alice")));
}

#[test]
fn with_max_token_lifetime_log_out_everywhere_is_kept_that_long() {
    let (client, store, long) = logged_out_everywhere(json!({"max_token_lifetime": 100 * DAY}));
    store.evict_expired_at(now() + 99 * DAY);
    assert_eq!(
        refresh(&client, &long),
        (Status::Unauthorized, msg("Token has been revoked"))
    );
}

#[test]
fn a_token_that_expires_at_the_end_of_time_is_revoked_forever() {
    let (client, store) = memory_app(json!({"decode_leeway": 1}));
    let token = auth(&client)
        .access_token("alice")
        .expires_in(Duration::MAX)
        .issue()
        .unwrap();
    assert_eq!(access(&client, &token), (Status::Ok, json!("alice")));
    revoke(&client, &token);
    store.evict_expired_at(i64::MAX - 1);
    assert_eq!(
        access(&client, &token),
        (Status::Unauthorized, msg("Token has been revoked"))
    );
}
