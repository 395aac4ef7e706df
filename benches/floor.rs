//! The floor of the HTTP harness: a minimal hand-written Rocket guard that only
//! `jsonwebtoken::decode`s the `Authorization: Bearer` header (no revocation, no policy), and an
//! unguarded route. Same secret and port conventions as the quickstart.

#![allow(missing_docs)] // `#[launch]` re-emits `rocket()` without its doc comment
use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome};
use rocket::serde::json::{json, Json, Value};
use rocket::{get, routes, Request};
use serde::Deserialize;

#[derive(Deserialize)]
struct Claims {
    sub: String,
}

struct Bearer(String);

struct Keys {
    key: DecodingKey,
    validation: Validation,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Bearer {
    type Error = ();

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, ()> {
        let Some(keys) = req.rocket().state::<Keys>() else {
            return Outcome::Error((Status::InternalServerError, ()));
        };
        let token = req
            .headers()
            .get_one("Authorization")
            .and_then(|h| h.strip_prefix("Bearer "));
        match token.map(|t| decode::<Claims>(t, &keys.key, &keys.validation)) {
            Some(Ok(data)) => Outcome::Success(Bearer(data.claims.sub)),
            _ => Outcome::Error((Status::Unauthorized, ())),
        }
    }
}

/// The same response as the quickstart's, so only the guards differ.
#[get("/protected")]
fn protected(user: Bearer) -> Json<Value> {
    Json(json!({"logged_in_as": user.0}))
}

#[get("/public")]
fn public() -> Json<Value> {
    Json(json!({"public": true}))
}

/// The floor server: the guard above on `/protected`, nothing on `/public`.
#[rocket::launch]
pub fn rocket() -> _ {
    let secret = std::env::var("FLOOR_SECRET")
        .unwrap_or_else(|_| "jwt-ext quickstart demo secret -- replace me in production!".into());
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_nbf = true;
    let key =
        DecodingKey::from_secret(secret.as_bytes()).unwrap_or_else(|e| panic!("bad secret: {e}"));
    rocket::build()
        .manage(Keys { key, validation })
        .mount("/", routes![protected, public])
}
