//! The engine's inputs as a log, and their replay.
//!
//! The engine is deterministic: the same inputs at the same instants give the same transmits,
//! events and figures. A shell records every input it gives the engine in an [`InputLog`]; what
//! needs everything the engine said (the support bundle) replays the log into a fresh engine
//! somewhere else — in the browser, a Web Worker — instead of the shell keeping every event.
//!
//! The log never holds a credential: [`Input::Credentials`] marks *when* they were given, and
//! [`replay`] takes them as an argument. It is bounded ([`InputLog::MAX_BYTES`],
//! [`InputLog::MAX_ENTRIES`]); once full it stops growing and says so ([`InputLog::is_full`]).
//!
//! [`InputLog::encode`] / [`InputLog::decode`] give a compact byte form for crossing a
//! `postMessage`; decoding untrusted bytes never panics.

use core::time::Duration;

use echonet::DateTime;
use skstack::{Instant, Mac, RouteBId, RouteBPassword};

use crate::{Config, Dialect, Engine, Event, HistoryRequest, PairingProfile};

/// One input to the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// [`Engine::start`].
    Start,
    /// [`Engine::handle_bytes`]: bytes the port delivered.
    Bytes(Vec<u8>),
    /// [`Engine::handle_timeout`].
    Timeout,
    /// [`Engine::set_credentials`] with the credentials given to [`replay`].
    Credentials,
    /// [`Engine::confirm_wopt`].
    ConfirmWopt,
    /// [`Engine::set_poll_interval`].
    PollInterval(Duration),
    /// [`Engine::request_history`].
    History(HistoryRequest),
    /// [`Engine::serial_lost`].
    SerialLost,
    /// [`Engine::set_refusals_allowed`] (the lock-out guard's allowance).
    RefusalsAllowed(u8),
}

/// How the engine was set up before its first input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    /// `Config::poll_interval`.
    pub poll_interval: Duration,
    /// `Config::history_gap`.
    pub history_gap: Duration,
    /// The profile given with [`Engine::set_profile`], if any.
    pub profile: Option<PairingProfile>,
}

impl Setup {
    /// The setup of an engine made from `cfg` (the other `Config` fields are the defaults the
    /// shells use) with `profile`.
    pub fn new(cfg: &Config, profile: Option<PairingProfile>) -> Self {
        Self {
            poll_interval: cfg.poll_interval,
            history_gap: cfg.history_gap,
            profile,
        }
    }

    /// A fresh engine set up like the recorded one.
    pub fn engine(&self) -> Engine {
        let mut e = Engine::new(Config {
            poll_interval: self.poll_interval,
            history_gap: self.history_gap,
            ..Config::default()
        });
        if let Some(p) = &self.profile {
            e.set_profile(p.clone());
        }
        e
    }
}

/// A bounded, ordered log of engine inputs with the instant each was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputLog {
    setup: Setup,
    entries: Vec<(Instant, Input)>,
    bytes: usize,
    full: bool,
}

/// What an input made the engine say, in order.
#[derive(Debug)]
pub enum Output<'a> {
    /// Bytes the port delivered (before the engine handled them).
    Received(&'a [u8]),
    /// Bytes the engine wrote to the port.
    Transmit(&'a [u8]),
    /// An event.
    Event(&'a Event),
}

/// A log that cannot be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError;

impl core::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("malformed input log")
    }
}

const VERSION: u8 = 1;

impl InputLog {
    /// Most payload bytes kept.
    pub const MAX_BYTES: usize = 16 << 20;
    /// Most entries kept.
    pub const MAX_ENTRIES: usize = 300_000;

    /// An empty log for an engine set up as `setup`.
    pub fn new(setup: Setup) -> Self {
        Self {
            setup,
            entries: Vec::new(),
            bytes: 0,
            full: false,
        }
    }

    /// Record `input` given at `at`. Returns false (and records nothing) once the log is full.
    pub fn push(&mut self, at: Instant, input: Input) -> bool {
        let size = match &input {
            Input::Bytes(b) => b.len(),
            _ => 0,
        } + 16;
        if self.full
            || self.entries.len() >= Self::MAX_ENTRIES
            || self.bytes + size > Self::MAX_BYTES
        {
            self.full = true;
            return false;
        }
        self.bytes += size;
        self.entries.push((at, input));
        true
    }

    /// True once inputs were left out because the log was full.
    pub fn is_full(&self) -> bool {
        self.full
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> &[(Instant, Input)] {
        &self.entries
    }

    /// How the engine was set up.
    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// The compact byte form.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.bytes + 64);
        out.push(VERSION);
        out.push(u8::from(self.full));
        put_u64(&mut out, millis(self.setup.poll_interval));
        put_u64(&mut out, millis(self.setup.history_gap));
        match &self.setup.profile {
            None => out.push(0),
            Some(p) => {
                out.push(1);
                out.push(p.channel);
                out.extend_from_slice(&p.pan_id.to_be_bytes());
                out.extend_from_slice(&p.mac.0);
                out.push(match p.dialect {
                    Dialect::SingleHop => 0,
                    Dialect::DualStack => 1,
                    Dialect::J11 => 2,
                });
            }
        }
        for (at, input) in &self.entries {
            put_u64(&mut out, at.as_millis());
            match input {
                Input::Start => out.push(0),
                Input::Bytes(b) => {
                    out.push(1);
                    put_u64(&mut out, b.len() as u64);
                    out.extend_from_slice(b);
                }
                Input::Timeout => out.push(2),
                Input::Credentials => out.push(3),
                Input::ConfirmWopt => out.push(4),
                Input::PollInterval(d) => {
                    out.push(5);
                    put_u64(&mut out, millis(*d));
                }
                Input::History(req) => {
                    out.push(6);
                    let (kind, stamp, a, b) = match *req {
                        HistoryRequest::Days { from, to } => (0, None, from, to),
                        HistoryRequest::HalfHours { stamp, count } => (1, Some(stamp), count, 0),
                        HistoryRequest::Minutes { stamp, count } => (2, Some(stamp), count, 0),
                    };
                    out.extend_from_slice(&[kind, a, b]);
                    let s = stamp.unwrap_or(DateTime {
                        year: 0,
                        month: 0,
                        day: 0,
                        hour: 0,
                        minute: 0,
                        second: 0,
                    });
                    out.extend_from_slice(&s.year.to_be_bytes());
                    out.extend_from_slice(&[s.month, s.day, s.hour, s.minute, s.second]);
                }
                Input::SerialLost => out.push(7),
                Input::RefusalsAllowed(n) => out.extend_from_slice(&[8, *n]),
            }
        }
        out
    }

    /// Parse the byte form of [`InputLog::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader(bytes);
        if r.u8()? != VERSION {
            return Err(DecodeError);
        }
        let full = r.u8()? != 0;
        let poll_interval = Duration::from_millis(r.u64()?);
        let history_gap = Duration::from_millis(r.u64()?);
        let profile = match r.u8()? {
            0 => None,
            1 => {
                let channel = r.u8()?;
                let pan_id = u16::from_be_bytes(r.array()?);
                let mac = Mac(r.array()?);
                let dialect = match r.u8()? {
                    0 => Dialect::SingleHop,
                    1 => Dialect::DualStack,
                    2 => Dialect::J11,
                    _ => return Err(DecodeError),
                };
                Some(PairingProfile {
                    channel,
                    pan_id,
                    mac,
                    dialect,
                })
            }
            _ => return Err(DecodeError),
        };
        let mut log = Self::new(Setup {
            poll_interval,
            history_gap,
            profile,
        });
        while !r.0.is_empty() {
            let at = Instant(r.u64()?);
            let input = match r.u8()? {
                0 => Input::Start,
                1 => {
                    let n = usize::try_from(r.u64()?).map_err(|_| DecodeError)?;
                    Input::Bytes(r.take(n)?.to_vec())
                }
                2 => Input::Timeout,
                3 => Input::Credentials,
                4 => Input::ConfirmWopt,
                5 => Input::PollInterval(Duration::from_millis(r.u64()?)),
                6 => {
                    let [kind, a, b] = r.array()?;
                    let year = u16::from_be_bytes(r.array()?);
                    let [month, day, hour, minute, second] = r.array()?;
                    let stamp =
                        || DateTime::new(year, month, day, hour, minute, second).ok_or(DecodeError);
                    Input::History(match kind {
                        0 => HistoryRequest::Days { from: a, to: b },
                        1 => HistoryRequest::HalfHours {
                            stamp: stamp()?,
                            count: a,
                        },
                        2 => HistoryRequest::Minutes {
                            stamp: stamp()?,
                            count: a,
                        },
                        _ => return Err(DecodeError),
                    })
                }
                7 => Input::SerialLost,
                8 => Input::RefusalsAllowed(r.u8()?),
                _ => return Err(DecodeError),
            };
            if !log.push(at, input) {
                return Err(DecodeError);
            }
        }
        log.full = full;
        Ok(log)
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// LEB128.
fn put_u64(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7F) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.0.len() {
            return Err(DecodeError);
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, DecodeError> {
        let [b] = self.array()?;
        Ok(b)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        self.take(N)?.try_into().map_err(|_| DecodeError)
    }
    fn u64(&mut self) -> Result<u64, DecodeError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(DecodeError)
    }
}

/// Replay `log` into a fresh engine set up as recorded, giving `credentials` where they were
/// given, and pass everything the engine said to `out` with the instant of the input that
/// caused it. Returns the engine (for its figures).
pub fn replay(
    log: &InputLog,
    credentials: Option<(&RouteBId, &RouteBPassword)>,
    mut out: impl FnMut(Instant, Output<'_>),
) -> Engine {
    let mut e = log.setup.engine();
    for (at, input) in &log.entries {
        let at = *at;
        match input {
            Input::Start => e.start(at),
            Input::Bytes(b) => {
                out(at, Output::Received(b));
                e.handle_bytes(b, at);
            }
            Input::Timeout => e.handle_timeout(at),
            Input::Credentials => {
                if let Some((id, pw)) = credentials {
                    e.set_credentials(id.clone(), pw.clone(), at);
                }
            }
            Input::ConfirmWopt => e.confirm_wopt(at),
            Input::PollInterval(d) => e.set_poll_interval(*d),
            Input::History(req) => e.request_history(*req, at),
            Input::SerialLost => e.serial_lost(at),
            Input::RefusalsAllowed(n) => e.set_refusals_allowed(*n),
        }
        while let Some(tx) = e.poll_transmit() {
            out(at, Output::Transmit(&tx));
        }
        while let Some(ev) = e.poll_event() {
            out(at, Output::Event(&ev));
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_round_trip() {
        let mut log = InputLog::new(Setup {
            poll_interval: Duration::from_secs(30),
            history_gap: Duration::from_millis(40),
            profile: Some(PairingProfile {
                channel: 0x21,
                pan_id: 0x8888,
                mac: Mac([1, 2, 3, 4, 5, 6, 7, 8]),
                dialect: Dialect::J11,
            }),
        });
        let stamp = DateTime::new(2026, 11, 26, 9, 30, 0).unwrap();
        for (i, input) in [
            Input::Start,
            Input::Bytes(b"EVER 1.2.10\r\nOK\r\n".to_vec()),
            Input::Timeout,
            Input::Credentials,
            Input::ConfirmWopt,
            Input::PollInterval(Duration::from_secs(60)),
            Input::History(HistoryRequest::Days { from: 0, to: 99 }),
            Input::History(HistoryRequest::HalfHours { stamp, count: 12 }),
            Input::History(HistoryRequest::Minutes { stamp, count: 10 }),
            Input::SerialLost,
            Input::RefusalsAllowed(1),
        ]
        .into_iter()
        .enumerate()
        {
            assert!(log.push(Instant(1000 * i as u64 + 300_000_000), input));
        }
        let bytes = log.encode();
        assert_eq!(InputLog::decode(&bytes), Ok(log));
    }

    #[test]
    fn decoding_junk_never_panics_and_truncations_fail() {
        let mut log = InputLog::new(Setup::new(&Config::default(), None));
        log.push(Instant(5), Input::Bytes(vec![0xAB; 300]));
        let bytes = log.encode();
        for n in 0..bytes.len() {
            // Every strict prefix that ends inside an entry is refused; none panics.
            let _ = InputLog::decode(&bytes[..n]);
        }
        assert!(InputLog::decode(&bytes[..bytes.len() - 1]).is_err());
        assert!(InputLog::decode(&[9, 9, 9]).is_err());
        assert!(InputLog::decode(&[VERSION, 0, 0xFF, 0xFF, 0xFF]).is_err());
    }

    #[test]
    fn full_log_stops_growing_and_says_so() {
        let mut log = InputLog::new(Setup::new(&Config::default(), None));
        let chunk = vec![0u8; 1 << 20];
        let mut n = 0;
        while log.push(Instant(n), Input::Bytes(chunk.clone())) {
            n += 1;
        }
        assert!(log.is_full());
        assert!(n > 0 && n < 17);
        assert!(!log.push(Instant(n + 1), Input::Timeout));
        assert!(InputLog::decode(&log.encode()).unwrap().is_full());
    }

    /// A live run against the simulator, recorded as the browser shell records it, replays to
    /// exactly the same transmits and events.
    #[test]
    fn replay_reproduces_a_live_run() {
        let cfg = Config::default();
        let mut engine = Engine::new(cfg.clone());
        let mut log = InputLog::new(Setup::new(&cfg, None));
        let mut sim = sim::Sim::new(sim::Scenario::preset("demo").unwrap());
        let id = RouteBId::new(sim::DEMO_ROUTE_B_ID).unwrap();
        let pw = RouteBPassword::new(sim::DEMO_PASSWORD).unwrap();
        let mut live = Vec::new();
        let mut now = Instant(0);
        let drain = |e: &mut Engine, sim: &mut sim::Sim, now: Instant, live: &mut Vec<String>| {
            while let Some(tx) = e.poll_transmit() {
                sim.write(now.as_millis(), &tx);
                live.push(format!("{} > {:?}", now.as_millis(), tx));
            }
            while let Some(ev) = e.poll_event() {
                live.push(format!("{} {:?}", now.as_millis(), ev));
            }
        };
        engine.start(now);
        log.push(now, Input::Start);
        drain(&mut engine, &mut sim, now, &mut live);
        engine.set_credentials(id.clone(), pw.clone(), now);
        log.push(now, Input::Credentials);
        drain(&mut engine, &mut sim, now, &mut live);
        while now.as_millis() < 90_000 {
            let next = [
                engine.poll_timeout().map(|t| t.as_millis()),
                sim.next_deadline(),
            ]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(now.as_millis() + 1000)
            .max(now.as_millis());
            now = Instant(next);
            let rx = sim.read(now.as_millis());
            if !rx.is_empty() {
                log.push(now, Input::Bytes(rx.clone()));
                live.push(format!("{} < {:?}", now.as_millis(), rx));
                engine.handle_bytes(&rx, now);
                drain(&mut engine, &mut sim, now, &mut live);
            }
            if engine.poll_timeout().is_some_and(|t| t <= now) {
                log.push(now, Input::Timeout);
                engine.handle_timeout(now);
                drain(&mut engine, &mut sim, now, &mut live);
            }
        }
        assert!(
            engine.figures().readings > 0,
            "the live run reached readings"
        );
        let decoded = InputLog::decode(&log.encode()).unwrap();
        let mut again = Vec::new();
        let replayed = replay(&decoded, Some((&id, &pw)), |at, o| match o {
            Output::Received(b) => again.push(format!("{} < {:?}", at.as_millis(), b)),
            Output::Transmit(b) => again.push(format!("{} > {:?}", at.as_millis(), b)),
            Output::Event(ev) => again.push(format!("{} {:?}", at.as_millis(), ev)),
        });
        assert_eq!(again, live);
        assert_eq!(replayed.figures(), engine.figures());
    }
}
