use jwt_ext::{jwt_refresh_token_required, Fresh, Token};
use rocket::post;

#[jwt_refresh_token_required]
#[post("/refresh")]
fn refresh(token: Token<(), Fresh>) -> String {
    token.identity().to_owned()
}

fn main() {}
