//! [`IsolatedRedis`]: a Redis key prefix of one test's own, cleaned up on drop.

use redis::Commands;
use std::time::Duration;

use rocket::figment::Figment;

/// A key prefix no other test uses, on the Redis server at `url`; its keys are deleted when
/// this is dropped, so tests see none of each other's revocations and leave nothing behind.
///
/// ```no_run
/// # use jwt_ext::testing::IsolatedRedis;
/// let redis = IsolatedRedis::new("redis://127.0.0.1:6379");
/// let figment = redis.configure(rocket::Config::figment());
/// let rocket = rocket::custom(figment).attach(jwt_ext::Auth::fairing());
/// // ... the test; every key it writes starts with `redis.prefix()`
/// # drop(rocket);
/// assert!(redis.keys().is_empty());
/// ```
#[derive(Debug)]
pub struct IsolatedRedis {
    url: String,
    prefix: String,
}

impl IsolatedRedis {
    /// A new prefix, `jwt-ext-test:<uuid>:`, on the server at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        IsolatedRedis {
            url: url.into(),
            prefix: format!("jwt-ext-test:{}:", uuid::Uuid::new_v4().simple()),
        }
    }

    /// The prefix every key of this test starts with.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `figment` with `jwt.blocklist` set to this server and `jwt.blocklist_key_prefix` to
    /// this prefix.
    pub fn configure(&self, figment: Figment) -> Figment {
        figment
            .merge(("jwt.blocklist", self.url.as_str()))
            .merge(("jwt.blocklist_key_prefix", self.prefix.as_str()))
    }

    /// The keys under this prefix now (empty when the server cannot be reached).
    pub fn keys(&self) -> Vec<String> {
        self.scan().unwrap_or_default()
    }

    fn connection(&self) -> redis::RedisResult<redis::Connection> {
        redis::Client::open(self.url.as_str())?.get_connection_with_timeout(Duration::from_secs(2))
    }

    fn scan(&self) -> redis::RedisResult<Vec<String>> {
        let mut connection = self.connection()?;
        let pattern = format!("{}*", self.prefix);
        let keys = connection.scan_match::<_, String>(&pattern)?.collect();
        keys
    }

    fn clean(&self) -> redis::RedisResult<()> {
        let keys = self.scan()?;
        if keys.is_empty() {
            return Ok(());
        }
        redis::cmd("DEL").arg(&keys).exec(&mut self.connection()?)
    }
}

impl Drop for IsolatedRedis {
    fn drop(&mut self) {
        if let Err(e) = self.clean() {
            eprintln!(
                "jwt-ext testing: could not delete the keys under `{}`: {e}",
                self.prefix
            );
        }
    }
}
