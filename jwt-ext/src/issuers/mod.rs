//! Trusted external issuers at run time (SPEC §13): each issuer's keys, fetched from its JWKS
//! (feature `trusted-issuers`), cached per `Cache-Control` within bounds, refetched on an unknown
//! `kid` at most every 30 s, kept when the provider is down until a day old, and never fetched
//! by more than one request at a time.

use jsonwebtoken::Algorithm;

use serde_json::Value;

use crate::config::{IssuerSettings, Settings};
use crate::error::AuthError;
use crate::token::{self, DecodeOptions, External, TokenData};

#[cfg(feature = "trusted-issuers")]
mod cache;
#[cfg(feature = "trusted-issuers")]
mod fetch;
#[cfg(feature = "trusted-issuers")]
mod jwk;

/// Why no key verifies a token of a trusted issuer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// The issuer's keys hold no key for this `kid` and algorithm: 422.
    #[cfg_attr(not(feature = "trusted-issuers"), allow(dead_code))]
    Unknown,
    /// The issuer's keys could not be fetched, and none are cached: 503.
    Unavailable,
}

impl From<Lookup> for AuthError {
    fn from(lookup: Lookup) -> Self {
        match lookup {
            Lookup::Unknown => AuthError::invalid("Unknown key ID (kid)"),
            Lookup::Unavailable => AuthError::IssuerUnavailable,
        }
    }
}

/// The trusted issuers of an app, each with its key cache.
pub(crate) struct Issuers {
    #[cfg(feature = "trusted-issuers")]
    list: Vec<cache::Issuer>,
}

impl Issuers {
    /// The issuers of the configuration; nothing is fetched yet.
    #[cfg_attr(not(feature = "trusted-issuers"), allow(unused_variables))]
    pub(crate) fn new(settings: &[IssuerSettings]) -> Result<Self, String> {
        #[cfg(feature = "trusted-issuers")]
        {
            let list = settings
                .iter()
                .map(|issuer| cache::Issuer::new(issuer.clone()))
                .collect::<Result<_, _>>()?;
            Ok(Issuers { list })
        }
        #[cfg(not(feature = "trusted-issuers"))]
        Ok(Issuers {})
    }

    /// The issuer whose `iss` this is, if it is trusted.
    pub(crate) fn find(&self, iss: &str) -> Option<&IssuerHandle> {
        #[cfg(feature = "trusted-issuers")]
        {
            self.list
                .iter()
                .find(|issuer| issuer.settings.issuer == iss)
        }
        #[cfg(not(feature = "trusted-issuers"))]
        {
            let _ = iss;
            None
        }
    }

    /// Whether any issuer is trusted (only then is a token's `iss` looked at before its
    /// signature).
    pub(crate) fn is_empty(&self) -> bool {
        #[cfg(feature = "trusted-issuers")]
        {
            self.list.is_empty()
        }
        #[cfg(not(feature = "trusted-issuers"))]
        true
    }

    /// Decodes `token` with its issuer's keys and claim rules when its unverified `iss` names
    /// a trusted issuer; `None` for any other token (the app's own keys verify it).
    pub(crate) async fn decode(
        &self,
        settings: &Settings,
        token: &str,
    ) -> Option<Result<TokenData, AuthError>> {
        if self.is_empty() {
            return None;
        }
        let payload = token::unverified_payload(settings, token).ok()?;
        let issuer = self.find(payload.get("iss")?.as_str()?)?;
        Some(decode_external(settings, issuer, token).await)
    }

    /// Starts every issuer's first fetch, without waiting for it.
    pub(crate) fn prefetch(&self) {
        #[cfg(feature = "trusted-issuers")]
        for issuer in &self.list {
            issuer.prefetch();
        }
    }
}

/// The token's key from its issuer's JWKS by `kid`, its `alg` in the issuer's allow-list, then
/// the pipeline under the issuer's claim rules.
async fn decode_external(
    settings: &Settings,
    issuer: &IssuerHandle,
    token: &str,
) -> Result<TokenData, AuthError> {
    let header = token::unverified_header(settings, token)?;
    let not_allowed = AuthError::invalid("The specified alg value is not allowed");
    let algorithm = header
        .get("alg")
        .and_then(Value::as_str)
        .and_then(|alg| alg.parse::<Algorithm>().ok())
        .filter(|alg| issuer.settings.algorithms.contains(alg))
        .ok_or(not_allowed)?;
    let kid = header.get("kid").and_then(Value::as_str);
    let key = issuer.key(kid, algorithm).await?;
    let external = External {
        issuer: &issuer.settings,
        key,
    };
    let options = DecodeOptions {
        external: Some(&external),
        ..DecodeOptions::default()
    };
    token::decode(settings, token, settings.clock.now(), options)
}

#[cfg(feature = "trusted-issuers")]
pub(crate) use cache::Issuer as IssuerHandle;

/// Without the feature there is never an issuer to hand out.
#[cfg(not(feature = "trusted-issuers"))]
pub(crate) struct IssuerHandle {
    pub(crate) settings: IssuerSettings,
}

#[cfg(not(feature = "trusted-issuers"))]
impl IssuerHandle {
    pub(crate) async fn key(
        &self,
        _: Option<&str>,
        _: Algorithm,
    ) -> Result<jsonwebtoken::DecodingKey, Lookup> {
        Err(Lookup::Unavailable)
    }
}
