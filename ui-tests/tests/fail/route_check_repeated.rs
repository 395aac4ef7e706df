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

fn is_owner(claims: &NoteClaims) -> bool {
    claims.role == "owner"
}

#[jwt_required(check = is_admin, check = is_owner)]
#[get("/")]
fn index(token: Token) -> String {
    token.identity().to_owned()
}

fn main() {}
