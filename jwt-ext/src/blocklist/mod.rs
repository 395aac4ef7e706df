//! Revocation (SPEC §7): the [`Blocklist`] trait, the in-memory store and (feature `redis`)
//! the Redis store.
//!
//! A store answers for verified tokens only: the guards consult it after the signature and
//! every claim check passed, so forged tokens never cost a lookup.

pub use crate::error::StoreError;
use crate::token::TokenData;

mod memory;
#[cfg(feature = "redis")]
mod redis;

#[cfg(feature = "redis")]
pub use self::redis::RedisBlocklist;
pub use memory::MemoryBlocklist;

/// One spend of a refresh token under rotation (SPEC §14), for [`Blocklist::spend`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Spend {
    /// The time of this spend, Unix seconds.
    pub now: i64,
    /// Recorded by the first spend: a later spend at or before this time gets
    /// [`Spent::Again`] (the reuse interval); one after it is reuse.
    pub reuse_until: i64,
    /// How long to remember that the token was spent (its expiry plus the leeway).
    pub keep_until: Option<i64>,
    /// How long a revocation of the token's family must be kept.
    pub family_keep_until: Option<i64>,
}

/// What [`Blocklist::spend`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Spent {
    /// The first spend of this token: rotate.
    First,
    /// Spent before, within the reuse interval: rotate again, in the same family.
    Again,
    /// Spent before, past the interval: reuse. The store has revoked the family.
    Reuse,
    /// The token (or its identity, or its family) is revoked.
    Revoked,
}

/// Where revocations are kept (Flask's `token_in_blocklist_loader`, plus the writes).
///
/// `keep_until` is the Unix time after which the entry can be forgotten because no token it
/// covers can pass verification any more (`None`: keep forever, for tokens that never expire).
///
/// A store of your own implements the three revocation methods; the two of refresh-token
/// rotation have defaults that fail (closed, 503) so that an app turning rotation on with a
/// store that cannot spend tokens atomically finds out at its first refresh.
#[rocket::async_trait]
pub trait Blocklist: Send + Sync + 'static {
    /// Whether this verified token is revoked: by its `jti`, through its identity, or through
    /// its family (`fam`). A refresh token spent under rotation counts as revoked once past
    /// its reuse interval, and presenting it revokes its family (reuse detection).
    async fn is_revoked(&self, token: &TokenData) -> Result<bool, StoreError>;

    /// Spends the refresh token `token` (rotation, SPEC §14), atomically: of concurrent spends
    /// of one token exactly one gets [`Spent::First`]. Reuse revokes the token's family.
    async fn spend(&self, token: &TokenData, spend: &Spend) -> Result<Spent, StoreError> {
        let _ = (token, spend);
        Err(StoreError::new(
            "this revocation store does not support refresh-token rotation",
        ))
    }

    /// Revokes every token of `family`, a family of `identity`'s tokens (logging out with a
    /// refresh token, or reuse).
    async fn revoke_family(
        &self,
        identity: &str,
        family: &str,
        keep_until: Option<i64>,
    ) -> Result<(), StoreError> {
        let _ = (identity, family, keep_until);
        Err(StoreError::new(
            "this revocation store does not support refresh-token families",
        ))
    }

    /// Called once, when the fairing ignites: connects, prepares what the store needs and
    /// warns about what could make it lose revocations. A failure is logged, never fatal:
    /// checks fail closed (503) until the store answers.
    async fn prepare(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Revokes one token of `identity` (its
    /// [`revocation_identity`](TokenData::revocation_identity)) by its `jti`. Revoking twice is
    /// harmless. A store may keep an identity's entries together (the Redis store puts them in
    /// one hash slot, so that a check stays one round trip on a Cluster).
    async fn revoke_token(
        &self,
        identity: &str,
        jti: &str,
        keep_until: Option<i64>,
    ) -> Result<(), StoreError>;

    /// Revokes every token of `identity` issued at or before `issued_before` ("log out
    /// everywhere").
    async fn revoke_identity(
        &self,
        identity: &str,
        issued_before: i64,
        keep_until: Option<i64>,
    ) -> Result<(), StoreError>;
}

/// A shared store: keep a handle to the store you give the fairing (to inspect it, or to
/// evict entries of a [`MemoryBlocklist`] at a time of your choosing).
#[rocket::async_trait]
impl<B: Blocklist + ?Sized> Blocklist for std::sync::Arc<B> {
    async fn is_revoked(&self, token: &TokenData) -> Result<bool, StoreError> {
        (**self).is_revoked(token).await
    }

    async fn prepare(&self) -> Result<(), StoreError> {
        (**self).prepare().await
    }

    async fn revoke_token(
        &self,
        identity: &str,
        jti: &str,
        keep_until: Option<i64>,
    ) -> Result<(), StoreError> {
        (**self).revoke_token(identity, jti, keep_until).await
    }

    async fn spend(&self, token: &TokenData, spend: &Spend) -> Result<Spent, StoreError> {
        (**self).spend(token, spend).await
    }

    async fn revoke_family(
        &self,
        identity: &str,
        family: &str,
        keep_until: Option<i64>,
    ) -> Result<(), StoreError> {
        (**self).revoke_family(identity, family, keep_until).await
    }

    async fn revoke_identity(
        &self,
        identity: &str,
        issued_before: i64,
        keep_until: Option<i64>,
    ) -> Result<(), StoreError> {
        (**self)
            .revoke_identity(identity, issued_before, keep_until)
            .await
    }
}
