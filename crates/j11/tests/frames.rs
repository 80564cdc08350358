//! Every real frame of `shared/j11.md` §4 through the framer (whole, byte at a time, in
//! pseudo-random chunks, with garbage and corrupted frames between them) and the message
//! parsers, checked against the values the sources document.
//!
//! Provenance (copied from `/work/shared/j11.md` §4, 2026-11):
//! * WSAPP = github.com/ak1211/smartmeter-route-b-app `src/Page/J11Stack.purs` (real captures);
//! * AN = ROHM application note 63AN028E sample frames, via github.com/jethac/
//!   home-assistant-broute-j11 `tests/fixtures/frames.py` (F1–F22; F7 = the worked scan example
//!   of j11.md §1);
//! * TOSAINU = github.com/Tosainu/bp35c0-j11-stuff `rp2040-combined/src/main.rs` comment: only
//!   the 0x6018 fields and payload are given; the frame around them is built here (address,
//!   ports and PAN are placeholders, marked below);
//! * "computed" = the Get E7 request j11.md computes (not captured).

use j11::frame::{Direction, Frame, Repr};
use j11::notification::{
    Beacon, DestinationKind, PanaOutcome, PanaResult, ScanResult, Security, UdpReceived,
};
use j11::response::{BRouteLink, FirmwareVersion, SendReport};
use j11::{Diagnostic, FrameError, Framer, Mac, Message, Notification, RawFrame, Reply, Request};
use j11::{RequestKind, Response, ResultCode, SendDetail};

const METER: Mac = Mac([0x00, 0x50, 0xC2, 0xFF, 0xFE, 0xDC, 0x28, 0x22]);

const REAL: &[(&str, &str)] = &[
    (
        "WSAPP 2025-03-03 TX 0x006B",
        "D0 EA 83 FC 00 6B 00 04 03 A8 00 00",
    ),
    (
        "WSAPP 2025-03-03 RX 0x206B",
        "D0 F9 EE 5D 20 6B 00 0D 03 AC 00 A8 01 04 00 01 03 00 00 15 8A",
    ),
    (
        "WSAPP 2025-03-08 RX 0x6018",
        "D0 F9 EE 5D 60 18 00 31 03 BD 0E 2E FE 80 00 00 00 00 00 00 8E DF 9D FF FE C1 0F 01 \
         0E 1A 0E 1A D8 84 01 02 C4 00 12 10 81 90 5B 0E F0 01 0E F0 01 73 01 D5 04 01 02 88 01",
    ),
    ("F1", "D0EA83FC 00D9 0004 0416 0000"),
    ("F2", "D0F9EE5D 6019 0004 0391 0000"),
    ("F3", "D0EA83FC 005F 0008 03A0 0009 05000400"),
    ("F4", "D0F9EE5D 205F 0005 0398 0001 01"),
    (
        "F5",
        "D0EA83FC 0054 0030 03BD 09D4 \
         3030313132323333343435353636373738383939414142424343444445454646 303132333435363738394142",
    ),
    ("F6", "D0F9EE5D 2054 0005 038D 0001 01"),
    (
        "F7",
        "D0 EA 83 FC 00 51 00 12 03 9C 04 1D 06 00 03 FF F0 01 43 43 44 44 45 45 46 46",
    ),
    ("F8a", "D0F9EE5D 4051 0006 03AB 0005 01 04"),
    (
        "F8b",
        "D0F9EE5D 4051 0012 03B7 06BA 00 0C 01 0050C2FFFEDC2822 BCDE DE",
    ),
    ("F9", "D0F9EE5D 2051 0005 038A 0001 01"),
    ("F10", "D0EA83FC 005F 0008 03A0 0011 05000C00"),
    ("F12", "D0EA83FC 0053 0004 0390 0000"),
    (
        "F13",
        "D0F9EE5D 2053 0011 0398 06BA 01 0C BCDE 0050C2FFFEDC2822 DE",
    ),
    ("F14", "D0EA83FC 0005 0006 0344 0028 0E1A"),
    ("F15", "D0F9EE5D 2005 0005 033E 0001 01"),
    ("F16", "D0EA83FC 0056 0004 0393 0000"),
    ("F17", "D0F9EE5D 2056 0005 038F 0001 01"),
    ("F18", "D0F9EE5D 6028 000D 03A9 0436 01 0050C2FFFEDC2822"),
    (
        "F19",
        "D0F9EE5D 6018 0038 03C4 0E1C FE800000000000000250C2FFFEDC2822 0E1A 0E1A BCDE 00 02 DE \
         0019 1081000102880105FF017301EA0B07DF081F151E0000000DAC",
    ),
    (
        "F20",
        "D0EA83FC 0008 002A 036B 0A75 FE800000000000000250C2FFFEDC2822 0E1A 0E1A 0010 \
         1081000605FF010288016202EA00EB00",
    ),
    ("F21", "D0F9EE5D 2008 000B 0347 009D 01 00 1081000605"),
    (
        "F22",
        "D0F9EE5D 6018 0045 03D1 108D FE800000000000000250C2FFFEDC2822 0E1A 0E1A 22A9 00 02 CB \
         0026 1081000602880105FF017202EA0B07E20A020E1E00000373AFEB0B07E20A020E1E0000016A72",
    ),
    (
        "computed Get E7",
        "D0EA83FC 0008 0028 0369 097F FE800000000000000250C2FFFEDC2822 0E1A 0E1A 000E \
         1081000105FF0102880162 01E700",
    ),
];

/// TOSAINU's INF EA/EB payload (unicast, encrypted, −69 dBm).
const TOSAINU_PAYLOAD: &str = "10 81 00 01 02 88 01 05 FF 01 73 02 EA 0B 07 E8 09 01 0A 1E 00 00 \
                               00 1C D2 EB 0B 07 E8 09 01 0A 1E 00 00 00 00 15";

fn hex(s: &str) -> Vec<u8> {
    let d: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    d.chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}

fn tosainu_frame() -> Vec<u8> {
    let mut data = Vec::new();
    // Placeholders: the comment gives no address, ports or PAN.
    data.extend(METER.link_local().octets());
    data.extend([0x0E, 0x1A, 0x0E, 0x1A, 0xBC, 0xDE]);
    // Given: unicast, encrypted, −69 dBm.
    data.extend([0x00, 0x02, (-69i8) as u8]);
    let payload = hex(TOSAINU_PAYLOAD);
    data.extend((payload.len() as u16).to_be_bytes());
    data.extend(payload);
    Repr {
        direction: Direction::Response,
        command: 0x6018,
        data: &data,
    }
    .to_bytes()
    .unwrap()
}

fn all_frames() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = REAL.iter().map(|(n, h)| (n.to_string(), hex(h))).collect();
    v.push(("TOSAINU 0x6018 (rebuilt)".into(), tosainu_frame()));
    v
}

fn run(input: &[u8], cuts: impl Iterator<Item = usize>) -> Vec<Result<RawFrame, Diagnostic>> {
    let mut f = Framer::new();
    let mut out = Vec::new();
    let mut rest = input;
    for c in cuts {
        let (a, b) = rest.split_at(c.min(rest.len()));
        out.extend(f.frames(a));
        rest = b;
        if rest.is_empty() {
            break;
        }
    }
    out.extend(f.frames(rest));
    out.extend(f.finish().map(Err));
    out
}

/// A small deterministic generator for chunk sizes.
fn lcg(seed: u64) -> impl Iterator<Item = usize> {
    let mut s = seed;
    std::iter::from_fn(move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        Some(((s >> 33) % 40) as usize)
    })
}

#[test]
fn every_real_frame_has_valid_sums() {
    for (name, b) in all_frames() {
        let f = Frame::new_checked(&b[..]).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(f.header_sum(), f.compute_header_sum(), "{name}");
        assert_eq!(f.data_sum(), f.compute_data_sum(), "{name}");
        assert_eq!(f.total_len(), b.len(), "{name}");
        let r = Repr::parse(&f).unwrap();
        assert_eq!(r.to_bytes().unwrap(), b, "{name}: re-encoding");
    }
}

#[test]
fn every_real_frame_through_the_framer_in_any_chunking() {
    let frames = all_frames();
    let stream: Vec<u8> = frames.iter().flat_map(|(_, b)| b.clone()).collect();
    let want: Vec<_> = frames
        .iter()
        .map(|(_, b)| {
            let r = Repr::parse(&Frame::new_checked(&b[..]).unwrap()).unwrap();
            Ok(RawFrame {
                direction: r.direction,
                command: r.command,
                data: r.data.to_vec(),
            })
        })
        .collect();
    assert_eq!(run(&stream, std::iter::empty()), want);
    assert_eq!(run(&stream, std::iter::repeat(1)), want, "byte at a time");
    for seed in 0..200 {
        assert_eq!(run(&stream, lcg(seed)), want, "seed {seed}");
    }
}

#[test]
fn resync_after_garbage_text_and_a_corrupted_frame() {
    let frames = all_frames();
    let mut stream = b"SKVER\r\n".to_vec();
    let mut want = vec![Err(Diagnostic::Garbage { len: 7 })];
    for (i, (_, b)) in frames.iter().enumerate() {
        let r = Repr::parse(&Frame::new_checked(&b[..]).unwrap()).unwrap();
        match i % 4 {
            // Corrupt one data byte (frames without data: the data sum field).
            1 => {
                let mut c = b.clone();
                let last = c.len() - 1;
                c[last] ^= 0x40;
                stream.extend(&c);
                want.push(Err(Diagnostic::BadFrame {
                    direction: r.direction,
                    command: r.command,
                    error: if r.data.is_empty() {
                        FrameError::DataSum {
                            received: 0x40,
                            computed: 0,
                        }
                    } else {
                        let f = Frame::new_unchecked(&c[..]);
                        FrameError::DataSum {
                            received: f.data_sum(),
                            computed: f.compute_data_sum(),
                        }
                    },
                }));
                continue;
            }
            // Corrupt the header sum: only that report; the other header bytes are covered.
            2 => {
                let mut c = b.clone();
                c[9] ^= 0x01;
                let f = Frame::new_unchecked(&c[..]);
                stream.extend(&c);
                want.push(Err(Diagnostic::BadFrame {
                    direction: r.direction,
                    command: r.command,
                    error: FrameError::HeaderSum {
                        received: f.header_sum(),
                        computed: f.compute_header_sum(),
                    },
                }));
                // The data bytes after the header are garbage (none start a unique code).
                if !r.data.is_empty() {
                    want.push(Err(Diagnostic::Garbage { len: r.data.len() }));
                }
            }
            3 => {
                stream.extend(b"\r\nOK\r\n\xD0\xF9");
                want.push(Err(Diagnostic::Garbage { len: 8 }));
            }
            _ => {}
        }
        if i % 4 != 2 {
            stream.extend(b);
            want.push(Ok(RawFrame {
                direction: r.direction,
                command: r.command,
                data: r.data.to_vec(),
            }));
        }
    }
    // Adjacent garbage is one run.
    let want = want.into_iter().fold(Vec::new(), |mut v, item| {
        match (v.last_mut(), &item) {
            (Some(Err(Diagnostic::Garbage { len })), Err(Diagnostic::Garbage { len: more })) => {
                *len += more
            }
            _ => v.push(item),
        }
        v
    });
    assert_eq!(run(&stream, std::iter::empty()), want);
    assert_eq!(run(&stream, std::iter::repeat(1)), want);
    for seed in 0..50 {
        assert_eq!(run(&stream, lcg(seed)), want, "seed {seed}");
    }
}

fn message(name: &str) -> Message {
    let b = all_frames()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name}"))
        .1;
    Message::parse(&Repr::parse(&Frame::new_checked(&b[..]).unwrap()).unwrap()).unwrap()
}

fn reply(request: RequestKind, body: Response) -> Message {
    Message::Reply(Reply {
        request,
        result: ResultCode::Success,
        body: Some(body),
    })
}

fn udp(name: &str) -> UdpReceived {
    match message(name) {
        Message::Notification(Notification::UdpReceived(u)) => u,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn responses_and_notifications_parse_to_the_documented_values() {
    assert_eq!(
        message("WSAPP 2025-03-03 RX 0x206B"),
        reply(
            RequestKind::FirmwareVersion,
            Response::FirmwareVersion(FirmwareVersion {
                firmware_id: 0x0400,
                major: 1,
                minor: 3,
                revision: 0x158A
            })
        )
    );
    assert_eq!(message("F2"), Message::Notification(Notification::Boot));
    for (name, kind) in [
        ("F4", RequestKind::InitialSetup),
        ("F6", RequestKind::SetCredentials),
        ("F9", RequestKind::ActiveScan),
        ("F15", RequestKind::OpenUdpPort),
        ("F17", RequestKind::StartPana),
    ] {
        assert_eq!(message(name), reply(kind, Response::Ok), "{name}");
    }
    assert_eq!(
        message("F8a"),
        Message::Notification(Notification::ScanResult(ScanResult {
            channel: 4,
            beacons: vec![]
        }))
    );
    assert_eq!(
        message("F8b"),
        Message::Notification(Notification::ScanResult(ScanResult {
            channel: 0x0C,
            beacons: vec![Beacon {
                mac: METER,
                pan_id: 0xBCDE,
                rssi: -34
            }]
        }))
    );
    assert_eq!(
        message("F13"),
        reply(
            RequestKind::StartBRoute,
            Response::BRoute(BRouteLink {
                channel: 0x0C,
                pan_id: 0xBCDE,
                mac: METER,
                rssi: -34
            })
        )
    );
    assert_eq!(
        message("F18"),
        Message::Notification(Notification::PanaResult(PanaResult {
            outcome: PanaOutcome::Success,
            peer: METER
        }))
    );
    assert_eq!(
        message("F21"),
        reply(
            RequestKind::SendUdp,
            Response::UdpSent(SendReport {
                detail: SendDetail(0x00),
                head: hex("1081000605")
            })
        )
    );

    // F19: an INF (ESV 73) of EA from the meter, unicast, encrypted, −34 dBm.
    let u = udp("F19");
    assert_eq!(u.source, METER.link_local());
    assert_eq!((u.src_port, u.dst_port, u.src_pan), (3610, 3610, 0xBCDE));
    assert_eq!(
        (u.destination, u.security, u.rssi),
        (DestinationKind::Unicast, Security::Encrypted, -34)
    );
    assert_eq!(u.data.len(), 0x19);
    assert_eq!((u.data[10], u.data[11], u.data[12]), (0x73, 1, 0xEA));
    // F22: a Get_Res (ESV 72) of EA and EB, PAN 22A9, −53 dBm.
    let u = udp("F22");
    assert_eq!((u.src_pan, u.rssi, u.data.len()), (0x22A9, -53, 0x26));
    assert_eq!((u.data[10], u.data[11], u.data[12]), (0x72, 2, 0xEA));
    assert_eq!(u.data[12 + 2 + 11], 0xEB);
    // WSAPP 0x6018: multicast INF D5 from the meter, encrypted, −60 dBm, PAN at offset 20
    // (0xD884; offset 18 would give the destination port, pitfall 4).
    let u = udp("WSAPP 2025-03-08 RX 0x6018");
    assert_eq!(
        u.source,
        "FE80::8EDF:9DFF:FEC1:0F01"
            .parse::<std::net::Ipv6Addr>()
            .unwrap()
    );
    assert_eq!(
        (u.src_pan, u.destination, u.security, u.rssi),
        (0xD884, DestinationKind::Multicast, Security::Encrypted, -60)
    );
    assert_eq!(
        u.data,
        hex("10 81 90 5B 0E F0 01 0E F0 01 73 01 D5 04 01 02 88 01")
    );
    // TOSAINU: unicast, encrypted, −69 dBm, INF of EA and EB.
    let u = udp("TOSAINU 0x6018 (rebuilt)");
    assert_eq!(
        (u.destination, u.security, u.rssi),
        (DestinationKind::Unicast, Security::Encrypted, -69)
    );
    assert_eq!(u.data, hex(TOSAINU_PAYLOAD));
}

#[test]
fn request_frames_parse_to_their_requests() {
    for (name, b) in all_frames() {
        let r = Repr::parse(&Frame::new_checked(&b[..]).unwrap()).unwrap();
        if r.direction != Direction::Request {
            continue;
        }
        let req = Request::parse(&r).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(req.kind().code(), r.command, "{name}");
        assert_eq!(req.encode().unwrap().as_bytes(), &b[..], "{name}");
        assert!(
            matches!(
                Message::parse(&r),
                Err(j11::MessageError::WrongDirection(_))
            ),
            "{name}"
        );
    }
}
