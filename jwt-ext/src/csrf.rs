//! CSRF double-submit protection for cookie tokens (SPEC §8).
//!
//! A cookie is sent by the browser whatever page made the request, so on state-changing
//! methods the client must also echo the token's signed `csrf` claim in a header, which only
//! scripts of the app's own origin can read from the CSRF cookie.

use rocket::data::Data;
use rocket::form::Form;
use rocket::Request;
use subtle::ConstantTimeEq;

use crate::config::Settings;
use crate::error::AuthError;
use crate::kind::{PerKind, TokenType};
use crate::token::TokenData;

/// How much of a form body is searched for the CSRF field: what Rocket lets a fairing peek.
const PEEK: usize = 512;

/// The CSRF fields of a form body, read before the guards run.
#[derive(Default)]
struct FormCsrf(PerKind<Option<String>>);

/// With `csrf_check_form`, reads the CSRF fields of an urlencoded form body (Flask's
/// `JWT_CSRF_CHECK_FORM`) from its first 512 bytes, where Rocket lets a request fairing look
/// without consuming the body: put the hidden CSRF input first in the form.
pub(crate) async fn read_form(settings: &Settings, req: &mut Request<'_>, data: &mut Data<'_>) {
    let is_form = req.content_type().is_some_and(|ct| ct.is_form());
    if !settings.csrf_check_form || !settings.csrf_protect || !is_form {
        return;
    }
    let peeked = data.peek(PEEK).await;
    let Ok(text) = std::str::from_utf8(peeked) else {
        return;
    };
    let mut found = FormCsrf::default();
    for field in Form::values(text) {
        for kind in TokenType::BOTH {
            if field.name == settings.names.get(kind).csrf_field.as_str() {
                found
                    .0
                    .get_mut(kind)
                    .get_or_insert_with(|| field.value.to_owned());
            }
        }
    }
    req.local_cache(|| found);
}

/// The form field's CSRF value for a token of `kind`, if `read_form` found one.
pub(crate) fn form_value<'r>(req: &'r Request<'_>, kind: TokenType) -> Option<&'r str> {
    req.local_cache(FormCsrf::default).0.get(kind).as_deref()
}

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
