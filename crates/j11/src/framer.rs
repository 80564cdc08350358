//! Incremental framer: bytes in any chunking → [`RawFrame`]s and [`Diagnostic`]s.
//!
//! Like the module itself (J11 §2.10), the framer skips everything until a unique code —
//! noise, a text echo such as `SKVER\r\n`, half a frame — then reads the 12-byte header, checks
//! the header sum and the length limits, waits for the data and checks the data sum. Both
//! unique codes are accepted (a log may hold both directions); [`RawFrame::direction`] tells
//! which one was seen.
//!
//! Bad input is reported, never fatal, and never costs sync:
//! * bytes that cannot start a frame: [`Diagnostic::Garbage`], one report per run (before the
//!   next frame, or every [`GARBAGE_REPORT`] bytes, or at [`Framer::finish`]);
//! * a bad header sum or a length outside 4..=1353: [`Diagnostic::BadFrame`]; the framer skips
//!   one byte and hunts for the next unique code, so a real frame that starts inside the bad
//!   header is still found;
//! * a good header with a bad data sum: [`Diagnostic::BadFrame`]; the frame is dropped, and its
//!   data bytes are searched again for a unique code. This goes slightly beyond "drop that
//!   frame's bytes": when a byte is lost on the line, a frame swallows the start of the next
//!   one as its data, and searching the data again recovers that next frame. Bytes already
//!   covered by a bad-frame report are not reported again as garbage.
//!
//! Memory: the framer never holds more than one maximum frame (1361 bytes); garbage is
//! counted, not kept. Time: linear in the input. A byte is examined once while hunting, and
//! again only inside the data of a frame whose data sum failed; as frames with a valid header
//! start at least 12 bytes apart, a byte lies in at most 1349 / 12 such data areas (adversarial
//! input only; `benches/framer.rs` measures it).
//!
//! The output depends only on the byte stream, never on how it was cut into chunks.

use core::fmt;

use crate::frame::{
    check_header, Direction, Frame, FrameError, RawFrame, HEADER_LEN, MAX_FRAME_LEN,
    REQUEST_UNIQUE_CODE, RESPONSE_UNIQUE_CODE,
};

/// A run of garbage is reported at the latest when it reaches this many bytes.
pub const GARBAGE_REPORT: usize = 1024;

/// Input the framer skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Diagnostic {
    /// Bytes that could not start a frame (noise, text).
    Garbage {
        /// How many bytes.
        len: usize,
    },
    /// A unique code followed by a broken header or data.
    BadFrame {
        /// Which unique code started it.
        direction: Direction,
        /// The command field as received (may itself be corrupt).
        command: u16,
        /// What was wrong.
        error: FrameError,
    },
}

impl Diagnostic {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Garbage { .. } => "j11.garbage",
            Self::BadFrame { error, .. } => error.code(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Garbage { len } => write!(f, "skipped {len} bytes that are not a J11 frame"),
            Self::BadFrame { command, error, .. } => {
                write!(f, "dropped frame {command:#06X}: {error}")
            }
        }
    }
}

fn is_code_prefix(b: &[u8]) -> bool {
    REQUEST_UNIQUE_CODE.starts_with(b) || RESPONSE_UNIQUE_CODE.starts_with(b)
}

/// The incremental framer.
#[derive(Clone, Default)]
pub struct Framer {
    /// `buf[start..]` is live: empty, or a unique code (or a prefix of one) and what follows.
    buf: Vec<u8>,
    start: usize,
    /// Garbage bytes counted and not yet reported.
    garbage: usize,
    /// Leading live bytes already covered by a bad-frame report (not counted as garbage).
    quiet: usize,
}

impl fmt::Debug for Framer {
    /// Shows only counts: the buffer may hold anything, even a logged credential request.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Framer")
            .field("buffered", &self.buffered())
            .field("unreported_garbage", &self.garbage)
            .finish()
    }
}

impl Framer {
    /// An empty framer.
    pub fn new() -> Self {
        Self {
            buf: Vec::with_capacity(MAX_FRAME_LEN),
            ..Self::default()
        }
    }

    /// Bytes held (at most [`MAX_FRAME_LEN`]).
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Memory held by the buffer, in bytes (stays at [`MAX_FRAME_LEN`]).
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Forget everything buffered and counted.
    pub fn reset(&mut self) {
        self.buf.clear();
        self.start = 0;
        self.garbage = 0;
        self.quiet = 0;
    }

    /// All frames and diagnostics in `input` (together with what was buffered before). Drive
    /// the iterator to its end: input it has not reached when dropped is not consumed.
    pub fn frames<'f, 'i>(&'f mut self, input: &'i [u8]) -> Frames<'f, 'i> {
        Frames {
            framer: self,
            input,
        }
    }

    /// The end of the stream: reports what is buffered or counted as garbage, then resets.
    pub fn finish(&mut self) -> Option<Diagnostic> {
        let live = self.buffered();
        let len = self.garbage + live - self.quiet.min(live);
        self.reset();
        (len > 0).then_some(Diagnostic::Garbage { len })
    }

    /// Consume bytes from the front of `input` until one frame or diagnostic is complete, and
    /// return it; `None` when `input` is used up (everything in it is then buffered or
    /// counted). `input` is advanced past what was consumed.
    pub fn feed(&mut self, input: &mut &[u8]) -> Option<Result<RawFrame, Diagnostic>> {
        loop {
            if self.garbage >= GARBAGE_REPORT {
                return Some(Err(self.take_garbage()));
            }
            let live = self.buffered();
            if live == 0 {
                if input.is_empty() {
                    return None;
                }
                // Hunt without copying; stop at the report threshold so reports do not
                // depend on chunking.
                let window = input.len().min(GARBAGE_REPORT - self.garbage);
                let (head, _) = input.split_at(window);
                match head.iter().position(|&b| b == REQUEST_UNIQUE_CODE[0]) {
                    Some(p) => {
                        self.garbage += p;
                        let (_, rest) = input.split_at(p);
                        if let Some((&b, rest)) = rest.split_first() {
                            self.append(b);
                            *input = rest;
                        }
                    }
                    None => {
                        self.garbage += window;
                        *input = input.split_at(window).1;
                    }
                }
                continue;
            }
            if live < 4 {
                let (&b, rest) = input.split_first()?;
                let mut cand = [0u8; 4];
                cand[..live].copy_from_slice(self.live());
                cand[live] = b;
                if is_code_prefix(&cand[..=live]) {
                    self.append(b);
                    *input = rest;
                } else {
                    // No byte after the first of a unique code is 0xD0: the buffered prefix is
                    // garbage, and `b` is looked at again by the hunt.
                    self.drop_front(live);
                }
                continue;
            }
            if self.garbage > 0 {
                return Some(Err(self.take_garbage()));
            }
            if !self.top_up(input, HEADER_LEN) {
                return None;
            }
            let header = self.live().get(..HEADER_LEN).unwrap_or(&[]);
            let (direction, command, data_len) = match check_header(header) {
                Ok(h) => h,
                Err(error) => {
                    let f = Frame::new_unchecked(header);
                    let d = Diagnostic::BadFrame {
                        direction: f.direction().unwrap_or(Direction::Response),
                        command: f.command(),
                        error,
                    };
                    self.skip_bad(1, HEADER_LEN);
                    return Some(Err(d));
                }
            };
            let total = HEADER_LEN + data_len;
            if !self.top_up(input, total) {
                return None;
            }
            let f = Frame::new_unchecked(self.live().get(..total).unwrap_or(&[]));
            let (received, computed) = (f.data_sum(), f.compute_data_sum());
            if received != computed {
                let d = Diagnostic::BadFrame {
                    direction,
                    command,
                    error: FrameError::DataSum { received, computed },
                };
                self.skip_bad(HEADER_LEN, total);
                return Some(Err(d));
            }
            let frame = RawFrame {
                direction,
                command,
                data: f.data().to_vec(),
            };
            self.start += total;
            self.quiet = self.quiet.saturating_sub(total);
            self.resync();
            return Some(Ok(frame));
        }
    }

    fn live(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or(&[])
    }

    fn take_garbage(&mut self) -> Diagnostic {
        let len = core::mem::take(&mut self.garbage);
        Diagnostic::Garbage { len }
    }

    fn compact(&mut self) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }

    fn append(&mut self, b: u8) {
        self.compact();
        self.buf.push(b);
    }

    /// Make `need` bytes live, taking them from `input`. False if `input` ran out first.
    fn top_up(&mut self, input: &mut &[u8], need: usize) -> bool {
        let live = self.buffered();
        if live >= need {
            return true;
        }
        self.compact();
        let (take, rest) = input.split_at((need - live).min(input.len()));
        self.buf.extend_from_slice(take);
        *input = rest;
        self.buffered() >= need
    }

    /// Drop `n` live bytes; those not covered by a bad-frame report count as garbage.
    fn drop_front(&mut self, n: usize) {
        let n = n.min(self.buffered());
        let covered = n.min(self.quiet);
        self.quiet -= covered;
        self.garbage += n - covered;
        self.start += n;
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
    }

    /// After a bad frame of `extent` bytes: skip `k` bytes, then hunt in what is buffered.
    fn skip_bad(&mut self, k: usize, extent: usize) {
        self.quiet = self.quiet.max(extent);
        self.drop_front(k);
        self.resync();
    }

    /// Drop buffered bytes up to the first position that starts (a prefix of) a unique code.
    fn resync(&mut self) {
        let live = self.live();
        let first = (0..live.len())
            .filter(|&i| live.get(i) == Some(&REQUEST_UNIQUE_CODE[0]))
            .find(|&i| is_code_prefix(live.get(i..live.len().min(i + 4)).unwrap_or(&[])))
            .unwrap_or(live.len());
        self.drop_front(first);
        if self.buffered() == 0 {
            self.quiet = 0;
        }
    }
}

/// Iterator over the frames and diagnostics of one input chunk (see [`Framer::frames`]).
pub struct Frames<'f, 'i> {
    framer: &'f mut Framer,
    input: &'i [u8],
}

impl fmt::Debug for Frames<'_, '_> {
    /// Counts only, like [`Framer`]'s.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frames")
            .field("framer", &self.framer)
            .field("remaining", &self.input.len())
            .finish()
    }
}

impl Frames<'_, '_> {
    /// Input not consumed yet.
    pub fn remaining(&self) -> usize {
        self.input.len()
    }
}

impl Iterator for Frames<'_, '_> {
    type Item = Result<RawFrame, Diagnostic>;

    fn next(&mut self) -> Option<Self::Item> {
        self.framer.feed(&mut self.input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::tests::{hex, resp};

    fn all(input: &[u8]) -> Vec<Result<RawFrame, Diagnostic>> {
        let mut f = Framer::new();
        let mut v: Vec<_> = f.frames(input).collect();
        v.extend(f.finish().map(Err));
        v
    }

    #[test]
    fn text_before_a_frame_is_one_garbage_report() {
        let mut input = b"SKVER\r\n".to_vec();
        let f6 = hex("D0F9EE5D 2054 0005 038D 0001 01");
        input.extend(&f6);
        let out = all(&input);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0], Err(Diagnostic::Garbage { len: 7 }));
        let fr = out[1].as_ref().unwrap();
        assert_eq!(
            (fr.direction, fr.command, fr.data.as_slice()),
            (Direction::Response, 0x2054, &[1u8][..])
        );
    }

    #[test]
    fn partial_unique_codes_are_garbage() {
        let f = resp(0x6019, &[]);
        let mut input = vec![0xD0, 0xF9, 0x00, 0xD0, 0xD0, 0xEA, 0x83];
        input.extend(&f);
        let out = all(&input);
        assert_eq!(out[0], Err(Diagnostic::Garbage { len: 7 }));
        assert_eq!(out[1].as_ref().unwrap().command, 0x6019);
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn bad_header_sum_skips_one_byte_and_finds_the_frame_inside() {
        // A corrupt header whose bytes 4.. start a real frame.
        let good = resp(0x2056, &[1]);
        let mut input = RESPONSE_UNIQUE_CODE.to_vec();
        input.extend(&good);
        let out = all(&input);
        assert!(matches!(
            out[0],
            Err(Diagnostic::BadFrame {
                command: 0xD0F9,
                error: FrameError::HeaderSum { .. },
                ..
            })
        ));
        // The 3 other bytes of the bad unique code are covered by that report.
        assert_eq!(out[1].as_ref().unwrap().command, 0x2056);
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn length_limits_are_reported() {
        for (len, err) in [
            (3u16, FrameError::LengthTooShort { length: 3 }),
            (1354, FrameError::LengthTooLong { length: 1354 }),
        ] {
            let mut h = resp(0x2001, &[]);
            let mut f = Frame::new_unchecked(&mut h[..]);
            f.set_message_length(len);
            f.fill_checksums();
            h.extend(resp(0x2001, &[1, 2, 3, 3]));
            let out = all(&h);
            assert_eq!(
                out[0],
                Err(Diagnostic::BadFrame {
                    direction: Direction::Response,
                    command: 0x2001,
                    error: err
                })
            );
            assert_eq!(out[1].as_ref().unwrap().data, vec![1, 2, 3, 3]);
            assert_eq!(out.len(), 2);
        }
    }

    #[test]
    fn bad_data_sum_drops_the_frame_and_recovers_a_swallowed_one() {
        // A frame lost its last data byte on the line: it swallows the start of the next one.
        let mut first = resp(0x6018, &[9; 30]);
        first.pop();
        let second = resp(
            0x601A,
            &[1, 0, 0x50, 0xC2, 0xFF, 0xFE, 0xDC, 0x28, 0x22, 0xC4],
        );
        let third = resp(0x2056, &[1]);
        let mut input = first.clone();
        input.extend(&second);
        input.extend(&third);
        let out = all(&input);
        assert!(matches!(
            out[0],
            Err(Diagnostic::BadFrame {
                command: 0x6018,
                error: FrameError::DataSum { .. },
                ..
            })
        ));
        assert_eq!(out[1].as_ref().unwrap().command, 0x601A);
        assert_eq!(out[2].as_ref().unwrap().command, 0x2056);
        assert_eq!(out.len(), 3, "{out:?}");
    }

    #[test]
    fn garbage_is_reported_in_bounded_runs() {
        let input = vec![0x41u8; 3000];
        let out = all(&input);
        assert_eq!(
            out,
            vec![
                Err(Diagnostic::Garbage { len: 1024 }),
                Err(Diagnostic::Garbage { len: 1024 }),
                Err(Diagnostic::Garbage { len: 952 }),
            ]
        );
    }

    #[test]
    fn memory_stays_bounded() {
        let mut f = Framer::new();
        // A header announcing the longest frame, then garbage forever.
        let mut h = resp(0x6018, &vec![0; 1349]);
        h.truncate(HEADER_LEN);
        let mut input = h;
        input.extend(std::iter::repeat_n(0xD0, 5000));
        for chunk in input.chunks(97) {
            for _ in f.frames(chunk) {}
            assert!(f.buffered() <= MAX_FRAME_LEN);
            assert!(f.capacity() <= MAX_FRAME_LEN + 4);
        }
    }

    #[test]
    fn finish_reports_a_truncated_tail() {
        let mut f = Framer::new();
        let fr = resp(0x2056, &[1]);
        assert_eq!(f.frames(&fr[..8]).count(), 0);
        assert_eq!(f.buffered(), 8);
        assert_eq!(f.finish(), Some(Diagnostic::Garbage { len: 8 }));
        assert_eq!(f.buffered(), 0);
        assert_eq!(f.finish(), None);
    }
}
