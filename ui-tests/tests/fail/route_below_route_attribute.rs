use jwt_ext::jwt_required;
use rocket::get;

#[get("/")]
#[jwt_required]
fn index() -> &'static str {
    "hi"
}

fn main() {}
