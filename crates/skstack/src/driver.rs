//! The sans-IO driver (quinn-proto shape).
//!
//! Inputs: [`Driver::handle_bytes`] with what the serial port delivered, and
//! [`Driver::handle_timeout`] when the deadline from [`Driver::poll_timeout`] has passed. Both
//! take `now` — the driver never reads a clock. Commands are submitted with
//! [`Driver::submit`] (or the dialect-aware helpers [`Driver::scan`], [`Driver::send_udp`],
//! [`Driver::start_detection`]); they are validated and encoded at once, then queued.
//!
//! Outputs, all pull-based: [`Driver::poll_transmit`] (bytes to write), [`Driver::poll_event`]
//! (typed [`DriverEvent`]s) and [`Driver::poll_timeout`] (next deadline). Poll all three after
//! every call that takes input (`handle_bytes`, `handle_timeout`, `submit`, `scan`,
//! `send_udp`, `start_detection`, `confirm_wopt`).
//!
//! One command is in flight at a time. Its `OK`/`FAIL ERxx`/value lines are matched to it, its
//! echo is skipped, and asynchronous output (`EVENT`, `EPANDESC`, `ERXUDP`, `EPONG`, …) is
//! passed on as it comes, in any interleaving (an `ERXUDP` before the echo of `SKSENDTO`,
//! `EVENT 21` before its `OK`, §A.1). Completion events (`EVENT 22`, `25`/`24`, `27`/`28`,
//! `EPONG`) finish the commands that wait for them.
//!
//! `WOPT` (a flash write with limited endurance) is never sent on the driver's own initiative:
//! detection only emits [`DriverEvent::WoptProposed`]; [`Driver::confirm_wopt`] sends it.

use std::collections::VecDeque;
use std::net::Ipv6Addr;

use crate::command::{Command, CommandKind, ReplyShape, Scan, ScanMode, Security, SendTo};
use crate::detect::{Detector, Dialect, DialectEvidence, ErxudpMode, Probe, ProbeOutcome};
use crate::error::Error;
use crate::frame::{Event, FailCode, Frame, PanDesc, ParseContext};
use crate::framer::Framer;
use crate::time::Instant;

/// Identifies a submitted command in [`DriverEvent::Completed`].
pub type CommandId = u64;

/// Quiet time after which an open `EPANDESC` block is closed.
const BLOCK_QUIET_MS: u64 = 300;
/// How long to wait for a J11 answer to the probe.
const J11_PROBE_MS: u64 = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    User,
    Probe,
}

#[derive(Debug)]
struct Pending {
    id: CommandId,
    cmd: Command,
    bytes: Vec<u8>,
    purpose: Purpose,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    AwaitReply,
    AwaitCompletion,
}

#[derive(Debug)]
struct InFlight {
    id: CommandId,
    cmd: Command,
    purpose: Purpose,
    deadline: Instant,
    phase: Phase,
    value: Option<Frame>,
    pans: Vec<PanDesc>,
    udp_result: Option<u8>,
    /// A scan sent with a side argument while the dialect was unknown: ER05 means single-hop.
    arity_probe: bool,
}

/// The sans-IO SKSTACK driver. Its `Debug` shows what it is doing, never bytes: queued and
/// in-flight commands may carry the credentials (`SKSETPWD`, `SKSETRBID`), and the framer may
/// hold their echo.
pub struct Driver {
    framer: Framer,
    evidence: DialectEvidence,
    queue: VecDeque<Pending>,
    in_flight: Option<InFlight>,
    transmits: VecDeque<Vec<u8>>,
    events: VecDeque<DriverEvent>,
    next_id: CommandId,
    detector: Option<Detector>,
    j11_deadline: Option<Instant>,
    j11_reported: bool,
    wopt_proposal: Option<u8>,
    last_rx: Instant,
}

impl core::fmt::Debug for Driver {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let queued: Vec<CommandKind> = self.queue.iter().map(|p| p.cmd.kind()).collect();
        f.debug_struct("Driver")
            .field("dialect", &self.evidence.dialect())
            .field("in_flight", &self.in_flight.as_ref().map(|i| i.cmd.kind()))
            .field("queued", &queued)
            .field("transmits", &self.transmits.len())
            .field("events", &self.events.len())
            .field("detecting", &self.detector.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for Driver {
    fn default() -> Self {
        Self::new()
    }
}

impl Driver {
    /// A driver that knows nothing about the dongle yet.
    pub fn new() -> Self {
        Self {
            framer: Framer::new(),
            evidence: DialectEvidence::default(),
            queue: VecDeque::new(),
            in_flight: None,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            next_id: 1,
            detector: None,
            j11_deadline: None,
            j11_reported: false,
            wopt_proposal: None,
            last_rx: Instant(0),
        }
    }

    /// Everything learnt about the dongle.
    pub fn evidence(&self) -> &DialectEvidence {
        &self.evidence
    }

    /// The dialect, if known.
    pub fn dialect(&self) -> Option<Dialect> {
        self.evidence.dialect()
    }

    /// Preset the dialect (e.g. remembered from an earlier session).
    pub fn set_dialect(&mut self, d: Dialect) {
        self.evidence.from_info = Some(d);
        self.sync_framer();
    }

    /// Preset the ERXUDP data mode.
    pub fn set_erxudp_mode(&mut self, m: ErxudpMode) {
        self.evidence.ropt_mode = Some(m);
        self.sync_framer();
    }

    /// True when no command is in flight or queued.
    pub fn is_idle(&self) -> bool {
        self.in_flight.is_none() && self.queue.is_empty() && self.j11_deadline.is_none()
    }

    fn sync_framer(&mut self) {
        self.framer.set_context(ParseContext {
            dialect: self.evidence.dialect(),
        });
        self.framer.set_erxudp_mode(self.evidence.erxudp_mode());
    }

    /// Validate, encode and queue a command. Returns its id; the result comes as
    /// [`DriverEvent::Completed`]. Bad arguments are refused here, before anything is written.
    pub fn submit(&mut self, cmd: Command, now: Instant) -> Result<CommandId, Error> {
        self.enqueue(cmd, Purpose::User, now)
    }

    fn enqueue(
        &mut self,
        cmd: Command,
        purpose: Purpose,
        now: Instant,
    ) -> Result<CommandId, Error> {
        if self.evidence.j11 {
            return Err(Error::J11Detected);
        }
        let bytes = cmd.encode()?;
        let id = self.next_id;
        self.next_id += 1;
        self.queue.push_back(Pending {
            id,
            cmd,
            bytes,
            purpose,
        });
        self.start_next(now);
        Ok(id)
    }

    /// Scan for PANs with the argument count the dialect wants. While the dialect is unknown
    /// the 4-argument (dual-stack) form is tried first; `FAIL ER05` makes the driver record
    /// "single-hop" and resend the 3-argument form under the same id.
    pub fn scan(
        &mut self,
        mode: ScanMode,
        channel_mask: u32,
        duration: u8,
        now: Instant,
    ) -> Result<CommandId, Error> {
        let side = match self.dialect() {
            Some(Dialect::SingleHop) => None,
            _ => Some(0),
        };
        self.submit(
            Command::Scan(Scan {
                mode,
                channel_mask,
                duration,
                side,
            }),
            now,
        )
    }

    /// Send an ECHONET Lite payload to port 3610 from handle 1 with the dialect's argument
    /// layout. Needs the dialect.
    pub fn send_udp(
        &mut self,
        addr: Ipv6Addr,
        payload: Vec<u8>,
        security: Security,
        now: Instant,
    ) -> Result<CommandId, Error> {
        let side = match self.dialect() {
            Some(Dialect::SingleHop) => None,
            Some(Dialect::DualStack) => Some(0),
            None => return Err(Error::DialectUnknown),
        };
        self.submit(
            Command::SendTo(SendTo {
                handle: 1,
                addr,
                port: 0x0E1A,
                security,
                side,
                payload,
            }),
            now,
        )
    }

    /// Start dialect detection (SKVER, SKAPPVER, SKINFO, ROPT; a J11 probe if SKVER gets no
    /// answer). Ends with [`DriverEvent::Detected`].
    pub fn start_detection(&mut self, now: Instant) {
        let mut d = Detector::new();
        d.evidence = self.evidence.clone();
        self.detector = Some(d);
        self.advance_detection(now);
    }

    /// Send the proposed `WOPT` (see [`DriverEvent::WoptProposed`]).
    pub fn confirm_wopt(&mut self, now: Instant) -> Result<CommandId, Error> {
        self.wopt_proposal.take().ok_or(Error::NoWoptProposal)?;
        let id = self.submit(Command::Wopt(0x01), now)?;
        Ok(id)
    }

    /// Bytes received from the dongle.
    pub fn handle_bytes(&mut self, bytes: &[u8], now: Instant) {
        if !bytes.is_empty() {
            self.last_rx = now;
        }
        self.framer.push(bytes);
        self.drain_frames(now);
    }

    /// Call when the deadline from [`Driver::poll_timeout`] has passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.framer.has_open_block()
            && now.as_millis() >= self.last_rx.as_millis() + BLOCK_QUIET_MS
        {
            self.framer.close_block();
            self.drain_frames(now);
        }
        if let Some(f) = &self.in_flight {
            if now >= f.deadline {
                let waiting_for = waiting_for(&f.cmd, f.phase);
                let command = f.cmd.kind();
                self.complete(
                    Err(Error::Timeout {
                        command,
                        waiting_for,
                    }),
                    now,
                );
            }
        }
        if let Some(d) = self.j11_deadline {
            if now >= d {
                self.j11_deadline = None;
                if let Some(det) = &mut self.detector {
                    det.evidence = self.evidence.clone();
                    det.on_outcome(&ProbeOutcome::TimedOut);
                }
                self.advance_detection(now);
            }
        }
    }

    /// Next bytes to write to the port.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmits.pop_front()
    }

    /// Next event for the caller.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<DriverEvent> {
        self.events.pop_front()
    }

    /// When to call [`Driver::handle_timeout`] next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let block = self
            .framer
            .has_open_block()
            .then(|| Instant(self.last_rx.as_millis() + BLOCK_QUIET_MS));
        [
            self.in_flight.as_ref().map(|f| f.deadline),
            self.j11_deadline,
            block,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn start_next(&mut self, now: Instant) {
        if self.in_flight.is_some() || self.j11_deadline.is_some() {
            return;
        }
        let Some(p) = self.queue.pop_front() else {
            return;
        };
        let arity_probe = matches!(&p.cmd, Command::Scan(s) if s.side.is_some())
            && self.evidence.from_scan_arity.is_none()
            && self.evidence.dialect().is_none();
        self.transmits.push_back(p.bytes);
        self.in_flight = Some(InFlight {
            id: p.id,
            deadline: now.saturating_add(p.cmd.timeout()),
            cmd: p.cmd,
            purpose: p.purpose,
            phase: Phase::AwaitReply,
            value: None,
            pans: Vec::new(),
            udp_result: None,
            arity_probe,
        });
    }

    fn drain_frames(&mut self, now: Instant) {
        while let Some(f) = self.framer.next_frame() {
            self.on_frame(f, now);
        }
    }

    fn on_frame(&mut self, f: Frame, now: Instant) {
        let before = (self.evidence.dialect(), self.evidence.erxudp_mode());
        self.evidence.observe(&f);
        if (self.evidence.dialect(), self.evidence.erxudp_mode()) != before {
            self.sync_framer();
        }
        match f {
            Frame::Echo(_) => {}
            Frame::Ok(v) => self.on_ok(v, now),
            Frame::Fail(code) => self.on_fail(code, now),
            f @ (Frame::Ever(_) | Frame::AppVer(_) | Frame::Info(_) | Frame::Sreg(_)) => {
                match &mut self.in_flight {
                    Some(fl)
                        if fl.cmd.reply_shape() == ReplyShape::ValueThenOk
                            && fl.phase == Phase::AwaitReply =>
                    {
                        fl.value = Some(f)
                    }
                    _ => self.events.push_back(DriverEvent::Unexpected(f)),
                }
            }
            Frame::Address(a) => match &self.in_flight {
                Some(fl) if matches!(fl.cmd, Command::Ll64(_)) => {
                    self.complete(Ok(Response::Address(a)), now)
                }
                _ => self
                    .events
                    .push_back(DriverEvent::Unexpected(Frame::Address(a))),
            },
            Frame::Event(e) => {
                self.events.push_back(DriverEvent::Event(e.clone()));
                self.on_event(&e, now);
            }
            Frame::PanDesc(p) => {
                if let Some(fl) = &mut self.in_flight {
                    if matches!(fl.cmd, Command::Scan(_)) {
                        fl.pans.push(p.clone());
                    }
                }
                self.events.push_back(DriverEvent::PanDesc(p));
            }
            Frame::EdScan(e) => {
                self.events.push_back(DriverEvent::EdScan(e.clone()));
                if matches!(&self.in_flight, Some(fl) if matches!(&fl.cmd, Command::Scan(s) if s.mode == ScanMode::EnergyDetect))
                {
                    self.complete(Ok(Response::EdScan(e)), now);
                }
            }
            Frame::RxUdp(r) => self.events.push_back(DriverEvent::RxUdp(r)),
            Frame::Pong(a) => {
                self.events.push_back(DriverEvent::Pong(a));
                if matches!(&self.in_flight, Some(fl) if matches!(fl.cmd, Command::Ping { .. }) && fl.phase == Phase::AwaitCompletion)
                {
                    self.complete(Ok(Response::Pong(a)), now);
                }
            }
            Frame::J11(_) => {
                if !self.j11_reported {
                    self.j11_reported = true;
                    self.events.push_back(DriverEvent::J11Detected);
                }
                if self.in_flight.is_some() {
                    self.complete(Err(Error::J11Detected), now);
                }
                if self.j11_deadline.take().is_some() {
                    if let Some(det) = &mut self.detector {
                        det.evidence = self.evidence.clone();
                        det.on_outcome(&ProbeOutcome::Done);
                    }
                    self.advance_detection(now);
                }
                // Nothing queued can succeed on a J11 module.
                while let Some(p) = self.queue.pop_front() {
                    self.events.push_back(DriverEvent::Completed {
                        id: p.id,
                        command: p.cmd.kind(),
                        result: Err(Error::J11Detected),
                    });
                }
            }
            Frame::Skipped(d) => self.events.push_back(DriverEvent::Diagnostic(d)),
            other => self.events.push_back(DriverEvent::Unexpected(other)),
        }
    }

    fn on_ok(&mut self, v: Option<u8>, now: Instant) {
        let Some(fl) = &mut self.in_flight else {
            self.events.push_back(DriverEvent::Unexpected(Frame::Ok(v)));
            return;
        };
        if fl.phase != Phase::AwaitReply {
            self.events.push_back(DriverEvent::Unexpected(Frame::Ok(v)));
            return;
        }
        let kind = fl.cmd.kind();
        match fl.cmd.reply_shape() {
            ReplyShape::Ok => {
                let r = match fl.cmd {
                    Command::SendTo(_) => Response::Sent {
                        udp_result: fl.udp_result,
                    },
                    _ => Response::Ok,
                };
                self.complete(Ok(r), now);
            }
            ReplyShape::ValueThenOk => {
                let r = match fl.value.take() {
                    Some(Frame::Ever(s)) => Ok(Response::Version(s)),
                    Some(Frame::AppVer(s)) => Ok(Response::AppVersion(s)),
                    Some(Frame::Info(i)) => Ok(Response::Info(i)),
                    Some(Frame::Sreg(s)) => Ok(Response::Register(s)),
                    _ => Err(Error::UnexpectedReply { command: kind }),
                };
                self.complete(r, now);
            }
            ReplyShape::OkValue => {
                let r = v
                    .map(Response::Mode)
                    .ok_or(Error::UnexpectedReply { command: kind });
                self.complete(r, now);
            }
            ReplyShape::Address => self.events.push_back(DriverEvent::Unexpected(Frame::Ok(v))),
            ReplyShape::OkThenCompletion => {
                if fl.arity_probe {
                    fl.arity_probe = false;
                    self.evidence.from_scan_arity = Some(Dialect::DualStack);
                    self.sync_framer();
                }
                if let Some(fl) = &mut self.in_flight {
                    fl.phase = Phase::AwaitCompletion;
                }
            }
        }
    }

    fn on_fail(&mut self, code: FailCode, now: Instant) {
        let Some(fl) = &mut self.in_flight else {
            self.events
                .push_back(DriverEvent::Unexpected(Frame::Fail(code)));
            return;
        };
        if fl.arity_probe && code == FailCode::WrongArgCount {
            // Single-hop firmware: resend without the side argument, same id.
            fl.arity_probe = false;
            if let Command::Scan(s) = &mut fl.cmd {
                s.side = None;
            }
            if let Ok(bytes) = fl.cmd.encode() {
                self.transmits.push_back(bytes);
                fl.deadline = now.saturating_add(fl.cmd.timeout());
                self.evidence.from_scan_arity = Some(Dialect::SingleHop);
                self.sync_framer();
                return;
            }
        }
        let command = fl.cmd.kind();
        self.complete(Err(Error::CommandFailed { command, code }), now);
    }

    fn on_event(&mut self, e: &Event, now: Instant) {
        let Some(fl) = &mut self.in_flight else {
            return;
        };
        let r = match (&fl.cmd, e.num) {
            (Command::SendTo(_), 0x21) => {
                fl.udp_result = e.param;
                return;
            }
            (Command::Scan(s), 0x22) if s.mode != ScanMode::EnergyDetect => {
                Ok(Response::Scan(std::mem::take(&mut fl.pans)))
            }
            (Command::Join(_) | Command::Rejoin, 0x25) => Ok(Response::Joined),
            (Command::Join(_) | Command::Rejoin, 0x24) => Err(Error::JoinFailed),
            (Command::Term, 0x27) => Ok(Response::Terminated { acknowledged: true }),
            (Command::Term, 0x28) => Ok(Response::Terminated {
                acknowledged: false,
            }),
            _ => return,
        };
        self.complete(r, now);
    }

    fn complete(&mut self, result: Result<Response, Error>, now: Instant) {
        let Some(fl) = self.in_flight.take() else {
            return;
        };
        if fl.purpose == Purpose::Probe {
            let outcome = match &result {
                Ok(Response::Mode(v)) => ProbeOutcome::Value(*v),
                Err(Error::CommandFailed { code, .. }) => ProbeOutcome::Failed(*code),
                Err(Error::Timeout { .. }) => ProbeOutcome::TimedOut,
                _ => ProbeOutcome::Done,
            };
            if let Some(det) = &mut self.detector {
                det.evidence = self.evidence.clone();
                det.on_outcome(&outcome);
                if let Some(ev) = Some(det.evidence.clone()) {
                    self.evidence = ev;
                    self.sync_framer();
                }
            }
        }
        self.events.push_back(DriverEvent::Completed {
            id: fl.id,
            command: fl.cmd.kind(),
            result,
        });
        if fl.purpose == Purpose::Probe {
            self.advance_detection(now);
        }
        self.start_next(now);
    }

    fn advance_detection(&mut self, now: Instant) {
        let Some(det) = &self.detector else { return };
        match det.next_probe() {
            Some(Probe::Command(c)) => {
                let _ = self.enqueue(c, Purpose::Probe, now);
            }
            Some(Probe::J11Request(bytes)) => {
                self.transmits.push_back(bytes);
                self.j11_deadline =
                    Some(now.saturating_add(core::time::Duration::from_millis(J11_PROBE_MS)));
            }
            None => {
                let det = self.detector.take().expect("checked above");
                self.evidence = det.evidence.clone();
                self.sync_framer();
                self.events
                    .push_back(DriverEvent::Detected(self.evidence.detection()));
                if let Some(current) = det.wopt_suggestion() {
                    self.wopt_proposal = Some(current);
                    self.events.push_back(DriverEvent::WoptProposed {
                        current,
                        proposed: 0x01,
                    });
                }
                self.start_next(now);
            }
        }
    }
}

fn waiting_for(cmd: &Command, phase: Phase) -> &'static str {
    match (cmd, phase) {
        (Command::Ver, Phase::AwaitReply) => "EVER",
        (Command::AppVer, Phase::AwaitReply) => "EAPPVER",
        (Command::Info, Phase::AwaitReply) => "EINFO",
        (Command::SregRead { .. }, Phase::AwaitReply) => "ESREG",
        (Command::Ll64(_), _) => "address",
        (Command::Ropt | Command::Ruart, _) => "OK <mode>",
        (Command::Scan(s), Phase::AwaitCompletion) if s.mode == ScanMode::EnergyDetect => "EEDSCAN",
        (Command::Scan(_), Phase::AwaitCompletion) => "EVENT 22",
        (Command::Join(_) | Command::Rejoin, Phase::AwaitCompletion) => "EVENT 25",
        (Command::Term, Phase::AwaitCompletion) => "EVENT 27",
        (Command::Ping { .. }, Phase::AwaitCompletion) => "EPONG",
        _ => "OK",
    }
}

mod event;

pub use event::{DriverEvent, Response};

#[cfg(test)]
mod tests;
