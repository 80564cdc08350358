//! The device side of every transcript in `tests/fixtures/` (copies of
//! `../shared/fixtures/transcripts/`, each with a provenance line) is rebuilt as a byte stream
//! and fed to the framer whole and one byte at a time. (The log decoder's fixture tests are in
//! `crates/logdecode/tests/`.)

use skstack::frame::{DataEncoding, DiagnosticKind, Frame, InfoLast, RxUdpLayout};
use skstack::{ErxudpMode, Framer};

const FILES: &[&str] = &[
    "ak1211-m5stickc-wisunhat-BP35A1_comm.txt",
    "false-git-power-consumption-README.txt",
    "futomi-node-wisunrb-README.txt",
    "github-cube-j1-local-monitor-README.txt",
    "hsakoh-broute-mqtt-issue5.txt",
    "hsakoh-broute-mqtt-issue6.txt",
    "qiita-74f11b729a7859da63af-nerves-rs-wsuha-p.txt",
    "tnishinaga-mb-rl7023-11-test_real_event.txt",
    "vkgtaro-home_power_usage-memo.txt",
    "vkgtaro-home_power_usage-test-fixtures.txt",
];

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

// ---- framer on the device side of each transcript ----

fn unescape(l: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let b = l.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'x') && i + 3 < b.len() + 1 {
            if let Ok(v) = u8::from_str_radix(&l[i + 2..i + 4], 16) {
                out.push(v);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Rebuild what the dongle sent, as bytes: drop header/annotation lines and host writes,
/// strip log decorations, restore CR LF (or the bare CR the annotations mention).
fn device_stream(name: &str, text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut bare_cr_next = false;
    for raw in text.lines() {
        if raw.starts_with("## next reply ended with a bare CR") {
            bare_cr_next = true;
            continue;
        }
        if raw.starts_with('#') {
            continue;
        }
        let mut l: String = raw.to_string();
        if let Some(p) = l.find("[RECEIVE] ") {
            l = l[p + 10..].to_string();
        } else if name.starts_with("ak1211") {
            continue;
        }
        if let Some(p) = l.find("<<") {
            l = l[p + 2..].trim_start_matches("ECHO:").to_string();
            if name.starts_with("false-git") {
                l = l.trim_start().to_string();
            }
        } else if l.contains(">>") || name.starts_with("hsakoh-broute-mqtt-issue5") {
            continue;
        }
        if let Some(rest) = l.strip_prefix("  rl7023 ") {
            if rest.starts_with("SKSENDTO") {
                continue;
            }
            l = rest
                .rsplit_once(" +")
                .map(|(a, _)| a.to_string())
                .unwrap_or_else(|| rest.to_string());
        } else if name.starts_with("vkgtaro-home_power_usage-memo") {
            continue; // the app's own decoded output
        }
        if name.starts_with("futomi") && (l.starts_with('{') || l == "...") {
            continue;
        }
        if name.starts_with("github-cube") || name.starts_with("hsakoh-broute-mqtt-issue6") {
            // "CMD → REPLY" pairs; the reply ends in CR for config commands.
            if let Some((cmd, reply)) = l.split_once('→') {
                let cmd = cmd.trim();
                let cr = matches!(
                    cmd.split(' ').next(),
                    Some("ROPT" | "WOPT" | "RUART" | "WUART")
                );
                if !cmd.is_empty() {
                    out.extend_from_slice(cmd.as_bytes());
                    out.extend_from_slice(if cr { b"\r" } else { b"\r\n" });
                }
                out.extend_from_slice(reply.trim().as_bytes());
                out.extend_from_slice(if cr { b"\r" } else { b"\r\n" });
                continue;
            }
        }
        let l = l.strip_suffix("\\r\\n").unwrap_or(&l);
        out.extend(unescape(l));
        if bare_cr_next {
            out.push(b'\r');
            bare_cr_next = false;
        } else {
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

fn frames(input: &[u8], bytewise: bool) -> Vec<Frame> {
    let mut f = Framer::new();
    f.set_erxudp_mode(ErxudpMode::Unknown);
    let mut v = Vec::new();
    if bytewise {
        for b in input {
            f.push(std::slice::from_ref(b));
            v.extend(std::iter::from_fn(|| f.next_frame()));
        }
    } else {
        f.push(input);
    }
    f.finish();
    v.extend(std::iter::from_fn(|| f.next_frame()));
    v
}

#[test]
fn framer_byte_at_a_time_equals_whole_for_every_fixture() {
    for name in FILES {
        let text = String::from_utf8_lossy(&read(name)).into_owned();
        let stream = device_stream(name, &text);
        let whole = frames(&stream, false);
        let bytewise = frames(&stream, true);
        assert_eq!(whole, bytewise, "{name}");
        assert!(!whole.is_empty(), "{name}");
        // No credential ever comes out of the framer.
        let dump = format!("{whole:?}");
        for secret in [
            "0123456789AB",
            "00112233445566778899AABBCCDDEEFF",
            "AAAABBBBCCCC",
        ] {
            assert!(!dump.contains(secret), "{name}: {secret}");
        }
    }
}

fn of<'a>(fs: &'a [Frame], pred: impl Fn(&Frame) -> bool + 'a) -> Vec<&'a Frame> {
    fs.iter().filter(|f| pred(f)).collect()
}

#[test]
fn framer_qiita_dual_stack_stream() {
    let text = String::from_utf8_lossy(&read(FILES[6])).into_owned();
    let fs = frames(&device_stream(FILES[6], &text), true);
    assert!(fs.contains(&Frame::Ok(Some(0x01))), "ROPT bare-CR reply");
    assert!(fs.contains(&Frame::Ok(Some(0x80))), "RUART bare-CR reply");
    assert!(fs.contains(&Frame::Ever("1.5.2".into())));
    let pans = of(&fs, |f| matches!(f, Frame::PanDesc(_)));
    let Frame::PanDesc(p) = pans[0] else {
        unreachable!()
    };
    assert_eq!(
        (p.channel, p.pan_id, p.side, p.pair_id.as_deref()),
        (0x31, 0xB5FB, Some(0), Some("0194BFAD"))
    );
    assert_eq!(
        of(&fs, |f| matches!(f, Frame::Address(_))).len(),
        1,
        "SKLL64 bare reply"
    );
    let rx = of(&fs, |f| matches!(f, Frame::RxUdp(_)));
    assert_eq!(rx.len(), 7);
    for f in &rx {
        let Frame::RxUdp(r) = f else { unreachable!() };
        assert_eq!(
            (r.layout, r.encoding, r.side),
            (RxUdpLayout::DualStack, DataEncoding::Hex, Some(0))
        );
    }
    let Frame::RxUdp(last) = rx[6] else {
        unreachable!()
    };
    assert_eq!(&last.data[last.data.len() - 4..], &[0, 0, 0, 0xE4]);
    // "SKSENDTOERXUDP …" resynchronises at the keyword.
    assert!(fs
        .iter()
        .any(|f| matches!(f, Frame::Skipped(d) if d.kind == DiagnosticKind::GarbagePrefix)));
    let ev = of(&fs, |f| matches!(f, Frame::Event(e) if e.num == 0x25));
    assert_eq!(ev.len(), 1);
    assert!(of(
        &fs,
        |f| matches!(f, Frame::Echo(e) if e.text.contains("SKSETPWD"))
    )
    .iter()
    .all(|f| matches!(f, Frame::Echo(e) if e.text.ends_with("<redacted>"))));
}

#[test]
fn framer_single_hop_and_other_streams() {
    // vkgtaro fixtures: single-hop EPANDESC without Side, ERXUDP 9 tokens, EVENT 24/25 without side.
    let text = String::from_utf8_lossy(&read(FILES[9])).into_owned();
    let fs = frames(&device_stream(FILES[9], &text), true);
    let Frame::PanDesc(p) = of(&fs, |f| matches!(f, Frame::PanDesc(_)))[0] else {
        unreachable!()
    };
    assert_eq!((p.channel, p.lqi, p.side), (0x33, Some(0x4E), None));
    assert!(fs.iter().any(
        |f| matches!(f, Frame::Event(e) if e.num == 0x24 && e.side.is_none() && e.param.is_none())
    ));
    assert!(
        of(
            &fs,
            |f| matches!(f, Frame::RxUdp(r) if r.layout == RxUdpLayout::SingleHop)
        )
        .len()
            == 3
    );
    // node-wisunrb: EINFO with side.
    let text = String::from_utf8_lossy(&read(FILES[2])).into_owned();
    let fs = frames(&device_stream(FILES[2], &text), true);
    assert!(fs
        .iter()
        .any(|f| matches!(f, Frame::Info(i) if i.last == InfoLast::Side(0))));
    // tnishinaga: FAIL ER04, SKSENDTO echo carrying payload bytes, PANA ERXUDP with side.
    let text = String::from_utf8_lossy(&read(FILES[7])).into_owned();
    let fs = frames(&device_stream(FILES[7], &text), true);
    assert!(fs.contains(&Frame::Fail(skstack::frame::FailCode::NotSupported)));
    assert!(fs
        .iter()
        .any(|f| matches!(f, Frame::Echo(e) if e.command == "SKSENDTO")));
    assert!(fs.iter().any(
        |f| matches!(f, Frame::RxUdp(r) if r.rport == 0x02CC && !r.secured && r.data.len() == 0x28)
    ));
    // hsakoh #6: ROPT -> OK 00 (bare CR), WOPT 01 -> OK.
    let text = String::from_utf8_lossy(&read(FILES[5])).into_owned();
    let fs = frames(&device_stream(FILES[5], &text), true);
    assert!(fs.contains(&Frame::Ok(Some(0))));
    // ak1211 receive lines: block lines without the EPANDESC header are not a PanDesc.
    let text = String::from_utf8_lossy(&read(FILES[0])).into_owned();
    let fs = frames(&device_stream(FILES[0], &text), true);
    assert!(
        fs.iter()
            .filter(|f| matches!(f, Frame::Event(e) if e.num == 0x21 && e.param == Some(0)))
            .count()
            >= 20
    );
}
