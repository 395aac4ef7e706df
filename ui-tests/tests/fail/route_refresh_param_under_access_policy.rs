use jwt_ext::{jwt_required, Refresh, Token};
use rocket::post;

#[jwt_required]
#[post("/refresh")]
fn refresh(token: Token<(), Refresh>) -> String {
    token.identity().to_owned()
}

fn main() {}
