//! The single error type of the codec.

use core::fmt;

/// What was wrong with a frame, a property value or an emit buffer.
///
/// Small and `Copy`; [`Error::code`] gives a stable identifier the UI can translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Error {
    /// Fewer than the 12 header bytes (EHD1…OPC).
    Truncated,
    /// EHD1 is not 0x10, so this is not an ECHONET Lite frame.
    BadHeader(u8),
    /// EHD2 is not 0x81 (format 2, the arbitrary message format, is not supported).
    UnsupportedFormat(u8),
    /// The frame ends before property number `index` (0-based) announced by OPC.
    MissingProperty {
        /// 0-based index of the first missing property.
        index: u8,
    },
    /// The PDC of property `epc` says `pdc` bytes but the frame ends earlier.
    PdcBeyondEnd {
        /// EPC of the offending property.
        epc: u8,
        /// Its PDC.
        pdc: u8,
    },
    /// Bytes remain after the last property announced by OPC.
    TrailingBytes {
        /// Number of extra bytes (saturated at 65535).
        count: u16,
    },
    /// The output buffer is smaller than `buffer_len()`.
    BufferTooSmall,
    /// More than 255 properties in a list or more than 255 bytes of EDT.
    TooLong,
    /// The EDT of `epc` has the wrong size for its property.
    BadEdtLength {
        /// EPC of the property.
        epc: u8,
        /// Received EDT length (saturated at 255).
        len: u8,
    },
    /// The EDT of `epc` holds a value outside its documented range.
    BadValue {
        /// EPC of the property.
        epc: u8,
    },
    /// A unit code not in the unit table (0x0288 E1, 0x028A C5/C7/CD/E6 or D4).
    UnknownUnit(u8),
    /// Exact decimal arithmetic overflowed.
    Overflow,
}

impl Error {
    /// A stable, language-neutral identifier for this kind of error (for UI translation).
    pub const fn code(&self) -> &'static str {
        match self {
            Error::Truncated => "truncated",
            Error::BadHeader(_) => "bad_header",
            Error::UnsupportedFormat(_) => "unsupported_format",
            Error::MissingProperty { .. } => "missing_property",
            Error::PdcBeyondEnd { .. } => "pdc_beyond_end",
            Error::TrailingBytes { .. } => "trailing_bytes",
            Error::BufferTooSmall => "buffer_too_small",
            Error::TooLong => "too_long",
            Error::BadEdtLength { .. } => "bad_edt_length",
            Error::BadValue { .. } => "bad_value",
            Error::UnknownUnit(_) => "unknown_unit",
            Error::Overflow => "overflow",
        }
    }

    /// Build a [`Error::BadEdtLength`] from any slice length.
    pub(crate) fn bad_len(epc: u8, len: usize) -> Error {
        Error::BadEdtLength {
            epc,
            len: u8::try_from(len).unwrap_or(u8::MAX),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::Truncated => write!(f, "frame truncated: shorter than the 12-byte header"),
            Error::BadHeader(b) => write!(f, "bad header: EHD1 is 0x{b:02X}, expected 0x10"),
            Error::UnsupportedFormat(b) => {
                write!(f, "unsupported format: EHD2 is 0x{b:02X}, expected 0x81")
            }
            Error::MissingProperty { index } => {
                write!(f, "frame ends before property #{index} announced by OPC")
            }
            Error::PdcBeyondEnd { epc, pdc } => write!(
                f,
                "PDC beyond the end: EPC 0x{epc:02X} announces {pdc} bytes past the frame end"
            ),
            Error::TrailingBytes { count } => {
                write!(f, "{count} trailing byte(s) after the last property")
            }
            Error::BufferTooSmall => write!(f, "output buffer too small"),
            Error::TooLong => write!(f, "more than 255 properties or EDT bytes"),
            Error::BadEdtLength { epc, len } => {
                write!(
                    f,
                    "EPC 0x{epc:02X}: EDT of {len} byte(s) has the wrong size"
                )
            }
            Error::BadValue { epc } => write!(f, "EPC 0x{epc:02X}: value out of range"),
            Error::UnknownUnit(code) => write!(f, "unknown unit code 0x{code:02X}"),
            Error::Overflow => write!(f, "decimal arithmetic overflow"),
        }
    }
}

impl std::error::Error for Error {}

/// Result alias used throughout the crate.
pub type Result<T> = core::result::Result<T, Error>;

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_codes_are_distinct_and_display_is_english() {
        let all = [
            Error::Truncated,
            Error::BadHeader(0x11),
            Error::UnsupportedFormat(0x82),
            Error::MissingProperty { index: 1 },
            Error::PdcBeyondEnd { epc: 0xE7, pdc: 4 },
            Error::TrailingBytes { count: 2 },
            Error::BufferTooSmall,
            Error::TooLong,
            Error::BadEdtLength { epc: 0xE7, len: 3 },
            Error::BadValue { epc: 0xE5 },
            Error::UnknownUnit(0x05),
            Error::Overflow,
        ];
        let mut codes: Vec<_> = all.iter().map(Error::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        assert_eq!(
            Error::PdcBeyondEnd { epc: 0xE7, pdc: 4 }.to_string(),
            "PDC beyond the end: EPC 0xE7 announces 4 bytes past the frame end"
        );
    }
}
