use jwt_ext::fresh_jwt_required;
use rocket::post;

#[fresh_jwt_required(fresh)]
#[post("/")]
fn index() -> &'static str {
    "hi"
}

fn main() {}
