//! Implicit refresh of cookie sessions: the new cookie reads like the login cookie, and only a
//! token that passed the whole pipeline is refreshed.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use common::core::*;
use common::*;
use jwt_ext::Auth;
use rocket::http::{Cookie, Status};
use rocket::local::blocking::Client;
use serde_json::{json, Value};

/// The attributes of a `Set-Cookie` value, without the value itself.
fn attributes(set_cookie: &str) -> (String, Vec<String>) {
    let mut parts = set_cookie.split(';').map(str::trim);
    let name = parts
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(name, _)| name.to_owned())
        .unwrap();
    let mut rest: Vec<String> = parts.map(str::to_owned).collect();
    rest.sort();
    (name, rest)
}

fn cookie_app(config: Value) -> Client {
    let mut base = json!({"token_location": ["cookies"], "implicit_refresh_window": 100_000});
    if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), config) {
        base.extend(extra);
    }
    app_with(
        base,
        Auth::fairing().token_verification(|token| token.identity() != "mallory"),
    )
}

fn cookie_of(client: &Client, who: &str) -> (Cookie<'static>, Vec<String>) {
    let response = client.post(format!("/login/{who}")).dispatch();
    let set = set_cookies(&response);
    let line = set
        .iter()
        .find(|c| c.starts_with("access_token_cookie="))
        .unwrap()
        .clone();
    let value = line
        .split(';')
        .next()
        .and_then(|p| p.split_once('='))
        .map(|(_, v)| v.to_owned())
        .unwrap();
    (Cookie::new("access_token_cookie", value), set)
}

#[test]
fn an_implicitly_refreshed_cookie_reads_like_the_login_cookie() {
    for config in [
        json!({}),
        json!({"cookie_samesite": "Lax", "session_cookie": false}),
    ] {
        let client = cookie_app(config.clone());
        let (cookie, login) = cookie_of(&client, "alice");
        let response = client.get("/protected").cookie(cookie).dispatch();
        let refreshed = set_cookies(&response);
        assert_eq!(answer(response), (Status::Ok, json!("alice")));
        let mut login: Vec<_> = login.iter().map(|c| attributes(c)).collect();
        let mut refreshed: Vec<_> = refreshed.iter().map(|c| attributes(c)).collect();
        login.sort();
        refreshed.sort();
        assert_eq!(refreshed, login, "{config}");
        assert!(
            login[0].1.iter().any(|a| a.starts_with("SameSite=")),
            "{login:?}"
        );
    }
}

#[test]
fn no_cookie_is_minted_for_a_token_the_pipeline_refused() {
    let client = cookie_app(json!({}));
    let (mallory, _) = cookie_of(&client, "mallory");
    let response = client.get("/maybe").cookie(mallory).dispatch();
    assert!(
        set_cookies(&response).is_empty(),
        "{:?}",
        set_cookies(&response)
    );
    assert_eq!(answer(response), (Status::Ok, json!("anonymous")));
    // Control: the same route with a token that passes gets a new cookie.
    let (alice, _) = cookie_of(&client, "alice");
    let response = client.get("/maybe").cookie(alice).dispatch();
    assert_eq!(set_cookies(&response).len(), 2);
    assert_eq!(answer(response), (Status::Ok, json!("alice")));
}
