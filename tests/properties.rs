//! Properties of the verification core over generated inputs, through Rocket's local client:
//! no credential makes a guard panic or answer anything but 2xx/4xx; a signed token either
//! verifies as exactly what it says or is refused with a 4xx; issue → verify round-trips.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use common::*;
use jwt_ext::{Auth, Token};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use rocket::http::{Cookie, Header, Status};
use rocket::local::blocking::Client;
use rocket::{get, routes};
use serde_json::{json, Map, Value};

#[get("/claims")]
fn claims(token: Token<Map<String, Value>>) -> Value {
    json!({"identity": token.identity(), "payload": token.payload(), "custom": token.claims()})
}

/// One client for every case of a property: launching per case would dominate the run.
fn app() -> Client {
    let config = json!({"token_location": ["headers", "cookies", "query_string"]});
    client(
        rocket_with(config)
            .attach(Auth::fairing())
            .mount("/", routes![claims]),
    )
}

/// Runs `test` on 256 inputs of `strategy`; a failure is shrunk to a minimal input.
fn check<S: Strategy>(strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let config = ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    if let Err(failure) = TestRunner::new(config).run(&strategy, test) {
        panic!("{failure}");
    }
}

/// A JSON value of bounded size, nesting and width.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(".{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("[a-z_]{1,8}|.{0,6}", json_value(), 0..6)
        .prop_map(|m| m.into_iter().collect())
}

fn is_4xx(status: Status) -> bool {
    (400..500).contains(&status.code)
}

#[test]
fn any_credential_answers_4xx() {
    let client = app();
    let inputs = (".{0,200}", prop::collection::vec(any::<u8>(), 0..120));
    check(inputs, |(credential, raw)| {
        let bytes = String::from_utf8_lossy(&raw).into_owned();
        for value in [
            credential.clone(),
            bytes.clone(),
            format!("Bearer {credential}"),
            format!("Bearer {bytes}"),
        ] {
            let response = client
                .get("/claims")
                .header(Header::new("Authorization", value))
                .dispatch();
            prop_assert!(is_4xx(response.status()), "{}", response.status());
        }
        let cookie = Cookie::new("access_token_cookie", credential.clone());
        let response = client.get("/claims").cookie(cookie).dispatch();
        prop_assert!(is_4xx(response.status()));
        let query = url_escape(&credential);
        let response = client.get(format!("/claims?jwt={query}")).dispatch();
        prop_assert!(is_4xx(response.status()));
        Ok(())
    });
}

#[test]
fn a_signed_token_verifies_as_what_it_says_or_is_refused() {
    let client = app();
    let inputs = (
        json_object(),
        json_object(),
        prop::collection::vec(prop::bool::weighted(0.9), 8),
    );
    check(inputs, |(header_extra, payload_extra, keep)| {
        let mut payload = payload();
        // Drop some reserved claims, then let generated members replace others.
        let names: Vec<String> = payload.keys().cloned().collect();
        for (name, keep) in names.iter().zip(&keep) {
            if !keep {
                payload.remove(name);
            }
        }
        payload.extend(payload_extra);
        let mut header = header_extra;
        header.insert("alg".into(), "HS256".into());
        let token = forge_with(
            &Value::Object(header),
            &Value::Object(payload.clone()),
            SECRET,
        );
        let (status, body) = answer(client.get("/claims").header(bearer(&token)).dispatch());
        if status == Status::Ok {
            prop_assert_eq!(&body["payload"], &Value::Object(payload.clone()));
            prop_assert_eq!(&body["identity"], &payload["sub"]);
            prop_assert_eq!(&payload["type"], &json!("access"));
        } else {
            prop_assert!(is_4xx(status), "{} {}", status, body);
        }
        Ok(())
    });
}

#[test]
fn issue_then_verify_round_trips() {
    let client = app();
    check((".{0,40}", json_object()), |(identity, custom)| {
        let custom: Map<String, Value> = custom
            .into_iter()
            .filter(|(name, _)| !jwt_ext::RESERVED_CLAIMS.contains(&name.as_str()))
            .collect();
        let token = auth(&client)
            .access_token(identity.as_str())
            .claims(&custom)
            .issue()
            .unwrap();
        let (status, body) = answer(client.get("/claims").header(bearer(&token)).dispatch());
        prop_assert_eq!(status, Status::Ok);
        prop_assert_eq!(&body["identity"], &json!(identity));
        prop_assert_eq!(&body["custom"], &Value::Object(custom));
        Ok(())
    });
}

/// Percent-encodes everything but unreserved characters, so the query reaches the guard as is.
fn url_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
