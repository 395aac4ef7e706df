//! CSRF double-submit protection for cookie tokens (SPEC §8).
//!
//! A cookie is sent by the browser whatever page made the request, so on state-changing
//! methods the client must also echo the token's signed `csrf` claim in a header, which only
//! scripts of the app's own origin can read from the CSRF cookie.

use subtle::ConstantTimeEq;

use crate::error::AuthError;
use crate::token::TokenData;

/// Checks the submitted value against the token's `csrf` claim.
///
/// `submitted` is `None` when the request needs no check (not a cookie token, or a method
/// outside `csrf_methods`), `Some(None)` when a check is due and nothing was submitted.
pub(crate) fn check(token: &TokenData, submitted: Option<Option<&str>>) -> Result<(), AuthError> {
    let Some(submitted) = submitted else {
        return Ok(());
    };
    let submitted = submitted.ok_or(AuthError::Csrf("Missing CSRF token"))?;
    let expected = token
        .csrf()
        .ok_or(AuthError::invalid("Missing claim: csrf"))?;
    if bool::from(expected.as_bytes().ct_eq(submitted.as_bytes())) {
        Ok(())
    } else {
        Err(AuthError::Csrf("CSRF double submit tokens do not match"))
    }
}
