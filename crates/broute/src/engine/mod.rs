//! The engine: one state machine over a dongle-neutral [`Dongle`].
//!
//! The state ([`State`]) carries its own data, rustls `hs.rs` style; the public [`Phase`] is
//! derived from it. The work is split along its seams:
//!
//! * [`commission`]: identify the dongle, prepare it, credentials, scan, tune, join, learn the
//!   meter;
//! * [`reading`]: requests to the meter, received frames (only the joined meter's secured
//!   frames count), readings and half-hour values, the engine's own transmit budget;
//! * [`recovery`]: session events, the rejoin/reset/rescan ladder with backoff, holds;
//! * [`history`]: paced meter-history jobs.

use core::time::Duration;
use std::collections::VecDeque;

use skstack::command::Security;
use skstack::{Instant, RouteBId, RouteBPassword};

use crate::device::j11::J11Dongle;
use crate::device::sk::{SkDongle, SkOptions};
use crate::device::{DeviceEvent, Dongle, OpId, Outcome, Target};
use crate::profile::PairingProfile;
use crate::types::*;

mod commission;
mod history;
mod reading;
mod recovery;
mod values;

#[cfg(test)]
mod tests;

use history::HistoryJob;
use reading::Link;

/// Settings of the engine. `Default` is what the app uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Time between polls (from one request to the next). Default 10 s.
    pub poll_interval: Duration,
    /// Scan durations, one attempt each, growing (SKSTACK: per channel 9.6 ms × (2^d + 1)).
    pub scan_durations: Vec<u8>,
    /// One Get with every dashboard property (true), or one property per Get (false; only for
    /// comparing strategies).
    pub batch: bool,
    /// Use a pairing profile to skip the scan when one is given.
    pub use_profile: bool,
    /// SKSENDTO security flag (SKSTACK).
    pub security: Security,
    /// Minimum gap between history requests.
    pub history_gap: Duration,
    /// Authentication refusals in a row after which the engine stops (lock-out protection).
    pub max_refusals: u8,
    /// Unanswered polls in a row after which the session is considered lost.
    pub silence_limit: u8,
    /// Terminate any old PANA session at start (SKSTACK `SKTERM`).
    pub terminate_first: bool,
    /// ECHONET Lite payload bytes the engine sends per hour at most (its own budget, far below
    /// the radio's legal 4.5 MB/h: polls, answers to notifications and history together).
    pub tx_budget_bytes_per_hour: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(10),
            scan_durations: vec![4, 5, 6, 7, 8],
            batch: true,
            use_profile: true,
            security: Security::Required,
            history_gap: Duration::from_millis(1000),
            max_refusals: 2,
            silence_limit: 2,
            terminate_first: true,
            tx_budget_bytes_per_hour: 200_000,
        }
    }
}

/// Where the engine is. Each state keeps the data only it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Idle,
    /// Probing the port.
    Identifying {
        op: OpId,
    },
    /// Resetting the dongle (recovery from silence), then preparing it again.
    Resetting {
        op: OpId,
    },
    /// Putting the dongle in a known state.
    Preparing {
        op: OpId,
    },
    /// Waiting for the user's credentials.
    AwaitCredentials,
    SettingCredentials {
        op: OpId,
    },
    Scanning(commission::Scanning),
    Tuning(commission::Joining),
    Joining(commission::Joining),
    /// Learning who the meter is (and, on a low-voltage meter, the first reading with it).
    MeterIdentity(commission::Identifying),
    Reading,
    Backoff(recovery::Backoff),
    Stopped(Cause),
}

/// The commissioning and reading engine. See the crate docs for the calling protocol.
#[derive(Debug)]
pub struct Engine {
    cfg: Config,
    dev: Box<dyn Dongle>,
    state: State,
    /// The phase last reported.
    phase: Phase,
    creds: Option<(RouteBId, RouteBPassword)>,
    profile: Option<PairingProfile>,
    target: Option<Target>,
    dongle: Option<DongleInfo>,
    meter_class: Option<MeterClass>,
    /// The meter's instance list confirmed the class (it is assumed low-voltage until then).
    class_confirmed: bool,
    meter: Option<MeterIdentity>,
    /// Requests to the meter: the one in flight, late ones, the TID counter, the budget.
    link: Link,
    /// Sends held: re-authentication running.
    reauth_hold: bool,
    /// Sends held: the transmit budget is used up, and when to try again.
    tx_hold: Option<Instant>,
    refusals: u8,
    /// Refusals in a row after which the engine stops (the lock-out guard may lower it).
    refusal_limit: u8,
    /// The port was probed from the start (SKSTACK probes, then J11).
    probed: bool,
    /// A scan heard meters, none of them ours (this round of attempts).
    heard_other: bool,
    recovery: u8,
    joined_once: bool,
    lost_reported: bool,
    history: Option<HistoryJob>,
    events: VecDeque<Event>,
    figures: Figures,
}

impl Engine {
    /// A new engine. Give credentials now or when [`Event::NeedCredentials`] comes.
    pub fn new(cfg: Config) -> Self {
        let dev = SkDongle::new(
            SkOptions {
                security: cfg.security,
                terminate_first: cfg.terminate_first,
            },
            None,
        );
        let refusal_limit = cfg.max_refusals;
        Self {
            cfg,
            dev: Box::new(dev),
            state: State::Idle,
            phase: Phase::Idle,
            creds: None,
            profile: None,
            target: None,
            dongle: None,
            meter_class: None,
            class_confirmed: false,
            meter: None,
            link: Link::default(),
            reauth_hold: false,
            tx_hold: None,
            refusals: 0,
            refusal_limit,
            probed: false,
            heard_other: false,
            recovery: 0,
            joined_once: false,
            lost_reported: false,
            history: None,
            events: VecDeque::new(),
            figures: Figures::default(),
        }
    }

    // ------------------------------------------------------------------ public API

    /// Start commissioning: probe the dongle.
    pub fn start(&mut self, now: Instant) {
        if self.state != State::Idle {
            return;
        }
        let op = self.dev.identify(now);
        self.enter(State::Identifying { op }, now);
        self.pump(now);
    }

    /// Give the B-route ID and password (validated types: nothing else can reach the dongle).
    pub fn set_credentials(&mut self, id: RouteBId, password: RouteBPassword, now: Instant) {
        self.creds = Some((id, password));
        self.refusals = 0;
        self.refusal_limit = self.cfg.max_refusals;
        if self.state == State::AwaitCredentials {
            self.send_credentials(now);
        }
        self.pump(now);
    }

    /// How many authentication refusals this engine may still meet before it stops (call after
    /// [`Engine::set_credentials`]). The app's lock-out guard remembers refusals across
    /// engines — a Retry, a reconnect, a reload — and gives the engine what is left of the
    /// meter's patience: 0 means "do not even try to join with these credentials".
    pub fn set_refusals_allowed(&mut self, allowed: u8) {
        self.refusals = 0;
        self.refusal_limit = allowed;
    }

    /// A pairing profile from an earlier session: the engine joins without scanning, and scans
    /// when the meter is not there.
    pub fn set_profile(&mut self, profile: PairingProfile) {
        if self.state == State::Idle {
            // Talk to the remembered kind of dongle first (a J11 module is not probed with
            // SKSTACK text); identification falls back to probing when it does not answer.
            self.dev = match profile.dialect {
                Dialect::J11 => Box::new(J11Dongle::new()),
                d => Box::new(self.sk_dongle(Some(d))),
            };
        }
        self.profile = Some(profile);
    }

    fn sk_dongle(&self, dialect: Option<Dialect>) -> SkDongle {
        SkDongle::new(
            SkOptions {
                security: self.cfg.security,
                terminate_first: self.cfg.terminate_first,
            },
            dialect,
        )
    }

    /// The user accepted the `WOPT 01` proposal (a flash write; SKSTACK only).
    pub fn confirm_wopt(&mut self, now: Instant) {
        self.dev.accept_hex_output(now);
        self.pump(now);
    }

    /// Change the polling interval (at least 1 s; the default of 10 s respects the meter).
    pub fn set_poll_interval(&mut self, interval: Duration) {
        self.cfg.poll_interval = interval.max(Duration::from_secs(1));
    }

    /// The serial link is gone (device unplugged). The engine stops; start a new one with the
    /// pairing profile when the dongle is back.
    pub fn serial_lost(&mut self, now: Instant) {
        if matches!(self.state, State::Stopped(_)) {
            return;
        }
        self.stop(Cause::DongleLost, now);
    }

    /// Bytes from the serial port.
    pub fn handle_bytes(&mut self, bytes: &[u8], now: Instant) {
        self.dev.handle_bytes(bytes, now);
        self.pump(now);
    }

    /// The deadline from [`Engine::poll_timeout`] has passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.dev.handle_timeout(now);
        self.pump(now);
    }

    /// Next bytes to write to the serial port.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.dev.poll_transmit()
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
        t.extend(self.dev.poll_timeout());
        t.extend(self.link.deadline());
        t.extend(self.tx_hold);
        match &self.state {
            State::Backoff(b) => t.push(b.until),
            State::MeterIdentity(_) if !self.link.busy() => t.push(self.link.next_poll),
            State::Reading if !self.link.busy() && !self.held() => {
                t.push(self.link.next_poll);
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
            dialect: self.dev.dialect()?,
        })
    }

    /// True while a history job is running.
    pub fn history_running(&self) -> bool {
        self.history.is_some()
    }

    // ------------------------------------------------------------------ internals

    /// The public phase, derived from the state and the holds.
    fn derived_phase(&self) -> Phase {
        let recovering = self.joined_once;
        match &self.state {
            State::Idle => Phase::Idle,
            State::Identifying { .. } => Phase::ExpectDongle,
            State::Resetting { .. } | State::Backoff(_) => Phase::Reconnecting,
            State::Preparing { .. } | State::SettingCredentials { .. } if recovering => {
                Phase::Reconnecting
            }
            State::Preparing { .. } => Phase::ExpectSettings,
            State::AwaitCredentials => Phase::ExpectCredentials,
            State::SettingCredentials { .. } => Phase::ExpectCredentialsSet,
            State::Scanning(_) | State::Joining(_) if recovering => Phase::Reconnecting,
            State::Scanning(_) => Phase::ExpectScan,
            State::Tuning(_) => Phase::ExpectChannel,
            State::Joining(_) => Phase::ExpectJoin,
            State::MeterIdentity(i) if i.asked_instances => Phase::ExpectInstanceList,
            State::MeterIdentity(_) => Phase::ExpectIdentity,
            State::Reading if self.tx_hold.is_some() => Phase::TxLimited,
            State::Reading if self.reauth_hold => Phase::ReAuthenticating,
            State::Reading => Phase::Reading,
            State::Stopped(_) => Phase::Stopped,
        }
    }

    /// Report the phase when it changed.
    fn sync_phase(&mut self, now: Instant) {
        let phase = self.derived_phase();
        if self.phase != phase {
            self.phase = phase;
            self.figures.history.push((now, phase));
            self.events.push_back(Event::Phase(phase));
        }
    }

    fn enter(&mut self, state: State, now: Instant) {
        self.state = state;
        self.sync_phase(now);
    }

    fn held(&self) -> bool {
        self.reauth_hold || self.tx_hold.is_some()
    }

    fn stop(&mut self, cause: Cause, now: Instant) {
        self.link.abandon();
        self.events.push_back(Event::Triage(cause));
        self.enter(State::Stopped(cause), now);
    }

    /// Process device events, then run the scheduler, until nothing changes.
    fn pump(&mut self, now: Instant) {
        for _ in 0..64 {
            let mut progressed = false;
            while let Some(ev) = self.dev.poll_event() {
                progressed = true;
                self.on_device_event(ev, now);
            }
            progressed |= self.tick(now);
            if !progressed {
                break;
            }
        }
        self.figures.payload_bytes_last_hour = self.link.budget.used(now);
    }

    fn on_device_event(&mut self, ev: DeviceEvent, now: Instant) {
        match ev {
            DeviceEvent::Done { op, outcome } => self.on_done(op, outcome, now),
            DeviceEvent::Identified(info) => {
                self.dongle = Some(info.clone());
                self.events.push_back(Event::Dongle(info));
            }
            DeviceEvent::PanHeard(p) => self.on_pan(&p),
            DeviceEvent::Datagram(d) => self.on_datagram(d, now),
            DeviceEvent::Session(e) => self.on_session_event(e, now),
            DeviceEvent::HexOutputOffered => self.events.push_back(Event::WoptProposed),
        }
    }

    /// An operation ended: give it to whatever state waits for it.
    fn on_done(&mut self, op: OpId, outcome: Outcome, now: Instant) {
        if self.link.owns(op) {
            return self.on_send_done(op, outcome, now);
        }
        match self.state.clone() {
            State::Identifying { op: o } if o == op => self.on_identified(outcome, now),
            State::Resetting { op: o } if o == op => self.after_reset(outcome, now),
            State::Preparing { op: o } if o == op => self.after_prepare(outcome, now),
            State::SettingCredentials { op: o } if o == op => self.after_credentials(outcome, now),
            State::Scanning(s) if s.op == op => self.on_scan_result(s, outcome, now),
            State::Tuning(j) if j.op == op => self.after_tune(j, outcome, now),
            State::Joining(j) if j.op == op => self.on_join_result(j, outcome, now),
            _ => {}
        }
    }

    /// Timers and scheduled work. Returns true when something happened.
    fn tick(&mut self, now: Instant) -> bool {
        if self.link.expired(now) {
            self.request_failed(now);
            return true;
        }
        if self.tx_hold.is_some_and(|t| now >= t) {
            self.tx_hold_probe(now);
            return true;
        }
        match self.state.clone() {
            State::Backoff(b) if now >= b.until => {
                self.after_backoff(b, now);
                true
            }
            // An identity request that could not be sent (budget): send it again.
            State::MeterIdentity(i) if !self.link.busy() && now >= self.link.next_poll => {
                self.identify_meter(i.tries, now);
                true
            }
            State::Reading if !self.link.busy() && !self.held() => {
                if now >= self.link.next_poll {
                    return self.send_poll(now);
                }
                if self.history.as_ref().is_some_and(|h| now >= h.ready_at) {
                    return self.send_history_step(now);
                }
                false
            }
            _ => false,
        }
    }
}
