//! Token layout, encoding and the verification pipeline (SPEC §4).
//!
//! Decoding is done here rather than by `jsonwebtoken::decode` so that the order of checks, the
//! header policy, strict claim types and the error texts are ours; `jsonwebtoken` supplies the
//! signature primitives.

mod decode;
mod encode;
mod json;

pub(crate) use decode::{decode, unverified_header, unverified_payload, DecodeOptions};
pub(crate) use encode::{encode, plain_header, Draft};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::location::Location;

/// Claims set by the library that custom claims may not replace (the identity claim too).
pub const RESERVED_CLAIMS: [&str; 10] = [
    "fresh", "iat", "jti", "type", "sub", "nbf", "csrf", "exp", "aud", "iss",
];

/// Access or refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    /// Sent to protected routes.
    Access,
    /// Exchanged for new access tokens.
    Refresh,
}

impl TokenType {
    /// The value of the `type` claim.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenType::Access => "access",
            TokenType::Refresh => "refresh",
        }
    }
}

/// A token's `fresh` claim: `true`/`false`, or fresh until a Unix timestamp.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Freshness {
    /// Not fresh (`false`).
    Stale,
    /// Fresh (`true`).
    Fresh,
    /// Fresh until this Unix time in seconds (Flask writes a float when given a `timedelta`).
    Until(f64),
}

impl Freshness {
    /// Fresh for this long from `now`.
    pub(crate) fn for_duration(now: i64, duration: std::time::Duration) -> Self {
        Freshness::Until(now as f64 + duration.as_secs_f64())
    }

    /// Whether the token counts as fresh at `now` (Unix seconds, fractional).
    pub fn is_fresh_at(self, now: f64) -> bool {
        match self {
            Freshness::Stale => false,
            Freshness::Fresh => true,
            Freshness::Until(until) => until >= now,
        }
    }

    pub(crate) fn to_json(self) -> Value {
        match self {
            Freshness::Stale => Value::Bool(false),
            Freshness::Fresh => Value::Bool(true),
            // Whole seconds are written as an integer, as most issuers do.
            Freshness::Until(t) if t.fract() == 0.0 => Value::from(t as i64),
            Freshness::Until(t) => Value::from(t),
        }
    }
}

impl From<bool> for Freshness {
    fn from(fresh: bool) -> Self {
        if fresh {
            Freshness::Fresh
        } else {
            Freshness::Stale
        }
    }
}

/// A verified token: signature, time claims, identity, audience and issuer checked.
///
/// Route policy (type, freshness, revocation, custom claims) is applied on top of this by the
/// guards; [`Auth::decode`](crate::Auth::decode) returns it as is.
#[derive(Clone)]
pub struct TokenData {
    /// The header and payload exactly as verified (parsed once, strictly).
    pub(crate) header: Map<String, Value>,
    pub(crate) payload: Map<String, Value>,
    pub(crate) identity: String,
    pub(crate) kind: TokenType,
    pub(crate) fresh: Freshness,
    pub(crate) iat: Option<i64>,
    pub(crate) exp: Option<i64>,
    pub(crate) location: Option<Location>,
}

/// Names the token without its CSRF value or raw parts, so logging it leaks nothing usable.
impl std::fmt::Debug for TokenData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenData")
            .field("identity", &self.identity)
            .field("jti", &self.jti())
            .field("type", &self.kind)
            .field("fresh", &self.fresh)
            .field("iat", &self.iat)
            .field("exp", &self.exp)
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl TokenData {
    /// The identity (the identity claim, `sub` by default).
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// The unique token id (`jti`); `None` only with `strict_claims = false`.
    pub fn jti(&self) -> Option<&str> {
        self.payload.get("jti").and_then(Value::as_str)
    }

    /// Access or refresh.
    pub fn token_type(&self) -> TokenType {
        self.kind
    }

    /// The `fresh` claim.
    pub fn freshness(&self) -> Freshness {
        self.fresh
    }

    /// Issued-at, Unix seconds.
    pub fn issued_at(&self) -> Option<i64> {
        self.iat
    }

    /// Expiry, Unix seconds; `None` for tokens that never expire.
    pub fn expires_at(&self) -> Option<i64> {
        self.exp
    }

    /// The signed CSRF value of cookie tokens.
    pub fn csrf(&self) -> Option<&str> {
        self.payload.get("csrf").and_then(Value::as_str)
    }

    /// The JOSE header.
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// The whole payload, reserved and custom claims alike, exactly as verified.
    pub fn payload(&self) -> &Map<String, Value> {
        &self.payload
    }

    /// Where the token was found; `None` when it was decoded with [`Auth::decode`](crate::Auth::decode).
    pub fn location(&self) -> Option<Location> {
        self.location
    }
}

/// Current Unix time in whole seconds.
pub(crate) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Current Unix time with fractions, for `fresh` timestamps.
pub(crate) fn now_f64() -> f64 {
    let now = chrono::Utc::now();
    now.timestamp() as f64 + f64::from(now.timestamp_subsec_micros()) / 1e6
}
