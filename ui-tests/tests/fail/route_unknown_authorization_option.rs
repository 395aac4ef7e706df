use jwt_ext::{fresh_jwt_required, Token};
use rocket::post;

#[fresh_jwt_required(role = ["admin"])]
#[post("/")]
fn index(token: Token) -> String {
    token.identity().to_owned()
}

fn main() {}
