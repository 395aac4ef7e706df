use jwt_ext::Claims;

#[derive(Claims)]
struct AppClaims {
    tenant: u64,
}

fn main() {}
