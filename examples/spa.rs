//! A single-page app served by Rocket: tokens in HttpOnly cookies, CSRF double-submit, refresh
//! and logout, as a browser uses them.
//!
//! ```sh
//! cargo run --example spa    # then open http://127.0.0.1:8000
//! ```
//!
//! The page (`examples/spa/index.html`) logs in, calls a protected API with the CSRF header it
//! reads from the `csrf_access_token` cookie, refreshes with the refresh cookie and logs out.

use jwt_ext::{jwt_refresh_token_required, jwt_required, Auth, IssueError, RotateError, Token};
use rocket::figment::Figment;
use rocket::http::{CookieJar, Status};
use rocket::response::content::RawHtml;
use rocket::serde::json::{json, Json, Value};
use rocket::{get, post, routes, Build, Rocket};
use serde::Deserialize;

/// For the demo only: anyone reading this file knows it.
const DEMO_SECRET: &str = "jwt-ext SPA demo secret -- replace me in production!!";

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

#[get("/")]
fn index() -> RawHtml<&'static str> {
    RawHtml(include_str!("spa/index.html"))
}

#[post("/api/login", data = "<creds>")]
fn login(
    auth: &Auth,
    creds: Json<Credentials>,
    jar: &CookieJar<'_>,
) -> Result<(Status, Json<Value>), IssueError> {
    if creds.username != "test" || creds.password != "test" {
        let body = json!({"msg": "Bad username or password"});
        return Ok((Status::Unauthorized, Json(body)));
    }
    let family = auth.new_family();
    let access = auth
        .access_token(&creds.username)
        .fresh(true)
        .family(&family)
        .issue()?;
    let refresh = auth.refresh_token(&creds.username).family(family).issue()?;
    auth.set_access_cookies(jar, &access);
    auth.set_refresh_cookies(jar, &refresh);
    Ok((Status::Ok, Json(json!({"login": true}))))
}

#[jwt_required]
#[get("/api/me")]
fn me(token: Token) -> Json<Value> {
    Json(json!({"logged_in_as": token.identity()}))
}

#[jwt_required]
#[post("/api/notes", data = "<note>")]
fn notes(token: Token, note: Json<Value>) -> Json<Value> {
    Json(json!({"saved": note["text"], "by": token.identity()}))
}

/// Refresh-token rotation is on (see `rocket_with`): the refresh cookie is spent and both
/// cookie pairs are replaced; a replayed refresh cookie ends the session.
#[jwt_refresh_token_required]
#[post("/api/refresh")]
async fn refresh(
    auth: &Auth,
    token: Token,
    jar: &CookieJar<'_>,
) -> Result<Json<Value>, RotateError> {
    let pair = auth.rotate(&token).await?;
    auth.set_access_cookies(jar, &pair.access_token);
    auth.set_refresh_cookies(jar, &pair.refresh_token);
    Ok(Json(json!({"refresh": true})))
}

#[jwt_required]
#[post("/api/logout")]
async fn logout(
    auth: &Auth,
    token: Token,
    jar: &CookieJar<'_>,
) -> Result<Json<Value>, jwt_ext::AuthError> {
    auth.revoke(&token).await?;
    auth.unset_jwt_cookies(jar);
    Ok(Json(json!({"logout": true})))
}

/// The SPA rocket on Rocket's usual configuration.
pub fn rocket() -> Rocket<Build> {
    rocket_with(rocket::Config::figment())
}

/// The SPA rocket on `figment`: cookies only, the demo secret under whatever is configured.
pub fn rocket_with(figment: Figment) -> Rocket<Build> {
    let figment = figment
        .join(("jwt.secret_key", DEMO_SECRET))
        .join(("jwt.token_location", ["cookies"]))
        .join(("jwt.refresh_token_rotation", true))
        .join(("jwt.refresh_reuse_interval", 5));
    rocket::custom(figment)
        .attach(Auth::fairing())
        .mount("/", routes![index, login, me, notes, refresh, logout])
}

#[rocket::main]
async fn main() -> Result<(), Box<rocket::Error>> {
    rocket().launch().await.map(|_| ()).map_err(Box::new)
}
