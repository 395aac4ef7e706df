use jwt_ext::{jwt_refresh_token_required, Token};
use rocket::post;

#[jwt_refresh_token_required(roles = "admin")]
#[post("/")]
fn index(token: Token) -> String {
    token.identity().to_owned()
}

fn main() {}
