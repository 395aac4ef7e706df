//! The verification pipeline up to audience and issuer (SPEC §4), in its order: length cap →
//! structure, base64, JSON → header policy → signature → time claims → identity → audience and
//! issuer → claim types. No store is touched here.
//!
//! Header and payload are scanned once each: the claims we check are captured as raw JSON and
//! typed one by one, everything else is validated and skipped, and the full maps are only built
//! if someone asks for them.

use std::borrow::Cow;
use std::fmt;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine};
use jsonwebtoken::Algorithm;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{Freshness, TokenData, TokenType};
use crate::config::Settings;
use crate::error::AuthError;

/// Header parameters that change how a token must be processed; we support none of them, and a
/// token that needs one is refused rather than half-understood (RFC 7515 §4.1.11, RFC 7797).
pub(crate) const FORBIDDEN_HEADERS: [&str; 7] = ["crit", "jwk", "jku", "x5u", "x5c", "b64", "zip"];

/// PyJWT accepts base64url with or without padding; so do we.
const B64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Options of one decode.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DecodeOptions {
    pub(crate) allow_expired: bool,
}

/// The three parts of a compact JWS, decoded from base64 but not verified.
pub(crate) struct Parts<'t> {
    pub(crate) header_json: String,
    pub(crate) payload_json: String,
    signing_input: &'t str,
    signature: &'t str,
}

/// Length cap, structure and base64: nothing here trusts the token.
pub(crate) fn split<'t>(settings: &Settings, token: &'t str) -> Result<Parts<'t>, AuthError> {
    if token.len() > settings.max_token_bytes {
        return Err(AuthError::invalid("Token is too large"));
    }
    let (signing_input, signature) = token
        .rsplit_once('.')
        .ok_or(AuthError::invalid("Not enough segments"))?;
    let (header_b64, payload_b64) = signing_input
        .split_once('.')
        .ok_or(AuthError::invalid("Not enough segments"))?;
    if payload_b64.contains('.') {
        return Err(AuthError::invalid("Too many segments"));
    }
    Ok(Parts {
        header_json: text(
            header_b64,
            "Invalid header padding",
            "Invalid header string",
        )?,
        payload_json: text(
            payload_b64,
            "Invalid payload padding",
            "Invalid payload string",
        )?,
        signing_input,
        signature,
    })
}

fn text(
    segment: &str,
    bad_base64: &'static str,
    bad_text: &'static str,
) -> Result<String, AuthError> {
    let bytes = B64_LENIENT
        .decode(segment)
        .map_err(|_| AuthError::invalid(bad_base64))?;
    String::from_utf8(bytes).map_err(|_| AuthError::invalid(bad_text))
}

/// Picks the values of some members of a JSON object in one pass, validating the rest.
struct Pick<'n, 'de> {
    names: &'n [&'n str],
    found: Vec<Option<&'de RawValue>>,
}

impl<'de> Visitor<'de> for Pick<'_, 'de> {
    type Value = Vec<Option<&'de RawValue>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Self::Value, A::Error> {
        while let Some(index) = map.next_key_seed(Name(self.names))? {
            match index {
                Some(i) => self.found[i] = Some(map.next_value()?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(self.found)
    }
}

/// A member name, as its index in the names we look for.
struct Name<'n>(&'n [&'n str]);

impl<'de> DeserializeSeed<'de> for Name<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for Name<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|n| *n == name))
    }
}

/// The raw values of `names` in the JSON object `json`; `None` if it is not an object.
fn pick<'de>(json: &'de str, names: &[&str]) -> Option<Vec<Option<&'de RawValue>>> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let found = deserializer
        .deserialize_map(Pick {
            names,
            found: vec![None; names.len()],
        })
        .ok()?;
    deserializer.end().ok()?;
    Some(found)
}

/// Header names: `alg`, `kid`, then the forbidden ones.
const HEADER_NAMES: [&str; 9] = [
    "alg", "kid", "crit", "jwk", "jku", "x5u", "x5c", "b64", "zip",
];

/// Header policy: the algorithm comes from the allow-list, never from the token alone.
fn check_header(settings: &Settings, header: &[Option<&RawValue>]) -> Result<Algorithm, AuthError> {
    if let Some(i) = (2..HEADER_NAMES.len()).find(|&i| header[i].is_some()) {
        return Err(AuthError::Invalid(Cow::Owned(format!(
            "Unsupported header parameter: {}",
            HEADER_NAMES[i]
        ))));
    }
    let alg = header[0]
        .and_then(|raw| serde_json::from_str::<&str>(raw.get()).ok())
        .ok_or(AuthError::invalid("Algorithm not specified"))?;
    let not_allowed = AuthError::invalid("The specified alg value is not allowed");
    let algorithm = alg.parse::<Algorithm>().map_err(|_| not_allowed.clone())?;
    if !settings.decode_algorithms.contains(&algorithm) {
        return Err(not_allowed);
    }
    if header[1].is_some_and(|kid| !kid.get().starts_with('"')) {
        return Err(AuthError::invalid(
            "Key ID header parameter must be a string",
        ));
    }
    Ok(algorithm)
}

fn check_signature(
    settings: &Settings,
    parts: &Parts<'_>,
    algorithm: Algorithm,
) -> Result<(), AuthError> {
    let failed = AuthError::invalid("Signature verification failed");
    let key = settings
        .decoding_keys
        .for_algorithm(algorithm)
        .ok_or_else(|| failed.clone())?;
    match jsonwebtoken::crypto::verify(
        parts.signature,
        parts.signing_input.as_bytes(),
        key,
        algorithm,
    ) {
        Ok(true) => Ok(()),
        Ok(false) => Err(failed),
        Err(e) if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::Base64(_)) => {
            Err(AuthError::invalid("Invalid crypto padding"))
        }
        Err(_) => Err(failed),
    }
}

/// Payload members we read, by index.
const EXP: usize = 0;
const NBF: usize = 1;
const IAT: usize = 2;
const JTI: usize = 3;
const TYPE: usize = 4;
const FRESH: usize = 5;
const CSRF: usize = 6;
const AUD: usize = 7;
const ISS: usize = 8;
const SUB: usize = 9;
const IDENTITY: usize = 10;

/// An integer claim; present with another JSON type (a float, a string, null) is an error.
fn integer(raw: Option<&RawValue>, wrong_type: &'static str) -> Result<Option<i64>, AuthError> {
    raw.map(|raw| {
        serde_json::from_str::<i64>(raw.get()).map_err(|_| AuthError::invalid(wrong_type))
    })
    .transpose()
}

/// A string claim; present with another JSON type is an error.
fn string(raw: Option<&RawValue>, wrong_type: &'static str) -> Result<Option<String>, AuthError> {
    raw.map(|raw| {
        serde_json::from_str::<String>(raw.get()).map_err(|_| AuthError::invalid(wrong_type))
    })
    .transpose()
}

fn missing_claim(name: &str) -> AuthError {
    AuthError::Invalid(Cow::Owned(format!("Missing claim: {name}")))
}

fn is_null(raw: Option<&RawValue>) -> bool {
    raw.is_none_or(|raw| raw.get() == "null")
}

/// The whole pipeline of this module. `now` is Unix seconds.
pub(crate) fn decode(
    settings: &Settings,
    token: &str,
    now: i64,
    options: DecodeOptions,
) -> Result<TokenData, AuthError> {
    let parts = split(settings, token)?;
    let header = pick(&parts.header_json, &HEADER_NAMES)
        .ok_or(AuthError::invalid("Invalid header string"))?;
    let names = [
        "exp",
        "nbf",
        "iat",
        "jti",
        "type",
        "fresh",
        "csrf",
        "aud",
        "iss",
        "sub",
        settings.identity_claim.as_str(),
    ];
    let claims =
        pick(&parts.payload_json, &names).ok_or(AuthError::invalid("Invalid payload string"))?;
    let algorithm = check_header(settings, &header)?;
    check_signature(settings, &parts, algorithm)?;

    let leeway = settings.leeway;
    let exp = integer(
        claims[EXP],
        "Expiration Time claim (exp) must be an integer.",
    )?;
    let nbf = integer(claims[NBF], "Not Before claim (nbf) must be an integer.")?;
    let iat = integer(claims[IAT], "Issued At claim (iat) must be an integer.")?;
    if exp.is_some_and(|exp| !options.allow_expired && exp <= now.saturating_sub(leeway)) {
        return Err(AuthError::Expired);
    }
    if nbf.is_some_and(|nbf| nbf > now.saturating_add(leeway)) {
        return Err(AuthError::invalid("The token is not yet valid (nbf)"));
    }
    if iat.is_some_and(|iat| iat > now.saturating_add(leeway)) {
        return Err(AuthError::invalid("The token is not yet valid (iat)"));
    }

    // The identity claim is `sub` unless configured otherwise; `names` holds it twice then.
    let identity_raw = if settings.identity_claim == "sub" {
        claims[SUB]
    } else {
        claims[IDENTITY]
    };
    let identity = match identity_raw {
        None => return Err(missing_claim(&settings.identity_claim)),
        Some(raw) => match serde_json::from_str::<String>(raw.get()) {
            Ok(identity) => identity,
            Err(_) if settings.verify_sub => {
                return Err(AuthError::invalid("Subject must be a string"))
            }
            Err(_) => raw.get().to_owned(),
        },
    };
    if settings.verify_sub && claims[SUB].is_some_and(|sub| !sub.get().starts_with('"')) {
        return Err(AuthError::invalid("Subject must be a string"));
    }

    if let Some(expected) = &settings.decode_audience {
        if is_null(claims[AUD]) {
            return Err(AuthError::invalid(r#"Token is missing the "aud" claim"#));
        }
        let format = AuthError::invalid("Invalid claim format in token");
        let audiences = match claims[AUD].map(|raw| serde_json::from_str::<Value>(raw.get())) {
            Some(Ok(Value::String(aud))) => vec![aud],
            Some(Ok(Value::Array(auds))) => auds
                .into_iter()
                .map(|a| match a {
                    Value::String(s) => Ok(s),
                    _ => Err(format.clone()),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(format),
        };
        if !audiences.iter().any(|a| expected.contains(a)) {
            return Err(AuthError::invalid("Invalid audience"));
        }
    }
    if let Some(expected) = &settings.decode_issuer {
        let Some(raw) = claims[ISS] else {
            return Err(AuthError::invalid(r#"Token is missing the "iss" claim"#));
        };
        match serde_json::from_str::<String>(raw.get()) {
            Ok(iss) if iss == *expected => {}
            Ok(_) => return Err(AuthError::invalid("Invalid issuer")),
            Err(_) => return Err(AuthError::invalid("Payload Issuer (iss) must be a string")),
        }
    }

    let strict = settings.strict_claims;
    let jti = string(claims[JTI], "JWT ID must be a string")?;
    if strict && jti.is_none() {
        return Err(missing_claim("jti"));
    }
    if strict && iat.is_none() {
        return Err(missing_claim("iat"));
    }
    let kind = match claims[TYPE].map(|raw| raw.get()) {
        Some(r#""access""#) => TokenType::Access,
        Some(r#""refresh""#) => TokenType::Refresh,
        Some(other) if other.starts_with('"') => {
            return Err(AuthError::invalid("Invalid token type"))
        }
        Some(_) => return Err(AuthError::invalid("Token type must be a string")),
        None if strict => return Err(missing_claim("type")),
        None => TokenType::Access,
    };
    let fresh_error = AuthError::invalid("Fresh claim must be a boolean or a timestamp");
    let fresh = match claims[FRESH].map(|raw| raw.get()) {
        None => Freshness::Stale,
        Some("true") => Freshness::Fresh,
        Some("false") => Freshness::Stale,
        Some(number) => serde_json::from_str::<f64>(number)
            .map(Freshness::Until)
            .map_err(|_| fresh_error)?,
    };
    let csrf = string(claims[CSRF], "CSRF claim must be a string")?;

    let Parts {
        header_json,
        payload_json,
        ..
    } = parts;
    Ok(TokenData {
        header_json: header_json.into_boxed_str(),
        payload_json: payload_json.into_boxed_str(),
        header: Default::default(),
        payload: Default::default(),
        identity,
        jti,
        kind,
        fresh,
        iat,
        exp,
        csrf,
        location: None,
    })
}

/// Reads the header without verifying anything.
pub(crate) fn unverified_header(
    settings: &Settings,
    token: &str,
) -> Result<Map<String, Value>, AuthError> {
    let parts = split(settings, token)?;
    match serde_json::from_str(&parts.header_json) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(AuthError::invalid("Invalid header string")),
    }
}
