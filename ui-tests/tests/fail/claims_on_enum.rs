use jwt_ext::Claims;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Claims)]
enum Role {
    Admin,
    User,
}

fn main() {}
