//! Addresses as SKSTACK writes them: IPv6 in full 8×4-digit upper-case form, 64-bit MAC as 16
//! hex digits (`../shared/protocol.md` §A.1).

use core::fmt;
use std::net::Ipv6Addr;

use crate::util::{hex_u16, hex_val};

/// Parse an IPv6 address. Accepts the module's full form (`FE80:0000:…`, 8 groups of 1–4 hex
/// digits) and, as a convenience for user input, the compressed `::` form.
pub fn parse_ipv6(s: &[u8]) -> Option<Ipv6Addr> {
    let mut groups = [0u16; 8];
    let mut n = 0;
    let mut ok = true;
    for part in s.split(|&b| b == b':') {
        if n == 8 || part.is_empty() {
            ok = false;
            break;
        }
        match hex_u16(part) {
            Some(v) => groups[n] = v,
            None => {
                ok = false;
                break;
            }
        }
        n += 1;
    }
    if ok && n == 8 {
        let g = groups;
        return Some(Ipv6Addr::new(
            g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7],
        ));
    }
    core::str::from_utf8(s).ok()?.parse().ok()
}

/// Format an IPv6 address the way SKSTACK requires in commands: 8 groups of 4 upper-case hex
/// digits separated by colons.
pub fn format_ipv6(a: &Ipv6Addr) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(39);
    for (i, b) in a.octets().iter().enumerate() {
        if i > 0 && i % 2 == 0 {
            s.push(':');
        }
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 15)]));
    }
    s
}

/// A 64-bit IEEE MAC address (the meter's `Addr` in EPANDESC, `SENDERLLA` in ERXUDP).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mac(pub [u8; 8]);

impl Mac {
    /// Parse exactly 16 hex digits.
    pub fn parse(s: &[u8]) -> Option<Self> {
        if s.len() != 16 {
            return None;
        }
        let mut out = [0u8; 8];
        for (i, pair) in s.chunks_exact(2).enumerate() {
            out[i] = (hex_val(pair[0])? << 4) | hex_val(pair[1])?;
        }
        Some(Self(out))
    }

    /// The link-local IPv6 address the module derives from this MAC (what `SKLL64` answers):
    /// `FE80::/64` followed by the MAC with the universal/local bit (0x02 of the first byte)
    /// inverted.
    pub fn link_local(&self) -> Ipv6Addr {
        let mut b = [0u8; 16];
        b[0] = 0xFE;
        b[1] = 0x80;
        b[8..].copy_from_slice(&self.0);
        b[8] ^= 0x02;
        Ipv6Addr::from(b)
    }
}

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mac({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_form_round_trip() {
        let a = parse_ipv6(b"FE80:0000:0000:0000:021D:1291:0004:E578").unwrap();
        assert_eq!(format_ipv6(&a), "FE80:0000:0000:0000:021D:1291:0004:E578");
        let b = parse_ipv6(b"fe80::21d:1291:4:e578").unwrap();
        assert_eq!(a, b);
        assert!(parse_ipv6(b"FE80:0000:0000:0000:XXXX:XXXX:XXXX:XXXX").is_none());
        assert!(parse_ipv6(b"FE80:0000:0000:0000:0000:0000:0000:0000:0000").is_none());
        assert!(parse_ipv6(b"").is_none());
    }

    #[test]
    fn link_local_matches_skll64() {
        // vkgtaro fixture: SKLL64 001C640003DD6393 -> FE80:0000:0000:0000:021C:6400:03DD:6393
        let mac = Mac::parse(b"001C640003DD6393").unwrap();
        assert_eq!(
            format_ipv6(&mac.link_local()),
            "FE80:0000:0000:0000:021C:6400:03DD:6393"
        );
        assert_eq!(mac.to_string(), "001C640003DD6393");
        assert!(Mac::parse(b"001C640003DD639").is_none());
        assert!(Mac::parse(b"001C640003DD639G").is_none());
    }
}
