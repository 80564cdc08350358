//! A quick, conservative test whether the rules could change an input at all
//! ([`crate::Redactor::may_change`]): several times cheaper per byte than running them, so
//! that a caller with many short texts (the log decoder's lines) runs the rules only on the
//! few that may hold something to hide.
//!
//! Each rule can only report a span after a trigger that this test looks for, read the same
//! way (fresh state at the start of the input):
//! * keywords: `SKSET` or `PAIR` (any case) somewhere;
//! * the PANA identity as text: `SM` (any case) followed by at least 32 letters/digits;
//! * the raw J11 credential frame: its 8-byte header;
//! * the hex view (separators dropped, and `0x`: an input with `0x` is a "maybe"): `534D`,
//!   or the anchor of the J11 header or of a secret's hex form;
//! * the text view (separators dropped — without `0x`, the same units as the hex view): the
//!   anchor of a secret.
//!
//! The anchor of a pattern is one of its grams of (up to) 8 units, the one with the most
//! different units (a B-route ID may hold a dozen zeros in a row: a gram of them would be
//! found in every IPv6 address). A match holds its pattern's anchor, so every gram of the
//! view is looked up in a Bloom filter of the anchors: no false negatives, rare false
//! positives. Separator runs too long for a match are ignored (that only makes the test say
//! "maybe" more often). With address hiding on the answer is always "maybe".

use crate::view::is_sep;

/// Bits of the Bloom filter (32 KiB, one hash: a few hundred anchors at most).
const BITS: usize = 1 << 18;

/// Longest anchor.
const Q: usize = 8;

/// A Bloom filter of anchors (one hash).
#[derive(Clone)]
struct Bloom {
    bits: Vec<u64>,
}

impl Bloom {
    fn new() -> Bloom {
        Bloom {
            bits: vec![0; BITS / 64],
        }
    }

    #[inline]
    fn hash(key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - 18)) as usize
    }

    fn insert(&mut self, key: u64) {
        let h = Self::hash(key);
        if let Some(w) = self.bits.get_mut(h / 64) {
            *w |= 1 << (h % 64);
        }
    }

    #[inline]
    fn test(&self, key: u64) -> bool {
        let h = Self::hash(key);
        self.bits
            .get(h / 64)
            .is_some_and(|w| w >> (h % 64) & 1 == 1)
    }
}

/// The key of a gram: its units with ASCII letters upper-cased (the automata fold ASCII case,
/// nothing else), big-endian in a `u64`.
fn key(units: &[u8]) -> u64 {
    units
        .iter()
        .fold(0, |k, &b| (k << 8) | u64::from(b.to_ascii_uppercase()))
}

/// Mask of the last `q` units of a key.
fn mask(q: usize) -> u64 {
    if q >= Q {
        u64::MAX
    } else {
        (1u64 << (8 * q)) - 1
    }
}

/// The gram of `p` with the most different units (the first such).
fn anchor(p: &[u8]) -> &[u8] {
    let q = p.len().min(Q);
    let distinct = |g: &[u8]| {
        let mut seen = [false; 256];
        g.iter()
            .filter(|&&b| !std::mem::replace(&mut seen[usize::from(b.to_ascii_uppercase())], true))
            .count()
    };
    let mut best = &p[..q];
    let mut most = distinct(best);
    for g in p.windows(q).skip(1) {
        let d = distinct(g);
        if d > most {
            (best, most) = (g, d);
        }
    }
    best
}

/// The compiled test.
#[derive(Clone)]
pub(crate) struct Filter {
    /// Per byte: the unit it is in the views (ASCII letters upper-cased; 0 for separators,
    /// which are no units — no pattern holds a NUL, so reading a NUL as a separator only
    /// joins more units), and [`TRIGGER`] for bytes that may start a raw-byte trigger.
    table: [u16; 256],
    /// The last two units of every anchor, and `4D` (a bit per pair).
    ends: Box<[u64; 1024]>,
    /// The anchors of the text and hex patterns.
    anchors: Bloom,
    /// The anchor lengths (8, and shorter ones of shorter patterns), as key masks.
    masks: Vec<u64>,
    addresses: bool,
}

/// A byte that may start `SKSET`, `PAIR`, `SM…`, end `0x`, or start the raw J11 header.
const TRIGGER: u16 = 0x100;

/// `534D` as the last four units of a key.
const SM_HEX: u64 = u32::from_be_bytes(*b"534D") as u64;

/// The raw J11 credential-frame header.
const J11_HEADER: [u8; 8] = [0xD0, 0xEA, 0x83, 0xFC, 0x00, 0x54, 0x00, 0x30];

impl Filter {
    /// From the text patterns (the secrets) and the hex patterns (the J11 header, `534D` and
    /// the secrets' hex forms), as the automata get them.
    pub(crate) fn new(text: &[Vec<u8>], hex: &[Vec<u8>], addresses: bool) -> Filter {
        let mut table = [0u16; 256];
        for (i, t) in table.iter_mut().enumerate() {
            let b = i as u8;
            *t = if is_sep(b) {
                0
            } else {
                u16::from(b.to_ascii_uppercase())
            };
            if matches!(b, b's' | b'S' | b'p' | b'P' | b'x' | b'X') || b == J11_HEADER[0] {
                *t |= TRIGGER;
            }
        }
        let mut ends = Box::new([0u64; 1024]);
        let mut mark = |pair: usize| ends[pair / 64] |= 1 << (pair % 64);
        mark(usize::from(u16::from_be_bytes(*b"4D")));
        let mut anchors = Bloom::new();
        let mut masks = Vec::new();
        // `534D` has its own check.
        for p in text
            .iter()
            .chain(hex)
            .filter(|p| !p.is_empty() && p.as_slice() != b"534D")
        {
            let a = anchor(p);
            let k = key(a);
            anchors.insert(k);
            if a.len() == 1 {
                // One unit: after any unit.
                for before in 0..256 {
                    mark((before << 8) | (k & 0xFF) as usize);
                }
            } else {
                mark((k & 0xFFFF) as usize);
            }
            let m = mask(a.len());
            if !masks.contains(&m) {
                masks.push(m);
            }
        }
        masks.sort_unstable_by(|a, b| b.cmp(a));
        Filter {
            table,
            ends,
            anchors,
            masks,
            addresses,
        }
    }

    /// False only when the rules change nothing in `input` (read from a fresh state).
    pub(crate) fn may_change(&self, input: &[u8]) -> bool {
        if self.addresses {
            return true;
        }
        // End of the letter/digit run known so far (for `SM…`; it only moves forward).
        let mut run_end = 0;
        // The last 8 units, folded (zeros before the first).
        let mut k = 0u64;
        for (i, &b) in input.iter().enumerate() {
            let t = self.table[usize::from(b)];
            if t & TRIGGER != 0 && trigger(input, i, &mut run_end) {
                return true;
            }
            let u = t & 0xFF;
            if u == 0 {
                continue;
            }
            k = (k << 8) | u64::from(u);
            // Most grams end in no anchor's last two units (nor `4D`): one bit decides.
            let pair = (k & 0xFFFF) as usize;
            if self.ends[pair / 64 % 1024] >> (pair % 64) & 1 == 1 && self.anchored(k) {
                return true;
            }
        }
        false
    }

    /// Whether the gram ending with the last unit of `k` is an anchor, or `534D`.
    #[cold]
    fn anchored(&self, k: u64) -> bool {
        k & 0xFFFF_FFFF == SM_HEX || self.masks.iter().any(|&m| self.anchors.test(k & m))
    }
}

/// At `input[i]` (a [`TRIGGER`] byte): `SKSET`, `PAIR` (any case), `SM` (any case) with 32
/// letters/digits after it, `0x`/`0X` (the hex view drops it: "maybe"), the raw J11 header.
#[cold]
fn trigger(input: &[u8], i: usize, run_end: &mut usize) -> bool {
    let rest = &input[i..];
    match rest[0] | 0x20 {
        b'p' => rest.len() >= 4 && rest[..4].eq_ignore_ascii_case(b"PAIR"),
        b's' => {
            if rest.len() >= 5 && rest[..5].eq_ignore_ascii_case(b"SKSET") {
                return true;
            }
            if rest.len() >= 34 && rest[1] | 0x20 == b'm' {
                *run_end = (*run_end).max(i + 2);
                while *run_end < i + 34 && input[*run_end].is_ascii_alphanumeric() {
                    *run_end += 1;
                }
                return *run_end >= i + 34;
            }
            false
        }
        b'x' => i > 0 && input[i - 1] == b'0',
        _ => rest.starts_with(&J11_HEADER),
    }
}
