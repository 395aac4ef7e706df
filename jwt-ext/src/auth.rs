//! [`Auth`], the handle in managed state: decoding and revoking here; issuing in `issue`,
//! cookies in `cookies`, rendering failures in `respond`, the fairing in `fairing`.

use std::sync::Arc;
use std::time::Duration;

use rocket::request::{FromRequest, Outcome};
use rocket::Request;
use serde_json::{Map, Value};

use crate::blocklist::Blocklist;
use crate::config::Settings;
use crate::error::AuthError;
use crate::family;
use crate::hooks::Hooks;
use crate::issuers::Issuers;
use crate::kind::TokenType;
use crate::telemetry;
use crate::token::{self, DecodeOptions, TokenData};

/// Issues, decodes and revokes tokens; a request guard (`auth: &Auth`) and managed state.
///
/// Attach [`Auth::fairing()`] to get one: it reads the `jwt` configuration at ignition.
pub struct Auth {
    pub(crate) settings: Settings,
    pub(crate) hooks: Hooks,
    pub(crate) blocklist: Arc<dyn Blocklist>,
    pub(crate) issuers: Issuers,
    /// The store's name in metrics: `memory`, `redis` or `custom`.
    pub(crate) store: &'static str,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("algorithm", &self.settings.keys.algorithm)
            .field("locations", &self.settings.locations)
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// Verifies a token (signature, time claims, identity, audience, issuer) without a
    /// request: no type, freshness or revocation check.
    pub fn decode(&self, token: &str) -> Result<TokenData, AuthError> {
        token::decode(
            &self.settings,
            token,
            self.settings.clock.now(),
            DecodeOptions::default(),
        )
    }

    /// Like [`decode`](Self::decode), but an expired token is accepted.
    pub fn decode_allow_expired(&self, token: &str) -> Result<TokenData, AuthError> {
        let options = DecodeOptions {
            allow_expired: true,
            key: None,
            external: None,
        };
        token::decode(&self.settings, token, self.settings.clock.now(), options)
    }

    /// The `jti` of a valid token.
    pub fn jti(&self, token: &str) -> Result<Option<String>, AuthError> {
        self.decode(token).map(|data| data.jti().map(str::to_owned))
    }

    /// The signed CSRF value of a valid token (present when cookies are a token location).
    pub fn csrf_token(&self, token: &str) -> Result<Option<String>, AuthError> {
        self.decode(token)
            .map(|data| data.csrf().map(str::to_owned))
    }

    /// The header of a token, **not verified**: for choosing a key by `kid`, never for trust.
    pub fn unverified_header(&self, token: &str) -> Result<Map<String, Value>, AuthError> {
        token::unverified_header(&self.settings, token)
    }

    /// The revocation store.
    pub fn blocklist(&self) -> &dyn Blocklist {
        &*self.blocklist
    }

    /// Revokes one token until it expires (plus the leeway), or forever when it never
    /// expires. Fails with [`AuthError::StoreUnavailable`] (503) when the store cannot answer,
    /// so a logout never claims success it did not have.
    pub async fn revoke(&self, token: &TokenData) -> Result<(), AuthError> {
        let jti = token.jti().ok_or(AuthError::invalid(
            "Missing claim: jti (tokens without one cannot be revoked one by one)",
        ))?;
        // An `exp` too large to add the leeway to is as good as never.
        let keep_until = token
            .expires_at()
            .and_then(|exp| exp.checked_add(self.settings.leeway));
        let identity = token.revocation_identity();
        self.blocklist
            .revoke_token(&identity, jti, keep_until)
            .await
            .map_err(AuthError::from)?;
        telemetry::revoked("token");
        // Logging out with a refresh token ends its family (SPEC §14).
        if let (TokenType::Refresh, Some(family)) = (token.token_type(), token.family()) {
            let keep_until =
                family::keep_until(&self.settings, Some(family), self.settings.clock.now());
            self.blocklist
                .revoke_family(&identity, family, keep_until)
                .await
                .map_err(AuthError::from)?;
            telemetry::revoked("family");
        }
        Ok(())
    }

    /// Revokes every token of `identity` issued until now ("log out everywhere").
    ///
    /// The entry must outlive every token it covers, and a token may live longer than the
    /// configured lifetimes (`expires_in`, `never_expires`, a peer's settings): it is kept for
    /// `max_token_lifetime` (plus the leeway) when that is configured, which bounds what any
    /// accepted token can live, and forever otherwise.
    pub async fn revoke_identity(&self, identity: &str) -> Result<(), AuthError> {
        let now = self.settings.clock.now();
        let keep_until = self
            .settings
            .max_token_lifetime
            .and_then(|max| now.checked_add(max)?.checked_add(self.settings.leeway));
        self.blocklist
            .revoke_identity(identity, now, keep_until)
            .await
            .map_err(AuthError::from)?;
        telemetry::revoked("identity");
        // `iat` has one-second resolution and every token of this second is revoked; waiting
        // for the next second means a token issued after this returns (a new login) is newer.
        let into_second = self.settings.clock.now_micros().rem_euclid(1_000_000) / 1000;
        let wait = 1000u64.saturating_sub(into_second.unsigned_abs()).min(1000);
        rocket::tokio::time::sleep(Duration::from_millis(wait)).await;
        Ok(())
    }
}

/// Fails only when the fairing is missing, which [`Sentinel`](rocket::Sentinel) already refuses
/// at launch.
#[rocket::async_trait]
impl<'r> FromRequest<'r> for &'r Auth {
    type Error = AuthError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, AuthError> {
        match Auth::fetch(req.rocket()) {
            Ok(auth) => Outcome::Success(auth),
            Err(e) => Outcome::Error((e.status(), e)),
        }
    }
}

impl Auth {
    /// The `Auth` of a running rocket, or [`AuthError::NotConfigured`] (500, logged with the
    /// fix) when `Auth::fairing()` is not attached.
    pub fn fetch<P: rocket::Phase>(rocket: &rocket::Rocket<P>) -> Result<&Auth, AuthError> {
        rocket.state::<Auth>().ok_or_else(|| {
            rocket::error!("jwt-ext: `Auth` is not managed; attach `Auth::fairing()`");
            AuthError::NotConfigured
        })
    }

    /// Logs and reports whether `Auth::fairing()` is missing: the `Sentinel` of every guard.
    pub(crate) fn missing(rocket: &rocket::Rocket<rocket::Ignite>) -> bool {
        if rocket.state::<Auth>().is_some() {
            return false;
        }
        rocket::error!(
            "jwt-ext: a route uses a JWT guard but `Auth::fairing()` is not attached; \
             add `.attach(jwt_ext::Auth::fairing())` to your rocket"
        );
        true
    }
}

impl rocket::Sentinel for Auth {
    fn abort(rocket: &rocket::Rocket<rocket::Ignite>) -> bool {
        Auth::missing(rocket)
    }
}
