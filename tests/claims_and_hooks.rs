//! Custom claims, the token layout, users, hooks and error responses.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use common::guards::*;
use common::*;
use std::time::Duration;

use jwt_ext::{Auth, AuthError, ErrorKind};
use rocket::http::Status;
use rocket::{routes, Request};
use serde_json::{json, Map};

#[test]
fn typed_and_dynamic_custom_claims() {
    let app = app();
    let auth = auth(&app.client);
    let admin = auth
        .access_token("alice")
        .claims(&Role {
            role: "admin".into(),
        })
        .issue()
        .expect("issues");
    assert_eq!(app.get("/role", &admin), (Status::Ok, json!("admin")));
    assert_eq!(
        app.get("/dynamic", &admin),
        (Status::Ok, json!({"role": "admin"}))
    );
    let banned = auth
        .access_token("alice")
        .claim("role", "banned")
        .issue()
        .expect("issues");
    assert_eq!(
        app.get("/role", &banned),
        (Status::BadRequest, msg("User claims verification failed"))
    );
    let none = app.access();
    assert_eq!(
        app.get("/role", &none),
        (Status::BadRequest, msg("User claims verification failed"))
    );
}

#[test]
fn custom_claims_never_override_reserved_ones() {
    let app = app();
    let auth = auth(&app.client);
    for name in [
        "sub", "exp", "type", "fresh", "jti", "iat", "nbf", "csrf", "aud", "iss",
    ] {
        let result = auth.access_token("alice").claim(name, "x").issue();
        assert_eq!(result, Err(jwt_ext::IssueError::ReservedClaim(name.into())));
    }
    let result = auth.access_token("alice").header("alg", "none").issue();
    assert_eq!(
        result,
        Err(jwt_ext::IssueError::ReservedHeader("alg".into()))
    );
}

#[test]
fn the_token_layout_is_flask_jwt_extended_4() {
    let app = app_with(json!({"access_token_expires": 120}), |f| {
        f.additional_headers(|_, _| {
            let mut headers = Map::new();
            headers.insert("kid_hint".into(), json!("v1"));
            headers
        })
    });
    let auth = auth(&app.client);
    let before = now();
    let token = auth
        .access_token("alice")
        .fresh(true)
        .claim("role", "admin")
        .issue()
        .expect("issues");
    let after = now();
    let data = auth.decode(&token).expect("valid");
    let p = data.payload();
    assert_eq!(
        data.header(),
        json!({"alg": "HS256", "typ": "JWT", "kid_hint": "v1"})
            .as_object()
            .expect("object")
    );
    let mut names: Vec<&str> = p.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["csrf", "exp", "fresh", "iat", "jti", "nbf", "role", "sub", "type"]
    );
    assert_eq!(p["fresh"], json!(true));
    assert_eq!(p["type"], json!("access"));
    assert_eq!(p["sub"], json!("alice"));
    assert_eq!(p["role"], json!("admin"));
    let iat = p["iat"].as_i64().expect("integer iat");
    assert!((before..=after).contains(&iat));
    assert_eq!(p["nbf"], json!(iat));
    assert_eq!(p["exp"], json!(iat + 120));
    let jti = p["jti"].as_str().expect("string jti");
    let parsed = uuid_version(jti);
    assert_eq!(parsed, Some(4), "jti {jti} is a uuid4");
    assert!(uuid_version(p["csrf"].as_str().expect("csrf")).is_some());
    assert_eq!(data.jti(), Some(jti));
    let refresh = auth.refresh_token("alice").issue().expect("issues");
    let refresh = auth.decode(&refresh).expect("valid");
    assert_eq!(refresh.payload()["type"], json!("refresh"));
    assert_eq!(refresh.payload()["fresh"], json!(false));
    assert_eq!(
        refresh.expires_at(),
        Some(refresh.issued_at().expect("iat") + 2_592_000)
    );
    assert_ne!(refresh.jti(), Some(jti));
}

/// The version nibble of a textual UUID, if `text` is one.
fn uuid_version(text: &str) -> Option<u32> {
    let groups: Vec<&str> = text.split('-').collect();
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    (lengths == [8, 4, 4, 4, 12] && text.chars().all(|c| c == '-' || c.is_ascii_hexdigit()))
        .then(|| groups[2].chars().next().and_then(|c| c.to_digit(16)))
        .flatten()
}

#[test]
fn identity_claim_and_message_key_are_configurable() {
    let app = app_with(
        json!({"identity_claim": "identity", "error_message_key": "error", "encode_nbf": false}),
        |f| f,
    );
    let token = app.access();
    let data = auth(&app.client).decode(&token).expect("valid");
    assert_eq!(data.payload()["identity"], json!("alice"));
    assert!(!data.payload().contains_key("sub") && !data.payload().contains_key("nbf"));
    assert_eq!(app.get("/protected", &token), (Status::Ok, json!("alice")));
    assert_eq!(
        answer(app.client.get("/protected").dispatch()),
        (
            Status::Unauthorized,
            json!({"error": "Missing Authorization Header"})
        )
    );
}

#[test]
fn user_lookup() {
    let app = app();
    let auth = auth(&app.client);
    let alice = auth.access_token("alice").issue().expect("issues");
    assert_eq!(app.get("/user", &alice), (Status::Ok, json!("alice")));
    let ghost = auth.access_token("ghost").issue().expect("issues");
    app.assert_invalid_token("/user", &ghost, "Error loading the user ghost");
}

#[test]
fn token_verification_hook() {
    let app = app_with(json!({}), |f| {
        f.token_verification(|token| token.identity() != "mallory")
    });
    let auth = auth(&app.client);
    let mallory = auth.access_token("mallory").issue().expect("issues");
    assert_eq!(
        app.get("/protected", &mallory),
        (Status::BadRequest, msg("User claims verification failed"))
    );
    assert_eq!(
        app.get("/protected", &app.access()),
        (Status::Ok, json!("alice"))
    );
}

#[test]
fn additional_claims_hook_and_builder_claims() {
    let app = app_with(json!({}), |f| {
        f.additional_claims(|identity, kind| {
            let mut claims = Map::new();
            claims.insert("who".into(), json!(format!("{identity}/{}", kind.as_str())));
            claims.insert("role".into(), json!("user"));
            claims
        })
    });
    let auth = auth(&app.client);
    let token = auth
        .refresh_token("alice")
        .claim("role", "admin")
        .issue()
        .expect("issues");
    let data = auth.decode(&token).expect("valid");
    assert_eq!(data.payload()["who"], json!("alice/refresh"));
    assert_eq!(data.payload()["role"], json!("admin"));
}

#[test]
fn error_hooks_replace_the_default_response() {
    let app = app_with(json!({}), |f| {
        f.on_error(ErrorKind::Missing, |err: &AuthError, _req: &Request<'_>| {
            jwt_ext::json_response(
                Status::Unauthorized,
                &json!({"error": "login first", "detail": err.message()}),
            )
        })
        .on_error(ErrorKind::Expired, |_, _| {
            jwt_ext::json_response(Status::Forbidden, &json!({"error": "expired"}))
        })
    });
    assert_eq!(
        answer(app.client.get("/protected").dispatch()),
        (
            Status::Unauthorized,
            json!({"error": "login first", "detail": "Missing Authorization Header"})
        )
    );
    let mut claims = payload();
    claims.insert("exp".into(), json!(now() - 1));
    assert_eq!(
        app.get("/protected", &forge(&claims)),
        (Status::Forbidden, json!({"error": "expired"}))
    );
    // Kinds without a hook keep the default.
    assert_eq!(
        app.get("/protected", "x.y"),
        (Status::UnprocessableEntity, msg("Not enough segments"))
    );
}

#[test]
fn the_apps_own_catchers_are_untouched() {
    let app = app();
    let own = app.client.get("/own-401").dispatch();
    assert_eq!(own.status(), Status::Unauthorized);
    assert_eq!(own.into_string().as_deref(), Some("the app's own 401 page"));
    assert_eq!(
        answer(app.client.get("/protected").dispatch()),
        (Status::Unauthorized, msg("Missing Authorization Header"))
    );
}

#[test]
fn responses_never_echo_the_token() {
    let app = app();
    let mut claims = payload();
    claims.insert("exp".into(), json!(now() - 1));
    let expired = forge(&claims);
    let bad_sig = format!("{}x", app.access());
    for token in [expired, bad_sig, "a.b".into(), "Zm9v.YmFy.YmF6".into()] {
        let response = app
            .client
            .get("/protected")
            .header(bearer(&token))
            .dispatch();
        let headers: Vec<String> = response
            .headers()
            .iter()
            .map(|h| h.value().to_owned())
            .collect();
        let body = response.into_string().unwrap_or_default();
        assert!(
            !body.contains(&token) && headers.iter().all(|h| !h.contains(&token)),
            "{body}"
        );
    }
}

#[test]
fn routes_with_guards_do_not_launch_without_the_fairing() {
    let rocket = rocket_with(json!({})).mount("/", routes![protected]);
    let error = rocket::local::blocking::Client::tracked(rocket).expect_err("a sentinel aborts");
    assert!(
        matches!(error.kind(), rocket::error::ErrorKind::SentinelAborts(_)),
        "{error}"
    );
}

#[test]
fn current_user_does_not_launch_without_its_loader() {
    let rocket = rocket_with(json!({}))
        .attach(Auth::fairing())
        .mount("/", routes![user]);
    let error = rocket::local::blocking::Client::tracked(rocket).expect_err("a sentinel aborts");
    assert!(
        matches!(error.kind(), rocket::error::ErrorKind::SentinelAborts(_)),
        "{error}"
    );
}

#[test]
fn decoding_helpers() {
    let app = app();
    let auth = auth(&app.client);
    let token = app.access();
    let data = auth.decode(&token).expect("valid");
    assert_eq!(auth.jti(&token).expect("valid").as_deref(), data.jti());
    assert_eq!(
        auth.csrf_token(&token).expect("valid").as_deref(),
        data.csrf()
    );
    assert_eq!(
        auth.unverified_header(&token).expect("parses")["alg"],
        json!("HS256")
    );
    let expired = auth
        .access_token("alice")
        .expires_in(Duration::ZERO)
        .issue()
        .expect("issues");
    assert_eq!(auth.decode(&expired).map(|_| ()), Err(AuthError::Expired));
    assert_eq!(
        auth.decode_allow_expired(&expired)
            .expect("accepted")
            .identity(),
        "alice"
    );
}
