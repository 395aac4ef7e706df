use jwt_ext::jwt_required;
use rocket::get;

#[jwt_required(locations = [header, cookies])]
#[get("/")]
fn index() -> &'static str {
    "hi"
}

fn main() {}
