//! The Redis store: revocations shared by every instance of an app (feature `redis`), on one
//! server, a Sentinel service or a Cluster (SPEC §7, §15).
//!
//! The keys of one identity share a hash slot (see `layout`), so a check is one script on one
//! node: one round trip, which also looks at the slot's epoch to notice a store that lost its
//! data (see `scripts`). Entries expire when no token they cover could pass verification any
//! more. Every command has a deadline, so a frozen server fails requests closed instead of
//! hanging them, and the connections recover by themselves when the server is back.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use redis::sentinel::{SentinelClient, SentinelServerType};

use super::{Blocklist, Spend, Spent, StoreError};
use crate::kind::TokenType;
use crate::token::TokenData;
use cache::Cache;
use check::issued_at;
use layout::Layout;
use link::{Connection, Link, Topology};

mod cache;
mod check;
mod epochs;
mod layout;
mod link;
mod scripts;
mod writes;

/// The latest expiry given to Redis (the end of year 9999); a later one, which Redis could
/// refuse as an invalid expire time, is stored without expiry.
const LATEST_EXPIRY: i64 = 253_402_300_799;

/// The default key prefix.
pub const DEFAULT_PREFIX: &str = "jwt-ext:";
/// The default deadline of one command.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(500);

/// A [`Blocklist`] in Redis (7.0 or later), shared by every app instance that uses the same
/// store and prefix: one server, a Sentinel service or a Cluster.
///
/// Select it in the `jwt` configuration with `blocklist = "redis://127.0.0.1:6379"`,
/// `blocklist = { cluster = [..] }` or `blocklist = { sentinel = [..], service = ".." }`
/// (with `blocklist_key_prefix`, `blocklist_timeout_ms` and `blocklist_cache`), or build it
/// in code:
///
/// ```no_run
/// use jwt_ext::{Auth, RedisBlocklist};
/// use std::time::Duration;
///
/// let store = RedisBlocklist::open_sentinel(
///     ["redis://10.0.0.1:26379", "redis://10.0.0.2:26379", "redis://10.0.0.3:26379"],
///     "mymaster",
/// )
/// .expect("valid URLs")
/// .with_prefix("myapp:jwt:")
/// .with_timeout(Duration::from_millis(200))
/// .with_cache(true);
/// let fairing = Auth::fairing().blocklist(store);
/// ```
///
/// A store that lost its data (a restart without persistence, `FLUSHALL`, a failover to a
/// replica that missed writes) is noticed by the next check, and every token issued before
/// then is refused as revoked; logins after it work. A store used for the first time does
/// the same once, at the first ignition: tokens issued before it are refused.
pub struct RedisBlocklist {
    link: Arc<Link>,
    layout: Layout,
    timeout: Duration,
    cache: Option<Arc<Cache>>,
    /// The subscription of the cache, started once, inside the async runtime.
    subscribed: OnceLock<()>,
    /// A background re-creation of the epochs is under way.
    seeding: Arc<AtomicBool>,
    scripts: writes::Scripts,
}

impl std::fmt::Debug for RedisBlocklist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBlocklist")
            .field("topology", &self.link.kind())
            .field("prefix", &self.layout.prefix())
            .field("timeout", &self.timeout)
            .field("cache", &self.cache.is_some())
            .finish_non_exhaustive()
    }
}

fn invalid(what: &str) -> impl FnOnce(redis::RedisError) -> StoreError + '_ {
    move |e| StoreError::new(format!("invalid Redis {what}: {e}"))
}

impl RedisBlocklist {
    /// A store on the server at `url` (`redis://` or, with feature `redis-tls`, `rediss://`:
    /// the certificate is checked against the system's roots, `SSL_CERT_FILE` adds a CA).
    /// Nothing is connected until the first use, so an app starts while Redis is down (and
    /// fails closed until it is up).
    pub fn open(url: &str) -> Result<Self, StoreError> {
        redis::Client::open(url)
            .map(Self::from_client)
            .map_err(invalid("URL"))
    }

    /// A store on a Redis Cluster, given some of its nodes (the client finds the others).
    pub fn open_cluster<S: AsRef<str>>(
        nodes: impl IntoIterator<Item = S>,
    ) -> Result<Self, StoreError> {
        let nodes = nodes
            .into_iter()
            .map(|url| redis::IntoConnectionInfo::into_connection_info(url.as_ref()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(invalid("Cluster node URL"))?;
        if nodes.is_empty() {
            return Err(StoreError::new(
                "a Redis Cluster store needs at least one node",
            ));
        }
        let client = redis::cluster::ClusterClient::builder(nodes.clone())
            .retries(2)
            .min_retry_wait(20)
            .max_retry_wait(200)
            .build()
            .map_err(invalid("Cluster"))?;
        Ok(Self::with_topology(Topology::Cluster { client, nodes }))
    }

    /// A store on the master of the Sentinel `service`, given its Sentinels' URLs.
    /// Revocations wait until a replica acknowledged them (`WAIT`), so that a failover cannot
    /// lose an acknowledged logout.
    pub fn open_sentinel<S: AsRef<str>>(
        sentinels: impl IntoIterator<Item = S>,
        service: &str,
    ) -> Result<Self, StoreError> {
        let sentinels: Vec<String> = sentinels
            .into_iter()
            .map(|url| url.as_ref().to_owned())
            .collect();
        let node = sentinels
            .iter()
            .any(|url| url.starts_with("rediss://"))
            .then(|| {
                redis::sentinel::SentinelNodeConnectionInfo::default()
                    .set_tls_mode(redis::TlsMode::Secure)
            });
        // Without `redis-tls` the crate takes a `String`, with it any `AsRef<str>`.
        #[allow(clippy::unnecessary_to_owned)]
        SentinelClient::build(
            sentinels,
            service.to_owned(),
            node,
            SentinelServerType::Master,
        )
        .map(Self::from_sentinel_client)
        .map_err(invalid("Sentinel configuration"))
    }

    /// A store on an existing client of one server.
    pub fn from_client(client: redis::Client) -> Self {
        Self::with_topology(Topology::Standalone(client))
    }

    /// A store on an existing Sentinel client (for credentials or TLS settings of your own);
    /// it must select the master.
    pub fn from_sentinel_client(client: SentinelClient) -> Self {
        Self::with_topology(Topology::Sentinel(rocket::tokio::sync::Mutex::new(client)))
    }

    fn with_topology(topology: Topology) -> Self {
        RedisBlocklist {
            link: Arc::new(Link::new(topology)),
            layout: Layout::new(DEFAULT_PREFIX.to_owned()),
            timeout: DEFAULT_TIMEOUT,
            cache: None,
            subscribed: OnceLock::new(),
            seeding: Arc::new(AtomicBool::new(false)),
            scripts: writes::Scripts::new(),
        }
    }

    /// Prefixes every key (default `jwt-ext:`), so apps can share a store. A prefix with a
    /// brace (`{`, `}`: the Cluster hash tags) makes every command fail, saying so.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.layout = Layout::new(prefix.into());
        self
    }

    /// The deadline of one command (default 500 ms); past it the request fails closed.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Caches answers on this instance (`blocklist_cache`), kept coherent by Redis: a
    /// revocation made anywhere reaches the cache within a second, and while the invalidation
    /// channel is lost nothing is cached (SPEC §15).
    pub fn with_cache(mut self, cache: bool) -> Self {
        self.cache = cache.then(|| Arc::new(Cache::new()));
        self
    }

    async fn connection(&self) -> Result<Connection, StoreError> {
        self.layout.usable()?;
        let connecting = self.link.connection(self.timeout);
        match rocket::tokio::time::timeout(self.timeout, connecting).await {
            Ok(Ok(connection)) => Ok(connection),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(self.late()),
        }
    }

    fn late(&self) -> StoreError {
        StoreError::new(format!(
            "Redis did not answer within {} ms",
            self.timeout.as_millis()
        ))
    }

    /// Runs one command (or script) within the deadline.
    async fn run<T, F>(&self, command: F) -> Result<T, StoreError>
    where
        F: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let answer = match rocket::tokio::time::timeout(self.timeout, command).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(e)) => StoreError::new(format!("Redis error: {e}")),
            Err(_) => self.late(),
        };
        self.link.failed();
        Err(answer)
    }

    fn subscribe(&self) {
        let Some(cache) = &self.cache else { return };
        self.subscribed.get_or_init(|| {
            let task = cache::subscribe(
                Arc::downgrade(cache),
                self.link.clone(),
                self.layout.clone(),
                self.timeout,
            );
            drop(rocket::tokio::spawn(task));
        });
    }
}

#[rocket::async_trait]
impl Blocklist for RedisBlocklist {
    async fn is_revoked(&self, token: &TokenData) -> Result<bool, StoreError> {
        self.subscribe();
        let identity = token.revocation_identity();
        if let (TokenType::Refresh, Some(jti), Some(_)) =
            (token.token_type(), token.jti(), token.family())
        {
            // A refresh token of a family: reuse detection too, in the same round trip.
            let bucket = self.layout.bucket_of(&identity);
            return self
                .rotation(token, &bucket, jti, None)
                .await
                .map(|answer| answer == 3);
        }
        self.check(token, &identity).await
    }

    async fn prepare(&self) -> Result<(), StoreError> {
        self.subscribe();
        self.layout.usable()?;
        epochs::warn_about_eviction(&self.link, self.timeout).await;
        epochs::seed(&self.link, &self.layout, self.timeout)
            .await
            .map(|_| ())
            .map_err(|e| {
                rocket::warn!("jwt-ext: preparing the Redis store: {e}");
                StoreError::new(e)
            })
    }

    async fn revoke_token(
        &self,
        identity: &str,
        jti: &str,
        keep_until: Option<i64>,
    ) -> Result<(), StoreError> {
        let bucket = self.layout.bucket_of(identity);
        self.revoke_key(&bucket, bucket.token(jti), keep_until)
            .await
    }

    async fn revoke_identity(
        &self,
        identity: &str,
        issued_before: i64,
        keep_until: Option<i64>,
    ) -> Result<(), StoreError> {
        let bucket = self.layout.bucket_of(identity);
        let key = bucket.identity(identity);
        let mut invocation = self.scripts.revoke_identity.prepare_invoke();
        invocation
            .key(&key)
            .arg(issued_before)
            .arg(expiry_arg(keep_until))
            .arg(self.layout.channel())
            .arg(bucket.number);
        self.write(&invocation, &key).await
    }

    async fn spend(&self, token: &TokenData, spend: &Spend) -> Result<Spent, StoreError> {
        let Some(jti) = token.jti() else {
            return Ok(Spent::Revoked);
        };
        let bucket = self.layout.bucket_of(&token.revocation_identity());
        Ok(
            match self.rotation(token, &bucket, jti, Some(spend)).await? {
                0 => Spent::First,
                1 => Spent::Again,
                2 => Spent::Reuse,
                _ => Spent::Revoked,
            },
        )
    }

    async fn revoke_family(
        &self,
        identity: &str,
        family: &str,
        keep_until: Option<i64>,
    ) -> Result<(), StoreError> {
        let bucket = self.layout.bucket_of(identity);
        self.revoke_key(&bucket, bucket.family(family), keep_until)
            .await
    }
}

/// An expiry for a script: the time, or '' for none (or one later than Redis takes).
fn expiry_arg(at: Option<i64>) -> String {
    at.filter(|at| *at <= LATEST_EXPIRY)
        .map(|at| at.to_string())
        .unwrap_or_default()
}
