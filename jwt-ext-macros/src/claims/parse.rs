//! The claims struct model: validators, and each field's names on the wire after serde's
//! renames, checked against the reserved claims.

use proc_macro2::Span;
use syn::{Data, Fields, LitStr, Member, Type};

use crate::ctxt::{unknown, Ctxt};

/// `#[claims(..)]` keys.
const VALIDATE: &str = "validate";
const CLAIMS_KEYS: [&str; 1] = [VALIDATE];

/// Claims a custom claim may not replace (kept in step with `jwt_ext::RESERVED_CLAIMS`).
const RESERVED: [&str; 11] = [
    "fresh", "iat", "jti", "type", "sub", "nbf", "csrf", "exp", "aud", "iss", "fam",
];

pub(crate) struct Model {
    pub(crate) validators: Vec<syn::Path>,
    pub(crate) field_validators: Vec<(Member, Type, syn::Path)>,
}

pub(crate) fn model(input: &syn::DeriveInput, ctxt: &mut Ctxt) -> Model {
    let mut model = Model {
        validators: claims_attrs(&input.attrs, ctxt),
        field_validators: Vec::new(),
    };
    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => fields,
            _ => {
                ctxt.error(
                    &input.ident,
                    "`#[derive(Claims)]` needs a struct with named fields: claims are a JSON object",
                );
                return model;
            }
        },
        _ => {
            ctxt.error(
                &input.ident,
                "`#[derive(Claims)]` works on structs with named fields: claims are a JSON object",
            );
            return model;
        }
    };
    let rename_all = serde_rename_all(&input.attrs);
    for field in &fields.named {
        let Some(ident) = &field.ident else { continue };
        for path in claims_attrs(&field.attrs, ctxt) {
            model
                .field_validators
                .push((Member::Named(ident.clone()), field.ty.clone(), path));
        }
        let serde = serde_field(&field.attrs);
        if serde.flatten || (serde.skip_serializing && serde.skip_deserializing) {
            continue;
        }
        let field_name = ident.to_string();
        let field_name = field_name.strip_prefix("r#").unwrap_or(&field_name);
        let mut names: Vec<(String, Span)> = Vec::new();
        match (&serde.rename_ser, &serde.rename_de) {
            (Some(ser), Some(de)) => {
                names.push((ser.value(), ser.span()));
                names.push((de.value(), de.span()));
            }
            (Some(one), None) | (None, Some(one)) => {
                names.push((one.value(), one.span()));
                names.push((rename_all.apply(field_name), ident.span()));
            }
            (None, None) => names.push((rename_all.apply(field_name), ident.span())),
        }
        names.extend(serde.aliases.iter().map(|a| (a.value(), a.span())));
        if let Some((name, span)) = names.iter().find(|(n, _)| RESERVED.contains(&n.as_str())) {
            ctxt.error_at(
                *span,
                format!(
                    "field `{field_name}` would be the claim `{name}`, which jwt-ext sets itself; \
                     rename it (e.g. `#[serde(rename = \"{name}_\")]`)"
                ),
            );
        }
    }
    model
}

/// Every `validate = path` of the `#[claims(..)]` attributes; other keys are errors.
fn claims_attrs(attrs: &[syn::Attribute], ctxt: &mut Ctxt) -> Vec<syn::Path> {
    let mut validators: Vec<syn::Path> = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("claims")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            if key != VALIDATE {
                ctxt.error(&meta.path, unknown("`claims` key", &key, &CLAIMS_KEYS));
                // Consume a value so the remaining keys still parse.
                if meta.input.peek(syn::Token![=]) {
                    meta.value()?.parse::<syn::Expr>()?;
                }
                return Ok(());
            }
            let path: syn::Path = meta.value()?.parse()?;
            if !validators.is_empty() {
                ctxt.error(
                    &path,
                    "duplicate `validate`; write one validator that runs the others",
                );
            }
            validators.push(path);
            Ok(())
        });
        if let Err(e) = result {
            ctxt.syn_error(e);
        }
    }
    validators
}

/// serde's field attributes that change the claim name.
#[derive(Default)]
struct SerdeField {
    rename_ser: Option<LitStr>,
    rename_de: Option<LitStr>,
    aliases: Vec<LitStr>,
    skip_serializing: bool,
    skip_deserializing: bool,
    flatten: bool,
}

/// Reads `#[serde(..)]` leniently: unknown keys and unparsable attributes are left to serde.
fn serde_field(attrs: &[syn::Attribute]) -> SerdeField {
    let mut field = SerdeField::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                if meta.input.peek(syn::Token![=]) {
                    let name: LitStr = meta.value()?.parse()?;
                    field.rename_ser = Some(name.clone());
                    field.rename_de = Some(name);
                } else {
                    meta.parse_nested_meta(|inner| {
                        let name: LitStr = inner.value()?.parse()?;
                        if inner.path.is_ident("serialize") {
                            field.rename_ser = Some(name);
                        } else if inner.path.is_ident("deserialize") {
                            field.rename_de = Some(name);
                        }
                        Ok(())
                    })?;
                }
            } else if meta.path.is_ident("alias") {
                field.aliases.push(meta.value()?.parse()?);
            } else if meta.path.is_ident("skip") {
                field.skip_serializing = true;
                field.skip_deserializing = true;
            } else if meta.path.is_ident("skip_serializing") {
                field.skip_serializing = true;
            } else if meta.path.is_ident("skip_deserializing") {
                field.skip_deserializing = true;
            } else if meta.path.is_ident("flatten") {
                field.flatten = true;
            } else {
                skip_value(&meta)?;
            }
            Ok(())
        });
    }
    field
}

/// Consumes `= value` or `(..)` of a key we do not read.
fn skip_value(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _content;
        syn::parenthesized!(_content in meta.input);
    }
    Ok(())
}

/// serde's `rename_all` rules, applied to snake_case field names.
#[derive(Clone, Copy, Default)]
enum RenameAll {
    #[default]
    None,
    Lower,
    Upper,
    Pascal,
    Camel,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

impl RenameAll {
    fn parse(rule: &str) -> Self {
        match rule {
            "lowercase" => RenameAll::Lower,
            "UPPERCASE" => RenameAll::Upper,
            "PascalCase" => RenameAll::Pascal,
            "camelCase" => RenameAll::Camel,
            "SCREAMING_SNAKE_CASE" => RenameAll::ScreamingSnake,
            "kebab-case" => RenameAll::Kebab,
            "SCREAMING-KEBAB-CASE" => RenameAll::ScreamingKebab,
            _ => RenameAll::None,
        }
    }

    fn apply(self, field: &str) -> String {
        let pascal = || {
            field
                .split('_')
                .map(|word| {
                    let mut chars = word.chars();
                    chars
                        .next()
                        .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                        .unwrap_or_default()
                })
                .collect::<String>()
        };
        match self {
            RenameAll::None => field.to_owned(),
            RenameAll::Lower => field.to_ascii_lowercase(),
            RenameAll::Upper | RenameAll::ScreamingSnake => field.to_ascii_uppercase(),
            RenameAll::Pascal => pascal(),
            RenameAll::Camel => {
                let pascal = pascal();
                let mut chars = pascal.chars();
                chars
                    .next()
                    .map(|c| c.to_lowercase().chain(chars).collect())
                    .unwrap_or_default()
            }
            RenameAll::Kebab => field.replace('_', "-"),
            RenameAll::ScreamingKebab => field.replace('_', "-").to_ascii_uppercase(),
        }
    }
}

/// The struct's `rename_all` (its serialize form when the two differ).
fn serde_rename_all(attrs: &[syn::Attribute]) -> RenameAll {
    let mut rule = RenameAll::None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename_all") {
                if meta.input.peek(syn::Token![=]) {
                    rule = RenameAll::parse(&meta.value()?.parse::<LitStr>()?.value());
                } else {
                    meta.parse_nested_meta(|inner| {
                        let value: LitStr = inner.value()?.parse()?;
                        if inner.path.is_ident("serialize") {
                            rule = RenameAll::parse(&value.value());
                        }
                        Ok(())
                    })?;
                }
            } else {
                skip_value(&meta)?;
            }
            Ok(())
        });
    }
    rule
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rename_rules() {
        assert_eq!(RenameAll::Camel.apply("token_type"), "tokenType");
        assert_eq!(RenameAll::Pascal.apply("token_type"), "TokenType");
        assert_eq!(RenameAll::Kebab.apply("a_b"), "a-b");
        assert_eq!(RenameAll::ScreamingKebab.apply("a_b"), "A-B");
        assert_eq!(RenameAll::Lower.apply("Exp"), "exp");
    }
}
