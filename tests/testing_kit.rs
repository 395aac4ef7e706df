//! The testing kit (feature `testing`) as an app's tests use it: minted shapes and their
//! refusals, the app's clock, tokens put in every location, and an isolated Redis prefix.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use std::time::Duration;

use common::core::app;
use common::*;
use jwt_ext::testing::{IsolatedRedis, Kit, Via, WithToken};
use jwt_ext::{Algorithm, ErrorKind};
use rocket::http::{Cookie, Status};
use serde_json::json;

#[rocket::get("/protected")]
fn protected(token: jwt_ext::Token) -> String {
    token.identity().to_owned()
}

const FIFTEEN_MINUTES: Duration = Duration::from_secs(15 * 60);

#[test]
fn a_minted_token_is_the_one_the_app_would_issue() {
    let client = app(json!({"token_location": ["headers", "cookies"]}));
    let kit = Kit::new(client.rocket());
    let minted = kit.access("alice").fresh(true).mint();
    let issued = kit
        .auth()
        .access_token("alice")
        .fresh(true)
        .issue()
        .unwrap();
    let names = |token: &str| {
        let data = kit.auth().decode(token).unwrap();
        let mut names: Vec<String> = data.payload().keys().cloned().collect();
        names.sort();
        names
    };
    assert_eq!(names(&minted), names(&issued));
    assert_eq!(
        kit.auth().unverified_header(&minted).unwrap(),
        kit.auth().unverified_header(&issued).unwrap()
    );
    let response = client
        .get("/protected")
        .with_token(&kit, Via::Header, &minted);
    assert_eq!(answer(response.dispatch()), (Status::Ok, json!("alice")));
}

#[test]
fn every_hostile_shape_gets_its_own_refusal() {
    let client = app(json!({}));
    let kit = Kit::new(client.rocket());
    let cases = [
        (
            kit.access("alice").expired().mint(),
            ErrorKind::Expired,
            "Token has expired",
        ),
        (
            kit.access("alice").not_yet_valid().mint(),
            ErrorKind::Invalid,
            "The token is not yet valid (nbf)",
        ),
        (
            kit.access("alice")
                .issued_ago(Duration::from_secs(60))
                .claim("iat", 4_102_444_800u64)
                .mint(),
            ErrorKind::Invalid,
            "The token is not yet valid (iat)",
        ),
        (
            kit.access("alice")
                .signed_with_secret(Algorithm::HS256, b"not the app's secret, but as long")
                .mint(),
            ErrorKind::Invalid,
            "Signature verification failed",
        ),
        (
            kit.access("alice").bad_signature().mint(),
            ErrorKind::Invalid,
            "Signature verification failed",
        ),
        (
            kit.refresh("alice").mint(),
            ErrorKind::Invalid,
            "Only non-refresh tokens are allowed",
        ),
        (
            kit.access("alice").claim("type", "refresh").mint(),
            ErrorKind::Invalid,
            "Only non-refresh tokens are allowed",
        ),
        (
            kit.access("alice").header("kid", "nobody").mint(),
            ErrorKind::Invalid,
            "Unknown key ID (kid)",
        ),
    ];
    for (token, kind, message) in cases {
        let response = client
            .get("/protected")
            .with_token(&kit, Via::Header, &token)
            .dispatch();
        let (status, body) = answer(response);
        assert_eq!(body, msg(message), "{kind:?}");
        kit.assert_refusal(status, &body.to_string(), kind);
    }
    let unsigned = kit.access("alice").unsigned().mint();
    assert!(unsigned.ends_with('.'), "an empty signature");
    let response = client
        .get("/protected")
        .with_token(&kit, Via::Header, &unsigned)
        .dispatch();
    kit.expect_refusal_blocking(response, ErrorKind::Invalid);
}

#[test]
fn refusals_are_told_apart_and_other_answers_are_none() {
    let client = app(json!({}));
    let kit = Kit::new(client.rocket());
    kit.expect_refusal_blocking(client.get("/protected").dispatch(), ErrorKind::Missing);
    let token = kit.access("alice").mint();
    let logout = client
        .delete("/logout")
        .with_token(&kit, Via::Header, &token)
        .dispatch();
    assert_eq!(logout.status(), Status::Ok);
    let response = client
        .get("/protected")
        .with_token(&kit, Via::Header, &token)
        .dispatch();
    kit.expect_refusal_blocking(response, ErrorKind::Revoked);
    // The app's own 401 and a success are no refusal of jwt-ext's.
    assert_eq!(kit.refusal(Status::Unauthorized, "my own answer"), None);
    assert_eq!(
        kit.refusal(Status::Ok, r#"{"msg": "Token has expired"}"#),
        None
    );
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        kit.assert_refusal(
            Status::Unauthorized,
            r#"{"msg": "Token has been revoked"}"#,
            ErrorKind::Expired,
        )
    }));
    assert!(
        caught.is_err(),
        "a refusal of another kind fails the assertion"
    );
}

#[test]
fn the_clock_expires_a_token_without_sleeping() {
    let client = app(json!({}));
    let kit = Kit::new(client.rocket());
    let token = kit.access("alice").mint();
    let get = || {
        client
            .get("/protected")
            .with_token(&kit, Via::Header, &token)
            .dispatch()
    };
    assert_eq!(get().status(), Status::Ok);
    kit.clock()
        .advance(FIFTEEN_MINUTES - Duration::from_secs(5));
    assert_eq!(get().status(), Status::Ok, "still within its lifetime");
    kit.clock().advance(Duration::from_secs(10));
    kit.expect_refusal_blocking(get(), ErrorKind::Expired);
    assert_eq!(
        kit.clock().ahead(),
        FIFTEEN_MINUTES + Duration::from_secs(5)
    );
    // Tokens issued now are issued at the app's time, and pass.
    let later = kit.auth().access_token("alice").issue().unwrap();
    let response = client
        .get("/protected")
        .with_token(&kit, Via::Header, &later)
        .dispatch();
    assert_eq!(response.status(), Status::Ok);
}

#[test]
fn freshness_lapses_on_the_apps_clock() {
    let client = app(json!({"token_location": ["json"]}));
    let kit = Kit::new(client.rocket());
    let token = kit
        .access("alice")
        .fresh_for(Duration::from_secs(300))
        .mint();
    let post = || {
        client
            .post("/x/bob")
            .with_token(&kit, Via::Body, &token)
            .dispatch()
    };
    assert_eq!(answer(post()), (Status::Ok, json!("bob alice")));
    kit.clock().advance(Duration::from_secs(301));
    kit.expect_refusal_blocking(post(), ErrorKind::NeedsFresh);
}

#[test]
fn implicit_refresh_happens_when_the_clock_nears_expiry() {
    let client = app(json!({"token_location": ["cookies"], "implicit_refresh_window": 60}));
    let kit = Kit::new(client.rocket());
    let token = kit.access("alice").mint();
    let get = || {
        client
            .get("/protected")
            .with_token(&kit, Via::Cookie, &token)
            .dispatch()
    };
    assert!(set_cookies(&get()).is_empty(), "not near expiry yet");
    kit.clock()
        .advance(FIFTEEN_MINUTES - Duration::from_secs(30));
    let response = get();
    let refreshed = set_cookies(&response);
    assert_eq!(answer(response), (Status::Ok, json!("alice")));
    assert!(
        refreshed
            .iter()
            .any(|c| c.starts_with("access_token_cookie=")),
        "{refreshed:?}"
    );
}

#[test]
fn a_token_goes_wherever_the_app_reads_it() {
    let all = json!({"token_location": ["headers", "cookies", "query_string", "json"]});
    let client = app(all);
    let kit = Kit::new(client.rocket());
    for via in [Via::Header, Via::Cookie, Via::Query] {
        let token = kit.access("alice").mint();
        let response = client
            .get("/protected?x=1")
            .with_token(&kit, via, &token)
            .dispatch();
        assert_eq!(answer(response), (Status::Ok, json!("alice")), "{via:?}");
    }
    let token = kit.access("alice").mint();
    let response = client
        .post("/notes")
        .with_token(&kit, Via::Body, &token)
        .dispatch();
    assert_eq!(answer(response), (Status::Ok, json!("alice")));
    let refresh = kit.refresh("alice").mint();
    let response = client
        .post("/refresh-json")
        .with_token(&kit, Via::Body, &refresh)
        .dispatch();
    assert_eq!(response.status(), Status::Ok);
    // A cookie on an unsafe method carries the CSRF header; without it, CSRF refuses.
    let bare = client
        .delete("/logout")
        .cookie(Cookie::new("access_token_cookie", token.clone()));
    kit.expect_refusal_blocking(bare.dispatch(), ErrorKind::Csrf);
    let response = client
        .delete("/logout")
        .with_token(&kit, Via::Cookie, &token)
        .dispatch();
    assert_eq!(answer(response), (Status::Ok, json!("revoked")));
}

#[test]
fn a_query_token_with_a_value_prefix_is_percent_encoded() {
    let config =
        json!({"token_location": ["query_string"], "query_string_value_prefix": "Bearer "});
    let client = app(config);
    let kit = Kit::new(client.rocket());
    let token = kit.access("alice").mint();
    let response = client
        .get("/protected")
        .with_token(&kit, Via::Query, &token)
        .dispatch();
    assert_eq!(answer(response), (Status::Ok, json!("alice")));
}

#[rocket::async_test]
async fn an_isolated_redis_prefix_holds_the_tests_keys_and_is_emptied() {
    let Some(url) = common::store::shared_redis() else {
        return;
    };
    let redis = IsolatedRedis::new(url.as_str());
    {
        let figment = redis.configure(figment(json!({})));
        let rocket = rocket::custom(figment).attach(jwt_ext::Auth::fairing());
        let client = rocket::local::asynchronous::Client::tracked(rocket)
            .await
            .unwrap();
        let kit = Kit::new(client.rocket());
        let token = kit.access("alice").mint();
        kit.auth()
            .revoke(&kit.auth().decode(&token).unwrap())
            .await
            .unwrap();
        kit.auth().revoke_identity("bob").await.unwrap();
    }
    let keys = redis.keys();
    assert!(keys.iter().all(|key| key.starts_with(redis.prefix())));
    // The two revocations, besides the store's epochs (one per bucket, for wipe detection).
    let revocations: Vec<&String> = keys.iter().filter(|key| !key.ends_with("}epoch")).collect();
    assert_eq!(revocations.len(), 2, "{revocations:?}");
    assert!(keys.len() > 2);
    let prefix = redis.prefix().to_owned();
    drop(redis);
    let mut connection = common::store::sync_connection(&url);
    let left: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query(&mut connection)
        .unwrap();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_stranger_s_private_key_signs_a_token_the_app_refuses() {
    let key = |name: &str| format!("{}/fixtures/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    let jwt = json!({"algorithm": "RS256", "private_key_file": key("rsa_private.pem"), "public_key_file": key("rsa_public.pem")});
    let figment = rocket::Config::figment()
        .merge(("log_level", "off"))
        .merge(("jwt", jwt));
    let rocket = rocket::custom(figment).attach(jwt_ext::Auth::fairing());
    let client = client(rocket.mount("/", rocket::routes![protected]));
    let kit = Kit::new(client.rocket());
    let pem = |name: &str| std::fs::read(key(name)).unwrap();
    let get = |token: &str| {
        let response = client
            .get("/protected")
            .with_token(&kit, Via::Header, token);
        answer(response.dispatch())
    };
    let own = kit
        .access("alice")
        .signed_with_pem(Algorithm::RS256, &pem("rsa_private.pem"));
    assert_eq!(
        get(&own.mint()),
        (Status::Ok, json!("alice")),
        "the app's own key"
    );
    let stranger = kit
        .access("alice")
        .signed_with_pem(Algorithm::RS256, &pem("rsa_other_private.pem"));
    let expected = (
        Status::UnprocessableEntity,
        msg("Signature verification failed"),
    );
    assert_eq!(get(&stranger.mint()), expected);
    let confused = kit
        .access("alice")
        .signed_with_secret(Algorithm::HS256, &pem("rsa_public.pem"));
    assert_eq!(
        get(&confused.mint()).0,
        Status::UnprocessableEntity,
        "HS256 keyed with the public PEM"
    );
}
