//! Every transcript in `tests/fixtures/` goes through the decoder with the values its
//! INDEX.md lists (claimed by the source or derived), whole and in small chunks.

mod common;

use common::*;
use logdecode::{decode_to_json_lines, LogDecoder, Record};
use serde_json::Value as J;

#[test]
fn every_fixture_decodes_and_chunking_does_not_matter() {
    for f in FILES {
        let input = read(f);
        let whole = decode_to_json_lines(&input);
        let mut lines_seen = std::collections::BTreeSet::new();
        for line in whole.lines() {
            let r = Record::from_json(line).unwrap_or_else(|e| panic!("{f}: {e}: {line}"));
            lines_seen.insert(r.line);
        }
        // Every non-blank line of the input produced a record (or is part of one).
        let text = String::from_utf8_lossy(&input);
        let recs = logdecode::decode_log(&input);
        for (i, l) in text.lines().enumerate() {
            if !l.trim().is_empty() {
                let n = i + 1;
                let covered = recs
                    .iter()
                    .any(|r| r.line == n || (r.line <= n && r.end_line.is_some_and(|e| e >= n)));
                assert!(covered || lines_seen.contains(&n), "{f}: line {n} dropped");
            }
        }
        // Streaming in small chunks gives the same records.
        let mut dec = LogDecoder::new();
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
    let r = decode(&read(FILES[0]));
    // D3 Get_SNA (PDC 0), E1 02, D7 07, D5 one instance 028801.
    assert_eq!(prop(&r, "D3", "")["pdc"], 0);
    assert!(!named(&r, "Get_SNA").is_empty());
    assert_eq!(values(&r, "E1")[0]["factor"], "0.01");
    assert_eq!(values(&r, "D7")[0]["value"], 7);
    assert_eq!(
        prop(&r, "D5", "01028801")["value"]["instances"][0],
        "028801"
    );
    let ea = &prop(&r, "EA", "07E6080114000000012CC7")["value"];
    assert_eq!(
        (
            ea["raw"].clone(),
            ea["value"].clone(),
            ea["at"].clone(),
            ea["scale"].clone()
        ),
        (
            J::from(76999),
            J::from("769.99"),
            J::from("2022-08-01T20:00:00+09:00"),
            J::from("d3_unsupported")
        )
    );
    let ea = &prop(&r, "EA", "07E60801141E0000012D02")["value"];
    assert_eq!(
        (ea["raw"].clone(), ea["value"].clone()),
        (J::from(77058), J::from("770.58"))
    );
    assert!(r
        .iter()
        .any(|x| x["name"] == "INF" && x["fields"]["props"][0]["epc"] == "EA"));
    for (edt, w) in [
        ("000004A8", "1192"),
        ("000004F0", "1264"),
        ("000004E8", "1256"),
        ("00000548", "1352"),
        ("00000530", "1328"),
        ("00000424", "1060"),
        ("00000418", "1048"),
        ("0000041C", "1052"),
        ("00000430", "1072"),
        ("000003F8", "1016"),
        ("00000400", "1024"),
        ("00000420", "1056"),
        ("000003F0", "1008"),
        ("00000440", "1088"),
    ] {
        let v = &prop(&r, "E7", edt)["value"];
        assert_eq!(
            (v["value"].as_str(), v["unit"].as_str()),
            (Some(w), Some("W")),
            "E7 {edt}"
        );
    }
    for (edt, rr, t) in [
        ("00620022", "9.8", "3.4"),
        ("005F0022", "9.5", "3.4"),
        ("005F0028", "9.5", "4.0"),
        ("0062002C", "9.8", "4.4"),
        ("00460027", "7.0", "3.9"),
        ("00460026", "7.0", "3.8"),
        ("00450026", "6.9", "3.8"),
        ("00420026", "6.6", "3.8"),
        ("00480025", "7.2", "3.7"),
        ("00450025", "6.9", "3.7"),
        ("00460025", "7.0", "3.7"),
        ("00450027", "6.9", "3.9"),
        ("00440026", "6.8", "3.8"),
        ("00460021", "7.0", "3.3"),
        ("00430020", "6.7", "3.2"),
    ] {
        let v = &prop(&r, "E8", edt)["value"];
        assert_eq!(
            (v["r"]["value"].as_str(), v["t"]["value"].as_str()),
            (Some(rr), Some(t)),
            "E8 {edt}"
        );
    }
    // The app's `"KEY":"VALUE"` EPANDESC, without Side; SKLL64 reply; commands with [SEND].
    let pd = named(&r, "EPANDESC")[0];
    assert_eq!(pd["fields"]["channel"], "3B");
    assert!(pd["fields"].get("side").is_none());
    assert!(pd["input"]["stripped"]
        .as_array()
        .unwrap()
        .contains(&J::from("key_value")));
    let scan = named(&r, "SKSCAN")[0];
    assert_eq!(
        (scan["dir"].clone(), scan["input"]["t_ms"].clone()),
        (J::from("sent"), J::from(2699))
    );
    let out = decode_to_json_lines(&read(FILES[0]));
    assert!(out.contains("\"password\":\"<redacted>\""));
}

#[test]
fn qiita_values() {
    let r = decode(&read(FILES[6]));
    assert_eq!(amounts(&r, "E7"), ["228"]);
    let ea = &prop(&r, "EA", "07E70C13001E000000458E")["value"];
    assert_eq!(
        (ea["raw"].clone(), ea["at"].clone(), ea["scale"].clone()),
        (
            J::from(17806),
            J::from("2023-12-19T00:30:00+09:00"),
            J::from("unknown")
        )
    );
    assert!(
        ea.get("value").is_none(),
        "E1/D3 not read in this session, so no kWh"
    );
    assert_eq!(prop(&r, "EB", "07E70C13001E0000000015")["value"]["raw"], 21);
    assert_eq!(
        prop(&r, "D5", "01028801")["value"]["instances"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // CR-only replies, EPANDESC with Side, PANA redaction of the EAP-PSK identity.
    assert!(r
        .iter()
        .any(|x| x["name"] == "OK" && x["fields"]["value"] == "01"));
    assert!(r
        .iter()
        .any(|x| x["name"] == "OK" && x["fields"]["value"] == "80"));
    let pd = named(&r, "EPANDESC")[0];
    assert_eq!(
        (
            pd["fields"]["side"].clone(),
            pd["fields"]["pair_id"].clone()
        ),
        (J::from("0"), J::from("0194BFAD"))
    );
    // The article's ID was replaced by its author: the PairID does not match it.
    assert_eq!(pd["fields"]["pair_id_matches"], false);
    assert_eq!(pd["end_line"], 38);
    let out = decode_to_json_lines(&read(FILES[6]));
    assert!(!out.contains("534D3030303030303939303231373030303030303030303030303031393442464144"));
    assert!(!out.contains("0123456789AB") && !out.contains("00112233445566778899AABBCCDDEEFF"));
    assert!(r
        .iter()
        .any(|x| x["name"] == "ERXUDP" && x["fields"]["redacted"] == true));
    assert!(r
        .iter()
        .any(|x| x["name"] == "EVENT" && x["fields"]["num"] == "25"));
    // The `<14 raw bytes 10 81 …>` annotation gives the Get; "SKSENDTOERXUDP" resynchronises.
    assert!(r
        .iter()
        .any(|x| x["name"] == "Get" && x["fields"]["source"] == "SKSENDTO"));
    assert_eq!(r.iter().filter(|x| x["name"] == "ERXUDP").count(), 7);
}

#[test]
fn other_fixture_values() {
    // hsakoh #5: .NET trace log; scan retry, PAN 39/8CF5, controller D5 INF announcing 05FF01.
    let r = decode(&read(FILES[4]));
    let ev = named(&r, "EVENT")[0];
    assert_eq!(ev["input"]["level"], "trce");
    assert_eq!(ev["input"]["logger"], "SkstackIpDotNet.SKDeviceBP35C0[0]");
    assert_eq!(ev["dir"], "received");
    assert_eq!(
        prop(&r, "D5", "0105FF01")["value"]["instances"][0],
        "05FF01"
    );
    assert!(r.iter().any(|x| x["name"] == "SKSCAN"
        && x["fields"]["duration"] == "5"
        && x["fields"]["side"] == "0"));
    assert!(named(&r, "SKSCAN").iter().any(|x| x["dir"] == "echo"));
    // hsakoh #6: ROPT -> OK 00, WOPT 01 -> OK.
    let r = decode(&read(FILES[5]));
    let names: Vec<&str> = r
        .iter()
        .filter(|x| x["kind"] != "unrecognised")
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ROPT", "OK", "WOPT", "OK"]);
    assert_eq!(named(&r, "OK")[0]["fields"]["value"], "00");
    // vkgtaro memo: E7 27 W, 26 W; D3 1; E1 0.1; E0 75313 -> 7531.3 kWh.
    let r = decode(&read(FILES[8]));
    assert_eq!(amounts(&r, "E7"), ["27", "26"]);
    assert_eq!(values(&r, "D3")[0]["value"], 1);
    assert_eq!(values(&r, "E1")[0]["factor"], "0.1");
    let e0 = &prop(&r, "E0", "00012631")["value"];
    assert_eq!(
        (e0["raw"].clone(), e0["value"].clone(), e0["scale"].clone()),
        (J::from(75313), J::from("7531.3"), J::from("d3"))
    );
    // The app's own output lines are passed through.
    assert!(r
        .iter()
        .any(|x| x["kind"] == "unrecognised" && x["fields"]["text"] == "0.027kw"));
    // vkgtaro fixtures: EPANDESC fields, E7 28 W and -1962 W, EVENT 24/25, the request frame.
    let r = decode(&read(FILES[9]));
    let pd = named(&r, "EPANDESC")[0];
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
    assert_eq!(pd["fields"]["rssi_dbm"], -83);
    assert_eq!(amounts(&r, "E7"), ["28", "-1962"]);
    assert!(r
        .iter()
        .any(|x| x["fields"]["num"] == "24" && x["fields"]["meaning"] == "pana_failed"));
    assert!(r
        .iter()
        .any(|x| x["name"] == "Get" && x["fields"]["source"] == "hex"));
    // node-wisunrb: EINFO side, E7 -524 and -1489, E8 -7.0/-8.0 A (JSON renderings).
    let r = decode(&read(FILES[2]));
    assert!(r
        .iter()
        .any(|x| x["name"] == "EINFO" && x["fields"]["dialect"] == "dual_stack"));
    assert_eq!(amounts(&r, "E7"), ["-524", "-1489"]);
    let e8 = &prop(&r, "E8", "FFBAFFB0")["value"];
    assert_eq!(
        (e8["r"]["value"].as_str(), e8["t"]["value"].as_str()),
        (Some("-7.0"), Some("-8.0"))
    );
    // tnishinaga: EVENT 21 param 02, EVENT 02, PANA ERXUDP, FAIL ER04, SKSETPWD with decimal 12.
    let r = decode(&read(FILES[7]));
    assert!(r.iter().any(|x| x["fields"]["num"] == "21"
        && x["fields"]["param"] == "02"
        && x["fields"]["side"] == "0"));
    assert!(r
        .iter()
        .any(|x| x["fields"]["num"] == "02" && x["fields"]["meaning"] == "neighbor_advertisement"));
    let rx = named(&r, "ERXUDP")[0];
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
    // Cube J1: channel 2F, LQI 93 -> about -64 dBm; EEDSCAN with leading side; EVER/EAPPVER.
    let r = decode(&read(FILES[3]));
    let pd = named(&r, "EPANDESC")[0];
    assert_eq!(
        (
            pd["fields"]["channel"].clone(),
            pd["fields"]["lqi"].clone(),
            pd["fields"]["rssi_dbm"].clone()
        ),
        (J::from("2F"), J::from("93"), J::from(-64))
    );
    assert!(r
        .iter()
        .any(|x| x["name"] == "EEDSCAN" && x["fields"]["side"] == "0"));
    assert!(r
        .iter()
        .any(|x| x["name"] == "EAPPVER" && x["fields"]["version"] == "rev15"));
    // false-git: E7 686 W via a masked ERXUDP, EVENT 25 with trailing 00.
    let r = decode(&read(FILES[1]));
    assert_eq!(amounts(&r, "E7"), ["686"]);
    assert!(r.iter().any(|x| x["name"] == "address"));
    assert!(named(&r, "ERXUDP")[0]["input"]["stripped"]
        .as_array()
        .unwrap()
        .contains(&J::from("masked")));
}
