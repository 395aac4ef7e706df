//! The query-string and JSON-body locations.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use common::locations::*;
use common::*;
use jwt_ext::Auth;
use rocket::http::{ContentType, Status};
use rocket::routes;
use serde_json::json;

#[test]
fn query_string_location() {
    let client = app(json!(["query_string"]));
    let (access, _) = tokens(&client);
    assert_eq!(
        answer(client.get(format!("/protected?jwt={access}")).dispatch()),
        (Status::Ok, json!("alice via query_string"))
    );
    assert_eq!(
        answer(client.get("/protected").dispatch()),
        (Status::Unauthorized, msg("Missing 'jwt' query parameter"))
    );
    assert_eq!(
        answer(client.get("/protected?jwt=").dispatch()),
        (Status::Unauthorized, msg("Missing 'jwt' query parameter"))
    );
    assert_eq!(
        answer(client.get("/protected?jwt=a.b").dispatch()),
        (Status::UnprocessableEntity, msg("Not enough segments"))
    );
}

#[test]
fn query_string_name_and_prefix() {
    let rocket = rocket_with(json!({"token_location": "query_string", "query_string_name": "token", "query_string_value_prefix": "Bearer "}))
        .attach(Auth::fairing())
        .mount("/", routes![protected]);
    let client = client(rocket);
    let (access, _) = tokens(&client);
    assert_eq!(
        answer(
            client
                .get(format!("/protected?token=Bearer%20{access}"))
                .dispatch()
        )
        .0,
        Status::Ok
    );
    assert_eq!(
        answer(client.get(format!("/protected?token={access}")).dispatch()),
        (Status::UnprocessableEntity, msg("Invalid value for query parameter 'token'. Expected the value to start with 'Bearer '"))
    );
}

#[test]
fn json_body_location() {
    let client = app(json!(["headers", "json"]));
    let (access, refresh) = tokens(&client);
    let post = |path: &str, body: String| {
        answer(
            client
                .post(path.to_owned())
                .header(ContentType::JSON)
                .body(body)
                .dispatch(),
        )
    };
    assert_eq!(
        post(
            "/json",
            json!({"access_token": access, "text": "hi"}).to_string()
        ),
        (
            Status::Ok,
            json!({"who": "alice", "via": "json", "text": "hi"})
        )
    );
    assert_eq!(
        post(
            "/json-refresh",
            json!({"refresh_token": refresh}).to_string()
        ),
        (Status::Ok, json!("alice"))
    );
    let missing = msg("Missing JWT in headers or json (Missing Authorization Header; Missing \"access_token\" key in json data.)");
    for body in [
        json!({"text": "hi"}).to_string(),
        "[1]".into(),
        "not json".into(),
        json!({"access_token": 5}).to_string(),
    ] {
        assert_eq!(
            post("/json", body.clone()),
            (Status::Unauthorized, missing.clone()),
            "{body}"
        );
    }
    let plain = client
        .post("/json")
        .header(ContentType::Plain)
        .body(json!({"access_token": access}).to_string());
    assert_eq!(
        answer(plain.dispatch()),
        (Status::Unauthorized, msg("Missing JWT in headers or json (Missing Authorization Header; Invalid content-type. Must be application/json.)"))
    );
    let header_first = client
        .post("/json")
        .header(bearer(&access))
        .header(ContentType::JSON)
        .body(r#"{"text": "yo"}"#);
    assert_eq!(
        answer(header_first.dispatch()),
        (
            Status::Ok,
            json!({"who": "alice", "via": "headers", "text": "yo"})
        )
    );
    assert_eq!(
        post("/json", json!({"access_token": "a.b"}).to_string()),
        (Status::UnprocessableEntity, msg("Not enough segments"))
    );
}

#[test]
fn a_json_token_hands_the_body_as_the_handlers_type() {
    let client = app(json!(["json", "headers"]));
    let (access, _) = tokens(&client);
    let post = |body: serde_json::Value| {
        answer(
            client
                .post("/typed-json")
                .header(ContentType::JSON)
                .body(body.to_string())
                .dispatch(),
        )
    };
    assert_eq!(
        post(json!({"access_token": access, "text": "hi"})),
        (Status::Ok, json!("alice wrote hi"))
    );
    // The token is judged first; then a body that does not fit the type is 422.
    assert_eq!(
        post(json!({"access_token": access, "text": 7})),
        (Status::UnprocessableEntity, msg("Invalid JSON body"))
    );
    assert_eq!(
        post(json!({"access_token": "a.b", "text": "hi"})),
        (Status::UnprocessableEntity, msg("Not enough segments"))
    );
}

/// What Rocket logs for a request is its URI; the token in it is redacted before that.
#[rocket::get("/seen?<x>")]
fn seen(uri: &rocket::http::uri::Origin<'_>, x: Option<u8>, token: jwt_ext::Token) -> String {
    format!("{uri} {} {}", x.unwrap_or_default(), token.identity())
}

#[test]
fn a_query_string_token_is_redacted_from_the_uri_rocket_logs() {
    let rocket = rocket_with(json!({"token_location": ["headers", "query_string"]}))
        .attach(Auth::fairing())
        .mount("/", routes![seen]);
    let client = client(rocket);
    let token = auth(&client).access_token("alice").issue().unwrap();
    let response = client.get(format!("/seen?x=7&jwt={token}")).dispatch();
    assert_eq!(
        answer(response),
        (Status::Ok, json!("/seen?x=7&jwt=REDACTED 7 alice"))
    );
    // Two tokens are still two, even once redacted.
    let response = client
        .get(format!("/seen?jwt={token}&jwt={token}"))
        .dispatch();
    assert_eq!(response.status(), Status::UnprocessableEntity);
}
