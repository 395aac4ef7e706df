use jwt_ext::Claims;
use serde::{Deserialize, Serialize};

fn check(_: &AppClaims) -> bool {
    true
}

#[derive(Serialize, Deserialize, Claims)]
#[claims(validat = check)]
struct AppClaims {
    role: String,
}

fn main() {}
