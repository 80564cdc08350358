//! The incremental framer: dongle bytes in, [`Frame`]s out, whatever the chunking.
//!
//! Modelled on atat's digester, as a byte-driven state machine so that feeding one byte at a
//! time gives exactly the frames that feeding everything at once gives. It accepts:
//!
//! * lines ending in CR LF, and the bare-CR replies of `WOPT`/`ROPT`/`WUART`/`RUART`
//!   (CR, LF and CR LF are each one line end, even when CR and LF arrive in separate chunks);
//! * echo lines (echo-back on), `OK`, `OK xx`, `FAIL ERxx`, `EVER`, `EAPPVER`, `EINFO`,
//!   `ESREG`, the bare address reply of `SKLL64`, `EVENT` with and without side, `EPONG`;
//! * the multi-line `EPANDESC` block (with or without `Side:`) and the `EEDSCAN` block;
//! * `ERXUDP` in hex mode (one line) and in binary mode: after the DATALEN token exactly DATALEN
//!   raw bytes follow, which may contain CR, LF and spaces, then CR LF. The data mode comes from
//!   [`Framer::set_erxudp_mode`]; while it is [`ErxudpMode::Unknown`] each datagram decides for
//!   itself (a byte that is not a hex digit among the first DATALEN means binary; DATALEN hex
//!   digits followed by another one means hex);
//! * J11 binary frames (unique code `D0 F9 EE 5D`, checked header), so a J11 dongle is
//!   recognised instead of producing garbage;
//! * garbage, over-long lines ([`Framer::MAX_LINE`]), malformed lines and a keyword preceded by
//!   garbage: each is skipped with a [`Frame::Skipped`] diagnostic and framing resumes at the
//!   next line end (or, for `ERXUDP`, at the keyword).

use std::collections::VecDeque;

use crate::detect::ErxudpMode;
use crate::frame::{
    edscan_from_line, erxudp_layout_for_index, is_datalen, pandesc_from_lines, parse_erxudp_header,
    parse_line, skipped, DataEncoding, DiagnosticKind, Frame, ParseContext, RxUdp,
};
use crate::j11;
use crate::util::tokens;

const CR: u8 = b'\r';
const LF: u8 = b'\n';
const J11_CODE: u32 = u32::from_be_bytes(j11::RESPONSE_CODE);

#[derive(Debug)]
enum State {
    Line,
    /// Discarding the rest of an over-long line.
    Skip,
    /// Reading ERXUDP data after the DATALEN token.
    Data {
        rx: Box<RxUdp>,
        len: usize,
        enc: Option<DataEncoding>,
    },
    /// After binary data: swallow CR LF.
    Trailer {
        seen_cr: bool,
    },
    /// Collecting a J11 frame.
    J11 {
        need: usize,
    },
}

#[derive(Debug)]
enum Block {
    None,
    PanDesc(Vec<Vec<u8>>),
    EdScan,
}

/// Incremental framer. Feed bytes with [`Framer::push`], take frames with
/// [`Framer::next_frame`].
#[derive(Debug)]
pub struct Framer {
    ctx: ParseContext,
    mode: ErxudpMode,
    state: State,
    line: Vec<u8>,
    data: Vec<u8>,
    after_cr: bool,
    window: u32,
    block: Block,
    /// Token tracking for ERXUDP detection: index of the token being read, its start, and
    /// whether the line may still be an ERXUDP line.
    tok_idx: usize,
    tok_start: usize,
    tracking: bool,
    erxudp: bool,
    out: VecDeque<Frame>,
}

impl Default for Framer {
    fn default() -> Self {
        Self::new()
    }
}

fn is_block_key_line(l: &[u8]) -> bool {
    let t = l.trim_ascii_start();
    [
        &b"Channel:"[..],
        b"Channel Page:",
        b"Pan ID:",
        b"Addr:",
        b"LQI:",
        b"Side:",
        b"PairID:",
    ]
    .iter()
    .any(|k| t.starts_with(k))
}

impl Framer {
    /// Longest line kept (a hex-mode ERXUDP of a full 1232-byte payload fits).
    pub const MAX_LINE: usize = 4096;
    /// Largest binary ERXUDP payload accepted (larger DATALEN is treated as malformed).
    pub const MAX_DATA: usize = 2048;

    /// A framer with no dialect knowledge and automatic ERXUDP data mode.
    pub fn new() -> Self {
        Self {
            ctx: ParseContext::default(),
            mode: ErxudpMode::Unknown,
            state: State::Line,
            line: Vec::with_capacity(256),
            data: Vec::new(),
            after_cr: false,
            window: 0,
            block: Block::None,
            tok_idx: 0,
            tok_start: 0,
            tracking: true,
            erxudp: false,
            out: VecDeque::new(),
        }
    }

    /// Tell the framer the dialect (resolves `EVENT` side/param ambiguity).
    pub fn set_context(&mut self, ctx: ParseContext) {
        self.ctx = ctx;
    }

    /// The current parse context.
    pub fn context(&self) -> ParseContext {
        self.ctx
    }

    /// Tell the framer how ERXUDP data is shown (from `ROPT`).
    pub fn set_erxudp_mode(&mut self, mode: ErxudpMode) {
        self.mode = mode;
    }

    /// Feed bytes as received, in any chunking.
    pub fn push(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
        }
    }

    /// Take the next complete frame.
    pub fn next_frame(&mut self) -> Option<Frame> {
        self.out.pop_front()
    }

    /// True while an `EPANDESC`/`EEDSCAN` block is open (it closes on its last line or on the
    /// next line that does not belong to it; [`Framer::close_block`] forces it).
    pub fn has_open_block(&self) -> bool {
        !matches!(self.block, Block::None)
    }

    /// True when bytes of an unfinished line or frame are buffered.
    pub fn has_partial(&self) -> bool {
        !self.line.is_empty() || !matches!(self.state, State::Line | State::Trailer { .. })
    }

    /// Close an open block now (e.g. after a quiet period), emitting it or a diagnostic.
    pub fn close_block(&mut self) {
        match std::mem::replace(&mut self.block, Block::None) {
            Block::None => {}
            Block::PanDesc(lines) => match pandesc_from_lines(&lines) {
                Some(p) => self.out.push_back(Frame::PanDesc(p)),
                None => {
                    let n = lines.iter().map(|l| l.len() + 2).sum::<usize>() + 10;
                    self.out
                        .push_back(skipped(DiagnosticKind::IncompleteBlock, n));
                }
            },
            Block::EdScan => self
                .out
                .push_back(skipped(DiagnosticKind::IncompleteBlock, 9)),
        }
    }

    /// End of input: a last line without terminator is processed as a line, an open block is
    /// closed, and an unfinished binary datagram or J11 frame is reported as truncated.
    pub fn finish(&mut self) {
        match std::mem::replace(&mut self.state, State::Line) {
            State::Data { len, enc, .. } => {
                let n = self.line.len() + self.data.len();
                self.line.clear();
                self.data.clear();
                let _ = (len, enc);
                self.out.push_back(skipped(DiagnosticKind::Truncated, n));
            }
            State::J11 { .. } => {
                let n = self.data.len();
                self.data.clear();
                self.out.push_back(skipped(DiagnosticKind::Truncated, n));
            }
            _ => {
                if !self.line.is_empty() {
                    self.end_line();
                }
            }
        }
        self.reset_tracking();
        self.close_block();
        self.after_cr = false;
    }

    fn reset_tracking(&mut self) {
        self.tok_idx = 0;
        self.tok_start = 0;
        self.tracking = true;
        self.erxudp = false;
    }

    fn byte(&mut self, b: u8) {
        match &mut self.state {
            State::Line => self.line_byte(b),
            State::Skip => {
                if b == CR || b == LF {
                    self.after_cr = b == CR;
                    self.state = State::Line;
                    self.reset_tracking();
                }
            }
            State::Data { .. } => self.data_byte(b),
            State::Trailer { seen_cr } => match b {
                CR if !*seen_cr => *seen_cr = true,
                LF => {
                    self.state = State::Line;
                    self.after_cr = false;
                }
                _ => {
                    let had_cr = *seen_cr;
                    self.state = State::Line;
                    self.after_cr = false;
                    if !had_cr {
                        self.out
                            .push_back(skipped(DiagnosticKind::MissingTerminator, 0));
                    }
                    self.line_byte(b);
                }
            },
            State::J11 { need } => {
                let need = *need;
                self.data.push(b);
                if self.data.len() == j11::HEADER_LEN {
                    match j11::check_header(&self.data) {
                        Some((_, len)) if len > 0 => {
                            self.state = State::J11 {
                                need: j11::HEADER_LEN + len,
                            };
                        }
                        Some(_) => self.finish_j11(),
                        None => {
                            let n = self.data.len();
                            self.data.clear();
                            self.state = State::Line;
                            self.out.push_back(skipped(DiagnosticKind::BadJ11Frame, n));
                        }
                    }
                } else if self.data.len() == need && need > j11::HEADER_LEN {
                    self.finish_j11();
                }
            }
        }
    }

    fn finish_j11(&mut self) {
        if let Some((f, _)) = j11::parse(&self.data) {
            self.out.push_back(Frame::J11(f));
        } else {
            self.out
                .push_back(skipped(DiagnosticKind::BadJ11Frame, self.data.len()));
        }
        self.data.clear();
        self.state = State::Line;
        self.after_cr = false;
    }

    fn line_byte(&mut self, b: u8) {
        self.window = (self.window << 8) | u32::from(b);
        if self.window == J11_CODE {
            // The first three bytes of the code are at the end of the line buffer.
            let keep = self.line.len().saturating_sub(3);
            self.line.truncate(keep);
            if keep > 0 {
                self.out
                    .push_back(skipped(DiagnosticKind::GarbagePrefix, keep));
            }
            self.line.clear();
            self.reset_tracking();
            self.close_block();
            self.data.clear();
            self.data.extend_from_slice(&j11::RESPONSE_CODE);
            self.state = State::J11 {
                need: j11::HEADER_LEN,
            };
            self.window = 0;
            return;
        }
        match b {
            LF if self.after_cr => self.after_cr = false,
            CR | LF => {
                self.after_cr = b == CR;
                self.end_line();
            }
            _ => {
                self.after_cr = false;
                if self.line.len() >= Self::MAX_LINE {
                    let n = self.line.len() + 1;
                    self.line.clear();
                    self.reset_tracking();
                    self.state = State::Skip;
                    self.out.push_back(skipped(DiagnosticKind::TooLong, n));
                    return;
                }
                self.line.push(b);
                if b == b' ' && self.tracking {
                    self.on_space();
                }
            }
        }
    }

    /// A space ended a token: track ERXUDP header tokens to find DATALEN.
    fn on_space(&mut self) {
        let end = self.line.len() - 1;
        let start = self.tok_start;
        self.tok_start = self.line.len();
        if start >= end {
            return; // repeated space
        }
        let idx = self.tok_idx;
        self.tok_idx += 1;
        if idx == 0 {
            let tok = &self.line[start..end];
            if tok == b"ERXUDP" {
                self.erxudp = true;
            } else if tok.ends_with(b"ERXUDP") {
                let cut = tok.len() - 6;
                self.line.drain(..start + cut);
                self.tok_start = self.line.len();
                self.out
                    .push_back(skipped(DiagnosticKind::GarbagePrefix, start + cut));
                self.erxudp = true;
            } else {
                self.tracking = false;
            }
            return;
        }
        if !self.erxudp || idx < 7 {
            return;
        }
        if idx > 9 {
            self.tracking = false;
            return;
        }
        if !is_datalen(&self.line[start..end]) || erxudp_layout_for_index(idx).is_none() {
            return;
        }
        self.tracking = false;
        let toks: Vec<&[u8]> = tokens(&self.line[..end]).collect();
        let Some((rx, len)) = parse_erxudp_header(&toks) else {
            return; // finishes as a normal (malformed) line
        };
        if len > Self::MAX_DATA {
            return;
        }
        self.data.clear();
        let enc = match self.mode {
            ErxudpMode::Binary => Some(DataEncoding::Binary),
            _ => None,
        };
        self.state = State::Data {
            rx: Box::new(rx),
            len,
            enc,
        };
        if len == 0 && enc == Some(DataEncoding::Binary) {
            self.emit_rx(DataEncoding::Binary);
        }
    }

    fn data_byte(&mut self, b: u8) {
        let State::Data { len, enc, .. } = &mut self.state else {
            return;
        };
        let len = *len;
        match *enc {
            Some(DataEncoding::Binary) => {
                self.data.push(b);
                if self.data.len() == len {
                    self.emit_rx(DataEncoding::Binary);
                }
            }
            Some(DataEncoding::Hex) => {
                if b == CR || b == LF {
                    self.after_cr = b == CR;
                    self.finish_hex();
                } else {
                    self.data.push(b);
                    if self.data.len() > 2 * len + 2 {
                        let n = self.line.len() + self.data.len();
                        self.abandon_data(State::Skip, DiagnosticKind::TooLong, n);
                    }
                }
            }
            None => {
                let n = self.data.len();
                let hex = b.is_ascii_hexdigit();
                if n < len {
                    if hex {
                        self.data.push(b);
                    } else if self.mode == ErxudpMode::Hex && (b == CR || b == LF) {
                        self.after_cr = b == CR;
                        let n = self.line.len() + self.data.len();
                        self.abandon_data(State::Line, DiagnosticKind::Malformed, n);
                    } else {
                        *enc = Some(DataEncoding::Binary);
                        self.data.push(b);
                        if self.data.len() == len {
                            self.emit_rx(DataEncoding::Binary);
                        }
                    }
                } else if hex {
                    *enc = Some(DataEncoding::Hex);
                    self.data.push(b);
                } else if self.mode == ErxudpMode::Hex {
                    let n = self.line.len() + self.data.len();
                    self.abandon_data(State::Line, DiagnosticKind::Malformed, n);
                    self.line_byte(b);
                } else {
                    self.emit_rx(DataEncoding::Binary);
                    self.byte(b);
                }
            }
        }
    }

    fn abandon_data(&mut self, next: State, kind: DiagnosticKind, n: usize) {
        self.line.clear();
        self.data.clear();
        self.reset_tracking();
        self.state = next;
        self.out.push_back(skipped(kind, n));
    }

    fn finish_hex(&mut self) {
        let State::Data { rx, len, .. } = std::mem::replace(&mut self.state, State::Line) else {
            return;
        };
        let data = std::mem::take(&mut self.data);
        let n = self.line.len() + data.len();
        self.line.clear();
        self.reset_tracking();
        match (data.len() == 2 * len)
            .then(|| crate::util::hex_decode(&data))
            .flatten()
        {
            Some(bytes) => {
                let mut rx = *rx;
                rx.data = bytes;
                rx.encoding = DataEncoding::Hex;
                self.close_block();
                self.out.push_back(Frame::RxUdp(rx));
            }
            None => self.out.push_back(skipped(DiagnosticKind::Malformed, n)),
        }
    }

    fn emit_rx(&mut self, enc: DataEncoding) {
        let State::Data { rx, .. } =
            std::mem::replace(&mut self.state, State::Trailer { seen_cr: false })
        else {
            return;
        };
        let mut rx = *rx;
        rx.data = std::mem::take(&mut self.data);
        rx.encoding = enc;
        self.line.clear();
        self.reset_tracking();
        self.close_block();
        self.out.push_back(Frame::RxUdp(rx));
    }

    fn end_line(&mut self) {
        let line = std::mem::take(&mut self.line);
        self.reset_tracking();
        match &mut self.block {
            Block::PanDesc(lines) => {
                if line.trim_ascii().is_empty() {
                    self.line = line;
                    self.line.clear();
                    return;
                }
                if is_block_key_line(&line) {
                    let last = line.trim_ascii_start().starts_with(b"PairID:");
                    lines.push(line);
                    if last || lines.len() >= 8 {
                        self.close_block();
                    }
                    return;
                }
                self.close_block();
            }
            Block::EdScan => {
                if line.trim_ascii().is_empty() {
                    return;
                }
                self.block = Block::None;
                match edscan_from_line(line.trim_ascii()) {
                    Some(e) => {
                        self.out.push_back(Frame::EdScan(e));
                        self.recycle(line);
                        return;
                    }
                    None => self
                        .out
                        .push_back(skipped(DiagnosticKind::IncompleteBlock, 9)),
                }
            }
            Block::None => {}
        }
        let t = line.trim_ascii();
        if t == b"EPANDESC" {
            self.block = Block::PanDesc(Vec::with_capacity(7));
        } else if t == b"EEDSCAN" {
            self.block = Block::EdScan;
        } else {
            parse_line(&line, self.ctx, &mut self.out);
        }
        self.recycle(line);
    }

    fn recycle(&mut self, mut line: Vec<u8>) {
        line.clear();
        if line.capacity() <= Self::MAX_LINE * 2 {
            self.line = line;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{Diagnostic, FailCode, RxUdpLayout};

    fn frames(input: &[u8], mode: ErxudpMode) -> Vec<Frame> {
        let mut f = Framer::new();
        f.set_erxudp_mode(mode);
        f.push(input);
        f.finish();
        std::iter::from_fn(|| f.next_frame()).collect()
    }

    fn bytewise(input: &[u8], mode: ErxudpMode) -> Vec<Frame> {
        let mut f = Framer::new();
        f.set_erxudp_mode(mode);
        let mut v = Vec::new();
        for b in input {
            f.push(std::slice::from_ref(b));
            v.extend(std::iter::from_fn(|| f.next_frame()));
        }
        f.finish();
        v.extend(std::iter::from_fn(|| f.next_frame()));
        v
    }

    const A: &str = "FE80:0000:0000:0000:C2F9:4500:4058:B5FB";
    const B: &str = "FE80:0000:0000:0000:021D:1291:0004:E578";

    #[test]
    fn bare_cr_replies() {
        let input = b"ROPT\rOK 01\rRUART\rOK 80\rSKVER\r\nEVER 1.5.2\r\nOK\r\n";
        let f = frames(input, ErxudpMode::Unknown);
        assert_eq!(f.len(), 7);
        assert_eq!(f[1], Frame::Ok(Some(1)));
        assert_eq!(f[3], Frame::Ok(Some(0x80)));
        assert_eq!(f, bytewise(input, ErxudpMode::Unknown));
    }

    #[test]
    fn pandesc_block_with_and_without_side() {
        let dse = format!("EVENT 20 {B} 0\r\nEPANDESC\r\n  Channel:31\r\n  Channel Page:09\r\n  Pan ID:B5FB\r\n  Addr:0011223344556677\r\n  LQI:DD\r\n  Side:0\r\n  PairID:0194BFAD\r\nEVENT 22 {B} 0\r\n");
        let f = frames(dse.as_bytes(), ErxudpMode::Unknown);
        assert_eq!(f.len(), 3, "{f:?}");
        let Frame::PanDesc(p) = &f[1] else { panic!() };
        assert_eq!((p.channel, p.side), (0x31, Some(0)));
        let se = format!("EVENT 20 {B}\r\nEPANDESC\r\n  Channel:21\r\n  Channel Page:09\r\n  Pan ID:8888\r\n  Addr:12345678ABCDEF01\r\n  LQI:E1\r\nEVENT 22 {B}\r\n");
        let f = frames(se.as_bytes(), ErxudpMode::Unknown);
        let Frame::PanDesc(p) = &f[1] else {
            panic!("{f:?}")
        };
        assert_eq!(
            (p.channel, p.side, p.pair_id.as_deref()),
            (0x21, None, None)
        );
        assert!(matches!(f[2], Frame::Event(_)));
        assert_eq!(f, bytewise(se.as_bytes(), ErxudpMode::Unknown));
    }

    #[test]
    fn erxudp_binary_with_cr_lf_space_in_payload() {
        let payload: &[u8] = &[0x10, 0x81, 0x0D, 0x0A, 0x20, 0x0D, 0x00, 0xFF];
        let mut input = format!("ERXUDP {A} {B} 0E1A 0E1A 0011223344556677 1 0 0008 ").into_bytes();
        input.extend_from_slice(payload);
        input.extend_from_slice(b"\r\nOK\r\n");
        for mode in [ErxudpMode::Binary, ErxudpMode::Unknown] {
            let f = frames(&input, mode);
            assert_eq!(f.len(), 2, "{f:?}");
            let Frame::RxUdp(r) = &f[0] else { panic!() };
            assert_eq!(
                (r.data.as_slice(), r.encoding, r.layout),
                (payload, DataEncoding::Binary, RxUdpLayout::DualStack)
            );
            assert_eq!(f[1], Frame::Ok(None));
            assert_eq!(f, bytewise(&input, mode));
        }
    }

    #[test]
    fn erxudp_binary_all_hex_bytes() {
        // Payload made only of hex-digit characters: binary unless more hex digits follow.
        let mut input = format!("ERXUDP {A} {B} 0E1A 0E1A 0011223344556677 1 0002 ").into_bytes();
        input.extend_from_slice(b"AB\r\nOK\r\n");
        let f = frames(&input, ErxudpMode::Unknown);
        let Frame::RxUdp(r) = &f[0] else {
            panic!("{f:?}")
        };
        assert_eq!(
            (r.data.as_slice(), r.encoding),
            (&b"AB"[..], DataEncoding::Binary)
        );
        let f = frames(&input, ErxudpMode::Hex);
        assert!(
            matches!(
                f[0],
                Frame::Skipped(Diagnostic {
                    kind: DiagnosticKind::Malformed,
                    ..
                })
            ),
            "{f:?}"
        );
        assert_eq!(f[1], Frame::Ok(None));
    }

    #[test]
    fn erxudp_hex_and_rssi() {
        let input = format!("ERXUDP {A} {B} 0E1A 0E1A 0011223344556677 D8 1 0 0003 108100\r\nERXUDP {A} {B} 0E1A 0E1A 0011223344556677 1 0001 AB\r\n");
        for mode in [ErxudpMode::Hex, ErxudpMode::Unknown] {
            let f = frames(input.as_bytes(), mode);
            let Frame::RxUdp(r) = &f[0] else {
                panic!("{f:?}")
            };
            assert_eq!(
                (r.layout, r.rssi, r.encoding, r.data.as_slice()),
                (
                    RxUdpLayout::DualStackRssi,
                    Some(-40),
                    DataEncoding::Hex,
                    &[0x10, 0x81, 0][..]
                )
            );
            let Frame::RxUdp(r) = &f[1] else {
                panic!("{f:?}")
            };
            assert_eq!(
                (r.layout, r.data.as_slice()),
                (RxUdpLayout::SingleHop, &[0xAB][..])
            );
            assert_eq!(f, bytewise(input.as_bytes(), mode));
        }
    }

    #[test]
    fn garbage_and_overlong_lines_resync() {
        let mut input = vec![0x00, 0xFF, 0x01, b'\r', b'\n'];
        input.extend(std::iter::repeat_n(b'A', Framer::MAX_LINE + 100));
        input.extend_from_slice(b"\r\nFAIL ER04\r\n");
        let f = frames(&input, ErxudpMode::Unknown);
        assert!(matches!(
            f[0],
            Frame::Skipped(Diagnostic {
                kind: DiagnosticKind::Garbage,
                ..
            })
        ));
        assert!(matches!(
            f[1],
            Frame::Skipped(Diagnostic {
                kind: DiagnosticKind::TooLong,
                ..
            })
        ));
        assert_eq!(f[2], Frame::Fail(FailCode::NotSupported));
        assert_eq!(f.len(), 3);
        assert_eq!(f, bytewise(&input, ErxudpMode::Unknown));
    }

    #[test]
    fn erxudp_after_garbage_prefix_binary() {
        let mut input =
            format!("SKSENDTOERXUDP {A} {B} 0E1A 0E1A 0011223344556677 1 0 0002 ").into_bytes();
        input.extend_from_slice(&[0x0D, 0x0A, b'\r', b'\n']);
        let f = frames(&input, ErxudpMode::Unknown);
        assert!(
            matches!(
                f[0],
                Frame::Skipped(Diagnostic {
                    kind: DiagnosticKind::GarbagePrefix,
                    len: 8
                })
            ),
            "{f:?}"
        );
        let Frame::RxUdp(r) = &f[1] else {
            panic!("{f:?}")
        };
        assert_eq!(r.data, [0x0D, 0x0A]);
    }

    #[test]
    fn j11_frame_is_recognised() {
        let mut input = b"xy".to_vec();
        input.extend(crate::j11::encode(
            crate::j11::RESPONSE_CODE,
            0x206B,
            &[1, 0x0D, 0x0A, 4],
        ));
        input.extend_from_slice(b"OK\r\n");
        let f = frames(&input, ErxudpMode::Unknown);
        assert!(
            matches!(
                f[0],
                Frame::Skipped(Diagnostic {
                    kind: DiagnosticKind::GarbagePrefix,
                    len: 2
                })
            ),
            "{f:?}"
        );
        let Frame::J11(j) = &f[1] else {
            panic!("{f:?}")
        };
        assert_eq!(
            (j.command, j.data.len(), j.data_checksum_ok),
            (0x206B, 4, true)
        );
        assert_eq!(f[2], Frame::Ok(None));
        assert_eq!(f, bytewise(&input, ErxudpMode::Unknown));
    }

    #[test]
    fn edscan_block() {
        let input = b"EVENT 1F FE80:0000:0000:0000:021D:1291:0004:E578 0\r\nEEDSCAN\r\n\r\n 0 21 1E 22 13\r\nOK\r\n";
        let f = frames(input, ErxudpMode::Unknown);
        let Frame::EdScan(e) = &f[1] else {
            panic!("{f:?}")
        };
        assert_eq!(e.readings, [(0x21, 0x1E), (0x22, 0x13)]);
        assert_eq!(f[2], Frame::Ok(None));
    }

    #[test]
    fn last_line_without_terminator() {
        let f = frames(b"OK\r\nEVER 1.2.10", ErxudpMode::Unknown);
        assert_eq!(f, [Frame::Ok(None), Frame::Ever("1.2.10".into())]);
    }
}
