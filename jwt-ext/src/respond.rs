//! Rendering failures (SPEC §9): the default JSON body with `WWW-Authenticate` and
//! `Retry-After`, the error hooks, and the responders of [`AuthError`] and [`IssueError`].

use std::borrow::Cow;
use std::io::Cursor;

use rocket::http::{ContentType, Header, Status};
use rocket::{Request, Response};

use crate::auth::Auth;
use crate::error::{AuthError, IssueError};

/// Seconds a client is asked to wait when the revocation store cannot answer.
pub(crate) const RETRY_AFTER_SECS: u32 = 5;

impl AuthError {
    /// The `WWW-Authenticate` value of a 401 or 403 (RFC 6750 §3), `None` for other statuses.
    fn www_authenticate(&self) -> Option<Cow<'static, str>> {
        match self {
            AuthError::Missing(_) | AuthError::NeedsFresh | AuthError::Csrf(_) => {
                Some("Bearer".into())
            }
            AuthError::Expired
            | AuthError::FamilyExpired
            | AuthError::Revoked
            | AuthError::UserLookup { .. } => Some(r#"Bearer error="invalid_token""#.into()),
            AuthError::Forbidden { scopes } => Some(insufficient_scope(scopes)),
            _ => None,
        }
    }

    /// The default response: `{"<message_key>": "<message>"}` as JSON, with
    /// `WWW-Authenticate` on 401 and `Retry-After` on 503.
    pub fn to_response(&self, message_key: &str) -> Response<'static> {
        let mut body = serde_json::Map::with_capacity(1);
        body.insert(message_key.to_owned(), self.message().into_owned().into());
        let mut response = json_response(self.status(), &serde_json::Value::Object(body));
        if let Some(value) = self.www_authenticate() {
            response.set_header(Header::new("WWW-Authenticate", value));
        }
        if matches!(
            self,
            AuthError::StoreUnavailable | AuthError::IssuerUnavailable
        ) {
            response.set_header(Header::new("Retry-After", RETRY_AFTER_SECS.to_string()));
        }
        response
    }
}

impl Auth {
    /// The response for a failure: the error hook registered for its kind, or the default.
    pub fn error_response(&self, error: &AuthError, req: &Request<'_>) -> Response<'static> {
        match self.hooks.errors.get(&error.kind()) {
            Some(hook) => hook(error, req),
            None => error.to_response(&self.settings.error_message_key),
        }
    }
}

/// `Bearer error="insufficient_scope"`, with the required scopes when they can be quoted
/// (RFC 6750 §3: scope tokens never hold `"` or `\`; a hand-built policy might).
fn insufficient_scope(scopes: &[&str]) -> Cow<'static, str> {
    const BASE: &str = r#"Bearer error="insufficient_scope""#;
    let quotable = |scope: &&str| {
        !scope.is_empty()
            && scope
                .bytes()
                .all(|b| b == b'!' || (b'#'..=b'~').contains(&b) && b != b'\\')
    };
    if scopes.is_empty() || !scopes.iter().all(quotable) {
        return BASE.into();
    }
    format!(r#"{BASE}, scope="{}""#, scopes.join(" ")).into()
}

/// A JSON response with the given status, whatever the request's `Accept` header.
pub fn json_response(status: Status, body: &serde_json::Value) -> Response<'static> {
    let text = body.to_string();
    Response::build()
        .status(status)
        .header(ContentType::JSON)
        .sized_body(text.len(), Cursor::new(text))
        .finalize()
}

/// Answers like a failed guard (the error hook's response, or the default), so a handler can
/// return an `AuthError` it got from the revocation store or from
/// [`Auth::decode`](crate::Auth::decode).
impl<'r> rocket::response::Responder<'r, 'static> for AuthError {
    fn respond_to(self, req: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        Ok(match req.rocket().state::<Auth>() {
            Some(auth) => auth.error_response(&self, req),
            None => self.to_response("msg"),
        })
    }
}

/// A failed issue is a server-side mistake: it answers 500 `{"msg": "Could not issue a
/// token"}` (under `error_message_key`) like every other failure, and logs the reason.
impl<'r> rocket::response::Responder<'r, 'static> for IssueError {
    fn respond_to(self, req: &'r Request<'_>) -> rocket::response::Result<'static> {
        rocket::error!("jwt-ext: could not issue a token: {self}");
        let key = req
            .rocket()
            .state::<Auth>()
            .map_or("msg", |auth| auth.settings.error_message_key.as_str());
        let body = serde_json::json!({ key: "Could not issue a token" });
        Ok(json_response(Status::InternalServerError, &body))
    }
}
