//! A minimal incremental line splitter for dongle output.
//!
//! SKSTACK ends most lines in CR LF, but the product-configuration commands (`WOPT`, `ROPT`,
//! `WUART`, `RUART`) answer with a bare CR (`../shared/protocol.md` §A.1). The splitter therefore
//! ends a line at CR or LF, and treats CR LF as one terminator, whatever the chunking: a CR at
//! the end of one chunk followed by LF at the start of the next is still a single line end.
//! Over-long lines are cut at [`LineSplitter::MAX_LINE`] bytes and flagged, so a stream of
//! garbage cannot grow memory without bound.

use std::collections::VecDeque;

/// One line of dongle output, without its terminator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The bytes of the line (may be non-UTF-8: binary payloads and garbage are kept as is).
    pub bytes: Vec<u8>,
    /// True when the line exceeded [`LineSplitter::MAX_LINE`] and was cut there.
    pub truncated: bool,
}

impl Line {
    /// The line as text, replacing bytes that are not UTF-8.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// Incremental splitter: feed arbitrary chunks, take complete lines.
#[derive(Debug, Default)]
pub struct LineSplitter {
    current: Vec<u8>,
    truncated: bool,
    /// The previous byte was a CR that ended a line; swallow one LF that follows.
    after_cr: bool,
    ready: VecDeque<Line>,
}

impl LineSplitter {
    /// Longest line kept; longer lines are cut here (a hex-mode ERXUDP of a full 1232-byte UDP
    /// payload plus its header fits).
    pub const MAX_LINE: usize = 4096;

    /// A new, empty splitter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed a chunk of bytes as received.
    pub fn feed(&mut self, chunk: &[u8]) {
        for &b in chunk {
            match b {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\r' | b'\n' => {
                    self.after_cr = b == b'\r';
                    let bytes = std::mem::take(&mut self.current);
                    let truncated = std::mem::take(&mut self.truncated);
                    self.ready.push_back(Line { bytes, truncated });
                }
                _ => {
                    self.after_cr = false;
                    if self.current.len() < Self::MAX_LINE {
                        self.current.push(b);
                    } else {
                        self.truncated = true;
                    }
                }
            }
        }
    }

    /// Take the next complete line, if any.
    pub fn next_line(&mut self) -> Option<Line> {
        self.ready.pop_front()
    }

    /// Bytes received after the last line end (a line still in progress).
    pub fn pending(&self) -> &[u8] {
        &self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(s: &mut LineSplitter) -> Vec<String> {
        std::iter::from_fn(|| s.next_line())
            .map(|l| l.text())
            .collect()
    }

    #[test]
    fn crlf_and_bare_cr() {
        let mut s = LineSplitter::new();
        s.feed(b"EVER 1.2.10\r\nOK\r\nOK 01\rOK\r\n");
        assert_eq!(all(&mut s), ["EVER 1.2.10", "OK", "OK 01", "OK"]);
    }

    #[test]
    fn byte_at_a_time_matches_whole() {
        let input = b"SKVER\r\nEVER 1.5.2\r\nOK\r\nROPT\rOK 00\r\r\nEVENT 22 FE80:0000:0000:0000:021D:1290:1234:5678\r\n";
        let mut whole = LineSplitter::new();
        whole.feed(input);
        let mut bytewise = LineSplitter::new();
        for b in input {
            bytewise.feed(std::slice::from_ref(b));
        }
        assert_eq!(all(&mut whole), all(&mut bytewise));
    }

    #[test]
    fn cr_at_chunk_end_then_lf() {
        let mut s = LineSplitter::new();
        s.feed(b"EVER 1.2.10\r");
        assert_eq!(all(&mut s), ["EVER 1.2.10"]);
        s.feed(b"\nOK\r\n");
        assert_eq!(all(&mut s), ["OK"]);
        assert!(s.pending().is_empty());
    }

    #[test]
    fn long_line_is_cut_and_flagged() {
        let mut s = LineSplitter::new();
        s.feed(&vec![b'A'; LineSplitter::MAX_LINE + 10]);
        s.feed(b"\r\nOK\r\n");
        let l = s.next_line().unwrap();
        assert!(l.truncated);
        assert_eq!(l.bytes.len(), LineSplitter::MAX_LINE);
        assert_eq!(s.next_line().unwrap().text(), "OK");
    }
}
