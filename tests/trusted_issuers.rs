//! Trusted external issuers (SPEC §13) against a real local OpenID provider started by the test:
//! discovery and a JWKS over HTTP, a fetch counter, and switches to go down or rotate keys.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/quickstart.rs"]
mod quickstart;

mod common;

use std::sync::atomic::Ordering;

use common::provider::{external, get, jwk, msg, orders_api, pem, provider, trusting, Provider};
use common::SECRET;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use rocket::http::{Header as HttpHeader, Status};
use rocket::local::asynchronous::Client;
use serde_json::{json, Value};
use std::sync::Arc;

async fn app(issuer: &str) -> Client {
    trusting(quickstart::rocket(), json!([orders_api(issuer)])).await
}

#[rocket::async_test]
async fn an_issuers_tokens_are_accepted_with_its_keys_and_rules() {
    let (_provider, issuer) = provider(vec![
        jwk("rsa_private.pem", Algorithm::RS256, "r1", "sig"),
        jwk("ec_private.pem", Algorithm::ES256, "e1", "sig"),
    ]);
    let client = app(&issuer).await;
    for (name, alg, kid) in [
        ("rsa_private.pem", Algorithm::RS256, "r1"),
        ("ec_private.pem", Algorithm::ES256, "e1"),
    ] {
        let token = external(&issuer, name, alg, kid, json!({}));
        assert_eq!(
            get(&client, "/protected", &token).await,
            (Status::Ok, json!({"logged_in_as": "ext-user"}))
        );
    }
    // An access token, never fresh, and refresh routes refuse it.
    let token = external(
        &issuer,
        "rsa_private.pem",
        Algorithm::RS256,
        "r1",
        json!({"type": "refresh", "fresh": true}),
    );
    assert_eq!(
        get(&client, "/fresh", &token).await,
        (Status::Unauthorized, msg("Fresh token required"))
    );
    let bearer = HttpHeader::new("Authorization", format!("Bearer {token}"));
    let response = client.post("/refresh").header(bearer).dispatch().await;
    assert_eq!(response.status(), Status::UnprocessableEntity);
}

#[rocket::async_test]
async fn tokens_the_issuers_rules_refuse() {
    let (_provider, issuer) = provider(vec![
        jwk("rsa_private.pem", Algorithm::RS256, "r1", "sig"),
        jwk("rsa_other_private.pem", Algorithm::RS256, "enc", "enc"),
    ]);
    let client = app(&issuer).await;
    let rs = |changes: Value| external(&issuer, "rsa_private.pem", Algorithm::RS256, "r1", changes);
    let cases = [
        (rs(json!({"aud": "another-api"})), "Invalid audience"),
        (
            rs(json!({"aud": null})),
            r#"Token is missing the "aud" claim"#,
        ),
        (rs(json!({"exp": null})), "Missing claim: exp"),
        (rs(json!({"iat": null})), "Missing claim: iat"),
        (
            external(
                &issuer,
                "rsa_private.pem",
                Algorithm::RS256,
                "nope",
                json!({}),
            ),
            "Unknown key ID (kid)",
        ),
        // A key published for encryption never verifies.
        (
            external(
                &issuer,
                "rsa_other_private.pem",
                Algorithm::RS256,
                "enc",
                json!({}),
            ),
            "Unknown key ID (kid)",
        ),
        // Signed with another key under a known kid.
        (
            external(
                &issuer,
                "rsa_other_private.pem",
                Algorithm::RS256,
                "r1",
                json!({}),
            ),
            "Signature verification failed",
        ),
    ];
    for (token, message) in cases {
        assert_eq!(
            get(&client, "/protected", &token).await,
            (Status::UnprocessableEntity, msg(message))
        );
    }
    // HS256 keyed with the issuer's public key, or with the app's own secret, claiming its iss.
    let now = jsonwebtoken::get_current_timestamp();
    let claims =
        json!({"iss": issuer, "aud": "orders-api", "sub": "x", "exp": now + 60, "iat": now});
    for secret in [pem("rsa_public.pem"), SECRET.as_bytes().to_vec()] {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("r1".into());
        let key = EncodingKey::from_secret(&secret).unwrap();
        let token = encode(&header, &claims, &key).unwrap();
        assert_eq!(
            get(&client, "/protected", &token).await,
            (
                Status::UnprocessableEntity,
                msg("The specified alg value is not allowed")
            )
        );
    }
    // Our own tokens still verify with our own key.
    let auth = client.rocket().state::<jwt_ext::Auth>().unwrap();
    let own = auth.access_token("local").issue().unwrap();
    assert_eq!(get(&client, "/protected", &own).await.0, Status::Ok);
}

#[rocket::async_test]
async fn a_flood_of_unknown_kids_costs_the_provider_one_fetch() {
    let (provider, issuer) = provider(vec![jwk("rsa_private.pem", Algorithm::RS256, "r1", "sig")]);
    let client = app(&issuer).await;
    let known = external(
        &issuer,
        "rsa_private.pem",
        Algorithm::RS256,
        "r1",
        json!({}),
    );
    assert_eq!(get(&client, "/protected", &known).await.0, Status::Ok);
    let before = provider.fetches.load(Ordering::SeqCst);
    let tokens: Vec<String> = (0..60)
        .map(|i| {
            external(
                &issuer,
                "rsa_private.pem",
                Algorithm::RS256,
                &format!("unknown-{i}"),
                json!({}),
            )
        })
        .collect();
    let answers =
        rocket::futures::future::join_all(tokens.iter().map(|t| get(&client, "/protected", t)))
            .await;
    assert!(answers
        .iter()
        .all(|(status, _)| *status == Status::UnprocessableEntity));
    let fetched = provider.fetches.load(Ordering::SeqCst) - before;
    assert!(fetched <= 1, "the flood cost {fetched} fetches");
}

#[rocket::async_test]
async fn cached_keys_outlive_an_outage_and_no_keys_at_all_is_503() {
    let (provider, issuer) = provider(vec![jwk("rsa_private.pem", Algorithm::RS256, "r1", "sig")]);
    let client = app(&issuer).await;
    let token = external(
        &issuer,
        "rsa_private.pem",
        Algorithm::RS256,
        "r1",
        json!({}),
    );
    assert_eq!(get(&client, "/protected", &token).await.0, Status::Ok);
    provider.down.store(true, Ordering::SeqCst);
    assert_eq!(
        get(&client, "/protected", &token).await.0,
        Status::Ok,
        "the cached keys serve"
    );
    // A provider that was never up: 503 with Retry-After, not 500 and not a hang.
    let (dead, dead_issuer) = provider_down();
    let client = app(&dead_issuer).await;
    let token = external(
        &dead_issuer,
        "rsa_private.pem",
        Algorithm::RS256,
        "r1",
        json!({}),
    );
    let bearer = HttpHeader::new("Authorization", format!("Bearer {token}"));
    let response = client.get("/protected").header(bearer).dispatch().await;
    assert_eq!(response.status(), Status::ServiceUnavailable);
    assert!(response.headers().get_one("Retry-After").is_some());
    assert_eq!(
        response.into_json::<Value>().await,
        Some(msg("Token issuer keys unavailable"))
    );
    drop(dead);
}

fn provider_down() -> (Arc<Provider>, String) {
    let (provider, issuer) = provider(vec![]);
    provider.down.store(true, Ordering::SeqCst);
    (provider, issuer)
}

#[rocket::async_test]
async fn revocation_applies_to_external_tokens_scoped_to_their_issuer() {
    let (_provider, issuer) = provider(vec![jwk("rsa_private.pem", Algorithm::RS256, "r1", "sig")]);
    let client = app(&issuer).await;
    let auth = client.rocket().state::<jwt_ext::Auth>().unwrap();
    let token = external(
        &issuer,
        "rsa_private.pem",
        Algorithm::RS256,
        "r1",
        json!({}),
    );
    // A local identity of the same text is another identity.
    auth.revoke_identity("ext-user").await.unwrap();
    assert_eq!(get(&client, "/protected", &token).await.0, Status::Ok);
    // By jti: the quickstart's logout.
    let bearer = HttpHeader::new("Authorization", format!("Bearer {token}"));
    let response = client.delete("/logout").header(bearer).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        get(&client, "/protected", &token).await,
        (Status::Unauthorized, msg("Token has been revoked"))
    );
}
