//! The encode-key and decode-key hooks (Flask's `encode_key_loader` / `decode_key_loader`): what
//! they return is still checked against the allow-list and the key's algorithm, and a hook that
//! fails answers like a bad signature (422), never 500.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use common::{answer, bearer, forge_with, msg, payload};
use jwt_ext::{Auth, AuthFairing, IssueError, KeyChoice, Token};
use rocket::http::Status;
use rocket::local::blocking::Client;
use rocket::{get, routes};
use serde_json::{json, Value};

const ACME: &str = "acme-secret-acme-secret-acme-secret-0123";
const GLOBEX: &str = "globex-secret-globex-secret-globex-01234";

fn key(name: &str) -> String {
    let path = format!("{}/fixtures/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

#[get("/protected")]
fn protected(token: Token) -> String {
    token.identity().to_owned()
}

fn app(jwt: Value, fairing: AuthFairing) -> Client {
    let figment = rocket::figment::Figment::from(rocket::Config::debug_default())
        .merge(("log_level", "off"))
        .merge(("jwt", jwt));
    let rocket = rocket::custom(figment)
        .attach(fairing)
        .mount("/", routes![protected]);
    Client::tracked(rocket).unwrap()
}

/// Each tenant's secret, chosen from the unverified payload; the RSA public key for `rsa`.
fn tenants() -> AuthFairing {
    Auth::fairing().decode_key(|_header, payload| {
        let tenant = payload
            .get("tenant")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Box::pin(async move {
            match tenant.as_deref() {
                Some("acme") => Ok(KeyChoice::Secret(ACME.into())),
                Some("globex") => Ok(KeyChoice::Secret(GLOBEX.into())),
                Some("rsa") => Ok(KeyChoice::PublicPem(key("rsa_public.pem").into_bytes())),
                Some("set") => Ok(KeyChoice::Kid("hs".into())),
                _ => Err("unknown tenant".to_owned()),
            }
        })
    })
}

fn config() -> Value {
    json!({
        "decode_algorithms": ["HS256", "RS256"],
        "keys": [{"kid": "hs", "algorithm": "HS256", "secret_key": "the-set-secret-the-set-secret-0123456789"}],
    })
}

fn tenant_token(tenant: &str, header: Value, secret: &str) -> String {
    let mut claims = payload();
    claims.insert("tenant".into(), json!(tenant));
    forge_with(&header, &Value::Object(claims), secret)
}

fn get(client: &Client, token: &str) -> (Status, Value) {
    answer(client.get("/protected").header(bearer(token)).dispatch())
}

#[test]
fn the_decode_hook_chooses_each_tokens_key() {
    let client = app(config(), tenants());
    let hs = json!({"alg": "HS256", "typ": "JWT"});
    assert_eq!(
        get(&client, &tenant_token("acme", hs.clone(), ACME)),
        (Status::Ok, json!("alice"))
    );
    assert_eq!(
        get(&client, &tenant_token("globex", hs.clone(), GLOBEX)),
        (Status::Ok, json!("alice"))
    );
    let set_secret = "the-set-secret-the-set-secret-0123456789";
    let with_kid = json!({"alg": "HS256", "kid": "hs", "typ": "JWT"});
    assert_eq!(
        get(&client, &tenant_token("set", with_kid, set_secret)),
        (Status::Ok, json!("alice"))
    );
    // Another tenant's secret, and an unknown tenant: a bad signature, never a 500.
    let bad = (
        Status::UnprocessableEntity,
        msg("Signature verification failed"),
    );
    assert_eq!(get(&client, &tenant_token("acme", hs.clone(), GLOBEX)), bad);
    assert_eq!(
        get(&client, &tenant_token("initech", hs.clone(), ACME)),
        bad
    );
}

#[test]
fn what_the_hook_chose_is_checked_against_the_allow_list_and_the_algorithm() {
    let client = app(config(), tenants());
    // A secret for an RS256 token, or a public key for an HS256 one: refused.
    let rs = json!({"alg": "RS256", "typ": "JWT"});
    let (status, _) = get(&client, &tenant_token("acme", rs, ACME));
    assert_eq!(status, Status::UnprocessableEntity);
    let confused = tenant_token(
        "rsa",
        json!({"alg": "HS256", "typ": "JWT"}),
        &key("rsa_public.pem"),
    );
    assert_eq!(
        get(&client, &confused),
        (
            Status::UnprocessableEntity,
            msg("The specified alg value is not the algorithm of its key")
        )
    );
    // An algorithm outside the allow-list is refused whatever the hook says.
    let hs512 = tenant_token("acme", json!({"alg": "HS512", "typ": "JWT"}), ACME);
    assert_eq!(
        get(&client, &hs512),
        (
            Status::UnprocessableEntity,
            msg("The specified alg value is not allowed")
        )
    );
}

#[rocket::async_test]
async fn the_encode_hook_chooses_the_signing_key_per_identity() {
    let fairing = Auth::fairing().encode_key(|identity, _kind| {
        let kid = (identity == "alice").then(|| "rsa".to_owned());
        Box::pin(async move { Ok(kid) })
    });
    let jwt = json!({
        "signing_key": "ec",
        "keys": [
            {"kid": "rsa", "algorithm": "RS256", "private_key": key("rsa_private.pem")},
            {"kid": "ec", "algorithm": "ES256", "private_key": key("ec_private.pem")},
            {"kid": "pub", "algorithm": "RS256", "public_key": key("rsa_other_public.pem")},
        ],
    });
    let figment = rocket::figment::Figment::from(rocket::Config::debug_default())
        .merge(("log_level", "off"))
        .merge(("jwt", jwt));
    let rocket = rocket::custom(figment)
        .attach(fairing)
        .mount("/", routes![protected]);
    let client = rocket::local::asynchronous::Client::untracked(rocket)
        .await
        .unwrap();
    let auth = client.rocket().state::<Auth>().unwrap();
    let kid_of = |token: &str| {
        use base64::Engine;
        let part = token.split('.').next().unwrap();
        let header: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .unwrap(),
        )
        .unwrap();
        header["kid"].as_str().unwrap().to_owned()
    };
    let alice = auth.access_token("alice").issue_async().await.unwrap();
    let bob = auth.access_token("bob").issue_async().await.unwrap();
    assert_eq!((kid_of(&alice), kid_of(&bob)), ("rsa".into(), "ec".into()));
    for token in [&alice, &bob] {
        let response = client
            .get("/protected")
            .header(bearer(token))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Ok);
    }
    // The sync issue says to use the async one; an explicit key needs no hook.
    assert_eq!(
        auth.access_token("bob").issue(),
        Err(IssueError::NeedsAsyncIssue)
    );
    assert_eq!(
        kid_of(&auth.access_token("bob").key("rsa").issue().unwrap()),
        "rsa"
    );
    assert_eq!(
        auth.access_token("bob").key("pub").issue(),
        Err(IssueError::UnknownSigningKey("pub".into()))
    );
}
