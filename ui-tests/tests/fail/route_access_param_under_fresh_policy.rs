use jwt_ext::{fresh_jwt_required, Access, JsonToken};
use rocket::post;

#[fresh_jwt_required]
#[post("/password", data = "<body>")]
fn password(body: JsonToken<(), Access>) -> String {
    body.identity().to_owned()
}

fn main() {}
