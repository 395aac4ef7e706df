//! The query parameter (`query_string_name`, `query_string_value_prefix`).

use std::borrow::Cow;

use rocket::Request;

use super::{Found, Lookup};
use crate::config::Settings;
use crate::error::AuthError;
use crate::location::Location;

pub(super) fn lookup<'r>(
    req: &'r Request<'_>,
    settings: &Settings,
) -> Result<Lookup<'r>, AuthError> {
    let name = settings.query_string_name.as_str();
    if req
        .query_fields()
        .filter(|field| field.name == name)
        .nth(1)
        .is_some()
    {
        return Err(AuthError::BadHeader(Cow::Owned(format!(
            "Bad query string. Send one '{name}' query parameter, not several"
        ))));
    }
    let value = match req.query_value::<String>(name) {
        Some(Ok(value)) if !value.is_empty() => value,
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
