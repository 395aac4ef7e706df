//! `#[derive(Claims)]` through Rocket's local client: serde renames, struct and field
//! validators, and the 400 a failed validator answers.
#![deny(warnings)]
#![allow(clippy::expect_used, clippy::unwrap_used)] // a failed expectation is a failed test

mod common;

use common::*;
use jwt_ext::{jwt_required, Auth, Claims, ClaimsError, Token};
use rocket::http::Status;
use rocket::{get, routes};
use serde::{Deserialize, Serialize};
use serde_json::json;

fn tenant_is_active(claims: &AppClaims) -> Result<(), ClaimsError> {
    if claims.tenant == 0 {
        Err(ClaimsError::new("tenant 0 is closed"))
    } else {
        Ok(())
    }
}

fn known_role(role: &String) -> bool {
    role == "admin" || role == "user"
}

#[derive(Debug, Serialize, Deserialize, Claims)]
#[serde(rename_all = "camelCase")]
#[claims(validate = tenant_is_active)]
struct AppClaims {
    #[claims(validate = known_role)]
    role: String,
    tenant: u64,
    #[serde(rename = "kind")]
    r#type_of_user: Option<String>,
}

#[jwt_required]
#[get("/claims")]
fn claims(token: Token<AppClaims>) -> String {
    format!("{} of {}", token.claims().role, token.claims().tenant)
}

fn client() -> rocket::local::blocking::Client {
    common::client(
        rocket_with(json!({}))
            .attach(Auth::fairing())
            .mount("/", routes![claims]),
    )
}

fn get(
    client: &rocket::local::blocking::Client,
    path: &str,
    token: &str,
) -> (Status, serde_json::Value) {
    answer(client.get(path.to_owned()).header(bearer(token)).dispatch())
}

#[test]
fn derived_claims_with_validators() {
    let client = client();
    let auth = auth(&client);
    let issue = |claims: &AppClaims| {
        auth.access_token("alice")
            .claims(claims)
            .issue()
            .expect("issues")
    };
    let good = issue(&AppClaims {
        role: "admin".into(),
        tenant: 7,
        r#type_of_user: Some("staff".into()),
    });
    assert_eq!(
        auth.decode(&good).expect("valid").payload()["kind"],
        json!("staff")
    );
    assert_eq!(
        get(&client, "/claims", &good),
        (Status::Ok, json!("admin of 7"))
    );
    let failed = msg("User claims verification failed");
    let closed = issue(&AppClaims {
        role: "admin".into(),
        tenant: 0,
        r#type_of_user: None,
    });
    assert_eq!(
        get(&client, "/claims", &closed),
        (Status::BadRequest, failed.clone())
    );
    let odd_role = issue(&AppClaims {
        role: "root".into(),
        tenant: 7,
        r#type_of_user: None,
    });
    assert_eq!(
        get(&client, "/claims", &odd_role),
        (Status::BadRequest, failed)
    );
}
