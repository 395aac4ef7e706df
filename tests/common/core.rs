//! The app of the verification-core regression tests (`one_token.rs`, `one_spelling.rs`,
//! `lifetimes.rs`, `implicit_refresh.rs`): routes for every finding, and their helpers.

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE;
use base64::Engine;
use jwt_ext::{
    fresh_jwt_required, jwt_refresh_token_required, jwt_required, Auth, AuthError, IssueError,
    JsonToken, MemoryBlocklist, OptionalToken, Refresh, Token,
};
use rocket::http::{ContentType, Status};
use rocket::local::blocking::{Client, LocalResponse};
use rocket::{delete, get, post, routes};
use serde_json::{json, Value};

use super::*;

#[get("/protected")]
fn protected(token: Token) -> String {
    token.identity().to_owned()
}

#[get("/claims")]
fn claims(token: Token) -> Value {
    Value::Object(token.payload().clone())
}

#[post("/refresh")]
fn refresh_header(token: Token<(), Refresh>) -> String {
    token.identity().to_owned()
}

#[jwt_required]
#[post("/notes", data = "<body>")]
fn notes(body: JsonToken) -> String {
    body.identity().to_owned()
}

#[jwt_refresh_token_required]
#[post("/refresh-json", data = "<body>")]
fn refresh_json(auth: &Auth, body: JsonToken) -> Result<String, IssueError> {
    auth.access_token(body.identity()).issue()
}

#[jwt_required(verify_type = false)]
#[delete("/logout")]
async fn logout(auth: &Auth, token: Token) -> Result<&'static str, AuthError> {
    auth.revoke(&token).await.map(|()| "revoked")
}

#[jwt_required]
#[delete("/logout-everywhere")]
async fn logout_everywhere(auth: &Auth, token: Token) -> Result<&'static str, AuthError> {
    auth.revoke_identity(token.identity())
        .await
        .map(|()| "revoked")
}

/// Reached first for `/x/<id>`; forwards when `id` is not an integer.
#[jwt_required(optional)]
#[post("/x/<id>")]
fn x_by_id(id: i32, token: OptionalToken) -> String {
    format!("{id} {:?}", token.identity())
}

#[fresh_jwt_required]
#[post("/x/<name>", rank = 2, data = "<body>")]
fn x_by_name(name: &str, body: JsonToken) -> String {
    format!("{name} {}", body.identity())
}

/// Reached first for `/y/<id>`; verifies whatever the configured locations hold, then forwards.
#[jwt_required]
#[get("/y/<id>")]
fn y_by_id(id: i32) -> String {
    id.to_string()
}

#[jwt_required(locations = [headers])]
#[get("/y/<name>", rank = 2)]
fn y_by_name(name: &str, token: Token) -> String {
    format!("{name} {}", token.identity())
}

/// Swallows a guard failure and answers with a 401 of its own.
#[get("/mine")]
fn mine(token: Option<Token>) -> (Status, &'static str) {
    match token {
        Some(_) => (Status::Ok, "yours"),
        None => (Status::Unauthorized, "my own answer"),
    }
}

/// Serves everyone, with a greeting for those whose token passed.
#[get("/maybe")]
fn maybe(token: Option<Token>) -> String {
    token.map_or("anonymous".into(), |t| t.identity().to_owned())
}

#[post("/login/<who>")]
fn login(auth: &Auth, who: &str, jar: &rocket::http::CookieJar<'_>) -> Result<(), IssueError> {
    auth.set_access_cookies(jar, &auth.access_token(who).issue()?);
    Ok(())
}

pub fn app_with(config: Value, fairing: jwt_ext::AuthFairing) -> Client {
    let rocket = rocket_with(config).attach(fairing).mount(
        "/",
        routes![
            protected,
            claims,
            refresh_header,
            notes,
            refresh_json,
            logout,
            logout_everywhere,
            x_by_id,
            x_by_name,
            y_by_id,
            y_by_name,
            mine,
            maybe,
            login
        ],
    );
    client(rocket)
}

pub fn app(config: Value) -> Client {
    app_with(config, Auth::fairing())
}

/// Body and header locations, the body first.
pub fn json_app() -> Client {
    app(json!({"token_location": ["json", "headers", "cookies"]}))
}

pub fn post_json<'c>(
    client: &'c Client,
    path: &str,
    body: Value,
    header: Option<&str>,
) -> LocalResponse<'c> {
    let mut request = client
        .post(path.to_owned())
        .header(ContentType::JSON)
        .body(body.to_string());
    if let Some(token) = header {
        request = request.header(bearer(token));
    }
    request.dispatch()
}

pub fn revoke(client: &Client, token: &str) {
    let response = client.delete("/logout").header(bearer(token)).dispatch();
    assert_eq!(answer(response), (Status::Ok, json!("revoked")));
}

pub const AMBIGUOUS: &str = "The request carries more than one token; send one";

pub fn access(client: &Client, token: &str) -> (Status, Value) {
    answer(client.get("/protected").header(bearer(token)).dispatch())
}

pub fn invalid(text: &str) -> (Status, Value) {
    (Status::UnprocessableEntity, msg(text))
}

pub const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

pub fn padded(json: &str) -> String {
    URL_SAFE.encode(json)
}

pub fn memory_app(config: Value) -> (Client, Arc<MemoryBlocklist>) {
    let store = Arc::new(MemoryBlocklist::new());
    let client = app_with(config, Auth::fairing().blocklist(Arc::clone(&store)));
    (client, store)
}

pub const DAY: i64 = 86_400;

/// A 90-day refresh token of alice's, then "log out everywhere" with an access token of hers.
pub fn logged_out_everywhere(config: Value) -> (Client, Arc<MemoryBlocklist>, String) {
    let (client, store) = memory_app(config);
    let auth = auth(&client);
    let long = auth
        .refresh_token("alice")
        .expires_in(Duration::from_secs(90 * DAY as u64))
        .issue()
        .unwrap();
    let access_token = auth.access_token("alice").issue().unwrap();
    let status = client
        .delete("/logout-everywhere")
        .header(bearer(&access_token))
        .dispatch()
        .status();
    assert_eq!(status, Status::Ok);
    (client, store, long)
}

pub fn refresh(client: &Client, token: &str) -> (Status, Value) {
    answer(client.post("/refresh").header(bearer(token)).dispatch())
}
