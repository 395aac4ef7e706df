//! One token per request under each route's own policy (SPEC §4, §5): regression tests of
//! the verification-core review, each with its control, through Rocket's local client.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use std::time::Duration;

use common::core::*;
use common::*;
use rocket::http::{Cookie, Status};
use serde_json::json;

#[test]
fn a_revoked_body_token_is_not_served_because_a_header_token_passed() {
    let client = json_app();
    let auth = auth(&client);
    let alice = auth.access_token("alice").issue().unwrap();
    let bob = auth.access_token("bob").issue().unwrap();
    revoke(&client, &bob);

    let body = json!({"access_token": bob});
    assert_eq!(
        answer(post_json(&client, "/notes", body.clone(), Some(&alice))),
        (Status::UnprocessableEntity, msg(AMBIGUOUS))
    );
    // Controls: each token alone gets its own answer.
    assert_eq!(
        answer(post_json(&client, "/notes", body, None)),
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    assert_eq!(
        answer(post_json(&client, "/notes", json!({}), Some(&alice))),
        (Status::Ok, json!("alice"))
    );
    let carol = auth.access_token("carol").issue().unwrap();
    assert_eq!(
        answer(post_json(
            &client,
            "/notes",
            json!({"access_token": carol}),
            None
        )),
        (Status::Ok, json!("carol"))
    );
}

#[test]
fn a_refresh_route_mints_nothing_for_a_revoked_body_token() {
    let client = json_app();
    let auth = auth(&client);
    let alice = auth.refresh_token("alice").issue().unwrap();
    let bob = auth.refresh_token("bob").issue().unwrap();
    revoke(&client, &bob);

    let body = json!({"refresh_token": bob});
    assert_eq!(
        answer(post_json(
            &client,
            "/refresh-json",
            body.clone(),
            Some(&alice)
        )),
        (Status::UnprocessableEntity, msg(AMBIGUOUS))
    );
    assert_eq!(
        answer(post_json(&client, "/refresh-json", body, None)),
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    let (status, minted) = answer(post_json(&client, "/refresh-json", json!({}), Some(&alice)));
    assert_eq!(status, Status::Ok);
    let minted = auth.decode(minted.as_str().unwrap()).unwrap();
    assert_eq!(minted.identity(), "alice");
}

#[test]
fn a_route_reached_by_forwarding_enforces_its_own_freshness() {
    let client = json_app();
    let auth = auth(&client);
    let stale = auth.access_token("alice").issue().unwrap();
    let fresh = auth.access_token("alice").fresh(true).issue().unwrap();

    // The first route's optional policy passes, `abc` is not an integer: forwarded.
    assert_eq!(
        answer(post_json(
            &client,
            "/x/abc",
            json!({"access_token": stale}),
            None
        )),
        (Status::Unauthorized, msg("Fresh token required"))
    );
    assert_eq!(
        answer(post_json(&client, "/x/abc", json!({}), Some(&stale))),
        (Status::Unauthorized, msg("Fresh token required"))
    );
    // Controls: a fresh token passes the second route, the first route takes integers.
    assert_eq!(
        answer(post_json(
            &client,
            "/x/abc",
            json!({"access_token": fresh}),
            None
        )),
        (Status::Ok, json!("abc alice"))
    );
    assert_eq!(
        answer(post_json(&client, "/x/7", json!({}), Some(&stale))),
        (Status::Ok, json!("7 Some(\"alice\")"))
    );
}

#[test]
fn a_route_reached_by_forwarding_looks_only_in_its_own_locations() {
    let client = json_app();
    let token = auth(&client).access_token("alice").issue().unwrap();
    let cookie = Cookie::new("access_token_cookie", token.clone());

    // The first route accepts the cookie, then forwards; the second reads headers only.
    assert_eq!(
        answer(client.get("/y/abc").cookie(cookie.clone()).dispatch()),
        (Status::Unauthorized, msg("Missing Authorization Header"))
    );
    assert_eq!(
        answer(client.get("/y/abc").header(bearer(&token)).dispatch()),
        (Status::Ok, json!("abc alice"))
    );
    assert_eq!(
        answer(client.get("/y/1").cookie(cookie).dispatch()),
        (Status::Ok, json!(1))
    );
}

#[test]
fn two_authorization_headers_are_ambiguous() {
    let client = app(json!({}));
    let auth = auth(&client);
    let alice = auth.access_token("alice").issue().unwrap();
    let bob = auth.access_token("bob").issue().unwrap();
    for second in [&alice, &bob] {
        let response = client
            .get("/protected")
            .header(bearer(&alice))
            .header(bearer(second))
            .dispatch();
        assert_eq!(
            answer(response),
            invalid("Bad Authorization header. Send one 'Authorization' header, not several")
        );
    }
    assert_eq!(access(&client, &alice), (Status::Ok, json!("alice")));
}

#[test]
fn two_query_parameters_are_ambiguous() {
    let client = app(json!({"token_location": ["query_string"]}));
    let token = auth(&client).access_token("alice").issue().unwrap();
    assert_eq!(
        answer(
            client
                .get(format!("/protected?jwt={token}&jwt={token}"))
                .dispatch()
        ),
        invalid("Bad query string. Send one 'jwt' query parameter, not several")
    );
    assert_eq!(
        answer(client.get(format!("/protected?jwt={token}")).dispatch()),
        (Status::Ok, json!("alice"))
    );
}

#[test]
fn the_fairing_keeps_a_response_the_application_produced() {
    let client = app(json!({}));
    let auth = auth(&client);
    let token = auth.access_token("alice").issue().unwrap();
    let bad = format!("{token}x");
    let expired = auth
        .access_token("alice")
        .expires_in(Duration::ZERO)
        .issue()
        .unwrap();
    // Whatever the swallowed failure's status: 422, or 401 like the handler's own answer.
    for request in [
        client.get("/mine").header(bearer(&bad)),
        client.get("/mine").header(bearer(&expired)),
        client.get("/mine"),
    ] {
        assert_eq!(
            answer(request.dispatch()),
            (Status::Unauthorized, json!("my own answer"))
        );
    }
    // Control: a guard failure that reaches Rocket gets jwt-ext's answer.
    assert_eq!(
        access(&client, &bad),
        invalid("Signature verification failed")
    );
    assert_eq!(
        answer(client.get("/mine").header(bearer(&token)).dispatch()),
        (Status::Ok, json!("yours"))
    );
}
