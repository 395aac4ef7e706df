use jwt_ext::Claims;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Claims)]
struct AppClaims {
    role: String,
    exp: u64,
}

fn main() {}
