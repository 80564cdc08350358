//! Node profile object, class 0x0EF0: instance lists, class lists, version, maker.

use core::fmt;

use crate::codec::{Reader, Writer};
use crate::common::{self, CommonValue};
use crate::error::{Error, Result};
use crate::frame::{ClassCode, Eoj};

/// Most EOJs an instance list (D5/D6) may carry.
pub const MAX_INSTANCES: usize = 84;

enum_with_unknown! {
    /// Class-specific EPCs of the node profile 0x0EF0.
    pub enum Epc(u8) {
        /// 0xD3 number of self-node instances.
        InstanceCount = 0xD3,
        /// 0xD4 number of self-node classes.
        ClassCount = 0xD4,
        /// 0xD5 instance list notification.
        InstanceListNotification = 0xD5,
        /// 0xD6 self-node instance list S.
        InstanceList = 0xD6,
        /// 0xD7 self-node class list S.
        ClassList = 0xD7,
    }
}

/// 0x82 version information of the node profile: major, minor, message formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NodeVersion {
    /// Major version of the ECHONET Lite specification.
    pub major: u8,
    /// Minor version.
    pub minor: u8,
    /// Supported message formats (bit 0 specified, bit 1 arbitrary), two bytes.
    pub formats: [u8; 2],
}

impl fmt::Display for NodeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{} (formats {:02X}{:02X})",
            self.major, self.minor, self.formats[0], self.formats[1]
        )
    }
}

/// D5/D6 instance list: count + 3-byte EOJs, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InstanceList<'a> {
    eojs: &'a [u8],
}

impl<'a> InstanceList<'a> {
    /// Parse count + EOJs (count must match the length).
    pub fn parse(epc: u8, edt: &'a [u8]) -> Result<InstanceList<'a>> {
        let (&n, rest) = edt.split_first().ok_or(Error::bad_len(epc, 0))?;
        if usize::from(n) > MAX_INSTANCES {
            return Err(Error::BadValue { epc });
        }
        if rest.len() != 3 * usize::from(n) {
            return Err(Error::bad_len(epc, edt.len()));
        }
        Ok(InstanceList { eojs: rest })
    }

    /// Number of instances.
    pub fn len(&self) -> usize {
        self.eojs.len() / 3
    }

    /// True if the list is empty.
    pub fn is_empty(&self) -> bool {
        self.eojs.is_empty()
    }

    /// The EOJs.
    pub fn iter(&self) -> impl Iterator<Item = Eoj> + 'a {
        self.eojs
            .chunks_exact(3)
            .map(|c| Eoj::new(c[0], c[1], c[2]))
    }

    /// Encode a list of EOJs (count + 3 bytes each) into `buf`.
    pub fn encode(eojs: &[Eoj], buf: &mut [u8]) -> Result<usize> {
        if eojs.len() > MAX_INSTANCES {
            return Err(Error::TooLong);
        }
        let mut w = Writer::new(buf);
        w.u8(eojs.len() as u8)?;
        for e in eojs {
            w.bytes(&e.to_bytes())?;
        }
        Ok(w.len())
    }
}

/// D7 class list: count + 2-byte class codes, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClassList<'a> {
    codes: &'a [u8],
}

impl<'a> ClassList<'a> {
    /// Parse count + class codes (count must match the length).
    pub fn parse(epc: u8, edt: &'a [u8]) -> Result<ClassList<'a>> {
        let (&n, rest) = edt.split_first().ok_or(Error::bad_len(epc, 0))?;
        if rest.len() != 2 * usize::from(n) {
            return Err(Error::bad_len(epc, edt.len()));
        }
        Ok(ClassList { codes: rest })
    }

    /// Number of classes.
    pub fn len(&self) -> usize {
        self.codes.len() / 2
    }

    /// True if the list is empty.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The class codes.
    pub fn iter(&self) -> impl Iterator<Item = ClassCode> + 'a {
        self.codes
            .chunks_exact(2)
            .map(|c| ClassCode::from(u16::from_be_bytes([c[0], c[1]])))
    }
}

/// A typed value of the node profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NpValue<'a> {
    /// Super-class properties other than 0x82 (0x80, 0x83 identification number, 0x8A maker …).
    Common(CommonValue<'a>),
    /// 0x82 version information.
    Version(NodeVersion),
    /// 0xD3 number of self-node instances (3 bytes).
    InstanceCount(u32),
    /// 0xD4 number of self-node classes (2 bytes).
    ClassCount(u16),
    /// 0xD5 instance list notification.
    InstanceListNotification(InstanceList<'a>),
    /// 0xD6 self-node instance list S.
    InstanceList(InstanceList<'a>),
    /// 0xD7 self-node class list S.
    ClassList(ClassList<'a>),
    /// An EPC not decoded here, kept raw.
    Unknown {
        /// The EPC.
        epc: u8,
        /// The raw EDT.
        edt: &'a [u8],
    },
}

/// Decode one property of the node profile.
pub fn decode(epc: u8, edt: &[u8]) -> Result<NpValue<'_>> {
    let mut r = Reader::new(epc, edt);
    let v = match epc {
        0x82 => {
            let [major, minor, f0, f1] = r.array()?;
            NpValue::Version(NodeVersion {
                major,
                minor,
                formats: [f0, f1],
            })
        }
        0x80..=0x9F => return common::decode(epc, edt).map(NpValue::Common),
        0xD3 => NpValue::InstanceCount(r.u24()?),
        0xD4 => NpValue::ClassCount(r.u16()?),
        0xD5 => NpValue::InstanceListNotification(InstanceList::parse(epc, r.rest())?),
        0xD6 => NpValue::InstanceList(InstanceList::parse(epc, r.rest())?),
        0xD7 => NpValue::ClassList(ClassList::parse(epc, r.rest())?),
        _ => NpValue::Unknown { epc, edt: r.rest() },
    };
    r.finish()?;
    Ok(v)
}

impl NpValue<'_> {
    /// The EPC this value belongs to.
    pub fn epc(&self) -> u8 {
        match self {
            NpValue::Common(c) => c.epc(),
            NpValue::Version(_) => 0x82,
            NpValue::InstanceCount(_) => 0xD3,
            NpValue::ClassCount(_) => 0xD4,
            NpValue::InstanceListNotification(_) => 0xD5,
            NpValue::InstanceList(_) => 0xD6,
            NpValue::ClassList(_) => 0xD7,
            NpValue::Unknown { epc, .. } => *epc,
        }
    }

    /// Encode the EDT into `buf`; return its length.
    pub fn encode(&self, buf: &mut [u8]) -> Result<usize> {
        let mut w = Writer::new(buf);
        match self {
            NpValue::Common(c) => return c.encode(buf),
            NpValue::Version(v) => w.bytes(&[v.major, v.minor, v.formats[0], v.formats[1]])?,
            NpValue::InstanceCount(n) => w.u24(*n)?,
            NpValue::ClassCount(n) => w.u16(*n)?,
            NpValue::InstanceListNotification(l) | NpValue::InstanceList(l) => {
                w.u8(l.len() as u8)?;
                w.bytes(l.eojs)?;
            }
            NpValue::ClassList(l) => {
                w.u8(l.len() as u8)?;
                w.bytes(l.codes)?;
            }
            NpValue::Unknown { edt, .. } => w.bytes(edt)?,
        }
        Ok(w.len())
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::frame::{Esv, FrameRepr};

    // ../shared/fixtures/transcripts/ak1211-m5stickc-wisunhat-BP35A1_comm.txt (and the same
    // bytes in qiita-74f11b729a7859da63af and vkgtaro memo): the meter's D5 INF after joining,
    // one instance 028801.
    static D5_INF: [u8; 18] = [
        0x10, 0x81, 0x03, 0x61, 0x0E, 0xF0, 0x01, 0x0E, 0xF0, 0x01, 0x73, 0x01, 0xD5, 0x04, 0x01,
        0x02, 0x88, 0x01,
    ];

    // ../shared/fixtures/transcripts/hsakoh-broute-mqtt-issue5.txt: the controller's own D5.
    static D5_CONTROLLER: [u8; 18] = [
        0x10, 0x81, 0x01, 0x00, 0x0E, 0xF0, 0x01, 0x0E, 0xF0, 0x01, 0x73, 0x01, 0xD5, 0x04, 0x01,
        0x05, 0xFF, 0x01,
    ];

    #[test]
    fn test_d5_instance_list() {
        let repr = FrameRepr::parse_bytes(&D5_INF).unwrap();
        assert_eq!(repr.tid, 0x0361);
        assert_eq!(repr.esv, Esv::Inf);
        assert_eq!(repr.seoj.class_code(), ClassCode::NodeProfile);
        let p = repr.props.get(0xD5).unwrap();
        let NpValue::InstanceListNotification(list) = decode(p.epc, p.edt).unwrap() else {
            panic!()
        };
        assert_eq!(list.len(), 1);
        assert_eq!(list.iter().collect::<Vec<_>>(), [Eoj::LV_SMART_METER]);

        let repr = FrameRepr::parse_bytes(&D5_CONTROLLER).unwrap();
        let p = repr.props.get(0xD5).unwrap();
        let NpValue::InstanceListNotification(list) = decode(p.epc, p.edt).unwrap() else {
            panic!()
        };
        assert_eq!(list.iter().next(), Some(Eoj::CONTROLLER));
        let mut buf = [0u8; 4];
        assert_eq!(InstanceList::encode(&[Eoj::CONTROLLER], &mut buf), Ok(4));
        assert_eq!(buf, [0x01, 0x05, 0xFF, 0x01]);
    }

    #[test]
    fn test_lists_and_counts() {
        let v = decode(0xD6, &[0x02, 0x02, 0x88, 0x01, 0x02, 0x8A, 0x01]).unwrap();
        assert_eq!(v.epc(), 0xD6);
        let NpValue::InstanceList(l) = v else {
            panic!()
        };
        assert_eq!(l.iter().last(), Some(Eoj::HV_SMART_METER));
        let NpValue::ClassList(c) = decode(0xD7, &[0x01, 0x02, 0x88]).unwrap() else {
            panic!()
        };
        assert_eq!(
            c.iter().collect::<Vec<_>>(),
            [ClassCode::LowVoltageSmartMeter]
        );
        assert_eq!(decode(0xD3, &[0, 0, 1]), Ok(NpValue::InstanceCount(1)));
        assert_eq!(decode(0xD4, &[0, 2]), Ok(NpValue::ClassCount(2)));
        assert_eq!(
            decode(0x82, &[0x01, 0x0C, 0x01, 0x00]),
            Ok(NpValue::Version(NodeVersion {
                major: 1,
                minor: 12,
                formats: [1, 0]
            }))
        );
        let id = [
            0xFE, 0x00, 0x00, 0x16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
        ];
        assert_eq!(
            decode(0x83, &id),
            Ok(NpValue::Common(CommonValue::IdentificationNumber(&id)))
        );
        // Count disagreeing with the length.
        assert_eq!(
            decode(0xD5, &[0x02, 0x02, 0x88, 0x01]),
            Err(Error::BadEdtLength { epc: 0xD5, len: 4 })
        );
        assert_eq!(
            decode(0xD5, &[]),
            Err(Error::BadEdtLength { epc: 0xD5, len: 0 })
        );
        for (epc, edt) in [
            (0xD5u8, &[0x01, 0x02, 0x88, 0x01][..]),
            (0xD7, &[0x01, 0x02, 0x88][..]),
            (0x82, &[1, 12, 1, 0][..]),
            (0xD3, &[0, 0, 1][..]),
        ] {
            let mut buf = [0u8; 8];
            let n = decode(epc, edt).unwrap().encode(&mut buf).unwrap();
            assert_eq!(&buf[..n], edt);
        }
    }
}
