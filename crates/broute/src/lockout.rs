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
//! clear warning.

use core::hash::{Hash, Hasher};
use std::collections::hash_map::DefaultHasher;

use crate::{RouteBId, RouteBPassword};

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

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> RouteBId {
        RouteBId::new("0000004F3A210000000000000A18C3D7").unwrap()
    }
    fn pw(s: &str) -> RouteBPassword {
        RouteBPassword::new(s).unwrap()
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
