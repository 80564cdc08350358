//! Measured values with their sentinel codes as explicit variants.

use core::fmt;

/// A measured value, or one of the sentinel codes a meter sends instead of a number.
///
/// A sentinel is never turned into a number: 0x7FFFFFFE in E7 is `NoData`, not 2 147 483 646 W.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measured<T> {
    /// A real reading.
    Value(T),
    /// "No data" code (0xFFFFFFFE unsigned, 0x7FFFFFFE / 0x7FFE signed).
    NoData,
    /// Overflow code (0xFFFFFFFF unsigned, 0x7FFFFFFF / 0x7FFF signed).
    Overflow,
    /// Underflow code (0x80000000 / 0x8000 signed).
    Underflow,
}

impl<T> Measured<T> {
    /// The reading, if this is one.
    pub fn value(self) -> Option<T> {
        match self {
            Measured::Value(v) => Some(v),
            _ => None,
        }
    }

    /// True for a real reading.
    pub fn is_value(&self) -> bool {
        matches!(self, Measured::Value(_))
    }

    /// Transform the reading, keeping sentinels.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Measured<U> {
        match self {
            Measured::Value(v) => Measured::Value(f(v)),
            Measured::NoData => Measured::NoData,
            Measured::Overflow => Measured::Overflow,
            Measured::Underflow => Measured::Underflow,
        }
    }
}

impl<T: fmt::Display> fmt::Display for Measured<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Measured::Value(v) => v.fmt(f),
            Measured::NoData => f.write_str("no data"),
            Measured::Overflow => f.write_str("overflow"),
            Measured::Underflow => f.write_str("underflow"),
        }
    }
}

/// Decode an unsigned 32-bit counter (E0, E3, EA, E2 slots …): 0xFFFFFFFE no data,
/// 0xFFFFFFFF overflow.
pub fn u32_counter(raw: u32) -> Measured<u32> {
    match raw {
        0xFFFF_FFFE => Measured::NoData,
        0xFFFF_FFFF => Measured::Overflow,
        v => Measured::Value(v),
    }
}

/// Encode an unsigned 32-bit counter (inverse of [`u32_counter`]).
pub fn u32_counter_raw(m: Measured<u32>) -> u32 {
    match m {
        Measured::Value(v) => v,
        Measured::NoData => 0xFFFF_FFFE,
        Measured::Overflow => 0xFFFF_FFFF,
        // Unsigned counters have no underflow code of their own; use "no data".
        Measured::Underflow => 0xFFFF_FFFE,
    }
}

/// Decode a signed 32-bit reading (E7): 0x7FFFFFFE no data, 0x7FFFFFFF overflow,
/// 0x80000000 underflow.
pub fn i32_reading(raw: i32) -> Measured<i32> {
    match raw {
        0x7FFF_FFFE => Measured::NoData,
        i32::MAX => Measured::Overflow,
        i32::MIN => Measured::Underflow,
        v => Measured::Value(v),
    }
}

/// Encode a signed 32-bit reading (inverse of [`i32_reading`]).
pub fn i32_reading_raw(m: Measured<i32>) -> i32 {
    match m {
        Measured::Value(v) => v,
        Measured::NoData => 0x7FFF_FFFE,
        Measured::Overflow => i32::MAX,
        Measured::Underflow => i32::MIN,
    }
}

/// Decode a signed 16-bit reading (E8 phases): 0x7FFE no data, 0x7FFF overflow,
/// 0x8000 underflow.
pub fn i16_reading(raw: i16) -> Measured<i16> {
    match raw {
        0x7FFE => Measured::NoData,
        i16::MAX => Measured::Overflow,
        i16::MIN => Measured::Underflow,
        v => Measured::Value(v),
    }
}

/// Encode a signed 16-bit reading (inverse of [`i16_reading`]).
pub fn i16_reading_raw(m: Measured<i16>) -> i16 {
    match m {
        Measured::Value(v) => v,
        Measured::NoData => 0x7FFE,
        Measured::Overflow => i16::MAX,
        Measured::Underflow => i16::MIN,
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_sentinels() {
        assert_eq!(u32_counter(0xFFFF_FFFE), Measured::NoData);
        assert_eq!(u32_counter(0xFFFF_FFFF), Measured::Overflow);
        assert_eq!(u32_counter(75313), Measured::Value(75313));
        assert_eq!(i32_reading(0x7FFF_FFFE), Measured::NoData);
        assert_eq!(i32_reading(i32::MIN), Measured::Underflow);
        assert_eq!(i32_reading(-1962), Measured::Value(-1962));
        assert_eq!(i16_reading(0x7FFE), Measured::NoData);
        assert_eq!(i16_reading(-70), Measured::Value(-70));
        for raw in [0x7FFE, 0x7FFF, -0x8000, 0, -1] {
            assert_eq!(i16_reading_raw(i16_reading(raw)), raw);
        }
        for raw in [0x7FFF_FFFE, i32::MAX, i32::MIN, 0, -1] {
            assert_eq!(i32_reading_raw(i32_reading(raw)), raw);
        }
        for raw in [0xFFFF_FFFE, 0xFFFF_FFFF, 0, 1] {
            assert_eq!(u32_counter_raw(u32_counter(raw)), raw);
        }
        assert_eq!(Measured::<u32>::NoData.to_string(), "no data");
    }
}
