use jwt_ext::{fresh_jwt_required, jwt_required};
use rocket::post;

#[jwt_required]
#[fresh_jwt_required]
#[post("/")]
fn index() -> &'static str {
    "hi"
}

fn main() {}
