//! Helpers of the Redis tests (`redis.rs`, `redis_instances.rs`): the shared server, key
//! prefixes, an app on Rocket's asynchronous client.

use std::time::Duration;

use jwt_ext::{Auth, Token};
use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::{get, routes};
use serde_json::{json, Value};

use super::{bearer, rocket_with};

/// The shared server, or `None` (after saying why) when the test should be skipped.
pub fn shared_redis() -> Option<String> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let ping = redis::Client::open(url.as_str())
        .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(2)))
        .and_then(|mut connection| redis::cmd("PING").query::<String>(&mut connection));
    match ping {
        Ok(_) => Some(url),
        Err(e) => {
            let why = e.to_string();
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "Redis is required in CI but {url} does not answer: {why}"
            );
            eprintln!("SKIPPED: Redis at {url} does not answer ({why}); start redis-server or set REDIS_URL");
            None
        }
    }
}

/// A key prefix no other run uses.
pub fn prefix(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("jwt-ext-test:{}:{nanos}:{test}:", std::process::id())
}

/// The store's keys under `prefix` whose name, after the bucket's hash tag, is `name`
/// (`token:<jti>`, `identity:<identity>`, `epoch`, …).
pub fn keys_named(redis: &mut redis::Connection, prefix: &str, name: &str) -> Vec<String> {
    redis::cmd("KEYS")
        .arg(format!("{prefix}{{*}}{name}"))
        .query(redis)
        .unwrap()
}

/// The one key of [`keys_named`].
pub fn key_named(redis: &mut redis::Connection, prefix: &str, name: &str) -> String {
    let keys = keys_named(redis, prefix, name);
    assert_eq!(keys.len(), 1, "one key {prefix}{{..}}{name}: {keys:?}");
    keys.into_iter().next().unwrap()
}

pub fn sync_connection(url: &str) -> redis::Connection {
    redis::Client::open(url).unwrap().get_connection().unwrap()
}

#[get("/protected")]
pub fn protected(token: Token) -> String {
    token.identity().to_owned()
}

#[get("/public")]
pub fn public() -> &'static str {
    "public"
}

pub async fn app(url: &str, prefix: &str, timeout_ms: u64) -> Client {
    let rocket = rocket_with(json!({"blocklist": url, "blocklist_key_prefix": prefix, "blocklist_timeout_ms": timeout_ms}))
        .attach(Auth::fairing())
        .mount("/", routes![protected, public]);
    Client::tracked(rocket).await.expect("launches")
}

pub fn auth(client: &Client) -> &Auth {
    client
        .rocket()
        .state::<Auth>()
        .expect("the fairing is attached")
}

pub async fn answer(response: LocalResponse<'_>) -> (Status, Value) {
    let status = response.status();
    let body = response.into_string().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

pub async fn get(client: &Client, path: &str, token: &str) -> (Status, Value) {
    answer(
        client
            .get(path.to_owned())
            .header(bearer(token))
            .dispatch()
            .await,
    )
    .await
}

pub async fn login(client: &Client, user: &str, password: &str) -> Value {
    let body = json!({"username": user, "password": password}).to_string();
    let (status, tokens) = answer(
        client
            .post("/login")
            .header(ContentType::JSON)
            .body(body)
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(status, Status::Ok);
    tokens
}
