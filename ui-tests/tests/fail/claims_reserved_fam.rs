use jwt_ext::Claims;
use serde::{Deserialize, Serialize};

/// `fam` is the refresh-token family of rotation, set by jwt-ext.
#[derive(Serialize, Deserialize, Claims)]
struct AppClaims {
    fam: String,
}

fn main() {}
