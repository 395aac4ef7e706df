//! What the route attributes generate, on real handlers (this module exists in the docs only,
//! as `rocket_sync_db_pools`' example does).
//!
//! `change_password` below was written as
//!
//! ```text
//! #[fresh_jwt_required]
//! #[rocket::post("/password")]
//! pub fn change_password(token: Token) -> String { .. }
//! ```
//!
//! and its documented signature shows the hidden first parameter the attribute added: the guard
//! `JwtRequired<__jwt_ext_policy_change_password>`, whose type argument carries the route's
//! [`Policy`](crate::Policy) (`Policy::access().fresh()`). `whoami` shows that a handler
//! without an attribute keeps its signature: `CurrentUser<User>` alone requires an access token.

use crate::{fresh_jwt_required, CurrentUser, Token};

/// A fresh access token is required; `token` reads it.
#[fresh_jwt_required]
#[rocket::post("/password")]
pub fn change_password(token: Token) -> String {
    format!("password changed for {}", token.identity())
}

/// The user type of the example.
pub struct User {
    /// Its name.
    pub name: String,
}

/// An access token and the user it speaks for, without an attribute.
#[rocket::get("/whoami")]
pub fn whoami(user: CurrentUser<User>) -> String {
    user.name.clone()
}
