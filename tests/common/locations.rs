//! The app of the location tests (`locations.rs`, `query_and_json.rs`, `cookie_sessions.rs`).

use jwt_ext::{Auth, JsonToken, Refresh, RoutePolicy, Token};
use rocket::local::blocking::Client;
use rocket::{delete, get, post, put, routes};
use serde_json::{json, Value};

use super::*;

#[get("/protected")]
pub fn protected(token: Token) -> String {
    format!(
        "{} via {}",
        token.identity(),
        token.location().map_or("?", |l| l.as_str())
    )
}

#[delete("/protected")]
pub fn protected_delete(token: Token) -> String {
    token.identity().to_owned()
}

#[post("/refresh")]
pub fn refresh(token: Token<(), Refresh>) -> String {
    token.identity().to_owned()
}

#[post("/json", data = "<req>")]
pub fn json_route(req: JsonToken) -> Value {
    json!({"who": req.identity(), "via": req.location().map(|l| l.as_str()), "text": req.body()["text"]})
}

#[post("/json-refresh", data = "<req>")]
pub fn json_refresh(req: JsonToken<(), Refresh>) -> String {
    req.identity().to_owned()
}

pub fn app(locations: Value) -> Client {
    let rocket = rocket_with(json!({"token_location": locations}))
        .attach(Auth::fairing())
        .mount(
            "/",
            routes![
                protected,
                protected_delete,
                refresh,
                json_route,
                json_refresh,
                typed_json
            ],
        );
    client(rocket)
}

pub fn tokens(client: &Client) -> (String, String) {
    let auth = auth(client);
    (
        auth.access_token("alice").issue().expect("issues"),
        auth.refresh_token("alice").issue().expect("issues"),
    )
}

#[put("/protected")]
pub fn protected_put(token: Token) -> String {
    token.identity().to_owned()
}

/// A body the handler wants as its own type.
#[derive(serde::Deserialize)]
pub struct Note {
    pub text: String,
}

#[post("/typed-json", data = "<req>")]
pub fn typed_json(req: JsonToken<(), RoutePolicy, Note>) -> String {
    format!("{} wrote {}", req.identity(), req.body().text)
}
