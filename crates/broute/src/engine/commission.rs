//! Commissioning: identify the dongle, prepare it, credentials, scan with growing durations,
//! pick the meter whose Pairing ID matches, tune, join (PANA), learn the meter.

use echonet::hv::Epc as Hv;
use echonet::lv::Epc as Lv;
use echonet::{builder, Eoj};
use skstack::Instant;

use super::reading::ReqKind;
use super::{Engine, State};
use crate::device::j11::J11Dongle;
use crate::device::{Channels, HeardPan, OpId, Outcome, Target};
use crate::types::*;

/// A running scan attempt: one sweep over the channels at one duration, a channel at a time
/// so that it ends as soon as our meter answers (the meter is usually found before the last
/// channel: a whole-band scan would run to its end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Scanning {
    pub(super) op: OpId,
    /// 1-based attempt.
    pub(super) attempt: u8,
    /// Only the remembered channel.
    pub(super) single_channel: bool,
    /// The scan duration of this attempt.
    duration: u8,
    /// The channel being scanned (one at a time).
    channel: u8,
    /// PANs heard in this sweep so far.
    heard: Vec<HeardPan>,
}

/// Tuning to a PAN, then joining it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Joining {
    pub(super) op: OpId,
    pub(super) target: Target,
    /// The target came from the pairing profile (or a recovery), not from a scan just now.
    pub(super) from_profile: bool,
}

/// Learning the meter: its class, identity and scaling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Identifying {
    /// Identity requests that went unanswered.
    pub(super) tries: u8,
    /// The node profile's instance list (D6) was asked for.
    pub(super) asked_instances: bool,
}

/// Identity and scaling EPCs per class (super-class EPCs are named in `lv::Epc`).
fn identity_epcs(class: MeterClass) -> Vec<u8> {
    let common = [
        Lv::StandardVersion,
        Lv::Manufacturer,
        Lv::ProductionNumber,
        Lv::GetMap,
    ];
    let mut v: Vec<u8> = common.into_iter().map(u8::from).collect();
    match class {
        MeterClass::LowVoltage => {
            v.extend([Lv::Coefficient, Lv::EffectiveDigits, Lv::EnergyUnit].map(u8::from))
        }
        MeterClass::HighVoltage => v.extend(
            [
                Hv::Coefficient,
                Hv::Multiplier,
                Hv::ActiveDigits,
                Hv::ActiveUnit,
                Hv::DemandUnit,
                Hv::ReactiveUnit,
            ]
            .map(u8::from),
        ),
    }
    v
}

/// The readings every meter of the class has (asked for with the identity, so the first
/// reading needs no second round trip).
fn first_reading_epcs(class: MeterClass) -> Vec<u8> {
    match class {
        MeterClass::LowVoltage => [Lv::InstantPower, Lv::Currents, Lv::CumulativeNormal]
            .map(u8::from)
            .to_vec(),
        MeterClass::HighVoltage => vec![u8::from(Hv::ActiveEnergy)],
    }
}

impl Engine {
    pub(super) fn on_identified(&mut self, outcome: Outcome, now: Instant) {
        match outcome {
            Outcome::OtherProtocol(Dialect::J11) => {
                // The port has a J11 module: hand it to the J11 driver.
                self.probed = true;
                self.dev = Box::new(J11Dongle::new());
                let op = self.dev.identify(now);
                self.enter(State::Identifying { op }, now);
            }
            Outcome::Done => {
                let channel = self.profile.as_ref().map(|p| p.channel);
                let op = self.dev.prepare(channel, now);
                self.enter(State::Preparing { op }, now);
            }
            Outcome::NoAnswer if self.dev.dialect() == Some(Dialect::J11) && !self.probed => {
                // A remembered J11 dongle did not answer: probe the port from the start.
                self.probed = true;
                self.dev = Box::new(self.sk_dongle(None));
                let op = self.dev.identify(now);
                self.enter(State::Identifying { op }, now);
            }
            Outcome::NoAnswer => self.stop(Cause::NoDongleAnswer, now),
            _ => self.stop(Cause::DongleError, now),
        }
    }

    pub(super) fn after_prepare(&mut self, outcome: Outcome, now: Instant) {
        match outcome {
            Outcome::Done => {}
            Outcome::NoAnswer => return self.stop(Cause::NoDongleAnswer, now),
            _ => return self.stop(Cause::DongleError, now),
        }
        if self.creds.is_some() {
            self.send_credentials(now);
        } else {
            self.enter(State::AwaitCredentials, now);
            self.events.push_back(Event::NeedCredentials);
        }
    }

    pub(super) fn send_credentials(&mut self, now: Instant) {
        let Some((id, pw)) = &self.creds else {
            return;
        };
        let op = self.dev.set_credentials(id, pw, now);
        self.enter(State::SettingCredentials { op }, now);
    }

    pub(super) fn after_credentials(&mut self, outcome: Outcome, now: Instant) {
        match outcome {
            Outcome::Done => {}
            Outcome::NoAnswer => return self.stop(Cause::NoDongleAnswer, now),
            _ => return self.stop(Cause::DongleError, now),
        }
        // A recovery that reset the dongle goes back to the meter it knew; a start with a
        // profile goes to the remembered meter; otherwise scan.
        let resume = if self.joined_once {
            self.target
        } else if self.cfg.use_profile {
            self.profile
                .as_ref()
                .filter(|p| self.dev.valid_channel(p.channel))
                .map(|p| Target {
                    channel: p.channel,
                    pan_id: p.pan_id,
                    mac: p.mac,
                })
        } else {
            None
        };
        match resume {
            Some(t) => {
                self.target = Some(t);
                self.tune(true, now);
            }
            None => self.start_scan(1, false, now),
        }
    }

    fn attempts(&self) -> u8 {
        u8::try_from(self.cfg.scan_durations.len().max(1)).unwrap_or(u8::MAX)
    }

    pub(super) fn start_scan(&mut self, attempt: u8, single_channel: bool, now: Instant) {
        let idx = usize::from(attempt.saturating_sub(1));
        let duration = self
            .cfg
            .scan_durations
            .get(idx)
            .or(self.cfg.scan_durations.last())
            .copied()
            .unwrap_or(6)
            .min(self.dev.max_scan_duration());
        let remembered = self
            .profile
            .as_ref()
            .map(|p| p.channel)
            .filter(|&c| single_channel && self.dev.valid_channel(c));
        let (channels, first) = match remembered {
            Some(c) => (Channels::Only(c), c),
            None => (Channels::All, *self.dev.channels().start()),
        };
        if attempt == 1 {
            self.heard_other = false;
        }
        let expected = self.dev.scan_time(duration, channels);
        let op = self.dev.scan(duration, Channels::Only(first), now);
        self.enter(
            State::Scanning(Scanning {
                op,
                attempt,
                single_channel: remembered.is_some(),
                duration,
                channel: first,
                heard: Vec::new(),
            }),
            now,
        );
        self.events.push_back(Event::ScanStarted {
            attempt,
            attempts: self.attempts(),
            duration,
            expected_ms: u64::try_from(expected.as_millis()).unwrap_or(u64::MAX),
            single_channel: remembered.is_some(),
        });
    }

    pub(super) fn on_pan(&mut self, p: &HeardPan) {
        let matches = self.pair_matches(p);
        if p.lqi.is_some() {
            self.figures.last_lqi = p.lqi;
        }
        if p.rssi_dbm.is_some() {
            self.figures.last_rssi_dbm = p.rssi_dbm;
        }
        self.events.push_back(Event::PanFound(PanInfo {
            channel: p.channel,
            pan_id: p.pan_id,
            mac: p.mac,
            lqi: p.lqi,
            rssi_dbm: p.rssi_dbm,
            matches,
        }));
    }

    fn pair_matches(&self, p: &HeardPan) -> bool {
        match (&self.creds, &p.pair_id) {
            (Some((id, _)), Some(pair)) => pair.eq_ignore_ascii_case(id.pairing_id()),
            // A Pairing-ID scan only gets beacons that carry our pairing ID; without the line
            // (some firmware, J11) accept it.
            (_, None) => true,
            _ => false,
        }
    }

    /// The signal of a heard PAN, for choosing among several.
    fn signal(p: &HeardPan) -> i32 {
        p.rssi_dbm
            .map(i32::from)
            .or(p.lqi.map(|l| i32::from(l) - 300))
            .unwrap_or(i32::MIN)
    }

    pub(super) fn on_scan_result(&mut self, mut s: Scanning, outcome: Outcome, now: Instant) {
        match outcome {
            Outcome::Scanned(p) => s.heard.extend(p),
            Outcome::NoAnswer => {}
            _ => return self.stop(Cause::DongleError, now),
        }
        let found = s.heard.iter().any(|p| self.pair_matches(p));
        let next = s
            .channel
            .checked_add(1)
            .filter(|c| self.dev.valid_channel(*c));
        if let (false, false, Some(channel)) = (found, s.single_channel, next) {
            // Our meter has not answered yet: the next channel of this sweep.
            s.op = self.dev.scan(s.duration, Channels::Only(channel), now);
            s.channel = channel;
            self.state = State::Scanning(s);
            return;
        }
        self.events.push_back(Event::ScanFinished {
            attempt: s.attempt,
            heard: u8::try_from(s.heard.len()).unwrap_or(u8::MAX),
        });
        let best = s
            .heard
            .iter()
            .filter(|p| self.pair_matches(p))
            .max_by_key(|p| Self::signal(p));
        if let Some(p) = best {
            self.target = Some(Target {
                channel: p.channel,
                pan_id: p.pan_id,
                mac: p.mac,
            });
            return self.tune(false, now);
        }
        if !s.heard.is_empty() {
            self.heard_other = true;
        }
        if s.single_channel {
            // The remembered channel is silent: scan everything.
            return self.start_scan(1, false, now);
        }
        if s.attempt < self.attempts() {
            return self.start_scan(s.attempt + 1, false, now);
        }
        let cause = if self.heard_other {
            Cause::MeterNotOurs
        } else {
            Cause::NoMeterHeard
        };
        if self.joined_once {
            // Recovering: keep trying, the meter may come back in range.
            self.events.push_back(Event::Triage(cause));
            self.backoff(super::recovery::Next::Rescan, now);
        } else {
            self.stop(cause, now);
        }
    }

    pub(super) fn tune(&mut self, from_profile: bool, now: Instant) {
        let Some(target) = self.target else { return };
        let op = self.dev.tune(&target, now);
        self.enter(
            State::Tuning(Joining {
                op,
                target,
                from_profile,
            }),
            now,
        );
    }

    pub(super) fn after_tune(&mut self, j: Joining, outcome: Outcome, now: Instant) {
        match outcome {
            Outcome::Done => self.join(j.from_profile, now),
            // J11: no meter answers our ID on that channel. From a scan just now, a beacon
            // was heard there: the ID is not this meter's.
            Outcome::NotFound if j.from_profile => self.start_scan(1, true, now),
            Outcome::NotFound if self.joined_once => self.lose_session(now),
            Outcome::NotFound => {
                self.heard_other = true;
                self.stop(Cause::MeterNotOurs, now)
            }
            Outcome::NoAnswer => self.stop(Cause::NoDongleAnswer, now),
            _ => self.stop(Cause::DongleError, now),
        }
    }

    pub(super) fn join(&mut self, from_profile: bool, now: Instant) {
        let Some(target) = self.target else { return };
        if self.refusal_limit == 0 {
            // The lock-out guard allows no further attempt with these credentials.
            return self.stop(Cause::AuthRefused, now);
        }
        let op = self.dev.join(&target, now);
        self.enter(
            State::Joining(Joining {
                op,
                target,
                from_profile,
            }),
            now,
        );
        self.events.push_back(Event::JoinStarted {
            channel: target.channel,
            from_profile,
        });
    }

    pub(super) fn on_join_result(&mut self, j: Joining, outcome: Outcome, now: Instant) {
        match outcome {
            Outcome::Joined { mac } => {
                if let (Some(mac), Some(t)) = (mac, &mut self.target) {
                    t.mac = mac;
                }
                self.on_joined(now)
            }
            Outcome::Refused => {
                self.refusals = self.refusals.saturating_add(1);
                if self.refusals >= self.refusal_limit {
                    return self.stop(Cause::AuthRefused, now);
                }
                if j.from_profile {
                    // The remembered meter refused or is gone: find it again.
                    self.start_scan(1, true, now);
                } else if self.joined_once {
                    self.lose_session(now);
                } else {
                    self.join(false, now);
                }
            }
            Outcome::OtherProtocol(_) | Outcome::Failed(_) if !self.joined_once => {
                self.stop(Cause::DongleError, now)
            }
            _ => {
                if j.from_profile {
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
        self.link.silent_polls = 0;
        if recovering && self.meter.is_some() {
            if self.lost_reported {
                self.lost_reported = false;
                self.events.push_back(Event::Recovered);
            }
            self.enter_reading(now);
            return;
        }
        self.identify_meter(0, now);
    }

    /// Ask the meter who it is. The class is assumed low-voltage (by far the most common)
    /// until the meter's instance list says otherwise; the low-voltage request carries the
    /// first reading's properties too, so the first reading needs no second round trip.
    pub(super) fn identify_meter(&mut self, tries: u8, now: Instant) {
        let class = *self.meter_class.get_or_insert(MeterClass::LowVoltage);
        if self.meter.as_ref().is_none_or(|m| m.class != class) {
            self.meter = Some(MeterIdentity::new(class));
        }
        self.enter(
            State::MeterIdentity(Identifying {
                tries,
                asked_instances: false,
            }),
            now,
        );
        let mut epcs = identity_epcs(class);
        epcs.extend(first_reading_epcs(class));
        let frame = builder::get_request(self.link.next_tid(), class.eoj(), &epcs);
        if !self.send_frame(frame, ReqKind::Identity, now) {
            // The engine's transmit budget is spent: ask again in a minute.
            self.link.next_poll = now.saturating_add(core::time::Duration::from_secs(60));
        }
    }

    /// The identity request went unanswered.
    pub(super) fn identity_unanswered(&mut self, now: Instant) {
        let State::MeterIdentity(i) = self.state.clone() else {
            return;
        };
        if self.class_confirmed || i.asked_instances {
            return self.identity_retry(i.tries, now);
        }
        // The class was a guess: ask the node profile which objects the meter has.
        self.enter(
            State::MeterIdentity(Identifying {
                tries: i.tries,
                asked_instances: true,
            }),
            now,
        );
        let epcs = [u8::from(echonet::node_profile::Epc::InstanceList)];
        let frame = builder::get_request(self.link.next_tid(), Eoj::NODE_PROFILE, &epcs);
        if !self.send_frame(frame, ReqKind::InstanceList, now) {
            self.link.next_poll = now.saturating_add(core::time::Duration::from_secs(60));
        }
    }

    pub(super) fn identity_retry(&mut self, tries: u8, now: Instant) {
        if tries < 3 {
            self.identify_meter(tries.saturating_add(1), now);
        } else {
            // Proceed with what is known; values stay raw where scaling is missing.
            if let Some(m) = self.meter.clone() {
                self.events.push_back(Event::Meter(m));
            }
            self.enter_reading(now);
        }
    }

    /// The meter's class, from an instance list (D5 notification or D6 answer).
    pub(super) fn learn_class(&mut self, class: MeterClass, now: Instant) {
        let changed = self.meter_class != Some(class);
        self.meter_class = Some(class);
        self.class_confirmed = true;
        if let State::MeterIdentity(i) = self.state.clone() {
            if changed || i.asked_instances {
                // An answer to the request for the wrong class (or to D6) is no longer needed.
                self.link.give_up_current();
                self.identify_meter(i.tries, now);
            }
        }
    }

    pub(super) fn enter_reading(&mut self, now: Instant) {
        self.link.next_poll = now;
        self.enter(State::Reading, now);
    }
}
