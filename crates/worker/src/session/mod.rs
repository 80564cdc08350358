//! The live session, run in the worker so that the engine, both dongle drivers and the
//! redactor stay off the page's first load. The page keeps the serial port (a real dongle's or
//! the demo's) and only moves bytes: it sends [`ToSession`] messages and applies the
//! [`FromSession`] batches this host answers with (both in [`codec`]'s binary form, as bare
//! `Uint8Array`s).
//!
//! The host is sans-IO like the engine it wraps: time (worker ms) is an input, and after every
//! input it hands back what to write to the port, the trace lines (credentials hidden), the
//! engine's events, its figures and when to call [`SessionHost::timeout`] next. Every input is
//! also recorded in a `broute::replay::InputLog`, which the support bundle is built from.

use std::fmt;

use broute::replay::{Input, InputLog, Setup};
use broute::{
    Config, Direction, Engine, Event, Figures, HistoryRequest, Ignored, Instant, MeterIdentity,
    PairingProfile, Phase, RouteBId, RouteBPassword,
};
use export::HistoryDay;

use crate::trace_split::{frame_text, written, Piece, TraceSplitter};

pub mod codec;

/// Longest wait between two timer calls while a scan, a join or a reconnect runs (the page's
/// progress bars follow [`FromSession::clock_ms`]).
pub const BUSY_TICK_MS: u64 = 250;

/// Longest timer wait.
const MAX_WAIT_MS: u64 = 600_000;

/// A message from the page to the session.
#[derive(Clone, PartialEq)]
pub enum ToSession {
    /// The port is open: start the engine with these settings.
    Start {
        /// Polling interval from the settings, seconds.
        poll_interval_secs: Option<u64>,
        /// A demo meter `speed` times faster than real time may be paced that much faster.
        speed: u32,
        /// The remembered pairing profile.
        profile: Option<PairingProfile>,
    },
    /// Bytes read from the port.
    Bytes(Vec<u8>),
    /// The port is gone (unplugged).
    SerialLost,
    /// The credentials as typed (validated again here), with the refusals the tab's lock-out
    /// guard still allows for them.
    Credentials {
        /// The B-route ID.
        id: RouteBId,
        /// The password.
        password: RouteBPassword,
        /// Refusals allowed.
        refusals_allowed: u8,
    },
    /// The user accepted `WOPT 01`.
    ConfirmWopt,
    /// New polling interval, seconds.
    PollInterval(u64),
    /// Start a history job.
    History(HistoryRequest),
    /// Send the session's input log (for the support bundle).
    InputLog,
    /// The port was closed: no more timers.
    Close,
}

impl fmt::Debug for ToSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Start { .. } => f.write_str("Start"),
            Self::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Self::SerialLost => f.write_str("SerialLost"),
            // The credential types print no secret either.
            Self::Credentials { id, password, .. } => {
                write!(f, "Credentials({id:?}, {password:?})")
            }
            Self::ConfirmWopt => f.write_str("ConfirmWopt"),
            Self::PollInterval(s) => write!(f, "PollInterval({s})"),
            Self::History(r) => write!(f, "History({r:?})"),
            Self::InputLog => f.write_str("InputLog"),
            Self::Close => f.write_str("Close"),
        }
    }
}

/// One line of the trace console, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceOut {
    /// Session clock, ms.
    pub at_ms: u64,
    /// `>` sent, `<` received, `⇢`/`⇠` ECHONET frame out/in.
    pub dir: char,
    /// Text, credentials hidden (a frame's hex).
    pub text: String,
    /// For an ECHONET frame: the meter's D3 coefficient and E1 unit code when known (the
    /// console shows kWh next to raw counts); `None` for a serial line.
    pub frame: Option<Option<(Option<u32>, u8)>>,
    /// For an incoming ECHONET frame the engine dropped: why.
    pub ignored: Option<Ignored>,
}

/// What the page applies, in the engine's order.
#[allow(clippy::large_enum_variant)] // few per batch, moved once
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// An engine event (never `History` or `Frame`: those arrive as [`Update::History`] and
    /// as trace lines).
    Event(Event),
    /// A history answer, as the days the store keeps, and the newest half hour it shows
    /// (today's read: the meter's clock), epoch ms.
    History {
        /// The days.
        days: Vec<HistoryDay>,
        /// Newest half hour, epoch ms.
        latest_ms: Option<i64>,
    },
}

/// What one input produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FromSession {
    /// Session clock, ms.
    pub clock_ms: u64,
    /// Bytes to write to the port, one write each.
    pub tx: Vec<Vec<u8>>,
    /// New trace lines.
    pub trace: Vec<TraceOut>,
    /// Events and history, in order.
    pub updates: Vec<Update>,
    /// The engine's figures now.
    pub figures: Option<Figures>,
    /// The input log ([`ToSession::InputLog`]).
    pub input_log: Option<Vec<u8>>,
}

impl FromSession {
    /// The batch as bytes.
    pub fn encode(&self) -> Vec<u8> {
        codec::encode(self)
    }

    /// A batch from bytes (`None` for anything else).
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        codec::decode(bytes)
    }
}

impl ToSession {
    /// The message as bytes.
    pub fn encode(&self) -> Vec<u8> {
        codec::encode(self)
    }

    /// A message from bytes (`None` for anything else, credentials that fail validation
    /// included).
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        codec::decode(bytes)
    }
}

/// Make serial bytes safe to show: credentials hidden (keyword rules), control bytes escaped.
pub fn display_text(bytes: &[u8]) -> String {
    let bytes = redact::redact_bytes(bytes);
    let mut s = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                s.push_str(&format!("\\x{:02X}", c as u32));
            } else {
                s.push(c);
            }
        }
        for b in chunk.invalid() {
            s.push_str(&format!("\\x{b:02X}"));
        }
    }
    s
}

fn piece_text(p: &Piece) -> String {
    match p {
        Piece::Text(b) => display_text(b),
        Piece::J11(f) => frame_text(f),
    }
}

/// The engine and everything around it, in the worker.
pub struct SessionHost {
    engine: Engine,
    inputs: InputLog,
    /// Worker ms of session time 0.
    t0: f64,
    rx: TraceSplitter,
    /// The session's own credentials, hidden in the trace on top of the keyword rules.
    secrets: redact::Redactor,
    meter: Option<MeterIdentity>,
    running: bool,
}

impl fmt::Debug for SessionHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionHost")
            .field("engine", &self.engine)
            .field("running", &self.running)
            .finish_non_exhaustive()
    }
}

impl SessionHost {
    /// A session whose time 0 is worker time `t0` (ms); it starts with [`ToSession::Start`].
    pub fn new(t0: f64) -> Self {
        let setup = Setup::new(&Config::default(), None);
        Self {
            engine: setup.engine(),
            inputs: InputLog::new(setup),
            t0,
            rx: TraceSplitter::new(),
            secrets: redact::Redactor::new(),
            meter: None,
            running: false,
        }
    }

    fn at(&self, now: f64) -> Instant {
        let ms = now - self.t0;
        Instant(if ms.is_finite() && ms > 0.0 {
            ms as u64
        } else {
            0
        })
    }

    fn record(&mut self, now: f64, input: Input) -> Instant {
        let at = self.at(now);
        self.inputs.push(at, input);
        at
    }

    /// Handle a message at worker time `now` (ms).
    pub fn handle(&mut self, msg: ToSession, now: f64) -> FromSession {
        let mut out = FromSession::default();
        match msg {
            ToSession::Start {
                poll_interval_secs,
                speed,
                profile,
            } => {
                let mut cfg = Config::default();
                if speed > 1 {
                    cfg.history_gap /= speed;
                }
                if let Some(secs) = poll_interval_secs {
                    cfg.poll_interval = core::time::Duration::from_secs(secs);
                }
                let setup = Setup::new(&cfg, profile);
                self.engine = setup.engine();
                self.inputs = InputLog::new(setup);
                self.t0 = now;
                self.running = true;
                let at = self.record(now, Input::Start);
                self.engine.start(at);
            }
            ToSession::Bytes(bytes) => {
                self.trace_rx(&bytes, now, &mut out);
                let at = self.record(now, Input::Bytes(bytes.clone()));
                self.engine.handle_bytes(&bytes, at);
            }
            ToSession::SerialLost => {
                let at = self.record(now, Input::SerialLost);
                self.engine.serial_lost(at);
            }
            ToSession::Credentials {
                id,
                password,
                refusals_allowed,
            } => {
                self.secrets = skstack::credential_redactor(&id, &password);
                let at = self.record(now, Input::Credentials);
                self.engine.set_credentials(id, password, at);
                self.record(now, Input::RefusalsAllowed(refusals_allowed));
                self.engine.set_refusals_allowed(refusals_allowed);
            }
            ToSession::ConfirmWopt => {
                let at = self.record(now, Input::ConfirmWopt);
                self.engine.confirm_wopt(at);
            }
            ToSession::PollInterval(secs) => {
                let d = core::time::Duration::from_secs(secs);
                self.record(now, Input::PollInterval(d));
                self.engine.set_poll_interval(d);
            }
            ToSession::History(req) => {
                let at = self.record(now, Input::History(req));
                self.engine.request_history(req, at);
            }
            ToSession::InputLog => out.input_log = Some(self.inputs.encode()),
            ToSession::Close => self.running = false,
        }
        self.pump(now, &mut out);
        out
    }

    /// The timer fired at worker time `now`.
    pub fn timeout(&mut self, now: f64) -> FromSession {
        let mut out = FromSession::default();
        let at = self.record(now, Input::Timeout);
        self.engine.handle_timeout(at);
        self.pump(now, &mut out);
        out
    }

    /// How long to wait (ms) before calling [`SessionHost::timeout`]; `None`: no timer.
    pub fn wait_ms(&self, now: f64) -> Option<u64> {
        if !self.running {
            return None;
        }
        let deadline = self.engine.poll_timeout()?;
        let wait = deadline
            .as_millis()
            .saturating_sub(self.at(now).as_millis());
        // Keep progress bars moving while a scan or join runs.
        let busy = matches!(
            self.engine.phase(),
            Phase::ExpectScan | Phase::ExpectJoin | Phase::Reconnecting
        );
        let wait = if busy { wait.min(BUSY_TICK_MS) } else { wait };
        Some(wait.min(MAX_WAIT_MS))
    }

    fn trace_rx(&mut self, bytes: &[u8], now: f64, out: &mut FromSession) {
        self.rx.feed(bytes);
        let at_ms = self.at(now).as_millis();
        while let Some(piece) = self.rx.next_piece() {
            out.trace.push(TraceOut {
                at_ms,
                dir: '<',
                text: self.secrets.redact(&piece_text(&piece)),
                frame: None,
                ignored: None,
            });
        }
    }

    /// Bytes to the port, events to the page.
    fn pump(&mut self, now: f64, out: &mut FromSession) {
        let at_ms = self.at(now).as_millis();
        while let Some(bytes) = self.engine.poll_transmit() {
            out.trace.push(TraceOut {
                at_ms,
                dir: '>',
                text: self.secrets.redact(&piece_text(&written(&bytes))),
                frame: None,
                ignored: None,
            });
            out.tx.push(bytes);
        }
        while let Some(ev) = self.engine.poll_event() {
            match ev {
                Event::Frame {
                    dir,
                    at,
                    bytes,
                    ignored,
                } => {
                    let scale = self
                        .meter
                        .as_ref()
                        .and_then(|m| m.lv.unit.map(|u| (m.lv.coefficient, u.code())));
                    out.trace.push(TraceOut {
                        at_ms: at.as_millis(),
                        dir: match dir {
                            Direction::Out => '⇢',
                            Direction::In => '⇠',
                        },
                        text: bytes.iter().map(|b| format!("{b:02X}")).collect(),
                        frame: Some(scale),
                        ignored,
                    });
                }
                Event::History(rec) => out.updates.push(Update::History {
                    days: HistoryDay::from_record(&rec),
                    latest_ms: export::history::latest_slot_ms(&rec),
                }),
                ev => {
                    if let Event::Meter(m) = &ev {
                        self.meter = Some(m.clone());
                    }
                    out.updates.push(Update::Event(ev));
                }
            }
        }
        out.figures = Some(self.engine.figures().clone());
        out.clock_ms = at_ms;
    }
}

#[cfg(test)]
mod tests;
