//! The Redis blocklist against real servers: the shared one at `REDIS_URL` (default
//! `redis://127.0.0.1:6379`) and, for fault tests, a `redis-server` of the test's own that is
//! frozen, killed and restarted mid-test.
//!
//! Without Redis these tests fail when `CI=true` and are skipped, saying why, elsewhere.
//! They use Rocket's asynchronous client: a Redis connection belongs to the runtime it was
//! opened on, as in an app, where everything runs on Rocket's runtime.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/quickstart.rs"]
mod quickstart;

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use jwt_ext::{Auth, Blocklist, RedisBlocklist, Token};
use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::{get, routes};
use serde_json::{json, Value};

/// The shared server, or `None` (after saying why) when the test should be skipped.
fn shared_redis() -> Option<String> {
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
fn prefix(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("jwt-ext-test:{}:{nanos}:{test}:", std::process::id())
}

fn sync_connection(url: &str) -> redis::Connection {
    redis::Client::open(url).unwrap().get_connection().unwrap()
}

#[get("/protected")]
fn protected(token: Token) -> String {
    token.identity().to_owned()
}

#[get("/public")]
fn public() -> &'static str {
    "public"
}

async fn app(url: &str, prefix: &str, timeout_ms: u64) -> Client {
    let rocket = rocket_with(json!({"blocklist": url, "blocklist_key_prefix": prefix, "blocklist_timeout_ms": timeout_ms}))
        .attach(Auth::fairing())
        .mount("/", routes![protected, public]);
    Client::tracked(rocket).await.expect("launches")
}

fn auth(client: &Client) -> &Auth {
    client
        .rocket()
        .state::<Auth>()
        .expect("the fairing is attached")
}

async fn answer(response: LocalResponse<'_>) -> (Status, Value) {
    let status = response.status();
    let body = response.into_string().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

async fn get(client: &Client, path: &str, token: &str) -> (Status, Value) {
    answer(
        client
            .get(path.to_owned())
            .header(bearer(token))
            .dispatch()
            .await,
    )
    .await
}

async fn login(client: &Client, user: &str, password: &str) -> Value {
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

#[rocket::async_test]
async fn revoking_tokens_and_identities_in_redis() {
    let Some(url) = shared_redis() else { return };
    let prefix = prefix("store");
    let client = app(&url, &prefix, 1000).await;
    let auth = auth(&client);
    let store = RedisBlocklist::open(&url)
        .unwrap()
        .with_prefix(prefix.as_str());
    let access = auth
        .decode(&auth.access_token("alice").issue().unwrap())
        .unwrap();
    let refresh = auth
        .decode(&auth.refresh_token("alice").issue().unwrap())
        .unwrap();
    let bob = auth
        .decode(&auth.access_token("bob").issue().unwrap())
        .unwrap();

    assert!(!store.is_revoked(&access).await.unwrap());
    auth.revoke(&access).await.unwrap();
    auth.revoke(&access).await.unwrap(); // twice is harmless
    assert!(store.is_revoked(&access).await.unwrap());
    assert!(!store.is_revoked(&refresh).await.unwrap());
    auth.revoke(&refresh).await.unwrap();
    assert!(store.is_revoked(&refresh).await.unwrap());
    auth.revoke_identity("bob").await.unwrap();
    assert!(store.is_revoked(&bob).await.unwrap());

    // Keys live as long as the token could pass, no longer.
    let mut redis = sync_connection(&url);
    let token_key = |jti: Option<&str>| format!("{prefix}token:{}", jti.unwrap());
    let ttl: i64 = redis::cmd("TTL")
        .arg(token_key(access.jti()))
        .query(&mut redis)
        .unwrap();
    let remaining = access.expires_at().unwrap() - now();
    assert!(
        (remaining - 2..=remaining).contains(&ttl),
        "ttl {ttl}, token has {remaining}s left"
    );
    let identity_key = format!("{prefix}identity:bob");
    let ttl: i64 = redis::cmd("TTL")
        .arg(&identity_key)
        .query(&mut redis)
        .unwrap();
    // Without `max_token_lifetime` nothing bounds how long a token of bob's may live (a
    // builder's `expires_in`, a peer's settings), so the entry is kept.
    assert_eq!(ttl, -1, "identity ttl {ttl}");
    let stored: i64 = redis::cmd("GET")
        .arg(&identity_key)
        .query(&mut redis)
        .unwrap();
    assert!(stored >= bob.issued_at().unwrap());

    // An expired token needs no entry.
    store
        .revoke_token("already-expired", Some(now() - 1))
        .await
        .unwrap();
    let exists: i64 = redis::cmd("EXISTS")
        .arg(token_key(Some("already-expired")))
        .query(&mut redis)
        .unwrap();
    assert_eq!(exists, 0);

    // Through the guards: revoked tokens and identities are refused, others pass.
    let carol = auth.access_token("carol").issue().unwrap();
    assert_eq!(
        get(&client, "/protected", &carol).await,
        (Status::Ok, json!("carol"))
    );
    let mut claims = payload();
    claims.insert("sub".into(), json!("bob"));
    claims.insert("iat".into(), json!(bob.issued_at().unwrap()));
    assert_eq!(
        get(&client, "/protected", &forge(&claims)).await,
        (Status::Unauthorized, msg("Token has been revoked"))
    );

    let _: () = redis::cmd("DEL")
        .arg(token_key(access.jti()))
        .arg(token_key(refresh.jti()))
        .arg(&identity_key)
        .query(&mut redis)
        .unwrap();
}

#[rocket::async_test]
async fn identity_revocations_keep_the_latest_time() {
    let Some(url) = shared_redis() else { return };
    let prefix = prefix("identity");
    let store = RedisBlocklist::open(&url)
        .unwrap()
        .with_prefix(prefix.as_str());
    let mut redis = sync_connection(&url);
    let key = format!("{prefix}identity:alice");
    store
        .revoke_identity("alice", 2_000, Some(now() + 100))
        .await
        .unwrap();
    store
        .revoke_identity("alice", 1_000, Some(now() + 50))
        .await
        .unwrap();
    let stored: i64 = redis::cmd("GET").arg(&key).query(&mut redis).unwrap();
    assert_eq!(stored, 2_000);
    let ttl: i64 = redis::cmd("TTL").arg(&key).query(&mut redis).unwrap();
    assert!((95..=100).contains(&ttl), "ttl {ttl}");
    store.revoke_identity("alice", 3_000, None).await.unwrap();
    let ttl: i64 = redis::cmd("TTL").arg(&key).query(&mut redis).unwrap();
    assert_eq!(ttl, -1, "no expiry once a never-expiring token is covered");
    let _: () = redis::cmd("DEL").arg(&key).query(&mut redis).unwrap();
}

async fn quickstart_on(url: &str, prefix: &str) -> Client {
    let rocket = quickstart::rocket().configure(
        rocket::figment::Figment::from(rocket::Config::debug_default())
            .merge(("log_level", "off"))
            .merge((
                "jwt",
                json!({"secret_key": SECRET, "blocklist": url, "blocklist_key_prefix": prefix}),
            )),
    );
    Client::untracked(rocket)
        .await
        .expect("the quickstart launches on Redis")
}

#[rocket::async_test]
async fn two_quickstart_instances_share_revocations() {
    let Some(url) = shared_redis() else { return };
    let prefix = prefix("shared");
    let (a, b) = (
        quickstart_on(&url, &prefix).await,
        quickstart_on(&url, &prefix).await,
    );
    let tokens = login(&a, "alice", "wonderland").await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(
        get(&b, "/protected", &access).await,
        (Status::Ok, json!({"logged_in_as": "alice"}))
    );

    let logout = answer(a.delete("/logout").header(bearer(&access)).dispatch().await).await;
    assert_eq!(logout, (Status::Ok, msg("Access token revoked")));
    assert_eq!(
        get(&b, "/protected", &access).await,
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    assert_eq!(
        answer(b.post("/refresh").header(bearer(&refresh)).dispatch().await)
            .await
            .0,
        Status::Ok
    );

    let fresh = login(&b, "alice", "wonderland").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        answer(
            b.delete("/logout-everywhere")
                .header(bearer(&fresh))
                .dispatch()
                .await
        )
        .await
        .0,
        Status::Ok
    );
    let refreshed = answer(a.post("/refresh").header(bearer(&refresh)).dispatch().await).await;
    assert_eq!(
        refreshed,
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    assert_eq!(
        get(&a, "/protected", &fresh).await,
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    let after = login(&a, "alice", "wonderland").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        get(&b, "/protected", &after).await,
        (Status::Ok, json!({"logged_in_as": "alice"}))
    );

    let mut redis = sync_connection(&url);
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query(&mut redis)
        .unwrap();
    assert!(!keys.is_empty());
    let _: () = redis::cmd("DEL").arg(&keys).query(&mut redis).unwrap();
}

/// A `redis-server` of the test's own on a free port.
struct OwnRedis {
    port: u16,
    child: Child,
}

impl OwnRedis {
    fn start(port: Option<u16>) -> Option<OwnRedis> {
        let port = port.unwrap_or_else(|| {
            TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        });
        let spawned = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(e) => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "redis-server is required in CI: {e}"
                );
                eprintln!(
                    "SKIPPED: cannot start redis-server ({e}); install it to run the fault tests"
                );
                return None;
            }
        };
        let server = OwnRedis { port, child };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(mut c) =
                redis::Client::open(server.url().as_str()).and_then(|c| c.get_connection())
            {
                if redis::cmd("PING").query::<String>(&mut c).is_ok() {
                    return Some(server);
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server on port {port} did not come up");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Retries until `/protected` answers `status`: the store reconnects by itself.
async fn eventually(client: &Client, token: &str, status: Status) -> (Status, Value) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = get(client, "/protected", token).await;
        if got.0 == status || Instant::now() > deadline {
            return got;
        }
        rocket::tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[rocket::async_test]
async fn an_unreachable_store_fails_closed_and_recovers() {
    let Some(mut server) = OwnRedis::start(None) else {
        return;
    };
    let client = app(&server.url(), &prefix("faults"), 200).await;
    let auth = auth(&client);
    let token = auth.access_token("alice").issue().unwrap();
    let revoked = auth.access_token("alice").issue().unwrap();
    auth.revoke(&auth.decode(&revoked).unwrap()).await.unwrap();
    assert_eq!(get(&client, "/protected", &token).await.0, Status::Ok);
    let unavailable = msg("Token revocation store unavailable");
    let public = || async { answer(client.get("/public").dispatch().await).await };

    // Frozen: every command times out.
    server.signal("-STOP");
    let response = client
        .get("/protected")
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.headers().get_one("Retry-After"), Some("5"));
    assert_eq!(
        answer(response).await,
        (Status::ServiceUnavailable, unavailable.clone())
    );
    assert_eq!(
        get(&client, "/protected", &revoked).await,
        (Status::ServiceUnavailable, unavailable.clone())
    );
    // A revocation during the outage does not claim success (it may still land later: fail
    // closed means more revoked, never less).
    let logging_out = auth.access_token("alice").issue().unwrap();
    assert_eq!(
        auth.revoke(&auth.decode(&logging_out).unwrap()).await,
        Err(jwt_ext::AuthError::StoreUnavailable)
    );
    assert_eq!(public().await, (Status::Ok, json!("public")));
    server.signal("-CONT");
    assert_eq!(
        eventually(&client, &token, Status::Ok).await,
        (Status::Ok, json!("alice"))
    );
    assert_eq!(
        get(&client, "/protected", &revoked).await,
        (Status::Unauthorized, msg("Token has been revoked"))
    );

    // Killed: connection refused, then a new server on the same port.
    let port = server.port;
    server.signal("-KILL");
    let _ = server.child.wait();
    assert_eq!(
        get(&client, "/protected", &token).await,
        (Status::ServiceUnavailable, unavailable.clone())
    );
    assert_eq!(
        get(&client, "/protected", &revoked).await,
        (Status::ServiceUnavailable, unavailable)
    );
    assert_eq!(public().await, (Status::Ok, json!("public")));
    let restarted = OwnRedis::start(Some(port)).expect("restarts");
    assert_eq!(
        eventually(&client, &token, Status::Ok).await,
        (Status::Ok, json!("alice"))
    );
    drop(restarted);
}

#[rocket::async_test]
async fn quickstart_logout_answers_503_while_redis_is_down() {
    let Some(server) = OwnRedis::start(None) else {
        return;
    };
    let client = quickstart_on(&server.url(), &prefix("logout")).await;
    let access = login(&client, "test", "test").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    server.signal("-STOP");
    let response = client
        .delete("/logout")
        .header(bearer(&access))
        .dispatch()
        .await;
    assert!(response.headers().get_one("Retry-After").is_some());
    assert_eq!(
        answer(response).await,
        (
            Status::ServiceUnavailable,
            msg("Token revocation store unavailable")
        )
    );
    login(&client, "test", "test").await; // routes without a token keep working
    server.signal("-CONT");
    let response = client
        .delete("/logout")
        .header(bearer(&access))
        .dispatch()
        .await;
    assert_eq!(
        answer(response).await,
        (Status::Ok, msg("Access token revoked"))
    );
}

/// `expires_in(Duration::MAX)` with a leeway: no overflow (it used to panic in debug builds and
/// store nothing in release builds), an expiry past what Redis accepts is kept forever, and
/// with `max_token_lifetime` the identity entry expires when the longest token could.
#[rocket::async_test]
async fn expiries_redis_cannot_hold_are_stored_forever() {
    let Some(url) = shared_redis() else { return };
    let prefix = prefix("forever");
    let rocket =
        rocket_with(json!({"blocklist": url, "blocklist_key_prefix": prefix, "decode_leeway": 1}))
            .attach(Auth::fairing())
            .mount("/", routes![protected]);
    let client = Client::tracked(rocket).await.expect("launches");
    let auth = auth(&client);
    let raw = auth
        .access_token("alice")
        .expires_in(Duration::MAX)
        .issue()
        .unwrap();
    let token = auth.decode(&raw).unwrap();
    auth.revoke(&token).await.unwrap();
    assert_eq!(
        get(&client, "/protected", &raw).await,
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    let mut redis = sync_connection(&url);
    let ttl: i64 = redis::cmd("TTL")
        .arg(format!("{prefix}token:{}", token.jti().unwrap()))
        .query(&mut redis)
        .unwrap();
    assert_eq!(ttl, -1);

    let bounded = prefix.clone() + "bounded:";
    let rocket = rocket_with(
        json!({"blocklist": url, "blocklist_key_prefix": bounded, "max_token_lifetime": 3600}),
    )
    .attach(Auth::fairing())
    .mount("/", routes![protected]);
    let bounded_client = Client::tracked(rocket).await.expect("launches");
    self::auth(&bounded_client)
        .revoke_identity("bob")
        .await
        .unwrap();
    let ttl: i64 = redis::cmd("TTL")
        .arg(format!("{bounded}identity:bob"))
        .query(&mut redis)
        .unwrap();
    assert!((3590..=3600).contains(&ttl), "identity ttl {ttl}");
}
