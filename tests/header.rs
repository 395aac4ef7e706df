//! The Authorization-header location through Rocket's local client: every SPEC §9 row it can
//! produce, hostile tokens, the token layout, freshness, types, optional tokens, revocation,
//! hooks and the decode-once guarantee.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use jwt_ext::{
    AnyType, Auth, AuthError, Blocklist, Claims, ClaimsError, CurrentUser, ErrorKind, Fresh,
    MemoryBlocklist, OptionalToken, Refresh, StoreError, Token, TokenData, UserLoader,
};
use rocket::http::{Accept, Header, Status};
use rocket::{catch, catchers, get, post, routes, Request};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

#[derive(Debug, Serialize, Deserialize)]
struct Role {
    role: String,
}

impl Claims for Role {
    fn validate(&self) -> Result<(), ClaimsError> {
        if self.role == "banned" {
            Err(ClaimsError::new("banned role"))
        } else {
            Ok(())
        }
    }
}

struct TestUser(String);

struct Loader;

#[rocket::async_trait]
impl UserLoader for Loader {
    type User = TestUser;

    async fn load_user(&self, token: &TokenData, _: &Request<'_>) -> Option<TestUser> {
        (token.identity() != "ghost").then(|| TestUser(token.identity().to_owned()))
    }
}

/// Counts revocation checks, to observe that a request asks the store once.
#[derive(Default, Clone)]
struct Counting {
    inner: Arc<MemoryBlocklist>,
    checks: Arc<AtomicUsize>,
    down: Arc<std::sync::atomic::AtomicBool>,
}

#[rocket::async_trait]
impl Blocklist for Counting {
    async fn is_revoked(&self, token: &TokenData) -> Result<bool, StoreError> {
        self.checks.fetch_add(1, Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::new("connection refused"));
        }
        self.inner.is_revoked(token).await
    }

    async fn revoke_token(&self, jti: &str, keep_until: Option<i64>) -> Result<(), StoreError> {
        self.inner.revoke_token(jti, keep_until).await
    }

    async fn revoke_identity(
        &self,
        identity: &str,
        before: i64,
        keep: Option<i64>,
    ) -> Result<(), StoreError> {
        self.inner.revoke_identity(identity, before, keep).await
    }
}

#[get("/protected")]
fn protected(token: Token) -> String {
    token.identity().to_owned()
}

#[get("/fresh")]
fn fresh(token: Token<(), Fresh>) -> String {
    token.identity().to_owned()
}

#[post("/refresh")]
fn refresh(token: Token<(), Refresh>) -> String {
    token.identity().to_owned()
}

#[get("/any")]
fn any(token: Token<(), AnyType>) -> String {
    format!("{:?}", token.token_type())
}

#[get("/optional")]
fn optional(token: OptionalToken) -> String {
    token.identity().unwrap_or("anonymous").to_owned()
}

#[get("/role")]
fn role(token: Token<Role>) -> String {
    token.claims().role.clone()
}

#[get("/dynamic")]
fn dynamic(token: Token<Map<String, Value>>) -> String {
    Value::Object(token.claims().clone()).to_string()
}

#[get("/user")]
fn user(user: CurrentUser<TestUser>) -> String {
    user.0.clone()
}

#[get("/many")]
fn many(
    a: Token,
    b: Token<Map<String, Value>>,
    c: OptionalToken,
    d: CurrentUser<TestUser>,
) -> String {
    format!(
        "{} {} {:?} {}",
        a.identity(),
        b.identity(),
        c.identity(),
        d.0
    )
}

#[get("/own-401")]
fn own_401() -> Status {
    Status::Unauthorized
}

#[catch(401)]
fn app_401() -> &'static str {
    "the app's own 401 page"
}

struct App {
    client: rocket::local::blocking::Client,
    store: Counting,
}

fn app_with(
    config: Value,
    fairing: impl FnOnce(jwt_ext::AuthFairing) -> jwt_ext::AuthFairing,
) -> App {
    let store = Counting::default();
    let rocket = rocket_with(config)
        .attach(fairing(
            Auth::fairing().user_loader(Loader).blocklist(store.clone()),
        ))
        .mount(
            "/",
            routes![protected, fresh, refresh, any, optional, role, dynamic, user, many, own_401],
        )
        .register("/", catchers![app_401]);
    App {
        client: client(rocket),
        store,
    }
}

fn app() -> App {
    app_with(json!({}), |f| f)
}

impl App {
    fn get(&self, path: &str, token: &str) -> (Status, Value) {
        answer(self.client.get(path).header(bearer(token)).dispatch())
    }

    fn get_with(&self, path: &str, header: Header<'static>) -> (Status, Value) {
        answer(self.client.get(path).header(header).dispatch())
    }

    /// A 401 with `WWW-Authenticate: Bearer error="invalid_token"` and `message`.
    fn assert_invalid_token(&self, path: &str, token: &str, message: &str) {
        let response = self.client.get(path).header(bearer(token)).dispatch();
        assert_eq!(
            response.headers().get_one("WWW-Authenticate"),
            Some(r#"Bearer error="invalid_token""#)
        );
        assert_eq!(answer(response), (Status::Unauthorized, msg(message)));
    }

    fn access(&self) -> String {
        auth(&self.client)
            .access_token("alice")
            .issue()
            .expect("issues")
    }
}

fn authorization(value: &str) -> Header<'static> {
    Header::new("Authorization", value.to_owned())
}

#[test]
fn a_valid_access_token_passes() {
    let app = app();
    let token = app.access();
    assert_eq!(app.get("/protected", &token), (Status::Ok, json!("alice")));
}

#[test]
fn no_header_is_401_json_whatever_the_accept_header() {
    let app = app();
    for accept in [
        None,
        Some(Accept::HTML),
        Some(Accept::Plain),
        Some(Accept::XML),
    ] {
        let mut request = app.client.get("/protected");
        if let Some(accept) = accept {
            request = request.header(accept);
        }
        let response = request.dispatch();
        assert_eq!(
            response.headers().get_one("WWW-Authenticate"),
            Some("Bearer")
        );
        assert_eq!(
            response.content_type(),
            Some(rocket::http::ContentType::JSON)
        );
        assert_eq!(
            answer(response),
            (Status::Unauthorized, msg("Missing Authorization Header"))
        );
    }
}

#[test]
fn header_without_the_type_is_401() {
    let app = app();
    let expected = msg(
        "Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'",
    );
    for value in [
        "Basic dXNlcjpwYXNz",
        "bearer abc.def.ghi",
        "Token x",
        "Bearer a, Bearer b",
    ] {
        assert_eq!(
            app.get_with("/protected", authorization(value)),
            (Status::Unauthorized, expected.clone()),
            "{value}"
        );
    }
}

#[test]
fn bearer_with_zero_or_several_parts_is_422() {
    let app = app();
    let expected = msg("Bad Authorization header. Expected 'Authorization: Bearer <JWT>'");
    for value in ["Bearer", "Bearer a b", "Bearer a b c"] {
        assert_eq!(
            app.get_with("/protected", authorization(value)),
            (Status::UnprocessableEntity, expected.clone()),
            "{value}"
        );
    }
}

#[test]
fn bearer_among_other_credentials_is_found() {
    let app = app();
    let token = app.access();
    let value = format!("Basic dXNlcjpwYXNz, Bearer {token}");
    assert_eq!(
        app.get_with("/protected", authorization(&value)),
        (Status::Ok, json!("alice"))
    );
}

#[test]
fn custom_header_name_and_empty_type() {
    let app = app_with(json!({"header_name": "X-Auth", "header_type": ""}), |f| f);
    let token = app.access();
    assert_eq!(
        app.get_with("/protected", Header::new("X-Auth", token.clone())),
        (Status::Ok, json!("alice"))
    );
    assert_eq!(
        app.get_with(
            "/protected",
            Header::new("X-Auth", format!("Bearer {token}"))
        ),
        (
            Status::UnprocessableEntity,
            msg("Bad X-Auth header. Expected 'X-Auth: <JWT>'")
        )
    );
    assert_eq!(
        answer(app.client.get("/protected").dispatch()),
        (Status::Unauthorized, msg("Missing X-Auth Header"))
    );
}

#[test]
fn malformed_tokens_are_422_with_fixed_texts() {
    let app = app();
    let good = app.access();
    let (header, rest) = good.split_once('.').expect("three parts");
    let cases = [
        ("abc".to_owned(), "Not enough segments"),
        ("a.b".to_owned(), "Not enough segments"),
        (format!("{good}.extra"), "Too many segments"),
        (format!("!!!.{rest}"), "Invalid header padding"),
        (
            format!("{}.{rest}", b64(&json!("not an object"))),
            "Invalid header string",
        ),
        (
            format!("{}.{rest}", common::b64(&json!(null)).replace('b', "")),
            "Invalid header string",
        ),
        (format!("{header}.%%%.sig"), "Invalid payload padding"),
        // As in PyJWT, the payload's JSON is read once the signature passed.
        (
            format!("{header}.{}.sig", b64(&json!([1, 2]))),
            "Signature verification failed",
        ),
        (
            forge_raw(r#"{"alg":"HS256","typ":"JWT"}"#, "[1, 2]"),
            "Invalid payload string",
        ),
        (
            format!("{}.!", good.rsplit_once('.').expect("parts").0),
            "Invalid crypto padding",
        ),
    ];
    for (token, message) in cases {
        assert_eq!(
            app.get("/protected", &token),
            (Status::UnprocessableEntity, msg(message)),
            "{token}"
        );
    }
}

#[test]
fn a_bad_signature_is_422() {
    let app = app();
    let forged = forge_with(
        &json!({"alg": "HS256", "typ": "JWT"}),
        &Value::Object(payload()),
        "another-secret-another-secret-another",
    );
    assert_eq!(
        app.get("/protected", &forged),
        (
            Status::UnprocessableEntity,
            msg("Signature verification failed")
        )
    );
    let good = app.access();
    let tampered = good.replacen("eyJ", "eyK", 2);
    assert_eq!(
        app.get("/protected", &tampered).0,
        Status::UnprocessableEntity
    );
}

#[test]
fn algorithms_outside_the_allow_list_are_422() {
    let app = app();
    let not_allowed = msg("The specified alg value is not allowed");
    for alg in ["none", "HS512", "RS256", "nonsense"] {
        let token = forge_with(
            &json!({"alg": alg, "typ": "JWT"}),
            &Value::Object(payload()),
            SECRET,
        );
        assert_eq!(
            app.get("/protected", &token),
            (Status::UnprocessableEntity, not_allowed.clone()),
            "{alg}"
        );
    }
    let unsigned = format!(
        "{}.{}.",
        b64(&json!({"alg": "none"})),
        b64(&Value::Object(payload()))
    );
    assert_eq!(
        app.get("/protected", &unsigned),
        (Status::UnprocessableEntity, not_allowed)
    );
    let no_alg = forge_with(&json!({"typ": "JWT"}), &Value::Object(payload()), SECRET);
    assert_eq!(
        app.get("/protected", &no_alg),
        (Status::UnprocessableEntity, msg("Algorithm not specified"))
    );
}

#[test]
fn dangerous_header_parameters_are_refused_even_when_signed() {
    let app = app();
    for name in ["crit", "jwk", "jku", "x5u", "x5c", "b64", "zip"] {
        let header = json!({"alg": "HS256", "typ": "JWT", name: ["x"]});
        let token = forge_with(&header, &Value::Object(payload()), SECRET);
        assert_eq!(
            app.get("/protected", &token),
            (
                Status::UnprocessableEntity,
                msg(&format!("Unsupported header parameter: {name}"))
            ),
        );
    }
}

#[test]
fn oversized_tokens_are_refused_before_decoding() {
    let app = app_with(json!({"max_token_bytes": 300}), |f| f);
    let mut claims = payload();
    claims.insert("padding".into(), json!("x".repeat(400)));
    let token = forge(&claims);
    assert_eq!(
        app.get("/protected", &token),
        (Status::UnprocessableEntity, msg("Token is too large"))
    );
    assert_eq!(
        app.get("/protected", &"x".repeat(10_000)),
        (Status::UnprocessableEntity, msg("Token is too large"))
    );
    assert_eq!(app.store.checks.load(Ordering::SeqCst), 0);
}

#[test]
fn expired_tokens_are_401() {
    let app = app();
    let mut claims = payload();
    claims.insert("exp".into(), json!(now() - 1));
    app.assert_invalid_token("/protected", &forge(&claims), "Token has expired");
}

#[test]
fn leeway_applies_to_exp_nbf_and_iat() {
    let app = app_with(json!({"decode_leeway": 30}), |f| f);
    let mut claims = payload();
    claims.insert("exp".into(), json!(now() - 10));
    claims.insert("nbf".into(), json!(now() + 10));
    claims.insert("iat".into(), json!(now() + 10));
    assert_eq!(
        app.get("/protected", &forge(&claims)),
        (Status::Ok, json!("alice"))
    );
}

#[test]
fn tokens_from_the_future_are_422() {
    let app = app();
    let mut claims = payload();
    claims.insert("nbf".into(), json!(now() + 60));
    assert_eq!(
        app.get("/protected", &forge(&claims)),
        (
            Status::UnprocessableEntity,
            msg("The token is not yet valid (nbf)")
        )
    );
    let mut claims = payload();
    claims.insert("iat".into(), json!(now() + 60));
    assert_eq!(
        app.get("/protected", &forge(&claims)),
        (
            Status::UnprocessableEntity,
            msg("The token is not yet valid (iat)")
        )
    );
}

#[test]
fn registered_claims_must_have_their_json_types() {
    let app = app();
    let cases = [
        (
            "exp",
            json!("tomorrow"),
            "Expiration Time claim (exp) must be an integer.",
        ),
        (
            "exp",
            json!(1.5e12),
            "Expiration Time claim (exp) must be an integer.",
        ),
        (
            "nbf",
            json!(true),
            "Not Before claim (nbf) must be an integer.",
        ),
        (
            "iat",
            json!(null),
            "Issued At claim (iat) must be an integer.",
        ),
        ("sub", json!(42), "Subject must be a string"),
        ("jti", json!(7), "JWT ID must be a string"),
        ("type", json!(["access"]), "Token type must be a string"),
        ("type", json!("id"), "Invalid token type"),
        (
            "fresh",
            json!("yes"),
            "Fresh claim must be a boolean or a timestamp",
        ),
        ("csrf", json!({}), "CSRF claim must be a string"),
    ];
    for (name, value, message) in cases {
        let mut claims = payload();
        claims.insert(name.into(), value);
        assert_eq!(
            app.get("/protected", &forge(&claims)),
            (Status::UnprocessableEntity, msg(message)),
            "{name}"
        );
    }
}

#[test]
fn strict_claims_require_jti_type_iat_and_identity() {
    let app = app();
    for name in ["sub", "jti", "type", "iat"] {
        let mut claims = payload();
        claims.remove(name);
        assert_eq!(
            app.get("/protected", &forge(&claims)),
            (
                Status::UnprocessableEntity,
                msg(&format!("Missing claim: {name}"))
            ),
            "{name}"
        );
    }
}

#[test]
fn lenient_claims_restore_flask_defaults() {
    let app = app_with(json!({"strict_claims": false}), |f| f);
    let mut claims = payload();
    for name in ["jti", "type", "iat", "fresh"] {
        claims.remove(name);
    }
    let token = forge(&claims);
    assert_eq!(app.get("/protected", &token), (Status::Ok, json!("alice")));
    assert_eq!(app.get("/any", &token), (Status::Ok, json!("Access")));
    let mut claims = payload();
    claims.remove("sub");
    assert_eq!(
        app.get("/protected", &forge(&claims)),
        (Status::UnprocessableEntity, msg("Missing claim: sub"))
    );
}

#[test]
fn tokens_without_exp_are_refused_unless_require_exp_is_off() {
    let app = app();
    let token = auth(&app.client)
        .access_token("alice")
        .never_expires()
        .issue()
        .expect("issues");
    assert_eq!(
        app.get("/protected", &token),
        (Status::UnprocessableEntity, msg("Missing claim: exp"))
    );
    let app = app_with(json!({"require_exp": false}), |f| f);
    let token = auth(&app.client)
        .access_token("alice")
        .never_expires()
        .issue()
        .expect("issues");
    assert!(auth(&app.client)
        .decode(&token)
        .expect("valid")
        .expires_at()
        .is_none());
    assert_eq!(app.get("/protected", &token), (Status::Ok, json!("alice")));
}

#[test]
fn audience_and_issuer() {
    let app = app_with(
        json!({"encode_audience": ["api", "web"], "decode_audience": "web", "encode_issuer": "us", "decode_issuer": "us"}),
        |f| f,
    );
    let token = app.access();
    let data = auth(&app.client).decode(&token).expect("valid");
    assert_eq!(data.payload()["aud"], json!(["api", "web"]));
    assert_eq!(data.payload()["iss"], json!("us"));
    assert_eq!(app.get("/protected", &token), (Status::Ok, json!("alice")));

    let mut claims = payload();
    claims.insert("iss".into(), json!("us"));
    claims.insert("aud".into(), json!("mobile"));
    assert_eq!(
        app.get("/protected", &forge(&claims)),
        (Status::UnprocessableEntity, msg("Invalid audience"))
    );
    claims.insert("aud".into(), json!(["api", "web"]));
    claims.insert("iss".into(), json!("them"));
    assert_eq!(
        app.get("/protected", &forge(&claims)),
        (Status::UnprocessableEntity, msg("Invalid issuer"))
    );
    claims.remove("aud");
    claims.insert("iss".into(), json!("us"));
    assert_eq!(
        app.get("/protected", &forge(&claims)),
        (
            Status::UnprocessableEntity,
            msg(r#"Token is missing the "aud" claim"#)
        )
    );
}

#[test]
fn token_types_are_checked_both_ways() {
    let app = app();
    let auth = auth(&app.client);
    let access = auth.access_token("alice").issue().expect("issues");
    let refresh = auth.refresh_token("alice").issue().expect("issues");
    assert_eq!(
        app.get("/protected", &refresh),
        (
            Status::UnprocessableEntity,
            msg("Only non-refresh tokens are allowed")
        )
    );
    let post = |token: &str| answer(app.client.post("/refresh").header(bearer(token)).dispatch());
    assert_eq!(
        post(&access),
        (
            Status::UnprocessableEntity,
            msg("Only refresh tokens are allowed")
        )
    );
    assert_eq!(post(&refresh), (Status::Ok, json!("alice")));
    assert_eq!(app.get("/any", &access), (Status::Ok, json!("Access")));
    assert_eq!(app.get("/any", &refresh), (Status::Ok, json!("Refresh")));
}

#[test]
fn freshness_as_bool_and_timestamp() {
    let app = app();
    let auth = auth(&app.client);
    let not_fresh = msg("Fresh token required");
    let stale = auth.access_token("alice").issue().expect("issues");
    assert_eq!(
        app.get("/fresh", &stale),
        (Status::Unauthorized, not_fresh.clone())
    );
    let fresh = auth
        .access_token("alice")
        .fresh(true)
        .issue()
        .expect("issues");
    assert_eq!(app.get("/fresh", &fresh), (Status::Ok, json!("alice")));
    let fresh_for = auth
        .access_token("alice")
        .fresh_for(Duration::from_secs(300))
        .issue()
        .expect("issues");
    let fresh_claim = auth.decode(&fresh_for).expect("valid").payload()["fresh"]
        .as_i64()
        .expect("a timestamp");
    assert!((now() + 299..=now() + 301).contains(&fresh_claim));
    assert_eq!(app.get("/fresh", &fresh_for), (Status::Ok, json!("alice")));
    let was_fresh = auth
        .access_token("alice")
        .fresh_until(now() - 1)
        .issue()
        .expect("issues");
    assert_eq!(
        app.get("/fresh", &was_fresh),
        (Status::Unauthorized, not_fresh)
    );
    let mut claims = payload();
    claims.insert("fresh".into(), json!(now() as f64 + 100.5));
    assert_eq!(
        app.get("/fresh", &forge(&claims)),
        (Status::Ok, json!("alice"))
    );
    // A stale token is still fine where freshness is not needed.
    assert_eq!(app.get("/protected", &stale), (Status::Ok, json!("alice")));
}

#[test]
fn optional_tokens() {
    let app = app();
    assert_eq!(
        answer(app.client.get("/optional").dispatch()),
        (Status::Ok, json!("anonymous"))
    );
    assert_eq!(
        app.get("/optional", &app.access()),
        (Status::Ok, json!("alice"))
    );
    let mut claims = payload();
    claims.insert("exp".into(), json!(now() - 5));
    assert_eq!(
        app.get("/optional", &forge(&claims)),
        (Status::Unauthorized, msg("Token has expired"))
    );
    assert_eq!(
        app.get("/optional", "garbage"),
        (Status::UnprocessableEntity, msg("Not enough segments"))
    );
    assert_eq!(
        app.get_with("/optional", authorization("Bearer")).0,
        Status::UnprocessableEntity
    );
    let refresh = auth(&app.client)
        .refresh_token("alice")
        .issue()
        .expect("issues");
    assert_eq!(
        app.get("/optional", &refresh),
        (
            Status::UnprocessableEntity,
            msg("Only non-refresh tokens are allowed")
        )
    );
}

#[test]
fn revoking_one_token() {
    let app = app();
    let auth = auth(&app.client);
    let first = app.access();
    let second = app.access();
    let data = auth.decode(&first).expect("valid");
    rocket::async_test(auth.revoke(&data)).expect("revoked");
    app.assert_invalid_token("/protected", &first, "Token has been revoked");
    assert_eq!(app.get("/protected", &second), (Status::Ok, json!("alice")));
}

#[test]
fn revoking_an_identity_revokes_its_tokens_of_both_types() {
    let app = app();
    let auth = auth(&app.client);
    let access = auth.access_token("alice").issue().expect("issues");
    let refresh = auth.refresh_token("alice").issue().expect("issues");
    let bob = auth.access_token("bob").issue().expect("issues");
    rocket::async_test(auth.revoke_identity("alice")).expect("revoked");
    let revoked = msg("Token has been revoked");
    assert_eq!(
        app.get("/protected", &access),
        (Status::Unauthorized, revoked.clone())
    );
    assert_eq!(
        answer(
            app.client
                .post("/refresh")
                .header(bearer(&refresh))
                .dispatch()
        ),
        (Status::Unauthorized, revoked)
    );
    assert_eq!(app.get("/protected", &bob), (Status::Ok, json!("bob")));
    // A token issued after the revocation returned passes.
    let again = auth.access_token("alice").issue().expect("issues");
    assert_eq!(app.get("/protected", &again), (Status::Ok, json!("alice")));
}

#[test]
fn a_store_that_cannot_answer_fails_closed_with_503() {
    let app = app();
    let token = app.access();
    app.store.down.store(true, Ordering::SeqCst);
    let response = app
        .client
        .get("/protected")
        .header(bearer(&token))
        .dispatch();
    assert_eq!(response.headers().get_one("Retry-After"), Some("5"));
    assert_eq!(
        answer(response),
        (
            Status::ServiceUnavailable,
            msg("Token revocation store unavailable")
        )
    );
    assert_eq!(
        answer(app.client.get("/optional").dispatch()),
        (Status::Ok, json!("anonymous"))
    );
    app.store.down.store(false, Ordering::SeqCst);
    assert_eq!(app.get("/protected", &token), (Status::Ok, json!("alice")));
}

#[test]
fn no_store_lookup_before_the_signature_passes() {
    let app = app();
    let forged = forge_with(
        &json!({"alg": "HS256"}),
        &Value::Object(payload()),
        "wrong-secret-wrong-secret-wrong-secret!!",
    );
    assert_eq!(
        app.get("/protected", &forged).0,
        Status::UnprocessableEntity
    );
    let mut expired = payload();
    expired.insert("exp".into(), json!(now() - 1));
    assert_eq!(
        app.get("/protected", &forge(&expired)).0,
        Status::Unauthorized
    );
    assert_eq!(app.store.checks.load(Ordering::SeqCst), 0);
}

#[test]
fn a_request_decodes_and_checks_once_whatever_the_guards() {
    let app = app();
    let token = app.access();
    let (status, body) = app.get("/many", &token);
    assert_eq!(
        (status, body),
        (Status::Ok, json!("alice alice Some(\"alice\") alice"))
    );
    assert_eq!(app.store.checks.load(Ordering::SeqCst), 1);
}

#[test]
fn typed_and_dynamic_custom_claims() {
    let app = app();
    let auth = auth(&app.client);
    let admin = auth
        .access_token("alice")
        .claims(&Role {
            role: "admin".into(),
        })
        .issue()
        .expect("issues");
    assert_eq!(app.get("/role", &admin), (Status::Ok, json!("admin")));
    assert_eq!(
        app.get("/dynamic", &admin),
        (Status::Ok, json!({"role": "admin"}))
    );
    let banned = auth
        .access_token("alice")
        .claim("role", "banned")
        .issue()
        .expect("issues");
    assert_eq!(
        app.get("/role", &banned),
        (Status::BadRequest, msg("User claims verification failed"))
    );
    let none = app.access();
    assert_eq!(
        app.get("/role", &none),
        (Status::BadRequest, msg("User claims verification failed"))
    );
}

#[test]
fn custom_claims_never_override_reserved_ones() {
    let app = app();
    let auth = auth(&app.client);
    for name in [
        "sub", "exp", "type", "fresh", "jti", "iat", "nbf", "csrf", "aud", "iss",
    ] {
        let result = auth.access_token("alice").claim(name, "x").issue();
        assert_eq!(result, Err(jwt_ext::IssueError::ReservedClaim(name.into())));
    }
    let result = auth.access_token("alice").header("alg", "none").issue();
    assert_eq!(
        result,
        Err(jwt_ext::IssueError::ReservedHeader("alg".into()))
    );
}

#[test]
fn the_token_layout_is_flask_jwt_extended_4() {
    let app = app_with(json!({"access_token_expires": 120}), |f| {
        f.additional_headers(|_, _| {
            let mut headers = Map::new();
            headers.insert("kid_hint".into(), json!("v1"));
            headers
        })
    });
    let auth = auth(&app.client);
    let before = now();
    let token = auth
        .access_token("alice")
        .fresh(true)
        .claim("role", "admin")
        .issue()
        .expect("issues");
    let after = now();
    let data = auth.decode(&token).expect("valid");
    let p = data.payload();
    assert_eq!(
        data.header(),
        json!({"alg": "HS256", "typ": "JWT", "kid_hint": "v1"})
            .as_object()
            .expect("object")
    );
    let mut names: Vec<&str> = p.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["csrf", "exp", "fresh", "iat", "jti", "nbf", "role", "sub", "type"]
    );
    assert_eq!(p["fresh"], json!(true));
    assert_eq!(p["type"], json!("access"));
    assert_eq!(p["sub"], json!("alice"));
    assert_eq!(p["role"], json!("admin"));
    let iat = p["iat"].as_i64().expect("integer iat");
    assert!((before..=after).contains(&iat));
    assert_eq!(p["nbf"], json!(iat));
    assert_eq!(p["exp"], json!(iat + 120));
    let jti = p["jti"].as_str().expect("string jti");
    let parsed = uuid_version(jti);
    assert_eq!(parsed, Some(4), "jti {jti} is a uuid4");
    assert!(uuid_version(p["csrf"].as_str().expect("csrf")).is_some());
    assert_eq!(data.jti(), Some(jti));
    let refresh = auth.refresh_token("alice").issue().expect("issues");
    let refresh = auth.decode(&refresh).expect("valid");
    assert_eq!(refresh.payload()["type"], json!("refresh"));
    assert_eq!(refresh.payload()["fresh"], json!(false));
    assert_eq!(
        refresh.expires_at(),
        Some(refresh.issued_at().expect("iat") + 2_592_000)
    );
    assert_ne!(refresh.jti(), Some(jti));
}

/// The version nibble of a textual UUID, if `text` is one.
fn uuid_version(text: &str) -> Option<u32> {
    let groups: Vec<&str> = text.split('-').collect();
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    (lengths == [8, 4, 4, 4, 12] && text.chars().all(|c| c == '-' || c.is_ascii_hexdigit()))
        .then(|| groups[2].chars().next().and_then(|c| c.to_digit(16)))
        .flatten()
}

#[test]
fn identity_claim_and_message_key_are_configurable() {
    let app = app_with(
        json!({"identity_claim": "identity", "error_message_key": "error", "encode_nbf": false}),
        |f| f,
    );
    let token = app.access();
    let data = auth(&app.client).decode(&token).expect("valid");
    assert_eq!(data.payload()["identity"], json!("alice"));
    assert!(!data.payload().contains_key("sub") && !data.payload().contains_key("nbf"));
    assert_eq!(app.get("/protected", &token), (Status::Ok, json!("alice")));
    assert_eq!(
        answer(app.client.get("/protected").dispatch()),
        (
            Status::Unauthorized,
            json!({"error": "Missing Authorization Header"})
        )
    );
}

#[test]
fn user_lookup() {
    let app = app();
    let auth = auth(&app.client);
    let alice = auth.access_token("alice").issue().expect("issues");
    assert_eq!(app.get("/user", &alice), (Status::Ok, json!("alice")));
    let ghost = auth.access_token("ghost").issue().expect("issues");
    app.assert_invalid_token("/user", &ghost, "Error loading the user ghost");
}

#[test]
fn token_verification_hook() {
    let app = app_with(json!({}), |f| {
        f.token_verification(|token| token.identity() != "mallory")
    });
    let auth = auth(&app.client);
    let mallory = auth.access_token("mallory").issue().expect("issues");
    assert_eq!(
        app.get("/protected", &mallory),
        (Status::BadRequest, msg("User claims verification failed"))
    );
    assert_eq!(
        app.get("/protected", &app.access()),
        (Status::Ok, json!("alice"))
    );
}

#[test]
fn additional_claims_hook_and_builder_claims() {
    let app = app_with(json!({}), |f| {
        f.additional_claims(|identity, kind| {
            let mut claims = Map::new();
            claims.insert("who".into(), json!(format!("{identity}/{}", kind.as_str())));
            claims.insert("role".into(), json!("user"));
            claims
        })
    });
    let auth = auth(&app.client);
    let token = auth
        .refresh_token("alice")
        .claim("role", "admin")
        .issue()
        .expect("issues");
    let data = auth.decode(&token).expect("valid");
    assert_eq!(data.payload()["who"], json!("alice/refresh"));
    assert_eq!(data.payload()["role"], json!("admin"));
}

#[test]
fn error_hooks_replace_the_default_response() {
    let app = app_with(json!({}), |f| {
        f.on_error(ErrorKind::Missing, |err: &AuthError, _req: &Request<'_>| {
            jwt_ext::json_response(
                Status::Unauthorized,
                &json!({"error": "login first", "detail": err.message()}),
            )
        })
        .on_error(ErrorKind::Expired, |_, _| {
            jwt_ext::json_response(Status::Forbidden, &json!({"error": "expired"}))
        })
    });
    assert_eq!(
        answer(app.client.get("/protected").dispatch()),
        (
            Status::Unauthorized,
            json!({"error": "login first", "detail": "Missing Authorization Header"})
        )
    );
    let mut claims = payload();
    claims.insert("exp".into(), json!(now() - 1));
    assert_eq!(
        app.get("/protected", &forge(&claims)),
        (Status::Forbidden, json!({"error": "expired"}))
    );
    // Kinds without a hook keep the default.
    assert_eq!(
        app.get("/protected", "x.y"),
        (Status::UnprocessableEntity, msg("Not enough segments"))
    );
}

#[test]
fn the_apps_own_catchers_are_untouched() {
    let app = app();
    let own = app.client.get("/own-401").dispatch();
    assert_eq!(own.status(), Status::Unauthorized);
    assert_eq!(own.into_string().as_deref(), Some("the app's own 401 page"));
    assert_eq!(
        answer(app.client.get("/protected").dispatch()),
        (Status::Unauthorized, msg("Missing Authorization Header"))
    );
}

#[test]
fn responses_never_echo_the_token() {
    let app = app();
    let mut claims = payload();
    claims.insert("exp".into(), json!(now() - 1));
    let expired = forge(&claims);
    let bad_sig = format!("{}x", app.access());
    for token in [expired, bad_sig, "a.b".into(), "Zm9v.YmFy.YmF6".into()] {
        let response = app
            .client
            .get("/protected")
            .header(bearer(&token))
            .dispatch();
        let headers: Vec<String> = response
            .headers()
            .iter()
            .map(|h| h.value().to_owned())
            .collect();
        let body = response.into_string().unwrap_or_default();
        assert!(
            !body.contains(&token) && headers.iter().all(|h| !h.contains(&token)),
            "{body}"
        );
    }
}

#[test]
fn routes_with_guards_do_not_launch_without_the_fairing() {
    let rocket = rocket_with(json!({})).mount("/", routes![protected]);
    let error = rocket::local::blocking::Client::tracked(rocket).expect_err("a sentinel aborts");
    assert!(
        matches!(error.kind(), rocket::error::ErrorKind::SentinelAborts(_)),
        "{error}"
    );
}

#[test]
fn current_user_does_not_launch_without_its_loader() {
    let rocket = rocket_with(json!({}))
        .attach(Auth::fairing())
        .mount("/", routes![user]);
    let error = rocket::local::blocking::Client::tracked(rocket).expect_err("a sentinel aborts");
    assert!(
        matches!(error.kind(), rocket::error::ErrorKind::SentinelAborts(_)),
        "{error}"
    );
}

#[test]
fn decoding_helpers() {
    let app = app();
    let auth = auth(&app.client);
    let token = app.access();
    let data = auth.decode(&token).expect("valid");
    assert_eq!(auth.jti(&token).expect("valid").as_deref(), data.jti());
    assert_eq!(
        auth.csrf_token(&token).expect("valid").as_deref(),
        data.csrf()
    );
    assert_eq!(
        auth.unverified_header(&token).expect("parses")["alg"],
        json!("HS256")
    );
    let expired = auth
        .access_token("alice")
        .expires_in(Duration::ZERO)
        .issue()
        .expect("issues");
    assert_eq!(auth.decode(&expired).map(|_| ()), Err(AuthError::Expired));
    assert_eq!(
        auth.decode_allow_expired(&expired)
            .expect("accepted")
            .identity(),
        "alice"
    );
}
