use jwt_ext::jwt_required;

#[jwt_required]
struct Index;

fn main() {}
