//! The verification pipeline up to audience and issuer (SPEC §4), one function per stage, in
//! its order: length cap, structure and base64 → strict header JSON → header policy →
//! signature → strict payload JSON → time claims → identity → audience → issuer → reserved
//! claim types. No store is touched here.
//!
//! Header and payload are parsed once each, strictly ([`super::json`]), into the maps that
//! [`TokenData`] hands out: the claims checked here are read from what the application reads.
//! The payload is parsed only once the signature passed, as PyJWT does: a forged token costs
//! no JSON work beyond its header.

use std::borrow::Cow;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::Algorithm;
use serde_json::{Map, Value};

use super::json::{self, Refusal};
use super::reserved::{integer, missing_claim, read_reserved, Claim, Members};
use super::rules::{External, Rules};
use super::{Payload, TokenData};
use crate::config::Settings;
use crate::error::AuthError;
use crate::keys::{verify_key, KeyChoice, Signature};

/// Header parameters that change how a token must be processed; we support none of them, and a
/// token that needs one is refused rather than half-understood (RFC 7515 §4.1.11, RFC 7797).
pub(crate) const FORBIDDEN_HEADERS: [&str; 7] = ["crit", "jwk", "jku", "x5u", "x5c", "b64", "zip"];

/// Options of one decode.
#[derive(Clone, Copy, Default)]
pub(crate) struct DecodeOptions<'k> {
    pub(crate) allow_expired: bool,
    /// The key a decode-key hook chose, instead of the configured keys.
    pub(crate) key: Option<&'k KeyChoice>,
    /// A token of a trusted issuer: its key and claim rules.
    pub(crate) external: Option<&'k External<'k>>,
}

/// The three parts of a compact JWS, decoded from base64 but not verified.
pub(crate) struct Parts<'t> {
    header_b64: &'t str,
    header: Vec<u8>,
    payload: Vec<u8>,
    signing_input: &'t str,
    signature: &'t str,
}

/// The whole pipeline of this module. `now` is Unix seconds.
pub(crate) fn decode(
    settings: &Settings,
    token: &str,
    now: i64,
    options: DecodeOptions<'_>,
) -> Result<TokenData, AuthError> {
    let rules = Rules::new(settings, options.external);
    let parts = split(settings, token)?;
    let header = header(settings, &parts)?;
    let algorithm = check_header(&rules, &header)?;
    check_signature(settings, &parts, &header, algorithm, options)?;
    let mut claims = Members::scan(rules.identity_claim, &parts.payload)
        .map_err(|refusal| refused(refusal, "Invalid payload string"))?;
    let times = check_times(settings, &rules, &claims, now, options)?;
    let identity = check_identity(settings, &rules, &mut claims)?;
    check_audience(&rules, &claims)?;
    check_issuer(&rules, &claims)?;
    let reserved = read_reserved(settings, rules.external.is_some(), &mut claims, times.iat)?;
    Ok(TokenData {
        header,
        payload: Payload::new(parts.payload),
        identity,
        jti: reserved.jti,
        csrf: reserved.csrf,
        family: reserved.family,
        kind: reserved.kind,
        fresh: reserved.fresh,
        iat: times.iat,
        exp: times.exp,
        location: None,
        issuer: rules.external.map(|e| e.issuer.issuer.clone()),
    })
}

/// Length cap, structure and base64 (unpadded, canonical): nothing here trusts the token.
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
    let header = unbase64(header_b64, "Invalid header padding")?;
    let payload = unbase64(payload_b64, "Invalid payload padding")?;
    if signature.contains('=') {
        return Err(AuthError::invalid("Invalid crypto padding"));
    }
    Ok(Parts {
        header_b64,
        header,
        payload,
        signing_input,
        signature,
    })
}

/// One spelling: base64url without `=` padding and without stray trailing bits.
fn unbase64(segment: &str, refused: &'static str) -> Result<Vec<u8>, AuthError> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| AuthError::invalid(refused))
}

/// A strict JSON object ([`json::object`]).
fn parse(segment: &[u8], syntax: &'static str) -> Result<Map<String, Value>, AuthError> {
    json::object(segment).map_err(|refusal| refused(refusal, syntax))
}

fn refused(refusal: Refusal, syntax: &'static str) -> AuthError {
    match refusal {
        Refusal::Syntax => AuthError::invalid(syntax),
        Refusal::Duplicate => AuthError::invalid("Duplicate member name in token"),
        Refusal::TooDeep => AuthError::invalid("Token is nested too deeply"),
    }
}

/// The header, strictly parsed; the plain header our tokens (and Flask's) carry is parsed once
/// at ignition and shared, which spares every such token the work.
fn header(settings: &Settings, parts: &Parts<'_>) -> Result<Arc<Map<String, Value>>, AuthError> {
    let keys = &settings.keys;
    if parts.header_b64 == keys.encoded_header {
        return Ok(Arc::clone(&keys.plain_header));
    }
    parse(&parts.header, "Invalid header string").map(Arc::new)
}

/// Header policy: the algorithm comes from the allow-list, never from the token alone.
fn check_header(rules: &Rules<'_>, header: &Map<String, Value>) -> Result<Algorithm, AuthError> {
    if let Some(name) = FORBIDDEN_HEADERS.iter().find(|n| header.contains_key(**n)) {
        return Err(AuthError::Invalid(Cow::Owned(format!(
            "Unsupported header parameter: {name}"
        ))));
    }
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or(AuthError::invalid("Algorithm not specified"))?;
    let not_allowed = AuthError::invalid("The specified alg value is not allowed");
    let algorithm = alg.parse::<Algorithm>().map_err(|_| not_allowed.clone())?;
    if !rules.algorithms.contains(&algorithm) {
        return Err(not_allowed);
    }
    if header.get("kid").is_some_and(|kid| !kid.is_string()) {
        return Err(AuthError::invalid(
            "Key ID header parameter must be a string",
        ));
    }
    Ok(algorithm)
}

/// The signature, with the key the `kid` names (exact match in the key set), the signing key
/// for a token without `kid`, or the key a decode-key hook `chosen`.
fn check_signature(
    settings: &Settings,
    parts: &Parts<'_>,
    header: &Map<String, Value>,
    algorithm: Algorithm,
    options: DecodeOptions<'_>,
) -> Result<(), AuthError> {
    let kid = header.get("kid").and_then(Value::as_str);
    let message = parts.signing_input.as_bytes();
    let keys = &settings.keys;
    let checked = match (options.external, options.key) {
        (Some(external), _) => verify_key(&external.key, algorithm, message, parts.signature),
        (None, Some(choice)) => keys.verify_choice(choice, algorithm, message, parts.signature),
        (None, None) => keys.verify(algorithm, kid, message, parts.signature),
    };
    match checked {
        Signature::Valid => Ok(()),
        Signature::Invalid => Err(AuthError::invalid("Signature verification failed")),
        Signature::Malformed => Err(AuthError::invalid("Invalid crypto padding")),
        Signature::UnknownKey => Err(AuthError::invalid("Unknown key ID (kid)")),
        Signature::WrongAlgorithm => Err(AuthError::invalid(
            "The specified alg value is not the algorithm of its key",
        )),
    }
}

/// The registered time claims, each an integer when present.
struct Times {
    exp: Option<i64>,
    iat: Option<i64>,
}

/// `exp`, `nbf` and `iat` with the leeway; `require_exp` and `max_token_lifetime`.
fn check_times(
    settings: &Settings,
    rules: &Rules<'_>,
    claims: &Members,
    now: i64,
    options: DecodeOptions<'_>,
) -> Result<Times, AuthError> {
    let leeway = settings.leeway;
    let exp = integer(
        claims,
        Claim::Exp,
        "Expiration Time claim (exp) must be an integer.",
    )?;
    let nbf = integer(
        claims,
        Claim::Nbf,
        "Not Before claim (nbf) must be an integer.",
    )?;
    let iat = integer(
        claims,
        Claim::Iat,
        "Issued At claim (iat) must be an integer.",
    )?;
    if exp.is_none() && (settings.require_exp || rules.external.is_some()) {
        return Err(missing_claim("exp"));
    }
    if rules.external.is_some() && iat.is_none() && nbf.is_none() {
        return Err(missing_claim("iat"));
    }
    if exp.is_some_and(|exp| !options.allow_expired && exp <= now.saturating_sub(leeway)) {
        return Err(AuthError::Expired);
    }
    if nbf.is_some_and(|nbf| nbf > now.saturating_add(leeway)) {
        return Err(AuthError::invalid("The token is not yet valid (nbf)"));
    }
    if iat.is_some_and(|iat| iat > now.saturating_add(leeway)) {
        return Err(AuthError::invalid("The token is not yet valid (iat)"));
    }
    if let Some(max) = settings.max_token_lifetime {
        let (Some(exp), Some(iat)) = (exp, iat) else {
            return Err(AuthError::invalid(
                "Token lifetime exceeds the maximum (exp and iat are required)",
            ));
        };
        if exp.checked_sub(iat).is_none_or(|lifetime| lifetime > max) {
            return Err(AuthError::invalid("Token lifetime exceeds the maximum"));
        }
    }
    Ok(Times { exp, iat })
}

/// The identity claim (`sub` unless configured otherwise); with `verify_sub`, `sub` is a string.
fn check_identity(
    settings: &Settings,
    rules: &Rules<'_>,
    claims: &mut Members,
) -> Result<String, AuthError> {
    let not_a_string = AuthError::invalid("Subject must be a string");
    if settings.verify_sub && claims.get(Claim::Sub).is_some_and(|sub| !sub.is_string()) {
        return Err(not_a_string);
    }
    if let Some(identity) = claims.take_string(Claim::Identity) {
        return Ok(identity);
    }
    match claims.get(Claim::Identity) {
        None => Err(missing_claim(rules.identity_claim)),
        Some(_) if settings.verify_sub => Err(not_a_string),
        Some(other) => Ok(other.to_string()),
    }
}

/// Any overlap between the token's audiences and `decode_audience` passes.
fn check_audience(rules: &Rules<'_>, claims: &Members) -> Result<(), AuthError> {
    let Some(expected) = rules.audience else {
        return Ok(());
    };
    let format = AuthError::invalid("Invalid claim format in token");
    let matches = |aud: &Value| match aud {
        Value::String(aud) => Ok(expected.contains(aud)),
        _ => Err(format.clone()),
    };
    let any = match claims.get(Claim::Aud) {
        None | Some(Value::Null) => {
            return Err(AuthError::invalid(r#"Token is missing the "aud" claim"#))
        }
        Some(Value::Array(auds)) => auds
            .iter()
            .map(matches)
            .collect::<Result<Vec<_>, _>>()?
            .contains(&true),
        Some(aud @ Value::String(_)) => matches(aud)?,
        Some(_) => return Err(format),
    };
    if any {
        Ok(())
    } else {
        Err(AuthError::invalid("Invalid audience"))
    }
}

/// `iss` equals `decode_issuer` exactly.
fn check_issuer(rules: &Rules<'_>, claims: &Members) -> Result<(), AuthError> {
    let Some(expected) = rules.issuer else {
        return Ok(());
    };
    match claims.get(Claim::Iss) {
        None => Err(AuthError::invalid(r#"Token is missing the "iss" claim"#)),
        Some(Value::String(iss)) if iss == expected => Ok(()),
        Some(Value::String(_)) => Err(AuthError::invalid("Invalid issuer")),
        Some(_) => Err(AuthError::invalid("Payload Issuer (iss) must be a string")),
    }
}

/// Reads the header without verifying anything.
pub(crate) fn unverified_header(
    settings: &Settings,
    token: &str,
) -> Result<Map<String, Value>, AuthError> {
    parse(&split(settings, token)?.header, "Invalid header string")
}

/// Reads the payload without verifying anything: for tokens this process just issued.
pub(crate) fn unverified_payload(
    settings: &Settings,
    token: &str,
) -> Result<Map<String, Value>, AuthError> {
    parse(&split(settings, token)?.payload, "Invalid payload string")
}
