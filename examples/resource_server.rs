//! A Rocket API that trusts an external OpenID Connect provider's access tokens (and issues
//! none of its own): `GET /orders` needs the `read:orders` scope.
//!
//! ```sh
//! ROCKET_JWT='{trusted_issuers=[{issuer="https://YOUR_TENANT.eu.auth0.com/", discovery=true, audience="https://orders.example.com"}]}' \
//!   cargo run --example resource_server
//! curl -s localhost:8000/orders -H "Authorization: Bearer <an access token of the provider>"
//! ```
//!
//! Auth0 (an API with identifier `https://orders.example.com`; RS256; scopes in `scope`):
//!
//! ```toml
//! [[default.jwt.trusted_issuers]]
//! issuer = "https://YOUR_TENANT.eu.auth0.com/"
//! discovery = true
//! audience = "https://orders.example.com"
//! ```
//!
//! Keycloak (realm `shop`; give the client an audience mapper for `orders-api`):
//!
//! ```toml
//! [[default.jwt.trusted_issuers]]
//! issuer = "https://keycloak.example.com/realms/shop"
//! discovery = true
//! audience = "orders-api"
//! algorithms = ["RS256", "ES256"]
//! identity_claim = "preferred_username"
//! ```
//!
//! Keys are fetched from the provider's JWKS at launch, cached per its `Cache-Control` (30 s to
//! 24 h, 10 min without one), refetched on an unknown `kid` at most every 30 s, and kept through
//! an outage for a day; with no keys at all the API answers 503 with `Retry-After`.

use jwt_ext::{jwt_required, Auth, Token};
use rocket::serde::json::{json, Json, Value};
use rocket::{get, routes, Build, Rocket};

#[jwt_required(scopes = ["read:orders"])]
#[get("/orders")]
fn orders(token: Token) -> Json<Value> {
    Json(json!({"orders": [], "for": token.identity(), "issuer": token.issuer()}))
}

/// The API on the configured trusted issuers. jwt-ext needs keys of the app's own too; this
/// service issues no tokens, so a placeholder secret stands in unless one is configured.
pub fn rocket() -> Rocket<Build> {
    let figment = rocket::Config::figment();
    let figment =
        if figment.find_value("jwt.secret_key").is_ok() || figment.find_value("jwt.keys").is_ok() {
            figment
        } else {
            // Verify-only for its own tokens: nothing is signed here.
            figment.join((
                "jwt.secret_key",
                "resource-server: issues no tokens of its own 0123",
            ))
        };
    rocket::custom(figment)
        .attach(Auth::fairing())
        .mount("/", routes![orders])
}

#[rocket::main]
async fn main() -> Result<(), Box<rocket::Error>> {
    rocket().launch().await.map(|_| ()).map_err(Box::new)
}
