//! Shared helpers: the engine wired to the simulator on a virtual clock.
#![allow(dead_code)]

use broute::harness::Pair;
use broute::{Config, Engine, Event, Phase, RouteBId, RouteBPassword};
use sim::{Scenario, Sim};

pub const MIN: u64 = 60_000;
pub const HOUR: u64 = 60 * MIN;

pub fn demo_id() -> RouteBId {
    RouteBId::new(sim::DEMO_ROUTE_B_ID).unwrap()
}

pub fn demo_password() -> RouteBPassword {
    RouteBPassword::new(sim::DEMO_PASSWORD).unwrap()
}

/// A pair with the demo credentials already given.
pub fn pair(sc: Scenario) -> Pair<Sim> {
    pair_with(sc, Config::default())
}

pub fn pair_with(sc: Scenario, cfg: Config) -> Pair<Sim> {
    let mut e = Engine::new(cfg);
    e.set_credentials(demo_id(), demo_password(), broute::Instant(0));
    let mut p = Pair::new(e, Sim::new(sc));
    p.start();
    p
}

pub fn preset(name: &str) -> Scenario {
    Scenario::preset(name).unwrap_or_else(|| panic!("unknown preset {name}"))
}

pub fn is_reading(e: &Event) -> bool {
    matches!(e, Event::Reading(_))
}

pub fn is_stopped(e: &Event) -> bool {
    matches!(e, Event::Phase(Phase::Stopped))
}

/// The phases the engine went through, in order.
pub fn phases(p: &Pair<Sim>) -> Vec<Phase> {
    p.events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::Phase(ph) => Some(*ph),
            _ => None,
        })
        .collect()
}

pub fn triages(p: &Pair<Sim>) -> Vec<broute::Cause> {
    p.events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::Triage(c) => Some(*c),
            _ => None,
        })
        .collect()
}

pub fn readings(p: &Pair<Sim>) -> Vec<(u64, broute::Reading)> {
    p.events
        .iter()
        .filter_map(|(t, e)| match e {
            Event::Reading(r) => Some((*t, *r)),
            _ => None,
        })
        .collect()
}

/// The same scenario on a J11 dongle.
pub fn on_j11(mut sc: Scenario) -> Scenario {
    sc.dialect = sim::Dialect::J11;
    sc
}

/// A pair whose engine has the demo credentials and `profile`, started.
pub fn pair_with_profile(sc: Scenario, profile: broute::PairingProfile) -> Pair<Sim> {
    let mut e = Engine::new(Config::default());
    e.set_credentials(demo_id(), demo_password(), broute::Instant(0));
    e.set_profile(profile);
    let mut p = Pair::new(e, Sim::new(sc));
    p.start();
    p
}

/// A pair whose engine has the demo credentials and may meet `allowed` refusals, started.
pub fn pair_allowing(sc: Scenario, allowed: u8) -> Pair<Sim> {
    let mut e = Engine::new(Config::default());
    e.set_credentials(demo_id(), demo_password(), broute::Instant(0));
    e.set_refusals_allowed(allowed);
    let mut p = Pair::new(e, Sim::new(sc));
    p.start();
    p
}
