use jwt_ext::Claims;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Claims)]
#[claims(validate = tenant_is_active)]
struct AppClaims {
    tenant: u64,
}

fn main() {}
