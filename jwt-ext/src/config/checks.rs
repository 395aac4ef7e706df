//! The checks across configuration fields that no type expresses.

use super::{Config, Expiry};
use crate::error::ConfigError;
use crate::kind::RESERVED_CLAIMS;

/// The checks across fields that no type expresses.
pub(super) fn check(config: &Config) -> Result<(), ConfigError> {
    let claim = config.identity_claim.as_str();
    if claim.is_empty() {
        return Err(ConfigError::new("identity_claim", "must not be empty"));
    }
    if claim != "sub" && RESERVED_CLAIMS.contains(&claim) {
        return Err(ConfigError::new(
            "identity_claim",
            format!(
                "`{claim}` is a reserved claim that jwt-ext sets itself; name another claim \
                 (`sub`, the default, or one of your own such as `user_id`)"
            ),
        ));
    }
    let roles = config.roles_claim.as_str();
    if roles.is_empty() || RESERVED_CLAIMS.contains(&roles) || roles == claim {
        return Err(ConfigError::new(
            "roles_claim",
            format!(
                "`{roles}` cannot hold roles: name a claim of your own that is not reserved and \
                 not the identity claim (`roles`, the default)"
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
                "`false` issues tokens without `exp`, which `require_exp = true` (the default) \
                 refuses; set `require_exp = false` as well",
            ));
        }
    }
    if config.header_name.is_empty() {
        return Err(ConfigError::new("header_name", "must not be empty"));
    }
    if config.max_token_bytes == 0 {
        return Err(ConfigError::new("max_token_bytes", "must be at least 1"));
    }
    Ok(())
}
