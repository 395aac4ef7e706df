//! A kit for an app's tests (feature `testing`): tokens of any shape, a clock that moves, tokens
//! put where the app reads them, and refusals asserted by [`ErrorKind`].
//!
//! Enable it for tests only:
//!
//! ```toml
//! [dev-dependencies]
//! jwt-ext = { version = "0.1", features = ["testing"] }
//! ```
//!
//! ```
//! use std::time::Duration;
//! use jwt_ext::testing::{Kit, Via, WithToken};
//! use jwt_ext::{Auth, ErrorKind, Token};
//! use rocket::local::blocking::Client;
//!
//! #[rocket::get("/protected")]
//! fn protected(token: Token) -> String {
//!     token.identity().to_owned()
//! }
//!
//! let rocket = rocket::custom(rocket::Config::figment().merge(("jwt.secret_key", "a test secret of 32 bytes or more!")))
//!     .attach(Auth::fairing())
//!     .mount("/", rocket::routes![protected]);
//! let client = Client::tracked(rocket).unwrap();
//! let kit = Kit::new(client.rocket());
//!
//! // A token that expired, with no sleeping:
//! let expired = kit.access("alice").expired().mint();
//! let response = client.get("/protected").with_token(&kit, Via::Header, &expired).dispatch();
//! kit.expect_refusal_blocking(response, ErrorKind::Expired);
//!
//! // Or let a good token age: the app's clock moves, the system's does not.
//! let token = kit.access("alice").mint();
//! kit.clock().advance(Duration::from_secs(16 * 60));
//! let response = client.get("/protected").with_token(&kit, Via::Header, &token).dispatch();
//! kit.expect_refusal_blocking(response, ErrorKind::Expired);
//! ```
//!
//! **Isolation.** The memory store belongs to one rocket: every `Client` built from a new
//! rocket starts with no revocations. For the Redis store, [`IsolatedRedis`] gives each test
//! a key prefix of its own and deletes its keys when dropped.

mod mint;
#[cfg(feature = "redis")]
mod redis;
mod request;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rocket::http::Status;
use rocket::local::{asynchronous, blocking};

use crate::auth::Auth;
use crate::error::{AuthError, ErrorKind};
use crate::hooks::ToIdentity;
use crate::kind::TokenType;

pub use mint::Mint;
#[cfg(feature = "redis")]
pub use redis::IsolatedRedis;
pub use request::{Via, WithToken};

/// The test's handle on an app's [`Auth`]: mints tokens, moves its clock, reads refusals.
#[derive(Debug, Clone, Copy)]
pub struct Kit<'a> {
    auth: &'a Auth,
}

impl<'a> Kit<'a> {
    /// The kit of an ignited rocket, e.g. `Kit::new(client.rocket())`. Panics when
    /// `Auth::fairing()` is not attached or the rocket has not been ignited (a local `Client`
    /// ignites it).
    pub fn new<P: rocket::Phase>(rocket: &'a rocket::Rocket<P>) -> Self {
        match rocket.state::<Auth>() {
            Some(auth) => Kit { auth },
            None => panic!(
                "jwt-ext testing: no `Auth` in this rocket; attach `Auth::fairing()` and build \
                 the kit from an ignited rocket (`Kit::new(client.rocket())`)"
            ),
        }
    }

    /// The app's `Auth`.
    pub fn auth(&self) -> &'a Auth {
        self.auth
    }

    /// The clock the app's pipeline reads.
    pub fn clock(&self) -> Clock {
        Clock(Arc::clone(&self.auth.settings.clock.ahead))
    }

    /// Starts minting an access token for `identity`.
    pub fn access(&self, identity: impl ToIdentity) -> Mint<'a> {
        Mint::new(self.auth, identity.to_identity(), TokenType::Access)
    }

    /// Starts minting a refresh token for `identity`.
    pub fn refresh(&self, identity: impl ToIdentity) -> Mint<'a> {
        Mint::new(self.auth, identity.to_identity(), TokenType::Refresh)
    }

    /// The kind of jwt-ext's default refusal with this status and body, `None` when it is not
    /// one (a success, the app's own error, or a refusal an error hook rewrote).
    pub fn refusal(&self, status: Status, body: &str) -> Option<ErrorKind> {
        let json: serde_json::Value = serde_json::from_str(body).ok()?;
        let message = json.get(&self.auth.settings.error_message_key)?.as_str()?;
        classify(status, message)
    }

    /// Panics unless `status` and `body` are jwt-ext's refusal of kind `kind`.
    #[track_caller]
    pub fn assert_refusal(&self, status: Status, body: &str, kind: ErrorKind) {
        let found = self.refusal(status, body);
        if found != Some(kind) {
            let shown: String = body.chars().take(200).collect();
            panic!(
                "expected a `{}` refusal, got {status}: {shown}",
                kind.as_str()
            );
        }
    }

    /// Panics unless the response is jwt-ext's refusal of kind `kind`.
    pub async fn expect_refusal(&self, response: asynchronous::LocalResponse<'_>, kind: ErrorKind) {
        let status = response.status();
        let body = response.into_string().await.unwrap_or_default();
        self.assert_refusal(status, &body, kind);
    }

    /// [`expect_refusal`](Self::expect_refusal) for the blocking client.
    #[track_caller]
    pub fn expect_refusal_blocking(&self, response: blocking::LocalResponse<'_>, kind: ErrorKind) {
        let status = response.status();
        let body = response.into_string().unwrap_or_default();
        self.assert_refusal(status, &body, kind);
    }
}

/// The kind of a default refusal, by its status and message.
fn classify(status: Status, message: &str) -> Option<ErrorKind> {
    let is = |error: AuthError| error.message() == message;
    let kind = match status.code {
        401 if is(AuthError::Expired) || is(AuthError::FamilyExpired) => ErrorKind::Expired,
        401 if is(AuthError::NeedsFresh) => ErrorKind::NeedsFresh,
        401 if is(AuthError::Revoked) => ErrorKind::Revoked,
        401 if message.starts_with("Error loading the user ") => ErrorKind::UserLookup,
        401 if message.contains("CSRF") => ErrorKind::Csrf,
        401 => ErrorKind::Missing,
        422 => ErrorKind::Invalid,
        400 if is(AuthError::ClaimsVerification) => ErrorKind::ClaimsVerification,
        403 if is(AuthError::forbidden()) => ErrorKind::Forbidden,
        503 if is(AuthError::StoreUnavailable) => ErrorKind::StoreUnavailable,
        503 if is(AuthError::IssuerUnavailable) => ErrorKind::IssuerUnavailable,
        500 if is(AuthError::NotConfigured) => ErrorKind::NotConfigured,
        _ => return None,
    };
    Some(kind)
}

/// The clock of one app's pipeline: what "now" is for issuing, expiry, `nbf`, freshness,
/// rotation and implicit refresh. It starts at the system time and only moves forward, so
/// revocations are never dropped early; every `Kit` of one rocket shares it.
#[derive(Debug, Clone)]
pub struct Clock(Arc<AtomicI64>);

impl Clock {
    /// Moves the app's time forward.
    pub fn advance(&self, by: Duration) {
        let micros = i64::try_from(by.as_micros()).unwrap_or(i64::MAX);
        self.0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |ahead| {
                Some(ahead.saturating_add(micros))
            })
            .ok();
    }

    /// How far the app's time is ahead of the system's.
    pub fn ahead(&self) -> Duration {
        Duration::from_micros(self.0.load(Ordering::Relaxed).max(0).unsigned_abs())
    }
}
