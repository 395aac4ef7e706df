//! Implicit refreshing of cookie sessions (Flask-JWT-Extended's "implicit refreshing with
//! cookies"): a successful response to a request whose access cookie is about to expire
//! carries a new access cookie, so an active browser session does not end mid-use.

use rocket::{Request, Response};

use crate::auth::Auth;
use crate::family;
use crate::kind::TokenType;
use crate::location::Location;
use crate::verify;

/// Adds a new access cookie (and its CSRF cookie) to `res` when the access cookie that the
/// answering route's guards accepted expires within `implicit_refresh_window`.
///
/// Only for a token that passed a whole guard (claims, user lookup, the verification hook) and
/// that no guard of the route refused. Never when the response itself sets or removes the
/// access cookie (a login, a logout), nor when the token is now revoked (the handler may have
/// revoked it): a session that this response ended stays ended. The new token carries the
/// identity, its family and the hooks' additional claims; custom claims given to the builder
/// at login are not carried over (re-issue from the handler to keep them). A family past
/// `refresh_family_lifetime` gets no new cookie, and the new token expires with its family.
pub(crate) async fn implicit_refresh(auth: &Auth, req: &Request<'_>, res: &mut Response<'_>) {
    let Some(window) = auth.settings.implicit_refresh_window else {
        return;
    };
    let Some(token) = verify::accepted(req) else {
        return;
    };
    let expiring = token
        .expires_at()
        .is_some_and(|exp| exp.saturating_sub(auth.settings.clock.now()) <= window);
    if token.location() != Some(Location::Cookies)
        || token.token_type() != TokenType::Access
        || !expiring
    {
        return;
    }
    let cookie_name = &auth.settings.names.access.cookie;
    let touched = res.headers().get("Set-Cookie").any(|header| {
        header
            .split(';')
            .next()
            .and_then(|pair| pair.split_once('='))
            .is_some_and(|(name, _)| name.trim() == cookie_name)
    });
    if touched || !matches!(auth.blocklist.is_revoked(&token).await, Ok(false)) {
        return;
    }
    // Within the token's family (SPEC §14): revoked with it, and never past its end.
    let mut builder = auth.access_token(token.identity());
    if let Some(family) = token.family() {
        if family::family_end(&auth.settings, Some(family))
            .is_some_and(|end| end <= auth.settings.clock.now())
        {
            return;
        }
        builder = builder.family(family);
    }
    match builder.issue_async().await {
        Ok(new) => {
            let tls = req.rocket().config().tls_enabled();
            for cookie in auth.cookies_for(&new, TokenType::Access, tls) {
                res.adjoin_header(cookie);
            }
        }
        Err(e) => rocket::warn!("jwt-ext: implicit refresh could not issue a token: {e}"),
    }
}
