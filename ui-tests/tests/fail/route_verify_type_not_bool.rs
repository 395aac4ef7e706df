use jwt_ext::jwt_required;
use rocket::get;

#[jwt_required(verify_type = "no")]
#[get("/")]
fn index() -> &'static str {
    "hi"
}

fn main() {}
