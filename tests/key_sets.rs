//! Key sets (SPEC §12): several keys with `kid`s, the signing key's `kid` in every header, a
//! received `kid` selecting its key by exact match, ignition's checks, the JWKS route, and a
//! rotation through three ignitions.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use common::{answer, b64, bearer, forge_with, msg, payload};
use jwt_ext::{Auth, Token};
use rocket::http::Status;
use rocket::local::blocking::Client;
use rocket::{get, routes};
use serde_json::{json, Value};

fn key(name: &str) -> String {
    let path = format!("{}/fixtures/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).expect("a fixture key")
}

const HS_SECRET: &str = "key-set-hs-secret-key-set-hs-secret-0123";

/// RS256, ES256, EdDSA and HS256 keys; `ec` signs unless `signing` says otherwise.
fn set(signing: &str) -> Value {
    json!({
        "signing_key": signing,
        "keys": [
            {"kid": "rsa", "algorithm": "RS256", "private_key": key("rsa_private.pem")},
            {"kid": "ec", "algorithm": "ES256", "private_key": key("ec_private.pem"), "public_key": key("ec_public.pem")},
            {"algorithm": "EdDSA", "private_key": key("ed_private.pem")},
            {"kid": "hs", "algorithm": "HS256", "secret_key": HS_SECRET},
        ],
    })
}

#[get("/protected")]
fn protected(token: Token) -> String {
    token.identity().to_owned()
}

fn figment(jwt: Value) -> rocket::figment::Figment {
    rocket::figment::Figment::from(rocket::Config::debug_default())
        .merge(("log_level", "off"))
        .merge(("jwt", jwt))
}

fn app(jwt: Value) -> Client {
    let rocket = rocket::custom(figment(jwt))
        .attach(Auth::fairing())
        .mount("/", routes![protected])
        .mount("/", jwt_ext::jwks_routes());
    Client::tracked(rocket).expect("launches")
}

fn auth(client: &Client) -> &Auth {
    client.rocket().state::<Auth>().expect("the fairing")
}

fn header_of(token: &str) -> Value {
    use base64::Engine;
    let part = token.split('.').next().unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn get(client: &Client, token: &str) -> (Status, Value) {
    answer(client.get("/protected").header(bearer(token)).dispatch())
}

#[test]
fn the_signing_keys_kid_is_in_the_header_and_every_kid_selects_its_key() {
    let client = app(set("ec"));
    let token = auth(&client).access_token("alice").issue().unwrap();
    assert_eq!(
        header_of(&token),
        json!({"alg": "ES256", "kid": "ec", "typ": "JWT"})
    );
    assert_eq!(get(&client, &token), (Status::Ok, json!("alice")));
    // Tokens of the other keys of the set verify too, each with its own key.
    let eddsa_kid = {
        let jwks: Value = client
            .get("/.well-known/jwks.json")
            .dispatch()
            .into_json()
            .unwrap();
        let keys = jwks["keys"].as_array().unwrap().clone();
        keys.iter().find(|k| k["alg"] == "EdDSA").unwrap()["kid"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for (kid, alg) in [
        ("rsa", "RS256"),
        ("hs", "HS256"),
        (eddsa_kid.as_str(), "EdDSA"),
    ] {
        let signer = app(set(kid));
        let token = auth(&signer).access_token("bob").issue().unwrap();
        assert_eq!(header_of(&token)["alg"], alg);
        assert_eq!(header_of(&token)["kid"], kid);
        assert_eq!(get(&client, &token), (Status::Ok, json!("bob")), "{kid}");
    }
}

#[test]
fn the_default_kid_is_the_rfc_7638_thumbprint() {
    let client = app(set("ec"));
    let jwks: Value = client
        .get("/.well-known/jwks.json")
        .dispatch()
        .into_json()
        .unwrap();
    let ed = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["alg"] == "EdDSA")
        .cloned()
        .unwrap();
    // RFC 7638 §3: SHA-256 of the required members in lexicographic order, base64url.
    let canonical = format!(
        r#"{{"crv":"{}","kty":"{}","x":"{}"}}"#,
        ed["crv"].as_str().unwrap(),
        ed["kty"].as_str().unwrap(),
        ed["x"].as_str().unwrap()
    );
    let digest = {
        use base64::Engine;
        let hash = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER
            .key_utils
            .compute_digest;
        let bytes = hash(
            canonical.as_bytes(),
            jsonwebtoken::jwk::ThumbprintHash::SHA256,
        )
        .unwrap();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    };
    assert_eq!(ed["kid"], json!(digest));
}

#[test]
fn a_kid_never_reaches_another_key_or_algorithm() {
    let client = app(set("ec"));
    let claims = Value::Object(payload());
    let cases = [
        // Unknown, hostile or huge kids: an exact match in memory or nothing.
        (
            json!({"alg": "HS256", "kid": "nope", "typ": "JWT"}),
            "Unknown key ID (kid)",
        ),
        (
            json!({"alg": "HS256", "kid": "../../etc/passwd", "typ": "JWT"}),
            "Unknown key ID (kid)",
        ),
        (
            json!({"alg": "HS256", "kid": "hs/..", "typ": "JWT"}),
            "Unknown key ID (kid)",
        ),
        (
            json!({"alg": "HS256", "kid": "h".repeat(3000), "typ": "JWT"}),
            "Unknown key ID (kid)",
        ),
        (
            json!({"alg": "HS256", "kid": 7, "typ": "JWT"}),
            "Key ID header parameter must be a string",
        ),
        // The kid's key has another algorithm: an HS256 token may not name the EC key.
        (
            json!({"alg": "HS256", "kid": "ec", "typ": "JWT"}),
            "The specified alg value is not the algorithm of its key",
        ),
    ];
    for (header, message) in cases {
        let token = forge_with(&header, &claims, HS_SECRET);
        assert_eq!(
            get(&client, &token),
            (Status::UnprocessableEntity, msg(message)),
            "{header}"
        );
    }
    // The classic confusion: HS256 keyed with the RSA public key's PEM, naming the RSA key.
    let token = forge_with(
        &json!({"alg": "HS256", "kid": "rsa", "typ": "JWT"}),
        &claims,
        &key("rsa_public.pem"),
    );
    assert_eq!(get(&client, &token).0, Status::UnprocessableEntity);
    // A right kid with a wrong signature.
    let token = forge_with(
        &json!({"alg": "HS256", "kid": "hs", "typ": "JWT"}),
        &claims,
        "another-secret-another-secret-0123456789",
    );
    assert_eq!(
        get(&client, &token),
        (
            Status::UnprocessableEntity,
            msg("Signature verification failed")
        )
    );
    // The right one passes.
    let token = forge_with(
        &json!({"alg": "HS256", "kid": "hs", "typ": "JWT"}),
        &claims,
        HS_SECRET,
    );
    assert_eq!(get(&client, &token), (Status::Ok, json!("alice")));
}

#[test]
fn a_token_without_kid_is_verified_with_the_signing_key_only() {
    let client = app(set("hs"));
    let claims = Value::Object(payload());
    // Flask's tokens carry no kid: the signing key verifies them.
    let flask_like = forge_with(&json!({"alg": "HS256", "typ": "JWT"}), &claims, HS_SECRET);
    assert_eq!(get(&client, &flask_like), (Status::Ok, json!("alice")));
    // Another key of the set does not verify a token without kid.
    let ec_signer = app(set("ec"));
    let token = auth(&ec_signer).access_token("alice").issue().unwrap();
    let (_, rest) = token.split_once('.').unwrap();
    let without_kid = format!("{}.{rest}", b64(&json!({"alg": "ES256", "typ": "JWT"})));
    assert_eq!(get(&client, &without_kid).0, Status::UnprocessableEntity);
}

#[test]
fn the_jwks_publishes_public_keys_only() {
    let client = app(json!({"jwks_max_age": 120, "signing_key": "ec", "keys": set("ec")["keys"]}));
    let response = client.get("/.well-known/jwks.json").dispatch();
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.content_type(),
        Some(rocket::http::ContentType::JSON)
    );
    assert_eq!(
        response.headers().get_one("Cache-Control"),
        Some("public, max-age=120")
    );
    let jwks: Value = response.into_json().unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(
        keys.len(),
        3,
        "RSA, EC and Ed keys; never the HS key: {jwks}"
    );
    for jwk in keys {
        assert_eq!(jwk["use"], "sig");
        assert!(jwk["kid"].is_string() && jwk["alg"].is_string() && jwk["kty"].is_string());
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(jwk.get(private).is_none(), "{private} in {jwk}");
        }
    }
    let kinds: Vec<&str> = keys.iter().map(|k| k["kty"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["RSA", "EC", "OKP"]);
    // A single HS key publishes nothing, and refuses tokens naming a kid.
    let single = app(json!({"secret_key": HS_SECRET}));
    let jwks: Value = single
        .get("/.well-known/jwks.json")
        .dispatch()
        .into_json()
        .unwrap();
    assert_eq!(jwks, json!({"keys": []}));
    let token = forge_with(
        &json!({"alg": "HS256", "kid": "hs", "typ": "JWT"}),
        &Value::Object(payload()),
        HS_SECRET,
    );
    assert_eq!(
        get(&single, &token),
        (Status::UnprocessableEntity, msg("Unknown key ID (kid)"))
    );
}

#[test]
fn rotation_through_three_ignitions_logs_nobody_out() {
    let k1 =
        json!({"kid": "k1", "algorithm": "RS256", "private_key": key("rsa_other_private.pem")});
    let k2 = json!({"kid": "k2", "algorithm": "RS256", "private_key": key("rsa_private.pem")});
    let k1_verify_only =
        json!({"kid": "k1", "algorithm": "RS256", "public_key": key("rsa_other_public.pem")});
    // 1. k1 signs.
    let first = app(json!({"keys": [k1.clone()]}));
    let t1 = auth(&first).access_token("alice").issue().unwrap();
    assert_eq!(get(&first, &t1).0, Status::Ok);
    // 2. k2 added and made the signing key; k1 kept (here verify-only) for its tokens.
    let second = app(json!({"signing_key": "k2", "keys": [k1_verify_only, k2.clone()]}));
    let t2 = auth(&second).access_token("alice").issue().unwrap();
    assert_eq!(header_of(&t2)["kid"], "k2");
    assert_eq!(get(&second, &t1).0, Status::Ok, "k1's tokens still verify");
    assert_eq!(get(&second, &t2).0, Status::Ok);
    // 3. k1 removed once its longest lifetime has passed.
    let third = app(json!({"keys": [k2]}));
    assert_eq!(
        get(&third, &t1),
        (Status::UnprocessableEntity, msg("Unknown key ID (kid)"))
    );
    assert_eq!(get(&third, &t2).0, Status::Ok);
    let kids = common::jwks_kids(&third);
    assert_eq!(kids, ["k2"], "a removed key is gone from the JWKS too");
}

#[test]
fn a_key_set_comes_from_the_environment_too() {
    // The form `ROCKET_JWT='{..}'` takes, under a prefix of this test's own.
    let path = format!(
        "{}/fixtures/keys/rsa_private.pem",
        env!("CARGO_MANIFEST_DIR")
    );
    let value = format!(
        r#"{{signing_key="a", keys=[{{kid="a", algorithm="RS256", private_key_file="{path}"}}]}}"#
    );
    std::env::set_var("JWT_EXT_KEY_SET_TEST_JWT", value);
    let figment = rocket::figment::Figment::from(rocket::Config::debug_default())
        .merge(("log_level", "off"))
        .merge(rocket::figment::providers::Env::prefixed(
            "JWT_EXT_KEY_SET_TEST_",
        ));
    let rocket = rocket::custom(figment)
        .attach(Auth::fairing())
        .mount("/", routes![protected]);
    let client = Client::tracked(rocket).expect("launches from the environment");
    let token = auth(&client).access_token("alice").issue().unwrap();
    assert_eq!(header_of(&token)["kid"], "a");
    assert_eq!(get(&client, &token), (Status::Ok, json!("alice")));
}
