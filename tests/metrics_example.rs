//! `examples/metrics.rs`: the counters move after a login and a failed request, and the
//! Prometheus page lists them.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/metrics.rs"]
mod metrics;

mod common;

use common::{bearer, login};
use rocket::http::Status;

/// The value of the sample of `name` whose labels contain every one of `labels`.
fn sample(page: &str, name: &str, labels: &[&str]) -> Option<f64> {
    page.lines()
        .filter(|line| line.starts_with(name) && !line.starts_with('#'))
        .find(|line| labels.iter().all(|label| line.contains(label)))
        .and_then(|line| line.rsplit(' ').next()?.parse().ok())
}

#[test]
fn the_counters_move_after_a_login_and_a_failed_request() {
    let rocket = metrics::rocket();
    let client = common::quickstart_client(rocket);
    let (status, tokens) = login(&client, "/login", "test", "test");
    assert_eq!(status, Status::Ok);
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(
        client
            .get("/protected")
            .header(bearer(access))
            .dispatch()
            .status(),
        Status::Ok
    );
    assert_eq!(
        client
            .get("/protected")
            .header(bearer("nonsense"))
            .dispatch()
            .status(),
        Status::UnprocessableEntity
    );
    assert_eq!(
        client.get("/protected").dispatch().status(),
        Status::Unauthorized
    );
    let page = client.get("/metrics").dispatch().into_string().unwrap();
    let count = |name: &str, labels: &[&str]| {
        sample(&page, name, labels).unwrap_or_else(|| panic!("{name} {labels:?} in\n{page}"))
    };
    assert_eq!(
        count("jwt_ext_tokens_issued", &["token_type=\"access\""]),
        1.0
    );
    assert_eq!(
        count("jwt_ext_tokens_issued", &["token_type=\"refresh\""]),
        1.0
    );
    assert_eq!(
        count("jwt_ext_authentications", &["outcome=\"success\""]),
        1.0
    );
    assert_eq!(
        count(
            "jwt_ext_authentications",
            &["outcome=\"failure\"", "error_type=\"invalid\""]
        ),
        1.0
    );
    assert_eq!(
        count(
            "jwt_ext_authentications",
            &["outcome=\"failure\"", "error_type=\"missing\""]
        ),
        1.0
    );
    assert!(page.contains("jwt_ext_verification_duration"), "{page}");
    assert!(page.contains("jwt_ext_store_duration"), "{page}");
    // The page never shows a token.
    assert!(!page.contains(access));
}
