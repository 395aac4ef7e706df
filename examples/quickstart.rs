//! The quickstart server (README, SPEC §10): log in, call protected routes, refresh, log out.
//!
//! ```sh
//! cargo run --example quickstart
//! curl -s -XPOST localhost:8000/login -H 'content-type: application/json' \
//!      -d '{"username":"test","password":"test"}'
//! curl -s localhost:8000/protected -H "Authorization: Bearer <access_token>"
//! ```
//!
//! Configuration comes from Rocket as usual (`Rocket.toml`, `ROCKET_PORT`, `ROCKET_JWT`); when
//! no `jwt.secret_key` is given, a built-in demo secret is used and announced.

use std::collections::HashMap;

use jwt_ext::{
    fresh_jwt_required, jwt_refresh_token_required, jwt_required, Auth, CurrentUser, IssueError,
    OptionalToken, RotateError, Token, TokenData, TokenType, UserLoader,
};
use rocket::http::{CookieJar, Status};
use rocket::serde::json::serde_json::Map;
use rocket::serde::json::{json, Json, Value};
use rocket::{catch, catchers, delete, get, post, Build, Request, Responder, Rocket, Route};
use rocket_okapi::okapi::openapi3::{OpenApi, Responses};
use rocket_okapi::{openapi, openapi_get_routes_spec};
use schemars::JsonSchema;
use serde::Deserialize;

/// For the demo only: anyone reading this file knows it.
const DEMO_SECRET: &str = "jwt-ext quickstart demo secret -- replace me in production!";

/// The demo's user database: username → password.
const USERS: [(&str, &str); 2] = [("test", "test"), ("alice", "wonderland")];

#[derive(Deserialize, JsonSchema)]
struct Credentials {
    username: String,
    password: String,
}

/// The user `CurrentUser<User>` loads.
struct User {
    username: String,
}

struct Users(HashMap<&'static str, &'static str>);

#[rocket::async_trait]
impl UserLoader for Users {
    type User = User;

    async fn load_user(&self, token: &TokenData, _req: &Request<'_>) -> Option<User> {
        self.0
            .get_key_value(token.identity())
            .map(|(name, _)| User {
                username: (*name).to_owned(),
            })
    }
}

/// The username if the credentials match, compared without early exit on the password.
fn check(users: &HashMap<&'static str, &'static str>, creds: &Credentials) -> Option<String> {
    let password = users.get(creds.username.as_str())?;
    let matches = password.len() == creds.password.len()
        && password
            .bytes()
            .zip(creds.password.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    matches.then(|| creds.username.clone())
}

/// Why a login is refused: bad credentials, or a token that could not be issued (which
/// answers 500 `{"msg": "Could not issue a token"}` by itself).
#[derive(Responder)]
enum Refused {
    #[response(status = 401)]
    BadCredentials(Json<Value>),
    Issue(IssueError),
}

impl rocket_okapi::response::OpenApiResponderInner for Refused {
    fn responses(gen: &mut rocket_okapi::gen::OpenApiGenerator) -> rocket_okapi::Result<Responses> {
        let mut responses = IssueError::responses(gen)?;
        let bad = jwt_ext::openapi::responses(&[
            ("400", "The body is not JSON (Rocket's answer)"),
            ("401", "Bad username or password"),
            (
                "422",
                "The body is not `{username, password}` (Rocket's answer)",
            ),
        ]);
        rocket_okapi::okapi::merge::merge_responses(&mut responses, &bad)?;
        Ok(responses)
    }
}

impl From<IssueError> for Refused {
    fn from(e: IssueError) -> Self {
        Refused::Issue(e)
    }
}

fn bad_credentials() -> Refused {
    Refused::BadCredentials(Json(json!({"msg": "Bad username or password"})))
}

#[openapi(tag = "Sessions")]
#[post("/login", data = "<creds>")]
fn login(
    auth: &Auth,
    users: &rocket::State<Users>,
    creds: Json<Credentials>,
    jar: &CookieJar<'_>,
) -> Result<Json<Value>, Refused> {
    let username = check(&users.0, &creds).ok_or_else(bad_credentials)?;
    // One family for the login's two tokens (written under refresh-token rotation only).
    let family = auth.new_family();
    let access = auth
        .access_token(&username)
        .fresh(true)
        .family(&family)
        .issue()?;
    let refresh = auth.refresh_token(&username).family(family).issue()?;
    auth.set_access_cookies(jar, &access);
    auth.set_refresh_cookies(jar, &refresh);
    Ok(Json(
        json!({"access_token": access, "refresh_token": refresh}),
    ))
}

#[openapi(tag = "Sessions")]
#[post("/fresh-login", data = "<creds>")]
fn fresh_login(
    auth: &Auth,
    users: &rocket::State<Users>,
    creds: Json<Credentials>,
) -> Result<Json<Value>, Refused> {
    let username = check(&users.0, &creds).ok_or_else(bad_credentials)?;
    let access = auth.access_token(&username).fresh(true).issue()?;
    Ok(Json(json!({"access_token": access})))
}

/// A new access token (Flask's refresh); with `refresh_token_rotation`, a new pair of the
/// token's family, the presented refresh token spent.
#[jwt_refresh_token_required]
#[openapi(tag = "Sessions")]
#[post("/refresh")]
async fn refresh(
    auth: &Auth,
    token: Token,
    jar: &CookieJar<'_>,
) -> Result<Json<Value>, RotateError> {
    if auth.rotates_refresh_tokens() {
        let pair = auth.rotate(&token).await?;
        auth.set_access_cookies(jar, &pair.access_token);
        auth.set_refresh_cookies(jar, &pair.refresh_token);
        return Ok(Json(json!(pair)));
    }
    let access = auth.access_token(token.identity()).issue()?;
    auth.set_access_cookies(jar, &access);
    Ok(Json(json!({"access_token": access})))
}

#[jwt_required]
#[openapi(tag = "Protected")]
#[get("/protected")]
fn protected(token: Token) -> Json<Value> {
    Json(json!({"logged_in_as": token.identity()}))
}

#[fresh_jwt_required]
#[openapi(tag = "Protected")]
#[get("/fresh")]
fn fresh(token: Token) -> Json<Value> {
    Json(json!({"logged_in_as": token.identity()}))
}

#[jwt_required(optional)]
#[openapi(tag = "Protected")]
#[get("/optional")]
fn optional(token: OptionalToken) -> Json<Value> {
    Json(json!({"logged_in_as": token.identity()}))
}

/// Without an attribute, a `Token` parameter alone requires a valid access token.
#[openapi(tag = "Protected")]
#[get("/claims")]
fn claims(token: Token) -> Json<Value> {
    Json(Value::Object(token.payload().clone()))
}

/// Only holders of the `admin` role: `alice`'s tokens carry it (see `rocket()`).
#[jwt_required(roles = ["admin"])]
#[openapi(tag = "Protected")]
#[get("/admin")]
fn admin(token: Token) -> Json<Value> {
    Json(json!({"admin": token.identity()}))
}

#[openapi(tag = "Protected")]
#[get("/whoami")]
fn whoami(user: CurrentUser<User>) -> Json<Value> {
    Json(json!({"username": user.username}))
}

#[jwt_required(verify_type = false)]
#[openapi(tag = "Sessions")]
#[delete("/logout")]
async fn logout(
    auth: &Auth,
    token: Token,
    jar: &CookieJar<'_>,
) -> Result<Json<Value>, jwt_ext::AuthError> {
    auth.revoke(&token).await?;
    auth.unset_jwt_cookies(jar);
    let kind = match token.token_type() {
        TokenType::Access => "Access",
        TokenType::Refresh => "Refresh",
    };
    Ok(Json(json!({"msg": format!("{kind} token revoked")})))
}

#[jwt_required]
#[openapi(tag = "Sessions")]
#[delete("/logout-everywhere")]
async fn logout_everywhere(
    auth: &Auth,
    token: Token,
    jar: &CookieJar<'_>,
) -> Result<Json<Value>, jwt_ext::AuthError> {
    auth.revoke_identity(token.identity()).await?;
    auth.unset_jwt_cookies(jar);
    Ok(Json(json!({"msg": "All tokens revoked"})))
}

/// Rocket's own errors (a malformed login body, an unknown route) as JSON too.
#[catch(default)]
fn json_error(status: Status, _req: &Request<'_>) -> Json<Value> {
    Json(json!({"msg": status.reason().unwrap_or("Error")}))
}

/// The demo's roles, added to every token issued to their holder: `alice` is an admin; the
/// tokens of `test` carry no `roles` claim.
fn roles(identity: &str, _kind: TokenType) -> Map<String, Value> {
    let mut claims = Map::new();
    if identity == "alice" {
        claims.insert("roles".into(), json!(["admin"]));
    }
    claims
}

/// The quickstart's routes, and their OpenAPI document (`examples/openapi.rs` serves it).
pub fn routes_and_spec() -> (Vec<Route>, OpenApi) {
    openapi_get_routes_spec![
        login,
        fresh_login,
        refresh,
        protected,
        fresh,
        optional,
        claims,
        admin,
        whoami,
        logout,
        logout_everywhere
    ]
}

/// The quickstart's configuration: Rocket's, with the demo secret when no key is set.
pub fn figment() -> rocket::figment::Figment {
    let figment = rocket::Config::figment();
    // The demo secret only when no key is configured (a key set excludes `secret_key`).
    let uses_demo_secret =
        figment.find_value("jwt.secret_key").is_err() && figment.find_value("jwt.keys").is_err();
    let figment = if uses_demo_secret {
        figment.join(("jwt.secret_key", DEMO_SECRET))
    } else {
        figment
    };
    if uses_demo_secret {
        println!(
            "quickstart: no `jwt.secret_key` configured, using the demo secret {DEMO_SECRET:?}; \
             set ROCKET_JWT='{{secret_key=\"...\"}}' to use your own"
        );
    }
    figment
}

/// The quickstart rocket.
pub fn rocket() -> Rocket<Build> {
    rocket::custom(figment())
        .attach(
            Auth::fairing()
                .user_loader(Users(USERS.into_iter().collect()))
                .additional_claims(roles),
        )
        .manage(Users(USERS.into_iter().collect()))
        .mount("/", routes_and_spec().0)
        .mount("/", jwt_ext::jwks_routes())
        .register("/", catchers![json_error])
}

#[rocket::main]
async fn main() -> Result<(), Box<rocket::Error>> {
    rocket().launch().await.map(|_| ()).map_err(Box::new)
}
