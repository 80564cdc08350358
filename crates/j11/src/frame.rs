//! The J11 frame: a 12-byte header and up to 1349 data bytes (`shared/j11.md` §1, J11 §2.3).
//!
//! ```text
//!  0               4       6       8       10      12
//! +---------------+-------+-------+-------+-------+----------------+
//! | unique code   | cmd   | len   | hsum  | dsum  | data (len - 4) |
//! +---------------+-------+-------+-------+-------+----------------+
//! ```
//!
//! All fields are big-endian. `len` (message length) counts the two checksums and the data, so
//! it is `4 + data length`, at least 4 and at most 1353 (a frame is at most 1361 bytes, J11
//! §2.10.1). `hsum` is the 16-bit wrap-around sum of bytes 0–7, `dsum` the same sum over the
//! data (0 when there is none, J11 §2.6).
//!
//! Two levels, as in smoltcp's `wire`: [`Frame`] is a view over a byte buffer with field
//! accessors and setters; [`Repr`] is the validated high-level form with `parse` and `emit`.
//! Unlike smoltcp, the accessors never panic: on a buffer shorter than the header they read 0,
//! and [`Frame::data`] is empty when the buffer is shorter than the length field says. Use
//! [`Frame::new_checked`] (or [`Repr::parse`]) on untrusted input.
//!
//! Checksums: J11GO and WSAPP send reset and initial setup with both sums zero (pitfall 2 in
//! `shared/j11.md` §5), which contradicts J11 §2.6. This crate follows the specification: it
//! always emits correct sums, and [`Repr::parse`] rejects frames whose sums do not match.

use core::fmt;

/// Unique code that starts every request (host → module).
pub const REQUEST_UNIQUE_CODE: [u8; 4] = [0xD0, 0xEA, 0x83, 0xFC];
/// Unique code that starts every response and notification (module → host).
pub const RESPONSE_UNIQUE_CODE: [u8; 4] = [0xD0, 0xF9, 0xEE, 0x5D];
/// Header length (unique code, command, message length, header sum, data sum).
pub const HEADER_LEN: usize = 12;
/// Largest frame, header included (J11 §2.10.1).
pub const MAX_FRAME_LEN: usize = 1361;
/// Smallest message length (no data).
pub const MIN_MESSAGE_LEN: u16 = 4;
/// Largest message length.
pub const MAX_MESSAGE_LEN: u16 = 1353;
/// Largest data length.
pub const MAX_DATA_LEN: usize = MAX_FRAME_LEN - HEADER_LEN;

mod field {
    use core::ops::Range;
    pub const UNIQUE_CODE: Range<usize> = 0..4;
    pub const COMMAND: usize = 4;
    pub const LENGTH: usize = 6;
    pub const HEADER_SUM: usize = 8;
    pub const DATA_SUM: usize = 10;
    pub const DATA: usize = 12;
}

/// Which way a frame travels, told by its unique code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Host → module (`D0 EA 83 FC`).
    Request,
    /// Module → host: responses and notifications (`D0 F9 EE 5D`).
    Response,
}

impl Direction {
    /// The unique code of this direction.
    pub const fn unique_code(self) -> [u8; 4] {
        match self {
            Self::Request => REQUEST_UNIQUE_CODE,
            Self::Response => RESPONSE_UNIQUE_CODE,
        }
    }

    /// The direction whose unique code this is.
    pub fn from_unique_code(code: &[u8]) -> Option<Self> {
        if code == REQUEST_UNIQUE_CODE {
            Some(Self::Request)
        } else if code == RESPONSE_UNIQUE_CODE {
            Some(Self::Response)
        } else {
            None
        }
    }
}

/// The J11 checksum: the 16-bit wrap-around sum of the bytes.
pub fn checksum(bytes: &[u8]) -> u16 {
    bytes
        .iter()
        .fold(0u16, |acc, &b| acc.wrapping_add(u16::from(b)))
}

/// Why bytes are not a valid frame. Carries no data bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// The buffer ends before the header or the data the length field announces.
    Truncated {
        /// Bytes the frame needs.
        need: usize,
        /// Bytes available.
        have: usize,
    },
    /// The first four bytes are neither unique code.
    UniqueCode,
    /// The header sum does not match bytes 0–7 (the module answers such input with 0x2FFF).
    HeaderSum {
        /// Sum in the frame.
        received: u16,
        /// Sum computed over bytes 0–7.
        computed: u16,
    },
    /// Message length below 4.
    LengthTooShort {
        /// The length field.
        length: u16,
    },
    /// Message length above 1353.
    LengthTooLong {
        /// The length field.
        length: u16,
    },
    /// The data sum does not match the data.
    DataSum {
        /// Sum in the frame.
        received: u16,
        /// Sum computed over the data.
        computed: u16,
    },
    /// Emitting: more than 1349 data bytes.
    DataTooLong {
        /// Data length asked for.
        len: usize,
    },
}

impl FrameError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Truncated { .. } => "j11.frame.truncated",
            Self::UniqueCode => "j11.frame.unique_code",
            Self::HeaderSum { .. } => "j11.frame.header_sum",
            Self::LengthTooShort { .. } => "j11.frame.length_too_short",
            Self::LengthTooLong { .. } => "j11.frame.length_too_long",
            Self::DataSum { .. } => "j11.frame.data_sum",
            Self::DataTooLong { .. } => "j11.frame.data_too_long",
        }
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated { need, have } => {
                write!(f, "frame truncated: {have} of {need} bytes")
            }
            Self::UniqueCode => f.write_str("not a J11 unique code"),
            Self::HeaderSum { received, computed } => {
                write!(f, "header checksum {received:04X}, expected {computed:04X}")
            }
            Self::LengthTooShort { length } => {
                write!(f, "message length {length} is below 4")
            }
            Self::LengthTooLong { length } => {
                write!(f, "message length {length} is above {MAX_MESSAGE_LEN}")
            }
            Self::DataSum { received, computed } => {
                write!(f, "data checksum {received:04X}, expected {computed:04X}")
            }
            Self::DataTooLong { len } => {
                write!(f, "{len} data bytes exceed the maximum of {MAX_DATA_LEN}")
            }
        }
    }
}

impl std::error::Error for FrameError {}

/// A view over the bytes of one frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// Wrap a buffer without checking it (for emitting into a buffer sized with
    /// [`Repr::buffer_len`]).
    pub const fn new_unchecked(buffer: T) -> Self {
        Self { buffer }
    }

    /// Wrap a buffer and check its length: a header, a message length in 4..=1353 and all the
    /// data present. Checksums are not checked here (see [`Frame::check_sums`]).
    pub fn new_checked(buffer: T) -> Result<Self, FrameError> {
        let f = Self::new_unchecked(buffer);
        f.check_len()?;
        Ok(f)
    }

    /// See [`Frame::new_checked`].
    pub fn check_len(&self) -> Result<(), FrameError> {
        let have = self.buffer.as_ref().len();
        if have < HEADER_LEN {
            return Err(FrameError::Truncated {
                need: HEADER_LEN,
                have,
            });
        }
        check_length_field(self.message_length())?;
        if have < self.total_len() {
            return Err(FrameError::Truncated {
                need: self.total_len(),
                have,
            });
        }
        Ok(())
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn be16(&self, at: usize) -> u16 {
        match self.buffer.as_ref().get(at..at + 2) {
            Some(&[a, b]) => u16::from_be_bytes([a, b]),
            _ => 0,
        }
    }

    /// The unique code (zeros if the buffer is shorter).
    pub fn unique_code(&self) -> [u8; 4] {
        match self.buffer.as_ref().get(field::UNIQUE_CODE) {
            Some(&[a, b, c, d]) => [a, b, c, d],
            _ => [0; 4],
        }
    }

    /// The direction told by the unique code.
    pub fn direction(&self) -> Option<Direction> {
        Direction::from_unique_code(&self.unique_code())
    }

    /// The command (request, response or notification code).
    pub fn command(&self) -> u16 {
        self.be16(field::COMMAND)
    }

    /// The message length field (4 + data length).
    pub fn message_length(&self) -> u16 {
        self.be16(field::LENGTH)
    }

    /// The header sum field.
    pub fn header_sum(&self) -> u16 {
        self.be16(field::HEADER_SUM)
    }

    /// The data sum field.
    pub fn data_sum(&self) -> u16 {
        self.be16(field::DATA_SUM)
    }

    /// Data length announced by the header (0 if the length field is below 4).
    pub fn data_len(&self) -> usize {
        usize::from(self.message_length().saturating_sub(MIN_MESSAGE_LEN))
    }

    /// Frame length announced by the header.
    pub fn total_len(&self) -> usize {
        HEADER_LEN + self.data_len()
    }

    /// Sum of bytes 0–7 as present in the buffer.
    pub fn compute_header_sum(&self) -> u16 {
        let b = self.buffer.as_ref();
        checksum(b.get(..field::HEADER_SUM).unwrap_or(b))
    }

    /// Sum of [`Frame::data`].
    pub fn compute_data_sum(&self) -> u16 {
        checksum(self.data())
    }

    /// Check both sums: the header's first, as the module does.
    pub fn check_sums(&self) -> Result<(), FrameError> {
        let (received, computed) = (self.header_sum(), self.compute_header_sum());
        if received != computed {
            return Err(FrameError::HeaderSum { received, computed });
        }
        let (received, computed) = (self.data_sum(), self.compute_data_sum());
        if received != computed {
            return Err(FrameError::DataSum { received, computed });
        }
        Ok(())
    }

    /// The data (empty if the buffer does not hold all of it).
    pub fn data(&self) -> &[u8] {
        self.buffer
            .as_ref()
            .get(field::DATA..self.total_len())
            .unwrap_or(&[])
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Frame<&'a T> {
    /// The data, with the lifetime of the underlying buffer.
    pub fn data_ref(&self) -> &'a [u8] {
        let end = self.total_len();
        self.buffer.as_ref().get(field::DATA..end).unwrap_or(&[])
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Frame<T> {
    fn set_be16(&mut self, at: usize, v: u16) {
        if let Some(s) = self.buffer.as_mut().get_mut(at..at + 2) {
            s.copy_from_slice(&v.to_be_bytes());
        }
    }

    /// Set the unique code.
    pub fn set_direction(&mut self, d: Direction) {
        if let Some(s) = self.buffer.as_mut().get_mut(field::UNIQUE_CODE) {
            s.copy_from_slice(&d.unique_code());
        }
    }

    /// Set the command.
    pub fn set_command(&mut self, v: u16) {
        self.set_be16(field::COMMAND, v);
    }

    /// Set the message length field.
    pub fn set_message_length(&mut self, v: u16) {
        self.set_be16(field::LENGTH, v);
    }

    /// Set the header sum field.
    pub fn set_header_sum(&mut self, v: u16) {
        self.set_be16(field::HEADER_SUM, v);
    }

    /// Set the data sum field.
    pub fn set_data_sum(&mut self, v: u16) {
        self.set_be16(field::DATA_SUM, v);
    }

    /// The data, writable (empty if the buffer is shorter than the length field says).
    pub fn data_mut(&mut self) -> &mut [u8] {
        let end = self.total_len();
        self.buffer
            .as_mut()
            .get_mut(field::DATA..end)
            .unwrap_or(&mut [])
    }

    /// Compute and store both sums (after the other fields and the data are written).
    pub fn fill_checksums(&mut self) {
        let h = self.compute_header_sum();
        self.set_header_sum(h);
        let d = self.compute_data_sum();
        self.set_data_sum(d);
    }
}

fn check_length_field(length: u16) -> Result<(), FrameError> {
    if length < MIN_MESSAGE_LEN {
        Err(FrameError::LengthTooShort { length })
    } else if length > MAX_MESSAGE_LEN {
        Err(FrameError::LengthTooLong { length })
    } else {
        Ok(())
    }
}

/// Check a complete 12-byte header: unique code, header sum, length limits. Returns the data
/// length. Used by the framer before it waits for the data.
pub(crate) fn check_header(header: &[u8]) -> Result<(Direction, u16, usize), FrameError> {
    let f = Frame::new_unchecked(header);
    if header.len() < HEADER_LEN {
        return Err(FrameError::Truncated {
            need: HEADER_LEN,
            have: header.len(),
        });
    }
    let dir = f.direction().ok_or(FrameError::UniqueCode)?;
    let (received, computed) = (f.header_sum(), f.compute_header_sum());
    if received != computed {
        return Err(FrameError::HeaderSum { received, computed });
    }
    check_length_field(f.message_length())?;
    Ok((dir, f.command(), f.data_len()))
}

/// A validated frame: direction, command and data.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Repr<'a> {
    /// Which unique code.
    pub direction: Direction,
    /// The command code.
    pub command: u16,
    /// The data.
    pub data: &'a [u8],
}

impl<'a> Repr<'a> {
    /// Parse a frame: unique code, length limits, header sum, data sum. Bytes after the frame
    /// are ignored (see [`Frame::total_len`]).
    pub fn parse<T: AsRef<[u8]> + ?Sized>(frame: &Frame<&'a T>) -> Result<Self, FrameError> {
        frame.check_len()?;
        let direction = frame.direction().ok_or(FrameError::UniqueCode)?;
        frame.check_sums()?;
        Ok(Self {
            direction,
            command: frame.command(),
            data: frame.data_ref(),
        })
    }

    /// Bytes needed to emit this frame.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + self.data.len()
    }

    /// Write the frame, checksums included, into `frame` (at least [`Repr::buffer_len`] bytes).
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        frame: &mut Frame<T>,
    ) -> Result<(), FrameError> {
        let len = self.data.len();
        if len > MAX_DATA_LEN {
            return Err(FrameError::DataTooLong { len });
        }
        let have = frame.buffer.as_ref().len();
        if have < self.buffer_len() {
            return Err(FrameError::Truncated {
                need: self.buffer_len(),
                have,
            });
        }
        frame.set_direction(self.direction);
        frame.set_command(self.command);
        // len <= 1349, so this fits.
        frame.set_message_length(u16::try_from(len).unwrap_or(0) + MIN_MESSAGE_LEN);
        frame.data_mut().copy_from_slice(self.data);
        frame.fill_checksums();
        Ok(())
    }

    /// The frame as a new byte vector.
    pub fn to_bytes(&self) -> Result<Vec<u8>, FrameError> {
        let mut v = vec![0u8; self.buffer_len().min(MAX_FRAME_LEN)];
        self.emit(&mut Frame::new_unchecked(&mut v[..]))?;
        Ok(v)
    }
}

impl fmt::Debug for Repr<'_> {
    /// The data of a 0x0054 request holds the credentials: it is never shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Repr");
        d.field("direction", &self.direction)
            .field("command", &format_args!("{:#06X}", self.command));
        if holds_credentials(self.direction, self.command) {
            d.field(
                "data",
                &format_args!("<{} bytes redacted>", self.data.len()),
            );
        } else {
            d.field("data", &crate::util::Hex(self.data));
        }
        d.finish()
    }
}

/// True for frames whose data carries the B-route credentials (request 0x0054).
pub(crate) fn holds_credentials(direction: Direction, command: u16) -> bool {
    direction == Direction::Request && command == crate::request::CODE_SET_CREDENTIALS
}

/// An owned frame, as the [`crate::Framer`] yields it.
#[derive(Clone, PartialEq, Eq)]
pub struct RawFrame {
    /// Which unique code.
    pub direction: Direction,
    /// The command code.
    pub command: u16,
    /// The data (at most 1349 bytes).
    pub data: Vec<u8>,
}

impl RawFrame {
    /// Borrow as a [`Repr`].
    pub fn repr(&self) -> Repr<'_> {
        Repr {
            direction: self.direction,
            command: self.command,
            data: &self.data,
        }
    }

    /// Encode (checksums included).
    pub fn to_bytes(&self) -> Result<Vec<u8>, FrameError> {
        self.repr().to_bytes()
    }
}

impl fmt::Debug for RawFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.repr(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::tests::hex;

    #[test]
    fn view_reads_the_worked_scan_example() {
        // shared/j11.md §1 worked example (= ROHM AN sample F7).
        let b = hex("D0EA83FC 0051 0012 039C 041D 06 0003FFF0 01 4343444445454646");
        let f = Frame::new_checked(&b[..]).unwrap();
        assert_eq!(f.direction(), Some(Direction::Request));
        assert_eq!(
            (f.command(), f.message_length(), f.data_len(), f.total_len()),
            (0x0051, 0x12, 14, 26)
        );
        assert_eq!((f.header_sum(), f.compute_header_sum()), (0x039C, 0x039C));
        assert_eq!((f.data_sum(), f.compute_data_sum()), (0x041D, 0x041D));
        let r = Repr::parse(&f).unwrap();
        assert_eq!(r.command, 0x0051);
        assert_eq!(r.to_bytes().unwrap(), b);
    }

    #[test]
    fn checks_lengths_and_sums() {
        let b = hex("D0F9EE5D 2054 0005 038D 0001 01");
        assert_eq!(
            Frame::new_checked(&b[..5]).unwrap_err(),
            FrameError::Truncated { need: 12, have: 5 }
        );
        assert_eq!(
            Frame::new_checked(&b[..12]).unwrap_err(),
            FrameError::Truncated { need: 13, have: 12 }
        );
        let mut bad = b.clone();
        bad[8] = 0;
        assert!(matches!(
            Repr::parse(&Frame::new_unchecked(&bad[..])),
            Err(FrameError::HeaderSum {
                received: 0x008D,
                computed: 0x038D
            })
        ));
        let mut bad = b.clone();
        bad[12] = 2;
        assert_eq!(
            Repr::parse(&Frame::new_unchecked(&bad[..])).unwrap_err(),
            FrameError::DataSum {
                received: 1,
                computed: 2
            }
        );
        let mut bad = b.clone();
        bad[0] = 0xD1;
        assert_eq!(
            Repr::parse(&Frame::new_unchecked(&bad[..])).unwrap_err(),
            FrameError::UniqueCode
        );
        let short = Repr {
            direction: Direction::Response,
            command: 1,
            data: &[],
        };
        let mut f = Frame::new_unchecked(short.to_bytes().unwrap());
        f.set_message_length(3);
        assert_eq!(
            f.check_len().unwrap_err(),
            FrameError::LengthTooShort { length: 3 }
        );
        f.set_message_length(1354);
        assert_eq!(
            f.check_len().unwrap_err(),
            FrameError::LengthTooLong { length: 1354 }
        );
    }

    #[test]
    fn accessors_never_panic_on_short_buffers() {
        for n in 0..HEADER_LEN {
            let b = vec![0xD0; n];
            let f = Frame::new_unchecked(&b[..]);
            let _ = (
                f.command(),
                f.message_length(),
                f.header_sum(),
                f.data_sum(),
            );
            assert!(f.data().is_empty());
            assert!(check_header(&b).is_err());
            let mut m = Frame::new_unchecked(b.clone());
            m.set_command(1);
            m.fill_checksums();
            assert!(m.data_mut().is_empty());
        }
    }

    #[test]
    fn emit_limits() {
        let data = vec![0xAB; MAX_DATA_LEN];
        let r = Repr {
            direction: Direction::Response,
            command: 0x6018,
            data: &data,
        };
        let b = r.to_bytes().unwrap();
        assert_eq!(b.len(), MAX_FRAME_LEN);
        assert_eq!(Frame::new_checked(&b[..]).unwrap().message_length(), 1353);
        let data = vec![0; MAX_DATA_LEN + 1];
        let r = Repr { data: &data, ..r };
        assert_eq!(
            r.to_bytes().unwrap_err(),
            FrameError::DataTooLong { len: 1350 }
        );
        let mut small = [0u8; 11];
        let r = Repr { data: &[], ..r };
        assert!(matches!(
            r.emit(&mut Frame::new_unchecked(&mut small[..])),
            Err(FrameError::Truncated { need: 12, have: 11 })
        ));
    }

    #[test]
    fn debug_hides_credential_request_data() {
        let data = b"00112233445566778899AABBCCDDEEFF0123456789AB".to_vec();
        let raw = RawFrame {
            direction: Direction::Request,
            command: 0x0054,
            data,
        };
        let s = format!("{raw:?}");
        assert!(s.contains("redacted") && !s.contains("3030") && !s.contains("0011"));
        let other = RawFrame {
            direction: Direction::Response,
            command: 0x2054,
            data: vec![1],
        };
        assert!(format!("{other:?}").contains("01"));
    }
}
