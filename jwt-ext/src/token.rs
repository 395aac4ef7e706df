//! Token layout, encoding and the verification pipeline (SPEC §4).
//!
//! Decoding is done here rather than by `jsonwebtoken::decode` so that the order of checks, the
//! header policy, strict claim types and the error texts are ours; `jsonwebtoken` supplies the
//! signature primitives.

use std::borrow::Cow;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine};
use jsonwebtoken::Algorithm;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::Settings;
use crate::error::{AuthError, IssueError};
use crate::location::Location;

/// Header parameters that change how a token must be processed; we support none of them, and a
/// token that needs one is refused rather than half-understood (RFC 7515 §4.1.11, RFC 7797).
const FORBIDDEN_HEADERS: [&str; 7] = ["crit", "jwk", "jku", "x5u", "x5c", "b64", "zip"];

/// Headers set by the library that additional headers may not replace.
pub(crate) const RESERVED_HEADERS: [&str; 3] = ["alg", "typ", "kid"];

/// Claims set by the library that custom claims may not replace (the identity claim too).
pub const RESERVED_CLAIMS: [&str; 10] = [
    "fresh", "iat", "jti", "type", "sub", "nbf", "csrf", "exp", "aud", "iss",
];

/// PyJWT accepts base64url with or without padding; so do we.
const B64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Access or refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    /// Sent to protected routes.
    Access,
    /// Exchanged for new access tokens.
    Refresh,
}

impl TokenType {
    /// The value of the `type` claim.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenType::Access => "access",
            TokenType::Refresh => "refresh",
        }
    }
}

/// A token's `fresh` claim: `true`/`false`, or fresh until a Unix timestamp.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Freshness {
    /// Not fresh (`false`).
    Stale,
    /// Fresh (`true`).
    Fresh,
    /// Fresh until this Unix time in seconds (Flask writes a float when given a `timedelta`).
    Until(f64),
}

impl Freshness {
    /// Fresh for this long from `now`.
    pub(crate) fn for_duration(now: i64, duration: std::time::Duration) -> Self {
        Freshness::Until(now as f64 + duration.as_secs_f64())
    }

    /// Whether the token counts as fresh at `now` (Unix seconds, fractional).
    pub fn is_fresh_at(self, now: f64) -> bool {
        match self {
            Freshness::Stale => false,
            Freshness::Fresh => true,
            Freshness::Until(until) => until >= now,
        }
    }

    fn to_json(self) -> Value {
        match self {
            Freshness::Stale => Value::Bool(false),
            Freshness::Fresh => Value::Bool(true),
            // Whole seconds are written as an integer, as most issuers do.
            Freshness::Until(t) if t.fract() == 0.0 => Value::from(t as i64),
            Freshness::Until(t) => Value::from(t),
        }
    }
}

impl From<bool> for Freshness {
    fn from(fresh: bool) -> Self {
        if fresh {
            Freshness::Fresh
        } else {
            Freshness::Stale
        }
    }
}

/// A verified token: signature, time claims, identity, audience and issuer checked.
///
/// Route policy (type, freshness, revocation, custom claims) is applied on top of this by the
/// guards; [`Auth::decode`](crate::Auth::decode) returns it as is.
#[derive(Debug, Clone)]
pub struct TokenData {
    pub(crate) header: Map<String, Value>,
    pub(crate) payload: Value,
    pub(crate) identity: String,
    pub(crate) jti: Option<String>,
    pub(crate) kind: TokenType,
    pub(crate) fresh: Freshness,
    pub(crate) iat: Option<i64>,
    pub(crate) exp: Option<i64>,
    pub(crate) csrf: Option<String>,
    pub(crate) location: Option<Location>,
}

impl TokenData {
    /// The identity (the identity claim, `sub` by default).
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// The unique token id (`jti`); `None` only with `strict_claims = false`.
    pub fn jti(&self) -> Option<&str> {
        self.jti.as_deref()
    }

    /// Access or refresh.
    pub fn token_type(&self) -> TokenType {
        self.kind
    }

    /// The `fresh` claim.
    pub fn freshness(&self) -> Freshness {
        self.fresh
    }

    /// Issued-at, Unix seconds.
    pub fn issued_at(&self) -> Option<i64> {
        self.iat
    }

    /// Expiry, Unix seconds; `None` for tokens that never expire.
    pub fn expires_at(&self) -> Option<i64> {
        self.exp
    }

    /// The signed CSRF value of cookie tokens.
    pub fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }

    /// The JOSE header.
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// The whole payload, reserved and custom claims alike.
    pub fn payload(&self) -> &Map<String, Value> {
        match &self.payload {
            Value::Object(map) => map,
            // `decode` only builds `TokenData` from an object payload.
            _ => empty_map(),
        }
    }

    /// Where the token was found; `None` when it was decoded with [`Auth::decode`](crate::Auth::decode).
    pub fn location(&self) -> Option<Location> {
        self.location
    }
}

fn empty_map() -> &'static Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

/// Current Unix time in whole seconds.
pub(crate) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Current Unix time with fractions, for `fresh` timestamps.
pub(crate) fn now_f64() -> f64 {
    let now = chrono::Utc::now();
    now.timestamp() as f64 + f64::from(now.timestamp_subsec_micros()) / 1e6
}

/// Everything that goes into one token besides the configuration.
pub(crate) struct Draft<'a> {
    pub(crate) identity: &'a str,
    pub(crate) kind: TokenType,
    pub(crate) fresh: Freshness,
    pub(crate) expires_in: Option<i64>,
    pub(crate) claims: Map<String, Value>,
    pub(crate) headers: Map<String, Value>,
}

/// Signs a token with Flask-JWT-Extended 4.x's layout.
pub(crate) fn encode(
    settings: &Settings,
    draft: Draft<'_>,
    now: i64,
) -> Result<String, IssueError> {
    let key = settings
        .encoding_key
        .as_ref()
        .ok_or(IssueError::NoSigningKey)?;

    let mut header = Map::with_capacity(2 + draft.headers.len());
    for (name, value) in draft.headers {
        if RESERVED_HEADERS.contains(&name.as_str()) || FORBIDDEN_HEADERS.contains(&name.as_str()) {
            return Err(IssueError::ReservedHeader(name));
        }
        header.insert(name, value);
    }
    header.insert("alg".into(), format!("{:?}", settings.algorithm).into());
    header.insert("typ".into(), "JWT".into());

    let mut payload = Map::with_capacity(10 + draft.claims.len());
    payload.insert("fresh".into(), draft.fresh.to_json());
    payload.insert("iat".into(), now.into());
    payload.insert("jti".into(), uuid::Uuid::new_v4().to_string().into());
    payload.insert("type".into(), draft.kind.as_str().into());
    payload.insert(settings.identity_claim.clone(), draft.identity.into());
    if settings.encode_nbf {
        payload.insert("nbf".into(), now.into());
    }
    if settings.csrf_protect {
        // Like Flask, whatever the locations: a token may later be stored in a cookie.
        payload.insert("csrf".into(), uuid::Uuid::new_v4().to_string().into());
    }
    if let Some(audience) = &settings.encode_audience {
        payload.insert(
            "aud".into(),
            serde_json::to_value(audience).unwrap_or(Value::Null),
        );
    }
    if let Some(issuer) = &settings.encode_issuer {
        payload.insert("iss".into(), issuer.as_str().into());
    }
    if let Some(seconds) = draft.expires_in {
        payload.insert("exp".into(), now.saturating_add(seconds).into());
    }
    for (name, value) in draft.claims {
        if is_reserved_claim(settings, &name) {
            return Err(IssueError::ReservedClaim(name));
        }
        payload.insert(name, value);
    }

    let mut token = String::with_capacity(256);
    URL_SAFE_NO_PAD.encode_string(Value::Object(header).to_string(), &mut token);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(Value::Object(payload).to_string(), &mut token);
    let signature = jsonwebtoken::crypto::sign(token.as_bytes(), key, settings.algorithm)
        .map_err(|e| IssueError::Signing(e.to_string()))?;
    token.push('.');
    token.push_str(&signature);
    Ok(token)
}

pub(crate) fn is_reserved_claim(settings: &Settings, name: &str) -> bool {
    RESERVED_CLAIMS.contains(&name) || name == settings.identity_claim
}

/// The three parts of a compact JWS, split and decoded but not verified.
pub(crate) struct Parts<'t> {
    pub(crate) header: Map<String, Value>,
    pub(crate) payload: Value,
    signing_input: &'t str,
    signature: &'t str,
}

/// Length cap, structure, base64 and JSON: nothing here trusts the token.
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
    let header = match decode_json(
        header_b64,
        "Invalid header padding",
        "Invalid header string",
    )? {
        Value::Object(map) => map,
        _ => return Err(AuthError::invalid("Invalid header string")),
    };
    let payload = decode_json(
        payload_b64,
        "Invalid payload padding",
        "Invalid payload string",
    )?;
    if !payload.is_object() {
        return Err(AuthError::invalid("Invalid payload string"));
    }
    Ok(Parts {
        header,
        payload,
        signing_input,
        signature,
    })
}

fn decode_json(
    segment: &str,
    bad_base64: &'static str,
    bad_json: &'static str,
) -> Result<Value, AuthError> {
    let bytes = B64_LENIENT
        .decode(segment)
        .map_err(|_| AuthError::invalid(bad_base64))?;
    serde_json::from_slice(&bytes).map_err(|_| AuthError::invalid(bad_json))
}

/// Header policy: the algorithm comes from the allow-list, never from the token alone.
fn check_header(settings: &Settings, header: &Map<String, Value>) -> Result<Algorithm, AuthError> {
    for name in FORBIDDEN_HEADERS {
        if header.contains_key(name) {
            return Err(AuthError::Invalid(Cow::Owned(format!(
                "Unsupported header parameter: {name}"
            ))));
        }
    }
    let not_allowed = AuthError::invalid("The specified alg value is not allowed");
    let algorithm = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or(AuthError::invalid("Algorithm not specified"))?
        .parse::<Algorithm>()
        .map_err(|_| not_allowed.clone())?;
    if !settings.decode_algorithms.contains(&algorithm) {
        return Err(not_allowed);
    }
    if header.get("kid").is_some_and(|kid| !kid.is_string()) {
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

/// Reads an integer time claim; a present claim of another JSON type is an error.
fn time_claim(
    payload: &Map<String, Value>,
    name: &str,
    wrong_type: &'static str,
) -> Result<Option<i64>, AuthError> {
    match payload.get(name) {
        None => Ok(None),
        Some(value) => value
            .as_i64()
            .map(Some)
            .ok_or(AuthError::invalid(wrong_type)),
    }
}

fn missing_claim(name: &str) -> AuthError {
    AuthError::Invalid(Cow::Owned(format!("Missing claim: {name}")))
}

/// Reads an optional string claim; present but not a string is an error.
fn string_claim(
    payload: &Map<String, Value>,
    name: &str,
    wrong_type: &'static str,
) -> Result<Option<String>, AuthError> {
    match payload.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(AuthError::invalid(wrong_type)),
    }
}

/// Options of one decode.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DecodeOptions {
    pub(crate) allow_expired: bool,
}

/// The verification pipeline up to and including audience and issuer (SPEC §4). No store is
/// touched here; everything after the signature only reads the verified payload.
pub(crate) fn decode(
    settings: &Settings,
    token: &str,
    now: i64,
    options: DecodeOptions,
) -> Result<TokenData, AuthError> {
    let parts = split(settings, token)?;
    let algorithm = check_header(settings, &parts.header)?;
    check_signature(settings, &parts, algorithm)?;

    let Parts {
        header,
        payload: payload_value,
        ..
    } = parts;
    let Value::Object(payload) = &payload_value else {
        return Err(AuthError::invalid("Invalid payload string"));
    };

    let leeway = settings.leeway;
    let exp = time_claim(
        payload,
        "exp",
        "Expiration Time claim (exp) must be an integer.",
    )?;
    let nbf = time_claim(payload, "nbf", "Not Before claim (nbf) must be an integer.")?;
    let iat = time_claim(payload, "iat", "Issued At claim (iat) must be an integer.")?;
    if let Some(exp) = exp {
        if !options.allow_expired && exp <= now.saturating_sub(leeway) {
            return Err(AuthError::Expired);
        }
    }
    if nbf.is_some_and(|nbf| nbf > now.saturating_add(leeway)) {
        return Err(AuthError::invalid("The token is not yet valid (nbf)"));
    }
    if iat.is_some_and(|iat| iat > now.saturating_add(leeway)) {
        return Err(AuthError::invalid("The token is not yet valid (iat)"));
    }

    let identity_claim = settings.identity_claim.as_str();
    let identity = match payload.get(identity_claim) {
        None => return Err(missing_claim(identity_claim)),
        Some(Value::String(s)) => s.clone(),
        Some(_) if settings.verify_sub => {
            return Err(AuthError::invalid("Subject must be a string"))
        }
        Some(other) => other.to_string(),
    };
    if settings.verify_sub
        && identity_claim != "sub"
        && payload.get("sub").is_some_and(|s| !s.is_string())
    {
        return Err(AuthError::invalid("Subject must be a string"));
    }

    if let Some(expected) = &settings.decode_audience {
        let matches = match payload.get("aud") {
            None | Some(Value::Null) => {
                return Err(AuthError::invalid(r#"Token is missing the "aud" claim"#))
            }
            Some(Value::String(aud)) => expected.iter().any(|e| e == aud),
            Some(Value::Array(auds)) => {
                if auds.iter().any(|a| !a.is_string()) {
                    return Err(AuthError::invalid("Invalid claim format in token"));
                }
                auds.iter()
                    .any(|a| expected.iter().any(|e| a.as_str() == Some(e)))
            }
            Some(_) => return Err(AuthError::invalid("Invalid claim format in token")),
        };
        if !matches {
            return Err(AuthError::invalid("Invalid audience"));
        }
    }
    if let Some(expected) = &settings.decode_issuer {
        match payload.get("iss") {
            None => return Err(AuthError::invalid(r#"Token is missing the "iss" claim"#)),
            Some(Value::String(iss)) if iss == expected => {}
            Some(Value::String(_)) => return Err(AuthError::invalid("Invalid issuer")),
            Some(_) => return Err(AuthError::invalid("Payload Issuer (iss) must be a string")),
        }
    }

    let strict = settings.strict_claims;
    let jti = string_claim(payload, "jti", "JWT ID must be a string")?;
    if strict && jti.is_none() {
        return Err(missing_claim("jti"));
    }
    if strict && iat.is_none() {
        return Err(missing_claim("iat"));
    }
    let kind = match payload.get("type") {
        Some(Value::String(t)) if t == "access" => TokenType::Access,
        Some(Value::String(t)) if t == "refresh" => TokenType::Refresh,
        Some(Value::String(_)) => return Err(AuthError::invalid("Invalid token type")),
        Some(_) => return Err(AuthError::invalid("Token type must be a string")),
        None if strict => return Err(missing_claim("type")),
        None => TokenType::Access,
    };
    let fresh = match payload.get("fresh") {
        None => Freshness::Stale,
        Some(Value::Bool(b)) => Freshness::from(*b),
        Some(Value::Number(n)) => n.as_f64().map(Freshness::Until).ok_or(AuthError::invalid(
            "Fresh claim must be a boolean or a timestamp",
        ))?,
        Some(_) => {
            return Err(AuthError::invalid(
                "Fresh claim must be a boolean or a timestamp",
            ))
        }
    };
    let csrf = string_claim(payload, "csrf", "CSRF claim must be a string")?;

    Ok(TokenData {
        header,
        payload: payload_value,
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
    split(settings, token).map(|parts| parts.header)
}
