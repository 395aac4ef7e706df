//! Where tokens are found (SPEC §8): the Authorization header, cookies, the query string and
//! the JSON body, with Flask-JWT-Extended's parsing rules and messages.
//!
//! Locations are tried in order and only "not present here" moves on to the next; any other
//! problem (a malformed header, say) is the answer.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use rocket::Request;

use crate::config::Settings;
use crate::error::AuthError;
use crate::token::kind::{PerKind, TokenType};

/// A place a token can travel in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Location {
    /// The configured header (`Authorization: Bearer <JWT>` by default).
    Headers,
    /// The access or refresh cookie, with CSRF double-submit protection.
    Cookies,
    /// A query parameter (`?jwt=<JWT>` by default).
    QueryString,
    /// A key of a JSON request body; read by the [`JsonToken`](crate::JsonToken) data guard.
    Json,
}

impl Location {
    /// The configuration name of this location.
    pub const fn as_str(self) -> &'static str {
        match self {
            Location::Headers => "headers",
            Location::Cookies => "cookies",
            Location::QueryString => "query_string",
            Location::Json => "json",
        }
    }

    /// Every location, in the order of their configuration names.
    const ALL: [Location; 4] = [
        Location::Headers,
        Location::Cookies,
        Location::QueryString,
        Location::Json,
    ];
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Location {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Location::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown location `{s}`; use `headers`, `cookies`, `query_string` or `json`"
                )
            })
    }
}

/// A token found in a request, with the CSRF value sent beside a cookie token.
pub(crate) struct Found<'r> {
    pub(crate) token: Cow<'r, str>,
    pub(crate) location: Location,
    /// For cookie tokens on a CSRF-protected method: the submitted CSRF value, if any.
    pub(crate) csrf: Option<Option<&'r str>>,
}

/// One location's answer: found, absent (with the message explaining where we looked) or a
/// definite error.
enum Lookup<'r> {
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
            Location::Headers => from_header(req, settings)?,
            Location::Cookies => from_cookie(req, settings, kind),
            Location::QueryString => from_query(req, settings)?,
            Location::Json => from_json(settings, kind, body),
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

fn from_header<'r>(req: &'r Request<'_>, settings: &Settings) -> Result<Lookup<'r>, AuthError> {
    let mut values = req.headers().get(&settings.header_name);
    let value = values.next().unwrap_or("");
    if values.next().is_some() {
        // Two headers may carry two tokens, and proxies disagree on which one counts.
        let name = &settings.header_name;
        return Err(AuthError::BadHeader(Cow::Owned(format!(
            "Bad {name} header. Send one '{name}' header, not several"
        ))));
    }
    Ok(match parse_header(settings, value)? {
        Some(token) => Lookup::Found(Found {
            token: Cow::Borrowed(token),
            location: Location::Headers,
            csrf: None,
        }),
        None => Lookup::Absent(missing_header_message(settings, value)),
    })
}

fn missing_header_message(settings: &Settings, value: &str) -> String {
    let (name, kind) = (&settings.header_name, &settings.header_type);
    if value.trim().trim_matches(',').is_empty() {
        format!("Missing {name} Header")
    } else {
        format!("Missing '{kind}' type in '{name}' header. Expected '{name}: {kind} <JWT>'")
    }
}

/// The token in an `Authorization`-style header value, with Flask's rules: `None` when the
/// header holds no credential of the configured type (absent), an error when it is malformed.
pub(crate) fn parse_header<'v>(
    settings: &Settings,
    value: &'v str,
) -> Result<Option<&'v str>, AuthError> {
    let value = value.trim().trim_matches(',');
    if value.is_empty() {
        return Ok(None);
    }
    match single_credential(value, &settings.header_type) {
        Some(token) => Ok(Some(token)),
        None => credential(settings, value),
    }
}

/// Flask's rules for a trimmed, non-empty header value.
fn credential<'v>(settings: &Settings, value: &'v str) -> Result<Option<&'v str>, AuthError> {
    let name = settings.header_name.as_str();
    let kind = settings.header_type.as_str();
    let token = if kind.is_empty() {
        let mut parts = words(value);
        match (parts.next(), parts.next()) {
            (Some(token), None) => token,
            _ => {
                return Err(AuthError::BadHeader(Cow::Owned(format!(
                    "Bad {name} header. Expected '{name}: <JWT>'"
                ))))
            }
        }
    } else {
        // A header may hold several comma-separated credentials; exactly one must be ours.
        let mut ours = split_credentials(value).filter(|field| words(field).next() == Some(kind));
        let (Some(field), None) = (ours.next(), ours.next()) else {
            return Ok(None);
        };
        let mut parts = words(field).skip(1);
        match (parts.next(), parts.next()) {
            (Some(token), None) => token,
            _ => {
                return Err(AuthError::BadHeader(Cow::Owned(format!(
                    "Bad {name} header. Expected '{name}: {kind} <JWT>'"
                ))))
            }
        }
    };
    Ok(Some(token))
}

/// The usual header, `<kind> <token>` with one space and a token of visible ASCII without
/// commas, read without splitting: what the general rules below give for it.
fn single_credential<'v>(value: &'v str, kind: &str) -> Option<&'v str> {
    let token = match kind {
        "" => value,
        kind => value.strip_prefix(kind)?.strip_prefix(' ')?,
    };
    // One pass without early exit, so it compiles to a vector loop over the token.
    let odd = token.bytes().fold(false, |odd, b| {
        odd | (b <= b' ') | (b >= 0x7f) | (b == b',')
    });
    (!token.is_empty() && !odd).then_some(token)
}

/// The whitespace-separated words of `text`, as `str::split_whitespace` gives them. A token is
/// hundreds of bytes and every guard reads the header, so an ASCII value (the usual one) is
/// scanned byte by byte; only a value with other characters takes the Unicode-aware path.
fn words(text: &str) -> impl Iterator<Item = &str> {
    let ascii = text.is_ascii();
    let mut rest = text;
    let mut unicode = (!ascii).then(|| text.split_whitespace());
    std::iter::from_fn(move || {
        if let Some(words) = &mut unicode {
            return words.next();
        }
        // `char::is_whitespace` on ASCII: space, \t, \n, \x0B, \x0C, \r.
        let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r');
        let start = rest.bytes().position(|b| !space(&b))?;
        let len = rest.as_bytes()[start..]
            .iter()
            .position(space)
            .unwrap_or(rest.len() - start);
        let word = &rest[start..start + len];
        rest = &rest[start + len..];
        Some(word)
    })
}

/// Splits on commas followed by optional whitespace, like Flask's `re.split(r",\s*", ..)`.
fn split_credentials(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(',')
        .map(str::trim_start)
        .filter(|s| !s.is_empty())
}

fn from_cookie<'r>(req: &'r Request<'_>, settings: &Settings, kind: TokenType) -> Lookup<'r> {
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

fn from_query<'r>(req: &'r Request<'_>, settings: &Settings) -> Result<Lookup<'r>, AuthError> {
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

/// What the [`JsonToken`](crate::JsonToken) data guard read from the body.
pub(crate) enum JsonBody {
    /// The request is `application/json`; these are the access and refresh token values of
    /// its top-level object (`None` when absent, not strings, or the body is not an object).
    Json(PerKind<Option<String>>),
    /// The request is not `application/json`.
    WrongContentType,
}

fn from_json<'r>(settings: &Settings, kind: TokenType, body: Option<&JsonBody>) -> Lookup<'r> {
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

#[cfg(test)]
mod tests {
    use super::{credential, single_credential, words};
    use crate::config::{Config, Settings};

    #[test]
    fn the_fast_path_reads_what_the_general_rules_read() {
        let inputs = [
            "Bearer abc.def.ghi",
            "Bearer a,b",
            "Bearer  abc",
            "Bearer\tabc",
            "Bearer abc def",
            "Bearer é",
            "Bearerabc",
            "Basic abc",
            "abc",
            "Bearer a\u{7f}",
        ];
        for kind in ["Bearer", ""] {
            let settings = Settings::from_config(Config {
                secret_key: Some("s".repeat(32)),
                header_type: kind.to_owned(),
                ..Config::default()
            })
            .expect("valid");
            for input in inputs {
                if let Some(fast) = single_credential(input, kind) {
                    assert_eq!(
                        credential(&settings, input),
                        Ok(Some(fast)),
                        "{kind:?} {input:?}"
                    );
                }
            }
            let usual = format!("{kind} abc");
            let usual = usual.trim_start();
            assert_eq!(single_credential(usual, kind), Some("abc"), "{kind:?}");
        }
    }

    #[test]
    fn words_are_split_whitespace_on_every_input() {
        let inputs = [
            "Bearer abc",
            "  Bearer\t\tabc  def ",
            "a\u{0B}b\u{0C}c\rd\ne",
            "Bearer\u{A0}abc",
            "Bearer \u{2003} abc é",
            "",
            "   ",
            "\u{1C}x\u{1F}",
        ];
        for input in inputs {
            let ours: Vec<&str> = words(input).collect();
            let std: Vec<&str> = input.split_whitespace().collect();
            assert_eq!(ours, std, "{input:?}");
        }
    }
}
