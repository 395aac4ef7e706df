//! Refresh-token rotation over real HTTP: two quickstart servers on their own ports, sharing one
//! Redis, and 50 simultaneous refreshes with one token from 50 client threads; then a theft
//! replayed on the other server.
//!
//! Without Redis this test fails when `CI=true` and is skipped, saying why, elsewhere.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/quickstart.rs"]
mod quickstart;

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use common::store::{prefix, shared_redis};
use common::tools;
use common::SECRET;
use serde_json::{json, Value};

/// Starts a quickstart with rotation on `url` under `prefix`; answers its port.
fn serve(url: &str, prefix: &str) -> u16 {
    let jwt = json!({
        "secret_key": SECRET, "refresh_token_rotation": true,
        "blocklist": url, "blocklist_key_prefix": prefix,
    });
    let figment = rocket::figment::Figment::from(rocket::Config::debug_default())
        .merge(("log_level", "off"))
        .merge(("workers", 4))
        .merge(("jwt", jwt));
    tools::serve(quickstart::rocket().configure(figment))
}

/// One HTTP/1.1 request on its own connection: the status and the JSON body.
fn request(port: u16, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, Value) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("sends");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("reads");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

fn login(port: u16) -> (String, String) {
    let (status, body) = request(
        port,
        "POST",
        "/login",
        None,
        r#"{"username":"test","password":"test"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let get = |k: &str| body[k].as_str().expect("a token").to_owned();
    (get("access_token"), get("refresh_token"))
}

#[test]
fn rotation_over_http_on_two_servers() {
    let Some(url) = shared_redis() else {
        return;
    };
    let prefix = prefix("http");
    let ports = [serve(&url, &prefix), serve(&url, &prefix)];

    // A storm: 50 client threads, one token, alternating servers.
    let (_, token) = login(ports[0]);
    let threads: Vec<_> = (0..50)
        .map(|i| {
            let token = token.clone();
            let port = ports[i % 2];
            std::thread::spawn(move || request(port, "POST", "/refresh", Some(&token), ""))
        })
        .collect();
    let answers: Vec<(u16, Value)> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let ok = answers.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(ok, 1, "{answers:?}");
    let revoked = json!({"msg": "Token has been revoked"});
    assert!(
        answers
            .iter()
            .all(|(s, b)| *s == 200 || (*s == 401 && *b == revoked)),
        "{answers:?}"
    );

    // A theft: the thief refreshes on one server, the owner's replay on the other is reuse.
    let (owner_access, stolen) = login(ports[0]);
    let (status, pair) = request(ports[0], "POST", "/refresh", Some(&stolen), "");
    assert_eq!(status, 200);
    let thief_access = pair["access_token"].as_str().unwrap().to_owned();
    let thief_refresh = pair["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(
        request(ports[1], "GET", "/protected", Some(&thief_access), "").0,
        200
    );
    assert_eq!(
        request(ports[1], "POST", "/refresh", Some(&stolen), ""),
        (401, revoked.clone())
    );
    for port in ports {
        assert_eq!(
            request(port, "GET", "/protected", Some(&thief_access), "").0,
            401
        );
        assert_eq!(
            request(port, "GET", "/protected", Some(&owner_access), "").0,
            401
        );
        assert_eq!(
            request(port, "POST", "/refresh", Some(&thief_refresh), ""),
            (401, revoked.clone())
        );
    }
}
