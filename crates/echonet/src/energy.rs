//! Energy scaling in exact decimals and roll-over-aware counter deltas.
//!
//! Low-voltage (0x0288): kWh = raw × D3 coefficient × E1 unit.
//! High-voltage (0x028A): value = raw × D3 coefficient × D4 multiplier × unit (C5/C7/CD/E6).

use core::fmt;

use crate::decimal::Decimal;
use crate::error::{Error, Result};
use crate::measured::Measured;

/// Unit code of 0x0288 E1 (and 0x028A C5, C7, CD, E6): a power of ten in kWh (or kW, kvarh).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnergyUnit(u8);

impl EnergyUnit {
    /// 1 kWh per count (code 0x00).
    pub const ONE: EnergyUnit = EnergyUnit(0x00);
    /// 0.1 kWh per count (code 0x01).
    pub const TENTH: EnergyUnit = EnergyUnit(0x01);
    /// 0.01 kWh per count (code 0x02).
    pub const HUNDREDTH: EnergyUnit = EnergyUnit(0x02);

    /// Validate a unit code: 0x00–0x04 (1 … 0.0001) or 0x0A–0x0D (10 … 10000).
    pub fn from_code(code: u8) -> Result<EnergyUnit> {
        match code {
            0x00..=0x04 | 0x0A..=0x0D => Ok(EnergyUnit(code)),
            other => Err(Error::UnknownUnit(other)),
        }
    }

    /// The wire code.
    pub const fn code(self) -> u8 {
        self.0
    }

    /// The factor as an exact decimal (0x01 → 0.1, 0x0B → 100).
    pub fn factor(self) -> Decimal {
        let (mantissa, scale) = match self.0 {
            0x00 => (1, 0),
            0x01 => (1, 1),
            0x02 => (1, 2),
            0x03 => (1, 3),
            0x04 => (1, 4),
            0x0A => (10, 0),
            0x0B => (100, 0),
            0x0C => (1000, 0),
            // 0x0D; the constructor admits no other code.
            _ => (10000, 0),
        };
        Decimal::new(mantissa, scale).unwrap_or(Decimal::ZERO)
    }
}

impl fmt::Display for EnergyUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.factor().fmt(f)
    }
}

/// Multiplying factor for the coefficient, 0x028A D4: 0x00 = 1 … 0x03 = 0.001.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Multiplier(u8);

impl Multiplier {
    /// Factor 1 (code 0x00).
    pub const ONE: Multiplier = Multiplier(0);

    /// Validate a D4 code (0x00–0x03).
    pub fn from_code(code: u8) -> Result<Multiplier> {
        match code {
            0x00..=0x03 => Ok(Multiplier(code)),
            other => Err(Error::UnknownUnit(other)),
        }
    }

    /// The wire code.
    pub const fn code(self) -> u8 {
        self.0
    }

    /// The factor as an exact decimal.
    pub fn factor(self) -> Decimal {
        Decimal::new(1, self.0).unwrap_or(Decimal::ZERO)
    }
}

impl fmt::Display for Multiplier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.factor().fmt(f)
    }
}

/// `raw × coefficient × unit` exactly, with the unit given as its E1 code.
pub fn from_raw(raw: u32, coefficient: u32, unit_code: u8) -> Result<Decimal> {
    Ok(LvScale::new(Some(coefficient), EnergyUnit::from_code(unit_code)?).apply(raw))
}

/// Change between two readings of a counter that rolls over at 10^`digits` (D7 / C4 / CC / E5).
///
/// `next < prev` is taken as one roll-over. Errors: `digits` outside 1–9, or a reading not
/// below 10^`digits`.
pub fn counter_delta(prev: u32, next: u32, digits: u8) -> Result<u64> {
    if !(1..=9).contains(&digits) {
        return Err(Error::BadValue { epc: 0xD7 });
    }
    let modulus = 10u64.pow(u32::from(digits));
    let (p, n) = (u64::from(prev), u64::from(next));
    if p >= modulus || n >= modulus {
        return Err(Error::BadValue { epc: 0xD7 });
    }
    Ok(if n >= p { n - p } else { modulus - p + n })
}

/// Scaling of a low-voltage meter: D3 coefficient and E1 unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LvScale {
    /// D3 coefficient (1 when the meter does not support D3).
    pub coefficient: u32,
    /// E1 unit.
    pub unit: EnergyUnit,
}

impl LvScale {
    /// Build from D3 (`None` when the meter answered Get_SNA: use 1) and E1.
    pub fn new(coefficient: Option<u32>, unit: EnergyUnit) -> LvScale {
        LvScale {
            coefficient: coefficient.unwrap_or(1),
            unit,
        }
    }

    /// kWh of a raw count, exactly.
    pub fn apply(&self, raw: u32) -> Decimal {
        let f = self.unit.factor();
        // |raw × coefficient × 10000| < 2^78: cannot overflow i128.
        let m = i128::from(raw) * i128::from(self.coefficient) * f.mantissa();
        Decimal::new(m, f.scale()).unwrap_or(Decimal::ZERO)
    }

    /// kWh of a measured count; sentinels stay sentinels.
    pub fn kwh(&self, raw: Measured<u32>) -> Measured<Decimal> {
        raw.map(|r| self.apply(r))
    }

    /// kWh consumed between two counter readings, rolling over at 10^`digits` (D7).
    pub fn delta_kwh(&self, prev: u32, next: u32, digits: u8) -> Result<Decimal> {
        let counts = counter_delta(prev, next, digits)?;
        // counts < 10^9 fits in u32.
        Ok(self.apply(u32::try_from(counts).map_err(|_| Error::Overflow)?))
    }
}

/// Scaling of a high-voltage meter: D3 coefficient, D4 multiplier and a unit (C5/C7/CD/E6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HvScale {
    /// D3 coefficient.
    pub coefficient: u32,
    /// D4 multiplying factor for the coefficient.
    pub multiplier: Multiplier,
    /// Unit of the quantity (C5 demand, C7 max demand, CD reactive energy, E6 active energy).
    pub unit: EnergyUnit,
}

impl HvScale {
    /// Scaled value of a raw count, exactly: raw × D3 × D4 × unit.
    pub fn apply(&self, raw: u32) -> Decimal {
        let f = self.unit.factor();
        let m = i128::from(raw) * i128::from(self.coefficient) * f.mantissa();
        Decimal::new(m, f.scale() + self.multiplier.code()).unwrap_or(Decimal::ZERO)
    }

    /// Scaled value of a measured count; sentinels stay sentinels.
    pub fn value(&self, raw: Measured<u32>) -> Measured<Decimal> {
        raw.map(|r| self.apply(r))
    }

    /// Scaled change between two readings rolling over at 10^`digits` (C4, CC or E5).
    pub fn delta(&self, prev: u32, next: u32, digits: u8) -> Result<Decimal> {
        let counts = counter_delta(prev, next, digits)?;
        Ok(self.apply(u32::try_from(counts).map_err(|_| Error::Overflow)?))
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_vkgtaro_7531_3_kwh() {
        // ../shared/fixtures/transcripts/vkgtaro-home_power_usage-memo.txt
        // (github.com/vkgtaro/home_power_usage memo.md): E0 00012631 = 75313, E1 01, D3 1.
        assert_eq!(
            from_raw(0x0001_2631, 1, 0x01).unwrap().to_string(),
            "7531.3"
        );
    }

    #[test]
    fn test_ak1211_769_99_kwh() {
        // ../shared/fixtures/transcripts/ak1211-m5stickc-wisunhat-BP35A1_comm.txt: EA raw
        // 76999 (0x12CC7), E1 02, D3 unsupported (Get_SNA) → coefficient 1 → 769.99 kWh.
        let scale = LvScale::new(None, EnergyUnit::from_code(0x02).unwrap());
        assert_eq!(scale.apply(76999).to_string(), "769.99");
        assert_eq!(scale.apply(77058).to_string(), "770.58");
        // 30-minute consumption between the two EA readings (D7 = 7 digits).
        assert_eq!(
            scale.delta_kwh(76999, 77058, 7).unwrap().to_string(),
            "0.59"
        );
        assert_eq!(scale.kwh(Measured::NoData), Measured::NoData);
    }

    #[test]
    fn test_unit_table() {
        let expect = [
            (0x00, "1"),
            (0x01, "0.1"),
            (0x02, "0.01"),
            (0x03, "0.001"),
            (0x04, "0.0001"),
            (0x0A, "10"),
            (0x0B, "100"),
            (0x0C, "1000"),
            (0x0D, "10000"),
        ];
        for (code, s) in expect {
            assert_eq!(EnergyUnit::from_code(code).unwrap().to_string(), s);
        }
        for code in [0x05, 0x09, 0x0E, 0xFF] {
            assert_eq!(EnergyUnit::from_code(code), Err(Error::UnknownUnit(code)));
        }
        assert_eq!(Multiplier::from_code(0x03).unwrap().to_string(), "0.001");
        assert_eq!(Multiplier::from_code(0x04), Err(Error::UnknownUnit(0x04)));
    }

    #[test]
    fn test_counter_delta_rolls_over() {
        assert_eq!(counter_delta(100, 250, 6), Ok(150));
        assert_eq!(counter_delta(999_990, 5, 6), Ok(15));
        assert_eq!(counter_delta(9_999_999, 0, 7), Ok(1));
        assert_eq!(counter_delta(5, 5, 8), Ok(0));
        assert!(counter_delta(1_000_000, 5, 6).is_err());
        assert!(counter_delta(1, 2, 0).is_err());
        assert!(counter_delta(1, 2, 10).is_err());
    }

    #[test]
    fn test_hv_scaling() {
        // raw 123456 × D3 20 × D4 0.1 × unit 0.01 → 2469.12
        let s = HvScale {
            coefficient: 20,
            multiplier: Multiplier::from_code(0x01).unwrap(),
            unit: EnergyUnit::from_code(0x02).unwrap(),
        };
        assert_eq!(s.apply(123_456).to_string(), "2469.12");
        assert_eq!(s.apply(u32::MAX).to_string(), "85899345.9");
        assert_eq!(s.delta(999_999, 1, 6).unwrap().to_string(), "0.04");
    }
}
