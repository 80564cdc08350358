//! The rules. Each reads the input one byte at a time with bounded state, reports the spans
//! to hide, and says how far back a span it may still report could start (its low-water
//! mark). Nothing looks back at earlier input or restarts: the work per byte is constant, so
//! a whole input costs time linear in its length.
//!
//! The rules read a block in turn, each in its own tight loop; a rule at rest skips the bytes
//! that cannot start anything for it with one table lookup each (exactly: the state after a
//! skipped byte is the state before it). The secret and hex rules run on *unit views*
//! ([`crate::view`]): the text view here, the hex view in [`mod@crate::hex`].

use crate::ac::{tag, Ac};
use crate::addr::Addr;
use crate::emit::{Kind, Spans};
use crate::hex::HexRules;
use crate::view::{is_sep, skip_until, skip_until_byte, Queue, View};

/// The J11 credential-frame header, raw: request code, command 0x0054, length 0x0030.
const J11_HEADER: [u8; 8] = [0xD0, 0xEA, 0x83, 0xFC, 0x00, 0x54, 0x00, 0x30];
/// Bytes after the header that are hidden: data checksum (2) + ID (32) + password (12).
const J11_HIDDEN: u8 = 46;
/// Characters of the EAP-PSK identity after `SM`.
const SM_ID_LEN: u64 = 32;

/// Number of rules (each reports into its own span list).
pub(crate) const RULES: usize = 6;

/// The compiled rules.
pub(crate) struct Tables {
    /// Keywords on raw bytes.
    pub(crate) kw: Ac,
    /// Hex view: secret hex forms, the J11 header, `534D`.
    pub(crate) hex: Ac,
    /// Text view: secret text forms (`None` without secrets).
    pub(crate) text: Option<Ac>,
    /// Address hiding on.
    pub(crate) addresses: bool,
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
    /// Hiding everything up to the end of the line (or of a quoted string, or an escape).
    Drop,
    /// A backslash where a blank may come: `\t` (a tab as JSON or a printed string writes it)
    /// is a blank; anything else ends the argument. `pwd`, `first`: the blank's, should it be one.
    Esc {
        pwd: bool,
        first: bool,
    },
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

/// `SKSETPWD`, `SKSETRBID`, `PairID` and what follows them.
#[derive(Clone)]
struct Keywords {
    state: u16,
    arg: Arg,
    pair: Pair,
}

impl Keywords {
    fn run(&mut self, ac: &Ac, block: &[u8], pos0: u64, fast: bool, out: &mut Spans) {
        let mut i = 0;
        while i < block.len() {
            if fast && self.state == 0 && self.arg == Arg::Idle && self.pair == Pair::Idle {
                i = skip_until(block, i, ac.start_table());
                if i == block.len() {
                    break;
                }
            }
            self.byte(ac, block[i], pos0 + i as u64, out);
            i += 1;
        }
    }

    #[inline]
    fn byte(&mut self, ac: &Ac, b: u8, pos: u64, out: &mut Spans) {
        self.state = ac.step(self.state, b);
        let tags = ac.tags(self.state);
        self.arg_byte(b, pos, out);
        if tags & (tag::PWD | tag::RBID) != 0 && self.arg != Arg::Drop {
            self.arg = Arg::KwEnd {
                pwd: tags & tag::PWD != 0,
            };
        }
        self.pair_byte(b, pos, out);
        if tags & tag::PAIR != 0 {
            self.pair = Pair::Skip(0);
        }
    }

    fn low(&self, pos_next: u64) -> u64 {
        match self.arg {
            Arg::Len { start, .. } => start,
            _ => pos_next,
        }
    }

    fn arg_byte(&mut self, b: u8, pos: u64, out: &mut Spans) {
        let blank = b == b' ' || b == b'\t';
        // A backslash ends it too: the start of an escape (`\r\n` in a printed string, `\"` in
        // JSON), never part of a password or an ID; hiding it would break the escape. Only
        // `\t` where a blank may come counts as that blank.
        let esc = b == b'\\';
        let stop = matches!(b, b'\r' | b'\n' | b'"') || esc;
        self.arg = match self.arg {
            Arg::Idle => Arg::Idle,
            Arg::KwEnd { pwd } if blank => Arg::Blank { pwd, first: true },
            Arg::KwEnd { pwd } if esc => Arg::Esc { pwd, first: true },
            Arg::KwEnd { .. } => Arg::Idle,
            Arg::Esc { pwd, first } if b == b't' => Arg::Blank { pwd, first },
            Arg::Esc { .. } => Arg::Idle,
            a @ Arg::Blank { .. } if blank => a,
            Arg::Blank { pwd, first } if esc => Arg::Esc { pwd, first },
            Arg::Blank { .. } if stop => Arg::Idle,
            Arg::Blank { pwd, first } if pwd && first && b.is_ascii_hexdigit() => {
                Arg::Len { start: pos, n: 1 }
            }
            Arg::Blank { .. } => {
                out.add(pos, pos + 1, Kind::Secret);
                Arg::Drop
            }
            Arg::Len { .. } if blank => Arg::Blank {
                pwd: true,
                first: false,
            },
            Arg::Len { .. } if esc => Arg::Esc {
                pwd: true,
                first: false,
            },
            Arg::Len { .. } if stop => Arg::Idle,
            Arg::Len { start, n } if n < 2 && b.is_ascii_hexdigit() => Arg::Len { start, n: n + 1 },
            Arg::Len { start, .. } => {
                out.add(start, pos + 1, Kind::Secret);
                Arg::Drop
            }
            Arg::Drop if stop => Arg::Idle,
            Arg::Drop => {
                out.add(pos, pos + 1, Kind::Secret);
                Arg::Drop
            }
        };
    }

    fn pair_byte(&mut self, b: u8, pos: u64, out: &mut Spans) {
        self.pair = match self.pair {
            Pair::Idle => Pair::Idle,
            Pair::Skip(_) | Pair::Value if b.is_ascii_alphanumeric() => {
                out.add(pos, pos + 1, Kind::Secret);
                Pair::Value
            }
            Pair::Skip(n) if n < 6 && matches!(b, b'"' | b'\'' | b':' | b'=' | b' ' | b'\t') => {
                Pair::Skip(n + 1)
            }
            Pair::Skip(_) | Pair::Value => Pair::Idle,
        };
    }
}

/// `SM` + 32 letters/digits: the 32 go.
#[derive(Clone)]
struct SmText {
    /// Previous byte was `S`/`s` (inside an alphanumeric run).
    prev_s: bool,
    /// Offsets of `SM` in the current alphanumeric run, waiting for 32 more characters.
    pending: Queue,
}

impl SmText {
    fn run(&mut self, block: &[u8], pos0: u64, fast: bool, out: &mut Spans) {
        let mut i = 0;
        while i < block.len() {
            if fast && !self.prev_s && self.pending.len == 0 {
                i = skip_until_byte(block, i, b's', 0x20);
                if i == block.len() {
                    break;
                }
            }
            self.byte(block[i], pos0 + i as u64, out);
            i += 1;
        }
    }

    #[inline]
    fn byte(&mut self, b: u8, pos: u64, out: &mut Spans) {
        if !b.is_ascii_alphanumeric() {
            self.prev_s = false;
            self.pending.clear();
            return;
        }
        let lower = b | 0x20;
        if self.prev_s && lower == b'm' {
            self.pending.push(pos - 1);
        }
        self.prev_s = lower == b's';
        if let Some(s) = self.pending.front() {
            if pos == s + 1 + SM_ID_LEN {
                out.add(s + 2, pos + 1, Kind::Secret);
                self.pending.pop();
            }
        }
    }

    fn low(&self, pos_next: u64) -> u64 {
        self.pending.front().map_or(pos_next, |s| s + 2)
    }
}

/// The raw J11 credential frame.
#[derive(Clone, Copy, PartialEq, Eq)]
enum J11Raw {
    Header(u8),
    HeaderSum(u8),
    Hidden(u8),
}

impl J11Raw {
    fn run(&mut self, block: &[u8], pos0: u64, fast: bool, out: &mut Spans) {
        let mut i = 0;
        while i < block.len() {
            if fast && *self == J11Raw::Header(0) {
                i = skip_until_byte(block, i, J11_HEADER[0], 0);
                if i == block.len() {
                    break;
                }
            }
            self.byte(block[i], pos0 + i as u64, out);
            i += 1;
        }
    }

    #[inline]
    fn byte(&mut self, b: u8, pos: u64, out: &mut Spans) {
        *self = match *self {
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
                out.add(pos, pos + 1, Kind::Secret);
                if left > 1 {
                    J11Raw::Hidden(left - 1)
                } else {
                    J11Raw::Header(0)
                }
            }
        };
    }
}

/// Known secrets as text, on the text view (which, unlike the hex view, has no `0x`: a
/// secret may start with `X` right after a `0`).
#[derive(Clone)]
struct TextRules {
    view: View,
}

impl TextRules {
    fn run(&mut self, ac: &Ac, block: &[u8], pos0: u64, fast: bool, out: &mut Spans) {
        let mut i = 0;
        while i < block.len() {
            // At the root, a byte that starts no secret changes nothing that matters (a
            // separator run only counts inside a match).
            if fast && self.view.state == 0 {
                i = skip_until(block, i, ac.start_table());
                if i == block.len() {
                    break;
                }
            }
            self.byte(ac, block[i], pos0 + i as u64, out);
            i += 1;
        }
    }

    #[inline]
    fn byte(&mut self, ac: &Ac, b: u8, off: u64, out: &mut Spans) {
        if is_sep(b) {
            if self.view.separators(1) {
                self.view.state = 0;
            }
            return;
        }
        let (idx, _) = self.view.record(off);
        self.view.state = ac.step(self.view.state, b);
        let len = ac.secret_len(self.view.state) as u64;
        if len > 0 && len <= idx + 1 {
            out.add(self.view.offset(idx + 1 - len), off + 1, Kind::Secret);
        }
    }
}

/// All rule state.
#[derive(Clone)]
pub(crate) struct Scanner {
    kw: Keywords,
    sm: SmText,
    j11: J11Raw,
    hex: HexRules,
    text: TextRules,
    addr: Addr,
}

impl Scanner {
    pub(crate) fn new() -> Scanner {
        Scanner {
            kw: Keywords {
                state: 0,
                arg: Arg::Idle,
                pair: Pair::Idle,
            },
            sm: SmText {
                prev_s: false,
                pending: Queue::new(),
            },
            j11: J11Raw::Header(0),
            hex: HexRules::new(),
            text: TextRules { view: View::new() },
            addr: Addr::new(),
        }
    }

    /// Read `block`, which starts at offset `pos0`. `fast` = let rules at rest skip bytes
    /// (off only to test that skipping changes nothing).
    pub(crate) fn run(
        &mut self,
        t: &Tables,
        block: &[u8],
        pos0: u64,
        fast: bool,
        out: &mut [Spans; RULES],
    ) {
        let [kw, sm, j11, hex, text, addr] = out;
        self.kw.run(&t.kw, block, pos0, fast, kw);
        self.sm.run(block, pos0, fast, sm);
        self.j11.run(block, pos0, fast, j11);
        self.hex.run(&t.hex, block, pos0, fast, hex);
        if let Some(ac) = &t.text {
            self.text.run(ac, block, pos0, fast, text);
        }
        if t.addresses {
            self.addr.run(block, pos0, fast, addr);
        }
    }

    /// End of input.
    pub(crate) fn finish(&mut self, t: &Tables, out: &mut [Spans; RULES]) {
        if t.addresses {
            self.addr.finish(&mut out[5]);
        }
    }

    /// Earliest offset a span reported from now on may start at.
    pub(crate) fn low(&self, t: &Tables, pos_next: u64) -> u64 {
        let mut low = self.kw.low(pos_next).min(self.sm.low(pos_next));
        low = low.min(self.hex.low(&t.hex, pos_next));
        if let Some(ac) = &t.text {
            low = low.min(self.text.view.low(ac, pos_next));
        }
        if t.addresses {
            low = low.min(self.addr.low(pos_next));
        }
        low
    }
}
