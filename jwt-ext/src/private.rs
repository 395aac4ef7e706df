//! What the macros' generated code calls. Not a public API: it may change in any release.
//!
//! Everything here is a thin layer over the public guards, so a route attribute does nothing
//! a user could not write by hand with [`Requirement`](crate::Requirement) and
//! [`Token`](crate::Token).

use rocket::request::{FromRequest, Outcome};
use rocket::{Ignite, Request, Rocket, Sentinel};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::error::AuthError;
use crate::guard::{self, Policy};
use crate::location::Location;
use crate::token::TokenType;

pub use crate::claims::{Claims, ClaimsError};

/// [`JwtRequired`]'s `KIND`: an access token.
pub const KIND_ACCESS: u8 = 0;
/// `KIND`: a refresh token.
pub const KIND_REFRESH: u8 = 1;
/// `KIND`: either type (`verify_type = false`).
pub const KIND_ANY: u8 = 2;

/// [`JwtRequired`]'s `FLAGS` bit: a fresh token.
pub const FLAG_FRESH: u8 = 1;
/// `FLAGS` bit: no token is fine.
pub const FLAG_OPTIONAL: u8 = 2;
/// `FLAGS` bit: do not consult the revocation store.
pub const FLAG_SKIP_REVOCATION: u8 = 4;
/// `FLAGS` bit: the route's data guard is a `JsonToken`, which verifies body tokens itself.
pub const FLAG_BODY_GUARD: u8 = 8;

/// Packs an ordered list of locations into `JwtRequired`'s `LOCATIONS` (3 bits each, 0 ends).
pub const fn pack_locations(locations: &[Location]) -> u32 {
    let mut packed = 0;
    let mut i = locations.len();
    while i > 0 {
        i -= 1;
        let code = match locations[i] {
            Location::Headers => 1,
            Location::Cookies => 2,
            Location::QueryString => 3,
            Location::Json => 4,
        };
        packed = (packed << 3) | code;
    }
    packed
}

const fn unpack_locations(mut packed: u32) -> ([Location; 4], usize) {
    let mut list = [Location::Headers; 4];
    let mut len = 0;
    while packed != 0 && len < 4 {
        list[len] = match packed & 7 {
            1 => Location::Headers,
            2 => Location::Cookies,
            3 => Location::QueryString,
            _ => Location::Json,
        };
        len += 1;
        packed >>= 3;
    }
    (list, len)
}

/// The hidden first parameter `#[jwt_required]` adds to a handler: it records the route's
/// policy and enforces it before the handler's other guards run.
pub struct JwtRequired<const KIND: u8, const FLAGS: u8, const LOCATIONS: u32>;

impl<const KIND: u8, const FLAGS: u8, const LOCATIONS: u32> JwtRequired<KIND, FLAGS, LOCATIONS> {
    /// The policy these parameters encode.
    pub fn policy() -> Policy {
        let locations: Option<&'static [Location]> = if LOCATIONS == 0 {
            None
        } else {
            let unpacked: &'static ([Location; 4], usize) = const { &unpack_locations(LOCATIONS) };
            Some(unpacked.0.split_at(unpacked.1).0)
        };
        Policy {
            kind: match KIND {
                KIND_ACCESS => Some(TokenType::Access),
                KIND_REFRESH => Some(TokenType::Refresh),
                _ => None,
            },
            fresh: FLAGS & FLAG_FRESH != 0,
            optional: FLAGS & FLAG_OPTIONAL != 0,
            check_revocation: FLAGS & FLAG_SKIP_REVOCATION == 0,
            locations,
        }
    }
}

#[rocket::async_trait]
impl<'r, const KIND: u8, const FLAGS: u8, const LOCATIONS: u32> FromRequest<'r>
    for JwtRequired<KIND, FLAGS, LOCATIONS>
{
    type Error = AuthError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, AuthError> {
        let body_guard = FLAGS & FLAG_BODY_GUARD != 0;
        match guard::enforce_route_policy(req, Self::policy()).await {
            Ok(_) => Outcome::Success(JwtRequired),
            // The token may be in the body, which only the route's `JsonToken` can read.
            Err(AuthError::Missing(_)) if body_guard => Outcome::Success(JwtRequired),
            Err(e) => guard::fail(req, e),
        }
    }
}

impl<const KIND: u8, const FLAGS: u8, const LOCATIONS: u32> Sentinel
    for JwtRequired<KIND, FLAGS, LOCATIONS>
{
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        guard::missing_fairing(rocket)
    }
}

/// Claims travel as JSON through serde. One trait for both directions, so a struct without
/// serde's derives gets one error that says so, not one per missing trait.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot travel in a token: it needs serde's derives",
    label = "add `#[derive(Serialize, Deserialize)]` to this struct",
    note = "claims are read and written with serde"
)]
pub trait SerdeClaims: Sized {
    /// Deserializes from a payload's JSON.
    fn from_json(payload: &str) -> Result<Self, ClaimsError>;
    /// Serializes to a JSON value.
    fn to_json(&self) -> Result<Value, ClaimsError>;
}

#[diagnostic::do_not_recommend]
impl<T: Serialize + DeserializeOwned> SerdeClaims for T {
    fn from_json(payload: &str) -> Result<Self, ClaimsError> {
        serde_json::from_str(payload).map_err(|e| ClaimsError::new(e.to_string()))
    }

    fn to_json(&self) -> Result<Value, ClaimsError> {
        serde_json::to_value(self).map_err(|e| ClaimsError::new(e.to_string()))
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
/// decoding and every check of SPEC §4 an access route makes, revocation included.
pub async fn verify_authorization(
    auth: &crate::Auth,
    header: &str,
) -> Result<crate::TokenData, AuthError> {
    let settings = &auth.settings;
    let token = crate::location::parse_header(settings, header)?
        .ok_or(AuthError::Missing("Missing Authorization Header".into()))?;
    let data = crate::token::decode(settings, token, crate::token::now(), Default::default())?;
    guard::check_type_and_freshness(&Policy::ACCESS, &data)?;
    guard::check_revocation(auth, &data).await?;
    guard::check_hook(auth, &data)?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_round_trip() {
        let all = [
            Location::Json,
            Location::Headers,
            Location::QueryString,
            Location::Cookies,
        ];
        for n in 1..=4 {
            let (list, len) = unpack_locations(pack_locations(&all[..n]));
            assert_eq!(&list[..len], &all[..n]);
        }
        assert_eq!(pack_locations(&[]), 0);
    }
}
