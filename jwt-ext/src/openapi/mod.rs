//! OpenAPI for `rocket_okapi` 0.9 (feature `openapi`): every guard and route attribute states
//! its credentials and refusals, and [`describe`] turns them into the security schemes of the
//! app's configured locations.
//!
//! A guard cannot know the app's configuration when the document is generated (before
//! ignition), nor the operation's method, so guards record the route's policy as a marker
//! requirement (`jwt-ext.access`, `jwt-ext.refresh.optional`, ...); [`describe`] reads the
//! `jwt` configuration and replaces each marker with the requirements a client must meet:
//!
//! | location | security scheme |
//! |---|---|
//! | `headers` | HTTP `bearer`, format JWT (`header_name` other than `Authorization`: an API key in that header) |
//! | `cookies` | API key in the access (or refresh) cookie, **and** the CSRF header on `csrf_methods` when `cookie_csrf_protect` |
//! | `query_string` | API key in the `query_string_name` parameter |
//! | `json` | the request body (a [`JsonToken`](crate::JsonToken) documents it) |
//!
//! Several locations become alternatives, and an optional route (`OptionalToken`,
//! `#[jwt_required(optional)]`) also allows no credentials (`{}`). Refusals are documented on
//! every guarded operation: 401 and 422, 503 when the revocation store is consulted, 403 when the
//! route has roles, scopes or checks, 400 when custom claims are validated.
//!
//! Order the attributes `#[jwt_required]`, then `#[openapi]`, then Rocket's route attribute, so
//! the documented handler has the route attribute's guard.
//!
//! ```no_run
//! use jwt_ext::{jwt_required, Auth, Token};
//! use rocket::get;
//! use rocket_okapi::{openapi, openapi_get_routes_spec};
//!
//! #[jwt_required]
//! #[openapi] // rocket_okapi finds the route attribute by its bare name: `get`, not `rocket::get`
//! #[get("/protected")]
//! fn protected(token: Token) -> String {
//!     token.identity().to_owned()
//! }
//!
//! #[rocket::launch]
//! fn rocket() -> _ {
//!     let figment = rocket::Config::figment();
//!     let (routes, mut spec) = openapi_get_routes_spec![protected];
//!     jwt_ext::openapi::describe(&mut spec, &figment).expect("a valid `jwt` configuration");
//!     rocket::custom(figment)
//!         .attach(Auth::fairing())
//!         .mount("/", routes)
//!         .mount("/", vec![rocket_okapi::handlers::OpenApiHandler::new(spec).into_route("/openapi.json")])
//! }
//! ```

mod describe;
mod guards;

pub use describe::describe;

use rocket_okapi::okapi::openapi3::{MediaType, RefOr, Response, Responses};
use rocket_okapi::okapi::schemars::schema::{InstanceType, ObjectValidation, Schema, SchemaObject};

use crate::location::Location;
use crate::policy::Policy;

/// The prefix of the marker requirements guards record.
const MARKER: &str = "jwt-ext";

/// The marker for `policy`; `None`: the route attribute's policy, else an access token.
/// `optional`: the guard itself takes no token as an answer (`OptionalToken`).
fn marker(policy: Option<&Policy>, optional: bool) -> String {
    let Some(policy) = policy else {
        let optional = if optional { ".optional" } else { "" };
        return format!("{MARKER}.route{optional}");
    };
    let kind = match policy.kind {
        Some(crate::TokenType::Access) => "access",
        Some(crate::TokenType::Refresh) => "refresh",
        None => "any",
    };
    let mut name = format!("{MARKER}.{kind}");
    if policy.optional || optional {
        name.push_str(".optional");
    }
    if let Some(locations) = policy.locations {
        for location in locations {
            name.push('.');
            name.push_str(location.as_str());
        }
    }
    name
}

/// A marker read back: the token type (`None`: either), optional, the route's own locations.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Marked {
    /// `None` for the `route` marker: the route attribute's, else an access token.
    kind: Option<Option<crate::TokenType>>,
    optional: bool,
    locations: Vec<Location>,
}

fn parse_marker(name: &str) -> Option<Marked> {
    let mut parts = name.strip_prefix(MARKER)?.strip_prefix('.')?.split('.');
    let kind = match parts.next()? {
        "route" => None,
        "access" => Some(Some(crate::TokenType::Access)),
        "refresh" => Some(Some(crate::TokenType::Refresh)),
        "any" => Some(None),
        _ => return None,
    };
    let mut marked = Marked {
        kind,
        optional: false,
        locations: Vec::new(),
    };
    for part in parts {
        match part {
            "optional" => marked.optional = true,
            location => marked.locations.push(location.parse().ok()?),
        }
    }
    Some(marked)
}

/// Every refusal jwt-ext answers, by status: one description each, so that the guards' and the
/// responders' responses merge without conflict.
const REFUSALS: [(&str, &str, &str); 5] = [
    (
        "400",
        "User claims verification failed",
        "User claims verification failed",
    ),
    (
        "401",
        "Missing, expired, revoked or not fresh token; CSRF failure",
        "Missing Authorization Header",
    ),
    (
        "403",
        "Insufficient permissions",
        "Insufficient permissions",
    ),
    (
        "422",
        "Malformed or unacceptable token, or a token of the wrong type",
        "Signature verification failed",
    ),
    (
        "503",
        "The revocation store or the token issuer's keys are unavailable",
        "Token revocation store unavailable",
    ),
];

/// The refusals a guard with `policy` can answer, as documented responses.
fn refusals(policy: Option<&Policy>, validates_claims: bool) -> Responses {
    let revocation = policy.is_none_or(|policy| policy.check_revocation);
    let authorizes = policy.is_some_and(|policy| {
        !policy.roles.is_empty() || !policy.scopes.is_empty() || !policy.checks.is_empty()
    });
    let codes: Vec<_> = REFUSALS
        .into_iter()
        .filter(|(code, ..)| match *code {
            "400" => validates_claims,
            "403" => authorizes,
            "503" => revocation,
            _ => true,
        })
        .collect();
    documented(&codes)
}

/// [`REFUSALS`], or some of them, as responses.
fn documented(refusals: &[(&str, &str, &str)]) -> Responses {
    let mut responses = Responses::default();
    for (code, description, example) in refusals {
        let response = error_response(description, example);
        responses
            .responses
            .insert((*code).to_owned(), RefOr::Object(response));
    }
    responses
}

/// Responses with jwt-ext's error body (`{"msg": "..."}`) for these status codes and
/// descriptions: for an app's own responders that answer in jwt-ext's shape.
///
/// ```
/// let responses = jwt_ext::openapi::responses(&[("401", "Bad username or password")]);
/// assert!(responses.responses.contains_key("401"));
/// ```
pub fn responses(codes: &[(&str, &str)]) -> Responses {
    let refusals: Vec<_> = codes
        .iter()
        .map(|(code, description)| (*code, *description, *description))
        .collect();
    documented(&refusals)
}

fn error_response(description: &str, example: &str) -> Response {
    let message = SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        ..SchemaObject::default()
    };
    let body = SchemaObject {
        instance_type: Some(InstanceType::Object.into()),
        object: Some(Box::new(ObjectValidation {
            additional_properties: Some(Box::new(Schema::Object(message))),
            ..ObjectValidation::default()
        })),
        ..SchemaObject::default()
    };
    let mut response = Response {
        description: description.to_owned(),
        ..Response::default()
    };
    let media = MediaType {
        schema: Some(body),
        example: Some(serde_json::json!({ "msg": example })),
        ..MediaType::default()
    };
    response
        .content
        .insert("application/json".to_owned(), media);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_read_back_as_written() {
        const HEADERS: &[Location] = &[Location::Headers, Location::QueryString];
        let cases = [
            (
                Some(Policy::access()),
                Some(Some(crate::TokenType::Access)),
                false,
                vec![],
            ),
            (
                Some(Policy::refresh().optional()),
                Some(Some(crate::TokenType::Refresh)),
                true,
                vec![],
            ),
            (
                Some(Policy::any_type().locations(HEADERS)),
                Some(None),
                false,
                HEADERS.to_vec(),
            ),
            (None, None, false, vec![]),
        ];
        for (policy, kind, optional, locations) in cases {
            let name = marker(policy.as_ref(), false);
            let expected = Marked {
                kind,
                optional,
                locations,
            };
            assert_eq!(parse_marker(&name), Some(expected), "{name}");
        }
        let optional = parse_marker(&marker(None, true)).map(|marked| marked.optional);
        assert_eq!(optional, Some(true));
        assert_eq!(parse_marker("bearerAuth"), None);
        assert_eq!(parse_marker("jwt-ext.access.nowhere"), None);
    }
}
