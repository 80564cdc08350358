//! The exported CSV bytes: BOM, CRLF, headers in both languages, exact decimals, negative
//! power, empty cells, formula neutralisation, roll-over deltas.

use export::granularity::{minute_table, minute_table_csv, Sample};
use export::{
    csv_half_hours, csv_history, csv_readings, csv_readings_hv, Cell, Counter, CsvOptions,
    HistoryDay, Lang, MeterColumns, MeterKind, Record, RecordKind, Scaling,
};

/// 2026-11-26T09:00:05+09:00.
const T0: i64 = 1_795_651_205_000;

fn body(bytes: &[u8]) -> &str {
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "BOM");
    std::str::from_utf8(&bytes[3..]).expect("UTF-8")
}

fn lines(bytes: &[u8]) -> Vec<String> {
    let t = body(bytes);
    // Every line ends in CRLF; no bare LF anywhere.
    assert!(t.ends_with("\r\n"), "{t:?}");
    assert_eq!(t.matches('\n').count(), t.matches("\r\n").count(), "{t:?}");
    t.split_terminator("\r\n").map(str::to_string).collect()
}

fn lv_records() -> Vec<Record> {
    let mut full = Record::lv(T0, Some(-524), Some((75313, "7531.3")));
    full.current_r_da = Some(Cell::Value(-70));
    full.current_t_da = Some(Cell::Value(98));
    full.reverse = Some(Counter {
        raw: Cell::Value(1200),
        value: Some("120".into()),
        at_ms: None,
    });
    full.rssi_dbm = Some(-61);
    full.rtt_ms = Some(812);
    // No data everywhere: empty cells, never 0.
    let mut none = Record::lv(T0 + 5_000, None, None);
    none.power_w = Some(Cell::NoData);
    none.current_r_da = Some(Cell::Overflow);
    none.normal = Some(Counter {
        raw: Cell::NoData,
        value: None,
        at_ms: None,
    });
    // A record of another kind is skipped.
    let mut hh = Record::lv(T0 + 6_000, None, None);
    hh.kind = RecordKind::HalfHour;
    vec![full, none, hh]
}

#[test]
fn lv_readings_csv_en() {
    let csv = csv_readings(&lv_records(), Lang::En, &CsvOptions::default());
    let l = lines(&csv);
    assert_eq!(l.len(), 3);
    assert_eq!(
        l[0],
        "Time,Instantaneous power [W],Current R phase [A],Current T phase [A],\
         Cumulative energy normal [kWh],Cumulative energy normal raw count,\
         Cumulative energy reverse [kWh],Cumulative energy reverse raw count,RSSI [dBm],Round trip [ms]"
    );
    assert_eq!(
        l[1],
        "2026-11-26T09:00:05+09:00,-524,-7.0,9.8,7531.3,75313,120,1200,-61,812"
    );
    assert_eq!(l[2], "2026-11-26T09:00:10+09:00,,,,,,,,,");
    assert!(!body(&csv).contains("7531.299"));
}

#[test]
fn lv_readings_csv_ja_with_meter_text_neutralised() {
    let opts = CsvOptions {
        meter: Some(MeterColumns {
            maker: Some("0x000016".into()),
            serial: Some("=HYPERLINK(\"http://x\")".into()),
        }),
    };
    let csv = csv_readings(&lv_records(), Lang::Ja, &opts);
    let l = lines(&csv);
    assert_eq!(
        l[0],
        "日時,瞬時電力 [W],瞬時電流 R相 [A],瞬時電流 T相 [A],積算電力量 正方向 [kWh],\
         積算電力量 正方向 生値,積算電力量 逆方向 [kWh],積算電力量 逆方向 生値,受信強度 [dBm],\
         応答時間 [ms],メーカー,製造番号"
    );
    // Meter text gets the leading quote; our own negative number does not.
    assert!(
        l[1].starts_with("2026-11-26T09:00:05+09:00,-524,"),
        "{}",
        l[1]
    );
    assert!(
        l[1].ends_with(",0x000016,\"'=HYPERLINK(\"\"http://x\"\")\""),
        "{}",
        l[1]
    );
    for s in ["-1", "+81 3", "@x", "\tx"] {
        let opts = CsvOptions {
            meter: Some(MeterColumns {
                maker: None,
                serial: Some(s.into()),
            }),
        };
        let l = lines(&csv_readings(&lv_records()[..1], Lang::En, &opts));
        let last = l[1].rsplit(',').next().unwrap().trim_matches('"');
        assert!(last.starts_with('\''), "{s:?} → {last:?}");
    }
}

#[test]
fn stored_junk_never_reaches_numeric_columns() {
    let mut r = Record::lv(T0, Some(1), Some((1, "=cmd|' /C calc'!A0")));
    r.reverse = Some(Counter {
        raw: Cell::Value(2),
        value: Some("-2.50".into()),
        at_ms: None,
    });
    let l = lines(&csv_readings(&[r], Lang::En, &CsvOptions::default()));
    assert_eq!(l[1], "2026-11-26T09:00:05+09:00,1,,,,1,-2.5,2,,");
}

#[test]
fn hv_and_half_hour_csv() {
    let mut hv = Record::lv(T0, None, None);
    hv.kind = RecordKind::Hv;
    hv.normal = Some(Counter {
        raw: Cell::Value(31_250),
        value: Some("7500".into()),
        at_ms: Some(T0 - 5_000),
    });
    hv.demand = Some(Counter {
        raw: Cell::NoData,
        value: None,
        at_ms: None,
    });
    let l = lines(&csv_readings_hv(
        &[hv.clone()],
        Lang::En,
        &CsvOptions::default(),
    ));
    assert_eq!(l[0].split(',').count(), 14);
    assert_eq!(
        l[1],
        "2026-11-26T09:00:05+09:00,2026-11-26T09:00:00+09:00,7500,31250,,,,,,,,,,"
    );
    let l = lines(&csv_readings_hv(&[hv], Lang::Ja, &CsvOptions::default()));
    assert!(l[0].contains("積算有効電力量 [kWh]"));
    assert!(l[0].contains("無効電力量(遅れ) [kvarh]"));

    let mut hh = Record::lv(T0, None, None);
    hh.kind = RecordKind::HalfHour;
    hh.normal = Some(Counter {
        raw: Cell::Value(76_999),
        value: Some("769.99".into()),
        at_ms: Some(T0 - 5_000),
    });
    let l = lines(&csv_half_hours(&[hh], Lang::En, &CsvOptions::default()));
    assert_eq!(
        l[1],
        "2026-11-26T09:00:05+09:00,2026-11-26T09:00:00+09:00,769.99,76999,,,"
    );
}

#[test]
fn history_csv_reverse_and_rollover() {
    let sc = Scaling {
        class: MeterKind::Low,
        coefficient: None,
        unit: Some(2),
        digits: Some(7),
        ..Scaling::default()
    };
    let mut n = vec![None; 48];
    n[47] = Some(9_999_990);
    let mut n2 = vec![None; 48];
    n2[0] = Some(15);
    let mut r2 = vec![None; 48];
    r2[0] = Some(7);
    let days = [
        HistoryDay {
            date: "2026-11-25".into(),
            normal: n,
            reverse: Some(vec![None; 48]),
        },
        HistoryDay {
            date: "2026-11-26".into(),
            normal: n2,
            reverse: Some(r2),
        },
    ];
    let ja = lines(&csv_history(&days, &sc, Lang::Ja));
    assert_eq!(
        ja[0],
        "日時,積算電力量 正方向 [kWh],積算電力量 正方向 生値,30分間の電力量 正方向 [kWh],\
         積算電力量 逆方向 [kWh],積算電力量 逆方向 生値,30分間の電力量 逆方向 [kWh]"
    );
    assert_eq!(ja[48], "2026-11-25T23:30:00+09:00,99999.9,9999990,,,,");
    // Across 10^7: 9 999 990 → 15 is 25 counts = 0.25 kWh.
    assert_eq!(ja[49], "2026-11-26T00:00:00+09:00,0.15,15,0.25,0.07,7,");
    let en = lines(&csv_history(&days, &sc, Lang::En));
    assert!(en[0].starts_with("Time,Cumulative energy normal [kWh]"));
    assert_eq!(en.len(), 97);
}

#[test]
fn minute_table_csv_hv_step() {
    let sc = Scaling {
        class: MeterKind::High,
        coefficient: Some(24),
        multiplier: Some(2),
        unit: Some(0),
        digits: Some(8),
        ..Scaling::default()
    };
    // Samples every 5 s, counter +1 every 20 s: 3 counts per minute (0.72 kWh, 43.2 kW).
    let s: Vec<Sample> = (0..36)
        .map(|i| Sample {
            t_ms: T0 - 5_000 + i * 5_000,
            raw: 1000 + (i as u32 * 5) / 20,
        })
        .collect();
    let rows = minute_table(&s, &sc);
    assert_eq!(rows.len(), 3);
    let l = lines(&minute_table_csv(&rows, Lang::En));
    assert_eq!(
        l[0],
        "Time,Cumulative energy [kWh],Cumulative energy raw count,Energy in the minute [kWh],Average power in the minute [kW]"
    );
    assert_eq!(l[1], "2026-11-26T09:00:00+09:00,240,1000,,");
    assert_eq!(l[2], "2026-11-26T09:01:00+09:00,240.72,1003,0.72,43.2");
}

#[test]
fn empty_inputs_give_a_header_only() {
    for csv in [
        csv_readings(&[], Lang::En, &CsvOptions::default()),
        csv_readings_hv(&[], Lang::Ja, &CsvOptions::default()),
        csv_history(&[], &Scaling::default(), Lang::En),
        minute_table_csv(&[], Lang::Ja),
    ] {
        assert_eq!(lines(&csv).len(), 1);
    }
}
