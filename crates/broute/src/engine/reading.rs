//! Reading: requests to the meter (one in flight, TID + SEOJ matching, late answers still
//! delivered), received frames, readings and half-hour values, and the engine's own transmit
//! budget.
//!
//! **Only the joined meter's secured frames count.** The radio is shared with the
//! neighbours: a frame is taken as meter data only after the join, only from the joined
//! meter's address, and only when the dongle says it was encrypted with the session key.
//! Everything else is dropped, counted in the figures and shown in the trace as ignored.

use core::time::Duration;
use std::collections::VecDeque;

use echonet::lv::Epc as Lv;
use echonet::node_profile::InstanceList;
use echonet::{builder, ClassCode, Eoj, Esv, FrameRepr};
use skstack::Instant;

use super::values::{apply_identity, half_hour_from, has_values, merge, reading_from};
use super::{Engine, State};
use crate::device::{Datagram, OpId, Outcome, SendFailure};
use crate::types::*;

/// ECHONET Lite port (3610).
const ECHONET_PORT: u16 = 0x0E1A;
/// Requests remembered after giving up on them, for late answers.
const RECENT_MAX: usize = 16;
/// How long sends are held after the transmit limit before trying again.
const TX_HOLD: Duration = Duration::from_secs(300);
/// Least time between two answers to notifications about the same EPC.
const INFC_GAP: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReqKind {
    InstanceList,
    Identity,
    Poll,
    HistoryToday,
    HistorySet,
    HistoryGet,
}

#[derive(Debug, Clone)]
pub(super) struct Request {
    tid: u16,
    deoj: Eoj,
    pub(super) kind: ReqKind,
    sent: Instant,
    deadline: Instant,
}

/// What a send operation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Request { tid: u16 },
    InfcRes,
}

/// The engine's own transmit budget: payload bytes per minute over the last hour.
#[derive(Debug, Default)]
pub(super) struct Budget {
    /// (minute, bytes), oldest first; at most 60 entries.
    minutes: VecDeque<(u64, u32)>,
}

impl Budget {
    fn trim(&mut self, now: Instant) {
        let minute = now.as_millis() / 60_000;
        while self.minutes.front().is_some_and(|(m, _)| *m + 60 <= minute) {
            self.minutes.pop_front();
        }
    }

    /// Bytes sent in the last hour.
    pub(super) fn used(&self, now: Instant) -> u64 {
        let minute = now.as_millis() / 60_000;
        self.minutes
            .iter()
            .filter(|(m, _)| *m + 60 > minute)
            .map(|(_, b)| u64::from(*b))
            .sum()
    }

    fn spend(&mut self, bytes: usize, now: Instant) {
        self.trim(now);
        let minute = now.as_millis() / 60_000;
        let bytes = u32::try_from(bytes).unwrap_or(u32::MAX);
        match self.minutes.back_mut() {
            Some((m, b)) if *m == minute => *b = b.saturating_add(bytes),
            _ => self.minutes.push_back((minute, bytes)),
        }
    }
}

/// Requests to the meter and what belongs to them.
#[derive(Debug, Default)]
pub(super) struct Link {
    tid: u16,
    req: Option<Request>,
    recent: VecDeque<Request>,
    /// When the next poll is due.
    pub(super) next_poll: Instant,
    poll_queue: VecDeque<u8>,
    partial: Option<(Option<i16>, ReadingValues)>,
    /// Polls unanswered in a row.
    pub(super) silent_polls: u8,
    sends: Vec<(OpId, Purpose)>,
    pub(super) budget: Budget,
    /// Last answer to a notification, per EPC.
    infc: Vec<(u8, Instant)>,
    /// BR-41 was reported and not yet cleared.
    tx_reported: bool,
}

impl Link {
    pub(super) fn next_tid(&mut self) -> u16 {
        self.tid = self.tid.wrapping_add(1);
        if self.tid == 0 {
            self.tid = 1;
        }
        self.tid
    }

    /// A request is in flight.
    pub(super) fn busy(&self) -> bool {
        self.req.is_some()
    }

    pub(super) fn deadline(&self) -> Option<Instant> {
        self.req.as_ref().map(|r| r.deadline)
    }

    pub(super) fn expired(&self, now: Instant) -> bool {
        self.req.as_ref().is_some_and(|r| now >= r.deadline)
    }

    fn remember(&mut self, r: Request) {
        self.recent.push_back(r);
        while self.recent.len() > RECENT_MAX {
            self.recent.pop_front();
        }
    }

    /// Stop waiting for the request in flight (its late answer is still taken).
    pub(super) fn give_up_current(&mut self) -> Option<ReqKind> {
        let r = self.req.take()?;
        let kind = r.kind;
        self.remember(r);
        Some(kind)
    }

    /// The session is gone: forget what was in progress.
    pub(super) fn abandon(&mut self) {
        self.give_up_current();
        self.partial = None;
        self.poll_queue.clear();
    }

    /// BR-41 was reported: clear it and say so.
    pub(super) fn take_tx_reported(&mut self) -> bool {
        core::mem::take(&mut self.tx_reported)
    }

    /// True when `op` is one of the link's sends.
    pub(super) fn owns(&self, op: OpId) -> bool {
        self.sends.iter().any(|(o, _)| *o == op)
    }
}

impl Engine {
    /// Send an ECHONET Lite request and track it.
    pub(super) fn send_frame(&mut self, frame: FrameRepr<'_>, kind: ReqKind, now: Instant) -> bool {
        let Ok(bytes) = frame.to_vec() else {
            return false;
        };
        self.send_request(bytes, frame.tid, frame.deoj, kind, now)
    }

    /// Send a request payload and track it. False when it could not be sent (the engine's
    /// budget is spent).
    pub(super) fn send_request(
        &mut self,
        bytes: Vec<u8>,
        tid: u16,
        deoj: Eoj,
        kind: ReqKind,
        now: Instant,
    ) -> bool {
        // AIF rule: wait 20 s, or 60 s for several properties or the big histories.
        let long = FrameRepr::parse_bytes(&bytes).is_ok_and(|f| {
            f.props.len() > 1
                || f.props.iter().any(|p| {
                    matches!(
                        Lv::from(p.epc),
                        Lv::HistoryNormal | Lv::HistoryReverse | Lv::History2
                    )
                })
        });
        let wait = Duration::from_secs(if long { 60 } else { 20 });
        if !self.transmit(bytes, Purpose::Request { tid }, now) {
            return false;
        }
        self.link.req = Some(Request {
            tid,
            deoj,
            kind,
            sent: now,
            deadline: now.saturating_add(wait),
        });
        true
    }

    /// Hand a payload to the dongle, within the engine's own budget. False when it was not
    /// sent (no meter address, or the budget is spent).
    fn transmit(&mut self, bytes: Vec<u8>, purpose: Purpose, now: Instant) -> bool {
        let Some(t) = self.target else { return false };
        let budget = u64::from(self.cfg.tx_budget_bytes_per_hour);
        if self.link.budget.used(now) + bytes.len() as u64 > budget {
            return false;
        }
        self.link.budget.spend(bytes.len(), now);
        self.figures.frames_sent += 1;
        self.figures.payload_bytes_sent += bytes.len() as u64;
        self.events.push_back(Event::Frame {
            dir: Direction::Out,
            at: now,
            bytes: bytes.clone(),
            ignored: None,
        });
        let op = self.dev.send(t.ip(), bytes, now);
        self.link.sends.push((op, purpose));
        true
    }

    /// A send operation ended.
    pub(super) fn on_send_done(&mut self, op: OpId, outcome: Outcome, now: Instant) {
        let Some(i) = self.link.sends.iter().position(|(o, _)| *o == op) else {
            return;
        };
        let (_, purpose) = self.link.sends.swap_remove(i);
        let current = |l: &super::Link, tid| l.req.as_ref().is_some_and(|r| r.tid == tid);
        match (outcome, purpose) {
            (Outcome::Sent, _) if self.link.tx_reported => {
                self.link.tx_reported = false;
                self.events.push_back(Event::Recovered);
            }
            (Outcome::Sent, _) => {}
            (Outcome::SendFailed(SendFailure::TxLimit), p) => {
                if let Purpose::Request { tid } = p {
                    if current(&self.link, tid) {
                        // Not the meter's silence: no strike against the session.
                        self.link.give_up_current();
                        self.link.partial = None;
                        self.link.poll_queue.clear();
                    }
                }
                self.tx_limited(now);
            }
            (_, Purpose::Request { tid }) if current(&self.link, tid) => {
                // Not transmitted (carrier busy, no ACK, refused): give up on this request now
                // instead of waiting for its deadline.
                self.request_failed(now);
            }
            _ => {}
        }
    }

    /// The transmit-time limit: hold sends and try again later (BR-41).
    pub(super) fn tx_limited(&mut self, now: Instant) {
        if self.tx_hold.is_none() && !self.link.tx_reported {
            self.events.push_back(Event::Triage(Cause::TxLimit));
        }
        self.link.tx_reported = true;
        self.tx_hold = Some(now.saturating_add(TX_HOLD));
        self.sync_phase(now);
    }

    /// The transmit limit may be over: let the next poll try.
    pub(super) fn tx_hold_probe(&mut self, now: Instant) {
        self.tx_hold = None;
        self.link.next_poll = self.link.next_poll.max(now);
        self.sync_phase(now);
    }

    /// A request went unanswered (deadline passed, or it was not transmitted).
    pub(super) fn request_failed(&mut self, now: Instant) {
        let Some(kind) = self.link.give_up_current() else {
            return;
        };
        self.figures.timeouts += 1;
        match kind {
            ReqKind::Poll => {
                self.link.partial = None;
                self.link.poll_queue.clear();
                self.link.silent_polls = self.link.silent_polls.saturating_add(1);
                if self.link.silent_polls >= self.cfg.silence_limit {
                    self.link.silent_polls = 0;
                    self.lose_session_silent(now);
                } else {
                    // Retransmit with a new TID soon (AIF), not at once.
                    self.link.next_poll = now.saturating_add(Duration::from_secs(2));
                }
            }
            ReqKind::Identity => self.identity_unanswered(now),
            ReqKind::InstanceList => {
                if let State::MeterIdentity(i) = self.state.clone() {
                    self.identity_retry(i.tries, now);
                }
            }
            ReqKind::HistoryToday | ReqKind::HistorySet | ReqKind::HistoryGet => {
                self.history_failed(now);
                if self.link.silent_polls + 1 >= self.cfg.silence_limit {
                    self.link.silent_polls = 0;
                    self.lose_session_silent(now);
                } else {
                    self.link.silent_polls += 1;
                }
            }
        }
    }

    fn poll_epcs(&self) -> Vec<u8> {
        let Some(m) = &self.meter else {
            return Vec::new();
        };
        use echonet::hv::Epc as Hv;
        let (want, required): (Vec<u8>, Vec<u8>) = match m.class {
            MeterClass::LowVoltage => (
                [
                    Lv::InstantPower,
                    Lv::Currents,
                    Lv::CumulativeNormal,
                    Lv::CumulativeReverse,
                ]
                .map(u8::from)
                .to_vec(),
                [Lv::InstantPower, Lv::Currents, Lv::CumulativeNormal]
                    .map(u8::from)
                    .to_vec(),
            ),
            MeterClass::HighVoltage => (
                [
                    Hv::ActiveEnergy,
                    Hv::FixedTimeDemand,
                    Hv::MonthlyMaxDemand,
                    Hv::ReactiveEnergy,
                ]
                .map(u8::from)
                .to_vec(),
                vec![u8::from(Hv::ActiveEnergy)],
            ),
        };
        want.into_iter()
            .filter(|e| required.contains(e) || m.can_get(*e))
            .collect()
    }

    /// Send the next poll. True when something was sent or scheduled.
    pub(super) fn send_poll(&mut self, now: Instant) -> bool {
        let Some(class) = self.meter.as_ref().map(|m| m.class) else {
            return false;
        };
        if self.link.poll_queue.is_empty() {
            let epcs = self.poll_epcs();
            self.link.next_poll = now.saturating_add(self.cfg.poll_interval);
            if self.cfg.batch {
                let frame = builder::get_request(self.link.next_tid(), class.eoj(), &epcs);
                self.send_frame(frame, ReqKind::Poll, now);
                return true;
            }
            self.link.poll_queue.extend(epcs);
        }
        if let Some(epc) = self.link.poll_queue.pop_front() {
            let epcs = [epc];
            let frame = builder::get_request(self.link.next_tid(), class.eoj(), &epcs);
            self.send_frame(frame, ReqKind::Poll, now);
        }
        true
    }

    // ------------------------------------------------------------------ input

    /// Judge a datagram: `None` when it counts as the joined meter's data.
    fn judge(&self, d: &Datagram) -> Option<Ignored> {
        let Some(t) = self.target.filter(|_| self.joined_once) else {
            return Some(Ignored::NotJoined);
        };
        if d.from != t.ip() {
            return Some(Ignored::ForeignSender);
        }
        if !d.secured {
            return Some(Ignored::Unsecured);
        }
        None
    }

    pub(super) fn on_datagram(&mut self, d: Datagram, now: Instant) {
        if d.src_port != ECHONET_PORT && d.dst_port != ECHONET_PORT {
            return; // PANA and others
        }
        let frame = FrameRepr::parse_bytes(&d.payload).ok();
        let verdict = match frame {
            None => Some(Ignored::Malformed),
            Some(_) => self.judge(&d),
        };
        self.events.push_back(Event::Frame {
            dir: Direction::In,
            at: now,
            bytes: d.payload.clone(),
            ignored: verdict,
        });
        let Some(frame) = frame.filter(|_| verdict.is_none()) else {
            self.figures.frames_ignored += 1;
            return;
        };
        if let Some(rssi) = d.rssi_dbm {
            self.figures.last_rssi_dbm = Some(rssi);
        }
        if frame.esv == Esv::Infc {
            self.answer_infc(&frame, now);
        }
        let is_response = matches!(
            frame.esv,
            Esv::GetRes | Esv::GetSna | Esv::SetRes | Esv::SetCSna
        );
        if is_response {
            return self.on_response_frame(&frame, d.rssi_dbm, now);
        }
        if matches!(frame.esv, Esv::Inf | Esv::Infc) {
            self.on_notification(&frame, now);
        }
    }

    /// INFC_Res, at most one per EPC per minute (a flood must not spend the transmit budget).
    fn answer_infc(&mut self, frame: &FrameRepr<'_>, now: Instant) {
        if self.held() {
            return;
        }
        let recent = |epc: u8, l: &super::Link| {
            l.infc
                .iter()
                .any(|(e, t)| *e == epc && now < t.saturating_add(INFC_GAP))
        };
        if frame.props.iter().any(|p| recent(p.epc, &self.link)) {
            return;
        }
        let Some(res) = builder::infc_res_for(frame) else {
            return;
        };
        let Ok(bytes) = res.to_vec() else { return };
        if self.transmit(bytes, Purpose::InfcRes, now) {
            self.link
                .infc
                .retain(|(_, t)| now < t.saturating_add(INFC_GAP));
            for p in frame.props.iter() {
                self.link.infc.push((p.epc, now));
            }
        }
    }

    fn on_response_frame(&mut self, frame: &FrameRepr<'_>, rssi: Option<i16>, now: Instant) {
        let matches = |q: &Request| q.tid == frame.tid && same_object(q.deoj, frame.seoj);
        if self.link.req.as_ref().is_some_and(matches) {
            if let Some(q) = self.link.req.take() {
                self.on_response(q, frame, rssi, now, false);
            }
            return;
        }
        if let Some(i) = self.link.recent.iter().position(matches) {
            // A late answer to a request we gave up on: its readings are still real.
            if let Some(q) = self.link.recent.remove(i) {
                self.on_response(q, frame, rssi, now, true);
            }
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
                let hh = half_hour_from(self.meter.as_ref(), frame, now);
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
        match (class, &self.state) {
            (Some(c), _) => self.learn_class(c, now),
            (None, State::MeterIdentity(i)) if i.asked_instances && !list.is_empty() => {
                self.stop(Cause::NotAMeter, now)
            }
            _ => {}
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
                let mut learnt = false;
                for p in frame.props.iter().filter(|p| p.epc == 0xD6) {
                    if !p.edt.is_empty() {
                        learnt = true;
                        self.learn_instances(0xD6, p.edt, now);
                    }
                }
                if !learnt {
                    if let State::MeterIdentity(i) = self.state.clone() {
                        self.identity_retry(i.tries, now);
                    }
                }
            }
            ReqKind::Identity => {
                let class = q.deoj.class_code();
                let Some(m) = self
                    .meter
                    .as_mut()
                    .filter(|m| m.class.eoj().class_code() == class)
                else {
                    return;
                };
                apply_identity(m, frame);
                let first = reading_from(Some(m), frame);
                if late || !matches!(self.state, State::MeterIdentity(_)) {
                    return;
                }
                if let Some(m) = self.meter.clone() {
                    self.events.push_back(Event::Meter(m));
                }
                self.enter_reading(now);
                if has_values(&first) {
                    self.link.next_poll = now.saturating_add(self.cfg.poll_interval);
                    self.deliver_reading(first, rssi, rtt, now);
                }
            }
            ReqKind::Poll => {
                self.link.silent_polls = 0;
                let values = reading_from(self.meter.as_ref(), frame);
                self.merge_reading(values, rssi, rtt, now, late);
                if !late && !self.link.poll_queue.is_empty() {
                    // One-EPC-per-Get strategy: send the next property at once.
                    self.send_poll(now);
                }
            }
            ReqKind::HistoryToday | ReqKind::HistorySet | ReqKind::HistoryGet => {
                self.link.silent_polls = 0;
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
        let merged = match self.link.partial.take() {
            Some((_, a)) if !late => merge(a, values),
            _ => values,
        };
        if !late && !self.link.poll_queue.is_empty() {
            self.link.partial = Some((rssi, merged));
            return;
        }
        self.deliver_reading(merged, rssi, rtt, now);
    }

    fn deliver_reading(
        &mut self,
        values: ReadingValues,
        rssi: Option<i16>,
        rtt: u64,
        now: Instant,
    ) {
        self.figures.readings += 1;
        self.figures.last_rtt_ms = Some(rtt);
        self.figures.rtt_sum_ms += rtt;
        self.events.push_back(Event::Reading(Reading {
            at: now,
            rtt_ms: rtt,
            rssi_dbm: rssi,
            values,
        }));
    }
}

/// The answer's SEOJ matches the request's DEOJ (instance 0 addresses every instance).
fn same_object(requested: Eoj, answered: Eoj) -> bool {
    requested == answered
        || (requested.instance == 0 && requested.class_u16() == answered.class_u16())
}
