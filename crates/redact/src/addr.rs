//! Address hiding: IPv6 addresses (full `FE80:0000:…:6393` and compressed `fe80::1c:3dd`),
//! colon-separated EUI-64s, bare 16-hex-digit MACs and bare 32-hex-digit tokens.
//!
//! A candidate is a run of hex digits and colons; leading and trailing colons are not part of
//! it, and it must not touch a letter or digit on either side (unless colons separate them).
//! With colons it is an address when every group has at most 4 digits and either there are 8
//! non-empty groups or there is a `::` with at least 2 non-empty groups and at most 7 colons:
//! `FE80::XXXX` when the first group is `fe80`, `<ipv6>` otherwise. Without colons, 16 digits
//! are a MAC (`<mac>`) and 32 digits a token (hidden as a secret) unless they start `1081` (an
//! ECHONET Lite frame). The state is a handful of counters; a candidate can be at most 39
//! bytes, so a longer run is given up at once, and more than 7 colons end a candidate.

use crate::emit::{Kind, Spans};
use crate::view::skip_until;

/// Hex digits and `:`, the bytes a candidate is made of.
const HEX_OR_COLON: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_hexdigit() || b == b':' as usize;
        b += 1;
    }
    t
};

/// Longest candidate (a full IPv6 address).
const MAX_CORE: u64 = 39;
/// Most colons an address can have.
const MAX_COLONS: u32 = 7;

#[derive(Clone)]
pub(crate) struct Addr {
    /// The byte before the current one was a letter or digit.
    prev_alnum: bool,
    run: Option<Run>,
}

#[derive(Clone, Default)]
struct Run {
    /// The byte before the run was a letter or digit.
    left_alnum: bool,
    /// Colons came before the first hex digit.
    leading: bool,
    /// Offset of the first hex digit (`None` while only colons have come).
    core: Option<u64>,
    /// Offset just after the last hex digit.
    end: u64,
    /// Colons since the last hex digit.
    pending: u32,
    /// Colons between hex digits.
    colons: u32,
    /// A `::` between hex digits.
    double: bool,
    /// Digits in the current group.
    group: u32,
    /// Digits in the first group (set when the first colon is passed).
    first_len: u32,
    max_group: u32,
    /// Non-empty groups before the current one.
    nonempty: u32,
    digits: u32,
    /// The first four digits, upper-cased (`FE80` and `1081` checks).
    first: [u8; 4],
    /// Given up: too long or malformed, or already reported; read to its end quietly.
    dead: bool,
}

impl Addr {
    pub(crate) fn new() -> Addr {
        Addr {
            prev_alnum: false,
            run: None,
        }
    }

    /// Read `block`, which starts at offset `pos0`.
    pub(crate) fn run(&mut self, block: &[u8], pos0: u64, fast: bool, e: &mut Spans) {
        let mut i = 0;
        while i < block.len() {
            if fast && self.run.is_none() {
                // Outside a candidate only the previous byte's kind matters.
                let from = i;
                i = skip_until(block, i, &HEX_OR_COLON);
                if i > from {
                    self.prev_alnum = block[i - 1].is_ascii_alphanumeric();
                }
                if i == block.len() {
                    break;
                }
            }
            self.byte(block[i], pos0 + i as u64, e);
            i += 1;
        }
    }

    #[inline]
    fn byte(&mut self, b: u8, pos: u64, e: &mut Spans) {
        let hex = b.is_ascii_hexdigit();
        if hex || b == b':' {
            let left_alnum = self.prev_alnum;
            let run = self.run.get_or_insert_with(|| Run {
                left_alnum,
                ..Run::default()
            });
            if hex {
                run.digit(b, pos);
            } else {
                run.colon(e);
            }
        } else if let Some(mut run) = self.run.take() {
            run.end_with(!b.is_ascii_alphanumeric(), e);
        }
        self.prev_alnum = b.is_ascii_alphanumeric();
    }

    pub(crate) fn finish(&mut self, e: &mut Spans) {
        if let Some(mut run) = self.run.take() {
            run.end_with(true, e);
        }
    }

    /// Earliest offset a span from this rule may still start at.
    pub(crate) fn low(&self, pos_next: u64) -> u64 {
        match &self.run {
            Some(Run {
                core: Some(c),
                dead: false,
                ..
            }) => *c,
            _ => pos_next,
        }
    }
}

impl Run {
    fn digit(&mut self, b: u8, pos: u64) {
        if self.dead {
            return;
        }
        let Some(core) = self.core else {
            self.core = Some(pos);
            self.take_digit(b, pos);
            return;
        };
        if self.pending > 0 {
            if self.colons == 0 {
                self.first_len = self.group;
            }
            self.colons += self.pending;
            self.double |= self.pending >= 2;
            self.nonempty += u32::from(self.group > 0);
            self.max_group = self.max_group.max(self.group);
            self.group = 0;
            self.pending = 0;
        }
        self.take_digit(b, pos);
        let too_long = pos + 1 - core > MAX_CORE;
        let bad_group = self.colons > 0 && self.max_group.max(self.group) > 4;
        let too_many = if self.colons == 0 {
            self.digits > 32
        } else {
            self.colons > MAX_COLONS
        };
        if too_long || bad_group || too_many {
            self.dead = true;
        }
    }

    fn take_digit(&mut self, b: u8, pos: u64) {
        if self.colons == 0 {
            if let Some(slot) = self.first.get_mut(self.group as usize) {
                *slot = b.to_ascii_uppercase();
            }
        }
        self.group += 1;
        self.digits += 1;
        self.end = pos + 1;
    }

    fn colon(&mut self, e: &mut Spans) {
        if self.dead {
            return;
        }
        if self.core.is_none() {
            self.leading = true;
            return;
        }
        self.pending += 1;
        if self.colons + self.pending > MAX_COLONS {
            // No address has this many colons: the candidate is complete, and the colons
            // after it are its right boundary.
            self.report(e);
            self.dead = true;
        }
    }

    /// The run ended; `right_ok` = what follows is not a letter or digit.
    fn end_with(&mut self, right_ok: bool, e: &mut Spans) {
        if !self.dead && (right_ok || self.pending > 0) {
            self.report(e);
        }
        self.dead = true;
    }

    fn report(&self, e: &mut Spans) {
        let Some(core) = self.core else { return };
        if self.left_alnum && !self.leading {
            return;
        }
        if self.colons > 0 {
            let max_group = self.max_group.max(self.group);
            let nonempty = self.nonempty + u32::from(self.group > 0);
            let compressed = self.double && nonempty >= 2;
            let full = self.colons == 7 && nonempty == 8;
            if max_group <= 4 && (compressed || full) {
                let kind = if self.first_len == 4 && &self.first == b"FE80" {
                    Kind::LinkLocal
                } else {
                    Kind::Ipv6
                };
                e.add(core, self.end, kind);
            }
        } else if self.digits == 16 {
            e.add(core, self.end, Kind::Mac);
        } else if self.digits == 32 && &self.first != b"1081" {
            e.add(core, self.end, Kind::Secret);
        }
    }
}
