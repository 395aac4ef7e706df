//! [`WithToken`]: a token put on a local-client request where the app reads it.

use rocket::http::uri::Origin;
use rocket::http::{ContentType, Cookie, Header, RawStr};
use rocket::local::{asynchronous, blocking};
use rocket::Request;
use serde_json::Value;

use super::Kit;
use crate::config::Settings;
use crate::kind::TokenType;
use crate::token;

/// Where a test puts a token: the app's configured names decide the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Via {
    /// `Authorization: Bearer <token>` (the configured header name and type).
    Header,
    /// The access (or refresh) cookie, and the CSRF header with the token's `csrf` claim when
    /// CSRF protection covers the request's method.
    Cookie,
    /// A JSON body `{"access_token": "<token>"}` (or the refresh key), replacing the body.
    Body,
    /// The query parameter, with its configured value prefix, added to the URI.
    Query,
}

/// Puts a token on a Rocket local-client request (blocking or async).
pub trait WithToken: Sized {
    /// This request carrying `token` as `via` says, under `kit`'s app's names.
    ///
    /// ```
    /// # use jwt_ext::testing::{Kit, Via, WithToken};
    /// # fn demo(kit: &Kit<'_>, client: &rocket::local::blocking::Client) {
    /// let token = kit.access("alice").mint();
    /// let response = client.post("/transfer").with_token(kit, Via::Cookie, &token).dispatch();
    /// # }
    /// ```
    fn with_token(self, kit: &Kit<'_>, via: Via, token: &str) -> Self;
}

macro_rules! with_token {
    ($request:ty) => {
        impl WithToken for $request {
            fn with_token(mut self, kit: &Kit<'_>, via: Via, token: &str) -> Self {
                let settings = &kit.auth().settings;
                let kind = token_type(settings, token);
                match via {
                    Via::Header => self.header(authorization(settings, token)),
                    Via::Cookie => {
                        let names = settings.names.get(kind);
                        self = self.cookie(Cookie::new(names.cookie.clone(), token.to_owned()));
                        match csrf_header(settings, &self, token) {
                            Some(header) => self.header(header),
                            None => self,
                        }
                    }
                    Via::Body => {
                        let key = settings.names.get(kind).json_key.clone();
                        let body = serde_json::json!({ key: token });
                        self.header(ContentType::JSON).body(body.to_string())
                    }
                    Via::Query => {
                        add_query(settings, &mut self, token);
                        self
                    }
                }
            }
        }
    };
}

with_token!(asynchronous::LocalRequest<'_>);
with_token!(blocking::LocalRequest<'_>);

/// The `type` the token says it has (an unreadable one counts as access).
fn token_type(settings: &Settings, token: &str) -> TokenType {
    let payload = token::unverified_payload(settings, token).unwrap_or_default();
    match payload.get("type").and_then(Value::as_str) {
        Some("refresh") => TokenType::Refresh,
        _ => TokenType::Access,
    }
}

fn authorization(settings: &Settings, token: &str) -> Header<'static> {
    let value = match settings.header_type.as_str() {
        "" => token.to_owned(),
        kind => format!("{kind} {token}"),
    };
    Header::new(settings.header_name.clone(), value)
}

fn csrf_header(settings: &Settings, request: &Request<'_>, token: &str) -> Option<Header<'static>> {
    if !settings.csrf_protect || !settings.csrf_methods.contains(&request.method()) {
        return None;
    }
    let payload = token::unverified_payload(settings, token).ok()?;
    let csrf = payload.get("csrf")?.as_str()?.to_owned();
    let name = settings
        .names
        .get(token_type(settings, token))
        .csrf_header
        .clone();
    Some(Header::new(name, csrf))
}

fn add_query(settings: &Settings, request: &mut Request<'_>, token: &str) {
    let uri = request.uri();
    let value = format!("{}{token}", settings.query_string_value_prefix);
    let pair = format!(
        "{}={}",
        RawStr::new(&settings.query_string_name).percent_encode(),
        RawStr::new(&value).percent_encode()
    );
    let query = match uri.query() {
        Some(query) if !query.is_empty() => format!("{query}&{pair}"),
        _ => pair,
    };
    let text = format!("{}?{query}", uri.path());
    match Origin::parse_owned(text) {
        Ok(origin) => request.set_uri(origin),
        Err(e) => panic!("jwt-ext testing: the token does not fit in a query string: {e}"),
    }
}
