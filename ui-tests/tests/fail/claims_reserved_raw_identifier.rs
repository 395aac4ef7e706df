use jwt_ext::Claims;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Claims)]
struct AppClaims {
    r#type: String,
}

fn main() {}
