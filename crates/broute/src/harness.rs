//! Drive an [`Engine`] against a byte-level device on a virtual clock (tests, `broute sim-run`).
//!
//! The device is anything sans-IO that takes written bytes and gives back what it sent by a
//! given time ([`Device`]) — the simulator in practice, which implements it itself. Nothing here reads a clock: [`Pair`] jumps from one
//! deadline to the next, so an hour of polling takes milliseconds.

pub use vdevice::Device;

use crate::{Engine, Event, Instant};

/// An engine wired to a device.
#[derive(Debug)]
pub struct Pair<D> {
    /// The engine.
    pub engine: Engine,
    /// The device.
    pub device: D,
    /// Virtual time, ms.
    pub now: u64,
    /// Every event so far, with its time.
    pub events: Vec<(u64, Event)>,
    /// Bytes written to the device.
    pub bytes_written: u64,
}

impl<D: Device> Pair<D> {
    /// Wire `engine` to `device` at time 0.
    pub fn new(engine: Engine, device: D) -> Self {
        Self {
            engine,
            device,
            now: 0,
            events: Vec::new(),
            bytes_written: 0,
        }
    }

    /// Start the engine.
    pub fn start(&mut self) {
        self.engine.start(Instant(self.now));
    }

    /// Move bytes both ways at the current time until nothing moves. Returns the index of the
    /// first new event for which `pred` holds.
    fn settle(&mut self, pred: &mut impl FnMut(&Event) -> bool) -> Option<usize> {
        let mut hit = None;
        loop {
            let mut moved = false;
            while let Some(b) = self.engine.poll_transmit() {
                self.bytes_written += b.len() as u64;
                self.device.write(self.now, &b);
                moved = true;
            }
            let out = self.device.read(self.now);
            if !out.is_empty() {
                self.engine.handle_bytes(&out, Instant(self.now));
                moved = true;
            }
            while let Some(ev) = self.engine.poll_event() {
                if hit.is_none() && pred(&ev) {
                    hit = Some(self.events.len());
                }
                self.events.push((self.now, ev));
                moved = true;
            }
            if self
                .engine
                .poll_timeout()
                .is_some_and(|t| t.as_millis() <= self.now)
            {
                self.engine.handle_timeout(Instant(self.now));
                // A deadline that does not move would loop: let time advance instead.
                if self
                    .engine
                    .poll_timeout()
                    .is_some_and(|t| t.as_millis() <= self.now)
                    && !moved
                {
                    break;
                }
                continue;
            }
            if !moved {
                return hit;
            }
        }
        hit
    }

    /// Run until an event satisfies `pred` (returns it) or virtual time reaches `until_ms`.
    pub fn run_until(
        &mut self,
        until_ms: u64,
        mut pred: impl FnMut(&Event) -> bool,
    ) -> Option<Event> {
        loop {
            if let Some(i) = self.settle(&mut pred) {
                return Some(self.events[i].1.clone());
            }
            let next = [
                self.engine.poll_timeout().map(|t| t.as_millis()),
                self.device.next_deadline(),
            ]
            .into_iter()
            .flatten()
            .min();
            match next {
                Some(t) if t <= until_ms => self.now = t.max(self.now + 1),
                _ => {
                    self.now = self.now.max(until_ms);
                    self.settle(&mut pred);
                    return None;
                }
            }
        }
    }

    /// Run for `ms` of virtual time.
    pub fn run_for(&mut self, ms: u64) {
        let until = self.now.saturating_add(ms);
        self.run_until(until, |_| false);
    }

    /// The events after index `from`.
    pub fn events_since(&self, from: usize) -> impl Iterator<Item = &Event> {
        self.events.iter().skip(from).map(|(_, e)| e)
    }
}
