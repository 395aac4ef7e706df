//! `trusted_issuers` (SPEC §13): each entry as written, and checked at ignition.

use serde::{Deserialize, Serialize};

use super::values::OneOrMany;
use crate::algorithm::Algorithm;
use crate::error::ConfigError;

/// One external issuer whose tokens are accepted (SPEC §13), e.g. an OpenID Connect provider.
///
/// ```toml
/// [[default.jwt.trusted_issuers]]
/// issuer = "https://id.example.com/"        # the exact `iss`
/// discovery = true                          # or jwks_uri = "https://id.example.com/jwks"
/// audience = ["orders-api"]                 # required: some `aud` must match
/// algorithms = ["RS256", "ES256"]           # default ["RS256"]
/// identity_claim = "sub"
/// ```
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrustedIssuer {
    /// The exact `iss` of its tokens.
    pub issuer: String,
    /// Where its JWKS is; or `discovery = true`.
    pub jwks_uri: Option<String>,
    /// Read `jwks_uri` from `<issuer>/.well-known/openid-configuration`.
    pub discovery: bool,
    /// Required: a token's `aud` must hold one of these.
    pub audience: Option<OneOrMany<String>>,
    /// The algorithms its tokens may use (asymmetric only); `["RS256"]` by default.
    pub algorithms: Option<Vec<Algorithm>>,
    /// The claim holding the identity; `"sub"` by default.
    pub identity_claim: Option<String>,
}

/// A trusted issuer, checked.
#[derive(Debug, Clone)]
pub(crate) struct IssuerSettings {
    pub(crate) issuer: String,
    /// The JWKS location, or the discovery document's (`discovery = true`).
    #[cfg_attr(not(feature = "trusted-issuers"), allow(dead_code))]
    pub(crate) source: KeySource,
    pub(crate) audience: Vec<String>,
    pub(crate) algorithms: Vec<jsonwebtoken::Algorithm>,
    pub(crate) identity_claim: String,
}

/// Where an issuer's keys come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeySource {
    Jwks(String),
    Discovery(String),
}

impl IssuerSettings {
    /// The trusted issuers, each checked; they need the `trusted-issuers` feature.
    pub(crate) fn check_all(entries: &[TrustedIssuer]) -> Result<Vec<Self>, ConfigError> {
        if !entries.is_empty() && !cfg!(feature = "trusted-issuers") {
            return Err(ConfigError::new(
                "trusted_issuers",
                "needs jwt-ext's `trusted-issuers` feature (which fetches their keys over HTTPS)",
            ));
        }
        let issuers = entries
            .iter()
            .enumerate()
            .map(|(index, entry)| Self::check(index, entry))
            .collect::<Result<Vec<_>, _>>()?;
        for (index, issuer) in issuers.iter().enumerate() {
            if issuers[..index]
                .iter()
                .any(|other| other.issuer == issuer.issuer)
            {
                return Err(ConfigError::new(
                    &format!("trusted_issuers[{index}].issuer"),
                    format!("`{}` is listed twice", issuer.issuer),
                ));
            }
        }
        Ok(issuers)
    }

    /// Checks entry `index`: an issuer, one key source over HTTPS (or loopback HTTP), an
    /// audience, asymmetric algorithms.
    pub(crate) fn check(index: usize, entry: &TrustedIssuer) -> Result<Self, ConfigError> {
        let key = |field: &str| format!("trusted_issuers[{index}].{field}");
        if entry.issuer.is_empty() {
            return Err(ConfigError::new(
                &key("issuer"),
                "missing: the exact `iss` of its tokens",
            ));
        }
        let source = key_source(&key, entry)?;
        let audience = entry
            .audience
            .clone()
            .map(OneOrMany::into_vec)
            .unwrap_or_default();
        if audience.is_empty() || audience.iter().any(String::is_empty) {
            return Err(ConfigError::new(
                &key("audience"),
                "missing: name this API's audience (the `aud` its tokens carry for it); without \
                 it a token meant for another API of the same issuer would pass",
            ));
        }
        let algorithms = entry
            .algorithms
            .clone()
            .unwrap_or_else(|| vec![Algorithm::RS256]);
        if algorithms.is_empty() {
            return Err(ConfigError::new(&key("algorithms"), "the list is empty"));
        }
        if let Some(hs) = algorithms.iter().find(|a| a.as_str().starts_with("HS")) {
            return Err(ConfigError::new(
                &key("algorithms"),
                format!("`{hs}` is symmetric: an issuer's published keys are public, so only RS*, PS*, ES* and EdDSA"),
            ));
        }
        Ok(IssuerSettings {
            issuer: entry.issuer.clone(),
            source,
            audience,
            algorithms: algorithms.iter().map(|a| a.jose()).collect(),
            identity_claim: entry
                .identity_claim
                .clone()
                .unwrap_or_else(|| "sub".to_owned()),
        })
    }
}

/// Where entry's keys come from: `jwks_uri`, or the discovery document of `issuer`.
fn key_source(
    key: &dyn Fn(&str) -> String,
    entry: &TrustedIssuer,
) -> Result<KeySource, ConfigError> {
    Ok(match (&entry.jwks_uri, entry.discovery) {
        (Some(uri), false) => KeySource::Jwks(checked_url(&key("jwks_uri"), uri)?),
        (None, true) => {
            checked_url(&key("issuer"), &entry.issuer)?;
            let base = entry.issuer.trim_end_matches('/');
            KeySource::Discovery(format!("{base}/.well-known/openid-configuration"))
        }
        (Some(_), true) => {
            return Err(ConfigError::new(
                &key("jwks_uri"),
                "and `discovery = true` exclude each other; keep one",
            ))
        }
        (None, false) => {
            return Err(ConfigError::new(
                &key("jwks_uri"),
                "missing: set `jwks_uri`, or `discovery = true` to read it from the \
                 issuer's OpenID configuration",
            ))
        }
    })
}

/// An `https://` URL, or `http://` to a loopback address (tests and development).
fn checked_url(key: &str, url: &str) -> Result<String, ConfigError> {
    if let Some(rest) = url.strip_prefix("https://") {
        if !rest.is_empty() {
            return Ok(url.to_owned());
        }
    } else if let Some(rest) = url.strip_prefix("http://") {
        let authority = rest.split('/').next().unwrap_or_default();
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => authority.split(':').next().unwrap_or_default(),
        };
        if ["127.0.0.1", "localhost", "::1"].contains(&host) {
            return Ok(url.to_owned());
        }
        return Err(ConfigError::new(
            key,
            format!("`{url}` is plain HTTP to another host than loopback; use https://"),
        ));
    }
    Err(ConfigError::new(
        key,
        format!("`{url}` is not an https:// URL"),
    ))
}
