//! 24 hours of polling every 5 s on a virtual clock, with faults spread through the day:
//! unplug and replug, PANA session expiries (EVENT 29), a meter silent for 10 minutes, and the
//! transmit-time limit (EVENT 32/33, provoked by a 100-day history download). A recording sink
//! collects every reading across the engines (a replug starts a new one, as the app does).
//!
//! Checks against the simulator's ground truth (every frame our meter put on the air that
//! reached the dongle): every reading it produced was delivered exactly once and in order,
//! the only ones missing were in flight while the dongle was unplugged, and every gap in the
//! readings lines up with a fault. The figures (delivered / expected) are printed for
//! `docs/benchmarks.md`.

mod common;

use broute::{Cause, Config, Engine, Event, HistoryRequest, Instant, Phase, ReadingValues};
use common::*;
use echonet::{Esv, FrameRepr};
use sim::Fault;

const INTERVAL_MS: u64 = 5_000;
const DAY: u64 = 24 * HOUR;

/// What identifies one reading: power, currents R/T (deci-amps) and the import counter.
type Key = (Option<i32>, Option<(i16, Option<i16>)>, Option<u32>);

fn key_of_reading(v: &ReadingValues) -> Option<Key> {
    let ReadingValues::Low(lv) = v else {
        return None;
    };
    let amps = |m: echonet::Measured<echonet::lv::DeciAmps>| m.value().map(|d| d.0);
    Some((
        lv.power_w.and_then(|m| m.value()),
        lv.currents
            .and_then(|c| amps(c.r).map(|r| (r, c.t.and_then(amps)))),
        lv.energy_normal.and_then(|e| e.raw.value()),
    ))
}

/// The reading an answer frame of the meter carries (E7 with a value), if any.
fn key_of_frame(data: &[u8]) -> Option<Key> {
    let f = FrameRepr::parse_bytes(data).ok()?;
    if !matches!(f.esv, Esv::GetRes | Esv::GetSna) {
        return None;
    }
    let e7 = f
        .props
        .iter()
        .find(|p| p.epc == 0xE7 && !p.edt.is_empty())?;
    let mut v = broute_values(&f);
    if v.0.is_none() {
        v.0 = Some(i32::from_be_bytes(e7.edt.try_into().ok()?));
    }
    Some(v)
}

fn broute_values(f: &FrameRepr<'_>) -> Key {
    let mut k: Key = (None, None, None);
    for p in f.props.iter().filter(|p| !p.edt.is_empty()) {
        match echonet::lv::decode(p.epc, p.edt) {
            Ok(echonet::lv::LvValue::InstantPower(m)) => k.0 = m.value(),
            Ok(echonet::lv::LvValue::Currents(c)) => {
                let amps = |m: echonet::Measured<echonet::lv::DeciAmps>| m.value().map(|d| d.0);
                k.1 = amps(c.r).map(|r| (r, c.t.and_then(amps)));
            }
            Ok(echonet::lv::LvValue::CumulativeNormal(m)) => k.2 = m.value(),
            _ => {}
        }
    }
    k
}

/// A window of virtual time with a fault (start, end).
type Window = (u64, u64);

fn overlaps(a: Window, b: Window) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

#[test]
fn a_day_with_faults_delivers_every_reading_exactly_once() {
    soak(preset("demo"));
}

#[test]
fn a_day_with_faults_on_a_j11_dongle_delivers_every_reading_exactly_once() {
    soak(on_j11(preset("demo")));
}

fn soak(mut sc: sim::Scenario) {
    let j11 = sc.dialect == sim::Dialect::J11;
    sc.pana_lifetime_s = 6 * 3600; // EVENT 29 four times a day
    sc.arib_budget_ms = 9_000; // steady 5 s polling fits; a 100-day history does not
    let cfg = Config {
        poll_interval: core::time::Duration::from_millis(INTERVAL_MS),
        ..Config::default()
    };
    let mut p = pair_with(sc, cfg.clone());
    p.device.observe_meter_frames(true);

    // The schedule: (at, what).
    let unplug = (2 * HOUR, 2 * HOUR + 2 * MIN);
    let silent = (8 * HOUR, 8 * HOUR + 10 * MIN);
    let history_at = 14 * HOUR;
    let mut injected: Vec<Window> = Vec::new();

    p.run_until(unplug.0, |_| false);
    // Unplug: the port goes away (the app reports serial_lost), the dongle loses everything.
    p.device.set_fault(Fault::Unplugged, true);
    p.engine.serial_lost(Instant(p.now));
    p.run_until(unplug.1, |_| false);
    // Replug: the app starts a new engine with the remembered profile.
    p.device.set_fault(Fault::Unplugged, false);
    let mut e = Engine::new(cfg.clone());
    e.set_credentials(demo_id(), demo_password(), Instant(p.now));
    e.set_profile(
        p.engine
            .profile()
            .expect("a profile from the first session"),
    );
    p.engine = e;
    p.start();
    injected.push(unplug);

    p.run_until(silent.0, |_| false);
    p.device.set_fault(Fault::MeterOutOfRange, true);
    p.run_until(silent.1, |_| false);
    p.device.set_fault(Fault::MeterOutOfRange, false);
    injected.push(silent);

    p.run_until(history_at, |_| false);
    p.engine
        .request_history(HistoryRequest::Days { from: 0, to: 99 }, Instant(p.now));
    p.run_until(DAY, |_| false);

    // ---- what the meter put on the air, and what arrived
    let truth: Vec<(u64, Key)> = p
        .device
        .take_meter_frames()
        .into_iter()
        .filter_map(|(t, d)| key_of_frame(&d).map(|k| (t, k)))
        .collect();
    let got: Vec<(u64, Key)> = p
        .events
        .iter()
        .filter_map(|(t, e)| match e {
            Event::Reading(r) => key_of_reading(&r.values).map(|k| (*t, k)),
            _ => None,
        })
        .collect();
    assert!(truth.len() > 10_000, "{} meter answers", truth.len());

    // In order and exactly once: the readings are the meter's answers, skipping only those
    // in flight while the dongle was unplugged.
    let mut i = 0;
    let mut missed = Vec::new();
    for (at, k) in &got {
        loop {
            let Some((t, want)) = truth.get(i) else {
                panic!("reading at {at} ({k:?}) is not among the meter's answers after #{i}");
            };
            i += 1;
            if want == k {
                // Delivered as it arrived: a duplicate would pair with a later answer of the
                // same value and arrive before it.
                assert!(*at >= *t, "delivered at {at} before it was sent at {t}");
                assert!(
                    at - t < 2_000,
                    "delivered at {at}, {} ms after it arrived",
                    at - t
                );
                break;
            }
            missed.push(*t);
        }
    }
    missed.extend(
        truth[i..]
            .iter()
            .map(|(t, _)| *t)
            .filter(|t| *t + MIN < DAY),
    );
    for t in &missed {
        assert!(
            overlaps((*t, *t), (unplug.0.saturating_sub(2_000), unplug.1)),
            "the meter's answer at {t} ms was lost outside the unplug window"
        );
    }

    // Every gap lines up with a fault: an injected one (plus the time to recover), or one
    // the dongle reported (re-authentication, transmit limit).
    let mut reported: Vec<Window> = Vec::new();
    let mut open: Option<(u64, Phase)> = None;
    for (t, e) in &p.events {
        if let Event::Phase(ph) = e {
            if let Some((t0, _)) = open.take() {
                reported.push((t0, *t));
            }
            if *ph != Phase::Reading {
                open = Some((*t, *ph));
            }
        }
    }
    let allowed: Vec<Window> = injected
        .iter()
        .map(|(a, b)| (*a, b + 5 * MIN))
        .chain(reported.iter().copied())
        .collect();
    let mut gaps = 0;
    for w in got.windows(2) {
        let gap = (w[0].0, w[1].0);
        if gap.1 - gap.0 > 3 * INTERVAL_MS {
            gaps += 1;
            assert!(
                allowed.iter().any(|a| overlaps(gap, *a)),
                "a gap of {} s at {} ms lines up with no fault",
                (gap.1 - gap.0) / 1000,
                gap.0
            );
        }
    }

    // The faults really happened, and the engine never gave up.
    let phases = phases(&p);
    // J11 has no expiry event: the module renews the session by itself, sends go on.
    let held = if j11 {
        None
    } else {
        Some(Phase::ReAuthenticating)
    };
    for ph in [Phase::TxLimited, Phase::Reconnecting]
        .into_iter()
        .chain(held)
    {
        assert!(phases.contains(&ph), "{ph:?} never happened");
    }
    let causes = triages(&p);
    assert!(causes.contains(&Cause::DongleLost));
    assert!(causes.contains(&Cause::SessionLost));
    assert!(causes.contains(&Cause::TxLimit));
    assert_eq!(p.engine.phase(), Phase::Reading);

    // Over the day minus its last minute (answers then may still be in flight).
    let expected = truth.iter().filter(|(t, _)| *t + MIN < DAY).count();
    let delivered = got.iter().filter(|(t, _)| *t + MIN < DAY).count();
    println!(
        "soak ({:?}): {} readings delivered of {} the meter answered ({} lost while unplugged), \
         {} gaps longer than {} s, all during faults",
        p.device.scenario().dialect,
        delivered,
        expected,
        missed.len(),
        gaps,
        3 * INTERVAL_MS / 1000
    );
}
