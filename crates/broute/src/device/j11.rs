//! The J11 driver behind the device interface (over `j11::Driver`; `shared/j11.md`).
//!
//! Each operation is a plan of J11 requests sent one after the other (the module is
//! single-tasked; the protocol driver retries on "busy"). The adapter keeps the module's state
//! as far as it knows it (idle, B-route started, authenticated, or unknown after a failure)
//! and tears down or resets before it tunes, so the engine never has to know the module's
//! state rules (j11.md §2, pitfall 9). It keeps the credentials to give them again after its
//! own resets (a reset reverts them, §2).
//!
//! Events: 0x4051 → PANs heard; 0x6018 → datagrams (security 02 = secured); 0x601A MAC or PANA
//! down → session lost; an unsolicited 0x6028 → re-authenticated or re-authentication failed;
//! 0x6038 "decrypt" from the meter → re-authentication (0x00D2), at most once in
//! [`REAUTH_GAP`] so that a neighbour's undecryptable frames cannot keep the session on hold;
//! 0x2008 with detail 2 → the hourly transmit limit.

use core::time::Duration;
use std::collections::VecDeque;
use std::net::Ipv6Addr;

use j11::notification::{LinkState, PanaOutcome, ReceiveErrorReason, Security};
use j11::response::RouteState;
use j11::{
    ActiveScan, Channel, DriverEvent, InitialSetup, Notification, PairingId, Request, RequestId,
    RequestKind, Response, ResultCode, SendStatus, SendUdp,
};
use skstack::{Instant, RouteBId, RouteBPassword};

use super::{
    Channels, Datagram, DeviceEvent, Dongle, HeardPan, OpId, OpIds, Outcome, SendFailure,
    SessionEvent, Target,
};
use crate::types::{Dialect, DongleInfo};

/// ECHONET Lite port.
const ECHONET_PORT: u16 = 0x0E1A;
/// Longest wait for the PANA result (0x6028) after 0x2056. The module's own timers give up
/// after 300–706 s (j11.md timing table); a session that takes this long is not worth waiting
/// for: the engine rescans or retries, and the adapter resets the module first.
const PANA_WAIT: Duration = Duration::from_secs(120);
/// Least time between two re-authentications started because of decrypt errors.
pub const REAUTH_GAP: Duration = Duration::from_secs(600);
/// Initial-setup channel before the meter's channel is known.
const DEFAULT_CHANNEL: u8 = 0x04;

/// The module's state, as far as the adapter knows it (j11.md §2, 0x0001).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Module {
    /// After a reset and initial setup: B-route and HAN idle.
    Idle,
    /// B-route started (0x0053 succeeded): joined, not authenticated.
    Joined,
    /// PANA succeeded.
    Authenticated,
    /// Not known (a request failed or timed out): reset before anything else.
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Identify,
    Prepare,
    Credentials,
    Scan,
    Tune,
    Join,
    Send,
    Reset,
}

#[derive(Debug)]
struct Op {
    id: OpId,
    kind: Kind,
    /// Requests still to send, in order.
    plan: VecDeque<Request>,
    /// The request in flight, and a copy to send again after a module restart.
    running: Option<RequestId>,
    sent: Option<Request>,
    /// The request was already sent again once after a restart.
    resent: bool,
    /// Beacons heard (scan).
    heard: Vec<HeardPan>,
}

/// J11 dongles (RS-WSUHA-J11, BP35C2-J11-T01, BP35C0-J11).
#[derive(Debug)]
pub struct J11Dongle {
    driver: j11::Driver,
    ids: OpIds,
    ops: VecDeque<Op>,
    creds: Option<(RouteBId, RouteBPassword)>,
    module: Module,
    /// The channel of the last initial setup.
    channel: Option<u8>,
    /// The channel of the initial setup in flight.
    setup_sent: Option<u8>,
    /// The meter joined or being joined (decrypt errors from it start a re-authentication).
    meter: Option<Ipv6Addr>,
    /// A join waiting for its 0x6028, and until when.
    pana: Option<(OpId, Instant)>,
    /// A re-authentication started by the adapter is running.
    reauth_running: bool,
    last_reauth: Option<Instant>,
    /// The module was reset and nothing was sent since.
    fresh: bool,
    events: VecDeque<DeviceEvent>,
}

impl Default for J11Dongle {
    fn default() -> Self {
        Self::new()
    }
}

impl J11Dongle {
    /// A driver for a J11 module in an unknown state.
    pub fn new() -> Self {
        Self {
            driver: j11::Driver::new(),
            ids: OpIds::default(),
            ops: VecDeque::new(),
            creds: None,
            module: Module::Unknown,
            channel: None,
            setup_sent: None,
            meter: None,
            pana: None,
            reauth_running: false,
            last_reauth: None,
            fresh: false,
            events: VecDeque::new(),
        }
    }

    fn begin(&mut self, kind: Kind, plan: Vec<Request>, now: Instant) -> OpId {
        let id = self.ids.next();
        self.ops.push_back(Op {
            id,
            kind,
            plan: plan.into(),
            running: None,
            sent: None,
            resent: false,
            heard: Vec::new(),
        });
        self.advance(now);
        id
    }

    /// Requests that bring the module from its known state back to idle, set up on `channel`
    /// with the credentials.
    fn to_idle(&self, channel: u8) -> Vec<Request> {
        let setup = Request::InitialSetup(InitialSetup::b_route(channel_of(channel)));
        let mut plan = match self.module {
            Module::Idle if self.channel == Some(channel) => return Vec::new(),
            Module::Idle => return vec![setup],
            Module::Authenticated => vec![Request::TerminatePana, Request::EndBRoute],
            Module::Joined => vec![Request::EndBRoute],
            Module::Unknown => {
                let mut v = vec![Request::Reset, setup];
                v.extend(self.credentials_request());
                return v;
            }
        };
        plan.push(setup);
        plan
    }

    fn credentials_request(&self) -> Option<Request> {
        self.creds.as_ref().map(|(id, pw)| Request::SetCredentials {
            id: id.clone(),
            password: pw.clone(),
        })
    }

    /// Send the next request of the first operation, if nothing is in flight.
    fn advance(&mut self, now: Instant) {
        loop {
            let Some(op) = self.ops.front_mut() else {
                return;
            };
            if op.running.is_some() || self.pana.is_some_and(|(p, _)| p == op.id) {
                return;
            }
            let Some(req) = op.plan.pop_front() else {
                let op = self.ops.pop_front().expect("checked above");
                let outcome = match op.kind {
                    Kind::Scan => Outcome::Scanned(op.heard),
                    Kind::Join => {
                        // 0x2056 accepted: the result comes as 0x6028.
                        self.pana = Some((op.id, now.saturating_add(PANA_WAIT)));
                        self.ops.push_front(Op {
                            plan: VecDeque::new(),
                            ..op
                        });
                        return;
                    }
                    _ => Outcome::Done,
                };
                self.finish(op.id, outcome);
                continue;
            };
            let kind = req.kind();
            if let Request::InitialSetup(s) = &req {
                self.setup_sent = Some(s.channel);
            }
            match self.driver.submit(req.clone(), now) {
                Ok(r) => {
                    if kind != RequestKind::Reset {
                        self.fresh = false;
                    }
                    if let Some(op) = self.ops.front_mut() {
                        op.running = Some(r);
                        op.sent = Some(req);
                    }
                    return;
                }
                Err(e) => {
                    let op = self.ops.pop_front().expect("checked above");
                    self.finish(op.id, Outcome::Failed(e.to_string()));
                }
            }
        }
    }

    fn finish(&mut self, op: OpId, outcome: Outcome) {
        self.events.push_back(DeviceEvent::Done { op, outcome });
    }

    /// End the first operation with `outcome` (the rest of its plan is dropped).
    fn end_front(&mut self, outcome: Outcome) {
        if let Some(op) = self.ops.pop_front() {
            if self.pana.is_some_and(|(p, _)| p == op.id) {
                self.pana = None;
            }
            self.finish(op.id, outcome);
        }
    }

    fn on_completed(
        &mut self,
        id: RequestId,
        request: RequestKind,
        result: Result<Response, j11::Error>,
        now: Instant,
    ) {
        let mine = self.ops.front().is_some_and(|o| o.running == Some(id));
        if !mine {
            // The adapter's own re-authentication (0x00D2).
            if request == RequestKind::Reauth && result.is_err() {
                self.reauth_running = false;
                self.module = Module::Unknown;
                self.events
                    .push_back(DeviceEvent::Session(SessionEvent::ReAuthFailed));
            }
            return;
        }
        if let Some(op) = self.ops.front_mut() {
            op.running = None;
        }
        let kind = self.ops.front().map(|o| o.kind);
        match (request, result) {
            (RequestKind::FirmwareVersion, Ok(Response::FirmwareVersion(fw))) => {
                self.events.push_back(DeviceEvent::Identified(DongleInfo {
                    dialect: Dialect::J11,
                    erxudp_mode: None,
                    stack_version: Some(format!("{}.{}", fw.major, fw.minor)),
                    app_version: Some(format!("rev {:X}", fw.revision)),
                    supports_ropt: None,
                }));
            }
            (RequestKind::Status, Ok(Response::Status(st))) => {
                let idle = st.b_route == RouteState::Idle && st.han == RouteState::Idle;
                if let Some(op) = self.ops.front_mut() {
                    if idle && op.plan.front() == Some(&Request::Reset) {
                        op.plan.pop_front();
                        self.module = Module::Idle;
                    }
                }
            }
            (RequestKind::Reset, Ok(_)) => {
                self.module = Module::Idle;
                self.channel = None;
                self.fresh = true;
            }
            (RequestKind::InitialSetup, Ok(_)) => self.channel = self.setup_sent,
            (RequestKind::TerminatePana, Ok(_)) => self.module = Module::Joined,
            (RequestKind::EndBRoute, Ok(_)) => self.module = Module::Idle,
            (RequestKind::ActiveScan, Ok(Response::ActiveScan(results))) => {
                let heard: Vec<HeardPan> = results
                    .iter()
                    .flat_map(|r| r.beacons.iter().map(move |b| heard(r.channel, b)))
                    .collect();
                if let Some(op) = self.ops.front_mut() {
                    op.heard = heard;
                }
            }
            (RequestKind::StartBRoute, Ok(_)) => self.module = Module::Joined,
            (
                RequestKind::StartBRoute,
                Err(j11::Error::Failed {
                    result: ResultCode::MacJoinFailed,
                    ..
                }),
            ) => {
                // No meter answers our ID on that channel (j11.md §2, 0x0E).
                return self.end_front(Outcome::NotFound);
            }
            // A port left open by an earlier session is fine.
            (
                RequestKind::OpenUdpPort,
                Err(j11::Error::Failed {
                    result: ResultCode::PortAlreadyOpen,
                    ..
                }),
            ) => {}
            (RequestKind::SendUdp, Ok(_)) => return self.end_front(Outcome::Sent),
            (RequestKind::SendUdp, Err(j11::Error::NotSent { detail })) => {
                let why = match detail.status() {
                    SendStatus::HourlyLimit => SendFailure::TxLimit,
                    SendStatus::ChannelBusy => SendFailure::ChannelBusy,
                    SendStatus::NoAck => SendFailure::NoAck,
                    _ => SendFailure::Other,
                };
                if why == SendFailure::TxLimit {
                    self.events
                        .push_back(DeviceEvent::Session(SessionEvent::TxLimited));
                }
                return self.end_front(Outcome::SendFailed(why));
            }
            (_, Ok(_)) => {}
            // The module rebooted under the request (power glitch, replug): it is idle with its
            // settings gone; send the request once more.
            (_, Err(j11::Error::ModuleRestarted)) if self.resend_after_restart() => {
                self.module = Module::Idle;
                self.channel = None;
            }
            (_, Err(e)) => {
                let outcome = match e {
                    j11::Error::Timeout { .. } => Outcome::NoAnswer,
                    other => Outcome::Failed(other.to_string()),
                };
                if kind != Some(Kind::Send) {
                    // The module's state is no longer known: reset before the next tune.
                    self.module = Module::Unknown;
                }
                return self.end_front(outcome);
            }
        }
        self.advance(now);
    }

    /// Put the first operation's last request back at the front of its plan, once.
    fn resend_after_restart(&mut self) -> bool {
        let Some(op) = self.ops.front_mut() else {
            return false;
        };
        match op.sent.take() {
            Some(req) if !op.resent => {
                op.resent = true;
                op.plan.push_front(req);
                true
            }
            _ => false,
        }
    }

    fn on_notification(&mut self, n: Notification, now: Instant) {
        match n {
            Notification::ScanResult(r) => {
                for b in &r.beacons {
                    self.events
                        .push_back(DeviceEvent::PanHeard(heard(r.channel, b)));
                }
            }
            Notification::UdpReceived(u) => {
                self.events.push_back(DeviceEvent::Datagram(Datagram {
                    from: u.source,
                    src_port: u.src_port,
                    dst_port: u.dst_port,
                    secured: u.security == Security::Encrypted,
                    rssi_dbm: Some(i16::from(u.rssi)),
                    payload: u.data,
                }));
            }
            Notification::PanaResult(p) => self.on_pana_result(p.outcome, p.peer),
            Notification::LinkState(l) => match l.state {
                LinkState::MacDown | LinkState::PanaDown
                    if self.module == Module::Authenticated =>
                {
                    self.module = if l.state == LinkState::PanaDown {
                        Module::Joined
                    } else {
                        Module::Unknown
                    };
                    self.events
                        .push_back(DeviceEvent::Session(SessionEvent::Lost));
                }
                _ => {}
            },
            Notification::ReceiveError(e) => {
                let from_meter = self.meter == Some(e.source);
                let due = self
                    .last_reauth
                    .is_none_or(|t| now >= t.saturating_add(REAUTH_GAP));
                if e.reason == ReceiveErrorReason::Decrypt
                    && from_meter
                    && due
                    && self.module == Module::Authenticated
                    && !self.reauth_running
                {
                    self.last_reauth = Some(now);
                    if self.driver.submit(Request::Reauth, now).is_ok() {
                        self.reauth_running = true;
                        self.events
                            .push_back(DeviceEvent::Session(SessionEvent::Expired));
                    }
                }
            }
            Notification::Boot => {
                // A boot nobody asked for: the module restarted and forgot everything.
                let waiting_reset = self
                    .ops
                    .front()
                    .is_some_and(|o| o.running.is_some() && o.kind == Kind::Reset);
                if !waiting_reset && !self.fresh {
                    let was_up = self.module == Module::Authenticated;
                    self.module = Module::Idle;
                    self.channel = None;
                    if was_up {
                        self.events
                            .push_back(DeviceEvent::Session(SessionEvent::Lost));
                    }
                }
            }
        }
    }

    fn on_pana_result(&mut self, outcome: PanaOutcome, peer: skstack::Mac) {
        if let Some((op, _)) = self.pana.take() {
            self.ops.retain(|o| o.id != op);
            let result = match outcome {
                PanaOutcome::Success => {
                    self.module = Module::Authenticated;
                    self.meter = Some(peer.link_local());
                    Outcome::Joined { mac: Some(peer) }
                }
                PanaOutcome::Rejected => Outcome::Refused,
                _ => Outcome::NoAnswer,
            };
            self.finish(op, result);
            return;
        }
        // Unsolicited: the result of a re-authentication (ours after a decrypt error, or
        // the module's own at the end of the session lifetime).
        self.reauth_running = false;
        let ev = match outcome {
            PanaOutcome::Success => {
                self.module = Module::Authenticated;
                SessionEvent::ReAuthenticated
            }
            _ => {
                self.module = Module::Joined;
                SessionEvent::ReAuthFailed
            }
        };
        self.events.push_back(DeviceEvent::Session(ev));
    }

    fn pump(&mut self, now: Instant) {
        while let Some(ev) = self.driver.poll_event() {
            match ev {
                DriverEvent::Completed {
                    id,
                    request,
                    result,
                } => self.on_completed(id, request, result, now),
                DriverEvent::Notification(n) => self.on_notification(n, now),
                _ => {}
            }
        }
        self.advance(now);
    }
}

fn channel_of(ch: u8) -> Channel {
    Channel::new(ch)
        .or(Channel::new(DEFAULT_CHANNEL))
        .expect("the default channel is valid")
}

fn heard(channel: u8, b: &j11::notification::Beacon) -> HeardPan {
    HeardPan {
        channel,
        pan_id: b.pan_id,
        mac: b.mac,
        lqi: None,
        rssi_dbm: Some(i16::from(b.rssi)),
        pair_id: None,
    }
}

impl Dongle for J11Dongle {
    fn dialect(&self) -> Option<Dialect> {
        Some(Dialect::J11)
    }

    fn identify(&mut self, now: Instant) -> OpId {
        self.begin(Kind::Identify, vec![Request::FirmwareVersion], now)
    }

    fn prepare(&mut self, channel: Option<u8>, now: Instant) -> OpId {
        let ch = channel
            .filter(|c| self.valid_channel(*c))
            .unwrap_or(DEFAULT_CHANNEL);
        let setup = Request::InitialSetup(InitialSetup::b_route(channel_of(ch)));
        // A module that reports B-route and HAN idle needs no reset (PYJ11 checks the same).
        let plan = if self.fresh {
            vec![setup]
        } else {
            vec![Request::Status, Request::Reset, setup]
        };
        self.begin(Kind::Prepare, plan, now)
    }

    fn set_credentials(&mut self, id: &RouteBId, password: &RouteBPassword, now: Instant) -> OpId {
        self.creds = Some((id.clone(), password.clone()));
        let plan = self.credentials_request().into_iter().collect();
        self.begin(Kind::Credentials, plan, now)
    }

    fn scan(&mut self, duration: u8, channels: Channels, now: Instant) -> OpId {
        let mask = match channels {
            Channels::Only(c) if self.valid_channel(c) => 1u32 << c,
            _ => ActiveScan::ALL_CHANNELS,
        };
        let pairing = self.creds.as_ref().map(|(id, _)| PairingId::from_id(id));
        let plan = match pairing {
            Some(Ok(pairing_id)) => vec![Request::ActiveScan(ActiveScan {
                duration: duration.clamp(1, 14),
                channel_mask: mask,
                pairing_id,
            })],
            _ => {
                let id = self.ids.next();
                self.finish(id, Outcome::Failed("no B-route ID for the scan".into()));
                return id;
            }
        };
        self.begin(Kind::Scan, plan, now)
    }

    fn scan_time(&self, duration: u8, channels: Channels) -> Duration {
        let n = match channels {
            Channels::Only(_) => 1,
            Channels::All => 14,
        };
        Duration::from_micros((9_640u64 << duration.min(14)) * n)
    }

    fn max_scan_duration(&self) -> u8 {
        14
    }

    fn tune(&mut self, target: &Target, now: Instant) -> OpId {
        let mut plan = self.to_idle(target.channel);
        plan.push(Request::StartBRoute);
        plan.push(Request::OpenUdpPort(ECHONET_PORT));
        self.meter = Some(target.ip());
        self.begin(Kind::Tune, plan, now)
    }

    fn join(&mut self, target: &Target, now: Instant) -> OpId {
        self.meter = Some(target.ip());
        self.begin(Kind::Join, vec![Request::StartPana], now)
    }

    fn send(&mut self, to: Ipv6Addr, payload: Vec<u8>, now: Instant) -> OpId {
        self.begin(
            Kind::Send,
            vec![Request::SendUdp(SendUdp::echonet(to, payload))],
            now,
        )
    }

    fn reset(&mut self, now: Instant) -> OpId {
        self.module = Module::Unknown;
        self.begin(Kind::Reset, vec![Request::Reset], now)
    }

    fn accept_hex_output(&mut self, _now: Instant) {}

    fn channels(&self) -> core::ops::RangeInclusive<u8> {
        0x04..=0x11
    }

    fn handle_bytes(&mut self, bytes: &[u8], now: Instant) {
        self.driver.handle_bytes(bytes, now);
        self.pump(now);
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.driver.handle_timeout(now);
        if let Some((op, until)) = self.pana {
            if now >= until {
                // No PANA result in time: the module may still be running PANA.
                self.pana = None;
                self.module = Module::Unknown;
                self.ops.retain(|o| o.id != op);
                self.finish(op, Outcome::NoAnswer);
            }
        }
        self.pump(now);
    }

    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.driver.poll_transmit()
    }

    fn poll_event(&mut self) -> Option<DeviceEvent> {
        self.events.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        [self.driver.poll_timeout(), self.pana.map(|(_, t)| t)]
            .into_iter()
            .flatten()
            .min()
    }
}
