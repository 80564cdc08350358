//! A small Aho–Corasick automaton, fully resolved into a DFA (one table lookup per input
//! unit, no failure-link walks at run time), over byte classes that fold ASCII case.

/// Pattern tags (bit flags; a state carries the union of the tags of every pattern that ends
/// there, its own and its suffixes').
pub(crate) mod tag {
    /// A known secret (the state also records the longest such pattern ending there).
    pub const SECRET: u8 = 1;
    /// The J11 credential-frame header `D0EA83FC00540030` (hex units).
    pub const J11: u8 = 2;
    /// `534D`, the hex of "SM" (hex units).
    pub const SM: u8 = 4;
    /// `SKSETPWD` (raw bytes).
    pub const PWD: u8 = 8;
    /// `SKSETRBID` (raw bytes).
    pub const RBID: u8 = 16;
    /// `PAIRID`, `PAIR_ID`, `PAIR ID` (raw bytes).
    pub const PAIR: u8 = 32;
}

/// The automaton. State 0 is the root.
#[derive(Clone)]
pub(crate) struct Ac {
    /// Byte → class (ASCII letters of both cases share a class).
    class: [u8; 256],
    nclass: usize,
    /// `next[state * nclass + class]`.
    next: Vec<u16>,
    /// Length of the longest pattern prefix the state stands for.
    depth: Vec<u16>,
    /// Length of the longest `SECRET` pattern ending at the state (0 = none).
    secret_len: Vec<u16>,
    /// Tags of the patterns ending at the state.
    tags: Vec<u8>,
    /// Bytes that leave the root (start some pattern).
    start: [bool; 256],
}

impl Ac {
    /// Build from `(pattern, tag)` pairs. Patterns are matched ignoring ASCII case; empty
    /// patterns are skipped. The caller keeps the total length well under 65 535.
    pub(crate) fn new(patterns: &[(Vec<u8>, u8)]) -> Ac {
        // Classes: one per distinct (upper-cased) pattern byte, class 0 for everything else.
        let mut class = [0u8; 256];
        let mut nclass = 1usize;
        for (p, _) in patterns {
            for &b in p {
                let u = b.to_ascii_uppercase();
                if class[usize::from(u)] == 0 && nclass < 255 {
                    class[usize::from(u)] = nclass as u8;
                    class[usize::from(u.to_ascii_lowercase())] = nclass as u8;
                    nclass += 1;
                }
            }
        }
        // Trie, in the flat table: an entry is a child or 0 until its row is resolved.
        let mut next = vec![0u16; nclass];
        let mut depth = vec![0u16];
        let mut secret_len = vec![0u16];
        let mut tags = vec![0u8];
        for (p, t) in patterns {
            let mut s = 0usize;
            for &b in p {
                let i = s * nclass + usize::from(class[usize::from(b)]);
                if next[i] == 0 {
                    next[i] = depth.len() as u16;
                    depth.push(depth[s] + 1);
                    secret_len.push(0);
                    tags.push(0);
                    next.resize(next.len() + nclass, 0);
                }
                s = usize::from(next[i]);
            }
            if s != 0 {
                tags[s] |= *t;
                if *t & tag::SECRET != 0 {
                    secret_len[s] = secret_len[s].max(depth[s]);
                }
            }
        }
        // Breadth-first (a state's failure state is shallower, so resolved before it):
        // missing entries take the failure state's, outputs are merged.
        let mut fail = vec![0usize; depth.len()];
        let mut order: Vec<usize> = next[..nclass]
            .iter()
            .filter(|&&t| t != 0)
            .map(|&t| usize::from(t))
            .collect();
        let mut k = 0;
        while let Some(&s) = order.get(k) {
            k += 1;
            let f = fail[s];
            secret_len[s] = secret_len[s].max(secret_len[f]);
            tags[s] |= tags[f];
            for c in 0..nclass {
                let via_fail = next[f * nclass + c];
                let t = usize::from(next[s * nclass + c]);
                if t != 0 {
                    fail[t] = usize::from(via_fail);
                    order.push(t);
                } else {
                    next[s * nclass + c] = via_fail;
                }
            }
        }
        let mut start = [false; 256];
        for (b, s) in start.iter_mut().enumerate() {
            *s = next.get(usize::from(class[b])).is_some_and(|&t| t != 0);
        }
        Ac {
            class,
            nclass,
            next,
            depth,
            secret_len,
            tags,
            start,
        }
    }

    /// The bytes that lead out of the root.
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    pub(crate) fn start_table(&self) -> &[bool; 256] {
        &self.start
    }

    /// The state after `s` reads `b`.
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    pub(crate) fn step(&self, s: u16, b: u8) -> u16 {
        let i = usize::from(s) * self.nclass + usize::from(self.class[usize::from(b)]);
        self.next.get(i).copied().unwrap_or(0)
    }

    /// Longest pattern prefix that state `s` stands for.
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    pub(crate) fn depth(&self, s: u16) -> usize {
        usize::from(self.depth.get(usize::from(s)).copied().unwrap_or(0))
    }

    /// Longest `SECRET` pattern ending at `s` (0 = none).
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    pub(crate) fn secret_len(&self, s: u16) -> usize {
        usize::from(self.secret_len.get(usize::from(s)).copied().unwrap_or(0))
    }

    /// Tags of the patterns ending at `s`.
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    pub(crate) fn tags(&self, s: u16) -> u8 {
        self.tags.get(usize::from(s)).copied().unwrap_or(0)
    }

    /// Number of states (for tests).
    #[cfg(test)]
    pub(crate) fn states(&self) -> usize {
        self.depth.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(ac: &Ac, text: &[u8]) -> Vec<(usize, usize, u8)> {
        let mut s = 0;
        let mut v = Vec::new();
        for (i, &b) in text.iter().enumerate() {
            s = ac.step(s, b);
            if ac.tags(s) != 0 {
                v.push((i, ac.secret_len(s), ac.tags(s)));
            }
        }
        v
    }

    #[test]
    fn overlapping_and_suffix_patterns() {
        let ac = Ac::new(&[
            (b"ABCD".to_vec(), tag::SECRET),
            (b"BC".to_vec(), tag::SM),
            (b"CD".to_vec(), tag::SECRET),
        ]);
        assert_eq!(
            run(&ac, b"xabcdbcd"),
            [
                (3, 0, tag::SM),
                (4, 4, tag::SECRET),
                (6, 0, tag::SM),
                (7, 2, tag::SECRET)
            ]
        );
        // root, A, AB, ABC, ABCD, B, BC, C, CD
        assert_eq!(ac.states(), 9);
    }

    #[test]
    fn failure_links_restart_inside_a_prefix() {
        // "SKSKSETPWD": the mismatch at the second K must fall back to "SK".
        let ac = Ac::new(&[(b"SKSETPWD".to_vec(), tag::PWD)]);
        assert_eq!(run(&ac, b"SKSKSETPWD"), [(9, 0, tag::PWD)]);
        assert_eq!(run(&ac, b"sksetpwd"), [(7, 0, tag::PWD)]);
        let mut s = 0;
        for &b in b"SKSE" {
            s = ac.step(s, b);
        }
        assert_eq!(ac.depth(s), 4);
    }
}
