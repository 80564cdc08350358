//! Readings on their way to storage: the in-memory buffer that keeps them until the store has
//! them, its bounds, the retry schedule, and the storage keys.
//!
//! The app puts every new reading here first and removes it only once a write to the store has
//! committed, so a failing store (full, blocked, missing) loses nothing while the page is open:
//! the readings stay here, exports include them, and writes are retried with
//! [`Backoff`]. The buffer is bounded by the size of its JSON text ([`Pending::MAX_BYTES`]:
//! about two weeks of readings every 5 s); beyond that the oldest are dropped and counted,
//! so a page left open for weeks without storage cannot run out of memory.

use std::collections::VecDeque;

/// Key of a stored reading: its time (epoch ms) × 1024 plus a sequence number, a whole number
/// below 2^53 (exact as an IndexedDB number key) until the year 2248. Keys sort by time, so
/// "the last 24 hours" and "older than 30 days" are key ranges.
pub fn reading_key(t_ms: i64, seq: u32) -> f64 {
    let t = t_ms.clamp(0, KEY_T_MAX);
    (t * KEY_SCALE + i64::from(seq % KEY_SCALE as u32)) as f64
}

/// The smallest key of a reading stamped at or after `t_ms` (a range bound).
pub fn key_bound(t_ms: i64) -> f64 {
    reading_key(t_ms, 0)
}

/// The time (epoch ms) of a reading key.
pub fn key_time(key: f64) -> i64 {
    if key.is_finite() && key >= 0.0 {
        (key as i64) / KEY_SCALE
    } else {
        0
    }
}

const KEY_SCALE: i64 = 1024;
/// 2^53 / 1024 − 1: the largest time whose keys are exact.
const KEY_T_MAX: i64 = (1 << 43) - 1;

/// Readings not yet in the store, oldest first: `(key, JSON)`.
#[derive(Debug, Clone, Default)]
pub struct Pending {
    items: VecDeque<(f64, String)>,
    bytes: usize,
    dropped: u64,
    max_bytes: usize,
}

impl Pending {
    /// Bound of the JSON text held: 48 MiB, about 330 000 readings (≈ 19 days every 5 s).
    pub const MAX_BYTES: usize = 48 << 20;

    /// An empty buffer bounded at [`Pending::MAX_BYTES`].
    pub fn new() -> Pending {
        Pending::with_max_bytes(Pending::MAX_BYTES)
    }

    /// An empty buffer holding at most `max_bytes` of JSON text.
    pub fn with_max_bytes(max_bytes: usize) -> Pending {
        Pending {
            max_bytes,
            ..Pending::default()
        }
    }

    /// Add a reading; drops (and counts) the oldest ones while the buffer is over its bound.
    /// Returns how many were dropped now.
    pub fn push(&mut self, key: f64, json: String) -> usize {
        self.bytes += json.len();
        self.items.push_back((key, json));
        let mut dropped = 0;
        while self.bytes > self.max_bytes {
            let Some((_, old)) = self.items.pop_front() else {
                break;
            };
            self.bytes -= old.len();
            dropped += 1;
        }
        self.dropped += dropped as u64;
        dropped
    }

    /// The oldest `n` readings (fewer if there are fewer), to write.
    pub fn batch(&self, n: usize) -> Vec<(f64, String)> {
        self.items.iter().take(n).cloned().collect()
    }

    /// Forget the oldest `n` readings: the store has them now.
    pub fn written(&mut self, n: usize) {
        for _ in 0..n {
            match self.items.pop_front() {
                Some((_, j)) => self.bytes -= j.len(),
                None => break,
            }
        }
    }

    /// Every reading held, oldest first (JSON).
    pub fn json(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|(_, j)| j.as_str())
    }

    /// The readings held whose key is at least `from` (JSON), oldest first.
    pub fn json_from(&self, from: f64) -> impl Iterator<Item = &str> {
        self.items
            .iter()
            .filter(move |(k, _)| *k >= from)
            .map(|(_, j)| j.as_str())
    }

    /// The newest key held.
    pub fn last_key(&self) -> Option<f64> {
        self.items.back().map(|(k, _)| *k)
    }

    /// Readings held.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Nothing held.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// JSON text held, bytes.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Readings dropped since the buffer was made because it was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// When to try a failed write again: 1 s, 2 s, 4 s, … up to a minute, then every minute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    /// Longest wait, ms.
    pub const MAX_MS: u32 = 60_000;

    /// A failure: how long to wait before the next try, ms.
    pub fn failed(&mut self) -> u32 {
        let ms = 1000u32
            .checked_shl(self.failures)
            .unwrap_or(Self::MAX_MS)
            .min(Self::MAX_MS);
        self.failures = self.failures.saturating_add(1);
        ms
    }

    /// A success: the next failure starts again at 1 s.
    pub fn succeeded(&mut self) {
        self.failures = 0;
    }

    /// Failures in a row so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keys_sort_by_time_and_are_exact() {
        let t = 1_796_000_000_000; // 2026
        assert!(reading_key(t, 0) < reading_key(t, 1));
        assert!(reading_key(t, 1023) < reading_key(t + 1, 0));
        assert_eq!(key_time(reading_key(t, 5)), t);
        assert_eq!(key_bound(t), reading_key(t, 0));
        // The seq wraps within its 10 bits, never into the next millisecond.
        assert_eq!(reading_key(t, 1024), reading_key(t, 0));
        // Exact: the key survives a round trip through f64 and back.
        let k = reading_key(KEY_T_MAX, 1023);
        assert_eq!(k as i64 as f64, k);
        assert!(k < 9_007_199_254_740_992.0);
        assert_eq!(reading_key(-5, 0), 0.0);
        assert_eq!(reading_key(i64::MAX, 0), reading_key(KEY_T_MAX, 0));
        assert_eq!(key_time(f64::NAN), 0);
    }

    #[test]
    fn the_buffer_keeps_order_and_its_bound() {
        let mut p = Pending::with_max_bytes(10);
        assert_eq!(p.push(1.0, "aaaa".into()), 0);
        assert_eq!(p.push(2.0, "bbbb".into()), 0);
        assert_eq!((p.len(), p.bytes()), (2, 8));
        // The third goes over 10 bytes: the oldest is dropped and counted.
        assert_eq!(p.push(3.0, "cccc".into()), 1);
        assert_eq!(p.json().collect::<Vec<_>>(), ["bbbb", "cccc"]);
        assert_eq!(p.dropped(), 1);
        assert_eq!(p.batch(1), vec![(2.0, "bbbb".to_string())]);
        assert_eq!(p.json_from(3.0).collect::<Vec<_>>(), ["cccc"]);
        assert_eq!(p.last_key(), Some(3.0));
        p.written(1);
        assert_eq!((p.len(), p.bytes()), (1, 4));
        p.written(5);
        assert!(p.is_empty());
        assert_eq!(p.bytes(), 0);
        // One reading larger than the bound is not kept.
        assert_eq!(p.push(4.0, "x".repeat(11)), 1);
        assert!(p.is_empty());
        assert_eq!(Pending::new().max_bytes, Pending::MAX_BYTES);
    }

    #[test]
    fn backoff_doubles_to_a_minute() {
        let mut b = Backoff::default();
        let waits: Vec<u32> = (0..9).map(|_| b.failed()).collect();
        assert_eq!(
            waits,
            [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]
        );
        assert_eq!(b.failures(), 9);
        b.succeeded();
        assert_eq!(b.failed(), 1000);
        let mut b = Backoff { failures: u32::MAX };
        assert_eq!(b.failed(), Backoff::MAX_MS);
    }

    proptest! {
        #[test]
        fn the_bound_holds(sizes in proptest::collection::vec(0usize..50, 0..200), max in 0usize..300) {
            let mut p = Pending::with_max_bytes(max);
            for (i, n) in sizes.iter().enumerate() {
                p.push(i as f64, "x".repeat(*n));
                prop_assert!(p.bytes() <= max);
                prop_assert_eq!(p.bytes(), p.json().map(str::len).sum::<usize>());
                prop_assert_eq!(p.len() as u64 + p.dropped(), i as u64 + 1);
            }
        }
    }
}
