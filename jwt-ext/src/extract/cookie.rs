//! The access or refresh cookie, and the CSRF value due beside it.

use std::borrow::Cow;

use rocket::Request;

use super::{Found, Lookup};
use crate::config::Settings;
use crate::kind::TokenType;
use crate::location::Location;

pub(super) fn lookup<'r>(req: &'r Request<'_>, settings: &Settings, kind: TokenType) -> Lookup<'r> {
    let names = settings.names.get(kind);
    let Some(cookie) = req
        .cookies()
        .get(&names.cookie)
        .filter(|c| !c.value().is_empty())
    else {
        return Lookup::Absent(format!("Missing cookie \"{}\"", names.cookie));
    };
    let csrf = (settings.csrf_protect && csrf_due(req, settings)).then(|| {
        let header = req.headers().get_one(&names.csrf_header);
        header
            .or_else(|| crate::csrf::form_value(req, kind))
            .filter(|v| !v.is_empty())
    });
    Lookup::Found(Found {
        token: Cow::Borrowed(cookie.value()),
        location: Location::Cookies,
        csrf,
    })
}

/// Whether this request must pass the CSRF check. Rocket rewrites a form POST carrying
/// `_method=...` before guards run, so a form request is judged as the POST it was: the
/// override never skips the check.
fn csrf_due(req: &Request<'_>, settings: &Settings) -> bool {
    let methods = &settings.csrf_methods;
    let was_form_post = req.content_type().is_some_and(|ct| ct.is_form());
    methods.contains(&req.method())
        || (was_form_post && methods.contains(&rocket::http::Method::Post))
}
