//! [`TokenBuilder`]: a token being issued, from `Auth::access_token` / `refresh_token` to
//! `.issue()`.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::auth::Auth;
use crate::claims::Claims;
use crate::error::IssueError;
use crate::family;
use crate::hooks::ToIdentity;
use crate::kind::{Freshness, TokenType};
use crate::telemetry;
use crate::token::{self, Draft};

impl Auth {
    /// Starts an access token for `identity` (a string, an integer, or any [`ToIdentity`]).
    /// It is not fresh unless [`TokenBuilder::fresh`] says so.
    pub fn access_token(&self, identity: impl ToIdentity) -> TokenBuilder<'_> {
        TokenBuilder::new(self, identity.to_identity(), TokenType::Access)
    }

    /// Starts a refresh token for `identity`.
    pub fn refresh_token(&self, identity: impl ToIdentity) -> TokenBuilder<'_> {
        TokenBuilder::new(self, identity.to_identity(), TokenType::Refresh)
    }
}

/// How long a new token lives.
#[derive(Debug, Clone, Copy)]
enum Lifetime {
    Configured,
    Seconds(i64),
    Never,
}

/// A token being issued; finish with [`issue`](Self::issue).
///
/// ```no_run
/// # fn demo(auth: &jwt_ext::Auth) -> Result<(), jwt_ext::IssueError> {
/// use std::time::Duration;
/// let token = auth
///     .access_token("alice")
///     .fresh_for(Duration::from_secs(600))
///     .claim("role", "admin")
///     .issue()?;
/// # Ok(()) }
/// ```
#[must_use = "a token is only made by `.issue()`"]
pub struct TokenBuilder<'a> {
    auth: &'a Auth,
    identity: String,
    kind: TokenType,
    fresh: Freshness,
    fresh_for: Option<Duration>,
    lifetime: Lifetime,
    claims: Result<Map<String, Value>, IssueError>,
    headers: Map<String, Value>,
    family: Option<String>,
    key: Option<String>,
}

impl<'a> TokenBuilder<'a> {
    fn new(auth: &'a Auth, identity: String, kind: TokenType) -> Self {
        TokenBuilder {
            auth,
            identity,
            kind,
            fresh: Freshness::Stale,
            fresh_for: None,
            lifetime: Lifetime::Configured,
            claims: Ok(Map::new()),
            headers: Map::new(),
            family: None,
            key: None,
        }
    }

    /// Marks the token fresh (`true`) or not (`false`, the default).
    pub fn fresh(mut self, fresh: bool) -> Self {
        self.fresh = fresh.into();
        self.fresh_for = None;
        self
    }

    /// Fresh for this long after issue (the `fresh` claim becomes a timestamp).
    pub fn fresh_for(mut self, duration: Duration) -> Self {
        self.fresh_for = Some(duration);
        self
    }

    /// Fresh until this Unix time (seconds).
    pub fn fresh_until(mut self, unix_seconds: i64) -> Self {
        self.fresh = Freshness::Until(unix_seconds as f64);
        self.fresh_for = None;
        self
    }

    /// Expires this long after issue instead of the configured lifetime.
    pub fn expires_in(mut self, duration: Duration) -> Self {
        self.lifetime = Lifetime::Seconds(i64::try_from(duration.as_secs()).unwrap_or(i64::MAX));
        self
    }

    /// Never expires (no `exp` claim), whatever the configuration says.
    pub fn never_expires(mut self) -> Self {
        self.lifetime = Lifetime::Never;
        self
    }

    /// Adds typed custom claims (a `#[derive(Claims)]` struct or any [`Claims`]).
    pub fn claims<C: Claims>(mut self, claims: &C) -> Self {
        let new = claims
            .to_claims()
            .map_err(|e| IssueError::Serialize(e.to_string()));
        self.claims = self.claims.and_then(|mut all| {
            all.extend(new?);
            Ok(all)
        });
        self
    }

    /// Adds one custom claim.
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        if let Ok(claims) = &mut self.claims {
            claims.insert(name.into(), value.into());
        }
        self
    }

    /// Puts the token in a refresh-token family (`fam`, SPEC §14), e.g. the access and refresh
    /// tokens of one login ([`Auth::new_family`]). Families exist under
    /// `refresh_token_rotation` only: without it nothing is written and tokens keep Flask's
    /// layout. With it, a refresh token issued without a family starts one of its own, and
    /// under `refresh_family_lifetime` an access token expires at its family's end at the
    /// latest (a refresh token after it is refused by [`Auth::rotate`]: "log in again").
    pub fn family(mut self, family: impl Into<String>) -> Self {
        self.family = Some(family.into());
        self
    }

    /// Signs with the key of `keys` whose `kid` this is, instead of `signing_key` (it needs a
    /// private or HS half). Overrides the encode-key hook.
    pub fn key(mut self, kid: impl Into<String>) -> Self {
        self.key = Some(kid.into());
        self
    }

    /// Signs the token, asking the encode-key hook
    /// ([`AuthFairing::encode_key`](crate::AuthFairing::encode_key)) which key signs, when one
    /// is registered and no [`key`](Self::key) was given.
    pub async fn issue_async(mut self) -> Result<String, IssueError> {
        if let (None, Some(hook)) = (&self.key, &self.auth.hooks.encode_key) {
            let chosen = hook(&self.identity, self.kind).await.map_err(|e| {
                rocket::error!("jwt-ext: the encode-key hook failed: {e}");
                IssueError::KeyHook(e)
            })?;
            self.key = chosen;
        }
        self.sign()
    }

    /// Adds a header parameter (not `alg`, `typ`, `kid`, nor one the verifier refuses).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }

    /// Signs the token. With an encode-key hook registered, use
    /// [`issue_async`](Self::issue_async) (or choose the [`key`](Self::key)): this answers
    /// [`IssueError::NeedsAsyncIssue`].
    pub fn issue(self) -> Result<String, IssueError> {
        if self.key.is_none() && self.auth.hooks.encode_key.is_some() {
            return Err(IssueError::NeedsAsyncIssue);
        }
        self.sign()
    }

    pub(crate) fn sign(self) -> Result<String, IssueError> {
        let auth = self.auth;
        let settings = &auth.settings;
        let now = settings.clock.now();
        let mut claims = match &auth.hooks.additional_claims {
            Some(hook) => hook(&self.identity, self.kind),
            None => Map::new(),
        };
        claims.extend(self.claims?);
        let mut headers = match &auth.hooks.additional_headers {
            Some(hook) => hook(&self.identity, self.kind),
            None => Map::new(),
        };
        headers.extend(self.headers);
        let configured = match self.kind {
            TokenType::Access => settings.access_expires,
            TokenType::Refresh => settings.refresh_expires,
        };
        let expires_in = match self.lifetime {
            Lifetime::Configured => configured,
            Lifetime::Seconds(s) => Some(s),
            Lifetime::Never => None,
        };
        let family = match (settings.rotation.enabled, self.family) {
            (false, _) => None,
            (true, Some(family)) => Some(family),
            (true, None) => (self.kind == TokenType::Refresh).then(family::new_family),
        };
        // An access token never outlives its family; a refresh token may, so that refreshing
        // after the family's end answers "log in again", not merely "expired".
        let expires_in = match self.kind {
            TokenType::Access => {
                family::within_family(settings, family.as_deref(), expires_in, now)
            }
            TokenType::Refresh => expires_in,
        };
        let fresh = match self.fresh_for {
            Some(duration) => Freshness::for_duration(now, duration),
            None => self.fresh,
        };
        let draft = Draft {
            identity: &self.identity,
            kind: self.kind,
            fresh,
            expires_in,
            family: family.as_deref(),
            key: self.key.as_deref(),
            claims,
            headers,
        };
        let token = token::encode(settings, draft, now)?;
        telemetry::issued(self.kind);
        Ok(token)
    }
}
