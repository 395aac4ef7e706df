//! What the macros' generated code calls. Not a public API: it may change in any release.
//!
//! Everything here is a thin layer over the public guards, so a route attribute does nothing
//! a user could not write by hand with [`Requirement`](crate::Requirement) and
//! [`Token`](crate::Token).

use std::marker::PhantomData;

use rocket::request::{FromRequest, Outcome};
use rocket::{Ignite, Request, Rocket, Sentinel};

use crate::auth::Auth;
use crate::error::AuthError;
use crate::verify;

pub use crate::authorize::Check;
pub use crate::claims::{Claims, ClaimsError, SerdeClaims};
pub use crate::location::Location;
pub use crate::policy::Policy;

/// A route attribute, as the macro writes it: one implementation per decorated handler, on a
/// hidden unit struct named after the handler.
pub trait RouteAttribute: Send + Sync + 'static {
    /// The attribute's policy, built with [`Policy`]'s `const` methods.
    const POLICY: Policy;
    /// The handler takes a [`JsonToken`](crate::JsonToken), which verifies body tokens itself.
    const READS_BODY: bool;
}

/// The hidden first parameter `#[jwt_required]` adds to a handler: it records the route's
/// policy and enforces it before the handler's other guards run.
pub struct JwtRequired<A>(PhantomData<fn() -> A>);

#[rocket::async_trait]
impl<'r, A: RouteAttribute> FromRequest<'r> for JwtRequired<A> {
    type Error = AuthError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, AuthError> {
        match verify::enforce_route_policy(req, A::POLICY).await {
            Ok(_) => Outcome::Success(JwtRequired(PhantomData)),
            // The token may be in the body, which only the route's `JsonToken` can read; it
            // enforces the same policy.
            Err(AuthError::Missing(_)) if A::READS_BODY => {
                Outcome::Success(JwtRequired(PhantomData))
            }
            Err(e) => verify::fail(req, e),
        }
    }
}

impl<A> Sentinel for JwtRequired<A> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        Auth::missing(rocket)
    }
}

/// What a validator may return: `bool` or `Result<(), E>` with a displayable error.
#[diagnostic::on_unimplemented(
    message = "a claims validator must return `bool` or `Result<(), E>` with `E: Display`",
    label = "this validator returns `{Self}`"
)]
pub trait Validation {
    /// `Ok` when the claims are acceptable.
    fn into_result(self) -> Result<(), ClaimsError>;
}

impl Validation for bool {
    fn into_result(self) -> Result<(), ClaimsError> {
        if self {
            Ok(())
        } else {
            Err(ClaimsError::new("a validator returned false"))
        }
    }
}

impl<E: std::fmt::Display> Validation for Result<(), E> {
    fn into_result(self) -> Result<(), ClaimsError> {
        self.map_err(|e| ClaimsError::new(e.to_string()))
    }
}

/// Runs a validator given as a path; its signature is checked here, at the path's span.
pub fn validate<T: ?Sized, R: Validation>(
    validator: fn(&T) -> R,
    value: &T,
) -> Result<(), ClaimsError> {
    validator(value).into_result()
}

/// The verify path without Rocket's request machinery, for benchmarks: header parsing,
/// decoding and the same policy steps the guards run (SPEC §4) for an access route.
pub async fn verify_authorization(
    auth: &Auth,
    header: &str,
) -> Result<crate::token::TokenData, AuthError> {
    let settings = &auth.settings;
    let token = crate::extract::parse_header(settings, header)?
        .ok_or(AuthError::Missing("Missing Authorization Header".into()))?;
    let data = crate::token::decode(settings, token, settings.clock.now(), Default::default())?;
    let revocation = rocket::tokio::sync::OnceCell::new();
    verify::judge(auth, &Policy::ACCESS, &data, &revocation).await?;
    Ok(data)
}
