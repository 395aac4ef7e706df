//! Cookie helpers (Flask's `set_access_cookies`, `unset_jwt_cookies`, ...): one builder of
//! JWT and CSRF cookies for the jar and for responses written directly (implicit refresh).

use rocket::http::{Cookie, CookieJar, SameSite};

use crate::auth::Auth;
use crate::kind::TokenType;
use crate::token;

impl Auth {
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
