//! [`Auth`], the handle in managed state that issues, decodes and revokes tokens.

use std::sync::Arc;
use std::time::Duration;

use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::request::{FromRequest, Outcome};
use rocket::Request;
use serde_json::{Map, Value};

use crate::blocklist::Blocklist;
use crate::claims::Claims;
use crate::config::Settings;
use crate::error::{AuthError, IssueError};
use crate::hooks::{Hooks, ToIdentity};
use crate::token::{self, DecodeOptions, Draft, Freshness, TokenData, TokenType};

/// Issues, decodes and revokes tokens; a request guard (`auth: &Auth`) and managed state.
///
/// Attach [`Auth::fairing()`] to get one: it reads the `jwt` configuration at ignition.
pub struct Auth {
    pub(crate) settings: Settings,
    pub(crate) hooks: Hooks,
    pub(crate) blocklist: Arc<dyn Blocklist>,
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
    /// Starts an access token for `identity` (a string, an integer, or any [`ToIdentity`]).
    /// It is not fresh unless [`TokenBuilder::fresh`] says so.
    pub fn access_token(&self, identity: impl ToIdentity) -> TokenBuilder<'_> {
        TokenBuilder::new(self, identity.to_identity(), TokenType::Access)
    }

    /// Starts a refresh token for `identity`.
    pub fn refresh_token(&self, identity: impl ToIdentity) -> TokenBuilder<'_> {
        TokenBuilder::new(self, identity.to_identity(), TokenType::Refresh)
    }

    /// Verifies a token (signature, time claims, identity, audience, issuer) without a
    /// request: no type, freshness or revocation check.
    pub fn decode(&self, token: &str) -> Result<TokenData, AuthError> {
        token::decode(
            &self.settings,
            token,
            token::now(),
            DecodeOptions::default(),
        )
    }

    /// Like [`decode`](Self::decode), but an expired token is accepted.
    pub fn decode_allow_expired(&self, token: &str) -> Result<TokenData, AuthError> {
        let options = DecodeOptions {
            allow_expired: true,
        };
        token::decode(&self.settings, token, token::now(), options)
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
        self.blocklist
            .revoke_token(jti, keep_until)
            .await
            .map_err(AuthError::from)
    }

    /// Revokes every token of `identity` issued until now ("log out everywhere").
    ///
    /// The entry must outlive every token it covers, and a token may live longer than the
    /// configured lifetimes (`expires_in`, `never_expires`, a peer's settings): it is kept for
    /// `max_token_lifetime` (plus the leeway) when that is configured, which bounds what any
    /// accepted token can live, and forever otherwise.
    pub async fn revoke_identity(&self, identity: &str) -> Result<(), AuthError> {
        let now = token::now();
        let keep_until = self
            .settings
            .max_token_lifetime
            .and_then(|max| now.checked_add(max)?.checked_add(self.settings.leeway));
        self.blocklist
            .revoke_identity(identity, now, keep_until)
            .await
            .map_err(AuthError::from)?;
        // `iat` has one-second resolution and every token of this second is revoked; waiting
        // for the next second means a token issued after this returns (a new login) is newer.
        let into_second = chrono::Utc::now().timestamp_subsec_millis();
        let wait = 1000u64.saturating_sub(u64::from(into_second)).min(1000);
        rocket::tokio::time::sleep(Duration::from_millis(wait)).await;
        Ok(())
    }

    /// Sets the access cookie and, with CSRF protection, its readable CSRF cookie (Flask's
    /// `set_access_cookies`).
    pub fn set_access_cookies(&self, jar: &CookieJar<'_>, token: &str) {
        self.set_cookies_for(jar, token, TokenType::Access);
    }

    /// Sets the refresh cookie and its CSRF cookie (Flask's `set_refresh_cookies`).
    pub fn set_refresh_cookies(&self, jar: &CookieJar<'_>, token: &str) {
        self.set_cookies_for(jar, token, TokenType::Refresh);
    }

    /// Expires the access cookies (Flask's `unset_access_cookies`).
    pub fn unset_access_cookies(&self, jar: &CookieJar<'_>) {
        self.unset_cookies_for(jar, TokenType::Access);
    }

    /// Expires the refresh cookies (Flask's `unset_refresh_cookies`).
    pub fn unset_refresh_cookies(&self, jar: &CookieJar<'_>) {
        self.unset_cookies_for(jar, TokenType::Refresh);
    }

    /// Expires every JWT and CSRF cookie (Flask's `unset_jwt_cookies`).
    pub fn unset_jwt_cookies(&self, jar: &CookieJar<'_>) {
        self.unset_access_cookies(jar);
        self.unset_refresh_cookies(jar);
    }

    /// A JWT or CSRF cookie with the configured attributes, and Rocket's jar defaults made
    /// explicit (`SameSite=Strict` when none is configured), so a cookie written straight
    /// into a response (implicit refresh) reads exactly like one set through the jar.
    /// `tls` adds `Secure` as the jar does on a TLS server; `cookie_secure` always does.
    fn cookie(
        &self,
        name: &str,
        value: String,
        path: &str,
        http_only: bool,
        tls: bool,
    ) -> Cookie<'static> {
        let s = &self.settings;
        let mut cookie = Cookie::build((name.to_owned(), value))
            .path(path.to_owned())
            .http_only(http_only)
            .same_site(s.cookie_samesite.unwrap_or(SameSite::Strict));
        if s.cookie_secure || tls {
            cookie = cookie.secure(true);
        }
        if let Some(domain) = &s.cookie_domain {
            cookie = cookie.domain(domain.clone());
        }
        if !s.session_cookie {
            // Flask's `JWT_COOKIE_MAX_AGE` when cookies outlive the browser session: one year.
            cookie = cookie.max_age(rocket::time::Duration::seconds(31_540_000));
        }
        cookie.build()
    }

    fn set_cookies_for(&self, jar: &CookieJar<'_>, token: &str, kind: TokenType) {
        // The jar adds `Secure` itself on a TLS server.
        for cookie in self.cookies_for(token, kind, false) {
            jar.add(cookie);
        }
    }

    /// The JWT cookie of `kind` and, with CSRF protection, its readable CSRF cookie.
    pub(crate) fn cookies_for(
        &self,
        token: &str,
        kind: TokenType,
        tls: bool,
    ) -> Vec<Cookie<'static>> {
        let names = self.settings.names.get(kind);
        let mut cookies = vec![self.cookie(
            &names.cookie,
            token.to_owned(),
            &names.cookie_path,
            true,
            tls,
        )];
        if self.settings.csrf_protect && self.settings.csrf_in_cookies {
            // The token was just issued by us; its CSRF value is copied, not trusted.
            let csrf = token::unverified_payload(&self.settings, token)
                .ok()
                .and_then(|payload| payload.get("csrf")?.as_str().map(str::to_owned));
            if let Some(csrf) = csrf {
                cookies.push(self.cookie(
                    &names.csrf_cookie,
                    csrf,
                    &names.csrf_cookie_path,
                    false,
                    tls,
                ));
            }
        }
        cookies
    }

    /// Expires the cookies of `kind` whether or not the request sent them (Flask sends the
    /// removal every time): `CookieJar::remove` only does for cookies the request carried.
    fn unset_cookies_for(&self, jar: &CookieJar<'_>, kind: TokenType) {
        let names = self.settings.names.get(kind);
        let mut cookies = vec![(&names.cookie, &names.cookie_path, true)];
        if self.settings.csrf_protect && self.settings.csrf_in_cookies {
            cookies.push((&names.csrf_cookie, &names.csrf_cookie_path, false));
        }
        for (name, path, http_only) in cookies {
            let mut cookie = self.cookie(name, String::new(), path, http_only, false);
            cookie.make_removal();
            jar.add(cookie);
        }
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

    /// Adds a header parameter (not `alg`, `typ`, `kid`, nor one the verifier refuses).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }

    /// Signs the token.
    pub fn issue(self) -> Result<String, IssueError> {
        let auth = self.auth;
        let settings = &auth.settings;
        let now = token::now();
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
        let fresh = match self.fresh_for {
            Some(duration) => Freshness::for_duration(now, duration),
            None => self.fresh,
        };
        let draft = Draft {
            identity: &self.identity,
            kind: self.kind,
            fresh,
            expires_in,
            claims,
            headers,
        };
        token::encode(settings, draft, now)
    }
}

/// Fails only when the fairing is missing, which [`Sentinel`](rocket::Sentinel) already refuses
/// at launch.
#[rocket::async_trait]
impl<'r> FromRequest<'r> for &'r Auth {
    type Error = &'static str;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match req.rocket().state::<Auth>() {
            Some(auth) => Outcome::Success(auth),
            None => Outcome::Error((
                rocket::http::Status::InternalServerError,
                "attach `Auth::fairing()`",
            )),
        }
    }
}

impl Auth {
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
