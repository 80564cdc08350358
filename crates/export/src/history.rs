//! Meter history as one tidy table: timestamp, kWh in, kWh out, and the energy of each half
//! hour — the export no existing tool offers.
//!
//! The app stores what it reads as [`HistoryDay`]s (from history 1, E2/E4 or 0x028A E7, and
//! from history 2, EC) and exports them with [`csv_history`]: one row per half hour, forward in
//! time, days sorted and de-duplicated.
//!
//! **Nothing read is ever lost**: a stored day is merged slot by slot with each newer read of
//! the same day ([`HistoryDay::merge_from`]): a slot with data is never replaced by "no data",
//! and a slot whose value differs takes the newer read's value and is reported as a
//! [`SlotConflict`]. A day counts as read ([`HistoryDay::is_complete`]) only when every slot is
//! filled, so the resume logic ([`days_to_read`]) reads partial days again.

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
    // A read of half hours the meter has not recorded yet (or lost) adds no day.
    days.into_values().filter(HistoryDay::has_data).collect()
}

/// A slot that two reads of the same day disagree on. The newer read's value is kept; the app
/// notes the difference in its trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotConflict {
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// The half hour, 0 (00:00) … 47 (23:30).
    pub slot: usize,
    /// The reverse direction (E4/EC) rather than the normal one.
    pub reverse: bool,
    /// The value stored before.
    pub stored: u32,
    /// The newer read's value, now stored.
    pub newer: u32,
}

impl core::fmt::Display for SlotConflict {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "history {} {:02}:{:02} {}: stored {}, newer read {} (kept)",
            self.date,
            self.slot / 2,
            self.slot % 2 * 30,
            if self.reverse { "reverse" } else { "normal" },
            self.stored,
            self.newer
        )
    }
}

/// `v` as exactly [`HISTORY1_SLOTS`] slots (a stored day of another length is cut or padded).
fn fit(v: &mut Vec<Option<u32>>) {
    v.resize(HISTORY1_SLOTS, None);
}

/// Merge `newer` into `old` slot by slot; conflicts are pushed to `out`.
fn merge_slots(
    date: &str,
    reverse: bool,
    old: &mut Vec<Option<u32>>,
    newer: &[Option<u32>],
    out: &mut Vec<SlotConflict>,
) {
    fit(old);
    for (slot, (dst, src)) in old.iter_mut().zip(newer).enumerate() {
        match (*dst, *src) {
            (_, None) => {}
            (Some(stored), Some(n)) if stored != n => {
                out.push(SlotConflict {
                    date: date.to_string(),
                    slot,
                    reverse,
                    stored,
                    newer: n,
                });
                *dst = Some(n);
            }
            (_, n) => *dst = n,
        }
    }
}

impl HistoryDay {
    /// A day with no slot read yet.
    pub fn empty(date: &str) -> HistoryDay {
        HistoryDay {
            date: date.to_string(),
            normal: vec![None; HISTORY1_SLOTS],
            reverse: None,
        }
    }

    /// Merge a newer read of the same day into this one, slot by slot: a slot with data is
    /// never replaced by "no data"; a slot whose value differs takes the newer value and is
    /// returned as a conflict. A read of another date changes nothing.
    pub fn merge_from(&mut self, newer: &HistoryDay) -> Vec<SlotConflict> {
        let mut out = Vec::new();
        if newer.date != self.date {
            return out;
        }
        merge_slots(&self.date, false, &mut self.normal, &newer.normal, &mut out);
        if let Some(rev) = &newer.reverse {
            let mine = self
                .reverse
                .get_or_insert_with(|| vec![None; HISTORY1_SLOTS]);
            merge_slots(&self.date, true, mine, rev, &mut out);
        }
        out
    }

    /// Every slot filled: all 48 normal-direction values, and all 48 reverse ones when the day
    /// has the reverse direction. Only such a day is skipped when reading history again.
    pub fn is_complete(&self) -> bool {
        let full = |v: &[Option<u32>]| {
            v.len() >= HISTORY1_SLOTS && v[..HISTORY1_SLOTS].iter().all(Option::is_some)
        };
        full(&self.normal) && self.reverse.as_deref().is_none_or(full)
    }

    /// At least one slot holds a value.
    pub fn has_data(&self) -> bool {
        self.normal
            .iter()
            .chain(self.reverse.iter().flatten())
            .any(Option::is_some)
    }
}

/// Longest slot list [`HistoryDay::from_json`] accepts (a day has 48; anything longer is not
/// one of ours).
const JSON_SLOTS_MAX: usize = 1024;

impl HistoryDay {
    /// The day as stored: the same JSON as its `serde` form
    /// (`{"date":"2026-11-25","normal":[75313,null,…]}`, `"reverse"` only when present),
    /// written by hand so the page needs no JSON library to merge days.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(40 + 8 * HISTORY1_SLOTS);
        out.push_str("{\"date\":");
        json_string(&mut out, &self.date);
        out.push_str(",\"normal\":");
        json_slots(&mut out, &self.normal);
        if let Some(rev) = &self.reverse {
            out.push_str(",\"reverse\":");
            json_slots(&mut out, rev);
        }
        out.push('}');
        out
    }

    /// Parse a stored day (its `serde` form, keys in any order, any white space); `None` for
    /// anything else. Linear, bounded, never panics.
    pub fn from_json(text: &str) -> Option<HistoryDay> {
        let mut p = Json {
            b: text.as_bytes(),
            i: 0,
        };
        let (mut date, mut normal, mut reverse) = (None, None, None);
        p.eat(b'{')?;
        if !p.take(b'}') {
            loop {
                let key = p.string()?;
                p.eat(b':')?;
                match key.as_str() {
                    "date" => date = Some(p.string()?),
                    "normal" => normal = Some(p.slots()?),
                    "reverse" => reverse = if p.null() { None } else { Some(p.slots()?) },
                    _ => return None,
                }
                if p.take(b'}') {
                    break;
                }
                p.eat(b',')?;
            }
        }
        p.ws();
        (p.i == p.b.len()).then_some(())?;
        Some(HistoryDay {
            date: date?,
            normal: normal?,
            reverse,
        })
    }
}

fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn json_slots(out: &mut String, v: &[Option<u32>]) {
    out.push('[');
    for (i, s) in v.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match s {
            Some(n) => out.push_str(&n.to_string()),
            None => out.push_str("null"),
        }
    }
    out.push(']');
}

/// The little JSON reader behind [`HistoryDay::from_json`].
struct Json<'a> {
    b: &'a [u8],
    i: usize,
}

impl Json<'_> {
    fn ws(&mut self) {
        while self
            .b
            .get(self.i)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.i += 1;
        }
    }

    /// Skip white space, then consume `c` if it is next.
    fn take(&mut self, c: u8) -> bool {
        self.ws();
        let hit = self.b.get(self.i) == Some(&c);
        if hit {
            self.i += 1;
        }
        hit
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.take(c).then_some(())
    }

    fn null(&mut self) -> bool {
        self.ws();
        let hit = self.b.get(self.i..self.i + 4) == Some(b"null");
        if hit {
            self.i += 4;
        }
        hit
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.b.get(self.i..self.i + 4)?;
        self.i += 4;
        u32::from_str_radix(core::str::from_utf8(h).ok()?, 16).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut out = Vec::new();
        loop {
            let c = *self.b.get(self.i)?;
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = *self.b.get(self.i)?;
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        // Only characters of the basic plane (a date never needs more).
                        b'u' => char::from_u32(self.hex4()?)?,
                        _ => return None,
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                c if c < 0x20 => return None,
                c => out.push(c),
            }
        }
    }

    fn number(&mut self) -> Option<u32> {
        self.ws();
        let start = self.i;
        while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        let digits = self.b.get(start..self.i)?;
        if digits.is_empty() || digits.len() > 10 {
            return None;
        }
        core::str::from_utf8(digits).ok()?.parse().ok()
    }

    fn slots(&mut self) -> Option<Vec<Option<u32>>> {
        self.eat(b'[')?;
        let mut v = Vec::new();
        if self.take(b']') {
            return Some(v);
        }
        loop {
            if v.len() >= JSON_SLOTS_MAX {
                return None;
            }
            v.push(if self.null() {
                None
            } else {
                Some(self.number()?)
            });
            if self.take(b']') {
                return Some(v);
            }
            self.eat(b',')?;
        }
    }
}

/// The days merged by date, oldest first: later entries fill and override earlier ones slot by
/// slot ([`HistoryDay::merge_from`]). Entries whose date does not parse are dropped.
pub fn merged(days: &[HistoryDay]) -> Vec<HistoryDay> {
    let mut map: BTreeMap<Date, HistoryDay> = BTreeMap::new();
    for d in days {
        let Some(date) = parse_date(&d.date) else {
            continue;
        };
        map.entry(date)
            .or_insert_with(|| HistoryDay::empty(&d.date))
            .merge_from(d);
    }
    map.into_values().collect()
}

const HALF_HOUR_MS: i64 = 30 * 60_000;

fn at(v: &[Option<u32>], i: usize) -> Option<u32> {
    v.get(i).copied().flatten()
}

/// The tidy history CSV: one row per half hour, oldest first.
///
/// Columns: time (start of the slot's reading, ISO 8601 +09:00), normal kWh, normal raw count,
/// normal kWh since the previous half hour; then the same three for the reverse direction when
/// any day has it. The delta is roll-over aware (10^D7, or 10^E5 on high-voltage meters) and
/// empty when either reading is missing or the previous half hour is not in the table.
pub fn csv_history(days: &[HistoryDay], scaling: &Scaling, lang: Lang) -> Vec<u8> {
    let days = merged(days);
    let has_reverse = days.iter().any(|d| d.reverse.is_some());
    let mut out = Out::new(64 + days.len() * HISTORY1_SLOTS * 64);
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
    let none = vec![None; HISTORY1_SLOTS];
    for day in &days {
        let Some(date) = parse_date(&day.date) else {
            continue;
        };
        let day_ms = date_to_epoch_ms(date);
        let normal = &day.normal;
        let reverse = day.reverse.as_ref().unwrap_or(&none);
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
            let (n, r) = (at(normal, i), at(reverse, i));
            cols(n, last.and_then(|p| p.1));
            if has_reverse {
                cols(r, last.and_then(|p| p.2));
            }
            out.row(&row);
            prev = Some((t, n, r));
        }
    }
    out.finish()
}

/// The most days the meter keeps (history 1 reaches 99 days back, plus today).
pub const MAX_DAYS: u8 = 100;

/// Half-hour pairs in the "last 6 hours" read (history 2 answers at most 12 at once).
pub const RECENT_HALF_HOURS: u8 = 12;

/// How far back (days ago, 0 = today) to read so the last `n` days (clamped to 1 ..=
/// [`MAX_DAYS`]) are all stored: past days already stored `complete` (`YYYY-MM-DD`, every slot
/// filled: [`HistoryDay::is_complete`]) do not change and are skipped when they are the oldest
/// ones; a partial day is read again; today is always read again (it is still filling up).
/// With `today` unknown every day counts as missing.
pub fn days_to_read(today: Option<Date>, n: u8, complete: &[String]) -> u8 {
    let n = n.clamp(1, MAX_DAYS);
    (0..n)
        .filter(|&d| {
            d == 0
                || today
                    .and_then(|t| t.minus_days(u16::from(d)))
                    .is_none_or(|date| !complete.contains(&format_date(date)))
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

/// The newest half hour a read of today's history shows the meter has recorded (epoch ms, the
/// meter's civil time taken as Japan time): with [`meter_now_ms`], the meter's clock. `None` for
/// other days and other records.
pub fn latest_slot_ms(rec: &HistoryRecord) -> Option<i64> {
    let HistoryRecord::Day {
        days_ago: 0,
        date: Some(date),
        normal: Some(h),
        ..
    } = rec
    else {
        return None;
    };
    let last = h.slots.iter().rposition(|m| m.value().is_some())?;
    Some(date_to_epoch_ms(*date) + last as i64 * HALF_HOUR_MS)
}

/// The meter's clock now, as epoch ms (its civil time taken as Japan time), for choosing what
/// to read: `last_stamp` is the stamp of the newest half-hour value it sent (epoch ms) and the
/// wall-clock time it arrived. A meter within an hour of this computer's clock is taken at the
/// computer's clock (its stamps lag by up to half an hour); a meter set to another time (or the
/// demo meter, which starts on its own date) at its stamp plus the time since.
pub fn meter_now_ms(wall_now_ms: i64, last_stamp: Option<(i64, i64)>) -> i64 {
    const HOUR_MS: i64 = 3_600_000;
    match last_stamp {
        Some((stamp, seen)) => {
            let estimate = stamp.saturating_add(wall_now_ms.saturating_sub(seen).max(0));
            if estimate.abs_diff(wall_now_ms) <= HOUR_MS as u64 {
                wall_now_ms
            } else {
                estimate
            }
        }
        None => wall_now_ms,
    }
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

    #[test]
    fn the_newest_recorded_half_hour_of_today() {
        let date = Date::new(2026, 11, 26).unwrap();
        let mut slots = [Measured::NoData; HISTORY1_SLOTS];
        for s in slots.iter_mut().take(19) {
            *s = Measured::Value(5);
        }
        let day = |days_ago, slots| HistoryRecord::Day {
            days_ago,
            date: Some(date),
            normal: Some(History1 {
                day: echonet::OrUnset::Value(days_ago.into()),
                slots,
            }),
            reverse: None,
            demand: None,
            reactive: None,
        };
        // 19 slots: 00:00 … 09:00.
        assert_eq!(
            latest_slot_ms(&day(0, slots)),
            Some(crate::time::date_to_epoch_ms(date) + 9 * 3_600_000)
        );
        assert_eq!(latest_slot_ms(&day(1, slots)), None);
        assert_eq!(
            latest_slot_ms(&day(0, [Measured::NoData; HISTORY1_SLOTS])),
            None
        );
    }

    #[test]
    fn the_meter_clock_when_it_differs() {
        let now = 1_796_000_000_000;
        assert_eq!(meter_now_ms(now, None), now);
        // A stamp 20 minutes old, received 5 minutes ago: the computer's clock.
        assert_eq!(
            meter_now_ms(now, Some((now - 20 * 60_000, now - 5 * 60_000))),
            now
        );
        // A meter three days behind (the demo): its stamp plus the 5 minutes since.
        let behind = now - 3 * 86_400_000;
        assert_eq!(
            meter_now_ms(now, Some((behind, now - 5 * 60_000))),
            behind + 5 * 60_000
        );
        // A stamp "received" in the future counts as received now; no overflow anywhere.
        assert_eq!(meter_now_ms(now, Some((behind, now + 1000))), behind);
        let _ = meter_now_ms(i64::MAX, Some((i64::MIN, i64::MIN)));
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

#[cfg(test)]
mod merge_tests {
    use super::*;
    use proptest::prelude::*;

    fn day(date: &str, normal: &[(usize, u32)], reverse: Option<&[(usize, u32)]>) -> HistoryDay {
        let slots = |set: &[(usize, u32)]| {
            let mut v = vec![None; HISTORY1_SLOTS];
            for &(i, x) in set {
                v[i] = Some(x);
            }
            v
        };
        HistoryDay {
            date: date.into(),
            normal: slots(normal),
            reverse: reverse.map(slots),
        }
    }

    fn full(from: u32) -> Vec<(usize, u32)> {
        (0..HISTORY1_SLOTS).map(|i| (i, from + i as u32)).collect()
    }

    #[test]
    fn a_partial_read_never_erases_a_full_day() {
        // Yesterday read in full, then "the last 6 hours" after midnight: 12 pairs, of which
        // the last 4 are yesterday's 22:00–23:30 (equal values) and the rest today's.
        let mut yesterday = day("2026-11-25", &full(1000), None);
        let six_hours = day(
            "2026-11-25",
            &[(44, 1044), (45, 1045), (46, 1046), (47, 1047)],
            None,
        );
        assert!(yesterday.merge_from(&six_hours).is_empty());
        assert_eq!(yesterday, day("2026-11-25", &full(1000), None));
        assert!(yesterday.is_complete());
        // A read of "no data" everywhere changes nothing either.
        assert!(yesterday
            .merge_from(&HistoryDay::empty("2026-11-25"))
            .is_empty());
        assert!(yesterday.is_complete());
    }

    #[test]
    fn partial_reads_fill_a_day_slot_by_slot() {
        let mut today = day("2026-11-26", &[(0, 10), (1, 11), (2, 12)], None);
        assert!(!today.is_complete());
        let later = day("2026-11-26", &[(2, 12), (3, 13), (4, 14)], Some(&[(3, 7)]));
        assert!(today.merge_from(&later).is_empty());
        assert_eq!(
            today,
            day(
                "2026-11-26",
                &[(0, 10), (1, 11), (2, 12), (3, 13), (4, 14)],
                Some(&[(3, 7)])
            )
        );
        // Every slot of both directions: complete.
        let rest = day("2026-11-26", &full(10), Some(&full(7)));
        let conflicts = today.merge_from(&rest);
        // Slot 3 reverse: 7 stored, 10 newer (full(7) gives 7 + 3).
        assert_eq!(
            conflicts,
            vec![SlotConflict {
                date: "2026-11-26".into(),
                slot: 3,
                reverse: true,
                stored: 7,
                newer: 10
            }]
        );
        assert!(today.is_complete());
        // Normal complete but reverse partial: not complete.
        let half = day("2026-11-27", &full(0), Some(&[(0, 1)]));
        assert!(!half.is_complete());
    }

    #[test]
    fn a_different_value_takes_the_newer_read_and_is_reported() {
        let mut d = day("2026-11-25", &[(9, 500), (10, 501)], None);
        let newer = day("2026-11-25", &[(9, 505), (10, 501)], None);
        let c = d.merge_from(&newer);
        assert_eq!(c.len(), 1);
        assert_eq!(d.normal[9], Some(505));
        assert_eq!(
            c[0].to_string(),
            "history 2026-11-25 04:30 normal: stored 500, newer read 505 (kept)"
        );
        // Another date: nothing merged.
        let other = day("2026-11-24", &full(0), None);
        assert!(d.merge_from(&other).is_empty());
        assert_eq!(d.normal[0], None);
    }

    #[test]
    fn odd_lengths_are_fitted() {
        let mut d = HistoryDay {
            date: "2026-11-25".into(),
            normal: vec![Some(1)],
            reverse: None,
        };
        let longer = HistoryDay {
            date: "2026-11-25".into(),
            normal: vec![None; 60],
            reverse: Some(vec![Some(2); 3]),
        };
        d.merge_from(&longer);
        assert_eq!(d.normal.len(), HISTORY1_SLOTS);
        assert_eq!(d.normal[0], Some(1));
        assert_eq!(d.reverse.as_ref().map(Vec::len), Some(HISTORY1_SLOTS));
        assert!(!HistoryDay::empty("x").has_data());
    }

    #[test]
    fn merged_days_are_sorted_and_combined() {
        let days = vec![
            day("2026-11-26", &[(0, 3)], None),
            day("2026-11-25", &full(0), None),
            day("2026-11-26", &[(1, 4)], None),
            day("junk", &[(0, 1)], None),
        ];
        let m = merged(&days);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].date, "2026-11-25");
        assert_eq!(m[1], day("2026-11-26", &[(0, 3), (1, 4)], None));
        let complete: Vec<String> = m
            .iter()
            .filter(|d| d.is_complete())
            .map(|d| d.date.clone())
            .collect();
        assert_eq!(complete, ["2026-11-25"]);
        // The resume reads the partial 26th again (it is today here) and skips the 25th.
        let today = Date::new(2026, 11, 26);
        assert_eq!(days_to_read(today, 2, &complete), 0);
        // With the 25th partial it would be read again.
        assert_eq!(days_to_read(today, 2, &[]), 1);
    }

    #[test]
    fn an_ec_read_of_half_hours_not_recorded_adds_no_day() {
        use echonet::lv::PairHistory;
        use echonet::{DateTime, OrUnset};
        let stamp = OrUnset::Value(DateTime::new(2026, 11, 26, 0, 30, 0).unwrap());
        // Three pairs back from 00:30 across midnight: 00:30 and 00:00 on the 26th, 23:30 on
        // the 25th (no data).
        let none = Measured::NoData;
        let pairs = [
            (Measured::Value(12), none),
            (Measured::Value(11), Measured::Value(2)),
            (none, none),
        ];
        let p = PairHistory::new(stamp, 30, &pairs).unwrap();
        let days = HistoryDay::from_record(&HistoryRecord::Pairs(p));
        assert_eq!(days.len(), 1, "{days:?}");
        assert_eq!(days[0].date, "2026-11-26");
        assert_eq!(days[0].normal[1], Some(12));
        assert_eq!(days[0].normal[0], Some(11));
        assert_eq!(days[0].reverse.as_ref().unwrap()[0], Some(2));
        let nothing = PairHistory::new(stamp, 30, &[(none, none); 12]).unwrap();
        assert!(HistoryDay::from_record(&HistoryRecord::Pairs(nothing)).is_empty());
        // After midnight the six hours reach into yesterday: merged into the full day, the
        // equal values change nothing.
        let late = [(Measured::Value(2000), none), (Measured::Value(1047), none)];
        let p = PairHistory::new(stamp, 30, &late).unwrap();
        let mut yesterday = day("2026-11-25", &full(1000), None);
        for d in HistoryDay::from_record(&HistoryRecord::Pairs(p)) {
            assert!(yesterday.merge_from(&d).is_empty());
        }
        assert_eq!(yesterday, day("2026-11-25", &full(1000), None));
    }

    #[test]
    fn json_is_the_serde_form() {
        let d = day(
            "2026-11-25",
            &[(0, 75313), (47, 4_294_967_295)],
            Some(&[(1, 0)]),
        );
        let mine = d.to_json();
        assert_eq!(mine, serde_json::to_string(&d).unwrap());
        assert_eq!(HistoryDay::from_json(&mine), Some(d.clone()));
        let spaced =
            " { \"reverse\" : null , \"normal\" : [ 1 , null ] , \"date\" : \"2026-11-25\" } ";
        assert_eq!(
            HistoryDay::from_json(spaced),
            Some(HistoryDay {
                date: "2026-11-25".into(),
                normal: vec![Some(1), None],
                reverse: None
            })
        );
        for bad in [
            "",
            "{}",
            "{\"date\":\"x\"}",
            "{\"date\":\"x\",\"normal\":[1,]}",
            "{\"date\":\"x\",\"normal\":[4294967296]}",
            "{\"date\":\"x\",\"normal\":[-1]}",
            "{\"date\":\"x\",\"normal\":[],\"other\":1}",
            "{\"date\":\"x\",\"normal\":[]} x",
            "{\"date\":\"x\\q\",\"normal\":[]}",
        ] {
            assert_eq!(HistoryDay::from_json(bad), None, "{bad}");
        }
    }

    fn any_day() -> impl Strategy<Value = HistoryDay> {
        let slots = proptest::collection::vec(proptest::option::of(any::<u32>()), 0..60);
        (".{0,12}", slots.clone(), proptest::option::of(slots)).prop_map(
            |(date, normal, reverse)| HistoryDay {
                date,
                normal,
                reverse,
            },
        )
    }

    proptest! {
        #[test]
        fn json_round_trips_like_serde(d in any_day()) {
            let mine = d.to_json();
            prop_assert_eq!(&mine, &serde_json::to_string(&d).unwrap());
            prop_assert_eq!(HistoryDay::from_json(&mine), Some(d));
        }

        #[test]
        fn from_json_never_panics(s in ".{0,200}") {
            let _ = HistoryDay::from_json(&s);
        }

        #[test]
        fn merging_never_loses_a_value(a in any_day(), b in any_day()) {
            let mut a = HistoryDay { date: "d".into(), ..a };
            let b = HistoryDay { date: "d".into(), ..b };
            let before = a.clone();
            let conflicts = a.merge_from(&b);
            for i in 0..HISTORY1_SLOTS {
                let old = before.normal.get(i).copied().flatten();
                let new = b.normal.get(i).copied().flatten();
                prop_assert_eq!(a.normal[i], new.or(old));
            }
            prop_assert!(conflicts.iter().all(|c| c.stored != c.newer));
        }
    }
}
