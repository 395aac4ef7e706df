#![deny(warnings)]

use jwt_ext::{
    fresh_jwt_required, jwt_refresh_token_required, jwt_required, Access, AccessToken, CurrentUser, Fresh, FreshToken, JsonToken, OptionalToken, Refresh, RefreshToken,
    Token,
};
use rocket::{delete, get, post, put, route};

struct User;

#[jwt_required]
#[get("/a")]
fn plain() {}

#[jwt_required()]
#[get("/b")]
async fn empty_parens(token: Token) -> String {
    token.identity().to_owned()
}

#[jwt_required(optional)]
#[get("/c")]
fn optional(token: OptionalToken) -> String {
    token.identity().unwrap_or_default().to_owned()
}

#[jwt_required(fresh, locations = [headers, "cookies"], skip_revocation_check)]
#[put("/d/<id>")]
fn fresh(id: u8, user: CurrentUser<User>) -> String {
    let _ = &*user;
    id.to_string()
}

#[jwt_required(refresh, locations = [query_string])]
#[post("/e")]
fn refresh(token: Token<(), Refresh>) -> String {
    token.identity().to_owned()
}

#[jwt_required(verify_type = false)]
#[delete("/f")]
fn any(token: Token) -> String {
    token.identity().to_owned()
}

#[jwt_required(verify_type = true, locations = [json])]
#[post("/g", data = "<body>")]
fn json(body: JsonToken) -> String {
    body.identity().to_owned()
}

#[fresh_jwt_required]
#[post("/h")]
fn fresh_short(token: Token<(), Fresh>) -> String {
    token.identity().to_owned()
}

/// A parameter may be stricter than the route: here an access token under either type.
#[jwt_required(verify_type = false)]
#[post("/h2")]
fn stricter(token: Token<(), Access>) -> String {
    token.identity().to_owned()
}

/// The aliases read like their policy.
#[fresh_jwt_required]
#[post("/h3")]
fn aliases(fresh: FreshToken) -> String {
    fresh.identity().to_owned()
}

#[jwt_required]
#[post("/h5")]
fn access_alias(access: AccessToken) -> String {
    access.identity().to_owned()
}

#[jwt_refresh_token_required]
#[post("/h4")]
fn refresh_alias(token: RefreshToken) -> String {
    token.identity().to_owned()
}

#[jwt_refresh_token_required(locations = [cookies])]
#[rocket::post("/i")]
fn refresh_short(token: Token) -> String {
    token.identity().to_owned()
}

#[jwt_required]
#[route(GET, uri = "/j")]
pub(crate) fn generic_route() -> &'static str {
    "j"
}

#[derive(serde::Serialize, serde::Deserialize, jwt_ext::Claims)]
struct NoteClaims {
    role: String,
}

fn is_admin(claims: &NoteClaims) -> bool {
    claims.role == "admin"
}

mod rules {
    pub fn not_banned(claims: &super::NoteClaims) -> Result<(), String> {
        if claims.role == "banned" { Err("banned".into()) } else { Ok(()) }
    }
}

/// Authorization: checks typed by their own argument or by the handler's claims, roles, scopes.
#[jwt_required(check = is_admin)]
#[get("/k")]
fn checked(token: Token) -> String {
    token.identity().to_owned()
}

#[jwt_required(check = [is_admin, rules::not_banned], roles = ["admin"], scopes = ["notes:write", "notes:read"])]
#[get("/l")]
fn checked_typed(token: Token<NoteClaims>) -> String {
    token.claims().role.clone()
}

#[fresh_jwt_required(roles = ["admin", "owner"])]
#[post("/m")]
fn fresh_roles(token: FreshToken) -> String {
    token.identity().to_owned()
}

#[jwt_refresh_token_required(check = self::rules::not_banned)]
#[post("/n")]
fn refresh_checked(token: Token) -> String {
    token.identity().to_owned()
}

#[jwt_required(scopes = ["notes:write"], locations = [json])]
#[post("/o", data = "<body>")]
fn json_scoped(body: JsonToken<NoteClaims>) -> String {
    body.identity().to_owned()
}

fn main() {
    let _ = rocket::routes![
        plain, empty_parens, optional, fresh, refresh, any, json, fresh_short, stricter, aliases, access_alias, refresh_alias, refresh_short, generic_route,
        checked, checked_typed, fresh_roles, refresh_checked, json_scoped
    ];
}
