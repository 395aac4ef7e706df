//! The Authorization-header location through Rocket's local client: every SPEC §9 row the
//! header can produce, its parsing and its messages.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use common::guards::*;
use common::*;
use rocket::http::{Accept, Header, Status};
use serde_json::json;

#[test]
fn a_valid_access_token_passes() {
    let app = app();
    let token = app.access();
    assert_eq!(app.get("/protected", &token), (Status::Ok, json!("alice")));
}

#[test]
fn no_header_is_401_json_whatever_the_accept_header() {
    let app = app();
    for accept in [
        None,
        Some(Accept::HTML),
        Some(Accept::Plain),
        Some(Accept::XML),
    ] {
        let mut request = app.client.get("/protected");
        if let Some(accept) = accept {
            request = request.header(accept);
        }
        let response = request.dispatch();
        assert_eq!(
            response.headers().get_one("WWW-Authenticate"),
            Some("Bearer")
        );
        assert_eq!(
            response.content_type(),
            Some(rocket::http::ContentType::JSON)
        );
        assert_eq!(
            answer(response),
            (Status::Unauthorized, msg("Missing Authorization Header"))
        );
    }
}

#[test]
fn header_without_the_type_is_401() {
    let app = app();
    let expected = msg(
        "Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'",
    );
    for value in [
        "Basic dXNlcjpwYXNz",
        "bearer abc.def.ghi",
        "Token x",
        "Bearer a, Bearer b",
    ] {
        assert_eq!(
            app.get_with("/protected", authorization(value)),
            (Status::Unauthorized, expected.clone()),
            "{value}"
        );
    }
}

#[test]
fn bearer_with_zero_or_several_parts_is_422() {
    let app = app();
    let expected = msg("Bad Authorization header. Expected 'Authorization: Bearer <JWT>'");
    for value in ["Bearer", "Bearer a b", "Bearer a b c"] {
        assert_eq!(
            app.get_with("/protected", authorization(value)),
            (Status::UnprocessableEntity, expected.clone()),
            "{value}"
        );
    }
}

#[test]
fn bearer_among_other_credentials_is_found() {
    let app = app();
    let token = app.access();
    let value = format!("Basic dXNlcjpwYXNz, Bearer {token}");
    assert_eq!(
        app.get_with("/protected", authorization(&value)),
        (Status::Ok, json!("alice"))
    );
}

#[test]
fn custom_header_name_and_empty_type() {
    let app = app_with(json!({"header_name": "X-Auth", "header_type": ""}), |f| f);
    let token = app.access();
    assert_eq!(
        app.get_with("/protected", Header::new("X-Auth", token.clone())),
        (Status::Ok, json!("alice"))
    );
    assert_eq!(
        app.get_with(
            "/protected",
            Header::new("X-Auth", format!("Bearer {token}"))
        ),
        (
            Status::UnprocessableEntity,
            msg("Bad X-Auth header. Expected 'X-Auth: <JWT>'")
        )
    );
    assert_eq!(
        answer(app.client.get("/protected").dispatch()),
        (Status::Unauthorized, msg("Missing X-Auth Header"))
    );
}
