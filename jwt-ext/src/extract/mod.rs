//! Finding a request's token (SPEC §8): the Authorization header, cookies, the query string
//! and the JSON body, with Flask-JWT-Extended's parsing rules and messages.
//!
//! Locations are tried in order and only "not present here" moves on to the next; any other
//! problem (a malformed header, say) is the answer.

mod cookie;
mod header;
mod json;
mod query;
mod redact;

use std::borrow::Cow;

use rocket::Request;

use crate::config::Settings;
use crate::error::AuthError;
use crate::kind::TokenType;
use crate::location::Location;

pub(crate) use header::parse_header;
pub(crate) use json::{read_json_body, JsonBody};
pub(crate) use redact::QueryRedaction;

/// A token found in a request, with the CSRF value sent beside a cookie token.
pub(crate) struct Found<'r> {
    pub(crate) token: Cow<'r, str>,
    pub(crate) location: Location,
    /// For cookie tokens on a CSRF-protected method: the submitted CSRF value, if any.
    pub(crate) csrf: Option<Option<&'r str>>,
}

/// One location's answer: found, absent (with the message explaining where we looked) or a
/// definite error.
pub(crate) enum Lookup<'r> {
    Found(Found<'r>),
    Absent(String),
}

/// Looks for a token in `locations`, in order. `body_token` is the token a data guard read
/// from the JSON body, if any (request guards cannot see the body).
pub(crate) fn find<'r>(
    req: &'r Request<'_>,
    settings: &Settings,
    locations: &[Location],
    kind: TokenType,
    body: Option<&JsonBody>,
) -> Result<Found<'r>, AuthError> {
    // Allocated only when a location holds nothing: the common case finds the first.
    let mut absent = Vec::new();
    for &location in locations {
        let lookup = match location {
            Location::Headers => header::lookup(req, settings)?,
            Location::Cookies => cookie::lookup(req, settings, kind),
            Location::QueryString => query::lookup(req, settings)?,
            Location::Json => json::lookup(settings, kind, body),
        };
        match lookup {
            Lookup::Found(found) => return Ok(found),
            Lookup::Absent(message) => absent.push(message),
        }
    }
    Err(AuthError::Missing(Cow::Owned(missing_message(
        locations, absent,
    ))))
}

/// Flask's message: the single location's message, or all of them combined.
fn missing_message(locations: &[Location], mut absent: Vec<String>) -> String {
    match locations {
        [_] => absent.pop().unwrap_or_default(),
        [init @ .., last] => {
            let start = init
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            format!("Missing JWT in {start} or {last} ({})", absent.join("; "))
        }
        [] => String::from("Missing JWT"),
    }
}
