//! Frames written as hex: ECHONET Lite (`10 81 …`) and J11 (`D0 EA 83 FC …`,
//! `D0 F9 EE 5D …`), with or without separators (spaces, colons, commas, `0x` prefixes,
//! brackets), in groups of any even width (`D0EA83FC 00D9 0004 …`), after a short label
//! (`F1`) or an offset (`0000:`), with a `hexdump -C` text column, and split over several
//! lines. The caller reassembles a frame over at most [`MAX_LINES`] lines and
//! [`MAX_BYTES`] bytes (bounded look-ahead).

use crate::echonet_typing;
use crate::j11_typing;

/// Most lines one frame may span.
pub(crate) const MAX_LINES: usize = 128;
/// Most bytes one frame may have (a J11 frame is at most 1361).
pub(crate) const MAX_BYTES: usize = 4096;

/// What kind of frame the bytes start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FrameKind {
    /// ECHONET Lite.
    Echonet,
    /// J11.
    J11,
}

impl FrameKind {
    /// What bytes start, if a frame.
    pub fn of(b: &[u8]) -> Option<FrameKind> {
        if j11_typing::starts_frame(b) {
            Some(FrameKind::J11)
        } else if b.len() >= 4 && b[0] == 0x10 && (b[1] == 0x81 || b[1] == 0x82) {
            Some(FrameKind::Echonet)
        } else {
            None
        }
    }

    /// `Some(true)` complete, `Some(false)` more needed, `None` never.
    pub fn complete(self, b: &[u8]) -> Option<bool> {
        match self {
            FrameKind::Echonet => echonet_typing::complete(b),
            FrameKind::J11 => j11_typing::complete(b),
        }
    }
}

/// A line read as hex.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct HexLine {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Separators were used (more than one token, colons, `0x`).
    pub separated: bool,
    /// A label or offset was skipped.
    pub labelled: bool,
}

fn is_sep(b: u8) -> bool {
    matches!(b, b' ' | b',' | b':' | b';')
}

fn hexval(c: u8) -> Option<u8> {
    char::from(c).to_digit(16).map(|v| v as u8)
}

/// Tokens of a line that may be hex; `None` as soon as one is not.
fn tokens(p: &[u8]) -> Option<Vec<(&[u8], bool)>> {
    // Cut a `hexdump -C` text column.
    let p = match (p.iter().position(|&b| b == b'|'), p.last()) {
        (Some(i), Some(b'|')) if i + 1 < p.len() => &p[..i],
        _ => p,
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < p.len() {
        while i < p.len() && is_sep(p[i]) {
            i += 1;
        }
        let start = i;
        while i < p.len() && !is_sep(p[i]) {
            i += 1;
        }
        if start == i {
            break;
        }
        let colon_after = p.get(i) == Some(&b':');
        let mut t = &p[start..i];
        while let [b'[' | b'{' | b'(', rest @ ..] = t {
            t = rest;
        }
        while let [rest @ .., b']' | b'}' | b')'] = t {
            t = rest;
        }
        let t = t
            .strip_prefix(b"0x")
            .or_else(|| t.strip_prefix(b"0X"))
            .unwrap_or(t);
        if t.is_empty() {
            continue;
        }
        if t.len() > 2 * MAX_BYTES || !t.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        out.push((t, colon_after));
        if out.len() > MAX_BYTES {
            return None;
        }
    }
    (!out.is_empty()).then_some(out)
}

fn decode(toks: &[(&[u8], bool)]) -> Option<Vec<u8>> {
    let mut v = Vec::new();
    for (t, _) in toks {
        if !t.len().is_multiple_of(2) {
            return None;
        }
        for p in t.chunks_exact(2) {
            v.push(hexval(p[0])? << 4 | hexval(p[1])?);
        }
    }
    Some(v)
}

fn separated(p: &[u8], n_tokens: usize) -> bool {
    n_tokens > 1 || p.contains(&b':') || p.contains(&b',') || p.windows(2).any(|w| w == b"0x")
}

/// A line that starts a frame: its bytes from the frame start (a short label or an offset 0
/// before it is skipped).
pub(crate) fn start(p: &[u8]) -> Option<(FrameKind, HexLine)> {
    let first = *p.first()?;
    if !(first.is_ascii_hexdigit()
        || matches!(first, b'[' | b'{' | b'(')
        || first.is_ascii_uppercase())
    {
        return None;
    }
    // A label (`F1`, `F22`, `TX`) is one short token before the frame.
    let (label, rest) = match p.iter().position(|&b| b == b' ') {
        Some(sp)
            if sp <= 5
                && p[..sp].iter().all(u8::is_ascii_alphanumeric)
                && !p[..sp].iter().all(u8::is_ascii_hexdigit)
                && !p.starts_with(b"0x") =>
        {
            (true, &p[sp..])
        }
        _ => (false, p),
    };
    let toks = tokens(rest)?;
    for skip in 0..toks.len().min(2) {
        if skip == 1 {
            // Skipped token: a label (≤ 4 hex digits) or an offset 0 (`0000:`).
            let (t, colon) = toks[0];
            let zero_offset = t.iter().all(|&b| b == b'0') && (colon || t.len() == 8);
            if !(t.len() <= 3 || zero_offset) {
                break;
            }
        }
        let Some(bytes) = decode(&toks[skip..]) else {
            continue;
        };
        if let Some(kind) = FrameKind::of(&bytes) {
            let sep = separated(rest, toks.len() - skip);
            return Some((
                kind,
                HexLine {
                    bytes,
                    separated: sep,
                    labelled: label || skip > 0,
                },
            ));
        }
    }
    None
}

/// Whether a frame start (at least 4 bytes) is written at the start of `rest` (reads at most
/// 64 bytes).
pub(crate) fn starts_at(rest: &[u8]) -> bool {
    let w = &rest[..rest.len().min(64)];
    let mut b = [0u8; 4];
    let mut n = 0;
    let mut i = 0;
    while n < 4 && i < w.len() {
        if is_sep(w[i]) {
            i += 1;
            continue;
        }
        if w[i..].starts_with(b"0x") || w[i..].starts_with(b"0X") {
            i += 2;
            continue;
        }
        match (
            w.get(i).and_then(|&c| hexval(c)),
            w.get(i + 1).and_then(|&c| hexval(c)),
        ) {
            (Some(h), Some(l)) => b[n] = h << 4 | l,
            _ => return false,
        }
        n += 1;
        i += 2;
    }
    n == 4 && FrameKind::of(&b).is_some()
}

/// A line that continues a frame of which `have` bytes were read (an offset equal to `have`
/// before the bytes is skipped).
pub(crate) fn continuation(p: &[u8], have: usize) -> Option<HexLine> {
    let toks = tokens(p)?;
    let (t, colon) = toks[0];
    let offset = ((colon && (4..=8).contains(&t.len())) || t.len() == 8)
        && toks.len() > 1
        && usize::from_str_radix(core::str::from_utf8(t).ok()?, 16).ok() == Some(have);
    let skip = usize::from(offset);
    let bytes = decode(&toks[skip..])?;
    Some(HexLine {
        bytes,
        separated: separated(p, toks.len() - skip),
        labelled: offset,
    })
}

/// Hex tokens inside other text (`(108101…)`, `data=D0F9EE5D…`): long enough, starting a frame.
pub(crate) fn embedded(p: &[u8]) -> Option<(FrameKind, Vec<u8>)> {
    for t in p.split(|&b| {
        matches!(
            b,
            b' ' | b'(' | b')' | b'"' | b'\'' | b',' | b'[' | b']' | b'=' | b':' | b'{' | b'}'
        )
    }) {
        if t.len() >= 24 && t.len().is_multiple_of(2) && t.iter().all(u8::is_ascii_hexdigit) {
            let b = decode(&[(t, false)])?;
            if let Some(k) = FrameKind::of(&b) {
                return Some((k, b));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let b = |s: &str| start(s.as_bytes()).map(|(k, h)| (k, h.bytes.len(), h.labelled));
        assert_eq!(
            b("10 81 00 01 02 88 01"),
            Some((FrameKind::Echonet, 7, false))
        );
        assert_eq!(
            b("10:81:00:01:02:88:01"),
            Some((FrameKind::Echonet, 7, false))
        );
        assert_eq!(
            b("0x10, 0x81, 0x00, 0x01"),
            Some((FrameKind::Echonet, 4, false))
        );
        assert_eq!(
            b("[0x10, 0x81, 0x00, 0x01]"),
            Some((FrameKind::Echonet, 4, false))
        );
        assert_eq!(
            b("1081000102880105FF017201E704000004A8"),
            Some((FrameKind::Echonet, 18, false))
        );
        assert_eq!(
            b("F1  D0EA83FC 00D9 0004 0416 0000"),
            Some((FrameKind::J11, 12, true))
        );
        assert_eq!(b("F22  D0F9EE5D 6018"), Some((FrameKind::J11, 6, true)));
        assert_eq!(b("0000: 10 81 00 01"), Some((FrameKind::Echonet, 4, true)));
        assert_eq!(
            b("00000000  10 81 00 01 02 88 01 05  |.....|"),
            Some((FrameKind::Echonet, 8, true))
        );
        assert_eq!(b("0 21 1E 22 13"), None);
        assert_eq!(b("OK"), None);
        assert_eq!(b("12 34 56"), None);
        let c = continuation(b"0010: 0E F0 01", 16).unwrap();
        assert_eq!((c.bytes.len(), c.labelled), (3, true));
        let c = continuation(b"0010: 0E F0 01", 3).unwrap();
        assert_eq!(c.bytes.len(), 5);
        assert!(continuation(b"EVENT 21", 3).is_none());
        assert_eq!(
            embedded(b">>1 FE80 0E1A 1 0 0012 (108101000EF0010EF0017301D5040105FF01)")
                .map(|x| x.1.len()),
            Some(18)
        );
    }
}
