use jwt_ext::{jwt_required, Claims, Token};
use rocket::get;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Claims)]
struct NoteClaims {
    role: String,
}

fn is_admin(claims: &NoteClaims) -> bool {
    claims.role == "admin"
}

#[jwt_required(check = is_admn)]
#[get("/")]
fn index(token: Token) -> String {
    token.identity().to_owned()
}

fn main() {
    let _ = is_admin;
}
