use jwt_ext::{jwt_required, Token};
use rocket::get;

#[jwt_required(scopes = ["notes read"])]
#[get("/")]
fn index(token: Token) -> String {
    token.identity().to_owned()
}

fn main() {}
