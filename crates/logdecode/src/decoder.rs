//! The incremental decoder: bytes in any chunking → lines → normalised payloads → records.

mod device_side;
mod redaction;

use std::borrow::Cow;
use std::sync::Arc;

use skstack::detect::Dialect;

use crate::command;
use crate::device::{self, Device, Item};
use crate::echonet_typing;
use crate::hexdump::{self, FrameKind, MAX_BYTES, MAX_LINES};
use crate::j11_typing;
use crate::json;
use crate::kv;
use crate::normalise::{direction_in, normalise};
use crate::record::{Body, Dir, EchonetFields, Fields, Input, Part, Record, Unrecognised};
use crate::value::{hex, Scales};

/// Longest line decoded; the rest of a longer line is ignored.
pub const MAX_LINE: usize = 64 * 1024;

/// Most credential values learned from `SKSETPWD`/`SKSETRBID` lines and J11 0x0054 frames
/// (each costs a rebuild of the redactor's automata; the keyword rules hide the arguments
/// regardless).
pub const MAX_LEARNED: usize = 16;

/// A hex frame being read over several lines.
#[derive(Debug)]
struct Pending {
    kind: FrameKind,
    bytes: Vec<u8>,
    line: usize,
    end: usize,
    lines: usize,
    dir: Option<Dir>,
    input: Input,
}

/// Incremental log decoder: [`LogDecoder::feed`] chunks, [`LogDecoder::finish`] at the end,
/// [`LogDecoder::render_batch`] to JSON lines (redacted). `Debug` shows no learned value.
pub struct LogDecoder {
    line_no: usize,
    carry: Vec<u8>,
    carry_full: bool,
    after_cr: bool,
    device: Device,
    /// Direction and input of the open `EPANDESC`/`EEDSCAN` block's header line.
    block_meta: Option<(Option<Dir>, Input)>,
    dialect: Option<Dialect>,
    scales: Scales,
    pending: Option<Pending>,
    /// The keyword rules plus the credentials the log has shown (`Debug` shows only counts).
    redactor: redact::Redactor,
    learned: usize,
    /// Pairing ID (last 8 characters) of the last B-route ID the log showed.
    pairing_id: Option<String>,
    scratch: Vec<device::Out>,
    /// The input of the last record made (records of one line share it).
    shared: Option<Arc<Input>>,
    /// Lines decoded in this `feed`, for one redaction check of them all: their bytes (and
    /// normalised payloads), `\n`-separated ...
    check: Vec<u8>,
    /// ... and per line (records from, to; bytes from, to).
    marks: Vec<(usize, usize, usize, usize)>,
    /// The lines of `check` the rules may change, and their marks (buffers kept).
    sel: Vec<u8>,
    sel_marks: Vec<(usize, usize, usize, usize)>,
}

impl std::fmt::Debug for LogDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogDecoder")
            .field("line", &self.line_no)
            .field("learned", &self.learned)
            .field("redactor", &self.redactor)
            .finish_non_exhaustive()
    }
}

impl Default for LogDecoder {
    fn default() -> Self {
        Self::new()
    }
}

fn boundary(b: u8) -> bool {
    matches!(
        b,
        b' ' | b']'
            | b'>'
            | b':'
            | b')'
            | b'|'
            | b','
            | b'"'
            | b'\''
            | b'<'
            | b'('
            | b'['
            | b'='
            | b'{'
    )
}

/// Replace `X` masks in hex-looking tokens by `0`; `None` when there is none.
fn unmask(p: &[u8]) -> Option<Vec<u8>> {
    memchr::memchr2(b'X', b'x', p)?;
    let mut out = p.to_vec();
    let mut changed = false;
    let fix = |t: &mut [u8]| -> bool {
        let hexish = t
            .iter()
            .all(|b| b.is_ascii_hexdigit() || matches!(b, b'X' | b'x' | b':'));
        let has_x = t.iter().any(|b| matches!(b, b'X' | b'x'));
        if hexish && has_x && t.len() >= 4 {
            for b in t.iter_mut().filter(|b| matches!(b, b'X' | b'x')) {
                *b = b'0';
            }
            return true;
        }
        false
    };
    if device::is_block_key(p) {
        let c = out.iter().position(|&b| b == b':').unwrap_or(0);
        changed = fix(&mut out[c + 1..]);
    } else {
        for t in out.split_mut(|&b| b == b' ') {
            changed |= fix(t);
        }
    }
    changed.then_some(out)
}

fn first_word(p: &[u8]) -> &[u8] {
    &p[..p.iter().position(|&b| b == b' ').unwrap_or(p.len())]
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim_end().to_string()
}

impl LogDecoder {
    /// A fresh decoder.
    pub fn new() -> Self {
        Self {
            line_no: 0,
            carry: Vec::new(),
            carry_full: false,
            after_cr: false,
            device: Device::new(),
            block_meta: None,
            dialect: None,
            scales: Scales::default(),
            pending: None,
            redactor: redact::Redactor::new(),
            learned: 0,
            pairing_id: None,
            scratch: Vec::new(),
            shared: None,
            check: Vec::new(),
            marks: Vec::new(),
            sel: Vec::new(),
            sel_marks: Vec::new(),
        }
    }

    /// Feed a chunk of the log; complete lines are decoded into `out`. Lines end in LF, CR
    /// LF or CR (a CR and its LF may arrive in different chunks).
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<Record>) {
        let mut rest = chunk;
        while !rest.is_empty() {
            if self.after_cr {
                self.after_cr = false;
                if rest[0] == b'\n' {
                    rest = &rest[1..];
                    continue;
                }
            }
            match memchr::memchr2(b'\n', b'\r', rest) {
                Some(p) => {
                    self.after_cr = rest[p] == b'\r';
                    if self.carry.is_empty() && !self.carry_full {
                        self.line(&rest[..p.min(MAX_LINE)], out);
                    } else {
                        self.push_carry(&rest[..p]);
                        let line = std::mem::take(&mut self.carry);
                        self.line(&line, out);
                        self.carry = line;
                        self.carry.clear();
                        self.carry_full = false;
                    }
                    rest = &rest[p + 1..];
                }
                None => {
                    self.push_carry(rest);
                    break;
                }
            }
        }
        self.flush_checks(out);
    }

    fn push_carry(&mut self, b: &[u8]) {
        let room = MAX_LINE.saturating_sub(self.carry.len());
        self.carry.extend_from_slice(&b[..b.len().min(room)]);
        self.carry_full |= b.len() > room;
    }

    /// End of the log: the last line, a frame still being read, an open block.
    pub fn finish(&mut self, out: &mut Vec<Record>) {
        if !self.carry.is_empty() {
            let line = std::mem::take(&mut self.carry);
            self.line(&line, out);
        }
        self.carry_full = false;
        self.after_cr = false;
        if let Some(p) = self.pending.take() {
            self.emit_pending(p, out);
        }
        self.close_block(out);
        self.flush_checks(out);
    }

    /// Decode one J11 frame given as raw bytes (the support bundle's J11 trace) as the next
    /// line.
    pub fn feed_j11_frame(&mut self, bytes: &[u8], out: &mut Vec<Record>) {
        self.line_no += 1;
        let n = self.line_no;
        self.close_block(out);
        let start = out.len();
        self.j11(bytes, n, None, None, &Input::default(), out);
        if self.fires(bytes) {
            for r in &mut out[start..] {
                r.sensitive = true;
            }
        }
    }

    /// The Pairing ID of the last B-route ID the log showed (to compare with `PairID`s).
    pub fn pairing_id(&self) -> Option<&str> {
        self.pairing_id.as_deref()
    }

    fn line(&mut self, raw: &[u8], out: &mut Vec<Record>) {
        self.line_no += 1;
        if raw.iter().all(|b| b.is_ascii_whitespace()) {
            return;
        }
        let start = out.len();
        let b0 = self.check.len();
        self.check.extend_from_slice(raw);
        self.check.push(b'\n');
        self.line_inner(raw, out);
        self.marks.push((start, out.len(), b0, self.check.len()));
        for r in &mut out[start..] {
            r.epoch = self.learned;
        }
    }

    /// Decode a line; a normalised payload that differs from the line (escapes undone, spaces
    /// changed) joins the redaction check.
    fn line_inner(&mut self, raw: &[u8], out: &mut Vec<Record>) {
        let n = self.line_no;
        let norm = normalise(raw);
        if matches!(norm.payload, Cow::Owned(_)) {
            self.check.extend_from_slice(&norm.payload);
            self.check.push(b'\n');
        }
        if !norm.input.stripped.contains(&Part::Quotes) {
            self.payload_with(&norm.payload, n, norm.dir, norm.input, raw, out);
            return;
        }
        // A quoted payload may hold escaped line ends, and its own prefixes (a line quoted
        // whole by another program): each part is normalised once more.
        let mut any = false;
        for part in norm.payload.split(|&b| b == b'\r' || b == b'\n') {
            if part.trim_ascii().is_empty() {
                continue;
            }
            any = true;
            let inner = normalise(part);
            let mut input = norm.input.clone();
            for p in &inner.input.stripped {
                input.note(*p);
            }
            input.timestamp = input.timestamp.or(inner.input.timestamp);
            input.t_ms = input.t_ms.or(inner.input.t_ms);
            input.level = input.level.or(inner.input.level);
            input.logger = input.logger.or(inner.input.logger);
            input.marker = inner.input.marker.or(input.marker);
            let dir = inner.dir.or(norm.dir);
            self.payload_with(&inner.payload, n, dir, input, raw, out);
        }
        if !any {
            self.payload(b"", n, norm.dir, &norm.input, raw, out);
        }
    }

    /// [`Self::payload`] with the line's input made the shared one (no copy per record).
    fn payload_with(
        &mut self,
        p: &[u8],
        n: usize,
        dir: Option<Dir>,
        input: Input,
        raw: &[u8],
        out: &mut Vec<Record>,
    ) {
        if input.is_empty() {
            self.payload(p, n, dir, &input, raw, out);
            return;
        }
        let a = Arc::new(input);
        self.shared = Some(a.clone());
        self.payload(p, n, dir, &a, raw, out);
    }

    fn payload(
        &mut self,
        p: &[u8],
        n: usize,
        dir: Option<Dir>,
        input: &Input,
        raw: &[u8],
        out: &mut Vec<Record>,
    ) {
        let p = p.trim_ascii();
        if let Some(mut pend) = self.pending.take() {
            // (A row like `00:06:05` reads as a time: the raw line is tried too.)
            let cont = hexdump::continuation(p, pend.bytes.len())
                .or_else(|| hexdump::continuation(raw.trim_ascii(), pend.bytes.len()))
                .filter(|h| {
                    pend.lines < MAX_LINES && pend.bytes.len() + h.bytes.len() <= MAX_BYTES
                });
            if let Some(h) = cont {
                pend.bytes.extend_from_slice(&h.bytes);
                pend.end = n;
                pend.lines += 1;
                pend.input.note(Part::HexLines);
                if h.separated {
                    pend.input.note(Part::HexSeparators);
                }
                match pend.kind.complete(&pend.bytes) {
                    Some(false) => self.pending = Some(pend),
                    _ => self.emit_frame(pend, out),
                }
                return;
            }
            self.emit_pending(pend, out);
        }
        if p.is_empty() {
            self.close_block(out);
            self.unrecognised(n, raw, None, input, None, out);
            return;
        }
        if self.device.block_open() {
            if device::is_block_key(p) || (self.device_edscan() && !is_keyword_line(p)) {
                self.device_line(p, n, dir, input, raw, out);
                return;
            }
            self.close_block(out);
        }
        self.classify(p, n, dir, input, raw, 0, out);
    }

    fn device_edscan(&self) -> bool {
        self.device.edscan
    }

    #[allow(clippy::too_many_arguments)]
    fn classify(
        &mut self,
        p: &[u8],
        n: usize,
        dir: Option<Dir>,
        input: &Input,
        raw: &[u8],
        depth: u8,
        out: &mut Vec<Record>,
    ) {
        const ARROW: &[u8] = "→".as_bytes();
        if let Some(a) = memchr::memmem::find(p, ARROW) {
            let (l, r) = (p[..a].trim_ascii(), p[a + ARROW.len()..].trim_ascii());
            // A `CMD → REPLY` note: split only when both sides are what they should be.
            let left_ok = l.is_empty() || self.candidate_ok(l);
            if left_ok && !r.is_empty() && is_keyword_line(r) {
                let mut inp = input.clone();
                inp.note(Part::Arrow);
                if !l.is_empty() {
                    self.classify(l, n, Some(Dir::Sent), &inp, raw, depth + 1, out);
                }
                let d = if l.is_empty() {
                    dir
                } else {
                    Some(Dir::Received)
                };
                self.classify(r, n, d, &inp, raw, depth + 1, out);
                return;
            }
        }
        if p[0] == b'{' {
            match kv::json_frame(p) {
                Some(b) => self.echonet(&b, "json", n, None, dir, input, out),
                None => self.unrecognised(n, raw, None, input, None, out),
            }
            return;
        }
        if self.direct(p, n, dir, input, raw, depth == 0, out) {
            return;
        }
        if depth == 0 {
            // `ERXUDP` glued to a word (`SKSENDTOERXUDP …`): the framer resynchronises.
            if let Some(g) = memchr::memmem::find(p, b"ERXUDP ") {
                if g > 0 && !boundary(p[g - 1]) && self.candidate_ok(&p[g..]) {
                    let mut inp = input.clone();
                    inp.note(Part::TextBefore);
                    self.device_line(p, n, dir, &inp, raw, out);
                    return;
                }
            }
            let mut from = 0;
            let mut tries = 0;
            while let Some(k) = find_keyword(p, from) {
                tries += 1;
                if tries > MAX_CANDIDATES {
                    break;
                }
                let rest = &p[k..];
                if self.candidate_ok(rest) {
                    let mut inp = input.clone();
                    inp.note(Part::TextBefore);
                    let mut d = dir;
                    if let Some((md, m)) = direction_in(&p[..k]) {
                        d = Some(md);
                        inp.marker = Some(m);
                        inp.note(Part::Marker);
                    }
                    if self.direct(rest, n, d, &inp, raw, true, out) {
                        return;
                    }
                }
                from = k + 1;
            }
        }
        if let Some((kind, bytes)) = hexdump::embedded(p) {
            let d = dir.or_else(|| direction_in(p).map(|x| x.0));
            self.frame(kind, &bytes, n, None, d, input, out);
            return;
        }
        self.unrecognised(n, raw, None, input, None, out);
    }

    /// Decode a payload that starts with what it is. `false` when it does not.
    #[allow(clippy::too_many_arguments)]
    fn direct(
        &mut self,
        p: &[u8],
        n: usize,
        dir: Option<Dir>,
        input: &Input,
        raw: &[u8],
        strict_device: bool,
        out: &mut Vec<Record>,
    ) -> bool {
        let w = first_word(p);
        if command::is_command(w) {
            if let Some(c) = command::command(p) {
                self.command(c, n, dir, input, out);
                return true;
            }
            return false;
        }
        if kv::is_kv(p) {
            let lines = kv::lines(p);
            if lines.is_empty() {
                return false;
            }
            let mut inp = input.clone();
            inp.note(Part::KeyValue);
            for l in lines {
                self.device_line(&l, n, dir, &inp, raw, out);
            }
            self.close_block(out);
            return true;
        }
        if device::is_device_word(w) || addr_at(p) {
            if strict_device || self.candidate_ok(p) {
                self.device_line(p, n, dir, input, raw, out);
                return true;
            }
            return false;
        }
        if let Some((kind, h)) = hexdump::start(p) {
            let mut inp = input.clone();
            if h.separated {
                inp.note(Part::HexSeparators);
            }
            if h.labelled {
                inp.note(Part::Label);
            }
            let pend = Pending {
                kind,
                bytes: h.bytes,
                line: n,
                end: n,
                lines: 1,
                dir,
                input: inp,
            };
            match kind.complete(&pend.bytes) {
                Some(false) => self.pending = Some(pend),
                _ => self.emit_frame(pend, out),
            }
            return true;
        }
        // A frame as raw bytes (a quoted `b'\x10\x81…'` after unescaping).
        if let Some(kind) = FrameKind::of(p) {
            if p.iter().any(|b| !b.is_ascii_graphic() && *b != b' ') {
                self.frame(kind, p, n, None, dir, input, out);
                return true;
            }
        }
        false
    }

    /// Would `rest` decode as something (used before skipping text to reach it)?
    fn candidate_ok(&self, rest: &[u8]) -> bool {
        let w = first_word(rest);
        if command::is_command(w) {
            return command::command(rest).is_some();
        }
        if kv::is_kv(rest) {
            return !kv::lines(rest).is_empty();
        }
        if matches!(rest.trim_ascii_end(), b"EPANDESC" | b"EEDSCAN") {
            return true;
        }
        if device::is_device_word(w) || addr_at(rest) {
            let line = unmask(rest);
            let line = line.as_deref().unwrap_or(rest);
            let mut v: Vec<skstack::Frame> = Vec::new();
            let ctx = skstack::ParseContext {
                dialect: self.dialect,
            };
            skstack::frame::parse_line(line, ctx, &mut v);
            return v
                .first()
                .is_some_and(|f| !matches!(f, skstack::Frame::Skipped(_) | skstack::Frame::Other(_)))
                // Binary ERXUDP data cannot be checked line by line.
                || (w == b"ERXUDP" && {
                    let t = command::toks(line);
                    t.len() >= 9 && t[1..3].iter().all(|a| skstack::addr::parse_ipv6(a).is_some())
                });
        }
        hexdump::start(rest).is_some()
    }

    /// `input`, shared with the previous record when equal.
    fn share(&mut self, input: &Input) -> Option<Arc<Input>> {
        if input.is_empty() {
            return None;
        }
        if let Some(a) = &self.shared {
            if std::ptr::eq(&**a, input) || **a == *input {
                return Some(a.clone());
            }
        }
        let a = Arc::new(input.clone());
        self.shared = Some(a.clone());
        Some(a)
    }

    fn rec(
        &mut self,
        line: usize,
        name: &str,
        dir: Option<Dir>,
        input: &Input,
        body: Body,
    ) -> Record {
        Record {
            line,
            end_line: None,
            name: name.to_string(),
            dir,
            input: self.share(input),
            body,
            sensitive: false,
            epoch: 0,
        }
    }

    fn unrecognised(
        &mut self,
        n: usize,
        raw: &[u8],
        reason: Option<&str>,
        input: &Input,
        dir: Option<Dir>,
        out: &mut Vec<Record>,
    ) {
        let body = Body::Unrecognised(Unrecognised {
            text: text(raw),
            reason: reason.map(String::from),
        });
        let r = self.rec(n, "line", dir, input, body);
        out.push(r);
    }

    fn command(
        &mut self,
        c: command::Cmd,
        n: usize,
        dir: Option<Dir>,
        input: &Input,
        out: &mut Vec<Record>,
    ) {
        if let Some((secret, id)) = &c.secret {
            self.remember_secret(secret, *id);
        }
        if c.dual_stack {
            self.set_dialect(Dialect::DualStack);
        }
        let r = self.rec(n, &c.name, dir, input, Body::Command(c.fields));
        out.push(r);
        if let Some(p) = c.payload {
            self.echonet(&p, "SKSENDTO", n, None, Some(Dir::Sent), input, out);
        }
    }
}

fn is_keyword_line(p: &[u8]) -> bool {
    let w = first_word(p);
    command::is_command(w) || device::is_device_word(w) || addr_at(p)
}

/// Most keyword candidates tried per line (each check reads the rest of the line: the bound
/// keeps the search linear).
const MAX_CANDIDATES: usize = 16;

/// A full-form IPv6 address (or a masked one) as the next token.
fn addr_at(rest: &[u8]) -> bool {
    rest.len() >= 39 && device::is_addr_like(&rest[..39]) && rest.get(39).is_none_or(|&b| b == b' ')
}

/// The next keyword (command, reply or event word, full IPv6 address, hex frame start) at a
/// token boundary at or after `from`.
fn find_keyword(p: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < p.len() {
        let b = p[i];
        if (b.is_ascii_uppercase() || b.is_ascii_digit()) && (i == 0 || boundary(p[i - 1])) {
            let rest = &p[i..];
            let w = &rest[..rest
                .iter()
                .position(|c| !c.is_ascii_alphanumeric())
                .unwrap_or(rest.len())];
            if command::is_command(w)
                || device::is_device_word(w)
                || addr_at(rest)
                || hexdump::starts_at(rest)
            {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}
