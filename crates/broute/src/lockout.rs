//! Lock-out protection that holds across engines.
//!
//! A meter locks a B-route ID after repeated authentication failures (the operator then has to
//! reset it). One engine stops after two refusals in a row ([`crate::Config::max_refusals`]);
//! this guard keeps the count for a whole browser tab — across Retry, Disconnect and a reload —
//! so that pressing Retry does not buy two more attempts. The app stores a [`Record`] per ID in
//! `sessionStorage`, keyed by [`Guard::key`] (a salted hash: the ID itself is never stored),
//! and asks [`Guard::decide`] before every start.
//!
//! After two refusals with the same password the guard blocks; it opens again when the user
//! changes the password, or — once — when the user explicitly confirms a third try after a
//! clear warning. [`Tally`] counts a running engine's failed attempts from its events, so the
//! record is up to date at every moment (a reload in the middle of the attempts keeps them).

use core::hash::{Hash, Hasher};
use std::collections::hash_map::DefaultHasher;

use crate::{Cause, Event, RouteBId, RouteBPassword};

/// Refusals after which the guard blocks (the meter's patience is not known; two is what the
/// engine allows too).
pub const LIMIT: u8 = 2;

/// What is kept per ID: refusals in a row, and a salted tag of the password they were met with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Record {
    /// Refusals in a row.
    pub refusals: u8,
    /// Salted hash of the password those refusals were met with (0 when none).
    pub password_tag: u64,
}

impl Record {
    /// The stored text form (`"refusals:tag"`), no secret in it.
    pub fn to_text(&self) -> String {
        format!("{}:{:016x}", self.refusals, self.password_tag)
    }

    /// Parse the stored form; anything else is a fresh record.
    pub fn from_text(s: &str) -> Self {
        let mut parts = s.split(':');
        let refusals = parts.next().and_then(|r| r.parse().ok());
        let tag = parts.next().and_then(|t| u64::from_str_radix(t, 16).ok());
        match (refusals, tag, parts.next()) {
            (Some(refusals), Some(password_tag), None) => Self {
                refusals,
                password_tag,
            },
            _ => Self::default(),
        }
    }
}

/// What the guard allows for the next start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead; the engine may meet this many refusals (give it to
    /// [`crate::Engine::set_refusals_allowed`]).
    Allowed(u8),
    /// Two refusals with this password already: ask the user (warning) before a third try.
    NeedsConfirmation,
}

/// The guard for one tab: a random salt (kept for the tab's lifetime by the app).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guard {
    salt: u64,
}

impl Guard {
    /// A guard with the tab's salt.
    pub fn new(salt: u64) -> Self {
        Self { salt }
    }

    fn tag(&self, what: &[u8], domain: u8) -> u64 {
        let mut h = DefaultHasher::new();
        self.salt.hash(&mut h);
        domain.hash(&mut h);
        what.hash(&mut h);
        h.finish()
    }

    /// The storage key for an ID: a salted hash, never the ID.
    pub fn key(&self, id: &RouteBId) -> String {
        format!("broute.lockout.{:016x}", self.tag(id.expose_bytes(), 1))
    }

    fn password_tag(&self, password: &RouteBPassword) -> u64 {
        // Never 0, which marks "no password recorded".
        self.tag(password.expose_bytes(), 2).max(1)
    }

    /// May the app start with `password` given what `record` remembers? `confirmed`: the user
    /// accepted the warning about a third try.
    pub fn decide(&self, record: &Record, password: &RouteBPassword, confirmed: bool) -> Decision {
        let same_password = record.password_tag == self.password_tag(password);
        match (record.refusals, same_password) {
            // A new password: the refusals were about the old one.
            (_, false) => Decision::Allowed(LIMIT),
            (n, true) if n < LIMIT => Decision::Allowed(LIMIT - n),
            _ if confirmed => Decision::Allowed(1),
            _ => Decision::NeedsConfirmation,
        }
    }

    /// The meter refused `password`: count it.
    pub fn refused(&self, record: &Record, password: &RouteBPassword) -> Record {
        let tag = self.password_tag(password);
        let refusals = if record.password_tag == tag {
            record.refusals.saturating_add(1)
        } else {
            1
        };
        Record {
            refusals,
            password_tag: tag,
        }
    }
}

/// Counts one engine's failed join attempts from its events, for the guard's [`Record`].
///
/// The engine does not report a refusal as such: a refused join is followed by another
/// [`Event::JoinStarted`] (or, for a join from a pairing profile, by a new scan), and the
/// engine stops with [`Cause::AuthRefused`] once it has met the refusals it was allowed. So:
///
/// * before the first [`Event::Joined`], every join attempt that ends in another attempt, a
///   new scan or [`Cause::AuthRefused`] counts as failed — a refusal, or (for a join from a
///   profile that is followed by a scan) possibly a timeout: counted too, erring on the side
///   of the meter's lock-out;
/// * [`Cause::AuthRefused`] means the engine met exactly the refusals it was allowed
///   ([`crate::Engine::set_refusals_allowed`]), so the count is at least that (this also
///   covers refusals while re-authenticating after a join, which are not counted one by one:
///   a recovery rejoin that times out is not a refusal);
/// * [`Event::Joined`] means the meter accepted the password: the record is cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    allowed: u8,
    failed: u8,
    open: bool,
    joined: bool,
}

/// What an event changed in a [`Tally`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Nothing to store.
    None,
    /// Failed attempts so far with these credentials in this engine (store
    /// [`Guard::refused`] applied this many times to the record the engine started from).
    Failed(u8),
    /// The meter accepted the credentials: forget the record.
    Joined,
}

impl Tally {
    /// A tally for an engine given `allowed` refusals.
    pub fn new(allowed: u8) -> Self {
        Self {
            allowed,
            failed: 0,
            open: false,
            joined: false,
        }
    }

    /// Failed attempts counted so far.
    pub fn failed(&self) -> u8 {
        self.failed
    }

    /// Feed one of the engine's events (in order).
    pub fn observe(&mut self, ev: &Event) -> Change {
        let before = self.failed;
        match ev {
            Event::JoinStarted { .. } => {
                self.close_attempt();
                self.open = true;
            }
            Event::ScanStarted { .. } => self.close_attempt(),
            Event::Joined => {
                self.open = false;
                self.failed = 0;
                let first = !self.joined;
                self.joined = true;
                if first {
                    return Change::Joined;
                }
            }
            Event::Triage(Cause::AuthRefused) => {
                self.close_attempt();
                self.failed = self.failed.max(self.allowed);
            }
            _ => {}
        }
        if self.failed != before {
            Change::Failed(self.failed)
        } else {
            Change::None
        }
    }

    fn close_attempt(&mut self) {
        if self.open && !self.joined {
            self.failed = self.failed.saturating_add(1);
        }
        self.open = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> RouteBId {
        RouteBId::new("0000004F3A210000000000000A18C3D7").unwrap()
    }
    fn pw(s: &str) -> RouteBPassword {
        RouteBPassword::new(s).unwrap()
    }

    use crate::harness::Pair;
    use crate::{Config, Engine, Instant, Phase};

    const MIN: u64 = 60_000;

    /// The engine on the simulator with the demo credentials and `allowed` refusals (and a
    /// profile, if given), run until it stops or reads; returns the events and the tally's
    /// changes.
    fn run(
        sc: sim::Scenario,
        allowed: u8,
        profile: Option<crate::PairingProfile>,
    ) -> (Vec<Event>, Vec<Change>, Tally) {
        let mut e = Engine::new(Config::default());
        e.set_credentials(id(), pw(sim::DEMO_PASSWORD), Instant(0));
        e.set_refusals_allowed(allowed);
        if let Some(p) = profile {
            e.set_profile(p);
        }
        let mut p = Pair::new(e, sim::Sim::new(sc));
        p.start();
        p.run_until(15 * MIN, |e| {
            matches!(e, Event::Phase(Phase::Stopped) | Event::Reading(_))
        });
        let mut t = Tally::new(allowed);
        let events: Vec<Event> = p.events.into_iter().map(|(_, e)| e).collect();
        let changes = events
            .iter()
            .map(|e| t.observe(e))
            .filter(|c| *c != Change::None)
            .collect();
        (events, changes, t)
    }

    fn joins(events: &[Event]) -> usize {
        events
            .iter()
            .filter(|e| matches!(e, Event::JoinStarted { .. }))
            .count()
    }

    fn wrong_password(dialect: sim::Dialect) -> sim::Scenario {
        let mut sc = sim::Scenario::preset("wrong-password").unwrap();
        sc.dialect = dialect;
        sc
    }

    #[test]
    fn the_tally_counts_each_refusal_as_it_happens_on_every_dongle() {
        for dialect in [sim::Dialect::SingleHop, sim::Dialect::J11] {
            let (events, changes, t) = run(wrong_password(dialect), LIMIT, None);
            assert_eq!(joins(&events), 2, "{dialect:?}: {events:?}");
            // The first refusal is counted when the second attempt starts (a reload then
            // still remembers it), the second when the engine stops.
            assert_eq!(
                changes,
                [Change::Failed(1), Change::Failed(2)],
                "{dialect:?}"
            );
            assert_eq!(t.failed(), 2);
            // One refusal left from before (a Retry): one attempt, counted.
            let (events, changes, _) = run(wrong_password(dialect), 1, None);
            assert_eq!(joins(&events), 1, "{dialect:?}");
            assert_eq!(changes, [Change::Failed(1)], "{dialect:?}");
        }
    }

    #[test]
    fn a_join_clears_the_record_and_later_events_count_nothing() {
        for preset in ["demo", "j11"] {
            let (_, changes, t) = run(sim::Scenario::preset(preset).unwrap(), LIMIT, None);
            assert_eq!(changes, [Change::Joined], "{preset}");
            assert_eq!(t.failed(), 0);
        }
    }

    #[test]
    fn a_refused_join_from_a_remembered_meter_counts_too() {
        // Join the demo meter once to get its profile, then come back with a refused password:
        // the first attempt is followed by a scan, not by another attempt.
        let mut e = Engine::new(Config::default());
        e.set_credentials(id(), pw(sim::DEMO_PASSWORD), Instant(0));
        let mut p = Pair::new(e, sim::Sim::new(sim::Scenario::preset("demo").unwrap()));
        p.start();
        p.run_until(10 * MIN, |e| matches!(e, Event::Reading(_)));
        let profile = p.engine.profile().unwrap();
        let (events, changes, t) = run(
            wrong_password(sim::Dialect::SingleHop),
            LIMIT,
            Some(profile),
        );
        assert!(
            matches!(
                events
                    .iter()
                    .find(|e| matches!(e, Event::JoinStarted { .. })),
                Some(Event::JoinStarted {
                    from_profile: true,
                    ..
                })
            ),
            "{events:?}"
        );
        assert_eq!(joins(&events), 2);
        assert_eq!(changes, [Change::Failed(1), Change::Failed(2)]);
        assert_eq!(t.failed(), 2);
    }

    #[test]
    fn refusals_after_a_join_are_counted_when_the_engine_gives_up() {
        let scan = Event::ScanStarted {
            attempt: 1,
            attempts: 6,
            duration: 5,
            expected_ms: 5_000,
            single_channel: false,
        };
        let join = Event::JoinStarted {
            channel: 0x21,
            from_profile: false,
        };
        let mut t = Tally::new(2);
        // A join that times out (a new scan follows) before the meter accepts.
        assert_eq!(t.observe(&scan), Change::None);
        assert_eq!(t.observe(&join), Change::None);
        assert_eq!(t.observe(&scan), Change::Failed(1));
        assert_eq!(t.observe(&join), Change::None);
        assert_eq!(t.observe(&Event::Joined), Change::Joined);
        assert_eq!(t.failed(), 0);
        // Recovery rejoins are not counted one by one; giving up on refusals is.
        assert_eq!(t.observe(&join), Change::None);
        assert_eq!(t.observe(&join), Change::None);
        assert_eq!(
            t.observe(&Event::Triage(Cause::AuthRefused)),
            Change::Failed(2)
        );
        assert_eq!(t.observe(&Event::Triage(Cause::DongleLost)), Change::None);
    }

    #[test]
    fn two_refusals_block_until_the_password_changes_or_the_user_confirms() {
        let g = Guard::new(0x1234_5678);
        let p = pw("K7QX3M9PA2TB");
        let mut r = Record::default();
        assert_eq!(g.decide(&r, &p, false), Decision::Allowed(2));
        r = g.refused(&r, &p);
        assert_eq!(g.decide(&r, &p, false), Decision::Allowed(1));
        r = g.refused(&r, &p);
        assert_eq!(g.decide(&r, &p, false), Decision::NeedsConfirmation);
        assert_eq!(g.decide(&r, &p, true), Decision::Allowed(1));
        // A changed password field opens the guard again.
        assert_eq!(
            g.decide(&r, &pw("K7QX3M9PA2TC"), false),
            Decision::Allowed(2)
        );
        // Survives the trip through storage.
        let back = Record::from_text(&r.to_text());
        assert_eq!(back, r);
        assert_eq!(g.decide(&back, &p, false), Decision::NeedsConfirmation);
    }

    #[test]
    fn nothing_stored_reveals_the_credentials() {
        let g = Guard::new(42);
        let p = pw("K7QX3M9PA2TB");
        let r = g.refused(&Record::default(), &p);
        let stored = format!("{} {}", g.key(&id()), r.to_text());
        for secret in ["0000004F3A21", "0A18C3D7", "K7QX3M", "k7qx3m"] {
            assert!(!stored.contains(secret), "{stored}");
        }
        // Another tab (another salt) gets another key for the same ID.
        assert_ne!(g.key(&id()), Guard::new(43).key(&id()));
        assert_eq!(Record::from_text("garbage"), Record::default());
        assert_eq!(Record::from_text("2:zz"), Record::default());
    }
}
