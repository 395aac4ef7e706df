//! Which claim rules a decode applies: the app's own (its configuration), or those of a trusted
//! external issuer (SPEC §13), whose key the caller looked up.

use jsonwebtoken::{Algorithm, DecodingKey};

use crate::config::{IssuerSettings, Settings};

/// A token of a trusted issuer: its settings and the key its `kid` named in the issuer's JWKS.
pub(crate) struct External<'a> {
    pub(crate) issuer: &'a IssuerSettings,
    pub(crate) key: DecodingKey,
}

/// The rules of one decode.
pub(super) struct Rules<'a> {
    pub(super) algorithms: &'a [Algorithm],
    pub(super) identity_claim: &'a str,
    pub(super) audience: Option<&'a [String]>,
    pub(super) issuer: Option<&'a str>,
    /// External tokens need `exp` and `iat` or `nbf` (OIDC), and no `type`, `jti`, `fresh` or
    /// `csrf`: they count as access tokens, never fresh.
    pub(super) external: Option<&'a External<'a>>,
}

impl<'a> Rules<'a> {
    pub(super) fn new(settings: &'a Settings, external: Option<&'a External<'a>>) -> Self {
        match external {
            Some(external) => Rules {
                algorithms: &external.issuer.algorithms,
                identity_claim: &external.issuer.identity_claim,
                audience: Some(&external.issuer.audience),
                issuer: Some(&external.issuer.issuer),
                external: Some(external),
            },
            None => Rules {
                algorithms: &settings.keys.decode_algorithms,
                identity_claim: &settings.identity_claim,
                audience: settings.decode_audience.as_deref(),
                issuer: settings.decode_issuer.as_deref(),
                external: None,
            },
        }
    }
}
