//! Publishing the public keys (SPEC §12): [`Auth::jwks`] and the route serving it at
//! `GET /.well-known/jwks.json`.

use rocket::http::{ContentType, Header};
use rocket::response::{self, Responder};
use rocket::serde::json::Value;
use rocket::{Request, Response, Route};

use crate::auth::Auth;

impl Auth {
    /// The JWK set (RFC 7517) of the public keys of `keys`: each with `kty`, its public
    /// parameters, `kid`, `alg` and `use = "sig"`. Never a private key and never an HS key: with
    /// the single-key settings or HS keys only, `{"keys": []}`.
    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = self
            .settings
            .keys
            .public_jwks()
            .filter_map(|jwk| serde_json::to_value(jwk).ok())
            .collect();
        serde_json::json!({ "keys": keys })
    }
}

/// The route serving [`Auth::jwks`] at `GET /.well-known/jwks.json`, as JSON with
/// `Cache-Control: public, max-age=<jwks_max_age>`:
///
/// ```no_run
/// # use jwt_ext::Auth;
/// let rocket = rocket::build()
///     .attach(Auth::fairing())
///     .mount("/", jwt_ext::jwks_routes());
/// ```
pub fn jwks_routes() -> Vec<Route> {
    rocket::routes![jwks]
}

#[rocket::get("/.well-known/jwks.json")]
fn jwks(auth: &Auth) -> Jwks {
    Jwks(auth.jwks(), auth.settings.jwks_max_age)
}

/// The set and how long it may be cached.
struct Jwks(Value, u64);

impl<'r> Responder<'r, 'static> for Jwks {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let text = self.0.to_string();
        Ok(Response::build()
            .header(ContentType::JSON)
            .header(Header::new(
                "Cache-Control",
                format!("public, max-age={}", self.1),
            ))
            .sized_body(text.len(), std::io::Cursor::new(text))
            .finalize())
    }
}
