//! Redis topologies of a test's own: servers, a 3-master Cluster, a Sentinel service (a master,
//! a replica, three Sentinels), on free loopback ports, stopped by PID when dropped. Each can
//! also listen with TLS ([`Tls`]), beside the plain port the tests' own queries use.
//!
//! Without `redis-server`, `redis-cli` or `redis-sentinel` (or `openssl`, for [`Tls`]) a test
//! fails under `CI=true` (`.ci/run` installs them) and is skipped, saying why, elsewhere.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::tools::missing;

/// Whether `tool` runs; reports it missing otherwise.
fn have(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg(if tool == "openssl" {
            "version"
        } else {
            "--version"
        })
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        missing(
            tool,
            "install Debian's redis-server, redis-sentinel and openssl (`apt-get install redis-server redis-sentinel openssl`)",
        );
    }
    found
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "jwt-ext-{name}-{}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A certificate authority of the test's own and a certificate it signed for `127.0.0.1`
/// (and no other name), made with `openssl`.
pub struct Tls {
    pub ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

impl Tls {
    /// The files, or `None` (reported) without `openssl`.
    pub fn make() -> Option<Tls> {
        if !have("openssl") {
            return None;
        }
        let dir = scratch("tls");
        let file = |name: &str| dir.join(name);
        std::fs::write(
            file("server.ext"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
             keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n",
        )
        .unwrap();
        let key = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let steps: [Vec<&str>; 3] = [
            [
                &["req", "-x509"][..],
                &key,
                &["-days", "2", "-subj", "/CN=jwt-ext test CA"],
            ]
            .concat(),
            [&["req"][..], &key, &["-subj", "/CN=127.0.0.1"]].concat(),
            vec!["x509", "-req", "-days", "2", "-CAcreateserial"],
        ];
        let files: [&[(&str, &str)]; 3] = [
            &[("-keyout", "ca.key"), ("-out", "ca.crt")],
            &[("-keyout", "server.key"), ("-out", "server.csr")],
            &[
                ("-in", "server.csr"),
                ("-CA", "ca.crt"),
                ("-CAkey", "ca.key"),
                ("-extfile", "server.ext"),
                ("-out", "server.crt"),
            ],
        ];
        for (args, files) in steps.iter().zip(files) {
            let mut openssl = Command::new("openssl");
            openssl.args(args);
            for (flag, name) in files {
                openssl.arg(flag).arg(file(name));
            }
            let output = openssl.output().unwrap();
            assert!(output.status.success(), "openssl {args:?}: {output:?}");
        }
        Some(Tls {
            ca: file("ca.crt"),
            cert: file("server.crt"),
            key: file("server.key"),
        })
    }

    /// `redis-server` / `redis-sentinel` arguments to listen with TLS on `port` too, and to
    /// replicate (and, for a Sentinel, to reach the servers) over TLS.
    fn args(&self, port: u16) -> Vec<String> {
        let path = |p: &PathBuf| p.display().to_string();
        [
            ("--tls-port", port.to_string()),
            ("--tls-cert-file", path(&self.cert)),
            ("--tls-key-file", path(&self.key)),
            ("--tls-ca-cert-file", path(&self.ca)),
            ("--tls-auth-clients", "no".to_owned()),
            ("--tls-replication", "yes".to_owned()),
        ]
        .into_iter()
        .flat_map(|(flag, value)| [flag.to_owned(), value])
        .collect()
    }
}

/// One `redis-server` (or `redis-sentinel`), without persistence.
pub struct Server {
    pub port: u16,
    /// The TLS port, when it has one.
    pub tls_port: Option<u16>,
    program: &'static str,
    args: Vec<String>,
    child: Option<Child>,
}

impl Server {
    fn spawn(program: &'static str, port: u16, args: Vec<String>) -> Server {
        let mut server = Server {
            port,
            tls_port: None,
            program,
            args,
            child: None,
        };
        server.start();
        server
    }

    /// A plain server; `extra` are more `redis-server` arguments.
    pub fn redis(extra: &[&str]) -> Server {
        Server::redis_with(None, extra)
    }

    /// A server that also listens with TLS, when `tls` is given.
    pub fn redis_with(tls: Option<&Tls>, extra: &[&str]) -> Server {
        let port = free_port();
        let dir = scratch("redis");
        let mut args: Vec<String> = [
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            // A replica syncs at once (Redis waits 5 s by default, for more replicas to join).
            "--repl-diskless-sync-delay",
            "0",
            "--dir",
            dir.to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        let tls_port = tls.map(|tls| {
            let tls_port = free_port();
            args.extend(tls.args(tls_port));
            tls_port
        });
        let mut server = Server::spawn("redis-server", port, args);
        server.tls_port = tls_port;
        server
    }

    /// A plain server, or `None` (reported) without `redis-server`.
    pub fn available() -> Option<Server> {
        Server::available_with(None)
    }

    /// A server that also listens with TLS, when `tls` is given.
    pub fn available_with(tls: Option<&Tls>) -> Option<Server> {
        have("redis-server").then(|| Server::redis_with(tls, &[]))
    }

    /// Starts (again, on the same port and files: a restart without persistence).
    pub fn start(&mut self) {
        let child = Command::new(self.program)
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.program));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.query(&["PING"]).is_err() {
            assert!(
                Instant::now() < deadline,
                "{} on {} did not come up",
                self.program,
                self.port
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The `rediss://` URL of its TLS port.
    pub fn tls_url(&self) -> String {
        format!("rediss://127.0.0.1:{}", self.tls_port.expect("a TLS port"))
    }

    /// The port clients use: the TLS one, when it has one.
    fn client_port(&self) -> u16 {
        self.tls_port.unwrap_or(self.port)
    }

    /// One command, answered as text (an error as `Err`).
    pub fn query(&self, command: &[&str]) -> redis::RedisResult<redis::Value> {
        let client = redis::Client::open(self.url())?;
        let mut connection = client.get_connection_with_timeout(Duration::from_secs(2))?;
        connection.set_read_timeout(Some(Duration::from_secs(5)))?;
        let mut cmd = redis::cmd(command[0]);
        for arg in &command[1..] {
            cmd.arg(*arg);
        }
        cmd.query(&mut connection)
    }

    pub fn text(&self, command: &[&str]) -> String {
        match self.query(command) {
            Ok(redis::Value::BulkString(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
            Ok(redis::Value::SimpleString(text)) => text,
            Ok(redis::Value::VerbatimString { text, .. }) => text,
            Ok(redis::Value::Int(n)) => n.to_string(),
            Ok(other) => format!("{other:?}"),
            Err(e) => panic!("{command:?} on {}: {e}", self.port),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or_default()
    }

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill {signal} {}", self.pid());
    }

    /// Kills it (SIGKILL) and waits until it is gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-CONT", &child.id().to_string()])
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A Redis Cluster of three masters with `replicas` replicas each, made with `redis-cli
/// --cluster create` (the first three nodes are the masters).
pub struct Cluster {
    pub nodes: Vec<Server>,
}

impl Cluster {
    pub fn start(replicas: usize) -> Option<Cluster> {
        Cluster::start_with(replicas, None)
    }

    /// With `tls`, the nodes speak TLS to each other and announce their TLS ports to TLS
    /// clients (`tls-cluster`).
    pub fn start_with(replicas: usize, tls: Option<&Tls>) -> Option<Cluster> {
        if !have("redis-server") || !have("redis-cli") {
            return None;
        }
        let nodes: Vec<Server> = (0..3 * (1 + replicas))
            .map(|_| {
                let mut args = vec![
                    "--cluster-enabled",
                    "yes",
                    "--cluster-node-timeout",
                    "2000",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-require-full-coverage",
                    "no",
                ];
                if tls.is_some() {
                    args.extend(["--tls-cluster", "yes"]);
                }
                Server::redis_with(tls, &args)
            })
            .collect();
        let mut create = Command::new("redis-cli");
        if let Some(tls) = tls {
            create.arg("--tls").arg("--cacert").arg(&tls.ca);
        }
        create.args(["--cluster", "create"]);
        create.args(
            nodes
                .iter()
                .map(|node| format!("127.0.0.1:{}", node.client_port())),
        );
        create.args(["--cluster-replicas", &replicas.to_string(), "--cluster-yes"]);
        let output = create.output().unwrap();
        assert!(
            output.status.success(),
            "redis-cli --cluster create: {output:?}"
        );
        let cluster = Cluster { nodes };
        cluster.wait_ok();
        Some(cluster)
    }

    /// Waits until every running node says the cluster is ok, and every replica is in sync.
    pub fn wait_ok(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let ready = |node: &Server| {
            let ok = node
                .query(&["CLUSTER", "INFO"])
                .map(|info| format!("{info:?}").contains("cluster_state:ok"))
                .unwrap_or(false);
            let replication = node
                .query(&["INFO", "replication"])
                .map(|info| format!("{info:?}"))
                .unwrap_or_default();
            ok && (replication.contains("role:master")
                || replication.contains("master_link_status:up"))
        };
        // A master with replicas is ready once one acknowledges a write (`WAIT`): a replica
        // can report its link up a moment before it acknowledges.
        let acknowledged = |node: &Server| {
            // A master's `ROLE`: ["master", offset, [[host, port, offset], ..]].
            let role: Option<(String, i64, Vec<Vec<String>>)> = node
                .query(&["ROLE"])
                .ok()
                .and_then(|role| redis::FromRedisValue::from_redis_value(role).ok());
            let has_replica = role.is_some_and(|(_, _, replicas)| !replicas.is_empty());
            !has_replica
                || node
                    .query(&["WAIT", "1", "200"])
                    .is_ok_and(|n| n == redis::Value::Int(1))
        };
        for node in self.nodes.iter().filter(|node| node.pid() != 0) {
            while !ready(node) || !acknowledged(node) {
                assert!(Instant::now() < deadline, "the cluster did not become ok");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }

    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(Server::url).collect()
    }

    pub fn tls_urls(&self) -> Vec<String> {
        self.nodes.iter().map(Server::tls_url).collect()
    }

    /// The node serving `slot`.
    pub fn owner(&self, slot: u16) -> usize {
        let line = self.nodes[0].text(&["CLUSTER", "NODES"]);
        let id = line
            .lines()
            .find(|node| {
                node.split(' ').skip(8).any(|range| {
                    let mut ends = range
                        .split('-')
                        .map(|n| n.parse::<u16>().unwrap_or(u16::MAX));
                    let start = ends.next().unwrap_or(u16::MAX);
                    let end = ends.next().unwrap_or(start);
                    (start..=end).contains(&slot)
                })
            })
            .map(|node| node.split(' ').nth(1).unwrap_or_default().to_owned())
            .expect("a node serves the slot");
        let port = id.split('@').next().unwrap().rsplit(':').next().unwrap();
        self.nodes
            .iter()
            .position(|node| node.port.to_string() == port)
            .unwrap()
    }

    pub fn id(&self, node: usize) -> String {
        self.nodes[node].text(&["CLUSTER", "MYID"])
    }
}

/// A Sentinel service `mymaster`: a master, a replica and three Sentinels (quorum 2).
pub struct Sentinels {
    pub servers: Vec<Server>,
    pub sentinels: Vec<Server>,
}

pub const SERVICE: &str = "mymaster";

impl Sentinels {
    pub fn start() -> Option<Sentinels> {
        Sentinels::start_with(None)
    }

    /// With `tls`, everything (replication, the Sentinels' links) is over TLS, and the
    /// Sentinels name the servers' TLS ports.
    pub fn start_with(tls: Option<&Tls>) -> Option<Sentinels> {
        if !have("redis-server") || !have("redis-sentinel") {
            return None;
        }
        let master = Server::redis_with(tls, &[]);
        let replica = Server::redis_with(
            tls,
            &[
                "--replicaof",
                "127.0.0.1",
                &master.client_port().to_string(),
            ],
        );
        let sentinels = (0..3)
            .map(|_| {
                let port = free_port();
                let tls_port = free_port();
                let tls_lines: String = tls
                    .map(|tls| {
                        tls.args(tls_port)
                            .chunks(2)
                            .map(|pair| format!("{} {}\n", &pair[0][2..], pair[1]))
                            .collect()
                    })
                    .unwrap_or_default();
                let dir = scratch("sentinel");
                let conf = dir.join("sentinel.conf");
                std::fs::write(
                    &conf,
                    format!(
                        "port {port}\nbind 127.0.0.1\ndir {}\n{tls_lines}\
                         sentinel monitor {SERVICE} 127.0.0.1 {} 2\n\
                         sentinel down-after-milliseconds {SERVICE} 1000\n\
                         sentinel failover-timeout {SERVICE} 4000\n\
                         sentinel parallel-syncs {SERVICE} 1\n",
                        dir.display(),
                        master.client_port()
                    ),
                )
                .unwrap();
                let mut sentinel =
                    Server::spawn("redis-sentinel", port, vec![conf.display().to_string()]);
                sentinel.tls_port = tls.map(|_| tls_port);
                sentinel
            })
            .collect();
        let set = Sentinels {
            servers: vec![master, replica],
            sentinels,
        };
        set.wait_until_ready();
        Some(set)
    }

    pub fn urls(&self) -> Vec<String> {
        self.sentinels.iter().map(Server::url).collect()
    }

    pub fn tls_urls(&self) -> Vec<String> {
        self.sentinels.iter().map(Server::tls_url).collect()
    }

    /// The (client) port of the master the Sentinels name.
    pub fn master_port(&self) -> u16 {
        let answer = self.sentinels[0]
            .query(&["SENTINEL", "get-master-addr-by-name", SERVICE])
            .unwrap();
        let parts: Vec<String> = redis::FromRedisValue::from_redis_value(answer).unwrap();
        parts[1].parse().unwrap()
    }

    pub fn master(&mut self) -> &mut Server {
        let port = self.master_port();
        self.servers
            .iter_mut()
            .find(|s| s.client_port() == port)
            .unwrap()
    }

    /// Waits until every Sentinel knows the replica and the others, and the replica is in sync.
    pub fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = self.sentinels.iter().all(|sentinel| {
                let master = sentinel_master(sentinel);
                master.get("num-slaves").map(String::as_str) == Some("1")
                    && master.get("num-other-sentinels").map(String::as_str) == Some("2")
            });
            let synced = self.servers.iter().any(|server| {
                server
                    .query(&["INFO", "replication"])
                    .map(|info| format!("{info:?}").contains("master_link_status:up"))
                    .unwrap_or(false)
            });
            if ready && synced {
                return;
            }
            assert!(Instant::now() < deadline, "the Sentinels did not get ready");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// `SENTINEL MASTER`'s answer, by field.
fn sentinel_master(sentinel: &Server) -> std::collections::HashMap<String, String> {
    sentinel
        .query(&["SENTINEL", "MASTER", SERVICE])
        .and_then(|answer| Ok(redis::FromRedisValue::from_redis_value(answer)?))
        .unwrap_or_default()
}
