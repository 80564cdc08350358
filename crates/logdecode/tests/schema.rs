//! The record schema: serialise → parse → equal for every record of every capture (and of a
//! hand-made log with every value type), records of other versions refused, and golden JSON
//! lines of the captures (`UPDATE_GOLDEN=1 cargo test -p logdecode --test schema` rewrites them
//! after a reviewed change; a change of the schema itself also raises `SCHEMA_VERSION`).

mod common;

use common::{read, FILES};
use logdecode::{decode_log, decode_to_json_lines, Record, SCHEMA_VERSION};

/// Frames with every typed value the codec has (built from the shared captures' shapes).
const TYPES_LOG: &str = "\
1081000102880105FF017208800130820400004600880142 8A03000016 8D0C463234473336363530350000 970214 1E980407E60801 9F1119414141604040006243004140404302 02
1081000102880105FF017201D30400000001
1081000102880105FF017201E10102
1081000102880105FF017204E00400012631E3040000000AE704FFFFFDF4E804FFBAFFB0
1081000102880105FF017201E7047FFFFFFE
1081000102880105FF017201E8040062 7FFE
1081000102880105FF017201D70107
1081000102880105FF017201E50100
1081000102880105FF017201EC1707E60801141E02000004D2000000010000049C00000000
1081000102880105FF017201ED0707E60801141E02
1081000102880105FF017201D00F07E6080114000000012CC7FFFFFFFE
108100000EF0010EF0017301D50401028801
108100010EF0010EF0017201D703010288
1081000102880105FF017201C01000000016000102030405060708090A0B
1081000102880105FF015201D300
";

#[test]
fn every_record_round_trips() {
    let mut logs: Vec<Vec<u8>> = FILES.iter().map(|f| read(f)).collect();
    logs.push(read("j11-md-frames.txt"));
    logs.push(TYPES_LOG.replace(' ', "").into_bytes());
    let mut types = std::collections::BTreeSet::new();
    for log in logs {
        for r in decode_log(&log) {
            let s = serde_json::to_string(&r).unwrap();
            assert!(
                s.starts_with(&format!("{{\"schema_version\":{SCHEMA_VERSION},")),
                "{s}"
            );
            assert!(!s.contains('.') || !s.contains("e+"), "no floats: {s}");
            let back = Record::from_json(&s).unwrap();
            assert_eq!(back, r, "{s}");
            if let Some(e) = r.echonet() {
                for p in &e.props {
                    if let Some(v) = &p.value {
                        let j = serde_json::to_value(v).unwrap();
                        types.insert(j["type"].as_str().unwrap().to_string());
                    }
                }
            }
        }
    }
    for t in [
        "quantity",
        "currents",
        "energy",
        "energy_pair",
        "pair_history",
        "history_setting",
        "day",
        "integer",
        "unit",
        "state",
        "release",
        "maker",
        "text",
        "time",
        "date",
        "property_map",
        "instances",
        "classes",
        "route_b_id",
    ] {
        assert!(types.contains(t), "no {t} in {types:?}");
    }
}

#[test]
fn typed_values() {
    let r = decode_log(TYPES_LOG.replace(' ', "").as_bytes());
    let v =
        |i: usize, p: usize| serde_json::to_value(&r[i].echonet().unwrap().props[p].value).unwrap();
    assert_eq!(v(0, 1)["release"], "F");
    assert_eq!(v(0, 3)["code"], "000016");
    assert_eq!(v(0, 4)["text"], "F24G366505");
    assert_eq!(v(0, 5)["time"], "20:30:00+09:00");
    assert_eq!(v(0, 6)["date"], "2022-08-01");
    assert_eq!(v(0, 7)["epcs"].as_array().unwrap().len(), 25);
    // E0 with D3 1 and E1 0.01: exact decimal, unit, scale.
    assert_eq!(v(3, 0)["value"], "753.13");
    assert_eq!(v(3, 0)["unit"], "kWh");
    assert_eq!(v(3, 0)["scale"], "d3");
    assert_eq!(v(3, 2)["value"], "-524");
    // No data is explicit.
    assert_eq!(v(4, 0)["value"], serde_json::Value::Null);
    assert_eq!(v(4, 0)["status"], "no_data");
    assert_eq!(v(5, 0)["t"]["status"], "absent");
    // D0: the reverse count has no data.
    assert_eq!(v(10, 0)["reverse"]["raw"], "no_data");
    assert_eq!(v(10, 0)["at"], "2022-08-01T20:00:00+09:00");
}

#[test]
fn other_versions_are_refused() {
    let line = decode_to_json_lines(b"OK\n");
    assert!(Record::from_json(line.trim()).is_ok());
    let v1 = line.replacen("\"schema_version\":2", "\"schema_version\":1", 1);
    assert!(Record::from_json(v1.trim()).is_err());
    assert!(Record::from_json(r#"{"line":1,"kind":"reply","name":"OK","fields":{}}"#).is_err());
}

#[test]
fn golden_json_lines() {
    let dir = format!("{}/tests/golden", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<&str> = FILES.to_vec();
    files.push("j11-md-frames.txt");
    for f in files {
        let got = decode_to_json_lines(&read(f));
        let path = format!("{dir}/{f}.jsonl");
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            want == got,
            "{f}: output differs from {path} (UPDATE_GOLDEN=1 after review)"
        );
    }
}
