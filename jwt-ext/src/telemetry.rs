//! Metrics and logs of authentication (SPEC §16), through the `metrics` facade and Rocket's
//! logger: nothing is exported unless the app installs a recorder, and no token, cookie, CSRF
//! value or secret is ever written.
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `jwt_ext.authentications` | counter | `outcome` (`success`/`failure`), `error.type` (the [`ErrorKind`]) |
//! | `jwt_ext.tokens.issued` | counter | `token.type` (`access`/`refresh`) |
//! | `jwt_ext.revocations` | counter | `kind` (`token`/`identity`/`family`) |
//! | `jwt_ext.store.errors` | counter | `store` (`memory`/`redis`/`custom`) |
//! | `jwt_ext.verification.duration` | histogram, seconds | — |
//! | `jwt_ext.store.duration` | histogram, seconds | `store` |

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use metrics::{counter, histogram};

use crate::error::{AuthError, ErrorKind};
use crate::kind::TokenType;

pub(crate) fn authenticated() {
    counter!("jwt_ext.authentications", "outcome" => "success").increment(1);
}

pub(crate) fn refused(kind: ErrorKind) {
    counter!("jwt_ext.authentications", "outcome" => "failure", "error.type" => kind.as_str())
        .increment(1);
}

pub(crate) fn issued(kind: TokenType) {
    counter!("jwt_ext.tokens.issued", "token.type" => kind.as_str()).increment(1);
}

pub(crate) fn revoked(kind: &'static str) {
    counter!("jwt_ext.revocations", "kind" => kind).increment(1);
}

pub(crate) fn verification(elapsed: Duration) {
    histogram!("jwt_ext.verification.duration").record(elapsed.as_secs_f64());
}

pub(crate) fn store(store: &'static str, elapsed: Duration, failed: bool) {
    histogram!("jwt_ext.store.duration", "store" => store).record(elapsed.as_secs_f64());
    if failed {
        counter!("jwt_ext.store.errors", "store" => store).increment(1);
    }
}

/// At most this many failures are logged one by one per second; the rest are counted and
/// summed up in one line when the next second starts.
const LINES_PER_SECOND: u32 = 10;

static SECOND: AtomicI64 = AtomicI64::new(0);
static LOGGED: AtomicU32 = AtomicU32::new(0);
static SUPPRESSED: AtomicU32 = AtomicU32::new(0);

/// Logs a failure once, at `level`: its kind, the route, the message (a fixed text), and a
/// short keyed hash of the token's `jti` to correlate lines without revealing it.
pub(crate) fn log_failure(
    level: Option<log::Level>,
    error: &AuthError,
    route: &str,
    jti: Option<&str>,
) {
    let Some(level) = level else { return };
    let now = crate::token::now();
    let second = SECOND.load(Ordering::Relaxed);
    if second != now
        && SECOND
            .compare_exchange(second, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    {
        LOGGED.store(0, Ordering::Relaxed);
        let suppressed = SUPPRESSED.swap(0, Ordering::Relaxed);
        if suppressed > 0 {
            log::log!(
                level,
                "jwt-ext: {suppressed} more authentication failures in the last second, not \
                 logged one by one"
            );
        }
    }
    if LOGGED.fetch_add(1, Ordering::Relaxed) >= LINES_PER_SECOND {
        SUPPRESSED.fetch_add(1, Ordering::Relaxed);
        return;
    }
    let jti = jti
        .map(|jti| format!(" (jti #{})", short_hash(jti)))
        .unwrap_or_default();
    log::log!(
        level,
        "jwt-ext: refused {} on {route}: {} {}{jti}",
        error.kind().as_str(),
        error.status().code,
        error.message()
    );
}

/// 8 hex digits of a hash keyed per process: the same `jti` gives the same digits within one
/// run, and the digits say nothing about the `jti`.
fn short_hash(jti: &str) -> String {
    static KEY: OnceLock<std::collections::hash_map::RandomState> = OnceLock::new();
    let mut hasher = KEY.get_or_init(Default::default).build_hasher();
    hasher.write(jti.as_bytes());
    format!("{:08x}", hasher.finish() as u32)
}
