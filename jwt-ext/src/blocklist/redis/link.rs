//! The connection to a topology: a standalone server, a Sentinel-managed master or a Cluster,
//! each through the `redis` crate's own client for it. Commands see one [`Connection`].

use std::sync::Mutex;
use std::time::Duration;

use redis::aio::{
    ConnectionLike, ConnectionManager, ConnectionManagerConfig, MultiplexedConnection,
};
use redis::cluster::{ClusterClient, ClusterConfig};
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, Slot, SlotAddr};
use redis::sentinel::SentinelClient;
use redis::{AsyncConnectionConfig, Cmd, Pipeline, RedisFuture, Value};
use rocket::tokio::sync::Mutex as AsyncMutex;

use super::StoreError;

/// Where the store is.
pub(super) enum Topology {
    /// One server (and whatever replicates it), through a reconnecting [`ConnectionManager`].
    Standalone(redis::Client),
    /// A Redis Cluster: the crate's cluster connection follows `MOVED`/`ASK`, refreshes its
    /// slot map and reconnects to nodes. The seed nodes serve the revocation channel.
    Cluster {
        client: ClusterClient,
        nodes: Vec<redis::ConnectionInfo>,
    },
    /// The master of a Sentinel service: the crate's Sentinel client finds it (and checks its
    /// `ROLE`); after a failed command the next one asks the Sentinels again.
    Sentinel(AsyncMutex<SentinelClient>),
}

/// An open connection to the topology.
#[derive(Clone)]
pub(super) enum Connection {
    Standalone(ConnectionManager),
    Cluster(ClusterConnection),
    Master(MultiplexedConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Connection::Standalone(c) => c.req_packed_command(cmd),
            Connection::Cluster(c) => c.req_packed_command(cmd),
            Connection::Master(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Connection::Standalone(c) => c.req_packed_commands(pipeline, offset, count),
            Connection::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
            Connection::Master(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Connection::Standalone(c) => c.get_db(),
            Connection::Cluster(c) => c.get_db(),
            Connection::Master(c) => c.get_db(),
        }
    }
}

/// What a write waits for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Replication {
    /// Nothing: no failover is ours to survive.
    None,
    /// A replica's acknowledgement, if the node has replicas.
    WhereReplicated,
    /// A replica's acknowledgement; no replica is a failure.
    Required,
}

/// Runs `command` on the node holding `key`: on a Cluster, the master of its slot (where the
/// write of `key` went, so that `WAIT` counts it); elsewhere, the connection's server.
pub(super) async fn on_node_of(
    connection: &mut Connection,
    key: &str,
    command: Cmd,
) -> redis::RedisResult<Value> {
    match connection {
        Connection::Cluster(cluster) => {
            let route = Route::with_slot(Slot::for_key(key), SlotAddr::Master);
            let routing = RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(route));
            cluster.route_command(command, routing).await
        }
        other => command.query_async(other).await,
    }
}

/// A topology and its connection, made on first use (inside the async runtime).
pub(super) struct Link {
    topology: Topology,
    current: Mutex<Option<Connection>>,
}

impl Link {
    pub(super) fn new(topology: Topology) -> Self {
        Link {
            topology,
            current: Mutex::new(None),
        }
    }

    pub(super) fn kind(&self) -> &'static str {
        match self.topology {
            Topology::Standalone(_) => "standalone",
            Topology::Cluster { .. } => "cluster",
            Topology::Sentinel(_) => "sentinel",
        }
    }

    /// Whether revocations wait for a replica (`WAIT`) where the topology fails over to
    /// replicas, so that an acknowledged logout survives a failover: on Sentinel always (a
    /// master without a replica refuses to acknowledge), on a Cluster where the key's master
    /// has replicas.
    pub(super) fn replication(&self) -> Replication {
        match self.topology {
            Topology::Standalone(_) => Replication::None,
            Topology::Cluster { .. } => Replication::WhereReplicated,
            Topology::Sentinel(_) => Replication::Required,
        }
    }

    /// The open connection, or a new one whose commands have `timeout` as their deadline.
    pub(super) async fn connection(&self, timeout: Duration) -> Result<Connection, StoreError> {
        if let Some(connection) = self.cached() {
            return Ok(connection);
        }
        let connection = match &self.topology {
            Topology::Standalone(client) => Connection::Standalone(manager(client, timeout)?),
            Topology::Cluster { client, .. } => Connection::Cluster(
                client.get_pending_async_connection_with_config(
                    ClusterConfig::new()
                        .set_connection_timeout(timeout)
                        .set_response_timeout(timeout),
                ),
            ),
            Topology::Sentinel(client) => {
                let mut client = client.lock().await;
                // Another request may have found the master while this one waited.
                if let Some(connection) = self.cached() {
                    return Ok(connection);
                }
                let master = client
                    .async_get_client()
                    .await
                    .map_err(|e| StoreError::new(format!("Redis Sentinel: {e}")))?;
                let config = AsyncConnectionConfig::new()
                    .set_connection_timeout(Some(timeout))
                    .set_response_timeout(Some(timeout));
                let connection = master
                    .get_multiplexed_async_connection_with_config(&config)
                    .await
                    .map_err(|e| StoreError::new(format!("Redis master: {e}")))?;
                Connection::Master(connection)
            }
        };
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        Ok(current.get_or_insert(connection).clone())
    }

    /// After a failed command: a Sentinel master may have failed over (or been demoted), so
    /// the next command asks the Sentinels again. The other clients reconnect by themselves.
    pub(super) fn failed(&self) {
        if let Topology::Sentinel(_) = self.topology {
            self.forget();
        }
    }

    fn forget(&self) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn cached(&self) -> Option<Connection> {
        self.current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A client for the revocation channel: the standalone server, a Cluster node (a
    /// publication reaches every node of a Cluster), or the Sentinel service's master.
    pub(super) async fn subscriber(&self, attempt: usize) -> Result<redis::Client, StoreError> {
        let fail = |e: redis::RedisError| StoreError::new(format!("Redis: {e}"));
        match &self.topology {
            Topology::Standalone(client) => Ok(client.clone()),
            Topology::Cluster { nodes, .. } => {
                let node = nodes
                    .get(attempt % nodes.len().max(1))
                    .ok_or_else(|| StoreError::new("a Redis Cluster needs at least one node"))?;
                redis::Client::open(node.clone()).map_err(fail)
            }
            Topology::Sentinel(client) => {
                client.lock().await.async_get_client().await.map_err(fail)
            }
        }
    }
}

fn manager(client: &redis::Client, timeout: Duration) -> Result<ConnectionManager, StoreError> {
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(timeout))
        .set_response_timeout(Some(timeout))
        .set_number_of_retries(1)
        .set_min_delay(Duration::from_millis(20))
        .set_max_delay(Duration::from_millis(500));
    ConnectionManager::new_lazy_with_config(client.clone(), config)
        .map_err(|e| StoreError::new(format!("cannot set up the Redis connection: {e}")))
}
