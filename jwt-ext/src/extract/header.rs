//! The `Authorization` header (`header_name`, `header_type`), with Flask's rules and messages.

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
