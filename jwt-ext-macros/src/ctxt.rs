//! Error collection: every mistake of one macro input is reported in one build.

use proc_macro2::TokenStream;
use std::fmt::Display;

/// Gathers errors while parsing and validating; checked once before anything is generated.
#[derive(Default)]
pub(crate) struct Ctxt {
    errors: Vec<syn::Error>,
}

impl Ctxt {
    pub(crate) fn error(&mut self, spanned: impl quote::ToTokens, message: impl Display) {
        self.errors.push(syn::Error::new_spanned(spanned, message));
    }

    pub(crate) fn error_at(&mut self, span: proc_macro2::Span, message: impl Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    pub(crate) fn syn_error(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// `Err` with every error as `compile_error!` invocations, if there was any.
    pub(crate) fn check(self) -> Result<(), TokenStream> {
        let mut errors = self.errors.into_iter();
        let Some(mut first) = errors.next() else {
            return Ok(());
        };
        for error in errors {
            first.combine(error);
        }
        Err(first.to_compile_error())
    }
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a typo.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (distance(word, c), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

/// "unknown X `w`; did you mean `y`?" or the list of valid words.
pub(crate) fn unknown(what: &str, word: &str, valid: &[&str]) -> String {
    match closest(word, valid) {
        Some(guess) => format!("unknown {what} `{word}`; did you mean `{guess}`?"),
        None => format!(
            "unknown {what} `{word}`; expected one of {}",
            valid
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Prints an expansion when `JWT_EXT_DEBUG` is set, to see what a macro generated.
pub(crate) fn debug(name: &str, output: &TokenStream) {
    if std::env::var_os("JWT_EXT_DEBUG").is_some() {
        eprintln!("jwt-ext: expansion of {name}:\n{output}\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let options = ["optional", "fresh", "refresh", "locations"];
        assert_eq!(closest("frsh", &options), Some("fresh"));
        assert_eq!(closest("location", &options), Some("locations"));
        assert_eq!(closest("zzzzzz", &options), None);
    }
}
