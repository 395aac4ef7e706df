use jwt_ext::jwt_required;

#[jwt_required]
fn index() -> &'static str {
    "hi"
}

fn main() {}
