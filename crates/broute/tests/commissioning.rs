//! The engine against the simulator: from a freshly opened port to readings, per dialect.

mod common;

use broute::{
    Cause, Config, Engine, Event, HistoryRecord, HistoryRequest, Instant, MeterClass, Phase,
    ReadingValues,
};
use common::*;
use echonet::Measured;

fn first_reading(p: &mut broute::harness::Pair<sim::Sim>) -> broute::Reading {
    match p.run_until(10 * MIN, is_reading) {
        Some(Event::Reading(r)) => r,
        other => panic!(
            "no reading: {other:?}; phases {:?}; triage {:?}",
            phases(p),
            triages(p)
        ),
    }
}

/// Power, currents and energy equal the simulator's ground truth at the time of the answer.
fn check_against_truth(p: &broute::harness::Pair<sim::Sim>, at: u64, r: &broute::Reading) {
    let meter = p.device.meter(0).unwrap();
    // The meter sampled its registers when the request arrived, a few hundred ms earlier.
    let candidates: Vec<_> = (0..=2000)
        .step_by(1)
        .map(|back| meter.reading_at(at.saturating_sub(back)))
        .collect();
    let ReadingValues::Low(lv) = r.values else {
        panic!("expected a low-voltage reading")
    };
    let Some(Measured::Value(w)) = lv.power_w else {
        panic!("no power in {lv:?}")
    };
    assert!(
        candidates.iter().any(|t| t.power_w == w),
        "power {w} W not in the simulator's truth around t={at}"
    );
    let e0 = lv.energy_normal.unwrap();
    assert!(candidates
        .iter()
        .any(|t| e0.raw == Measured::Value(t.import_count)));
    assert!(e0.kwh.is_some(), "scaled kWh present");
}

#[test]
fn single_hop_reaches_readings_with_the_right_numbers() {
    let mut p = pair(preset("demo"));
    let r = first_reading(&mut p);
    let at = p.now;
    check_against_truth(&p, at, &r);
    let ph = phases(&p);
    assert_eq!(
        ph,
        vec![
            Phase::ExpectDongle,
            Phase::ExpectSettings,
            Phase::ExpectCredentialsSet,
            Phase::ExpectScan,
            Phase::ExpectChannel,
            Phase::ExpectJoin,
            // No wait for the meter's instance list: the identity request goes out at once.
            Phase::ExpectIdentity,
            Phase::Reading
        ]
    );
    let dongle = p.engine.dongle().unwrap();
    assert_eq!(dongle.dialect, broute::Dialect::SingleHop);
    assert_eq!(p.engine.meter().unwrap().class, MeterClass::LowVoltage);
    assert!(triages(&p).is_empty());
    // A profile was offered for the next time.
    assert!(p.events.iter().any(|(_, e)| matches!(e, Event::Profile(_))));
}

#[test]
fn dual_stack_and_dss_reach_readings() {
    for name in ["dual-stack", "dual-stack-hex", "dss"] {
        let mut p = pair(preset(name));
        let r = first_reading(&mut p);
        let at = p.now;
        check_against_truth(&p, at, &r);
        assert_eq!(
            p.engine.dongle().unwrap().dialect,
            broute::Dialect::DualStack,
            "{name}"
        );
        if name == "dual-stack" {
            // WOPT is only proposed, never sent on our own.
            assert!(p
                .events
                .iter()
                .any(|(_, e)| matches!(e, Event::WoptProposed)));
        }
    }
}

#[test]
fn scan_grows_until_the_meter_answers() {
    let mut p = pair(preset("weak-signal"));
    first_reading(&mut p);
    let scans: Vec<u8> = p
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::ScanStarted { duration, .. } => Some(*duration),
            _ => None,
        })
        .collect();
    assert_eq!(
        scans,
        vec![4, 5, 6, 7],
        "grows to the weak meter's minimum of 7"
    );
}

#[test]
fn wrong_password_stops_after_two_refusals() {
    let mut p = pair(preset("wrong-password"));
    let stopped = p.run_until(10 * MIN, is_stopped);
    assert!(stopped.is_some(), "phases {:?}", phases(&p));
    assert_eq!(triages(&p), vec![Cause::AuthRefused]);
    let joins = p
        .events
        .iter()
        .filter(|(_, e)| matches!(e, Event::JoinStarted { .. }))
        .count();
    assert_eq!(joins, 2, "exactly two attempts: no lock-out");
}

#[test]
fn wrong_id_finds_no_meter() {
    let mut p = pair(preset("wrong-id"));
    assert!(p.run_until(10 * MIN, is_stopped).is_some());
    assert_eq!(triages(&p), vec![Cause::NoMeterHeard]);
}

#[test]
fn only_a_neighbours_meter_is_not_ours() {
    let mut sc = preset("wrong-id");
    sc.faults.set(sim::Fault::NeighbourMeter, true);
    let mut p = pair(sc);
    assert!(p.run_until(10 * MIN, is_stopped).is_some());
    assert_eq!(triages(&p), vec![Cause::MeterNotOurs]);
}

#[test]
fn picks_our_meter_among_neighbours() {
    let mut p = pair(preset("neighbours"));
    let r = first_reading(&mut p);
    let at = p.now;
    check_against_truth(&p, at, &r);
    let found: Vec<bool> = p
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::PanFound(pan) => Some(pan.matches),
            _ => None,
        })
        .collect();
    assert!(found.contains(&true) && found.contains(&false), "{found:?}");
}

#[test]
fn no_meter_in_range() {
    let mut p = pair(preset("no-meter"));
    assert!(p.run_until(10 * MIN, is_stopped).is_some());
    assert_eq!(triages(&p), vec![Cause::NoMeterHeard]);
}

#[test]
fn silent_dongle_is_named() {
    let mut sc = preset("demo");
    sc.faults.set(sim::Fault::Silence, true);
    let mut p = pair(sc);
    assert!(p.run_until(MIN, is_stopped).is_some(), "{:?}", phases(&p));
    assert_eq!(triages(&p), vec![Cause::NoDongleAnswer]);
}

#[test]
fn asks_for_credentials_when_none_are_given() {
    let mut e = Engine::new(Config::default());
    e.start(Instant(0));
    let mut p = broute::harness::Pair::new(e, sim::Sim::new(preset("demo")));
    assert!(p
        .run_until(MIN, |e| matches!(e, Event::NeedCredentials))
        .is_some());
    assert_eq!(p.engine.phase(), Phase::ExpectCredentials);
    let now = Instant(p.now);
    p.engine.set_credentials(demo_id(), demo_password(), now);
    assert!(p.run_until(10 * MIN, is_reading).is_some());
}

#[test]
fn warm_start_with_profile_skips_the_scan() {
    let mut cold = pair(preset("demo"));
    first_reading(&mut cold);
    let profile = cold.engine.profile().unwrap();
    let cold_ms = cold.now;

    let mut warm = pair_with_profile(preset("demo"), profile);
    first_reading(&mut warm);
    assert!(!warm
        .events
        .iter()
        .any(|(_, e)| matches!(e, Event::ScanStarted { .. })));
    assert!(
        warm.now < cold_ms,
        "warm {} ms < cold {} ms",
        warm.now,
        cold_ms
    );
}

#[test]
fn stale_profile_falls_back_to_a_scan() {
    // SKSTACK and J11 number their channels differently: move to a neighbour of the meter's.
    for (name, low) in [("demo", 0x21), ("j11", 0x04)] {
        let mut cold = pair(preset(name));
        first_reading(&mut cold);
        let mut profile = cold.engine.profile().unwrap();
        profile.channel = if profile.channel == low { low + 1 } else { low };
        let mut p = pair_with_profile(preset(name), profile);
        first_reading(&mut p);
        assert!(
            p.events
                .iter()
                .any(|(_, e)| matches!(e, Event::ScanStarted { .. })),
            "{name}"
        );
    }
}

#[test]
fn high_voltage_meter_reads_its_own_set() {
    let mut p = pair(preset("high-voltage"));
    let r = first_reading(&mut p);
    assert_eq!(p.engine.meter().unwrap().class, MeterClass::HighVoltage);
    let ReadingValues::High(hv) = r.values else {
        panic!("expected high-voltage values")
    };
    let (stamp, energy) = hv.active_energy.expect("E2 active energy");
    // E2 carries the register at its stamp (a whole minute): compare with the truth there.
    let stamp = stamp.value().expect("stamped");
    let meter = p.device.meter(0).unwrap();
    let at = sim::CivilDateTime::new(
        stamp.year,
        stamp.month,
        stamp.day,
        stamp.hour,
        stamp.minute,
        stamp.second,
    );
    let ms = (at.to_seconds() - meter.civil_at(0).to_seconds()) * 1000;
    let truth = meter.reading_at(u64::try_from(ms).unwrap());
    let raw = energy.raw.value().unwrap();
    assert_eq!(truth.import_count, raw, "E2 at {stamp:?}");
    // One count = 0.24 kWh on the seed's example meter.
    let kwh = energy.kwh.unwrap();
    assert_eq!(
        kwh,
        echonet::Decimal::new(i128::from(raw) * 24, 2).unwrap(),
        "{kwh}"
    );
}

#[test]
fn history_of_100_days_matches_the_simulator() {
    let cfg = Config {
        poll_interval: core::time::Duration::from_secs(60),
        ..Config::default()
    };
    let mut p = pair_with(preset("demo"), cfg);
    first_reading(&mut p);
    // Let a day pass so that yesterday's slots after the simulation start can be checked
    // against the simulator's registers.
    p.run_for(26 * HOUR);
    let now = Instant(p.now);
    p.engine
        .request_history(HistoryRequest::Days { from: 0, to: 99 }, now);
    let done = p.run_until(p.now + 2 * HOUR, |e| matches!(e, Event::HistoryDone { .. }));
    assert_eq!(done, Some(Event::HistoryDone { complete: true }));
    let days: Vec<_> = p
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::History(r) => match r.as_ref() {
                HistoryRecord::Day {
                    days_ago,
                    date,
                    normal,
                    ..
                } => Some((*days_ago, *date, *normal)),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(days.len(), 100);
    // Readings kept flowing while the history was read.
    assert!(readings(&p).len() > 5);
    // Every slot of day 1 (yesterday) after the simulation started equals the simulator's
    // register at that half hour.
    let meter = p.device.meter(0).unwrap();
    let (_, date, normal) = days[1];
    let date = date.expect("date learnt from the meter");
    assert_eq!((date.year, date.month, date.day), (2026, 11, 26));
    let normal = normal.expect("E2");
    let mut checked = 0;
    for (i, slot) in normal.slots.iter().enumerate() {
        let t = sim::CivilDateTime::new(date.year, date.month, date.day, 0, 0, 0)
            .plus_seconds(i as i64 * 1800);
        let ms = (t.to_seconds() - meter.civil_at(0).to_seconds()) * 1000;
        let want = if ms < 0 {
            None
        } else {
            Some(meter.reading_at(ms as u64).import_count)
        };
        if let Some(w) = want {
            assert_eq!(slot.value(), Some(w), "slot {i} of {date:?}");
            checked += 1;
        }
    }
    assert_eq!(checked, 30, "09:00 to 23:30");
}

// ------------------------------------------------------------------ J11 dongles

#[test]
fn j11_dongle_reaches_readings_with_the_right_numbers() {
    let mut p = pair(preset("j11"));
    let r = first_reading(&mut p);
    let at = p.now;
    check_against_truth(&p, at, &r);
    let d = p.engine.dongle().unwrap();
    assert_eq!(d.dialect, broute::Dialect::J11);
    // The firmware the module reports (the real capture's v1.3 rev 0x158A).
    assert_eq!(d.firmware(), "J11 1.3 rev 158A");
    assert_eq!(
        phases(&p),
        vec![
            Phase::ExpectDongle,
            Phase::ExpectSettings,
            Phase::ExpectCredentialsSet,
            Phase::ExpectScan,
            Phase::ExpectChannel,
            Phase::ExpectJoin,
            Phase::ExpectIdentity,
            Phase::Reading
        ]
    );
    assert!(triages(&p).is_empty());
    let profile = p.engine.profile().unwrap();
    assert_eq!(profile.dialect, broute::Dialect::J11);
    assert!((0x04..=0x11).contains(&profile.channel), "{profile:?}");
}

#[test]
fn j11_warm_start_needs_only_the_channel_and_skips_probing() {
    let mut cold = pair(preset("j11"));
    first_reading(&mut cold);
    let cold_ms = cold.now;
    let mut profile = cold.engine.profile().unwrap();
    // Only the channel matters on J11: the module learns PAN and MAC from 0x2053.
    profile.pan_id = 0x1234;
    let mut warm = pair_with_profile(preset("j11"), profile);
    let r = first_reading(&mut warm);
    let at = warm.now;
    check_against_truth(&warm, at, &r);
    assert!(!warm
        .events
        .iter()
        .any(|(_, e)| matches!(e, Event::ScanStarted { .. })));
    assert!(
        warm.now * 2 < cold_ms,
        "warm {} ms, cold {cold_ms} ms",
        warm.now
    );
    // No SKSTACK text was sent to the J11 module.
    assert!(!warm
        .events
        .iter()
        .any(|(_, e)| matches!(e, Event::WoptProposed)));
}

#[test]
fn j11_wrong_password_stops_after_two_refusals() {
    let mut p = pair(on_j11(preset("wrong-password")));
    assert!(
        p.run_until(10 * MIN, is_stopped).is_some(),
        "{:?}",
        phases(&p)
    );
    assert_eq!(triages(&p), vec![Cause::AuthRefused]);
    let joins = p
        .events
        .iter()
        .filter(|(_, e)| matches!(e, Event::JoinStarted { .. }))
        .count();
    assert_eq!(joins, 2, "exactly two attempts: no lock-out");
}

#[test]
fn j11_wrong_id_finds_no_meter() {
    let mut p = pair(on_j11(preset("wrong-id")));
    assert!(p.run_until(10 * MIN, is_stopped).is_some());
    assert_eq!(triages(&p), vec![Cause::NoMeterHeard]);
}

#[test]
fn j11_id_with_the_right_pairing_id_but_wrong_rest_is_refused() {
    // The scan carries only the Pairing ID (the last 8 characters), so the meter answers it;
    // PANA carries the whole ID and is refused: stopped after two refusals, as on SKSTACK.
    let id = format!("FFFFFFFFFFFFFFFFFFFFFFFF{}", &sim::DEMO_ROUTE_B_ID[24..]);
    let mut e = Engine::new(Config::default());
    e.set_credentials(
        broute::RouteBId::new(&id).unwrap(),
        demo_password(),
        Instant(0),
    );
    let mut p = broute::harness::Pair::new(e, sim::Sim::new(preset("j11")));
    p.start();
    assert!(
        p.run_until(10 * MIN, is_stopped).is_some(),
        "{:?}",
        phases(&p)
    );
    assert_eq!(triages(&p), vec![Cause::AuthRefused]);
}

#[test]
fn j11_start_refused_on_the_remembered_channel_rescans() {
    // 0x0053 fails with 0x0E (no meter answers our ID there): scan that channel, then all.
    let mut cold = pair(preset("j11"));
    first_reading(&mut cold);
    let profile = cold.engine.profile().unwrap();
    let mut sc = preset("j11");
    sc.faults.set(sim::Fault::WrongId, true);
    let mut p = pair_with_profile(sc, profile);
    assert!(
        p.run_until(10 * MIN, is_stopped).is_some(),
        "{:?}",
        phases(&p)
    );
    assert_eq!(triages(&p), vec![Cause::NoMeterHeard]);
    let scans: Vec<bool> = p
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::ScanStarted { single_channel, .. } => Some(*single_channel),
            _ => None,
        })
        .collect();
    assert_eq!(scans.first(), Some(&true), "{scans:?}");
    assert!(scans.len() > 1);
    assert!(!p
        .events
        .iter()
        .any(|(_, e)| matches!(e, Event::JoinStarted { .. })));
}

#[test]
fn a_j11_profile_on_an_skstack_dongle_still_commissions() {
    let mut cold = pair(preset("j11"));
    first_reading(&mut cold);
    let mut profile = cold.engine.profile().unwrap();
    profile.channel = 0x05;
    // The user plugged an SKSTACK dongle in since.
    let mut p = pair_with_profile(preset("demo"), profile);
    first_reading(&mut p);
    assert_eq!(
        p.engine.dongle().unwrap().dialect,
        broute::Dialect::SingleHop
    );
}

#[test]
fn refusals_allowed_carry_over_from_an_earlier_engine() {
    // One refusal was met before (a Retry): only one more attempt.
    let mut p = pair_allowing(preset("wrong-password"), 1);
    assert!(p.run_until(10 * MIN, is_stopped).is_some());
    assert_eq!(triages(&p), vec![Cause::AuthRefused]);
    let joins = |p: &broute::harness::Pair<sim::Sim>| {
        p.events
            .iter()
            .filter(|(_, e)| matches!(e, Event::JoinStarted { .. }))
            .count()
    };
    assert_eq!(joins(&p), 1);

    // Two refusals already: the engine does not try at all.
    let mut p = pair_allowing(preset("wrong-password"), 0);
    assert!(p.run_until(10 * MIN, is_stopped).is_some());
    assert_eq!(triages(&p), vec![Cause::AuthRefused]);
    assert_eq!(joins(&p), 0);
}
