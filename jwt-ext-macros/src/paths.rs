//! The absolute paths generated code may use: every one goes through the runtime crate's
//! hidden `__private` module, so generated code type-checks against one stable surface.

use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;

pub(crate) fn private(span: Span) -> TokenStream {
    quote_spanned!(span=> ::jwt_ext::__private)
}
