//! A check outside rotation, with the cache, and what a check that found the store wiped does.

use std::sync::atomic::Ordering;

use super::cache::Checked;
use super::epochs;
use super::layout::bucket_number;
use super::{RedisBlocklist, StoreError, TokenData};
use crate::token::now;

impl RedisBlocklist {
    /// The check found a bucket's epoch missing: the store lost its data. Every other epoch
    /// is made again in the background (once at a time), so that the buckets no check
    /// touched yet do not refuse logins made from now on.
    pub(super) fn lost(&self) {
        if self.seeding.swap(true, Ordering::AcqRel) {
            return;
        }
        rocket::warn!(
            "jwt-ext: the Redis store lost its data (restart without persistence, FLUSHALL \
             or failover); tokens issued before now are refused as revoked"
        );
        let (link, layout, timeout) = (self.link.clone(), self.layout.clone(), self.timeout);
        let seeding = self.seeding.clone();
        rocket::tokio::spawn(async move {
            if let Err(e) = epochs::seed(&link, &layout, timeout).await {
                rocket::warn!("jwt-ext: re-creating the Redis store's epochs: {e}");
            }
            seeding.store(false, Ordering::Release);
        });
    }

    /// The check of a token outside rotation: the epoch, the identity, the token, its family.
    /// A cached answer costs a hash of the identity and one lookup, nothing else.
    pub(super) async fn check(
        &self,
        token: &TokenData,
        identity: &str,
    ) -> Result<bool, StoreError> {
        let now = now();
        let jti = token.jti();
        let cache = self.cache.as_deref();
        let number = bucket_number(identity);
        let checked = jti.map(|jti| Checked {
            jti,
            identity,
            issued_at: token.issued_at(),
            family: token.family(),
        });
        if let (Some(cache), Some(checked)) = (cache, &checked) {
            if cache.not_revoked(number, checked, now) {
                return Ok(false);
            }
        }
        let ticket = cache.and_then(|cache| cache.ticket(number));
        let bucket = self.layout.bucket(number);
        let mut invocation = self.scripts.check.prepare_invoke();
        invocation
            .key(bucket.epoch())
            .key(bucket.identity(identity));
        if let Some(jti) = jti {
            invocation.key(bucket.token(jti));
        }
        if let Some(family) = token.family() {
            invocation.key(bucket.family(family));
        }
        invocation
            .arg(now)
            .arg(issued_at(token))
            .arg(self.layout.channel());
        let mut connection = self.connection().await?;
        let (revoked, lost): (i64, i64) =
            self.run(invocation.invoke_async(&mut connection)).await?;
        if lost == 1 {
            self.lost();
        }
        if let (Some(cache), Some(ticket), Some(checked), 0) = (cache, ticket, &checked, revoked) {
            let until = token.expires_at().unwrap_or(i64::MAX);
            cache.keep(ticket, bucket.number, checked, now, until);
        }
        Ok(revoked != 0)
    }
}

/// The token's `iat` for a script, or '' (tokens without one cannot prove they are newer).
pub(super) fn issued_at(token: &TokenData) -> String {
    token
        .issued_at()
        .map(|iat| iat.to_string())
        .unwrap_or_default()
}
