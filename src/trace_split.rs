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
