use jwt_ext::jwt_required;
use rocket::get;

#[jwt_required(optional, optional)]
#[get("/")]
fn index() -> &'static str {
    "hi"
}

fn main() {}
