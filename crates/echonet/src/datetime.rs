//! Dates and times as meters send them (civil time, no zone), with validation.

use core::fmt;

use crate::codec::{Reader, Writer};
use crate::error::{Error, Result};

/// A value that may be the "unset" default (0xFF… on the wire) instead of a real value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrUnset<T> {
    /// A real value.
    Value(T),
    /// The all-0xFF default ("not set").
    Unset,
}

impl<T> OrUnset<T> {
    /// The value, if set.
    pub fn value(self) -> Option<T> {
        match self {
            OrUnset::Value(v) => Some(v),
            OrUnset::Unset => None,
        }
    }
}

impl<T: fmt::Display> fmt::Display for OrUnset<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrUnset::Value(v) => v.fmt(f),
            OrUnset::Unset => f.write_str("unset"),
        }
    }
}

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Days in `month` (1–12) of `year`; 0 for an invalid month.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// Year (e.g. 2022).
    pub year: u16,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31.
    pub day: u8,
}

impl Date {
    /// A validated date (`None` if the day does not exist).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        (day >= 1 && day <= days_in_month(year, month)).then_some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01, if its year fits in 0–65535.
    pub fn from_days_since_epoch(days: i64) -> Option<Date> {
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Some(Date {
            year: u16::try_from(year).ok()?,
            month: u8::try_from(month).ok()?,
            day: u8::try_from(day).ok()?,
        })
    }

    /// The date `n` days earlier.
    pub fn minus_days(self, n: u16) -> Option<Date> {
        Date::from_days_since_epoch(self.days_since_epoch() - i64::from(n))
    }

    /// Decode YYYY(2) MM DD (the 0x98 layout).
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Date> {
        let (year, month, day) = (r.u16()?, r.u8()?, r.u8()?);
        Date::new(year, month, day).ok_or(Error::BadValue { epc: r.epc() })
    }

    pub(crate) fn write(self, w: &mut Writer<'_>) -> Result<()> {
        w.u16(self.year)?;
        w.u8(self.month)?;
        w.u8(self.day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A time of day (hour and minute, as 0x97 sends it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Time {
    /// Hour 0–23.
    pub hour: u8,
    /// Minute 0–59.
    pub minute: u8,
}

impl Time {
    /// A validated time.
    pub fn new(hour: u8, minute: u8) -> Option<Time> {
        (hour < 24 && minute < 60).then_some(Time { hour, minute })
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

/// A date and time to the second (civil time as the meter keeps it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime {
    /// Year.
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

impl DateTime {
    /// A validated date-time.
    pub fn new(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        Date::new(year, month, day)?;
        (hour < 24 && minute < 60 && second < 60).then_some(DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// The date part.
    pub fn date(&self) -> Date {
        Date {
            year: self.year,
            month: self.month,
            day: self.day,
        }
    }

    /// Minutes since 1970-01-01 00:00 (seconds dropped).
    fn minutes_since_epoch(&self) -> i64 {
        self.date().days_since_epoch() * 1440 + i64::from(self.hour) * 60 + i64::from(self.minute)
    }

    /// Shift by `minutes` (positive or negative), keeping the seconds.
    pub fn add_minutes(&self, minutes: i64) -> Option<DateTime> {
        let total = self.minutes_since_epoch().checked_add(minutes)?;
        let date = Date::from_days_since_epoch(total.div_euclid(1440))?;
        let mins = total.rem_euclid(1440);
        Some(DateTime {
            year: date.year,
            month: date.month,
            day: date.day,
            hour: u8::try_from(mins / 60).ok()?,
            minute: u8::try_from(mins % 60).ok()?,
            second: self.second,
        })
    }

    /// Decode YYYY MM DD hh mm ss (7 bytes); all 0xFF is `Unset`.
    pub(crate) fn read7(r: &mut Reader<'_>) -> Result<OrUnset<DateTime>> {
        let b: [u8; 7] = r.array()?;
        if b == [0xFF; 7] {
            return Ok(OrUnset::Unset);
        }
        let year = u16::from_be_bytes([b[0], b[1]]);
        DateTime::new(year, b[2], b[3], b[4], b[5], b[6])
            .map(OrUnset::Value)
            .ok_or(Error::BadValue { epc: r.epc() })
    }

    /// Decode YYYY MM DD hh mm (6 bytes, seconds 0); all 0xFF is `Unset`.
    pub(crate) fn read6(r: &mut Reader<'_>) -> Result<OrUnset<DateTime>> {
        let b: [u8; 6] = r.array()?;
        if b == [0xFF; 6] {
            return Ok(OrUnset::Unset);
        }
        let year = u16::from_be_bytes([b[0], b[1]]);
        DateTime::new(year, b[2], b[3], b[4], b[5], 0)
            .map(OrUnset::Value)
            .ok_or(Error::BadValue { epc: r.epc() })
    }

    pub(crate) fn write7(v: OrUnset<DateTime>, w: &mut Writer<'_>) -> Result<()> {
        match v {
            OrUnset::Unset => w.bytes(&[0xFF; 7]),
            OrUnset::Value(d) => {
                w.u16(d.year)?;
                w.bytes(&[d.month, d.day, d.hour, d.minute, d.second])
            }
        }
    }

    pub(crate) fn write6(v: OrUnset<DateTime>, w: &mut Writer<'_>) -> Result<()> {
        match v {
            OrUnset::Unset => w.bytes(&[0xFF; 6]),
            OrUnset::Value(d) => {
                w.u16(d.year)?;
                w.bytes(&[d.month, d.day, d.hour, d.minute])
            }
        }
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_validation() {
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(2023, 2, 29).is_none());
        assert!(Date::new(2023, 13, 1).is_none());
        assert!(DateTime::new(2022, 8, 1, 24, 0, 0).is_none());
        assert!(DateTime::new(2022, 8, 1, 23, 59, 59).is_some());
    }

    #[test]
    fn test_minute_arithmetic_crosses_days_and_years() {
        let t = DateTime::new(2023, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            t.add_minutes(-30).unwrap(),
            DateTime::new(2022, 12, 31, 23, 30, 0).unwrap()
        );
        let t = DateTime::new(2024, 2, 28, 23, 59, 0).unwrap();
        assert_eq!(
            t.add_minutes(1).unwrap(),
            DateTime::new(2024, 2, 29, 0, 0, 0).unwrap()
        );
        assert_eq!(
            Date::new(2024, 3, 1).unwrap().minus_days(1),
            Date::new(2024, 2, 29)
        );
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
        assert_eq!(
            Date::from_days_since_epoch(Date::new(2022, 8, 1).unwrap().days_since_epoch()),
            Date::new(2022, 8, 1)
        );
    }

    #[test]
    fn test_read_unset_and_bad() {
        let mut r = Reader::new(0xEC, &[0xFF; 6]);
        assert_eq!(DateTime::read6(&mut r), Ok(OrUnset::Unset));
        let mut r = Reader::new(0xEA, &[0x07, 0xE6, 0x08, 0x01, 0x14, 0x00, 0x00]);
        assert_eq!(
            DateTime::read7(&mut r),
            Ok(OrUnset::Value(DateTime::new(2022, 8, 1, 20, 0, 0).unwrap()))
        );
        let mut r = Reader::new(0xEA, &[0x07, 0xE6, 0x02, 0x1E, 0x14, 0x00, 0x00]);
        assert_eq!(DateTime::read7(&mut r), Err(Error::BadValue { epc: 0xEA }));
    }
}
