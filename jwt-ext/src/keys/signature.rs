//! Signing and verifying with the loaded keys.
//!
//! With aws-lc-rs (the default crypto feature) the HMAC secret is prepared once, at ignition:
//! `jsonwebtoken::crypto` hashes the key's inner and outer pads again for every token, which
//! was 5k of the ~50k instructions a guarded request costs (`benches/instructions.sh`). The
//! result is the same HMAC. Asymmetric algorithms, and builds with `rust_crypto` alone, go
//! through `jsonwebtoken::crypto`.

use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, EncodingKey};

pub(super) use prepared::PreparedHmac;

use super::KeyChoice;
use super::{decoding_from_pem, Keys};

/// What a signature check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signature {
    Valid,
    /// Wrong signature, or no key for the algorithm.
    Invalid,
    /// Not unpadded base64url.
    Malformed,
    /// The token's `kid` names no key of the set.
    UnknownKey,
    /// The `kid`'s key has another algorithm than the token's `alg`.
    WrongAlgorithm,
}

impl Keys {
    /// The base64url signature of `message` with the signing key, under the signing algorithm.
    pub(crate) fn sign(
        &self,
        key: &EncodingKey,
        message: &[u8],
    ) -> Result<String, jsonwebtoken::errors::Error> {
        match self.hmac.sign(self.algorithm, message) {
            Some(signature) => Ok(signature),
            None => jsonwebtoken::crypto::sign(message, key, self.algorithm),
        }
    }

    /// Checks the base64url `signature` of `message` under `algorithm`, which the caller has
    /// taken from the allow-list. A token without `kid` is verified with the signing key only
    /// (or the single key's); one with a `kid` with the key of that `kid`, by exact match in
    /// the set, whose algorithm must be the token's.
    pub(crate) fn verify(
        &self,
        algorithm: Algorithm,
        kid: Option<&str>,
        message: &[u8],
        signature: &str,
    ) -> Signature {
        let Some(kid) = kid else {
            let key = self.decoding.for_algorithm(algorithm);
            return verify_with(&self.hmac, key, algorithm, message, signature);
        };
        match self.set.iter().find(|key| key.kid == kid) {
            None => Signature::UnknownKey,
            Some(key) if key.algorithm != algorithm => Signature::WrongAlgorithm,
            Some(key) => verify_with(
                &key.hmac,
                Some(&key.decoding),
                algorithm,
                message,
                signature,
            ),
        }
    }
}

impl Keys {
    /// Checks the signature with the key a decode-key hook chose: a `kid` of the set under the
    /// set's rules, or a secret or PEM key fitting the token's `alg`.
    pub(crate) fn verify_choice(
        &self,
        choice: &KeyChoice,
        algorithm: Algorithm,
        message: &[u8],
        signature: &str,
    ) -> Signature {
        let hmac = algorithm.family() == AlgorithmFamily::Hmac;
        let key = match choice {
            KeyChoice::Kid(kid) => return self.verify(algorithm, Some(kid), message, signature),
            KeyChoice::Secret(secret) if hmac => DecodingKey::from_secret(secret).ok(),
            KeyChoice::PublicPem(pem) if !hmac => decoding_from_pem(algorithm.family(), pem).ok(),
            _ => return Signature::WrongAlgorithm,
        };
        let Some(key) = key else {
            return Signature::Invalid;
        };
        verify_with(
            &PreparedHmac::new(None),
            Some(&key),
            algorithm,
            message,
            signature,
        )
    }

    /// The key that signs a new token: the signing key, or the key of `kid` when it can sign.
    pub(crate) fn signer(&self, kid: Option<&str>) -> Option<Signer<'_>> {
        match kid {
            Some(kid) if self.signing_kid.as_deref() != Some(kid) => {
                let key = self.set.iter().find(|key| key.kid == kid)?;
                Some(Signer {
                    algorithm: key.algorithm,
                    kid: Some(&key.kid),
                    encoding: key.encoding.as_ref()?,
                    hmac: &key.hmac,
                    header: None,
                })
            }
            _ => Some(Signer {
                algorithm: self.algorithm,
                kid: self.signing_kid.as_deref(),
                encoding: self.encoding.as_ref()?,
                hmac: &self.hmac,
                header: Some(&self.encoded_header),
            }),
        }
    }
}

/// A key that signs, with what its tokens' headers say.
pub(crate) struct Signer<'k> {
    pub(crate) algorithm: Algorithm,
    pub(crate) kid: Option<&'k str>,
    encoding: &'k EncodingKey,
    hmac: &'k PreparedHmac,
    /// The base64 plain header, when computed at ignition.
    pub(crate) header: Option<&'k str>,
}

impl Signer<'_> {
    /// The base64url signature of `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<String, jsonwebtoken::errors::Error> {
        match self.hmac.sign(self.algorithm, message) {
            Some(signature) => Ok(signature),
            None => jsonwebtoken::crypto::sign(message, self.encoding, self.algorithm),
        }
    }
}

/// A check with one asymmetric key (a trusted issuer's).
pub(crate) fn verify_key(
    key: &DecodingKey,
    algorithm: Algorithm,
    message: &[u8],
    signature: &str,
) -> Signature {
    verify_with(
        &PreparedHmac::new(None),
        Some(key),
        algorithm,
        message,
        signature,
    )
}

/// One key's check: its prepared HMAC key, or `jsonwebtoken::crypto` with `key`.
fn verify_with(
    hmac: &PreparedHmac,
    key: Option<&DecodingKey>,
    algorithm: Algorithm,
    message: &[u8],
    signature: &str,
) -> Signature {
    if let Some(checked) = hmac.verify(algorithm, message, signature) {
        return checked;
    }
    let Some(key) = key else {
        return Signature::Invalid;
    };
    match jsonwebtoken::crypto::verify(signature, message, key, algorithm) {
        Ok(true) => Signature::Valid,
        Ok(false) => Signature::Invalid,
        Err(e) if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::Base64(_)) => {
            Signature::Malformed
        }
        Err(_) => Signature::Invalid,
    }
}

#[cfg(feature = "aws_lc_rs")]
mod prepared {
    use aws_lc_rs::hmac::{self, Key, HMAC_SHA256, HMAC_SHA384, HMAC_SHA512};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use jsonwebtoken::Algorithm;

    use super::Signature;

    /// The HMAC secret, keyed once for each HS algorithm.
    #[derive(Clone)]
    pub(crate) struct PreparedHmac(Option<[Key; 3]>);

    impl PreparedHmac {
        pub(crate) fn new(secret: Option<&[u8]>) -> Self {
            PreparedHmac(secret.map(|secret| {
                [HMAC_SHA256, HMAC_SHA384, HMAC_SHA512].map(|hash| Key::new(hash, secret))
            }))
        }

        fn key(&self, algorithm: Algorithm) -> Option<&Key> {
            let index = match algorithm {
                Algorithm::HS256 => 0,
                Algorithm::HS384 => 1,
                Algorithm::HS512 => 2,
                _ => return None,
            };
            self.0.as_ref().map(|keys| &keys[index])
        }

        /// `None` when `algorithm` is not an HS algorithm with a prepared key.
        pub(crate) fn sign(&self, algorithm: Algorithm, message: &[u8]) -> Option<String> {
            let tag = hmac::sign(self.key(algorithm)?, message);
            Some(URL_SAFE_NO_PAD.encode(tag.as_ref()))
        }

        /// `None` when `algorithm` is not an HS algorithm with a prepared key.
        pub(crate) fn verify(
            &self,
            algorithm: Algorithm,
            message: &[u8],
            signature: &str,
        ) -> Option<Signature> {
            let key = self.key(algorithm)?;
            let Ok(tag) = URL_SAFE_NO_PAD.decode(signature) else {
                return Some(Signature::Malformed);
            };
            Some(match hmac::verify(key, message, &tag) {
                Ok(()) => Signature::Valid,
                Err(_) => Signature::Invalid,
            })
        }
    }
}

/// Without aws-lc-rs nothing is prepared: every algorithm goes through `jsonwebtoken::crypto`.
#[cfg(not(feature = "aws_lc_rs"))]
mod prepared {
    use jsonwebtoken::Algorithm;

    use super::Signature;

    #[derive(Clone)]
    pub(crate) struct PreparedHmac;

    impl PreparedHmac {
        pub(crate) fn new(_: Option<&[u8]>) -> Self {
            PreparedHmac
        }

        pub(crate) fn sign(&self, _: Algorithm, _: &[u8]) -> Option<String> {
            None
        }

        pub(crate) fn verify(&self, _: Algorithm, _: &[u8], _: &str) -> Option<Signature> {
            None
        }
    }
}
