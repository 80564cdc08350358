//! Streaming: [`Stream`] for bytes, [`TextStream`] for text. Both give, for any chunking, the
//! same concatenated output as the one-shot [`crate::Redactor::redact_bytes`] /
//! [`crate::Redactor::redact`] (without their final whole-text check, which needs the whole text).

use core::fmt;
use std::sync::Arc;

use crate::emit::{Emitter, Spans};
use crate::scan::{Scanner, Tables, RULES};

/// Bytes processed between two flushes (bounds the held-back buffer within one large push).
const BLOCK: usize = 4096;

/// A redaction stream over bytes: [`Stream::push`] chunks, [`Stream::finish`] at the end.
///
/// Holds back only what a rule may still hide: at most about [`crate::MAX_HOLD`] bytes plus
/// the current block. `Debug` shows counts, never the held bytes.
#[derive(Clone)]
pub struct Stream {
    tables: Arc<Tables>,
    scan: Scanner,
    emit: Emitter,
    spans: [Spans; RULES],
    /// Rules at rest skip bytes that cannot start anything (off only to test that this
    /// changes nothing).
    fast: bool,
}

impl fmt::Debug for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stream")
            .field("offset", &self.emit.pos())
            .field("held_bytes", &self.emit.held())
            .field("pending_spans", &self.emit.pending_spans())
            .finish()
    }
}

impl Stream {
    pub(crate) fn new(tables: Arc<Tables>) -> Stream {
        Stream {
            tables,
            scan: Scanner::new(),
            emit: Emitter::default(),
            spans: Default::default(),
            fast: true,
        }
    }

    /// Redact the next chunk; returns what can be written now.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(chunk.len() + 16);
        self.push_into(chunk, &mut out);
        out
    }

    /// Like [`Stream::push`], appending to `out`.
    pub fn push_into(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        let t = &*self.tables;
        for block in chunk.chunks(BLOCK) {
            let pos = self.emit.pos();
            self.emit.extend(block);
            self.scan.run(t, block, pos, self.fast, &mut self.spans);
            self.emit.absorb(&mut self.spans);
            let low = self.scan.low(t, self.emit.pos());
            self.emit.flush(low, out);
        }
    }

    /// End of input: returns the rest.
    pub fn finish(self) -> Vec<u8> {
        let mut out = Vec::new();
        self.finish_into(&mut out);
        out
    }

    /// Like [`Stream::finish`], appending to `out`.
    pub fn finish_into(mut self, out: &mut Vec<u8>) {
        self.scan.finish(&self.tables, &mut self.spans);
        self.emit.absorb(&mut self.spans);
        self.emit.flush(u64::MAX, out);
    }

    /// Bytes read so far.
    pub fn offset(&self) -> u64 {
        self.emit.pos()
    }

    /// Bytes held back (read, not yet written or dropped).
    pub fn held(&self) -> usize {
        self.emit.held()
    }
}

/// A redaction stream over text: like [`Stream`], and never splits a character (an
/// incomplete UTF-8 sequence at the end of a chunk's output waits for the next one).
#[derive(Clone, Debug)]
pub struct TextStream {
    inner: Stream,
    /// Output bytes of an incomplete character.
    carry: Vec<u8>,
}

impl TextStream {
    pub(crate) fn new(inner: Stream) -> TextStream {
        TextStream {
            inner,
            carry: Vec::new(),
        }
    }

    /// Redact the next chunk; returns what can be written now.
    pub fn push(&mut self, chunk: &str) -> String {
        let mut out = std::mem::take(&mut self.carry);
        self.inner.push_into(chunk.as_bytes(), &mut out);
        self.text(out)
    }

    /// End of input: returns the rest.
    pub fn finish(self) -> String {
        let mut out = self.carry;
        self.inner.finish_into(&mut out);
        // Whole input was text and every replacement starts and ends at a character
        // boundary, so this is valid; lossy only as a guard.
        match String::from_utf8(out) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }
    }

    /// Bytes held back.
    pub fn held(&self) -> usize {
        self.inner.held() + self.carry.len()
    }

    fn text(&mut self, mut out: Vec<u8>) -> String {
        let cut = match std::str::from_utf8(&out) {
            Ok(_) => out.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            // Not reachable from text input; keep going lossily rather than fail.
            Err(_) => return String::from_utf8_lossy(&out).into_owned(),
        };
        self.carry = out.split_off(cut);
        String::from_utf8(out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    fn run(r: &crate::Redactor, input: &[u8], fast: bool) -> Vec<u8> {
        let mut s = r.stream();
        s.fast = fast;
        let mut out = Vec::new();
        for c in input.chunks(7) {
            s.push_into(c, &mut out);
        }
        s.finish_into(&mut out);
        out
    }

    proptest! {
        /// Skipping inert bytes at rest gives exactly the byte-by-byte result.
        #[test]
        fn fast_path_changes_nothing(
            parts in proptest::collection::vec(prop_oneof![
                proptest::sample::select(vec![
                    "SKSETPWD C ", "SKSETRBID ", "PairID:", "SM", "534D", "30313233", "0x",
                    "D0EA83FC00540030", "FE80::1", "001C6400030C12EE", "K7QX3M9PA2TB", " ", "\n",
                    "hello", "ecbdaf", "日本", ":", "::", "Ss", "Mm",
                    "0123456789ABCDEF0123456789abcdef",
                    "3031323334353637383930313233343536373839303132333435363738393031",
                ]).prop_map(|s| s.as_bytes().to_vec()),
                any::<u8>().prop_map(|b| vec![b]),
                Just(b"\xD0\xEA\x83\xFC\x00\x54\x00\x30\x03\xBD\x09\xD4ID".to_vec()),
            ], 0..150),
            secrets in any::<bool>(),
            addresses in any::<bool>(),
        ) {
            let input = parts.concat();
            let mut r = crate::Redactor::new().with_addresses(addresses);
            if secrets {
                r = r.with_credentials("0000004F3A210000000000000A18C3D7", "K7QX3M9PA2TB");
            }
            prop_assert_eq!(run(&r, &input, true), run(&r, &input, false));
        }
    }
}
