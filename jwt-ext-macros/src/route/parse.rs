//! Parsing `#[jwt_required(..)]` and the handler it decorates into a typed model.

use proc_macro2::{Span, TokenStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, FnArg, GenericArgument, Lit, Meta, PathArguments, Token, Type};

use super::authorization::{Authorization, CHECK, ROLES, SCOPES};
use crate::ctxt::{unknown, Ctxt};

pub(crate) const OPTIONAL: &str = "optional";
pub(crate) const FRESH: &str = "fresh";
pub(crate) const REFRESH: &str = "refresh";
pub(crate) const LOCATIONS: &str = "locations";
pub(crate) const VERIFY_TYPE: &str = "verify_type";
pub(crate) const SKIP_REVOCATION_CHECK: &str = "skip_revocation_check";
pub(crate) const ALL_OPTIONS: [&str; 9] = [
    OPTIONAL,
    FRESH,
    REFRESH,
    LOCATIONS,
    VERIFY_TYPE,
    SKIP_REVOCATION_CHECK,
    CHECK,
    SCOPES,
    ROLES,
];

/// Location names and the runtime `Location` variants they stand for.
pub(crate) const LOCATION_NAMES: [(&str, &str); 4] = [
    ("headers", "Headers"),
    ("cookies", "Cookies"),
    ("query_string", "QueryString"),
    ("json", "Json"),
];

/// The three attributes, named after the macros; the shorthands preset one option.
#[allow(clippy::enum_variant_names)]
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attribute {
    JwtRequired,
    FreshJwtRequired,
    JwtRefreshTokenRequired,
}

impl Attribute {
    pub(crate) const ALL: [Attribute; 3] = [
        Attribute::JwtRequired,
        Attribute::FreshJwtRequired,
        Attribute::JwtRefreshTokenRequired,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Attribute::JwtRequired => "jwt_required",
            Attribute::FreshJwtRequired => "fresh_jwt_required",
            Attribute::JwtRefreshTokenRequired => "jwt_refresh_token_required",
        }
    }

    /// The option this shorthand stands for.
    fn implies(self) -> Option<&'static str> {
        match self {
            Attribute::JwtRequired => None,
            Attribute::FreshJwtRequired => Some(FRESH),
            Attribute::JwtRefreshTokenRequired => Some(REFRESH),
        }
    }
}

/// The options as written; each remembers where it was written, for errors.
#[derive(Default)]
pub(crate) struct Options {
    pub(crate) optional: Option<Span>,
    pub(crate) fresh: Option<Span>,
    pub(crate) refresh: Option<Span>,
    pub(crate) locations: Option<Vec<(&'static str, Span)>>,
    /// `verify_type = false`
    pub(crate) any_type: Option<Span>,
    pub(crate) skip_revocation_check: Option<Span>,
    pub(crate) authorization: Authorization,
}

/// Parses the attribute's arguments, reporting every mistake.
pub(crate) fn options(attribute: Attribute, args: TokenStream, ctxt: &mut Ctxt) -> Options {
    let mut options = Options::default();
    if let Some(implied) = attribute.implies() {
        let span = Span::call_site();
        match implied {
            FRESH => options.fresh = Some(span),
            _ => options.refresh = Some(span),
        }
    }
    let metas =
        match syn::parse::Parser::parse2(Punctuated::<Meta, Token![,]>::parse_terminated, args) {
            Ok(metas) => metas,
            Err(e) => {
                ctxt.syn_error(e);
                return options;
            }
        };
    let mut seen: Vec<String> = Vec::new();
    for meta in metas {
        let Some(name) = meta.path().get_ident().map(ToString::to_string) else {
            ctxt.error(
                meta.path(),
                unknown("option", &path_text(meta.path()), &ALL_OPTIONS),
            );
            continue;
        };
        if seen.contains(&name) {
            let fix = match name.as_str() {
                CHECK | SCOPES | ROLES => format!("list them all in one: `{name} = [a, b]`"),
                _ => "remove this one".to_owned(),
            };
            ctxt.error(meta.path(), format!("duplicate option `{name}`; {fix}"));
            continue;
        }
        seen.push(name.clone());
        if attribute.implies() == Some(name.as_str()) {
            ctxt.error(
                meta.path(),
                format!(
                    "`{name}` is implied by `#[{}]`; remove it",
                    attribute.name()
                ),
            );
            continue;
        }
        let span = meta.path().span();
        match name.as_str() {
            OPTIONAL | FRESH | REFRESH | SKIP_REVOCATION_CHECK => {
                if !matches!(meta, Meta::Path(_)) {
                    ctxt.error(&meta, format!("`{name}` takes no value: write `{name}`"));
                    continue;
                }
                let slot = match name.as_str() {
                    OPTIONAL => &mut options.optional,
                    FRESH => &mut options.fresh,
                    REFRESH => &mut options.refresh,
                    _ => &mut options.skip_revocation_check,
                };
                *slot = Some(span);
            }
            VERIFY_TYPE => match &meta {
                Meta::NameValue(nv) => match bool_literal(&nv.value) {
                    Some(false) => options.any_type = Some(span),
                    Some(true) => {} // the default
                    None => ctxt.error(&nv.value, "expected `verify_type = false` or `true`"),
                },
                _ => ctxt.error(&meta, "write `verify_type = false` to accept both token types"),
            },
            CHECK | SCOPES | ROLES => options.authorization.parse(&name, &meta, ctxt),
            LOCATIONS => match &meta {
                Meta::NameValue(nv) => options.locations = Some(locations(&nv.value, ctxt)),
                _ => ctxt.error(&meta, "write `locations = [headers, cookies]` (any of `headers`, `cookies`, `query_string`, `json`)"),
            },
            other => ctxt.error(meta.path(), unknown("option", other, &ALL_OPTIONS)),
        }
    }
    options
}

fn path_text(path: &syn::Path) -> String {
    path.segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

fn bool_literal(expr: &Expr) -> Option<bool> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) => Some(b.value),
        _ => None,
    }
}

/// `[headers, "cookies"]`: names as identifiers or strings, each known and listed once.
fn locations(expr: &Expr, ctxt: &mut Ctxt) -> Vec<(&'static str, Span)> {
    let Expr::Array(array) = expr else {
        ctxt.error(expr, "expected a list: `locations = [headers, cookies]`");
        return Vec::new();
    };
    if array.elems.is_empty() {
        ctxt.error(
            expr,
            "name at least one location: `headers`, `cookies`, `query_string` or `json`",
        );
    }
    let names: Vec<&str> = LOCATION_NAMES.iter().map(|(n, _)| *n).collect();
    let mut list: Vec<(&'static str, Span)> = Vec::new();
    for elem in &array.elems {
        let written = match elem {
            Expr::Path(p) if p.path.get_ident().is_some() => {
                p.path.get_ident().map(ToString::to_string)
            }
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => Some(s.value()),
            _ => None,
        };
        let Some(written) = written else {
            ctxt.error(elem, "expected a location name such as `headers`");
            continue;
        };
        match LOCATION_NAMES.iter().find(|(n, _)| *n == written) {
            Some((name, _)) if list.iter().any(|(l, _)| l == name) => {
                ctxt.error(elem, format!("location `{name}` is listed twice"));
            }
            Some((name, _)) => list.push((name, elem.span())),
            None => ctxt.error(elem, unknown("location", &written, &names)),
        }
    }
    list
}

/// What the handler's parameters ask for.
pub(crate) struct Handler {
    /// Parameters of the guard types, with the policy marker they name (if any).
    pub(crate) guards: Vec<GuardParam>,
    /// Whether the handler takes a `JsonToken` (a body guard).
    pub(crate) body_guard: bool,
}

pub(crate) struct GuardParam {
    /// `Token`, `OptionalToken`, `CurrentUser` or `JsonToken`.
    pub(crate) guard: String,
    /// The last segment of the policy argument (`Refresh`, `Access`, ...), if written.
    pub(crate) policy: Option<(String, Span)>,
    /// The alias written instead of `Token<C, P>` (`RefreshToken`, ...), for messages.
    pub(crate) alias: Option<String>,
    /// The claims type argument of `Token<C, ..>`, its aliases, `OptionalToken` and
    /// `JsonToken`, unless it is `()`.
    pub(crate) claims: Option<Type>,
    pub(crate) ty: Type,
}

const GUARDS: [&str; 4] = ["Token", "OptionalToken", "CurrentUser", "JsonToken"];

/// The runtime's aliases of `Token<C, P>` and the policy marker each one names.
const ALIASES: [(&str, &str); 4] = [
    ("AccessToken", "Access"),
    ("FreshToken", "Fresh"),
    ("RefreshToken", "Refresh"),
    ("AnyToken", "AnyType"),
];

/// Finds the parameters whose type is one of our guards, by the type's last path segment.
pub(crate) fn handler(function: &syn::ItemFn) -> Handler {
    let mut guards = Vec::new();
    for input in &function.sig.inputs {
        let FnArg::Typed(arg) = input else { continue };
        let Type::Path(path) = strip(&arg.ty) else {
            continue;
        };
        let Some(last) = path.path.segments.last() else {
            continue;
        };
        let name = last.ident.to_string();
        let (guard, policy, alias) =
            if let Some((alias, marker)) = ALIASES.iter().find(|(a, _)| *a == name) {
                let marker = ((*marker).to_owned(), last.ident.span());
                ("Token".to_owned(), Some(marker), Some((*alias).to_owned()))
            } else if GUARDS.contains(&name.as_str()) {
                (name, policy_argument(&last.arguments), None)
            } else {
                continue;
            };
        let claims = (guard != "CurrentUser")
            .then(|| type_argument(&last.arguments, 0))
            .flatten()
            .filter(|ty| !matches!(ty, Type::Tuple(t) if t.elems.is_empty()))
            .cloned();
        guards.push(GuardParam {
            guard,
            policy,
            alias,
            claims,
            ty: (*arg.ty).clone(),
        });
    }
    let body_guard = guards.iter().any(|g| g.guard == "JsonToken");
    Handler { guards, body_guard }
}

/// The last segment of a guard's second type argument (`Token<C, Refresh>` → `Refresh`).
fn policy_argument(arguments: &PathArguments) -> Option<(String, Span)> {
    type_argument(arguments, 1)
        .and_then(|ty| match ty {
            Type::Path(p) => p.path.segments.last(),
            _ => None,
        })
        .map(|s| (s.ident.to_string(), s.ident.span()))
}

/// The `n`th type argument of a path segment, looked through groups.
fn type_argument(arguments: &PathArguments, n: usize) -> Option<&Type> {
    let PathArguments::AngleBracketed(args) = arguments else {
        return None;
    };
    args.args
        .iter()
        .filter_map(|a| match a {
            GenericArgument::Type(ty) => Some(strip(ty)),
            _ => None,
        })
        .nth(n)
}

/// Looks through references and groups (`macro_rules!` wraps `ty` fragments in groups).
fn strip(ty: &Type) -> &Type {
    match ty {
        Type::Group(g) => strip(&g.elem),
        Type::Paren(p) => strip(&p.elem),
        Type::Reference(r) => strip(&r.elem),
        other => other,
    }
}

/// The route attributes Rocket's codegen provides, by last path segment.
pub(crate) const ROUTE_ATTRIBUTES: [&str; 8] = [
    "get", "put", "post", "delete", "head", "patch", "options", "route",
];

pub(crate) fn last_segment(attr: &syn::Attribute) -> Option<String> {
    attr.path().segments.last().map(|s| s.ident.to_string())
}
