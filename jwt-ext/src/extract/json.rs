//! The JSON body's `access_token` / `refresh_token` key, which only a data guard can read.

use std::borrow::Cow;

use rocket::Request;

use super::{Found, Lookup};
use crate::config::Settings;
use crate::kind::{PerKind, TokenType};
use crate::location::Location;

/// What the [`JsonToken`](crate::JsonToken) data guard read from the body.
pub(crate) enum JsonBody {
    /// The request is `application/json`; these are the access and refresh token values of
    /// its top-level object (`None` when absent, not strings, or the body is not an object).
    Json(PerKind<Option<String>>),
    /// The request is not `application/json`.
    WrongContentType,
}

pub(super) fn lookup<'r>(
    settings: &Settings,
    kind: TokenType,
    body: Option<&JsonBody>,
) -> Lookup<'r> {
    let key = &settings.names.get(kind).json_key;
    let token = match body {
        Some(JsonBody::Json(tokens)) => tokens.get(kind).as_ref(),
        Some(JsonBody::WrongContentType) => {
            return Lookup::Absent("Invalid content-type. Must be application/json.".into())
        }
        // Request guards cannot read the body; only `JsonToken` passes one.
        None => None,
    };
    match token {
        Some(token) if !token.is_empty() => Lookup::Found(Found {
            token: Cow::Owned(token.clone()),
            location: Location::Json,
            csrf: None,
        }),
        _ => Lookup::Absent(format!("Missing \"{key}\" key in json data.")),
    }
}

/// Reads a JSON body within Rocket's `json` limit; anything else (another content type, bad
/// JSON, a body over the limit) is simply a body without a token.
pub(crate) async fn read_json_body(
    req: &Request<'_>,
    data: rocket::Data<'_>,
    settings: &Settings,
) -> (JsonBody, serde_json::Value) {
    if !req.content_type().is_some_and(|ct| ct.is_json()) {
        return (JsonBody::WrongContentType, serde_json::Value::Null);
    }
    let limit = req
        .limits()
        .get("json")
        .unwrap_or(rocket::data::Limits::JSON);
    let body = match data.open(limit).into_bytes().await {
        Ok(bytes) if bytes.is_complete() => serde_json::from_slice(&bytes).unwrap_or_default(),
        _ => serde_json::Value::Null,
    };
    let value = |key: &str| {
        body.get(key)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let names = &settings.names;
    let found = JsonBody::Json(PerKind {
        access: value(&names.access.json_key),
        refresh: value(&names.refresh.json_key),
    });
    (found, body)
}
