//! What crosses the serial port, cut into trace-console lines: SKSTACK text by line (CR LF or
//! bare CR), the J11 binary API by frame — from its unique code, as long as its header says —
//! shown as hex in the layout of `shared/j11.md` (`D0F9EE5D 206B 000D 03AC 00A8 0104…`), so
//! both kinds of dongle read well. Bounded: a text line is cut at [`MAX_TEXT`] bytes, a frame
//! is at most `skstack::j11::MAX_FRAME` bytes.

use std::collections::VecDeque;

use skstack::j11::{check_header, HEADER_LEN, REQUEST_CODE, RESPONSE_CODE};

/// Longest text line kept (longer lines are cut).
pub const MAX_TEXT: usize = 4096;

/// J11 request "set B-route ID and password": its data is never shown.
const SET_CREDENTIALS: u16 = 0x0054;

/// One line of the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// A text line, without its line end.
    Text(Vec<u8>),
    /// A whole J11 frame.
    J11(Vec<u8>),
}

/// Splits a byte stream, in any chunking, into [`Piece`]s.
#[derive(Debug, Default)]
pub struct TraceSplitter {
    buf: Vec<u8>,
    /// Inside a J11 frame: its total length once the header is in.
    frame: Option<usize>,
    in_frame: bool,
    after_cr: bool,
    ready: VecDeque<Piece>,
}

impl TraceSplitter {
    /// A new splitter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed bytes as they arrive.
    pub fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.in_frame {
                self.frame_byte(b);
                continue;
            }
            match b {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\r' | b'\n' => {
                    self.after_cr = b == b'\r';
                    let line = std::mem::take(&mut self.buf);
                    if !line.is_empty() {
                        self.ready.push_back(Piece::Text(line));
                    }
                }
                _ => {
                    self.after_cr = false;
                    if self.buf.len() < MAX_TEXT {
                        self.buf.push(b);
                    }
                    if self.buf.ends_with(&RESPONSE_CODE) || self.buf.ends_with(&REQUEST_CODE) {
                        let at = self.buf.len() - 4;
                        let code = self.buf.split_off(at);
                        let text = std::mem::replace(&mut self.buf, code);
                        if !text.is_empty() {
                            self.ready.push_back(Piece::Text(text));
                        }
                        self.in_frame = true;
                        self.frame = None;
                    }
                }
            }
        }
    }

    fn frame_byte(&mut self, b: u8) {
        self.buf.push(b);
        if self.buf.len() == HEADER_LEN {
            match check_header(&self.buf) {
                Some((_, data_len)) => self.frame = Some(HEADER_LEN + data_len),
                None => {
                    // Not a frame after all: its bytes are text.
                    self.in_frame = false;
                    return;
                }
            }
        }
        if self.frame == Some(self.buf.len()) {
            self.in_frame = false;
            self.frame = None;
            self.ready
                .push_back(Piece::J11(std::mem::take(&mut self.buf)));
        }
    }

    /// The next complete piece.
    pub fn next_piece(&mut self) -> Option<Piece> {
        self.ready.pop_front()
    }
}

/// One write to the port as a piece: a whole J11 frame, or text without its line end.
pub fn written(bytes: &[u8]) -> Piece {
    match check_header(bytes) {
        Some((_, n)) if bytes.len() == HEADER_LEN + n => Piece::J11(bytes.to_vec()),
        _ => {
            let b = bytes
                .strip_suffix(b"\r\n")
                .or_else(|| bytes.strip_suffix(b"\r"))
                .unwrap_or(bytes);
            Piece::Text(b.to_vec())
        }
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// A J11 frame in hex: unique code, command, length, header sum, data sum, data. The data of a
/// credential frame, or of any frame the keyword rules find a credential in, is not shown.
pub fn frame_text(frame: &[u8]) -> String {
    let (Some(head), Some(data)) = (frame.get(..HEADER_LEN), frame.get(HEADER_LEN..)) else {
        return hex(frame);
    };
    let command = u16::from_be_bytes([head[4], head[5]]);
    let mut s = [
        &head[..4],
        &head[4..6],
        &head[6..8],
        &head[8..10],
        &head[10..12],
    ]
    .map(hex)
    .join(" ");
    if data.is_empty() {
        return s;
    }
    let secret = (command == SET_CREDENTIALS && head[..4] == REQUEST_CODE)
        || redact::redact_bytes(frame) != frame;
    s.push(' ');
    if secret {
        s.push_str("<redacted>");
    } else {
        s.push_str(&hex(data));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn the_trace_shows_text_by_line_and_j11_by_frame_whatever_the_chunking() {
        // A real firmware-version answer (shared/j11.md, 2025-03-03 capture: v1.3 rev 0x158A),
        // and a frame whose data holds CR LF, around SKSTACK text lines.
        let version = unhex("D0 F9 EE 5D 20 6B 00 0D 03 AC 00 A8 01 04 00 01 03 00 00 15 8A");
        let crlf = skstack::j11::encode(skstack::j11::RESPONSE_CODE, 0x6018, b"\r\n\x0D\x0A");
        let mut input = b"SKVER\r\nEVER 1.2.10\rOK\r\n".to_vec();
        input.extend_from_slice(&version);
        input.extend_from_slice(&crlf);
        // A unique code whose header is broken: shown as text.
        input.extend_from_slice(b"\xD0\xF9\xEE\x5D\x00\x00\x00\x00\x00\x00\x00\x00 X\r\n");
        let want = vec![
            Piece::Text(b"SKVER".to_vec()),
            Piece::Text(b"EVER 1.2.10".to_vec()),
            Piece::Text(b"OK".to_vec()),
            Piece::J11(version.clone()),
            Piece::J11(crlf.clone()),
            Piece::Text(b"\xD0\xF9\xEE\x5D\x00\x00\x00\x00\x00\x00\x00\x00 X".to_vec()),
        ];
        for chunk in [1, 2, 5, 13, input.len()] {
            let mut s = TraceSplitter::new();
            for c in input.chunks(chunk) {
                s.feed(c);
            }
            let got: Vec<Piece> = std::iter::from_fn(|| s.next_piece()).collect();
            assert_eq!(got, want, "chunks of {chunk}");
        }
        assert_eq!(
            frame_text(&version),
            "D0F9EE5D 206B 000D 03AC 00A8 01040001030000158A"
        );
        // What the app writes: one command or one frame per write.
        assert_eq!(written(b"SKVER\r\n"), Piece::Text(b"SKVER".to_vec()));
        let request = skstack::j11::firmware_version_request();
        assert_eq!(written(&request), Piece::J11(request.clone()));
        assert_eq!(frame_text(&request), "D0EA83FC 006B 0004 03A8 0000");
    }

    #[test]
    fn a_j11_credential_frame_never_shows_its_data() {
        // shared/j11.md F5: 0x0054 with the ID "00112233…EEFF" and the password "0123456789AB".
        let f5 = unhex(
            "D0EA83FC 0054 0030 03BD 09D4 \
             3030313132323333343435353636373738383939414142424343444445454646 303132333435363738394142",
        );
        let shown = frame_text(&f5);
        assert_eq!(shown, "D0EA83FC 0054 0030 03BD 09D4 <redacted>");
    }
}
