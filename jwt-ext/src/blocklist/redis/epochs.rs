//! Wipe detection (SPEC §15): the epochs of the buckets, and what ignition checks.

use std::time::Duration;

use rocket::futures::future::try_join_all;

use super::layout::{Layout, BUCKETS};
use super::link::Link;
use crate::token::now;

/// Creates every missing epoch (as "now") and, when one was missing, tells every instance's
/// cache on the channel. A fresh store gets its epochs here; so does one that lost its data
/// where no check noticed yet. Answers how many were missing.
pub(super) async fn seed(link: &Link, layout: &Layout, timeout: Duration) -> Result<usize, String> {
    let work = async {
        let connection = link.connection(timeout).await.map_err(|e| e.to_string())?;
        let now = now();
        let sets = (0..BUCKETS).map(|number| {
            let mut connection = connection.clone();
            let key = layout.bucket(number).epoch();
            async move {
                redis::cmd("SET")
                    .arg(key)
                    .arg(now)
                    .arg("NX")
                    .query_async::<Option<String>>(&mut connection)
                    .await
            }
        });
        let created = try_join_all(sets)
            .await
            .map_err(|e| format!("Redis error: {e}"))?
            .iter()
            .filter(|answer| answer.is_some())
            .count();
        if created > 0 {
            let mut connection = connection.clone();
            redis::cmd("PUBLISH")
                .arg(layout.channel())
                .arg("*")
                .query_async::<i64>(&mut connection)
                .await
                .map_err(|e| format!("Redis error: {e}"))?;
        }
        Ok(created)
    };
    // Many commands, pipelined on one connection: a few deadlines' worth.
    rocket::tokio::time::timeout(timeout.saturating_mul(4), work)
        .await
        .map_err(|_| "Redis did not create the epochs in time".to_owned())?
}

/// Whether the store lost its data since the epochs were made, looking at one bucket's epoch;
/// if so, makes them again. Called every second by the cache's keepalive.
pub(super) async fn seed_if_lost(
    link: &Link,
    layout: &Layout,
    timeout: Duration,
) -> Result<bool, String> {
    let exists: i64 = query(
        link,
        timeout,
        redis::cmd("EXISTS").arg(layout.bucket(0).epoch()),
    )
    .await?;
    if exists == 1 {
        return Ok(false);
    }
    seed(link, layout, timeout).await.map(|_| true)
}

/// Warns when the server may evict keys: an evicted revocation brings a token back, and an
/// evicted epoch logs a bucket's users out.
pub(super) async fn warn_about_eviction(link: &Link, timeout: Duration) {
    let mut ask = redis::cmd("CONFIG");
    ask.arg("GET").arg("maxmemory-policy");
    match query::<Vec<String>>(link, timeout, &ask).await {
        Ok(answer) => match answer.get(1).map(String::as_str) {
            Some("noeviction") | None => {}
            Some(policy) => rocket::warn!(
                "jwt-ext: the Redis store's `maxmemory-policy` is `{policy}`: when Redis \
                 reaches `maxmemory` it may evict revocations, and an evicted revocation lets \
                 its token in again. Set `maxmemory-policy noeviction` (see the README, \
                 \"Running Redis for revocations\")."
            ),
        },
        // Managed servers often refuse CONFIG; nothing to say then.
        Err(e) => rocket::info!("jwt-ext: cannot read Redis's maxmemory-policy: {e}"),
    }
}

/// One command on the store's connection, within the deadline.
async fn query<T: redis::FromRedisValue>(
    link: &Link,
    timeout: Duration,
    command: &redis::Cmd,
) -> Result<T, String> {
    let ask = async {
        let mut connection = link.connection(timeout).await.map_err(|e| e.to_string())?;
        command
            .query_async::<T>(&mut connection)
            .await
            .map_err(|e| format!("Redis error: {e}"))
    };
    rocket::tokio::time::timeout(timeout, ask)
        .await
        .map_err(|_| "Redis did not answer in time".to_owned())?
}
