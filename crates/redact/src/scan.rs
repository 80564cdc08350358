//! The detectors. Each reads the input one byte at a time with bounded state, reports the
//! spans to hide to the [`Emitter`], and says how far back a span it may still report could
//! start (its low-water mark). Nothing here looks back at earlier input or restarts: the work
//! per byte is constant, so a whole input costs time linear in its length.
//!
//! *Unit views* of the input feed the secret and hex rules. A view drops separator bytes
//! (space, tab, `:`, `-`, `,`, `.`, `_`; one of the two hex views also `0x`) and records, for
//! each remaining byte (a unit), its offset in the input, so a match found on units maps back
//! to an exact input span. A separator run longer than [`MAX_SEPARATOR_RUN`] breaks any match.
//!
//! While every rule is at rest, bytes that cannot start anything are skipped with one table
//! lookup each ([`Tables::inert`]); the result is the same as reading them one by one.

use crate::ac::{tag, Ac};
use crate::addr::Addr;
use crate::emit::{Emitter, Kind};
use crate::MAX_SEPARATOR_RUN;

/// Unit offsets kept per view (more than the longest pattern, 128 units, and the hex PANA
/// identity, 68 units).
const RING: usize = 256;

/// The J11 credential-frame header, raw: request code, command 0x0054, length 0x0030.
const J11_HEADER: [u8; 8] = [0xD0, 0xEA, 0x83, 0xFC, 0x00, 0x54, 0x00, 0x30];
/// Bytes after the header that are hidden: data checksum (2) + ID (32) + password (12).
const J11_HIDDEN: u8 = 46;
/// Hex digits of the header checksum, kept.
const J11_HSUM_DIGITS: u8 = 4;
/// Hex digits hidden after the header checksum.
const J11_HIDDEN_DIGITS: u8 = 2 * J11_HIDDEN;
/// Characters of the EAP-PSK identity after `SM`.
const SM_ID_LEN: u64 = 32;

/// The compiled rules the scanner runs.
pub(crate) struct Tables {
    /// Keywords on raw bytes.
    pub(crate) kw: Ac,
    /// Hex view: secret hex forms, the J11 header, `534D`.
    pub(crate) hex: Ac,
    /// Text view: secret text forms (`None` without secrets).
    pub(crate) text: Option<Ac>,
    /// Address hiding on.
    pub(crate) addresses: bool,
    /// Bytes that change no state while every rule is at rest ([`Scanner::idle`]).
    pub(crate) inert: [bool; 256],
}

impl Tables {
    pub(crate) fn new(kw: Ac, hex: Ac, text: Option<Ac>, addresses: bool) -> Tables {
        let mut inert = [true; 256];
        for (b, slot) in inert.iter_mut().enumerate() {
            let b = b as u8;
            let starts = kw.step(0, b) != 0
                || hex.step(0, b) != 0
                || text.as_ref().is_some_and(|t| t.step(0, b) != 0);
            // `S` may start the PANA identity, 0xD0 a raw J11 frame; hex digits and colons
            // may start an address.
            let rule = matches!(b, b'S' | b's' | 0xD0)
                || (addresses && (b.is_ascii_hexdigit() || b == b':'));
            *slot = !(starts || rule);
        }
        Tables {
            kw,
            hex,
            text,
            addresses,
            inert,
        }
    }
}

/// Separator bytes of the unit views.
#[inline]
pub(crate) fn is_sep(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b':' | b'-' | b',' | b'.' | b'_')
}

#[inline]
fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// What a view makes of one input byte.
#[derive(Clone, Copy)]
enum Unit {
    /// A unit byte at an offset.
    Byte(u8, u64),
    /// The separator run got too long.
    Break,
}

/// A unit view of the input and its automaton state.
#[derive(Clone)]
struct View {
    /// `0x` is a separator.
    zero_x: bool,
    sep_run: usize,
    /// A `0` held until the next byte tells whether it starts `0x` (hex view).
    zero: Option<u64>,
    count: u64,
    /// Offsets of the last [`RING`] units (grown on demand: short inputs stay cheap).
    ring: Vec<u64>,
    state: u16,
}

impl View {
    fn new(zero_x: bool) -> View {
        View {
            zero_x,
            sep_run: 0,
            zero: None,
            count: 0,
            ring: Vec::new(),
            state: 0,
        }
    }

    /// Feed one byte; at most two units come out.
    #[inline]
    fn push(&mut self, b: u8, pos: u64) -> [Option<Unit>; 2] {
        let mut out = [None, None];
        if let Some(z) = self.zero.take() {
            if b == b'x' || b == b'X' {
                return [self.separators(2), None];
            }
            self.sep_run = 0;
            out[0] = Some(Unit::Byte(b'0', z));
        }
        if is_sep(b) {
            out[1] = self.separators(1);
        } else if self.zero_x && b == b'0' {
            self.zero = Some(pos);
        } else {
            self.sep_run = 0;
            out[1] = Some(Unit::Byte(b, pos));
        }
        out
    }

    #[inline]
    fn separators(&mut self, n: usize) -> Option<Unit> {
        let before = self.sep_run;
        self.sep_run += n;
        (before <= MAX_SEPARATOR_RUN && self.sep_run > MAX_SEPARATOR_RUN).then_some(Unit::Break)
    }

    /// Record a unit's offset; returns its index.
    #[inline]
    fn record(&mut self, off: u64) -> u64 {
        let i = self.count;
        if self.ring.len() < RING {
            self.ring.push(off);
        } else {
            self.ring[(i as usize) % RING] = off;
        }
        self.count += 1;
        i
    }

    /// Offset of unit `i` (one of the last [`RING`]).
    #[inline]
    fn offset(&self, i: u64) -> u64 {
        self.ring.get((i as usize) % RING).copied().unwrap_or(0)
    }

    /// Offset where the next unit can start.
    fn next_unit(&self, pos_next: u64) -> u64 {
        self.zero.unwrap_or(pos_next)
    }

    /// Earliest offset a match still running in `ac` may start at.
    fn low(&self, ac: &Ac, pos_next: u64) -> u64 {
        let d = ac.depth(self.state) as u64;
        if d > 0 && d <= self.count {
            self.offset(self.count - d)
        } else {
            self.next_unit(pos_next)
        }
    }
}

/// The SKSETPWD / SKSETRBID argument machine.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Arg {
    Idle,
    /// Right after the keyword: a space or tab must follow.
    KwEnd {
        pwd: bool,
    },
    /// In the blanks before an argument; `first` = before the first argument.
    Blank {
        pwd: bool,
        first: bool,
    },
    /// A 1–2 hex digit token that may be SKSETPWD's length, started at `start`.
    Len {
        start: u64,
        n: u8,
    },
    /// Hiding everything up to the end of the line (or of a quoted string).
    Drop,
}

/// The `PairID` value machine.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pair {
    Idle,
    /// Skipping up to 6 of `"':= ` and tab after the keyword.
    Skip(u8),
    /// In the value.
    Value,
}

/// The raw J11 frame machine.
#[derive(Clone, Copy, PartialEq, Eq)]
enum J11Raw {
    Header(u8),
    HeaderSum(u8),
    Hidden(u8),
}

/// The hex J11 frame machine (on hex units).
#[derive(Clone, Copy, PartialEq, Eq)]
enum J11Hex {
    Idle,
    /// Header checksum digits left to skip.
    HeaderSum(u8),
    /// Digits left to hide; `from` = where the next hidden stretch starts (the end of the
    /// last one, so separators in between are hidden too).
    Hidden {
        left: u8,
        from: Option<u64>,
    },
}

/// A small queue of offsets or unit indices (at most 32 live entries are ever needed).
#[derive(Clone)]
struct Queue {
    v: [u64; 32],
    head: usize,
    len: usize,
}

impl Queue {
    fn new() -> Queue {
        Queue {
            v: [0; 32],
            head: 0,
            len: 0,
        }
    }
    #[inline]
    fn push(&mut self, x: u64) {
        if self.len == 32 {
            // Cannot happen (entries expire within 34 bytes / 68 units, at least 2 / 4
            // apart); keep the newest.
            self.pop();
        }
        self.v[(self.head + self.len) % 32] = x;
        self.len += 1;
    }
    #[inline]
    fn front(&self) -> Option<u64> {
        (self.len > 0).then(|| self.v[self.head])
    }
    #[inline]
    fn pop(&mut self) {
        if self.len > 0 {
            self.head = (self.head + 1) % 32;
            self.len -= 1;
        }
    }
    #[inline]
    fn clear(&mut self) {
        self.len = 0;
    }
}

/// The rules on a hex view: secret hex forms, the PANA identity in hex, the J11 frame in
/// hex.
#[derive(Clone)]
struct HexRules {
    view: View,
    /// Previous hex unit's value (`None` after a non-hex unit).
    prev_nibble: Option<u8>,
    /// Per unit parity: consecutive hex pairs ending at units of that parity that decode to
    /// an ASCII letter or digit.
    pairs: [u8; 2],
    /// Unit indices of `534D` waiting for 64 more hex digits.
    sm_hex: Queue,
    j11h: J11Hex,
}

impl HexRules {
    fn new(zero_x: bool) -> HexRules {
        HexRules {
            view: View::new(zero_x),
            prev_nibble: None,
            pairs: [0; 2],
            sm_hex: Queue::new(),
            j11h: J11Hex::Idle,
        }
    }

    /// At rest: nothing a skipped unit could change. (Its index would shift the parity of
    /// later units, but the pair counts only matter once `534D` has been seen, and they are
    /// reset then.)
    fn idle(&self) -> bool {
        self.view.state == 0
            && self.view.zero.is_none()
            && self.sm_hex.len == 0
            && self.j11h == J11Hex::Idle
    }

    fn low(&self, ac: &Ac, pos_next: u64) -> u64 {
        let next = self.view.next_unit(pos_next);
        let mut low = self.view.low(ac, pos_next).min(next);
        if let Some(u) = self.sm_hex.front() {
            let at = if u + 1 < self.view.count {
                self.view.offset(u + 1)
            } else {
                next
            };
            low = low.min(at);
        }
        if let J11Hex::Hidden { from: Some(f), .. } = self.j11h {
            low = low.min(f);
        }
        low
    }

    fn reset(&mut self) {
        self.view.state = 0;
        self.prev_nibble = None;
        self.pairs = [0; 2];
        self.sm_hex.clear();
        self.j11h = J11Hex::Idle;
    }

    fn unit(&mut self, ac: &Ac, u: Unit, e: &mut Emitter) {
        let Unit::Byte(b, off) = u else {
            self.reset();
            return;
        };
        let idx = self.view.record(off);
        self.view.state = ac.step(self.view.state, b);
        let len = ac.secret_len(self.view.state) as u64;
        if len > 0 && len <= idx + 1 {
            e.span(self.view.offset(idx + 1 - len), off + 1, Kind::Secret);
        }
        let tags = ac.tags(self.view.state);
        let Some(v) = hex_val(b) else {
            // Hex patterns hold only hex digits: the automaton is back at its root already.
            self.reset();
            return;
        };
        // Hex pairs that decode to letters/digits, per alignment.
        let parity = (idx % 2) as usize;
        self.pairs[parity] = match self.prev_nibble {
            Some(p) if ((p << 4) | v).is_ascii_alphanumeric() => {
                self.pairs[parity].saturating_add(1)
            }
            _ => 0,
        };
        self.prev_nibble = Some(v);
        // The PANA identity in hex: `534D` + 32 such pairs. The counts start when the first
        // `534D` is pending: only pairs after it matter.
        if tags & tag::SM != 0 {
            if self.sm_hex.len == 0 {
                self.pairs = [0; 2];
            }
            self.sm_hex.push(idx);
        }
        while let Some(s) = self.sm_hex.front() {
            if s + 2 * SM_ID_LEN > idx {
                break;
            }
            if s + 2 * SM_ID_LEN == idx && u64::from(self.pairs[parity]) >= SM_ID_LEN {
                e.span(self.view.offset(s + 1), off + 1, Kind::Secret);
            }
            self.sm_hex.pop();
        }
        // J11 credential frame in hex.
        self.j11h = match self.j11h {
            J11Hex::Idle => J11Hex::Idle,
            J11Hex::HeaderSum(n) if n > 1 => J11Hex::HeaderSum(n - 1),
            J11Hex::HeaderSum(_) => J11Hex::Hidden {
                left: J11_HIDDEN_DIGITS,
                from: None,
            },
            J11Hex::Hidden { left, from } => {
                e.span(from.unwrap_or(off), off + 1, Kind::Secret);
                if left > 1 {
                    J11Hex::Hidden {
                        left: left - 1,
                        from: Some(off + 1),
                    }
                } else {
                    J11Hex::Idle
                }
            }
        };
        if tags & tag::J11 != 0 {
            // A header inside hidden digits extends the hiding (no gap for its checksum).
            self.j11h = match self.j11h {
                J11Hex::Hidden { from, .. } => J11Hex::Hidden {
                    left: J11_HSUM_DIGITS + J11_HIDDEN_DIGITS,
                    from,
                },
                _ => J11Hex::HeaderSum(J11_HSUM_DIGITS),
            };
        }
    }
}

/// All detector state.
#[derive(Clone)]
pub(crate) struct Scanner {
    kw: u16,
    arg: Arg,
    pair: Pair,
    /// Previous byte was `S`/`s` (inside an alphanumeric run).
    prev_s: bool,
    /// Offsets of `SM` in the current alphanumeric run, waiting for 32 more characters.
    sm: Queue,
    j11: J11Raw,
    /// Two hex views: `0x` read as a separator (`0x30 0x31`), and `0x` read as a digit and
    /// a letter (`…3430x`). A `0` followed by `x` is ambiguous; running both readings keeps
    /// the work per byte constant and misses neither.
    hex: [HexRules; 2],
    tx: View,
    addr: Addr,
}

impl Scanner {
    pub(crate) fn new() -> Scanner {
        Scanner {
            kw: 0,
            arg: Arg::Idle,
            pair: Pair::Idle,
            prev_s: false,
            sm: Queue::new(),
            j11: J11Raw::Header(0),
            hex: [HexRules::new(true), HexRules::new(false)],
            tx: View::new(false),
            addr: Addr::new(),
        }
    }

    /// Read the byte `b` at offset `pos`.
    #[inline]
    pub(crate) fn byte(&mut self, t: &Tables, b: u8, pos: u64, e: &mut Emitter) {
        // Keywords and their arguments.
        self.kw = t.kw.step(self.kw, b);
        let tags = t.kw.tags(self.kw);
        self.arg_byte(b, pos, e);
        if tags & (tag::PWD | tag::RBID) != 0 && self.arg != Arg::Drop {
            self.arg = Arg::KwEnd {
                pwd: tags & tag::PWD != 0,
            };
        }
        self.pair_byte(b, pos, e);
        if tags & tag::PAIR != 0 {
            self.pair = Pair::Skip(0);
        }
        self.sm_text(b, pos, e);
        self.j11_raw(b, pos, e);
        for h in &mut self.hex {
            for u in h.view.push(b, pos).into_iter().flatten() {
                h.unit(&t.hex, u, e);
            }
        }
        if let Some(ac) = &t.text {
            for u in self.tx.push(b, pos).into_iter().flatten() {
                self.text_unit(ac, u, e);
            }
        }
        if t.addresses {
            self.addr.byte(b, pos, e);
        }
    }

    /// Every rule at rest: no partial keyword, argument, identity, frame, match or address.
    /// Then an [inert](Tables::inert) byte changes nothing but the address rule's memory of
    /// the previous byte, which [`Scanner::skipped`] restores.
    #[inline]
    pub(crate) fn idle(&self) -> bool {
        self.kw == 0
            && self.arg == Arg::Idle
            && self.pair == Pair::Idle
            && !self.prev_s
            && self.sm.len == 0
            && self.j11 == J11Raw::Header(0)
            && self.hex.iter().all(HexRules::idle)
            && self.tx.state == 0
            && self.addr.idle()
    }

    /// Inert bytes were skipped while idle; `last` is the last of them.
    #[inline]
    pub(crate) fn skipped(&mut self, last: u8) {
        self.addr.skipped(last);
    }

    /// End of input at offset `pos`.
    pub(crate) fn finish(&mut self, t: &Tables, e: &mut Emitter) {
        for h in &mut self.hex {
            if let Some(z) = h.view.zero.take() {
                h.unit(&t.hex, Unit::Byte(b'0', z), e);
            }
        }
        if t.addresses {
            self.addr.finish(e);
        }
    }

    /// Earliest offset a span reported from now on may start at.
    pub(crate) fn low(&self, t: &Tables, pos_next: u64) -> u64 {
        let mut low = pos_next;
        if let Arg::Len { start, .. } = self.arg {
            low = low.min(start);
        }
        if let Some(s) = self.sm.front() {
            low = low.min(s + 2);
        }
        for h in &self.hex {
            low = low.min(h.low(&t.hex, pos_next));
        }
        if let Some(ac) = &t.text {
            low = low.min(self.tx.low(ac, pos_next));
        }
        if t.addresses {
            low = low.min(self.addr.low(pos_next));
        }
        low
    }

    fn arg_byte(&mut self, b: u8, pos: u64, e: &mut Emitter) {
        let blank = b == b' ' || b == b'\t';
        let stop = matches!(b, b'\r' | b'\n' | b'"');
        self.arg = match self.arg {
            Arg::Idle => Arg::Idle,
            Arg::KwEnd { pwd } if blank => Arg::Blank { pwd, first: true },
            Arg::KwEnd { .. } => Arg::Idle,
            a @ Arg::Blank { .. } if blank => a,
            Arg::Blank { .. } if stop => Arg::Idle,
            Arg::Blank { pwd, first } if pwd && first && b.is_ascii_hexdigit() => {
                Arg::Len { start: pos, n: 1 }
            }
            Arg::Blank { .. } => {
                e.span(pos, pos + 1, Kind::Secret);
                Arg::Drop
            }
            Arg::Len { .. } if blank => Arg::Blank {
                pwd: true,
                first: false,
            },
            Arg::Len { .. } if stop => Arg::Idle,
            Arg::Len { start, n } if n < 2 && b.is_ascii_hexdigit() => Arg::Len { start, n: n + 1 },
            Arg::Len { start, .. } => {
                e.span(start, pos + 1, Kind::Secret);
                Arg::Drop
            }
            Arg::Drop if stop => Arg::Idle,
            Arg::Drop => {
                e.span(pos, pos + 1, Kind::Secret);
                Arg::Drop
            }
        };
    }

    fn pair_byte(&mut self, b: u8, pos: u64, e: &mut Emitter) {
        self.pair = match self.pair {
            Pair::Idle => Pair::Idle,
            Pair::Skip(_) | Pair::Value if b.is_ascii_alphanumeric() => {
                e.span(pos, pos + 1, Kind::Secret);
                Pair::Value
            }
            Pair::Skip(n) if n < 6 && matches!(b, b'"' | b'\'' | b':' | b'=' | b' ' | b'\t') => {
                Pair::Skip(n + 1)
            }
            Pair::Skip(_) | Pair::Value => Pair::Idle,
        };
    }

    /// `SM` + 32 letters/digits: the 32 go.
    fn sm_text(&mut self, b: u8, pos: u64, e: &mut Emitter) {
        if !b.is_ascii_alphanumeric() {
            self.prev_s = false;
            self.sm.clear();
            return;
        }
        let lower = b | 0x20;
        if self.prev_s && lower == b'm' {
            self.sm.push(pos - 1);
        }
        self.prev_s = lower == b's';
        if let Some(s) = self.sm.front() {
            if pos == s + 1 + SM_ID_LEN {
                e.span(s + 2, pos + 1, Kind::Secret);
                self.sm.pop();
            }
        }
    }

    fn j11_raw(&mut self, b: u8, pos: u64, e: &mut Emitter) {
        self.j11 = match self.j11 {
            J11Raw::Header(k) => {
                if J11_HEADER.get(usize::from(k)) == Some(&b) {
                    if usize::from(k) + 1 == J11_HEADER.len() {
                        J11Raw::HeaderSum(0)
                    } else {
                        J11Raw::Header(k + 1)
                    }
                } else {
                    J11Raw::Header(u8::from(b == J11_HEADER[0]))
                }
            }
            J11Raw::HeaderSum(0) => J11Raw::HeaderSum(1),
            J11Raw::HeaderSum(_) => J11Raw::Hidden(J11_HIDDEN),
            J11Raw::Hidden(left) => {
                e.span(pos, pos + 1, Kind::Secret);
                if left > 1 {
                    J11Raw::Hidden(left - 1)
                } else {
                    J11Raw::Header(0)
                }
            }
        };
    }

    fn text_unit(&mut self, ac: &Ac, u: Unit, e: &mut Emitter) {
        let Unit::Byte(b, off) = u else {
            self.tx.state = 0;
            return;
        };
        let idx = self.tx.record(off);
        self.tx.state = ac.step(self.tx.state, b);
        let len = ac.secret_len(self.tx.state) as u64;
        if len > 0 && len <= idx + 1 {
            e.span(self.tx.offset(idx + 1 - len), off + 1, Kind::Secret);
        }
    }
}
