//! Helpers of the rotation tests: the quickstart with refresh-token rotation on, on Rocket's
//! asynchronous client (concurrent refreshes), and its login and refresh calls.

use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::Client;
use serde_json::{json, Value};

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

async fn answer(response: rocket::local::asynchronous::LocalResponse<'_>) -> (Status, Value) {
    let status = response.status();
    let body = response.into_string().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

/// The access and refresh tokens of `test`'s login.
pub async fn login(client: &Client) -> (String, String) {
    let body = json!({"username": "test", "password": "test"}).to_string();
    let (status, body) = answer(
        client
            .post("/login")
            .header(ContentType::JSON)
            .body(body)
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok, "{body}");
    let get = |k: &str| body[k].as_str().expect("a token").to_owned();
    (get("access_token"), get("refresh_token"))
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
