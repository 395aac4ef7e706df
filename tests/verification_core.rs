//! Regression tests of the verification core (issue: tokens accepted that must be refused),
//! each named for what it protects and each with its control, through Rocket's local client.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE;
use base64::Engine;
use common::*;
use jwt_ext::{
    fresh_jwt_required, jwt_refresh_token_required, jwt_required, Auth, AuthError, IssueError,
    JsonToken, MemoryBlocklist, OptionalToken, Refresh, Token,
};
use rocket::http::{ContentType, Cookie, Status};
use rocket::local::blocking::{Client, LocalResponse};
use rocket::{delete, get, post, routes};
use serde_json::{json, Value};

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

fn app_with(config: Value, fairing: jwt_ext::AuthFairing) -> Client {
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

fn app(config: Value) -> Client {
    app_with(config, Auth::fairing())
}

/// Body and header locations, the body first.
fn json_app() -> Client {
    app(json!({"token_location": ["json", "headers", "cookies"]}))
}

fn post_json<'c>(
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

fn revoke(client: &Client, token: &str) {
    let response = client.delete("/logout").header(bearer(token)).dispatch();
    assert_eq!(answer(response), (Status::Ok, json!("revoked")));
}

const AMBIGUOUS: &str = "The request carries more than one token; send one";

#[test]
fn a_revoked_body_token_is_not_served_because_a_header_token_passed() {
    let client = json_app();
    let auth = auth(&client);
    let alice = auth.access_token("alice").issue().unwrap();
    let bob = auth.access_token("bob").issue().unwrap();
    revoke(&client, &bob);

    let body = json!({"access_token": bob});
    assert_eq!(
        answer(post_json(&client, "/notes", body.clone(), Some(&alice))),
        (Status::UnprocessableEntity, msg(AMBIGUOUS))
    );
    // Controls: each token alone gets its own answer.
    assert_eq!(
        answer(post_json(&client, "/notes", body, None)),
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    assert_eq!(
        answer(post_json(&client, "/notes", json!({}), Some(&alice))),
        (Status::Ok, json!("alice"))
    );
    let carol = auth.access_token("carol").issue().unwrap();
    assert_eq!(
        answer(post_json(
            &client,
            "/notes",
            json!({"access_token": carol}),
            None
        )),
        (Status::Ok, json!("carol"))
    );
}

#[test]
fn a_refresh_route_mints_nothing_for_a_revoked_body_token() {
    let client = json_app();
    let auth = auth(&client);
    let alice = auth.refresh_token("alice").issue().unwrap();
    let bob = auth.refresh_token("bob").issue().unwrap();
    revoke(&client, &bob);

    let body = json!({"refresh_token": bob});
    assert_eq!(
        answer(post_json(
            &client,
            "/refresh-json",
            body.clone(),
            Some(&alice)
        )),
        (Status::UnprocessableEntity, msg(AMBIGUOUS))
    );
    assert_eq!(
        answer(post_json(&client, "/refresh-json", body, None)),
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    let (status, minted) = answer(post_json(&client, "/refresh-json", json!({}), Some(&alice)));
    assert_eq!(status, Status::Ok);
    let minted = auth.decode(minted.as_str().unwrap()).unwrap();
    assert_eq!(minted.identity(), "alice");
}

#[test]
fn a_route_reached_by_forwarding_enforces_its_own_freshness() {
    let client = json_app();
    let auth = auth(&client);
    let stale = auth.access_token("alice").issue().unwrap();
    let fresh = auth.access_token("alice").fresh(true).issue().unwrap();

    // The first route's optional policy passes, `abc` is not an integer: forwarded.
    assert_eq!(
        answer(post_json(
            &client,
            "/x/abc",
            json!({"access_token": stale}),
            None
        )),
        (Status::Unauthorized, msg("Fresh token required"))
    );
    assert_eq!(
        answer(post_json(&client, "/x/abc", json!({}), Some(&stale))),
        (Status::Unauthorized, msg("Fresh token required"))
    );
    // Controls: a fresh token passes the second route, the first route takes integers.
    assert_eq!(
        answer(post_json(
            &client,
            "/x/abc",
            json!({"access_token": fresh}),
            None
        )),
        (Status::Ok, json!("abc alice"))
    );
    assert_eq!(
        answer(post_json(&client, "/x/7", json!({}), Some(&stale))),
        (Status::Ok, json!("7 Some(\"alice\")"))
    );
}

#[test]
fn a_route_reached_by_forwarding_looks_only_in_its_own_locations() {
    let client = json_app();
    let token = auth(&client).access_token("alice").issue().unwrap();
    let cookie = Cookie::new("access_token_cookie", token.clone());

    // The first route accepts the cookie, then forwards; the second reads headers only.
    assert_eq!(
        answer(client.get("/y/abc").cookie(cookie.clone()).dispatch()),
        (Status::Unauthorized, msg("Missing Authorization Header"))
    );
    assert_eq!(
        answer(client.get("/y/abc").header(bearer(&token)).dispatch()),
        (Status::Ok, json!("abc alice"))
    );
    assert_eq!(
        answer(client.get("/y/1").cookie(cookie).dispatch()),
        (Status::Ok, json!(1))
    );
}

fn access(client: &Client, token: &str) -> (Status, Value) {
    answer(client.get("/protected").header(bearer(token)).dispatch())
}

fn invalid(text: &str) -> (Status, Value) {
    (Status::UnprocessableEntity, msg(text))
}

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

fn padded(json: &str) -> String {
    URL_SAFE.encode(json)
}

#[test]
fn padding_is_refused_in_every_segment() {
    let client = app(json!({}));
    let payload = payload_text(r#""pad":"x""#);
    let payload = (0..3)
        .map(|n| payload.replace(r#""x""#, &format!("\"{}\"", "x".repeat(n + 1))))
        .find(|p| p.len() % 3 != 0)
        .unwrap();
    let sign = |input: String| {
        let key = jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()).unwrap();
        let signature =
            jsonwebtoken::crypto::sign(input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256)
                .unwrap();
        format!("{input}.{signature}")
    };
    let unpadded = sign(format!(
        "{}.{}",
        b64(&serde_json::from_str(HEADER).unwrap()),
        URL_SAFE.encode(&payload).trim_end_matches('=')
    ));
    assert_eq!(access(&client, &unpadded), (Status::Ok, json!("alice")));

    let padded_payload = sign(format!("{}.{}", padded(HEADER), padded(&payload)));
    assert!(padded_payload.split('.').nth(1).unwrap().ends_with('='));
    assert_eq!(
        access(&client, &padded_payload),
        invalid("Invalid payload padding")
    );
    let header = r#"{"alg":"HS256","typ":"JWT","x":12}"#;
    let padded_header = sign(format!(
        "{}.{}",
        padded(header),
        padded(&payload).trim_end_matches('=')
    ));
    assert!(padded_header.split('.').next().unwrap().ends_with('='));
    assert_eq!(
        access(&client, &padded_header),
        invalid("Invalid header padding")
    );
    assert_eq!(
        access(&client, &format!("{unpadded}=")),
        invalid("Invalid crypto padding")
    );
}

#[test]
fn a_member_name_has_one_value() {
    let client = app(json!({}));
    let valid = Value::Object(payload()).to_string();
    // Last-wins would read `access` and let a refresh token into an access route.
    let twice = format!(r#"{{"type":"refresh",{}"#, &valid[1..]);
    assert_eq!(
        access(&client, &forge_raw(HEADER, &twice)),
        invalid("Duplicate member name in token")
    );
    assert_eq!(
        access(
            &client,
            &forge_raw(r#"{"alg":"HS256","alg":"HS256","typ":"JWT"}"#, &valid)
        ),
        invalid("Duplicate member name in token")
    );
    let nested = payload_text(r#""profile":{"role":"user","role":"admin"}"#);
    assert_eq!(
        access(&client, &forge_raw(HEADER, &nested)),
        invalid("Duplicate member name in token")
    );
    assert_eq!(
        access(&client, &forge_raw(HEADER, &valid)),
        (Status::Ok, json!("alice"))
    );
}

/// A claim nested so that the deepest container is at `depth`, the payload being level 1.
fn nested_claim(depth: usize) -> String {
    let inner = depth - 1;
    format!(r#""deep":{}{}"#, "[".repeat(inner), "]".repeat(inner))
}

#[test]
fn nesting_is_at_most_64_levels() {
    let client = app(json!({}));
    let at_limit = forge_raw(HEADER, &payload_text(&nested_claim(64)));
    assert_eq!(access(&client, &at_limit), (Status::Ok, json!("alice")));
    for depth in [65, 2000] {
        let token = forge_raw(HEADER, &payload_text(&nested_claim(depth)));
        assert_eq!(
            access(&client, &token),
            invalid("Token is nested too deeply"),
            "{depth}"
        );
    }
}

#[test]
fn a_lone_surrogate_is_refused_and_the_payload_is_what_was_verified() {
    let client = app(json!({"max_token_bytes": 16384}));
    let lone = forge_raw(HEADER, &payload_text(r#""name":"\ud800""#));
    assert_eq!(access(&client, &lone), invalid("Invalid payload string"));
    let key = forge_raw(HEADER, &payload_text(r#""\udc00":1"#));
    assert_eq!(access(&client, &key), invalid("Invalid payload string"));

    let pair = forge_raw(HEADER, &payload_text(r#""name":"\ud83d\ude00 \u00e9""#));
    let (status, payload) = answer(client.get("/claims").header(bearer(&pair)).dispatch());
    assert_eq!(status, Status::Ok);
    assert_eq!(payload["name"], json!("😀 é"));
    assert_eq!(payload["sub"], json!("alice"));
}

#[test]
fn max_token_lifetime_refuses_longer_tokens() {
    let client = app(json!({"max_token_lifetime": 3600}));
    let auth = auth(&client);
    let long = auth
        .access_token("alice")
        .expires_in(Duration::from_secs(7200))
        .issue()
        .unwrap();
    assert_eq!(
        access(&client, &long),
        invalid("Token lifetime exceeds the maximum")
    );
    let mut claims = payload();
    claims.remove("exp");
    assert_eq!(
        access(&client, &forge(&claims)),
        invalid("Missing claim: exp")
    );
    let normal = auth.access_token("alice").issue().unwrap();
    assert_eq!(access(&client, &normal), (Status::Ok, json!("alice")));
}

fn memory_app(config: Value) -> (Client, Arc<MemoryBlocklist>) {
    let store = Arc::new(MemoryBlocklist::new());
    let client = app_with(config, Auth::fairing().blocklist(Arc::clone(&store)));
    (client, store)
}

const DAY: i64 = 86_400;

/// A 90-day refresh token of alice's, then "log out everywhere" with an access token of hers.
fn logged_out_everywhere(config: Value) -> (Client, Arc<MemoryBlocklist>, String) {
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

fn refresh(client: &Client, token: &str) -> (Status, Value) {
    answer(client.post("/refresh").header(bearer(token)).dispatch())
}

#[test]
fn log_out_everywhere_never_lapses_while_a_token_can_pass() {
    let (client, store, long) = logged_out_everywhere(json!({}));
    // The configured refresh lifetime (30 days) has passed, the token's own (90) has not.
    store.evict_expired_at(now() + 31 * DAY);
    assert_eq!(
        refresh(&client, &long),
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    // Control: a login after the logout works.
    let new = auth(&client).refresh_token("alice").issue().unwrap();
    assert_eq!(refresh(&client, &new), (Status::Ok, json!("alice")));
}

#[test]
fn with_max_token_lifetime_log_out_everywhere_is_kept_that_long() {
    let (client, store, long) = logged_out_everywhere(json!({"max_token_lifetime": 100 * DAY}));
    store.evict_expired_at(now() + 99 * DAY);
    assert_eq!(
        refresh(&client, &long),
        (Status::Unauthorized, msg("Token has been revoked"))
    );
}

#[test]
fn a_token_that_expires_at_the_end_of_time_is_revoked_forever() {
    let (client, store) = memory_app(json!({"decode_leeway": 1}));
    let token = auth(&client)
        .access_token("alice")
        .expires_in(Duration::MAX)
        .issue()
        .unwrap();
    assert_eq!(access(&client, &token), (Status::Ok, json!("alice")));
    revoke(&client, &token);
    store.evict_expired_at(i64::MAX - 1);
    assert_eq!(
        access(&client, &token),
        (Status::Unauthorized, msg("Token has been revoked"))
    );
}

#[test]
fn two_authorization_headers_are_ambiguous() {
    let client = app(json!({}));
    let auth = auth(&client);
    let alice = auth.access_token("alice").issue().unwrap();
    let bob = auth.access_token("bob").issue().unwrap();
    for second in [&alice, &bob] {
        let response = client
            .get("/protected")
            .header(bearer(&alice))
            .header(bearer(second))
            .dispatch();
        assert_eq!(
            answer(response),
            invalid("Bad Authorization header. Send one 'Authorization' header, not several")
        );
    }
    assert_eq!(access(&client, &alice), (Status::Ok, json!("alice")));
}

#[test]
fn two_query_parameters_are_ambiguous() {
    let client = app(json!({"token_location": ["query_string"]}));
    let token = auth(&client).access_token("alice").issue().unwrap();
    assert_eq!(
        answer(
            client
                .get(format!("/protected?jwt={token}&jwt={token}"))
                .dispatch()
        ),
        invalid("Bad query string. Send one 'jwt' query parameter, not several")
    );
    assert_eq!(
        answer(client.get(format!("/protected?jwt={token}")).dispatch()),
        (Status::Ok, json!("alice"))
    );
}

#[test]
fn the_fairing_keeps_a_response_the_application_produced() {
    let client = app(json!({}));
    let auth = auth(&client);
    let token = auth.access_token("alice").issue().unwrap();
    let bad = format!("{token}x");
    let expired = auth
        .access_token("alice")
        .expires_in(Duration::ZERO)
        .issue()
        .unwrap();
    // Whatever the swallowed failure's status: 422, or 401 like the handler's own answer.
    for request in [
        client.get("/mine").header(bearer(&bad)),
        client.get("/mine").header(bearer(&expired)),
        client.get("/mine"),
    ] {
        assert_eq!(
            answer(request.dispatch()),
            (Status::Unauthorized, json!("my own answer"))
        );
    }
    // Control: a guard failure that reaches Rocket gets jwt-ext's answer.
    assert_eq!(
        access(&client, &bad),
        invalid("Signature verification failed")
    );
    assert_eq!(
        answer(client.get("/mine").header(bearer(&token)).dispatch()),
        (Status::Ok, json!("yours"))
    );
}

/// The attributes of a `Set-Cookie` value, without the value itself.
fn attributes(set_cookie: &str) -> (String, Vec<String>) {
    let mut parts = set_cookie.split(';').map(str::trim);
    let name = parts
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(name, _)| name.to_owned())
        .unwrap();
    let mut rest: Vec<String> = parts.map(str::to_owned).collect();
    rest.sort();
    (name, rest)
}

fn cookie_app(config: Value) -> Client {
    let mut base = json!({"token_location": ["cookies"], "implicit_refresh_window": 100_000});
    if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), config) {
        base.extend(extra);
    }
    app_with(
        base,
        Auth::fairing().token_verification(|token| token.identity() != "mallory"),
    )
}

fn cookie_of(client: &Client, who: &str) -> (Cookie<'static>, Vec<String>) {
    let response = client.post(format!("/login/{who}")).dispatch();
    let set = set_cookies(&response);
    let line = set
        .iter()
        .find(|c| c.starts_with("access_token_cookie="))
        .unwrap()
        .clone();
    let value = line
        .split(';')
        .next()
        .and_then(|p| p.split_once('='))
        .map(|(_, v)| v.to_owned())
        .unwrap();
    (Cookie::new("access_token_cookie", value), set)
}

#[test]
fn an_implicitly_refreshed_cookie_reads_like_the_login_cookie() {
    for config in [
        json!({}),
        json!({"cookie_samesite": "Lax", "session_cookie": false}),
    ] {
        let client = cookie_app(config.clone());
        let (cookie, login) = cookie_of(&client, "alice");
        let response = client.get("/protected").cookie(cookie).dispatch();
        let refreshed = set_cookies(&response);
        assert_eq!(answer(response), (Status::Ok, json!("alice")));
        let mut login: Vec<_> = login.iter().map(|c| attributes(c)).collect();
        let mut refreshed: Vec<_> = refreshed.iter().map(|c| attributes(c)).collect();
        login.sort();
        refreshed.sort();
        assert_eq!(refreshed, login, "{config}");
        assert!(
            login[0].1.iter().any(|a| a.starts_with("SameSite=")),
            "{login:?}"
        );
    }
}

#[test]
fn no_cookie_is_minted_for_a_token_the_pipeline_refused() {
    let client = cookie_app(json!({}));
    let (mallory, _) = cookie_of(&client, "mallory");
    let response = client.get("/maybe").cookie(mallory).dispatch();
    assert!(
        set_cookies(&response).is_empty(),
        "{:?}",
        set_cookies(&response)
    );
    assert_eq!(answer(response), (Status::Ok, json!("anonymous")));
    // Control: the same route with a token that passes gets a new cookie.
    let (alice, _) = cookie_of(&client, "alice");
    let response = client.get("/maybe").cookie(alice).dispatch();
    assert_eq!(set_cookies(&response).len(), 2);
    assert_eq!(answer(response), (Status::Ok, json!("alice")));
}
