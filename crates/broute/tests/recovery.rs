//! Recovery and the fault matrix: every simulator fault × each dialect family ends in the
//! documented state, and no reading the meter delivered is lost.

mod common;

use broute::{Cause, Event, Phase, ReadingValues};
use common::*;
use echonet::Measured;
use sim::{Dialect, Fault, Scenario};

fn run_to_reading(p: &mut broute::harness::Pair<sim::Sim>) {
    assert!(
        p.run_until(p.now + 10 * MIN, is_reading).is_some(),
        "no reading; phases {:?}, triage {:?}",
        phases(p),
        triages(p)
    );
}

/// Answers carrying a reading (Get_Res or Get_SNA with an E7 value) that reached the dongle's
/// serial output and counted as the joined meter's (a hostile neighbour's are dropped; the
/// trust test checks that separately).
fn answers_on_air(p: &broute::harness::Pair<sim::Sim>) -> usize {
    p.events
        .iter()
        .filter(|(_, e)| match e {
            Event::Frame {
                dir: broute::Direction::In,
                bytes,
                ignored: None,
                ..
            } => echonet::FrameRepr::parse_bytes(bytes).is_ok_and(|f| {
                matches!(f.esv, echonet::Esv::GetRes | echonet::Esv::GetSna)
                    && f.props.iter().any(|p| p.epc == 0xE7 && !p.edt.is_empty())
            }),
            _ => false,
        })
        .count()
}

#[test]
fn session_expiry_holds_sends_and_resumes_after_reauth() {
    let mut p = pair(preset("short-session"));
    run_to_reading(&mut p);
    let before = readings(&p).len();
    p.run_for(10 * MIN);
    let ph = phases(&p);
    assert!(ph.contains(&Phase::ReAuthenticating), "{ph:?}");
    // Back to reading after each re-authentication, readings keep coming.
    assert_eq!(*ph.last().unwrap(), Phase::Reading, "{ph:?}");
    assert!(readings(&p).len() > before + 30);
    // No request was sent while the session was being renewed.
    let mut holding = false;
    for (_, e) in &p.events {
        match e {
            Event::Phase(Phase::ReAuthenticating) => holding = true,
            Event::Phase(_) => holding = false,
            Event::Frame {
                dir: broute::Direction::Out,
                ..
            } => assert!(!holding, "sent during re-authentication"),
            _ => {}
        }
    }
    assert!(!triages(&p).iter().any(|c| c.is_fatal()));
}

#[test]
fn peer_termination_rejoins_and_keeps_reading() {
    let mut sc = preset("demo");
    sc.faults.set(Fault::PeerTerminates, true);
    let mut p = pair(sc);
    run_to_reading(&mut p);
    p.run_for(5 * MIN);
    let ph = phases(&p);
    assert!(ph.contains(&Phase::Reconnecting), "{ph:?}");
    assert!(triages(&p).contains(&Cause::SessionLost));
    assert!(p.events.iter().any(|(_, e)| matches!(e, Event::Recovered)));
    // Readings after the first recovery.
    let first_recovery = p
        .events
        .iter()
        .position(|(_, e)| matches!(e, Event::Recovered))
        .unwrap();
    assert!(p
        .events
        .iter()
        .skip(first_recovery)
        .any(|(_, e)| is_reading(e)));
}

#[test]
fn transmit_limit_pauses_then_resumes() {
    let cfg = broute::Config {
        poll_interval: core::time::Duration::from_secs(1),
        ..Default::default()
    };
    let mut p = pair_with(preset("tx-limit"), cfg);
    run_to_reading(&mut p);
    p.run_for(2 * HOUR);
    assert!(triages(&p).contains(&Cause::TxLimit), "{:?}", triages(&p));
    let ph = phases(&p);
    assert!(ph.contains(&Phase::TxLimited), "{ph:?}");
    let limited_at = p
        .events
        .iter()
        .position(|(_, e)| matches!(e, Event::Phase(Phase::TxLimited)))
        .unwrap();
    assert!(p
        .events
        .iter()
        .skip(limited_at)
        .any(|(_, e)| matches!(e, Event::Recovered)));
}

#[test]
fn dropped_replies_lose_no_delivered_reading() {
    let mut sc = preset("flaky");
    sc.faults.set(Fault::Garbage, true);
    let mut p = pair(sc);
    run_to_reading(&mut p);
    p.run_for(30 * MIN);
    // Every Get_Res the meter actually put on the air reached the UI as a reading.
    let answers_in = answers_on_air(&p);
    assert!(answers_in > 10);
    assert_eq!(readings(&p).len(), answers_in);
}

#[test]
fn crlf_inside_binary_payloads_is_read_correctly() {
    for dialect in [Dialect::SingleHop, Dialect::DualStack] {
        let mut sc = Scenario::new(dialect);
        sc.erxudp_hex = false;
        sc.faults.set(Fault::CrLfInPayload, true);
        let mut p = pair(sc);
        run_to_reading(&mut p);
        let r = readings(&p)[0].1;
        let ReadingValues::Low(lv) = r.values else {
            panic!()
        };
        // The simulator answers E7 = 0x00000D0A under this fault.
        assert_eq!(lv.power_w, Some(Measured::Value(0x0D0A)), "{dialect:?}");
    }
}

#[test]
fn no_data_markers_stay_markers() {
    let mut sc = preset("demo");
    sc.faults.set(Fault::NoData, true);
    let mut p = pair(sc);
    run_to_reading(&mut p);
    let r = readings(&p)[0].1;
    let ReadingValues::Low(lv) = r.values else {
        panic!()
    };
    assert_eq!(lv.power_w, Some(Measured::NoData));
    let e0 = lv.energy_normal.unwrap();
    assert_eq!(e0.raw, Measured::NoData);
    assert_eq!(e0.kwh, None, "no number for 'no data'");
}

#[test]
fn missing_coefficient_means_one_and_missing_unit_means_raw() {
    let mut sc = preset("demo");
    sc.faults.set(Fault::GetSnaD3, true);
    let mut p = pair(sc);
    run_to_reading(&mut p);
    let m = p.engine.meter().unwrap();
    assert_eq!(m.lv.coefficient, None);
    assert!(m.lv.unit.is_some());
    let ReadingValues::Low(lv) = readings(&p)[0].1.values else {
        panic!()
    };
    assert!(lv.energy_normal.unwrap().kwh.is_some());

    let mut sc = preset("demo");
    sc.faults.set(Fault::GetSnaE1, true);
    let mut p = pair(sc);
    run_to_reading(&mut p);
    let ReadingValues::Low(lv) = readings(&p)[0].1.values else {
        panic!()
    };
    let e0 = lv.energy_normal.unwrap();
    assert!(e0.raw.is_value());
    assert_eq!(e0.kwh, None, "no guessed unit");
}

#[test]
fn unplugged_dongle_stops_with_dongle_lost() {
    let mut p = pair(preset("demo"));
    run_to_reading(&mut p);
    p.device.unplug();
    let now = broute::Instant(p.now);
    p.engine.serial_lost(now);
    p.run_for(MIN);
    assert_eq!(triages(&p), vec![Cause::DongleLost]);
    assert_eq!(p.engine.phase(), Phase::Stopped);
}

/// The documented outcome of each fault (docs/troubleshooting.md).
fn expected(f: Fault) -> Option<Cause> {
    match f {
        Fault::WrongId => Some(Cause::NoMeterHeard),
        Fault::WrongPassword => Some(Cause::AuthRefused),
        Fault::MeterOutOfRange => Some(Cause::NoMeterHeard),
        Fault::Silence => Some(Cause::NoDongleAnswer),
        Fault::Unplugged => Some(Cause::NoDongleAnswer),
        // The others are survivable: the engine reaches readings.
        _ => None,
    }
}

#[test]
fn fault_matrix() {
    let dialects = [
        Dialect::SingleHop,
        Dialect::DualStack,
        Dialect::DualStackNoRopt,
        Dialect::J11,
    ];
    for dialect in dialects {
        for fault in Fault::ALL {
            let mut sc = Scenario::new(dialect);
            sc.faults.set(fault, true);
            let mut p = pair(sc);
            let outcome = p.run_until(20 * MIN, |e| is_reading(e) || is_stopped(e));
            let label = format!("{dialect:?} × {fault:?}");
            match expected(fault) {
                Some(cause) => {
                    assert_eq!(
                        outcome,
                        Some(Event::Phase(Phase::Stopped)),
                        "{label}: {:?}",
                        phases(&p)
                    );
                    assert_eq!(triages(&p).last(), Some(&cause), "{label}");
                }
                None => {
                    assert!(
                        matches!(outcome, Some(Event::Reading(_))),
                        "{label}: phases {:?} triage {:?}",
                        phases(&p),
                        triages(&p)
                    );
                    // Keep running: survivable faults never stop the engine, and every
                    // reading put on the air arrives.
                    p.run_for(15 * MIN);
                    assert!(
                        !triages(&p).iter().any(|c| c.is_fatal()),
                        "{label}: {:?}",
                        triages(&p)
                    );
                    let on_air = answers_on_air(&p);
                    assert_eq!(readings(&p).len(), on_air, "{label}");
                }
            }
        }
    }
}

// ------------------------------------------------------------------ J11 recovery

#[test]
fn j11_session_renewal_keeps_reading() {
    // J11 has no expiry event: the module re-authenticates by itself (unsolicited 0x6028).
    let mut p = pair(on_j11(preset("short-session")));
    run_to_reading(&mut p);
    let before = readings(&p).len();
    p.run_for(10 * MIN);
    assert!(readings(&p).len() > before + 30, "{:?}", phases(&p));
    assert!(!triages(&p).iter().any(|c| c.is_fatal()));
    assert_eq!(p.engine.phase(), Phase::Reading);
}

#[test]
fn j11_peer_termination_rejoins_and_keeps_reading() {
    let mut sc = on_j11(preset("demo"));
    sc.faults.set(Fault::PeerTerminates, true);
    let mut p = pair(sc);
    run_to_reading(&mut p);
    p.run_for(5 * MIN);
    assert!(
        triages(&p).contains(&Cause::SessionLost),
        "{:?}",
        phases(&p)
    );
    let recovered = p
        .events
        .iter()
        .position(|(_, e)| matches!(e, Event::Recovered))
        .expect("recovered");
    assert!(p.events.iter().skip(recovered).any(|(_, e)| is_reading(e)));
}

#[test]
fn j11_transmit_limit_pauses_then_resumes() {
    let cfg = broute::Config {
        poll_interval: core::time::Duration::from_secs(1),
        ..Default::default()
    };
    let mut p = pair_with(on_j11(preset("tx-limit")), cfg);
    run_to_reading(&mut p);
    p.run_for(2 * HOUR);
    assert!(triages(&p).contains(&Cause::TxLimit), "{:?}", triages(&p));
    let limited_at = p
        .events
        .iter()
        .position(|(_, e)| matches!(e, Event::Phase(Phase::TxLimited)))
        .expect("TxLimited phase");
    assert!(p
        .events
        .iter()
        .skip(limited_at)
        .any(|(_, e)| matches!(e, Event::Recovered)));
    assert!(p.events.iter().skip(limited_at).any(|(_, e)| is_reading(e)));
    assert!(!triages(&p).iter().any(|c| c.is_fatal()));
}

#[test]
fn j11_decrypt_errors_reauthenticate_without_a_storm() {
    let mut sc = on_j11(preset("demo"));
    sc.faults.set(Fault::DecryptError, true);
    let mut p = pair(sc);
    run_to_reading(&mut p);
    p.run_for(30 * MIN);
    let holds = p
        .events
        .iter()
        .filter(|(_, e)| matches!(e, Event::Phase(Phase::ReAuthenticating)))
        .count();
    // At most one re-authentication per 10 minutes, however many frames fail.
    assert!((1..=4).contains(&holds), "{holds} re-authentications");
    // Every second meter frame is lost: each lost poll costs the AIF wait of 60 s.
    let n = readings(&p).len();
    assert!(n > 10, "{n} readings; phases {:?}", phases(&p));
    assert!(!triages(&p).iter().any(|c| c.is_fatal()));
}

#[test]
fn silent_meter_resets_the_dongle_and_rejoins() {
    for sc in [preset("demo"), on_j11(preset("demo"))] {
        let dialect = sc.dialect;
        let mut p = pair(sc);
        run_to_reading(&mut p);
        p.device.set_fault(Fault::MeterOutOfRange, true);
        p.run_for(3 * MIN);
        assert!(triages(&p).contains(&Cause::SessionLost), "{dialect:?}");
        p.device.set_fault(Fault::MeterOutOfRange, false);
        let before = readings(&p).len();
        p.run_for(15 * MIN);
        assert!(
            readings(&p).len() > before,
            "{dialect:?}: readings after the meter came back; phases {:?}",
            phases(&p)
        );
        assert_eq!(p.engine.phase(), Phase::Reading, "{dialect:?}");
    }
}
