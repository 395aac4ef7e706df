use jwt_ext::{jwt_required, Claims, Token};
use rocket::get;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Claims)]
struct NoteClaims {
    role: String,
}

#[derive(Serialize, Deserialize, Claims)]
struct OtherClaims {
    level: u8,
}

fn is_admin(claims: &OtherClaims) -> bool {
    claims.level > 3
}

#[jwt_required(check = is_admin)]
#[get("/")]
fn index(token: Token<NoteClaims>) -> String {
    token.claims().role.clone()
}

fn main() {}
