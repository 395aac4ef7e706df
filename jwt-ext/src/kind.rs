//! The vocabulary of tokens, which configuration and every other module share: token types,
//! freshness, the reserved claims, and one value per token type. A leaf: it imports nothing
//! from the crate.

use serde::Serialize;
use serde_json::Value;

/// Claims set by the library that custom claims may not replace (the identity claim too).
pub const RESERVED_CLAIMS: [&str; 11] = [
    "fresh", "iat", "jti", "type", "sub", "nbf", "csrf", "exp", "aud", "iss", "fam",
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

/// One value per token type (cookie names, CSRF names, JSON keys, form CSRF values): the pair
/// is one type, read by kind, never matched by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PerKind<T> {
    pub(crate) access: T,
    pub(crate) refresh: T,
}

impl<T> PerKind<T> {
    /// The value for tokens of `kind`.
    pub(crate) fn get(&self, kind: TokenType) -> &T {
        match kind {
            TokenType::Access => &self.access,
            TokenType::Refresh => &self.refresh,
        }
    }

    /// The value for tokens of `kind`, to fill in.
    pub(crate) fn get_mut(&mut self, kind: TokenType) -> &mut T {
        match kind {
            TokenType::Access => &mut self.access,
            TokenType::Refresh => &mut self.refresh,
        }
    }
}

impl TokenType {
    /// Both types.
    pub(crate) const BOTH: [TokenType; 2] = [TokenType::Access, TokenType::Refresh];
}
