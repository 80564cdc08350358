//! Lock-out protection for this tab: the authentication refusals met per B-route ID, kept in
//! `sessionStorage` for the tab's lifetime (across Retry, Disconnect and a reload), so that
//! pressing Retry does not buy the meter's patience back.
//!
//! The rules are `broute::lockout`'s: a salted key per ID (the ID itself is never stored), the
//! record's own text form, [`Guard::decide`] before credentials reach an engine, and
//! [`Tally`] counting a running engine's failed attempts from its events. The salt is random
//! per tab (`crypto.getRandomValues`) and kept in `sessionStorage` too.

use broute::lockout::{Change, Decision, Guard, Record, Tally};
use broute::{Event, RouteBId, RouteBPassword};

use crate::platform::storage::{random_u64, tab_get, tab_remove, tab_set};

const SALT: &str = "broute.lockout.salt";

/// This tab's guard (its salt made and stored on first use).
fn guard() -> Guard {
    let stored = tab_get(SALT).and_then(|s| u64::from_str_radix(&s, 16).ok());
    let salt = stored.unwrap_or_else(|| {
        // Without a cryptographic generator the key is still salted, by the time of day.
        let salt = random_u64()
            .unwrap_or_else(|| crate::platform::clock::now_ms().to_bits() ^ 0x9E37_79B9_7F4A_7C15);
        tab_set(SALT, &format!("{salt:016x}"));
        salt
    });
    Guard::new(salt)
}

fn record(g: &Guard, id: &RouteBId) -> Record {
    tab_get(&g.key(id)).map_or_else(Record::default, |s| Record::from_text(&s))
}

/// May the app give these credentials to an engine now? `confirmed`: the user accepted the
/// warning about a third try.
pub fn decide(id: &RouteBId, password: &RouteBPassword, confirmed: bool) -> Decision {
    let g = guard();
    g.decide(&record(&g, id), password, confirmed)
}

/// Failed attempts remembered for these credentials when the guard blocks them (the warning
/// says how many); `None` when they may be used.
pub fn blocked(id: &RouteBId, password: &RouteBPassword) -> Option<u8> {
    let g = guard();
    let r = record(&g, id);
    (g.decide(&r, password, false) == Decision::NeedsConfirmation).then_some(r.refusals)
}

/// Keeps the tab's record for one engine's credentials up to date from its events.
pub struct Watch {
    guard: Guard,
    key: String,
    start: Record,
    password: RouteBPassword,
    tally: Tally,
}

impl Watch {
    /// Watch an engine given `id`/`password` and `allowed` refusals.
    pub fn new(id: &RouteBId, password: &RouteBPassword, allowed: u8) -> Self {
        let guard = guard();
        Self {
            key: guard.key(id),
            start: record(&guard, id),
            guard,
            password: password.clone(),
            tally: Tally::new(allowed),
        }
    }

    /// Feed one of the engine's events; returns true when the stored record changed.
    pub fn observe(&mut self, ev: &Event) -> bool {
        match self.tally.observe(ev) {
            Change::None => false,
            Change::Joined => {
                tab_remove(&self.key);
                true
            }
            Change::Failed(n) => {
                let mut r = self.start;
                for _ in 0..n {
                    r = self.guard.refused(&r, &self.password);
                }
                tab_set(&self.key, &r.to_text());
                true
            }
        }
    }
}
