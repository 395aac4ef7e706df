//! Configuration (SPEC §3): read from Rocket's figment under the key `jwt`, checked at ignition.
//!
//! Key names are Flask-JWT-Extended's `JWT_*` names, lower-cased, without the prefix.
//! [`Config`] is the raw, defaulted form; `Settings` is the validated form the rest of the
//! crate reads, with keys loaded and names resolved.

use std::fmt;
use std::path::PathBuf;

use rocket::http::SameSite;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

pub use crate::error::ConfigError;
use crate::location::Location;
use crate::token::keys::{parse_algorithm, KeySource, Keys};
use crate::token::kind::PerKind;

/// The `jwt` configuration table, as written in `Rocket.toml` or `ROCKET_JWT`.
///
/// Every field has Flask-JWT-Extended's default unless its documentation says otherwise.
/// Unknown keys are an error, so a misspelt key fails launch instead of being ignored.
///
/// ```toml
/// [default.jwt]
/// secret_key = "a long random secret of 32 bytes or more"
/// access_token_expires = 900
/// token_location = ["headers", "cookies"]
/// ```
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
#[allow(missing_docs)] // each field is documented in the README's configuration table
pub struct Config {
    pub secret_key: Option<String>,
    /// Accept an HS secret shorter than the hash output (not recommended; for tests).
    pub allow_weak_secret: bool,
    pub algorithm: String,
    pub decode_algorithms: Option<Vec<String>>,
    pub private_key: Option<String>,
    pub public_key: Option<String>,
    pub private_key_file: Option<PathBuf>,
    pub public_key_file: Option<PathBuf>,
    pub access_token_expires: Expiry,
    pub refresh_token_expires: Expiry,
    pub identity_claim: String,
    pub error_message_key: String,
    pub token_location: OneOrMany,
    pub header_name: String,
    pub header_type: String,
    pub encode_nbf: bool,
    pub verify_sub: bool,
    pub encode_audience: Option<OneOrMany>,
    pub decode_audience: Option<OneOrMany>,
    pub encode_issuer: Option<String>,
    pub decode_issuer: Option<String>,
    pub decode_leeway: u64,
    pub access_cookie_name: String,
    pub refresh_cookie_name: String,
    pub access_cookie_path: String,
    pub refresh_cookie_path: String,
    pub cookie_secure: bool,
    pub cookie_domain: Option<String>,
    pub cookie_samesite: Option<String>,
    pub session_cookie: bool,
    pub cookie_csrf_protect: bool,
    pub csrf_in_cookies: bool,
    pub csrf_check_form: bool,
    pub csrf_methods: Vec<String>,
    pub access_csrf_cookie_name: String,
    pub refresh_csrf_cookie_name: String,
    pub access_csrf_cookie_path: String,
    pub refresh_csrf_cookie_path: String,
    pub access_csrf_header_name: String,
    pub refresh_csrf_header_name: String,
    pub access_csrf_field_name: String,
    pub refresh_csrf_field_name: String,
    pub query_string_name: String,
    pub query_string_value_prefix: String,
    pub json_key: String,
    pub refresh_json_key: String,
    pub blocklist: String,
    /// (new) Prefix of the Redis store's keys.
    pub blocklist_key_prefix: String,
    /// (new) Deadline of one Redis command, in milliseconds; past it requests fail closed.
    pub blocklist_timeout_ms: u64,
    pub max_token_bytes: usize,
    /// (new) Seconds: a successful response to a request whose access cookie expires within
    /// this window carries a new access cookie (Flask's "implicit refreshing"). 0 = off.
    pub implicit_refresh_window: u64,
    /// (new) Require `jti`, `type` and `iat` in received tokens. `false` restores Flask's
    /// leniency: a missing `type` means `"access"`, a missing `jti` or `iat` is accepted.
    pub strict_claims: bool,
    /// (new) Refuse received tokens without `exp` (422 `Missing claim: exp`). Turn it off only
    /// to accept tokens issued with `never_expires()` or `access_token_expires = false`.
    pub require_exp: bool,
    /// (new) Seconds: refuse a received token whose `exp − iat` is longer. It also bounds how
    /// long "log out everywhere" entries are kept; without it they are kept forever.
    pub max_token_lifetime: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        fn s(text: &str) -> String {
            text.to_owned()
        }
        Config {
            secret_key: None,
            allow_weak_secret: false,
            algorithm: s("HS256"),
            decode_algorithms: None,
            private_key: None,
            public_key: None,
            private_key_file: None,
            public_key_file: None,
            access_token_expires: Expiry::Seconds(900),
            refresh_token_expires: Expiry::Seconds(2_592_000),
            identity_claim: s("sub"),
            error_message_key: s("msg"),
            token_location: OneOrMany::One(s("headers")),
            header_name: s("Authorization"),
            header_type: s("Bearer"),
            encode_nbf: true,
            verify_sub: true,
            encode_audience: None,
            decode_audience: None,
            encode_issuer: None,
            decode_issuer: None,
            decode_leeway: 0,
            access_cookie_name: s("access_token_cookie"),
            refresh_cookie_name: s("refresh_token_cookie"),
            access_cookie_path: s("/"),
            refresh_cookie_path: s("/"),
            cookie_secure: false,
            cookie_domain: None,
            cookie_samesite: None,
            session_cookie: true,
            cookie_csrf_protect: true,
            csrf_in_cookies: true,
            csrf_check_form: false,
            csrf_methods: ["POST", "PUT", "PATCH", "DELETE"].map(s).to_vec(),
            access_csrf_cookie_name: s("csrf_access_token"),
            refresh_csrf_cookie_name: s("csrf_refresh_token"),
            access_csrf_cookie_path: s("/"),
            refresh_csrf_cookie_path: s("/"),
            access_csrf_header_name: s("X-CSRF-TOKEN"),
            refresh_csrf_header_name: s("X-CSRF-TOKEN"),
            access_csrf_field_name: s("csrf_token"),
            refresh_csrf_field_name: s("csrf_token"),
            query_string_name: s("jwt"),
            query_string_value_prefix: s(""),
            json_key: s("access_token"),
            refresh_json_key: s("refresh_token"),
            blocklist: s("memory"),
            blocklist_key_prefix: s("jwt-ext:"),
            blocklist_timeout_ms: 500,
            max_token_bytes: 8192,
            implicit_refresh_window: 0,
            strict_claims: true,
            require_exp: true,
            max_token_lifetime: None,
        }
    }
}

/// A token lifetime: whole seconds, or `false` for tokens that never expire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Expire this many seconds after issue.
    Seconds(u64),
    /// Never expire (`false` in the configuration).
    Never,
}

impl Expiry {
    /// The lifetime in seconds, `None` when tokens never expire.
    pub fn seconds(self) -> Option<i64> {
        match self {
            Expiry::Seconds(s) => Some(i64::try_from(s).unwrap_or(i64::MAX)),
            Expiry::Never => None,
        }
    }
}

impl Serialize for Expiry {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Expiry::Seconds(s) => serializer.serialize_u64(*s),
            Expiry::Never => serializer.serialize_bool(false),
        }
    }
}

impl<'de> Deserialize<'de> for Expiry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ExpiryVisitor;

        impl Visitor<'_> for ExpiryVisitor {
            type Value = Expiry;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of seconds or `false`")
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Expiry, E> {
                if v {
                    Err(E::invalid_value(de::Unexpected::Bool(true), &self))
                } else {
                    Ok(Expiry::Never)
                }
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Expiry, E> {
                Ok(Expiry::Seconds(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Expiry, E> {
                u64::try_from(v)
                    .map(Expiry::Seconds)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
        }

        deserializer.deserialize_any(ExpiryVisitor)
    }
}

/// A string or a list of strings (`token_location`, audiences).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// A single value.
    One(String),
    /// Several values.
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

/// Where revoked tokens are remembered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BlocklistSetting {
    /// The in-process store (the default).
    Memory,
    /// A Redis server.
    Redis {
        url: String,
        prefix: String,
        timeout: std::time::Duration,
    },
}

/// Which tokens carry a `csrf` claim and where the CSRF value is read from, per token kind.
#[derive(Debug, Clone)]
pub(crate) struct CookieNames {
    pub(crate) cookie: String,
    pub(crate) cookie_path: String,
    pub(crate) csrf_cookie: String,
    pub(crate) csrf_cookie_path: String,
    pub(crate) csrf_header: String,
    pub(crate) csrf_field: String,
    pub(crate) json_key: String,
}

/// The validated configuration.
pub(crate) struct Settings {
    pub(crate) keys: Keys,
    pub(crate) access_expires: Option<i64>,
    pub(crate) refresh_expires: Option<i64>,
    pub(crate) identity_claim: String,
    pub(crate) error_message_key: String,
    pub(crate) locations: Vec<Location>,
    pub(crate) header_name: String,
    pub(crate) header_type: String,
    pub(crate) encode_nbf: bool,
    pub(crate) verify_sub: bool,
    pub(crate) encode_audience: Option<OneOrMany>,
    pub(crate) decode_audience: Option<Vec<String>>,
    pub(crate) encode_issuer: Option<String>,
    pub(crate) decode_issuer: Option<String>,
    pub(crate) leeway: i64,
    /// Cookie names, CSRF names and JSON keys of access and refresh tokens.
    pub(crate) names: PerKind<CookieNames>,
    pub(crate) cookie_secure: bool,
    pub(crate) cookie_domain: Option<String>,
    pub(crate) cookie_samesite: Option<SameSite>,
    pub(crate) session_cookie: bool,
    pub(crate) csrf_protect: bool,
    pub(crate) csrf_in_cookies: bool,
    pub(crate) csrf_check_form: bool,
    pub(crate) csrf_methods: Vec<rocket::http::Method>,
    pub(crate) query_string_name: String,
    pub(crate) query_string_value_prefix: String,
    pub(crate) blocklist: BlocklistSetting,
    pub(crate) max_token_bytes: usize,
    pub(crate) implicit_refresh_window: Option<i64>,
    pub(crate) strict_claims: bool,
    pub(crate) require_exp: bool,
    pub(crate) max_token_lifetime: Option<i64>,
}

impl Settings {
    /// Validates `config`, reads key files and builds the keys.
    pub(crate) fn from_config(config: Config) -> Result<Self, ConfigError> {
        let algorithm = parse_algorithm("algorithm", &config.algorithm)?;
        let decode_algorithms = match &config.decode_algorithms {
            None => vec![algorithm],
            Some(names) if names.is_empty() => {
                return Err(ConfigError::new(
                    "decode_algorithms",
                    "the list is empty; name at least one algorithm, or remove the key to use `algorithm`",
                ))
            }
            Some(names) => names
                .iter()
                .map(|name| parse_algorithm("decode_algorithms", name))
                .collect::<Result<_, _>>()?,
        };
        let keys = Keys::load(KeySource {
            algorithm,
            decode_algorithms,
            secret_key: config.secret_key.as_deref(),
            allow_weak_secret: config.allow_weak_secret,
            private_key: (&config.private_key, &config.private_key_file),
            public_key: (&config.public_key, &config.public_key_file),
        })?;

        let locations = config
            .token_location
            .clone()
            .into_vec()
            .iter()
            .map(|name| {
                name.parse::<Location>()
                    .map_err(|e| ConfigError::new("token_location", e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if locations.is_empty() {
            return Err(ConfigError::new(
                "token_location",
                "name at least one of `headers`, `cookies`, `query_string`, `json`",
            ));
        }
        for (i, location) in locations.iter().enumerate() {
            if locations[..i].contains(location) {
                return Err(ConfigError::new(
                    "token_location",
                    format!("`{location}` is listed twice"),
                ));
            }
        }

        let cookie_samesite = match config.cookie_samesite.as_deref() {
            None => None,
            Some(v) if v.eq_ignore_ascii_case("strict") => Some(SameSite::Strict),
            Some(v) if v.eq_ignore_ascii_case("lax") => Some(SameSite::Lax),
            Some(v) if v.eq_ignore_ascii_case("none") => Some(SameSite::None),
            Some(v) => {
                return Err(ConfigError::new(
                    "cookie_samesite",
                    format!("`{v}` is not one of `Strict`, `Lax`, `None`"),
                ))
            }
        };
        let csrf_methods = config
            .csrf_methods
            .iter()
            .map(|m| {
                m.to_ascii_uppercase()
                    .parse::<rocket::http::Method>()
                    .map_err(|_| {
                        ConfigError::new("csrf_methods", format!("`{m}` is not an HTTP method"))
                    })
            })
            .collect::<Result<_, _>>()?;
        let leeway = i64::try_from(config.decode_leeway)
            .map_err(|_| ConfigError::new("decode_leeway", "the value is too large"))?;
        let max_token_lifetime = config
            .max_token_lifetime
            .map(|max| {
                i64::try_from(max)
                    .map_err(|_| ConfigError::new("max_token_lifetime", "the value is too large"))
            })
            .transpose()?;
        if config.identity_claim.is_empty() {
            return Err(ConfigError::new("identity_claim", "must not be empty"));
        }
        if config.identity_claim != "sub"
            && crate::token::kind::RESERVED_CLAIMS.contains(&config.identity_claim.as_str())
        {
            return Err(ConfigError::new(
                "identity_claim",
                format!(
                    "`{}` is a reserved claim that jwt-ext sets itself; name another claim \
                     (`sub`, the default, or one of your own such as `user_id`)",
                    config.identity_claim
                ),
            ));
        }
        for (key, expiry) in [
            ("access_token_expires", config.access_token_expires),
            ("refresh_token_expires", config.refresh_token_expires),
        ] {
            if expiry == Expiry::Never && config.require_exp {
                return Err(ConfigError::new(
                    key,
                    "`false` issues tokens without `exp`, which `require_exp = true` (the \
                     default) refuses; set `require_exp = false` as well",
                ));
            }
        }
        if cookie_samesite == Some(SameSite::None) && !config.cookie_secure {
            return Err(ConfigError::new(
                "cookie_samesite",
                "`None` needs `cookie_secure = true`: browsers drop `SameSite=None` cookies \
                 that are not `Secure`",
            ));
        }
        if config.header_name.is_empty() {
            return Err(ConfigError::new("header_name", "must not be empty"));
        }
        if config.max_token_bytes == 0 {
            return Err(ConfigError::new("max_token_bytes", "must be at least 1"));
        }
        let blocklist = parse_blocklist(&config)?;

        Ok(Settings {
            keys,
            access_expires: config.access_token_expires.seconds(),
            refresh_expires: config.refresh_token_expires.seconds(),
            identity_claim: config.identity_claim,
            error_message_key: config.error_message_key,
            locations,
            header_name: config.header_name,
            header_type: config.header_type,
            encode_nbf: config.encode_nbf,
            verify_sub: config.verify_sub,
            encode_audience: config.encode_audience,
            decode_audience: config.decode_audience.map(OneOrMany::into_vec),
            encode_issuer: config.encode_issuer,
            decode_issuer: config.decode_issuer,
            leeway,
            names: PerKind {
                access: CookieNames {
                    cookie: config.access_cookie_name,
                    cookie_path: config.access_cookie_path,
                    csrf_cookie: config.access_csrf_cookie_name,
                    csrf_cookie_path: config.access_csrf_cookie_path,
                    csrf_header: config.access_csrf_header_name,
                    csrf_field: config.access_csrf_field_name,
                    json_key: config.json_key,
                },
                refresh: CookieNames {
                    cookie: config.refresh_cookie_name,
                    cookie_path: config.refresh_cookie_path,
                    csrf_cookie: config.refresh_csrf_cookie_name,
                    csrf_cookie_path: config.refresh_csrf_cookie_path,
                    csrf_header: config.refresh_csrf_header_name,
                    csrf_field: config.refresh_csrf_field_name,
                    json_key: config.refresh_json_key,
                },
            },
            cookie_secure: config.cookie_secure,
            cookie_domain: config.cookie_domain,
            cookie_samesite,
            session_cookie: config.session_cookie,
            csrf_protect: config.cookie_csrf_protect,
            csrf_in_cookies: config.csrf_in_cookies,
            csrf_check_form: config.csrf_check_form,
            csrf_methods,
            query_string_name: config.query_string_name,
            query_string_value_prefix: config.query_string_value_prefix,
            blocklist,
            max_token_bytes: config.max_token_bytes,
            implicit_refresh_window: i64::try_from(config.implicit_refresh_window)
                .ok()
                .filter(|w| *w > 0),
            strict_claims: config.strict_claims,
            require_exp: config.require_exp,
            max_token_lifetime,
        })
    }
}

fn parse_blocklist(config: &Config) -> Result<BlocklistSetting, ConfigError> {
    let value = config.blocklist.as_str();
    if value == "memory" {
        Ok(BlocklistSetting::Memory)
    } else if value.starts_with("redis://") || value.starts_with("rediss://") {
        if config.blocklist_timeout_ms == 0 {
            return Err(ConfigError::new(
                "blocklist_timeout_ms",
                "must be at least 1",
            ));
        }
        Ok(BlocklistSetting::Redis {
            url: value.to_owned(),
            prefix: config.blocklist_key_prefix.clone(),
            timeout: std::time::Duration::from_millis(config.blocklist_timeout_ms),
        })
    } else {
        Err(ConfigError::new(
            "blocklist",
            "expected `memory` or a `redis://` / `rediss://` URL",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(config: serde_json::Value) -> String {
        let config: Config = serde_json::from_value(config).expect("deserializes");
        match Settings::from_config(config) {
            Ok(_) => panic!("accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn messages_name_the_key_and_the_fix() {
        let secret = "s".repeat(32);
        let cases = [
            (serde_json::json!({}), "`jwt.secret_key`: missing"),
            (
                serde_json::json!({"secret_key": "short"}),
                "`jwt.secret_key`: too short (5 bytes)",
            ),
            (
                serde_json::json!({"secret_key": secret, "token_location": ["pigeon"]}),
                "`jwt.token_location`: unknown location `pigeon`",
            ),
            (
                serde_json::json!({"secret_key": secret, "algorithm": "HS1"}),
                "`jwt.algorithm`: `HS1` is not a supported algorithm",
            ),
            (
                serde_json::json!({"algorithm": "RS256", "private_key_file": "/nope"}),
                "`jwt.private_key_file`: cannot read `/nope`",
            ),
            (
                serde_json::json!({"algorithm": "ES256", "private_key": "x"}),
                "`jwt.private_key`: not a PEM private key for `ES256`",
            ),
            (
                serde_json::json!({"secret_key": secret, "blocklist": "redis:/x"}),
                "`jwt.blocklist`: expected `memory` or a `redis://`",
            ),
            (
                serde_json::json!({"secret_key": format!("-----BEGIN PUBLIC KEY-----\n{secret}")}),
                "`jwt.secret_key`: is PEM or SSH key text",
            ),
            (
                serde_json::json!({"secret_key": secret, "identity_claim": "type"}),
                "`jwt.identity_claim`: `type` is a reserved claim",
            ),
            (
                serde_json::json!({"secret_key": secret, "cookie_samesite": "none"}),
                "`jwt.cookie_samesite`: `None` needs `cookie_secure = true`",
            ),
            (
                serde_json::json!({"secret_key": secret, "refresh_token_expires": false}),
                "`jwt.refresh_token_expires`: `false` issues tokens without `exp`",
            ),
        ];
        for (config, expected) in cases {
            let message = error(config);
            assert!(message.starts_with(expected), "{message}");
        }
    }

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/../tests/fixtures/keys/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(path).expect("fixture key")
    }

    #[test]
    fn keys_are_checked_against_their_algorithm_and_their_pair() {
        let cases = [
            (
                serde_json::json!({"algorithm": "ES256", "private_key": fixture("ec384_private.pem"), "public_key": fixture("ec_public.pem")}),
                "`jwt.private_key`: is a P-384 key, but `ES256` needs a P-256 key",
            ),
            (
                serde_json::json!({"algorithm": "ES384", "public_key": fixture("ec_public.pem")}),
                "`jwt.public_key`: is a P-256 key, but `ES384` needs a P-384 key",
            ),
            (
                serde_json::json!({"algorithm": "RS256", "private_key": fixture("rsa_private.pem"), "public_key": fixture("rsa_other_public.pem")}),
                "`jwt.public_key`: does not match `private_key`",
            ),
            (
                serde_json::json!({"algorithm": "ES256", "private_key": fixture("ec_private.pem"), "public_key": fixture("ec_private.pem")}),
                "`jwt.public_key`: not a PEM public key",
            ),
        ];
        for (config, expected) in cases {
            let message = error(config);
            assert!(message.starts_with(expected), "{message}");
        }
    }

    #[test]
    fn defaults_are_flasks() {
        let settings = Settings::from_config(Config {
            secret_key: Some("s".repeat(32)),
            ..Config::default()
        })
        .expect("valid");
        assert_eq!(settings.access_expires, Some(900));
        assert_eq!(settings.refresh_expires, Some(2_592_000));
        assert_eq!(settings.locations, [Location::Headers]);
        assert_eq!(
            settings.keys.decode_algorithms,
            [jsonwebtoken::Algorithm::HS256]
        );
        assert_eq!(settings.leeway, 0);
        assert!(settings.csrf_protect && settings.encode_nbf && settings.verify_sub);
    }
}
