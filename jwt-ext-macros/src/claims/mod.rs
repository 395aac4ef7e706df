//! `#[derive(Claims)]`: parse the struct and its serde and claims attributes, check that no
//! field lands on a reserved claim, then implement `Claims` with the validators.

mod parse;

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ctxt::{debug, Ctxt};
use crate::paths;

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let mut ctxt = Ctxt::default();
    let input = match syn::parse2::<syn::DeriveInput>(input) {
        Ok(input) => input,
        Err(e) => return e.to_compile_error(),
    };
    let model = parse::model(&input, &mut ctxt);
    let output = match ctxt.check() {
        Ok(()) => implementation(&input, &model),
        // A stub keeps the user's other code type-checking: one error, not a cascade.
        Err(errors) => {
            let stub = stub(&input);
            quote!(#errors #stub)
        }
    };
    debug("derive(Claims)", &output);
    output
}

fn stub(input: &syn::DeriveInput) -> TokenStream {
    let private = paths::private(Span::call_site());
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        impl #impl_generics #private::Claims for #name #ty_generics #where_clause {}
    }
}

fn implementation(input: &syn::DeriveInput, model: &parse::Model) -> TokenStream {
    let private = paths::private(Span::call_site());
    let name = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    // Each validator call is spanned at its path, so a missing function or a wrong signature
    // is reported there.
    let struct_checks = model
        .validators
        .iter()
        .map(|path| quote_spanned!(path.span()=> #private::validate::<Self, _>(#path, self)?;));
    let field_checks = model.field_validators.iter().map(|(member, ty, path)| {
        quote_spanned!(path.span()=> #private::validate::<#ty, _>(#path, &self.#member)?;)
    });
    quote! {
        #[automatically_derived]
        impl #impl_generics #private::Claims for #name #ty_generics #where_clause {
            fn validate(&self) -> ::core::result::Result<(), #private::ClaimsError> {
                #(#struct_checks)*
                #(#field_checks)*
                ::core::result::Result::Ok(())
            }
        }
    }
}
