//! Property tests: any bytes decode without panic, in any chunking to the same JSON lines,
//! every line a record of the schema; encoded commands decode back; a password the log sets
//! never comes out.

use logdecode::{decode_log, decode_to_json_lines, LogDecoder, Record};
use proptest::prelude::*;
use skstack::command::{Command, Scan, ScanMode};
use skstack::RouteBPassword;

fn soup() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        &b"OK\r\n"[..],
        b"FAIL ER04\r\n",
        b"EVENT 21 FE80:0000:0000:0000:021C:6400:03DD:6393 0 02\r\n",
        b"EPANDESC\r\n",
        b"  Channel:21\r\n",
        b"  Pan ID:8888\r\n",
        b"  Addr:12345678ABCDEF01\r\n",
        b"  PairID:00F6D114\r\n",
        b"ROPT\rOK 01\r",
        b">> \"SKVER\"\n",
        b"2024-03-05 12:34:56.789 DEBUG ",
        b"[12:34:56] ",
        b"TX: ",
        b"RX: ",
        b"10 81 00 01 02 88 01 05\n",
        b"FF 01 72 01 E7 04 00 00 04 A8\n",
        b"D0 F9 EE 5D 60 19 00 04 03 91 00 00\n",
        b"D0F9EE5D 6018 0045\n",
        b"0x10, 0x81,",
        b"\"",
        b"\\x10",
        b"\xE3\x80\x80",
        b"EEDSCAN\r\n",
        b" 21 1E\r\n",
        b"{\"props\":[",
        b"EVENT \"NUM\":\"25\"\n",
    ]);
    prop::collection::vec(
        prop_oneof![
            pieces.prop_map(|p| p.to_vec()),
            prop::collection::vec(any::<u8>(), 0..16)
        ],
        0..60,
    )
    .prop_map(|v| v.concat())
}

fn chunked(input: &[u8], cuts: &[usize]) -> String {
    let mut d = LogDecoder::new();
    let mut recs = Vec::new();
    let mut start = 0;
    for &c in cuts {
        let end = (start + c).min(input.len());
        d.feed(&input[start..end], &mut recs);
        start = end;
    }
    d.feed(&input[start..], &mut recs);
    d.finish(&mut recs);
    let mut out = String::new();
    d.render_batch(&recs, &mut out);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_and_chunking_is_irrelevant(
        input in prop_oneof![prop::collection::vec(any::<u8>(), 0..2048), soup()],
        cuts in prop::collection::vec(1usize..64, 0..32),
    ) {
        let whole = chunked(&input, &[]);
        prop_assert_eq!(&whole, &chunked(&input, &cuts));
        for line in whole.lines() {
            prop_assert!(Record::from_json(line).is_ok(), "{}", line);
        }
        let _ = decode_log(&input);
    }

    #[test]
    fn encoded_commands_decode_back(mask in 1u32..=0x0FFF_FFFF, duration in 0u8..=14,
                                    side in prop::option::of(0u8..=1), pw in "[0-9A-Za-z]{12}") {
        let scan = Command::Scan(Scan { mode: ScanMode::ActiveWithPairingId, channel_mask: mask, duration, side });
        let r = decode_log(&scan.encode().unwrap());
        prop_assert_eq!(r.len(), 1);
        prop_assert_eq!(r[0].name.as_str(), "SKSCAN");
        let mask_hex = format!("{mask:08X}");
        prop_assert_eq!(r[0].field("channel_mask"), Some(mask_hex.as_str()));
        prop_assert_eq!(r[0].field("side").map(str::to_string), side.map(|s| s.to_string()));
        let b = Command::SetPwd(RouteBPassword::new(&pw).unwrap()).encode().unwrap();
        let mut log = b.clone();
        log.extend_from_slice(format!("later: {pw} and {}\n", pw.to_lowercase()).as_bytes());
        let out = decode_to_json_lines(&log);
        let same = pw.bytes().all(|c| c == pw.as_bytes()[0]);
        prop_assert!(same || !out.to_ascii_uppercase().contains(&pw.to_ascii_uppercase()), "{}", out);
    }
}
