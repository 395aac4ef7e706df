//! `#[jwt_required]`, `#[fresh_jwt_required]` and `#[jwt_refresh_token_required]`.
//!
//! Parse the options and the handler, validate them together, then emit the route's policy as
//! one value of the runtime's `Policy` type (on a hidden unit struct named after the handler)
//! and insert one hidden guard parameter, `JwtRequired<that struct>`, at the front of the
//! parameter list: Rocket runs request guards in order, so the policy is enforced (and
//! recorded for the handler's own `Token`/`CurrentUser` parameters) before anything else.
//! Every other token of the function is passed through untouched, which keeps handlers written
//! inside `macro_rules!` working.

mod authorization;
mod parse;

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::quote;

use crate::ctxt::{debug, Ctxt};
use crate::paths;
pub(crate) use parse::Attribute;
use parse::{Handler, Options};

/// Token type a policy accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Access,
    Refresh,
    Any,
}

/// The validated policy.
struct Policy {
    kind: Kind,
    fresh: bool,
    optional: bool,
    skip_revocation_check: bool,
    locations: Option<Vec<&'static str>>,
    authorization: authorization::Authorization,
}

pub(crate) fn expand(attribute: Attribute, args: TokenStream, item: TokenStream) -> TokenStream {
    let mut ctxt = Ctxt::default();
    let options = parse::options(attribute, args, &mut ctxt);
    let function = match syn::parse2::<syn::ItemFn>(item.clone()) {
        Ok(function) => Some(function),
        Err(_) => {
            ctxt.error_at(
                Span::call_site(),
                format!(
                    "`#[{}]` applies to route handler functions; place it above `#[get(..)]`, \
                     `#[post(..)]`, ... on a `fn`",
                    attribute.name()
                ),
            );
            None
        }
    };
    let policy = function.as_ref().map(|function| {
        let (policy, handler) = validate(attribute, &options, function, &mut ctxt);
        (policy, handler, function)
    });
    let output = match (ctxt.check(), policy) {
        (Ok(()), Some((policy, handler, function))) => {
            let (definition, param) = policy_tokens(&policy, &handler, function);
            match inject(item.clone(), param) {
                Some(output) => quote!(#definition #output),
                None => error_with_item(
                    syn::Error::new(
                        Span::call_site(),
                        "could not find the handler's parameter list",
                    )
                    .to_compile_error(),
                    item,
                ),
            }
        }
        // On error the function is emitted unchanged, so IDEs keep working and no
        // unrelated error about the parameter count follows.
        (Err(errors), _) => error_with_item(errors, item),
        (Ok(()), None) => item,
    };
    debug(attribute.name(), &output);
    output
}

fn error_with_item(errors: TokenStream, item: TokenStream) -> TokenStream {
    quote!(#errors #item)
}

/// Checks the options against each other and against the handler.
fn validate(
    attribute: Attribute,
    options: &Options,
    function: &syn::ItemFn,
    ctxt: &mut Ctxt,
) -> (Policy, Handler) {
    let attrs = &function.attrs;
    if let Some(other) = attrs.iter().find(|a| {
        parse::last_segment(a)
            .is_some_and(|name| Attribute::ALL.iter().any(|attr| attr.name() == name))
    }) {
        ctxt.error(
            other,
            "a handler takes one JWT attribute: `#[jwt_required]`, `#[fresh_jwt_required]` or \
             `#[jwt_refresh_token_required]`; merge their options into one",
        );
    }
    let has_route = attrs.iter().any(|a| {
        parse::last_segment(a).is_some_and(|name| parse::ROUTE_ATTRIBUTES.contains(&name.as_str()))
    });
    if !has_route {
        ctxt.error_at(
            Span::call_site(),
            format!(
                "place `#[{}]` above the route attribute (`#[get(..)]`, `#[post(..)]`, ...): \
                 it found none below it",
                attribute.name()
            ),
        );
    }

    if let (Some(_), Some(refresh)) = (options.fresh, options.refresh) {
        ctxt.error_at(
            refresh,
            "`fresh` and `refresh` cannot be combined: refresh tokens are never fresh; \
             use `#[fresh_jwt_required]` for fresh access tokens",
        );
    }
    if let (Some(_), Some(any)) = (options.refresh, options.any_type) {
        ctxt.error_at(
            any,
            "`verify_type = false` accepts both token types, which contradicts `refresh`; keep one",
        );
    }

    let kind = match (options.refresh, options.any_type) {
        (Some(_), _) => Kind::Refresh,
        (None, Some(_)) => Kind::Any,
        (None, None) => Kind::Access,
    };
    let policy = Policy {
        kind,
        fresh: options.fresh.is_some(),
        optional: options.optional.is_some(),
        skip_revocation_check: options.skip_revocation_check.is_some(),
        locations: options
            .locations
            .as_ref()
            .map(|list| list.iter().map(|(name, _)| *name).collect()),
        authorization: options.authorization.clone(),
    };

    let handler = parse::handler(function);
    for param in &handler.guards {
        check_param(attribute, &policy, param, ctxt);
    }
    (policy, handler)
}

/// A parameter whose explicit policy is looser than, or contradicts, the route's policy
/// cannot work: the route would be guarded by one policy and read under another.
fn check_param(attribute: Attribute, policy: &Policy, param: &parse::GuardParam, ctxt: &mut Ctxt) {
    let attr = attribute.name();
    if let Some((marker, span)) = &param.policy {
        let fix = match &param.alias {
            Some(alias) => format!("take `Token` instead of `{alias}`"),
            None => format!("drop `{marker}`"),
        };
        let refused = match (policy.kind, policy.fresh, marker.as_str()) {
            (Kind::Access, _, "Refresh") => Some(format!(
                "this route takes access tokens (`#[{attr}]`) but this parameter asks for a \
                 refresh token; use `#[jwt_refresh_token_required]` or {fix}"
            )),
            (Kind::Refresh, _, "Access" | "Fresh") => Some(format!(
                "this route takes refresh tokens (`#[{attr}]`) but this parameter asks for \
                 an access token; {fix} to read the route's token"
            )),
            (Kind::Access | Kind::Refresh, _, "AnyType") => Some(format!(
                "this route takes one token type (`#[{attr}]`) but this parameter accepts \
                 both; {fix} to read the route's token, or use `verify_type = false`"
            )),
            (Kind::Access, true, "Access") => Some(format!(
                "this route takes fresh access tokens (`#[{attr}]`) but this parameter accepts \
                 any access token; {fix} to read the route's token, or use `Fresh`"
            )),
            _ => None,
        };
        if let Some(message) = refused {
            ctxt.error_at(*span, message);
        }
    }
    if policy.optional
        && param.policy.is_none()
        && (param.guard == "Token" || param.guard == "CurrentUser")
    {
        ctxt.error(
            &param.ty,
            format!(
                "with `optional`, a request may carry no token, and `{}` would then fail; use \
                 `OptionalToken` to read the token if there is one",
                param.guard
            ),
        );
    }
}

/// The route's policy as a hidden `RouteAttribute` implementation, and the hidden parameter
/// `__jwt_ext_policy: ::jwt_ext::__private::JwtRequired<__jwt_ext_policy_<handler>>,`.
fn policy_tokens(
    policy: &Policy,
    handler: &Handler,
    function: &syn::ItemFn,
) -> (TokenStream, TokenStream) {
    let (name, vis) = (&function.sig.ident, &function.vis);
    // Rocket's generated code must see these names: call-site hygiene.
    let span = Span::call_site();
    let private = paths::private(span);
    let marker = proc_macro2::Ident::new(&format!("__jwt_ext_policy_{name}"), span);
    let mut value = match policy.kind {
        Kind::Access => quote!(#private::Policy::access()),
        Kind::Refresh => quote!(#private::Policy::refresh()),
        Kind::Any => quote!(#private::Policy::any_type()),
    };
    if policy.fresh {
        value.extend(quote!(.fresh()));
    }
    if policy.optional {
        value.extend(quote!(.optional()));
    }
    if policy.skip_revocation_check {
        value.extend(quote!(.skip_revocation_check()));
    }
    if let Some(list) = &policy.locations {
        let variants = list.iter().map(|name| {
            let variant = parse::LOCATION_NAMES
                .iter()
                .find(|(n, _)| n == name)
                .map_or("Headers", |(_, v)| v);
            let variant = proc_macro2::Ident::new(variant, span);
            quote!(#private::Location::#variant)
        });
        value.extend(quote!(.locations(&[#(#variants),*])));
    }
    let claims = handler.guards.iter().find_map(|g| g.claims.as_ref());
    value.extend(policy.authorization.tokens(&private, claims));
    let reads_body = handler.body_guard;
    let definition = quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #marker;

        impl #private::RouteAttribute for #marker {
            const POLICY: #private::Policy = #value;
            const READS_BODY: bool = #reads_body;
        }
    };
    let param = quote!(__jwt_ext_policy: #private::JwtRequired<#marker>,);
    (definition, param)
}

/// Inserts `param` at the front of the function's parameter list; `None` if there is none.
fn inject(item: TokenStream, param: TokenStream) -> Option<TokenStream> {
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    let fn_at = tokens
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i == "fn"))?;
    // After `fn name`, skip generics (tracking `<`/`>` but not `->`) to the parenthesis.
    let mut depth = 0usize;
    let mut previous_dash = false;
    let mut params_at = None;
    for (i, token) in tokens.iter().enumerate().skip(fn_at + 2) {
        match token {
            TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
            TokenTree::Punct(p) if p.as_char() == '>' && !previous_dash => {
                depth = depth.saturating_sub(1)
            }
            TokenTree::Group(g) if depth == 0 && g.delimiter() == Delimiter::Parenthesis => {
                params_at = Some(i);
                break;
            }
            _ => {}
        }
        previous_dash = matches!(token, TokenTree::Punct(p) if p.as_char() == '-');
    }
    let params_at = params_at?;
    let TokenTree::Group(group) = &tokens[params_at] else {
        return None;
    };
    let mut stream = param;
    stream.extend(group.stream());
    let mut new_group = Group::new(Delimiter::Parenthesis, stream);
    new_group.set_span(group.span());
    tokens[params_at] = TokenTree::Group(new_group);
    unwrap_return_type(&mut tokens, params_at + 1);
    Some(tokens.into_iter().collect())
}

/// Rebuilding the item turns a `macro_rules!` `$ret:ty` fragment (an invisible group) into a
/// plain group that Rocket then sees through, and Rocket names its request variable at the
/// return type's span: the contents must keep the fragment's span (its hygiene) for that
/// name to resolve. So an invisible return type is replaced by its tokens, respanned.
fn unwrap_return_type(tokens: &mut Vec<TokenTree>, from: usize) {
    let arrow = tokens[from..].windows(2).position(|pair| {
        matches!(&pair[0], TokenTree::Punct(p) if p.as_char() == '-')
            && matches!(&pair[1], TokenTree::Punct(p) if p.as_char() == '>')
    });
    let Some(at) = arrow.map(|i| from + i + 2) else {
        return;
    };
    let Some(TokenTree::Group(group)) = tokens.get(at) else {
        return;
    };
    if group.delimiter() != Delimiter::None {
        return;
    }
    let span = group.span();
    let contents: Vec<TokenTree> = respan(group.stream(), span).into_iter().collect();
    tokens.splice(at..=at, contents);
}

fn respan(stream: TokenStream, span: Span) -> TokenStream {
    stream
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(group) = &token {
                let mut new = Group::new(group.delimiter(), respan(group.stream(), span));
                new.set_span(span);
                token = TokenTree::Group(new);
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parameter_goes_first_and_generics_are_skipped() {
        let item: TokenStream = quote!(
            #[get("/")]
            pub async fn handler<F: Fn(u8) -> u8>(x: F) -> String {
                String::new()
            }
        );
        let output = inject(item, quote!(p: P,))
            .expect("a parameter list")
            .to_string();
        assert!(output.contains("(p : P , x : F)"), "{output}");
    }
}
