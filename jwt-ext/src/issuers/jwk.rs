//! An issuer's JWKS, read strictly: only signing keys (`use = "sig"`) of an asymmetric type,
//! each usable with the algorithms its type and curve allow.

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

/// One usable key of an issuer.
pub(super) struct IssuerKey {
    pub(super) kid: Option<String>,
    /// The JWK's own `alg`, when it names one.
    pub(super) algorithm: Option<Algorithm>,
    pub(super) key: DecodingKey,
    /// What the key's type and curve allow.
    fits: fn(Algorithm) -> bool,
}

impl IssuerKey {
    /// Whether this key verifies a token of `kid` and `algorithm`.
    pub(super) fn serves(&self, kid: Option<&str>, algorithm: Algorithm) -> bool {
        // By `kid` only: a token without one, or a key without one, selects nothing.
        let kid_matches = matches!((kid, &self.kid), (Some(kid), Some(own)) if kid == own);
        kid_matches && (self.fits)(algorithm) && self.algorithm.is_none_or(|own| own == algorithm)
    }
}

/// The usable keys of a JWKS document; the others are skipped (and said so in the log).
pub(super) fn keys(document: &Value) -> Result<Vec<IssuerKey>, String> {
    let keys = document
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("not a JWK set: no `keys` array")?;
    Ok(keys.iter().filter_map(key).collect())
}

fn key(value: &Value) -> Option<IssuerKey> {
    let jwk: Jwk = serde_json::from_value(value.clone())
        .map_err(|e| rocket::debug!("jwt-ext: skipping a JWK that does not parse: {e}"))
        .ok()?;
    if jwk.common.public_key_use != Some(PublicKeyUse::Signature) {
        rocket::debug!("jwt-ext: skipping a JWK without `use = \"sig\"`");
        return None;
    }
    let fits: fn(Algorithm) -> bool = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => |a| {
            matches!(
                a,
                Algorithm::RS256
                    | Algorithm::RS384
                    | Algorithm::RS512
                    | Algorithm::PS256
                    | Algorithm::PS384
                    | Algorithm::PS512
            )
        },
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => |a| a == Algorithm::ES256,
            EllipticCurve::P384 => |a| a == Algorithm::ES384,
            _ => return None,
        },
        AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
            |a| a == Algorithm::EdDSA
        }
        // Symmetric (`oct`) and unknown key types never verify an issuer's token.
        _ => return None,
    };
    let algorithm = match jwk.common.key_algorithm {
        Some(alg) => Some(alg.to_string().parse::<Algorithm>().ok()?),
        None => None,
    };
    let key = DecodingKey::from_jwk(&jwk).ok()?;
    Some(IssuerKey {
        kid: jwk.common.key_id,
        algorithm,
        key,
        fits,
    })
}
