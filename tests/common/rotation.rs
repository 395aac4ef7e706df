//! Helpers of the rotation tests: the quickstart with refresh-token rotation on, on Rocket's
//! asynchronous client (concurrent refreshes), and its login and refresh calls.

use rocket::http::{Header, Status};
use rocket::local::asynchronous::Client;
use serde_json::{json, Value};

use super::store::{self, answer};
use super::SECRET;

/// The quickstart with rotation on and `jwt` values merged from `overrides`.
pub async fn rotating(rocket: rocket::Rocket<rocket::Build>, overrides: Value) -> Client {
    let mut jwt = json!({"secret_key": SECRET, "refresh_token_rotation": true});
    if let (Some(base), Value::Object(extra)) = (jwt.as_object_mut(), overrides) {
        base.extend(extra);
    }
    let figment = rocket::figment::Figment::from(rocket::Config::debug_default())
        .merge(("log_level", "off"))
        .merge(("jwt", jwt));
    Client::untracked(rocket.configure(figment))
        .await
        .expect("the quickstart launches")
}

/// The access and refresh tokens of `test`'s login.
pub async fn login(client: &Client) -> (String, String) {
    pair(&store::login(client, "test", "test").await)
}

/// `POST /refresh` with `refresh`.
pub async fn refresh(client: &Client, refresh: &str) -> (Status, Value) {
    let bearer = Header::new("Authorization", format!("Bearer {refresh}"));
    answer(client.post("/refresh").header(bearer).dispatch().await).await
}

/// `GET /protected` with `access`.
pub async fn protected(client: &Client, access: &str) -> Status {
    let bearer = Header::new("Authorization", format!("Bearer {access}"));
    client
        .get("/protected")
        .header(bearer)
        .dispatch()
        .await
        .status()
}

/// Exactly one of `answers` succeeded; the others are refused as revoked (reuse).
pub fn exactly_one_success(answers: &[(Status, Value)]) {
    let ok = answers
        .iter()
        .filter(|(status, _)| *status == Status::Ok)
        .count();
    assert_eq!(ok, 1, "{answers:?}");
    let revoked = (
        Status::Unauthorized,
        json!({"msg": "Token has been revoked"}),
    );
    assert!(
        answers.iter().all(|a| a.0 == Status::Ok || *a == revoked),
        "{answers:?}"
    );
}

/// The new pair of a successful refresh.
pub fn pair(body: &Value) -> (String, String) {
    let get = |k: &str| body[k].as_str().expect("a token").to_owned();
    (get("access_token"), get("refresh_token"))
}

/// A token's `fam` claim, read without verifying.
pub fn family(token: &str) -> String {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64");
    let payload: Value = serde_json::from_slice(&bytes).expect("JSON");
    payload["fam"].as_str().expect("a family").to_owned()
}
