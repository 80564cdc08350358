//! The rules on the hex view: known secrets as hex, the PANA identity in hex (`534D` + 32
//! pairs that decode to letters/digits), and the J11 credential frame in hex.
//!
//! `0x` prefixes: a `0` is read as a digit at once; when an `x` follows, that reading is
//! undone (the state before the `0` comes back) and `0x` counts as two separator bytes. Spans
//! the `0` completed as a digit stay hidden, so both readings are covered: nothing a plain
//! reading could find after the `x` escapes the restored one (a pattern never contains `x`),
//! and the work per byte stays constant.

use crate::ac::{tag, Ac};
use crate::emit::{Kind, Spans};
use crate::view::{is_sep, skip_until, Queue, View};

/// Hex digits of the header checksum, kept.
const J11_HSUM_DIGITS: u8 = 4;
/// Hex digits hidden after the header checksum: data checksum (4) + ID (64) + password (24).
const J11_HIDDEN_DIGITS: u8 = 92;
/// Characters of the EAP-PSK identity after `SM`.
const SM_ID_LEN: u64 = 32;

#[inline]
fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// The hex J11 frame machine.
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

/// What a `0` changed, to undo it when an `x` follows.
#[derive(Clone, Copy)]
struct Undo {
    state: u16,
    slot: Option<u64>,
    prev_nibble: Option<u8>,
    pairs: [u8; 2],
    j11: J11Hex,
    popped: Option<u64>,
    sep_run: usize,
}

#[derive(Clone)]
pub(crate) struct HexRules {
    view: View,
    /// Previous hex unit's value (`None` after a non-hex unit).
    prev_nibble: Option<u8>,
    /// Per unit parity: consecutive hex pairs ending at units of that parity that decode to
    /// an ASCII letter or digit (counted from the first pending `534D` on).
    pairs: [u8; 2],
    /// Unit indices of `534D` waiting for 64 more hex digits.
    sm: Queue,
    /// The entry the last unit took off `sm`.
    popped: Option<u64>,
    j11: J11Hex,
    /// Set after a `0`.
    undo: Option<Undo>,
}

impl HexRules {
    pub(crate) fn new() -> HexRules {
        HexRules {
            view: View::new(),
            prev_nibble: None,
            pairs: [0; 2],
            sm: Queue::new(),
            popped: None,
            j11: J11Hex::Idle,
            undo: None,
        }
    }

    /// At rest: nothing a skipped byte could change. (A skipped unit would shift the parity of
    /// later unit indices, but the pair counts only matter once `534D` is pending, and they
    /// are reset then.)
    #[inline]
    fn idle(&self) -> bool {
        self.view.state == 0 && self.undo.is_none() && self.sm.len == 0 && self.j11 == J11Hex::Idle
    }

    /// Earliest offset a span from these rules may still start at.
    pub(crate) fn low(&self, ac: &Ac, pos_next: u64) -> u64 {
        let mut low = self.view.low(ac, pos_next);
        if let Some(u) = self.sm.front() {
            if u + 1 < self.view.count {
                low = low.min(self.view.offset(u + 1));
            }
        }
        if let J11Hex::Hidden { from: Some(f), .. } = self.j11 {
            low = low.min(f);
        }
        // An `x` may still bring back the state from before the last `0`.
        if let Some(u) = &self.undo {
            let count = self.view.count.saturating_sub(1);
            let d = ac.depth(u.state) as u64;
            if d > 0 && d <= count {
                low = low.min(self.view.offset(count - d));
            }
            if let Some(p) = u.popped {
                low = low.min(self.view.offset(p + 1));
            }
            if let J11Hex::Hidden { from: Some(f), .. } = u.j11 {
                low = low.min(f);
            }
        }
        low
    }

    /// Read `block`, which starts at offset `pos0`.
    pub(crate) fn run(&mut self, ac: &Ac, block: &[u8], pos0: u64, fast: bool, e: &mut Spans) {
        let mut i = 0;
        while i < block.len() {
            if fast && self.idle() {
                i = skip_until(block, i, ac.start_table());
                if i == block.len() {
                    break;
                }
            }
            self.byte(ac, block[i], pos0 + i as u64, e);
            i += 1;
        }
    }

    /// Read the byte `b` at `pos`.
    #[inline]
    fn byte(&mut self, ac: &Ac, b: u8, pos: u64, e: &mut Spans) {
        let undo = self.undo.take();
        if is_sep(b) {
            if self.view.separators(1) {
                self.reset();
            }
            return;
        }
        if let (Some(u), b'x' | b'X') = (undo, b) {
            let zero = self.view.offset(self.view.count.saturating_sub(1));
            self.view.unrecord(u.slot);
            self.view.state = u.state;
            self.prev_nibble = u.prev_nibble;
            self.pairs = u.pairs;
            // The `0` was hidden as the first frame digit: the stretch goes on from it.
            self.j11 = match u.j11 {
                J11Hex::Hidden { left, from: None } => J11Hex::Hidden {
                    left,
                    from: Some(zero),
                },
                j => j,
            };
            if let Some(p) = u.popped {
                self.sm.push_front(p);
            }
            self.view.sep_run = u.sep_run;
            if self.view.separators(2) {
                self.reset();
            }
            return;
        }
        let before = (
            self.view.state,
            self.prev_nibble,
            self.pairs,
            self.j11,
            self.view.sep_run,
        );
        let slot = self.unit(ac, b, pos, e);
        if b == b'0' {
            let (state, prev_nibble, pairs, j11, sep_run) = before;
            self.undo = Some(Undo {
                state,
                slot,
                prev_nibble,
                pairs,
                j11,
                popped: self.popped,
                sep_run,
            });
        }
    }

    fn reset(&mut self) {
        self.view.state = 0;
        self.prev_nibble = None;
        self.pairs = [0; 2];
        self.sm.clear();
        self.j11 = J11Hex::Idle;
    }

    /// One unit; returns the ring slot it overwrote.
    fn unit(&mut self, ac: &Ac, b: u8, off: u64, e: &mut Spans) -> Option<u64> {
        let (idx, slot) = self.view.record(off);
        self.popped = None;
        self.view.state = ac.step(self.view.state, b);
        let len = ac.secret_len(self.view.state) as u64;
        if len > 0 && len <= idx + 1 {
            e.add(self.view.offset(idx + 1 - len), off + 1, Kind::Secret);
        }
        let Some(v) = hex_val(b) else {
            // Hex patterns hold only hex digits: the automaton is back at its root already.
            self.reset();
            return slot;
        };
        let tags = ac.tags(self.view.state);
        if tags == 0 && self.sm.len == 0 && self.j11 == J11Hex::Idle {
            // Nothing pending: pair counts and frames wait for `534D` / the J11 header.
            self.prev_nibble = Some(v);
            return slot;
        }
        // Hex pairs that decode to letters/digits, per alignment (they only matter while a
        // `534D` is pending, and start over with the first one).
        let parity = (idx % 2) as usize;
        self.pairs[parity] = match self.prev_nibble {
            Some(p) if ((p << 4) | v).is_ascii_alphanumeric() => {
                self.pairs[parity].saturating_add(1)
            }
            _ => 0,
        };
        self.prev_nibble = Some(v);
        // The PANA identity: `534D` + 32 such pairs.
        if tags & tag::SM != 0 {
            if self.sm.len == 0 {
                self.pairs = [0; 2];
            }
            self.sm.push(idx);
        }
        while let Some(s) = self.sm.front() {
            if s + 2 * SM_ID_LEN > idx {
                break;
            }
            if s + 2 * SM_ID_LEN == idx && u64::from(self.pairs[parity]) >= SM_ID_LEN {
                e.add(self.view.offset(s + 1), off + 1, Kind::Secret);
            }
            self.sm.pop();
            self.popped = Some(s);
        }
        // The J11 credential frame.
        self.j11 = match self.j11 {
            J11Hex::Idle => J11Hex::Idle,
            J11Hex::HeaderSum(n) if n > 1 => J11Hex::HeaderSum(n - 1),
            J11Hex::HeaderSum(_) => J11Hex::Hidden {
                left: J11_HIDDEN_DIGITS,
                from: None,
            },
            J11Hex::Hidden { left, from } => {
                e.add(from.unwrap_or(off), off + 1, Kind::Secret);
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
            self.j11 = match self.j11 {
                J11Hex::Hidden { from, .. } => J11Hex::Hidden {
                    left: J11_HSUM_DIGITS + J11_HIDDEN_DIGITS,
                    from,
                },
                _ => J11Hex::HeaderSum(J11_HSUM_DIGITS),
            };
        }
        slot
    }
}
