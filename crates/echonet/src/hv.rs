//! High-voltage smart electric energy meter, class 0x028A (`protocol.md` §D).
//!
//! Scaling: demand (C1/C3/C6) × C5, cumulative maximum demand (C2) × C7, reactive energy
//! (CA/CB/CE) × CD, active energy (E2/E3/E4/E7) × E6 — each also × D3 × D4; see
//! [`HvScale`](crate::energy::HvScale).

use crate::codec::{Reader, Writer};
use crate::common::{self, CommonValue};
use crate::datetime::OrUnset;
use crate::energy::{EnergyUnit, Multiplier};
use crate::error::{Error, Result};
use crate::lv::{self, History1, StampedEnergy};
use crate::measured::{self, Measured};

enum_with_unknown! {
    /// Class-specific EPCs of 0x028A.
    pub enum Epc(u8) {
        /// 0xC1 monthly maximum electric power demand.
        MonthlyMaxDemand = 0xC1,
        /// 0xC2 cumulative maximum electric power demand.
        CumulativeMaxDemand = 0xC2,
        /// 0xC3 electric power demand at fixed time (30-minute average).
        FixedTimeDemand = 0xC3,
        /// 0xC4 number of effective digits of demand.
        DemandDigits = 0xC4,
        /// 0xC5 unit of demand.
        DemandUnit = 0xC5,
        /// 0xC6 demand history.
        DemandHistory = 0xC6,
        /// 0xC7 unit of cumulative maximum demand.
        CumulativeMaxDemandUnit = 0xC7,
        /// 0xCA reactive energy (lag) for power-factor measurement.
        ReactiveEnergy = 0xCA,
        /// 0xCB reactive energy (lag) at fixed time.
        FixedTimeReactiveEnergy = 0xCB,
        /// 0xCC effective digits of reactive energy.
        ReactiveDigits = 0xCC,
        /// 0xCD unit of reactive energy.
        ReactiveUnit = 0xCD,
        /// 0xCE reactive energy history.
        ReactiveHistory = 0xCE,
        /// 0xD3 coefficient.
        Coefficient = 0xD3,
        /// 0xD4 multiplying factor for the coefficient.
        Multiplier = 0xD4,
        /// 0xE0 fixed date (billing day).
        BillingDay = 0xE0,
        /// 0xE1 day for history retrieval.
        HistoryDay = 0xE1,
        /// 0xE2 cumulative active energy.
        ActiveEnergy = 0xE2,
        /// 0xE3 cumulative active energy at fixed time.
        FixedTimeActiveEnergy = 0xE3,
        /// 0xE4 active energy for power-factor measurement.
        PowerFactorActiveEnergy = 0xE4,
        /// 0xE5 effective digits of active energy.
        ActiveDigits = 0xE5,
        /// 0xE6 unit of active energy.
        ActiveUnit = 0xE6,
        /// 0xE7 active energy history.
        ActiveHistory = 0xE7,
    }
}

/// A typed value of class 0x028A.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HvValue<'a> {
    /// Super-class properties (0x80–0x9F).
    Common(CommonValue<'a>),
    /// C1 monthly maximum demand (raw; × C5 × D3 × D4 → kW).
    MonthlyMaxDemand(Measured<u32>),
    /// C2 cumulative maximum demand (raw; × C7 × D3 × D4 → kW).
    CumulativeMaxDemand(Measured<u32>),
    /// C3 demand at fixed time (raw; × C5 × D3 × D4 → kW).
    FixedTimeDemand(StampedEnergy),
    /// C4 effective digits of demand.
    DemandDigits(u8),
    /// C5 unit of demand.
    DemandUnit(EnergyUnit),
    /// C6 demand history (× C5 × D3 × D4).
    DemandHistory(History1),
    /// C7 unit of cumulative maximum demand.
    CumulativeMaxDemandUnit(EnergyUnit),
    /// CA reactive energy (lag) for power factor (× CD × D3 × D4 → kvarh).
    ReactiveEnergy(StampedEnergy),
    /// CB reactive energy (lag) at fixed time.
    FixedTimeReactiveEnergy(StampedEnergy),
    /// CC effective digits of reactive energy.
    ReactiveDigits(u8),
    /// CD unit of reactive energy.
    ReactiveUnit(EnergyUnit),
    /// CE reactive energy history.
    ReactiveHistory(History1),
    /// D3 coefficient (0–999 999).
    Coefficient(u32),
    /// D4 multiplying factor for the coefficient.
    Multiplier(Multiplier),
    /// E0 billing day (1–31).
    BillingDay(u8),
    /// E1 day for history retrieval (0–99) or `Unset`.
    HistoryDay(OrUnset<u8>),
    /// E2 cumulative active energy (× D3 × D4 × E6 → kWh).
    ActiveEnergy(StampedEnergy),
    /// E3 cumulative active energy at fixed time.
    FixedTimeActiveEnergy(StampedEnergy),
    /// E4 active energy for power-factor measurement.
    PowerFactorActiveEnergy(StampedEnergy),
    /// E5 effective digits of active energy.
    ActiveDigits(u8),
    /// E6 unit of active energy.
    ActiveUnit(EnergyUnit),
    /// E7 active energy history.
    ActiveHistory(History1),
    /// An EPC this class does not define, kept raw.
    Unknown {
        /// The EPC.
        epc: u8,
        /// The raw EDT.
        edt: &'a [u8],
    },
}

fn digits(r: &mut Reader<'_>) -> Result<u8> {
    let d = r.u8()?;
    if (1..=8).contains(&d) {
        Ok(d)
    } else {
        Err(Error::BadValue { epc: r.epc() })
    }
}

fn stamped(r: &mut Reader<'_>) -> Result<StampedEnergy> {
    Ok(StampedEnergy {
        stamp: crate::datetime::DateTime::read7(r)?,
        value: measured::u32_counter(r.u32()?),
    })
}

fn history(r: &mut Reader<'_>) -> Result<History1> {
    // Same layout as 0x0288 E2; decode through the shared reader.
    let edt = r.bytes(194)?;
    match lv::decode(0xE2, edt) {
        Ok(lv::LvValue::HistoryNormal(h)) => Ok(h),
        Err(Error::BadValue { .. }) => Err(Error::BadValue { epc: r.epc() }),
        _ => Err(Error::bad_len(r.epc(), edt.len())),
    }
}

/// Decode one property of class 0x028A.
pub fn decode(epc: u8, edt: &[u8]) -> Result<HvValue<'_>> {
    if (0x80..=0x9F).contains(&epc) {
        return common::decode(epc, edt).map(HvValue::Common);
    }
    let mut r = Reader::new(epc, edt);
    let v = match epc {
        0xC1 => HvValue::MonthlyMaxDemand(measured::u32_counter(r.u32()?)),
        0xC2 => HvValue::CumulativeMaxDemand(measured::u32_counter(r.u32()?)),
        0xC3 => HvValue::FixedTimeDemand(stamped(&mut r)?),
        0xC4 => HvValue::DemandDigits(digits(&mut r)?),
        0xC5 => HvValue::DemandUnit(EnergyUnit::from_code(r.u8()?)?),
        0xC6 => HvValue::DemandHistory(history(&mut r)?),
        0xC7 => HvValue::CumulativeMaxDemandUnit(EnergyUnit::from_code(r.u8()?)?),
        0xCA => HvValue::ReactiveEnergy(stamped(&mut r)?),
        0xCB => HvValue::FixedTimeReactiveEnergy(stamped(&mut r)?),
        0xCC => HvValue::ReactiveDigits(digits(&mut r)?),
        0xCD => HvValue::ReactiveUnit(EnergyUnit::from_code(r.u8()?)?),
        0xCE => HvValue::ReactiveHistory(history(&mut r)?),
        0xD3 => {
            let c = r.u32()?;
            if c > 999_999 {
                return Err(Error::BadValue { epc });
            }
            HvValue::Coefficient(c)
        }
        0xD4 => HvValue::Multiplier(Multiplier::from_code(r.u8()?)?),
        0xE0 => {
            let d = r.u8()?;
            if !(1..=31).contains(&d) {
                return Err(Error::BadValue { epc });
            }
            HvValue::BillingDay(d)
        }
        0xE1 => HvValue::HistoryDay(lv::read_day(&mut r)?),
        0xE2 => HvValue::ActiveEnergy(stamped(&mut r)?),
        0xE3 => HvValue::FixedTimeActiveEnergy(stamped(&mut r)?),
        0xE4 => HvValue::PowerFactorActiveEnergy(stamped(&mut r)?),
        0xE5 => HvValue::ActiveDigits(digits(&mut r)?),
        0xE6 => HvValue::ActiveUnit(EnergyUnit::from_code(r.u8()?)?),
        0xE7 => HvValue::ActiveHistory(history(&mut r)?),
        _ => HvValue::Unknown { epc, edt: r.rest() },
    };
    r.finish()?;
    Ok(v)
}

impl HvValue<'_> {
    /// The EPC this value belongs to.
    pub fn epc(&self) -> u8 {
        match self {
            HvValue::Common(c) => c.epc(),
            HvValue::MonthlyMaxDemand(_) => 0xC1,
            HvValue::CumulativeMaxDemand(_) => 0xC2,
            HvValue::FixedTimeDemand(_) => 0xC3,
            HvValue::DemandDigits(_) => 0xC4,
            HvValue::DemandUnit(_) => 0xC5,
            HvValue::DemandHistory(_) => 0xC6,
            HvValue::CumulativeMaxDemandUnit(_) => 0xC7,
            HvValue::ReactiveEnergy(_) => 0xCA,
            HvValue::FixedTimeReactiveEnergy(_) => 0xCB,
            HvValue::ReactiveDigits(_) => 0xCC,
            HvValue::ReactiveUnit(_) => 0xCD,
            HvValue::ReactiveHistory(_) => 0xCE,
            HvValue::Coefficient(_) => 0xD3,
            HvValue::Multiplier(_) => 0xD4,
            HvValue::BillingDay(_) => 0xE0,
            HvValue::HistoryDay(_) => 0xE1,
            HvValue::ActiveEnergy(_) => 0xE2,
            HvValue::FixedTimeActiveEnergy(_) => 0xE3,
            HvValue::PowerFactorActiveEnergy(_) => 0xE4,
            HvValue::ActiveDigits(_) => 0xE5,
            HvValue::ActiveUnit(_) => 0xE6,
            HvValue::ActiveHistory(_) => 0xE7,
            HvValue::Unknown { epc, .. } => *epc,
        }
    }

    /// Encode the EDT into `buf` (194 bytes always suffice); return its length.
    pub fn encode(&self, buf: &mut [u8]) -> Result<usize> {
        let mut w = Writer::new(buf);
        match self {
            HvValue::Common(c) => return c.encode(buf),
            HvValue::MonthlyMaxDemand(m) | HvValue::CumulativeMaxDemand(m) => {
                w.u32(measured::u32_counter_raw(*m))?
            }
            HvValue::FixedTimeDemand(s)
            | HvValue::ReactiveEnergy(s)
            | HvValue::FixedTimeReactiveEnergy(s)
            | HvValue::ActiveEnergy(s)
            | HvValue::FixedTimeActiveEnergy(s)
            | HvValue::PowerFactorActiveEnergy(s) => {
                return lv::LvValue::FixedTimeNormal(*s).encode(buf);
            }
            HvValue::DemandDigits(d)
            | HvValue::ReactiveDigits(d)
            | HvValue::ActiveDigits(d)
            | HvValue::BillingDay(d) => w.u8(*d)?,
            HvValue::DemandUnit(u)
            | HvValue::CumulativeMaxDemandUnit(u)
            | HvValue::ReactiveUnit(u)
            | HvValue::ActiveUnit(u) => w.u8(u.code())?,
            HvValue::DemandHistory(h) | HvValue::ReactiveHistory(h) | HvValue::ActiveHistory(h) => {
                return lv::LvValue::HistoryNormal(*h).encode(buf);
            }
            HvValue::Coefficient(c) => w.u32(*c)?,
            HvValue::Multiplier(m) => w.u8(m.code())?,
            HvValue::HistoryDay(d) => w.u8(lv::day_raw(*d))?,
            HvValue::Unknown { edt, .. } => w.bytes(edt)?,
        }
        Ok(w.len())
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::datetime::DateTime;
    use crate::energy::HvScale;

    // No real 0x028A capture exists (INDEX.md gaps); these EDTs are built from the layouts in
    // protocol.md §D.

    #[test]
    fn test_scaling_chain() {
        let d3 = decode(0xD3, &[0x00, 0x00, 0x00, 0x3C]).unwrap(); // 60
        let d4 = decode(0xD4, &[0x02]).unwrap(); // 0.01
        let e6 = decode(0xE6, &[0x01]).unwrap(); // 0.1
        let e2 = decode(
            0xE2,
            &[
                0x07, 0xE7, 0x04, 0x01, 0x0A, 0x00, 0x00, 0x00, 0x01, 0xE2, 0x40,
            ],
        )
        .unwrap(); // 2023-04-01 10:00:00, 123456
        let (
            HvValue::Coefficient(c),
            HvValue::Multiplier(m),
            HvValue::ActiveUnit(u),
            HvValue::ActiveEnergy(s),
        ) = (d3, d4, e6, e2)
        else {
            panic!()
        };
        assert_eq!(
            s.stamp,
            OrUnset::Value(DateTime::new(2023, 4, 1, 10, 0, 0).unwrap())
        );
        let scale = HvScale {
            coefficient: c,
            multiplier: m,
            unit: u,
        };
        // 123456 × 60 × 0.01 × 0.1 = 7407.36 kWh
        assert_eq!(scale.value(s.value).value().unwrap().to_string(), "7407.36");
    }

    #[test]
    fn test_all_epcs_round_trip() {
        let stamp = [
            0x07, 0xE7, 0x04, 0x01, 0x0A, 0x1E, 0x00, 0xFF, 0xFF, 0xFF, 0xFE,
        ];
        let mut hist = vec![0x00, 0x02];
        hist.extend((0..192).map(|i| i as u8));
        let cases: Vec<(u8, Vec<u8>)> = vec![
            (0xC1, vec![0, 0, 1, 0]),
            (0xC2, vec![0xFF, 0xFF, 0xFF, 0xFE]),
            (0xC3, stamp.to_vec()),
            (0xC4, vec![6]),
            (0xC5, vec![0x0A]),
            (0xC6, hist.clone()),
            (0xC7, vec![0x02]),
            (0xCA, stamp.to_vec()),
            (0xCB, stamp.to_vec()),
            (0xCC, vec![8]),
            (0xCD, vec![0x03]),
            (0xCE, hist.clone()),
            (0xD3, vec![0, 0x0F, 0x42, 0x3F]),
            (0xD4, vec![0x03]),
            (0xE0, vec![31]),
            (0xE1, vec![0xFF]),
            (0xE2, stamp.to_vec()),
            (0xE3, stamp.to_vec()),
            (0xE4, stamp.to_vec()),
            (0xE5, vec![7]),
            (0xE6, vec![0x0D]),
            (0xE7, hist.clone()),
            (0x80, vec![0x30]),
            (0xF5, vec![1, 2, 3]),
        ];
        for (epc, edt) in cases {
            let v = decode(epc, &edt).unwrap_or_else(|e| panic!("{epc:02X}: {e}"));
            assert_eq!(v.epc(), epc);
            let mut buf = [0u8; 194];
            let n = v.encode(&mut buf).unwrap();
            assert_eq!(&buf[..n], &edt[..], "{epc:02X}");
        }
        assert_eq!(
            decode(0xC3, &stamp[..10]),
            Err(Error::BadEdtLength { epc: 0xC3, len: 10 })
        );
        assert_eq!(decode(0xD4, &[0x04]), Err(Error::UnknownUnit(0x04)));
        assert_eq!(decode(0xE0, &[0]), Err(Error::BadValue { epc: 0xE0 }));
        assert_eq!(decode(0xC4, &[9]), Err(Error::BadValue { epc: 0xC4 }));
        assert_eq!(
            decode(0xD3, &[0, 0x0F, 0x42, 0x40]),
            Err(Error::BadValue { epc: 0xD3 })
        );
        let mut bad_hist = hist.clone();
        bad_hist[1] = 0x64;
        assert_eq!(decode(0xC6, &bad_hist), Err(Error::BadValue { epc: 0xC6 }));
        assert_eq!(
            decode(0xCE, &hist[..100]),
            Err(Error::BadEdtLength {
                epc: 0xCE,
                len: 100
            })
        );
    }
}
