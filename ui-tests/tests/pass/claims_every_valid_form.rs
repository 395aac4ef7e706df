#![deny(warnings)]

use jwt_ext::{Claims, ClaimsError};
use serde::{Deserialize, Serialize};

fn active(claims: &AppClaims) -> Result<(), ClaimsError> {
    if claims.tenant > 0 { Ok(()) } else { Err(ClaimsError::new("inactive")) }
}

fn known(role: &String) -> bool {
    !role.is_empty()
}

fn short(text: &String) -> Result<(), String> {
    if text.len() < 10 { Ok(()) } else { Err("too long".into()) }
}

#[derive(Serialize, Deserialize, Claims)]
#[serde(rename_all = "camelCase")]
#[claims(validate = active)]
struct AppClaims {
    #[claims(validate = known)]
    role: String,
    tenant: u64,
    // Renamed away from a reserved name: fine.
    #[serde(rename = "expires_note")]
    exp: Option<String>,
    #[serde(skip)]
    sub: u8,
    #[serde(flatten)]
    extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize, Deserialize, Claims)]
struct Plain {
    scope: Vec<String>,
}

#[derive(Serialize, Deserialize, Claims)]
struct WithStrValidator {
    #[claims(validate = short)]
    #[serde(alias = "label_v1")]
    label: String,
}

fn main() {
    fn is_claims<T: jwt_ext::Claims>() {}
    is_claims::<AppClaims>();
    is_claims::<Plain>();
    is_claims::<WithStrValidator>();
}
