//! The engine: one state machine over the SKSTACK driver.

use core::time::Duration;
use std::collections::VecDeque;
use std::net::Ipv6Addr;

use echonet::common::CommonValue;
use echonet::hv::HvValue;
use echonet::lv::LvValue;
use echonet::node_profile::InstanceList;
use echonet::{builder, ClassCode, Date, Eoj, Esv, FrameRepr, Measured, OrUnset};
use skstack::command::{Command, CommandKind, ScanMode, Security};
use skstack::driver::CommandId;
use skstack::error::Error as DriverError;
use skstack::frame::{Event as SkEvent, PanDesc, RxUdp};
use skstack::{Dialect, Driver, DriverEvent, Instant, Mac, Response, RouteBId, RouteBPassword};

use crate::types::*;

/// ECHONET Lite port (3610).
const ECHONET_PORT: u16 = 0x0E1A;

/// Settings of the engine. `Default` is what the app uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Time between polls (from one request to the next). Default 10 s.
    pub poll_interval: Duration,
    /// Scan durations, one attempt each, growing (per channel 9.6 ms × (2^d + 1)).
    pub scan_durations: Vec<u8>,
    /// Channels to scan (LSB = channel 33); `0xFFFF_FFFF` = all.
    pub channel_mask: u32,
    /// One Get with every dashboard property (true), or one property per Get (false; only for
    /// comparing strategies).
    pub batch: bool,
    /// Use a pairing profile to skip the scan when one is given.
    pub use_profile: bool,
    /// SKSENDTO security flag.
    pub security: Security,
    /// How long to wait for the meter's instance list after joining before asking for it.
    pub instance_list_wait: Duration,
    /// Minimum gap between history requests.
    pub history_gap: Duration,
    /// Authentication refusals in a row after which the engine stops (lock-out protection).
    pub max_refusals: u8,
    /// Unanswered polls in a row after which the session is considered lost.
    pub silence_limit: u8,
    /// Terminate any old PANA session at start (`SKTERM`).
    pub terminate_first: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(10),
            scan_durations: vec![4, 5, 6, 7, 8],
            channel_mask: 0xFFFF_FFFF,
            batch: true,
            use_profile: true,
            security: Security::Required,
            instance_list_wait: Duration::from_secs(8),
            history_gap: Duration::from_millis(1000),
            max_refusals: 2,
            silence_limit: 2,
            terminate_first: true,
        }
    }
}

/// Waits before each rung of the recovery ladder: the first two rejoin, the rest rescan.
const BACKOFF_MS: [u64; 7] = [2_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000];
/// Recovery attempts that rejoin before rescanning.
const REJOIN_ATTEMPTS: u8 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Target {
    channel: u8,
    pan_id: u16,
    mac: Mac,
}

impl Target {
    fn ip(&self) -> Ipv6Addr {
        self.mac.link_local()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Rejoin,
    Rescan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Idle,
    Detecting,
    Settings,
    AwaitCredentials,
    Credentials,
    Scan { attempt: u8, single_channel: bool },
    Channel { from_profile: bool },
    Join { from_profile: bool },
    InstanceList { until: Instant, asked: bool },
    Identity,
    Reading,
    Backoff { until: Instant, next: Next },
    Stopped,
}

/// What a submitted driver command is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Setting,
    Credential,
    Scan,
    Channel,
    Join,
    Send { tid: u16 },
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReqKind {
    InstanceList,
    Identity,
    Poll,
    HistoryToday,
    HistorySet,
    HistoryGet,
}

#[derive(Debug, Clone)]
struct Request {
    tid: u16,
    deoj: Eoj,
    kind: ReqKind,
    sent: Instant,
    deadline: Instant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HStep {
    LearnToday,
    SetDay(u8),
    GetDay(u8),
    SetPairs,
    GetPairs,
}

#[derive(Debug, Clone)]
struct HistoryJob {
    request: HistoryRequest,
    steps: VecDeque<HStep>,
    total: u16,
    done: u16,
    today: Option<Date>,
    failures: u8,
    ready_at: Instant,
}

/// The commissioning and reading engine. See the crate docs for the calling protocol.
#[derive(Debug)]
pub struct Engine {
    cfg: Config,
    driver: Driver,
    step: Step,
    phase: Phase,
    creds: Option<(RouteBId, RouteBPassword)>,
    profile: Option<PairingProfile>,
    target: Option<Target>,
    dongle: Option<DongleInfo>,
    meter_class: Option<MeterClass>,
    meter: Option<MeterIdentity>,
    cmds: Vec<(CommandId, Cmd)>,
    req: Option<Request>,
    recent: VecDeque<Request>,
    identity_tries: u8,
    tid: u16,
    next_poll: Instant,
    poll_queue: VecDeque<u8>,
    partial: Option<(Instant, Option<i16>, ReadingValues)>,
    reauth_hold: bool,
    tx_hold: bool,
    refusals: u8,
    silent_polls: u8,
    recovery: u8,
    joined_once: bool,
    heard_other: bool,
    lost_reported: bool,
    history: Option<HistoryJob>,
    events: VecDeque<Event>,
    figures: Figures,
    last_now: Instant,
}

impl Engine {
    /// A new engine. Give credentials now or when [`Event::NeedCredentials`] comes.
    pub fn new(cfg: Config) -> Self {
        Self {
            cfg,
            driver: Driver::new(),
            step: Step::Idle,
            phase: Phase::Idle,
            creds: None,
            profile: None,
            target: None,
            dongle: None,
            meter_class: None,
            meter: None,
            cmds: Vec::new(),
            req: None,
            recent: VecDeque::new(),
            identity_tries: 0,
            tid: 0,
            next_poll: Instant(0),
            poll_queue: VecDeque::new(),
            partial: None,
            reauth_hold: false,
            tx_hold: false,
            refusals: 0,
            silent_polls: 0,
            recovery: 0,
            joined_once: false,
            heard_other: false,
            lost_reported: false,
            history: None,
            events: VecDeque::new(),
            figures: Figures::default(),
            last_now: Instant(0),
        }
    }

    // ------------------------------------------------------------------ public API

    /// Start commissioning: probe the dongle.
    pub fn start(&mut self, now: Instant) {
        if self.step != Step::Idle {
            return;
        }
        self.last_now = now;
        self.step = Step::Detecting;
        self.set_phase(Phase::ExpectDongle, now);
        self.driver.start_detection(now);
        self.pump(now);
    }

    /// Give the B-route ID and password (validated types: nothing else can reach the dongle).
    pub fn set_credentials(&mut self, id: RouteBId, password: RouteBPassword, now: Instant) {
        self.creds = Some((id, password));
        self.refusals = 0;
        if self.step == Step::AwaitCredentials {
            self.send_credentials(now);
        }
        self.pump(now);
    }

    /// A pairing profile from an earlier session: the engine joins without scanning, and scans
    /// when the meter is not there.
    pub fn set_profile(&mut self, profile: PairingProfile) {
        self.driver.set_dialect(profile.dialect);
        self.profile = Some(profile);
    }

    /// The user accepted the `WOPT 01` proposal (a flash write).
    pub fn confirm_wopt(&mut self, now: Instant) {
        if let Ok(id) = self.driver.confirm_wopt(now) {
            self.cmds.push((id, Cmd::Other));
        }
        self.pump(now);
    }

    /// Change the polling interval (at least 1 s; the default of 10 s respects the meter).
    pub fn set_poll_interval(&mut self, interval: Duration) {
        self.cfg.poll_interval = interval.max(Duration::from_secs(1));
    }

    /// Read history from the meter, paced between polls. Replaces a running job.
    pub fn request_history(&mut self, request: HistoryRequest, now: Instant) {
        let mut steps = VecDeque::new();
        let total = match request {
            HistoryRequest::Days { from, to } => {
                let (lo, hi) = (from.min(to).min(99), from.max(to).min(99));
                steps.push_back(HStep::LearnToday);
                for d in lo..=hi {
                    steps.push_back(HStep::SetDay(d));
                    steps.push_back(HStep::GetDay(d));
                }
                u16::from(hi - lo) + 1
            }
            HistoryRequest::HalfHours { .. } | HistoryRequest::Minutes { .. } => {
                steps.push_back(HStep::SetPairs);
                steps.push_back(HStep::GetPairs);
                1
            }
        };
        self.history = Some(HistoryJob {
            request,
            steps,
            total,
            done: 0,
            today: None,
            failures: 0,
            ready_at: now,
        });
        self.events
            .push_back(Event::HistoryProgress(HistoryProgress { done: 0, total }));
        self.pump(now);
    }

    /// Abandon a running history job.
    pub fn cancel_history(&mut self) {
        if self.history.take().is_some() {
            self.events
                .push_back(Event::HistoryDone { complete: false });
        }
    }

    /// The serial link is gone (device unplugged). The engine stops; start a new one with the
    /// pairing profile when the dongle is back.
    pub fn serial_lost(&mut self, now: Instant) {
        if self.step == Step::Stopped {
            return;
        }
        self.stop(Cause::DongleLost, now);
    }

    /// Bytes from the serial port.
    pub fn handle_bytes(&mut self, bytes: &[u8], now: Instant) {
        self.last_now = now;
        self.driver.handle_bytes(bytes, now);
        self.pump(now);
    }

    /// The deadline from [`Engine::poll_timeout`] has passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.last_now = now;
        self.driver.handle_timeout(now);
        self.pump(now);
    }

    /// Next bytes to write to the serial port.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.driver.poll_transmit()
    }

    /// Next event for the UI.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When to call [`Engine::handle_timeout`] next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let mut t: Vec<Instant> = Vec::with_capacity(6);
        t.extend(self.driver.poll_timeout());
        if let Some(r) = &self.req {
            t.push(r.deadline);
        }
        match self.step {
            Step::InstanceList { until, .. } => t.push(until),
            Step::Backoff { until, .. } => t.push(until),
            Step::Reading if self.req.is_none() && !self.held() => {
                t.push(self.next_poll);
                if let Some(h) = &self.history {
                    t.push(h.ready_at);
                }
            }
            _ => {}
        }
        t.into_iter().min()
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Counters, timings and the phase history.
    pub fn figures(&self) -> &Figures {
        &self.figures
    }

    /// The dongle, once identified.
    pub fn dongle(&self) -> Option<&DongleInfo> {
        self.dongle.as_ref()
    }

    /// The meter, once identified.
    pub fn meter(&self) -> Option<&MeterIdentity> {
        self.meter.as_ref()
    }

    /// The pairing profile of the current session, once joined.
    pub fn profile(&self) -> Option<PairingProfile> {
        let t = self.target?;
        Some(PairingProfile {
            channel: t.channel,
            pan_id: t.pan_id,
            mac: t.mac,
            dialect: self.driver.dialect()?,
        })
    }

    /// True while a history job is running.
    pub fn history_running(&self) -> bool {
        self.history.is_some()
    }

    // ------------------------------------------------------------------ internals

    fn set_phase(&mut self, phase: Phase, now: Instant) {
        if self.phase != phase {
            self.phase = phase;
            self.figures.history.push((now, phase));
            self.events.push_back(Event::Phase(phase));
        }
    }

    fn held(&self) -> bool {
        self.reauth_hold || self.tx_hold
    }

    fn stop(&mut self, cause: Cause, now: Instant) {
        self.step = Step::Stopped;
        self.req = None;
        self.events.push_back(Event::Triage(cause));
        self.set_phase(Phase::Stopped, now);
    }

    fn submit(&mut self, cmd: Command, purpose: Cmd, now: Instant) -> Option<CommandId> {
        match self.driver.submit(cmd, now) {
            Ok(id) => {
                self.cmds.push((id, purpose));
                Some(id)
            }
            Err(DriverError::J11Detected) => {
                self.stop(Cause::J11Dongle, now);
                None
            }
            Err(_) => {
                self.stop(Cause::DongleError, now);
                None
            }
        }
    }

    fn take_cmd(&mut self, id: CommandId) -> Option<Cmd> {
        let i = self.cmds.iter().position(|(c, _)| *c == id)?;
        Some(self.cmds.remove(i).1)
    }

    fn pending(&self, purpose: Cmd) -> bool {
        self.cmds.iter().any(|(_, p)| *p == purpose)
    }

    /// Process driver events, then run the scheduler, until nothing changes.
    fn pump(&mut self, now: Instant) {
        for _ in 0..64 {
            let mut progressed = false;
            while let Some(ev) = self.driver.poll_event() {
                progressed = true;
                self.on_driver_event(ev, now);
            }
            progressed |= self.tick(now);
            if !progressed {
                break;
            }
        }
    }

    fn on_driver_event(&mut self, ev: DriverEvent, now: Instant) {
        match ev {
            DriverEvent::Detected(d) => self.on_detected(d, now),
            DriverEvent::J11Detected if self.step != Step::Stopped => {
                self.stop(Cause::J11Dongle, now);
            }
            DriverEvent::WoptProposed { .. } => self.events.push_back(Event::WoptProposed),
            DriverEvent::Completed {
                id,
                command,
                result,
            } => {
                if let Some(purpose) = self.take_cmd(id) {
                    self.on_completed(purpose, command, result, now);
                }
            }
            DriverEvent::Event(e) => self.on_sk_event(&e, now),
            DriverEvent::PanDesc(p) => self.on_pan(&p),
            DriverEvent::RxUdp(r) => self.on_rx(r, now),
            _ => {}
        }
    }

    fn on_detected(&mut self, d: skstack::Detection, now: Instant) {
        if self.step != Step::Detecting {
            return;
        }
        if d.j11 {
            self.stop(Cause::J11Dongle, now);
            return;
        }
        if d.stack_version.is_none() && d.dialect.is_none() {
            self.stop(Cause::NoDongleAnswer, now);
            return;
        }
        let dialect = d.dialect.or(self.profile.as_ref().map(|p| p.dialect));
        if let Some(dialect) = dialect {
            let info = DongleInfo {
                dialect,
                erxudp_mode: d.erxudp_mode,
                stack_version: d.stack_version.clone(),
                app_version: d.app_version.clone(),
                supports_ropt: d.supports_ropt,
            };
            self.dongle = Some(info.clone());
            self.events.push_back(Event::Dongle(info));
        }
        // Prepare: echo off; RSSI in ERXUDP on dual-stack; end any old session.
        self.step = Step::Settings;
        self.set_phase(Phase::ExpectSettings, now);
        self.submit(Command::echo_off(), Cmd::Setting, now);
        if dialect == Some(Dialect::DualStack) {
            self.submit(
                Command::SregWrite {
                    reg: 0xA2,
                    value: 1,
                },
                Cmd::Setting,
                now,
            );
        }
        if self.cfg.terminate_first {
            self.submit(Command::Term, Cmd::Setting, now);
        }
    }

    fn after_settings(&mut self, now: Instant) {
        if self.creds.is_some() {
            self.send_credentials(now);
        } else {
            self.step = Step::AwaitCredentials;
            self.set_phase(Phase::ExpectCredentials, now);
            self.events.push_back(Event::NeedCredentials);
        }
    }

    fn send_credentials(&mut self, now: Instant) {
        let Some((id, pw)) = self.creds.clone() else {
            return;
        };
        self.step = Step::Credentials;
        self.set_phase(Phase::ExpectCredentialsSet, now);
        self.submit(Command::SetPwd(pw), Cmd::Credential, now);
        self.submit(Command::SetRbid(id), Cmd::Credential, now);
    }

    fn after_credentials(&mut self, now: Instant) {
        match (&self.profile, self.cfg.use_profile) {
            (Some(p), true) => {
                self.target = Some(Target {
                    channel: p.channel,
                    pan_id: p.pan_id,
                    mac: p.mac,
                });
                self.configure_channel(true, now);
            }
            _ => self.start_scan(1, false, now),
        }
    }

    fn attempts(&self) -> u8 {
        u8::try_from(self.cfg.scan_durations.len().max(1)).unwrap_or(u8::MAX)
    }

    fn start_scan(&mut self, attempt: u8, single_channel: bool, now: Instant) {
        let idx = usize::from(attempt.saturating_sub(1));
        let duration = self
            .cfg
            .scan_durations
            .get(idx)
            .or(self.cfg.scan_durations.last())
            .copied()
            .unwrap_or(6);
        let mask = match (single_channel, &self.profile) {
            (true, Some(p)) if (0x21..=0x3C).contains(&p.channel) => 1u32 << (p.channel - 0x21),
            _ => self.cfg.channel_mask,
        };
        if attempt == 1 {
            self.heard_other = false;
        }
        self.step = Step::Scan {
            attempt,
            single_channel,
        };
        if self.joined_once {
            self.set_phase(Phase::Reconnecting, now);
        } else {
            self.set_phase(Phase::ExpectScan, now);
        }
        let expected = skstack::command::scan_duration(mask, duration);
        self.events.push_back(Event::ScanStarted {
            attempt,
            attempts: self.attempts(),
            duration,
            expected_ms: u64::try_from(expected.as_millis()).unwrap_or(u64::MAX),
            single_channel,
        });
        match self
            .driver
            .scan(ScanMode::ActiveWithPairingId, mask, duration, now)
        {
            Ok(id) => self.cmds.push((id, Cmd::Scan)),
            Err(DriverError::J11Detected) => self.stop(Cause::J11Dongle, now),
            Err(_) => self.stop(Cause::DongleError, now),
        }
    }

    fn on_pan(&mut self, p: &PanDesc) {
        let matches = self.pair_matches(p);
        if let Some(l) = p.lqi {
            self.figures.last_lqi = Some(l);
            self.figures.last_rssi_dbm = p.rssi_dbm().map(|r| r.round() as i16);
        }
        self.events.push_back(Event::PanFound(PanInfo {
            channel: p.channel,
            pan_id: p.pan_id,
            mac: p.addr,
            lqi: p.lqi,
            matches,
        }));
    }

    fn pair_matches(&self, p: &PanDesc) -> bool {
        match (&self.creds, &p.pair_id) {
            (Some((id, _)), Some(pair)) => pair.eq_ignore_ascii_case(id.pairing_id()),
            // A mode-2 scan only gets beacons that carry our pairing ID; without the line
            // (some firmware) accept it.
            (_, None) => true,
            _ => false,
        }
    }

    fn on_scan_result(&mut self, result: Result<Response, DriverError>, now: Instant) {
        let Step::Scan {
            attempt,
            single_channel,
        } = self.step
        else {
            return;
        };
        let pans = match result {
            Ok(Response::Scan(p)) => p,
            Ok(_) | Err(DriverError::Timeout { .. }) => Vec::new(),
            Err(DriverError::J11Detected) => return self.stop(Cause::J11Dongle, now),
            Err(_) => return self.stop(Cause::DongleError, now),
        };
        self.events.push_back(Event::ScanFinished {
            attempt,
            heard: u8::try_from(pans.len()).unwrap_or(u8::MAX),
        });
        let best = pans
            .iter()
            .filter(|p| self.pair_matches(p))
            .max_by_key(|p| p.lqi.unwrap_or(0));
        if let Some(p) = best {
            self.target = Some(Target {
                channel: p.channel,
                pan_id: p.pan_id,
                mac: p.addr,
            });
            self.configure_channel(false, now);
            return;
        }
        if !pans.is_empty() {
            self.heard_other = true;
        }
        if single_channel {
            // The remembered channel is silent: scan everything.
            return self.start_scan(1, false, now);
        }
        if attempt < self.attempts() {
            return self.start_scan(attempt + 1, false, now);
        }
        let cause = if self.heard_other {
            Cause::MeterNotOurs
        } else {
            Cause::NoMeterHeard
        };
        if self.joined_once {
            // Recovering: keep trying, the meter may come back in range.
            self.events.push_back(Event::Triage(cause));
            self.backoff(Next::Rescan, now);
        } else {
            self.stop(cause, now);
        }
    }

    fn configure_channel(&mut self, from_profile: bool, now: Instant) {
        let Some(t) = self.target else { return };
        self.step = Step::Channel { from_profile };
        self.set_phase(Phase::ExpectChannel, now);
        match Command::set_channel(t.channel) {
            Ok(c) => {
                self.submit(c, Cmd::Channel, now);
            }
            Err(_) => return self.stop(Cause::DongleError, now),
        }
        self.submit(Command::set_pan_id(t.pan_id), Cmd::Channel, now);
    }

    fn join(&mut self, from_profile: bool, now: Instant) {
        let Some(t) = self.target else { return };
        self.step = Step::Join { from_profile };
        if self.joined_once {
            self.set_phase(Phase::Reconnecting, now);
        } else {
            self.set_phase(Phase::ExpectJoin, now);
        }
        self.events.push_back(Event::JoinStarted {
            channel: t.channel,
            from_profile,
        });
        self.submit(Command::Join(t.ip()), Cmd::Join, now);
    }

    fn on_join_result(&mut self, result: Result<Response, DriverError>, now: Instant) {
        let Step::Join { from_profile } = self.step else {
            return;
        };
        match result {
            Ok(Response::Joined) => self.on_joined(now),
            Ok(_) => {}
            Err(DriverError::JoinFailed) => {
                self.refusals = self.refusals.saturating_add(1);
                if self.refusals >= self.cfg.max_refusals {
                    return self.stop(Cause::AuthRefused, now);
                }
                if from_profile {
                    // The remembered meter refused or is gone: find it again.
                    self.start_scan(1, true, now);
                } else if self.joined_once {
                    self.lose_session(now);
                } else {
                    self.join(false, now);
                }
            }
            Err(DriverError::J11Detected) => self.stop(Cause::J11Dongle, now),
            Err(_) => {
                if from_profile {
                    self.start_scan(1, true, now);
                } else if self.joined_once {
                    self.lose_session(now);
                } else {
                    self.start_scan(1, false, now);
                }
            }
        }
    }

    fn on_joined(&mut self, now: Instant) {
        self.refusals = 0;
        self.reauth_hold = false;
        if let Some(p) = self.profile() {
            self.profile = Some(p.clone());
            self.events.push_back(Event::Profile(p));
        }
        self.events.push_back(Event::Joined);
        let recovering = self.joined_once;
        self.joined_once = true;
        self.recovery = 0;
        self.silent_polls = 0;
        if recovering && self.meter.is_some() {
            if self.lost_reported {
                self.lost_reported = false;
                self.events.push_back(Event::Recovered);
            }
            self.enter_reading(now);
            return;
        }
        if self.meter_class.is_some() {
            self.identify(now);
        } else {
            self.step = Step::InstanceList {
                until: now.saturating_add(self.cfg.instance_list_wait),
                asked: false,
            };
            self.set_phase(Phase::ExpectInstanceList, now);
        }
    }

    fn identify(&mut self, now: Instant) {
        let Some(class) = self.meter_class else {
            return;
        };
        self.step = Step::Identity;
        self.set_phase(Phase::ExpectIdentity, now);
        if self.meter.is_none() {
            self.meter = Some(MeterIdentity::new(class));
        }
        let epcs: &[u8] = match class {
            MeterClass::LowVoltage => &[0x82, 0x8A, 0x8D, 0x9F, 0xD3, 0xD7, 0xE1],
            MeterClass::HighVoltage => {
                &[0x82, 0x8A, 0x8D, 0x9F, 0xD3, 0xD4, 0xE5, 0xE6, 0xC5, 0xCD]
            }
        };
        let frame = builder::get_request(self.next_tid(), class.eoj(), epcs);
        self.send_frame(frame, ReqKind::Identity, now);
    }

    fn enter_reading(&mut self, now: Instant) {
        self.step = Step::Reading;
        self.next_poll = now;
        let phase = if self.tx_hold {
            Phase::TxLimited
        } else if self.reauth_hold {
            Phase::ReAuthenticating
        } else {
            Phase::Reading
        };
        self.set_phase(phase, now);
    }

    fn next_tid(&mut self) -> u16 {
        self.tid = self.tid.wrapping_add(1);
        if self.tid == 0 {
            self.tid = 1;
        }
        self.tid
    }

    /// Send an ECHONET Lite request and track it.
    fn send_frame(&mut self, frame: FrameRepr<'_>, kind: ReqKind, now: Instant) {
        let Ok(bytes) = frame.to_vec() else { return };
        self.send_bytes(bytes, frame.tid, frame.deoj, kind, now);
    }

    fn send_bytes(&mut self, bytes: Vec<u8>, tid: u16, deoj: Eoj, kind: ReqKind, now: Instant) {
        let Some(t) = self.target else { return };
        // AIF rule: wait 20 s, or 60 s for several properties or the big histories.
        let long = FrameRepr::parse_bytes(&bytes).is_ok_and(|f| {
            f.props.len() > 1 || f.props.iter().any(|p| matches!(p.epc, 0xE2 | 0xE4 | 0xEC))
        });
        let wait = Duration::from_secs(if long { 60 } else { 20 });
        self.figures.frames_sent += 1;
        self.figures.payload_bytes_sent += bytes.len() as u64;
        self.events.push_back(Event::Frame {
            dir: Direction::Out,
            at: now,
            bytes: bytes.clone(),
        });
        match self.driver.send_udp(t.ip(), bytes, self.cfg.security, now) {
            Ok(id) => self.cmds.push((id, Cmd::Send { tid })),
            Err(DriverError::J11Detected) => return self.stop(Cause::J11Dongle, now),
            Err(_) => return self.stop(Cause::DongleError, now),
        }
        self.req = Some(Request {
            tid,
            deoj,
            kind,
            sent: now,
            deadline: now.saturating_add(wait),
        });
    }

    fn on_completed(
        &mut self,
        purpose: Cmd,
        command: CommandKind,
        result: Result<Response, DriverError>,
        now: Instant,
    ) {
        if matches!(result, Err(DriverError::J11Detected)) && self.step != Step::Stopped {
            return self.stop(Cause::J11Dongle, now);
        }
        match purpose {
            Cmd::Setting => {
                // Failures here are tolerated (e.g. SKTERM without a session: FAIL ER10).
                if self.step == Step::Settings && !self.pending(Cmd::Setting) {
                    self.after_settings(now);
                }
            }
            Cmd::Credential => {
                if let Err(e) = result {
                    if matches!(e, DriverError::Timeout { .. }) {
                        return self.stop(Cause::NoDongleAnswer, now);
                    }
                    return self.stop(Cause::DongleError, now);
                }
                if self.step == Step::Credentials && !self.pending(Cmd::Credential) {
                    self.after_credentials(now);
                }
            }
            Cmd::Scan => self.on_scan_result(result, now),
            Cmd::Channel => {
                if result.is_err() {
                    return self.stop(Cause::DongleError, now);
                }
                if let Step::Channel { from_profile } = self.step {
                    if !self.pending(Cmd::Channel) {
                        self.join(from_profile, now);
                    }
                }
            }
            Cmd::Join => self.on_join_result(result, now),
            Cmd::Send { tid } => {
                let failed = match result {
                    Ok(Response::Sent { udp_result }) => udp_result == Some(0x01),
                    Ok(_) => false,
                    Err(_) => true,
                };
                if failed {
                    // Not transmitted (carrier busy, no ACK, transmit limit): give up on this
                    // request now instead of waiting for its deadline.
                    if self.req.as_ref().is_some_and(|r| r.tid == tid) {
                        self.request_failed(now);
                    }
                }
            }
            Cmd::Other => {
                let _ = (command, result);
            }
        }
    }

    fn on_sk_event(&mut self, e: &SkEvent, now: Instant) {
        match e.num {
            // Session lifetime expired: the dongle re-authenticates by itself. Hold sends.
            0x29 if self.joined_once && !self.reauth_hold => {
                self.reauth_hold = true;
                if self.step == Step::Reading {
                    self.set_phase(Phase::ReAuthenticating, now);
                }
            }
            0x25 if !matches!(self.step, Step::Join { .. }) && self.reauth_hold => {
                self.reauth_hold = false;
                if self.step == Step::Reading {
                    self.enter_reading_keep_poll(now);
                }
            }
            0x24 if !matches!(self.step, Step::Join { .. }) && self.joined_once => {
                // Re-authentication failed: join again.
                self.reauth_hold = false;
                self.lose_session(now);
            }
            0x26..=0x28 if self.joined_once && !matches!(self.step, Step::Settings) => {
                self.lose_session(now);
            }
            0x32 => {
                self.tx_hold = true;
                self.events.push_back(Event::Triage(Cause::TxLimit));
                if self.step == Step::Reading {
                    self.set_phase(Phase::TxLimited, now);
                }
            }
            0x33 if self.tx_hold => {
                self.tx_hold = false;
                self.events.push_back(Event::Recovered);
                if self.step == Step::Reading {
                    self.enter_reading_keep_poll(now);
                }
            }
            _ => {}
        }
    }

    fn enter_reading_keep_poll(&mut self, now: Instant) {
        let next = self.next_poll;
        self.enter_reading(now);
        self.next_poll = next.max(now);
    }

    fn lose_session(&mut self, now: Instant) {
        if matches!(self.step, Step::Stopped) {
            return;
        }
        if let Some(r) = self.req.take() {
            self.remember(r);
        }
        self.partial = None;
        self.poll_queue.clear();
        if !self.lost_reported {
            self.lost_reported = true;
            self.events.push_back(Event::Triage(Cause::SessionLost));
        }
        let next = if self.recovery < REJOIN_ATTEMPTS {
            Next::Rejoin
        } else {
            Next::Rescan
        };
        self.backoff(next, now);
    }

    fn backoff(&mut self, next: Next, now: Instant) {
        let i = usize::from(self.recovery).min(BACKOFF_MS.len() - 1);
        self.recovery = self.recovery.saturating_add(1);
        self.step = Step::Backoff {
            until: Instant(now.as_millis().saturating_add(BACKOFF_MS[i])),
            next,
        };
        self.set_phase(Phase::Reconnecting, now);
    }

    fn remember(&mut self, r: Request) {
        self.recent.push_back(r);
        while self.recent.len() > 16 {
            self.recent.pop_front();
        }
    }

    fn request_failed(&mut self, now: Instant) {
        let Some(r) = self.req.take() else { return };
        self.figures.timeouts += 1;
        let kind = r.kind;
        self.remember(r);
        match kind {
            ReqKind::Poll => {
                self.partial = None;
                self.poll_queue.clear();
                self.silent_polls = self.silent_polls.saturating_add(1);
                if self.silent_polls >= self.cfg.silence_limit {
                    self.silent_polls = 0;
                    self.lose_session(now);
                } else {
                    // Retransmit with a new TID soon (AIF), not at once.
                    self.next_poll = now.saturating_add(Duration::from_secs(2));
                }
            }
            ReqKind::Identity => {
                self.identity_tries += 1;
                if self.identity_tries < 3 {
                    self.identify(now);
                } else {
                    // Proceed with what is known; values stay raw where scaling is missing.
                    if let Some(m) = self.meter.clone() {
                        self.events.push_back(Event::Meter(m));
                    }
                    self.enter_reading(now);
                }
            }
            ReqKind::InstanceList => {
                // No answer from the node profile: assume the common low-voltage meter.
                self.meter_class.get_or_insert(MeterClass::LowVoltage);
                self.identify(now);
            }
            ReqKind::HistoryToday | ReqKind::HistorySet | ReqKind::HistoryGet => {
                if let Some(h) = &mut self.history {
                    h.failures += 1;
                    h.ready_at = now.saturating_add(self.cfg.history_gap);
                    if h.failures > 5 {
                        self.history = None;
                        self.events
                            .push_back(Event::HistoryDone { complete: false });
                    }
                }
                if self.silent_polls + 1 >= self.cfg.silence_limit {
                    self.silent_polls = 0;
                    self.lose_session(now);
                } else {
                    self.silent_polls += 1;
                }
            }
        }
    }

    /// Timers and scheduled work. Returns true when something happened.
    fn tick(&mut self, now: Instant) -> bool {
        if let Some(r) = &self.req {
            if now >= r.deadline {
                self.request_failed(now);
                return true;
            }
        }
        match self.step {
            Step::InstanceList { until, asked } if now >= until => {
                if asked {
                    return false;
                }
                self.step = Step::InstanceList {
                    until: Instant(u64::MAX),
                    asked: true,
                };
                let frame = builder::get_request(self.next_tid(), Eoj::NODE_PROFILE, &[0xD6]);
                self.send_frame(frame, ReqKind::InstanceList, now);
                true
            }
            Step::Backoff { until, next } if now >= until => {
                match next {
                    Next::Rejoin => self.join(false, now),
                    Next::Rescan => {
                        let single = self.profile.is_some();
                        self.start_scan(1, single, now);
                    }
                }
                true
            }
            Step::Reading if self.req.is_none() && !self.held() => {
                if now >= self.next_poll {
                    self.send_poll(now);
                    return true;
                }
                if self.history.as_ref().is_some_and(|h| now >= h.ready_at) {
                    return self.send_history_step(now);
                }
                false
            }
            _ => false,
        }
    }

    fn poll_epcs(&self) -> Vec<u8> {
        let Some(m) = &self.meter else {
            return Vec::new();
        };
        let want: &[u8] = match m.class {
            MeterClass::LowVoltage => &[0xE7, 0xE8, 0xE0, 0xE3],
            MeterClass::HighVoltage => &[0xE2, 0xC3, 0xC1, 0xCA],
        };
        let required: &[u8] = &[0xE7, 0xE8, 0xE0, 0xE2];
        want.iter()
            .copied()
            .filter(|&e| required.contains(&e) || m.can_get(e))
            .collect()
    }

    fn send_poll(&mut self, now: Instant) {
        let Some(class) = self.meter.as_ref().map(|m| m.class) else {
            return;
        };
        if self.poll_queue.is_empty() {
            let epcs = self.poll_epcs();
            if self.cfg.batch {
                let frame = builder::get_request(self.next_tid(), class.eoj(), &epcs);
                self.next_poll = now.saturating_add(self.cfg.poll_interval);
                self.send_frame(frame, ReqKind::Poll, now);
                return;
            }
            self.poll_queue.extend(epcs);
            self.next_poll = now.saturating_add(self.cfg.poll_interval);
        }
        if let Some(epc) = self.poll_queue.pop_front() {
            let epcs = [epc];
            let frame = builder::get_request(self.next_tid(), class.eoj(), &epcs);
            self.send_frame(frame, ReqKind::Poll, now);
        }
    }

    fn send_history_step(&mut self, now: Instant) -> bool {
        let (Some(job), Some(class)) = (&self.history, self.meter.as_ref().map(|m| m.class)) else {
            return false;
        };
        let Some(step) = job.steps.front().copied() else {
            self.history = None;
            self.events.push_back(Event::HistoryDone { complete: true });
            return true;
        };
        let request = job.request;
        let eoj = class.eoj();
        let tid = self.next_tid();
        let bytes: Option<(Vec<u8>, ReqKind)> = match (step, class) {
            (HStep::LearnToday, MeterClass::LowVoltage) => {
                let epcs: &[u8] = if self
                    .meter
                    .as_ref()
                    .is_some_and(|m| m.get_map.as_ref().is_some_and(|g| g.contains(0x98)))
                {
                    &[0x98]
                } else {
                    &[0xEA]
                };
                builder::get_request(tid, eoj, epcs)
                    .to_vec()
                    .ok()
                    .map(|b| (b, ReqKind::HistoryToday))
            }
            (HStep::LearnToday, MeterClass::HighVoltage) => builder::get_request(tid, eoj, &[0xE2])
                .to_vec()
                .ok()
                .map(|b| (b, ReqKind::HistoryToday)),
            (HStep::SetDay(d), MeterClass::LowVoltage) => builder::setc_history1_day(tid, eoj, d)
                .ok()
                .map(|b| (b.to_vec(), ReqKind::HistorySet)),
            (HStep::SetDay(d), MeterClass::HighVoltage) => {
                builder::setc_hv_history_day(tid, eoj, d)
                    .ok()
                    .map(|b| (b.to_vec(), ReqKind::HistorySet))
            }
            (HStep::GetDay(_), _) => {
                let m = self.meter.as_ref();
                let can = |e: u8| m.is_some_and(|m| m.can_get(e));
                let epcs: Vec<u8> = match class {
                    MeterClass::LowVoltage => [0xE2, 0xE4]
                        .into_iter()
                        .filter(|&e| e == 0xE2 || can(e))
                        .collect(),
                    MeterClass::HighVoltage => [0xE7, 0xC6, 0xCE]
                        .into_iter()
                        .filter(|&e| e == 0xE7 || can(e))
                        .collect(),
                };
                builder::get_request(tid, eoj, &epcs)
                    .to_vec()
                    .ok()
                    .map(|b| (b, ReqKind::HistoryGet))
            }
            (HStep::SetPairs, _) => match request {
                HistoryRequest::HalfHours { stamp, count } => {
                    builder::setc_history2(tid, eoj, stamp, count)
                        .ok()
                        .map(|b| (b.to_vec(), ReqKind::HistorySet))
                }
                HistoryRequest::Minutes { stamp, count } => {
                    builder::setc_history3(tid, eoj, stamp, count)
                        .ok()
                        .map(|b| (b.to_vec(), ReqKind::HistorySet))
                }
                HistoryRequest::Days { .. } => None,
            },
            (HStep::GetPairs, _) => {
                let epc = match request {
                    HistoryRequest::Minutes { .. } => 0xEE,
                    _ => 0xEC,
                };
                builder::get_request(tid, eoj, &[epc])
                    .to_vec()
                    .ok()
                    .map(|b| (b, ReqKind::HistoryGet))
            }
        };
        match bytes {
            Some((b, kind)) => {
                self.send_bytes(b, tid, eoj, kind, now);
                true
            }
            None => {
                // An argument the builders refuse (e.g. a bad stamp): the job cannot run.
                self.history = None;
                self.events
                    .push_back(Event::HistoryDone { complete: false });
                true
            }
        }
    }

    // ------------------------------------------------------------------ ECHONET input

    fn on_rx(&mut self, r: RxUdp, now: Instant) {
        if r.rport != ECHONET_PORT && r.lport != ECHONET_PORT {
            return; // PANA and others
        }
        if let Some(rssi) = r.rssi {
            self.figures.last_rssi_dbm = Some(rssi);
        }
        self.events.push_back(Event::Frame {
            dir: Direction::In,
            at: now,
            bytes: r.data.clone(),
        });
        let Ok(frame) = FrameRepr::parse_bytes(&r.data) else {
            return;
        };
        if frame.esv == Esv::Infc {
            if let Some(res) = builder::infc_res_for(&frame) {
                if let (Ok(bytes), Some(t)) = (res.to_vec(), self.target) {
                    if !self.held() {
                        if let Ok(id) = self.driver.send_udp(t.ip(), bytes, self.cfg.security, now)
                        {
                            self.cmds.push((id, Cmd::Other));
                        }
                    }
                }
            }
        }
        let is_response = matches!(
            frame.esv,
            Esv::GetRes | Esv::GetSna | Esv::SetRes | Esv::SetCSna
        );
        if is_response {
            let matched = self
                .req
                .as_ref()
                .is_some_and(|q| q.tid == frame.tid && same_object(q.deoj, frame.seoj));
            if matched {
                let q = self.req.take().expect("checked");
                return self.on_response(q, &frame, r.rssi, now, false);
            }
            if let Some(i) = self
                .recent
                .iter()
                .position(|q| q.tid == frame.tid && same_object(q.deoj, frame.seoj))
            {
                // A late answer to a request we gave up on: its readings are still real.
                if let Some(q) = self.recent.remove(i) {
                    self.on_response(q, &frame, r.rssi, now, true);
                }
            }
            return;
        }
        if matches!(frame.esv, Esv::Inf | Esv::Infc) {
            self.on_notification(&frame, now);
        }
    }

    fn on_notification(&mut self, frame: &FrameRepr<'_>, now: Instant) {
        match frame.seoj.class_code() {
            ClassCode::NodeProfile => {
                for p in frame.props.iter() {
                    if matches!(p.epc, 0xD5 | 0xD6) {
                        self.learn_instances(p.epc, p.edt, now);
                    }
                }
            }
            ClassCode::LowVoltageSmartMeter => {
                let hh = self.half_hour_from(frame, now);
                if hh.normal.is_some() || hh.reverse.is_some() {
                    self.events.push_back(Event::HalfHour(hh));
                }
            }
            _ => {}
        }
    }

    fn learn_instances(&mut self, epc: u8, edt: &[u8], now: Instant) {
        let Ok(list) = InstanceList::parse(epc, edt) else {
            return;
        };
        let class = list.iter().find_map(|e| match e.class_code() {
            ClassCode::LowVoltageSmartMeter => Some(MeterClass::LowVoltage),
            ClassCode::HighVoltageSmartMeter => Some(MeterClass::HighVoltage),
            _ => None,
        });
        match class {
            Some(c) => {
                let first = self.meter_class.is_none();
                self.meter_class = Some(c);
                if first && matches!(self.step, Step::InstanceList { .. }) {
                    // An answer to our D6 Get may still be pending; it is no longer needed.
                    if let Some(q) = self.req.take() {
                        self.remember(q);
                    }
                    self.identify(now);
                }
            }
            None if matches!(self.step, Step::InstanceList { .. }) && !list.is_empty() => {
                self.stop(Cause::NotAMeter, now)
            }
            None => {}
        }
    }

    fn on_response(
        &mut self,
        q: Request,
        frame: &FrameRepr<'_>,
        rssi: Option<i16>,
        now: Instant,
        late: bool,
    ) {
        let rtt = now.as_millis().saturating_sub(q.sent.as_millis());
        match q.kind {
            ReqKind::InstanceList => {
                for p in frame.props.iter() {
                    if p.epc == 0xD6 && !p.edt.is_empty() {
                        self.learn_instances(0xD6, p.edt, now);
                    }
                }
                if matches!(self.step, Step::InstanceList { .. }) {
                    self.meter_class.get_or_insert(MeterClass::LowVoltage);
                    self.identify(now);
                }
            }
            ReqKind::Identity => {
                if let Some(m) = &mut self.meter {
                    apply_identity(m, frame);
                }
                if !late && self.step == Step::Identity {
                    if let Some(m) = self.meter.clone() {
                        self.events.push_back(Event::Meter(m));
                    }
                    self.enter_reading(now);
                }
            }
            ReqKind::Poll => {
                self.silent_polls = 0;
                let values = self.reading_from(frame);
                self.merge_reading(values, rssi, rtt, now, late);
                if !late && !self.poll_queue.is_empty() {
                    // One-EPC-per-Get strategy: send the next property at once.
                    self.send_poll(now);
                }
            }
            ReqKind::HistoryToday | ReqKind::HistorySet | ReqKind::HistoryGet => {
                self.silent_polls = 0;
                if !late {
                    self.on_history_response(q.kind, frame, now);
                }
            }
        }
    }

    fn merge_reading(
        &mut self,
        values: ReadingValues,
        rssi: Option<i16>,
        rtt: u64,
        now: Instant,
        late: bool,
    ) {
        let merged = match (self.partial.take(), values) {
            (Some((_, _, ReadingValues::Low(a))), ReadingValues::Low(b)) if !late => {
                ReadingValues::Low(LvReading {
                    power_w: b.power_w.or(a.power_w),
                    currents: b.currents.or(a.currents),
                    energy_normal: b.energy_normal.or(a.energy_normal),
                    energy_reverse: b.energy_reverse.or(a.energy_reverse),
                })
            }
            (Some((_, _, ReadingValues::High(a))), ReadingValues::High(b)) if !late => {
                ReadingValues::High(HvReading {
                    active_energy: b.active_energy.or(a.active_energy),
                    demand: b.demand.or(a.demand),
                    monthly_max_demand: b.monthly_max_demand.or(a.monthly_max_demand),
                    reactive_energy: b.reactive_energy.or(a.reactive_energy),
                })
            }
            (_, v) => v,
        };
        if !late && !self.poll_queue.is_empty() {
            self.partial = Some((now, rssi, merged));
            return;
        }
        self.figures.readings += 1;
        self.figures.last_rtt_ms = Some(rtt);
        self.figures.rtt_sum_ms += rtt;
        self.events.push_back(Event::Reading(Reading {
            at: now,
            rtt_ms: rtt,
            rssi_dbm: rssi,
            values: merged,
        }));
    }

    fn energy(&self, raw: Measured<u32>) -> Energy {
        let scaling = self.meter.as_ref().map(|m| m.lv);
        Energy {
            raw,
            kwh: raw.value().and_then(|r| scaling.and_then(|s| s.kwh(r))),
        }
    }

    fn reading_from(&self, frame: &FrameRepr<'_>) -> ReadingValues {
        let class = self
            .meter
            .as_ref()
            .map_or(MeterClass::LowVoltage, |m| m.class);
        match class {
            MeterClass::LowVoltage => {
                let mut r = LvReading {
                    power_w: None,
                    currents: None,
                    energy_normal: None,
                    energy_reverse: None,
                };
                for p in frame.props.iter().filter(|p| !p.edt.is_empty()) {
                    match echonet::lv::decode(p.epc, p.edt) {
                        Ok(LvValue::InstantPower(w)) => r.power_w = Some(w),
                        Ok(LvValue::Currents(c)) => r.currents = Some(c),
                        Ok(LvValue::CumulativeNormal(e)) => r.energy_normal = Some(self.energy(e)),
                        Ok(LvValue::CumulativeReverse(e)) => {
                            r.energy_reverse = Some(self.energy(e))
                        }
                        _ => {}
                    }
                }
                ReadingValues::Low(r)
            }
            MeterClass::HighVoltage => {
                let hv = self.meter.as_ref().map(|m| m.hv);
                let mut r = HvReading {
                    active_energy: None,
                    demand: None,
                    monthly_max_demand: None,
                    reactive_energy: None,
                };
                for p in frame.props.iter().filter(|p| !p.edt.is_empty()) {
                    match echonet::hv::decode(p.epc, p.edt) {
                        Ok(HvValue::ActiveEnergy(s)) => {
                            let kwh = s
                                .value
                                .value()
                                .and_then(|v| hv.and_then(|h| h.active_kwh(v)));
                            r.active_energy = Some((s.stamp, Energy { raw: s.value, kwh }));
                        }
                        Ok(HvValue::FixedTimeDemand(s)) => {
                            let kw = s
                                .value
                                .value()
                                .and_then(|v| hv.and_then(|h| h.demand_kw(v)));
                            r.demand = Some((s.stamp, s.value, kw));
                        }
                        Ok(HvValue::MonthlyMaxDemand(v)) => {
                            let kw = v.value().and_then(|x| hv.and_then(|h| h.demand_kw(x)));
                            r.monthly_max_demand = Some((v, kw));
                        }
                        Ok(HvValue::ReactiveEnergy(s)) => {
                            let kvarh = s
                                .value
                                .value()
                                .and_then(|v| hv.and_then(|h| h.reactive_kvarh(v)));
                            r.reactive_energy = Some((
                                s.stamp,
                                Energy {
                                    raw: s.value,
                                    kwh: kvarh,
                                },
                            ));
                        }
                        _ => {}
                    }
                }
                ReadingValues::High(r)
            }
        }
    }

    fn half_hour_from(&self, frame: &FrameRepr<'_>, now: Instant) -> HalfHour {
        let mut hh = HalfHour {
            at: now,
            normal: None,
            reverse: None,
        };
        for p in frame.props.iter().filter(|p| !p.edt.is_empty()) {
            match echonet::lv::decode(p.epc, p.edt) {
                Ok(LvValue::FixedTimeNormal(s)) => {
                    hh.normal = Some((s.stamp, self.energy(s.value)));
                }
                Ok(LvValue::FixedTimeReverse(s)) => {
                    hh.reverse = Some((s.stamp, self.energy(s.value)));
                }
                _ => {}
            }
        }
        hh
    }

    fn on_history_response(&mut self, kind: ReqKind, frame: &FrameRepr<'_>, now: Instant) {
        let Some(class) = self.meter.as_ref().map(|m| m.class) else {
            return;
        };
        if kind == ReqKind::HistoryToday {
            // Also a half-hour reading when it was EA.
            let hh = self.half_hour_from(frame, now);
            if hh.normal.is_some() {
                self.events.push_back(Event::HalfHour(hh));
            }
        }
        let gap = self.cfg.history_gap;
        let Some(job) = &mut self.history else {
            return;
        };
        let Some(step) = job.steps.front().copied() else {
            return;
        };
        job.ready_at = now.saturating_add(gap);
        match (step, kind) {
            (HStep::LearnToday, ReqKind::HistoryToday) => {
                job.today = today_from(frame, class);
                job.steps.pop_front();
                job.failures = 0;
            }
            (HStep::SetDay(_) | HStep::SetPairs, ReqKind::HistorySet) => {
                if frame.esv == Esv::SetCSna {
                    self.history = None;
                    self.events
                        .push_back(Event::HistoryDone { complete: false });
                    return;
                }
                job.steps.pop_front();
                job.failures = 0;
            }
            (HStep::GetDay(d), ReqKind::HistoryGet) => {
                let mut rec = HistoryRecord::Day {
                    days_ago: d,
                    date: job.today.and_then(|t| t.minus_days(u16::from(d))),
                    normal: None,
                    reverse: None,
                    demand: None,
                    reactive: None,
                };
                if let HistoryRecord::Day {
                    normal,
                    reverse,
                    demand,
                    reactive,
                    ..
                } = &mut rec
                {
                    for p in frame.props.iter().filter(|p| !p.edt.is_empty()) {
                        match class {
                            MeterClass::LowVoltage => match echonet::lv::decode(p.epc, p.edt) {
                                Ok(LvValue::HistoryNormal(h)) => *normal = Some(h),
                                Ok(LvValue::HistoryReverse(h)) => *reverse = Some(h),
                                _ => {}
                            },
                            MeterClass::HighVoltage => match echonet::hv::decode(p.epc, p.edt) {
                                Ok(HvValue::ActiveHistory(h)) => *normal = Some(h),
                                Ok(HvValue::DemandHistory(h)) => *demand = Some(h),
                                Ok(HvValue::ReactiveHistory(h)) => *reactive = Some(h),
                                _ => {}
                            },
                        }
                    }
                }
                job.steps.pop_front();
                job.failures = 0;
                job.done += 1;
                let progress = HistoryProgress {
                    done: job.done,
                    total: job.total,
                };
                self.events.push_back(Event::History(Box::new(rec)));
                self.events.push_back(Event::HistoryProgress(progress));
            }
            (HStep::GetPairs, ReqKind::HistoryGet) => {
                for p in frame.props.iter().filter(|p| !p.edt.is_empty()) {
                    if let Ok(LvValue::History2(h) | LvValue::History3(h)) =
                        echonet::lv::decode(p.epc, p.edt)
                    {
                        self.events
                            .push_back(Event::History(Box::new(HistoryRecord::Pairs(h))));
                    }
                }
                job.steps.pop_front();
                job.done += 1;
                let progress = HistoryProgress {
                    done: job.done,
                    total: job.total,
                };
                self.events.push_back(Event::HistoryProgress(progress));
            }
            _ => {}
        }
        if self.history.as_ref().is_some_and(|h| h.steps.is_empty()) {
            self.history = None;
            self.events.push_back(Event::HistoryDone { complete: true });
        }
    }
}

/// The answer's SEOJ matches the request's DEOJ (instance 0 addresses every instance).
fn same_object(requested: Eoj, answered: Eoj) -> bool {
    requested == answered
        || (requested.instance == 0 && requested.class_u16() == answered.class_u16())
}

fn today_from(frame: &FrameRepr<'_>, class: MeterClass) -> Option<Date> {
    for p in frame.props.iter().filter(|p| !p.edt.is_empty()) {
        match class {
            MeterClass::LowVoltage => match echonet::lv::decode(p.epc, p.edt) {
                Ok(LvValue::Common(CommonValue::CurrentDate(d))) => return Some(d),
                Ok(LvValue::FixedTimeNormal(s)) => {
                    if let OrUnset::Value(dt) = s.stamp {
                        return Some(dt.date());
                    }
                }
                _ => {}
            },
            MeterClass::HighVoltage => {
                if let Ok(HvValue::ActiveEnergy(s)) = echonet::hv::decode(p.epc, p.edt) {
                    if let OrUnset::Value(dt) = s.stamp {
                        return Some(dt.date());
                    }
                }
            }
        }
    }
    None
}

fn apply_identity(m: &mut MeterIdentity, frame: &FrameRepr<'_>) {
    for p in frame.props.iter().filter(|p| !p.edt.is_empty()) {
        if (0x80..=0x9F).contains(&p.epc) {
            match echonet::common::decode(p.epc, p.edt) {
                Ok(CommonValue::StandardVersion(v)) => m.release = v.release(),
                Ok(CommonValue::Manufacturer(c)) => m.maker = Some(c.0),
                Ok(CommonValue::ProductionNumber(n)) => m.serial = n.text().map(str::to_owned),
                Ok(CommonValue::GetMap(map)) => m.get_map = Some(map),
                _ => {}
            }
            continue;
        }
        match m.class {
            MeterClass::LowVoltage => match echonet::lv::decode(p.epc, p.edt) {
                Ok(LvValue::Coefficient(c)) => m.lv.coefficient = Some(c),
                Ok(LvValue::EnergyUnit(u)) => m.lv.unit = Some(u),
                Ok(LvValue::EffectiveDigits(d)) => m.lv.digits = Some(d),
                _ => {}
            },
            MeterClass::HighVoltage => match echonet::hv::decode(p.epc, p.edt) {
                Ok(HvValue::Coefficient(c)) => m.hv.coefficient = Some(c),
                Ok(HvValue::Multiplier(x)) => m.hv.multiplier = Some(x),
                Ok(HvValue::ActiveUnit(u)) => m.hv.active_unit = Some(u),
                Ok(HvValue::ActiveDigits(d)) => m.hv.active_digits = Some(d),
                Ok(HvValue::DemandUnit(u)) => m.hv.demand_unit = Some(u),
                Ok(HvValue::ReactiveUnit(u)) => m.hv.reactive_unit = Some(u),
                _ => {}
            },
        }
    }
}
