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
/// Write it above the route attribute:
///
/// ```text
/// #[jwt_required]                 // or #[jwt_required()]
/// #[jwt_required(option, ...)]
///
/// option := optional                      no token is fine; a bad one still fails
///         | fresh                         a fresh access token
///         | refresh                       a refresh token (not with `fresh`)
///         | verify_type = false           either type (not with `refresh`)
///         | skip_revocation_check         do not ask the revocation store
///         | locations = [location, ...]   instead of `token_location`, in this order
///         | roles = ["role", ...]         the roles claim holds one of them      (else 403)
///         | scopes = ["scope", ...]       `scope`/`scp` grants all of them      (else 403)
///         | check = path | check = [path, ...]   every function accepts       (else 403)
/// location := headers | cookies | query_string | json     (or the same names as strings)
/// path := a fn(&C) -> bool | Result<(), E: Display>, C: Claims
/// ```
///
/// The authorization options run after every verification step (a forged, expired or
/// revoked token gets its own error, never 403). A check's claims type `C` is the handler's
/// `Token<C>` (or `JsonToken<C>`, an alias's `C`) when it names one, else the check's own
/// argument type; claims that do not parse answer 400 as custom claims do. They become
/// `Policy::roles`, `Policy::scopes` and `Policy::checks`:
///
/// ```text
/// #[jwt_required(roles = ["admin"], check = same_tenant)]
/// // const POLICY: Policy = Policy::access().roles(&["admin"])
/// //     .checks(&[Check::new("same_tenant", |t| Check::claims::<C, _>(t, same_tenant))]);
/// ```
///
/// It expands to the handler with one hidden first parameter, plus a unit struct named after
/// the handler that carries the policy as a `jwt_ext::Policy` value:
///
/// ```text
/// #[doc(hidden)] struct __jwt_ext_policy_<handler>;
/// impl ::jwt_ext::__private::RouteAttribute for __jwt_ext_policy_<handler> {
///     const POLICY: ::jwt_ext::__private::Policy = Policy::access().fresh() /* ... */;
///     const READS_BODY: bool = /* the handler takes a `JsonToken` */;
/// }
/// #[get(..)]
/// fn <handler>(__jwt_ext_policy: ::jwt_ext::__private::JwtRequired<__jwt_ext_policy_<handler>>, ..)
/// ```
///
/// Rocket runs request guards in order, so the policy is enforced before path parameters and
/// the handler's own guards; `Token`, `CurrentUser` and `JsonToken` parameters without an
/// explicit policy then read the route's. Everything the attribute does can be written by hand
/// with `Token<C, P>` and a `Requirement`. Mistakes are compile errors at the culprit: an
/// unknown or repeated option, `fresh` with `refresh`, two JWT attributes, an unknown
/// location, a parameter whose explicit policy contradicts the attribute's (`Token<_, Refresh>`
/// or `RefreshToken` under an access policy, `AnyType` under one token type, `Access` under
/// `fresh`), a `Token` under `optional`, and no route attribute below it; for the
/// authorization options, a check that does not exist, takes another claims type than the
/// handler's or a type that is not `Claims`, or returns something else than `bool` or
/// `Result`, a scope that is not an RFC 6749 scope token, and a role or scope listed twice.
#[proc_macro_attribute]
pub fn jwt_required(args: TokenStream, item: TokenStream) -> TokenStream {
    route::expand(Attribute::JwtRequired, args.into(), item.into()).into()
}

/// Requires a fresh access token: `#[jwt_required(fresh)]`, with the same other options
/// (see [`macro@jwt_required`]).
#[proc_macro_attribute]
pub fn fresh_jwt_required(args: TokenStream, item: TokenStream) -> TokenStream {
    route::expand(Attribute::FreshJwtRequired, args.into(), item.into()).into()
}

/// Requires a refresh token: `#[jwt_required(refresh)]`, with the same other options (see
/// [`macro@jwt_required`]); the refresh cookie and `refresh_token` JSON key are read.
#[proc_macro_attribute]
pub fn jwt_refresh_token_required(args: TokenStream, item: TokenStream) -> TokenStream {
    route::expand(Attribute::JwtRefreshTokenRequired, args.into(), item.into()).into()
}

/// Lets a serde struct ride in a token as custom claims, with `#[claims(validate = path)]`
/// validators on the struct and its fields.
///
/// ```text
/// #[derive(Serialize, Deserialize, Claims)]
/// #[claims(validate = path)]          // fn(&Self) -> bool | Result<(), E: Display>
/// struct S { #[claims(validate = path)] field: T, .. }   // fn(&T) -> ...
/// ```
///
/// It implements `jwt_ext::Claims` with a `validate` that calls every validator in order; a
/// failure answers 400 `User claims verification failed`. Compile errors: not a struct with
/// named fields, a field that lands on a reserved claim after serde's renames, an unknown
/// `#[claims(..)]` key, a validator that does not exist or has the wrong signature, a struct
/// without serde's derives.
#[proc_macro_derive(Claims, attributes(claims))]
pub fn derive_claims(input: TokenStream) -> TokenStream {
    claims::expand(input.into()).into()
}
