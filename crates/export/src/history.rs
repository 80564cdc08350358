//! Meter history as one tidy table: timestamp, kWh in, kWh out, and the energy of each half
//! hour — the export no existing tool offers.
//!
//! The app stores what it reads as [`HistoryDay`]s (from history 1, E2/E4 or 0x028A E7, and
//! from history 2, EC) and exports them with [`csv_history`]: one row per half hour, forward in
//! time, days sorted and de-duplicated.

use std::collections::BTreeMap;

use broute::HistoryRecord;
use echonet::lv::{History1, PairHistory, HISTORY1_SLOTS};
use echonet::{Date, Measured};
use serde::{Deserialize, Serialize};

use crate::csvfmt::{num, Out};
use crate::record::Scaling;
use crate::time::{date_to_epoch_ms, format_date, iso_jst, parse_date};
use crate::Lang;

/// One day of half-hour cumulative counts, 00:00 … 23:30 (Japan time), as stored.
///
/// `None` is "no data" (0xFFFFFFFE) or a slot not read. JSON:
/// `{"date":"2026-11-25","normal":[75313,null,…],"reverse":null}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryDay {
    /// Calendar date, `YYYY-MM-DD`.
    pub date: String,
    /// Normal direction (E2; 0x028A E7 active energy), 48 slots.
    pub normal: Vec<Option<u32>>,
    /// Reverse direction (E4), 48 slots, when the meter has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse: Option<Vec<Option<u32>>>,
}

fn slots(h: &History1) -> Vec<Option<u32>> {
    h.slots.iter().map(|m| m.value()).collect()
}

impl HistoryDay {
    /// Convert a history record. A history-1 day gives one `HistoryDay` (none when its date is
    /// unknown); a history-2 record (EC, 30-minute pairs) gives partial days with the slots it
    /// covers; history 3 (1-minute pairs) gives nothing here.
    pub fn from_record(rec: &HistoryRecord) -> Vec<HistoryDay> {
        match rec {
            HistoryRecord::Day {
                date: Some(date),
                normal,
                reverse,
                ..
            } => vec![HistoryDay {
                date: format_date(*date),
                normal: normal
                    .as_ref()
                    .map(slots)
                    .unwrap_or_else(|| vec![None; HISTORY1_SLOTS]),
                reverse: reverse.as_ref().map(slots),
            }],
            HistoryRecord::Day { date: None, .. } => Vec::new(),
            HistoryRecord::Pairs(p) => from_pairs(p),
        }
    }
}

fn from_pairs(p: &PairHistory) -> Vec<HistoryDay> {
    if p.step_minutes != 30 {
        return Vec::new();
    }
    let mut days: BTreeMap<Date, HistoryDay> = BTreeMap::new();
    for (i, (n, r)) in p.pairs().iter().enumerate() {
        let Some(t) = p.slot_stamp(i) else { continue };
        if t.minute % 30 != 0 {
            continue;
        }
        let slot = usize::from(t.hour) * 2 + usize::from(t.minute / 30);
        let day = days.entry(t.date()).or_insert_with(|| HistoryDay {
            date: format_date(t.date()),
            normal: vec![None; HISTORY1_SLOTS],
            reverse: None,
        });
        day.normal[slot] = n.value();
        if let Measured::Value(v) = r {
            day.reverse
                .get_or_insert_with(|| vec![None; HISTORY1_SLOTS])[slot] = Some(*v);
        }
    }
    days.into_values().collect()
}

type Slots = [Option<u32>; HISTORY1_SLOTS];

/// Merge days by date (later entries fill and override earlier ones slot by slot), sorted.
fn merge(days: &[HistoryDay]) -> (BTreeMap<Date, (Slots, Slots)>, bool) {
    let mut map: BTreeMap<Date, (Slots, Slots)> = BTreeMap::new();
    let mut has_reverse = false;
    for d in days {
        let Some(date) = parse_date(&d.date) else {
            continue;
        };
        let e = map
            .entry(date)
            .or_insert(([None; HISTORY1_SLOTS], [None; HISTORY1_SLOTS]));
        for (dst, src) in e.0.iter_mut().zip(&d.normal) {
            if src.is_some() {
                *dst = *src;
            }
        }
        if let Some(rev) = &d.reverse {
            has_reverse = true;
            for (dst, src) in e.1.iter_mut().zip(rev) {
                if src.is_some() {
                    *dst = *src;
                }
            }
        }
    }
    (map, has_reverse)
}

const HALF_HOUR_MS: i64 = 30 * 60_000;

/// The tidy history CSV: one row per half hour, oldest first.
///
/// Columns: time (start of the slot's reading, ISO 8601 +09:00), normal kWh, normal raw count,
/// normal kWh since the previous half hour; then the same three for the reverse direction when
/// any day has it. The delta is roll-over aware (10^D7, or 10^E5 on high-voltage meters) and
/// empty when either reading is missing or the previous half hour is not in the table.
pub fn csv_history(days: &[HistoryDay], scaling: &Scaling, lang: Lang) -> Vec<u8> {
    let (map, has_reverse) = merge(days);
    let mut out = Out::new(64 + map.len() * HISTORY1_SLOTS * 64);
    let mut head = vec![
        lang.pick("日時", "Time"),
        lang.pick("積算電力量 正方向 [kWh]", "Cumulative energy normal [kWh]"),
        lang.pick(
            "積算電力量 正方向 生値",
            "Cumulative energy normal raw count",
        ),
        lang.pick(
            "30分間の電力量 正方向 [kWh]",
            "Energy in 30 minutes normal [kWh]",
        ),
    ];
    if has_reverse {
        head.extend([
            lang.pick("積算電力量 逆方向 [kWh]", "Cumulative energy reverse [kWh]"),
            lang.pick(
                "積算電力量 逆方向 生値",
                "Cumulative energy reverse raw count",
            ),
            lang.pick(
                "30分間の電力量 逆方向 [kWh]",
                "Energy in 30 minutes reverse [kWh]",
            ),
        ]);
    }
    out.row(&head);
    let mut prev: Option<(i64, Option<u32>, Option<u32>)> = None;
    let mut row: Vec<String> = Vec::with_capacity(head.len());
    for (date, (normal, reverse)) in &map {
        let day_ms = date_to_epoch_ms(*date);
        for i in 0..HISTORY1_SLOTS {
            let t = day_ms + i as i64 * HALF_HOUR_MS;
            let last = prev.filter(|p| p.0 == t - HALF_HOUR_MS);
            row.clear();
            row.push(iso_jst(t));
            let mut cols = |v: Option<u32>, before: Option<u32>| {
                row.push(num(v.and_then(|v| scaling.kwh(v))));
                row.push(num(v));
                row.push(num(v
                    .zip(before)
                    .and_then(|(v, b)| scaling.delta_kwh(b, v))));
            };
            cols(normal[i], last.and_then(|p| p.1));
            if has_reverse {
                cols(reverse[i], last.and_then(|p| p.2));
            }
            out.row(&row);
            prev = Some((t, normal[i], reverse[i]));
        }
    }
    out.finish()
}

/// The most days the meter keeps (history 1 reaches 99 days back, plus today).
pub const MAX_DAYS: u8 = 100;

/// Half-hour pairs in the "last 6 hours" read (history 2 answers at most 12 at once).
pub const RECENT_HALF_HOURS: u8 = 12;

/// How far back (days ago, 0 = today) to read so the last `n` days (clamped to 1 ..=
/// [`MAX_DAYS`]) are all stored: past days already `stored` (`YYYY-MM-DD`) do not change and
/// are skipped when they are the oldest ones; today is always read again (it is still filling
/// up). With `today` unknown every day counts as missing.
pub fn days_to_read(today: Option<Date>, n: u8, stored: &[String]) -> u8 {
    let n = n.clamp(1, MAX_DAYS);
    (0..n)
        .filter(|&d| {
            d == 0
                || today
                    .and_then(|t| t.minus_days(u16::from(d)))
                    .is_none_or(|date| !stored.contains(&format_date(date)))
        })
        .max()
        .unwrap_or(0)
}

/// The newest whole half hour (minute 00 or 30, Japan time) that has ended 30 minutes before
/// `now_ms`: where a "last 6 hours" read starts.
pub fn newest_half_hour(now_ms: i64) -> Option<echonet::DateTime> {
    let t = crate::time::jst(now_ms.checked_sub(30 * 60 * 1000)?)?;
    let minute = if t.minute >= 30 { 30 } else { 0 };
    echonet::DateTime::new(t.year, t.month, t.day, t.hour, minute, 0)
}

#[cfg(test)]
mod plan_tests {
    use super::*;

    #[test]
    fn days_to_read_skips_the_oldest_stored_days_but_never_today() {
        let today = Date::new(2026, 11, 26);
        let stored: Vec<String> = ["2026-11-26", "2026-11-25", "2026-11-24", "2026-11-20"]
            .map(String::from)
            .to_vec();
        // 7 days: 11-20 … 11-26; the oldest missing one is 11-21 (5 days ago).
        assert_eq!(days_to_read(today, 7, &stored), 5);
        // Only stored days and today: read just today.
        assert_eq!(days_to_read(today, 3, &stored), 0);
        assert_eq!(days_to_read(today, 0, &[]), 0);
        assert_eq!(days_to_read(today, 200, &[]), MAX_DAYS - 1);
        assert_eq!(days_to_read(None, 7, &stored), 6);
    }

    #[test]
    fn newest_half_hour_is_whole_and_in_japan_time() {
        let midnight = crate::time::date_to_epoch_ms(Date::new(2026, 11, 26).unwrap());
        let t = newest_half_hour(midnight + 70 * 60_000).unwrap();
        assert_eq!((t.day, t.hour, t.minute, t.second), (26, 0, 30, 0));
        let t = newest_half_hour(midnight + 59 * 60_000).unwrap();
        assert_eq!((t.day, t.hour, t.minute), (26, 0, 0));
        let t = newest_half_hour(midnight + 10 * 60_000).unwrap();
        assert_eq!((t.day, t.hour, t.minute), (25, 23, 30));
        assert_eq!(newest_half_hour(i64::MIN), None);
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::record::MeterKind;

    fn text(b: &[u8]) -> &str {
        std::str::from_utf8(&b[3..]).unwrap()
    }

    #[test]
    fn rolls_over_and_merges() {
        let mut a = vec![None; 48];
        a[46] = Some(999_998);
        a[47] = Some(999_999);
        let mut b = vec![None; 48];
        b[0] = Some(3);
        let days = vec![
            HistoryDay {
                date: "2026-11-26".into(),
                normal: b.clone(),
                reverse: None,
            },
            HistoryDay {
                date: "2026-11-25".into(),
                normal: a,
                reverse: None,
            },
            // Duplicate of the 26th, partial: merges, does not add rows.
            HistoryDay {
                date: "2026-11-26".into(),
                normal: vec![Some(3)],
                reverse: None,
            },
            HistoryDay {
                date: "junk".into(),
                normal: vec![Some(1)],
                reverse: None,
            },
        ];
        let sc = Scaling {
            class: MeterKind::Low,
            unit: Some(1),
            digits: Some(6),
            ..Scaling::default()
        };
        let csv = csv_history(&days, &sc, Lang::En);
        let t = text(&csv);
        let lines: Vec<&str> = t.split("\r\n").collect();
        assert_eq!(lines.len(), 1 + 96 + 1, "{t}");
        assert_eq!(
            lines[0],
            "Time,Cumulative energy normal [kWh],Cumulative energy normal raw count,Energy in 30 minutes normal [kWh]"
        );
        assert_eq!(lines[1], "2026-11-25T00:00:00+09:00,,,");
        assert_eq!(lines[48], "2026-11-25T23:30:00+09:00,99999.9,999999,0.1");
        // Roll-over at 10^6: 999999 → 3 is 4 counts = 0.4 kWh.
        assert_eq!(lines[49], "2026-11-26T00:00:00+09:00,0.3,3,0.4");
        assert_eq!(lines[50], "2026-11-26T00:30:00+09:00,,,");
    }
}
