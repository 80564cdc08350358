//! A byte-level serial device on a virtual clock.
//!
//! The simulator (`sim::Sim`) implements [`Device`]; the engine's test harness
//! (`broute::harness::Pair`), the CLI's `sim-run` and the demo dongle drive anything that
//! implements it. The trait lives in this tiny crate so that the simulator can implement it
//! without depending on the engine (it stays an independent oracle) and nobody writes the
//! adapter twice. Nothing here reads a clock: time is an argument.
#![deny(unsafe_code)]
#![warn(missing_docs)]

/// A serial device on a virtual clock (milliseconds).
pub trait Device {
    /// Bytes written by the host at `now_ms`.
    fn write(&mut self, now_ms: u64, bytes: &[u8]);
    /// Everything the device has sent up to `now_ms`.
    fn read(&mut self, now_ms: u64) -> Vec<u8>;
    /// When the device next has something to say or do.
    fn next_deadline(&self) -> Option<u64>;
}
