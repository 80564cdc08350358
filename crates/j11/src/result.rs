//! The result byte `R` that starts every response (J11 table 34, §11; `shared/j11.md` §2).

use core::fmt;

/// A response's result byte. Unknown values are kept as [`ResultCode::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResultCode {
    /// 0x01: success.
    Success,
    /// 0x02: the peer is not in the device list.
    NotInDeviceList,
    /// 0x03: invalid command.
    InvalidCommand,
    /// 0x04: invalid parameter.
    InvalidParameter,
    /// 0x06: invalid destination.
    InvalidDestination,
    /// 0x0A: the UDP port is already open.
    PortAlreadyOpen,
    /// 0x0B: the UDP port is not open.
    PortNotOpen,
    /// 0x0E: joining the meter's PAN failed (channel or ID wrong, or no beacon answer).
    MacJoinFailed,
    /// 0x0F, 0x10, 0x14, 0x33, 0x34, 0x35, 0x37: the command is not allowed in the current
    /// state (see [`ResultCode::description`] for each code).
    WrongState(u8),
    /// 0x11: wrong parameter length.
    ParameterLength,
    /// 0x12: too many UDP ports open (at most 10).
    TooManyPorts,
    /// 0x13: the UART input stopped in the middle of a frame.
    UartTimeout,
    /// 0x3D: busy with an earlier command or a pending notification; retry.
    Busy,
    /// 0x51: PANA settings (credentials) missing.
    PanaSettingsMissing,
    /// 0x52: PANA authentication is already running.
    PanaRunning,
    /// 0xF0: the module saw a bad header checksum.
    HeaderSum,
    /// 0xF1: the module saw a bad data checksum.
    DataSum,
    /// 0xF2: message length below 4.
    LengthTooShort,
    /// 0xF3: message length above 1353.
    LengthTooLong,
    /// Any other value.
    Other(u8),
}

impl ResultCode {
    /// The code for a result byte.
    pub fn from_u8(b: u8) -> Self {
        match b {
            0x01 => Self::Success,
            0x02 => Self::NotInDeviceList,
            0x03 => Self::InvalidCommand,
            0x04 => Self::InvalidParameter,
            0x06 => Self::InvalidDestination,
            0x0A => Self::PortAlreadyOpen,
            0x0B => Self::PortNotOpen,
            0x0E => Self::MacJoinFailed,
            0x0F | 0x10 | 0x14 | 0x33 | 0x34 | 0x35 | 0x37 => Self::WrongState(b),
            0x11 => Self::ParameterLength,
            0x12 => Self::TooManyPorts,
            0x13 => Self::UartTimeout,
            0x3D => Self::Busy,
            0x51 => Self::PanaSettingsMissing,
            0x52 => Self::PanaRunning,
            0xF0 => Self::HeaderSum,
            0xF1 => Self::DataSum,
            0xF2 => Self::LengthTooShort,
            0xF3 => Self::LengthTooLong,
            other => Self::Other(other),
        }
    }

    /// The result byte.
    pub fn to_u8(self) -> u8 {
        match self {
            Self::Success => 0x01,
            Self::NotInDeviceList => 0x02,
            Self::InvalidCommand => 0x03,
            Self::InvalidParameter => 0x04,
            Self::InvalidDestination => 0x06,
            Self::PortAlreadyOpen => 0x0A,
            Self::PortNotOpen => 0x0B,
            Self::MacJoinFailed => 0x0E,
            Self::WrongState(b) | Self::Other(b) => b,
            Self::ParameterLength => 0x11,
            Self::TooManyPorts => 0x12,
            Self::UartTimeout => 0x13,
            Self::Busy => 0x3D,
            Self::PanaSettingsMissing => 0x51,
            Self::PanaRunning => 0x52,
            Self::HeaderSum => 0xF0,
            Self::DataSum => 0xF1,
            Self::LengthTooShort => 0xF2,
            Self::LengthTooLong => 0xF3,
        }
    }

    /// True for 0x01.
    pub fn is_success(self) -> bool {
        self == Self::Success
    }

    /// A short English description.
    pub fn description(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::NotInDeviceList => "peer not in the device list",
            Self::InvalidCommand => "invalid command",
            Self::InvalidParameter => "invalid parameter",
            Self::InvalidDestination => "invalid destination",
            Self::PortAlreadyOpen => "UDP port already open",
            Self::PortNotOpen => "UDP port not open",
            Self::MacJoinFailed => "joining the meter failed (channel or ID wrong, or no answer)",
            Self::WrongState(0x10) => "not allowed in the current state (idle)",
            Self::WrongState(0x34) => "not allowed in the current state (joined)",
            Self::WrongState(0x35) => "not allowed in the current state (authenticated)",
            Self::WrongState(0x37) => "not allowed in the current state (not started)",
            Self::WrongState(_) => "not allowed in the current state",
            Self::ParameterLength => "wrong parameter length",
            Self::TooManyPorts => "too many UDP ports open",
            Self::UartTimeout => "UART input stopped mid-frame",
            Self::Busy => "busy; retry later",
            Self::PanaSettingsMissing => "PANA credentials not set",
            Self::PanaRunning => "PANA authentication already running",
            Self::HeaderSum => "bad header checksum",
            Self::DataSum => "bad data checksum",
            Self::LengthTooShort => "message length below 4",
            Self::LengthTooLong => "message length above 1353",
            Self::Other(_) => "unknown result code",
        }
    }
}

impl fmt::Display for ResultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02X} ({})", self.to_u8(), self.description())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips() {
        for b in 0..=255u8 {
            let c = ResultCode::from_u8(b);
            assert_eq!(c.to_u8(), b);
            assert!(!c.description().is_empty());
        }
        assert_eq!(ResultCode::from_u8(0x3D), ResultCode::Busy);
        assert_eq!(ResultCode::from_u8(0x99), ResultCode::Other(0x99));
        assert_eq!(
            ResultCode::from_u8(0x35).to_string(),
            "35 (not allowed in the current state (authenticated))"
        );
        assert!(ResultCode::from_u8(1).is_success());
    }
}
