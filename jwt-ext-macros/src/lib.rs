//! Procedural macros for [`jwt-ext`](https://docs.rs/jwt-ext). Use them through `jwt_ext`,
//! which re-exports them; generated code only names `::jwt_ext::__private` paths.

mod claims;
mod ctxt;
mod paths;
mod route;

use proc_macro::TokenStream;

use route::Attribute;

/// Requires a valid JWT on a Rocket route: Flask-JWT-Extended's `@jwt_required()`.
///
/// Write it above the route attribute. Options: `optional`, `fresh`, `refresh`,
/// `locations = [headers, cookies, query_string, json]`, `verify_type = false`,
/// `skip_revocation_check`. See the `jwt_ext` crate documentation.
#[proc_macro_attribute]
pub fn jwt_required(args: TokenStream, item: TokenStream) -> TokenStream {
    route::expand(Attribute::JwtRequired, args.into(), item.into()).into()
}

/// Requires a fresh access token: `#[jwt_required(fresh)]`.
#[proc_macro_attribute]
pub fn fresh_jwt_required(args: TokenStream, item: TokenStream) -> TokenStream {
    route::expand(Attribute::FreshJwtRequired, args.into(), item.into()).into()
}

/// Requires a refresh token: `#[jwt_required(refresh)]`.
#[proc_macro_attribute]
pub fn jwt_refresh_token_required(args: TokenStream, item: TokenStream) -> TokenStream {
    route::expand(Attribute::JwtRefreshTokenRequired, args.into(), item.into()).into()
}

/// Lets a serde struct ride in a token as custom claims, with `#[claims(validate = path)]`
/// validators on the struct and its fields.
#[proc_macro_derive(Claims, attributes(claims))]
pub fn derive_claims(input: TokenStream) -> TokenStream {
    claims::expand(input.into()).into()
}
