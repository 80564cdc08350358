//! The emitter: holds the bytes not yet decided, merges the spans the detectors report, and
//! writes everything the detectors can no longer touch — plain bytes as they are, each merged
//! span as one replacement.
//!
//! Contract with the detectors: every span reported from now on starts at or after the
//! *low-water mark* `L` the caller passes to [`Emitter::flush`]. So bytes before both `L` and
//! the first pending span are final; a span whose end is before `L` can no longer grow or
//! touch another span, so its replacement is final. Bytes inside a span whose start is
//! final are dropped at once, even while the span still grows (a credential argument running
//! to the end of a very long line costs no memory). The output depends only on the set of
//! spans, never on when `flush` ran — that is what makes any chunking give the same output.

/// What a span hides, and so what replaces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A secret or a credential: [`crate::MARK`].
    Secret,
    /// A link-local IPv6 address: `FE80::XXXX`.
    LinkLocal,
    /// Another IPv6 address or a colon-separated EUI-64: `<ipv6>`.
    Ipv6,
    /// A bare 16-hex-digit MAC: `<mac>`.
    Mac,
}

impl Kind {
    fn text(self) -> &'static [u8] {
        match self {
            Kind::Secret => crate::MARK.as_bytes(),
            Kind::LinkLocal => b"FE80::XXXX",
            Kind::Ipv6 => b"<ipv6>",
            Kind::Mac => b"<mac>",
        }
    }

    /// Two overlapping or touching spans of different kinds become one secret.
    fn merge(self, other: Kind) -> Kind {
        if self == other {
            self
        } else {
            Kind::Secret
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    start: u64,
    end: u64,
    kind: Kind,
}

/// Spans one rule reports while reading a block, nearly in start order (each rule has its
/// own list; [`Emitter::absorb`] merges the lists by start).
#[derive(Clone, Default)]
pub(crate) struct Spans(Vec<Span>);

impl Spans {
    /// Hide `[start, end)`. A span that extends the previous one (same kind, starting inside
    /// it) is merged at once: a rule hiding a long line byte by byte stores one span.
    #[inline]
    pub(crate) fn add(&mut self, start: u64, end: u64, kind: Kind) {
        if start >= end {
            return;
        }
        if let Some(l) = self.0.last_mut() {
            if l.kind == kind && l.start <= start && start <= l.end {
                l.end = l.end.max(end);
                return;
            }
        }
        self.0.push(Span { start, end, kind });
    }
}

/// Pending bytes and spans.
#[derive(Clone, Default)]
pub(crate) struct Emitter {
    /// Bytes from offset `base` on (`buf[head..]`); `buf[..head]` is spent.
    buf: Vec<u8>,
    head: usize,
    /// Offset of `buf[head]`: everything before it has been written or dropped.
    base: u64,
    /// Disjoint, sorted, non-touching spans not yet written: `spans[first..]`.
    spans: Vec<Span>,
    first: usize,
}

impl Emitter {
    /// Offset of the next byte to arrive.
    #[inline]
    pub(crate) fn pos(&self) -> u64 {
        self.base + (self.buf.len() - self.head) as u64
    }

    /// Append input bytes.
    #[inline]
    pub(crate) fn extend(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// Bytes held back.
    pub(crate) fn held(&self) -> usize {
        self.buf.len() - self.head
    }

    /// Spans pending.
    pub(crate) fn pending_spans(&self) -> usize {
        self.spans.len() - self.first
    }

    /// Take the spans of a block from every rule's list, smallest start first (so most land
    /// at the back).
    pub(crate) fn absorb(&mut self, lists: &mut [Spans]) {
        let mut at = [0usize; 8];
        loop {
            let mut best: Option<(usize, Span)> = None;
            for (r, l) in lists.iter().enumerate() {
                let i = at.get(r).copied().unwrap_or(usize::MAX);
                if let Some(&s) = l.0.get(i) {
                    if best.is_none_or(|(_, b)| s.start < b.start) {
                        best = Some((r, s));
                    }
                }
            }
            let Some((r, s)) = best else { break };
            at[r] += 1;
            self.span(s.start, s.end, s.kind);
        }
        for l in lists {
            l.0.clear();
        }
    }

    /// Hide `[start, end)`.
    pub(crate) fn span(&mut self, start: u64, end: u64, kind: Kind) {
        if start >= end {
            return;
        }
        // Fast path: after the last span, not touching it.
        if self.spans.len() == self.first || self.spans.last().is_some_and(|l| l.end < start) {
            self.spans.push(Span { start, end, kind });
            return;
        }
        // Spans entirely after the new one stay where they are.
        let mut i = self.spans.len();
        while i > self.first && self.spans[i - 1].start > end {
            i -= 1;
        }
        let mut new = Span { start, end, kind };
        while i > self.first && self.spans[i - 1].end >= new.start {
            let s = self.spans.remove(i - 1);
            new.start = new.start.min(s.start);
            new.end = new.end.max(s.end);
            new.kind = new.kind.merge(s.kind);
            i -= 1;
        }
        self.spans.insert(i, new);
    }

    /// Write out what is final given the low-water mark `low` (`u64::MAX` at the end).
    pub(crate) fn flush(&mut self, low: u64, out: &mut Vec<u8>) {
        let pos = self.pos();
        loop {
            match self.spans.get(self.first).copied() {
                Some(s) if s.start <= self.base => {
                    // Inside a span whose start is final: drop what has arrived of it.
                    self.consume(s.end.min(pos));
                    if s.end <= self.base && low > s.end {
                        out.extend_from_slice(s.kind.text());
                        self.first += 1;
                        continue;
                    }
                    break;
                }
                next => {
                    let limit = low.min(pos).min(next.map_or(u64::MAX, |s| s.start));
                    if limit > self.base {
                        let n = (limit - self.base) as usize;
                        out.extend_from_slice(&self.buf[self.head..self.head + n]);
                        self.consume(limit);
                    }
                    if next.is_some_and(|s| s.start <= self.base) {
                        continue;
                    }
                    break;
                }
            }
        }
        // Keep the buffers small: drop the spent fronts once they dominate.
        if self.head > 4096 && self.head * 2 > self.buf.len() {
            self.buf.drain(..self.head);
            self.head = 0;
        }
        if self.first > 64 && self.first * 2 > self.spans.len() {
            self.spans.drain(..self.first);
            self.first = 0;
        }
    }

    /// Advance `base` to `to` (≤ `pos`).
    fn consume(&mut self, to: u64) {
        if to > self.base {
            let n = (to - self.base) as usize;
            self.head += n;
            self.base = to;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8], spans: &[(u64, u64, Kind)]) -> Vec<u8> {
        let mut e = Emitter::default();
        e.extend(input);
        for &(a, b, k) in spans {
            e.span(a, b, k);
        }
        let mut out = Vec::new();
        e.flush(u64::MAX, &mut out);
        out
    }

    #[test]
    fn merges_overlapping_and_touching_spans() {
        let k = Kind::Secret;
        assert_eq!(
            run(b"0123456789", &[(2, 4, k), (4, 6, k)]),
            b"01<redacted>6789"
        );
        assert_eq!(
            run(b"0123456789", &[(6, 8, k), (1, 2, k), (2, 7, Kind::Mac)]),
            b"0<redacted>89"
        );
        assert_eq!(
            run(b"0123456789", &[(1, 2, Kind::Mac), (3, 4, Kind::Mac)]),
            b"0<mac>2<mac>456789"
        );
        assert_eq!(run(b"0123", &[(0, 4, Kind::Ipv6)]), b"<ipv6>");
        assert_eq!(run(b"0123", &[(3, 3, k)]), b"0123");
    }

    #[test]
    fn growing_span_is_dropped_early_and_written_once() {
        let mut e = Emitter::default();
        let mut out = Vec::new();
        e.extend(b"ab");
        e.flush(2, &mut out);
        for i in 2..10_000u64 {
            e.extend(b"x");
            e.span(i, i + 1, Kind::Secret);
            e.flush(i + 1, &mut out);
            assert!(e.held() <= 1);
        }
        assert_eq!(out, b"ab");
        e.extend(b"\n");
        e.flush(u64::MAX, &mut out);
        assert_eq!(out, b"ab<redacted>\n");
    }
}
