//! `examples/keys.rs`: an ES256 issuer signing with `2026-12`, publishing both public keys.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/keys.rs"]
mod keys;

mod common;

use common::{answer, bearer};
use rocket::http::Status;
use rocket::local::blocking::Client;
use serde_json::json;

#[test]
fn the_issuer_signs_with_the_new_key_and_publishes_both() {
    let rocket = keys::rocket();
    let figment = rocket.figment().clone().merge(("log_level", "off"));
    let rocket = rocket.configure(figment);
    let client = Client::tracked(rocket).expect("the example launches");
    let (status, body) = answer(client.post("/login").dispatch());
    assert_eq!(status, Status::Ok);
    let token = body["access_token"].as_str().unwrap();
    let header = token.split('.').next().unwrap();
    assert_eq!(
        header,
        common::b64(&json!({"alg": "ES256", "kid": "2026-12", "typ": "JWT"}))
    );
    assert_eq!(
        answer(client.get("/protected").header(bearer(token)).dispatch()),
        (Status::Ok, json!({"logged_in_as": "alice"}))
    );
    let kids = common::jwks_kids(&client);
    assert_eq!(kids, ["2026-12", "2026-06"]);
}
