//! Run a simulated session and write every export into a folder (default `target/exports`):
//! `cargo run -p export --example demo_exports -- [preset] [dir]`.

use broute::harness::{Device, Pair};
use broute::{Config, Engine, Event, HistoryRequest, Instant, RouteBId, RouteBPassword};
use export::granularity::{diagnose, minute_table, minute_table_csv, samples};
use export::{
    csv_half_hours, csv_history, csv_readings, csv_readings_hv, BundleBuilder, CsvOptions,
    HistoryDay, Lang, MeterColumns, Record, Redactor, Scaling,
};
use sim::{Scenario, Sim};

struct Recording(Sim, Vec<(u64, bool, Vec<u8>)>);

impl Device for Recording {
    fn write(&mut self, now: u64, b: &[u8]) {
        self.1.push((now, true, b.to_vec()));
        self.0.write(now, b);
    }
    fn read(&mut self, now: u64) -> Vec<u8> {
        let b = self.0.read(now);
        if !b.is_empty() {
            self.1.push((now, false, b.clone()));
        }
        b
    }
    fn next_deadline(&self) -> Option<u64> {
        self.0.next_deadline()
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let preset = args.next().unwrap_or_else(|| "demo".into());
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "target/exports".into()));
    let Some(sc) = Scenario::preset(&preset) else {
        eprintln!("unknown preset {preset}");
        std::process::exit(2);
    };
    let epoch: i64 = 1_795_651_200_000;
    let mut e = Engine::new(Config {
        poll_interval: core::time::Duration::from_secs(5),
        ..Config::default()
    });
    let (id, pw) = (sim::DEMO_ROUTE_B_ID, sim::DEMO_PASSWORD);
    if let (Ok(i), Ok(p)) = (RouteBId::new(id), RouteBPassword::new(pw)) {
        e.set_credentials(i, p, Instant(0));
    }
    let mut p = Pair::new(e, Recording(Sim::new(sc), Vec::new()));
    p.start();
    p.run_for(40 * 60_000);
    let now = Instant(p.now);
    p.engine
        .request_history(HistoryRequest::Days { from: 0, to: 2 }, now);
    p.run_until(p.now + 30 * 60_000, |e| {
        matches!(e, Event::HistoryDone { .. })
    });

    let Some(meter) = p.engine.meter().cloned() else {
        eprintln!("no meter identity: the session did not get that far");
        std::process::exit(1);
    };
    let scaling = Scaling::from(&meter);
    let (mut records, mut days) = (Vec::new(), Vec::new());
    let mut b = BundleBuilder::new(Redactor::new().with_credentials(id, pw), "demo", epoch);
    b.engine_epoch_ms(epoch);
    for (t, ev) in &p.events {
        let t_ms = epoch + *t as i64;
        match ev {
            Event::Reading(r) => records.push(Record::from_reading(t_ms, r, Some(&scaling))),
            Event::HalfHour(h) => records.push(Record::from_half_hour(t_ms, h, Some(&scaling))),
            Event::History(h) => days.extend(HistoryDay::from_record(h)),
            _ => {}
        }
        b.event(*t, ev);
    }
    for (t, sent, bytes) in &p.device.1 {
        b.serial(*t, *sent, bytes);
    }
    b.figures(p.engine.figures());
    let opts = CsvOptions {
        meter: Some(MeterColumns::from_identity(&meter)),
    };
    let g = diagnose(&scaling, &samples(&records));
    println!("{}", g.explain(Lang::En));
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("readings.csv", csv_readings(&records, Lang::Ja, &opts)),
        (
            "readings-hv.csv",
            csv_readings_hv(&records, Lang::Ja, &opts),
        ),
        ("half-hours.csv", csv_half_hours(&records, Lang::Ja, &opts)),
        ("history.csv", csv_history(&days, &scaling, Lang::Ja)),
        (
            "minutes.csv",
            minute_table_csv(&minute_table(&samples(&records), &scaling), Lang::Ja),
        ),
        ("bundle.json", b.build().to_json().into_bytes()),
        (
            "records.json",
            serde_json::to_vec(&records).unwrap_or_default(),
        ),
    ];
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("{}: {e}", dir.display());
        std::process::exit(1);
    }
    for (name, bytes) in files {
        let path = dir.join(name);
        match std::fs::write(&path, &bytes) {
            Ok(()) => println!("{} ({} bytes)", path.display(), bytes.len()),
            Err(e) => eprintln!("{}: {e}", path.display()),
        }
    }
}
