//! The route attributes through Rocket's local client: every option,
//! the shorthands, handlers inside `macro_rules!`, and generated code under
//! `#![deny(warnings)]`.
#![deny(warnings)]
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use common::*;
use jwt_ext::{
    fresh_jwt_required, jwt_refresh_token_required, jwt_required, Auth, CurrentUser, JsonToken,
    OptionalToken, Token, TokenData, UserLoader,
};
use rocket::http::{ContentType, Cookie, Header, Status};
use rocket::local::blocking::Client;
use rocket::{get, post, routes, Request};
use serde_json::json;

struct User(String);
struct Users;

#[rocket::async_trait]
impl UserLoader for Users {
    type User = User;
    async fn load_user(&self, token: &TokenData, _: &Request<'_>) -> Option<User> {
        Some(User(token.identity().to_owned()))
    }
}

#[jwt_required]
#[get("/plain")]
fn plain() -> &'static str {
    "ok"
}

#[fresh_jwt_required]
#[post("/password")]
fn password(user: CurrentUser<User>) -> String {
    user.0.clone()
}

#[jwt_required(fresh)]
#[get("/fresh-option")]
fn fresh_option(token: Token) -> String {
    token.identity().to_owned()
}

#[jwt_refresh_token_required]
#[post("/refresh")]
fn refresh(auth: &Auth, token: Token) -> String {
    auth.access_token(token.identity()).issue().expect("issues")
}

#[jwt_required(refresh)]
#[post("/refresh-option")]
fn refresh_option(token: Token) -> String {
    token.identity().to_owned()
}

#[jwt_required(optional)]
#[get("/optional")]
fn optional(token: OptionalToken) -> String {
    token.identity().unwrap_or("anonymous").to_owned()
}

#[jwt_required(verify_type = false)]
#[get("/any")]
fn any(token: Token) -> String {
    token.token_type().as_str().to_owned()
}

#[jwt_required(skip_revocation_check)]
#[get("/unchecked")]
fn unchecked(token: Token) -> String {
    token.identity().to_owned()
}

#[jwt_required(locations = [query_string])]
#[get("/query-only")]
fn query_only(token: Token) -> String {
    token.identity().to_owned()
}

#[jwt_required(locations = ["cookies", headers])]
#[get("/cookies-first")]
fn cookies_first(token: Token) -> String {
    token
        .location()
        .map(|l| l.as_str())
        .unwrap_or_default()
        .to_owned()
}

#[jwt_required(locations = [json])]
#[post("/json", data = "<body>")]
fn json_body(body: JsonToken) -> String {
    format!("{} {}", body.identity(), body.body()["note"])
}

/// The policy runs before the handler's other guards, path parameters included.
#[jwt_required]
#[get("/items/<id>")]
fn item(id: u32) -> String {
    id.to_string()
}

macro_rules! guarded {
    ($(#[$m:meta])* fn $name:ident() -> $ret:ty $body:block) => {
        $(#[$m])* fn $name() -> $ret $body
    };
}

guarded! {
    #[jwt_required]
    #[get("/from-macro")]
    fn from_macro() -> &'static str { "macro" }
}

fn client() -> Client {
    let rocket =
        rocket_with(json!({"token_location": ["headers", "cookies", "query_string", "json"]}))
            .attach(Auth::fairing().user_loader(Users))
            .mount(
                "/",
                routes![
                    plain,
                    password,
                    fresh_option,
                    refresh,
                    refresh_option,
                    optional,
                    any,
                    unchecked,
                    query_only,
                    cookies_first,
                    json_body,
                    item,
                    from_macro
                ],
            );
    common::client(rocket)
}

struct Tokens {
    access: String,
    fresh: String,
    refresh: String,
}

fn tokens(client: &Client) -> Tokens {
    let auth = auth(client);
    Tokens {
        access: auth.access_token("alice").issue().expect("issues"),
        fresh: auth
            .access_token("alice")
            .fresh(true)
            .issue()
            .expect("issues"),
        refresh: auth.refresh_token("alice").issue().expect("issues"),
    }
}

#[test]
fn jwt_required_without_options() {
    let client = client();
    let t = tokens(&client);
    assert_eq!(get(&client, "/plain", &t.access), (Status::Ok, json!("ok")));
    assert_eq!(
        answer(client.get("/plain").dispatch()).0,
        Status::Unauthorized
    );
    assert_eq!(
        get(&client, "/plain", &t.refresh),
        (
            Status::UnprocessableEntity,
            msg("Only non-refresh tokens are allowed")
        )
    );
    assert_eq!(
        get(&client, "/from-macro", &t.access),
        (Status::Ok, json!("macro"))
    );
    assert_eq!(
        answer(client.get("/from-macro").dispatch()).0,
        Status::Unauthorized
    );
}

#[test]
fn the_policy_runs_before_path_parameters() {
    let client = client();
    let t = tokens(&client);
    assert_eq!(get(&client, "/items/7", &t.access), (Status::Ok, json!(7)));
    // Without a token the answer is 401, not the 422 a bad path parameter would give.
    assert_eq!(
        answer(client.get("/items/not-a-number").dispatch()).0,
        Status::Unauthorized
    );
}

#[test]
fn fresh_variants() {
    let client = client();
    let t = tokens(&client);
    for (path, method) in [("/password", "post"), ("/fresh-option", "get")] {
        let call = |token: &str| {
            if method == "post" {
                post(&client, path, token)
            } else {
                get(&client, path, token)
            }
        };
        assert_eq!(call(&t.fresh), (Status::Ok, json!("alice")), "{path}");
        assert_eq!(
            call(&t.access),
            (Status::Unauthorized, msg("Fresh token required")),
            "{path}"
        );
        assert_eq!(
            call(&t.refresh),
            (
                Status::UnprocessableEntity,
                msg("Only non-refresh tokens are allowed")
            ),
            "{path}"
        );
    }
}

#[test]
fn refresh_variants_read_the_refresh_token() {
    let client = client();
    let t = tokens(&client);
    let (status, new_access) = post(&client, "/refresh", &t.refresh);
    assert_eq!(status, Status::Ok);
    assert_eq!(
        get(&client, "/plain", new_access.as_str().expect("token")).0,
        Status::Ok
    );
    assert_eq!(
        post(&client, "/refresh", &t.access),
        (
            Status::UnprocessableEntity,
            msg("Only refresh tokens are allowed")
        )
    );
    assert_eq!(
        post(&client, "/refresh-option", &t.refresh),
        (Status::Ok, json!("alice"))
    );
    // The refresh cookie, not the access cookie, is read on refresh routes.
    let csrf = auth(&client)
        .csrf_token(&t.refresh)
        .expect("valid")
        .expect("csrf");
    let by_cookie = client
        .post("/refresh-option")
        .cookie(Cookie::new("refresh_token_cookie", t.refresh.clone()))
        .header(Header::new("X-CSRF-TOKEN", csrf));
    assert_eq!(answer(by_cookie.dispatch()), (Status::Ok, json!("alice")));
}

#[test]
fn optional_policy() {
    let client = client();
    let t = tokens(&client);
    assert_eq!(
        answer(client.get("/optional").dispatch()),
        (Status::Ok, json!("anonymous"))
    );
    assert_eq!(
        get(&client, "/optional", &t.access),
        (Status::Ok, json!("alice"))
    );
    assert_eq!(
        get(&client, "/optional", "bad").0,
        Status::UnprocessableEntity
    );
}

#[test]
fn verify_type_false_accepts_both() {
    let client = client();
    let t = tokens(&client);
    assert_eq!(
        get(&client, "/any", &t.access),
        (Status::Ok, json!("access"))
    );
    assert_eq!(
        get(&client, "/any", &t.refresh),
        (Status::Ok, json!("refresh"))
    );
}

#[test]
fn skip_revocation_check() {
    let client = client();
    let t = tokens(&client);
    let data = auth(&client).decode(&t.access).expect("valid");
    rocket::async_test(auth(&client).revoke(&data)).expect("revoked");
    assert_eq!(
        get(&client, "/plain", &t.access),
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    assert_eq!(
        get(&client, "/unchecked", &t.access),
        (Status::Ok, json!("alice"))
    );
}

#[test]
fn locations_override_the_configured_order() {
    let client = client();
    let t = tokens(&client);
    assert_eq!(
        get(&client, "/query-only", &t.access),
        (Status::Unauthorized, msg("Missing 'jwt' query parameter"))
    );
    assert_eq!(
        answer(
            client
                .get(format!("/query-only?jwt={}", t.access))
                .dispatch()
        ),
        (Status::Ok, json!("alice"))
    );
    let both = client
        .get("/cookies-first")
        .header(bearer(&t.access))
        .cookie(Cookie::new("access_token_cookie", t.access.clone()));
    assert_eq!(answer(both.dispatch()), (Status::Ok, json!("cookies")));
    assert_eq!(
        get(&client, "/cookies-first", &t.access),
        (Status::Ok, json!("headers"))
    );
    let body = json!({"access_token": t.access, "note": "hi"}).to_string();
    let json = client.post("/json").header(ContentType::JSON).body(body);
    assert_eq!(answer(json.dispatch()), (Status::Ok, json!("alice \"hi\"")));
    let none = client.post("/json").header(ContentType::JSON).body("{}");
    assert_eq!(
        answer(none.dispatch()),
        (
            Status::Unauthorized,
            msg("Missing \"access_token\" key in json data.")
        )
    );
}
