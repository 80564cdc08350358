//! Time as a plain value.
//!
//! The driver never reads a clock: the caller passes `now` into every call. [`Instant`] is a
//! count of milliseconds since an arbitrary origin chosen by the caller (page load, process
//! start); only differences matter. This works the same on the host and on
//! `wasm32-unknown-unknown`, where `std::time::Instant::now()` panics.

use core::time::Duration;

/// A point in time: milliseconds since a caller-chosen origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(pub u64);

impl Instant {
    /// The instant `ms` milliseconds after the origin.
    pub const fn from_millis(ms: u64) -> Self {
        Self(ms)
    }

    /// Milliseconds since the origin.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// `self + d`, saturating at the far future.
    pub fn saturating_add(self, d: Duration) -> Self {
        Self(
            self.0
                .saturating_add(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        )
    }

    /// Time elapsed from `earlier` to `self` (zero if `earlier` is later).
    pub fn since(self, earlier: Self) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

impl core::ops::Add<Duration> for Instant {
    type Output = Self;

    /// Saturating addition.
    fn add(self, d: Duration) -> Self {
        self.saturating_add(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates() {
        let t = Instant::from_millis(1000);
        assert_eq!((t + Duration::from_secs(2)).as_millis(), 3000);
        assert_eq!(
            Instant(u64::MAX) + Duration::from_secs(1),
            Instant(u64::MAX)
        );
        assert_eq!(t.since(Instant(1500)), Duration::ZERO);
        assert_eq!(Instant(1500).since(t), Duration::from_millis(500));
    }
}
