//! Refresh-token families (SPEC §14): the chain of tokens of one login.
//!
//! A family's `fam` claim is a UUIDv7, so the family's start (the login) travels signed inside
//! every token of it: the absolute lifetime needs no store lookup and no extra claim.

use crate::config::Settings;

/// A new family id: a UUIDv7, whose first 48 bits are the time of the login.
pub(crate) fn new_family() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// When `family` started (Unix seconds); `None` for an id that is not one of ours.
fn family_start(family: &str) -> Option<i64> {
    let id = uuid::Uuid::try_parse(family).ok()?;
    let (seconds, _) = id.get_timestamp()?.to_unix();
    i64::try_from(seconds).ok()
}

/// When `family` can no longer be refreshed, under `refresh_family_lifetime`.
pub(crate) fn family_end(settings: &Settings, family: Option<&str>) -> Option<i64> {
    let lifetime = settings.rotation.family_lifetime?;
    family_start(family?)?.checked_add(lifetime)
}

/// `expires_in` shortened so a token of `family` expires at the family's end at the latest.
pub(crate) fn within_family(
    settings: &Settings,
    family: Option<&str>,
    expires_in: Option<i64>,
    now: i64,
) -> Option<i64> {
    let Some(end) = family_end(settings, family) else {
        return expires_in;
    };
    let left = end.saturating_sub(now).max(0);
    Some(expires_in.map_or(left, |seconds| seconds.min(left)))
}

/// How long a revocation of `family` must be kept: until no token of it issued up to `now`
/// can pass (the longer configured lifetime, and the leeway), and no longer than the
/// family's end; `None` (forever) when a lifetime is unbounded.
pub(crate) fn keep_until(settings: &Settings, family: Option<&str>, now: i64) -> Option<i64> {
    let end = family_end(settings, family);
    let longest = match (settings.access_expires, settings.refresh_expires) {
        (Some(access), Some(refresh)) => now.checked_add(access.max(refresh)),
        _ => None,
    };
    let until = match (longest, end) {
        (Some(longest), Some(end)) => Some(longest.min(end)),
        (longest, end) => longest.or(end),
    };
    until.and_then(|at| at.checked_add(settings.leeway))
}
