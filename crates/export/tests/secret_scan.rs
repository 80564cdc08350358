//! Secret scan: a realistic simulated session, every export made from it, and not one trace of
//! the B-route ID, its Pairing ID or the password (as text or hex, any case) in any of them.

use broute::harness::{Device, Pair};
use broute::{Config, Engine, Event, HistoryRequest, Instant, Phase, RouteBId, RouteBPassword};
use export::granularity::{minute_table, minute_table_csv, samples};
use export::{
    csv_half_hours, csv_history, csv_readings, csv_readings_hv, BundleBuilder, CsvOptions,
    HistoryDay, Lang, MeterColumns, Record, Redactor, Scaling,
};
use proptest::prelude::*;
use sim::{Scenario, Sim};

const ID: &str = sim::DEMO_ROUTE_B_ID;
const PW: &str = sim::DEMO_PASSWORD;
const MIN: u64 = 60_000;
/// Wall clock of engine time 0 (2026-11-26T09:00:00+09:00).
const EPOCH: i64 = 1_795_651_200_000;

/// The simulator, recording every byte both ways.
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

fn session(preset: &str) -> Pair<Recording> {
    let cfg = Config {
        poll_interval: core::time::Duration::from_secs(5),
        ..Config::default()
    };
    let mut e = Engine::new(cfg);
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
    let r = p.run_until(10 * MIN, |e| matches!(e, Event::Reading(_)));
    assert!(r.is_some(), "no reading from {preset}");
    p.run_for(35 * MIN);
    let now = Instant(p.now);
    p.engine
        .request_history(HistoryRequest::Days { from: 0, to: 2 }, now);
    let done = p.run_until(p.now + 30 * MIN, |e| matches!(e, Event::HistoryDone { .. }));
    assert!(done.is_some(), "history did not finish on {preset}");
    p
}

fn secrets() -> Vec<String> {
    let pair = &ID[24..];
    let mut v = Vec::new();
    for s in [ID, PW, pair] {
        v.push(s.to_ascii_uppercase());
        let hex: String = s.bytes().map(|b| format!("{b:02X}")).collect();
        v.push(hex);
    }
    v
}

fn assert_clean(what: &str, bytes: &[u8]) {
    let up = String::from_utf8_lossy(bytes).to_ascii_uppercase();
    for s in secrets() {
        assert!(
            !up.contains(&s),
            "{what} contains a secret ({} chars)",
            s.len()
        );
    }
}

/// Every export of one session.
fn exports(p: &Pair<Recording>) -> Vec<(String, Vec<u8>)> {
    let meter = p.engine.meter().expect("meter identity");
    let scaling = Scaling::from(meter);
    let mut records = Vec::new();
    let mut days = Vec::new();
    for (t, e) in &p.events {
        let t_ms = EPOCH + *t as i64;
        match e {
            Event::Reading(r) => records.push(Record::from_reading(t_ms, r, Some(&scaling))),
            Event::HalfHour(h) => records.push(Record::from_half_hour(t_ms, h, Some(&scaling))),
            Event::History(h) => days.extend(HistoryDay::from_record(h)),
            _ => {}
        }
    }
    assert!(records.len() > 100, "{}", records.len());
    assert!(!days.is_empty());
    let opts = CsvOptions {
        meter: Some(MeterColumns::from_identity(meter)),
    };
    // The bundle: engine events, figures and the raw serial bytes both ways.
    let redactor = Redactor::new().with_credentials(ID, PW);
    let mut b = BundleBuilder::new(redactor, "0.1.0", EPOCH + p.now as i64);
    b.engine_epoch_ms(EPOCH);
    for (t, e) in &p.events {
        b.event(*t, e);
    }
    for (t, sent, bytes) in &p.device.log {
        b.serial(*t, *sent, bytes);
    }
    b.figures(p.engine.figures());
    let bundle = b.build();
    let text: String = bundle
        .trace
        .iter()
        .map(|l| format!("{}\n", l.text))
        .collect();
    assert!(
        text.contains("SKSETPWD"),
        "trace has the credential commands"
    );
    assert!(text.contains("SKSETRBID"));
    assert!(text.contains("<redacted>"));
    assert!(text.contains("ERXUDP"));
    assert!(bundle
        .phases
        .iter()
        .any(|ph| ph.phase.as_str() == Phase::Reading.name()));
    let json = bundle.to_json();
    // The production number is masked by default, in the summary and in the trace.
    if let Some(serial) = &meter.serial {
        let hex: String = serial.bytes().map(|b| format!("{b:02X}")).collect();
        let up = json.to_ascii_uppercase();
        assert!(
            !up.contains(serial.as_str()) && !up.contains(&hex),
            "serial in bundle"
        );
    }
    let reopened = export::Bundle::from_json(&json).expect("bundle reopens");
    assert_eq!(reopened.timeline().len(), bundle.timeline().len());

    let mut out = Vec::new();
    for lang in [Lang::Ja, Lang::En] {
        out.push((
            format!("readings {lang:?}"),
            csv_readings(&records, lang, &opts),
        ));
        out.push((
            format!("hv {lang:?}"),
            csv_readings_hv(&records, lang, &opts),
        ));
        out.push((
            format!("half hours {lang:?}"),
            csv_half_hours(&records, lang, &opts),
        ));
        out.push((
            format!("history {lang:?}"),
            csv_history(&days, &scaling, lang),
        ));
        let rows = minute_table(&samples(&records), &scaling);
        out.push((format!("minutes {lang:?}"), minute_table_csv(&rows, lang)));
    }
    out.push(("bundle".into(), json.into_bytes()));
    out.push(("bundle reopened".into(), reopened.to_json().into_bytes()));
    out.push(("records".into(), serde_json::to_vec(&records).unwrap()));
    out.push(("history days".into(), serde_json::to_vec(&days).unwrap()));
    out
}

#[test]
fn no_secret_in_any_export() {
    for preset in ["demo", "dual-stack-hex", "high-voltage"] {
        let p = session(preset);
        // The raw serial log does contain them: the scan is meaningful.
        let raw: Vec<u8> = p
            .device
            .log
            .iter()
            .flat_map(|(_, _, b)| b.clone())
            .collect();
        let up = String::from_utf8_lossy(&raw).to_ascii_uppercase();
        assert!(
            up.contains(PW) && up.contains(ID),
            "{preset}: raw log has the secrets"
        );
        for (what, bytes) in exports(&p) {
            assert_clean(&format!("{preset}: {what}"), &bytes);
        }
    }
}

#[test]
fn wrong_password_session_bundle_is_clean() {
    let mut e = Engine::new(Config::default());
    e.set_credentials(
        RouteBId::new(ID).unwrap(),
        RouteBPassword::new(PW).unwrap(),
        Instant(0),
    );
    let mut p = Pair::new(
        e,
        Recording {
            sim: Sim::new(Scenario::preset("wrong-password").unwrap()),
            log: Vec::new(),
        },
    );
    p.start();
    p.run_until(30 * MIN, |e| matches!(e, Event::Phase(Phase::Stopped)));
    let mut b = BundleBuilder::new(Redactor::new().with_credentials(ID, PW), "0.1.0", 0);
    for (t, e) in &p.events {
        b.event(*t, e);
    }
    for (t, sent, bytes) in &p.device.log {
        b.serial(*t, *sent, bytes);
    }
    let bundle = b.build();
    assert!(bundle.causes.iter().any(|c| c.code.as_str() == "BR-30"));
    assert_clean("wrong-password bundle", bundle.to_json().as_bytes());
}

fn alnum(n: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        proptest::sample::select(
            b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".to_vec(),
        ),
        n,
    )
    .prop_map(|v| String::from_utf8(v).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Arbitrary text with the secrets injected (as text, lower case, hex, spaced) never
    /// comes out of the redactor with a secret in it.
    #[test]
    fn redactor_never_leaks(
        id in alnum(32),
        pw in alnum(12),
        noise in proptest::collection::vec(any::<char>(), 0..200),
        cut in 0usize..200,
        form in 0u8..5,
    ) {
        let noise: String = noise.into_iter().collect();
        let secret = match form % 3 { 0 => id.clone(), 1 => pw.clone(), _ => id[24..].to_string() };
        let injected = match form {
            0 => secret.clone(),
            1 => secret.to_ascii_lowercase(),
            2 => secret.bytes().map(|b| format!("{b:02X}")).collect(),
            3 => secret.bytes().map(|b| format!("{b:02x} ")).collect(),
            _ => secret.chars().map(|c| format!("{c}-")).collect(),
        };
        let at = noise.char_indices().map(|(i, _)| i).nth(cut).unwrap_or(noise.len());
        let text = format!("{}{}{}", &noise[..at], injected, &noise[at..]);
        let out = Redactor::new().with_credentials(&id, &pw).redact(&text);
        let up = out.as_str().to_ascii_uppercase();
        for s in [id.as_str(), pw.as_str(), &id[24..]] {
            let hex: String = s.bytes().map(|b| format!("{b:02X}")).collect();
            prop_assert!(!up.contains(&s.to_ascii_uppercase()), "{:?} -> {:?}", text, out);
            prop_assert!(!up.contains(&hex), "{:?} -> {:?}", text, out);
        }
    }

    /// The redactor never panics and stays within a small factor of the input size.
    #[test]
    fn redactor_total(text in ".{0,400}", bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let r = Redactor::new().with_credentials(ID, PW);
        let out = r.redact(&text);
        prop_assert!(out.as_str().len() <= text.len() * 4 + 16);
        let _ = r.redact(&String::from_utf8_lossy(&bytes));
        let _ = export::Bundle::from_json(&text);
    }
}
