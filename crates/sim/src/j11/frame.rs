//! J11 framing (`shared/j11.md` §1): unique code (4) | command (2) | message length (2,
//! = 4 + data) | header sum (2) | data sum (2) | data, big-endian; header sum = bytes 0–7
//! summed mod 0x10000, data sum = data bytes summed mod 0x10000.
//!
//! [`Reader`] is the module's input side: incremental (any chunking, byte at a time), linear
//! time, bounded memory (one frame, at most 1361 bytes), resynchronising on the request
//! unique code like the module does.

/// Unique code of requests (client → module).
pub const REQUEST_CODE: [u8; 4] = [0xD0, 0xEA, 0x83, 0xFC];
/// Unique code of responses and notifications (module → client).
pub const RESPONSE_CODE: [u8; 4] = [0xD0, 0xF9, 0xEE, 0x5D];
/// Largest message length (4 + 1349 data bytes; a whole frame is at most 1361 bytes).
pub const MAX_MESSAGE_LEN: usize = 1353;
const HEADER: usize = 12;

/// 16-bit wrap-around byte sum.
pub fn sum16(bytes: &[u8]) -> u16 {
    bytes
        .iter()
        .fold(0u16, |a, b| a.wrapping_add(u16::from(*b)))
}

/// A module → client frame (response or notification) with correct sums.
pub fn response(command: u16, data: &[u8]) -> Vec<u8> {
    build(RESPONSE_CODE, command, data)
}

/// A frame with the given unique code, command and data, with correct sums.
pub fn build(unique: [u8; 4], command: u16, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + data.len());
    out.extend_from_slice(&unique);
    out.extend_from_slice(&command.to_be_bytes());
    out.extend_from_slice(&((data.len() + 4) as u16).to_be_bytes());
    let hsum = sum16(&out);
    out.extend_from_slice(&hsum.to_be_bytes());
    out.extend_from_slice(&sum16(data).to_be_bytes());
    out.extend_from_slice(data);
    out
}

/// What the module makes of its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A well-formed request.
    Request {
        /// Command code.
        command: u16,
        /// Data part.
        data: Vec<u8>,
    },
    /// Header sum wrong: the module answers with reply code 0x2FFF.
    HeaderSum,
    /// Data sum wrong (result 0xF1).
    DataSum {
        /// Command code of the spoiled request.
        command: u16,
    },
    /// Message length below 4 (result 0xF2).
    TooShort {
        /// Command code.
        command: u16,
    },
    /// Message length above 1353 (result 0xF3).
    TooLong {
        /// Command code.
        command: u16,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Looking for the request unique code.
    Hunt,
    /// Unique code seen; collecting the rest of the 12-byte header.
    Header,
    /// Header valid; collecting `need` data bytes.
    Data { command: u16, need: usize, sum: u16 },
}

/// Incremental request parser. Its buffer may hold a credential (0x0054), so `Debug`
/// shows only its length.
#[derive(Clone)]
pub struct Reader {
    state: State,
    buf: Vec<u8>,
    /// Accept a header or data sum field of 0000 (clients that never compute sums).
    pub lenient: bool,
}

impl core::fmt::Debug for Reader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Reader {{ buffered: {} }}", self.buf.len())
    }
}

impl Default for Reader {
    fn default() -> Reader {
        Reader {
            state: State::Hunt,
            buf: Vec::new(),
            lenient: false,
        }
    }
}

impl Reader {
    /// Feed bytes; complete inputs are appended to `out`.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<Input>) {
        for &b in bytes {
            self.step(b, out);
        }
    }

    /// The command of a frame whose header is complete but whose data is still missing.
    pub fn waiting_for_data(&self) -> Option<u16> {
        match self.state {
            State::Data { command, .. } => Some(command),
            _ => None,
        }
    }

    /// Is part of a frame buffered (unique code seen, frame not complete)?
    pub fn partial(&self) -> bool {
        self.state != State::Hunt
    }

    /// Forget any partial frame.
    pub fn clear(&mut self) {
        self.state = State::Hunt;
        self.buf.clear();
    }

    fn sum_ok(&self, field: u16, computed: u16) -> bool {
        field == computed || (self.lenient && field == 0)
    }

    fn step(&mut self, b: u8, out: &mut Vec<Input>) {
        match self.state {
            State::Hunt => {
                self.buf.push(b);
                if self.buf.len() > 4 {
                    self.buf.remove(0);
                }
                if self.buf == REQUEST_CODE {
                    self.state = State::Header;
                }
            }
            State::Header => {
                self.buf.push(b);
                if self.buf.len() == HEADER {
                    self.header_complete(out);
                }
            }
            State::Data { command, need, sum } => {
                self.buf.push(b);
                if self.buf.len() == HEADER + need {
                    let data = self.buf.split_off(HEADER);
                    let input = if self.sum_ok(sum, sum16(&data)) {
                        Input::Request { command, data }
                    } else {
                        Input::DataSum { command }
                    };
                    self.clear();
                    out.push(input);
                }
            }
        }
    }

    fn header_complete(&mut self, out: &mut Vec<Input>) {
        let h = &self.buf;
        let be = |k: usize| u16::from_be_bytes([h[k], h[k + 1]]);
        let (command, len, hsum, dsum) = (be(4), usize::from(be(6)), be(8), be(10));
        if !self.sum_ok(hsum, sum16(&h[..8])) {
            // Not a header after all: report it, then look for a unique code in what
            // followed the one that misled us.
            let rest = self.buf.split_off(4);
            self.clear();
            out.push(Input::HeaderSum);
            for b in rest {
                self.step(b, out);
            }
            return;
        }
        if len < 4 {
            self.clear();
            out.push(Input::TooShort { command });
            return;
        }
        if len > MAX_MESSAGE_LEN {
            self.clear();
            out.push(Input::TooLong { command });
            return;
        }
        if len == 4 {
            let input = if self.sum_ok(dsum, 0) {
                Input::Request {
                    command,
                    data: Vec::new(),
                }
            } else {
                Input::DataSum { command }
            };
            self.clear();
            out.push(input);
            return;
        }
        self.state = State::Data {
            command,
            need: len - 4,
            sum: dsum,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(chunks: &[&[u8]]) -> Vec<Input> {
        let mut r = Reader::default();
        let mut out = Vec::new();
        for c in chunks {
            r.feed(c, &mut out);
        }
        out
    }

    /// j11.md §1 worked example: active scan d=6, channels 4–17, pairing ID CCDDEEFF.
    const SCAN: [u8; 26] = [
        0xD0, 0xEA, 0x83, 0xFC, 0x00, 0x51, 0x00, 0x12, 0x03, 0x9C, 0x04, 0x1D, 0x06, 0x00, 0x03,
        0xFF, 0xF0, 0x01, 0x43, 0x43, 0x44, 0x44, 0x45, 0x45, 0x46, 0x46,
    ];

    #[test]
    fn builds_the_worked_example_and_the_capture() {
        assert_eq!(build(REQUEST_CODE, 0x0051, &SCAN[12..]), SCAN);
        // j11.md §4, real 0x006B answer.
        assert_eq!(
            response(
                0x206B,
                &[0x01, 0x04, 0x00, 0x01, 0x03, 0x00, 0x00, 0x15, 0x8A]
            ),
            [
                0xD0, 0xF9, 0xEE, 0x5D, 0x20, 0x6B, 0x00, 0x0D, 0x03, 0xAC, 0x00, 0xA8, 0x01, 0x04,
                0x00, 0x01, 0x03, 0x00, 0x00, 0x15, 0x8A
            ]
        );
    }

    #[test]
    fn any_chunking_and_noise_between_frames() {
        let want = Input::Request {
            command: 0x0051,
            data: SCAN[12..].to_vec(),
        };
        let bytes: Vec<&[u8]> = SCAN.iter().map(core::slice::from_ref).collect();
        assert_eq!(parse(&bytes), vec![want.clone()]);
        let mut noisy = b"SKVER\r\n\xD0\xEA".to_vec();
        noisy.extend_from_slice(&SCAN);
        noisy.extend_from_slice(&[0x55, 0xD0, 0xEA, 0x83]);
        noisy.extend_from_slice(&SCAN);
        assert_eq!(parse(&[&noisy]), vec![want.clone(), want]);
    }

    #[test]
    fn sums_and_lengths() {
        let mut bad = SCAN;
        bad[9] ^= 1;
        assert_eq!(parse(&[&bad]), vec![Input::HeaderSum]);
        // A real frame right after a bad header is still found.
        let mut two = bad[..12].to_vec();
        two.extend_from_slice(&SCAN);
        let got = parse(&[&two]);
        assert_eq!(got[0], Input::HeaderSum);
        assert!(matches!(
            got.last(),
            Some(Input::Request { command: 0x51, .. })
        ));
        let mut bad = SCAN;
        bad[25] ^= 1;
        assert_eq!(parse(&[&bad]), vec![Input::DataSum { command: 0x51 }]);
        let short = build(REQUEST_CODE, 0x006B, &[]);
        let mut s = short.clone();
        s[7] = 3;
        s[9] = s[9].wrapping_sub(1);
        assert_eq!(parse(&[&s]), vec![Input::TooShort { command: 0x6B }]);
        let mut l = short;
        l[6] = 0x05;
        l[7] = 0x4A; // 1354
        let hs = sum16(&l[..8]).to_be_bytes();
        l[8..10].copy_from_slice(&hs);
        assert_eq!(parse(&[&l]), vec![Input::TooLong { command: 0x6B }]);
    }

    #[test]
    fn zero_sums_only_when_lenient() {
        // J11GO's reset: both sums 0000 (j11.md §5 pitfall 2).
        let zero = [
            0xD0, 0xEA, 0x83, 0xFC, 0x00, 0xD9, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
        ];
        assert_eq!(parse(&[&zero]), vec![Input::HeaderSum]);
        let mut r = Reader {
            lenient: true,
            ..Reader::default()
        };
        let mut out = Vec::new();
        r.feed(&zero, &mut out);
        assert_eq!(
            out,
            vec![Input::Request {
                command: 0xD9,
                data: vec![]
            }]
        );
    }

    #[test]
    fn partial_frames_are_visible() {
        let mut r = Reader::default();
        let mut out = Vec::new();
        r.feed(&SCAN[..14], &mut out);
        assert!(out.is_empty());
        assert_eq!(r.waiting_for_data(), Some(0x0051));
        r.clear();
        assert!(!r.partial());
    }
}
