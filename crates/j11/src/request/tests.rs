//! Request encoding against the ROHM application-note frames (`shared/j11.md` §4 [AN], via
//! HAJ11 `tests/fixtures/frames.py`) and the worked scan example of j11.md §1.

use super::*;
use crate::frame::Frame;
use crate::util::tests::hex;

const ID: &str = "00112233445566778899AABBCCDDEEFF";
const PASSWORD: &str = "0123456789AB";

fn id() -> RouteBId {
    RouteBId::new(ID).unwrap()
}

fn enc(r: &Request) -> Vec<u8> {
    r.encode().unwrap().into_vec()
}

fn meter() -> Ipv6Addr {
    // FE80:: + MAC 0050C2FFFEDC2822 with the U/L bit flipped.
    skstack::Mac([0x00, 0x50, 0xC2, 0xFF, 0xFE, 0xDC, 0x28, 0x22]).link_local()
}

#[test]
fn reproduces_the_application_note_frames() {
    let cases: Vec<(&str, Request, &str)> = vec![
        ("F1", Request::Reset, "D0EA83FC 00D9 0004 0416 0000"),
        (
            "F3",
            Request::InitialSetup(InitialSetup::b_route(Channel::new(4).unwrap())),
            "D0EA83FC 005F 0008 03A0 0009 05000400",
        ),
        (
            "F5",
            Request::SetCredentials {
                id: id(),
                password: RouteBPassword::new(PASSWORD).unwrap(),
            },
            "D0EA83FC 0054 0030 03BD 09D4 \
             3030313132323333343435353636373738383939414142424343444445454646 \
             303132333435363738394142",
        ),
        (
            "F7 / j11.md §1 worked example",
            Request::ActiveScan(ActiveScan::all_channels(6, &id()).unwrap()),
            "D0EA83FC 0051 0012 039C 041D 06 0003FFF0 01 4343444445454646",
        ),
        (
            "F10",
            Request::InitialSetup(InitialSetup::b_route(Channel::new(0x0C).unwrap())),
            "D0EA83FC 005F 0008 03A0 0011 05000C00",
        ),
        ("F12", Request::StartBRoute, "D0EA83FC 0053 0004 0390 0000"),
        (
            "F14",
            Request::OpenUdpPort(0x0E1A),
            "D0EA83FC 0005 0006 0344 0028 0E1A",
        ),
        ("F16", Request::StartPana, "D0EA83FC 0056 0004 0393 0000"),
        (
            "F20",
            Request::SendUdp(SendUdp::echonet(
                meter(),
                hex("1081000605FF010288016202EA00EB00"),
            )),
            "D0EA83FC 0008 002A 036B 0A75 FE800000000000000250C2FFFEDC2822 0E1A 0E1A 0010 \
             1081000605FF010288016202EA00EB00",
        ),
        (
            "computed Get E7 (j11.md §4)",
            Request::SendUdp(SendUdp::echonet(
                meter(),
                hex("1081000105FF0102880162 01E700"),
            )),
            "D0EA83FC 0008 0028 0369 097F FE800000000000000250C2FFFEDC2822 0E1A 0E1A 000E \
             1081000105FF0102880162 01E700",
        ),
        (
            "WSAPP 2025-03-03 TX",
            Request::FirmwareVersion,
            "D0 EA 83 FC 00 6B 00 04 03 A8 00 00",
        ),
    ];
    for (name, req, want) in cases {
        let want = hex(want);
        assert_eq!(enc(&req), want, "{name}");
        // And back.
        let f = Frame::new_checked(&want[..]).unwrap();
        let repr = Repr::parse(&f).unwrap();
        assert_eq!(Request::parse(&repr).unwrap(), req, "{name}");
    }
}

#[test]
fn every_request_has_its_code_and_response_code() {
    for k in RequestKind::ALL {
        assert_eq!(RequestKind::from_code(k.code()), Some(k));
        assert_eq!(k.response_code(), k.code() + 0x2000);
        assert_eq!(RequestKind::from_response_code(k.response_code()), Some(k));
        assert!(k.to_string().contains(&format!("{:#06X}", k.code())));
    }
    assert_eq!(RequestKind::EndBRoute.code(), 0x0058, "pitfall 1");
    assert_eq!(RequestKind::Reset.completion(), Completion::Boot);
    assert_eq!(
        RequestKind::StartPana.completion(),
        Completion::Response(0x2056)
    );
    assert_eq!(RequestKind::from_response_code(0x1000), None);
    assert_eq!(RequestKind::from_code(0x1234), None);
}

#[test]
fn lower_case_hex_ids_are_upper_cased_and_other_letters_refused() {
    let pw = RouteBPassword::new("abcdefghijkl").unwrap();
    let lower = Request::SetCredentials {
        id: RouteBId::new(&ID.to_ascii_lowercase()).unwrap(),
        password: pw.clone(),
    };
    let upper = Request::SetCredentials {
        id: id(),
        password: pw.clone(),
    };
    assert_eq!(enc(&lower), enc(&upper));
    // The password goes as given: the module upper-cases it.
    assert!(enc(&upper).ends_with(b"abcdefghijkl"));
    let bad = Request::SetCredentials {
        id: RouteBId::new("00112233445566778899AABBCCDDEEFG").unwrap(),
        password: pw,
    };
    assert_eq!(bad.encode(), Err(Error::IdNotHex { position: 32 }));
    assert_eq!(
        PairingId::from_id(&RouteBId::new("0011223344556677889900BBCCDDEEFz").unwrap()),
        Err(Error::IdNotHex { position: 32 })
    );
    let p = PairingId::from_id(&RouteBId::new(&ID.to_ascii_lowercase()).unwrap()).unwrap();
    assert_eq!(p.as_str(), "CCDDEEFF");
    assert_eq!(format!("{p:?}"), "PairingId(<redacted>)");
}

#[test]
fn arguments_are_validated() {
    let bad = |r: Request, what: &str| {
        let e = r.encode().unwrap_err();
        assert!(
            matches!(&e, Error::InvalidArgument { what: w, .. } if w.contains(what)),
            "{e:?}"
        );
    };
    let mut setup = InitialSetup::b_route(Channel::new(4).unwrap());
    for ch in [0, 3, 0x12, 0xFF] {
        setup.channel = ch;
        bad(Request::InitialSetup(setup), "channel");
    }
    let scan = ActiveScan::all_channels(6, &id()).unwrap();
    for d in [0, 15] {
        bad(
            Request::ActiveScan(ActiveScan {
                duration: d,
                ..scan.clone()
            }),
            "duration",
        );
    }
    for mask in [0x0000_0008, 0x0004_0000, 0x8000_0010] {
        bad(
            Request::ActiveScan(ActiveScan {
                channel_mask: mask,
                ..scan.clone()
            }),
            "bits 4..=17",
        );
    }
    bad(
        Request::ActiveScan(ActiveScan {
            channel_mask: 0,
            ..scan
        }),
        "no channel",
    );
    for p in RESERVED_PORTS {
        bad(Request::OpenUdpPort(p), "reserved");
    }
    for n in [0, 1233] {
        bad(
            Request::SendUdp(SendUdp::echonet(meter(), vec![0; n])),
            "1..=1232",
        );
    }
    assert!(Request::SendUdp(SendUdp::echonet(meter(), vec![0; 1232]))
        .encode()
        .is_ok());
    assert_eq!(Channel::new(0x11).unwrap().frequency_khz(), 927_700);
    assert_eq!(Channel::new(4).unwrap().frequency_khz(), 922_500);
}

#[test]
fn timeouts_follow_the_timing_table() {
    let scan = |d, mask| {
        Request::ActiveScan(ActiveScan {
            duration: d,
            channel_mask: mask,
            pairing_id: PairingId::from_id(&id()).unwrap(),
        })
        .timeout()
    };
    // Table 35: d = 8, 14 channels 35.8 s; 1 channel 2.6 s; both + 1 s.
    let t = scan(8, ActiveScan::ALL_CHANNELS);
    assert!(
        t >= Duration::from_millis(36_800) && t < Duration::from_secs(40),
        "{t:?}"
    );
    let t = scan(8, 1 << 4);
    assert!(
        t >= Duration::from_millis(3_600) && t < Duration::from_secs(6),
        "{t:?}"
    );
    // Computed 14-channel figures of j11.md: d = 6 8.6 s, d = 7 17.3 s.
    assert!(scan(6, ActiveScan::ALL_CHANNELS) >= Duration::from_millis(9_600));
    assert!(scan(7, ActiveScan::ALL_CHANNELS) >= Duration::from_millis(18_300));
    assert!(Request::StartBRoute.timeout() >= Duration::from_millis(3_600));
    assert!(
        Request::SendUdp(SendUdp::echonet(meter(), vec![1])).timeout()
            >= Duration::from_millis(3_700)
    );
    assert_eq!(Request::StartPana.timeout(), Duration::from_secs(3));
    assert_eq!(Request::Status.timeout(), Duration::from_secs(3));
}

#[test]
fn parse_refuses_malformed_requests() {
    let p = |command, data: &[u8]| {
        Request::parse(&Repr {
            direction: Direction::Request,
            command,
            data,
        })
    };
    assert!(matches!(
        p(0x00D9, &[1]),
        Err(MessageError::InvalidValue { .. })
    ));
    assert!(matches!(
        p(0x0051, &[6; 14]),
        Err(MessageError::InvalidValue { .. })
    ));
    assert!(p(0x0054, &[0x30; 44]).is_ok());
    assert!(matches!(
        p(0x0054, &[b'a'; 44]),
        Err(MessageError::InvalidValue { .. })
    ));
    assert!(matches!(
        p(0x0054, &[0xFF; 44]),
        Err(MessageError::InvalidValue { .. })
    ));
    assert!(matches!(
        p(0x0008, &[0; 21]),
        Err(MessageError::Truncated { .. })
    ));
    assert_eq!(p(0x0999, &[]), Err(MessageError::UnknownCommand(0x0999)));
    let r = Repr {
        direction: Direction::Response,
        command: 0x00D9,
        data: &[],
    };
    assert_eq!(
        Request::parse(&r),
        Err(MessageError::WrongDirection(0x00D9))
    );
}

#[test]
fn encoded_debug_hides_the_bytes() {
    let r = Request::SetCredentials {
        id: id(),
        password: RouteBPassword::new(PASSWORD).unwrap(),
    };
    let e = r.encode().unwrap();
    assert_eq!(format!("{e:?}"), "Encoded(<56 bytes>)");
    assert!(!format!("{r:?}").contains("0011"));
    assert_eq!(e.len(), 56);
    assert!(!e.is_empty());
}
