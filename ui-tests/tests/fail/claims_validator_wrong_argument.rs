use jwt_ext::Claims;
use serde::{Deserialize, Serialize};

fn positive(value: &i64) -> bool {
    *value > 0
}

#[derive(Serialize, Deserialize, Claims)]
struct AppClaims {
    #[claims(validate = positive)]
    tenant: String,
}

fn main() {}
