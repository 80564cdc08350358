//! The SKSTACK IP driver behind the device interface (over `skstack::Driver`).
//!
//! Each operation is one or more SKSTACK commands; the operation ends when its last command
//! does. Identification is the driver's probe plan (`SKVER`, `SKAPPVER`, `SKINFO`, `ROPT`, a
//! J11 probe only after silence). `EVENT` lines become session events, except those that
//! answer a command in flight (`EVENT 25/24` of `SKJOIN`, `EVENT 27/28` of `SKTERM`).

use core::time::Duration;
use std::collections::VecDeque;
use std::net::Ipv6Addr;

use skstack::command::{scan_duration, Command, ScanMode, Security};
use skstack::driver::CommandId;
use skstack::error::Error as SkError;
use skstack::frame::PanDesc;
use skstack::{Detection, Driver, DriverEvent, Instant, Response, RouteBId, RouteBPassword};

use super::{
    Channels, Datagram, DeviceEvent, Dongle, HeardPan, OpId, OpIds, Outcome, SendFailure,
    SessionEvent, Target,
};
use crate::types::{Dialect, DongleInfo};

/// Settings of the SKSTACK driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkOptions {
    /// `SKSENDTO` security flag.
    pub security: Security,
    /// End any old PANA session while preparing (`SKTERM`).
    pub terminate_first: bool,
}

impl Default for SkOptions {
    fn default() -> Self {
        Self {
            security: Security::Required,
            terminate_first: true,
        }
    }
}

/// What an operation is, for mapping its commands' results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Prepare,
    Credentials,
    Scan,
    Tune,
    Join,
    Send,
    Reset,
    Other,
}

#[derive(Debug)]
struct Op {
    id: OpId,
    kind: Kind,
    /// Commands still running.
    commands: Vec<CommandId>,
    /// The first failure, if any (the outcome once the last command ends).
    failure: Option<Outcome>,
    /// The result of the last command that produced one (scan list, join, send).
    result: Option<Outcome>,
}

/// SKSTACK IP dongles (BP35A1, RL7023 Stick-D/IPS and /DSS, BP35C0/C2, RS-WSUHA-P, …).
#[derive(Debug)]
pub struct SkDongle {
    driver: Driver,
    opts: SkOptions,
    ids: OpIds,
    ops: Vec<Op>,
    identify: Option<OpId>,
    reported: Option<DongleInfo>,
    events: VecDeque<DeviceEvent>,
}

impl SkDongle {
    /// A driver for a port whose dongle is not known yet. `dialect`: remembered from an
    /// earlier session, if any.
    pub fn new(opts: SkOptions, dialect: Option<Dialect>) -> Self {
        let mut driver = Driver::new();
        match dialect {
            Some(Dialect::SingleHop) => driver.set_dialect(skstack::Dialect::SingleHop),
            Some(Dialect::DualStack) => driver.set_dialect(skstack::Dialect::DualStack),
            _ => {}
        }
        Self {
            driver,
            opts,
            ids: OpIds::default(),
            ops: Vec::new(),
            identify: None,
            reported: None,
            events: VecDeque::new(),
        }
    }

    fn begin(&mut self, kind: Kind) -> OpId {
        let id = self.ids.next();
        self.ops.push(Op {
            id,
            kind,
            commands: Vec::new(),
            failure: None,
            result: None,
        });
        id
    }

    /// Submit `cmd` as part of operation `op`.
    fn add(&mut self, op: OpId, cmd: Command, now: Instant) {
        let submitted = self.driver.submit(cmd, now);
        self.attach(op, submitted);
    }

    fn attach(&mut self, op: OpId, submitted: Result<CommandId, SkError>) {
        let Some(o) = self.ops.iter_mut().find(|o| o.id == op) else {
            return;
        };
        match submitted {
            Ok(c) => o.commands.push(c),
            Err(e) => {
                o.failure.get_or_insert(failure_of(&e));
            }
        }
    }

    /// End operations that have no command left.
    fn settle(&mut self) {
        let mut i = 0;
        while i < self.ops.len() {
            if self.ops[i].commands.is_empty() {
                let o = self.ops.remove(i);
                let outcome = match (o.kind, o.failure, o.result) {
                    // Preparation failures are tolerated (SKTERM without a session: ER10).
                    (Kind::Prepare, _, _) => Outcome::Done,
                    (_, Some(f), _) => f,
                    (_, None, Some(r)) => r,
                    (Kind::Scan, None, None) => Outcome::Scanned(Vec::new()),
                    (_, None, None) => Outcome::Done,
                };
                self.events
                    .push_back(DeviceEvent::Done { op: o.id, outcome });
            } else {
                i += 1;
            }
        }
    }

    fn running(&self, kind: Kind) -> bool {
        self.ops.iter().any(|o| o.kind == kind)
    }

    fn info(&self, d: &Detection) -> Option<DongleInfo> {
        let dialect = match self.driver.dialect().or(d.dialect)? {
            skstack::Dialect::SingleHop => Dialect::SingleHop,
            skstack::Dialect::DualStack => Dialect::DualStack,
        };
        Some(DongleInfo {
            dialect,
            erxudp_mode: Some(self.driver.evidence().erxudp_mode()),
            stack_version: d.stack_version.clone(),
            app_version: d.app_version.clone(),
            supports_ropt: d.supports_ropt,
        })
    }

    /// Report the dongle's facts when they are first known or change (the dialect may only
    /// be decided by the first scan's argument count).
    fn report_info(&mut self) {
        let det = self.driver.evidence().detection();
        if let Some(info) = self.info(&det) {
            if self.reported.as_ref() != Some(&info) {
                self.reported = Some(info.clone());
                self.events.push_back(DeviceEvent::Identified(info));
            }
        }
    }

    fn on_detected(&mut self, d: &Detection) {
        let Some(op) = self.identify.take() else {
            return;
        };
        let outcome = if d.j11 {
            Outcome::OtherProtocol(Dialect::J11)
        } else if d.stack_version.is_none() && d.dialect.is_none() {
            Outcome::NoAnswer
        } else {
            self.report_info();
            Outcome::Done
        };
        self.events.push_back(DeviceEvent::Done { op, outcome });
    }

    fn on_completed(&mut self, id: CommandId, result: Result<Response, SkError>) {
        let Some(o) = self.ops.iter_mut().find(|o| o.commands.contains(&id)) else {
            return;
        };
        o.commands.retain(|c| *c != id);
        match (o.kind, result) {
            (Kind::Scan, Ok(Response::Scan(pans))) => {
                o.result = Some(Outcome::Scanned(pans.iter().map(heard).collect()));
            }
            // A scan that never ended heard nothing.
            (Kind::Scan, Err(SkError::Timeout { .. })) => {
                o.result = Some(Outcome::Scanned(Vec::new()));
            }
            (Kind::Join, Ok(Response::Joined)) => o.result = Some(Outcome::Joined { mac: None }),
            (Kind::Join, Err(SkError::JoinFailed)) => {
                o.failure.get_or_insert(Outcome::Refused);
            }
            (Kind::Send, Ok(Response::Sent { udp_result })) => {
                // EVENT 21 parameter 01: the datagram was not transmitted.
                o.result = Some(if udp_result == Some(0x01) {
                    Outcome::SendFailed(SendFailure::Other)
                } else {
                    Outcome::Sent
                });
            }
            (_, Ok(_)) => {}
            (_, Err(e)) => {
                o.failure.get_or_insert(failure_of(&e));
            }
        }
        if matches!(o.kind, Kind::Scan) {
            self.report_info();
        }
    }

    fn on_event(&mut self, num: u8) {
        let ev = match num {
            0x29 => SessionEvent::Expired,
            0x25 if !self.running(Kind::Join) => SessionEvent::ReAuthenticated,
            0x24 if !self.running(Kind::Join) => SessionEvent::ReAuthFailed,
            0x26 => SessionEvent::Lost,
            0x27 | 0x28 if !self.running(Kind::Prepare) => SessionEvent::Lost,
            0x32 => SessionEvent::TxLimited,
            0x33 => SessionEvent::TxReleased,
            _ => return,
        };
        self.events.push_back(DeviceEvent::Session(ev));
    }

    fn pump(&mut self) {
        while let Some(ev) = self.driver.poll_event() {
            match ev {
                DriverEvent::Detected(d) => self.on_detected(&d),
                DriverEvent::Completed { id, result, .. } => self.on_completed(id, result),
                DriverEvent::Event(e) => self.on_event(e.num),
                DriverEvent::PanDesc(p) => self.events.push_back(DeviceEvent::PanHeard(heard(&p))),
                DriverEvent::RxUdp(r) => self.events.push_back(DeviceEvent::Datagram(Datagram {
                    from: r.sender,
                    src_port: r.rport,
                    dst_port: r.lport,
                    secured: r.secured,
                    rssi_dbm: r.rssi,
                    payload: r.data,
                })),
                DriverEvent::WoptProposed { .. } => {
                    self.events.push_back(DeviceEvent::HexOutputOffered)
                }
                _ => {}
            }
        }
        self.settle();
    }
}

fn heard(p: &PanDesc) -> HeardPan {
    HeardPan {
        channel: p.channel,
        pan_id: p.pan_id,
        mac: p.addr,
        lqi: p.lqi,
        rssi_dbm: p.rssi_dbm().map(|r| r.round() as i16),
        pair_id: p.pair_id.clone(),
    }
}

fn failure_of(e: &SkError) -> Outcome {
    match e {
        SkError::Timeout { .. } => Outcome::NoAnswer,
        SkError::J11Detected => Outcome::OtherProtocol(Dialect::J11),
        SkError::JoinFailed => Outcome::Refused,
        other => Outcome::Failed(other.to_string()),
    }
}

impl Dongle for SkDongle {
    fn dialect(&self) -> Option<Dialect> {
        self.driver.dialect().map(|d| match d {
            skstack::Dialect::SingleHop => Dialect::SingleHop,
            skstack::Dialect::DualStack => Dialect::DualStack,
        })
    }

    fn identify(&mut self, now: Instant) -> OpId {
        let id = self.ids.next();
        self.identify = Some(id);
        self.driver.start_detection(now);
        self.pump();
        id
    }

    fn prepare(&mut self, _channel: Option<u8>, now: Instant) -> OpId {
        let op = self.begin(Kind::Prepare);
        // Echo off; RSSI in ERXUDP on dual-stack; end any old session.
        self.add(op, Command::echo_off(), now);
        if self.dialect() == Some(Dialect::DualStack) {
            self.add(
                op,
                Command::SregWrite {
                    reg: 0xA2,
                    value: 1,
                },
                now,
            );
        }
        if self.opts.terminate_first {
            self.add(op, Command::Term, now);
        }
        self.pump();
        op
    }

    fn set_credentials(&mut self, id: &RouteBId, password: &RouteBPassword, now: Instant) -> OpId {
        let op = self.begin(Kind::Credentials);
        self.add(op, Command::SetPwd(password.clone()), now);
        self.add(op, Command::SetRbid(id.clone()), now);
        self.pump();
        op
    }

    fn scan(&mut self, duration: u8, channels: Channels, now: Instant) -> OpId {
        let op = self.begin(Kind::Scan);
        let r = self
            .driver
            .scan(ScanMode::ActiveWithPairingId, mask(channels), duration, now);
        self.attach(op, r);
        self.pump();
        op
    }

    fn scan_time(&self, duration: u8, channels: Channels) -> Duration {
        scan_duration(mask(channels), duration)
    }

    fn max_scan_duration(&self) -> u8 {
        14
    }

    fn tune(&mut self, target: &Target, now: Instant) -> OpId {
        let op = self.begin(Kind::Tune);
        let r = Command::set_channel(target.channel).and_then(|c| self.driver.submit(c, now));
        self.attach(op, r);
        self.add(op, Command::set_pan_id(target.pan_id), now);
        self.pump();
        op
    }

    fn join(&mut self, target: &Target, now: Instant) -> OpId {
        let op = self.begin(Kind::Join);
        self.add(op, Command::Join(target.ip()), now);
        self.pump();
        op
    }

    fn send(&mut self, to: Ipv6Addr, payload: Vec<u8>, now: Instant) -> OpId {
        let op = self.begin(Kind::Send);
        let r = self.driver.send_udp(to, payload, self.opts.security, now);
        self.attach(op, r);
        self.pump();
        op
    }

    fn reset(&mut self, now: Instant) -> OpId {
        let op = self.begin(Kind::Reset);
        self.add(op, Command::Reset, now);
        self.pump();
        op
    }

    fn accept_hex_output(&mut self, now: Instant) {
        let op = self.begin(Kind::Other);
        let r = self.driver.confirm_wopt(now);
        self.attach(op, r);
        self.pump();
    }

    fn channels(&self) -> core::ops::RangeInclusive<u8> {
        0x21..=0x3C
    }

    fn handle_bytes(&mut self, bytes: &[u8], now: Instant) {
        self.driver.handle_bytes(bytes, now);
        self.pump();
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.driver.handle_timeout(now);
        self.pump();
    }

    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.driver.poll_transmit()
    }

    fn poll_event(&mut self) -> Option<DeviceEvent> {
        self.events.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.driver.poll_timeout()
    }
}

/// SKSCAN channel mask: LSB = channel 33 (0x21).
fn mask(channels: Channels) -> u32 {
    match channels {
        Channels::Only(ch) if (0x21..=0x3C).contains(&ch) => 1u32 << (ch - 0x21),
        _ => 0xFFFF_FFFF,
    }
}
