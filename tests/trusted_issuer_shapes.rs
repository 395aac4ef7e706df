//! Tokens shaped like those of Auth0, Keycloak, Entra ID and Google (their claim sets, minted
//! locally), two issuers side by side, authorization on their claims, and a key rotation at
//! the provider.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/quickstart.rs"]
mod quickstart;

mod common;

use std::sync::atomic::Ordering;

use common::provider::{external, get, jwk, orders_api, provider, trusting};
use jsonwebtoken::Algorithm;
use rocket::http::Status;
use serde_json::{json, Value};

/// Claim sets of real providers' access tokens, with `iss` and `aud` set by the test.
fn shapes() -> [(&'static str, Value); 4] {
    [
        (
            "Auth0",
            json!({"sub": "auth0|5f7c8ec7c33c6c004bbafe82", "azp": "s9YbNw", "scope": "openid profile read:orders", "permissions": ["read:orders"], "gty": "client-credentials"}),
        ),
        (
            "Keycloak",
            json!({"sub": "f1b1b1e0-8b2e-4b8e-9c1e-2b7c1e0d9a11", "typ": "Bearer", "azp": "orders-web", "session_state": "c3f1", "realm_access": {"roles": ["offline_access", "uma_authorization"]}, "resource_access": {"account": {"roles": ["manage-account"]}}, "scope": "openid email profile", "email_verified": true, "preferred_username": "jane"}),
        ),
        (
            "Entra ID",
            json!({"sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ", "oid": "00000000-0000-0000-66f3-3332eca7ea81", "tid": "9122040d-6c67-4c5b-b112-36a304b66dad", "scp": "orders.read orders.write", "roles": ["admin"], "ver": "2.0", "uti": "AbCd", "nbf": 1}),
        ),
        (
            "Google",
            json!({"sub": "110169484474386276334", "azp": "1234.apps.googleusercontent.com", "email": "jane@example.com", "email_verified": true, "hd": "example.com", "at_hash": "HK6E_P6Dh8Y93mRNtsDB1Q", "jti": null}),
        ),
    ]
}

#[rocket::async_test]
async fn the_claim_sets_of_real_providers_are_accepted() {
    let (_provider, issuer) = provider(vec![jwk("rsa_private.pem", Algorithm::RS256, "r1", "sig")]);
    let client = trusting(quickstart::rocket(), json!([orders_api(&issuer)])).await;
    for (name, mut claims) in shapes() {
        let sub = claims["sub"].clone();
        claims["nbf"] = json!(null);
        let token = external(&issuer, "rsa_private.pem", Algorithm::RS256, "r1", claims);
        let (status, body) = get(&client, "/protected", &token).await;
        assert_eq!(
            (status, body),
            (Status::Ok, json!({"logged_in_as": sub})),
            "{name}"
        );
    }
}

#[rocket::async_test]
async fn two_issuers_side_by_side_each_with_its_own_keys() {
    let (_a, issuer_a) = provider(vec![jwk("rsa_private.pem", Algorithm::RS256, "a1", "sig")]);
    let (_b, issuer_b) = provider(vec![jwk("ec_private.pem", Algorithm::ES256, "b1", "sig")]);
    let client = trusting(
        quickstart::rocket(),
        json!([orders_api(&issuer_a), orders_api(&issuer_b)]),
    )
    .await;
    let from_a = external(
        &issuer_a,
        "rsa_private.pem",
        Algorithm::RS256,
        "a1",
        json!({}),
    );
    let from_b = external(
        &issuer_b,
        "ec_private.pem",
        Algorithm::ES256,
        "b1",
        json!({}),
    );
    assert_eq!(get(&client, "/protected", &from_a).await.0, Status::Ok);
    assert_eq!(get(&client, "/protected", &from_b).await.0, Status::Ok);
    // B's kid under A's iss: A's keys only.
    let crossed = external(
        &issuer_a,
        "ec_private.pem",
        Algorithm::ES256,
        "b1",
        json!({}),
    );
    assert_eq!(
        get(&client, "/protected", &crossed).await.0,
        Status::UnprocessableEntity
    );
}

#[rocket::async_test]
async fn route_roles_apply_to_external_tokens() {
    let (_provider, issuer) = provider(vec![jwk("rsa_private.pem", Algorithm::RS256, "r1", "sig")]);
    let client = trusting(quickstart::rocket(), json!([orders_api(&issuer)])).await;
    let admin = external(
        &issuer,
        "rsa_private.pem",
        Algorithm::RS256,
        "r1",
        json!({"roles": ["admin"]}),
    );
    let member = external(
        &issuer,
        "rsa_private.pem",
        Algorithm::RS256,
        "r1",
        json!({"roles": ["member"]}),
    );
    assert_eq!(
        get(&client, "/admin", &admin).await,
        (Status::Ok, json!({"admin": "ext-user"}))
    );
    assert_eq!(get(&client, "/admin", &member).await.0, Status::Forbidden);
}

#[rocket::async_test]
async fn a_key_rotated_at_the_provider_is_fetched_after_the_cooldown() {
    let (provider, issuer) = provider(vec![jwk("rsa_private.pem", Algorithm::RS256, "r1", "sig")]);
    let client = trusting(quickstart::rocket(), json!([orders_api(&issuer)])).await;
    let old = external(
        &issuer,
        "rsa_private.pem",
        Algorithm::RS256,
        "r1",
        json!({}),
    );
    assert_eq!(get(&client, "/protected", &old).await.0, Status::Ok);
    // The provider adds r2; a token of r2 is unknown until an unknown kid may refetch (30 s).
    *provider.jwks.lock().unwrap() = json!({"keys": [
        jwk("rsa_private.pem", Algorithm::RS256, "r1", "sig"),
        jwk("rsa_other_private.pem", Algorithm::RS256, "r2", "sig"),
    ]});
    let new = external(
        &issuer,
        "rsa_other_private.pem",
        Algorithm::RS256,
        "r2",
        json!({}),
    );
    let fetches = provider.fetches.load(Ordering::SeqCst);
    rocket::tokio::time::sleep(std::time::Duration::from_secs(31)).await;
    assert_eq!(get(&client, "/protected", &new).await.0, Status::Ok);
    assert_eq!(
        provider.fetches.load(Ordering::SeqCst),
        fetches + 1,
        "one refetch"
    );
    // Then the provider goes down: the cached keys keep serving.
    provider.down.store(true, Ordering::SeqCst);
    assert_eq!(get(&client, "/protected", &old).await.0, Status::Ok);
    assert_eq!(get(&client, "/protected", &new).await.0, Status::Ok);
}

#[rocket::async_test]
async fn oversized_garbled_and_stalled_key_sets_leave_no_keys_and_answer_503_quickly() {
    for mode in ["huge", "garbage", "stall"] {
        let (provider, issuer) =
            provider(vec![jwk("rsa_private.pem", Algorithm::RS256, "r1", "sig")]);
        *provider.mode.lock().unwrap() = mode;
        let client = trusting(quickstart::rocket(), json!([orders_api(&issuer)])).await;
        let token = external(
            &issuer,
            "rsa_private.pem",
            Algorithm::RS256,
            "r1",
            json!({}),
        );
        let started = std::time::Instant::now();
        let (status, body) = get(&client, "/protected", &token).await;
        assert_eq!(status, Status::ServiceUnavailable, "{mode}: {body}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(4),
            "{mode}: no hang"
        );
    }
}

#[rocket::async_test]
async fn alg_none_and_a_key_of_the_wrong_type_are_refused() {
    let (_provider, issuer) = provider(vec![
        jwk("rsa_private.pem", Algorithm::RS256, "r1", "sig"),
        jwk("ec_private.pem", Algorithm::ES256, "e1", "sig"),
    ]);
    let client = trusting(quickstart::rocket(), json!([orders_api(&issuer)])).await;
    let valid = external(
        &issuer,
        "rsa_private.pem",
        Algorithm::RS256,
        "r1",
        json!({}),
    );
    let (_, rest) = valid.split_once('.').unwrap();
    let none = format!(
        "{}.{}",
        common::b64(&json!({"alg": "none", "kid": "r1", "typ": "JWT"})),
        rest
    );
    assert_eq!(
        get(&client, "/protected", &none).await.0,
        Status::UnprocessableEntity
    );
    // An RS256 token naming the EC key: its type does not fit.
    let wrong_type = external(
        &issuer,
        "rsa_private.pem",
        Algorithm::RS256,
        "e1",
        json!({}),
    );
    assert_eq!(
        get(&client, "/protected", &wrong_type).await.0,
        Status::UnprocessableEntity
    );
}
