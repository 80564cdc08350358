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
        // Trie.
        let mut goto: Vec<Vec<(u8, u16)>> = vec![Vec::new()];
        let mut depth = vec![0u16];
        let mut secret_len = vec![0u16];
        let mut tags = vec![0u8];
        for (p, t) in patterns {
            if p.is_empty() {
                continue;
            }
            let mut s = 0usize;
            for &b in p {
                let c = class[usize::from(b)];
                let found = goto[s].iter().find(|(k, _)| *k == c).map(|&(_, n)| n);
                s = match found {
                    Some(n) => usize::from(n),
                    None => {
                        let n = goto.len();
                        goto.push(Vec::new());
                        depth.push(depth[s] + 1);
                        secret_len.push(0);
                        tags.push(0);
                        goto[s].push((c, n as u16));
                        n
                    }
                };
            }
            tags[s] |= *t;
            if *t & tag::SECRET != 0 {
                secret_len[s] = secret_len[s].max(depth[s]);
            }
        }
        // Breadth-first: failure links resolved into the DFA table, outputs merged.
        let n = goto.len();
        let mut next = vec![0u16; n * nclass];
        let mut fail = vec![0usize; n];
        let mut queue = std::collections::VecDeque::new();
        for &(c, t) in &goto[0] {
            next[usize::from(c)] = t;
            queue.push_back(usize::from(t));
        }
        while let Some(s) = queue.pop_front() {
            let f = fail[s];
            secret_len[s] = secret_len[s].max(secret_len[f]);
            tags[s] |= tags[f];
            for c in 0..nclass {
                let child = goto[s].iter().find(|(k, _)| usize::from(*k) == c);
                match child {
                    Some(&(_, t)) => {
                        let t = usize::from(t);
                        fail[t] = usize::from(next[f * nclass + c]);
                        next[s * nclass + c] = t as u16;
                        queue.push_back(t);
                    }
                    None => next[s * nclass + c] = next[f * nclass + c],
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
    #[inline(always)]
    pub(crate) fn start_table(&self) -> &[bool; 256] {
        &self.start
    }

    /// The state after `s` reads `b`.
    #[inline(always)]
    pub(crate) fn step(&self, s: u16, b: u8) -> u16 {
        let i = usize::from(s) * self.nclass + usize::from(self.class[usize::from(b)]);
        self.next.get(i).copied().unwrap_or(0)
    }

    /// Longest pattern prefix that state `s` stands for.
    #[inline(always)]
    pub(crate) fn depth(&self, s: u16) -> usize {
        usize::from(self.depth.get(usize::from(s)).copied().unwrap_or(0))
    }

    /// Longest `SECRET` pattern ending at `s` (0 = none).
    #[inline(always)]
    pub(crate) fn secret_len(&self, s: u16) -> usize {
        usize::from(self.secret_len.get(usize::from(s)).copied().unwrap_or(0))
    }

    /// Tags of the patterns ending at `s`.
    #[inline(always)]
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
