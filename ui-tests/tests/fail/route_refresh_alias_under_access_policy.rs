use jwt_ext::{jwt_required, RefreshToken};
use rocket::post;

#[jwt_required]
#[post("/refresh")]
fn refresh(token: RefreshToken) -> String {
    token.identity().to_owned()
}

fn main() {}
