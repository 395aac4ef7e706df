//! Custom claims: typed structs or a dynamic JSON map, riding beside the reserved claims.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::kind::RESERVED_CLAIMS;
use crate::token::TokenData;

/// Why custom claims were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimsError(String);

impl ClaimsError {
    /// A validation failure with a reason for the logs (never sent to the client).
    pub fn new(reason: impl Into<String>) -> Self {
        ClaimsError(reason.into())
    }

    /// The reason, for logs.
    pub fn reason(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ClaimsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ClaimsError {}

/// Claims travel as JSON through serde. One trait for both directions, so a struct without
/// serde's derives gets one error that says so, not one per missing trait.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot travel in a token: it needs serde's derives",
    label = "add `#[derive(Serialize, Deserialize)]` to this struct",
    note = "claims are read and written with serde"
)]
pub trait SerdeClaims: Sized {
    /// Deserializes from a verified payload.
    fn from_json(payload: &serde_json::Map<String, Value>) -> Result<Self, ClaimsError>;
    /// Serializes to a JSON value.
    fn to_json(&self) -> Result<Value, ClaimsError>;
}

#[diagnostic::do_not_recommend]
impl<T: Serialize + DeserializeOwned> SerdeClaims for T {
    fn from_json(payload: &serde_json::Map<String, Value>) -> Result<Self, ClaimsError> {
        T::deserialize(payload).map_err(|e| ClaimsError::new(e.to_string()))
    }

    fn to_json(&self) -> Result<Value, ClaimsError> {
        serde_json::to_value(self).map_err(|e| ClaimsError::new(e.to_string()))
    }
}

/// A type that travels in a token's payload beside the reserved claims.
///
/// Implement it with `#[derive(Claims)]` (which also wires `#[claims(validate = ..)]`), or by
/// hand: every method has a default built on serde, so `impl Claims for MyClaims {}` is enough
/// for a `Serialize + Deserialize` struct. Received claims that fail to deserialize or to
/// validate answer 400 `User claims verification failed`.
///
/// ```
/// use jwt_ext::{Claims, ClaimsError};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct Tenant { tenant: u64 }
///
/// impl Claims for Tenant {
///     fn validate(&self) -> Result<(), ClaimsError> {
///         if self.tenant == 0 { Err(ClaimsError::new("tenant 0 is reserved")) } else { Ok(()) }
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a claims type",
    label = "`{Self}` does not implement `jwt_ext::Claims`",
    note = "claims are a struct with `#[derive(Serialize, Deserialize, Claims)]`, `()` or \
            `serde_json::Map<String, Value>`"
)]
pub trait Claims: SerdeClaims + Send + Sync + 'static {
    /// Reads the claims from a verified token: by default [`Claims::from_payload`] of its
    /// payload. Override it to read the header or the identity too.
    fn from_token(token: &TokenData) -> Result<Self, ClaimsError> {
        Self::from_payload(token.payload())
    }

    /// Reads the claims from a verified payload (reserved claims included; ignore them).
    fn from_payload(payload: &Map<String, Value>) -> Result<Self, ClaimsError> {
        Self::from_json(payload)
    }

    /// The claims to write into a new token, as a JSON object.
    fn to_claims(&self) -> Result<Map<String, Value>, ClaimsError> {
        match self.to_json()? {
            Value::Object(map) => Ok(map),
            _ => Err(ClaimsError::new(
                "custom claims must serialize to a JSON object",
            )),
        }
    }

    /// Checks received claims; an error answers 400 `User claims verification failed`.
    fn validate(&self) -> Result<(), ClaimsError> {
        Ok(())
    }
}

/// No custom claims: the default claims type of the guards.
impl Claims for () {
    /// Reads nothing, so the payload's map is never built.
    fn from_token(_: &TokenData) -> Result<Self, ClaimsError> {
        Ok(())
    }

    fn from_payload(_: &Map<String, Value>) -> Result<Self, ClaimsError> {
        Ok(())
    }

    fn to_claims(&self) -> Result<Map<String, Value>, ClaimsError> {
        Ok(Map::new())
    }
}

/// Dynamic claims: every claim that is not reserved (the identity claim aside, which the
/// guard knows only at run time and which [`TokenData::identity`](crate::TokenData) gives).
impl Claims for Map<String, Value> {
    fn from_payload(payload: &Map<String, Value>) -> Result<Self, ClaimsError> {
        Ok(payload
            .iter()
            .filter(|(name, _)| !RESERVED_CLAIMS.contains(&name.as_str()))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect())
    }

    fn to_claims(&self) -> Result<Map<String, Value>, ClaimsError> {
        Ok(self.clone())
    }
}
