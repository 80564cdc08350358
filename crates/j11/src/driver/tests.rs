//! Driver tests against scripted module output: the ROHM application-note frames
//! (`shared/j11.md` §4 [AN]) and the WSAPP captures, in the pairing order of j11.md §3.

use super::*;
use crate::notification::{Beacon, LinkState, PanaOutcome};
use crate::request::{ActiveScan, Channel, InitialSetup, SendUdp};
use crate::response::{FirmwareVersion, SendDetail};
use crate::util::tests::{hex, resp};
use skstack::{Mac, RouteBId, RouteBPassword};

const ID: &str = "00112233445566778899AABBCCDDEEFF";
const PASSWORD: &str = "0123456789AB";
const METER: Mac = Mac([0x00, 0x50, 0xC2, 0xFF, 0xFE, 0xDC, 0x28, 0x22]);

fn events(d: &mut Driver) -> Vec<DriverEvent> {
    std::iter::from_fn(|| d.poll_event()).collect()
}

fn t(ms: u64) -> Instant {
    Instant(ms)
}

fn credentials() -> Request {
    Request::SetCredentials {
        id: RouteBId::new(ID).unwrap(),
        password: RouteBPassword::new(PASSWORD).unwrap(),
    }
}

/// Submit, check the bytes written, feed the module's answer, return the events.
fn step(d: &mut Driver, now: u64, req: Request, tx: &str, rx: &[&str]) -> Vec<DriverEvent> {
    d.submit(req, t(now)).unwrap();
    assert_eq!(d.poll_transmit(), Some(hex(tx)), "tx {tx}");
    assert_eq!(d.poll_transmit(), None);
    for r in rx {
        d.handle_bytes(&hex(r), t(now + 20));
    }
    events(d)
}

fn completed(ev: &[DriverEvent]) -> Vec<&Result<Response, Error>> {
    ev.iter()
        .filter_map(|e| match e {
            DriverEvent::Completed { result, .. } => Some(result),
            _ => None,
        })
        .collect()
}

#[test]
fn full_pairing_sequence() {
    let mut d = Driver::new();
    // 1. Reset → boot.
    let ev = step(
        &mut d,
        0,
        Request::Reset,
        "D0EA83FC 00D9 0004 0416 0000",
        &["D0F9EE5D 6019 0004 0391 0000"],
    );
    assert_eq!(ev[0], DriverEvent::Notification(Notification::Boot));
    assert_eq!(
        ev[1],
        DriverEvent::Completed {
            id: 1,
            request: RequestKind::Reset,
            result: Ok(Response::Booted)
        }
    );
    // 2. Firmware version (WSAPP capture).
    let ev = step(
        &mut d,
        100,
        Request::FirmwareVersion,
        "D0EA83FC 006B 0004 03A8 0000",
        &["D0 F9 EE 5D 20 6B 00 0D 03 AC 00 A8 01 04 00 01 03 00 00 15 8A"],
    );
    assert_eq!(
        completed(&ev),
        vec![&Ok(Response::FirmwareVersion(FirmwareVersion {
            firmware_id: 0x0400,
            major: 1,
            minor: 3,
            revision: 0x158A
        }))]
    );
    // 3. Initial setup on channel 4, 4. credentials.
    let ev = step(
        &mut d,
        200,
        Request::InitialSetup(InitialSetup::b_route(Channel::new(4).unwrap())),
        "D0EA83FC 005F 0008 03A0 0009 05000400",
        &["D0F9EE5D 205F 0005 0398 0001 01"],
    );
    assert_eq!(completed(&ev), vec![&Ok(Response::Ok)]);
    let ev = step(
        &mut d,
        300,
        credentials(),
        "D0EA83FC 0054 0030 03BD 09D4 \
         3030313132323333343435353636373738383939414142424343444445454646 \
         303132333435363738394142",
        &["D0F9EE5D 2054 0005 038D 0001 01"],
    );
    assert_eq!(completed(&ev), vec![&Ok(Response::Ok)]);
    // 5. Active scan: one 0x4051 per channel, the response after the last one.
    let id = RouteBId::new(ID).unwrap();
    let ev = step(
        &mut d,
        400,
        Request::ActiveScan(ActiveScan::all_channels(6, &id).unwrap()),
        "D0EA83FC 0051 0012 039C 041D 06 0003FFF0 01 4343444445454646",
        &[
            "D0F9EE5D 4051 0006 03AB 0005 01 04",
            "D0F9EE5D 4051 0012 03B7 06BA 00 0C 01 0050C2FFFEDC2822 BCDE DE",
            "D0F9EE5D 2051 0005 038A 0001 01",
        ],
    );
    let found = ScanResult {
        channel: 0x0C,
        beacons: vec![Beacon {
            mac: METER,
            pan_id: 0xBCDE,
            rssi: -34,
        }],
    };
    let none = ScanResult {
        channel: 4,
        beacons: vec![],
    };
    assert_eq!(
        ev,
        vec![
            DriverEvent::Notification(Notification::ScanResult(none.clone())),
            DriverEvent::Notification(Notification::ScanResult(found.clone())),
            DriverEvent::Completed {
                id: 5,
                request: RequestKind::ActiveScan,
                result: Ok(Response::ActiveScan(vec![none, found]))
            }
        ]
    );
    // 6. Initial setup on the meter's channel, 7. start B-route.
    let ev = step(
        &mut d,
        10_000,
        Request::InitialSetup(InitialSetup::b_route(Channel::new(0x0C).unwrap())),
        "D0EA83FC 005F 0008 03A0 0011 05000C00",
        &["D0F9EE5D 205F 0005 0398 0001 01"],
    );
    assert_eq!(completed(&ev), vec![&Ok(Response::Ok)]);
    let ev = step(
        &mut d,
        10_100,
        Request::StartBRoute,
        "D0EA83FC 0053 0004 0390 0000",
        &["D0F9EE5D 2053 0011 0398 06BA 01 0C BCDE 0050C2FFFEDC2822 DE"],
    );
    assert_eq!(
        completed(&ev),
        vec![&Ok(Response::BRoute(crate::response::BRouteLink {
            channel: 0x0C,
            pan_id: 0xBCDE,
            mac: METER,
            rssi: -34
        }))]
    );
    // 8. Open port 3610, 9. start PANA → 0x2056, later 0x6028.
    let ev = step(
        &mut d,
        10_200,
        Request::OpenUdpPort(0x0E1A),
        "D0EA83FC 0005 0006 0344 0028 0E1A",
        &["D0F9EE5D 2005 0005 033E 0001 01"],
    );
    assert_eq!(completed(&ev), vec![&Ok(Response::Ok)]);
    let ev = step(
        &mut d,
        10_300,
        Request::StartPana,
        "D0EA83FC 0056 0004 0393 0000",
        &[
            "D0F9EE5D 2056 0005 038F 0001 01",
            "D0F9EE5D 6028 000D 03A9 0436 01 0050C2FFFEDC2822",
        ],
    );
    assert_eq!(completed(&ev), vec![&Ok(Response::Ok)]);
    assert_eq!(
        ev[1],
        DriverEvent::Notification(Notification::PanaResult(crate::notification::PanaResult {
            outcome: PanaOutcome::Success,
            peer: METER
        }))
    );
    // 11. Get EA/EB from the meter → 0x2008 → 0x6018 Get_Res.
    let ev = step(
        &mut d,
        20_000,
        Request::SendUdp(SendUdp::echonet(
            METER.link_local(),
            hex("1081000605FF010288016202EA00EB00"),
        )),
        "D0EA83FC 0008 002A 036B 0A75 FE800000000000000250C2FFFEDC2822 0E1A 0E1A 0010 \
         1081000605FF010288016202EA00EB00",
        &[
            "D0F9EE5D 2008 000B 0347 009D 01 00 1081000605",
            "D0F9EE5D 6018 0045 03D1 108D FE800000000000000250C2FFFEDC2822 0E1A 0E1A 22A9 00 02 \
             CB 0026 1081000602880105FF017202EA0B07E20A020E1E00000373AFEB0B07E20A020E1E0000016A72",
        ],
    );
    let Ok(Response::UdpSent(report)) = completed(&ev)[0] else {
        panic!("{ev:?}")
    };
    assert_eq!(report.detail, SendDetail(0));
    assert_eq!(report.head, hex("1081000605"));
    let DriverEvent::Notification(Notification::UdpReceived(u)) = &ev[1] else {
        panic!("{ev:?}")
    };
    assert_eq!((u.src_pan, u.rssi, u.data[10]), (0x22A9, -53, 0x72));
    assert!(d.is_idle());
    assert_eq!(d.poll_timeout(), None);
}

#[test]
fn busy_is_retried_then_fails() {
    let config = Config {
        busy_retries: 2,
        ..Config::default()
    };
    let mut d = Driver::with_config(config);
    let id = d.submit(Request::Status, t(0)).unwrap();
    let tx = d.poll_transmit().unwrap();
    let busy = resp(0x2001, &[0x3D]);
    d.handle_bytes(&busy, t(10));
    assert!(events(&mut d).is_empty());
    assert_eq!(d.poll_timeout(), Some(t(210)));
    d.handle_timeout(t(100));
    assert_eq!(d.poll_transmit(), None);
    d.handle_timeout(t(210));
    assert_eq!(d.poll_transmit(), Some(tx.clone()));
    assert_eq!(d.poll_timeout(), Some(t(3_210)));
    // Second busy, third try succeeds.
    d.handle_bytes(&busy, t(220));
    d.handle_timeout(t(420));
    assert_eq!(d.poll_transmit(), Some(tx.clone()));
    d.handle_bytes(&resp(0x2001, &[0x01, 0x03, 0x02, 0x01]), t(430));
    let ev = events(&mut d);
    assert!(
        matches!(&ev[..], [DriverEvent::Completed { id: i, result: Ok(Response::Status(_)), .. }] if *i == id),
        "{ev:?}"
    );
    // Busy more often than allowed.
    d.submit(Request::Status, t(1_000)).unwrap();
    for k in 0..3 {
        assert_eq!(d.poll_transmit(), Some(tx.clone()));
        d.handle_bytes(&busy, t(1_010 + k * 300));
        d.handle_timeout(t(1_250 + k * 300));
    }
    assert_eq!(
        completed(&events(&mut d)),
        vec![&Err(Error::Failed {
            request: RequestKind::Status,
            result: ResultCode::Busy
        })]
    );
}

#[test]
fn timeout_completes_and_starts_the_next_request() {
    let mut d = Driver::new();
    d.submit(Request::GetPanId, t(0)).unwrap();
    d.submit(Request::Status, t(0)).unwrap();
    assert_eq!(d.queued(), 1);
    assert_eq!(d.poll_transmit().unwrap()[5], 0x5E);
    assert_eq!(d.poll_transmit(), None);
    assert_eq!(d.poll_timeout(), Some(t(3_000)));
    d.handle_timeout(t(2_999));
    assert!(events(&mut d).is_empty());
    d.handle_timeout(t(3_000));
    assert_eq!(
        events(&mut d),
        vec![DriverEvent::Completed {
            id: 1,
            request: RequestKind::GetPanId,
            result: Err(Error::Timeout {
                request: RequestKind::GetPanId,
                after: Duration::from_secs(3)
            })
        }]
    );
    assert_eq!(d.poll_transmit().unwrap()[5], 0x01);
    assert_eq!(d.in_flight(), Some((2, RequestKind::Status)));
    // A late answer to the timed-out request is not taken for the new one.
    d.handle_bytes(&resp(0x205E, &[1, 0xBC, 0xDE]), t(3_100));
    assert!(matches!(
        &events(&mut d)[..],
        [DriverEvent::Unexpected {
            reason: UnexpectedReason::NotAwaited,
            ..
        }]
    ));
    assert_eq!(d.in_flight(), Some((2, RequestKind::Status)));
}

#[test]
fn notifications_interleave_between_request_and_response() {
    let mut d = Driver::new();
    d.submit(
        Request::SendUdp(SendUdp::echonet(METER.link_local(), vec![0x10, 0x81])),
        t(0),
    )
    .unwrap();
    let _ = d.poll_transmit();
    // WSAPP 2025-03-08 INF D5 (multicast), a link state change, then the response, all in
    // one chunk, cut in the middle of the response.
    let mut input = hex(
        "D0 F9 EE 5D 60 18 00 31 03 BD 0E 2E FE 80 00 00 00 00 00 00 8E DF 9D FF FE C1 0F 01 \
         0E 1A 0E 1A D8 84 01 02 C4 00 12 10 81 90 5B 0E F0 01 0E F0 01 73 01 D5 04 01 02 88 01",
    );
    input.extend(resp(
        0x601A,
        &[0x02, 0, 0x50, 0xC2, 0xFF, 0xFE, 0xDC, 0x28, 0x22, 0xC4],
    ));
    input.extend(resp(0x2008, &[0x01, 0x1F, 0x10, 0x81]));
    let (a, b) = input.split_at(input.len() - 3);
    d.handle_bytes(a, t(5));
    assert_eq!(d.in_flight().map(|f| f.1), Some(RequestKind::SendUdp));
    d.handle_bytes(b, t(6));
    let ev = events(&mut d);
    assert_eq!(ev.len(), 3, "{ev:?}");
    assert!(matches!(
        &ev[0],
        DriverEvent::Notification(Notification::UdpReceived(u)) if u.src_pan == 0xD884 && u.rssi == -60
    ));
    assert!(matches!(
        &ev[1],
        DriverEvent::Notification(Notification::LinkState(l)) if l.state == LinkState::PanaUp
    ));
    assert!(matches!(
        &ev[2],
        DriverEvent::Completed { result: Ok(Response::UdpSent(r)), .. } if r.detail == SendDetail(0x1F)
    ));
}

#[test]
fn send_detail_other_than_sent_is_an_error() {
    let mut d = Driver::new();
    d.submit(
        Request::SendUdp(SendUdp::echonet(METER.link_local(), vec![1])),
        t(0),
    )
    .unwrap();
    d.handle_bytes(&resp(0x2008, &[0x01, 0x05, 0x01]), t(1));
    assert_eq!(
        completed(&events(&mut d)),
        vec![&Err(Error::NotSent {
            detail: SendDetail(0x05)
        })]
    );
}

#[test]
fn rejections_malformed_answers_and_restarts() {
    let mut d = Driver::new();
    let mut script = |req: Request, answer: Vec<u8>| {
        d.submit(req, t(0)).unwrap();
        let _ = d.poll_transmit();
        d.handle_bytes(&answer, t(1));
        let ev = events(&mut d);
        completed(&ev)[0].clone()
    };
    assert_eq!(
        script(Request::Status, resp(0x2FFF, &[])),
        Err(Error::HeaderSumRejected)
    );
    assert_eq!(
        script(Request::Status, resp(0xFFFF, &[])),
        Err(Error::CommandRejected)
    );
    assert_eq!(
        script(Request::Status, resp(0x2001, &[0x01, 0x02])),
        Err(Error::Malformed {
            request: RequestKind::Status,
            error: MessageError::Truncated {
                command: 0x2001,
                need: 3,
                have: 2
            }
        })
    );
    assert_eq!(
        script(Request::StartBRoute, resp(0x2053, &[0x0E])),
        Err(Error::Failed {
            request: RequestKind::StartBRoute,
            result: ResultCode::MacJoinFailed
        })
    );
    assert_eq!(
        script(Request::Status, resp(0x6019, &[])),
        Err(Error::ModuleRestarted)
    );
    // Nothing in flight: unknown codes, requests and stray responses are reported.
    d.handle_bytes(&resp(0x6FFF, &[]), t(2));
    d.handle_bytes(&resp(0x2001, &[1, 2, 3, 4]), t(2));
    d.handle_bytes(&hex("D0EA83FC 006B 0004 03A8 0000"), t(2));
    d.handle_bytes(b"SKVER\r\n", t(2));
    d.handle_bytes(&resp(0x2FFF, &[]), t(2));
    let ev = events(&mut d);
    assert!(
        matches!(
            &ev[..],
            [
                DriverEvent::Unexpected {
                    reason: UnexpectedReason::Invalid(MessageError::UnknownCommand(0x6FFF)),
                    ..
                },
                DriverEvent::Unexpected {
                    reason: UnexpectedReason::NotAwaited,
                    ..
                },
                DriverEvent::Unexpected {
                    reason: UnexpectedReason::Invalid(MessageError::WrongDirection(0x006B)),
                    ..
                },
                DriverEvent::BadFrame(Diagnostic::Garbage { len: 7 }),
                DriverEvent::Unexpected {
                    reason: UnexpectedReason::NotAwaited,
                    ..
                },
            ]
        ),
        "{ev:?}"
    );
}

#[test]
fn queues_and_events_are_bounded() {
    let config = Config {
        max_queued: 2,
        max_events: 3,
        ..Config::default()
    };
    let mut d = Driver::with_config(config);
    for _ in 0..3 {
        d.submit(Request::Status, t(0)).unwrap();
    }
    assert_eq!(d.submit(Request::Status, t(0)), Err(Error::QueueFull));
    // Invalid requests are refused before the queue is looked at.
    assert!(matches!(
        d.submit(Request::OpenUdpPort(716), t(0)),
        Err(Error::InvalidArgument { .. })
    ));
    for _ in 0..5 {
        d.handle_bytes(&resp(0x6019 + 1, &[1, 0, 0, 0, 0, 0, 0, 0, 0, 0]), t(1));
    }
    assert_eq!(d.submit(Request::Status, t(1)), Err(Error::QueueFull));
    let ev = events(&mut d);
    assert_eq!(ev.len(), 4);
    assert_eq!(ev[3], DriverEvent::EventsLost { count: 2 });
    d.cancel_all();
    assert!(d.is_idle());
    assert_eq!(d.poll_transmit(), None);
    assert_eq!(completed(&events(&mut d)), vec![&Err(Error::Cancelled); 3]);
}

/// Every 6-character window of a secret, as text and as hex.
fn secret_forms(secret: &str) -> Vec<String> {
    let b = secret.as_bytes();
    let mut v = Vec::new();
    for w in b.windows(6) {
        let text = String::from_utf8(w.to_vec()).unwrap();
        let hex: String = w.iter().map(|c| format!("{c:02X}")).collect();
        v.push(text.to_ascii_uppercase());
        v.push(hex);
    }
    v
}

#[test]
fn debug_never_shows_the_credentials() {
    let mut d = Driver::new();
    d.submit(Request::Status, t(0)).unwrap();
    // The credentials and a scan (pairing ID) wait in the queue, one copy not yet polled.
    d.submit(credentials(), t(0)).unwrap();
    let id = RouteBId::new(ID).unwrap();
    d.submit(
        Request::ActiveScan(ActiveScan::all_channels(6, &id).unwrap()),
        t(0),
    )
    .unwrap();
    assert_eq!(d.queued(), 2);
    let before = format!("{d:?} {d:#?}").to_ascii_uppercase();
    // And in flight, with its bytes not yet polled.
    let _ = d.poll_transmit();
    d.handle_bytes(&resp(0x2001, &[1, 3, 1, 1]), t(1));
    assert_eq!(
        d.in_flight().map(|f| f.1),
        Some(RequestKind::SetCredentials)
    );
    let during = format!("{d:?} {d:#?}").to_ascii_uppercase();
    for s in [before, during] {
        assert!(s.contains("ENCODED(<56 BYTES>)"), "{s}");
        for form in secret_forms(ID).into_iter().chain(secret_forms(PASSWORD)) {
            assert!(!s.contains(&form), "{form} in {s}");
        }
    }
}
