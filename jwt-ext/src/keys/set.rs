//! Key sets (SPEC §12): several keys with `kid`s, one of them signing, each checked at ignition
//! as a single key is, and their public halves as a JWK set (RFC 7517).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, EncodingKey};

use std::sync::Arc;

use super::signature::PreparedHmac;
use super::{plain_header, plain_header_map, DecodingKeys, KeySource, Keys};
use crate::error::ConfigError;

/// One entry of `keys`, as written.
pub(crate) struct EntrySource<'a> {
    pub(crate) kid: Option<&'a str>,
    pub(crate) key: KeySource<'a>,
}

/// A loaded key of the set.
pub(crate) struct SetKey {
    pub(crate) kid: String,
    pub(crate) algorithm: Algorithm,
    pub(crate) encoding: Option<EncodingKey>,
    pub(crate) decoding: DecodingKey,
    pub(crate) hmac: PreparedHmac,
    /// The public half as a JWK (`kid`, `alg`, `use`), `None` for an HS key.
    pub(crate) jwk: Option<Jwk>,
}

impl SetKey {
    /// Loads entry `index` with the checks of a single key (secret length and text, curve,
    /// matching pair), derives the public key from a private one when none is given, and
    /// names it by its `kid` or its RFC 7638 thumbprint.
    pub(crate) fn load(index: usize, entry: EntrySource<'_>) -> Result<Self, ConfigError> {
        let algorithm = entry.key.algorithm;
        let within = |e: ConfigError| e.in_key_set(index);
        let has_public = entry.key.public_key.0.is_some() || entry.key.public_key.1.is_some();
        let hmac = algorithm.family() == AlgorithmFamily::Hmac;
        let verifies = if hmac || has_public {
            vec![algorithm]
        } else {
            Vec::new()
        };
        let single = Keys::load(KeySource {
            decode_algorithms: verifies,
            ..entry.key
        })
        .map_err(within)?;
        let Keys {
            encoding,
            decoding,
            hmac: prepared,
            ..
        } = single;
        let decoding = match (decoding.for_algorithm(algorithm), &encoding) {
            (Some(key), _) => key.clone(),
            (None, Some(private)) => derive_public(algorithm, private).map_err(within)?,
            (None, None) => {
                return Err(within(ConfigError::new(
                    "private_key",
                    "missing: a key needs `private_key`, `public_key` (or their `_file`s), or \
                     `secret_key` for HS*",
                )))
            }
        };
        let jwk = (!hmac)
            .then(|| public_jwk(algorithm, &decoding))
            .transpose()
            .map_err(within)?;
        if let Some(jwk) = &jwk {
            check_rsa_size(algorithm, jwk).map_err(within)?;
        }
        let kid = kid(entry.kid, jwk.as_ref()).map_err(within)?;
        let jwk = jwk.map(|mut jwk| {
            jwk.common.key_id = Some(kid.clone());
            jwk
        });
        Ok(SetKey {
            kid,
            algorithm,
            encoding,
            decoding,
            hmac: prepared,
            jwk,
        })
    }
}

impl Keys {
    /// Loads a key set: every entry checked as a single key, `kid`s unique, the signing key
    /// the one `signing_key` names (or the only one able to sign). `narrowed` is
    /// `decode_algorithms` when configured; by default the keys' algorithms are allowed.
    pub(crate) fn load_set(
        entries: Vec<EntrySource<'_>>,
        signing_key: Option<&str>,
        narrowed: Option<Vec<Algorithm>>,
    ) -> Result<Self, ConfigError> {
        if entries.is_empty() {
            return Err(ConfigError::new(
                "keys",
                "the list is empty; list at least one key, or remove `keys` to use the \
                 single-key settings",
            ));
        }
        let mut set: Vec<SetKey> = Vec::with_capacity(entries.len());
        for (index, entry) in entries.into_iter().enumerate() {
            let key = SetKey::load(index, entry)?;
            if set.iter().any(|other| other.kid == key.kid) {
                return Err(ConfigError::new(
                    &format!("keys[{index}].kid"),
                    format!(
                        "`{}` is the kid of another key; kids must be unique",
                        key.kid
                    ),
                ));
            }
            set.push(key);
        }
        let signing = signing_index(&set, signing_key)?;
        let mut decode_algorithms = narrowed.unwrap_or_default();
        if decode_algorithms.is_empty() {
            for key in &set {
                if !decode_algorithms.contains(&key.algorithm) {
                    decode_algorithms.push(key.algorithm);
                }
            }
        }
        let signer = signing.map(|index| &set[index]);
        let algorithm = signer.map_or(set[0].algorithm, |key| key.algorithm);
        let kid = signer.map(|key| key.kid.clone());
        let decoding = DecodingKeys {
            hmac: signer
                .filter(|key| key.algorithm.family() == AlgorithmFamily::Hmac)
                .map(|key| key.decoding.clone()),
            public: signer
                .filter(|key| key.algorithm.family() != AlgorithmFamily::Hmac)
                .map(|key| (key.algorithm.family(), key.decoding.clone())),
        };
        Ok(Keys {
            algorithm,
            decode_algorithms,
            encoding: signer.and_then(|key| key.encoding.clone()),
            decoding,
            hmac: signer.map_or_else(|| PreparedHmac::new(None), |key| key.hmac.clone()),
            encoded_header: plain_header(algorithm, kid.as_deref()),
            plain_header: Arc::new(plain_header_map(algorithm, kid.as_deref())),
            signing_kid: kid,
            set,
        })
    }

    /// The public keys of the set as JWKs, each with `kid`, `alg` and `use = "sig"`; never a
    /// private or an HS key.
    pub(crate) fn public_jwks(&self) -> impl Iterator<Item = &jsonwebtoken::jwk::Jwk> {
        self.set.iter().filter_map(|key| key.jwk.as_ref())
    }
}

/// The key that signs new tokens: the one `signing_key` names, or the only one that can sign.
fn signing_index(set: &[SetKey], signing_key: Option<&str>) -> Result<Option<usize>, ConfigError> {
    if let Some(kid) = signing_key {
        let index = set.iter().position(|key| key.kid == kid).ok_or_else(|| {
            ConfigError::new("signing_key", format!("`{kid}` names no key of `keys`"))
        })?;
        if set[index].encoding.is_none() {
            return Err(ConfigError::new(
                "signing_key",
                format!(
                    "`{kid}` is a verify-only key: give it a private key, or sign with another"
                ),
            ));
        }
        return Ok(Some(index));
    }
    let mut signers = set
        .iter()
        .enumerate()
        .filter(|(_, key)| key.encoding.is_some());
    match (signers.next(), signers.next()) {
        (first, None) => Ok(first.map(|(index, _)| index)),
        (Some(_), Some(_)) => Err(ConfigError::new(
            "signing_key",
            "missing: several keys can sign; name the one that signs new tokens by its `kid`",
        )),
        (None, Some(_)) => Ok(None),
    }
}

/// The configured `kid`, or the RFC 7638 thumbprint (SHA-256) of the public key.
fn kid(configured: Option<&str>, jwk: Option<&Jwk>) -> Result<String, ConfigError> {
    match (configured, jwk) {
        (Some(kid), _) if !kid.is_empty() => Ok(kid.to_owned()),
        (Some(_), _) => Err(ConfigError::new("kid", "must not be empty")),
        (None, Some(jwk)) => jwk
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|e| ConfigError::new("kid", format!("no thumbprint ({e})"))),
        (None, None) => Err(ConfigError::new(
            "kid",
            "missing: an HS key needs a `kid` of its own (its thumbprint would be a hash of the \
             secret, published in every token)",
        )),
    }
}

/// The public key of a private one, through its JWK.
fn derive_public(algorithm: Algorithm, private: &EncodingKey) -> Result<DecodingKey, ConfigError> {
    Jwk::from_encoding_key(private, algorithm)
        .and_then(|jwk| DecodingKey::from_jwk(&jwk))
        .map_err(|e| {
            let problem = if e.to_string().contains("TooSmall") {
                format!(
                    "is an RSA key of fewer than 2048 bits; `{algorithm:?}` needs at least 2048"
                )
            } else {
                format!("no public key can be derived from it ({e}); give `public_key` too")
            };
            ConfigError::new("private_key", problem)
        })
}

/// The JWK of a public key: its parameters, `alg` and `use = "sig"`; never a private part.
fn public_jwk(algorithm: Algorithm, key: &DecodingKey) -> Result<Jwk, ConfigError> {
    let mut jwk = Jwk::from_decoding_key(key, Some(algorithm))
        .map_err(|e| ConfigError::new("public_key", format!("not publishable as a JWK ({e})")))?;
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    Ok(jwk)
}

/// RSA keys of at least 2048 bits (RFC 7518 §3.3).
fn check_rsa_size(algorithm: Algorithm, jwk: &Jwk) -> Result<(), ConfigError> {
    let jsonwebtoken::jwk::AlgorithmParameters::RSA(rsa) = &jwk.algorithm else {
        return Ok(());
    };
    let modulus = URL_SAFE_NO_PAD.decode(&rsa.n).unwrap_or_default();
    let leading_zeros = modulus.iter().take_while(|b| **b == 0).count();
    let bits = (modulus.len() - leading_zeros) * 8;
    if bits < 2048 {
        return Err(ConfigError::new(
            "public_key",
            format!("is a {bits}-bit RSA key; `{algorithm:?}` needs at least 2048 bits"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7638 §3.1: the example RSA key and its SHA-256 thumbprint.
    #[test]
    fn the_default_kid_is_the_rfc_7638_thumbprint() {
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSo\
                 c_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65Y\
                 GjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrd\
                 kt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKn\
                 qDKgw";
        crate::keys::ensure_crypto_provider().expect("a provider");
        let key = DecodingKey::from_rsa_components(n, "AQAB").expect("the RFC's key");
        let jwk = public_jwk(Algorithm::RS256, &key).expect("a JWK");
        let thumbprint = jwk
            .thumbprint(ThumbprintHash::SHA256)
            .expect("a thumbprint");
        assert_eq!(thumbprint, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
        assert!(check_rsa_size(Algorithm::RS256, &jwk).is_ok());
    }
}
