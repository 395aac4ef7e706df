//! The signing algorithms, by their JOSE names (RFC 7518 §3.1). A leaf: it imports nothing from
//! the crate.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A JWS algorithm jwt-ext signs and verifies with: `algorithm` and `decode_algorithms` in the
/// configuration.
///
/// ```
/// use jwt_ext::Algorithm;
///
/// assert_eq!("ES256".parse::<Algorithm>(), Ok(Algorithm::ES256));
/// assert_eq!(Algorithm::EdDSA.to_string(), "EdDSA");
/// assert!("none".parse::<Algorithm>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // the JOSE names say it all
pub enum Algorithm {
    HS256,
    HS384,
    HS512,
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    EdDSA,
}

impl Algorithm {
    /// Every algorithm, HMAC first.
    pub const ALL: [Algorithm; 12] = [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
    ];

    /// The JOSE name, as a token's `alg` header carries it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::EdDSA => "EdDSA",
        }
    }

    /// The same algorithm, as `jsonwebtoken` names it.
    pub(crate) fn jose(self) -> jsonwebtoken::Algorithm {
        use jsonwebtoken::Algorithm as J;
        match self {
            Algorithm::HS256 => J::HS256,
            Algorithm::HS384 => J::HS384,
            Algorithm::HS512 => J::HS512,
            Algorithm::RS256 => J::RS256,
            Algorithm::RS384 => J::RS384,
            Algorithm::RS512 => J::RS512,
            Algorithm::PS256 => J::PS256,
            Algorithm::PS384 => J::PS384,
            Algorithm::PS512 => J::PS512,
            Algorithm::ES256 => J::ES256,
            Algorithm::ES384 => J::ES384,
            Algorithm::EdDSA => J::EdDSA,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Exact JOSE names only: `hs256` is not `HS256` to a peer, so it is not to us.
impl FromStr for Algorithm {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "`{s}` is not a supported algorithm; use one of HS256, HS384, HS512, RS256, \
                     RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA"
                )
            })
    }
}

impl Serialize for Algorithm {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Algorithm {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_jsonwebtoken() {
        for algorithm in Algorithm::ALL {
            let theirs: jsonwebtoken::Algorithm = algorithm.as_str().parse().expect("known");
            assert_eq!(theirs, algorithm.jose());
            assert_eq!(algorithm.as_str().parse(), Ok(algorithm));
        }
    }
}
