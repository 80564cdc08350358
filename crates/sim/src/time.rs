//! Civil (JST wall-clock) date-times for the virtual clock. No time zones: the meters
//! live in Japan and report local time, so the simulator only ever needs civil arithmetic.

/// A civil date-time (Japan Standard Time), second resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CivilDateTime {
    /// Year, e.g. 2026.
    pub year: u16,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31.
    pub day: u8,
    /// Hour 0–23.
    pub hour: u8,
    /// Minute 0–59.
    pub minute: u8,
    /// Second 0–59.
    pub second: u8,
}

impl CivilDateTime {
    /// A date-time; out-of-range fields are normalised through [`CivilDateTime::from_seconds`].
    pub fn new(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> CivilDateTime {
        let days = days_from_civil(
            i64::from(year),
            i64::from(month.clamp(1, 12)),
            i64::from(day.clamp(1, 31)),
        );
        let secs =
            days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
        CivilDateTime::from_seconds(secs)
    }

    /// Seconds since 1970-01-01 00:00:00 (of the same civil clock; not UTC).
    pub fn to_seconds(self) -> i64 {
        days_from_civil(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        ) * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// Inverse of [`CivilDateTime::to_seconds`]; years are clamped to 0..=9999.
    pub fn from_seconds(secs: i64) -> CivilDateTime {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        CivilDateTime {
            year: y.clamp(0, 9999) as u16,
            month: m as u8,
            day: d as u8,
            hour: (rem / 3600) as u8,
            minute: (rem % 3600 / 60) as u8,
            second: (rem % 60) as u8,
        }
    }

    /// This date-time plus `secs` seconds (may be negative).
    pub fn plus_seconds(self, secs: i64) -> CivilDateTime {
        CivilDateTime::from_seconds(self.to_seconds() + secs)
    }

    /// Midnight of the same day.
    pub fn midnight(self) -> CivilDateTime {
        CivilDateTime {
            hour: 0,
            minute: 0,
            second: 0,
            ..self
        }
    }

    /// Day of the week, 0 = Sunday … 6 = Saturday.
    pub fn weekday(self) -> u8 {
        let days = self.to_seconds().div_euclid(86_400);
        // 1970-01-01 was a Thursday.
        (days + 4).rem_euclid(7) as u8
    }

    /// ECHONET 7-byte form: YYYY MM DD hh mm ss.
    pub fn to_el7(self) -> [u8; 7] {
        let y = self.year.to_be_bytes();
        [
            y[0],
            y[1],
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
        ]
    }

    /// ECHONET 6-byte form without seconds: YYYY MM DD hh mm (followed by a count in EC/EE).
    pub fn to_el6(self) -> [u8; 6] {
        let y = self.year.to_be_bytes();
        [y[0], y[1], self.month, self.day, self.hour, self.minute]
    }

    /// Parse YYYY MM DD hh mm from 6 bytes; `None` if any field is out of range.
    pub fn from_el6(b: &[u8]) -> Option<CivilDateTime> {
        let y = u16::from_be_bytes([*b.first()?, *b.get(1)?]);
        let (mo, d, h, mi) = (*b.get(2)?, *b.get(3)?, *b.get(4)?, *b.get(5)?);
        if !(1..=12).contains(&mo)
            || d == 0
            || d > days_in_month(i64::from(y), i64::from(mo)) as u8
            || h > 23
            || mi > 59
        {
            return None;
        }
        Some(CivilDateTime {
            year: y,
            month: mo,
            day: d,
            hour: h,
            minute: mi,
            second: 0,
        })
    }
}

impl core::fmt::Display for CivilDateTime {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Number of days in a month.
pub fn days_in_month(y: i64, m: i64) -> i64 {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    days_from_civil(ny, nm, 1) - days_from_civil(y, m, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_weekday() {
        let t = CivilDateTime::new(2026, 11, 26, 9, 0, 0);
        assert_eq!(CivilDateTime::from_seconds(t.to_seconds()), t);
        assert_eq!(t.weekday(), 4, "2026-11-26 is a Thursday");
        assert_eq!(t.plus_seconds(15 * 3600).to_string(), "2026-11-27 00:00:00");
        assert_eq!(
            t.plus_seconds(-86_400 * 365).to_string(),
            "2025-11-26 09:00:00"
        );
        assert_eq!(days_in_month(2028, 2), 29);
        assert_eq!(CivilDateTime::from_el6(&[0x07, 0xEA, 2, 30, 0, 0]), None);
        assert_eq!(t.to_el7(), [0x07, 0xEA, 11, 26, 9, 0, 0]);
    }
}
