//! Flask-JWT-Extended's own claims, each of its JSON type: `jti`, `type`, `fresh`, `csrf`, and
//! the helpers that read a registered claim strictly.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::{Freshness, TokenType};
use crate::config::Settings;
use crate::error::AuthError;

/// Flask-JWT-Extended's own claims that are not read from the payload on demand.
pub(super) struct Reserved {
    pub(super) kind: TokenType,
    pub(super) fresh: Freshness,
}

/// `jti`, `type`, `fresh` and `csrf`, each of its JSON type; `jti`, `iat` and `type` required
/// with `strict_claims`.
pub(super) fn read_reserved(
    settings: &Settings,
    payload: &Map<String, Value>,
    iat: Option<i64>,
) -> Result<Reserved, AuthError> {
    let strict = settings.strict_claims;
    let jti = string(payload, "jti", "JWT ID must be a string")?;
    if strict && jti.is_none() {
        return Err(missing_claim("jti"));
    }
    if strict && iat.is_none() {
        return Err(missing_claim("iat"));
    }
    let kind = match payload.get("type") {
        Some(Value::String(kind)) if kind == "access" => TokenType::Access,
        Some(Value::String(kind)) if kind == "refresh" => TokenType::Refresh,
        Some(Value::String(_)) => return Err(AuthError::invalid("Invalid token type")),
        Some(_) => return Err(AuthError::invalid("Token type must be a string")),
        None if strict => return Err(missing_claim("type")),
        None => TokenType::Access,
    };
    let fresh = match payload.get("fresh") {
        None | Some(Value::Bool(false)) => Freshness::Stale,
        Some(Value::Bool(true)) => Freshness::Fresh,
        Some(Value::Number(until)) => until.as_f64().map_or(Freshness::Stale, Freshness::Until),
        Some(_) => {
            return Err(AuthError::invalid(
                "Fresh claim must be a boolean or a timestamp",
            ))
        }
    };
    string(payload, "csrf", "CSRF claim must be a string")?;
    Ok(Reserved { kind, fresh })
}

/// An integer claim; present with another JSON type (a float, a string, null) is an error.
pub(super) fn integer(
    payload: &Map<String, Value>,
    name: &str,
    wrong_type: &'static str,
) -> Result<Option<i64>, AuthError> {
    payload
        .get(name)
        .map(|value| value.as_i64().ok_or(AuthError::invalid(wrong_type)))
        .transpose()
}

/// A string claim; present with another JSON type is an error.
fn string<'p>(
    payload: &'p Map<String, Value>,
    name: &str,
    wrong_type: &'static str,
) -> Result<Option<&'p str>, AuthError> {
    payload
        .get(name)
        .map(|value| value.as_str().ok_or(AuthError::invalid(wrong_type)))
        .transpose()
}

pub(super) fn missing_claim(name: &str) -> AuthError {
    AuthError::Invalid(Cow::Owned(format!("Missing claim: {name}")))
}
