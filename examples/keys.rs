//! An ES256 issuer with a key set: it signs with `2026-12`, still verifies tokens of the
//! retiring `2026-06`, and publishes both public keys at `GET /.well-known/jwks.json`.
//!
//! ```sh
//! cargo run --example keys
//! curl -s -XPOST localhost:8000/login            # {"access_token": "eyJ…"} (kid 2026-12)
//! curl -s localhost:8000/.well-known/jwks.json   # both public keys, never a private one
//! ```
//!
//! Rotating without logging anyone out, on every instance of the service:
//!
//! 1. Add the new key to `keys` as verify-only (`public_key_file`), everywhere, and wait until
//!    every instance and every client's JWKS cache (`jwks_max_age`) has it.
//! 2. Give it its private key and make it `signing_key`: new tokens carry its `kid`; tokens of
//!    the old key still verify, by their own `kid`.
//! 3. Once the longest lifetime has passed (`refresh_token_expires`, or `max_token_lifetime`),
//!    remove the old key: its tokens now answer 422, and it is gone from the JWKS.
//!
//! In `Rocket.toml`, with key files:
//!
//! ```toml
//! [default.jwt]
//! signing_key = "2026-12"
//! [[default.jwt.keys]]
//! kid = "2026-12"
//! algorithm = "ES256"
//! private_key_file = "keys/2026-12.pem"
//! [[default.jwt.keys]]
//! kid = "2026-06"
//! algorithm = "ES256"
//! public_key_file = "keys/2026-06.pub.pem"
//! ```
//!
//! The demo keys in `examples/keys/` are public: generate your own, e.g.
//! `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out 2027-06.pem`.

use jwt_ext::{jwt_required, Auth, IssueError, Token};
use rocket::serde::json::{json, Json, Value};
use rocket::{get, post, routes, Build, Rocket};

/// The demo keys, built into the binary; a service reads its own with `private_key_file`.
const SIGNING: &str = include_str!("keys/2026-12.pem");
const RETIRING: &str = include_str!("keys/2026-06.pub.pem");

#[post("/login")]
fn login(auth: &Auth) -> Result<Json<Value>, IssueError> {
    // A real service checks credentials first.
    let token = auth.access_token("alice").issue()?;
    Ok(Json(json!({"access_token": token})))
}

#[jwt_required]
#[get("/protected")]
fn protected(token: Token) -> Json<Value> {
    Json(json!({"logged_in_as": token.identity()}))
}

/// The issuer: the key set below unless `jwt.keys` is configured.
pub fn rocket() -> Rocket<Build> {
    let figment = rocket::Config::figment();
    let figment = if figment.find_value("jwt.keys").is_ok() {
        figment
    } else {
        figment.join(("jwt.signing_key", "2026-12")).join((
            "jwt.keys",
            json!([
                {"kid": "2026-12", "algorithm": "ES256", "private_key": SIGNING},
                {"kid": "2026-06", "algorithm": "ES256", "public_key": RETIRING},
            ]),
        ))
    };
    rocket::custom(figment)
        .attach(Auth::fairing())
        .mount("/", routes![login, protected])
        .mount("/", jwt_ext::jwks_routes())
}

#[rocket::main]
async fn main() -> Result<(), Box<rocket::Error>> {
    rocket().launch().await.map(|_| ()).map_err(Box::new)
}
