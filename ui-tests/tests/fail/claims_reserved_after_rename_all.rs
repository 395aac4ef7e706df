use jwt_ext::Claims;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Claims)]
#[serde(rename_all = "lowercase")]
struct AppClaims {
    #[allow(non_snake_case)]
    Iss: String,
}

fn main() {}
