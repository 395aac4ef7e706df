//! Helpers shared by the integration tests: a configured rocket, a client, token forging.
#![allow(dead_code)] // each test binary uses a different subset

pub mod capture;
pub mod core;
pub mod guards;
pub mod locations;
pub mod provider;
pub mod rotation;
pub mod store;
pub mod tools;
pub mod topology;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jwt_ext::Auth;
use rocket::figment::Figment;
use rocket::http::{Header, Status};
use rocket::local::blocking::{Client, LocalResponse};
use rocket::{Build, Rocket};
use serde_json::{json, Map, Value};

pub const SECRET: &str = "test-secret-test-secret-test-secret-0123";

/// A figment with logging off, the test secret, and `jwt` values merged from `overrides`.
pub fn figment(overrides: Value) -> Figment {
    let mut jwt = json!({ "secret_key": SECRET });
    if let (Some(base), Value::Object(extra)) = (jwt.as_object_mut(), overrides) {
        base.extend(extra);
    }
    Figment::from(rocket::Config::debug_default())
        .merge(("log_level", "off"))
        .merge(("jwt", jwt))
}

/// A rocket with `jwt` configuration `overrides` and nothing mounted.
pub fn rocket_with(overrides: Value) -> Rocket<Build> {
    rocket::custom(figment(overrides))
}

pub fn client(rocket: Rocket<Build>) -> Client {
    Client::tracked(rocket).expect("the test rocket launches")
}

pub fn auth(client: &Client) -> &Auth {
    client
        .rocket()
        .state::<Auth>()
        .expect("the fairing is attached")
}

pub fn bearer(token: &str) -> Header<'static> {
    Header::new("Authorization", format!("Bearer {token}"))
}

/// The response's status and JSON body.
pub fn answer(response: LocalResponse<'_>) -> (Status, Value) {
    let status = response.status();
    let body = response.into_string().unwrap_or_default();
    let json = serde_json::from_str(&body).unwrap_or(Value::String(body));
    (status, json)
}

/// GET `path` with a bearer token: the status and JSON body.
pub fn get(client: &Client, path: &str, token: &str) -> (Status, Value) {
    answer(client.get(path.to_owned()).header(bearer(token)).dispatch())
}

/// POST `path` with a bearer token: the status and JSON body.
pub fn post(client: &Client, path: &str, token: &str) -> (Status, Value) {
    answer(
        client
            .post(path.to_owned())
            .header(bearer(token))
            .dispatch(),
    )
}

/// The quickstart's rocket under the tests' settings (no log, a fixed secret).
pub fn quickstart_client(rocket: Rocket<Build>) -> Client {
    let rocket = rocket.configure(
        Figment::from(rocket::Config::debug_default())
            .merge(("log_level", "off"))
            .merge(("jwt.secret_key", "quickstart-test-secret-quickstart-test")),
    );
    Client::tracked(rocket).expect("the quickstart launches")
}

/// Posts the quickstart's login body to `path`.
pub fn login(client: &Client, path: &str, username: &str, password: &str) -> (Status, Value) {
    let body = json!({"username": username, "password": password}).to_string();
    answer(
        client
            .post(path.to_owned())
            .header(rocket::http::ContentType::JSON)
            .body(body)
            .dispatch(),
    )
}

/// The `kid`s of the JWKS the app serves, in order.
pub fn jwks_kids(client: &Client) -> Vec<String> {
    let jwks: Value = client
        .get("/.well-known/jwks.json")
        .dispatch()
        .into_json()
        .expect("a JWKS");
    jwks["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|key| key["kid"].as_str().map(str::to_owned))
        .collect()
}

/// The `Set-Cookie` headers of a response.
pub fn set_cookies(response: &LocalResponse<'_>) -> Vec<String> {
    response
        .headers()
        .get("Set-Cookie")
        .map(str::to_owned)
        .collect()
}

/// `{"msg": text}`
pub fn msg(text: &str) -> Value {
    json!({ "msg": text })
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs() as i64
}

/// The payload of a valid access token for `alice`, to be altered by a test.
pub fn payload() -> Map<String, Value> {
    let now = now();
    json!({
        "fresh": false, "iat": now, "jti": "5f1c8a3e-6a0b-4c4e-9a55-4f1f2b0d7c11",
        "type": "access", "sub": "alice", "nbf": now, "exp": now + 600,
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}

pub fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// Signs any header and payload with HS256 and `secret`, whatever they contain.
pub fn forge_with(header: &Value, payload: &Value, secret: &str) -> String {
    let input = format!("{}.{}", b64(header), b64(payload));
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()).expect("an HMAC key");
    let signature =
        jsonwebtoken::crypto::sign(input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256)
            .expect("HS256 signs");
    format!("{input}.{signature}")
}

/// Signs `payload` with the test secret and a standard header.
pub fn forge(payload: &Map<String, Value>) -> String {
    forge_with(
        &json!({"alg": "HS256", "typ": "JWT"}),
        &Value::Object(payload.clone()),
        SECRET,
    )
}

/// Signs a header and a payload given as JSON text, byte for byte (duplicate names, deep
/// nesting, escapes): what a serializer would never write.
pub fn forge_raw(header: &str, payload: &str) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let key = jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()).expect("an HMAC key");
    let signature =
        jsonwebtoken::crypto::sign(input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256)
            .expect("HS256 signs");
    format!("{input}.{signature}")
}

/// The test payload as JSON text, with `extra` spliced in before the closing brace.
pub fn payload_text(extra: &str) -> String {
    let text = Value::Object(payload()).to_string();
    format!("{},{extra}}}", &text[..text.len() - 1])
}
