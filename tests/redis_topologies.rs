//! The Redis store on a Cluster, a Sentinel service and a server of the test's own, each shared
//! by two quickstart instances, with faults injected mid-test: nodes killed, frozen and
//! restarted empty, a slot migrated (`ASK`, then `MOVED`), Sentinel failovers (`SENTINEL
//! FAILOVER` and a killed master), a `FLUSHALL`. Throughout, a revoked token is never
//! accepted; requests the store cannot answer get 503 with `Retry-After`; everything recovers
//! without a restart; tokens issued before the store lost its data are refused, new logins work.
//!
//! The servers are started here (`redis-server`, `redis-cli`, `redis-sentinel`); without them
//! these tests fail under `CI=true` and are skipped, saying why, elsewhere.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/quickstart.rs"]
mod quickstart;

mod common;

use std::time::{Duration, Instant};

use common::store::{answer, auth, login};
use common::topology::{Cluster, Sentinels, Server, Tls, SERVICE};
use common::{bearer, msg, SECRET};
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::{json, Value};

/// The topologies are many processes on two cores: one test at a time, so that a deadline
/// missed means a fault injected, not a machine too busy.
static SERIAL: rocket::tokio::sync::Mutex<()> = rocket::tokio::sync::Mutex::const_new(());

async fn quickstart_on(blocklist: &Value, cache: bool) -> Client {
    quickstart_with_deadline(blocklist, cache, 300).await
}

async fn quickstart_with_deadline(blocklist: &Value, cache: bool, timeout_ms: u64) -> Client {
    let rocket = quickstart::rocket().configure(
        rocket::figment::Figment::from(rocket::Config::debug_default())
            .merge(("log_level", "off"))
            .merge((
                "jwt",
                json!({"secret_key": SECRET, "blocklist": blocklist, "blocklist_cache": cache,
                       "blocklist_timeout_ms": timeout_ms, "blocklist_key_prefix": "topology:"}),
            )),
    );
    Client::untracked(rocket)
        .await
        .expect("the quickstart launches on Redis")
}

/// `/protected`'s status, checking that a 503 says when to retry.
async fn status(client: &Client, token: &str) -> Status {
    let response = client
        .get("/protected")
        .header(bearer(token))
        .dispatch()
        .await;
    let status = response.status();
    if status == Status::ServiceUnavailable {
        assert!(response.headers().get_one("Retry-After").is_some());
    }
    status
}

/// Tokens of many identities (spread over every node), every other one revoked.
struct Tokens {
    revoked: Vec<String>,
    valid: Vec<String>,
}

async fn tokens(client: &Client, count: usize) -> Tokens {
    let auth = auth(client);
    let mut tokens = Tokens {
        revoked: Vec::new(),
        valid: Vec::new(),
    };
    for i in 0..count {
        let token = auth.access_token(format!("user{i}")).issue().unwrap();
        if i % 2 == 0 {
            let data = auth.decode(&token).unwrap();
            // Right after a Cluster with replicas forms, a replica's acknowledgement can miss
            // the deadline (503, the revocation in effect on the master): retry a few times.
            let mut attempts = 0;
            while let Err(e) = auth.revoke(&data).await {
                attempts += 1;
                assert!(attempts < 10, "revoking {}: {e:?}", data.identity());
                rocket::tokio::time::sleep(Duration::from_millis(100)).await;
            }
            tokens.revoked.push(token);
        } else {
            tokens.valid.push(token);
        }
    }
    tokens
}

/// Every token on every instance: revoked ones are never accepted. Answers how many valid
/// tokens got 503.
async fn sweep(instances: &[&Client], tokens: &Tokens) -> usize {
    let mut unavailable = 0;
    for client in instances {
        for token in &tokens.revoked {
            let got = status(client, token).await;
            assert!(
                got == Status::Unauthorized || got == Status::ServiceUnavailable,
                "a revoked token got {got}"
            );
        }
        for token in &tokens.valid {
            match status(client, token).await.code {
                200 => {}
                503 => unavailable += 1,
                other => panic!("a valid token got {other}"),
            }
        }
    }
    unavailable
}

/// Sweeps until no valid token gets 503; answers how long that took.
async fn until_recovered(instances: &[&Client], tokens: &Tokens) -> Duration {
    let start = Instant::now();
    while sweep(instances, tokens).await > 0 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no recovery in 30 s"
        );
        rocket::tokio::time::sleep(Duration::from_millis(50)).await;
    }
    start.elapsed()
}

#[rocket::async_test]
async fn a_cluster_shared_by_two_instances_through_node_faults() {
    let _serial = SERIAL.lock().await;
    let Some(mut cluster) = Cluster::start(0) else {
        return;
    };
    let blocklist = json!({ "cluster": cluster.urls() });
    let (a, b) = (
        quickstart_on(&blocklist, false).await,
        quickstart_on(&blocklist, false).await,
    );
    let tokens = tokens(&a, 40).await;
    assert_eq!(sweep(&[&a, &b], &tokens).await, 0);
    latency("cluster", &a, &tokens.valid[0]).await;
    let cached = quickstart_on(&blocklist, true).await;
    latency("cluster, cache", &cached, &tokens.valid[0]).await;
    drop(cached);
    // Keys of every node are in use: the layout spreads identities over the slots.
    for node in &cluster.nodes {
        let keys: i64 = node.text(&["DBSIZE"]).parse().unwrap();
        assert!(keys > 0, "node {} holds no key", node.port);
    }

    // A node frozen, then thawed: its identities fail closed, the rest are served.
    cluster.nodes[1].signal("-STOP");
    let frozen = sweep(&[&a, &b], &tokens).await;
    cluster.nodes[1].signal("-CONT");
    assert!(frozen > 0, "a frozen node's identities must fail closed");
    assert!(
        frozen < tokens.valid.len() * 2,
        "the other nodes still answer"
    );
    until_recovered(&[&a, &b], &tokens).await;

    // A node killed, then restarted empty (no persistence; it keeps its slots).
    cluster.nodes[0].kill();
    assert!(sweep(&[&a, &b], &tokens).await > 0);
    cluster.nodes[0].start();
    cluster.wait_ok();
    let lost = wait_for_refusals(&[&a, &b], &tokens).await;
    assert!(lost > 0, "the restarted node's identities must be refused");
    // New logins work on both instances, whichever node they land on.
    for i in 0..20 {
        let fresh = auth(&a).access_token(format!("user{i}")).issue().unwrap();
        assert_eq!(status(&b, &fresh).await, Status::Ok);
    }

    migrate_a_slot(&cluster, &a, &b).await;
}

/// With replicas, a revocation is acknowledged once the replica of its master has it: killing
/// that master promotes the replica without losing a revocation or an epoch.
#[rocket::async_test]
async fn a_cluster_with_replicas_fails_over_without_losing_revocations() {
    let _serial = SERIAL.lock().await;
    let Some(mut cluster) = Cluster::start(1) else {
        return;
    };
    let blocklist = json!({ "cluster": cluster.urls() });
    // A revocation waits for a replica (`WAIT`, up to 3/4 of the deadline): room for a busy
    // machine.
    let (a, b) = (
        quickstart_with_deadline(&blocklist, false, 1000).await,
        quickstart_with_deadline(&blocklist, true, 1000).await,
    );
    let tokens = tokens(&a, 30).await;
    assert_eq!(sweep(&[&a, &b], &tokens).await, 0);

    // The replica of the first master frozen: revocations on that master are not
    // acknowledged (`WAIT` times out: 503); on the other masters they are.
    let role: Vec<redis::Value> =
        redis::FromRedisValue::from_redis_value(cluster.nodes[0].query(&["ROLE"]).unwrap())
            .unwrap();
    let replicas: Vec<Vec<String>> =
        redis::FromRedisValue::from_redis_value(role[2].clone()).unwrap();
    let replica_port: u16 = replicas[0][1].parse().unwrap();
    let replica = cluster
        .nodes
        .iter()
        .find(|n| n.port == replica_port)
        .unwrap();
    replica.signal("-STOP");
    let mut answers = Vec::new();
    for i in 0..12 {
        let token = auth(&a).access_token(format!("frozen{i}")).issue().unwrap();
        let revoked = auth(&a).revoke(&auth(&a).decode(&token).unwrap()).await;
        answers.push(revoked.is_ok());
    }
    replica.signal("-CONT");
    assert!(
        answers.contains(&false),
        "a revocation no replica acknowledged must fail"
    );
    assert!(
        answers.contains(&true),
        "the other masters' replicas acknowledge"
    );
    cluster.wait_ok();

    let start = Instant::now();
    cluster.nodes[0].kill();
    // `sweep` panics on a valid token refused: no epoch was lost, no revocation either.
    let mut failed = false;
    loop {
        let unavailable = sweep(&[&a, &b], &tokens).await;
        failed |= unavailable > 0;
        if failed && unavailable == 0 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no failover in 30 s"
        );
        rocket::tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!(
        "cluster master killed: requests failed for {:?}",
        start.elapsed()
    );
    cluster.wait_ok();
    // The promoted master has no replica: nothing to wait for, logouts work.
    let token = login(&a, "alice", "wonderland").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        logout(&a, &token).await,
        (Status::Ok, msg("Access token revoked"))
    );
    assert_eq!(status(&b, &token).await, Status::Unauthorized);
}

/// After a node came back empty: every valid token answers 200 or, if its identity lived on
/// the lost node, 401 (issued before the loss). Answers how many got 401.
async fn wait_for_refusals(instances: &[&Client], tokens: &Tokens) -> usize {
    let start = Instant::now();
    loop {
        let mut refused = 0;
        let mut unavailable = false;
        for client in instances {
            for token in &tokens.valid {
                match status(client, token).await.code {
                    200 => {}
                    401 => refused += 1,
                    _ => unavailable = true,
                }
            }
        }
        if !unavailable {
            return refused;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no recovery in 30 s"
        );
        rocket::tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Moves the slot of a revoked token's keys to another node, the way `redis-cli --cluster
/// reshard` does: while it migrates (`ASK`, `TRYAGAIN`) the token is never accepted, and
/// after (`MOVED`) it is refused and a new token of the same identity accepted.
async fn migrate_a_slot(cluster: &Cluster, a: &Client, b: &Client) {
    let auth = auth(a);
    let revoked = auth.access_token("migrant").issue().unwrap();
    auth.revoke(&auth.decode(&revoked).unwrap()).await.unwrap();
    let fresh = || auth.access_token("migrant").issue().unwrap();
    let key = cluster
        .nodes
        .iter()
        .find_map(|node| {
            let tokens: Vec<String> = redis::FromRedisValue::from_redis_value(
                node.query(&[
                    "KEYS",
                    &format!("topology:{{*}}token:{}", jti(auth, &revoked)),
                ])
                .unwrap(),
            )
            .unwrap();
            tokens.into_iter().next()
        })
        .expect("the revoked token's key");
    let slot: u16 = cluster.nodes[0]
        .text(&["CLUSTER", "KEYSLOT", &key])
        .parse()
        .unwrap();
    let from = cluster.owner(slot);
    let to = (from + 1) % cluster.nodes.len();
    let (source, target) = (&cluster.nodes[from], &cluster.nodes[to]);
    let (from_id, to_id) = (cluster.id(from), cluster.id(to));
    let slot_text = slot.to_string();
    // While the slot migrates, Redis answers a script whose keys are not all in one place
    // with `TRYAGAIN` (the store's keys of an identity include absent ones): closed, not open.
    let migrating = || async {
        for client in [a, b] {
            let got = status(client, &revoked).await;
            assert!(
                got == Status::Unauthorized || got == Status::ServiceUnavailable,
                "{got}"
            );
            let got = status(client, &fresh()).await;
            assert!(
                got == Status::Ok || got == Status::ServiceUnavailable,
                "{got}"
            );
        }
    };
    let check = || async {
        for client in [a, b] {
            assert_eq!(
                eventually_not_503(client, &revoked).await,
                Status::Unauthorized
            );
            assert_eq!(eventually_not_503(client, &fresh()).await, Status::Ok);
        }
    };
    target.text(&["CLUSTER", "SETSLOT", &slot_text, "IMPORTING", &from_id]);
    source.text(&["CLUSTER", "SETSLOT", &slot_text, "MIGRATING", &to_id]);
    migrating().await;
    let keys: Vec<String> = redis::FromRedisValue::from_redis_value(
        source
            .query(&["CLUSTER", "GETKEYSINSLOT", &slot_text, "1000"])
            .unwrap(),
    )
    .unwrap();
    let port = target.port.to_string();
    let mut migrate = vec!["MIGRATE", "127.0.0.1", &port, "", "0", "5000", "KEYS"];
    migrate.extend(keys.iter().map(String::as_str));
    source.text(&migrate);
    // The keys are on the target, the slot still the source's: the source answers `ASK`.
    migrating().await;
    for node in &cluster.nodes {
        node.text(&["CLUSTER", "SETSLOT", &slot_text, "NODE", &to_id]);
    }
    // The slot is the target's: the client's map is stale, the source answers `MOVED`.
    check().await;
}

fn jti(auth: &jwt_ext::Auth, token: &str) -> String {
    auth.decode(token).unwrap().jti().unwrap().to_owned()
}

/// The status once the store answers (a migration may answer `TRYAGAIN` for a moment).
async fn eventually_not_503(client: &Client, token: &str) -> Status {
    let start = Instant::now();
    loop {
        let got = status(client, token).await;
        if got != Status::ServiceUnavailable || start.elapsed() > Duration::from_secs(10) {
            return got;
        }
        rocket::tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Sweeps until the Sentinels name a master other than `before` and both instances answer
/// every token as they should again; answers how long requests failed (503) meanwhile, from
/// the first failure to the last, checking that a revoked token is never accepted.
async fn failover_window(
    set: &Sentinels,
    before: u16,
    instances: &[&Client],
    tokens: &Tokens,
) -> Duration {
    let start = Instant::now();
    let (mut first_failure, mut last_failure) = (None, None);
    let mut settled = 0;
    // Settled: ten clean sweeps in a row once the master changed.
    while settled < 10 {
        if sweep(instances, tokens).await > 0 {
            first_failure.get_or_insert(start.elapsed());
            last_failure = Some(start.elapsed());
            settled = 0;
        } else if set.master_port() != before {
            settled += 1;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no failover in 60 s"
        );
        rocket::tokio::time::sleep(Duration::from_millis(20)).await;
    }
    match (first_failure, last_failure) {
        (Some(first), Some(last)) => last - first,
        _ => Duration::ZERO,
    }
}

/// Prints the latency of `/protected` through the local client (in-process dispatch, the
/// store's round trip included): measured, not asserted (BENCHMARKS.md quotes it).
async fn latency(topology: &str, client: &Client, token: &str) {
    let mut times = Vec::with_capacity(1000);
    for _ in 0..1000 {
        let start = Instant::now();
        assert_eq!(status(client, token).await, Status::Ok);
        times.push(start.elapsed());
    }
    times.sort();
    eprintln!(
        "latency {topology}: p50 {:?}, p99 {:?}",
        times[499], times[989]
    );
}

async fn logout(client: &Client, token: &str) -> (Status, Value) {
    answer(
        client
            .delete("/logout")
            .header(bearer(token))
            .dispatch()
            .await,
    )
    .await
}

#[rocket::async_test]
async fn a_sentinel_service_shared_by_two_instances_through_failovers() {
    let _serial = SERIAL.lock().await;
    let Some(mut set) = Sentinels::start() else {
        return;
    };
    let blocklist = json!({ "sentinel": set.urls(), "service": SERVICE });
    let (a, b) = (
        quickstart_on(&blocklist, false).await,
        quickstart_on(&blocklist, false).await,
    );
    let tokens = tokens(&a, 10).await;
    assert_eq!(sweep(&[&a, &b], &tokens).await, 0);
    latency("sentinel", &a, &tokens.valid[0]).await;
    let cached = quickstart_on(&blocklist, true).await;
    latency("sentinel, cache", &cached, &tokens.valid[0]).await;
    drop(cached);
    // A logout is acknowledged once the replica has it.
    let alice = login(&a, "alice", "wonderland").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        logout(&a, &alice).await,
        (Status::Ok, msg("Access token revoked"))
    );
    assert_eq!(status(&b, &alice).await, Status::Unauthorized);

    // An orderly failover.
    let before = set.master_port();
    set.sentinels[0].text(&["SENTINEL", "FAILOVER", SERVICE]);
    let window = failover_window(&set, before, &[&a, &b], &tokens).await;
    eprintln!("SENTINEL FAILOVER: requests failed for {window:?}");
    assert_eq!(status(&a, &alice).await, Status::Unauthorized);
    set.wait_until_ready();

    // The master killed: the Sentinels promote the replica after `down-after-milliseconds`.
    let before = set.master_port();
    set.master().kill();
    let window = failover_window(&set, before, &[&a, &b], &tokens).await;
    eprintln!("master killed: requests failed for {window:?}");
    assert_eq!(status(&b, &alice).await, Status::Unauthorized);
    // The new master has no replica: a logout is not acknowledged (a failover now would lose
    // it), until the old master is back as its replica.
    let bob = login(&a, "test", "test").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (got, _) = logout(&a, &bob).await;
    assert_eq!(got, Status::ServiceUnavailable);
    let old = set.servers.iter_mut().find(|s| s.pid() == 0).unwrap();
    old.start();
    set.wait_until_ready();
    // The unacknowledged logout is in effect on the master all the same.
    assert_eq!(eventually_not_503(&b, &bob).await, Status::Unauthorized);
    let start = Instant::now();
    loop {
        let token = login(&a, "test", "test").await["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let got = logout(&a, &token).await;
        if got.0 == Status::Ok {
            assert_eq!(eventually_not_503(&b, &token).await, Status::Unauthorized);
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no acknowledged logout: {got:?}"
        );
        rocket::tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The master frozen for less than `down-after-milliseconds`: 503 (within the command
    // deadline, not a hang), then recovery without a failover.
    let master = set.master_port();
    let frozen = set.servers.iter().find(|s| s.port == master).unwrap();
    frozen.signal("-STOP");
    let asked = Instant::now();
    assert_eq!(
        status(&b, &tokens.valid[0]).await,
        Status::ServiceUnavailable
    );
    assert!(asked.elapsed() < Duration::from_secs(2));
    frozen.signal("-CONT");
    until_recovered(&[&a, &b], &tokens).await;
}

#[rocket::async_test]
async fn a_wiped_server_refuses_tokens_issued_before_the_loss() {
    let _serial = SERIAL.lock().await;
    let Some(mut server) = Server::available() else {
        return;
    };
    let blocklist = json!(server.url());
    let (a, b) = (
        quickstart_on(&blocklist, false).await,
        quickstart_on(&blocklist, true).await,
    );
    for wipe in ["FLUSHALL", "restart"] {
        let tokens = tokens(&a, 10).await;
        assert_eq!(sweep(&[&a, &b], &tokens).await, 0);
        if wipe == "FLUSHALL" {
            latency("standalone", &a, &tokens.valid[0]).await;
            latency("standalone, cache", &b, &tokens.valid[0]).await;
        }
        // The next second: tokens issued after the loss is noticed are newer than it.
        let into_second = common::now();
        while common::now() == into_second {
            rocket::tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if wipe == "FLUSHALL" {
            server.text(&["FLUSHALL"]);
        } else {
            server.kill();
            server.start();
        }
        // Revocations made before the loss stay, and every other token of then is refused
        // too: at once without the cache (a), within the cache's keepalive with it (b).
        let start = Instant::now();
        loop {
            let mut refused = true;
            for (client, cached) in [(&a, false), (&b, true)] {
                for token in &tokens.revoked {
                    let got = status(client, token).await;
                    assert_ne!(got, Status::Ok, "{wipe}: a revoked token came back");
                    refused &= got == Status::Unauthorized;
                }
                for token in &tokens.valid {
                    let got = status(client, token).await;
                    assert!(
                        cached || got != Status::Ok,
                        "{wipe}: a token of before came back"
                    );
                    refused &= got == Status::Unauthorized;
                }
            }
            if refused {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{wipe}: no recovery"
            );
            rocket::tokio::time::sleep(Duration::from_millis(50)).await;
        }
        eprintln!(
            "{wipe}: every token of before refused after {:?}",
            start.elapsed()
        );
        let fresh = login(&a, "alice", "wonderland").await["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(status(&a, &fresh).await, Status::Ok, "{wipe}");
        assert_eq!(status(&b, &fresh).await, Status::Ok, "{wipe}");
    }
}

/// `blocklist_cache`: a revocation on one instance reaches the other's cache within a second
/// (measured over 1,000 revocations), and a lost invalidation connection drops the cache.
#[rocket::async_test]
async fn the_cache_follows_revocations_of_other_instances() {
    let _serial = SERIAL.lock().await;
    let Some(server) = Server::available() else {
        return;
    };
    let blocklist = json!(server.url());
    let (a, b) = (
        quickstart_on(&blocklist, true).await,
        quickstart_on(&blocklist, true).await,
    );
    // The subscriptions are up once a revocation's invalidation is seen.
    let warm = auth(&a).access_token("warm").issue().unwrap();
    assert_eq!(status(&b, &warm).await, Status::Ok);
    let mut delays = Vec::with_capacity(1000);
    for i in 0..1000 {
        let token = auth(&a).access_token(format!("user{i}")).issue().unwrap();
        // Cached on b: answered without Redis from now on.
        assert_eq!(status(&b, &token).await, Status::Ok);
        assert_eq!(status(&b, &token).await, Status::Ok);
        let revoked_at = Instant::now();
        auth(&a)
            .revoke(&auth(&a).decode(&token).unwrap())
            .await
            .unwrap();
        while status(&b, &token).await != Status::Unauthorized {
            assert!(
                revoked_at.elapsed() < Duration::from_secs(1),
                "revocation {i} took over 1 s"
            );
            rocket::tokio::task::yield_now().await;
        }
        delays.push(revoked_at.elapsed());
    }
    delays.sort();
    eprintln!(
        "revocation seen by the other instance's cache: p50 {:?}, p99 {:?}, max {:?}",
        delays[499], delays[989], delays[999]
    );

    // A revocation written behind the store's back publishes nothing: b, answering from its
    // cache, does not see it. Then the invalidation connection is lost, and b stops answering
    // from its cache: the revocation is seen at once.
    let token = auth(&a).access_token("lost").issue().unwrap();
    assert_eq!(status(&b, &token).await, Status::Ok);
    let jti = jti(auth(&a), &token);
    let epochs: Vec<String> = redis::FromRedisValue::from_redis_value(
        server.query(&["KEYS", "topology:{*}epoch"]).unwrap(),
    )
    .unwrap();
    // Which bucket is the token's is the store's business: mark it revoked in all of them.
    for epoch in &epochs {
        server.text(&["SET", &epoch.replace("epoch", &format!("token:{jti}")), "1"]);
    }
    assert_eq!(
        status(&b, &token).await,
        Status::Ok,
        "answered from the cache"
    );
    server.text(&["CLIENT", "KILL", "TYPE", "pubsub"]);
    rocket::tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(status(&b, &token).await, Status::Unauthorized);
}

/// Two instances on `blocklist`: a logout on one is seen by the other. Answers a token of
/// `alice` the first instance revoked.
async fn logout_seen_by_the_other(blocklist: &Value) -> (Client, Client, String) {
    let (a, b) = (
        quickstart_on(blocklist, false).await,
        quickstart_on(blocklist, true).await,
    );
    let alice = login(&a, "alice", "wonderland").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        eventually_not_503(&b, &alice).await,
        Status::Ok,
        "{blocklist}"
    );
    let start = Instant::now();
    // A Cluster or Sentinel service that just formed can miss a replica's acknowledgement.
    while logout(&a, &alice).await != (Status::Ok, msg("Access token revoked")) {
        assert!(start.elapsed() < Duration::from_secs(10), "{blocklist}");
        rocket::tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        status(&b, &alice).await,
        Status::Unauthorized,
        "{blocklist}"
    );
    (a, b, alice)
}

/// `rediss://` URLs on every topology, the server's certificate checked against the system's
/// trusted roots, to which `SSL_CERT_FILE` adds the test's own CA; a certificate that does not
/// name the host is refused (503, not accepted without a check).
#[rocket::async_test]
async fn rediss_urls_on_every_topology() {
    let _serial = SERIAL.lock().await;
    let Some(tls) = Tls::make() else {
        return;
    };
    // The one place the tests set the environment, while the others wait for `SERIAL`; the
    // topologies above speak plain TCP and never read it.
    std::env::set_var("SSL_CERT_FILE", &tls.ca);

    let Some(server) = Server::available_with(Some(&tls)) else {
        return;
    };
    logout_seen_by_the_other(&json!(server.tls_url())).await;
    let port = server.tls_port.unwrap();
    let unnamed = quickstart_on(&json!(format!("rediss://localhost:{port}")), false).await;
    let token = auth(&unnamed).access_token("alice").issue().unwrap();
    assert_eq!(status(&unnamed, &token).await, Status::ServiceUnavailable);
    let plain = quickstart_on(&json!(format!("redis://127.0.0.1:{port}")), false).await;
    assert_eq!(status(&plain, &token).await, Status::ServiceUnavailable);

    let Some(cluster) = Cluster::start_with(0, Some(&tls)) else {
        return;
    };
    let (a, b, _) = logout_seen_by_the_other(&json!({ "cluster": cluster.tls_urls() })).await;
    let spread = tokens(&a, 10).await;
    assert_eq!(sweep(&[&a, &b], &spread).await, 0);
    drop(cluster);

    let Some(set) = Sentinels::start_with(Some(&tls)) else {
        return;
    };
    let blocklist = json!({ "sentinel": set.tls_urls(), "service": SERVICE });
    let (a, b, alice) = logout_seen_by_the_other(&blocklist).await;
    let some = tokens(&a, 4).await;
    let before = set.master_port();
    set.sentinels[0].text(&["SENTINEL", "FAILOVER", SERVICE]);
    failover_window(&set, before, &[&a, &b], &some).await;
    assert_eq!(status(&b, &alice).await, Status::Unauthorized);
}
