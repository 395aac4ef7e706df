use jwt_ext::{jwt_required, AnyType, Token};
use rocket::get;

#[jwt_required]
#[get("/me")]
fn me(token: Token<(), AnyType>) -> String {
    token.identity().to_owned()
}

fn main() {}
