//! Checks of key material at ignition: PyJWT's key-text rule for HMAC secrets, the EC curve an
//! algorithm needs, and a probe signature proving the two halves of a pair belong together.

use jsonwebtoken::{Algorithm, AlgorithmFamily, EncodingKey};

use super::{Keys, Signature};
use crate::error::ConfigError;

/// Signs and verifies a probe with the configured pair, so a private key that does not belong
/// to the public key fails ignition instead of every request.
pub(super) fn probe(keys: &Keys, encoding_key: &EncodingKey) -> Result<(), ConfigError> {
    let algorithm = keys.algorithm;
    if keys.decoding.for_algorithm(algorithm).is_none() {
        // Issue-only: `decode_algorithms` leaves out the signing algorithm.
        return Ok(());
    }
    let input = b"jwt-ext ignition probe";
    let key = if algorithm.family() == AlgorithmFamily::Hmac {
        "secret_key"
    } else {
        "private_key"
    };
    let signature = keys.sign(encoding_key, input).map_err(|e| {
        ConfigError::new(
            key,
            format!("cannot sign with this key as `{algorithm:?}` ({e})"),
        )
    })?;
    match keys.verify(algorithm, None, input, &signature) {
        Signature::Valid => Ok(()),
        _ => Err(ConfigError::new(
            "public_key",
            format!(
                "does not match `private_key`: a `{algorithm:?}` token signed with the private \
                 key does not verify with it; configure the two halves of one key pair"
            ),
        )),
    }
}

/// The DER encodings of the named-curve OIDs an EC key can carry (RFC 5480 §2.1.1.1).
const CURVES: [(&str, &[u8]); 4] = [
    (
        "P-256",
        &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
    ),
    ("P-384", &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22]),
    ("P-521", &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23]),
    ("secp256k1", &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a]),
];

/// ES256 needs a P-256 key and ES384 a P-384 key (RFC 7518 §3.4): another curve would fail
/// every signature, or verify under the wrong parameters.
pub(super) fn check_curve(key: &str, algorithm: Algorithm, pem: &[u8]) -> Result<(), ConfigError> {
    let wanted = match algorithm {
        Algorithm::ES256 => "P-256",
        Algorithm::ES384 => "P-384",
        _ => return Ok(()),
    };
    let der = pem_body(pem);
    let found = CURVES
        .iter()
        .find(|(_, oid)| der.windows(oid.len()).any(|w| w == *oid))
        .map(|(name, _)| *name);
    match found {
        Some(curve) if curve == wanted => Ok(()),
        Some(curve) => Err(ConfigError::new(
            key,
            format!("is a {curve} key, but `{algorithm:?}` needs a {wanted} key"),
        )),
        None => Err(ConfigError::new(
            key,
            format!("is not a PEM EC key on a named curve; `{algorithm:?}` needs a {wanted} key"),
        )),
    }
}

/// The DER bytes of a PEM block (empty when it is not one).
fn pem_body(pem: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let text = String::from_utf8_lossy(pem);
    let body: String = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("-----"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap_or_default()
}

/// PyJWT's rule (CVE-2022-29217): a PEM block or an OpenSSH key is never an HMAC secret.
pub(super) fn looks_like_asymmetric_key(secret: &str) -> bool {
    const SSH: [&str; 6] = [
        "ssh-rsa",
        "ssh-ed25519",
        "ssh-dss",
        "ecdsa-sha2-",
        "sk-ssh-ed25519",
        "sk-ecdsa-sha2-",
    ];
    let secret = secret.trim_start();
    secret.contains("-----BEGIN ") || SSH.iter().any(|prefix| secret.starts_with(prefix))
}
