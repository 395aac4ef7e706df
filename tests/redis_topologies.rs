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

use common::store::auth;
use common::topology::Cluster;
use common::{bearer, SECRET};
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::{json, Value};

async fn quickstart_on(blocklist: &Value, cache: bool) -> Client {
    let rocket = quickstart::rocket().configure(
        rocket::figment::Figment::from(rocket::Config::debug_default())
            .merge(("log_level", "off"))
            .merge((
                "jwt",
                json!({"secret_key": SECRET, "blocklist": blocklist, "blocklist_cache": cache,
                       "blocklist_timeout_ms": 300, "blocklist_key_prefix": "topology:"}),
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
            auth.revoke(&auth.decode(&token).unwrap()).await.unwrap();
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
    let Some(mut cluster) = Cluster::start() else {
        return;
    };
    let blocklist = json!({ "cluster": cluster.urls() });
    let (a, b) = (
        quickstart_on(&blocklist, false).await,
        quickstart_on(&blocklist, false).await,
    );
    let tokens = tokens(&a, 40).await;
    assert_eq!(sweep(&[&a, &b], &tokens).await, 0);
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
