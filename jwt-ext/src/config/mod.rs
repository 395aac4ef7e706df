//! Configuration (SPEC §3): read from Rocket's figment under the key `jwt`, checked at ignition.
//!
//! Key names are Flask-JWT-Extended's `JWT_*` names, lower-cased, without the prefix.
//! [`Config`] is the raw, defaulted form; `Settings` is the validated form the rest of the
//! crate reads, with keys loaded and names resolved.

use std::path::PathBuf;

use rocket::http::Method;
use serde::{Deserialize, Serialize};

use crate::algorithm::Algorithm;

mod checks;
mod issuers;
mod settings;
mod store;
#[cfg(test)]
mod tests;
mod values;

pub use crate::error::ConfigError;
use crate::location::Location;
pub use issuers::TrustedIssuer;
#[cfg_attr(not(feature = "trusted-issuers"), allow(unused_imports))]
pub(crate) use issuers::{IssuerSettings, KeySource as IssuerKeySource};
pub(crate) use settings::Settings;
pub use store::{BlocklistConfig, ClusterNodes, SentinelService};
pub(crate) use store::{BlocklistSetting, RedisTopology};
pub use values::{CookieSameSite, Expiry, FailureLogLevel, OneOrMany};

/// The `jwt` configuration table, as written in `Rocket.toml` or `ROCKET_JWT`.
///
/// Each field names its Flask-JWT-Extended setting and default (Flask's, unless marked
/// "(new)"). Unknown keys are an error, so a misspelt key fails launch instead of being
/// ignored; a value that cannot work fails launch with a message naming `jwt.<key>`.
///
/// ```toml
/// [default.jwt]
/// secret_key = "a long random secret of 32 bytes or more"
/// access_token_expires = 900
/// token_location = ["headers", "cookies"]
/// ```
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `JWT_SECRET_KEY`; none. The HMAC secret, required for HS*: at least the hash output (32 bytes for HS256) unless `allow_weak_secret`, never PEM or SSH key text.
    pub secret_key: Option<String>,
    /// Accept an HS secret shorter than the hash output (not recommended; for tests).
    pub allow_weak_secret: bool,
    /// `JWT_ALGORITHM`; `"HS256"`. The signing algorithm: HS256/384/512, RS*, PS*, ES256/384, EdDSA.
    pub algorithm: Algorithm,
    /// `JWT_DECODE_ALGORITHMS`; `[algorithm]`. The algorithms a received token may use, never taken from the token.
    pub decode_algorithms: Option<Vec<Algorithm>>,
    /// `JWT_PRIVATE_KEY`; none. PEM private key for RS*, PS*, ES*, EdDSA (or `private_key_file`).
    pub private_key: Option<String>,
    /// `JWT_PUBLIC_KEY`; none. PEM public key that verifies received tokens (or `public_key_file`).
    pub public_key: Option<String>,
    /// (new) none. A file holding `private_key`, read at ignition.
    pub private_key_file: Option<PathBuf>,
    /// (new) none. A file holding `public_key`, read at ignition.
    pub public_key_file: Option<PathBuf>,
    /// (new) none. A key set (SPEC §12) instead of the single-key settings above, which it
    /// excludes: several keys with `kid`s, to rotate signing keys and publish a JWKS.
    pub keys: Option<Vec<KeyConfig>>,
    /// (new) none. The `kid` of the key of `keys` that signs new tokens; may be left out when
    /// exactly one key has a private (or HS) half.
    pub signing_key: Option<String>,
    /// (new) `300`. Seconds the JWKS (`jwt_ext::jwks_routes`) may be cached.
    pub jwks_max_age: u64,
    /// (new) none. External issuers (OpenID Connect providers) whose tokens are accepted beside
    /// ours, verified with their published keys (SPEC §13; feature `trusted-issuers`).
    pub trusted_issuers: Vec<TrustedIssuer>,
    /// (new) `"info"`. The level each authentication failure is logged at (once, with its kind,
    /// route and a hash of the `jti`; a flood is summed up): `off`, `error`, `warn`, `info`,
    /// `debug`.
    pub failure_log_level: FailureLogLevel,
    /// `JWT_ACCESS_TOKEN_EXPIRES`; `900`. Seconds an access token lives, or `false` (never; needs `require_exp = false`).
    pub access_token_expires: Expiry,
    /// `JWT_REFRESH_TOKEN_EXPIRES`; `2592000`. Seconds a refresh token lives, or `false`.
    pub refresh_token_expires: Expiry,
    /// `JWT_IDENTITY_CLAIM`; `"sub"`. The claim holding the identity; not another reserved claim.
    pub identity_claim: String,
    /// (new) `"roles"`. The claim `roles = [..]` of the route attributes reads: a string or an
    /// array of strings; not a reserved claim.
    pub roles_claim: String,
    /// `JWT_ERROR_MESSAGE_KEY`; `"msg"`. The key of every error body.
    pub error_message_key: String,
    /// `JWT_TOKEN_LOCATION`; `["headers"]`. Where tokens are looked for, in order: `headers`, `cookies`, `query_string`, `json`.
    pub token_location: OneOrMany<Location>,
    /// `JWT_HEADER_NAME`; `"Authorization"`.
    pub header_name: String,
    /// `JWT_HEADER_TYPE`; `"Bearer"`. Empty: the header holds the bare token.
    pub header_type: String,
    /// `JWT_ENCODE_NBF`; `true`. Write `nbf` into new tokens.
    pub encode_nbf: bool,
    /// `JWT_VERIFY_SUB`; `true`. `sub` must be a string.
    pub verify_sub: bool,
    /// `JWT_ENCODE_AUDIENCE`; none. `aud` of new tokens (a string or a list).
    pub encode_audience: Option<OneOrMany>,
    /// `JWT_DECODE_AUDIENCE`; none. Received tokens need an `aud` overlapping this.
    pub decode_audience: Option<OneOrMany>,
    /// `JWT_ENCODE_ISSUER`; none. `iss` of new tokens.
    pub encode_issuer: Option<String>,
    /// `JWT_DECODE_ISSUER`; none. Received tokens need exactly this `iss`.
    pub decode_issuer: Option<String>,
    /// `JWT_DECODE_LEEWAY`; `0`. Seconds of clock skew allowed on `exp`, `nbf`, `iat`.
    pub decode_leeway: u64,
    /// `JWT_ACCESS_COOKIE_NAME`; `"access_token_cookie"`.
    pub access_cookie_name: String,
    /// `JWT_REFRESH_COOKIE_NAME`; `"refresh_token_cookie"`.
    pub refresh_cookie_name: String,
    /// `JWT_ACCESS_COOKIE_PATH`; `"/"`.
    pub access_cookie_path: String,
    /// `JWT_REFRESH_COOKIE_PATH`; `"/"`.
    pub refresh_cookie_path: String,
    /// `JWT_COOKIE_SECURE`; `false`. `true` marks every JWT and CSRF cookie `Secure`; `false` leaves Rocket's rule (`Secure` on a TLS server).
    pub cookie_secure: bool,
    /// `JWT_COOKIE_DOMAIN`; none.
    pub cookie_domain: Option<String>,
    /// `JWT_COOKIE_SAMESITE`; none (Rocket's default, `Strict`). `Strict`, `Lax` or `None` (which needs `cookie_secure`).
    pub cookie_samesite: Option<CookieSameSite>,
    /// `JWT_SESSION_COOKIE`; `true`. `false` gives the cookies a one-year `Max-Age`.
    pub session_cookie: bool,
    /// `JWT_COOKIE_CSRF_PROTECT`; `true`. Double-submit CSRF protection of cookie tokens.
    pub cookie_csrf_protect: bool,
    /// `JWT_CSRF_IN_COOKIES`; `true`. Set the readable CSRF cookies beside the JWT cookies.
    pub csrf_in_cookies: bool,
    /// `JWT_CSRF_CHECK_FORM`; `false`. Also read the CSRF value from a form field (first 512 bytes of the body).
    pub csrf_check_form: bool,
    /// `JWT_CSRF_METHODS`; `["POST", "PUT", "PATCH", "DELETE"]`. Methods whose cookie tokens need the CSRF value.
    #[serde(deserialize_with = "values::methods")]
    pub csrf_methods: Vec<Method>,
    /// `JWT_ACCESS_CSRF_COOKIE_NAME`; `"csrf_access_token"`.
    pub access_csrf_cookie_name: String,
    /// `JWT_REFRESH_CSRF_COOKIE_NAME`; `"csrf_refresh_token"`.
    pub refresh_csrf_cookie_name: String,
    /// `JWT_ACCESS_CSRF_COOKIE_PATH`; `"/"`.
    pub access_csrf_cookie_path: String,
    /// `JWT_REFRESH_CSRF_COOKIE_PATH`; `"/"`.
    pub refresh_csrf_cookie_path: String,
    /// `JWT_ACCESS_CSRF_HEADER_NAME`; `"X-CSRF-TOKEN"`.
    pub access_csrf_header_name: String,
    /// `JWT_REFRESH_CSRF_HEADER_NAME`; `"X-CSRF-TOKEN"`.
    pub refresh_csrf_header_name: String,
    /// `JWT_ACCESS_CSRF_FIELD_NAME`; `"csrf_token"`.
    pub access_csrf_field_name: String,
    /// `JWT_REFRESH_CSRF_FIELD_NAME`; `"csrf_token"`.
    pub refresh_csrf_field_name: String,
    /// `JWT_QUERY_STRING_NAME`; `"jwt"`.
    pub query_string_name: String,
    /// `JWT_QUERY_STRING_VALUE_PREFIX`; `""`.
    pub query_string_value_prefix: String,
    /// `JWT_JSON_KEY`; `"access_token"`. The JSON body's key of access tokens.
    pub json_key: String,
    /// `JWT_REFRESH_JSON_KEY`; `"refresh_token"`.
    pub refresh_json_key: String,
    /// (new) `"memory"`. The revocation store: `memory`, a `redis://` / `rediss://` URL, or a
    /// table naming a Redis Cluster or Sentinel service (feature `redis`; see [`BlocklistConfig`]).
    pub blocklist: BlocklistConfig,
    /// (new) `false`. Each instance caches the Redis store's answers, kept coherent by Redis:
    /// a revocation reaches every instance within a second, and losing the invalidation
    /// channel drops the cache.
    pub blocklist_cache: bool,
    /// (new) Prefix of the Redis store's keys.
    pub blocklist_key_prefix: String,
    /// (new) Deadline of one Redis command, in milliseconds; past it requests fail closed.
    pub blocklist_timeout_ms: u64,
    /// (new) `8192`. Longer credentials are refused before decoding.
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
    /// (new) `false`. Refresh-token rotation with reuse detection (SPEC §14): a refresh through
    /// [`Auth::rotate`](crate::Auth::rotate) spends the refresh token and answers a new pair of
    /// its family; presenting a spent token again revokes the family.
    pub refresh_token_rotation: bool,
    /// (new) `0`. Seconds after a refresh token was spent during which presenting it again
    /// answers another new pair of the same family (a second browser tab) instead of counting
    /// as reuse.
    pub refresh_reuse_interval: u64,
    /// (new) `false`. Seconds from a family's login after which it cannot be refreshed: the user
    /// logs in again; `false` for no limit.
    pub refresh_family_lifetime: Expiry,
}

impl Config {
    /// The `jwt` table of `figment`; each error names its key as the user wrote it
    /// (`jwt.token_location`).
    pub(crate) fn extract(figment: &rocket::figment::Figment) -> Result<Self, Vec<String>> {
        figment.focus("jwt").extract::<Config>().map_err(|errors| {
            errors
                .into_iter()
                .map(|error| {
                    let key = std::iter::once("jwt")
                        .chain(error.path.iter().map(String::as_str))
                        .collect::<Vec<_>>()
                        .join(".");
                    match &error.kind {
                        rocket::figment::error::Kind::UnknownField(name, valid) => {
                            format!("`{key}`: {}", values::unknown_key(name, valid))
                        }
                        kind => format!("`{key}`: {kind}"),
                    }
                })
                .collect()
        })
    }
}

/// One key of `keys` (SPEC §12).
///
/// ```toml
/// [[default.jwt.keys]]
/// kid = "2026-12"                       # optional: the RFC 7638 thumbprint by default
/// algorithm = "ES256"                   # optional: `algorithm` by default
/// private_key_file = "keys/2026-12.pem" # the public key is derived when not given
/// ```
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeyConfig {
    /// The key id tokens carry in their header; by default the RFC 7638 thumbprint (SHA-256)
    /// of the public key. Required for an HS key (its thumbprint would hash the secret).
    pub kid: Option<String>,
    /// The key's algorithm; `algorithm` by default.
    pub algorithm: Option<Algorithm>,
    /// PEM private key (or `private_key_file`): the key can sign.
    pub private_key: Option<String>,
    /// A file holding `private_key`.
    pub private_key_file: Option<PathBuf>,
    /// PEM public key (or `public_key_file`); without a private key, a verify-only key.
    pub public_key: Option<String>,
    /// A file holding `public_key`.
    pub public_key_file: Option<PathBuf>,
    /// The secret of an HS key.
    pub secret_key: Option<String>,
}

/// The defaults, grouped as the configuration reference groups them (a table: one line per
/// group, hence no rustfmt).
impl Default for Config {
    #[rustfmt::skip]
    fn default() -> Self {
        let s = str::to_owned;
        Config {
            secret_key: None, allow_weak_secret: false,
            algorithm: Algorithm::HS256, decode_algorithms: None,
            private_key: None, public_key: None, private_key_file: None, public_key_file: None,
            keys: None, signing_key: None, jwks_max_age: 300, trusted_issuers: Vec::new(),
            failure_log_level: FailureLogLevel::Info,
            access_token_expires: Expiry::Seconds(900),
            refresh_token_expires: Expiry::Seconds(2_592_000),
            identity_claim: s("sub"), roles_claim: s("roles"), error_message_key: s("msg"),
            token_location: OneOrMany::One(Location::Headers),
            header_name: s("Authorization"), header_type: s("Bearer"),
            encode_nbf: true, verify_sub: true,
            encode_audience: None, decode_audience: None,
            encode_issuer: None, decode_issuer: None,
            decode_leeway: 0,
            access_cookie_name: s("access_token_cookie"),
            refresh_cookie_name: s("refresh_token_cookie"),
            access_cookie_path: s("/"), refresh_cookie_path: s("/"),
            cookie_secure: false, cookie_domain: None, cookie_samesite: None,
            session_cookie: true,
            cookie_csrf_protect: true, csrf_in_cookies: true, csrf_check_form: false,
            csrf_methods: vec![Method::Post, Method::Put, Method::Patch, Method::Delete],
            access_csrf_cookie_name: s("csrf_access_token"),
            refresh_csrf_cookie_name: s("csrf_refresh_token"),
            access_csrf_cookie_path: s("/"), refresh_csrf_cookie_path: s("/"),
            access_csrf_header_name: s("X-CSRF-TOKEN"), refresh_csrf_header_name: s("X-CSRF-TOKEN"),
            access_csrf_field_name: s("csrf_token"), refresh_csrf_field_name: s("csrf_token"),
            query_string_name: s("jwt"), query_string_value_prefix: s(""),
            json_key: s("access_token"), refresh_json_key: s("refresh_token"),
            blocklist: BlocklistConfig::default(), blocklist_cache: false, blocklist_key_prefix: s("jwt-ext:"), blocklist_timeout_ms: 500,
            max_token_bytes: 8192,
            implicit_refresh_window: 0,
            strict_claims: true, require_exp: true, max_token_lifetime: None,
            refresh_token_rotation: false, refresh_reuse_interval: 0,
            refresh_family_lifetime: Expiry::Never,
        }
    }
}
