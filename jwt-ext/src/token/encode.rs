//! Issuing: Flask-JWT-Extended 4.x's header and payload, signed.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};

use super::decode::FORBIDDEN_HEADERS;
use crate::config::Settings;
use crate::error::IssueError;
use crate::keys::Signer;
use crate::kind::{Freshness, TokenType, RESERVED_CLAIMS};

/// Headers set by the library that additional headers may not replace.
const RESERVED_HEADERS: [&str; 3] = ["alg", "typ", "kid"];

/// Everything that goes into one token besides the configuration.
pub(crate) struct Draft<'a> {
    pub(crate) identity: &'a str,
    pub(crate) kind: TokenType,
    pub(crate) fresh: Freshness,
    pub(crate) expires_in: Option<i64>,
    /// The refresh-token family, `fam`.
    pub(crate) family: Option<&'a str>,
    /// The `kid` of the key of the set that signs, instead of the signing key.
    pub(crate) key: Option<&'a str>,
    pub(crate) claims: Map<String, Value>,
    pub(crate) headers: Map<String, Value>,
}

pub(crate) fn is_reserved_claim(settings: &Settings, name: &str) -> bool {
    RESERVED_CLAIMS.contains(&name) || name == settings.identity_claim
}

/// Signs a token with Flask-JWT-Extended 4.x's layout.
pub(crate) fn encode(
    settings: &Settings,
    draft: Draft<'_>,
    now: i64,
) -> Result<String, IssueError> {
    let signer = settings
        .keys
        .signer(draft.key)
        .ok_or_else(|| match draft.key {
            Some(kid) => IssueError::UnknownSigningKey(kid.to_owned()),
            None => IssueError::NoSigningKey,
        })?;
    if let Some(name) = draft
        .claims
        .keys()
        .find(|name| is_reserved_claim(settings, name))
    {
        return Err(IssueError::ReservedClaim(name.clone()));
    }

    let mut token = String::with_capacity(384);
    match signer.header {
        Some(plain) if draft.headers.is_empty() => token.push_str(plain),
        _ => {
            let header = header_json(&signer, &draft.headers)?;
            URL_SAFE_NO_PAD.encode_string(header, &mut token);
        }
    }
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(payload_json(settings, &draft, now)?, &mut token);
    let signature = signer
        .sign(token.as_bytes())
        .map_err(|e| IssueError::Signing(e.to_string()))?;
    token.push('.');
    token.push_str(&signature);
    Ok(token)
}

fn header_json(signer: &Signer<'_>, extra: &Map<String, Value>) -> Result<Vec<u8>, IssueError> {
    let mut header = Map::with_capacity(2 + extra.len());
    for (name, value) in extra {
        if RESERVED_HEADERS.contains(&name.as_str()) || FORBIDDEN_HEADERS.contains(&name.as_str()) {
            return Err(IssueError::ReservedHeader(name.clone()));
        }
        header.insert(name.clone(), value.clone());
    }
    header.insert("alg".into(), format!("{:?}", signer.algorithm).into());
    if let Some(kid) = signer.kid {
        header.insert("kid".into(), kid.into());
    }
    header.insert("typ".into(), "JWT".into());
    serde_json::to_vec(&header).map_err(|e| IssueError::Serialize(e.to_string()))
}

/// Writes the payload straight to JSON, reserved claims first in Flask's order.
fn payload_json(settings: &Settings, draft: &Draft<'_>, now: i64) -> Result<Vec<u8>, IssueError> {
    let mut out = Vec::with_capacity(256);
    let mut serializer = serde_json::Serializer::new(&mut out);
    let written = (|| {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("fresh", &draft.fresh.to_json())?;
        map.serialize_entry("iat", &now)?;
        map.serialize_entry(
            "jti",
            uuid::Uuid::new_v4()
                .hyphenated()
                .encode_lower(&mut uuid::Uuid::encode_buffer()),
        )?;
        map.serialize_entry("type", draft.kind.as_str())?;
        map.serialize_entry(&settings.identity_claim, draft.identity)?;
        if settings.encode_nbf {
            map.serialize_entry("nbf", &now)?;
        }
        if settings.csrf_protect {
            // Like Flask, whatever the locations: a token may later be stored in a cookie.
            let mut buffer = uuid::Uuid::encode_buffer();
            map.serialize_entry(
                "csrf",
                uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buffer),
            )?;
        }
        if let Some(seconds) = draft.expires_in {
            map.serialize_entry("exp", &now.saturating_add(seconds))?;
        }
        if let Some(audience) = &settings.encode_audience {
            map.serialize_entry("aud", audience)?;
        }
        if let Some(issuer) = &settings.encode_issuer {
            map.serialize_entry("iss", issuer)?;
        }
        if let Some(family) = draft.family {
            map.serialize_entry("fam", family)?;
        }
        for (name, value) in &draft.claims {
            map.serialize_entry(name, value)?;
        }
        map.end()
    })();
    written.map_err(|e| IssueError::Serialize(e.to_string()))?;
    Ok(out)
}
