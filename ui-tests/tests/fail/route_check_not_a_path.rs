use jwt_ext::{jwt_required, Token};
use rocket::get;

#[jwt_required(check = "is_admin")]
#[get("/")]
fn index(token: Token) -> String {
    token.identity().to_owned()
}

fn main() {}
