//! Host-side export times: 24 h of readings at 5 s (17 280 records) and 100 days of history
//! (4 800 half hours).

use criterion::{criterion_group, criterion_main, Criterion};
use export::{
    csv_history, csv_readings, Cell, Counter, CsvOptions, HistoryDay, Lang, MeterKind, Record,
    Scaling,
};

const T0: i64 = 1_795_651_200_000;

fn day_of_readings() -> Vec<Record> {
    (0..17_280i64)
        .map(|i| {
            let raw = 75_313 + (i / 60) as u32;
            let mut r = Record::lv(T0 + i * 5_000, Some(400 + (i % 900) as i32 - 450), None);
            r.normal = Some(Counter {
                raw: Cell::Value(raw),
                value: Some(format!("{}.{}", raw / 10, raw % 10)),
                at_ms: None,
            });
            r.reverse = Some(Counter {
                raw: Cell::Value(1_200),
                value: Some("120".into()),
                at_ms: None,
            });
            r.current_r_da = Some(Cell::Value(52));
            r.current_t_da = Some(Cell::Value(-7));
            r.rssi_dbm = Some(-60);
            r.rtt_ms = Some(450);
            r
        })
        .collect()
}

fn hundred_days() -> Vec<HistoryDay> {
    (0..100u32)
        .map(|d| {
            let date = export::time::format_date(
                echonet::Date::from_days_since_epoch(20_500 + i64::from(d)).unwrap(),
            );
            HistoryDay {
                date,
                normal: (0..48)
                    .map(|s| Some(9_999_000 + d * 480 + s * 10))
                    .collect(),
                reverse: Some((0..48).map(|s| Some(d * 48 + s)).collect()),
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let recs = day_of_readings();
    c.bench_function("csv_readings 24h@5s (17280)", |b| {
        b.iter(|| csv_readings(&recs, Lang::Ja, &CsvOptions::default()))
    });
    let days = hundred_days();
    let sc = Scaling {
        class: MeterKind::Low,
        unit: Some(1),
        digits: Some(7),
        ..Scaling::default()
    };
    c.bench_function("csv_history 100 days (4800)", |b| {
        b.iter(|| csv_history(&days, &sc, Lang::Ja))
    });
    c.bench_function("records JSON 24h@5s (17280)", |b| {
        b.iter(|| serde_json::to_vec(&recs).unwrap())
    });
    println!(
        "sizes: readings CSV {} B, history CSV {} B, records JSON {} B",
        csv_readings(&recs, Lang::Ja, &CsvOptions::default()).len(),
        csv_history(&days, &sc, Lang::Ja).len(),
        serde_json::to_vec(&recs).unwrap().len()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
