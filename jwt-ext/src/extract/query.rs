//! The query parameter (`query_string_name`, `query_string_value_prefix`).

use std::borrow::Cow;

use rocket::Request;

use rocket::http::uri::Origin;

use super::redact::OriginalQuery;
use super::{Found, Lookup};
use crate::config::Settings;
use crate::error::AuthError;
use crate::location::Location;

pub(super) fn lookup<'r>(
    req: &'r Request<'_>,
    settings: &Settings,
) -> Result<Lookup<'r>, AuthError> {
    let name = settings.query_string_name.as_str();
    // The query as it arrived: the redaction fairing may have replaced the token in the URI.
    let original = &req.local_cache(|| OriginalQuery(None)).0;
    let parsed = original
        .as_ref()
        .and_then(|query| Origin::parse_owned(format!("/?{query}")).ok());
    let query = match &parsed {
        Some(origin) => origin.query(),
        None => req.uri().query(),
    };
    let mut values = query
        .iter()
        .flat_map(|query| query.segments())
        .filter(|(field, _)| *field == name)
        .map(|(_, value)| value);
    let (first, second) = (values.next(), values.next());
    if second.is_some() {
        return Err(AuthError::BadHeader(Cow::Owned(format!(
            "Bad query string. Send one '{name}' query parameter, not several"
        ))));
    }
    let value = match first {
        Some(value) if !value.is_empty() => value.to_owned(),
        _ => return Ok(Lookup::Absent(format!("Missing '{name}' query parameter"))),
    };
    let prefix = settings.query_string_value_prefix.as_str();
    let Some(token) = value.strip_prefix(prefix) else {
        return Err(AuthError::BadHeader(Cow::Owned(format!(
            "Invalid value for query parameter '{name}'. Expected the value to start with '{prefix}'"
        ))));
    };
    Ok(Lookup::Found(Found {
        token: Cow::Owned(token.to_owned()),
        location: Location::QueryString,
        csrf: None,
    }))
}
