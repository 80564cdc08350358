//! The ROHM J11 binary UART API module (BP35C0-J11, BP35C1-J11, BP35C2-J11-T01,
//! RS-WSUHA-J11), written from `shared/j11.md` only: framing and input rules (`frame`), the
//! commands of §2 with their state rules (`cmd`), and the radio side — scan, EBR, PANA, UDP,
//! notifications (`radio`). It shares the meters, the PANA session and its timers, and the
//! ARIB accounting with the SKSTACK side (`crate::link`).
//!
//! States (0x0001): global 02 idle / 03 started (after an accepted 0x005F); B-route 01 idle /
//! 02 joined (0x2053 R=01) / 03 authenticated (0x6028 01); HAN always 01 idle.

mod cmd;
pub(crate) mod frame;
mod radio;

use crate::link::Link;
use crate::{Act, Sim, Tag};
use frame::{Input, Reader};

/// Result codes (j11.md §2 "R").
pub(crate) mod r {
    pub const OK: u8 = 0x01;
    pub const BAD_PARAMETER: u8 = 0x04;
    pub const BAD_DESTINATION: u8 = 0x06;
    pub const PORT_OPEN: u8 = 0x0A;
    pub const PORT_NOT_OPEN: u8 = 0x0B;
    pub const JOIN_FAILED: u8 = 0x0E;
    /// Wrong state: B-route idle.
    pub const IDLE: u8 = 0x10;
    pub const PARAMETER_LENGTH: u8 = 0x11;
    pub const TOO_MANY_PORTS: u8 = 0x12;
    pub const UART_TIMEOUT: u8 = 0x13;
    /// Wrong state: B-route joined (not authenticated).
    pub const JOINED: u8 = 0x34;
    /// Wrong state: authenticated.
    pub const AUTHENTICATED: u8 = 0x35;
    /// Wrong state: not started (no 0x005F yet).
    pub const NOT_STARTED: u8 = 0x37;
    pub const BUSY: u8 = 0x3D;
    pub const NO_PANA_SETTINGS: u8 = 0x51;
    pub const PANA_RUNNING: u8 = 0x52;
    pub const HEADER_SUM: u8 = 0xF0;
    pub const DATA_SUM: u8 = 0xF1;
    pub const TOO_SHORT: u8 = 0xF2;
    pub const TOO_LONG: u8 = 0xF3;
}

/// Reply code for a bad header sum.
const HEADER_SUM_REPLY: u16 = 0x2FFF;
/// Reply code for an unknown command.
const UNKNOWN_REPLY: u16 = 0xFFFF;
/// Boot notification.
const BOOT: u16 = 0x6019;
/// Reset command (always accepted).
const RESET: u16 = 0x00D9;
/// From reset (or replug) to the 0x6019 boot notification, ms (**inferred**: j11.md lists the
/// boot time as unknown).
pub(crate) const BOOT_MS: u64 = 300;
/// A missing data byte is waited for this long before the frame is dropped (result 0x13).
const UART_TIMEOUT_MS: u64 = 1_000;
/// UART throughput at 115200 8N1, bytes per second.
const UART_BYTES_PER_S: u64 = 11_520;

/// The meter a B-route join found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Joined {
    pub meter: usize,
    pub channel: u8,
    pub pan: u16,
    pub mac: u64,
}

/// PANA credentials of 0x0054. Secret: `Debug` shows nothing of them.
#[derive(Clone, Default)]
pub(crate) struct Credentials {
    pub id: String,
    pub password: String,
}

impl core::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Credentials(<redacted>)")
    }
}

/// Module timers.
#[derive(Debug, Clone)]
pub(crate) enum Timer {
    /// Boot finished: the 0x6019 notification.
    Boot,
    /// No input for a second: a partial frame is dropped. `generation` identifies the write
    /// that armed it; later input re-arms.
    Uart { generation: u64 },
    /// PANA (0x0056, 0x00D2 or the self re-authentication) ends with 0x6028 `result`.
    Pana { meter: usize, result: u8 },
    /// Re-check the MAC link to the joined meter (0x601A 01/03).
    Link,
}

/// Module state. Everything here reverts to defaults on reset (0x00D9) and replug.
#[derive(Debug, Clone)]
pub(crate) struct J11 {
    reader: Reader,
    generation: u64,
    /// Input before this time is lost (booting).
    booting_until: u64,
    /// The response to the current command is written at this time (requests before → 0x3D).
    busy_until: u64,
    /// Global state: 0x005F accepted.
    started: bool,
    /// 0x005F values: mode, HAN sleep, channel, TX power.
    setup: [u8; 4],
    credentials: Option<Credentials>,
    joined: Option<Joined>,
    pana_running: bool,
    /// UDP ports opened with 0x0005 (716 is opened by PANA and not counted).
    ports: Vec<u16>,
    /// Link-layer neighbours already resolved (the first unicast costs a neighbour discovery).
    neighbours: Vec<u64>,
    /// The MAC link to the joined meter was reported down (0x601A 03).
    link_down: bool,
    rx_seq: u8,
}

impl Default for J11 {
    fn default() -> J11 {
        J11 {
            reader: Reader::default(),
            generation: 0,
            booting_until: 0,
            busy_until: 0,
            started: false,
            setup: [0x00, 0x00, 0xFF, 0x00],
            credentials: None,
            joined: None,
            pana_running: false,
            ports: Vec::new(),
            neighbours: Vec::new(),
            link_down: false,
            rx_seq: 0,
        }
    }
}

/// UART time of `n` bytes, ms (at least 1).
fn uart_ms(n: usize) -> u64 {
    (n as u64 * 1000).div_ceil(UART_BYTES_PER_S).max(1)
}

impl Sim {
    /// Bytes from the client.
    pub(crate) fn j11_input(&mut self, now: u64, bytes: &[u8]) {
        if now < self.j11.booting_until {
            return;
        }
        self.j11.reader.lenient = self.sc.j11_zero_sum_lenience;
        let mut inputs = Vec::new();
        self.j11.reader.feed(bytes, &mut inputs);
        for input in inputs {
            self.j11_frame(now, input);
        }
        if self.j11.reader.partial() {
            self.j11.generation += 1;
            let generation = self.j11.generation;
            self.schedule(
                now + UART_TIMEOUT_MS,
                Tag::Plain,
                Act::J11(Timer::Uart { generation }),
            );
        }
    }

    fn j11_frame(&mut self, now: u64, input: Input) {
        let at = now + 2;
        match input {
            Input::HeaderSum => self.emit(at, frame::response(HEADER_SUM_REPLY, &[r::HEADER_SUM])),
            Input::DataSum { command } => self.j11_result(at, command, r::DATA_SUM),
            Input::TooShort { command } => self.j11_result(at, command, r::TOO_SHORT),
            Input::TooLong { command } => self.j11_result(at, command, r::TOO_LONG),
            Input::Request { command, data } => {
                if command == RESET {
                    return self.j11_reset(now);
                }
                if self.j11_busy(now) {
                    return self.j11_result(at, command, r::BUSY);
                }
                self.j11_command(now, command, &data);
            }
        }
    }

    /// The module is single-tasked: busy until the current command's response is written, and
    /// while a notification is being written.
    fn j11_busy(&self, now: u64) -> bool {
        now < self.j11.busy_until
            || self.queue.iter().any(|i| match &i.act {
                Act::Out(b) => {
                    b.starts_with(&frame::RESPONSE_CODE)
                        && b.get(4).is_some_and(|c| matches!(c, 0x40 | 0x60))
                        && i.at.saturating_sub(uart_ms(b.len())) <= now
                        && now < i.at
                }
                _ => false,
            })
    }

    /// A response carrying only a result byte (reply code = request + 0x2000).
    fn j11_result(&mut self, at: u64, command: u16, result: u8) {
        self.emit(at, frame::response(command.wrapping_add(0x2000), &[result]));
    }

    /// A response to the current command at `at`; the module is busy until then (a request
    /// that arrives once the response is out, even in the same millisecond, is taken).
    fn j11_respond(&mut self, at: u64, command: u16, data: &[u8]) {
        self.emit(at, frame::response(command.wrapping_add(0x2000), data));
        self.j11.busy_until = self.j11.busy_until.max(at);
    }

    /// 0x00D9: everything stops (pending output, scan, session), settings, credentials and
    /// ports revert, then the module boots.
    fn j11_reset(&mut self, now: u64) {
        self.queue.retain(|i| i.tag == Tag::Hostile);
        self.link = Link::default();
        self.j11 = J11::default();
        self.j11_boot(now);
    }

    /// Power-on or reset: input is lost until the boot notification. j11.md says the module
    /// emits F2 at power-up/reset; rendered as one stray 0xF2 byte before 0x6019
    /// (**inferred**).
    pub(crate) fn j11_boot(&mut self, now: u64) {
        self.j11.booting_until = now + BOOT_MS;
        self.emit(now + BOOT_MS / 2, vec![0xF2]);
        self.schedule(now + BOOT_MS, Tag::Plain, Act::J11(Timer::Boot));
    }

    pub(crate) fn j11_timer(&mut self, at: u64, timer: Timer) {
        match timer {
            Timer::Boot => {
                self.j11.booting_until = at;
                self.emit(at, frame::response(BOOT, &[]));
            }
            Timer::Uart { generation } => {
                if generation != self.j11.generation || !self.j11.reader.partial() {
                    return;
                }
                let waiting = self.j11.reader.waiting_for_data();
                self.j11.reader.clear();
                if let Some(command) = waiting {
                    self.j11_result(at, command, r::UART_TIMEOUT);
                }
            }
            Timer::Pana { meter, result } => self.j11_pana_done(at, meter, result),
            Timer::Link => self.j11_link_check(at),
        }
    }
}
