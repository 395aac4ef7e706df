//! Authorization on claims (SPEC §5, §9): roles, scopes and checks in the route attributes and
//! in a `Requirement`, answered 403 after every verification step.
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use common::{answer, auth, bearer, client, forge, get, msg, payload, post, rocket_with};
use jwt_ext::{
    fresh_jwt_required, jwt_refresh_token_required, jwt_required, refuse, Auth, AuthError, Check,
    Claims, ErrorKind, Policy, Requirement, Token,
};
use rocket::http::Status;
use rocket::local::blocking::Client;
use rocket::request::{FromRequest, Outcome};
use rocket::{get, outcome::try_outcome, post, routes, Request};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Serialize, Deserialize, Claims, Debug)]
struct NoteClaims {
    role: String,
    tenant: u64,
}

fn is_admin(claims: &NoteClaims) -> bool {
    claims.role == "admin"
}

fn tenant_one(claims: &NoteClaims) -> Result<(), String> {
    (claims.tenant == 1)
        .then_some(())
        .ok_or_else(|| format!("tenant {} is not tenant 1", claims.tenant))
}

#[jwt_required(check = is_admin)]
#[get("/admin")]
fn admin(token: Token) -> String {
    token.identity().to_owned()
}

/// The claims type comes from the handler's parameter; both checks must pass.
#[jwt_required(check = [is_admin, tenant_one])]
#[get("/tenant-admin")]
fn tenant_admin(token: Token<NoteClaims>) -> String {
    format!("{} of {}", token.identity(), token.claims().tenant)
}

#[jwt_required(roles = ["admin", "editor"])]
#[get("/edit")]
fn edit(token: Token) -> String {
    token.identity().to_owned()
}

#[jwt_required(scopes = ["notes:read", "notes:write"])]
#[post("/notes")]
fn write_notes(token: Token) -> String {
    token.identity().to_owned()
}

#[fresh_jwt_required(roles = ["admin"])]
#[post("/critical")]
fn critical(token: Token) -> String {
    token.identity().to_owned()
}

#[jwt_refresh_token_required(roles = ["admin"])]
#[post("/refresh")]
fn refresh(token: Token) -> String {
    token.identity().to_owned()
}

/// The same without macros: a `Requirement` whose policy carries the checks.
struct Admins;

impl Requirement for Admins {
    fn policy(_: &Request<'_>) -> Policy {
        const ADMINS: Policy = Policy::access()
            .roles(&["admin"])
            .checks(&[Check::new("tenant_one", |t| Check::claims(t, tenant_one))]);
        ADMINS
    }
}

#[get("/typed")]
fn typed(token: Token<(), Admins>) -> String {
    token.identity().to_owned()
}

/// An application's own guard on top of `Token`, failing with jwt-ext's answer.
struct Alice(String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Alice {
    type Error = AuthError;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, AuthError> {
        let token = try_outcome!(req.guard::<Token>().await);
        if token.identity() == "alice" {
            Outcome::Success(Alice(token.identity().to_owned()))
        } else {
            refuse(req, AuthError::forbidden())
        }
    }
}

#[get("/alice")]
fn alice_only(alice: Alice) -> String {
    alice.0
}

fn app_with(config: Value, fairing: jwt_ext::AuthFairing) -> Client {
    client(rocket_with(config).attach(fairing).mount(
        "/",
        routes![
            admin,
            tenant_admin,
            edit,
            write_notes,
            critical,
            refresh,
            typed,
            alice_only
        ],
    ))
}

fn app() -> Client {
    app_with(json!({}), Auth::fairing())
}

fn token(client: &Client, who: &str, claims: Value) -> String {
    let Value::Object(claims) = claims else {
        panic!("claims are an object")
    };
    let mut builder = auth(client).access_token(who).fresh(true);
    for (name, value) in claims {
        builder = builder.claim(name, value);
    }
    builder.issue().expect("issued")
}

fn forbidden() -> (Status, Value) {
    (Status::Forbidden, msg("Insufficient permissions"))
}

#[test]
fn a_check_in_the_attribute_reads_its_own_claims_type() {
    let client = app();
    let boss = token(&client, "alice", json!({"role": "admin", "tenant": 2}));
    let member = token(&client, "bob", json!({"role": "member", "tenant": 1}));
    assert_eq!(get(&client, "/admin", &boss), (Status::Ok, json!("alice")));
    assert_eq!(get(&client, "/admin", &member), forbidden());
    // Claims the check cannot read are refused as custom claims are: 400, not 403.
    let bare = token(&client, "carol", json!({}));
    let (status, body) = get(&client, "/admin", &bare);
    assert_eq!(
        (status, body),
        (Status::BadRequest, msg("User claims verification failed"))
    );
}

#[test]
fn several_checks_must_all_pass() {
    let client = app();
    let both = token(&client, "alice", json!({"role": "admin", "tenant": 1}));
    let other_tenant = token(&client, "alice", json!({"role": "admin", "tenant": 2}));
    let member = token(&client, "bob", json!({"role": "member", "tenant": 1}));
    let expected = (Status::Ok, json!("alice of 1"));
    assert_eq!(get(&client, "/tenant-admin", &both), expected);
    assert_eq!(get(&client, "/tenant-admin", &other_tenant), forbidden());
    assert_eq!(get(&client, "/tenant-admin", &member), forbidden());
}

#[test]
fn roles_are_any_of_a_string_or_an_array() {
    let client = app();
    for (roles, allowed) in [
        (json!(["admin"]), true),
        (json!(["reader", "editor"]), true),
        (json!("editor"), true),
        (json!(["reader"]), false),
        (json!("admin editor"), false),
        (json!([1, 2]), false),
        (json!({"admin": true}), false),
    ] {
        let t = token(&client, "alice", json!({ "roles": roles }));
        let expected = if allowed {
            (Status::Ok, json!("alice"))
        } else {
            forbidden()
        };
        assert_eq!(get(&client, "/edit", &t), expected, "roles {roles}");
    }
    let none = token(&client, "alice", json!({}));
    assert_eq!(get(&client, "/edit", &none), forbidden());
}

#[test]
fn the_roles_claim_is_configurable() {
    let client = app_with(json!({"roles_claim": "groups"}), Auth::fairing());
    let grouped = token(&client, "alice", json!({"groups": ["editor"]}));
    let old_name = token(&client, "alice", json!({"roles": ["editor"]}));
    assert_eq!(
        get(&client, "/edit", &grouped),
        (Status::Ok, json!("alice"))
    );
    assert_eq!(get(&client, "/edit", &old_name), forbidden());
}

#[test]
fn scopes_are_all_of_scope_or_scp_and_named_in_www_authenticate() {
    let client = app();
    for (claims, allowed) in [
        (json!({"scope": "notes:read notes:write profile"}), true),
        (json!({"scp": ["notes:write", "notes:read"]}), true),
        (json!({"scp": "notes:read notes:write"}), true),
        (json!({"scope": "notes:read"}), false),
        (json!({"scope": "notes:read,notes:write"}), false),
        (json!({}), false),
    ] {
        let t = token(&client, "alice", claims.clone());
        let response = client.post("/notes").header(bearer(&t)).dispatch();
        let challenge = response
            .headers()
            .get_one("WWW-Authenticate")
            .map(str::to_owned);
        let (status, body) = answer(response);
        if allowed {
            assert_eq!((status, body), (Status::Ok, json!("alice")), "{claims}");
        } else {
            assert_eq!((status, body), forbidden(), "{claims}");
            assert_eq!(
                challenge.as_deref(),
                Some(r#"Bearer error="insufficient_scope", scope="notes:read notes:write""#)
            );
        }
    }
    let member = token(&client, "bob", json!({"role": "member", "tenant": 1}));
    let response = client.get("/admin").header(bearer(&member)).dispatch();
    assert_eq!(
        response.headers().get_one("WWW-Authenticate"),
        Some(r#"Bearer error="insufficient_scope""#)
    );
}

#[test]
fn verification_comes_first_a_bad_token_is_never_told_it_lacks_a_role() {
    let client = app();
    let member = token(&client, "bob", json!({"roles": ["member"]}));
    // Forged: valid payload, another signature (its first character changed).
    let genuine = token(&client, "bob", json!({"roles": ["member"]}));
    let (signed, signature) = genuine.rsplit_once('.').unwrap();
    let first = if signature.starts_with('A') { 'B' } else { 'A' };
    let forged = format!("{signed}.{first}{}", &signature[1..]);
    let (status, _) = get(&client, "/edit", &forged);
    assert_eq!(status, Status::UnprocessableEntity);
    // Expired.
    let mut expired = payload();
    expired.insert("exp".into(), json!(common::now() - 10));
    expired.insert("roles".into(), json!(["member"]));
    assert_eq!(
        get(&client, "/edit", &forge(&expired)),
        (Status::Unauthorized, msg("Token has expired"))
    );
    // Revoked.
    let revoked = {
        let data = auth(&client).decode(&member).expect("valid");
        rocket::execute(auth(&client).revoke(&data)).expect("revoked");
        member
    };
    assert_eq!(
        get(&client, "/edit", &revoked),
        (Status::Unauthorized, msg("Token has been revoked"))
    );
    // The wrong type, and not fresh: their own errors, not 403.
    let refresh_token = auth(&client).refresh_token("bob").issue().expect("issued");
    assert_eq!(
        get(&client, "/edit", &refresh_token).0,
        Status::UnprocessableEntity
    );
    let stale = auth(&client).access_token("bob").issue().expect("issued");
    assert_eq!(
        post(&client, "/critical", &stale),
        (Status::Unauthorized, msg("Fresh token required"))
    );
    // No token at all.
    let (status, _) = answer(client.get("/edit").dispatch());
    assert_eq!(status, Status::Unauthorized);
}

#[test]
fn fresh_and_refresh_attributes_take_the_options_too() {
    let client = app();
    let admin = token(&client, "alice", json!({"roles": ["admin"]}));
    let member = token(&client, "bob", json!({"roles": ["member"]}));
    assert_eq!(
        post(&client, "/critical", &admin),
        (Status::Ok, json!("alice"))
    );
    assert_eq!(post(&client, "/critical", &member), forbidden());
    let admin_refresh = auth(&client)
        .refresh_token("alice")
        .claim("roles", json!(["admin"]))
        .issue()
        .expect("issued");
    let member_refresh = auth(&client).refresh_token("bob").issue().expect("issued");
    assert_eq!(
        post(&client, "/refresh", &admin_refresh),
        (Status::Ok, json!("alice"))
    );
    assert_eq!(post(&client, "/refresh", &member_refresh), forbidden());
}

#[test]
fn a_requirement_carries_the_same_checks_without_macros() {
    let client = app();
    let ok = token(
        &client,
        "alice",
        json!({"roles": ["admin"], "role": "x", "tenant": 1}),
    );
    let wrong_tenant = token(
        &client,
        "alice",
        json!({"roles": ["admin"], "role": "x", "tenant": 3}),
    );
    let no_role = token(&client, "alice", json!({"role": "x", "tenant": 1}));
    assert_eq!(get(&client, "/typed", &ok), (Status::Ok, json!("alice")));
    assert_eq!(get(&client, "/typed", &wrong_tenant), forbidden());
    assert_eq!(get(&client, "/typed", &no_role), forbidden());
}

#[test]
fn an_apps_own_guard_answers_like_every_other_failure() {
    let client = app();
    let alice = token(&client, "alice", json!({}));
    let bob = token(&client, "bob", json!({}));
    assert_eq!(get(&client, "/alice", &alice), (Status::Ok, json!("alice")));
    assert_eq!(get(&client, "/alice", &bob), forbidden());
    // The inner `Token` guard's own failures come through unchanged.
    assert_eq!(
        answer(client.get("/alice").dispatch()).0,
        Status::Unauthorized
    );
}

#[test]
fn the_error_hook_replaces_the_403() {
    let fairing = Auth::fairing().on_error(ErrorKind::Forbidden, |error, _req| {
        assert_eq!(error.kind(), ErrorKind::Forbidden);
        jwt_ext::json_response(Status::Forbidden, &json!({"error": "admins only"}))
    });
    let client = app_with(json!({}), fairing);
    let member = token(&client, "bob", json!({"roles": ["member"]}));
    assert_eq!(
        get(&client, "/edit", &member),
        (Status::Forbidden, json!({"error": "admins only"}))
    );
}
