//! Exact decimal numbers for energy arithmetic (no floating-point drift).
//!
//! `Decimal` is `mantissa × 10^-scale` with an `i128` mantissa; [`Display`](core::fmt::Display)
//! prints the minimal exact digits, so raw 75313 × 0.1 kWh prints `7531.3`, never `7531.299999`.

use core::cmp::Ordering;
use core::fmt;
use core::str::FromStr;

use crate::error::{Error, Result};

/// Largest supported scale (digits after the decimal point).
pub const MAX_SCALE: u8 = 30;

/// An exact decimal number: `mantissa × 10^-scale`.
#[derive(Debug, Clone, Copy)]
pub struct Decimal {
    mantissa: i128,
    scale: u8,
}

fn pow10(exp: u8) -> Option<i128> {
    10i128.checked_pow(u32::from(exp))
}

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    /// `mantissa × 10^-scale`; `Error::Overflow` if `scale` exceeds [`MAX_SCALE`].
    pub fn new(mantissa: i128, scale: u8) -> Result<Decimal> {
        if scale > MAX_SCALE {
            return Err(Error::Overflow);
        }
        Ok(Decimal { mantissa, scale })
    }

    /// An integer value.
    pub const fn from_int(v: i64) -> Decimal {
        Decimal {
            mantissa: v as i128,
            scale: 0,
        }
    }

    /// The mantissa as stored (not normalised).
    pub const fn mantissa(&self) -> i128 {
        self.mantissa
    }

    /// The scale as stored (not normalised).
    pub const fn scale(&self) -> u8 {
        self.scale
    }

    /// The same value without trailing fractional zeros (`1.50` → `1.5`).
    pub fn normalized(self) -> Decimal {
        let mut d = self;
        while d.scale > 0 && d.mantissa % 10 == 0 {
            d.mantissa /= 10;
            d.scale -= 1;
        }
        d
    }

    /// Re-express with `scale` digits after the point, if exact and in range.
    pub fn rescale(self, scale: u8) -> Option<Decimal> {
        if scale > MAX_SCALE {
            return None;
        }
        match scale.cmp(&self.scale) {
            Ordering::Equal => Some(self),
            Ordering::Greater => Some(Decimal {
                mantissa: self.mantissa.checked_mul(pow10(scale - self.scale)?)?,
                scale,
            }),
            Ordering::Less => {
                let div = pow10(self.scale - scale)?;
                (self.mantissa % div == 0).then_some(Decimal {
                    mantissa: self.mantissa / div,
                    scale,
                })
            }
        }
    }

    fn align(self, other: Decimal) -> Option<(i128, i128, u8)> {
        let scale = self.scale.max(other.scale);
        Some((
            self.rescale(scale)?.mantissa,
            other.rescale(scale)?.mantissa,
            scale,
        ))
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Decimal) -> Option<Decimal> {
        let (a, b, scale) = self.align(other)?;
        Some(Decimal {
            mantissa: a.checked_add(b)?,
            scale,
        })
    }

    /// `self − other`, or `None` on overflow.
    pub fn checked_sub(self, other: Decimal) -> Option<Decimal> {
        let (a, b, scale) = self.align(other)?;
        Some(Decimal {
            mantissa: a.checked_sub(b)?,
            scale,
        })
    }

    /// `self × other`, or `None` on overflow.
    pub fn checked_mul(self, other: Decimal) -> Option<Decimal> {
        let scale = self.scale.checked_add(other.scale)?;
        if scale > MAX_SCALE {
            return None;
        }
        Some(Decimal {
            mantissa: self.mantissa.checked_mul(other.mantissa)?,
            scale,
        })
    }

    /// True if the value is negative.
    pub fn is_negative(&self) -> bool {
        self.mantissa < 0
    }

    /// Nearest `f64` (for charts only; keep `Decimal` for anything printed or summed).
    pub fn to_f64(self) -> f64 {
        let d = self.normalized();
        // Exact for |mantissa| < 2^53; otherwise the nearest representable value.
        d.mantissa as f64 / 10f64.powi(i32::from(d.scale))
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.normalized(), other.normalized());
        a.mantissa == b.mantissa && a.scale == b.scale
    }
}

impl Eq for Decimal {}

impl core::hash::Hash for Decimal {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        let n = self.normalized();
        n.mantissa.hash(state);
        n.scale.hash(state);
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        match self.align(*other) {
            Some((a, b, _)) => a.cmp(&b),
            // Aligning overflowed: the operand that had to grow is the larger in magnitude.
            None => {
                let (a, b) = (self.normalized(), other.normalized());
                match a.mantissa.signum().cmp(&b.mantissa.signum()) {
                    Ordering::Equal => {
                        let mag = if a.scale < b.scale {
                            Ordering::Greater
                        } else {
                            Ordering::Less
                        };
                        if a.mantissa < 0 {
                            mag.reverse()
                        } else {
                            mag
                        }
                    }
                    o => o,
                }
            }
        }
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.normalized();
        let sign = if d.mantissa < 0 { "-" } else { "" };
        let abs = d.mantissa.unsigned_abs();
        if d.scale == 0 {
            return write!(f, "{sign}{abs}");
        }
        // scale ≤ MAX_SCALE (30) < 39, so 10^scale fits in u128.
        let div = 10u128.pow(u32::from(d.scale));
        let int = abs / div;
        let frac = abs % div;
        write!(
            f,
            "{sign}{int}.{frac:0width$}",
            width = usize::from(d.scale)
        )
    }
}

impl FromStr for Decimal {
    type Err = Error;

    /// Parse `[-]digits[.digits]`.
    fn from_str(s: &str) -> Result<Decimal> {
        let (neg, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty() && frac.is_empty() {
            return Err(Error::BadValue { epc: 0 });
        }
        let scale = u8::try_from(frac.len()).map_err(|_| Error::Overflow)?;
        if scale > MAX_SCALE {
            return Err(Error::Overflow);
        }
        let mut mantissa: i128 = 0;
        for c in int.chars().chain(frac.chars()) {
            let digit = c.to_digit(10).ok_or(Error::BadValue { epc: 0 })?;
            mantissa = mantissa
                .checked_mul(10)
                .and_then(|m| m.checked_add(i128::from(digit)))
                .ok_or(Error::Overflow)?;
        }
        Ok(Decimal {
            mantissa: if neg { -mantissa } else { mantissa },
            scale,
        })
    }
}

#[cfg(test)]
mod test {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn test_display_minimal_digits() {
        assert_eq!(Decimal::new(75313, 1).unwrap().to_string(), "7531.3");
        assert_eq!(Decimal::new(76999, 2).unwrap().to_string(), "769.99");
        assert_eq!(Decimal::new(24, 2).unwrap().to_string(), "0.24");
        assert_eq!(Decimal::new(1500, 3).unwrap().to_string(), "1.5");
        assert_eq!(Decimal::new(-5, 1).unwrap().to_string(), "-0.5");
        assert_eq!(Decimal::new(7, 4).unwrap().to_string(), "0.0007");
        assert_eq!(Decimal::ZERO.to_string(), "0");
        assert_eq!(
            Decimal::new(i128::MIN, 0).unwrap().to_string(),
            i128::MIN.to_string()
        );
    }

    #[test]
    fn test_arithmetic_is_exact() {
        // 0.1 + 0.2 = 0.3 exactly.
        assert_eq!(d("0.1").checked_add(d("0.2")).unwrap(), d("0.3"));
        assert_eq!(
            d("770.58").checked_sub(d("769.99")).unwrap().to_string(),
            "0.59"
        );
        assert_eq!(d("7531.3").checked_mul(d("1000")).unwrap(), d("7531300"));
        assert_eq!(d("1.50"), d("1.5"));
        assert!(d("0.01") < d("0.1"));
        assert!(d("-2") < d("-1.5"));
        assert_eq!(Decimal::new(1, 31), Err(Error::Overflow));
        assert_eq!(
            Decimal::new(i128::MAX, 0)
                .unwrap()
                .checked_add(Decimal::from_int(1)),
            None
        );
        assert_eq!(d("7531.3").to_f64(), 7531.3);
    }

    #[test]
    fn test_parse_rejects_garbage() {
        assert!("".parse::<Decimal>().is_err());
        assert!("1.2.3".parse::<Decimal>().is_err());
        assert!("abc".parse::<Decimal>().is_err());
    }
}
