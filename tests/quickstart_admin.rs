//! The quickstart's `GET /admin` (SPEC §10): only `alice`'s tokens carry `"roles": ["admin"]`.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/quickstart.rs"]
mod quickstart;

mod common;

use common::{answer, bearer, get, login, msg, quickstart_client};
use rocket::http::Status;
use rocket::local::blocking::Client;
use serde_json::{json, Value};

fn client() -> Client {
    quickstart_client(quickstart::rocket())
}

/// The access and refresh tokens of a login.
fn tokens(client: &Client, username: &str, password: &str) -> (String, String) {
    let (status, body) = login(client, "/login", username, password);
    assert_eq!(status, Status::Ok);
    let get = |k: &str| body[k].as_str().expect("a token").to_owned();
    (get("access_token"), get("refresh_token"))
}

fn forbidden() -> (Status, Value) {
    (Status::Forbidden, msg("Insufficient permissions"))
}

#[test]
fn only_alice_is_an_admin() {
    let client = client();
    let (alice, alice_refresh) = tokens(&client, "alice", "wonderland");
    let (test, _) = tokens(&client, "test", "test");
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
    let (test, _) = tokens(&client, "test", "test");
    let (alice, _) = tokens(&client, "alice", "wonderland");
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
    let (alice, _) = tokens(&client, "alice", "wonderland");
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
