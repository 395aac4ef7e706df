use jwt_ext::Claims;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Claims)]
struct AppClaims {
    #[serde(rename = "sub")]
    subject: String,
}

fn main() {}
