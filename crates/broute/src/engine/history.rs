//! Meter history: paced jobs between polls (history 1 days, history 2 half-hour pairs,
//! history 3 one-minute pairs), resumable step by step.

use core::time::Duration;
use std::collections::VecDeque;

use echonet::hv::{Epc as Hv, HvValue};
use echonet::lv::{Epc as Lv, LvValue};
use echonet::{builder, Date, Esv, FrameRepr};
use skstack::Instant;

use super::reading::ReqKind;
use super::values::{half_hour_from, today_from};
use super::Engine;
use crate::types::*;

/// Failures in a row after which a job is abandoned.
const MAX_FAILURES: u8 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    LearnToday,
    SetDay(u8),
    GetDay(u8),
    SetPairs,
    GetPairs,
}

#[derive(Debug, Clone)]
pub(super) struct HistoryJob {
    request: HistoryRequest,
    steps: VecDeque<Step>,
    total: u16,
    done: u16,
    today: Option<Date>,
    failures: u8,
    /// When the next step may go out.
    pub(super) ready_at: Instant,
}

impl Engine {
    /// Read history from the meter, paced between polls. Replaces a running job.
    pub fn request_history(&mut self, request: HistoryRequest, now: Instant) {
        let mut steps = VecDeque::new();
        let total = match request {
            HistoryRequest::Days { from, to } => {
                let (lo, hi) = (from.min(to).min(99), from.max(to).min(99));
                steps.push_back(Step::LearnToday);
                for d in lo..=hi {
                    steps.push_back(Step::SetDay(d));
                    steps.push_back(Step::GetDay(d));
                }
                u16::from(hi - lo) + 1
            }
            HistoryRequest::HalfHours { .. } | HistoryRequest::Minutes { .. } => {
                steps.push_back(Step::SetPairs);
                steps.push_back(Step::GetPairs);
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

    fn history_abandon(&mut self) {
        self.history = None;
        self.events
            .push_back(Event::HistoryDone { complete: false });
    }

    /// A history request went unanswered.
    pub(super) fn history_failed(&mut self, now: Instant) {
        let gap = self.cfg.history_gap;
        if let Some(h) = &mut self.history {
            h.failures += 1;
            h.ready_at = now.saturating_add(gap);
            if h.failures > MAX_FAILURES {
                self.history_abandon();
            }
        }
    }

    /// The request for the next step. `None` when the builders refuse an argument.
    fn history_request(
        &mut self,
        step: Step,
        class: MeterClass,
    ) -> Option<(Vec<u8>, u16, ReqKind)> {
        let request = self.history.as_ref()?.request;
        let eoj = class.eoj();
        let tid = self.link.next_tid();
        let can = |e: u8| self.meter.as_ref().is_some_and(|m| m.can_get(e));
        let get = |epcs: &[u8], kind| {
            builder::get_request(tid, eoj, epcs)
                .to_vec()
                .ok()
                .map(|b| (b, tid, kind))
        };
        match (step, class) {
            (Step::LearnToday, MeterClass::LowVoltage) => {
                let date = u8::from(Lv::CurrentDate);
                let listed = self
                    .meter
                    .as_ref()
                    .and_then(|m| m.get_map.as_ref())
                    .is_some_and(|g| g.contains(date));
                let epc = if listed {
                    date
                } else {
                    u8::from(Lv::FixedTimeNormal)
                };
                get(&[epc], ReqKind::HistoryToday)
            }
            (Step::LearnToday, MeterClass::HighVoltage) => {
                get(&[u8::from(Hv::ActiveEnergy)], ReqKind::HistoryToday)
            }
            (Step::SetDay(d), MeterClass::LowVoltage) => {
                set(tid, builder::setc_history1_day(tid, eoj, d))
            }
            (Step::SetDay(d), MeterClass::HighVoltage) => {
                set(tid, builder::setc_hv_history_day(tid, eoj, d))
            }
            (Step::GetDay(_), MeterClass::LowVoltage) => {
                let (normal, reverse) = (u8::from(Lv::HistoryNormal), u8::from(Lv::HistoryReverse));
                let epcs: Vec<u8> = [normal, reverse]
                    .into_iter()
                    .filter(|&e| e == normal || can(e))
                    .collect();
                get(&epcs, ReqKind::HistoryGet)
            }
            (Step::GetDay(_), MeterClass::HighVoltage) => {
                let active = u8::from(Hv::ActiveHistory);
                let epcs: Vec<u8> = [
                    active,
                    u8::from(Hv::DemandHistory),
                    u8::from(Hv::ReactiveHistory),
                ]
                .into_iter()
                .filter(|&e| e == active || can(e))
                .collect();
                get(&epcs, ReqKind::HistoryGet)
            }
            (Step::SetPairs, _) => match request {
                HistoryRequest::HalfHours { stamp, count } => {
                    set(tid, builder::setc_history2(tid, eoj, stamp, count))
                }
                HistoryRequest::Minutes { stamp, count } => {
                    set(tid, builder::setc_history3(tid, eoj, stamp, count))
                }
                HistoryRequest::Days { .. } => None,
            },
            (Step::GetPairs, _) => {
                let epc = match request {
                    HistoryRequest::Minutes { .. } => Lv::History3,
                    _ => Lv::History2,
                };
                get(&[u8::from(epc)], ReqKind::HistoryGet)
            }
        }
    }

    /// Send the job's next step. True when something happened.
    pub(super) fn send_history_step(&mut self, now: Instant) -> bool {
        let (Some(job), Some(class)) = (&self.history, self.meter.as_ref().map(|m| m.class)) else {
            return false;
        };
        let Some(step) = job.steps.front().copied() else {
            self.history = None;
            self.events.push_back(Event::HistoryDone { complete: true });
            return true;
        };
        match self.history_request(step, class) {
            Some((bytes, tid, kind)) => {
                if !self.send_request(bytes, tid, class.eoj(), kind, now) {
                    // The engine's transmit budget is spent: try again in a minute.
                    if let Some(h) = &mut self.history {
                        h.ready_at = now.saturating_add(Duration::from_secs(60));
                    }
                }
                true
            }
            None => {
                // An argument the builders refuse (e.g. a bad stamp): the job cannot run.
                self.history_abandon();
                true
            }
        }
    }

    pub(super) fn on_history_response(
        &mut self,
        kind: ReqKind,
        frame: &FrameRepr<'_>,
        now: Instant,
    ) {
        let Some(class) = self.meter.as_ref().map(|m| m.class) else {
            return;
        };
        if kind == ReqKind::HistoryToday {
            // Also a half-hour reading when it was EA.
            let hh = half_hour_from(self.meter.as_ref(), frame, now);
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
            (Step::LearnToday, ReqKind::HistoryToday) => {
                job.today = today_from(frame, class);
                job.steps.pop_front();
                job.failures = 0;
            }
            (Step::SetDay(_) | Step::SetPairs, ReqKind::HistorySet) => {
                if frame.esv == Esv::SetCSna {
                    return self.history_abandon();
                }
                job.steps.pop_front();
                job.failures = 0;
            }
            (Step::GetDay(d), ReqKind::HistoryGet) => {
                let rec = day_record(d, job.today, class, frame);
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
            (Step::GetPairs, ReqKind::HistoryGet) => {
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

/// A SetC request from a builder.
fn set<const N: usize>(
    tid: u16,
    built: echonet::Result<[u8; N]>,
) -> Option<(Vec<u8>, u16, ReqKind)> {
    built.ok().map(|b| (b.to_vec(), tid, ReqKind::HistorySet))
}

/// One day of history from a Get answer.
fn day_record(
    days_ago: u8,
    today: Option<Date>,
    class: MeterClass,
    frame: &FrameRepr<'_>,
) -> HistoryRecord {
    let (mut normal, mut reverse, mut demand, mut reactive) = (None, None, None, None);
    for p in frame.props.iter().filter(|p| !p.edt.is_empty()) {
        match class {
            MeterClass::LowVoltage => match echonet::lv::decode(p.epc, p.edt) {
                Ok(LvValue::HistoryNormal(h)) => normal = Some(h),
                Ok(LvValue::HistoryReverse(h)) => reverse = Some(h),
                _ => {}
            },
            MeterClass::HighVoltage => match echonet::hv::decode(p.epc, p.edt) {
                Ok(HvValue::ActiveHistory(h)) => normal = Some(h),
                Ok(HvValue::DemandHistory(h)) => demand = Some(h),
                Ok(HvValue::ReactiveHistory(h)) => reactive = Some(h),
                _ => {}
            },
        }
    }
    HistoryRecord::Day {
        days_ago,
        date: today.and_then(|t| t.minus_days(u16::from(days_ago))),
        normal,
        reverse,
        demand,
        reactive,
    }
}
