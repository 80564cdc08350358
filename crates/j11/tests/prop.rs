//! Property tests: arbitrary bytes never panic the framer, the parsers or the driver; chunking
//! never changes the framer's output; the framer's memory stays bounded; valid frames amid
//! garbage are all found; every valid request encodes and parses back to itself.

use std::net::Ipv6Addr;

use j11::frame::{Direction, Repr, MAX_FRAME_LEN};
use j11::request::PairingId;
use j11::{
    ActiveScan, Channel, Diagnostic, Driver, Frame, Framer, InitialSetup, Instant, Message,
    Notification, RawFrame, Request, RouteBId, RouteBPassword, SendUdp,
};
use proptest::prelude::*;

fn run(input: &[u8], cuts: &[usize]) -> Vec<Result<RawFrame, Diagnostic>> {
    let mut f = Framer::new();
    let mut out = Vec::new();
    let mut rest = input;
    for &c in cuts {
        let (a, b) = rest.split_at(c.min(rest.len()));
        out.extend(f.frames(a));
        assert!(f.buffered() <= MAX_FRAME_LEN);
        rest = b;
    }
    out.extend(f.frames(rest));
    out.extend(f.finish().map(Err));
    out
}

fn frame() -> impl Strategy<Value = RawFrame> {
    (
        prop::bool::ANY,
        prop::sample::select(vec![
            0x2001u16, 0x2008, 0x2051, 0x2053, 0x206B, 0x4051, 0x6018, 0x6019, 0x6028, 0x601A,
            0x6038, 0x2FFF, 0xFFFF, 0x1234,
        ]),
        prop::collection::vec(any::<u8>(), 0..80),
    )
        .prop_map(|(req, command, data)| RawFrame {
            direction: if req {
                Direction::Request
            } else {
                Direction::Response
            },
            command,
            data,
        })
}

/// Frames, garbage, text and corrupted frames mixed.
fn soup() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        frame().prop_map(|f| f.to_bytes().unwrap()),
        (frame(), any::<prop::sample::Index>(), 1u8..=255).prop_map(|(f, i, x)| {
            let mut b = f.to_bytes().unwrap();
            let at = i.index(b.len());
            b[at] ^= x;
            b
        }),
        (frame(), any::<prop::sample::Index>()).prop_map(|(f, i)| {
            let mut b = f.to_bytes().unwrap();
            b.truncate(i.index(b.len()));
            b
        }),
        prop::collection::vec(any::<u8>(), 0..20),
        Just(b"SKVER\r\n".to_vec()),
        Just(vec![0xD0, 0xF9, 0xEE]),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

fn request() -> impl Strategy<Value = Request> {
    let hex_id = prop::collection::vec(prop::sample::select(b"0123456789ABCDEF".to_vec()), 32)
        .prop_map(|v| RouteBId::new(std::str::from_utf8(&v).unwrap()).unwrap());
    let alnum = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".to_vec();
    let password = prop::collection::vec(prop::sample::select(alnum), 12)
        .prop_map(|v| RouteBPassword::new(std::str::from_utf8(&v).unwrap()).unwrap());
    prop_oneof![
        Just(Request::Reset),
        Just(Request::FirmwareVersion),
        Just(Request::Status),
        Just(Request::GetInitialSetup),
        Just(Request::StartBRoute),
        Just(Request::StartPana),
        Just(Request::Reauth),
        Just(Request::TerminatePana),
        Just(Request::EndBRoute),
        Just(Request::GetPanId),
        (4u8..=17, any::<bool>(), any::<u8>(), any::<u8>()).prop_map(|(ch, s, m, p)| {
            Request::InitialSetup(InitialSetup {
                mode: m,
                han_sleep: s,
                channel: Channel::new(ch).unwrap().get(),
                tx_power: p,
            })
        }),
        (hex_id.clone(), password)
            .prop_map(|(id, password)| Request::SetCredentials { id, password }),
        (1u8..=14, 1u32..(1 << 14), hex_id).prop_map(|(d, m, id)| {
            Request::ActiveScan(ActiveScan {
                duration: d,
                channel_mask: m << 4,
                pairing_id: PairingId::from_id(&id).unwrap(),
            })
        }),
        any::<u16>()
            .prop_filter("reserved", |p| ![716, 19788, 31941].contains(p))
            .prop_map(Request::OpenUdpPort),
        (
            any::<[u8; 16]>(),
            any::<u16>(),
            any::<u16>(),
            prop::collection::vec(any::<u8>(), 1..=1232)
        )
            .prop_map(|(a, s, d, payload)| Request::SendUdp(SendUdp {
                destination: Ipv6Addr::from(a),
                src_port: s,
                dst_port: d,
                payload,
            })),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn framer_never_panics_and_chunking_does_not_matter(
        input in prop::collection::vec(any::<u8>(), 0..3000),
        cuts in prop::collection::vec(0usize..200, 0..30),
    ) {
        let whole = run(&input, &[]);
        prop_assert_eq!(run(&input, &cuts), whole.clone());
        let ones = vec![1; input.len()];
        prop_assert_eq!(run(&input, &ones), whole);
    }

    #[test]
    fn soup_chunking_does_not_matter_and_every_byte_counts_once(
        input in soup(),
        cuts in prop::collection::vec(0usize..60, 0..30),
    ) {
        let whole = run(&input, &[]);
        prop_assert_eq!(run(&input, &cuts), whole.clone());
        // Each byte lands in one frame, one garbage run or the area of a bad-frame report:
        // never counted twice, and without bad frames every byte is accounted for.
        let counted: usize = whole.iter().map(|o| match o {
            Ok(f) => 12 + f.data.len(),
            Err(Diagnostic::Garbage { len }) => *len,
            Err(Diagnostic::BadFrame { .. }) => 0,
        }).sum();
        prop_assert!(counted <= input.len());
        if !whole.iter().any(|o| matches!(o, Err(Diagnostic::BadFrame { .. }))) {
            prop_assert_eq!(counted, input.len());
        }
    }

    #[test]
    fn valid_frames_amid_garbage_are_all_found(
        frames in prop::collection::vec(frame(), 0..8),
        noise in prop::collection::vec(prop::collection::vec(any::<u8>().prop_filter("D0", |b| *b != 0xD0), 0..30), 8),
        cuts in prop::collection::vec(0usize..60, 0..20),
    ) {
        let mut input = Vec::new();
        for (f, n) in frames.iter().zip(&noise) {
            input.extend(n);
            input.extend(f.to_bytes().unwrap());
        }
        let got: Vec<RawFrame> = run(&input, &cuts).into_iter().filter_map(Result::ok).collect();
        prop_assert_eq!(got, frames);
    }

    #[test]
    fn parsers_never_panic(command in any::<u16>(), data in prop::collection::vec(any::<u8>(), 0..300)) {
        for direction in [Direction::Request, Direction::Response] {
            let r = Repr { direction, command, data: &data };
            let _ = Message::parse(&r);
            let _ = Request::parse(&r);
        }
        let _ = Notification::parse(command, &data);
        let _ = Frame::new_checked(&data[..]).map(|f| (f.command(), f.data().len()));
    }

    #[test]
    fn requests_encode_and_parse_back(req in request()) {
        let bytes = req.encode().unwrap();
        let f = Frame::new_checked(bytes.as_bytes()).unwrap();
        let repr = Repr::parse(&f).unwrap();
        prop_assert_eq!(repr.direction, Direction::Request);
        prop_assert_eq!(Request::parse(&repr).unwrap(), req);
    }

    #[test]
    fn driver_never_panics(
        input in soup(),
        split in any::<prop::sample::Index>(),
        reqs in prop::collection::vec(request(), 0..4),
    ) {
        let mut d = Driver::new();
        for r in reqs {
            let _ = d.submit(r, Instant(0));
        }
        let (a, b) = input.split_at(split.index(input.len() + 1).min(input.len()));
        d.handle_bytes(a, Instant(10));
        d.handle_timeout(Instant(1_000));
        d.handle_bytes(b, Instant(2_000));
        // Every deadline passes: each request completes (retries are bounded).
        for _ in 0..100 {
            match d.poll_timeout() {
                Some(t) => d.handle_timeout(t),
                None => break,
            }
        }
        prop_assert!(d.framer().buffered() <= MAX_FRAME_LEN);
        while d.poll_transmit().is_some() {}
        while d.poll_event().is_some() {}
        prop_assert!(d.is_idle());
    }
}
