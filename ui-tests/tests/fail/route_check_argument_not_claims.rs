use jwt_ext::{jwt_required, Token};
use rocket::get;

fn positive(value: &i64) -> bool {
    *value > 0
}

#[jwt_required(check = positive)]
#[get("/")]
fn index(token: Token) -> String {
    token.identity().to_owned()
}

fn main() {}
