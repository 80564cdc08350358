//! Property tests: arbitrary bytes never panic (framer, driver), chunking never changes the
//! framer's output, and every encoded command frames as one echo line. (The log decoder's
//! properties are in `crates/logdecode/tests/prop.rs`.)

use proptest::prelude::*;
use skstack::command::{Command, Scan, ScanMode, Security, SendTo};
use skstack::frame::Frame;
use skstack::{Driver, Framer, Instant, RouteBId, RouteBPassword};
use std::net::Ipv6Addr;

fn run(input: &[u8], cuts: &[usize]) -> Vec<Frame> {
    let mut f = Framer::new();
    let mut v = Vec::new();
    let mut start = 0;
    for &c in cuts {
        let end = (start + c).min(input.len());
        f.push(&input[start..end]);
        v.extend(std::iter::from_fn(|| f.next_frame()));
        start = end;
    }
    f.push(&input[start..]);
    f.finish();
    v.extend(std::iter::from_fn(|| f.next_frame()));
    v
}

fn line_soup() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        &b"OK\r\n"[..], b"FAIL ER04\r\n", b"EVENT 21 FE80:0000:0000:0000:021C:6400:03DD:6393 0 02\r\n", b"EPANDESC\r\n",
        b"  Channel:21\r\n", b"  Pan ID:8888\r\n", b"  Addr:12345678ABCDEF01\r\n", b"  PairID:00F6D114\r\n", b"ROPT\rOK 01\r",
        b"ERXUDP FE80:0000:0000:0000:021C:6400:03DD:6393 FE80:0000:0000:0000:021C:6400:03DD:6393 0E1A 0E1A 001C640003DD6393 1 0 0004 ",
        b"\x10\x81\r\n", b"1081\r\n", b"\xD0\xF9\xEE\x5D", b"\x00\x08\x00\x04", b"garbage\xff\r\n", b"EEDSCAN\r\n", b" 21 1E\r\n",
    ]);
    prop::collection::vec(
        prop_oneof![
            pieces.prop_map(|p| p.to_vec()),
            prop::collection::vec(any::<u8>(), 0..16)
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn framer_never_panics_and_chunking_is_irrelevant(input in prop_oneof![prop::collection::vec(any::<u8>(), 0..2048), line_soup()],
                                                    cuts in prop::collection::vec(1usize..64, 0..32)) {
        let whole = run(&input, &[]);
        let chunked = run(&input, &cuts);
        prop_assert_eq!(whole, chunked);
    }

    #[test]
    fn driver_never_panics(input in prop_oneof![prop::collection::vec(any::<u8>(), 0..2048), line_soup()]) {
        let mut d = Driver::new();
        d.start_detection(Instant(0));
        d.handle_bytes(&input, Instant(10));
        d.handle_timeout(Instant(100_000));
        while d.poll_event().is_some() {}
        while d.poll_transmit().is_some() {}
    }

    #[test]
    fn encoded_commands_reparse(mode in prop::sample::select(vec![ScanMode::EnergyDetect, ScanMode::ActiveWithPairingId, ScanMode::Active]),
                               mask in 1u32..=0x0FFF_FFFF, duration in 0u8..=14, side in prop::option::of(0u8..=1),
                               payload in prop::collection::vec(any::<u8>(), 1..200), seg in any::<[u16; 8]>(),
                               id in "[0-9A-Za-z]{32}", pw in "[0-9A-Za-z]{12}") {
        let addr = Ipv6Addr::from(seg);
        // SKSCAN
        let scan = Command::Scan(Scan { mode, channel_mask: mask, duration, side });
        let bytes = scan.encode().unwrap();
        prop_assert!(bytes.ends_with(b"\r\n") && !bytes[..bytes.len() - 2].iter().any(|&b| b == b'\r' || b == b'\n'));
        // The framer sees the echo as exactly one command line.
        let fs = run(&bytes, &[]);
        prop_assert!(matches!(&fs[..], [Frame::Echo(e)] if e.command == "SKSCAN"));
        // Credentials: one line, redacted when re-parsed.
        for c in [Command::SetRbid(RouteBId::new(&id).unwrap()), Command::SetPwd(RouteBPassword::new(&pw).unwrap())] {
            let b = c.encode().unwrap();
            prop_assert!(!b[..b.len() - 2].iter().any(|&x| x == b'\r' || x == b'\n' || x < 0x20));
            let fs = run(&b, &[]);
            let Frame::Echo(e) = &fs[0] else { panic!("{fs:?}") };
            prop_assert!(e.text.ends_with("<redacted>"));
        }
        // SKSENDTO: header + exact raw payload; the decoder recovers the payload when it has no LF.
        let st = Command::SendTo(SendTo { handle: 1, addr, port: 0x0E1A, security: Security::Required, side, payload: payload.clone() });
        let b = st.encode().unwrap();
        prop_assert!(b.ends_with(&payload));
        let header_len = b.len() - payload.len();
        let len_field = std::str::from_utf8(&b[header_len - 5..header_len - 1]).unwrap();
        prop_assert_eq!(usize::from_str_radix(len_field, 16).unwrap(), payload.len());
    }

    #[test]
    fn credential_validation_never_echoes(s in ".{0,40}") {
        for e in [RouteBId::new(&s).err(), RouteBPassword::new(&s).err()].into_iter().flatten() {
            let msg = format!("{e} {e:?}");
            if s.chars().count() >= 3 {
                prop_assert!(!msg.contains(&s[..]));
            }
        }
    }
}
