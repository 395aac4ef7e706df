//! Key material (SPEC §3, §7): HMAC secrets and PEM keys loaded and checked at ignition (length,
//! PyJWT's key-text rule, EC curve, matching pair), the algorithm allow-list, and the encoded
//! header of plain tokens.

use std::path::PathBuf;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, EncodingKey};
use serde_json::{Map, Value};

use crate::error::ConfigError;
use checks::{check_curve, looks_like_asymmetric_key, probe};
pub use choice::KeyChoice;
pub(crate) use set::EntrySource;
use set::SetKey;
use signature::PreparedHmac;
pub(crate) use signature::{verify_key, Signature, Signer};

mod checks;
mod choice;
mod set;
mod signature;

/// Where the keys come from: the key settings of the configuration, as written.
pub(crate) struct KeySource<'a> {
    pub(crate) algorithm: Algorithm,
    pub(crate) decode_algorithms: Vec<Algorithm>,
    pub(crate) secret_key: Option<&'a str>,
    pub(crate) allow_weak_secret: bool,
    pub(crate) private_key: (&'a Option<String>, &'a Option<PathBuf>),
    pub(crate) public_key: (&'a Option<String>, &'a Option<PathBuf>),
}

/// The keys tokens are signed and verified with.
pub(crate) struct Keys {
    pub(crate) algorithm: Algorithm,
    pub(crate) decode_algorithms: Vec<Algorithm>,
    /// `None` for a verify-only service.
    pub(crate) encoding: Option<EncodingKey>,
    pub(crate) decoding: DecodingKeys,
    /// The HMAC secret keyed once per HS algorithm, when one is configured.
    hmac: PreparedHmac,
    /// The `kid` of the signing key, written in every token's header.
    pub(crate) signing_kid: Option<String>,
    /// The base64 header of tokens without additional headers.
    pub(crate) encoded_header: String,
    /// That header, parsed: shared by every received token that carries it.
    pub(crate) plain_header: Arc<Map<String, Value>>,
    /// The key set (SPEC §12), by `kid`; empty with the single-key settings.
    set: Vec<SetKey>,
}

impl Keys {
    /// Loads and checks every key `source` names.
    pub(crate) fn load(source: KeySource<'_>) -> Result<Self, ConfigError> {
        let KeySource {
            algorithm,
            decode_algorithms,
            ..
        } = &source;
        let (algorithm, decode_algorithms) = (*algorithm, decode_algorithms.clone());
        let hmac = hmac_keys(&source)?;
        let prepared = PreparedHmac::new(
            hmac.is_some()
                .then_some(source.secret_key)
                .flatten()
                .map(str::as_bytes),
        );
        let private_pem = pem(source.private_key, "private_key")?;
        let public_pem = pem(source.public_key, "public_key")?;
        let (hmac_encoding, hmac_decoding) = hmac.unzip();
        let encoding = if algorithm.family() == AlgorithmFamily::Hmac {
            hmac_encoding
        } else {
            private_pem
                .map(|pem| {
                    let key = encoding_from_pem(algorithm, &pem)?;
                    check_curve("private_key", algorithm, &pem)?;
                    Ok(key)
                })
                .transpose()?
        };
        let decoding = DecodingKeys {
            hmac: hmac_decoding,
            public: public_key(algorithm, &decode_algorithms, public_pem)?,
        };
        let keys = Keys {
            algorithm,
            decode_algorithms,
            encoding,
            decoding,
            hmac: prepared,
            signing_kid: None,
            encoded_header: plain_header(algorithm, None),
            plain_header: Arc::new(plain_header_map(algorithm, None)),
            set: Vec::new(),
        };
        if let Some(encoding) = &keys.encoding {
            probe(&keys, encoding)?;
        }
        Ok(keys)
    }
}

/// The HMAC key pair when an allowed algorithm is HS*: the secret present, long enough, and
/// not key text.
fn hmac_keys(source: &KeySource<'_>) -> Result<Option<(EncodingKey, DecodingKey)>, ConfigError> {
    let min = std::iter::once(&source.algorithm)
        .chain(&source.decode_algorithms)
        .filter(|a| a.family() == AlgorithmFamily::Hmac)
        .map(|a| min_secret_len(*a))
        .max();
    let Some(min) = min else {
        return Ok(None);
    };
    let secret = source.secret_key.ok_or_else(|| {
        ConfigError::new(
            "secret_key",
            "missing; HS* algorithms need a secret: set `secret_key` in the `[default.jwt]` \
             table of Rocket.toml or in `ROCKET_JWT`",
        )
    })?;
    if secret.len() < min && !source.allow_weak_secret {
        return Err(ConfigError::new(
            "secret_key",
            format!(
                "too short ({} bytes); HS secrets need at least {min} bytes of random data (or \
                 set `allow_weak_secret = true`, not recommended)",
                secret.len()
            ),
        ));
    }
    if looks_like_asymmetric_key(secret) {
        return Err(ConfigError::new(
            "secret_key",
            "is PEM or SSH key text; an HMAC secret must not be a public or private key \
             (anyone holding the public key could sign tokens): use a random secret for HS*, \
             or `private_key`/`public_key` with RS*, PS*, ES* or EdDSA",
        ));
    }
    let secret = secret.as_bytes();
    EncodingKey::from_secret(secret)
        .and_then(|e| DecodingKey::from_secret(secret).map(|d| Some((e, d))))
        .map_err(|e| ConfigError::new("secret_key", e))
}

/// The public key of the one asymmetric family `decode_algorithms` allows, if any.
fn public_key(
    algorithm: Algorithm,
    decode_algorithms: &[Algorithm],
    pem: Option<Vec<u8>>,
) -> Result<Option<(AlgorithmFamily, DecodingKey)>, ConfigError> {
    let mut asymmetric = decode_algorithms
        .iter()
        .filter(|a| a.family() != AlgorithmFamily::Hmac);
    let Some(first) = asymmetric.next() else {
        return Ok(None);
    };
    let family = first.family();
    if asymmetric.any(|a| a.family() != family) {
        return Err(ConfigError::new(
            "decode_algorithms",
            "mixes asymmetric algorithm families; one `public_key` serves one family",
        ));
    }
    let pem = pem.ok_or_else(|| {
        let named = if algorithm.family() == family {
            algorithm
        } else {
            *first
        };
        ConfigError::new(
            "public_key",
            format!(
                "missing; `{named:?}` tokens are verified with a PEM public key: set \
                 `public_key` or `public_key_file`"
            ),
        )
    })?;
    let key = decoding_from_pem(family, &pem)?;
    for ec in decode_algorithms
        .iter()
        .filter(|a| a.family() == AlgorithmFamily::Ec)
    {
        check_curve("public_key", *ec, &pem)?;
    }
    Ok(Some((family, key)))
}

/// `{"alg": .., "kid": .., "typ": "JWT"}` as base64: the header of every token without
/// additional headers (PyJWT writes the same bytes, sorting the keys).
pub(crate) fn plain_header(algorithm: Algorithm, kid: Option<&str>) -> String {
    URL_SAFE_NO_PAD.encode(Value::Object(plain_header_map(algorithm, kid)).to_string())
}

fn plain_header_map(algorithm: Algorithm, kid: Option<&str>) -> Map<String, Value> {
    let mut header = Map::new();
    header.insert("alg".into(), format!("{algorithm:?}").into());
    if let Some(kid) = kid {
        header.insert("kid".into(), kid.into());
    }
    header.insert("typ".into(), "JWT".into());
    header
}

/// With both crypto features on (as `--all-features` does), `jsonwebtoken` cannot pick one;
/// install aws-lc-rs, the default.
pub(crate) fn ensure_crypto_provider() -> Result<(), String> {
    use jsonwebtoken::crypto::CryptoProvider;
    if CryptoProvider::try_get_default().is_some() {
        return Ok(());
    }
    #[cfg(feature = "aws_lc_rs")]
    {
        let _ = CryptoProvider::install_default(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
    }
    CryptoProvider::try_get_default()
        .map(|_| ())
        .ok_or_else(|| "no crypto provider for jsonwebtoken".to_owned())
}

/// The verification keys, one per algorithm family that `decode_algorithms` allows.
pub(crate) struct DecodingKeys {
    hmac: Option<DecodingKey>,
    public: Option<(AlgorithmFamily, DecodingKey)>,
}

impl DecodingKeys {
    pub(crate) fn for_algorithm(&self, algorithm: Algorithm) -> Option<&DecodingKey> {
        match algorithm.family() {
            AlgorithmFamily::Hmac => self.hmac.as_ref(),
            family => self
                .public
                .as_ref()
                .filter(|(f, _)| *f == family)
                .map(|(_, key)| key),
        }
    }
}

/// Minimum HS secret length: the hash output size (RFC 7518 §3.2).
fn min_secret_len(algorithm: Algorithm) -> usize {
    match algorithm {
        Algorithm::HS384 => 48,
        Algorithm::HS512 => 64,
        _ => 32,
    }
}

/// Reads a PEM key given inline or as a file; `None` when neither key is set.
fn pem(
    (inline, file): (&Option<String>, &Option<PathBuf>),
    key: &str,
) -> Result<Option<Vec<u8>>, ConfigError> {
    match (inline, file) {
        (Some(_), Some(_)) => Err(ConfigError::new(
            key,
            format!("set either `{key}` or `{key}_file`, not both"),
        )),
        (Some(text), None) => Ok(Some(text.as_bytes().to_vec())),
        (None, Some(path)) => std::fs::read(path).map(Some).map_err(|e| {
            ConfigError::new(
                &format!("{key}_file"),
                format!("cannot read `{}`: {e}", path.display()),
            )
        }),
        (None, None) => Ok(None),
    }
}

fn encoding_from_pem(algorithm: Algorithm, pem: &[u8]) -> Result<EncodingKey, ConfigError> {
    let key = match algorithm.family() {
        AlgorithmFamily::Rsa => EncodingKey::from_rsa_pem(pem),
        AlgorithmFamily::Ec => EncodingKey::from_ec_pem(pem),
        AlgorithmFamily::Ed => EncodingKey::from_ed_pem(pem),
        AlgorithmFamily::Hmac => unreachable_family(),
    };
    key.map_err(|e| {
        ConfigError::new(
            "private_key",
            format!("not a PEM private key for `{algorithm:?}` ({e})"),
        )
    })
}

fn decoding_from_pem(family: AlgorithmFamily, pem: &[u8]) -> Result<DecodingKey, ConfigError> {
    let key = match family {
        AlgorithmFamily::Rsa => DecodingKey::from_rsa_pem(pem),
        AlgorithmFamily::Ec => DecodingKey::from_ec_pem(pem),
        AlgorithmFamily::Ed => DecodingKey::from_ed_pem(pem),
        AlgorithmFamily::Hmac => unreachable_family(),
    };
    key.map_err(|e| {
        ConfigError::new(
            "public_key",
            format!("not a PEM public key for the {family:?} algorithm family ({e})"),
        )
    })
}

/// HMAC keys never come from PEM; callers filter that family out before.
fn unreachable_family<T>() -> Result<T, jsonwebtoken::errors::Error> {
    Err(jsonwebtoken::errors::ErrorKind::InvalidKeyFormat.into())
}
