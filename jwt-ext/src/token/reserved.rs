//! The claims the pipeline reads, each of its JSON type: the registered time, identity, audience
//! and issuer claims, and Flask-JWT-Extended's own `jti`, `type`, `fresh` and `csrf`.

use std::borrow::Cow;

use serde_json::Value;

use super::json::{self, Refusal};
use crate::config::Settings;
use crate::error::AuthError;
use crate::kind::{Freshness, TokenType, RESERVED_CLAIMS};

/// A claim the pipeline reads: one of [`RESERVED_CLAIMS`], in that order, or the identity
/// claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Claim {
    Fresh,
    Iat,
    Jti,
    Type,
    Sub,
    Nbf,
    Csrf,
    Exp,
    Aud,
    Iss,
    /// The refresh-token family (SPEC §14).
    Fam,
    /// The configured identity claim: `sub`, or a name of the application's that is not
    /// reserved (configuration refuses the others).
    Identity,
}

const NAMES: [&str; 11] = RESERVED_CLAIMS;

/// The payload's members that the pipeline reads, parsed while the whole payload was checked
/// by the rules of [`json`] (the rest is not built unless the application asks for it).
pub(super) struct Members {
    values: [Option<Value>; 12],
    /// Where the identity claim is: its own slot, or that of the claim it names.
    identity: usize,
}

impl Members {
    pub(super) fn scan(claim: &str, payload: &[u8]) -> Result<Self, Refusal> {
        let names: [&str; 12] = std::array::from_fn(|i| NAMES.get(i).copied().unwrap_or(claim));
        let mut values: [Option<Value>; 12] = Default::default();
        json::scan(payload, &names, &mut values)?;
        let identity = NAMES
            .iter()
            .position(|name| *name == claim)
            .unwrap_or(NAMES.len());
        Ok(Members { values, identity })
    }

    fn slot(&self, claim: Claim) -> usize {
        match claim {
            Claim::Identity => self.identity,
            claim => claim as usize,
        }
    }

    pub(super) fn get(&self, claim: Claim) -> Option<&Value> {
        self.values[self.slot(claim)].as_ref()
    }

    /// The claim's string, moved out; `None` (and the claim left as it is) when absent or not
    /// a string.
    pub(super) fn take_string(&mut self, claim: Claim) -> Option<String> {
        let slot = &mut self.values[self.slot(claim)];
        match slot.take() {
            Some(Value::String(text)) => Some(text),
            other => {
                *slot = other;
                None
            }
        }
    }
}

/// Flask-JWT-Extended's own claims that are not read from the payload on demand.
pub(super) struct Reserved {
    pub(super) kind: TokenType,
    pub(super) fresh: Freshness,
    pub(super) jti: Option<String>,
    pub(super) csrf: Option<String>,
    pub(super) family: Option<String>,
}

/// `jti`, `type`, `fresh`, `csrf` and `fam`, each of its JSON type; `jti`, `iat` and `type` required
/// with `strict_claims`.
pub(super) fn read_reserved(
    settings: &Settings,
    external: bool,
    members: &mut Members,
    iat: Option<i64>,
) -> Result<Reserved, AuthError> {
    if external {
        // An external issuer's token (SPEC §13): an access token, never fresh; its `jti` (if a
        // string) serves revocation.
        let jti = members.take_string(Claim::Jti);
        return Ok(Reserved {
            kind: TokenType::Access,
            fresh: Freshness::Stale,
            jti,
            csrf: None,
            family: None,
        });
    }
    let strict = settings.strict_claims;
    let jti = string(members, Claim::Jti, "JWT ID must be a string")?;
    if strict && jti.is_none() {
        return Err(missing_claim("jti"));
    }
    if strict && iat.is_none() {
        return Err(missing_claim("iat"));
    }
    let kind = match members.get(Claim::Type) {
        Some(Value::String(kind)) if kind == "access" => TokenType::Access,
        Some(Value::String(kind)) if kind == "refresh" => TokenType::Refresh,
        Some(Value::String(_)) => return Err(AuthError::invalid("Invalid token type")),
        Some(_) => return Err(AuthError::invalid("Token type must be a string")),
        None if strict => return Err(missing_claim("type")),
        None => TokenType::Access,
    };
    let fresh = match members.get(Claim::Fresh) {
        None | Some(Value::Bool(false)) => Freshness::Stale,
        Some(Value::Bool(true)) => Freshness::Fresh,
        Some(Value::Number(until)) => until.as_f64().map_or(Freshness::Stale, Freshness::Until),
        Some(_) => {
            return Err(AuthError::invalid(
                "Fresh claim must be a boolean or a timestamp",
            ))
        }
    };
    let csrf = string(members, Claim::Csrf, "CSRF claim must be a string")?;
    let family = string(members, Claim::Fam, "Family claim (fam) must be a string")?;
    Ok(Reserved {
        kind,
        fresh,
        jti,
        csrf,
        family,
    })
}

/// An integer claim; present with another JSON type (a float, a string, null) is an error.
pub(super) fn integer(
    members: &Members,
    claim: Claim,
    wrong_type: &'static str,
) -> Result<Option<i64>, AuthError> {
    members
        .get(claim)
        .map(|value| value.as_i64().ok_or(AuthError::invalid(wrong_type)))
        .transpose()
}

/// A string claim, moved out; present with another JSON type is an error.
fn string(
    members: &mut Members,
    claim: Claim,
    wrong_type: &'static str,
) -> Result<Option<String>, AuthError> {
    match members.get(claim) {
        None => Ok(None),
        Some(Value::String(_)) => Ok(members.take_string(claim)),
        Some(_) => Err(AuthError::invalid(wrong_type)),
    }
}

pub(super) fn missing_claim(name: &str) -> AuthError {
    AuthError::Invalid(Cow::Owned(format!("Missing claim: {name}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_are_named_by_their_slots() {
        let named = [
            (Claim::Fresh, "fresh"),
            (Claim::Iat, "iat"),
            (Claim::Jti, "jti"),
            (Claim::Type, "type"),
            (Claim::Sub, "sub"),
            (Claim::Nbf, "nbf"),
            (Claim::Csrf, "csrf"),
            (Claim::Exp, "exp"),
            (Claim::Aud, "aud"),
            (Claim::Iss, "iss"),
            (Claim::Fam, "fam"),
        ];
        for (claim, name) in named {
            assert_eq!(NAMES[claim as usize], name);
        }
        assert_eq!(Claim::Identity as usize, NAMES.len());
    }
}
