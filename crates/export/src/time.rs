//! Japan time (fixed +09:00, no DST, no time-zone database) for timestamps.
//!
//! Wall-clock times are Unix epoch milliseconds (UTC), as `Date.now()` gives them. Meter
//! clocks run in Japan time without a zone; [`meter_to_epoch_ms`] takes them as +09:00.

use echonet::{Date, DateTime};

/// Offset of Japan Standard Time from UTC, ms.
pub const JST_OFFSET_MS: i64 = 9 * 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// Civil date and time in Japan of an epoch time (ms dropped), or `None` when the year does
/// not fit in 0–9999.
pub fn jst(t_ms: i64) -> Option<DateTime> {
    let local = t_ms.checked_add(JST_OFFSET_MS)?;
    let days = local.div_euclid(DAY_MS);
    let secs = local.rem_euclid(DAY_MS) / 1000;
    let date = Date::from_days_since_epoch(days)?;
    if date.year > 9999 {
        return None;
    }
    DateTime::new(
        date.year,
        date.month,
        date.day,
        u8::try_from(secs / 3600).ok()?,
        u8::try_from(secs % 3600 / 60).ok()?,
        u8::try_from(secs % 60).ok()?,
    )
}

/// ISO 8601 with the +09:00 offset, e.g. `2026-11-26T09:00:05+09:00`; empty when out of range.
pub fn iso_jst(t_ms: i64) -> String {
    jst(t_ms).map(|d| iso_civil(&d)).unwrap_or_default()
}

/// A meter's civil date-time as ISO 8601 with +09:00.
pub fn iso_civil(d: &DateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+09:00",
        d.year, d.month, d.day, d.hour, d.minute, d.second
    )
}

/// Epoch ms of a meter's civil date-time, taken as Japan time.
pub fn meter_to_epoch_ms(d: &DateTime) -> i64 {
    let days = d.date().days_since_epoch();
    let secs = i64::from(d.hour) * 3600 + i64::from(d.minute) * 60 + i64::from(d.second);
    (days * 86_400 + secs) * 1000 - JST_OFFSET_MS
}

/// Epoch ms of 00:00 Japan time on `date`.
pub fn date_to_epoch_ms(date: Date) -> i64 {
    date.days_since_epoch() * DAY_MS - JST_OFFSET_MS
}

/// Parse `YYYY-MM-DD` into a validated date.
pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = s.get(0..4)?.parse().ok()?;
    let m = s.get(5..7)?.parse().ok()?;
    let d = s.get(8..10)?.parse().ok()?;
    Date::new(y, m, d)
}

/// Format a date as `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn jst_formatting() {
        // 2026-11-26T00:00:05Z = 09:00:05 in Japan.
        let t = date_to_epoch_ms(Date::new(2026, 11, 26).unwrap()) + 9 * 3_600_000 + 5_000;
        assert_eq!(iso_jst(t), "2026-11-26T09:00:05+09:00");
        assert_eq!(iso_jst(t + 999), "2026-11-26T09:00:05+09:00");
        assert_eq!(iso_jst(0), "1970-01-01T09:00:00+09:00");
        assert_eq!(iso_jst(-1), "1970-01-01T08:59:59+09:00");
        assert_eq!(iso_jst(i64::MAX), "");
        assert_eq!(iso_jst(i64::MIN), "");
        let d = DateTime::new(2026, 11, 26, 9, 0, 5).unwrap();
        assert_eq!(iso_jst(meter_to_epoch_ms(&d)), "2026-11-26T09:00:05+09:00");
        // Year boundary in Japan time.
        let d = DateTime::new(2026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            iso_jst(meter_to_epoch_ms(&d) - 1000),
            "2025-12-31T23:59:59+09:00"
        );
        assert_eq!(parse_date("2024-02-29"), Date::new(2024, 2, 29));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2023-2-1"), None);
        assert_eq!(parse_date("２０２３-02-01"), None);
    }
}
