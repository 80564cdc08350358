//! Low-voltage smart electric energy meter, class 0x0288 (`protocol.md` §C).
//!
//! [`decode`] turns one EPC + EDT into a typed [`LvValue`]; [`LvValue::encode`] writes it back.
//! Shared value shapes (histories, stamped readings, currents) are defined here and reused by
//! the high-voltage class.

use core::fmt;

use crate::codec::{Reader, Writer};
use crate::common::{self, CommonValue, Hex};
use crate::datetime::{Date, DateTime, OrUnset, Time};
use crate::decimal::Decimal;
use crate::energy::EnergyUnit;
use crate::error::{Error, Result};
use crate::measured::{self, Measured};

enum_with_unknown! {
    /// EPCs of class 0x0288 (super-class EPCs included).
    pub enum Epc(u8) {
        /// 0x80 operation status.
        OperationStatus = 0x80,
        /// 0x81 installation location.
        InstallationLocation = 0x81,
        /// 0x82 standard version information.
        StandardVersion = 0x82,
        /// 0x88 fault status.
        FaultStatus = 0x88,
        /// 0x8A manufacturer code.
        Manufacturer = 0x8A,
        /// 0x8D production number.
        ProductionNumber = 0x8D,
        /// 0x97 current time.
        CurrentTime = 0x97,
        /// 0x98 current date.
        CurrentDate = 0x98,
        /// 0x9D status-change announcement property map.
        StatusMap = 0x9D,
        /// 0x9E Set property map.
        SetMap = 0x9E,
        /// 0x9F Get property map.
        GetMap = 0x9F,
        /// 0xC0 Route-B identification number (Release R).
        RouteBId = 0xC0,
        /// 0xD0 one-minute cumulative energy, normal and reverse (Release R).
        OneMinuteEnergy = 0xD0,
        /// 0xD3 coefficient.
        Coefficient = 0xD3,
        /// 0xD7 number of effective digits.
        EffectiveDigits = 0xD7,
        /// 0xE0 cumulative energy, normal direction.
        CumulativeNormal = 0xE0,
        /// 0xE1 unit for cumulative energy.
        EnergyUnit = 0xE1,
        /// 0xE2 history 1, normal direction.
        HistoryNormal = 0xE2,
        /// 0xE3 cumulative energy, reverse direction.
        CumulativeReverse = 0xE3,
        /// 0xE4 history 1, reverse direction.
        HistoryReverse = 0xE4,
        /// 0xE5 day for history 1.
        HistoryDay = 0xE5,
        /// 0xE7 instantaneous power.
        InstantPower = 0xE7,
        /// 0xE8 instantaneous currents.
        Currents = 0xE8,
        /// 0xEA cumulative energy at fixed time, normal direction.
        FixedTimeNormal = 0xEA,
        /// 0xEB cumulative energy at fixed time, reverse direction.
        FixedTimeReverse = 0xEB,
        /// 0xEC history 2 (normal and reverse, 30-minute steps).
        History2 = 0xEC,
        /// 0xED day/time for history 2.
        History2Setting = 0xED,
        /// 0xEE history 3 (normal and reverse, 1-minute steps; Release R).
        History3 = 0xEE,
        /// 0xEF day/time for history 3 (Release R).
        History3Setting = 0xEF,
    }
}

/// A current in units of 0.1 A (as E8 sends it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeciAmps(pub i16);

impl DeciAmps {
    /// The current in amperes, exactly.
    pub fn amps(self) -> Decimal {
        Decimal::new(i128::from(self.0), 1).unwrap_or(Decimal::ZERO)
    }
}

impl fmt::Display for DeciAmps {
    /// Prints one decimal, e.g. `9.8` for 0x0062 (not `9.0`), `-7.0` for 0xFFBA.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = i32::from(self.0);
        let sign = if v < 0 { "-" } else { "" };
        write!(f, "{sign}{}.{}", v.abs() / 10, v.abs() % 10)
    }
}

/// E8 instantaneous currents: R phase and, on three-wire meters, T phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currents {
    /// R phase.
    pub r: Measured<DeciAmps>,
    /// T phase; `None` when the meter sends 0x7FFE there (single-phase two-wire: T not present).
    pub t: Option<Measured<DeciAmps>>,
}

/// A cumulative reading with the time it was taken (EA/EB; 0x028A C3/CA/CB/E2/E3/E4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StampedEnergy {
    /// When the value was measured.
    pub stamp: OrUnset<DateTime>,
    /// The raw count.
    pub value: Measured<u32>,
}

impl StampedEnergy {
    fn read(r: &mut Reader<'_>) -> Result<StampedEnergy> {
        Ok(StampedEnergy {
            stamp: DateTime::read7(r)?,
            value: measured::u32_counter(r.u32()?),
        })
    }

    fn write(&self, w: &mut Writer<'_>) -> Result<()> {
        DateTime::write7(self.stamp, w)?;
        w.u32(measured::u32_counter_raw(self.value))
    }
}

/// D0 one-minute cumulative energy, normal and reverse, with its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OneMinuteEnergy {
    /// When the values were measured.
    pub stamp: OrUnset<DateTime>,
    /// Normal direction raw count.
    pub normal: Measured<u32>,
    /// Reverse direction raw count.
    pub reverse: Measured<u32>,
}

/// Number of slots in a history-1 record (48 half hours).
pub const HISTORY1_SLOTS: usize = 48;

/// History 1 (E2/E4; 0x028A C6/CE/E7): one day of 30-minute readings, forward from 00:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct History1 {
    /// Days before today (0 = today), or `Unset` (0x00FF).
    pub day: OrUnset<u16>,
    /// Readings at 00:00, 00:30, … 23:30 of that day.
    pub slots: [Measured<u32>; HISTORY1_SLOTS],
}

impl History1 {
    /// Minutes after 00:00 of slot `i` (30 × i).
    pub fn slot_offset_minutes(i: usize) -> Option<u16> {
        (i < HISTORY1_SLOTS).then(|| 30 * i as u16)
    }

    /// Time of day of slot `i` (00:00 + 30 min × i).
    pub fn slot_time(i: usize) -> Option<Time> {
        let m = History1::slot_offset_minutes(i)?;
        Time::new((m / 60) as u8, (m % 60) as u8)
    }

    /// Calendar date of this record given the meter's current date.
    pub fn date(&self, today: Date) -> Option<Date> {
        today.minus_days(self.day.value()?)
    }

    /// Date and time of slot `i` given the meter's current date.
    pub fn slot_datetime(&self, i: usize, today: Date) -> Option<DateTime> {
        let d = self.date(today)?;
        let t = History1::slot_time(i)?;
        DateTime::new(d.year, d.month, d.day, t.hour, t.minute, 0)
    }

    fn read(r: &mut Reader<'_>) -> Result<History1> {
        let day = match r.u16()? {
            0x00FF => OrUnset::Unset,
            d if d <= 99 => OrUnset::Value(d),
            _ => return Err(Error::BadValue { epc: r.epc() }),
        };
        let mut slots = [Measured::NoData; HISTORY1_SLOTS];
        for s in slots.iter_mut() {
            *s = measured::u32_counter(r.u32()?);
        }
        Ok(History1 { day, slots })
    }

    fn write(&self, w: &mut Writer<'_>) -> Result<()> {
        w.u16(match self.day {
            OrUnset::Value(d) => d,
            OrUnset::Unset => 0x00FF,
        })?;
        for s in &self.slots {
            w.u32(measured::u32_counter_raw(*s))?;
        }
        Ok(())
    }
}

/// Most pairs a history-2 (EC) record carries.
pub const HISTORY2_MAX: usize = 12;
/// Most pairs a history-3 (EE) record carries.
pub const HISTORY3_MAX: usize = 10;

/// History 2 (EC, 30-minute steps) or 3 (EE, 1-minute steps): (normal, reverse) pairs running
/// backwards in time from `stamp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PairHistory {
    /// Time of the first pair, or `Unset` (all 0xFF).
    pub stamp: OrUnset<DateTime>,
    /// Minutes between consecutive pairs (30 for EC, 1 for EE).
    pub step_minutes: u8,
    len: u8,
    pairs: [(Measured<u32>, Measured<u32>); HISTORY2_MAX],
}

impl PairHistory {
    /// Build from up to 12 pairs (1–12 for EC, 1–10 for EE is what meters send).
    pub fn new(
        stamp: OrUnset<DateTime>,
        step_minutes: u8,
        pairs: &[(Measured<u32>, Measured<u32>)],
    ) -> Option<PairHistory> {
        if pairs.len() > HISTORY2_MAX {
            return None;
        }
        let mut out = [(Measured::NoData, Measured::NoData); HISTORY2_MAX];
        out[..pairs.len()].copy_from_slice(pairs);
        Some(PairHistory {
            stamp,
            step_minutes,
            len: pairs.len() as u8,
            pairs: out,
        })
    }

    /// The (normal, reverse) pairs, newest first.
    pub fn pairs(&self) -> &[(Measured<u32>, Measured<u32>)] {
        &self.pairs[..usize::from(self.len)]
    }

    /// Time of pair `i`: stamp − step × i.
    pub fn slot_stamp(&self, i: usize) -> Option<DateTime> {
        if i >= usize::from(self.len) {
            return None;
        }
        let back = i64::from(self.step_minutes) * i as i64;
        self.stamp.value()?.add_minutes(-back)
    }

    fn read(r: &mut Reader<'_>, step_minutes: u8, max: usize) -> Result<PairHistory> {
        let epc = r.epc();
        let stamp = DateTime::read6(r)?;
        let n = usize::from(r.u8()?);
        if n == 0 || n > max {
            return Err(Error::BadValue { epc });
        }
        if r.remaining() != 8 * n {
            return Err(Error::bad_len(epc, 7 + r.remaining()));
        }
        let mut pairs = [(Measured::NoData, Measured::NoData); HISTORY2_MAX];
        for p in pairs.iter_mut().take(n) {
            *p = (
                measured::u32_counter(r.u32()?),
                measured::u32_counter(r.u32()?),
            );
        }
        Ok(PairHistory {
            stamp,
            step_minutes,
            len: n as u8,
            pairs,
        })
    }

    fn write(&self, w: &mut Writer<'_>) -> Result<()> {
        DateTime::write6(self.stamp, w)?;
        w.u8(self.len)?;
        for (n, rv) in self.pairs() {
            w.u32(measured::u32_counter_raw(*n))?;
            w.u32(measured::u32_counter_raw(*rv))?;
        }
        Ok(())
    }
}

/// ED/EF: which history-2/3 record to read (time of the newest pair and number of pairs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HistorySetting {
    /// Time of the newest pair, or `Unset` (the 0xFF… default).
    pub stamp: OrUnset<DateTime>,
    /// Number of pairs (1–12 for ED, 1–10 for EF).
    pub count: u8,
}

impl HistorySetting {
    fn read(r: &mut Reader<'_>, max: u8) -> Result<HistorySetting> {
        let stamp = DateTime::read6(r)?;
        let count = r.u8()?;
        if count == 0 || count > max {
            return Err(Error::BadValue { epc: r.epc() });
        }
        Ok(HistorySetting { stamp, count })
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<()> {
        DateTime::write6(self.stamp, w)?;
        w.u8(self.count)
    }
}

/// C0 Route-B identification number: 16 bytes, byte 0 = 0x00, bytes 1–3 maker code,
/// bytes 4–15 free area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RouteBId<'a>(pub &'a [u8]);

impl<'a> RouteBId<'a> {
    /// The maker code in bytes 1–3.
    pub fn maker(&self) -> Option<u32> {
        match self.0.get(1..4)? {
            [a, b, c] => Some(u32::from_be_bytes([0, *a, *b, *c])),
            _ => None,
        }
    }

    /// The 12-byte free area.
    pub fn free_area(&self) -> &'a [u8] {
        self.0.get(4..).unwrap_or(&[])
    }
}

impl fmt::Display for RouteBId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Hex(self.0))
    }
}

/// A typed value of class 0x0288.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LvValue<'a> {
    /// Super-class properties (0x80–0x9F).
    Common(CommonValue<'a>),
    /// C0 Route-B identification number.
    RouteBId(RouteBId<'a>),
    /// D0 one-minute cumulative energy.
    OneMinuteEnergy(OneMinuteEnergy),
    /// D3 coefficient (0–999 999).
    Coefficient(u32),
    /// D7 number of effective digits (1–8).
    EffectiveDigits(u8),
    /// E0 cumulative energy, normal direction (raw count).
    CumulativeNormal(Measured<u32>),
    /// E1 unit for cumulative energy.
    EnergyUnit(EnergyUnit),
    /// E2 history 1, normal direction.
    HistoryNormal(History1),
    /// E3 cumulative energy, reverse direction (raw count).
    CumulativeReverse(Measured<u32>),
    /// E4 history 1, reverse direction.
    HistoryReverse(History1),
    /// E5 day for history 1 (0–99 days ago) or `Unset` (0xFF).
    HistoryDay(OrUnset<u8>),
    /// E7 instantaneous power in W (negative = export).
    InstantPower(Measured<i32>),
    /// E8 instantaneous currents.
    Currents(Currents),
    /// EA cumulative energy at fixed time, normal direction.
    FixedTimeNormal(StampedEnergy),
    /// EB cumulative energy at fixed time, reverse direction.
    FixedTimeReverse(StampedEnergy),
    /// EC history 2.
    History2(PairHistory),
    /// ED day/time for history 2.
    History2Setting(HistorySetting),
    /// EE history 3.
    History3(PairHistory),
    /// EF day/time for history 3.
    History3Setting(HistorySetting),
    /// An EPC this class does not define, kept raw.
    Unknown {
        /// The EPC.
        epc: u8,
        /// The raw EDT.
        edt: &'a [u8],
    },
}

/// Decode one property of class 0x0288.
pub fn decode(epc: u8, edt: &[u8]) -> Result<LvValue<'_>> {
    if (0x80..=0x9F).contains(&epc) {
        return common::decode(epc, edt).map(LvValue::Common);
    }
    let mut r = Reader::new(epc, edt);
    let v = match epc {
        0xC0 => LvValue::RouteBId(RouteBId(r.bytes(16)?)),
        0xD0 => LvValue::OneMinuteEnergy(OneMinuteEnergy {
            stamp: DateTime::read7(&mut r)?,
            normal: measured::u32_counter(r.u32()?),
            reverse: measured::u32_counter(r.u32()?),
        }),
        0xD3 => {
            let c = r.u32()?;
            if c > 999_999 {
                return Err(Error::BadValue { epc });
            }
            LvValue::Coefficient(c)
        }
        0xD7 => {
            let d = r.u8()?;
            if !(1..=8).contains(&d) {
                return Err(Error::BadValue { epc });
            }
            LvValue::EffectiveDigits(d)
        }
        0xE0 => LvValue::CumulativeNormal(measured::u32_counter(r.u32()?)),
        0xE1 => LvValue::EnergyUnit(EnergyUnit::from_code(r.u8()?)?),
        0xE2 => LvValue::HistoryNormal(History1::read(&mut r)?),
        0xE3 => LvValue::CumulativeReverse(measured::u32_counter(r.u32()?)),
        0xE4 => LvValue::HistoryReverse(History1::read(&mut r)?),
        0xE5 => LvValue::HistoryDay(read_day(&mut r)?),
        0xE7 => LvValue::InstantPower(measured::i32_reading(r.i32()?)),
        0xE8 => {
            let r_phase = measured::i16_reading(r.i16()?).map(DeciAmps);
            let t_raw = r.i16()?;
            let t = (t_raw != 0x7FFE).then(|| measured::i16_reading(t_raw).map(DeciAmps));
            LvValue::Currents(Currents { r: r_phase, t })
        }
        0xEA => LvValue::FixedTimeNormal(StampedEnergy::read(&mut r)?),
        0xEB => LvValue::FixedTimeReverse(StampedEnergy::read(&mut r)?),
        0xEC => LvValue::History2(PairHistory::read(&mut r, 30, HISTORY2_MAX)?),
        0xED => LvValue::History2Setting(HistorySetting::read(&mut r, HISTORY2_MAX as u8)?),
        0xEE => LvValue::History3(PairHistory::read(&mut r, 1, HISTORY3_MAX)?),
        0xEF => LvValue::History3Setting(HistorySetting::read(&mut r, HISTORY3_MAX as u8)?),
        _ => LvValue::Unknown { epc, edt: r.rest() },
    };
    r.finish()?;
    Ok(v)
}

/// Decode a "day for history" byte: 0–99, or 0xFF = unset.
pub(crate) fn read_day(r: &mut Reader<'_>) -> Result<OrUnset<u8>> {
    match r.u8()? {
        0xFF => Ok(OrUnset::Unset),
        d if d <= 99 => Ok(OrUnset::Value(d)),
        _ => Err(Error::BadValue { epc: r.epc() }),
    }
}

pub(crate) fn day_raw(d: OrUnset<u8>) -> u8 {
    match d {
        OrUnset::Value(v) => v,
        OrUnset::Unset => 0xFF,
    }
}

impl LvValue<'_> {
    /// The EPC this value belongs to.
    pub fn epc(&self) -> u8 {
        match self {
            LvValue::Common(c) => c.epc(),
            LvValue::RouteBId(_) => 0xC0,
            LvValue::OneMinuteEnergy(_) => 0xD0,
            LvValue::Coefficient(_) => 0xD3,
            LvValue::EffectiveDigits(_) => 0xD7,
            LvValue::CumulativeNormal(_) => 0xE0,
            LvValue::EnergyUnit(_) => 0xE1,
            LvValue::HistoryNormal(_) => 0xE2,
            LvValue::CumulativeReverse(_) => 0xE3,
            LvValue::HistoryReverse(_) => 0xE4,
            LvValue::HistoryDay(_) => 0xE5,
            LvValue::InstantPower(_) => 0xE7,
            LvValue::Currents(_) => 0xE8,
            LvValue::FixedTimeNormal(_) => 0xEA,
            LvValue::FixedTimeReverse(_) => 0xEB,
            LvValue::History2(_) => 0xEC,
            LvValue::History2Setting(_) => 0xED,
            LvValue::History3(_) => 0xEE,
            LvValue::History3Setting(_) => 0xEF,
            LvValue::Unknown { epc, .. } => *epc,
        }
    }

    /// Encode the EDT into `buf` (194 bytes always suffice); return its length.
    pub fn encode(&self, buf: &mut [u8]) -> Result<usize> {
        let mut w = Writer::new(buf);
        match self {
            LvValue::Common(c) => return c.encode(buf),
            LvValue::RouteBId(id) => w.bytes(id.0)?,
            LvValue::OneMinuteEnergy(v) => {
                DateTime::write7(v.stamp, &mut w)?;
                w.u32(measured::u32_counter_raw(v.normal))?;
                w.u32(measured::u32_counter_raw(v.reverse))?;
            }
            LvValue::Coefficient(c) => w.u32(*c)?,
            LvValue::EffectiveDigits(d) => w.u8(*d)?,
            LvValue::CumulativeNormal(m) | LvValue::CumulativeReverse(m) => {
                w.u32(measured::u32_counter_raw(*m))?
            }
            LvValue::EnergyUnit(u) => w.u8(u.code())?,
            LvValue::HistoryNormal(h) | LvValue::HistoryReverse(h) => h.write(&mut w)?,
            LvValue::HistoryDay(d) => w.u8(day_raw(*d))?,
            LvValue::InstantPower(p) => w.i32(measured::i32_reading_raw(*p))?,
            LvValue::Currents(c) => {
                w.i16(measured::i16_reading_raw(c.r.map(|a| a.0)))?;
                w.i16(match c.t {
                    Some(t) => measured::i16_reading_raw(t.map(|a| a.0)),
                    None => 0x7FFE,
                })?;
            }
            LvValue::FixedTimeNormal(s) | LvValue::FixedTimeReverse(s) => s.write(&mut w)?,
            LvValue::History2(h) | LvValue::History3(h) => h.write(&mut w)?,
            LvValue::History2Setting(s) | LvValue::History3Setting(s) => s.write(&mut w)?,
            LvValue::Unknown { edt, .. } => w.bytes(edt)?,
        }
        Ok(w.len())
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::energy::LvScale;
    use crate::frame::FrameRepr;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Parse a whole frame and decode its single property.
    fn decode_frame(bytes: &[u8]) -> LvValue<'_> {
        let repr = FrameRepr::parse_bytes(bytes).unwrap();
        let p = repr.props.iter().next().unwrap();
        decode(p.epc, p.edt).unwrap()
    }

    #[test]
    fn test_ak1211_e7_values() {
        // ../shared/fixtures/transcripts/ak1211-m5stickc-wisunhat-BP35A1_comm.txt
        // (github.com/ak1211/m5stickc-wisunhat BP35A1_comm.log): app-claimed watts.
        let cases = [
            ("000004A8", 1192),
            ("000004F0", 1264),
            ("000004E8", 1256),
            ("00000548", 1352),
            ("00000530", 1328),
            ("00000424", 1060),
            ("00000418", 1048),
            ("0000041C", 1052),
            ("00000430", 1072),
            ("000003F8", 1016),
            ("00000400", 1024),
            ("00000420", 1056),
            ("000003F0", 1008),
            ("00000440", 1088),
        ];
        for (edt, watts) in cases {
            let frame = hex(&format!("1081000102880105FF017201E704{edt}"));
            assert_eq!(
                decode_frame(&frame),
                LvValue::InstantPower(Measured::Value(watts)),
                "{edt}"
            );
        }
    }

    #[test]
    fn test_ak1211_e8_currents_not_truncated() {
        // Same ak1211 log. The app prints "R: 9.0 A, T: 3.0 A" for 00620022: it truncates to
        // whole amps (a bug in that app). The correct values are R 9.8 A, T 3.4 A.
        let frame = hex("1081000102880105FF017201E80400620022");
        let LvValue::Currents(c) = decode_frame(&frame) else {
            panic!()
        };
        assert_eq!(c.r, Measured::Value(DeciAmps(98)));
        assert_eq!(c.t, Some(Measured::Value(DeciAmps(34))));
        assert_eq!(c.r.value().unwrap().to_string(), "9.8");
        assert_eq!(c.r.value().unwrap().amps().to_string(), "9.8");
        // INDEX.md derived values for the other E8 frames of that log (R, T in 0.1 A).
        let cases = [
            ("005F0022", 95, 34),
            ("005F0028", 95, 40),
            ("0062002C", 98, 44),
            ("00460027", 70, 39),
            ("00460026", 70, 38),
            ("00450026", 69, 38),
            ("00420026", 66, 38),
            ("00480025", 72, 37),
            ("00450025", 69, 37),
            ("00460025", 70, 37),
            ("00450027", 69, 39),
            ("00440026", 68, 38),
            ("00460021", 70, 33),
            ("00430020", 67, 32),
        ];
        for (edt, r, t) in cases {
            assert_eq!(
                decode(0xE8, &hex(edt)).unwrap(),
                LvValue::Currents(Currents {
                    r: Measured::Value(DeciAmps(r)),
                    t: Some(Measured::Value(DeciAmps(t))),
                }),
                "{edt}"
            );
        }
    }

    #[test]
    fn test_ak1211_ea_e1_d7() {
        // ak1211 log: EA Get_Res "2022/ 8/ 1 20:00:00 76999", E1 02 "*0.01 kwh", D7 07.
        let ea = hex("1081000102880105FF017201EA0B07E6080114000000012CC7");
        let LvValue::FixedTimeNormal(s) = decode_frame(&ea) else {
            panic!()
        };
        assert_eq!(
            s.stamp,
            OrUnset::Value(DateTime::new(2022, 8, 1, 20, 0, 0).unwrap())
        );
        assert_eq!(s.value, Measured::Value(76999));
        let e1 = hex("1081000102880105FF017201E10102");
        let LvValue::EnergyUnit(unit) = decode_frame(&e1) else {
            panic!()
        };
        assert_eq!(unit.to_string(), "0.01");
        let d7 = hex("1081000102880105FF017201D70107");
        assert_eq!(decode_frame(&d7), LvValue::EffectiveDigits(7));
        // D3 answered Get_SNA, so the coefficient is 1: 769.99 kWh (derived in INDEX.md).
        assert_eq!(
            LvScale::new(None, unit).kwh(s.value),
            Measured::Value("769.99".parse().unwrap())
        );
        // The EA INF at 20:30 (TID 0362): 77058 → 770.58 kWh.
        let inf = hex("1081036202880105FF017301EA0B07E60801141E0000012D02");
        let LvValue::FixedTimeNormal(s) = decode_frame(&inf) else {
            panic!()
        };
        assert_eq!(
            s.stamp,
            OrUnset::Value(DateTime::new(2022, 8, 1, 20, 30, 0).unwrap())
        );
        assert_eq!(LvScale::new(None, unit).apply(77058).to_string(), "770.58");
    }

    #[test]
    fn test_qiita_ea_eb_inf() {
        // ../shared/fixtures/transcripts/qiita-74f11b729a7859da63af-nerves-rs-wsuha-p.txt:
        // INF OPC 2: EA = 2023-12-19 00:30:00 raw 17806, EB = same time raw 21.
        let bytes =
            hex("1081000102880105FF017302EA0B07E70C13001E000000458EEB0B07E70C13001E0000000015");
        let repr = FrameRepr::parse_bytes(&bytes).unwrap();
        let values: Vec<_> = repr
            .props
            .iter()
            .map(|p| decode(p.epc, p.edt).unwrap())
            .collect();
        let stamp = OrUnset::Value(DateTime::new(2023, 12, 19, 0, 30, 0).unwrap());
        assert_eq!(
            values,
            [
                LvValue::FixedTimeNormal(StampedEnergy {
                    stamp,
                    value: Measured::Value(17806)
                }),
                LvValue::FixedTimeReverse(StampedEnergy {
                    stamp,
                    value: Measured::Value(21)
                }),
            ]
        );
        // qiita E7 Get_Res: 228 W.
        let e7 = hex("1081525302880105FF017201E704000000E4");
        assert_eq!(
            decode_frame(&e7),
            LvValue::InstantPower(Measured::Value(228))
        );
    }

    #[test]
    fn test_vkgtaro_values() {
        // ../shared/fixtures/transcripts/vkgtaro-home_power_usage-memo.txt
        // (github.com/vkgtaro/home_power_usage memo.md): E7 27 W and 26 W, D3 1, E1 0.1,
        // E0 75313 → 7531.3 kWh.
        let e7 = hex("1081000102880105FF017201E7040000001B");
        assert_eq!(
            decode_frame(&e7),
            LvValue::InstantPower(Measured::Value(27))
        );
        let e7 = hex("1081000202880105FF017201E7040000001A");
        assert_eq!(
            decode_frame(&e7),
            LvValue::InstantPower(Measured::Value(26))
        );
        let d3 = hex("1081000302880105FF017201D30400000001");
        assert_eq!(decode_frame(&d3), LvValue::Coefficient(1));
        let e1 = hex("1081000402880105FF017201E10101");
        assert_eq!(decode_frame(&e1), LvValue::EnergyUnit(EnergyUnit::TENTH));
        let e0 = hex("1081000502880105FF017201E00400012631");
        let LvValue::CumulativeNormal(raw) = decode_frame(&e0) else {
            panic!()
        };
        assert_eq!(raw, Measured::Value(75313));
        let kwh = LvScale::new(Some(1), EnergyUnit::TENTH).kwh(raw);
        assert_eq!(kwh.value().unwrap().to_string(), "7531.3");
    }

    #[test]
    fn test_negative_power_and_currents() {
        // ../shared/fixtures/transcripts/vkgtaro-home_power_usage-test-fixtures.txt: E7
        // FFFFF856 = -1962 W (test data), 0000001C = 28 W.
        let e7 = hex("1081000302880105FF017201E704FFFFF856");
        assert_eq!(
            decode_frame(&e7),
            LvValue::InstantPower(Measured::Value(-1962))
        );
        let e7 = hex("1081000302880105FF017201E7040000001C");
        assert_eq!(
            decode_frame(&e7),
            LvValue::InstantPower(Measured::Value(28))
        );
        // ../shared/fixtures/transcripts/futomi-node-wisunrb-README.txt: -524 W; and
        // E7+E8 in one Get_Res: -1489 W, R -7.0 A, T -8.0 A.
        assert_eq!(
            decode(0xE7, &hex("FFFFFDF4")).unwrap(),
            LvValue::InstantPower(Measured::Value(-524))
        );
        let bytes = hex("1081657202880105FF017202E704FFFFFA2FE804FFBAFFB0");
        let repr = FrameRepr::parse_bytes(&bytes).unwrap();
        assert_eq!(repr.tid, 25970);
        let mut it = repr.props.iter();
        let p = it.next().unwrap();
        assert_eq!(
            decode(p.epc, p.edt).unwrap(),
            LvValue::InstantPower(Measured::Value(-1489))
        );
        let p = it.next().unwrap();
        let LvValue::Currents(c) = decode(p.epc, p.edt).unwrap() else {
            panic!()
        };
        assert_eq!(c.r.value().unwrap().to_string(), "-7.0");
        assert_eq!(c.t.unwrap().value().unwrap().to_string(), "-8.0");
        // false-git README: E7 000002AE = 686 W.
        let e7 = hex("1081000102880105FF017201E704000002AE");
        assert_eq!(
            decode_frame(&e7),
            LvValue::InstantPower(Measured::Value(686))
        );
    }

    #[test]
    fn test_get_sna_still_yields_good_properties() {
        // Shape seen in T-scottyphillips (protocol.md §B.2): a multi-property Get answered
        // with Get_SNA because one EPC (here E1) is unsupported; the others carry values.
        // Bytes constructed from the ak1211 values.
        let bytes = hex("1081000102880105FF015203E704000004A8E100E80400620022");
        let repr = FrameRepr::parse_bytes(&bytes).unwrap();
        assert!(repr.esv.is_sna());
        let good: Vec<_> = repr
            .props
            .iter()
            .filter(|p| !p.edt.is_empty())
            .map(|p| decode(p.epc, p.edt).unwrap())
            .collect();
        assert_eq!(good.len(), 2);
        assert_eq!(good[0], LvValue::InstantPower(Measured::Value(1192)));
        let missing: Vec<u8> = repr
            .props
            .iter()
            .filter(|p| p.edt.is_empty())
            .map(|p| p.epc)
            .collect();
        assert_eq!(missing, [0xE1]);
        let lines = crate::pretty::render(&bytes, crate::names::Lang::En);
        assert_eq!(
            lines[2],
            "  E1 Unit for cumulative energy (normal and reverse): not available"
        );
    }

    #[test]
    fn test_sentinels_never_numbers() {
        assert_eq!(
            decode(0xE7, &hex("7FFFFFFE")).unwrap(),
            LvValue::InstantPower(Measured::NoData)
        );
        assert_eq!(
            decode(0xE7, &hex("80000000")).unwrap(),
            LvValue::InstantPower(Measured::Underflow)
        );
        assert_eq!(
            decode(0xE0, &hex("FFFFFFFE")).unwrap(),
            LvValue::CumulativeNormal(Measured::NoData)
        );
        // Single-phase two-wire meter: T = 0x7FFE means "T not present".
        let LvValue::Currents(c) = decode(0xE8, &hex("00627FFE")).unwrap() else {
            panic!()
        };
        assert_eq!(c.t, None);
        assert_eq!(c.r, Measured::Value(DeciAmps(98)));
        let LvValue::Currents(c) = decode(0xE8, &hex("7FFE0010")).unwrap() else {
            panic!()
        };
        assert_eq!(c.r, Measured::NoData);
    }

    fn history1_edt() -> Vec<u8> {
        let mut v = vec![0x00, 0x01];
        for i in 0..48u32 {
            let raw = if i == 47 { 0xFFFF_FFFE } else { 76000 + i * 10 };
            v.extend_from_slice(&raw.to_be_bytes());
        }
        v
    }

    #[test]
    fn test_history1_forward_from_midnight() {
        let edt = history1_edt();
        assert_eq!(edt.len(), 194);
        let LvValue::HistoryNormal(h) = decode(0xE2, &edt).unwrap() else {
            panic!()
        };
        assert_eq!(h.day, OrUnset::Value(1));
        assert_eq!(h.slots[0], Measured::Value(76000));
        assert_eq!(h.slots[47], Measured::NoData);
        assert_eq!(History1::slot_time(0), Time::new(0, 0));
        assert_eq!(History1::slot_time(47), Time::new(23, 30));
        assert_eq!(History1::slot_time(48), None);
        let today = Date::new(2022, 8, 1).unwrap();
        assert_eq!(
            h.slot_datetime(3, today),
            DateTime::new(2022, 7, 31, 1, 30, 0)
        );
        let mut buf = [0u8; 194];
        assert_eq!(LvValue::HistoryNormal(h).encode(&mut buf), Ok(194));
        assert_eq!(&buf[..], &edt[..]);
        // Unset day counter 0x00FF; day 100 is out of range; 193 bytes is too short.
        let mut unset = edt.clone();
        unset[1] = 0xFF;
        let LvValue::HistoryNormal(h) = decode(0xE2, &unset).unwrap() else {
            panic!()
        };
        assert_eq!(h.day, OrUnset::Unset);
        let mut bad = edt.clone();
        bad[1] = 100;
        assert_eq!(decode(0xE2, &bad), Err(Error::BadValue { epc: 0xE2 }));
        assert_eq!(
            decode(0xE4, &edt[..193]),
            Err(Error::BadEdtLength {
                epc: 0xE4,
                len: 193
            })
        );
    }

    #[test]
    fn test_history2_backward_from_stamp() {
        // Constructed (no real EC capture exists, see INDEX.md gaps): 2022-08-01 00:00,
        // 3 pairs; each next pair is 30 minutes earlier.
        let mut edt = hex("07E608010000");
        edt.push(3);
        for (n, r) in [(77058u32, 21u32), (76999, 21), (0xFFFF_FFFE, 0xFFFF_FFFE)] {
            edt.extend_from_slice(&n.to_be_bytes());
            edt.extend_from_slice(&r.to_be_bytes());
        }
        let LvValue::History2(h) = decode(0xEC, &edt).unwrap() else {
            panic!()
        };
        assert_eq!(h.pairs().len(), 3);
        assert_eq!(h.pairs()[2], (Measured::NoData, Measured::NoData));
        assert_eq!(h.slot_stamp(1), DateTime::new(2022, 7, 31, 23, 30, 0));
        assert_eq!(h.slot_stamp(2), DateTime::new(2022, 7, 31, 23, 0, 0));
        assert_eq!(h.slot_stamp(3), None);
        let mut buf = [0u8; 64];
        let n = LvValue::History2(h).encode(&mut buf).unwrap();
        assert_eq!(&buf[..n], &edt[..]);
        // EE: same layout, 1-minute steps.
        let LvValue::History3(h3) = decode(0xEE, &edt).unwrap() else {
            panic!()
        };
        assert_eq!(h3.slot_stamp(2), DateTime::new(2022, 7, 31, 23, 58, 0));
        // Count disagreeing with the length, count 0, count over the limit.
        assert_eq!(
            decode(0xEC, &edt[..edt.len() - 8]),
            Err(Error::BadEdtLength { epc: 0xEC, len: 23 })
        );
        let mut zero = edt.clone();
        zero[6] = 0;
        assert_eq!(decode(0xEC, &zero), Err(Error::BadValue { epc: 0xEC }));
        let mut many = hex("07E608010000");
        many.push(11);
        many.extend_from_slice(&[0; 88]);
        assert_eq!(decode(0xEE, &many), Err(Error::BadValue { epc: 0xEE }));
        assert!(decode(0xEC, &many).is_ok());
    }

    #[test]
    fn test_history2_default_value() {
        // MRA default: FFFFFFFFFFFF01 FFFFFFFE FFFFFFFE.
        let edt = hex("FFFFFFFFFFFF01FFFFFFFEFFFFFFFE");
        let LvValue::History2(h) = decode(0xEC, &edt).unwrap() else {
            panic!()
        };
        assert_eq!(h.stamp, OrUnset::Unset);
        assert_eq!(h.pairs(), &[(Measured::NoData, Measured::NoData)]);
        assert_eq!(h.slot_stamp(0), None);
        let LvValue::History2Setting(s) = decode(0xED, &hex("FFFFFFFFFFFF01")).unwrap() else {
            panic!()
        };
        assert_eq!(
            s,
            HistorySetting {
                stamp: OrUnset::Unset,
                count: 1
            }
        );
    }

    #[test]
    fn test_d0_c0_e5() {
        let d0 = hex("07E90315120100000012340000000A");
        let LvValue::OneMinuteEnergy(v) = decode(0xD0, &d0).unwrap() else {
            panic!()
        };
        assert_eq!(v.normal, Measured::Value(0x1234));
        assert_eq!(v.reverse, Measured::Value(10));
        let c0 = hex("00000016000102030405060708090A0B");
        let LvValue::RouteBId(id) = decode(0xC0, &c0).unwrap() else {
            panic!()
        };
        assert_eq!(id.maker(), Some(0x16));
        assert_eq!(id.free_area().len(), 12);
        assert_eq!(
            decode(0xE5, &[0xFF]),
            Ok(LvValue::HistoryDay(OrUnset::Unset))
        );
        assert_eq!(
            decode(0xE5, &[99]),
            Ok(LvValue::HistoryDay(OrUnset::Value(99)))
        );
        assert_eq!(decode(0xE5, &[100]), Err(Error::BadValue { epc: 0xE5 }));
        assert_eq!(decode(0xD7, &[9]), Err(Error::BadValue { epc: 0xD7 }));
        assert_eq!(decode(0xE1, &[0x05]), Err(Error::UnknownUnit(0x05)));
        assert_eq!(
            decode(0xF0, &[1, 2]),
            Ok(LvValue::Unknown {
                epc: 0xF0,
                edt: &[1, 2]
            })
        );
    }

    #[test]
    fn test_epc_enum() {
        assert_eq!(u8::from(Epc::InstantPower), 0xE7);
        assert_eq!(Epc::from(0xE8), Epc::Currents);
        assert_eq!(Epc::from(0x01), Epc::Unknown(0x01));
    }
}
