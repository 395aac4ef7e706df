use jwt_ext::{jwt_refresh_token_required, AnyType, CurrentUser};
use rocket::post;

struct User;

#[jwt_refresh_token_required]
#[post("/refresh")]
fn refresh(_user: CurrentUser<User, AnyType>) -> &'static str {
    "refreshed"
}

fn main() {}
