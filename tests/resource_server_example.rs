//! `examples/resource_server.rs` against the local provider: scopes on an external token.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/resource_server.rs"]
mod resource_server;

mod common;

use common::provider::{external, get, jwk, provider, trusting};
use jsonwebtoken::Algorithm;
use rocket::http::Status;
use serde_json::json;

#[rocket::async_test]
async fn the_api_serves_tokens_with_the_scope() {
    let (_provider, issuer) = provider(vec![jwk("rsa_private.pem", Algorithm::RS256, "r1", "sig")]);
    let entry = json!({"issuer": issuer, "discovery": true, "audience": "orders-api"});
    let client = trusting(resource_server::rocket(), json!([entry])).await;
    let allowed = external(
        &issuer,
        "rsa_private.pem",
        Algorithm::RS256,
        "r1",
        json!({"scope": "openid read:orders"}),
    );
    assert_eq!(
        get(&client, "/orders", &allowed).await,
        (
            Status::Ok,
            json!({"orders": [], "for": "ext-user", "issuer": issuer})
        )
    );
    let without = external(
        &issuer,
        "rsa_private.pem",
        Algorithm::RS256,
        "r1",
        json!({"scope": "openid"}),
    );
    assert_eq!(get(&client, "/orders", &without).await.0, Status::Forbidden);
}
