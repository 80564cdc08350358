//! Simulated Wi-SUN USB dongle (SKSTACK IP text protocol, or the J11 binary API) and the
//! smart meters it talks to: a faithful, deterministic stand-in for real hardware.
//!
//! The simulator is **sans-IO**: it never reads a clock, never sleeps, never spawns threads
//! and never touches a device. The host passes the current virtual time in milliseconds
//! with every call:
//!
//! * [`Sim::write`] — bytes the client wrote to the serial port (client → dongle);
//! * [`Sim::read`] — everything the dongle has written up to `now` (dongle → client);
//! * [`Sim::next_deadline`] — when the next output or internal event is due, so a host can
//!   sleep until then.
//!
//! Everything that looks random (latencies, load noise, PANA bytes) comes from a seeded
//! SplitMix64, so the same [`Scenario`] and the same calls give the same bytes.
//! The dongle side is written from `shared/protocol.md` and real captures, not from the
//! project's own client driver; the J11 module ([`Dialect::J11`]) from `shared/j11.md` only,
//! with its own frame parser. Both dongle families share the meters, the PANA session and
//! the transmit accounting; they differ only in how they speak to the host.
//!
//! [`Fault`]s switch failures on and off at run time, among them
//! [`Fault::HostileNeighbour`], a node that sends forged frames (see [`hostile`]) for
//! testing that a client trusts only its meter.
//!
//! ```
//! use sim::{Scenario, Sim};
//! let mut sim = Sim::new(Scenario::default());
//! sim.write(0, b"SKVER\r\n");
//! assert_eq!(sim.read(100), b"SKVER\r\nEVER 1.2.10\r\nOK\r\n");
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod dongle;
pub mod el;
pub mod hostile;
mod j11;
mod link;
pub mod meter;
mod pana;
pub mod profile;
pub mod rng;
pub mod scenario;
pub mod time;
mod vdevice;

pub use hostile::HOSTILE_POWER_W;
pub use meter::{Meter, Reading};
pub use scenario::{
    Dialect, Fault, FaultSet, HighVoltage, LowVoltage, MeterClass, MeterConfig, Scenario, Wiring,
    DEMO_PASSWORD, DEMO_ROUTE_B_ID, PRESETS,
};
pub use time::CivilDateTime;

use dongle::Dongle;

/// Most meter frames kept by [`Sim::observe_meter_frames`] between two takes.
pub const OBSERVED_MAX: usize = 1_000_000;
use link::Link;
use rng::Rng;

/// Group of scheduled items that can be cancelled together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Plain,
    Scan,
    Session,
    /// The hostile neighbour's own timer (survives dongle resets).
    Hostile,
}

/// Something that happens at a given virtual time.
#[derive(Debug, Clone)]
enum Act {
    /// Bytes on the UART, dongle → client.
    Out(Vec<u8>),
    /// The PANA session with the current meter is (re)established.
    SessionUp,
    /// The session is gone (failed join, peer termination, expiry without re-auth).
    SessionDown,
    /// A UDP datagram from the client reaches meter `meter`.
    Deliver {
        meter: usize,
        data: Vec<u8>,
        secured: bool,
        port: u16,
    },
    /// The half-hourly EA/EB notification is due.
    HalfHour,
    /// The PANA session lifetime is over.
    Lifetime,
    /// The meter terminates the session (Fault::PeerTerminates).
    PeerTerminate,
    /// Re-check the ARIB transmit budget.
    TxRelease,
    /// A J11 module timer (boot, UART timeout, PANA result, link state).
    J11(j11::Timer),
    /// The hostile neighbour sends its next frame ([`Fault::HostileNeighbour`]).
    Hostile,
}

#[derive(Debug, Clone)]
struct Item {
    at: u64,
    seq: u64,
    tag: Tag,
    act: Act,
}

/// A meter plus the fault that makes it present (neighbours exist only while their fault is on).
#[derive(Debug)]
struct Slot {
    meter: Meter,
    gated_by: Option<Fault>,
}

/// The simulated dongle and its meters.
#[derive(Debug)]
pub struct Sim {
    sc: Scenario,
    faults: FaultSet,
    rng: Rng,
    now: u64,
    seq: u64,
    queue: Vec<Item>,
    out: Vec<u8>,
    unplugged: bool,
    slots: Vec<Slot>,
    d: Dongle,
    link: Link,
    j11: j11::J11,
    hostile: hostile::Neighbour,
    /// Meter frames that reached the dongle (ground truth for tests), when switched on.
    observed: Option<Vec<(u64, Vec<u8>)>>,
}

impl Sim {
    /// Power on a dongle in the given scenario at virtual time 0.
    ///
    /// Meters: the scenario's meters come first (index 0 is "ours"), then one neighbour
    /// present only with [`Fault::NeighbourMeter`], then two present only with
    /// [`Fault::SeveralMeters`].
    pub fn new(sc: Scenario) -> Sim {
        let mut rng = Rng::new(sc.seed);
        let mut slots = Vec::new();
        for (i, m) in sc.meters.iter().enumerate() {
            let seed = rng::hash3(sc.seed, 100, i as u64);
            slots.push(Slot {
                meter: Meter::new(m.clone(), sc.start, seed),
                gated_by: None,
            });
        }
        let ch0 = sc.meters.first().map(|m| m.channel).unwrap_or(0x2D);
        let extra = [
            (MeterConfig::neighbour(1, ch0), Fault::NeighbourMeter),
            (
                MeterConfig::neighbour(2, 0x21 + (ch0 - 0x21 + 9) % 28),
                Fault::SeveralMeters,
            ),
            (
                MeterConfig::neighbour(3, 0x21 + (ch0 - 0x21 + 17) % 28),
                Fault::SeveralMeters,
            ),
        ];
        for (i, (cfg, f)) in extra.into_iter().enumerate() {
            let seed = rng::hash3(sc.seed, 200, i as u64);
            slots.push(Slot {
                meter: Meter::new(cfg, sc.start, seed),
                gated_by: Some(f),
            });
        }
        let d = Dongle::power_on(&sc);
        let seed2 = rng.next_u64();
        let mut sim = Sim {
            faults: sc.faults,
            rng: Rng::new(seed2),
            now: 0,
            seq: 0,
            queue: Vec::new(),
            out: Vec::new(),
            unplugged: false,
            slots,
            d,
            link: Link::default(),
            j11: j11::J11::default(),
            hostile: hostile::Neighbour::default(),
            observed: None,
            sc,
        };
        if sim.faults.contains(Fault::Unplugged) {
            sim.unplug();
        } else if sim.faults.contains(Fault::HostileNeighbour) {
            sim.hostile_start(0);
        }
        sim
    }

    /// The scenario this simulator was started with.
    pub fn scenario(&self) -> &Scenario {
        &self.sc
    }

    /// Client → dongle: `bytes` written to the serial port at virtual time `now_ms`.
    /// Events due at or before `now_ms` are processed first. Times never go backwards:
    /// a `now_ms` earlier than a previous call is treated as that earlier call's time.
    pub fn write(&mut self, now_ms: u64, bytes: &[u8]) {
        self.advance(now_ms);
        if self.unplugged {
            return;
        }
        let now = self.now;
        if self.sc.dialect == Dialect::J11 {
            self.j11_input(now, bytes);
        } else {
            for &b in bytes {
                self.input_byte(now, b);
            }
        }
    }

    /// Dongle → client: every byte due at or before `now_ms`, in order (possibly empty).
    pub fn read(&mut self, now_ms: u64) -> Vec<u8> {
        self.advance(now_ms);
        core::mem::take(&mut self.out)
    }

    /// Like [`Sim::read`] but `None` instead of an empty vector.
    pub fn poll_output(&mut self, now_ms: u64) -> Option<Vec<u8>> {
        let v = self.read(now_ms);
        if v.is_empty() {
            None
        } else {
            Some(v)
        }
    }

    /// Virtual time at which the next output or internal event is due; `None` when nothing
    /// is pending (or the device is unplugged). Output already due is reported as the
    /// current time.
    pub fn next_deadline(&self) -> Option<u64> {
        if self.unplugged {
            return None;
        }
        if !self.out.is_empty() {
            return Some(self.now);
        }
        self.queue.iter().map(|i| i.at).min()
    }

    /// Pull the plug: output ends for good (pending bytes are lost) and input is ignored.
    pub fn unplug(&mut self) {
        self.unplugged = true;
        self.faults.set(Fault::Unplugged, true);
        self.queue.clear();
        self.out.clear();
    }

    /// Is the device unplugged?
    pub fn is_unplugged(&self) -> bool {
        self.unplugged
    }

    /// Switch a fault on or off at run time. Switching [`Fault::Unplugged`] off plugs the
    /// dongle back in: it powers on afresh (registers, session and scan are reset).
    pub fn set_fault(&mut self, f: Fault, on: bool) {
        let was = self.faults.contains(f);
        self.faults.set(f, on);
        match (f, on) {
            (Fault::Unplugged, true) => self.unplug(),
            (Fault::Unplugged, false) if was => {
                self.unplugged = false;
                self.d = Dongle::power_on(&self.sc);
                self.link = Link::default();
                self.j11 = j11::J11::default();
                if self.sc.dialect == Dialect::J11 {
                    let now = self.now;
                    self.j11_boot(now);
                }
                if self.faults.contains(Fault::HostileNeighbour) {
                    self.hostile_start(self.now);
                }
            }
            (Fault::PeerTerminates, true) if !was && self.link.session_established() => {
                let at = self.now + 1000;
                self.schedule(at, Tag::Session, Act::PeerTerminate);
            }
            (Fault::MeterOutOfRange, _) if was != on && self.sc.dialect == Dialect::J11 => {
                let now = self.now;
                self.j11_link_changed(now);
            }
            (Fault::HostileNeighbour, true) if !was && !self.unplugged => {
                self.hostile_start(self.now);
            }
            _ => {}
        }
    }

    /// Start (or stop) recording every ECHONET frame of our meter (meter 0) that reaches the
    /// dongle over the air (after the faults that lose frames on the air), with its time: the
    /// ground truth a test compares the client's readings with. Off by default; at most
    /// [`OBSERVED_MAX`] frames are kept between two [`Sim::take_meter_frames`].
    pub fn observe_meter_frames(&mut self, on: bool) {
        self.observed = on.then(Vec::new);
    }

    /// The meter frames recorded since the last call (see [`Sim::observe_meter_frames`]).
    pub fn take_meter_frames(&mut self) -> Vec<(u64, Vec<u8>)> {
        self.observed
            .as_mut()
            .map(core::mem::take)
            .unwrap_or_default()
    }

    pub(crate) fn observe(&mut self, at: u64, data: &[u8]) {
        if let Some(o) = &mut self.observed {
            if o.len() < OBSERVED_MAX {
                o.push((at, data.to_vec()));
            }
        }
    }

    /// The faults currently on.
    pub fn faults(&self) -> FaultSet {
        self.faults
    }

    /// Meter `i` (see [`Sim::new`] for the order), for ground-truth readings.
    pub fn meter(&self, i: usize) -> Option<&Meter> {
        self.slots.get(i).map(|s| &s.meter)
    }

    /// Number of meters, including the fault-gated neighbours.
    pub fn meter_count(&self) -> usize {
        self.slots.len()
    }

    /// Civil (JST) time at virtual time `now_ms`.
    pub fn civil_time(&self, now_ms: u64) -> CivilDateTime {
        self.sc.start.plus_seconds((now_ms / 1000) as i64)
    }

    /// The current virtual time (the latest `now_ms` seen).
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Is a PANA session established right now?
    pub fn is_joined(&self) -> bool {
        self.link.session_established()
    }

    /// The dongle's link-local IPv6 address, as it prints it.
    pub fn dongle_address(&self) -> String {
        link::ll_string(self.sc.dongle_mac)
    }

    /// Meter `i`'s link-local IPv6 address, as the dongle prints it.
    pub fn meter_address(&self, i: usize) -> Option<String> {
        self.slots
            .get(i)
            .map(|s| link::ll_string(s.meter.config().mac))
    }

    // ---- scheduling -------------------------------------------------------------------

    fn schedule(&mut self, at: u64, tag: Tag, act: Act) {
        self.seq += 1;
        self.queue.push(Item {
            at,
            seq: self.seq,
            tag,
            act,
        });
    }

    fn emit(&mut self, at: u64, bytes: Vec<u8>) {
        self.schedule(at, Tag::Plain, Act::Out(bytes));
    }

    fn emit_tagged(&mut self, at: u64, tag: Tag, bytes: Vec<u8>) {
        self.schedule(at, tag, Act::Out(bytes));
    }

    fn cancel(&mut self, tag: Tag) {
        self.queue.retain(|i| i.tag != tag);
    }

    fn advance(&mut self, now_ms: u64) {
        if now_ms > self.now {
            self.now = now_ms;
        }
        loop {
            if self.unplugged {
                return;
            }
            let next = self
                .queue
                .iter()
                .enumerate()
                .filter(|(_, i)| i.at <= self.now)
                .min_by_key(|(_, i)| (i.at, i.seq))
                .map(|(k, _)| k);
            let Some(k) = next else { return };
            let item = self.queue.swap_remove(k);
            self.execute(item.at, item.act);
        }
    }

    fn execute(&mut self, at: u64, act: Act) {
        match act {
            Act::Out(bytes) => {
                if self.faults.contains(Fault::Silence) {
                    return;
                }
                if self.faults.contains(Fault::Garbage) && self.rng.range(0, 3) == 0 {
                    let n = self.rng.range(1, 6) as usize;
                    let j11 = self.sc.dialect == Dialect::J11;
                    // Noise never forms a line end (SKSTACK) or the first byte of a unique
                    // code (J11), so the real output after it stays intact.
                    let mut g: Vec<u8> = self
                        .rng
                        .bytes(n)
                        .into_iter()
                        .map(|b| match b {
                            b'\r' | b'\n' if !j11 => 0xFF,
                            0xD0 if j11 => 0xFF,
                            b => b,
                        })
                        .collect();
                    if !j11 {
                        g.extend_from_slice(b"\r\n");
                    }
                    self.out.extend(g);
                }
                self.out.extend(bytes);
            }
            other => self.internal(at, other),
        }
    }
}

#[cfg(test)]
mod tests;
