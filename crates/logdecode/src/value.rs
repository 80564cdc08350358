//! Typed property values in the output schema (`value` beside `text`), built from the
//! `echonet` codec's typed values and the scaling the log has shown so far.
//!
//! Conventions: quantities are exact decimal strings with their unit (`"769.99"`, `"kWh"`);
//! date-times are ISO 8601 in Japan time (`2022-08-01T20:00:00+09:00`); property maps are lists
//! of EPCs; the release is its letter; sentinel codes are explicit `status` values, never
//! numbers.

use echonet::common::{CommonValue, FaultStatus, OnOff};
use echonet::datetime::OrUnset;
use echonet::hv::HvValue;
use echonet::lv::{Currents, DeciAmps, History1, LvValue, PairHistory, StampedEnergy};
use echonet::node_profile::NpValue;
use echonet::{DateTime, Decimal, EnergyUnit, HvScale, LvScale, Measured, Multiplier};
use serde::{Deserialize, Serialize};

/// Why a reading has no number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The meter's "no data" code (0xFFFFFFFE, 0x7FFFFFFE, 0x7FFE).
    NoData,
    /// The overflow code.
    Overflow,
    /// The underflow code.
    Underflow,
    /// The "not set" default (0xFF…).
    Unset,
    /// Not present on this meter (E8 T phase of a single-phase two-wire meter).
    Absent,
}

/// A raw counter value or why there is none: serialises as a number or a status string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Count {
    /// The raw count.
    Raw(u32),
    /// The sentinel.
    Missing(Status),
}

/// A measured quantity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    /// Exact decimal, `null` with a `status`.
    pub value: Option<String>,
    /// Unit (`W`, `A`, `kW`).
    pub unit: String,
    /// Why there is no value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
}

/// How an energy count was scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// raw × D3 × E1, D3 read from the meter.
    D3,
    /// raw × E1; the meter answered Get_SNA for D3, so 1 applies.
    D3Unsupported,
    /// raw × E1; D3 not seen in the log, 1 assumed.
    D3NotSeen,
    /// High-voltage: raw × D3 × D4 × unit, all read from the meter.
    Hv,
    /// The unit has not been seen yet: no value.
    Unknown,
}

/// One energy count with its scaled value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// Time of the count, ISO 8601 +09:00, when the meter gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// The raw count or its status.
    pub raw: Count,
    /// The scaled value (exact decimal) when the scale is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A (normal, reverse) pair of history 2/3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pair {
    /// Time of the pair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// Normal direction.
    pub normal: Slot,
    /// Reverse direction.
    pub reverse: Slot,
}

/// A typed property value (`"type"` tells the shape; `docs/decode.md` lists them all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Value {
    /// A measured quantity: E7 (W), 0x028A C1/C2 (kW).
    Quantity(Amount),
    /// E8: R and T phase currents.
    Currents {
        /// R phase.
        r: Amount,
        /// T phase (`status: "absent"` on single-phase two-wire meters).
        t: Amount,
    },
    /// An energy count (E0/E3, EA/EB with `at`, 0x028A E2/E3/E4/C3/CA/CB).
    Energy {
        /// The count.
        #[serde(flatten)]
        slot: Slot,
        /// Unit of `value`.
        unit: String,
        /// How `value` was scaled.
        scale: Scale,
    },
    /// D0: one-minute normal and reverse counts.
    EnergyPair {
        /// Time of the counts.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<String>,
        /// Normal direction.
        normal: Slot,
        /// Reverse direction.
        reverse: Slot,
        /// Unit of the values.
        unit: String,
        /// How the values were scaled.
        scale: Scale,
    },
    /// E2/E4 (0x028A C6/CE/E7): 48 half-hour counts from 00:00 of a day.
    History {
        /// Days before today; `null` when unset.
        days_ago: Option<u16>,
        /// The counts, oldest first.
        slots: Vec<Slot>,
        /// Unit of the values.
        unit: String,
        /// How the values were scaled.
        scale: Scale,
    },
    /// EC/EE: (normal, reverse) pairs running back from `at`.
    PairHistory {
        /// Time of the first pair.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<String>,
        /// Minutes between pairs.
        step_minutes: u8,
        /// The pairs, newest first.
        pairs: Vec<Pair>,
        /// Unit of the values.
        unit: String,
        /// How the values were scaled.
        scale: Scale,
    },
    /// ED/EF: which history 2/3 record to read.
    HistorySetting {
        /// Time of the newest pair; `null` when unset.
        at: Option<String>,
        /// Number of pairs.
        count: u8,
    },
    /// E5 (0x028A E1): days before today; `null` when unset.
    Day {
        /// Days.
        days_ago: Option<u16>,
    },
    /// A plain number (D3, D7, 0x028A C4/CC/E0/E5, node profile D3/D4).
    Integer {
        /// The number.
        value: i64,
    },
    /// A unit code (E1; 0x028A C5/C7/CD/E6).
    Unit {
        /// The code, two hex digits.
        code: String,
        /// Exact factor per count.
        factor: String,
        /// What the factor is in.
        unit: String,
    },
    /// 0x028A D4: multiplying factor of the coefficient.
    Multiplier {
        /// The code.
        code: String,
        /// Exact factor.
        factor: String,
    },
    /// A coded state (0x80 `on`/`off`, 0x88 `fault`/`no_fault`).
    State {
        /// The code, two hex digits.
        code: String,
        /// Its meaning (`unknown` for other codes).
        state: String,
    },
    /// 0x82 of a device object: the Appendix release letter.
    Release {
        /// The letter, `null` when byte 3 is not a letter.
        release: Option<String>,
    },
    /// 0x82 of the node profile: ECHONET Lite version.
    Version {
        /// `major.minor`.
        version: String,
    },
    /// 0x8A: manufacturer code, six hex digits.
    Maker {
        /// The code.
        code: String,
    },
    /// 0x8D: production number (printable text).
    Text {
        /// The text, `null` when not printable.
        text: Option<String>,
    },
    /// 0x97: time of day, ISO 8601 with +09:00.
    Time {
        /// `HH:MM:00+09:00`.
        time: String,
    },
    /// 0x98: date, ISO 8601.
    Date {
        /// `YYYY-MM-DD`.
        date: String,
    },
    /// 0x9D/0x9E/0x9F: property map.
    PropertyMap {
        /// EPCs, two hex digits each, ascending.
        epcs: Vec<String>,
    },
    /// Node profile D5/D6: instance list.
    Instances {
        /// EOJs, six hex digits each.
        instances: Vec<String>,
    },
    /// Node profile D7: class list.
    Classes {
        /// Class codes, four hex digits each.
        classes: Vec<String>,
    },
    /// C0: Route-B identification number (maker code and free area).
    RouteBId {
        /// Maker code, six hex digits.
        maker: Option<String>,
        /// Free area, hex.
        free_area: String,
    },
    /// Anything else, kept raw.
    Raw {
        /// The EDT as hex.
        hex: String,
    },
}

/// Scaling read from the log so far (per meter class).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scales {
    /// 0x0288 E1.
    pub lv_unit: Option<EnergyUnit>,
    /// 0x0288 D3: `Some(None)` = Get_SNA.
    pub lv_coefficient: Option<Option<u32>>,
    /// 0x028A D3.
    pub hv_coefficient: Option<u32>,
    /// 0x028A D4.
    pub hv_multiplier: Option<Multiplier>,
    /// 0x028A E6 (active energy).
    pub hv_active_unit: Option<EnergyUnit>,
    /// 0x028A C5 (demand).
    pub hv_demand_unit: Option<EnergyUnit>,
    /// 0x028A C7 (cumulative maximum demand).
    pub hv_max_demand_unit: Option<EnergyUnit>,
    /// 0x028A CD (reactive energy).
    pub hv_reactive_unit: Option<EnergyUnit>,
}

impl Scales {
    /// The low-voltage scale, once E1 is known.
    pub fn lv(&self) -> Option<LvScale> {
        self.lv_unit
            .map(|u| LvScale::new(self.lv_coefficient.flatten(), u))
    }

    fn lv_source(&self) -> Scale {
        match (self.lv_unit, self.lv_coefficient) {
            (None, _) => Scale::Unknown,
            (Some(_), Some(Some(_))) => Scale::D3,
            (Some(_), Some(None)) => Scale::D3Unsupported,
            (Some(_), None) => Scale::D3NotSeen,
        }
    }

    fn hv(&self, unit: Option<EnergyUnit>) -> Option<HvScale> {
        Some(HvScale {
            coefficient: self.hv_coefficient?,
            multiplier: self.hv_multiplier?,
            unit: unit?,
        })
    }
}

/// A scaler for one property: how raw counts become values.
#[derive(Clone, Copy)]
struct Scaler {
    lv: Option<LvScale>,
    hv: Option<HvScale>,
    unit: &'static str,
    source: Scale,
}

impl Scaler {
    fn lv(s: &Scales) -> Scaler {
        Scaler {
            lv: s.lv(),
            hv: None,
            unit: "kWh",
            source: s.lv_source(),
        }
    }

    fn hv(s: &Scales, unit: &'static str, u: Option<EnergyUnit>) -> Scaler {
        let hv = s.hv(u);
        Scaler {
            lv: None,
            hv,
            unit,
            source: if hv.is_some() {
                Scale::Hv
            } else {
                Scale::Unknown
            },
        }
    }

    fn apply(&self, raw: u32) -> Option<Decimal> {
        match (self.lv, self.hv) {
            (Some(l), _) => Some(l.apply(raw)),
            (None, Some(h)) => Some(h.apply(raw)),
            _ => None,
        }
    }

    fn slot(&self, at: Option<String>, raw: Measured<u32>) -> Slot {
        let (raw, value) = match raw {
            Measured::Value(r) => (Count::Raw(r), self.apply(r).map(|d| d.to_string())),
            other => (Count::Missing(status(other)), None),
        };
        Slot { at, raw, value }
    }

    fn energy(&self, at: Option<String>, raw: Measured<u32>) -> Value {
        Value::Energy {
            slot: self.slot(at, raw),
            unit: self.unit.into(),
            scale: self.source,
        }
    }

    fn stamped(&self, e: &StampedEnergy) -> Value {
        self.energy(Some(iso_or_unset(e.stamp)), e.value)
    }

    fn history(&self, h: &History1) -> Value {
        Value::History {
            days_ago: h.day.value(),
            slots: h.slots.iter().map(|s| self.slot(None, *s)).collect(),
            unit: self.unit.into(),
            scale: self.source,
        }
    }

    fn pairs(&self, h: &PairHistory) -> Value {
        let pairs = h
            .pairs()
            .iter()
            .enumerate()
            .map(|(i, (n, r))| Pair {
                at: h.slot_stamp(i).map(|d| iso(&d)),
                normal: self.slot(None, *n),
                reverse: self.slot(None, *r),
            })
            .collect();
        Value::PairHistory {
            at: h.stamp.value().map(|d| iso(&d)),
            step_minutes: h.step_minutes,
            pairs,
            unit: self.unit.into(),
            scale: self.source,
        }
    }
}

fn status<T>(m: Measured<T>) -> Status {
    match m {
        Measured::Overflow => Status::Overflow,
        Measured::Underflow => Status::Underflow,
        _ => Status::NoData,
    }
}

/// ISO 8601 in Japan time of a meter's civil date-time.
pub fn iso(d: &DateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+09:00",
        d.year, d.month, d.day, d.hour, d.minute, d.second
    )
}

fn iso_or_unset(d: OrUnset<DateTime>) -> String {
    d.value().map(|d| iso(&d)).unwrap_or_default()
}

/// `format!("{v:0w$X}")` (at least `w` upper-case hex digits) without the formatting
/// machinery.
pub(crate) fn hexw(v: impl Into<u64>, w: usize) -> String {
    const H: &[u8; 16] = b"0123456789ABCDEF";
    let v: u64 = v.into();
    let digits = (16 - v.leading_zeros() as usize / 4).max(1);
    let n = digits.max(w);
    let mut s = String::with_capacity(n);
    for i in (0..n).rev() {
        let d = if i < 16 { (v >> (4 * i)) & 15 } else { 0 };
        s.push(char::from(H[d as usize]));
    }
    s
}

pub(crate) fn hex(b: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(b.len() * 2);
    for &c in b {
        s.push(char::from(H[usize::from(c >> 4)]));
        s.push(char::from(H[usize::from(c & 15)]));
    }
    s
}

fn amount<T: ToString>(m: Measured<T>, unit: &str) -> Amount {
    match m {
        Measured::Value(v) => Amount {
            value: Some(v.to_string()),
            unit: unit.into(),
            status: None,
        },
        other => Amount {
            value: None,
            unit: unit.into(),
            status: Some(status(other)),
        },
    }
}

fn currents(c: &Currents) -> Value {
    // One decimal always (`4.0`, `-7.0`): the resolution of E8.
    let a = |m: Measured<DeciAmps>| amount(m, "A");
    Value::Currents {
        r: a(c.r),
        t: match c.t {
            Some(t) => a(t),
            None => Amount {
                value: None,
                unit: "A".into(),
                status: Some(Status::Absent),
            },
        },
    }
}

fn unit_value(u: EnergyUnit, per: &str) -> Value {
    Value::Unit {
        code: hexw(u.code(), 2),
        factor: u.factor().to_string(),
        unit: per.into(),
    }
}

fn int(v: impl Into<i64>) -> Value {
    Value::Integer { value: v.into() }
}

fn common(c: &CommonValue<'_>) -> Value {
    match c {
        CommonValue::OperationStatus(s) => Value::State {
            code: hexw(u8::from(*s), 2),
            state: match s {
                OnOff::On => "on",
                OnOff::Off => "off",
                _ => "unknown",
            }
            .into(),
        },
        CommonValue::FaultStatus(s) => Value::State {
            code: hexw(u8::from(*s), 2),
            state: match s {
                FaultStatus::Fault => "fault",
                FaultStatus::NoFault => "no_fault",
                _ => "unknown",
            }
            .into(),
        },
        CommonValue::StandardVersion(v) => Value::Release {
            release: v.release().map(String::from),
        },
        CommonValue::Manufacturer(m) => Value::Maker { code: hexw(m.0, 6) },
        CommonValue::ProductionNumber(p) => Value::Text {
            text: p.text().map(String::from),
        },
        CommonValue::CurrentTime(t) => Value::Time {
            time: format!("{:02}:{:02}:00+09:00", t.hour, t.minute),
        },
        CommonValue::CurrentDate(d) => Value::Date {
            date: d.to_string(),
        },
        CommonValue::StatusMap(m) | CommonValue::SetMap(m) | CommonValue::GetMap(m) => {
            Value::PropertyMap {
                epcs: m.iter().map(|e| hexw(e, 2)).collect(),
            }
        }
        CommonValue::InstallationLocation(b)
        | CommonValue::IdentificationNumber(b)
        | CommonValue::Other { edt: b, .. } => Value::Raw { hex: hex(b) },
    }
}

fn lv(v: &LvValue<'_>, s: &Scales) -> Value {
    let sc = Scaler::lv(s);
    match v {
        LvValue::Common(c) => common(c),
        LvValue::RouteBId(r) => Value::RouteBId {
            maker: r.maker().map(|m| hexw(m, 6)),
            free_area: hex(r.free_area()),
        },
        LvValue::OneMinuteEnergy(e) => Value::EnergyPair {
            at: e.stamp.value().map(|d| iso(&d)),
            normal: sc.slot(None, e.normal),
            reverse: sc.slot(None, e.reverse),
            unit: sc.unit.into(),
            scale: sc.source,
        },
        LvValue::Coefficient(c) => int(*c),
        LvValue::EffectiveDigits(d) => int(*d),
        LvValue::CumulativeNormal(r) | LvValue::CumulativeReverse(r) => sc.energy(None, *r),
        LvValue::EnergyUnit(u) => unit_value(*u, "kWh"),
        LvValue::HistoryNormal(h) | LvValue::HistoryReverse(h) => sc.history(h),
        LvValue::HistoryDay(d) => Value::Day {
            days_ago: d.value().map(u16::from),
        },
        LvValue::InstantPower(p) => Value::Quantity(amount(*p, "W")),
        LvValue::Currents(c) => currents(c),
        LvValue::FixedTimeNormal(e) | LvValue::FixedTimeReverse(e) => sc.stamped(e),
        LvValue::History2(h) | LvValue::History3(h) => sc.pairs(h),
        LvValue::History2Setting(h) | LvValue::History3Setting(h) => Value::HistorySetting {
            at: h.stamp.value().map(|d| iso(&d)),
            count: h.count,
        },
        LvValue::Unknown { edt, .. } => Value::Raw { hex: hex(edt) },
    }
}

fn hv(v: &HvValue<'_>, s: &Scales) -> Value {
    let active = Scaler::hv(s, "kWh", s.hv_active_unit);
    let demand = Scaler::hv(s, "kW", s.hv_demand_unit);
    let reactive = Scaler::hv(s, "kvarh", s.hv_reactive_unit);
    let max_demand = Scaler::hv(s, "kW", s.hv_max_demand_unit);
    match v {
        HvValue::Common(c) => common(c),
        HvValue::MonthlyMaxDemand(r) => demand.energy(None, *r),
        HvValue::CumulativeMaxDemand(r) => max_demand.energy(None, *r),
        HvValue::FixedTimeDemand(e) => demand.stamped(e),
        HvValue::DemandDigits(d) | HvValue::ReactiveDigits(d) | HvValue::ActiveDigits(d) => int(*d),
        HvValue::BillingDay(d) => int(*d),
        HvValue::DemandUnit(u) | HvValue::CumulativeMaxDemandUnit(u) => unit_value(*u, "kW"),
        HvValue::ReactiveUnit(u) => unit_value(*u, "kvarh"),
        HvValue::ActiveUnit(u) => unit_value(*u, "kWh"),
        HvValue::DemandHistory(h) => demand.history(h),
        HvValue::ReactiveEnergy(e) | HvValue::FixedTimeReactiveEnergy(e) => reactive.stamped(e),
        HvValue::ReactiveHistory(h) => reactive.history(h),
        HvValue::Coefficient(c) => int(*c),
        HvValue::Multiplier(m) => Value::Multiplier {
            code: hexw(m.code(), 2),
            factor: m.factor().to_string(),
        },
        HvValue::HistoryDay(d) => Value::Day {
            days_ago: d.value().map(u16::from),
        },
        HvValue::ActiveEnergy(e)
        | HvValue::FixedTimeActiveEnergy(e)
        | HvValue::PowerFactorActiveEnergy(e) => active.stamped(e),
        HvValue::ActiveHistory(h) => active.history(h),
        HvValue::Unknown { edt, .. } => Value::Raw { hex: hex(edt) },
    }
}

fn node_profile(v: &NpValue<'_>) -> Value {
    match v {
        NpValue::Common(c) => common(c),
        NpValue::Version(v) => Value::Version {
            version: format!("{}.{}", v.major, v.minor),
        },
        NpValue::InstanceCount(n) => int(*n),
        NpValue::ClassCount(n) => int(*n),
        NpValue::InstanceListNotification(l) | NpValue::InstanceList(l) => Value::Instances {
            instances: l.iter().map(|e| hex(&e.to_bytes())).collect(),
        },
        NpValue::ClassList(l) => Value::Classes {
            classes: l.iter().map(|c| hexw(u16::from(c), 4)).collect(),
        },
        NpValue::Unknown { edt, .. } => Value::Raw { hex: hex(edt) },
    }
}

/// The typed value of a decoded property.
pub fn typed(v: &echonet::Value<'_>, s: &Scales) -> Value {
    match v {
        echonet::Value::Lv(x) => lv(x, s),
        echonet::Value::Hv(x) => hv(x, s),
        echonet::Value::NodeProfile(x) => node_profile(x),
        echonet::Value::Common(c) => common(c),
        echonet::Value::Raw(b) => Value::Raw { hex: hex(b) },
    }
}
