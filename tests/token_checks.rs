//! What a token must be to pass (SPEC §4): structure, signature, algorithm, header policy,
//! size, time claims with leeway, claim types, strictness, audience and issuer.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use common::guards::*;
use common::*;
use jwt_ext::testing::Kit;
use std::sync::atomic::Ordering;

use rocket::http::Status;
use serde_json::{json, Value};

#[test]
fn malformed_tokens_are_422_with_fixed_texts() {
    let app = app();
    let good = app.access();
    let (header, rest) = good.split_once('.').expect("three parts");
    let cases = [
        ("abc".to_owned(), "Not enough segments"),
        ("a.b".to_owned(), "Not enough segments"),
        (format!("{good}.extra"), "Too many segments"),
        (format!("!!!.{rest}"), "Invalid header padding"),
        (
            format!("{}.{rest}", b64(&json!("not an object"))),
            "Invalid header string",
        ),
        (
            format!("{}.{rest}", common::b64(&json!(null)).replace('b', "")),
            "Invalid header string",
        ),
        (format!("{header}.%%%.sig"), "Invalid payload padding"),
        // As in PyJWT, the payload's JSON is read once the signature passed.
        (
            format!("{header}.{}.sig", b64(&json!([1, 2]))),
            "Signature verification failed",
        ),
        (
            forge_raw(r#"{"alg":"HS256","typ":"JWT"}"#, "[1, 2]"),
            "Invalid payload string",
        ),
        (
            format!("{}.!", good.rsplit_once('.').expect("parts").0),
            "Invalid crypto padding",
        ),
    ];
    for (token, message) in cases {
        assert_eq!(
            app.get("/protected", &token),
            (Status::UnprocessableEntity, msg(message)),
            "{token}"
        );
    }
}

#[test]
fn a_bad_signature_is_422() {
    let app = app();
    let forged = forge_with(
        &json!({"alg": "HS256", "typ": "JWT"}),
        &Value::Object(payload()),
        "another-secret-another-secret-another",
    );
    assert_eq!(
        app.get("/protected", &forged),
        (
            Status::UnprocessableEntity,
            msg("Signature verification failed")
        )
    );
    let good = app.access();
    let tampered = good.replacen("eyJ", "eyK", 2);
    assert_eq!(
        app.get("/protected", &tampered).0,
        Status::UnprocessableEntity
    );
}

#[test]
fn algorithms_outside_the_allow_list_are_422() {
    let app = app();
    let not_allowed = msg("The specified alg value is not allowed");
    for alg in ["none", "HS512", "RS256", "nonsense"] {
        let token = forge_with(
            &json!({"alg": alg, "typ": "JWT"}),
            &Value::Object(payload()),
            SECRET,
        );
        assert_eq!(
            app.get("/protected", &token),
            (Status::UnprocessableEntity, not_allowed.clone()),
            "{alg}"
        );
    }
    let unsigned = format!(
        "{}.{}.",
        b64(&json!({"alg": "none"})),
        b64(&Value::Object(payload()))
    );
    assert_eq!(
        app.get("/protected", &unsigned),
        (Status::UnprocessableEntity, not_allowed)
    );
    let no_alg = forge_with(&json!({"typ": "JWT"}), &Value::Object(payload()), SECRET);
    assert_eq!(
        app.get("/protected", &no_alg),
        (Status::UnprocessableEntity, msg("Algorithm not specified"))
    );
}

#[test]
fn dangerous_header_parameters_are_refused_even_when_signed() {
    let app = app();
    for name in ["crit", "jwk", "jku", "x5u", "x5c", "b64", "zip"] {
        let header = json!({"alg": "HS256", "typ": "JWT", name: ["x"]});
        let token = forge_with(&header, &Value::Object(payload()), SECRET);
        assert_eq!(
            app.get("/protected", &token),
            (
                Status::UnprocessableEntity,
                msg(&format!("Unsupported header parameter: {name}"))
            ),
        );
    }
}

#[test]
fn oversized_tokens_are_refused_before_decoding() {
    let app = app_with(json!({"max_token_bytes": 300}), |f| f);
    let mut claims = payload();
    claims.insert("padding".into(), json!("x".repeat(400)));
    let token = forge(&claims);
    assert_eq!(
        app.get("/protected", &token),
        (Status::UnprocessableEntity, msg("Token is too large"))
    );
    assert_eq!(
        app.get("/protected", &"x".repeat(10_000)),
        (Status::UnprocessableEntity, msg("Token is too large"))
    );
    assert_eq!(app.store.checks.load(Ordering::SeqCst), 0);
}

#[test]
fn expired_tokens_are_401() {
    let app = app();
    let expired = Kit::new(app.client.rocket())
        .access("alice")
        .expired()
        .mint();
    app.assert_invalid_token("/protected", &expired, "Token has expired");
}

#[test]
fn leeway_applies_to_exp_nbf_and_iat() {
    let app = app_with(json!({"decode_leeway": 30}), |f| f);
    let mut claims = payload();
    claims.insert("exp".into(), json!(now() - 10));
    claims.insert("nbf".into(), json!(now() + 10));
    claims.insert("iat".into(), json!(now() + 10));
    assert_eq!(
        app.get("/protected", &forge(&claims)),
        (Status::Ok, json!("alice"))
    );
}

#[test]
fn tokens_from_the_future_are_422() {
    let app = app();
    let mut claims = payload();
    claims.insert("nbf".into(), json!(now() + 60));
    assert_eq!(
        app.get("/protected", &forge(&claims)),
        (
            Status::UnprocessableEntity,
            msg("The token is not yet valid (nbf)")
        )
    );
    let mut claims = payload();
    claims.insert("iat".into(), json!(now() + 60));
    assert_eq!(
        app.get("/protected", &forge(&claims)),
        (
            Status::UnprocessableEntity,
            msg("The token is not yet valid (iat)")
        )
    );
}

#[test]
fn registered_claims_must_have_their_json_types() {
    let app = app();
    let cases = [
        (
            "exp",
            json!("tomorrow"),
            "Expiration Time claim (exp) must be an integer.",
        ),
        (
            "exp",
            json!(1.5e12),
            "Expiration Time claim (exp) must be an integer.",
        ),
        (
            "nbf",
            json!(true),
            "Not Before claim (nbf) must be an integer.",
        ),
        (
            "iat",
            json!(null),
            "Issued At claim (iat) must be an integer.",
        ),
        ("sub", json!(42), "Subject must be a string"),
        ("jti", json!(7), "JWT ID must be a string"),
        ("type", json!(["access"]), "Token type must be a string"),
        ("type", json!("id"), "Invalid token type"),
        (
            "fresh",
            json!("yes"),
            "Fresh claim must be a boolean or a timestamp",
        ),
        ("csrf", json!({}), "CSRF claim must be a string"),
    ];
    for (name, value, message) in cases {
        let mut claims = payload();
        claims.insert(name.into(), value);
        assert_eq!(
            app.get("/protected", &forge(&claims)),
            (Status::UnprocessableEntity, msg(message)),
            "{name}"
        );
    }
}

#[test]
fn strict_claims_require_jti_type_iat_and_identity() {
    let app = app();
    for name in ["sub", "jti", "type", "iat"] {
        let mut claims = payload();
        claims.remove(name);
        assert_eq!(
            app.get("/protected", &forge(&claims)),
            (
                Status::UnprocessableEntity,
                msg(&format!("Missing claim: {name}"))
            ),
            "{name}"
        );
    }
}

#[test]
fn lenient_claims_restore_flask_defaults() {
    let app = app_with(json!({"strict_claims": false}), |f| f);
    let mut claims = payload();
    for name in ["jti", "type", "iat", "fresh"] {
        claims.remove(name);
    }
    let token = forge(&claims);
    assert_eq!(app.get("/protected", &token), (Status::Ok, json!("alice")));
    assert_eq!(app.get("/any", &token), (Status::Ok, json!("Access")));
    let mut claims = payload();
    claims.remove("sub");
    assert_eq!(
        app.get("/protected", &forge(&claims)),
        (Status::UnprocessableEntity, msg("Missing claim: sub"))
    );
}

#[test]
fn tokens_without_exp_are_refused_unless_require_exp_is_off() {
    let app = app();
    let token = auth(&app.client)
        .access_token("alice")
        .never_expires()
        .issue()
        .expect("issues");
    assert_eq!(
        app.get("/protected", &token),
        (Status::UnprocessableEntity, msg("Missing claim: exp"))
    );
    let app = app_with(json!({"require_exp": false}), |f| f);
    let token = auth(&app.client)
        .access_token("alice")
        .never_expires()
        .issue()
        .expect("issues");
    assert!(auth(&app.client)
        .decode(&token)
        .expect("valid")
        .expires_at()
        .is_none());
    assert_eq!(app.get("/protected", &token), (Status::Ok, json!("alice")));
}

#[test]
fn audience_and_issuer() {
    let app = app_with(
        json!({"encode_audience": ["api", "web"], "decode_audience": "web", "encode_issuer": "us", "decode_issuer": "us"}),
        |f| f,
    );
    let token = app.access();
    let data = auth(&app.client).decode(&token).expect("valid");
    assert_eq!(data.payload()["aud"], json!(["api", "web"]));
    assert_eq!(data.payload()["iss"], json!("us"));
    assert_eq!(app.get("/protected", &token), (Status::Ok, json!("alice")));

    let mut claims = payload();
    claims.insert("iss".into(), json!("us"));
    claims.insert("aud".into(), json!("mobile"));
    assert_eq!(
        app.get("/protected", &forge(&claims)),
        (Status::UnprocessableEntity, msg("Invalid audience"))
    );
    claims.insert("aud".into(), json!(["api", "web"]));
    claims.insert("iss".into(), json!("them"));
    assert_eq!(
        app.get("/protected", &forge(&claims)),
        (Status::UnprocessableEntity, msg("Invalid issuer"))
    );
    claims.remove("aud");
    claims.insert("iss".into(), json!("us"));
    assert_eq!(
        app.get("/protected", &forge(&claims)),
        (
            Status::UnprocessableEntity,
            msg(r#"Token is missing the "aud" claim"#)
        )
    );
}
