//! CSV of recorded readings: low-voltage polls, high-voltage polls, half-hour values.
//!
//! One row per record of the matching kind, in the order given (the app passes them in time
//! order); records of other kinds are skipped. Conventions: see the crate docs.

use broute::MeterIdentity;

use crate::csvfmt::{decimal_cell, neutralise, num, Out};
use crate::record::{Cell, Counter, Record, RecordKind};
use crate::time::iso_jst;
use crate::Lang;

/// Text about the meter, repeated on every row when given (so a file still says which meter
/// it came from after rows are filtered or merged). Neutralised against formula injection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MeterColumns {
    /// Manufacturer (code or name).
    pub maker: Option<String>,
    /// Production (serial) number, 0x8D.
    pub serial: Option<String>,
}

impl MeterColumns {
    /// From the engine's identity: maker as `0x` + six hex digits, serial as the meter sent it.
    pub fn from_identity(id: &MeterIdentity) -> MeterColumns {
        MeterColumns {
            maker: id.maker.map(|m| format!("0x{m:06X}")),
            serial: id.serial.clone(),
        }
    }
}

/// Options shared by the reading CSVs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Add meter columns (maker, serial number) at the end of each row.
    pub meter: Option<MeterColumns>,
}

fn h(lang: Lang, ja: &'static str, en: &'static str) -> &'static str {
    lang.pick(ja, en)
}

fn cell<T: ToString>(c: Option<Cell<T>>) -> String {
    num(c.and_then(Cell::value))
}

fn deci_amps(c: Option<Cell<i16>>) -> String {
    c.and_then(Cell::value)
        .map(|a| echonet::lv::DeciAmps(a).to_string())
        .unwrap_or_default()
}

/// (scaled, raw) cells of a counter; both empty for a sentinel or an absent counter.
fn counter(c: Option<&Counter>) -> [String; 2] {
    match c {
        Some(c) => match c.raw.value() {
            Some(raw) => [decimal_cell(c.value.as_deref()), raw.to_string()],
            None => [String::new(), String::new()],
        },
        None => [String::new(), String::new()],
    }
}

fn stamp(c: Option<&Counter>) -> String {
    c.and_then(|c| c.at_ms).map(iso_jst).unwrap_or_default()
}

fn meter_headers(lang: Lang, opts: &CsvOptions, head: &mut Vec<&'static str>) {
    if opts.meter.is_some() {
        head.push(h(lang, "メーカー", "Maker"));
        head.push(h(lang, "製造番号", "Serial number"));
    }
}

fn meter_cells(opts: &CsvOptions, row: &mut Vec<String>) {
    if let Some(m) = &opts.meter {
        for t in [&m.maker, &m.serial] {
            row.push(
                t.as_deref()
                    .map(|s| neutralise(s).into_owned())
                    .unwrap_or_default(),
            );
        }
    }
}

/// CSV of low-voltage polls ([`RecordKind::Lv`]).
///
/// Columns: received at, E7 power [W], E8 R/T currents [A], E0 kWh and raw, E3 kWh and raw,
/// RSSI [dBm], round trip [ms] (then maker and serial with [`CsvOptions::meter`]).
pub fn csv_readings(records: &[Record], lang: Lang, opts: &CsvOptions) -> Vec<u8> {
    let mut out = Out::new(64 + records.len() * 72);
    let mut head = vec![
        h(lang, "日時", "Time"),
        h(lang, "瞬時電力 [W]", "Instantaneous power [W]"),
        h(lang, "瞬時電流 R相 [A]", "Current R phase [A]"),
        h(lang, "瞬時電流 T相 [A]", "Current T phase [A]"),
        h(
            lang,
            "積算電力量 正方向 [kWh]",
            "Cumulative energy normal [kWh]",
        ),
        h(
            lang,
            "積算電力量 正方向 生値",
            "Cumulative energy normal raw count",
        ),
        h(
            lang,
            "積算電力量 逆方向 [kWh]",
            "Cumulative energy reverse [kWh]",
        ),
        h(
            lang,
            "積算電力量 逆方向 生値",
            "Cumulative energy reverse raw count",
        ),
        h(lang, "受信強度 [dBm]", "RSSI [dBm]"),
        h(lang, "応答時間 [ms]", "Round trip [ms]"),
    ];
    meter_headers(lang, opts, &mut head);
    out.row(&head);
    let mut row: Vec<String> = Vec::with_capacity(head.len());
    for r in records.iter().filter(|r| r.kind == RecordKind::Lv) {
        row.clear();
        row.push(iso_jst(r.t_ms));
        row.push(cell(r.power_w));
        row.push(deci_amps(r.current_r_da));
        row.push(deci_amps(r.current_t_da));
        row.extend(counter(r.normal.as_ref()));
        row.extend(counter(r.reverse.as_ref()));
        row.push(num(r.rssi_dbm));
        row.push(num(r.rtt_ms));
        meter_cells(opts, &mut row);
        out.row(&row);
    }
    out.finish()
}

/// CSV of high-voltage polls ([`RecordKind::Hv`]).
///
/// Columns: received at, E2 measured at, E2 active energy kWh and raw, C3 measured at, C3
/// demand kW and raw, C1 monthly maximum demand kW and raw, CA measured at, CA reactive energy
/// kvarh and raw, RSSI, round trip (then maker and serial).
pub fn csv_readings_hv(records: &[Record], lang: Lang, opts: &CsvOptions) -> Vec<u8> {
    let mut out = Out::new(64 + records.len() * 160);
    let mut head = vec![
        h(lang, "日時", "Time"),
        h(lang, "積算有効電力量 計測日時", "Active energy measured at"),
        h(
            lang,
            "積算有効電力量 [kWh]",
            "Cumulative active energy [kWh]",
        ),
        h(
            lang,
            "積算有効電力量 生値",
            "Cumulative active energy raw count",
        ),
        h(lang, "定時需要電力 計測日時", "Demand measured at"),
        h(lang, "定時需要電力 [kW]", "Demand at fixed time [kW]"),
        h(lang, "定時需要電力 生値", "Demand at fixed time raw count"),
        h(lang, "月間最大需要電力 [kW]", "Monthly maximum demand [kW]"),
        h(
            lang,
            "月間最大需要電力 生値",
            "Monthly maximum demand raw count",
        ),
        h(
            lang,
            "無効電力量(遅れ) 計測日時",
            "Reactive energy measured at",
        ),
        h(
            lang,
            "無効電力量(遅れ) [kvarh]",
            "Reactive energy (lag) [kvarh]",
        ),
        h(
            lang,
            "無効電力量(遅れ) 生値",
            "Reactive energy (lag) raw count",
        ),
        h(lang, "受信強度 [dBm]", "RSSI [dBm]"),
        h(lang, "応答時間 [ms]", "Round trip [ms]"),
    ];
    meter_headers(lang, opts, &mut head);
    out.row(&head);
    let mut row: Vec<String> = Vec::with_capacity(head.len());
    for r in records.iter().filter(|r| r.kind == RecordKind::Hv) {
        row.clear();
        row.push(iso_jst(r.t_ms));
        row.push(stamp(r.normal.as_ref()));
        row.extend(counter(r.normal.as_ref()));
        row.push(stamp(r.demand.as_ref()));
        row.extend(counter(r.demand.as_ref()));
        row.extend(counter(r.max_demand.as_ref()));
        row.push(stamp(r.reactive.as_ref()));
        row.extend(counter(r.reactive.as_ref()));
        row.push(num(r.rssi_dbm));
        row.push(num(r.rtt_ms));
        meter_cells(opts, &mut row);
        out.row(&row);
    }
    out.finish()
}

/// CSV of half-hour values ([`RecordKind::HalfHour`], EA/EB).
///
/// Columns: received at, normal measured at, normal kWh and raw, reverse measured at, reverse
/// kWh and raw (then maker and serial).
pub fn csv_half_hours(records: &[Record], lang: Lang, opts: &CsvOptions) -> Vec<u8> {
    let mut out = Out::new(64 + records.len() * 120);
    let mut head = vec![
        h(lang, "日時", "Time"),
        h(lang, "定時積算電力量 正方向 計測日時", "Normal measured at"),
        h(
            lang,
            "定時積算電力量 正方向 [kWh]",
            "Fixed-time energy normal [kWh]",
        ),
        h(
            lang,
            "定時積算電力量 正方向 生値",
            "Fixed-time energy normal raw count",
        ),
        h(
            lang,
            "定時積算電力量 逆方向 計測日時",
            "Reverse measured at",
        ),
        h(
            lang,
            "定時積算電力量 逆方向 [kWh]",
            "Fixed-time energy reverse [kWh]",
        ),
        h(
            lang,
            "定時積算電力量 逆方向 生値",
            "Fixed-time energy reverse raw count",
        ),
    ];
    meter_headers(lang, opts, &mut head);
    out.row(&head);
    let mut row: Vec<String> = Vec::with_capacity(head.len());
    for r in records.iter().filter(|r| r.kind == RecordKind::HalfHour) {
        row.clear();
        row.push(iso_jst(r.t_ms));
        row.push(stamp(r.normal.as_ref()));
        row.extend(counter(r.normal.as_ref()));
        row.push(stamp(r.reverse.as_ref()));
        row.extend(counter(r.reverse.as_ref()));
        meter_cells(opts, &mut row);
        out.row(&row);
    }
    out.finish()
}
