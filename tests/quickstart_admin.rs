//! The quickstart's `GET /admin` (SPEC §10): only `alice`'s tokens carry `"roles": ["admin"]`.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/quickstart.rs"]
mod quickstart;

mod common;

use common::{answer, bearer, msg};
use rocket::http::{ContentType, Status};
use rocket::local::blocking::Client;
use serde_json::{json, Value};

fn client() -> Client {
    let rocket = quickstart::rocket().configure(
        rocket::figment::Figment::from(rocket::Config::debug_default())
            .merge(("log_level", "off"))
            .merge(("jwt.secret_key", "quickstart-test-secret-quickstart-test")),
    );
    Client::tracked(rocket).expect("the quickstart launches")
}

/// The access and refresh tokens of a login.
fn login(client: &Client, username: &str, password: &str) -> (String, String) {
    let body = json!({"username": username, "password": password}).to_string();
    let (status, body) = answer(
        client
            .post("/login")
            .header(ContentType::JSON)
            .body(body)
            .dispatch(),
    );
    assert_eq!(status, Status::Ok);
    let get = |k: &str| body[k].as_str().expect("a token").to_owned();
    (get("access_token"), get("refresh_token"))
}

fn get(client: &Client, path: &str, token: &str) -> (Status, Value) {
    answer(client.get(path).header(bearer(token)).dispatch())
}

fn forbidden() -> (Status, Value) {
    (Status::Forbidden, msg("Insufficient permissions"))
}

#[test]
fn only_alice_is_an_admin() {
    let client = client();
    let (alice, alice_refresh) = login(&client, "alice", "wonderland");
    let (test, _) = login(&client, "test", "test");
    assert_eq!(
        get(&client, "/admin", &alice),
        (Status::Ok, json!({"admin": "alice"}))
    );
    assert_eq!(get(&client, "/admin", &test), forbidden());
    let response = client.get("/admin").header(bearer(&test)).dispatch();
    assert_eq!(
        response.headers().get_one("WWW-Authenticate"),
        Some(r#"Bearer error="insufficient_scope""#)
    );
    // A refreshed access token of alice's is still an admin's.
    let (status, body) = answer(
        client
            .post("/refresh")
            .header(bearer(&alice_refresh))
            .dispatch(),
    );
    assert_eq!(status, Status::Ok);
    let refreshed = body["access_token"].as_str().expect("a token");
    assert_eq!(
        get(&client, "/admin", refreshed),
        (Status::Ok, json!({"admin": "alice"}))
    );
}

#[test]
fn the_tokens_of_test_carry_no_roles_and_alices_carry_admin() {
    let client = client();
    let (test, _) = login(&client, "test", "test");
    let (alice, _) = login(&client, "alice", "wonderland");
    let (_, claims) = get(&client, "/claims", &test);
    let mut names: Vec<&str> = claims
        .as_object()
        .expect("claims")
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["csrf", "exp", "fresh", "iat", "jti", "nbf", "sub", "type"]
    );
    let (_, claims) = get(&client, "/claims", &alice);
    assert_eq!(claims["roles"], json!(["admin"]));
}

#[test]
fn a_bad_token_of_alice_gets_its_own_error_not_a_403() {
    let client = client();
    let (alice, _) = login(&client, "alice", "wonderland");
    let (head, signature) = alice.rsplit_once('.').expect("three parts");
    let mut forged_signature: Vec<u8> = signature.bytes().collect();
    forged_signature[0] = if forged_signature[0] == b'A' {
        b'B'
    } else {
        b'A'
    };
    let forged = format!("{head}.{}", String::from_utf8(forged_signature).unwrap());
    assert_eq!(
        get(&client, "/admin", &forged),
        (
            Status::UnprocessableEntity,
            msg("Signature verification failed")
        )
    );
    assert_eq!(
        answer(client.get("/admin").dispatch()),
        (Status::Unauthorized, msg("Missing Authorization Header"))
    );
    let logout = client.delete("/logout").header(bearer(&alice)).dispatch();
    assert_eq!(logout.status(), Status::Ok);
    assert_eq!(
        get(&client, "/admin", &alice),
        (Status::Unauthorized, msg("Token has been revoked"))
    );
}
