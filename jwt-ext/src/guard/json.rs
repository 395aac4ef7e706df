//! [`JsonToken`]: the data guard of the `json` location, with the body it read.

use std::ops::Deref;

use rocket::data::{self, FromData};
use rocket::{Ignite, Request, Rocket, Sentinel};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{missing, token, Token};
use crate::auth::Auth;
use crate::claims::Claims;
use crate::error::AuthError;
use crate::policy::{Requirement, RoutePolicy};
use crate::token::TokenData;
use crate::verify::{self, record};

/// A verified token that may travel in the JSON body (the `json` location), with the body.
///
/// Request guards cannot read the body, so the `json` location is served by this data guard:
/// use it as the route's `data = "<..>"` parameter. It looks in the policy's locations in
/// order like the other guards (the header first, say, then the body) and hands the parsed
/// body to the handler, since the body can only be read once.
///
/// The body is a [`serde_json::Value`] unless `B` names a type to deserialize it into; a body
/// that does not fit `B` answers 422 `Invalid JSON body`, after the token passed.
///
/// ```no_run
/// use jwt_ext::{JsonToken, RoutePolicy};
///
/// #[rocket::post("/notes", data = "<req>")]
/// fn add_note(req: JsonToken) -> String {
///     format!("{} wrote {}", req.identity(), req.body()["text"])
/// }
///
/// #[derive(serde::Deserialize)]
/// struct Note { text: String }
///
/// #[rocket::post("/typed-notes", data = "<req>")]
/// fn add_typed_note(req: JsonToken<(), RoutePolicy, Note>) -> String {
///     format!("{} wrote {}", req.identity(), req.body().text)
/// }
/// ```
pub struct JsonToken<C = (), P = RoutePolicy, B = Value> {
    token: Token<C, P>,
    body: B,
}

impl<C, P, B> JsonToken<C, P, B> {
    /// The verified token.
    pub fn token(&self) -> &Token<C, P> {
        &self.token
    }

    /// The body (a `Value`: `Null` when the request had none or it was not JSON).
    pub fn body(&self) -> &B {
        &self.body
    }

    /// The token and the body, by value.
    pub fn into_parts(self) -> (Token<C, P>, B) {
        (self.token, self.body)
    }
}

impl<C, P, B> Deref for JsonToken<C, P, B> {
    type Target = TokenData;

    fn deref(&self) -> &TokenData {
        &self.token.data
    }
}

#[rocket::async_trait]
impl<'r, C: Claims, P: Requirement, B: DeserializeOwned + Send + 'static> FromData<'r>
    for JsonToken<C, P, B>
{
    type Error = AuthError;

    async fn from_data(req: &'r Request<'_>, data: rocket::Data<'r>) -> data::Outcome<'r, Self> {
        let fail = |error| data::Outcome::Error(record(req, error));
        let auth = match verify::auth(req) {
            Ok(auth) => auth,
            Err(e) => return fail(e),
        };
        let (found, body) = crate::extract::read_json_body(req, data, &auth.settings).await;
        let token = match token(req, P::policy(req).required(), Some(&found)).await {
            Ok(Some(token)) => token,
            Ok(None) => return fail(missing()),
            Err(e) => return fail(e),
        };
        match B::deserialize(body) {
            Ok(body) => data::Outcome::Success(JsonToken { token, body }),
            Err(e) => {
                rocket::debug!("jwt-ext: the JSON body does not fit the handler's type: {e}");
                fail(AuthError::BadBody)
            }
        }
    }
}

impl<C, P, B> Sentinel for JsonToken<C, P, B> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        Auth::missing(rocket)
    }
}
