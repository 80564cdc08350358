//! J11 binary frames in the serial stream of a support bundle: a J11 dongle and the host
//! speak the binary API (`shared/j11.md`), so the bundle builder cuts each direction's bytes
//! into whole frames (a unique code and a header whose sum checks, then its data) and the text
//! between them (a `SKVER` probe, noise), which goes on as lines.
//!
//! Bounded: at most one frame ([`skstack::j11::MAX_FRAME`] bytes) is held back, waiting for
//! its data; linear: a byte is searched once (a frame that waits is copied and its 12-byte
//! header checked again when more bytes come).

use core::fmt;

use skstack::j11::{check_header, HEADER_LEN, REQUEST_CODE, RESPONSE_CODE};

/// A piece of the stream, in order. (`Debug` shows lengths only: a piece may be a J11
/// credential frame.)
#[derive(PartialEq, Eq)]
pub(crate) enum Piece {
    /// Bytes that are no J11 frame.
    Text(Vec<u8>),
    /// One whole J11 frame (header and data).
    Frame(Vec<u8>),
}

impl fmt::Debug for Piece {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Piece::Text(b) => write!(f, "Text({} bytes)", b.len()),
            Piece::Frame(b) => write!(f, "Frame({} bytes)", b.len()),
        }
    }
}

/// Cuts one direction's bytes into [`Piece`]s, any chunking.
#[derive(Default, Clone)]
pub(crate) struct Splitter {
    /// The start of a frame still coming (≤ one frame; may be a credential frame).
    held: Vec<u8>,
}

impl fmt::Debug for Splitter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Splitter")
            .field("held", &self.held.len())
            .finish()
    }
}

fn is_code_prefix(b: &[u8]) -> bool {
    REQUEST_CODE.starts_with(b) || RESPONSE_CODE.starts_with(b)
}

impl Splitter {
    /// Take more bytes; appends the pieces they complete to `out`.
    pub(crate) fn push(&mut self, bytes: &[u8], out: &mut Vec<Piece>) {
        let buf: Vec<u8> = if self.held.is_empty() {
            bytes.to_vec()
        } else {
            let mut b = std::mem::take(&mut self.held);
            b.extend_from_slice(bytes);
            b
        };
        let mut text = 0;
        let mut i = 0;
        while let Some(p) = buf.get(i..).and_then(|r| r.iter().position(|&c| c == 0xD0)) {
            i += p;
            let rest = &buf[i..];
            let head = &rest[..rest.len().min(4)];
            if !is_code_prefix(head) {
                i += 1;
                continue;
            }
            if rest.len() < HEADER_LEN {
                break;
            }
            let Some((_, len)) = check_header(rest) else {
                i += 1;
                continue;
            };
            let Some(frame) = rest.get(..HEADER_LEN + len) else {
                break;
            };
            if text < i {
                out.push(Piece::Text(buf[text..i].to_vec()));
            }
            out.push(Piece::Frame(frame.to_vec()));
            i += frame.len();
            text = i;
        }
        // `i` is where a frame may still be coming (or the end).
        let keep = if i < buf.len() && buf[i] == 0xD0 {
            i
        } else {
            buf.len()
        };
        if text < keep {
            out.push(Piece::Text(buf[text..keep].to_vec()));
        }
        self.held = buf[keep..].to_vec();
    }

    /// The end of the stream: what was held back, as text.
    pub(crate) fn finish(&mut self) -> Option<Piece> {
        let held = std::mem::take(&mut self.held);
        (!held.is_empty()).then_some(Piece::Text(held))
    }
}

#[cfg(test)]
mod test {
    use super::*;

    fn split(chunks: &[&[u8]]) -> Vec<Piece> {
        let mut s = Splitter::default();
        let mut out = Vec::new();
        for c in chunks {
            s.push(c, &mut out);
        }
        out.extend(s.finish());
        // Neighbouring text pieces are one stretch of text.
        let mut merged: Vec<Piece> = Vec::new();
        for p in out {
            match (merged.last_mut(), p) {
                (Some(Piece::Text(a)), Piece::Text(b)) => a.extend_from_slice(&b),
                (_, p) => merged.push(p),
            }
        }
        merged
    }

    #[test]
    fn frames_and_text_in_any_chunking() {
        let f1 = skstack::j11::firmware_version_request();
        let f2 = skstack::j11::encode(RESPONSE_CODE, 0x2008, b"\x01\n\xD0\x02");
        let mut all = b"SKVER\r\n\xD0x".to_vec();
        all.extend_from_slice(&f1);
        all.extend_from_slice(&f2);
        all.extend_from_slice(b"tail\xD0\xF9");
        let want = vec![
            Piece::Text(b"SKVER\r\n\xD0x".to_vec()),
            Piece::Frame(f1.clone()),
            Piece::Frame(f2.clone()),
            Piece::Text(b"tail\xD0\xF9".to_vec()),
        ];
        assert_eq!(split(&[&all]), want);
        for cut in 0..all.len() {
            assert_eq!(split(&[&all[..cut], &all[cut..]]), want, "cut at {cut}");
        }
        let bytes: Vec<&[u8]> = all.chunks(1).collect();
        assert_eq!(split(&bytes), want);
    }

    #[test]
    fn a_bad_header_is_text_and_what_waits_is_bounded() {
        let mut f = skstack::j11::firmware_version_request();
        f[9] ^= 1;
        assert_eq!(split(&[&f]), vec![Piece::Text(f.clone())]);
        // A header that promises more data than comes: held back, at most one frame.
        let mut s = Splitter::default();
        let mut out = Vec::new();
        let long = skstack::j11::encode(REQUEST_CODE, 0x0008, &[0u8; 1000]);
        s.push(&long[..500], &mut out);
        assert!(out.is_empty());
        assert!(s.held.len() <= skstack::j11::MAX_FRAME);
        assert_eq!(s.finish(), Some(Piece::Text(long[..500].to_vec())));
    }
}
