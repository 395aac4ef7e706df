//! Configuration read at ignition (SPEC §3): defaults, bad values failing launch with the key
//! named, and every algorithm family with PEM keys inline or from files.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use common::*;
use jwt_ext::{Auth, Token};
use rocket::http::Status;
use rocket::{get, routes};
use serde_json::{json, Value};

#[get("/protected")]
fn protected(token: Token) -> String {
    token.identity().to_owned()
}

#[get("/issue")]
fn issue(auth: &Auth) -> Result<String, jwt_ext::IssueError> {
    auth.access_token("alice").issue()
}

#[allow(clippy::result_large_err)] // rocket::Error, as Rocket returns it
fn launch(config: Value) -> Result<rocket::local::blocking::Client, rocket::Error> {
    let rocket = rocket::custom(
        rocket::figment::Figment::from(rocket::Config::debug_default())
            .merge(("log_level", "off"))
            .merge(("jwt", config)),
    );
    rocket::local::blocking::Client::tracked(
        rocket
            .attach(Auth::fairing())
            .mount("/", routes![protected, issue]),
    )
}

fn fails(config: Value) {
    let error = launch(config.clone())
        .map(|_| ())
        .expect_err("ignition fails");
    assert!(
        matches!(error.kind(), rocket::error::ErrorKind::FailedFairings(_)),
        "{config}: {error}"
    );
}

fn key(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/fixtures/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture key")
}

fn key_path(name: &str) -> String {
    format!(
        "{}/../tests/fixtures/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn the_secret_is_required_and_long_enough() {
    fails(json!({}));
    fails(json!({"secret_key": "short"}));
    fails(json!({"secret_key": "x".repeat(40), "algorithm": "HS512"}));
    assert!(launch(json!({"secret_key": "x".repeat(64), "algorithm": "HS512"})).is_ok());
    assert!(launch(json!({"secret_key": "short", "allow_weak_secret": true})).is_ok());
}

#[test]
fn bad_values_fail_ignition() {
    let secret = json!(SECRET);
    for bad in [
        json!({"secret_key": secret, "token_location": ["headers", "carrier_pigeon"]}),
        json!({"secret_key": secret, "token_location": []}),
        json!({"secret_key": secret, "token_location": ["headers", "headers"]}),
        json!({"secret_key": secret, "algorithm": "HS1024"}),
        json!({"secret_key": secret, "decode_algorithms": []}),
        json!({"secret_key": secret, "access_token_expires": true}),
        json!({"secret_key": secret, "access_token_expires": "soon"}),
        json!({"secret_key": secret, "access_token_expires": -5}),
        json!({"secret_key": secret, "cookie_samesite": "sometimes"}),
        json!({"secret_key": secret, "csrf_methods": ["P OST"]}),
        json!({"secret_key": secret, "blocklist": "memcached://x"}),
        json!({"secret_key": secret, "blocklist": "redis://127.0.0.1:6379", "blocklist_timeout_ms": 0}),
        json!({"secret_key": secret, "blocklist": {"cluster": []}}),
        json!({"secret_key": secret, "blocklist": {"cluster": ["http://127.0.0.1:7000"]}}),
        json!({"secret_key": secret, "blocklist": {"cluster": ["redis://127.0.0.1:7000"], "replicas": 1}}),
        json!({"secret_key": secret, "blocklist": {"sentinel": ["redis://127.0.0.1:26379"]}}),
        json!({"secret_key": secret, "blocklist": {"sentinel": ["redis://127.0.0.1:26379"], "service": ""}}),
        json!({"secret_key": secret, "blocklist": "redis://127.0.0.1:6379", "blocklist_key_prefix": "app{1}:"}),
        json!({"secret_key": secret, "blocklist_cache": true}),
        json!({"secret_key": secret, "max_token_bytes": 0}),
        json!({"secret_key": secret, "secrt_key": "typo"}),
        json!({"secret_key": secret, "verify_sub": "yes"}),
    ] {
        fails(bad);
    }
}

#[test]
fn asymmetric_keys_inline_and_from_files() {
    for (algorithm, private, public) in [
        ("RS256", "rsa_private.pem", "rsa_public.pem"),
        ("PS384", "rsa_private.pem", "rsa_public.pem"),
        ("ES256", "ec_private.pem", "ec_public.pem"),
        ("EdDSA", "ed_private.pem", "ed_public.pem"),
    ] {
        for config in [
            json!({"algorithm": algorithm, "private_key": key(private), "public_key": key(public)}),
            json!({"algorithm": algorithm, "private_key_file": key_path(private), "public_key_file": key_path(public)}),
        ] {
            let client = launch(config).unwrap_or_else(|e| panic!("{algorithm}: {e}"));
            let token = auth(&client).access_token("alice").issue().expect("issues");
            assert_eq!(
                auth(&client).unverified_header(&token).expect("header")["alg"],
                json!(algorithm)
            );
            assert_eq!(
                answer(client.get("/protected").header(bearer(&token)).dispatch()),
                (Status::Ok, json!("alice")),
                "{algorithm}"
            );
            // An HS256 token signed with the public key as secret is refused (alg confusion).
            let confused = forge_with(
                &json!({"alg": "HS256"}),
                &Value::Object(payload()),
                &key(public),
            );
            assert_eq!(
                answer(
                    client
                        .get("/protected")
                        .header(bearer(&confused))
                        .dispatch()
                ),
                (
                    Status::UnprocessableEntity,
                    msg("The specified alg value is not allowed")
                )
            );
        }
    }
}

#[test]
fn verify_only_services_need_no_private_key() {
    let client = launch(json!({"algorithm": "ES256", "public_key": key("ec_public.pem")}))
        .expect("launches");
    assert_eq!(
        auth(&client).access_token("alice").issue(),
        Err(jwt_ext::IssueError::NoSigningKey)
    );
    // A handler returning the error answers JSON like every other failure.
    assert_eq!(
        answer(client.get("/issue").dispatch()),
        (Status::InternalServerError, msg("Could not issue a token"))
    );
}

#[test]
fn keys_that_do_not_fit_fail_ignition() {
    fails(
        json!({"algorithm": "RS256", "private_key": key("ec_private.pem"), "public_key": key("rsa_public.pem")}),
    );
    fails(
        json!({"algorithm": "ES256", "private_key": key("ec_private.pem"), "public_key": key("rsa_public.pem")}),
    );
    fails(json!({"algorithm": "RS256", "private_key": key("rsa_private.pem")}));
    fails(
        json!({"algorithm": "RS256", "private_key_file": "/nonexistent/key.pem", "public_key": key("rsa_public.pem")}),
    );
    fails(
        json!({"algorithm": "RS256", "private_key": "not a pem", "public_key": key("rsa_public.pem")}),
    );
    fails(
        json!({"algorithm": "RS256", "decode_algorithms": ["RS256", "ES256"], "private_key": key("rsa_private.pem"), "public_key": key("rsa_public.pem")}),
    );
    fails(
        json!({"algorithm": "RS256", "private_key": key("rsa_private.pem"), "private_key_file": key_path("rsa_private.pem"), "public_key": key("rsa_public.pem")}),
    );
}

#[test]
fn several_decode_algorithms() {
    let client = launch(json!({
        "secret_key": SECRET, "algorithm": "HS256", "decode_algorithms": ["HS256", "RS256"],
        "public_key": key("rsa_public.pem"),
    }))
    .expect("launches");
    let token = auth(&client).access_token("alice").issue().expect("issues");
    assert_eq!(
        answer(client.get("/protected").header(bearer(&token)).dispatch()).0,
        Status::Ok
    );
    let rs = launch(json!({"algorithm": "RS256", "private_key": key("rsa_private.pem"), "public_key": key("rsa_public.pem")})).expect("launches");
    let rs_token = auth(&rs).access_token("alice").issue().expect("issues");
    assert_eq!(
        answer(
            client
                .get("/protected")
                .header(bearer(&rs_token))
                .dispatch()
        )
        .0,
        Status::Ok
    );
}

/// The table forms of `blocklist`, written as `ROCKET_JWT` would carry them: they ignite on
/// stores that are down (nothing connects before the first use) and fail closed.
#[test]
fn cluster_and_sentinel_tables_from_the_environment() {
    for (name, table) in [
        (
            "CLUSTER",
            r#"{cluster=["redis://127.0.0.1:1", "redis://127.0.0.1:2"]}"#,
        ),
        (
            "SENTINEL",
            r#"{sentinel=["redis://127.0.0.1:1"], service="mymaster"}"#,
        ),
    ] {
        let prefix = format!("JWTEXT_CONFIG_TEST_{name}_");
        std::env::set_var(
            format!("{prefix}JWT"),
            format!(r#"{{secret_key="{SECRET}", blocklist={table}, blocklist_timeout_ms=100}}"#),
        );
        let figment = rocket::figment::Figment::from(rocket::Config::debug_default())
            .merge(("log_level", "off"))
            .merge(rocket::figment::providers::Env::prefixed(&prefix));
        let rocket = rocket::custom(figment)
            .attach(Auth::fairing())
            .mount("/", routes![protected]);
        let client = client(rocket);
        let token = auth(&client).access_token("alice").issue().expect("issues");
        let response = client.get("/protected").header(bearer(&token)).dispatch();
        assert!(
            response.headers().get_one("Retry-After").is_some(),
            "{name}"
        );
        assert_eq!(
            answer(response),
            (
                Status::ServiceUnavailable,
                msg("Token revocation store unavailable")
            ),
            "{name}"
        );
    }
}

#[test]
fn rocket_jwt_style_environment_values() {
    // `ROCKET_JWT='{..}'` is how the README configures the quickstart; figment's `Env` provider
    // parses this variable the same way under its own prefix.
    std::env::set_var(
        "JWTEXT_CONFIG_TEST_JWT",
        format!(
            r#"{{secret_key="{SECRET}", access_token_expires=false, require_exp=false, token_location=["headers","query_string"]}}"#
        ),
    );
    let figment = rocket::figment::Figment::from(rocket::Config::debug_default())
        .merge(("log_level", "off"))
        .merge(rocket::figment::providers::Env::prefixed(
            "JWTEXT_CONFIG_TEST_",
        ));
    let rocket = rocket::custom(figment)
        .attach(Auth::fairing())
        .mount("/", routes![protected]);
    let client = client(rocket);
    let token = auth(&client).access_token("alice").issue().expect("issues");
    assert!(auth(&client)
        .decode(&token)
        .expect("valid")
        .expires_at()
        .is_none());
    assert_eq!(
        answer(client.get(format!("/protected?jwt={token}")).dispatch()),
        (Status::Ok, json!("alice"))
    );
    assert_eq!(answer(client.get("/protected").dispatch()), (Status::Unauthorized, msg("Missing JWT in headers or query_string (Missing Authorization Header; Missing 'jwt' query parameter)")));
}

/// Ignition refusals of the verification-core review, each with a control that launches.
#[test]
fn ignition_refuses_what_would_make_tokens_forgeable_or_unusable() {
    let secret = SECRET;
    // PyJWT's CVE-2022-29217 rule: key text is never an HMAC secret.
    fails(json!({"secret_key": key("rsa_public.pem")}));
    fails(json!({"secret_key": format!("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{secret} me@host")}));
    // The identity claim cannot be a claim jwt-ext sets itself.
    for reserved in ["type", "jti", "exp", "fresh", "csrf"] {
        fails(json!({"secret_key": secret, "identity_claim": reserved}));
    }
    assert!(launch(json!({"secret_key": secret, "identity_claim": "user_id"})).is_ok());
    // An EC key on the wrong curve for its algorithm, private or public.
    fails(
        json!({"algorithm": "ES256", "private_key": key("ec384_private.pem"), "public_key": key("ec384_public.pem")}),
    );
    fails(
        json!({"algorithm": "ES384", "private_key": key("ec_private.pem"), "public_key": key("ec_public.pem")}),
    );
    fails(json!({"algorithm": "ES256", "public_key": key("ec384_public.pem")}));
    assert!(launch(json!({"algorithm": "ES384", "private_key": key("ec384_private.pem"), "public_key": key("ec384_public.pem")})).is_ok());
    // Two halves of different pairs.
    fails(
        json!({"algorithm": "RS256", "private_key": key("rsa_private.pem"), "public_key": key("rsa_other_public.pem")}),
    );
    assert!(launch(json!({"algorithm": "RS256", "private_key": key("rsa_other_private.pem"), "public_key": key("rsa_other_public.pem")})).is_ok());
    // Browsers drop `SameSite=None` cookies without `Secure`.
    fails(json!({"secret_key": secret, "cookie_samesite": "None"}));
    assert!(launch(
        json!({"secret_key": secret, "cookie_samesite": "None", "cookie_secure": true})
    )
    .is_ok());
    // Tokens issued without `exp` would be refused by the default `require_exp`.
    fails(json!({"secret_key": secret, "access_token_expires": false}));
    assert!(launch(
        json!({"secret_key": secret, "access_token_expires": false, "require_exp": false})
    )
    .is_ok());
}

/// What an app's own guard sees: `Auth::fetch` on the running rocket.
struct Fetched(Result<(), jwt_ext::AuthError>);

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for Fetched {
    type Error = std::convert::Infallible;

    async fn from_request(
        req: &'r rocket::Request<'_>,
    ) -> rocket::request::Outcome<Self, Self::Error> {
        rocket::request::Outcome::Success(Fetched(Auth::fetch(req.rocket()).map(|_| ())))
    }
}

#[get("/configured")]
fn configured(fetched: Fetched) -> Result<&'static str, jwt_ext::AuthError> {
    fetched.0.map(|()| "configured")
}

/// Without the fairing, the one clear failure: 500 JSON that says authentication is not set up.
#[test]
fn a_missing_fairing_is_one_clear_error() {
    let rocket = rocket_with(json!({})).mount("/", routes![configured]);
    assert_eq!(
        answer(client(rocket).get("/configured").dispatch()),
        (
            Status::InternalServerError,
            msg("Authentication is not configured")
        )
    );
    let rocket = rocket_with(json!({}))
        .attach(Auth::fairing())
        .mount("/", routes![configured]);
    assert_eq!(
        answer(client(rocket).get("/configured").dispatch()),
        (Status::Ok, json!("configured"))
    );
}
