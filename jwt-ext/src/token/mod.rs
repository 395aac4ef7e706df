//! Token layout, encoding and the verification pipeline (SPEC §4).
//!
//! Decoding is done here rather than by `jsonwebtoken::decode` so that the order of checks, the
//! header policy, strict claim types and the error texts are ours; `jsonwebtoken` supplies the
//! signature primitives.

mod decode;
mod encode;
mod json;
mod reserved;
mod rules;

pub(crate) use decode::{decode, unverified_header, unverified_payload, DecodeOptions};
pub(crate) use encode::{encode, Draft};
pub(crate) use rules::External;

use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use crate::kind::{Freshness, TokenType};
use crate::location::Location;

/// A verified token: signature, time claims, identity, audience and issuer checked.
///
/// Route policy (type, freshness, revocation, custom claims) is applied on top of this by the
/// guards; [`Auth::decode`](crate::Auth::decode) returns it as is.
#[derive(Clone)]
pub struct TokenData {
    /// The header exactly as verified (parsed once, strictly).
    pub(crate) header: Arc<Map<String, Value>>,
    pub(crate) payload: Payload,
    pub(crate) identity: String,
    pub(crate) jti: Option<String>,
    pub(crate) csrf: Option<String>,
    pub(crate) family: Option<String>,
    pub(crate) kind: TokenType,
    pub(crate) fresh: Freshness,
    pub(crate) iat: Option<i64>,
    pub(crate) exp: Option<i64>,
    pub(crate) location: Option<Location>,
    /// The trusted external issuer that verified it; `None` for our own tokens.
    pub(crate) issuer: Option<String>,
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
        self.jti.as_deref()
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
        self.csrf.as_deref()
    }

    /// The refresh-token family (`fam`, SPEC §14): shared by every token of one login under
    /// refresh-token rotation; `None` for tokens outside a family (a family of one).
    pub fn family(&self) -> Option<&str> {
        self.family.as_deref()
    }

    /// The JOSE header.
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// The whole payload, reserved and custom claims alike, exactly as verified.
    ///
    /// Built on first use: the pipeline checks the whole payload but parses only the claims it
    /// reads, so a route that never looks at the rest does not pay for it.
    pub fn payload(&self) -> &Map<String, Value> {
        self.payload.map()
    }

    /// The trusted external issuer (SPEC §13) whose keys verified the token; `None` for the
    /// app's own tokens.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// The identity as revocation stores key it: the identity itself for our own tokens; for a
    /// trusted issuer's, scoped to the issuer, so that an external subject and a local identity
    /// of the same text stay different identities. Pass it to
    /// [`Auth::revoke_identity`](crate::Auth::revoke_identity) to log an external subject out
    /// everywhere.
    pub fn revocation_identity(&self) -> std::borrow::Cow<'_, str> {
        match &self.issuer {
            None => std::borrow::Cow::Borrowed(&self.identity),
            Some(issuer) => std::borrow::Cow::Owned(format!("{issuer}\u{1f}{}", self.identity)),
        }
    }

    /// Where the token was found; `None` when it was decoded with [`Auth::decode`](crate::Auth::decode).
    pub fn location(&self) -> Option<Location> {
        self.location
    }
}

/// A verified payload's JSON, and the map built from it on first use.
#[derive(Clone)]
pub(crate) struct Payload {
    json: Vec<u8>,
    map: OnceLock<Map<String, Value>>,
}

impl Payload {
    /// `json` has passed [`json::scan`], whose rules are those of [`json::object`].
    pub(crate) fn new(json: Vec<u8>) -> Self {
        Payload {
            json,
            map: OnceLock::new(),
        }
    }

    fn map(&self) -> &Map<String, Value> {
        // Cannot fail: the text passed the same rules when it was verified.
        self.map
            .get_or_init(|| json::object(&self.json).unwrap_or_default())
    }
}

/// Current Unix time in whole seconds, by the system clock (stores and logs; the pipeline
/// reads its `Auth`'s clock).
pub(crate) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
