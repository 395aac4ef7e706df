//! `blocklist` and its companions: which revocation store, checked at ignition.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{Config, ConfigError};

/// `blocklist`: `"memory"`, a `redis://` / `rediss://` URL, or a table naming a Redis Cluster
/// or a Sentinel service (SPEC §15; feature `redis`).
///
/// ```toml
/// [default.jwt]
/// blocklist = { cluster = ["redis://10.0.0.1:7000", "redis://10.0.0.2:7000"] }
/// # or
/// blocklist = { sentinel = ["redis://10.0.0.1:26379", "redis://10.0.0.2:26379"], service = "mymaster" }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum BlocklistConfig {
    /// `"memory"` or the URL of one Redis server.
    Url(String),
    /// A Redis Cluster.
    Cluster(ClusterNodes),
    /// A Redis Sentinel service.
    Sentinel(SentinelService),
}

/// `blocklist = { cluster = [..] }`: some nodes of a Redis Cluster (the client finds the rest).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterNodes {
    /// `redis://` or `rediss://` URLs of Cluster nodes.
    pub cluster: Vec<String>,
}

/// `blocklist = { sentinel = [..], service = ".." }`: the master of a Sentinel service.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SentinelService {
    /// `redis://` or `rediss://` URLs of Sentinels (not of Redis servers).
    pub sentinel: Vec<String>,
    /// The name the Sentinels monitor the master by (`mymaster` in Redis's examples).
    pub service: String,
}

impl Default for BlocklistConfig {
    fn default() -> Self {
        BlocklistConfig::Url("memory".to_owned())
    }
}

/// Where a Redis store is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RedisTopology {
    Standalone(String),
    Cluster(Vec<String>),
    Sentinel {
        sentinels: Vec<String>,
        service: String,
    },
}

/// The store named by the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BlocklistSetting {
    /// The in-process store (the default).
    Memory,
    /// Redis.
    Redis {
        topology: RedisTopology,
        prefix: String,
        timeout: Duration,
        cache: bool,
    },
}

pub(super) fn parse_blocklist(config: &Config) -> Result<BlocklistSetting, ConfigError> {
    let topology = match &config.blocklist {
        BlocklistConfig::Url(value) if value == "memory" => {
            if config.blocklist_cache {
                return Err(ConfigError::new(
                    "blocklist_cache",
                    "caches answers of a Redis store; the memory store needs no cache",
                ));
            }
            return Ok(BlocklistSetting::Memory);
        }
        BlocklistConfig::Url(url) if is_redis_url(url) => RedisTopology::Standalone(url.clone()),
        BlocklistConfig::Url(_) => {
            return Err(ConfigError::new(
                "blocklist",
                "expected `memory`, a `redis://` / `rediss://` URL, \
                 `{ cluster = [..] }` or `{ sentinel = [..], service = \"..\" }`",
            ))
        }
        BlocklistConfig::Cluster(ClusterNodes { cluster }) => {
            urls("blocklist.cluster", cluster)?;
            RedisTopology::Cluster(cluster.clone())
        }
        BlocklistConfig::Sentinel(SentinelService { sentinel, service }) => {
            urls("blocklist.sentinel", sentinel)?;
            if service.is_empty() {
                return Err(ConfigError::new(
                    "blocklist.service",
                    "name the service the Sentinels monitor (their `sentinel monitor <name>`)",
                ));
            }
            RedisTopology::Sentinel {
                sentinels: sentinel.clone(),
                service: service.clone(),
            }
        }
    };
    if config.blocklist_timeout_ms == 0 {
        return Err(ConfigError::new(
            "blocklist_timeout_ms",
            "must be at least 1",
        ));
    }
    if config.blocklist_key_prefix.contains(['{', '}']) {
        return Err(ConfigError::new(
            "blocklist_key_prefix",
            "must not contain `{` or `}`: braces are the store's Cluster hash tags",
        ));
    }
    Ok(BlocklistSetting::Redis {
        topology,
        prefix: config.blocklist_key_prefix.clone(),
        timeout: Duration::from_millis(config.blocklist_timeout_ms),
        cache: config.blocklist_cache,
    })
}

fn is_redis_url(url: &str) -> bool {
    url.starts_with("redis://") || url.starts_with("rediss://")
}

fn urls(key: &str, urls: &[String]) -> Result<(), ConfigError> {
    if urls.is_empty() {
        return Err(ConfigError::new(key, "list at least one `redis://` URL"));
    }
    match urls.iter().find(|url| !is_redis_url(url)) {
        Some(url) => Err(ConfigError::new(
            key,
            format!("`{url}` is not a `redis://` or `rediss://` URL"),
        )),
        None => Ok(()),
    }
}
