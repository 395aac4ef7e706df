//! A local OpenID provider for the trusted-issuer tests: discovery and a JWKS over HTTP, a
//! fetch counter and a switch to go down; and tokens shaped like an issuer's.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use rocket::http::{Header as HttpHeader, Status};
use rocket::local::asynchronous::Client;
use rocket::serde::json::Json;
use rocket::{get, routes, State};
use serde_json::{json, Value};

use super::tools::serve;
use super::SECRET;

/// What the provider serves, and how often its JWKS was asked for.
#[derive(Default)]
pub struct Provider {
    pub issuer: Mutex<String>,
    pub jwks: Mutex<Value>,
    pub down: std::sync::atomic::AtomicBool,
    pub fetches: AtomicUsize,
    /// `""` (serve the keys), `"huge"` (over 256 KB), `"garbage"` (not JSON), `"stall"` (5 s).
    pub mode: Mutex<&'static str>,
}

#[get("/.well-known/openid-configuration")]
fn discovery(provider: &State<Arc<Provider>>) -> Json<Value> {
    let issuer = provider.issuer.lock().unwrap().clone();
    let base = issuer.trim_end_matches('/').to_owned();
    Json(json!({"issuer": issuer, "jwks_uri": format!("{base}/jwks")}))
}

#[get("/jwks")]
async fn jwks(
    provider: &State<Arc<Provider>>,
) -> Result<(rocket::http::ContentType, String), Status> {
    provider.fetches.fetch_add(1, Ordering::SeqCst);
    if provider.down.load(Ordering::SeqCst) {
        return Err(Status::ServiceUnavailable);
    }
    let mode = *provider.mode.lock().unwrap();
    let keys = provider.jwks.lock().unwrap().to_string();
    let body = match mode {
        "huge" => format!(r#"{{"keys": [], "padding": "{}"}}"#, "x".repeat(300 * 1024)),
        "garbage" => "<html>not a JWK set</html>".to_owned(),
        "stall" => {
            rocket::tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            keys
        }
        _ => keys,
    };
    Ok((rocket::http::ContentType::JSON, body))
}

pub fn pem(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/fixtures/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The public JWK of a fixture private key, with `kid` and `use`.
pub fn jwk(name: &str, algorithm: Algorithm, kid: &str, key_use: &str) -> Value {
    let key = match algorithm {
        Algorithm::ES256 => EncodingKey::from_ec_pem(&pem(name)).unwrap(),
        _ => EncodingKey::from_rsa_pem(&pem(name)).unwrap(),
    };
    let mut jwk =
        serde_json::to_value(jsonwebtoken::jwk::Jwk::from_encoding_key(&key, algorithm).unwrap())
            .unwrap();
    jwk["kid"] = json!(kid);
    jwk["use"] = json!(key_use);
    jwk
}

/// A provider on a free port serving `keys`; answers it and its issuer URL.
pub fn provider(keys: Vec<Value>) -> (Arc<Provider>, String) {
    let provider = Arc::new(Provider::default());
    *provider.jwks.lock().unwrap() = json!({"keys": keys});
    let figment =
        rocket::figment::Figment::from(rocket::Config::debug_default()).merge(("log_level", "off"));
    let rocket = rocket::custom(figment)
        .manage(Arc::clone(&provider))
        .mount("/", routes![discovery, jwks]);
    let port = serve(rocket);
    let issuer = format!("http://127.0.0.1:{port}/");
    *provider.issuer.lock().unwrap() = issuer.clone();
    (provider, issuer)
}

/// The usual entry: `issuer` by discovery, for audience `orders-api`, RS256 and ES256.
pub fn orders_api(issuer: &str) -> Value {
    json!({"issuer": issuer, "discovery": true, "audience": "orders-api", "algorithms": ["RS256", "ES256"]})
}

/// `rocket` (the quickstart) trusting the issuers `entries`.
pub async fn trusting(rocket: rocket::Rocket<rocket::Build>, entries: Value) -> Client {
    let jwt = json!({"secret_key": SECRET, "trusted_issuers": entries});
    let figment = rocket::figment::Figment::from(rocket::Config::debug_default())
        .merge(("log_level", "off"))
        .merge(("jwt", jwt));
    Client::tracked(rocket.configure(figment)).await.unwrap()
}

/// A token of the provider: Keycloak-like claims, signed with fixture key `name`.
pub fn external(
    issuer: &str,
    name: &str,
    algorithm: Algorithm,
    kid: &str,
    changes: Value,
) -> String {
    let now = jsonwebtoken::get_current_timestamp();
    let mut claims = json!({
        "iss": issuer, "aud": ["orders-api", "account"], "sub": "ext-user", "exp": now + 300,
        "iat": now, "jti": format!("ext-{kid}-{now}-{}", rand_suffix()), "typ": "Bearer", "azp": "web",
        "scope": "openid orders:read", "preferred_username": "ext",
    });
    claims
        .as_object_mut()
        .unwrap()
        .extend(changes.as_object().unwrap().clone());
    claims.as_object_mut().unwrap().retain(|_, v| !v.is_null());
    let mut header = Header::new(algorithm);
    header.kid = Some(kid.to_owned());
    let key = match algorithm {
        Algorithm::ES256 => EncodingKey::from_ec_pem(&pem(name)).unwrap(),
        _ => EncodingKey::from_rsa_pem(&pem(name)).unwrap(),
    };
    encode(&header, &claims, &key).unwrap()
}

pub fn rand_suffix() -> u64 {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::SeqCst) as u64
}

pub async fn get(client: &Client, path: &str, token: &str) -> (Status, Value) {
    let bearer = HttpHeader::new("Authorization", format!("Bearer {token}"));
    let response = client.get(path.to_owned()).header(bearer).dispatch().await;
    let status = response.status();
    (status, response.into_json().await.unwrap_or(Value::Null))
}

pub fn msg(text: &str) -> Value {
    json!({"msg": text})
}
