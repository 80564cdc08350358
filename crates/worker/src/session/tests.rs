//! The session host against the demo dongle, every message and batch crossing as bytes.

use super::*;
use crate::demo::Device;

fn creds(id: &str, pw: &str) -> ToSession {
    ToSession::Credentials {
        id: RouteBId::new(id).unwrap(),
        password: RouteBPassword::new(pw).unwrap(),
        refusals_allowed: 2,
    }
}

/// Run a session against the demo dongle on one clock until `until` says stop or
/// `limit_ms` passes; every message and batch crosses as bytes, as in the browser.
fn run(
    preset: &str,
    first: Vec<ToSession>,
    limit_ms: f64,
    mut until: impl FnMut(&FromSession) -> bool,
) -> Vec<FromSession> {
    let mut now = 1000.0;
    let mut dev = Device::new(preset, 1, now);
    dev.set_open(true);
    let mut host = SessionHost::new(now);
    let mut batches = Vec::new();
    let mut inbox: Vec<ToSession> = first;
    while now < limit_ms {
        for msg in std::mem::take(&mut inbox) {
            let msg = ToSession::decode(&msg.encode()).unwrap();
            let b = FromSession::decode(&host.handle(msg, now).encode()).unwrap();
            for w in &b.tx {
                dev.write(now, w);
            }
            let stop = until(&b);
            batches.push(b);
            if stop {
                return batches;
            }
        }
        let (bytes, dev_wait) = dev.pump(now);
        if !bytes.is_empty() {
            inbox.push(ToSession::Bytes(bytes));
            continue;
        }
        let host_wait = host.wait_ms(now).map(|w| w as f64);
        let step = match (dev_wait, host_wait) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b).unwrap_or(1000.0),
        }
        .max(1.0);
        now += step;
        if host.wait_ms(now) == Some(0) {
            let b = FromSession::decode(&host.timeout(now).encode()).unwrap();
            for w in &b.tx {
                dev.write(now, w);
            }
            let stop = until(&b);
            batches.push(b);
            if stop {
                return batches;
            }
        }
    }
    batches
}

fn start() -> ToSession {
    ToSession::Start {
        poll_interval_secs: None,
        speed: 1,
        profile: None,
    }
}

/// The demo meter read through the host: every batch up to the first reading (two minutes at
/// most).
fn demo_to_reading() -> Vec<FromSession> {
    run(
        "demo",
        vec![start(), creds(sim::DEMO_ROUTE_B_ID, sim::DEMO_PASSWORD)],
        120_000.0,
        |b| {
            b.updates
                .iter()
                .any(|u| matches!(u, Update::Event(Event::Reading(_))))
        },
    )
}

#[test]
fn a_demo_session_reads_the_meter_through_the_host() {
    let batches = demo_to_reading();
    let last = batches.last().unwrap();
    let reading = last.updates.iter().find_map(|u| match u {
        Update::Event(Event::Reading(r)) => Some(*r),
        _ => None,
    });
    let reading = reading.expect("a reading within two minutes");
    assert!(matches!(reading.values, broute::ReadingValues::Low(_)));
    let events: Vec<&Update> = batches.iter().flat_map(|b| &b.updates).collect();
    assert!(events
        .iter()
        .any(|u| matches!(u, Update::Event(Event::Phase(Phase::Reading)))));
    assert!(events
        .iter()
        .any(|u| matches!(u, Update::Event(Event::Meter(_)))));
    // The trace has what was written and read, and the ECHONET frames, with no secret.
    let trace: Vec<&TraceOut> = batches.iter().flat_map(|b| &b.trace).collect();
    assert!(trace.iter().any(|t| t.dir == '>'));
    assert!(trace.iter().any(|t| t.dir == '<'));
    assert!(trace.iter().any(|t| t.dir == '⇠' && t.frame.is_some()));
    for t in &trace {
        assert!(!t.text.contains(sim::DEMO_PASSWORD), "{}", t.text);
        assert!(!t.text.contains(sim::DEMO_ROUTE_B_ID), "{}", t.text);
        assert!(!t.text.contains(&sim::DEMO_ROUTE_B_ID[24..]), "{}", t.text);
    }
    // What was written is what the engine asked for, and the clock moves.
    assert!(batches
        .iter()
        .any(|b| b.tx.iter().any(|w| w.starts_with(b"SK"))));
    assert!(last.clock_ms > 0);
    assert!(last.figures.as_ref().is_some_and(|f| f.readings >= 1));
}

#[test]
fn the_input_log_replays_the_session() {
    let mut host = SessionHost::new(0.0);
    host.handle(start(), 0.0);
    let b = host.handle(ToSession::InputLog, 10.0);
    let log = b.input_log.expect("the log");
    assert!(broute::replay::InputLog::decode(&log).is_ok());
}

#[test]
fn credentials_never_show_and_bad_ones_never_cross() {
    let msg = creds(sim::DEMO_ROUTE_B_ID, sim::DEMO_PASSWORD);
    let dbg = format!("{msg:?}");
    assert!(!dbg.contains(sim::DEMO_PASSWORD) && !dbg.contains(sim::DEMO_ROUTE_B_ID));
    let mut host = SessionHost::new(0.0);
    host.handle(start(), 0.0);
    host.handle(msg.clone(), 1.0);
    let dbg = format!("{host:?}");
    assert!(!dbg.contains(sim::DEMO_PASSWORD) && !dbg.contains(sim::DEMO_ROUTE_B_ID));
    // A password with a space (or anything else the types refuse) does not decode.
    let mut bytes = msg.encode();
    let at = bytes
        .windows(12)
        .position(|w| w == sim::DEMO_PASSWORD.as_bytes())
        .unwrap();
    bytes[at] = b' ';
    assert_eq!(ToSession::decode(&bytes), None);
    // Junk never decodes into anything, nor panics.
    for n in 0..64u8 {
        let junk: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37).wrapping_add(n)).collect();
        let _ = ToSession::decode(&junk);
        let _ = FromSession::decode(&junk);
    }
}

#[test]
fn the_timer_ticks_while_scanning_and_stops_when_closed() {
    let mut host = SessionHost::new(0.0);
    assert_eq!(host.wait_ms(0.0), None);
    host.handle(start(), 0.0);
    assert!(host.wait_ms(0.0).is_some());
    host.handle(ToSession::Close, 5.0);
    assert_eq!(host.wait_ms(5.0), None);
}

#[test]
fn a_wrong_password_reaches_the_page_as_its_cause() {
    // J11 too: its dongle and its own frames go through the same host.
    for preset in ["wrong-password", "j11+wrong-password"] {
        let batches = run(
            preset,
            vec![start(), creds(sim::DEMO_ROUTE_B_ID, sim::DEMO_PASSWORD)],
            600_000.0,
            |b| {
                b.updates
                    .iter()
                    .any(|u| matches!(u, Update::Event(Event::Triage(_))))
            },
        );
        let cause = batches
            .iter()
            .flat_map(|b| &b.updates)
            .find_map(|u| match u {
                Update::Event(Event::Triage(c)) => Some(*c),
                _ => None,
            });
        assert_eq!(cause, Some(broute::Cause::AuthRefused), "{preset}");
    }
}

/// Every kind of update crosses as itself, and every cut of its bytes is refused.
#[test]
fn every_update_round_trips() {
    use broute::HistoryProgress;
    let mut updates: Vec<Update> = [
        Event::Phase(Phase::Stopped),
        Event::WoptProposed,
        Event::NeedCredentials,
        Event::ScanStarted {
            attempt: 1,
            attempts: 6,
            duration: 6,
            expected_ms: 9000,
            single_channel: false,
        },
        Event::ScanFinished {
            attempt: 1,
            heard: 2,
        },
        Event::JoinStarted {
            channel: 33,
            from_profile: true,
        },
        Event::Joined,
        Event::HistoryProgress(HistoryProgress { done: 1, total: 2 }),
        Event::HistoryDone { complete: true },
        Event::Recovered,
    ]
    .into_iter()
    .map(Update::Event)
    .collect();
    for c in codec::CAUSES {
        updates.push(Update::Event(Event::Triage(c)));
    }
    // Each cause once in the table: its support code tells them apart.
    let mut codes: Vec<&str> = codec::CAUSES.iter().map(|c| c.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), codec::CAUSES.len());
    updates.push(Update::History {
        days: Vec::new(),
        latest_ms: Some(1_795_651_200_000),
    });
    let b = FromSession {
        clock_ms: 7,
        tx: vec![b"SKVER\r\n".to_vec()],
        trace: vec![TraceOut {
            at_ms: 1,
            dir: '⇠',
            text: "1081".into(),
            frame: Some(Some((Some(1), 2))),
            ignored: Some(Ignored::Unsecured),
        }],
        updates,
        figures: Some(Figures::default()),
        input_log: Some(vec![1, 2, 3]),
    };
    let bytes = b.encode();
    assert_eq!(FromSession::decode(&bytes), Some(b));
    for n in 0..bytes.len() {
        assert_eq!(FromSession::decode(&bytes[..n]), None, "cut at {n}");
    }
    // And the readings, the meter and the dongle of a real session (above) did too: that
    // test decodes every batch it gets.
}

#[test]
fn the_batches_of_a_real_session_cut_anywhere_are_refused_and_never_panic() {
    let batches = demo_to_reading();
    for b in batches.iter().filter(|b| !b.updates.is_empty()) {
        let bytes = b.encode();
        for n in 0..bytes.len() {
            assert_eq!(FromSession::decode(&bytes[..n]), None);
        }
        // Flipped bytes: a value or a refusal, never a panic.
        for i in 0..bytes.len() {
            let mut x = bytes.clone();
            x[i] ^= 0xA5;
            let _ = FromSession::decode(&x);
        }
    }
}
