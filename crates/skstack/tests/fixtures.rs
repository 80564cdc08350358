//! Every transcript in `tests/fixtures/` (copies of `../shared/fixtures/transcripts/`, each with
//! a provenance line) goes through the log decoder with the values its INDEX.md lists, and the
//! device side of each transcript is rebuilt as a byte stream and fed to the framer whole and
//! one byte at a time.

use serde_json::Value as J;
use skstack::frame::{DataEncoding, DiagnosticKind, Frame, InfoLast, RxUdpLayout};
use skstack::logdecode::{decode_log, decode_to_json_lines};
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

/// All property objects of ECHONET records, with their EPC.
fn props(recs: &[J]) -> Vec<J> {
    recs.iter()
        .filter(|r| r["kind"] == "echonet")
        .flat_map(|r| r["fields"]["props"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn values(recs: &[J], epc: &str) -> Vec<J> {
    props(recs)
        .into_iter()
        .filter(|p| p["epc"] == epc && p["pdc"] != 0)
        .map(|p| p["value"].clone())
        .collect()
}

fn prop(recs: &[J], epc: &str, edt: &str) -> J {
    props(recs)
        .into_iter()
        .find(|p| p["epc"] == epc && p["edt"] == edt)
        .unwrap_or_else(|| panic!("{epc} {edt} not found"))
}

#[test]
fn every_fixture_decodes_and_chunking_does_not_matter() {
    for f in FILES {
        let input = read(f);
        let whole = decode_to_json_lines(&input);
        assert!(!whole.is_empty(), "{f}: nothing decoded");
        for line in whole.lines() {
            let v: J = serde_json::from_str(line).unwrap();
            assert!(v["line"].as_u64().unwrap() >= 1);
            assert!(
                ["command", "reply", "event", "echonet"].contains(&v["kind"].as_str().unwrap()),
                "{line}"
            );
        }
        // Streaming in small chunks gives the same records.
        let mut dec = skstack::logdecode::LogDecoder::new();
        let mut recs = Vec::new();
        for c in input.chunks(7) {
            dec.feed(c, &mut recs);
        }
        dec.finish(&mut recs);
        let chunked: String = recs.iter().map(|r| dec.render(r) + "\n").collect();
        assert_eq!(whole, chunked, "{f}");
    }
}

#[test]
fn ak1211_values() {
    let r = decode_log(&read(FILES[0]));
    // D3 Get_SNA (PDC 0), E1 02, D7 07, D5 one instance 028801.
    let d3 = prop(&r, "D3", "");
    assert_eq!(d3["pdc"], 0);
    assert!(r.iter().any(|x| x["name"] == "Get_SNA"));
    assert_eq!(values(&r, "E1"), [J::from(2)]);
    assert_eq!(prop(&r, "E1", "02")["kwh_per_count"], 0.01);
    assert_eq!(values(&r, "D7"), [J::from(7)]);
    assert_eq!(
        prop(&r, "D5", "01028801")["value"]["instances"][0],
        "028801"
    );
    let ea = prop(&r, "EA", "07E6080114000000012CC7");
    assert_eq!(
        (ea["value"].clone(), ea["kwh"].clone(), ea["stamp"].clone()),
        (
            J::from(76999),
            J::from(769.99),
            J::from("2022-08-01 20:00:00")
        )
    );
    let ea = prop(&r, "EA", "07E60801141E0000012D02");
    assert_eq!(
        (ea["value"].clone(), ea["kwh"].clone()),
        (J::from(77058), J::from(770.58))
    );
    assert!(r
        .iter()
        .any(|x| x["name"] == "INF" && x["fields"]["props"][0]["epc"] == "EA"));
    for (edt, w) in [
        ("000004A8", 1192),
        ("000004F0", 1264),
        ("000004E8", 1256),
        ("00000548", 1352),
        ("00000530", 1328),
        ("00000424", 1060),
        ("00000418", 1048),
        ("0000041C", 1052),
        ("00000430", 1072),
        ("000003F8", 1016),
        ("00000400", 1024),
        ("00000420", 1056),
        ("000003F0", 1008),
        ("00000440", 1088),
    ] {
        assert_eq!(prop(&r, "E7", edt)["value"], w, "E7 {edt}");
    }
    for (edt, rr, t) in [
        ("00620022", 9.8, 3.4),
        ("005F0022", 9.5, 3.4),
        ("005F0028", 9.5, 4.0),
        ("0062002C", 9.8, 4.4),
        ("00460027", 7.0, 3.9),
        ("00460026", 7.0, 3.8),
        ("00450026", 6.9, 3.8),
        ("00420026", 6.6, 3.8),
        ("00480025", 7.2, 3.7),
        ("00450025", 6.9, 3.7),
        ("00460025", 7.0, 3.7),
        ("00450027", 6.9, 3.9),
        ("00440026", 6.8, 3.8),
        ("00460021", 7.0, 3.3),
        ("00430020", 6.7, 3.2),
    ] {
        let v = &prop(&r, "E8", edt)["value"];
        assert_eq!(
            (v["r"].as_f64().unwrap(), v["t"].as_f64().unwrap()),
            (rr, t),
            "E8 {edt}"
        );
    }
    // Scan with EPANDESC without Side, SKLL64 reply, credentials redacted.
    let pd = r.iter().find(|x| x["name"] == "EPANDESC").unwrap();
    assert_eq!(pd["fields"]["channel"], "3B");
    assert!(pd["fields"].get("side").is_none());
    let out = decode_to_json_lines(&read(FILES[0]));
    assert!(out.contains("\"password\":\"<redacted>\""));
}

#[test]
fn qiita_values() {
    let r = decode_log(&read(FILES[6]));
    assert_eq!(values(&r, "E7"), [J::from(228)]);
    let ea = prop(&r, "EA", "07E70C13001E000000458E");
    assert_eq!(
        (ea["value"].clone(), ea["stamp"].clone()),
        (J::from(17806), J::from("2023-12-19 00:30:00"))
    );
    assert!(
        ea.get("kwh").is_none(),
        "E1/D3 not read in this session, so no kWh"
    );
    assert_eq!(prop(&r, "EB", "07E70C13001E0000000015")["value"], 21);
    assert_eq!(prop(&r, "D5", "01028801")["value"]["count"], 1);
    // CR-only replies, EPANDESC with Side, PANA redaction of the EAP-PSK identity.
    assert!(r
        .iter()
        .any(|x| x["name"] == "OK" && x["fields"]["value"] == "01"));
    assert!(r
        .iter()
        .any(|x| x["name"] == "OK" && x["fields"]["value"] == "80"));
    let pd = r.iter().find(|x| x["name"] == "EPANDESC").unwrap();
    assert_eq!(
        (
            pd["fields"]["side"].clone(),
            pd["fields"]["pair_id"].clone()
        ),
        (J::from("0"), J::from("0194BFAD"))
    );
    let out = decode_to_json_lines(&read(FILES[6]));
    assert!(
        !out.contains("534D3030303030303939303231373030303030303030303030303031393442464144"),
        "EAP identity redacted"
    );
    assert!(!out.contains("0123456789AB") && !out.contains("00112233445566778899AABBCCDDEEFF"));
    assert!(r
        .iter()
        .any(|x| x["name"] == "ERXUDP" && x["fields"]["redacted"] == true));
    assert!(r
        .iter()
        .any(|x| x["name"] == "EVENT" && x["fields"]["num"] == "25"));
}

#[test]
fn other_fixture_values() {
    // hsakoh #5: scan retry, PAN 39/8CF5, controller D5 INF announcing 05FF01.
    let r = decode_log(&read(FILES[4]));
    let pd = r.iter().find(|x| x["name"] == "EPANDESC").unwrap();
    assert_eq!(
        (
            pd["fields"]["channel"].clone(),
            pd["fields"]["pan_id"].clone()
        ),
        (J::from("39"), J::from("8CF5"))
    );
    assert_eq!(
        prop(&r, "D5", "0105FF01")["value"]["instances"][0],
        "05FF01"
    );
    assert!(r.iter().any(|x| x["name"] == "SKSCAN"
        && x["fields"]["duration"] == "5"
        && x["fields"]["side"] == "0"));
    // hsakoh #6: ROPT -> OK 00, WOPT 01 -> OK.
    let r = decode_log(&read(FILES[5]));
    let names: Vec<&str> = r.iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["ROPT", "OK", "WOPT", "OK"]);
    assert_eq!(r[1]["fields"]["value"], "00");
    // vkgtaro memo: E7 27 W, 26 W; D3 1; E1 0.1; E0 75313 -> 7531.3 kWh.
    let r = decode_log(&read(FILES[8]));
    assert_eq!(values(&r, "E7"), [J::from(27), J::from(26)]);
    assert_eq!(values(&r, "D3"), [J::from(1)]);
    assert_eq!(prop(&r, "E1", "01")["kwh_per_count"], 0.1);
    let e0 = prop(&r, "E0", "00012631");
    assert_eq!(
        (
            e0["value"].clone(),
            e0["kwh"].clone(),
            e0["coefficient"].clone()
        ),
        (J::from(75313), J::from(7531.3), J::from("D3"))
    );
    // vkgtaro fixtures: EPANDESC fields, E7 28 W and -1962 W, EVENT 24/25, the request frame.
    let r = decode_log(&read(FILES[9]));
    let pd = r.iter().find(|x| x["name"] == "EPANDESC").unwrap();
    for (k, v) in [
        ("channel", "33"),
        ("channel_page", "09"),
        ("pan_id", "6393"),
        ("addr", "001C640003DD6393"),
        ("lqi", "4E"),
        ("pair_id", "00F6D114"),
    ] {
        assert_eq!(pd["fields"][k], v, "{k}");
    }
    assert_eq!(values(&r, "E7"), [J::from(28), J::from(-1962)]);
    assert!(r
        .iter()
        .any(|x| x["fields"]["num"] == "24" && x["fields"]["meaning"] == "pana_failed"));
    assert!(r
        .iter()
        .any(|x| x["name"] == "Get" && x["fields"]["source"] == "hex"));
    // node-wisunrb: EINFO side, E7 -524 and -1489, E8 -7.0/-8.0 A.
    let r = decode_log(&read(FILES[2]));
    assert!(r
        .iter()
        .any(|x| x["name"] == "EINFO" && x["fields"]["dialect"] == "dual_stack"));
    assert_eq!(values(&r, "E7"), [J::from(-524), J::from(-1489)]);
    let e8 = prop(&r, "E8", "FFBAFFB0");
    assert_eq!(
        (e8["value"]["r"].as_f64(), e8["value"]["t"].as_f64()),
        (Some(-7.0), Some(-8.0))
    );
    // tnishinaga: EVENT 21 param 02, EVENT 02, PANA ERXUDP 02CC/02CC, MAC FFFF…, not secured, 0x28 bytes; FAIL ER04.
    let r = decode_log(&read(FILES[7]));
    assert!(r.iter().any(|x| x["fields"]["num"] == "21"
        && x["fields"]["param"] == "02"
        && x["fields"]["side"] == "0"));
    assert!(r
        .iter()
        .any(|x| x["fields"]["num"] == "02" && x["fields"]["meaning"] == "neighbor_advertisement"));
    let rx = r.iter().find(|x| x["name"] == "ERXUDP").unwrap();
    for (k, v) in [
        ("rport", "02CC"),
        ("lport", "02CC"),
        ("sender_lla", "FFFFFFFFFFFFFFFF"),
        ("secured", "0"),
        ("datalen", "0028"),
    ] {
        assert_eq!(rx["fields"][k], v, "{k}");
    }
    assert!(r
        .iter()
        .any(|x| x["name"] == "FAIL" && x["fields"]["code"] == "ER04"));
    assert!(r
        .iter()
        .any(|x| x["name"] == "SKSETPWD" && x["fields"]["len"] == "12"));
    // Cube J1: channel 2F, LQI 93 -> about -63.8 dBm; EEDSCAN with leading side; EVER/EAPPVER.
    let r = decode_log(&read(FILES[3]));
    let pd = r.iter().find(|x| x["name"] == "EPANDESC").unwrap();
    assert_eq!(
        (pd["fields"]["channel"].clone(), pd["fields"]["lqi"].clone()),
        (J::from("2F"), J::from("93"))
    );
    assert!((pd["fields"]["rssi_dbm"].as_f64().unwrap() + 63.84).abs() < 0.01);
    assert!(r
        .iter()
        .any(|x| x["name"] == "EEDSCAN" && x["fields"]["side"] == "0"));
    assert!(r
        .iter()
        .any(|x| x["name"] == "EAPPVER" && x["fields"]["version"] == "rev15"));
    // false-git: E7 686 W via a masked ERXUDP, EVENT 25 with trailing 00.
    let r = decode_log(&read(FILES[1]));
    assert_eq!(values(&r, "E7"), [J::from(686)]);
    assert!(r.iter().any(|x| x["name"] == "address"));
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
