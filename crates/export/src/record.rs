//! [`Record`]: one recorded reading in a storage-neutral, serialisable form.
//!
//! The web app converts each engine event it keeps ([`broute::Reading`],
//! [`broute::HalfHour`]) into a `Record` with the wall-clock time it arrived, stores it
//! (IndexedDB, as JSON), and exports from it. Numbers stay exact: counts as integers, scaled
//! values as decimal strings from [`echonet::Decimal`]'s `Display`, sentinel codes as explicit
//! [`Cell`] variants (never a number). Absent fields are omitted from the JSON, so a
//! low-voltage record is about 150 bytes and 24 h at 5 s (17 280 records) about 2.6 MB.

use serde::de::Deserializer;
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use broute::{HalfHour, HvReading, LvReading, MeterClass, MeterIdentity, Reading, ReadingValues};
use echonet::lv::DeciAmps;
use echonet::{counter_delta, Decimal, EnergyUnit, HvScale, LvScale, Measured, Multiplier};

use crate::time::meter_to_epoch_ms;

/// A measured value or the meter's sentinel code.
///
/// JSON: a number for a value, `"no_data"`, `"overflow"` or `"underflow"` for the codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell<T> {
    /// A real reading.
    Value(T),
    /// The "no data" code (0xFFFFFFFE, 0x7FFFFFFE, 0x7FFE).
    NoData,
    /// The overflow code.
    Overflow,
    /// The underflow code.
    Underflow,
}

impl<T> Cell<T> {
    /// The reading, if this is one.
    pub fn value(self) -> Option<T> {
        match self {
            Cell::Value(v) => Some(v),
            _ => None,
        }
    }
}

impl<T> From<Measured<T>> for Cell<T> {
    fn from(m: Measured<T>) -> Self {
        match m {
            Measured::Value(v) => Cell::Value(v),
            Measured::NoData => Cell::NoData,
            Measured::Overflow => Cell::Overflow,
            Measured::Underflow => Cell::Underflow,
        }
    }
}

impl<T: Serialize> Serialize for Cell<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Value(v) => v.serialize(s),
            Cell::NoData => s.serialize_str("no_data"),
            Cell::Overflow => s.serialize_str("overflow"),
            Cell::Underflow => s.serialize_str("underflow"),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CellRepr<T> {
    Value(T),
    Code(String),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Cell<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match CellRepr::<T>::deserialize(d)? {
            CellRepr::Value(v) => Ok(Cell::Value(v)),
            CellRepr::Code(c) => match c.as_str() {
                "overflow" => Ok(Cell::Overflow),
                "underflow" => Ok(Cell::Underflow),
                // "no_data" and anything unknown: not a number.
                _ => Ok(Cell::NoData),
            },
        }
    }
}

/// What a record holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A poll of a low-voltage meter (E7, E8, E0, E3).
    Lv,
    /// A poll of a high-voltage meter (E2, C3, C1, CA).
    Hv,
    /// A 30-minute fixed-time value (EA/EB), pushed or read.
    HalfHour,
}

/// A counter reading: raw count, exact scaled value and, when the meter stamped it, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counter {
    /// The count as the meter sent it, or its sentinel.
    pub raw: Cell<u32>,
    /// raw × scaling as an exact decimal string (kWh, kW or kvarh); absent for a sentinel or
    /// while the unit is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The meter's stamp for this value (its clock, taken as Japan time), epoch ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_ms: Option<i64>,
}

impl Counter {
    fn new(raw: Measured<u32>, value: Option<Decimal>, at_ms: Option<i64>) -> Counter {
        Counter {
            raw: raw.into(),
            value: value.filter(|_| raw.is_value()).map(|d| d.to_string()),
            at_ms,
        }
    }

    fn energy(e: &broute::Energy, at_ms: Option<i64>) -> Counter {
        Counter::new(e.raw, e.kwh, at_ms)
    }
}

/// One recorded reading (see the module docs). Fields a record kind does not use are `None`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Record {
    /// Wall-clock time the answer arrived, Unix epoch ms (UTC).
    pub t_ms: i64,
    /// What this record holds.
    pub kind: RecordKind,
    /// Round trip from the request to the answer, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtt_ms: Option<u32>,
    /// RSSI of the answer, dBm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rssi_dbm: Option<i16>,
    /// E7 instantaneous power, W (negative = export).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_w: Option<Cell<i32>>,
    /// E8 R-phase current, 0.1 A.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_r_da: Option<Cell<i16>>,
    /// E8 T-phase current, 0.1 A (absent on single-phase two-wire meters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_t_da: Option<Cell<i16>>,
    /// Normal direction: E0 (low-voltage poll), EA (half hour) or E2 active energy
    /// (high-voltage), kWh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normal: Option<Counter>,
    /// Reverse direction: E3 or EB, kWh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reverse: Option<Counter>,
    /// High-voltage C3 demand at fixed time (30-minute average), kW.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demand: Option<Counter>,
    /// High-voltage C1 monthly maximum demand, kW.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_demand: Option<Counter>,
    /// High-voltage CA reactive energy (lag), kvarh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reactive: Option<Counter>,
    /// One count in kWh (D3 × E1, or D3 × D4 × E6) when the scaling was known; exact decimal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kwh_per_count: Option<String>,
}

fn stamp_ms(s: echonet::OrUnset<echonet::DateTime>) -> Option<i64> {
    s.value().map(|d| meter_to_epoch_ms(&d))
}

impl Record {
    fn empty(t_ms: i64, kind: RecordKind) -> Record {
        Record {
            t_ms,
            kind,
            rtt_ms: None,
            rssi_dbm: None,
            power_w: None,
            current_r_da: None,
            current_t_da: None,
            normal: None,
            reverse: None,
            demand: None,
            max_demand: None,
            reactive: None,
            kwh_per_count: None,
        }
    }

    /// A low-voltage record from plain values (tests, examples, imports): power in W and the
    /// normal counter as (raw, exact kWh text).
    pub fn lv(t_ms: i64, power_w: Option<i32>, normal: Option<(u32, &str)>) -> Record {
        let mut r = Record::empty(t_ms, RecordKind::Lv);
        r.power_w = power_w.map(Cell::Value);
        r.normal = normal.map(|(raw, kwh)| Counter {
            raw: Cell::Value(raw),
            value: Some(kwh.to_string()),
            at_ms: None,
        });
        r
    }

    /// The time (`t_ms`) of a record as stored, read from the start of its JSON
    /// (`{"t_ms":1795651205000,…`, the first field of the serde form) without parsing the rest:
    /// the page needs it to key records and has no JSON parser. `None` for anything else.
    pub fn stored_time(json: &str) -> Option<i64> {
        let rest = json.trim_start().strip_prefix('{')?.trim_start();
        let rest = rest.strip_prefix("\"t_ms\"")?.trim_start();
        let rest = rest.strip_prefix(':')?.trim_start();
        let end = rest
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
            .map_or(rest.len(), |(i, _)| i);
        rest.get(..end)?.parse().ok()
    }

    /// Convert an engine reading received at wall-clock `t_ms` (`Date.now()`). `scaling`, when
    /// given, fills [`Record::kwh_per_count`].
    pub fn from_reading(t_ms: i64, reading: &Reading, scaling: Option<&Scaling>) -> Record {
        let mut r = match &reading.values {
            ReadingValues::Low(lv) => Record::from_lv(t_ms, lv),
            ReadingValues::High(hv) => Record::from_hv(t_ms, hv),
        };
        r.rtt_ms = Some(u32::try_from(reading.rtt_ms).unwrap_or(u32::MAX));
        r.rssi_dbm = reading.rssi_dbm;
        r.kwh_per_count = scaling
            .and_then(Scaling::kwh_per_count)
            .map(|d| d.to_string());
        r
    }

    fn from_lv(t_ms: i64, lv: &LvReading) -> Record {
        let mut r = Record::empty(t_ms, RecordKind::Lv);
        r.power_w = lv.power_w.map(Cell::from);
        if let Some(c) = lv.currents {
            r.current_r_da = Some(c.r.map(|DeciAmps(a)| a).into());
            r.current_t_da = c.t.map(|t| t.map(|DeciAmps(a)| a).into());
        }
        r.normal = lv.energy_normal.as_ref().map(|e| Counter::energy(e, None));
        r.reverse = lv.energy_reverse.as_ref().map(|e| Counter::energy(e, None));
        r
    }

    fn from_hv(t_ms: i64, hv: &HvReading) -> Record {
        let mut r = Record::empty(t_ms, RecordKind::Hv);
        r.normal = hv
            .active_energy
            .as_ref()
            .map(|(s, e)| Counter::energy(e, stamp_ms(*s)));
        r.demand = hv
            .demand
            .map(|(s, raw, kw)| Counter::new(raw, kw, stamp_ms(s)));
        r.max_demand = hv
            .monthly_max_demand
            .map(|(raw, kw)| Counter::new(raw, kw, None));
        r.reactive = hv
            .reactive_energy
            .as_ref()
            .map(|(s, e)| Counter::energy(e, stamp_ms(*s)));
        r
    }

    /// Convert a half-hour value (EA/EB) received at wall-clock `t_ms`.
    pub fn from_half_hour(t_ms: i64, h: &HalfHour, scaling: Option<&Scaling>) -> Record {
        let mut r = Record::empty(t_ms, RecordKind::HalfHour);
        r.normal = h
            .normal
            .as_ref()
            .map(|(s, e)| Counter::energy(e, stamp_ms(*s)));
        r.reverse = h
            .reverse
            .as_ref()
            .map(|(s, e)| Counter::energy(e, stamp_ms(*s)));
        r.kwh_per_count = scaling
            .and_then(Scaling::kwh_per_count)
            .map(|d| d.to_string());
        r
    }
}

/// Low- or high-voltage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MeterKind {
    /// 0x0288.
    #[default]
    Low,
    /// 0x028A.
    High,
}

/// A meter's scaling in serialisable form: every code as the meter sent it.
///
/// Low-voltage: kWh = raw × D3 × E1, counters roll over at 10^D7. High-voltage: kWh = raw × D3
/// × D4 × E6, kW = raw × D3 × D4 × C5, kvarh = raw × D3 × D4 × CD, active energy rolls over at
/// 10^E5. A missing D3 counts as 1 (Get_SNA), a missing D4 as ×1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Scaling {
    /// Low- or high-voltage.
    pub class: MeterKind,
    /// D3 coefficient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coefficient: Option<u32>,
    /// D4 multiplier code (high-voltage; 0x02 = ×0.01).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplier: Option<u8>,
    /// Energy unit code: E1 (low-voltage) or E6 (high-voltage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<u8>,
    /// Effective digits of the energy counters: D7 (low-voltage) or E5 (high-voltage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digits: Option<u8>,
    /// C5 demand unit code (high-voltage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demand_unit: Option<u8>,
    /// CD reactive-energy unit code (high-voltage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reactive_unit: Option<u8>,
}

impl From<&MeterIdentity> for Scaling {
    fn from(id: &MeterIdentity) -> Scaling {
        match id.class {
            MeterClass::LowVoltage => Scaling {
                class: MeterKind::Low,
                coefficient: id.lv.coefficient,
                multiplier: None,
                unit: id.lv.unit.map(EnergyUnit::code),
                digits: id.lv.digits,
                demand_unit: None,
                reactive_unit: None,
            },
            MeterClass::HighVoltage => Scaling {
                class: MeterKind::High,
                coefficient: id.hv.coefficient,
                multiplier: id.hv.multiplier.map(Multiplier::code),
                unit: id.hv.active_unit.map(EnergyUnit::code),
                digits: id.hv.active_digits,
                demand_unit: id.hv.demand_unit.map(EnergyUnit::code),
                reactive_unit: id.hv.reactive_unit.map(EnergyUnit::code),
            },
        }
    }
}

impl Scaling {
    fn scale(&self, unit: Option<u8>) -> Option<Decimal> {
        let unit = EnergyUnit::from_code(unit?).ok()?;
        match self.class {
            MeterKind::Low => Some(LvScale::new(self.coefficient, unit).apply(1)),
            MeterKind::High => Some(
                HvScale {
                    coefficient: self.coefficient.unwrap_or(1),
                    multiplier: Multiplier::from_code(self.multiplier.unwrap_or(0)).ok()?,
                    unit,
                }
                .apply(1),
            ),
        }
    }

    /// One count of the energy counters in kWh, exactly; `None` while the unit is unknown
    /// (or a code is invalid).
    pub fn kwh_per_count(&self) -> Option<Decimal> {
        self.scale(self.unit)
    }

    /// One count of demand in kW (high-voltage C5).
    pub fn kw_per_count(&self) -> Option<Decimal> {
        self.scale(self.demand_unit)
    }

    /// kWh of a raw energy count, exactly.
    pub fn kwh(&self, raw: u32) -> Option<Decimal> {
        self.kwh_per_count()?
            .checked_mul(Decimal::from_int(i64::from(raw)))
    }

    /// Counts between two readings of an energy counter, rolling over at 10^digits (D7/E5).
    /// Without a digit count, a decrease gives `None` (it cannot be told from a reset).
    pub fn delta_counts(&self, prev: u32, next: u32) -> Option<u64> {
        match self.digits {
            Some(d) => counter_delta(prev, next, d).ok(),
            None => next.checked_sub(prev).map(u64::from),
        }
    }

    /// kWh between two readings, roll-over aware.
    pub fn delta_kwh(&self, prev: u32, next: u32) -> Option<Decimal> {
        let n = i64::try_from(self.delta_counts(prev, next)?).ok()?;
        self.kwh_per_count()?.checked_mul(Decimal::from_int(n))
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn cell_json() {
        let c: Vec<Cell<i32>> = vec![Cell::Value(-524), Cell::NoData, Cell::Overflow];
        let j = serde_json::to_string(&c).unwrap();
        assert_eq!(j, r#"[-524,"no_data","overflow"]"#);
        assert_eq!(serde_json::from_str::<Vec<Cell<i32>>>(&j).unwrap(), c);
        assert_eq!(
            serde_json::from_str::<Cell<i32>>(r#""junk""#).unwrap(),
            Cell::NoData
        );
    }

    #[test]
    fn stored_time_reads_the_first_field() {
        let r = Record::lv(1_795_651_205_000, Some(-524), None);
        let j = serde_json::to_string(&r).unwrap();
        assert_eq!(Record::stored_time(&j), Some(1_795_651_205_000));
        assert_eq!(Record::stored_time(" { \"t_ms\" : -5 ,"), Some(-5));
        for bad in [
            "",
            "{",
            "{\"kind\":1}",
            "{\"t_ms\":}",
            "{\"t_ms\":99999999999999999999}",
            "[1]",
        ] {
            assert_eq!(Record::stored_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn scaling_steps() {
        let hv = Scaling {
            class: MeterKind::High,
            coefficient: Some(24),
            multiplier: Some(2),
            unit: Some(0),
            digits: Some(8),
            ..Scaling::default()
        };
        assert_eq!(hv.kwh_per_count().unwrap().to_string(), "0.24");
        assert_eq!(hv.kwh(100).unwrap().to_string(), "24");
        let lv = Scaling {
            unit: Some(1),
            digits: Some(6),
            ..Scaling::default()
        };
        assert_eq!(lv.kwh(75313).unwrap().to_string(), "7531.3");
        assert_eq!(lv.delta_kwh(999_990, 5).unwrap().to_string(), "1.5");
        assert_eq!(lv.delta_kwh(5, 1_000_000), None);
        let bad = Scaling {
            unit: Some(0x77),
            ..Scaling::default()
        };
        assert_eq!(bad.kwh(1), None);
    }
}
