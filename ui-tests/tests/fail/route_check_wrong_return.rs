use jwt_ext::{jwt_required, Claims, Token};
use rocket::get;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Claims)]
struct NoteClaims {
    level: u8,
}

fn level(claims: &NoteClaims) -> u8 {
    claims.level
}

#[jwt_required(check = level)]
#[get("/")]
fn index(token: Token) -> String {
    token.identity().to_owned()
}

fn main() {}
