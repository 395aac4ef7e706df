//! The time the pipeline reads: the system's, or with the `testing` feature the system's moved
//! forward by a test ([`testing::Clock`](crate::testing::Clock)).
//!
//! Only forward: stores keep entries by token times, so a clock ahead of the system keeps them
//! at least as long as needed, where one behind would drop revocations early.

#[cfg(feature = "testing")]
use std::sync::{atomic::AtomicI64, atomic::Ordering, Arc};

/// The clock of one `Auth`: issuing, expiry, freshness, rotation and implicit refresh read it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Clock {
    /// Microseconds ahead of the system clock, shared with the test's handle.
    #[cfg(feature = "testing")]
    pub(crate) ahead: Arc<AtomicI64>,
}

impl Clock {
    /// Unix time in whole seconds.
    pub(crate) fn now(&self) -> i64 {
        self.now_micros().div_euclid(1_000_000)
    }

    /// Unix time with fractions, for `fresh` timestamps.
    pub(crate) fn now_f64(&self) -> f64 {
        let micros = self.now_micros();
        micros.div_euclid(1_000_000) as f64 + micros.rem_euclid(1_000_000) as f64 / 1e6
    }

    /// Unix time in microseconds.
    pub(crate) fn now_micros(&self) -> i64 {
        let system = chrono::Utc::now().timestamp_micros();
        #[cfg(feature = "testing")]
        let system = system.saturating_add(self.ahead.load(Ordering::Relaxed));
        system
    }
}
