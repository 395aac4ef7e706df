//! Refresh-token rotation with reuse detection (SPEC §14): [`Auth::rotate`] and what it
//! answers.

use std::fmt;

use serde::Serialize;

use crate::auth::Auth;
use crate::blocklist::{Spend, Spent};
use crate::error::{AuthError, IssueError};
use crate::family::{self, family_end, new_family};
use crate::kind::TokenType;
use crate::token::TokenData;

/// The new tokens of a refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenPair {
    /// The new access token (not fresh).
    pub access_token: String,
    /// The new refresh token, of the same family.
    pub refresh_token: String,
}

/// Why [`Auth::rotate`] gave no new pair. As a responder, each side answers as it does alone:
/// the refusal with its status and message (the error hooks apply), an issue failure 500.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotateError {
    /// The refresh token was refused: reused (its family is now revoked), revoked, of a
    /// family past `refresh_family_lifetime`, or the store could not answer.
    Refused(AuthError),
    /// The new tokens could not be issued.
    Issue(IssueError),
}

impl fmt::Display for RotateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RotateError::Refused(e) => e.fmt(f),
            RotateError::Issue(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for RotateError {}

impl From<AuthError> for RotateError {
    fn from(e: AuthError) -> Self {
        RotateError::Refused(e)
    }
}

impl From<IssueError> for RotateError {
    fn from(e: IssueError) -> Self {
        RotateError::Issue(e)
    }
}

impl<'r> rocket::response::Responder<'r, 'static> for RotateError {
    fn respond_to(self, req: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        match self {
            RotateError::Refused(e) => e.respond_to(req),
            RotateError::Issue(e) => e.respond_to(req),
        }
    }
}

impl Auth {
    /// A new family id for the tokens of one login: give it to both builders with
    /// [`TokenBuilder::family`](crate::TokenBuilder::family), so that revoking the family (on
    /// reuse, or logging out with the refresh token) ends the login's access token too.
    pub fn new_family(&self) -> String {
        new_family()
    }

    /// Whether `refresh_token_rotation` is on: a refresh route then calls [`Auth::rotate`].
    pub fn rotates_refresh_tokens(&self) -> bool {
        self.settings.rotation.enabled
    }

    /// Spends the verified refresh token `token` and answers a new access token and a new
    /// refresh token of its family: the whole body of a refresh route under rotation.
    ///
    /// Atomic in the store: of any number of concurrent calls with one token (on any number of
    /// instances sharing the store), exactly one is the first. A token spent before is
    /// *reuse*: 401 `Token has been revoked`, and the family is revoked on every instance,
    /// unless it comes within `refresh_reuse_interval` of the first use (a second browser
    /// tab), which gets another new pair of the same family. A family past
    /// `refresh_family_lifetime` answers 401 and the user logs in again. A token without
    /// `fam` (Flask's, or issued before rotation was on) is a family of one: it is spent and
    /// the new pair starts a family. The new tokens carry the identity, the family and the
    /// hooks' additional claims, as Flask's refresh does; custom claims given to the builders
    /// at login are not carried over.
    ///
    /// ```no_run
    /// use jwt_ext::{jwt_refresh_token_required, Auth, RotateError, Token, TokenPair};
    /// use rocket::serde::json::Json;
    ///
    /// #[jwt_refresh_token_required]
    /// #[rocket::post("/refresh")]
    /// async fn refresh(auth: &Auth, token: Token) -> Result<Json<TokenPair>, RotateError> {
    ///     Ok(Json(auth.rotate(&token).await?))
    /// }
    /// ```
    pub async fn rotate(&self, token: &TokenData) -> Result<TokenPair, RotateError> {
        if token.token_type() != TokenType::Refresh {
            return Err(AuthError::RefreshRequired.into());
        }
        let settings = &self.settings;
        let now = settings.clock.now();
        let family = token.family();
        if family_end(settings, family).is_some_and(|end| end <= now) {
            return Err(AuthError::FamilyExpired.into());
        }
        let interval = settings.rotation.reuse_interval;
        let spend = Spend {
            now,
            reuse_until: if interval > 0 {
                now.saturating_add(interval)
            } else {
                now - 1
            },
            keep_until: token
                .expires_at()
                .and_then(|exp| exp.checked_add(settings.leeway)),
            family_keep_until: family::keep_until(&self.settings, family, now),
        };
        match self
            .blocklist
            .spend(token, &spend)
            .await
            .map_err(AuthError::from)?
        {
            Spent::First | Spent::Again => {}
            Spent::Reuse => {
                crate::telemetry::revoked("family");
                rocket::warn!(
                    "jwt-ext: a spent refresh token of `{}` was presented again: its family is \
                     revoked",
                    token.identity()
                );
                return Err(AuthError::Revoked.into());
            }
            Spent::Revoked => return Err(AuthError::Revoked.into()),
        }
        let family = family.map_or_else(new_family, str::to_owned);
        let identity = token.identity();
        Ok(TokenPair {
            access_token: self
                .access_token(identity)
                .family(&family)
                .issue_async()
                .await?,
            refresh_token: self
                .refresh_token(identity)
                .family(&family)
                .issue_async()
                .await?,
        })
    }
}
