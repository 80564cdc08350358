//! Property maps (EPC 0x9D status announcement, 0x9E Set, 0x9F Get).
//!
//! First byte N = number of properties. N < 16: N EPCs follow. N ≥ 16: a 16-byte bitmap
//! follows in which byte i, bit j stands for EPC 0x80 + 0x10·j + i.

use core::fmt;

use crate::error::{Error, Result};

/// Number of entries from which the bitmap form is used.
pub const BITMAP_THRESHOLD: usize = 16;

/// A set of EPCs (a 256-bit set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PropertyMap {
    bits: [u64; 4],
}

impl PropertyMap {
    /// The empty map.
    pub const fn new() -> PropertyMap {
        PropertyMap { bits: [0; 4] }
    }

    /// A map holding the given EPCs.
    pub fn from_epcs(epcs: &[u8]) -> PropertyMap {
        let mut m = PropertyMap::new();
        for &e in epcs {
            m.insert(e);
        }
        m
    }

    /// Add an EPC.
    pub fn insert(&mut self, epc: u8) {
        self.bits[usize::from(epc >> 6)] |= 1 << (epc & 63);
    }

    /// Remove an EPC.
    pub fn remove(&mut self, epc: u8) {
        self.bits[usize::from(epc >> 6)] &= !(1 << (epc & 63));
    }

    /// True if the EPC is in the map.
    pub fn contains(&self, epc: u8) -> bool {
        self.bits[usize::from(epc >> 6)] & (1 << (epc & 63)) != 0
    }

    /// Number of EPCs in the map.
    pub fn len(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// True if the map is empty.
    pub fn is_empty(&self) -> bool {
        self.bits == [0; 4]
    }

    /// EPCs in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u8> + '_ {
        (0..=255u8).filter(move |&e| self.contains(e))
    }

    /// Parse either form. The list form must hold exactly N EPCs; the bitmap form exactly 16
    /// bytes (a count that disagrees with the bitmap is tolerated: the bitmap wins).
    pub fn parse(edt: &[u8], epc: u8) -> Result<PropertyMap> {
        let (&n, rest) = edt.split_first().ok_or(Error::bad_len(epc, 0))?;
        let n = usize::from(n);
        let mut m = PropertyMap::new();
        if n < BITMAP_THRESHOLD {
            if rest.len() != n {
                return Err(Error::bad_len(epc, edt.len()));
            }
            for &e in rest {
                m.insert(e);
            }
        } else {
            if rest.len() != 16 {
                return Err(Error::bad_len(epc, edt.len()));
            }
            for (i, &byte) in rest.iter().enumerate() {
                for j in 0..8u8 {
                    if byte & (1 << j) != 0 {
                        // i < 16, j < 8: 0x80 + 0x10·j + i ≤ 0xFF.
                        m.insert(0x80 + 0x10 * j + i as u8);
                    }
                }
            }
        }
        Ok(m)
    }

    /// Bytes the encoded map takes (1 + N in list form, 17 in bitmap form).
    pub fn buffer_len(&self) -> usize {
        let n = self.len();
        if n < BITMAP_THRESHOLD {
            1 + n
        } else {
            17
        }
    }

    /// Encode in the form the count requires. The bitmap cannot hold EPCs below 0x80, and N
    /// must fit in one byte: both give [`Error::BadValue`].
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let n = self.len();
        let len = self.buffer_len();
        let out = buf.get_mut(..len).ok_or(Error::BufferTooSmall)?;
        out[0] = u8::try_from(n).map_err(|_| Error::BadValue { epc: 0x9F })?;
        if n < BITMAP_THRESHOLD {
            for (slot, e) in out[1..].iter_mut().zip(self.iter()) {
                *slot = e;
            }
        } else {
            if self.bits[0] != 0 || self.bits[1] != 0 {
                return Err(Error::BadValue { epc: 0x9F });
            }
            out[1..].fill(0);
            for e in self.iter() {
                let i = usize::from(e & 0x0F);
                let j = (e - 0x80) >> 4;
                out[1 + i] |= 1 << j;
            }
        }
        Ok(len)
    }
}

impl fmt::Display for PropertyMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}]", self.len())?;
        for e in self.iter() {
            write!(f, " {e:02X}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod test {
    use super::*;

    // Worked example in ../shared/protocol.md §B.3 (T-cracker: a real meter's 9F map,
    // github-echonet-message-cracker-capture), bitmap form, N = 0x19 = 25.
    static GET_MAP_EDT: [u8; 17] = [
        0x19, 0x41, 0x41, 0x41, 0x60, 0x40, 0x40, 0x00, 0x62, 0x43, 0x00, 0x41, 0x40, 0x40, 0x43,
        0x02, 0x02,
    ];
    static GET_MAP_EPCS: [u8; 25] = [
        0x80, 0x81, 0x82, 0x88, 0x8A, 0x8D, 0x97, 0x98, 0x9D, 0x9E, 0x9F, 0xD3, 0xD7, 0xE0, 0xE1,
        0xE2, 0xE3, 0xE4, 0xE5, 0xE7, 0xE8, 0xEA, 0xEB, 0xEC, 0xED,
    ];

    #[test]
    fn test_parse_bitmap() {
        let m = PropertyMap::parse(&GET_MAP_EDT, 0x9F).unwrap();
        assert_eq!(m.len(), 25);
        assert_eq!(m.iter().collect::<Vec<_>>(), GET_MAP_EPCS);
    }

    #[test]
    fn test_emit_bitmap() {
        let m = PropertyMap::from_epcs(&GET_MAP_EPCS);
        let mut buf = [0xA5; 17];
        assert_eq!(m.emit(&mut buf), Ok(17));
        assert_eq!(buf, GET_MAP_EDT);
    }

    #[test]
    fn test_list_form() {
        // Same meter (protocol.md §B.3): 9E = 03 81 E5 ED, 9D = 03 80 81 88.
        let set_map = PropertyMap::parse(&[0x03, 0x81, 0xE5, 0xED], 0x9E).unwrap();
        assert_eq!(set_map.iter().collect::<Vec<_>>(), [0x81, 0xE5, 0xED]);
        let mut buf = [0u8; 4];
        assert_eq!(set_map.emit(&mut buf), Ok(4));
        assert_eq!(buf, [0x03, 0x81, 0xE5, 0xED]);
        let status = PropertyMap::parse(&[0x03, 0x80, 0x81, 0x88], 0x9D).unwrap();
        assert!(status.contains(0x88) && !status.contains(0xE7));
    }

    #[test]
    fn test_threshold_is_16_not_10() {
        // 11..15 entries still use the list form (a script in the wild switches at > 10).
        let epcs: Vec<u8> = (0xE0..0xEF).collect(); // 15
        let m = PropertyMap::from_epcs(&epcs);
        assert_eq!(m.buffer_len(), 16);
        let mut buf = [0u8; 16];
        m.emit(&mut buf).unwrap();
        assert_eq!(buf[0], 15);
        assert_eq!(&buf[1..], &epcs[..]);
        assert_eq!(PropertyMap::parse(&buf, 0x9F).unwrap(), m);
    }

    #[test]
    fn test_bad_lengths() {
        assert!(PropertyMap::parse(&[], 0x9F).is_err());
        assert!(PropertyMap::parse(&[0x03, 0x80], 0x9F).is_err());
        assert!(PropertyMap::parse(&[0x10, 0x00], 0x9F).is_err());
        // Bitmap form cannot carry an EPC below 0x80.
        let mut m = PropertyMap::from_epcs(&GET_MAP_EPCS);
        m.insert(0x10);
        assert_eq!(m.emit(&mut [0u8; 17]), Err(Error::BadValue { epc: 0x9F }));
    }
}
