//! Shared helpers of the integration tests: the fixture transcripts and JSON views of records.
#![allow(dead_code)]

use serde_json::Value as J;

/// Copies of `../shared/fixtures/transcripts/` (each with a provenance line).
pub const FILES: &[&str] = &[
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

pub fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Records as JSON values (unredacted: as `decode_log` returns them).
pub fn decode(input: &[u8]) -> Vec<J> {
    logdecode::decode_log(input)
        .iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect()
}

/// All property objects of ECHONET records.
pub fn props(recs: &[J]) -> Vec<J> {
    recs.iter()
        .filter(|r| r["kind"] == "echonet")
        .flat_map(|r| r["fields"]["props"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// Typed values of the properties with `epc` that carry data.
pub fn values(recs: &[J], epc: &str) -> Vec<J> {
    props(recs)
        .into_iter()
        .filter(|p| p["epc"] == epc && p["pdc"] != 0)
        .map(|p| p["value"].clone())
        .collect()
}

/// The `value.value` strings of the properties with `epc`.
pub fn amounts(recs: &[J], epc: &str) -> Vec<String> {
    values(recs, epc)
        .iter()
        .map(|v| v["value"].as_str().unwrap_or("-").to_string())
        .collect()
}

pub fn prop(recs: &[J], epc: &str, edt: &str) -> J {
    props(recs)
        .into_iter()
        .find(|p| p["epc"] == epc && p["edt"] == edt)
        .unwrap_or_else(|| panic!("{epc} {edt} not found"))
}

pub fn named<'a>(recs: &'a [J], name: &str) -> Vec<&'a J> {
    recs.iter().filter(|r| r["name"] == name).collect()
}
