use jwt_ext::jwt_required;
use rocket::post;

#[jwt_required(fresh, refresh)]
#[post("/")]
fn index() -> &'static str {
    "hi"
}

fn main() {}
