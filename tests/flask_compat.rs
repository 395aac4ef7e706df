//! Tokens minted by Flask-JWT-Extended 4.x (tests/fixtures/mint_flask_token.py) are accepted
//! here, and ours carry the claims Flask reads.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use common::tools::flask_python;
use common::*;
use jwt_ext::{Auth, Fresh, Refresh, Token};
use rocket::http::Status;
use rocket::{get, post, routes};
use serde_json::{json, Map, Value};

/// The secret in mint_flask_token.py.
const FLASK_SECRET: &str = "flask-and-rocket-share-this-32-byte+-secret";

fn fixtures() -> Value {
    let text = include_str!("fixtures/flask_tokens.json");
    serde_json::from_str(text).expect("the fixture is JSON")
}

#[get("/protected")]
fn protected(token: Token<Map<String, Value>>) -> Value {
    json!({"identity": token.identity(), "claims": token.claims()})
        .to_string()
        .into()
}

#[get("/fresh")]
fn fresh(token: Token<(), Fresh>) -> String {
    token.identity().to_owned()
}

#[post("/refresh")]
fn refresh(token: Token<(), Refresh>) -> String {
    token.identity().to_owned()
}

fn app() -> rocket::local::blocking::Client {
    let rocket = rocket_with(json!({"secret_key": FLASK_SECRET}))
        .attach(Auth::fairing())
        .mount("/", routes![protected, fresh, refresh]);
    client(rocket)
}

fn get(client: &rocket::local::blocking::Client, path: &str, token: &Value) -> (Status, Value) {
    let token = token.as_str().expect("a token string");
    answer(client.get(path).header(bearer(token)).dispatch())
}

#[test]
fn a_flask_access_token_is_accepted_with_its_claims() {
    let client = app();
    let tokens = fixtures();
    assert!(tokens["minted_by"]
        .as_str()
        .is_some_and(|m| m.starts_with("flask-jwt-extended 4.")));
    let (status, body) = get(&client, "/protected", &tokens["access"]);
    assert_eq!(status, Status::Ok);
    let body: Value = serde_json::from_str(body.as_str().expect("text")).expect("json");
    assert_eq!(
        body,
        json!({"identity": "alice", "claims": {"role": "admin"}})
    );
    assert_eq!(
        get(&client, "/fresh", &tokens["access"]),
        (Status::Ok, json!("alice"))
    );
}

#[test]
fn a_flask_fresh_until_timestamp_is_fresh() {
    let client = app();
    assert_eq!(
        get(&client, "/fresh", &fixtures()["fresh_until_2126"]),
        (Status::Ok, json!("alice"))
    );
}

#[test]
fn a_flask_refresh_token_is_a_refresh_token() {
    let client = app();
    let tokens = fixtures();
    let token = tokens["refresh"].as_str().expect("token");
    assert_eq!(
        answer(client.post("/refresh").header(bearer(token)).dispatch()),
        (Status::Ok, json!("alice"))
    );
    assert_eq!(
        get(&client, "/protected", &tokens["refresh"]),
        (
            Status::UnprocessableEntity,
            msg("Only non-refresh tokens are allowed")
        )
    );
}

#[test]
fn a_flask_expired_token_is_expired() {
    let client = app();
    assert_eq!(
        get(&client, "/protected", &fixtures()["expired"]),
        (Status::Unauthorized, msg("Token has expired"))
    );
}

#[test]
fn a_flask_token_fails_with_another_secret() {
    let rocket = rocket_with(json!({}))
        .attach(Auth::fairing())
        .mount("/", routes![protected]);
    let client = client(rocket);
    assert_eq!(
        get(&client, "/protected", &fixtures()["access"]),
        (
            Status::UnprocessableEntity,
            msg("Signature verification failed")
        )
    );
}

#[test]
fn flask_accepts_our_tokens() {
    let Some(python) = flask_python() else { return };
    let client = app();
    let auth = auth(&client);
    let access = auth
        .access_token("alice")
        .claim("role", "admin")
        .issue()
        .unwrap();
    let fresh = auth.access_token("alice").fresh(true).issue().unwrap();
    let refresh = auth.refresh_token("alice").issue().unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/flask_verify.py");
    let output = std::process::Command::new(python)
        .arg(script)
        .args([FLASK_SECRET, &access, &fresh, &refresh])
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("access 200 {'identity': 'alice', 'role': 'admin'}"),
        "{stdout}"
    );
}
