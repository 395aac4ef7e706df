//! One spelling per token (SPEC §4): padding, duplicate names, nesting, invalid Unicode.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use base64::engine::general_purpose::URL_SAFE;
use base64::Engine;
use common::core::*;
use common::*;
use rocket::http::Status;
use serde_json::{json, Value};

#[test]
fn padding_is_refused_in_every_segment() {
    let client = app(json!({}));
    let payload = payload_text(r#""pad":"x""#);
    let payload = (0..3)
        .map(|n| payload.replace(r#""x""#, &format!("\"{}\"", "x".repeat(n + 1))))
        .find(|p| p.len() % 3 != 0)
        .unwrap();
    let sign = |input: String| {
        let key = jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()).unwrap();
        let signature =
            jsonwebtoken::crypto::sign(input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256)
                .unwrap();
        format!("{input}.{signature}")
    };
    let unpadded = sign(format!(
        "{}.{}",
        b64(&serde_json::from_str(HEADER).unwrap()),
        URL_SAFE.encode(&payload).trim_end_matches('=')
    ));
    assert_eq!(access(&client, &unpadded), (Status::Ok, json!("alice")));

    let padded_payload = sign(format!("{}.{}", padded(HEADER), padded(&payload)));
    assert!(padded_payload.split('.').nth(1).unwrap().ends_with('='));
    assert_eq!(
        access(&client, &padded_payload),
        invalid("Invalid payload padding")
    );
    let header = r#"{"alg":"HS256","typ":"JWT","x":12}"#;
    let padded_header = sign(format!(
        "{}.{}",
        padded(header),
        padded(&payload).trim_end_matches('=')
    ));
    assert!(padded_header.split('.').next().unwrap().ends_with('='));
    assert_eq!(
        access(&client, &padded_header),
        invalid("Invalid header padding")
    );
    assert_eq!(
        access(&client, &format!("{unpadded}=")),
        invalid("Invalid crypto padding")
    );
}

#[test]
fn a_member_name_has_one_value() {
    let client = app(json!({}));
    let valid = Value::Object(payload()).to_string();
    // Last-wins would read `access` and let a refresh token into an access route.
    let twice = format!(r#"{{"type":"refresh",{}"#, &valid[1..]);
    assert_eq!(
        access(&client, &forge_raw(HEADER, &twice)),
        invalid("Duplicate member name in token")
    );
    assert_eq!(
        access(
            &client,
            &forge_raw(r#"{"alg":"HS256","alg":"HS256","typ":"JWT"}"#, &valid)
        ),
        invalid("Duplicate member name in token")
    );
    let nested = payload_text(r#""profile":{"role":"user","role":"admin"}"#);
    assert_eq!(
        access(&client, &forge_raw(HEADER, &nested)),
        invalid("Duplicate member name in token")
    );
    assert_eq!(
        access(&client, &forge_raw(HEADER, &valid)),
        (Status::Ok, json!("alice"))
    );
}

/// A claim nested so that the deepest container is at `depth`, the payload being level 1.
fn nested_claim(depth: usize) -> String {
    let inner = depth - 1;
    format!(r#""deep":{}{}"#, "[".repeat(inner), "]".repeat(inner))
}

#[test]
fn nesting_is_at_most_64_levels() {
    let client = app(json!({}));
    let at_limit = forge_raw(HEADER, &payload_text(&nested_claim(64)));
    assert_eq!(access(&client, &at_limit), (Status::Ok, json!("alice")));
    for depth in [65, 2000] {
        let token = forge_raw(HEADER, &payload_text(&nested_claim(depth)));
        assert_eq!(
            access(&client, &token),
            invalid("Token is nested too deeply"),
            "{depth}"
        );
    }
}

#[test]
fn a_lone_surrogate_is_refused_and_the_payload_is_what_was_verified() {
    let client = app(json!({"max_token_bytes": 16384}));
    let lone = forge_raw(HEADER, &payload_text(r#""name":"\ud800""#));
    assert_eq!(access(&client, &lone), invalid("Invalid payload string"));
    let key = forge_raw(HEADER, &payload_text(r#""\udc00":1"#));
    assert_eq!(access(&client, &key), invalid("Invalid payload string"));

    let pair = forge_raw(HEADER, &payload_text(r#""name":"\ud83d\ude00 \u00e9""#));
    let (status, payload) = answer(client.get("/claims").header(bearer(&pair)).dispatch());
    assert_eq!(status, Status::Ok);
    assert_eq!(payload["name"], json!("😀 é"));
    assert_eq!(payload["sub"], json!("alice"));
}
