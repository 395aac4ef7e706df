//! The quickstart example (SPEC §10), every route, through Rocket's local client.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/quickstart.rs"]
mod quickstart;

mod common;

use common::{answer, bearer, get, login, msg, quickstart_client, set_cookies};
use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::Client;
use serde_json::json;

fn client() -> Client {
    quickstart_client(quickstart::rocket())
}

fn tokens(client: &Client) -> (String, String) {
    let (status, body) = login(client, "/login", "test", "test");
    assert_eq!(status, Status::Ok);
    let get = |k: &str| body[k].as_str().expect("a token").to_owned();
    (get("access_token"), get("refresh_token"))
}

#[test]
fn login_issues_a_fresh_access_token_a_refresh_token_and_cookies() {
    let client = client();
    let body = json!({"username": "alice", "password": "wonderland"}).to_string();
    let response = client
        .post("/login")
        .header(ContentType::JSON)
        .body(body)
        .dispatch();
    let cookies = set_cookies(&response);
    let (status, body) = answer(response);
    assert_eq!(status, Status::Ok);
    let auth = common::auth(&client);
    let access = auth
        .decode(body["access_token"].as_str().expect("access"))
        .expect("valid");
    let refresh = auth
        .decode(body["refresh_token"].as_str().expect("refresh"))
        .expect("valid");
    assert_eq!(
        (
            access.identity(),
            access.payload()["fresh"].clone(),
            access.token_type()
        ),
        ("alice", json!(true), jwt_ext::TokenType::Access)
    );
    assert_eq!(refresh.token_type(), jwt_ext::TokenType::Refresh);
    for name in [
        "access_token_cookie=",
        "refresh_token_cookie=",
        "csrf_access_token=",
        "csrf_refresh_token=",
    ] {
        let cookie = cookies
            .iter()
            .find(|c| c.starts_with(name))
            .unwrap_or_else(|| panic!("{name} set"));
        assert_eq!(
            cookie.contains("HttpOnly"),
            !name.starts_with("csrf"),
            "{cookie}"
        );
        assert!(cookie.contains("Path=/"), "{cookie}");
    }
}

#[test]
fn wrong_credentials_are_401() {
    let client = client();
    let bad = msg("Bad username or password");
    assert_eq!(
        login(&client, "/login", "test", "nope"),
        (Status::Unauthorized, bad.clone())
    );
    assert_eq!(
        login(&client, "/login", "nobody", "test"),
        (Status::Unauthorized, bad.clone())
    );
    assert_eq!(
        login(&client, "/fresh-login", "alice", "test"),
        (Status::Unauthorized, bad)
    );
}

#[test]
fn malformed_login_bodies_get_json_errors() {
    let client = client();
    let (status, body) = answer(
        client
            .post("/login")
            .header(ContentType::JSON)
            .body("{")
            .dispatch(),
    );
    assert_eq!(status, Status::BadRequest);
    assert!(body["msg"].is_string());
    let (status, _) = answer(
        client
            .post("/login")
            .header(ContentType::JSON)
            .body(r#"{"username": 1}"#)
            .dispatch(),
    );
    assert_eq!(status, Status::UnprocessableEntity);
}

#[test]
fn fresh_login_gives_only_a_fresh_access_token() {
    let client = client();
    let (status, body) = login(&client, "/fresh-login", "test", "test");
    assert_eq!(status, Status::Ok);
    assert_eq!(body.as_object().map(|o| o.len()), Some(1));
    let token = body["access_token"].as_str().expect("access");
    assert_eq!(
        get(&client, "/fresh", token),
        (Status::Ok, json!({"logged_in_as": "test"}))
    );
}

#[test]
fn protected_fresh_optional_and_claims() {
    let client = client();
    let (access, refresh) = tokens(&client);
    assert_eq!(
        get(&client, "/protected", &access),
        (Status::Ok, json!({"logged_in_as": "test"}))
    );
    assert_eq!(
        answer(client.get("/protected").dispatch()),
        (Status::Unauthorized, msg("Missing Authorization Header"))
    );
    assert_eq!(
        get(&client, "/protected", &refresh),
        (
            Status::UnprocessableEntity,
            msg("Only non-refresh tokens are allowed")
        )
    );
    assert_eq!(
        get(&client, "/fresh", &access),
        (Status::Ok, json!({"logged_in_as": "test"}))
    );
    assert_eq!(
        answer(client.get("/optional").dispatch()),
        (Status::Ok, json!({"logged_in_as": null}))
    );
    assert_eq!(
        get(&client, "/optional", &access),
        (Status::Ok, json!({"logged_in_as": "test"}))
    );
    assert_eq!(
        get(&client, "/optional", "nonsense").0,
        Status::UnprocessableEntity
    );
    let (status, claims) = get(&client, "/claims", &access);
    assert_eq!(status, Status::Ok);
    assert_eq!(claims["sub"], json!("test"));
    assert_eq!(claims["type"], json!("access"));
    for name in ["fresh", "iat", "jti", "nbf", "exp", "csrf"] {
        assert!(claims.get(name).is_some(), "{name}");
    }
}

#[test]
fn refresh_issues_a_stale_access_token_and_sets_its_cookies() {
    let client = client();
    let (access, refresh) = tokens(&client);
    let response = client.post("/refresh").header(bearer(&refresh)).dispatch();
    let cookies = set_cookies(&response);
    let (status, body) = answer(response);
    assert_eq!(status, Status::Ok);
    let new = body["access_token"].as_str().expect("access");
    assert!(cookies
        .iter()
        .any(|c| c.starts_with("access_token_cookie=")));
    assert!(cookies
        .iter()
        .all(|c| !c.starts_with("refresh_token_cookie=")));
    assert_eq!(
        get(&client, "/protected", new),
        (Status::Ok, json!({"logged_in_as": "test"}))
    );
    assert_eq!(
        get(&client, "/fresh", new),
        (Status::Unauthorized, msg("Fresh token required"))
    );
    let (status, body) = answer(client.post("/refresh").header(bearer(&access)).dispatch());
    assert_eq!(
        (status, body),
        (
            Status::UnprocessableEntity,
            msg("Only refresh tokens are allowed")
        )
    );
}

#[test]
fn whoami_loads_the_user() {
    let client = client();
    let (access, _) = tokens(&client);
    assert_eq!(
        get(&client, "/whoami", &access),
        (Status::Ok, json!({"username": "test"}))
    );
    let stranger = common::auth(&client)
        .access_token("mallory")
        .issue()
        .expect("issues");
    assert_eq!(
        get(&client, "/whoami", &stranger),
        (Status::Unauthorized, msg("Error loading the user mallory"))
    );
}

#[test]
fn logout_revokes_the_presented_token_of_either_type() {
    let client = client();
    let (access, refresh) = tokens(&client);
    let response = client.delete("/logout").header(bearer(&access)).dispatch();
    let cookies = set_cookies(&response);
    assert_eq!(answer(response), (Status::Ok, msg("Access token revoked")));
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("access_token_cookie=;") && c.contains("Max-Age=0")),
        "{cookies:?}"
    );
    assert_eq!(
        get(&client, "/protected", &access),
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    assert_eq!(
        answer(client.delete("/logout").header(bearer(&refresh)).dispatch()),
        (Status::Ok, msg("Refresh token revoked"))
    );
    assert_eq!(
        answer(client.post("/refresh").header(bearer(&refresh)).dispatch()),
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    assert_eq!(
        answer(client.delete("/logout").dispatch()),
        (Status::Unauthorized, msg("Missing Authorization Header"))
    );
}

#[test]
fn logout_with_a_header_token_also_unsets_the_jwt_cookies() {
    // An untracked client sends no cookies back: the removal must not depend on them.
    let rocket = quickstart::rocket().configure(
        rocket::figment::Figment::from(rocket::Config::debug_default())
            .merge(("log_level", "off"))
            .merge(("jwt.secret_key", "quickstart-test-secret-quickstart-test")),
    );
    let client = Client::untracked(rocket).expect("the quickstart launches");
    let (access, _) = tokens(&client);
    let response = client.delete("/logout").header(bearer(&access)).dispatch();
    let cookies = set_cookies(&response);
    assert_eq!(answer(response), (Status::Ok, msg("Access token revoked")));
    for name in [
        "access_token_cookie",
        "csrf_access_token",
        "refresh_token_cookie",
        "csrf_refresh_token",
    ] {
        assert!(
            cookies
                .iter()
                .any(|c| c.starts_with(&format!("{name}=;")) && c.contains("Max-Age=0")),
            "{name}: {cookies:?}"
        );
    }
}

#[test]
fn logout_everywhere_revokes_every_token_of_the_identity() {
    let client = client();
    let (access, refresh) = tokens(&client);
    let (other_access, _) = tokens(&client);
    let alice = login(&client, "/login", "alice", "wonderland").1["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let (status, _) = answer(
        client
            .delete("/logout-everywhere")
            .header(bearer(&access))
            .dispatch(),
    );
    assert_eq!(status, Status::Ok);
    let revoked = msg("Token has been revoked");
    assert_eq!(
        get(&client, "/protected", &other_access),
        (Status::Unauthorized, revoked.clone())
    );
    assert_eq!(
        answer(client.post("/refresh").header(bearer(&refresh)).dispatch()),
        (Status::Unauthorized, revoked)
    );
    assert_eq!(
        get(&client, "/protected", &alice),
        (Status::Ok, json!({"logged_in_as": "alice"}))
    );
    // Logging in again right after works: the revocation covers tokens issued until it returned.
    let (again, _) = tokens(&client);
    assert_eq!(
        get(&client, "/protected", &again),
        (Status::Ok, json!({"logged_in_as": "test"}))
    );
}

#[test]
fn cookies_work_with_csrf_when_configured() {
    let rocket = quickstart::rocket().configure(
        rocket::figment::Figment::from(rocket::Config::debug_default())
            .merge(("log_level", "off"))
            .merge(("jwt.secret_key", "quickstart-test-secret-quickstart-test"))
            .merge(("jwt.token_location", ["headers", "cookies"])),
    );
    let client = Client::tracked(rocket).expect("launches");
    tokens(&client); // the tracked client keeps the cookies
    assert_eq!(
        answer(client.get("/protected").dispatch()),
        (Status::Ok, json!({"logged_in_as": "test"}))
    );
    let csrf = client
        .cookies()
        .get("csrf_access_token")
        .map(|c| c.value().to_owned())
        .expect("csrf cookie");
    assert_eq!(
        answer(client.delete("/logout").dispatch()),
        (Status::Unauthorized, msg("Missing CSRF token"))
    );
    assert_eq!(
        answer(
            client
                .delete("/logout")
                .header(Header::new("X-CSRF-TOKEN", "forged"))
                .dispatch()
        ),
        (
            Status::Unauthorized,
            msg("CSRF double submit tokens do not match")
        )
    );
    assert_eq!(
        answer(
            client
                .delete("/logout")
                .header(Header::new("X-CSRF-TOKEN", csrf))
                .dispatch()
        ),
        (Status::Ok, msg("Access token revoked"))
    );
    assert!(client.cookies().get("access_token_cookie").is_none());
    assert_eq!(
        answer(client.get("/protected").dispatch()),
        (Status::Unauthorized, msg("Missing JWT in headers or cookies (Missing Authorization Header; Missing cookie \"access_token_cookie\")"))
    );
}
