//! Unit views. A view drops separator bytes (space, tab, `:`, `-`, `,`, `.`, `_`) and records,
//! for each remaining byte (a *unit*), its offset in the input, so a match found on units maps
//! back to an exact input span. A separator run longer than [`MAX_SEPARATOR_RUN`] breaks any
//! match in progress.

use crate::ac::Ac;
use crate::MAX_SEPARATOR_RUN;

/// Unit offsets kept per view (more than the longest pattern, 128 units, and the hex PANA
/// identity, 68 units).
pub(crate) const RING: usize = 256;

/// Separator bytes of the unit views.
#[cfg_attr(not(target_family = "wasm"), inline(always))]
pub(crate) fn is_sep(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b':' | b'-' | b',' | b'.' | b'_')
}

/// A unit view of the input and its automaton state.
#[derive(Clone)]
pub(crate) struct View {
    /// Separator bytes since the last unit.
    pub(crate) sep_run: usize,
    /// Units so far.
    pub(crate) count: u64,
    /// Offsets of the last [`RING`] units (allocated on the first unit: short inputs without
    /// units cost nothing).
    pub(crate) ring: Vec<u64>,
    /// Automaton state.
    pub(crate) state: u16,
}

impl View {
    pub(crate) fn new() -> View {
        View {
            sep_run: 0,
            count: 0,
            ring: Vec::new(),
            state: 0,
        }
    }

    /// `n` separator bytes; true when the run just became too long (matches break).
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    pub(crate) fn separators(&mut self, n: usize) -> bool {
        let before = self.sep_run;
        self.sep_run += n;
        before <= MAX_SEPARATOR_RUN && self.sep_run > MAX_SEPARATOR_RUN
    }

    /// Record a unit at `off`; returns its index and the ring slot's previous value when it
    /// was overwritten.
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    pub(crate) fn record(&mut self, off: u64) -> (u64, Option<u64>) {
        let i = self.count;
        self.sep_run = 0;
        self.count += 1;
        if self.ring.len() < RING {
            if self.ring.capacity() == 0 {
                self.ring.reserve_exact(RING);
            }
            self.ring.push(off);
            (i, None)
        } else {
            let slot = &mut self.ring[(i as usize) % RING];
            (i, Some(std::mem::replace(slot, off)))
        }
    }

    /// Undo the last [`View::record`].
    pub(crate) fn unrecord(&mut self, old: Option<u64>) {
        if self.count == 0 {
            return;
        }
        self.count -= 1;
        match old {
            Some(v) => {
                if let Some(slot) = self.ring.get_mut((self.count as usize) % RING) {
                    *slot = v;
                }
            }
            None => {
                self.ring.pop();
            }
        }
    }

    /// Offset of unit `i` (one of the last [`RING`]).
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    pub(crate) fn offset(&self, i: u64) -> u64 {
        self.ring.get((i as usize) % RING).copied().unwrap_or(0)
    }

    /// Earliest offset a match still running in `ac` may start at.
    pub(crate) fn low(&self, ac: &Ac, pos_next: u64) -> u64 {
        let d = ac.depth(self.state) as u64;
        if d > 0 && d <= self.count {
            self.offset(self.count - d)
        } else {
            pos_next
        }
    }
}

/// A small queue of offsets or unit indices (at most 32 live entries are ever needed).
#[derive(Clone, Copy)]
pub(crate) struct Queue {
    v: [u64; 32],
    head: usize,
    pub(crate) len: usize,
}

impl Queue {
    pub(crate) fn new() -> Queue {
        Queue {
            v: [0; 32],
            head: 0,
            len: 0,
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, x: u64) {
        if self.len == 32 {
            // Cannot happen (entries expire within 34 bytes / 68 units, at least 2 / 4
            // apart); keep the newest.
            self.pop();
        }
        self.v[(self.head + self.len) % 32] = x;
        self.len += 1;
    }

    /// Put back an entry just popped.
    pub(crate) fn push_front(&mut self, x: u64) {
        if self.len == 32 {
            return;
        }
        self.head = (self.head + 31) % 32;
        self.v[self.head] = x;
        self.len += 1;
    }

    #[inline]
    pub(crate) fn front(&self) -> Option<u64> {
        (self.len > 0).then(|| self.v[self.head])
    }

    #[inline]
    pub(crate) fn pop(&mut self) {
        if self.len > 0 {
            self.head = (self.head + 1) % 32;
            self.len -= 1;
        }
    }

    #[inline]
    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }
}

/// First index at or after `i` whose byte has `table[b]` set; 8 bytes per branch.
#[inline]
pub(crate) fn skip_until(block: &[u8], mut i: usize, table: &[bool; 256]) -> usize {
    while let Some(w) = block.get(i..i + 8) {
        let mut any = false;
        for &b in w {
            any |= table[usize::from(b)];
        }
        if any {
            break;
        }
        i += 8;
    }
    while i < block.len() && !table[usize::from(block[i])] {
        i += 1;
    }
    i
}

/// First index at or after `i` whose byte, OR-ed with `fold`, equals `want`; 8 bytes per
/// step (word-at-a-time zero-byte test).
#[inline]
pub(crate) fn skip_until_byte(block: &[u8], mut i: usize, want: u8, fold: u8) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    while let Some(w) = block.get(i..i + 8) {
        let mut a = [0u8; 8];
        a.copy_from_slice(w);
        let x = (u64::from_le_bytes(a) | (LO * u64::from(fold))) ^ (LO * u64::from(want));
        if x.wrapping_sub(LO) & !x & HI != 0 {
            break;
        }
        i += 8;
    }
    while i < block.len() && block[i] | fold != want {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_find_the_first_match() {
        let mut t = [false; 256];
        t[usize::from(b'S')] = true;
        for n in 0..40 {
            for at in 0..=n {
                let mut v = vec![b'a'; n];
                if at < n {
                    v[at] = b'S';
                }
                assert_eq!(skip_until(&v, 0, &t), at);
                assert_eq!(skip_until_byte(&v, 0, b's', 0x20), at);
                assert_eq!(skip_until_byte(&v, 0, b'S', 0), at);
                v.iter_mut().for_each(|b| *b = 0xD1);
                if at < n {
                    v[at] = 0xD0;
                }
                assert_eq!(skip_until_byte(&v, 0, 0xD0, 0), at);
            }
        }
        // Bytes that only differ in high bits do not match.
        assert_eq!(skip_until_byte(&[0xF3, 0x53], 0, b's', 0x20), 1);
    }
}
