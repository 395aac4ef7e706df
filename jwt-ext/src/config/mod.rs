//! Configuration (SPEC §3): read from Rocket's figment under the key `jwt`, checked at ignition.
//!
//! Key names are Flask-JWT-Extended's `JWT_*` names, lower-cased, without the prefix.
//! [`Config`] is the raw, defaulted form; `Settings` is the validated form the rest of the
//! crate reads, with keys loaded and names resolved.

use std::fmt;
use std::path::PathBuf;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

mod settings;
#[cfg(test)]
mod tests;

pub use crate::error::ConfigError;
pub(crate) use settings::{BlocklistSetting, Settings};

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
        let s = str::to_owned;
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
