//! `examples/openapi.rs` and `jwt_ext::openapi`: each guarded operation states the credentials
//! of the configured locations; the document passes `openapi-spec-validator`, and schemathesis
//! finds no 5xx and no response outside it, over real HTTP.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/openapi.rs"]
mod openapi;

mod common;

use std::process::Command;

use common::tools::{python_with, serve};
use rocket::figment::Figment;
use rocket::{get, post};
use rocket_okapi::okapi::openapi3::OpenApi;
use serde_json::{json, Value};

/// The quickstart's document, described for `jwt` settings `config`.
fn described(config: Value) -> Value {
    let (_, mut spec) = openapi::quickstart::routes_and_spec();
    let figment = Figment::from(rocket::Config::debug_default()).merge(("jwt", config));
    jwt_ext::openapi::describe(&mut spec, &figment).unwrap();
    serde_json::to_value(spec).unwrap()
}

fn security(spec: &Value, method: &str, path: &str) -> Value {
    spec["paths"][path][method]["security"].clone()
}

#[test]
fn each_guarded_operation_states_the_configured_locations() {
    let spec = described(json!({"token_location": ["headers", "cookies", "query_string"]}));
    let all = json!([{"jwtBearer": []}, {"jwtAccessCookie": []}, {"jwtQuery": []}]);
    assert_eq!(security(&spec, "get", "/protected"), all);
    assert_eq!(security(&spec, "get", "/whoami"), all, "CurrentUser");
    let mut optional = all.as_array().unwrap().clone();
    optional.push(json!({}));
    assert_eq!(security(&spec, "get", "/optional"), json!(optional));
    // Unsafe methods need the CSRF header with the cookie; refresh routes the refresh cookie.
    let logout =
        json!([{"jwtBearer": []}, {"jwtAccessCookie": [], "jwtAccessCsrf": []}, {"jwtQuery": []}]);
    assert_eq!(security(&spec, "delete", "/logout"), logout);
    let refresh = json!([{"jwtBearer": []}, {"jwtRefreshCookie": [], "jwtRefreshCsrf": []}, {"jwtQuery": []}]);
    assert_eq!(security(&spec, "post", "/refresh"), refresh);
    assert_eq!(
        security(&spec, "post", "/login"),
        Value::Null,
        "login is open"
    );
    let schemes = spec["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(
        schemes["jwtBearer"],
        json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "A JWT in `Authorization: Bearer <token>`"})
    );
    assert_eq!(schemes["jwtAccessCookie"]["in"], "cookie");
    assert_eq!(schemes["jwtAccessCookie"]["name"], "access_token_cookie");
    assert_eq!(schemes["jwtAccessCsrf"]["name"], "X-CSRF-TOKEN");
    assert_eq!(schemes["jwtQuery"]["in"], "query");
    assert!(
        schemes.keys().all(|name| !name.starts_with("jwt-ext")),
        "{schemes:?}"
    );
}

#[test]
fn refusals_are_documented_by_what_the_route_checks() {
    let spec = described(json!({}));
    let codes = |method: &str, path: &str| -> Vec<String> {
        let responses = spec["paths"][path][method]["responses"]
            .as_object()
            .unwrap();
        responses.keys().cloned().collect()
    };
    assert_eq!(codes("get", "/protected"), ["200", "401", "422", "503"]);
    assert_eq!(
        codes("get", "/admin"),
        ["200", "401", "403", "422", "503"],
        "roles"
    );
    assert_eq!(
        security(&spec, "get", "/protected"),
        json!([{"jwtBearer": []}])
    );
    let refusal =
        &spec["paths"]["/protected"]["get"]["responses"]["401"]["content"]["application/json"];
    assert_eq!(
        refusal["example"],
        json!({"msg": "Missing Authorization Header"})
    );
}

#[test]
fn cookies_only_and_a_custom_header_are_described() {
    let spec = described(
        json!({"header_name": "X-Api-Token", "header_type": "", "token_location": ["cookies"]}),
    );
    // The quickstart's routes read the configured locations: cookies only.
    assert_eq!(
        security(&spec, "get", "/protected"),
        json!([{"jwtAccessCookie": []}])
    );
    let (_, mut undescribed) = openapi::quickstart::routes_and_spec();
    let markers: Vec<String> = undescribed
        .components
        .take()
        .unwrap()
        .security_schemes
        .into_keys()
        .collect();
    assert!(
        markers.iter().all(|name| name.starts_with("jwt-ext.")),
        "{markers:?}"
    );
    let spec = described(json!({"header_name": "X-Api-Token", "header_type": ""}));
    let scheme = &spec["components"]["securitySchemes"]["jwtBearer"];
    assert_eq!(
        (
            scheme["type"].as_str(),
            scheme["in"].as_str(),
            scheme["name"].as_str()
        ),
        (Some("apiKey"), Some("header"), Some("X-Api-Token"))
    );
}

#[jwt_ext::jwt_required(refresh, locations = [headers])]
#[rocket_okapi::openapi]
#[post("/header-refresh")]
fn header_refresh(token: jwt_ext::Token) -> String {
    token.identity().to_owned()
}

#[jwt_ext::jwt_required(optional, scopes = ["notes:read"])]
#[rocket_okapi::openapi]
#[get("/notes")]
fn notes(token: jwt_ext::OptionalToken) -> String {
    format!("{:?}", token.identity())
}

#[test]
fn a_route_attribute_s_policy_is_what_its_operation_states() {
    let (_, mut spec) = rocket_okapi::openapi_get_routes_spec![header_refresh, notes];
    let figment = Figment::from(rocket::Config::debug_default())
        .merge(("jwt.token_location", ["cookies", "headers"]));
    jwt_ext::openapi::describe(&mut spec, &figment).unwrap();
    let spec = serde_json::to_value(spec).unwrap();
    // The attribute's `locations` win over the configured ones; its `Token` adds nothing.
    assert_eq!(
        security(&spec, "post", "/header-refresh"),
        json!([{"jwtBearer": []}])
    );
    let notes = json!([{"jwtAccessCookie": []}, {"jwtBearer": []}, {}]);
    assert_eq!(
        security(&spec, "get", "/notes"),
        notes,
        "optional, in the configured order"
    );
    let codes = spec["paths"]["/notes"]["get"]["responses"]
        .as_object()
        .unwrap();
    assert!(codes.contains_key("403"), "scopes can refuse: {codes:?}");
}

/// Writes the example's document, as served, for the Python tools.
fn served_document(config: Option<&str>) -> std::path::PathBuf {
    let rocket = openapi::rocket();
    let rocket = match config {
        Some(config) => {
            let figment = rocket
                .figment()
                .clone()
                .merge(("jwt.token_location", config.split(',').collect::<Vec<_>>()));
            rocket.configure(figment)
        }
        None => rocket,
    };
    let client = rocket::local::blocking::Client::tracked(rocket).unwrap();
    let text = client
        .get("/openapi.json")
        .dispatch()
        .into_string()
        .unwrap();
    let spec: OpenApi = serde_json::from_str(&text).unwrap();
    assert!(!spec.paths.is_empty());
    let path = std::env::temp_dir().join(format!("jwt-ext-openapi-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_document_passes_openapi_spec_validator() {
    let Some(python) = python_with("openapi_spec_validator") else {
        return;
    };
    let file = served_document(None);
    let output = Command::new(python)
        .args(["-m", "openapi_spec_validator"])
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn schemathesis_finds_no_server_error_and_no_undocumented_response() {
    let Some(python) = python_with("schemathesis") else {
        return;
    };
    let port =
        serve(openapi::rocket().configure(common::figment(json!({})).merge(("log_level", "off"))));
    let base = format!("http://127.0.0.1:{port}");
    let login = reqwest_login(&base);
    let schemathesis = python.with_file_name("schemathesis");
    let output = Command::new(schemathesis)
        .current_dir(std::env::temp_dir())
        .args(["run", &format!("{base}/openapi.json")])
        .args(["--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"])
        .args(["--header", &format!("Authorization: Bearer {login}")])
        .args(["--max-examples", "25", "--workers", "2", "--seed", "1"])
        .env("SCHEMATHESIS_HOOKS", "")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("11 selected"),
        "every operation was tested: {stdout}"
    );
}

/// An access token of the quickstart's `test` user, over HTTP.
fn reqwest_login(base: &str) -> String {
    let output = Command::new("curl")
        .args([
            "-s",
            "-XPOST",
            &format!("{base}/login"),
            "-H",
            "content-type: application/json",
        ])
        .args(["-d", r#"{"username":"test","password":"test"}"#])
        .output()
        .unwrap();
    let body: Value = serde_json::from_slice(&output.stdout).unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}
