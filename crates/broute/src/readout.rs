//! How readings are shown: digits after the point at the meter's precision, thousands
//! separators, signal quality from RSSI. Pure arithmetic for the dashboard, tested here.

use echonet::Decimal;

use crate::{MeterClass, MeterIdentity};

/// Digits after the point the meter's energy unit gives (0.1 kWh → 1; a high-voltage meter's
/// D4 multiplier adds its own).
pub fn energy_scale(m: &MeterIdentity) -> u8 {
    match m.class {
        MeterClass::LowVoltage => m.lv.unit.map_or(0, |u| u.factor().scale()),
        MeterClass::HighVoltage => {
            m.hv.active_unit.map_or(0, |u| u.factor().scale())
                + m.hv.multiplier.map_or(0, |x| x.code())
        }
    }
}

/// An integer with thousands separators: `-1,234,567`.
pub fn grouped(v: i64) -> String {
    let s = v.unsigned_abs().to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    if v < 0 {
        out.push('-');
    }
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An exact decimal with at least `scale` digits after the point and thousands separators,
/// e.g. `9,213.0` for a meter whose unit is 0.1 kWh (never `9213` or `9213.000001`).
pub fn fixed(d: Decimal, scale: u8) -> String {
    let want = scale.max(d.normalized().scale());
    let d = d.rescale(want).unwrap_or(d);
    // i64 arithmetic (a meter's counter times its unit fits easily); the i128 formatter would
    // add several KB to the bundle for nothing.
    let (Ok(m), Some(p)) = (
        i64::try_from(d.mantissa()),
        10u64.checked_pow(u32::from(d.scale())),
    ) else {
        return d.to_string();
    };
    let sign = if m < 0 { "-" } else { "" };
    let (int, frac) = (m.unsigned_abs() / p, m.unsigned_abs() % p);
    let int = grouped(i64::try_from(int).unwrap_or(i64::MAX));
    if d.scale() == 0 {
        format!("{sign}{int}")
    } else {
        let f = frac.to_string();
        let pad = "0".repeat(usize::from(d.scale()).saturating_sub(f.len()));
        format!("{sign}{int}.{pad}{f}")
    }
}

/// How good the radio link is, from RSSI (dBm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SignalQuality {
    /// No RSSI yet.
    Unknown,
    /// Below −85 dBm.
    Weak,
    /// −85 … −71 dBm.
    Fair,
    /// −70 dBm or better.
    Good,
}

impl SignalQuality {
    /// The bucket for an RSSI reading.
    pub fn from_rssi(rssi_dbm: Option<i16>) -> Self {
        match rssi_dbm {
            Some(r) if r >= -70 => Self::Good,
            Some(r) if r >= -85 => Self::Fair,
            Some(_) => Self::Weak,
            None => Self::Unknown,
        }
    }

    /// Bars out of three (0 when unknown), for a gauge that does not rely on colour.
    pub fn bars(self) -> u8 {
        match self {
            Self::Unknown => 0,
            Self::Weak => 1,
            Self::Fair => 2,
            Self::Good => 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping() {
        for (v, s) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (-1234, "-1,234"),
            (1_234_567, "1,234,567"),
            (i64::MIN + 1, "-9,223,372,036,854,775,807"),
        ] {
            assert_eq!(grouped(v), s);
        }
    }

    #[test]
    fn fixed_keeps_the_meters_precision() {
        let d = |m: i128, s: u8| Decimal::new(m, s).unwrap();
        assert_eq!(fixed(d(92130, 1), 1), "9,213.0");
        assert_eq!(fixed(d(9213, 0), 1), "9,213.0");
        assert_eq!(fixed(d(5, 2), 1), "0.05");
        assert_eq!(fixed(d(-12_345_678, 3), 2), "-12,345.678");
        assert_eq!(fixed(d(1, 0), 0), "1");
    }

    #[test]
    fn signal_buckets() {
        use SignalQuality as Q;
        assert_eq!(Q::from_rssi(None), Q::Unknown);
        assert_eq!(Q::from_rssi(Some(-60)), Q::Good);
        assert_eq!(Q::from_rssi(Some(-70)), Q::Good);
        assert_eq!(Q::from_rssi(Some(-71)), Q::Fair);
        assert_eq!(Q::from_rssi(Some(-85)), Q::Fair);
        assert_eq!(Q::from_rssi(Some(-86)), Q::Weak);
        assert_eq!(Q::Good.bars(), 3);
    }
}
