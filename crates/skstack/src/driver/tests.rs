//! Driver scenarios on a fake clock.

use super::*;
use crate::addr::parse_ipv6;
use crate::credentials::{RouteBId, RouteBPassword};
use crate::frame::DataEncoding;

const METER: &str = "FE80:0000:0000:0000:C2F9:4500:4058:B5FB";
const OWN: &str = "FE80:0000:0000:0000:021D:1291:0004:E578";

fn tx(d: &mut Driver) -> Vec<Vec<u8>> {
    std::iter::from_fn(|| d.poll_transmit()).collect()
}

fn evs(d: &mut Driver) -> Vec<DriverEvent> {
    std::iter::from_fn(|| d.poll_event()).collect()
}

fn completed(ev: &[DriverEvent]) -> Vec<(CommandKind, Result<Response, Error>)> {
    ev.iter()
        .filter_map(|e| match e {
            DriverEvent::Completed {
                command, result, ..
            } => Some((*command, result.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn detection_dual_stack_binary_then_confirmed_wopt() {
    let mut d = Driver::new();
    let t = Instant(0);
    d.start_detection(t);
    assert_eq!(tx(&mut d), [b"SKVER\r\n".to_vec()]);
    d.handle_bytes(b"SKVER\r\nEVER 1.5.2\r\nOK\r\n", t);
    assert_eq!(tx(&mut d), [b"SKAPPVER\r\n".to_vec()]);
    d.handle_bytes(b"SKAPPVER\r\nFAIL ER04\r\n", t);
    assert_eq!(tx(&mut d), [b"SKINFO\r\n".to_vec()]);
    d.handle_bytes(b"SKINFO\r\nEINFO FE80:0000:0000:0000:021D:1291:0004:FFFF 001D12910004FFFF 39 9E08 0\r\nOK\r\n", t);
    assert_eq!(tx(&mut d), [b"ROPT\r".to_vec()]);
    d.handle_bytes(b"ROPT\rOK 00\r", t);
    let ev = evs(&mut d);
    let det = ev.iter().find_map(|e| match e {
        DriverEvent::Detected(x) => Some(x.clone()),
        _ => None,
    });
    let det = det.expect("detected");
    assert_eq!(det.dialect, Some(Dialect::DualStack));
    assert_eq!(det.erxudp_mode, ErxudpMode::Binary);
    assert_eq!(det.stack_version.as_deref(), Some("1.5.2"));
    assert_eq!(det.app_version, None);
    assert_eq!(det.supports_ropt, Some(true));
    assert!(ev.contains(&DriverEvent::WoptProposed {
        current: 0,
        proposed: 1
    }));
    // Nothing is written until the caller confirms.
    assert!(tx(&mut d).is_empty());
    d.confirm_wopt(t).unwrap();
    assert_eq!(tx(&mut d), [b"WOPT 01\r".to_vec()]);
    d.handle_bytes(b"WOPT 01\rOK\r", t);
    assert_eq!(
        completed(&evs(&mut d)),
        [(CommandKind::Wopt, Ok(Response::Ok))]
    );
    assert_eq!(d.confirm_wopt(t), Err(Error::NoWoptProposal));
}

#[test]
fn silent_dongle_gets_j11_probe_and_is_recognised() {
    let mut d = Driver::new();
    d.start_detection(Instant(0));
    assert_eq!(tx(&mut d), [b"SKVER\r\n".to_vec()]);
    let dl = d.poll_timeout().unwrap();
    assert_eq!(dl, Instant(2000));
    d.handle_timeout(dl);
    let out = tx(&mut d);
    assert_eq!(&out[0][..4], &crate::j11::REQUEST_CODE);
    let resp = crate::j11::encode(crate::j11::RESPONSE_CODE, 0x206B, &[0x01, 0x01, 0x00, 0x00]);
    d.handle_bytes(&resp, Instant(3100));
    let ev = evs(&mut d);
    assert!(ev.contains(&DriverEvent::J11Detected));
    assert!(ev
        .iter()
        .any(|e| matches!(e, DriverEvent::Detected(x) if x.j11)));
    assert_eq!(
        d.submit(Command::Ver, Instant(3200)),
        Err(Error::J11Detected)
    );
}

#[test]
fn scan_arity_fallback_on_er05() {
    let mut d = Driver::new();
    let id = d
        .scan(ScanMode::ActiveWithPairingId, 0xFFFF_FFFF, 6, Instant(0))
        .unwrap();
    assert_eq!(tx(&mut d), [b"SKSCAN 2 FFFFFFFF 6 0\r\n".to_vec()]);
    d.handle_bytes(b"FAIL ER05\r\n", Instant(10));
    assert_eq!(tx(&mut d), [b"SKSCAN 2 FFFFFFFF 6\r\n".to_vec()]);
    assert_eq!(d.dialect(), Some(Dialect::SingleHop));
    d.handle_bytes(b"OK\r\n", Instant(20));
    let input = format!(
        "EVENT 20 {OWN}\r\nEPANDESC\r\n  Channel:33\r\n  Channel Page:09\r\n  Pan ID:6393\r\n  Addr:001C640003DD6393\r\n  LQI:4E\r\n  PairID:00F6D114\r\nEVENT 22 {OWN}\r\n"
    );
    d.handle_bytes(input.as_bytes(), Instant(17_000));
    let ev = evs(&mut d);
    let done = ev.iter().find_map(|e| match e {
        DriverEvent::Completed {
            id: i,
            result: Ok(Response::Scan(p)),
            ..
        } if *i == id => Some(p.clone()),
        _ => None,
    });
    let pans = done.expect("scan completed");
    assert_eq!(pans.len(), 1);
    assert_eq!(pans[0].pan_id, 0x6393);
    assert!(ev.iter().any(|e| matches!(e, DriverEvent::PanDesc(_))));
}

#[test]
fn scan_without_beacon_and_timeout() {
    let mut d = Driver::new();
    d.set_dialect(Dialect::DualStack);
    d.scan(ScanMode::ActiveWithPairingId, 0xFFFF_FFFF, 4, Instant(0))
        .unwrap();
    assert_eq!(tx(&mut d), [b"SKSCAN 2 FFFFFFFF 4 0\r\n".to_vec()]);
    d.handle_bytes(
        format!("OK\r\nEVENT 22 {OWN} 0\r\n").as_bytes(),
        Instant(5000),
    );
    assert_eq!(
        completed(&evs(&mut d)),
        [(CommandKind::Scan, Ok(Response::Scan(vec![])))]
    );

    // Now one that never ends: the deadline follows the scan-time formula.
    d.scan(
        ScanMode::ActiveWithPairingId,
        0xFFFF_FFFF,
        6,
        Instant(10_000),
    )
    .unwrap();
    d.submit(Command::Ver, Instant(10_000)).unwrap();
    assert_eq!(tx(&mut d).len(), 1, "one command in flight");
    d.handle_bytes(b"OK\r\n", Instant(10_010));
    let dl = d.poll_timeout().unwrap();
    assert!(
        dl > Instant(10_000 + 17_472) && dl < Instant(10_000 + 25_000),
        "{dl:?}"
    );
    d.handle_timeout(dl);
    let c = completed(&evs(&mut d));
    assert_eq!(
        c,
        [(
            CommandKind::Scan,
            Err(Error::Timeout {
                command: CommandKind::Scan,
                waiting_for: "EVENT 22"
            })
        )]
    );
    assert_eq!(
        tx(&mut d),
        [b"SKVER\r\n".to_vec()],
        "queued command starts after the timeout"
    );
}

#[test]
fn sendto_with_interleaved_async_output() {
    // T-qiita-nerves: an INF ERXUDP arrives before the echo; EVENT 21 before OK.
    let mut d = Driver::new();
    d.set_dialect(Dialect::DualStack);
    let meter = parse_ipv6(METER.as_bytes()).unwrap();
    let payload = vec![
        0x10, 0x81, 0x52, 0x53, 0x05, 0xFF, 0x01, 0x02, 0x88, 0x01, 0x62, 0x01, 0xE7, 0x00,
    ];
    d.send_udp(meter, payload.clone(), Security::Required, Instant(0))
        .unwrap();
    let mut want = format!("SKSENDTO 1 {METER} 0E1A 1 0 000E ").into_bytes();
    want.extend_from_slice(&payload);
    assert_eq!(tx(&mut d), [want]);
    let input = format!(
        "ERXUDP {METER} {OWN} 0E1A 0E1A 0011223344556677 1 0 0026 1081000102880105FF017302EA0B07E70C13001E000000458EEB0B07E70C13001E0000000015\r\nSKSENDTO 1 {METER} 0E1A 1 0 000E \r\nEVENT 21 {METER} 0 00\r\nOK\r\nERXUDP {METER} {OWN} 0E1A 0E1A 0011223344556677 1 0 0012 1081525302880105FF017201E704000000E4\r\n"
    );
    // byte at a time
    for b in input.as_bytes() {
        d.handle_bytes(std::slice::from_ref(b), Instant(100));
    }
    let ev = evs(&mut d);
    let kinds: Vec<&str> = ev
        .iter()
        .map(|e| match e {
            DriverEvent::RxUdp(_) => "rx",
            DriverEvent::Event(_) => "event",
            DriverEvent::Completed { .. } => "done",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["rx", "event", "done", "rx"]);
    assert_eq!(
        completed(&ev),
        [(
            CommandKind::SendTo,
            Ok(Response::Sent {
                udp_result: Some(0)
            })
        )]
    );
    let DriverEvent::RxUdp(r) = &ev[3] else {
        panic!()
    };
    assert_eq!(r.encoding, DataEncoding::Hex);
    assert_eq!(&r.data[r.data.len() - 4..], &[0, 0, 0, 0xE4]);
}

#[test]
fn send_udp_needs_dialect() {
    let mut d = Driver::new();
    assert_eq!(
        d.send_udp(Ipv6Addr::LOCALHOST, vec![1], Security::Required, Instant(0)),
        Err(Error::DialectUnknown)
    );
}

#[test]
fn join_success_and_failure() {
    let mut d = Driver::new();
    d.set_dialect(Dialect::SingleHop);
    let meter = parse_ipv6(METER.as_bytes()).unwrap();
    d.submit(Command::Join(meter), Instant(0)).unwrap();
    assert_eq!(tx(&mut d), [format!("SKJOIN {METER}\r\n").into_bytes()]);
    d.handle_bytes(
        format!("OK\r\nEVENT 21 {METER} 02\r\nEVENT 02 {METER}\r\nEVENT 25 {METER}\r\n").as_bytes(),
        Instant(3300),
    );
    let ev = evs(&mut d);
    assert_eq!(completed(&ev), [(CommandKind::Join, Ok(Response::Joined))]);
    let e21 = ev.iter().find_map(|e| match e {
        DriverEvent::Event(e) if e.num == 0x21 => Some(e.clone()),
        _ => None,
    });
    assert_eq!(
        e21.unwrap().param,
        Some(2),
        "SE dialect resolves the trailing token as param"
    );

    d.submit(Command::Join(meter), Instant(10_000)).unwrap();
    d.handle_bytes(
        format!("OK\r\nEVENT 24 {METER}\r\n").as_bytes(),
        Instant(12_000),
    );
    assert_eq!(
        completed(&evs(&mut d)),
        [(CommandKind::Join, Err(Error::JoinFailed))]
    );
}

#[test]
fn ll64_bare_reply_and_fail_codes() {
    let mut d = Driver::new();
    d.submit(
        Command::Ll64(crate::addr::Mac::parse(b"001C640003DD6393").unwrap()),
        Instant(0),
    )
    .unwrap();
    d.submit(Command::Term, Instant(0)).unwrap();
    d.handle_bytes(
        b"SKLL64 001C640003DD6393\r\nFE80:0000:0000:0000:021C:6400:03DD:6393\r\n",
        Instant(5),
    );
    d.handle_bytes(b"SKTERM\r\nFAIL ER10\r\n", Instant(6));
    let c = completed(&evs(&mut d));
    assert_eq!(
        c[0],
        (
            CommandKind::Ll64,
            Ok(Response::Address(
                parse_ipv6(b"FE80:0000:0000:0000:021C:6400:03DD:6393").unwrap()
            ))
        )
    );
    assert_eq!(
        c[1],
        (
            CommandKind::Term,
            Err(Error::CommandFailed {
                command: CommandKind::Term,
                code: FailCode::ExecutionFailed
            })
        )
    );
}

#[test]
fn credentials_never_leak_into_events() {
    let mut d = Driver::new();
    let pw = RouteBPassword::new("0123456789AB").unwrap();
    let id = RouteBId::new("00112233445566778899AABBCCDDEEFF").unwrap();
    d.submit(Command::SetPwd(pw), Instant(0)).unwrap();
    d.submit(Command::SetRbid(id), Instant(0)).unwrap();
    d.handle_bytes(
        b"SKSETPWD C 0123456789AB\r\nOK\r\nSKSETRBID 00112233445566778899AABBCCDDEEFF\r\nOK\r\n",
        Instant(1),
    );
    // also a garbled echo that ends up as an unknown line
    d.handle_bytes(b"xxSKSETPWD C 0123456789AB\r\n", Instant(2));
    let ev = evs(&mut d);
    assert_eq!(completed(&ev).len(), 2);
    let dump = format!("{ev:?} {d:?}");
    assert!(!dump.contains("0123456789AB"), "{dump}");
    assert!(!dump.contains("00112233445566778899AABBCCDDEEFF"));
}

#[test]
fn pandesc_block_closes_after_quiet_period() {
    let mut d = Driver::new();
    d.handle_bytes(b"EPANDESC\r\n  Channel:21\r\n  Channel Page:09\r\n  Pan ID:8888\r\n  Addr:12345678ABCDEF01\r\n  LQI:E1\r\n", Instant(100));
    assert!(evs(&mut d).is_empty());
    let t = d.poll_timeout().unwrap();
    assert_eq!(t, Instant(400));
    d.handle_timeout(t);
    assert!(
        matches!(&evs(&mut d)[..], [DriverEvent::PanDesc(p)] if p.side.is_none() && p.pair_id.is_none())
    );
}
