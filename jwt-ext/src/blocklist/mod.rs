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

/// Where revocations are kept (Flask's `token_in_blocklist_loader`, plus the writes).
///
/// `keep_until` is the Unix time after which the entry can be forgotten because no token it
/// covers can pass verification any more (`None`: keep forever, for tokens that never expire).
#[rocket::async_trait]
pub trait Blocklist: Send + Sync + 'static {
    /// Whether this verified token is revoked, by its `jti` or through its identity.
    async fn is_revoked(&self, token: &TokenData) -> Result<bool, StoreError>;

    /// Revokes one token by its `jti`. Revoking twice is harmless.
    async fn revoke_token(&self, jti: &str, keep_until: Option<i64>) -> Result<(), StoreError>;

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

    async fn revoke_token(&self, jti: &str, keep_until: Option<i64>) -> Result<(), StoreError> {
        (**self).revoke_token(jti, keep_until).await
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
