//! The authorization options of the route attributes: `roles = ["..", ..]`,
//! `scopes = ["..", ..]` and `check = path` (or `check = [path, ..]`), parsed, checked and
//! emitted as `Policy` builder calls.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, Meta, Type};

use crate::ctxt::Ctxt;

pub(crate) const CHECK: &str = "check";
pub(crate) const SCOPES: &str = "scopes";
pub(crate) const ROLES: &str = "roles";

/// The authorization asked for, as written.
#[derive(Clone, Default)]
pub(crate) struct Authorization {
    pub(crate) roles: Vec<String>,
    pub(crate) scopes: Vec<String>,
    pub(crate) checks: Vec<syn::Path>,
}

impl Authorization {
    /// Reads the value of option `name` (one of the three) into `self`.
    pub(crate) fn parse(&mut self, name: &str, meta: &Meta, ctxt: &mut Ctxt) {
        let Meta::NameValue(nv) = meta else {
            let example = match name {
                CHECK => "check = is_admin",
                SCOPES => r#"scopes = ["notes:write"]"#,
                _ => r#"roles = ["admin"]"#,
            };
            ctxt.error(meta, format!("`{name}` takes a value: write `{example}`"));
            return;
        };
        match name {
            CHECK => self.checks = paths(&nv.value, ctxt),
            SCOPES => self.scopes = strings(SCOPES, &nv.value, scope_problem, ctxt),
            _ => self.roles = strings(ROLES, &nv.value, role_problem, ctxt),
        }
    }

    /// The `Policy` builder calls; each check reads the claims type `claims` when the handler
    /// names one, or the type its own argument has.
    pub(crate) fn tokens(&self, private: &TokenStream, claims: Option<&Type>) -> TokenStream {
        let mut calls = TokenStream::new();
        if !self.roles.is_empty() {
            let roles = &self.roles;
            calls.extend(quote!(.roles(&[#(#roles),*])));
        }
        if !self.scopes.is_empty() {
            let scopes = &self.scopes;
            calls.extend(quote!(.scopes(&[#(#scopes),*])));
        }
        if !self.checks.is_empty() {
            let checks = self.checks.iter().map(|path| check(private, path, claims));
            calls.extend(quote!(.checks(&[#(#checks),*])));
        }
        calls
    }
}

/// One `Check`, spanned at the path so that a missing function, a wrong argument type or a
/// wrong return type is reported there.
fn check(private: &TokenStream, path: &syn::Path, claims: Option<&Type>) -> TokenStream {
    let span = path.span();
    let name = quote!(#path).to_string().replace(' ', "");
    let token = proc_macro2::Ident::new("__jwt_ext_token", span);
    let call = match claims {
        Some(claims) => {
            quote_spanned!(span=> #private::Check::claims::<#claims, _>(#token, #path))
        }
        None => quote_spanned!(span=> #private::Check::claims(#token, #path)),
    };
    quote!(#private::Check::new(#name, |#token| #call))
}

/// `is_admin`, `auth::is_admin` or a list of them.
fn paths(expr: &Expr, ctxt: &mut Ctxt) -> Vec<syn::Path> {
    let items: Vec<&Expr> = match expr {
        Expr::Array(array) => array.elems.iter().collect(),
        other => vec![other],
    };
    if items.is_empty() {
        ctxt.error(expr, "name at least one check: `check = is_admin`");
    }
    let mut paths: Vec<syn::Path> = Vec::new();
    for item in items {
        match item {
            Expr::Path(p) if p.qself.is_none() => {
                let text = |path: &syn::Path| quote!(#path).to_string();
                if paths.iter().any(|seen| text(seen) == text(&p.path)) {
                    ctxt.error(item, "this check is listed twice");
                } else {
                    paths.push(p.path.clone());
                }
            }
            _ => ctxt.error(
                item,
                "expected the path of a function such as `is_admin`, taking `&Claims` and \
                 returning `bool` or `Result<(), E>`",
            ),
        }
    }
    paths
}

/// A non-empty list of string literals, each accepted by `problem` and listed once.
fn strings(
    option: &str,
    expr: &Expr,
    problem: fn(&str) -> Option<String>,
    ctxt: &mut Ctxt,
) -> Vec<String> {
    let example = if option == SCOPES {
        "notes:write"
    } else {
        "admin"
    };
    let Expr::Array(array) = expr else {
        ctxt.error(
            expr,
            format!(r#"expected a list: `{option} = ["{example}"]`"#),
        );
        return Vec::new();
    };
    if array.elems.is_empty() {
        ctxt.error(
            expr,
            format!("name at least one of the `{option}`, or remove the option"),
        );
    }
    let mut list: Vec<String> = Vec::new();
    for elem in &array.elems {
        let Expr::Lit(ExprLit {
            lit: Lit::Str(text),
            ..
        }) = elem
        else {
            ctxt.error(elem, format!(r#"expected a string such as `"{example}"`"#));
            continue;
        };
        let value = text.value();
        if let Some(problem) = problem(&value) {
            ctxt.error(elem, problem);
        } else if list.contains(&value) {
            ctxt.error(elem, format!("`{value}` is listed twice"));
        } else {
            list.push(value);
        }
    }
    list
}

/// RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`.
fn scope_problem(scope: &str) -> Option<String> {
    let allowed = |b: u8| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b);
    if !scope.is_empty() && scope.bytes().all(allowed) {
        return None;
    }
    Some(format!(
        "`{scope}` is not an OAuth 2 scope: one or more visible ASCII characters without spaces, \
         `\"` or `\\` (RFC 6749 §3.3); list several scopes as separate strings"
    ))
}

fn role_problem(role: &str) -> Option<String> {
    (role.trim().is_empty() || role.trim() != role)
        .then(|| format!("`{role}` is not a role name: no surrounding spaces, not empty"))
}
