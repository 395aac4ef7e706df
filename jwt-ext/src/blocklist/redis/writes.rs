//! The store's writes, and rotation's script (a check that may write).

use redis::{Script, ScriptInvocation};

use super::layout::Bucket;
use super::link::{on_node_of, Connection, Replication};
use super::scripts::{CHECK, REVOKE_IDENTITY, REVOKE_KEY, ROTATION};
use super::{expiry_arg, issued_at, RedisBlocklist, Spend, StoreError, TokenData};
use crate::token::now;

/// The scripts, hashed once.
pub(super) struct Scripts {
    pub(super) check: Script,
    pub(super) revoke_key: Script,
    pub(super) revoke_identity: Script,
    pub(super) rotation: Script,
}

impl Scripts {
    pub(super) fn new() -> Self {
        Scripts {
            check: Script::new(CHECK),
            revoke_key: Script::new(REVOKE_KEY),
            revoke_identity: Script::new(REVOKE_IDENTITY),
            rotation: Script::new(ROTATION),
        }
    }
}

impl RedisBlocklist {
    /// Sets `key` of `bucket` until `keep_until` (forever: `None`, or later than Redis takes).
    pub(super) async fn revoke_key(
        &self,
        bucket: &Bucket,
        key: String,
        keep_until: Option<i64>,
    ) -> Result<(), StoreError> {
        if keep_until.is_some_and(|at| at <= now()) {
            // What it covers can no longer pass; there is nothing to remember.
            return Ok(());
        }
        let mut invocation = self.scripts.revoke_key.prepare_invoke();
        invocation
            .key(&key)
            .arg(expiry_arg(keep_until))
            .arg(self.layout.channel())
            .arg(bucket.number);
        self.write(&invocation, &key).await
    }

    /// Runs a writing script on `key`'s node; where the topology fails over to replicas,
    /// answers success only once a replica has the write (SPEC §15).
    pub(super) async fn write(
        &self,
        invocation: &ScriptInvocation<'_>,
        key: &str,
    ) -> Result<(), StoreError> {
        let mut connection = self.connection().await?;
        self.run(invocation.invoke_async::<i64>(&mut connection))
            .await?;
        self.wait_for_replica(&mut connection, key).await
    }

    /// Waits until a replica has this connection's writes on `key`'s node, as
    /// [`Link::replication`](super::link::Link::replication) says.
    async fn wait_for_replica(
        &self,
        connection: &mut Connection,
        key: &str,
    ) -> Result<(), StoreError> {
        let replication = self.link.replication();
        if replication == Replication::None {
            return Ok(());
        }
        // `WAIT` blocks the connection it runs on: ask first whether a replica is connected.
        let role = self
            .run(on_node_of(connection, key, redis::cmd("ROLE")))
            .await?;
        if !has_replicas(&role) {
            return match replication {
                Replication::Required => Err(StoreError::new(
                    "the Redis master has no replica connected: a failover could lose this \
                     revocation, so it is not acknowledged (it is in effect on the master)",
                )),
                _ => Ok(()),
            };
        }
        let wait_ms = u64::try_from(self.timeout.as_millis() * 3 / 4)
            .unwrap_or(u64::MAX)
            .max(1);
        let mut wait = redis::cmd("WAIT");
        wait.arg(1).arg(wait_ms);
        let acknowledged = self.run(on_node_of(connection, key, wait)).await?;
        if !matches!(acknowledged, redis::Value::Int(n) if n >= 1) {
            return Err(StoreError::new(format!(
                "no Redis replica acknowledged the revocation within {wait_ms} ms"
            )));
        }
        Ok(())
    }

    /// Runs [`ROTATION`] for `token` (which has a `jti`); `spend` selects the mode.
    pub(super) async fn rotation(
        &self,
        token: &TokenData,
        bucket: &Bucket,
        jti: &str,
        spend: Option<&Spend>,
    ) -> Result<i64, StoreError> {
        let family = token.family();
        let mut invocation = self.scripts.rotation.prepare_invoke();
        invocation
            .key(bucket.epoch())
            .key(bucket.token(jti))
            .key(bucket.identity(&token.revocation_identity()))
            .key(bucket.family(family.unwrap_or_default()))
            .key(bucket.spent(jti))
            .arg(spend.map_or_else(now, |s| s.now))
            .arg(issued_at(token))
            .arg(self.layout.channel())
            .arg(bucket.number)
            .arg(if spend.is_some() { "spend" } else { "check" })
            .arg(if family.is_some() { "1" } else { "0" });
        if let Some(spend) = spend {
            invocation
                .arg(spend.reuse_until)
                .arg(expiry_arg(spend.keep_until))
                .arg(expiry_arg(spend.family_keep_until));
        }
        let mut connection = self.connection().await?;
        let (answer, lost): (i64, i64) = self.run(invocation.invoke_async(&mut connection)).await?;
        if lost == 1 {
            self.lost();
        }
        if spend.is_some() && answer != 3 {
            // A spend is a write: a failover must not make a spent token fresh again.
            self.wait_for_replica(&mut connection, &bucket.epoch())
                .await?;
        }
        Ok(answer)
    }
}

/// `ROLE` of a master: `["master", offset, [[host, port, offset], ..]]`.
fn has_replicas(role: &redis::Value) -> bool {
    match role {
        redis::Value::Array(parts) => {
            matches!(parts.get(2), Some(redis::Value::Array(replicas)) if !replicas.is_empty())
        }
        _ => false,
    }
}
