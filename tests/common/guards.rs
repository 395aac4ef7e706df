//! The app of the guard tests (`header.rs`, `token_checks.rs`, `policies.rs`,
//! `claims_and_hooks.rs`): every guard type, a counting store, a user loader.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use jwt_ext::{
    AnyType, Auth, Blocklist, Claims, ClaimsError, CurrentUser, Fresh, MemoryBlocklist,
    OptionalToken, Refresh, StoreError, Token, TokenData, UserLoader,
};
use rocket::http::{Header, Status};
use rocket::{catch, catchers, get, post, routes, Request};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::*;

#[derive(Debug, Serialize, Deserialize)]
pub struct Role {
    pub role: String,
}

impl Claims for Role {
    fn validate(&self) -> Result<(), ClaimsError> {
        if self.role == "banned" {
            Err(ClaimsError::new("banned role"))
        } else {
            Ok(())
        }
    }
}

pub struct TestUser(String);

pub struct Loader;

#[rocket::async_trait]
impl UserLoader for Loader {
    type User = TestUser;

    async fn load_user(&self, token: &TokenData, _: &Request<'_>) -> Option<TestUser> {
        (token.identity() != "ghost").then(|| TestUser(token.identity().to_owned()))
    }
}

/// Counts revocation checks, to observe that a request asks the store once.
#[derive(Default, Clone)]
pub struct Counting {
    pub inner: Arc<MemoryBlocklist>,
    pub checks: Arc<AtomicUsize>,
    pub down: Arc<std::sync::atomic::AtomicBool>,
}

#[rocket::async_trait]
impl Blocklist for Counting {
    async fn is_revoked(&self, token: &TokenData) -> Result<bool, StoreError> {
        self.checks.fetch_add(1, Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::new("connection refused"));
        }
        self.inner.is_revoked(token).await
    }

    async fn revoke_token(
        &self,
        identity: &str,
        jti: &str,
        keep_until: Option<i64>,
    ) -> Result<(), StoreError> {
        self.inner.revoke_token(identity, jti, keep_until).await
    }

    async fn revoke_identity(
        &self,
        identity: &str,
        before: i64,
        keep: Option<i64>,
    ) -> Result<(), StoreError> {
        self.inner.revoke_identity(identity, before, keep).await
    }
}

#[get("/protected")]
pub fn protected(token: Token) -> String {
    token.identity().to_owned()
}

#[get("/fresh")]
fn fresh(token: Token<(), Fresh>) -> String {
    token.identity().to_owned()
}

#[post("/refresh")]
fn refresh(token: Token<(), Refresh>) -> String {
    token.identity().to_owned()
}

#[get("/any")]
fn any(token: Token<(), AnyType>) -> String {
    format!("{:?}", token.token_type())
}

#[get("/optional")]
fn optional(token: OptionalToken) -> String {
    token.identity().unwrap_or("anonymous").to_owned()
}

#[get("/role")]
fn role(token: Token<Role>) -> String {
    token.claims().role.clone()
}

#[get("/dynamic")]
fn dynamic(token: Token<Map<String, Value>>) -> String {
    Value::Object(token.claims().clone()).to_string()
}

#[get("/user")]
pub fn user(user: CurrentUser<TestUser>) -> String {
    user.0.clone()
}

#[get("/many")]
fn many(
    a: Token,
    b: Token<Map<String, Value>>,
    c: OptionalToken,
    d: CurrentUser<TestUser>,
) -> String {
    format!(
        "{} {} {:?} {}",
        a.identity(),
        b.identity(),
        c.identity(),
        d.0
    )
}

#[get("/own-401")]
fn own_401() -> Status {
    Status::Unauthorized
}

#[catch(401)]
fn app_401() -> &'static str {
    "the app's own 401 page"
}

pub struct App {
    pub client: rocket::local::blocking::Client,
    pub store: Counting,
}

pub fn app_with(
    config: Value,
    fairing: impl FnOnce(jwt_ext::AuthFairing) -> jwt_ext::AuthFairing,
) -> App {
    let store = Counting::default();
    let rocket = rocket_with(config)
        .attach(fairing(
            Auth::fairing().user_loader(Loader).blocklist(store.clone()),
        ))
        .mount(
            "/",
            routes![protected, fresh, refresh, any, optional, role, dynamic, user, many, own_401],
        )
        .register("/", catchers![app_401]);
    App {
        client: client(rocket),
        store,
    }
}

pub fn app() -> App {
    app_with(json!({}), |f| f)
}

impl App {
    pub fn get(&self, path: &str, token: &str) -> (Status, Value) {
        answer(self.client.get(path).header(bearer(token)).dispatch())
    }

    pub fn get_with(&self, path: &str, header: Header<'static>) -> (Status, Value) {
        answer(self.client.get(path).header(header).dispatch())
    }

    /// A 401 with `WWW-Authenticate: Bearer error="invalid_token"` and `message`.
    pub fn assert_invalid_token(&self, path: &str, token: &str, message: &str) {
        let response = self.client.get(path).header(bearer(token)).dispatch();
        assert_eq!(
            response.headers().get_one("WWW-Authenticate"),
            Some(r#"Bearer error="invalid_token""#)
        );
        assert_eq!(answer(response), (Status::Unauthorized, msg(message)));
    }

    pub fn access(&self) -> String {
        auth(&self.client)
            .access_token("alice")
            .issue()
            .expect("issues")
    }
}

pub fn authorization(value: &str) -> Header<'static> {
    Header::new("Authorization", value.to_owned())
}
