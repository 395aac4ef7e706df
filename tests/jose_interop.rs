//! Our key sets against real JOSE implementations: tokens of the quickstart configured with an
//! RS256, an ES256 and an EdDSA key are verified through its served JWKS by the npm package
//! `jose` and by PyJWT's `PyJWKClient`; Flask-JWT-Extended with the RS256 public key verifies our
//! token, and we verify Flask's RS256 token.
//!
//! Without Node's `jose` or the Python venv these tests fail when `CI=true` and are skipped,
//! saying why, elsewhere (`.ci/run` installs both).
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/quickstart.rs"]
mod quickstart;

mod common;

use std::path::Path;
use std::process::Command;

use common::tools::{flask_python, npm_packages, serve};
use jwt_ext::Auth;
use rocket::figment::Figment;
use rocket::http::Status;
use rocket::local::blocking::Client;
use serde_json::{json, Value};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .display()
        .to_string()
}

/// The three asymmetric keys, as files; `signing` signs.
fn keys(signing: &str) -> Value {
    json!({
        "signing_key": signing,
        "keys": [
            {"kid": "rsa", "algorithm": "RS256", "private_key_file": fixture("keys/rsa_private.pem")},
            {"kid": "ec", "algorithm": "ES256", "private_key_file": fixture("keys/ec_private.pem")},
            {"kid": "ed", "algorithm": "EdDSA", "private_key_file": fixture("keys/ed_private.pem")},
        ],
    })
}

fn figment(jwt: Value) -> Figment {
    Figment::from(rocket::Config::debug_default())
        .merge(("log_level", "off"))
        .merge(("jwt", jwt))
}

/// A token of each key, issued by the quickstart's own `Auth` with that key signing.
fn tokens() -> Vec<String> {
    ["rsa", "ec", "ed"]
        .map(|kid| {
            let client = Client::untracked(quickstart::rocket().configure(figment(keys(kid))))
                .expect("the quickstart launches");
            let auth = client.rocket().state::<Auth>().expect("the fairing");
            auth.access_token(format!("user-of-{kid}")).issue().unwrap()
        })
        .to_vec()
}

fn jwks_url() -> String {
    let port = serve(quickstart::rocket().configure(figment(keys("ec"))));
    format!("http://127.0.0.1:{port}/.well-known/jwks.json")
}

fn run(command: &mut Command) -> String {
    let output = command.output().expect("the tool runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    stdout
}

const VERIFIED: [&str; 3] = [
    "RS256 rsa user-of-rsa",
    "ES256 ec user-of-ec",
    "EdDSA ed user-of-ed",
];

#[test]
fn npm_jose_verifies_our_tokens_through_the_jwks() {
    let Some(dir) = npm_packages("jose") else {
        return;
    };
    let stdout = run(Command::new("node")
        .current_dir(dir)
        .arg("jwks.mjs")
        .arg(jwks_url())
        .args(tokens()));
    for line in VERIFIED {
        assert!(stdout.contains(line), "{stdout}");
    }
}

#[test]
fn pyjwt_verifies_our_tokens_through_the_jwks() {
    let Some(python) = flask_python() else { return };
    let stdout = run(Command::new(python)
        .arg(fixture("jwks_verify.py"))
        .arg(jwks_url())
        .args(tokens()));
    for line in VERIFIED {
        assert!(stdout.contains(line), "{stdout}");
    }
}

#[test]
fn flask_and_we_verify_each_others_rs256_tokens() {
    let Some(python) = flask_python() else { return };
    let ours = &tokens()[0];
    let stdout = run(Command::new(python)
        .arg(fixture("flask_rs256.py"))
        .arg(fixture("keys/rsa_private.pem"))
        .arg(fixture("keys/rsa_public.pem"))
        .arg(ours));
    assert!(
        stdout.contains("ours 200 {'identity': 'user-of-rsa'}"),
        "{stdout}"
    );
    let flask_token = stdout
        .lines()
        .last()
        .expect("Flask's token")
        .trim()
        .to_owned();
    // Flask's token has no kid: the signing key (RS256) verifies it.
    let client = Client::tracked(quickstart::rocket().configure(figment(keys("rsa")))).unwrap();
    let response = client
        .get("/protected")
        .header(common::bearer(&flask_token))
        .dispatch();
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.into_json::<Value>(),
        Some(json!({"logged_in_as": "flask-user"}))
    );
}
