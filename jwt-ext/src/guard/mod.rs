//! Request guards (SPEC §5): the verified [`Token`], [`OptionalToken`], [`CurrentUser`] and the
//! [`JsonToken`] data guard.
//!
//! Each guard runs the pipeline of [`crate::verify`] under its own policy (decodes and store
//! answers are shared between guards judging the same token) and then reads what it hands to
//! the handler. A failing guard answers with the error; the fairing turns that answer into the
//! JSON body of SPEC §9 (or the error hook's response).

use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;

use rocket::request::{FromRequest, Outcome};
use rocket::{Ignite, Request, Rocket, Sentinel};

use crate::auth::Auth;
use crate::claims::Claims;
use crate::error::AuthError;
use crate::extract::JsonBody;

mod json;

use crate::policy::{Requirement, RoutePolicy};
use crate::token::TokenData;
use crate::verify::{self, fail};
pub use json::JsonToken;

fn read_claims<C: Claims>(data: &TokenData) -> Result<C, AuthError> {
    let claims = C::from_token(data).and_then(|c| c.validate().map(|()| c));
    claims.map_err(|e| {
        rocket::debug!("jwt-ext: custom claims refused: {e}");
        AuthError::ClaimsVerification
    })
}

/// A verified token with custom claims `C`, under policy `P`.
///
/// `C` defaults to `()` (no custom claims); use a `#[derive(Claims)]` struct or
/// `serde_json::Map<String, Value>` to read them. `P` defaults to [`RoutePolicy`]: the route
/// attribute's policy, or an access token. The payload and header are reachable through
/// `Deref` to [`TokenData`].
///
/// ```no_run
/// use jwt_ext::{Refresh, Token};
///
/// #[rocket::get("/me")]
/// fn me(token: Token) -> String {
///     format!("hello {}", token.identity())
/// }
///
/// #[rocket::post("/refresh")]
/// fn refresh(token: Token<(), Refresh>) -> String {
///     token.identity().to_owned()
/// }
/// ```
pub struct Token<C = (), P = RoutePolicy> {
    data: Arc<TokenData>,
    claims: C,
    policy: PhantomData<fn() -> P>,
}

impl<C, P> Token<C, P> {
    /// The custom claims.
    pub fn claims(&self) -> &C {
        &self.claims
    }

    /// The custom claims, by value.
    pub fn into_claims(self) -> C {
        self.claims
    }

    /// The verified token data, shared with other guards of this request.
    pub fn data(&self) -> &TokenData {
        &self.data
    }
}

impl<C, P> Deref for Token<C, P> {
    type Target = TokenData;

    fn deref(&self) -> &TokenData {
        &self.data
    }
}

impl<C: std::fmt::Debug, P> std::fmt::Debug for Token<C, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("identity", &self.data.identity())
            .field("type", &self.data.token_type())
            .field("claims", &self.claims)
            .finish_non_exhaustive()
    }
}

/// The token for `policy` with its custom claims; `Ok(None)` when an optional policy found none.
/// A token that passes is recorded as this route's accepted token (for implicit refresh).
pub(crate) async fn token<C: Claims, P>(
    req: &Request<'_>,
    policy: crate::policy::Policy,
    body: Option<&JsonBody>,
) -> Result<Option<Token<C, P>>, AuthError> {
    let Some(data) = verify::verify(req, policy, body).await? else {
        return Ok(None);
    };
    let claims = read_claims(&data)?;
    verify::passed(req, &data);
    Ok(Some(Token {
        data,
        claims,
        policy: PhantomData,
    }))
}

/// Fails a request guard of the application's own with jwt-ext's answer: the fairing renders
/// `error` as every other failure (JSON body, status, `WWW-Authenticate`, the error hooks),
/// instead of leaving the status to the application's catchers.
///
/// An admins-only guard composed on [`Token`], with its `Sentinel`:
///
/// ```
/// use jwt_ext::{refuse, AuthError, Token};
/// use rocket::request::{FromRequest, Outcome, Request};
/// use rocket::{outcome::try_outcome, Ignite, Rocket, Sentinel};
///
/// struct Admin(Token);
///
/// #[rocket::async_trait]
/// impl<'r> FromRequest<'r> for Admin {
///     type Error = AuthError;
///
///     async fn from_request(req: &'r Request<'_>) -> Outcome<Self, AuthError> {
///         let token = try_outcome!(req.guard::<Token>().await);
///         if token.identity() == "alice" {
///             Outcome::Success(Admin(token))
///         } else {
///             refuse(req, AuthError::forbidden())
///         }
///     }
/// }
///
/// /// Launch refuses routes taking `Admin` when the fairing is missing, as with `Token`.
/// impl Sentinel for Admin {
///     fn abort(rocket: &Rocket<Ignite>) -> bool {
///         <Token as Sentinel>::abort(rocket)
///     }
/// }
/// ```
pub fn refuse<T>(req: &Request<'_>, error: AuthError) -> Outcome<T, AuthError> {
    fail(req, error)
}

pub(crate) fn missing() -> AuthError {
    AuthError::Missing("Missing JWT".into())
}

#[rocket::async_trait]
impl<'r, C: Claims, P: Requirement> FromRequest<'r> for Token<C, P> {
    type Error = AuthError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, AuthError> {
        match token(req, P::policy(req).required(), None).await {
            Ok(Some(token)) => Outcome::Success(token),
            Ok(None) => fail(req, missing()),
            Err(e) => fail(req, e),
        }
    }
}

/// An access token: `Token<C, Access>`.
pub type AccessToken<C = ()> = Token<C, crate::policy::Access>;
/// A fresh access token: `Token<C, Fresh>`, for critical routes (Flask's `fresh=True`).
pub type FreshToken<C = ()> = Token<C, crate::policy::Fresh>;
/// A refresh token: `Token<C, Refresh>`, for the refresh route (Flask's `refresh=True`).
pub type RefreshToken<C = ()> = Token<C, crate::policy::Refresh>;
/// An access or a refresh token: `Token<C, AnyType>`, e.g. for logout (`verify_type=False`).
pub type AnyToken<C = ()> = Token<C, crate::policy::AnyType>;

/// A verified token if the request carries one, `None` if no location holds a token
/// (Flask's `jwt_required(optional=True)`).
///
/// Unlike Rocket's `Option<Token>`, a token that is present but bad (expired, forged, revoked,
/// of the wrong type) still fails the request with its error.
pub struct OptionalToken<C = (), P = RoutePolicy>(Option<Token<C, P>>);

impl<C, P> OptionalToken<C, P> {
    /// The token, if one was sent.
    pub fn as_ref(&self) -> Option<&Token<C, P>> {
        self.0.as_ref()
    }

    /// The token, if one was sent, by value.
    pub fn into_inner(self) -> Option<Token<C, P>> {
        self.0
    }

    /// The identity of the token, if one was sent.
    pub fn identity(&self) -> Option<&str> {
        self.0.as_ref().map(|t| t.identity())
    }
}

#[rocket::async_trait]
impl<'r, C: Claims, P: Requirement> FromRequest<'r> for OptionalToken<C, P> {
    type Error = AuthError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, AuthError> {
        match token(req, P::policy(req).optional(), None).await {
            Ok(token) => Outcome::Success(OptionalToken(token)),
            Err(e) => fail(req, e),
        }
    }
}

/// The user a verified token speaks for, loaded by the [`UserLoader`](crate::UserLoader)
/// registered for `U` (Flask's `current_user`). The lookup runs once per request.
///
/// A route using it refuses to launch when no loader for `U` is registered.
pub struct CurrentUser<U, P = RoutePolicy> {
    user: Arc<U>,
    token: Arc<TokenData>,
    policy: PhantomData<fn() -> P>,
}

impl<U, P> CurrentUser<U, P> {
    /// The verified token the user was loaded from.
    pub fn token(&self) -> &TokenData {
        &self.token
    }

    /// The user, shared with other guards of this request.
    pub fn into_inner(self) -> Arc<U> {
        self.user
    }
}

impl<U, P> Deref for CurrentUser<U, P> {
    type Target = U;

    fn deref(&self) -> &U {
        &self.user
    }
}

#[rocket::async_trait]
impl<'r, U: Send + Sync + 'static, P: Requirement> FromRequest<'r> for CurrentUser<U, P> {
    type Error = AuthError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, AuthError> {
        let token = match verify::verify(req, P::policy(req).required(), None).await {
            Ok(Some(data)) => data,
            Ok(None) => return fail(req, missing()),
            Err(e) => return fail(req, e),
        };
        let auth = match verify::auth(req) {
            Ok(auth) => auth,
            Err(e) => return fail(req, e),
        };
        let user = match auth.hooks.user_loader::<U>() {
            Some(loader) => verify::user(req, &**loader, &token).await,
            None => None,
        };
        match user {
            Some(user) => {
                verify::passed(req, &token);
                Outcome::Success(CurrentUser {
                    user,
                    token,
                    policy: PhantomData,
                })
            }
            None => fail(
                req,
                AuthError::UserLookup {
                    identity: token.identity().to_owned(),
                },
            ),
        }
    }
}

impl<C, P> Sentinel for Token<C, P> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        Auth::missing(rocket)
    }
}

impl<C, P> Sentinel for OptionalToken<C, P> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        Auth::missing(rocket)
    }
}

impl<U: Send + Sync + 'static, P> Sentinel for CurrentUser<U, P> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        if Auth::missing(rocket) {
            return true;
        }
        let registered = rocket
            .state::<Auth>()
            .is_some_and(|auth| auth.hooks.user_loader::<U>().is_some());
        if !registered {
            rocket::error!(
                "jwt-ext: a route uses `CurrentUser<{}>` but no user loader for that type is \
                 registered; add `.user_loader(..)` to `Auth::fairing()`",
                std::any::type_name::<U>()
            );
        }
        !registered
    }
}
