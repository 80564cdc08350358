//! Recovery: session events from the dongle, and the ladder the engine climbs when the session
//! is lost — rejoin, reset and rejoin (after silence), rescan — with growing waits.

use skstack::Instant;

use super::{Engine, State};
use crate::device::{Outcome, SessionEvent};
use crate::types::*;

/// Waits before each rung of the recovery ladder.
const BACKOFF_MS: [u64; 7] = [2_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000];
/// Recovery attempts that rejoin before rescanning.
const REJOIN_ATTEMPTS: u8 = 2;

/// What to do when the wait is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    /// Tune to the known meter and join again.
    Rejoin,
    /// Reset the dongle, prepare it, give the credentials again, then rejoin (the dongle may
    /// be wedged: the meter went silent while the session was up).
    ResetRejoin,
    /// Scan for the meter again.
    Rescan,
}

/// Waiting before the next rung.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Backoff {
    pub(super) until: Instant,
    pub(super) next: Next,
}

impl Engine {
    pub(super) fn on_session_event(&mut self, e: SessionEvent, now: Instant) {
        // Session events matter while a session is up (not while commissioning or waiting).
        let joined = matches!(self.state, State::MeterIdentity(_) | State::Reading);
        match e {
            // The session key expired: the dongle re-authenticates by itself. Hold sends.
            SessionEvent::Expired if joined => {
                self.reauth_hold = true;
                self.sync_phase(now);
            }
            SessionEvent::ReAuthenticated if self.reauth_hold => {
                self.reauth_hold = false;
                self.link.next_poll = self.link.next_poll.max(now);
                self.sync_phase(now);
            }
            SessionEvent::ReAuthFailed if joined => {
                // Re-authentication failed: join again.
                self.reauth_hold = false;
                self.lose_session(now);
            }
            SessionEvent::Lost if joined => {
                self.lose_session(now);
            }
            SessionEvent::TxLimited => self.tx_limited(now),
            SessionEvent::TxReleased if self.tx_hold.is_some() => {
                self.tx_hold = None;
                if self.link.take_tx_reported() {
                    self.events.push_back(Event::Recovered);
                }
                self.link.next_poll = self.link.next_poll.max(now);
                self.sync_phase(now);
            }
            _ => {}
        }
    }

    /// The session is gone: report it once, then climb the ladder.
    pub(super) fn lose_session(&mut self, now: Instant) {
        let next = if self.recovery < REJOIN_ATTEMPTS {
            Next::Rejoin
        } else {
            Next::Rescan
        };
        self.lose(next, now);
    }

    /// The meter stopped answering while the session was up: the dongle may be wedged, so the
    /// first rung resets it.
    pub(super) fn lose_session_silent(&mut self, now: Instant) {
        let next = if self.recovery < REJOIN_ATTEMPTS {
            Next::ResetRejoin
        } else {
            Next::Rescan
        };
        self.lose(next, now);
    }

    fn lose(&mut self, next: Next, now: Instant) {
        if matches!(self.state, State::Stopped(_)) {
            return;
        }
        self.link.abandon();
        if !self.lost_reported {
            self.lost_reported = true;
            self.events.push_back(Event::Triage(Cause::SessionLost));
        }
        self.backoff(next, now);
    }

    pub(super) fn backoff(&mut self, next: Next, now: Instant) {
        let i = usize::from(self.recovery).min(BACKOFF_MS.len() - 1);
        self.recovery = self.recovery.saturating_add(1);
        let until = Instant(now.as_millis().saturating_add(BACKOFF_MS[i]));
        self.enter(State::Backoff(Backoff { until, next }), now);
    }

    pub(super) fn after_backoff(&mut self, b: Backoff, now: Instant) {
        match b.next {
            Next::Rejoin => self.tune(false, now),
            Next::ResetRejoin => {
                let op = self.dev.reset(now);
                self.enter(State::Resetting { op }, now);
            }
            Next::Rescan => {
                let single = self.profile.is_some();
                self.start_scan(1, single, now);
            }
        }
    }

    /// The reset of a recovery ended: prepare the dongle again (credentials follow).
    pub(super) fn after_reset(&mut self, outcome: Outcome, now: Instant) {
        match outcome {
            Outcome::Done => {
                let channel = self.target.map(|t| t.channel);
                let op = self.dev.prepare(channel, now);
                self.enter(State::Preparing { op }, now);
            }
            // The dongle does not answer its reset: try the rest of the ladder.
            _ => self.backoff(Next::Rescan, now),
        }
    }
}
