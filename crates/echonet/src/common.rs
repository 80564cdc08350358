//! Properties every device object shares (device super class, EPC 0x80–0x9F).

use core::fmt;

use crate::codec::{Reader, Writer};
use crate::datetime::{Date, Time};
use crate::error::{Error, Result};
use crate::propmap::PropertyMap;

enum_with_unknown! {
    /// 0x80 operation status.
    pub enum OnOff(u8) {
        /// 0x30 ON.
        On = 0x30,
        /// 0x31 OFF.
        Off = 0x31,
    }
}

enum_with_unknown! {
    /// 0x88 fault status.
    pub enum FaultStatus(u8) {
        /// 0x41 a fault has occurred.
        Fault = 0x41,
        /// 0x42 no fault.
        NoFault = 0x42,
    }
}

/// 0x82 standard version information of a device object: byte 3 is the Appendix release
/// letter (lower case only for Release A).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StandardVersion {
    /// The four wire bytes.
    pub raw: [u8; 4],
}

impl StandardVersion {
    /// The release letter, upper-cased (`'F'` for `00 00 46 00`), if byte 3 is a letter.
    pub fn release(&self) -> Option<char> {
        let c = char::from(self.raw[2]);
        c.is_ascii_alphabetic().then(|| c.to_ascii_uppercase())
    }
}

impl fmt::Display for StandardVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.release() {
            Some(c) => write!(f, "Release {c}"),
            None => write!(f, "{}", Hex(&self.raw)),
        }
    }
}

/// 0x8A manufacturer code (3 bytes, assigned by the ECHONET Consortium).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MakerCode(pub u32);

impl fmt::Display for MakerCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06X}", self.0)
    }
}

/// 0x8D production (serial) number: 12 bytes, ASCII, NUL-padded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProductionNumber<'a>(pub &'a [u8]);

impl<'a> ProductionNumber<'a> {
    /// The text without padding, if it is printable ASCII.
    pub fn text(&self) -> Option<&'a str> {
        let end = self
            .0
            .iter()
            .rposition(|&b| b != 0 && b != b' ')
            .map_or(0, |i| i + 1);
        let s = core::str::from_utf8(&self.0[..end]).ok()?;
        s.bytes()
            .all(|b| b.is_ascii_graphic() || b == b' ')
            .then_some(s)
    }
}

impl fmt::Display for ProductionNumber<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.text() {
            Some(s) => f.write_str(s),
            None => write!(f, "{}", Hex(self.0)),
        }
    }
}

/// Displays bytes as upper-case hex without separators.
#[derive(Debug, Clone, Copy)]
pub struct Hex<'a>(pub &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

/// A decoded super-class property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommonValue<'a> {
    /// 0x80 operation status.
    OperationStatus(OnOff),
    /// 0x81 installation location (1 byte, or 17 bytes starting 0x01), kept raw.
    InstallationLocation(&'a [u8]),
    /// 0x82 standard version information.
    StandardVersion(StandardVersion),
    /// 0x83 identification number, raw (0xFE + maker code + unique ID, up to 17 bytes).
    IdentificationNumber(&'a [u8]),
    /// 0x88 fault status.
    FaultStatus(FaultStatus),
    /// 0x8A manufacturer code.
    Manufacturer(MakerCode),
    /// 0x8D production number.
    ProductionNumber(ProductionNumber<'a>),
    /// 0x97 current time.
    CurrentTime(Time),
    /// 0x98 current date.
    CurrentDate(Date),
    /// 0x9D status-change announcement property map.
    StatusMap(PropertyMap),
    /// 0x9E Set property map.
    SetMap(PropertyMap),
    /// 0x9F Get property map.
    GetMap(PropertyMap),
    /// Another super-class EPC, kept raw.
    Other {
        /// The EPC.
        epc: u8,
        /// The raw EDT.
        edt: &'a [u8],
    },
}

/// Decode a super-class property.
pub fn decode(epc: u8, edt: &[u8]) -> Result<CommonValue<'_>> {
    let mut r = Reader::new(epc, edt);
    let v = match epc {
        0x80 => CommonValue::OperationStatus(OnOff::from(r.u8()?)),
        0x81 => {
            if edt.len() != 1 && edt.len() != 17 {
                return Err(Error::bad_len(epc, edt.len()));
            }
            CommonValue::InstallationLocation(r.rest())
        }
        0x82 => CommonValue::StandardVersion(StandardVersion { raw: r.array()? }),
        0x83 => {
            if edt.is_empty() || edt.len() > 17 {
                return Err(Error::bad_len(epc, edt.len()));
            }
            CommonValue::IdentificationNumber(r.rest())
        }
        0x88 => CommonValue::FaultStatus(FaultStatus::from(r.u8()?)),
        0x8A => CommonValue::Manufacturer(MakerCode(r.u24()?)),
        0x8D => CommonValue::ProductionNumber(ProductionNumber(r.bytes(12)?)),
        0x97 => {
            let (h, m) = (r.u8()?, r.u8()?);
            CommonValue::CurrentTime(Time::new(h, m).ok_or(Error::BadValue { epc })?)
        }
        0x98 => CommonValue::CurrentDate(Date::read(&mut r)?),
        0x9D => CommonValue::StatusMap(PropertyMap::parse(r.rest(), epc)?),
        0x9E => CommonValue::SetMap(PropertyMap::parse(r.rest(), epc)?),
        0x9F => CommonValue::GetMap(PropertyMap::parse(r.rest(), epc)?),
        _ => CommonValue::Other { epc, edt: r.rest() },
    };
    r.finish()?;
    Ok(v)
}

impl CommonValue<'_> {
    /// The EPC this value belongs to.
    pub fn epc(&self) -> u8 {
        match self {
            CommonValue::OperationStatus(_) => 0x80,
            CommonValue::InstallationLocation(_) => 0x81,
            CommonValue::StandardVersion(_) => 0x82,
            CommonValue::IdentificationNumber(_) => 0x83,
            CommonValue::FaultStatus(_) => 0x88,
            CommonValue::Manufacturer(_) => 0x8A,
            CommonValue::ProductionNumber(_) => 0x8D,
            CommonValue::CurrentTime(_) => 0x97,
            CommonValue::CurrentDate(_) => 0x98,
            CommonValue::StatusMap(_) => 0x9D,
            CommonValue::SetMap(_) => 0x9E,
            CommonValue::GetMap(_) => 0x9F,
            CommonValue::Other { epc, .. } => *epc,
        }
    }

    /// Encode the EDT into `buf`; return its length.
    pub fn encode(&self, buf: &mut [u8]) -> Result<usize> {
        let mut w = Writer::new(buf);
        match self {
            CommonValue::OperationStatus(v) => w.u8((*v).into())?,
            CommonValue::InstallationLocation(b)
            | CommonValue::IdentificationNumber(b)
            | CommonValue::ProductionNumber(ProductionNumber(b))
            | CommonValue::Other { edt: b, .. } => w.bytes(b)?,
            CommonValue::StandardVersion(v) => w.bytes(&v.raw)?,
            CommonValue::FaultStatus(v) => w.u8((*v).into())?,
            CommonValue::Manufacturer(m) => w.u24(m.0)?,
            CommonValue::CurrentTime(t) => w.bytes(&[t.hour, t.minute])?,
            CommonValue::CurrentDate(d) => d.write(&mut w)?,
            CommonValue::StatusMap(m) | CommonValue::SetMap(m) | CommonValue::GetMap(m) => {
                return m.emit(buf);
            }
        }
        Ok(w.len())
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_release_letter() {
        // protocol.md §C (T-cracker): 82 = 00 00 46 00 → Release F.
        let v = decode(0x82, &[0x00, 0x00, 0x46, 0x00]).unwrap();
        match v {
            CommonValue::StandardVersion(s) => {
                assert_eq!(s.release(), Some('F'));
                assert_eq!(s.to_string(), "Release F");
            }
            other => panic!("{other:?}"),
        }
        let CommonValue::StandardVersion(a) = decode(0x82, &[0, 0, b'a', 0]).unwrap() else {
            panic!()
        };
        assert_eq!(a.release(), Some('A'));
    }

    #[test]
    fn test_maker_and_serial() {
        // protocol.md §C (T-cracker): 8A 000016 (Toshiba per the source's comment),
        // 8D "F24G366505" NUL-padded to 12 bytes.
        assert_eq!(
            decode(0x8A, &[0x00, 0x00, 0x16]),
            Ok(CommonValue::Manufacturer(MakerCode(0x16)))
        );
        let sn = *b"F24G366505\0\0";
        let CommonValue::ProductionNumber(p) = decode(0x8D, &sn).unwrap() else {
            panic!()
        };
        assert_eq!(p.text(), Some("F24G366505"));
        assert_eq!(p.to_string(), "F24G366505");
        assert!(decode(0x8D, &sn[..11]).is_err());
    }

    #[test]
    fn test_round_trip_and_errors() {
        let cases: [(u8, &[u8]); 7] = [
            (0x80, &[0x30]),
            (0x81, &[0x61]),
            (0x88, &[0x42]),
            (0x97, &[0x14, 0x1E]),
            (0x98, &[0x07, 0xE6, 0x08, 0x01]),
            (0x9E, &[0x03, 0x81, 0xE5, 0xED]),
            (0x93, &[0x01, 0x02]),
        ];
        for (epc, edt) in cases {
            let v = decode(epc, edt).unwrap();
            assert_eq!(v.epc(), epc);
            let mut buf = [0u8; 32];
            let n = v.encode(&mut buf).unwrap();
            assert_eq!(&buf[..n], edt);
        }
        assert_eq!(
            decode(0x80, &[]),
            Err(Error::BadEdtLength { epc: 0x80, len: 0 })
        );
        assert_eq!(
            decode(0x80, &[0x30, 0x30]),
            Err(Error::BadEdtLength { epc: 0x80, len: 2 })
        );
        assert_eq!(decode(0x97, &[24, 0]), Err(Error::BadValue { epc: 0x97 }));
        assert_eq!(
            decode(0x81, &[1, 2]),
            Err(Error::BadEdtLength { epc: 0x81, len: 2 })
        );
    }
}
