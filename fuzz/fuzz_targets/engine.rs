//! The whole engine against a hostile dongle: from port-open with credentials set, arbitrary
//! byte streams from the "dongle" interleaved with time passing on a virtual clock, in each
//! dialect (SKSTACK probing from scratch, a single-hop / dual-stack profile, a J11 profile).
//!
//! Input: byte 0 picks the start (dialect); then a sequence of steps, each one control byte
//! and its operand: `0x00..=0x7F` → feed the next `n + 1` bytes as dongle output;
//! `0x80..=0xFF` → let `(b & 0x7F)²` × 100 ms pass and fire the engine's timers.
//!
//! Invariants, checked after every step:
//! * no panic;
//! * memory stays bounded (events per step, transmit bytes per step; `make fuzz` also runs
//!   with `-rss_limit_mb` and `-malloc_limit_mb`);
//! * the engine never hands the dongle more ECHONET Lite payload in an hour of engine time
//!   than its own budget, far below the radio's legal 4.5 MB/h, and never more serial bytes
//!   in an hour than the legal radio budget;
//! * it never sends a credential command more often than the protocol needs: once, plus once
//!   after each reset it sent (SKSTACK `SKRESET`, J11 0x00D9 — a reset forgets them), plus
//!   once after each "busy" (0x3D) the J11 module answered to it (the module did not take it).
#![no_main]

use broute::{Config, Direction, Engine, Event, Instant, PairingProfile};
use libfuzzer_sys::fuzz_target;

const ID: &str = "0000004F3A210000000000000A18C3D7";
const PASSWORD: &str = "K7QX3M9PA2TB";
const HOUR_MS: u64 = 3_600_000;
const RADIO_BUDGET_BYTES_PER_HOUR: u64 = 4_500_000;

fn profile(dialect: broute::Dialect) -> PairingProfile {
    PairingProfile {
        channel: if dialect == broute::Dialect::J11 {
            0x0A
        } else {
            0x2D
        },
        pan_id: 0x8888,
        mac: skstack::Mac([0x00, 0x1C, 0x64, 0x00, 0x03, 0xDD, 0x63, 0x93]),
        dialect,
    }
}

/// Sliding-hour sums of (time, bytes).
#[derive(Default)]
struct Window {
    items: std::collections::VecDeque<(u64, u64)>,
    sum: u64,
}

impl Window {
    fn add(&mut self, now: u64, bytes: u64) -> u64 {
        while self.items.front().is_some_and(|(t, _)| t + HOUR_MS <= now) {
            let (_, b) = self.items.pop_front().unwrap();
            self.sum -= b;
        }
        self.items.push_back((now, bytes));
        self.sum += bytes;
        self.sum
    }
}

/// Credential commands and resets in what the engine wrote, and busy answers to the J11
/// credential request in what the dongle said.
#[derive(Default)]
struct Counts {
    credentials: u64,
    resets: u64,
    busy: u64,
}

impl Counts {
    fn scan(&mut self, b: &[u8]) {
        let has = |pat: &[u8]| b.windows(pat.len()).filter(|w| *w == pat).count() as u64;
        // SKSTACK: SKSETPWD and SKSETRBID are the two halves of one credential setting.
        self.credentials += has(b"SKSETRBID");
        self.resets += has(b"SKRESET");
        // J11 requests: unique code D0 EA 83 FC, then the command code.
        self.credentials += has(&[0xD0, 0xEA, 0x83, 0xFC, 0x00, 0x54]);
        self.resets += has(&[0xD0, 0xEA, 0x83, 0xFC, 0x00, 0xD9]);
    }
}

/// What the harness watches across steps.
struct Watch {
    payload_budget: u64,
    serial: Window,
    payload: Window,
    counts: Counts,
    /// The last bytes the dongle said (a frame may straddle two steps).
    tail: Vec<u8>,
}

impl Watch {
    /// Dongle output: count 0x2054 responses whose result byte (offset 12) is 0x3D, busy.
    fn input(&mut self, chunk: &[u8]) {
        const HEAD: [u8; 6] = [0xD0, 0xF9, 0xEE, 0x5D, 0x20, 0x54];
        let keep = self.tail.len();
        self.tail.extend_from_slice(chunk);
        let b = &self.tail;
        for i in 0..b.len().saturating_sub(12) {
            // Count each frame once: only those whose result byte arrived in this chunk.
            if i + 12 >= keep && b[i..i + 6] == HEAD && b[i + 12] == 0x3D {
                self.counts.busy += 1;
            }
        }
        let cut = self.tail.len().saturating_sub(12);
        self.tail.drain(..cut);
    }

    fn drain(&mut self, e: &mut Engine, now: u64) {
        let mut events = 0usize;
        while let Some(ev) = e.poll_event() {
            events += 1;
            if let Event::Frame {
                dir: Direction::Out,
                bytes,
                ..
            } = &ev
            {
                let used = self.payload.add(now, bytes.len() as u64);
                assert!(
                    used <= self.payload_budget,
                    "{used} payload bytes in an hour"
                );
            }
        }
        assert!(events < 10_000, "{events} events from one step");
        let mut written = 0u64;
        while let Some(b) = e.poll_transmit() {
            written += b.len() as u64;
            self.counts.scan(&b);
        }
        assert!(written < 1_000_000, "{written} bytes from one step");
        let used = self.serial.add(now, written);
        assert!(
            used <= RADIO_BUDGET_BYTES_PER_HOUR,
            "{used} serial bytes in an hour"
        );
        let c = &self.counts;
        assert!(
            c.credentials <= c.resets + c.busy + 1,
            "credentials sent {} times with {} resets and {} busy answers",
            c.credentials,
            c.resets,
            c.busy
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&start, mut rest)) = data.split_first() else {
        return;
    };
    let cfg = Config::default();
    let mut w = Watch {
        payload_budget: u64::from(cfg.tx_budget_bytes_per_hour),
        serial: Window::default(),
        payload: Window::default(),
        counts: Counts::default(),
        tail: Vec::new(),
    };
    let mut e = Engine::new(cfg);
    e.set_credentials(
        broute::RouteBId::new(ID).unwrap(),
        broute::RouteBPassword::new(PASSWORD).unwrap(),
        Instant(0),
    );
    match start % 4 {
        1 => e.set_profile(profile(broute::Dialect::SingleHop)),
        2 => e.set_profile(profile(broute::Dialect::DualStack)),
        3 => e.set_profile(profile(broute::Dialect::J11)),
        _ => {}
    }
    let mut now = 0u64;
    e.start(Instant(now));
    w.drain(&mut e, now);
    while let Some((&op, tail)) = rest.split_first() {
        if op < 0x80 {
            let n = (usize::from(op) + 1).min(tail.len());
            let (chunk, after) = tail.split_at(n);
            w.input(chunk);
            e.handle_bytes(chunk, Instant(now));
            rest = after;
        } else {
            let k = u64::from(op & 0x7F);
            now += k * k * 100;
            // Fire every deadline up to now, as a host would.
            for _ in 0..64 {
                match e.poll_timeout() {
                    Some(t) if t.as_millis() <= now => e.handle_timeout(Instant(now)),
                    _ => break,
                }
                w.drain(&mut e, now);
            }
            rest = tail;
        }
        w.drain(&mut e, now);
    }
});
