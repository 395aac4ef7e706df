//! The failure log (SPEC §16): each failure once, with its kind and route and a hash of the
//! `jti`; never a token, a cookie, a CSRF value or a secret; a flood summed up.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/quickstart.rs"]
mod quickstart;

mod common;

use std::sync::Mutex;

use common::capture::Capture;
use common::{bearer, login, SECRET};
use rocket::http::{Cookie, Status};
use serde_json::json;

/// Every line jwt-ext logs in this test binary.
static CAPTURE: Capture = Capture::new();

/// The tests of this file share the global logger: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

#[test]
fn failures_are_logged_once_without_secrets_and_a_flood_is_summed_up() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    CAPTURE.0.lock().unwrap().clear();
    let _ = log::set_logger(&CAPTURE);
    log::set_max_level(log::LevelFilter::Trace);
    let figment = rocket::figment::Figment::from(rocket::Config::debug_default())
        .merge(("log_level", "off"))
        .merge(("jwt", json!({"secret_key": SECRET, "token_location": ["headers", "cookies"], "failure_log_level": "warn"})));
    let client =
        rocket::local::blocking::Client::tracked(quickstart::rocket().configure(figment)).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let (status, tokens) = login(&client, "/login", "test", "test");
    assert_eq!(status, Status::Ok);
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    // The hostile run: a refresh token on an access route, a forged one, a cookie without its
    // CSRF value, a revoked one.
    let mut forged = access.clone();
    forged.push('x');
    let hostile = [refresh.as_str(), forged.as_str()];
    for token in hostile {
        assert_eq!(
            client
                .get("/protected")
                .header(bearer(token))
                .dispatch()
                .status(),
            Status::UnprocessableEntity
        );
    }
    let cookie = Cookie::new("access_token_cookie", access.clone());
    let response = client
        .delete("/logout-everywhere")
        .cookie(cookie)
        .dispatch();
    assert_eq!(response.status(), Status::Unauthorized);
    assert_eq!(
        client
            .delete("/logout")
            .header(bearer(&access))
            .dispatch()
            .status(),
        Status::Ok
    );
    assert_eq!(
        client
            .get("/protected")
            .header(bearer(&access))
            .dispatch()
            .status(),
        Status::Unauthorized
    );
    let lines = CAPTURE.0.lock().unwrap().clone();
    let refusals: Vec<&String> = lines
        .iter()
        .filter(|l| {
            l.contains("refused") && l.contains("/logout")
                || l.contains("refused") && l.contains("/protected")
        })
        .collect();
    assert_eq!(refusals.len(), 4, "one line per failure: {lines:#?}");
    assert!(refusals.iter().all(|l| l.starts_with("WARN")), "{lines:#?}");
    assert!(
        refusals
            .iter()
            .any(|l| l.contains("refused invalid on /protected")),
        "{lines:#?}"
    );
    assert!(
        refusals
            .iter()
            .any(|l| l.contains("refused csrf on /logout-everywhere")),
        "{lines:#?}"
    );
    assert!(
        refusals
            .iter()
            .any(|l| l.contains("refused revoked on /protected") && l.contains("(jti #")),
        "{lines:#?}"
    );
    let payload = |token: &str| token.split('.').nth(1).unwrap().to_owned();
    for line in &lines {
        for secret in [access.as_str(), refresh.as_str(), forged.as_str(), SECRET] {
            assert!(!line.contains(secret), "{line}");
        }
        assert!(
            !line.contains(&payload(&access)) && !line.contains(&payload(&refresh)),
            "{line}"
        );
    }
    // A flood: 10 lines a second, the rest summed up once the next second starts.
    CAPTURE.0.lock().unwrap().clear();
    for _ in 0..40 {
        client
            .get("/protected")
            .header(bearer("nonsense"))
            .dispatch();
    }
    std::thread::sleep(std::time::Duration::from_millis(1100));
    client
        .get("/protected")
        .header(bearer("nonsense"))
        .dispatch();
    let lines = CAPTURE.0.lock().unwrap().clone();
    assert!(lines.len() < 25, "{lines:#?}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("more authentication failures in the last second")),
        "{lines:#?}"
    );
}

#[test]
fn the_release_profile_warns_about_cookies_without_secure() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    CAPTURE.0.lock().unwrap().clear();
    let _ = log::set_logger(&CAPTURE);
    log::set_max_level(log::LevelFilter::Trace);
    let figment = rocket::figment::Figment::from(rocket::Config::release_default())
        .select(rocket::Config::RELEASE_PROFILE)
        .merge(("log_level", "off"))
        .merge((
            "jwt",
            json!({"secret_key": SECRET, "token_location": ["cookies"]}),
        ));
    let _client =
        rocket::local::blocking::Client::untracked(quickstart::rocket().configure(figment))
            .unwrap();
    let lines = CAPTURE.0.lock().unwrap().clone();
    assert!(
        lines.iter().any(|l| l.starts_with("WARN") && l.contains("without `Secure` in the release profile")),
        "{lines:#?}"
    );
}
