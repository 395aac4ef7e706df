use jwt_ext::Claims;
use serde::{Deserialize, Serialize};

fn check(claims: &AppClaims) -> u64 {
    claims.tenant
}

#[derive(Serialize, Deserialize, Claims)]
#[claims(validate = check)]
struct AppClaims {
    tenant: u64,
}

fn main() {}
