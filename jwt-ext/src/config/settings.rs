//! The validated configuration: `Settings`, built from [`Config`] by the checks across fields
//! that no type expresses, with keys loaded and names resolved.

use rocket::http::{Method, SameSite};

use super::store::{parse_blocklist, BlocklistSetting};
use super::IssuerSettings;
use super::{Config, ConfigError, CookieSameSite, OneOrMany};
use crate::clock::Clock;
use crate::keys::{EntrySource, KeySource, Keys};
use crate::kind::PerKind;
use crate::location::Location;

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
    pub(crate) roles_claim: String,
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
    pub(crate) csrf_methods: Vec<Method>,
    pub(crate) query_string_name: String,
    pub(crate) query_string_value_prefix: String,
    pub(crate) blocklist: BlocklistSetting,
    pub(crate) max_token_bytes: usize,
    pub(crate) implicit_refresh_window: Option<i64>,
    pub(crate) strict_claims: bool,
    pub(crate) require_exp: bool,
    pub(crate) max_token_lifetime: Option<i64>,
    pub(crate) rotation: Rotation,
    pub(crate) jwks_max_age: u64,
    pub(crate) issuers: Vec<IssuerSettings>,
    pub(crate) failure_log_level: Option<log::Level>,
    /// What "now" is for this `Auth` (the system clock, unless a test moves it).
    pub(crate) clock: Clock,
}

impl Rotation {
    fn of(config: &Config) -> Result<Self, ConfigError> {
        Ok(Rotation {
            enabled: config.refresh_token_rotation,
            reuse_interval: seconds("refresh_reuse_interval", config.refresh_reuse_interval)?,
            family_lifetime: config.refresh_family_lifetime.seconds(),
        })
    }
}

/// Refresh-token rotation (SPEC §14), as configured.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rotation {
    pub(crate) enabled: bool,
    pub(crate) reuse_interval: i64,
    pub(crate) family_lifetime: Option<i64>,
}

impl Settings {
    /// Validates `config`, reads key files and builds the keys.
    pub(crate) fn from_config(mut config: Config) -> Result<Self, ConfigError> {
        let keys = keys(&config)?;
        let locations = locations(&config)?;
        let cookie_samesite = cookie_samesite(&config)?;
        super::checks::check(&config)?;
        let leeway = seconds("decode_leeway", config.decode_leeway)?;
        let max_token_lifetime = config
            .max_token_lifetime
            .map(|max| seconds("max_token_lifetime", max))
            .transpose()?;
        let blocklist = parse_blocklist(&config)?;
        let issuers = IssuerSettings::check_all(&config.trusted_issuers)?;
        let rotation = Rotation::of(&config)?;
        let names = names(&mut config);

        Ok(Settings {
            keys,
            access_expires: config.access_token_expires.seconds(),
            refresh_expires: config.refresh_token_expires.seconds(),
            identity_claim: config.identity_claim,
            roles_claim: config.roles_claim,
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
            names,
            cookie_secure: config.cookie_secure,
            cookie_domain: config.cookie_domain,
            cookie_samesite,
            session_cookie: config.session_cookie,
            csrf_protect: config.cookie_csrf_protect,
            csrf_in_cookies: config.csrf_in_cookies,
            csrf_check_form: config.csrf_check_form,
            csrf_methods: config.csrf_methods,
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
            rotation,
            jwks_max_age: config.jwks_max_age,
            issuers,
            failure_log_level: config.failure_log_level.level(),
            clock: Clock::default(),
        })
    }
}

/// The algorithms and every key they need, loaded and checked: the key set, or the single key.
fn keys(config: &Config) -> Result<Keys, ConfigError> {
    let algorithm = config.algorithm.jose();
    let narrowed = match &config.decode_algorithms {
        Some(algorithms) if algorithms.is_empty() => {
            return Err(ConfigError::new(
                "decode_algorithms",
                "the list is empty; name at least one algorithm, or remove the key to use \
                 `algorithm`",
            ))
        }
        Some(algorithms) => Some(algorithms.iter().map(|a| a.jose()).collect::<Vec<_>>()),
        None => None,
    };
    let Some(entries) = &config.keys else {
        if config.signing_key.is_some() {
            return Err(ConfigError::new(
                "signing_key",
                "names a key of `keys`, and there is no `keys`; remove it, or list the keys",
            ));
        }
        return Keys::load(KeySource {
            algorithm,
            decode_algorithms: narrowed.unwrap_or_else(|| vec![algorithm]),
            secret_key: config.secret_key.as_deref(),
            allow_weak_secret: config.allow_weak_secret,
            private_key: (&config.private_key, &config.private_key_file),
            public_key: (&config.public_key, &config.public_key_file),
        });
    };
    let single = [
        ("secret_key", config.secret_key.is_some()),
        ("private_key", config.private_key.is_some()),
        ("private_key_file", config.private_key_file.is_some()),
        ("public_key", config.public_key.is_some()),
        ("public_key_file", config.public_key_file.is_some()),
    ];
    if let Some((key, _)) = single.iter().find(|(_, set)| *set) {
        return Err(ConfigError::new(
            key,
            "is a single-key setting, and `keys` is set: they exclude each other; move the key \
             into `keys` (with a `kid`), or remove `keys`",
        ));
    }
    let sources = entries
        .iter()
        .map(|entry| EntrySource {
            kid: entry.kid.as_deref(),
            key: KeySource {
                algorithm: entry.algorithm.map_or(algorithm, |a| a.jose()),
                decode_algorithms: Vec::new(),
                secret_key: entry.secret_key.as_deref(),
                allow_weak_secret: config.allow_weak_secret,
                private_key: (&entry.private_key, &entry.private_key_file),
                public_key: (&entry.public_key, &entry.public_key_file),
            },
        })
        .collect();
    Keys::load_set(sources, config.signing_key.as_deref(), narrowed)
}

/// `token_location`: known names, at least one, each once.
fn locations(config: &Config) -> Result<Vec<Location>, ConfigError> {
    let locations = config.token_location.clone().into_vec();
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
    Ok(locations)
}

/// `cookie_samesite` as Rocket's type; `None` only with `cookie_secure`.
fn cookie_samesite(config: &Config) -> Result<Option<SameSite>, ConfigError> {
    let same_site = match config.cookie_samesite {
        None => return Ok(None),
        Some(CookieSameSite::Strict) => SameSite::Strict,
        Some(CookieSameSite::Lax) => SameSite::Lax,
        Some(CookieSameSite::None) => SameSite::None,
    };
    if same_site == SameSite::None && !config.cookie_secure {
        return Err(ConfigError::new(
            "cookie_samesite",
            "`None` needs `cookie_secure = true`: browsers drop `SameSite=None` cookies that \
             are not `Secure`",
        ));
    }
    Ok(Some(same_site))
}

fn seconds(key: &str, value: u64) -> Result<i64, ConfigError> {
    i64::try_from(value).map_err(|_| ConfigError::new(key, "the value is too large"))
}

/// The per-kind names, taken out of `config`.
fn names(config: &mut Config) -> PerKind<CookieNames> {
    let take = std::mem::take::<String>;
    PerKind {
        access: CookieNames {
            cookie: take(&mut config.access_cookie_name),
            cookie_path: take(&mut config.access_cookie_path),
            csrf_cookie: take(&mut config.access_csrf_cookie_name),
            csrf_cookie_path: take(&mut config.access_csrf_cookie_path),
            csrf_header: take(&mut config.access_csrf_header_name),
            csrf_field: take(&mut config.access_csrf_field_name),
            json_key: take(&mut config.json_key),
        },
        refresh: CookieNames {
            cookie: take(&mut config.refresh_cookie_name),
            cookie_path: take(&mut config.refresh_cookie_path),
            csrf_cookie: take(&mut config.refresh_csrf_cookie_name),
            csrf_cookie_path: take(&mut config.refresh_csrf_cookie_path),
            csrf_header: take(&mut config.refresh_csrf_header_name),
            csrf_field: take(&mut config.refresh_csrf_field_name),
            json_key: take(&mut config.refresh_json_key),
        },
    }
}
