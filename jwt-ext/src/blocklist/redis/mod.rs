//! The Redis store: revocations shared by every instance of an app (feature `redis`).
//!
//! One key per revoked token (`<prefix>token:<jti>`), one per revoked identity
//! (`<prefix>identity:<identity>`, holding the "issued at or before" time), and for rotation
//! one per revoked family (`<prefix>family:<fam>`) and per spent refresh token
//! (`<prefix>spent:<jti>`); each expires when no token it covers could pass verification any
//! more. A check is one `MGET` (a family's refresh token: one script): one round trip.
//! Every command has a deadline, so a frozen server fails the request closed instead of
//! hanging it, and the reconnecting connection recovers by itself when the server is back.

use std::sync::OnceLock;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{Blocklist, Spend, Spent, StoreError};
use crate::kind::TokenType;
use crate::token::{now, TokenData};
use scripts::{REVOKE_IDENTITY, ROTATION};

mod scripts;

/// The latest expiry given to Redis (the end of year 9999); a later one, which Redis could
/// refuse as an invalid expire time, is stored without expiry.
const LATEST_EXPIRY: i64 = 253_402_300_799;

/// The default key prefix.
pub const DEFAULT_PREFIX: &str = "jwt-ext:";
/// The default deadline of one command.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(500);

/// A [`Blocklist`] in Redis (7.0 or later), shared by every app instance that uses the same
/// server and prefix.
///
/// Select it with `blocklist = "redis://127.0.0.1:6379"` in the `jwt` configuration (with
/// `blocklist_key_prefix` and `blocklist_timeout_ms`), or build it in code:
///
/// ```no_run
/// use jwt_ext::{Auth, RedisBlocklist};
/// use std::time::Duration;
///
/// let store = RedisBlocklist::open("redis://127.0.0.1:6379")
///     .expect("a valid URL")
///     .with_prefix("myapp:jwt:")
///     .with_timeout(Duration::from_millis(200));
/// let fairing = Auth::fairing().blocklist(store);
/// ```
pub struct RedisBlocklist {
    client: redis::Client,
    /// Made on first use, inside the async runtime; it reconnects by itself afterwards.
    connection: OnceLock<ConnectionManager>,
    prefix: String,
    timeout: Duration,
    revoke_identity: redis::Script,
    rotation: redis::Script,
}

impl std::fmt::Debug for RedisBlocklist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBlocklist")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisBlocklist {
    /// A store for the server at `url` (`redis://` or, with feature `redis-tls`, `rediss://`).
    /// Nothing is connected until the first check, so an app starts while Redis is down (and
    /// fails closed until it is up).
    pub fn open(url: &str) -> Result<Self, StoreError> {
        redis::Client::open(url)
            .map(Self::from_client)
            .map_err(|e| StoreError::new(format!("invalid Redis URL: {e}")))
    }

    /// A store on an existing client.
    pub fn from_client(client: redis::Client) -> Self {
        RedisBlocklist {
            client,
            connection: OnceLock::new(),
            prefix: DEFAULT_PREFIX.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            revoke_identity: redis::Script::new(REVOKE_IDENTITY),
            rotation: redis::Script::new(ROTATION),
        }
    }

    /// Prefixes every key (default `jwt-ext:`), so apps can share a server.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The deadline of one command (default 500 ms); past it the request fails closed.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn token_key(&self, jti: &str) -> String {
        format!("{}token:{jti}", self.prefix)
    }

    fn identity_key(&self, identity: &str) -> String {
        format!("{}identity:{identity}", self.prefix)
    }

    fn family_key(&self, family: &str) -> String {
        format!("{}family:{family}", self.prefix)
    }

    fn spent_key(&self, jti: &str) -> String {
        format!("{}spent:{jti}", self.prefix)
    }

    /// Sets `key` until `keep_until` (forever: `None`, or later than Redis takes).
    async fn set_until(&self, key: String, keep_until: Option<i64>) -> Result<(), StoreError> {
        let mut connection = self.connection()?;
        let mut command = redis::cmd("SET");
        command.arg(key).arg(1);
        match keep_until {
            // What it covers can no longer pass; there is nothing to remember.
            Some(at) if at <= now() => return Ok(()),
            Some(at) if at <= LATEST_EXPIRY => {
                command.arg("EXAT").arg(at);
            }
            _ => {}
        }
        self.run(command.query_async::<()>(&mut connection)).await
    }

    /// Runs [`ROTATION`] for `token` (which has a `jti`); `spend` selects the mode.
    async fn rotation(
        &self,
        token: &TokenData,
        jti: &str,
        spend: Option<&Spend>,
    ) -> Result<i64, StoreError> {
        let mut connection = self.connection()?;
        let family = token.family();
        let mut invocation = self.rotation.prepare_invoke();
        invocation
            .key(self.token_key(jti))
            .key(self.identity_key(&token.revocation_identity()))
            .key(self.family_key(family.unwrap_or_default()))
            .key(self.spent_key(jti))
            .arg(if spend.is_some() { "spend" } else { "check" })
            .arg(spend.map_or_else(now, |s| s.now))
            .arg(
                token
                    .issued_at()
                    .map(|iat| iat.to_string())
                    .unwrap_or_default(),
            )
            .arg(if family.is_some() { "1" } else { "0" });
        if let Some(spend) = spend {
            invocation
                .arg(spend.reuse_until)
                .arg(expiry_arg(spend.keep_until))
                .arg(expiry_arg(spend.family_keep_until));
        }
        self.run(invocation.invoke_async::<i64>(&mut connection))
            .await
    }

    fn connection(&self) -> Result<ConnectionManager, StoreError> {
        if let Some(connection) = self.connection.get() {
            return Ok(connection.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(20))
            .set_max_delay(Duration::from_millis(500));
        let connection = ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            .map_err(|e| StoreError::new(format!("cannot set up the Redis connection: {e}")))?;
        // Two first requests may race here; one manager wins and the other is dropped.
        Ok(self.connection.get_or_init(|| connection).clone())
    }

    /// Runs one command (or script) within the deadline.
    async fn run<T, F>(&self, command: F) -> Result<T, StoreError>
    where
        F: std::future::Future<Output = redis::RedisResult<T>>,
    {
        match rocket::tokio::time::timeout(self.timeout, command).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(StoreError::new(format!("Redis error: {e}"))),
            Err(_) => Err(StoreError::new(format!(
                "Redis did not answer within {} ms",
                self.timeout.as_millis()
            ))),
        }
    }
}

#[rocket::async_trait]
impl Blocklist for RedisBlocklist {
    async fn is_revoked(&self, token: &TokenData) -> Result<bool, StoreError> {
        if let (TokenType::Refresh, Some(jti), Some(_)) =
            (token.token_type(), token.jti(), token.family())
        {
            // A refresh token of a family: reuse detection too, in the same round trip.
            return self
                .rotation(token, jti, None)
                .await
                .map(|answer| answer == 3);
        }
        let mut connection = self.connection()?;
        let identity_key = self.identity_key(&token.revocation_identity());
        let (token_revoked, revoked_before) = match token.jti() {
            Some(jti) => {
                let mut keys = vec![self.token_key(jti), identity_key];
                keys.extend(token.family().map(|family| self.family_key(family)));
                let values: Vec<Option<String>> = self
                    .run(redis::cmd("MGET").arg(&keys).query_async(&mut connection))
                    .await?;
                let present = |i: usize| values.get(i).is_some_and(Option::is_some);
                let before = values.get(1).cloned().flatten();
                let before = before
                    .map(|b| b.parse::<i64>())
                    .transpose()
                    .map_err(|_| StoreError::new("a malformed identity entry in Redis"))?;
                (present(0) || present(2), before)
            }
            None => {
                let before: Option<i64> = self
                    .run(
                        redis::cmd("GET")
                            .arg(&identity_key)
                            .query_async(&mut connection),
                    )
                    .await?;
                (false, before)
            }
        };
        // Tokens without `iat` (lenient mode) cannot prove they are newer.
        let identity_revoked =
            revoked_before.is_some_and(|before| token.issued_at().is_none_or(|iat| iat <= before));
        Ok(token_revoked || identity_revoked)
    }

    async fn revoke_token(&self, jti: &str, keep_until: Option<i64>) -> Result<(), StoreError> {
        self.set_until(self.token_key(jti), keep_until).await
    }

    async fn revoke_identity(
        &self,
        identity: &str,
        issued_before: i64,
        keep_until: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut connection = self.connection()?;
        let mut invocation = self.revoke_identity.key(self.identity_key(identity));
        invocation.arg(issued_before).arg(expiry_arg(keep_until));
        self.run(invocation.invoke_async::<i64>(&mut connection))
            .await
            .map(|_| ())
    }

    async fn spend(&self, token: &TokenData, spend: &Spend) -> Result<Spent, StoreError> {
        let Some(jti) = token.jti() else {
            return Ok(Spent::Revoked);
        };
        Ok(match self.rotation(token, jti, Some(spend)).await? {
            0 => Spent::First,
            1 => Spent::Again,
            2 => Spent::Reuse,
            _ => Spent::Revoked,
        })
    }

    async fn revoke_family(&self, family: &str, keep_until: Option<i64>) -> Result<(), StoreError> {
        self.set_until(self.family_key(family), keep_until).await
    }
}

/// An expiry for a script: the time, or '' for none (or one later than Redis takes).
fn expiry_arg(at: Option<i64>) -> String {
    at.filter(|at| *at <= LATEST_EXPIRY)
        .map(|at| at.to_string())
        .unwrap_or_default()
}
