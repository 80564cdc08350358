//! Small byte helpers shared by the parsers (hex digits, tokens).

/// Value of one ASCII hex digit (either case).
#[inline]
pub(crate) fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// True when every byte is an ASCII hex digit and there is at least one.
#[inline]
pub(crate) fn is_hex(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(u8::is_ascii_hexdigit)
}

/// Parse 1..=8 hex digits.
pub(crate) fn hex_u32(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 8 {
        return None;
    }
    let mut v = 0u32;
    for &b in s {
        v = (v << 4) | u32::from(hex_val(b)?);
    }
    Some(v)
}

/// Parse 1..=2 hex digits.
pub(crate) fn hex_u8(s: &[u8]) -> Option<u8> {
    if s.len() > 2 {
        return None;
    }
    hex_u32(s).map(|v| v as u8)
}

/// Parse 1..=4 hex digits.
pub(crate) fn hex_u16(s: &[u8]) -> Option<u16> {
    if s.len() > 4 {
        return None;
    }
    hex_u32(s).map(|v| v as u16)
}

/// Decode an even-length hex string into bytes.
pub(crate) fn hex_decode(s: &[u8]) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() / 2);
    for pair in s.chunks_exact(2) {
        out.push((hex_val(pair[0])? << 4) | hex_val(pair[1])?);
    }
    Some(out)
}

#[allow(dead_code)]
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Upper-case hex encoding.
#[allow(dead_code)]
pub(crate) fn hex_encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    hex_encode_into(bytes, &mut s);
    s
}

/// Upper-case hex encoding appended to `out`.
#[allow(dead_code)]
pub(crate) fn hex_encode_into(bytes: &[u8], out: &mut String) {
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(HEX_UPPER[(b >> 4) as usize] as char);
        out.push(HEX_UPPER[(b & 15) as usize] as char);
    }
}

/// Split on single or repeated ASCII spaces, skipping empty tokens.
pub(crate) fn tokens(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    line.split(|&b| b == b' ').filter(|t| !t.is_empty())
}

/// Find `needle` in `hay`.
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    memchr::memmem::find(hay, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_helpers() {
        assert_eq!(hex_u32(b"0E1A"), Some(0x0E1A));
        assert_eq!(hex_u32(b""), None);
        assert_eq!(hex_u32(b"123456789"), None);
        assert_eq!(hex_u8(b"G1"), None);
        assert_eq!(hex_decode(b"10810a"), Some(vec![0x10, 0x81, 0x0A]));
        assert_eq!(hex_decode(b"108"), None);
        assert_eq!(hex_encode(&[0xAB, 0x01]), "AB01");
        assert_eq!(find(b"SKSENDTOERXUDP X", b"ERXUDP "), Some(8));
        assert_eq!(find(b"abc", b"abcd"), None);
        assert_eq!(
            tokens(b" a  b ").collect::<Vec<_>>(),
            vec![&b"a"[..], &b"b"[..]]
        );
    }
}
