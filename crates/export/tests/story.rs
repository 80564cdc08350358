//! The story of a session, from bundles built from simulator sessions (success, wrong password,
//! wrong ID, weak signal, session lost and recovered, J11) and from pasted transcripts.

use broute::harness::{Device, Pair};
use broute::{Config, Engine, Event, Instant, Phase, RouteBId, RouteBPassword};
use export::story::{Outcome, Story, TraceKind};
use export::support::SupportLine;
use export::{Bundle, BundleBuilder, Lang, Redactor};
use sim::{Scenario, Sim};

const ID: &str = sim::DEMO_ROUTE_B_ID;
const PW: &str = sim::DEMO_PASSWORD;
const MIN: u64 = 60_000;

struct Recording {
    sim: Sim,
    log: Vec<(u64, bool, Vec<u8>)>,
}

impl Device for Recording {
    fn write(&mut self, now_ms: u64, bytes: &[u8]) {
        self.log.push((now_ms, true, bytes.to_vec()));
        self.sim.write(now_ms, bytes);
    }
    fn read(&mut self, now_ms: u64) -> Vec<u8> {
        let b = self.sim.read(now_ms);
        if !b.is_empty() {
            self.log.push((now_ms, false, b.clone()));
        }
        b
    }
    fn next_deadline(&self) -> Option<u64> {
        self.sim.next_deadline()
    }
}

/// Run a preset until it reads a few times or stops, and build its bundle.
fn bundle(preset: &str, minutes: u64) -> Bundle {
    let mut e = Engine::new(Config {
        poll_interval: core::time::Duration::from_secs(10),
        ..Config::default()
    });
    e.set_credentials(
        RouteBId::new(ID).unwrap(),
        RouteBPassword::new(PW).unwrap(),
        Instant(0),
    );
    let sc = Scenario::preset(preset).unwrap();
    let mut p = Pair::new(
        e,
        Recording {
            sim: Sim::new(sc),
            log: Vec::new(),
        },
    );
    p.start();
    p.run_until(minutes * MIN, |e| matches!(e, Event::Phase(Phase::Stopped)));
    let mut b = BundleBuilder::new(Redactor::new().with_credentials(ID, PW), "test", 0);
    for (t, ev) in &p.events {
        b.event(*t, ev);
    }
    for (t, sent, bytes) in &p.device.log {
        b.serial(*t, *sent, bytes);
    }
    b.figures(p.engine.figures());
    // Through JSON, as support staff get it.
    Bundle::from_json(&b.build().to_json()).unwrap()
}

fn phases(s: &Story) -> Vec<&str> {
    s.phases.iter().map(|p| p.phase.as_str()).collect()
}

#[test]
fn success_story() {
    let s = Story::from_bundle(&bundle("demo", 3));
    assert_eq!(s.outcome, Outcome::Reading);
    assert!(s.triage.is_none());
    let ph = phases(&s);
    for want in ["expect_dongle", "expect_scan", "expect_join", "reading"] {
        assert!(ph.contains(&want), "{ph:?}");
    }
    // Durations: every phase but the last has one, from the engine's times.
    assert!(s.phases[..s.phases.len() - 1]
        .iter()
        .all(|p| p.duration_ms.is_some()));
    assert_eq!(s.dongle.dialect.as_deref(), Some("single_hop"));
    assert!(s
        .dongle
        .firmware
        .as_deref()
        .unwrap_or("")
        .contains("1.2.10"));
    let pan = s
        .scans
        .iter()
        .flat_map(|x| &x.pans)
        .find(|p| p.pair_id_match == Some(true))
        .unwrap();
    assert!(pan.lqi.is_some() && pan.rssi_dbm.is_some());
    assert!(s.signal.iter().any(|x| x.source == "scan"));
    assert!(s.readings.count > 0);
    assert!(s.auth.connected);
    assert!(
        s.summary.en.starts_with("The meter was found on channel"),
        "{}",
        s.summary.en
    );
    assert!(
        s.summary.ja.contains("メーターはチャネル"),
        "{}",
        s.summary.ja
    );
    assert!(s.summary.ja.contains("認証に成功しました。"));
    // The trace by kind.
    for k in [TraceKind::Command, TraceKind::Event, TraceKind::Echonet] {
        assert!(s.trace.iter().any(|t| t.kind == k), "{k:?}");
    }
    // Round trip of the story's JSON.
    let back: Story = serde_json::from_str(&s.to_json()).unwrap();
    assert_eq!(back, s);
    let text = s.to_text(Lang::En);
    assert!(text.contains("Timeline") && text.contains("Scan 1"));
}

#[test]
fn wrong_password_story() {
    let s = Story::from_bundle(&bundle("wrong-password", 10));
    assert_eq!(s.outcome, Outcome::Stopped);
    let t = s.triage.as_ref().unwrap();
    assert_eq!((t.code.as_str(), t.recovered), ("BR-30", false));
    assert_eq!(s.auth.refused, 2, "{:?}", s.auth);
    assert!(
        s.summary.en.contains("Authentication was refused twice."),
        "{}",
        s.summary.en
    );
    assert!(
        s.summary.ja.contains("認証が2回拒否されました。"),
        "{}",
        s.summary.ja
    );
    assert!(s.summary.ja.contains("パスワードを確認してください"));
    assert!(s.trace.iter().any(|t| t.kind == TraceKind::Error));
    assert_eq!(s.phases.last().unwrap().phase, "stopped");
    // The support line of the bundle: the code, the step it stopped at, the dongle, the signal.
    let line = SupportLine::from_story(&s, "0.1.0");
    let ja = line.text(Lang::Ja);
    assert!(
        ja.starts_with(
            "サポートコード BR-30｜手順 6/7 認証｜ドングル BP35A1/RL7023 Stick-D/IPS（EVER 1.2.10"
        ),
        "{ja}"
    );
    assert!(
        ja.contains(" dBm（") && ja.ends_with("｜アプリ 0.1.0"),
        "{ja}"
    );
    let en = line.text(Lang::En);
    assert!(
        en.starts_with(
            "Support code BR-30 | Step 6/7 Join | Dongle BP35A1/RL7023 Stick-D/IPS (EVER 1.2.10"
        ),
        "{en}"
    );
}

#[test]
fn wrong_id_and_no_meter_stories() {
    let s = Story::from_bundle(&bundle("wrong-id", 15));
    let t = s.triage.as_ref().unwrap();
    assert!(matches!(t.code.as_str(), "BR-20" | "BR-21"), "{t:?}");
    assert!(!s.scans.is_empty());
    assert!(s
        .scans
        .iter()
        .all(|x| x.pans.iter().all(|p| p.pair_id_match != Some(true))));
    let s = Story::from_bundle(&bundle("neighbours", 5));
    assert!(s
        .scans
        .iter()
        .flat_map(|x| &x.pans)
        .any(|p| p.pair_id_match == Some(false)));
    assert!(s
        .scans
        .iter()
        .flat_map(|x| &x.pans)
        .any(|p| p.pair_id_match == Some(true)));
}

#[test]
fn weak_signal_story() {
    let s = Story::from_bundle(&bundle("weak-signal", 10));
    assert!(s.scans.len() > 1, "found only with a longer scan");
    let pan = s
        .scans
        .iter()
        .flat_map(|x| &x.pans)
        .find(|p| p.pair_id_match == Some(true))
        .unwrap();
    assert!(pan.rssi_dbm.unwrap() < -80, "{pan:?}");
    assert!(s.summary.en.contains("on scan"), "{}", s.summary.en);
}

#[test]
fn session_lost_and_recovered_story() {
    let s = Story::from_bundle(&bundle("short-session", 8));
    let ph = phases(&s);
    assert!(
        ph.contains(&"re_authenticating") || ph.contains(&"reconnecting"),
        "{ph:?}"
    );
    assert_eq!(s.outcome, Outcome::Reading, "{ph:?}");
}

#[test]
fn j11_story() {
    let s = Story::from_bundle(&bundle("j11", 5));
    assert_eq!(s.dongle.dialect.as_deref(), Some("j11"));
    assert_eq!(s.outcome, Outcome::Reading);
    let pan = s.scans.iter().flat_map(|x| &x.pans).next().unwrap();
    assert!(pan.rssi_dbm.is_some());
    let en = SupportLine::from_story(&s, "0.1.0").text(Lang::En);
    assert!(
        en.starts_with("Support code none | Step 7/7 Readings | Dongle RS-WSUHA-J11/BP35C2-J11-T01/BP35C0-J11 (J11 "),
        "{en}"
    );
    assert!(
        s.summary.en.starts_with("The meter was found on channel"),
        "{}",
        s.summary.en
    );
}

fn transcript(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../logdecode/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn pasted_transcript_stories() {
    // RS-WSUHA-P session: scan, PANA, readings.
    let s = Story::from_log(&transcript(
        "qiita-74f11b729a7859da63af-nerves-rs-wsuha-p.txt",
    ));
    assert_eq!(s.outcome, Outcome::Reading);
    assert_eq!(s.dongle.dialect.as_deref(), Some("dual_stack"));
    assert_eq!(s.dongle.firmware.as_deref(), Some("1.5.2"));
    assert_eq!(s.scans[0].pans[0].channel, "31");
    assert!(s.auth.connected);
    assert_eq!(s.readings.last_power_w.as_deref(), Some("228"));
    assert!(
        s.summary.en.contains("channel 31 at \u{2212}43 dBm"),
        "{}",
        s.summary.en
    );
    // BP35A1 with retries and timestamps (uptime): durations known.
    let s = Story::from_log(&transcript("ak1211-m5stickc-wisunhat-BP35A1_comm.txt"));
    assert!(s
        .phases
        .iter()
        .any(|p| p.phase == "expect_scan" && p.duration_ms.is_some()));
    assert_eq!(s.scans.len(), 3);
    assert!(s.readings.count > 10);
    // Hand-written: two refusals.
    let s = Story::from_log(b"SKJOIN FE80:0000:0000:0000:021C:6400:03DD:6393\r\nEVENT 24 FE80:0000:0000:0000:021C:6400:03DD:6393\r\nSKJOIN FE80:0000:0000:0000:021C:6400:03DD:6393\r\nEVENT 24 FE80:0000:0000:0000:021C:6400:03DD:6393\r\n");
    assert_eq!(s.triage.as_ref().unwrap().code, "BR-30");
    assert_eq!(s.outcome, Outcome::Stopped);
    // Junk: nothing to tell, but every line is in the trace.
    let s = Story::from_log(b"hello\nworld\n");
    assert_eq!(s.trace.len(), 2);
    assert!(s.summary.en.starts_with("Nothing in this log"));
}

/// The J11 session's serial trace: every binary frame is one trace line (its hex) with its
/// decoded records, which name the requests, responses and notifications and type the
/// ECHONET payloads; the credential frame is hidden in the text and in its record.
#[test]
fn j11_bundle_trace_is_decoded() {
    use export::bundle::TraceDir;
    use logdecode::{Kind, Record};
    let b = bundle("j11", 5);
    let serial: Vec<_> = b
        .trace
        .iter()
        .filter(|t| matches!(t.dir, TraceDir::Sent | TraceDir::Received))
        .collect();
    let mut names = std::collections::BTreeSet::new();
    let mut typed_echonet = 0;
    let mut credentials = 0;
    for t in &serial {
        let recs: Vec<Record> = t
            .decoded
            .iter()
            .map(|d| Record::from_json(d.as_str()).unwrap())
            .collect();
        let Some(first) = recs.first() else {
            continue;
        };
        if first.kind() != Kind::J11 {
            continue;
        }
        assert!(
            (t.text.as_str().starts_with("D0EA83FC") || t.text.as_str().starts_with("D0F9EE5D"))
                && t.text.as_str().split(' ').next().map(str::len) == Some(20),
            "{}",
            t.text.as_str()
        );
        assert_eq!(
            first.dir,
            Some(if t.dir == TraceDir::Sent {
                logdecode::Dir::Sent
            } else {
                logdecode::Dir::Received
            })
        );
        names.insert((
            first.name.clone(),
            first.field("message").unwrap_or("").to_string(),
        ));
        if first.name == "set_b_route_credentials" && first.field("message") == Some("request") {
            credentials += 1;
            assert_eq!(first.field("id"), Some("<redacted>"));
            assert_eq!(first.field("password"), Some("<redacted>"));
            assert!(
                t.text.as_str().starts_with("D0EA83FC0054") && t.text.as_str().ends_with(" bytes"),
                "{}",
                t.text.as_str()
            );
        }
        for r in &recs[1..] {
            let e = r
                .echonet()
                .expect("the records after a J11 frame's are its ECHONET payload");
            assert_eq!(e.source, "j11");
            if e.props.iter().any(|p| p.epc == "E7" && p.value.is_some()) {
                typed_echonet += 1;
            }
        }
    }
    assert_eq!(credentials, 1);
    assert!(
        typed_echonet > 0,
        "no typed instantaneous power from a J11 frame"
    );
    for (name, message) in [
        ("get_firmware_version", "request"),
        ("get_firmware_version", "response"),
        ("set_b_route_credentials", "request"),
        ("active_scan", "request"),
        ("scan_result", "notification"),
    ] {
        assert!(
            names.contains(&(name.to_string(), message.to_string())),
            "{name} {message} not in {names:?}"
        );
    }
    assert!(names.iter().any(|(_, m)| m == "notification"), "{names:?}");
    // No secret in the bundle, in any form.
    let json = b.to_json().to_ascii_uppercase();
    // Nor the meter's address: its MAC (and the link-local address made from it) travels
    // inside J11 frame data, which a bundle never shows raw.
    let meter_mac = format!("{:016X}", Scenario::preset("j11").unwrap().meters[0].mac);
    assert!(json.contains("D0F9EE5D"), "J11 frames are in the trace");
    assert!(!json.contains(&meter_mac), "the meter's MAC");
    assert!(
        !json.contains(&meter_mac[4..]),
        "the meter's MAC, inside an address"
    );
    let hex = |s: &str| s.bytes().map(|c| format!("{c:02X}")).collect::<String>();
    for s in [ID, PW, &ID[24..]] {
        assert!(
            !json.contains(&s.to_ascii_uppercase()),
            "a secret of {} chars",
            s.len()
        );
        assert!(
            !json.contains(&hex(s)),
            "a secret of {} chars as hex",
            s.len()
        );
    }
}
