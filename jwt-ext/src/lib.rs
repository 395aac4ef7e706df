//! JWT authentication for [Rocket](https://rocket.rs): everything Flask-JWT-Extended offers,
//! as request guards, a fairing and figment configuration.
//!
//! Access and refresh tokens, freshness for critical routes, revocation, refresh-token
//! rotation with reuse detection ([`Auth::rotate`]), custom claims, users
//! in and out of tokens, and tokens in headers, cookies (with CSRF protection), the query
//! string or a JSON body; and authorization on claims (roles, OAuth 2 scopes, checks of your
//! own: [`Policy`], `#[jwt_required(roles = [..], scopes = [..], check = path)]`), answered
//! 403. Tokens have Flask-JWT-Extended 4.x's layout, so a Flask service and a
//! Rocket service with the same secret accept each other's tokens.
//!
//! # Quickstart
//!
//! 1. Depend on `jwt-ext` (and Rocket 0.5):
//!    ```toml
//!    [dependencies]
//!    jwt-ext = "0.1"
//!    rocket = { version = "0.5", features = ["json"] }
//!    ```
//! 2. Configure a secret in `Rocket.toml` (or `ROCKET_JWT='{secret_key="…"}'`):
//!    ```toml
//!    [default.jwt]
//!    secret_key = "use 32 or more random bytes for HS256, not this text"
//!    ```
//! 3. Attach the fairing, issue tokens with the [`Auth`] handle and guard routes with
//!    [`Token`]:
//!
//! ```
//! use jwt_ext::{Auth, IssueError, Token};
//! use rocket::{get, post, routes};
//!
//! #[post("/login")]
//! fn login(auth: &Auth) -> Result<String, IssueError> {
//!     // check the password first, of course
//!     auth.access_token("alice").fresh(true).issue()
//! }
//!
//! #[get("/protected")]
//! fn protected(token: Token) -> String {
//!     format!("logged in as {}", token.identity())
//! }
//!
//! #[rocket::launch]
//! fn rocket() -> _ {
//!     rocket::build()
//!         .attach(Auth::fairing())
//!         .mount("/", routes![login, protected])
//! }
//! ```
//!
//! A request without a valid token gets Flask's answer, e.g. `401 {"msg": "Missing
//! Authorization Header"}`; see [`AuthError`] for every case.
//!
//! # Guards
//!
//! | guard | accepts |
//! |---|---|
//! | [`Token<C>`](Token) | an access token (or the route attribute's policy), custom claims `C` |
//! | `Token<C, `[`Fresh`]`>` | a fresh access token |
//! | `Token<C, `[`Refresh`]`>` | a refresh token |
//! | `Token<C, `[`AnyType`]`>` | either type |
//! | [`OptionalToken<C>`](OptionalToken) | no token (→ `None`) or a valid one; a bad one still fails |
//! | [`CurrentUser<U>`](CurrentUser) | the user loaded by the [`UserLoader`] for `U` |
//! | [`&Auth`](Auth) | the handle that issues, decodes and revokes |
//!
//! Each guard decodes a token at most once per request, whatever the number of guards, and
//! implements [`Sentinel`](rocket::Sentinel): a route that uses one refuses to launch without
//! the fairing.
//!
//! # Route attributes
//!
//! [`macro@jwt_required`] (options `optional`, `fresh`, `refresh`, `locations = [..]`,
//! `verify_type = false`, `skip_revocation_check`), [`macro@fresh_jwt_required`] and
//! [`macro@jwt_refresh_token_required`] go above Rocket's route attribute; they enforce the
//! policy before the handler's other guards run, and [`Token`] parameters read the result:
//!
//! ```
//! use jwt_ext::{jwt_refresh_token_required, Auth, Token};
//!
//! #[jwt_refresh_token_required]
//! #[rocket::post("/refresh")]
//! fn refresh(auth: &Auth, token: Token) -> Option<String> {
//!     auth.access_token(token.identity()).issue().ok()
//! }
//! ```
//!
//! [`derive@Claims`] lets a serde struct ride in tokens, with `#[claims(validate = path)]`.
//!
//! The whole guide (cookies and CSRF, revocation stores, hooks, errors, the Flask-JWT-Extended
//! → jwt-ext table) is the [`guide`] module; every configuration key is a documented field of
//! [`config::Config`].

#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]

#[cfg(not(any(feature = "aws_lc_rs", feature = "rust_crypto")))]
compile_error!(
    "jwt-ext needs a crypto backend: enable the `aws_lc_rs` feature (the default) or `rust_crypto`"
);

mod algorithm;
mod auth;
mod authorize;
mod blocklist;
mod claims;
mod clock;
pub mod config;
mod cookies;
mod csrf;
mod error;
mod extract;
mod fairing;
mod family;
mod guard;
mod hooks;
mod implicit_refresh;
mod issue;
mod issuers;
mod jwks;
mod keys;
mod kind;
mod location;
#[cfg(feature = "openapi")]
#[cfg_attr(docsrs, doc(cfg(feature = "openapi")))]
pub mod openapi;
mod policy;
mod respond;
mod rotation;
mod telemetry;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod token;
mod verify;

pub use algorithm::Algorithm;
pub use auth::Auth;
pub use authorize::{Check, Denied, Permission};
#[cfg(feature = "redis")]
pub use blocklist::RedisBlocklist;
pub use blocklist::{Blocklist, MemoryBlocklist, Spend, Spent, StoreError};
pub use claims::{Claims, ClaimsError};
pub use error::{AuthError, ErrorKind, IssueError};
pub use fairing::AuthFairing;
pub use guard::{
    refuse, AccessToken, AnyToken, CurrentUser, FreshToken, JsonToken, OptionalToken, RefreshToken,
    Token,
};
pub use hooks::{KeyFuture, ToIdentity, UserLoader};
pub use issue::TokenBuilder;
pub use jwks::jwks_routes;
pub use jwt_ext_macros::{fresh_jwt_required, jwt_refresh_token_required, jwt_required, Claims};
pub use keys::KeyChoice;
pub use kind::{Freshness, TokenType, RESERVED_CLAIMS};
pub use location::Location;
pub use policy::{Access, AnyType, Fresh, Policy, Refresh, Requirement, RoutePolicy};
pub use respond::json_response;
pub use rotation::{RotateError, TokenPair};
pub use token::TokenData;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

// The generated code names `::jwt_ext`, which the docs-only example below needs here too.
#[cfg(doc)]
extern crate self as jwt_ext;

#[cfg(doc)]
pub mod example;

/// The guide: the README (set-up, every capability, errors, the Flask-JWT-Extended →
/// jwt-ext table and the configuration reference), whose Rust examples run as doctests.
#[doc = include_str!("../README.md")]
pub mod guide {}
