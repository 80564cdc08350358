//! Serial-log decoder: turns a pasted log into one JSON object per recognised item.
//!
//! Input is whatever people paste: raw dongle output, terminal sessions with echoes, logs with
//! timestamps, `>>`/`<<`/`[SEND]`/`[RECEIVE]` prefixes or app decorations, quoted `"KEY":"VALUE"`
//! renderings of ERXUDP/EVENT/EPANDESC, bare ECHONET hex frames, and JSON renderings of frames
//! (`{"tid":…,"seoj":…,"props":[{"epc":…,"edt":…}]}`). Each line is searched for the first
//! keyword at a token boundary; prefixes before it are ignored and give the direction when they
//! say it. Unrecognised lines produce nothing. Nothing here panics on bad input (invalid UTF-8,
//! binary junk, huge lines).
//!
//! Output records (see `docs/decode.md`): `line` (1-based), `kind` (`command`, `reply`,
//! `event`, `echonet`), `name`, optional `dir` (`sent`, `received`, `echo`), `fields`. ECHONET
//! frames list every property with EPC, raw EDT and its typed value; energy counts are scaled to
//! kWh once the log has shown E1 (and D3, or D3 unsupported). Credentials are redacted by the
//! `redact` crate's rules on every rendered record: the arguments of `SKSETPWD`/`SKSETRBID`, J11
//! credential frames, the EAP-PSK identity, `PairID` values, and any later occurrence of the
//! values the log passed to `SKSETPWD`/`SKSETRBID` (text or hex, any case, with separators).

use echonet::energy::EnergyUnit;
use echonet::lv::LvValue;
use echonet::names::{class_name, property_name, Lang};
use echonet::node_profile::NpValue;
use echonet::pretty::{value_text, Context};
use echonet::{ClassCode, FrameRepr, LvScale, Measured, Value};
use serde_json::{json, Map, Value as J};

use crate::frame::EventKind;
use crate::util::{hex_decode, hex_encode, hex_u16, hex_u8, is_hex};

/// Dialect knowledge gathered from the log itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LogDialect {
    SingleHop,
    DualStack,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coef {
    Unknown,
    Unsupported,
    Value(u32),
}

#[derive(Debug)]
enum Block {
    None,
    PanDesc {
        line: usize,
        dir: Option<&'static str>,
        fields: Map<String, J>,
    },
    EdScan {
        line: usize,
    },
}

/// Incremental log decoder. [`LogDecoder::feed`] chunks, [`LogDecoder::finish`] at the end.
#[derive(Debug)]
pub struct LogDecoder {
    line_no: usize,
    carry: Vec<u8>,
    unit: Option<EnergyUnit>,
    coef: Coef,
    dialect: Option<LogDialect>,
    block: Block,
    /// The keyword rules plus the credentials the log has shown (`Debug` shows only counts).
    redactor: redact::Redactor,
    /// Credentials learned from the log (at most [`MAX_LEARNED`]).
    learned: usize,
}

impl Default for LogDecoder {
    fn default() -> Self {
        Self::new()
    }
}

/// Longest line decoded; longer lines are cut (the rest is ignored).
pub const MAX_LINE: usize = 64 * 1024;

/// Most credential values learned from `SKSETPWD`/`SKSETRBID` lines (each costs a rebuild of the
/// redactor's automata; their arguments are hidden by the keyword rules regardless).
pub const MAX_LEARNED: usize = 16;

/// Decode a whole log into records.
pub fn decode_log(input: &[u8]) -> Vec<J> {
    let mut d = LogDecoder::new();
    let mut out = Vec::new();
    d.feed(input, &mut out);
    d.finish(&mut out);
    out
}

/// Decode a whole log into JSON lines (one object per line, each ending in `\n`).
pub fn decode_to_json_lines(input: &[u8]) -> String {
    let mut d = LogDecoder::new();
    let mut recs = Vec::new();
    let mut out = String::with_capacity(input.len() + input.len() / 4);
    // Render as we go: fewer live records, less allocator churn.
    for chunk in input.chunks(64 * 1024) {
        d.feed(chunk, &mut recs);
        d.render_batch(&recs, &mut out);
        recs.clear();
    }
    d.finish(&mut recs);
    d.render_batch(&recs, &mut out);
    out
}

fn boundary_byte(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b']'
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

fn is_addr_like(t: &[u8]) -> bool {
    t.len() == 39
        && t.iter().enumerate().all(|(i, &b)| {
            if i % 5 == 4 {
                b == b':'
            } else {
                b.is_ascii_hexdigit() || b == b'X' || b == b'x'
            }
        })
}

const COMMANDS: &[&[u8]] = &[
    b"SKVER",
    b"SKAPPVER",
    b"SKINFO",
    b"SKRESET",
    b"SKSREG",
    b"SKSETPWD",
    b"SKSETRBID",
    b"SKSCAN",
    b"SKLL64",
    b"SKJOIN",
    b"SKREJOIN",
    b"SKTERM",
    b"SKSENDTO",
    b"SKPING",
    b"SKTABLE",
    b"SKSAVE",
    b"SKLOAD",
    b"SKERASE",
    b"SKSTART",
    b"SKSETPSK",
    b"SKSECENABLE",
    b"SKUDPPORT",
    b"SKADDNBR",
    b"SKCONNECT",
    b"SKSEND",
    b"SKCLOSE",
    b"SKREGDEV",
    b"SKRMDEV",
    b"SKSETKEY",
    b"SKRMKEY",
    b"SKDSLEEP",
    b"SKRFLO",
    b"SKTCPPORT",
    b"SKSETHBID",
    b"WOPT",
    b"ROPT",
    b"WUART",
    b"RUART",
];

const EVENT_WORDS: &[&[u8]] = &[
    b"EVENT",
    b"ERXUDP",
    b"EPANDESC",
    b"EVER",
    b"EAPPVER",
    b"EINFO",
    b"ESREG",
    b"EPONG",
    b"EEDSCAN",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kw {
    Command,
    Event,
    Ok,
    Fail,
    Address,
    Hex,
}

fn word_end(rest: &[u8]) -> usize {
    rest.iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(rest.len())
}

fn classify_at(rest: &[u8]) -> Option<Kw> {
    let first = *rest.first()?;
    let w = &rest[..word_end(rest)];
    let after = rest.get(w.len()).copied();
    let sep_ok = matches!(after, None | Some(b' ' | b'\t' | b'\\'));
    match first {
        b'S' | b'W' | b'R' if sep_ok && COMMANDS.contains(&w) => Some(Kw::Command),
        b'E' if EVENT_WORDS.contains(&w) && (sep_ok || after == Some(b'"')) => Some(Kw::Event),
        b'O' if w == b"OK" && sep_ok => Some(Kw::Ok),
        b'F' if w == b"FAIL" && rest.get(4..7) == Some(b" ER") => Some(Kw::Fail),
        _ if first.is_ascii_hexdigit() || first == b'X' => {
            let t_end = rest
                .iter()
                .position(|&b| {
                    matches!(b, b' ' | b'\t' | b')' | b'"' | b',' | b'\'' | b']' | b'\\')
                })
                .unwrap_or(rest.len());
            let t = &rest[..t_end];
            if is_addr_like(t) {
                Some(Kw::Address)
            } else if t.len() >= 24
                && t.len().is_multiple_of(2)
                && (t.starts_with(b"1081") || t.starts_with(b"1082"))
                && is_hex(t)
            {
                Some(Kw::Hex)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Find the next keyword at a token boundary at or after `from`.
fn find_start(line: &[u8], from: usize) -> Option<(usize, Kw)> {
    let n = line.len();
    let mut p = from;
    while p < n {
        let b = line[p];
        if (b.is_ascii_uppercase() || b.is_ascii_digit()) && (p == 0 || boundary_byte(line[p - 1]))
        {
            if let Some(kw) = classify_at(&line[p..]) {
                return Some((p, kw));
            }
        }
        p += 1;
    }
    None
}

/// The direction the prefix before a keyword states, if any (the last marker wins).
fn direction(prefix: &[u8]) -> Option<&'static str> {
    let mut dir = None;
    let mut p = 0;
    while p < prefix.len() {
        let next = prefix.get(p + 1).copied();
        match prefix[p] {
            b'>' if next == Some(b'>') => {
                dir = Some("sent");
                p += 2;
                continue;
            }
            b'<' if next == Some(b'<') => {
                dir = Some("received");
                p += 2;
                continue;
            }
            b'[' => {
                let r = &prefix[p..];
                if r.starts_with(b"[SEND]") || r.starts_with(b"[TX]") {
                    dir = Some("sent");
                } else if r.starts_with(b"[RECEIVE]")
                    || r.starts_with(b"[RECV]")
                    || r.starts_with(b"[RX]")
                {
                    dir = Some("received");
                }
            }
            b'E' if next == Some(b'C') && prefix[p..].starts_with(b"ECHO:") => dir = Some("echo"),
            _ => {}
        }
        p += 1;
    }
    dir
}

/// Does a command line have the shape of the command (argument count, hex where required)?
fn command_shape_ok(t: &[&[u8]]) -> bool {
    let args = &t[1..];
    let hex = |x: &[u8]| is_hex(x);
    match t[0] {
        b"SKVER" | b"SKAPPVER" | b"SKINFO" | b"SKRESET" | b"SKREJOIN" | b"SKTERM" | b"ROPT"
        | b"RUART" | b"SKSAVE" | b"SKLOAD" | b"SKERASE" => args.is_empty(),
        b"SKSCAN" => (3..=4).contains(&args.len()) && args.iter().all(|a| hex(a)),
        b"SKSREG" => {
            (1..=2).contains(&args.len())
                && args[0].first() == Some(&b'S')
                && args[1..].iter().all(|a| a.len() <= 32)
        }
        b"SKSETPWD" => args.len() == 2,
        b"SKSETRBID" => args.len() == 1,
        b"SKLL64" => args.len() == 1 && args[0].len() == 16,
        b"SKJOIN" => args.len() == 1 && args[0].len() == 39,
        b"SKPING" => (1..=2).contains(&args.len()) && args[0].len() == 39,
        b"SKSENDTO" => args.len() >= 5 && args[1].len() == 39,
        b"WOPT" | b"WUART" => args.len() == 1 && args[0].len() <= 2 && hex(args[0]),
        _ => args
            .iter()
            .all(|a| a.iter().all(|&b| (0x21..0x7F).contains(&b))),
    }
}

fn s(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn toks(b: &[u8]) -> Vec<&[u8]> {
    b.split(|&c| c == b' ' || c == b'\t')
        .filter(|t| !t.is_empty())
        .collect()
}

/// Strip app suffixes: a trailing `+NNms` (node `debug`), literal `\r\n` escapes.
fn strip_suffixes(mut l: &[u8]) -> &[u8] {
    loop {
        let t = l.trim_ascii_end();
        if let Some(x) = t.strip_suffix(b"\\n").or_else(|| t.strip_suffix(b"\\r")) {
            l = x;
            continue;
        }
        if let Some(sp) = t.iter().rposition(|&b| b == b' ') {
            let last = &t[sp + 1..];
            if last.len() > 3
                && last[0] == b'+'
                && last.ends_with(b"ms")
                && last[1..last.len() - 2].iter().all(u8::is_ascii_digit)
            {
                l = &t[..sp];
                continue;
            }
        }
        return t;
    }
}

/// Parse `"K":"V","K2":"V2"` pairs.
fn quoted_kv(b: &[u8]) -> Map<String, J> {
    let mut m = Map::new();
    let parts: Vec<&[u8]> = b.split(|&c| c == b'"').collect();
    // pattern: "", K, ":", V, ",", K2, ":", V2 ...
    let mut i = 1;
    while i + 2 < parts.len() {
        if parts[i + 1] == b":" {
            m.insert(s(parts[i]), J::String(s(parts[i + 2])));
            i += 4;
        } else {
            i += 1;
        }
    }
    m
}

fn fail_meaning(n: u8) -> &'static str {
    match n {
        4 => "command not supported",
        5 => "wrong number of arguments",
        6 => "invalid argument",
        9 => "UART input error",
        10 => "execution failed",
        _ => "reserved",
    }
}

fn lqi_rssi(lqi: &str) -> Option<f64> {
    let v = hex_u8(lqi.as_bytes())?;
    Some(((0.275 * f64::from(v) - 104.27) * 100.0).round() / 100.0)
}

fn decimal_json(d: echonet::Decimal) -> J {
    let f = d.to_f64();
    serde_json::Number::from_f64(f)
        .map(J::Number)
        .unwrap_or(J::Null)
}

fn measured_json<T: Into<J> + Copy>(m: Measured<T>) -> (J, Option<&'static str>) {
    match m {
        Measured::Value(v) => (v.into(), None),
        Measured::NoData => (J::Null, Some("no_data")),
        Measured::Overflow => (J::Null, Some("overflow")),
        Measured::Underflow => (J::Null, Some("underflow")),
    }
}

fn dialect_name(d: Option<LogDialect>) -> J {
    match d {
        Some(LogDialect::SingleHop) => "single_hop".into(),
        Some(LogDialect::DualStack) => "dual_stack".into(),
        None => J::Null,
    }
}

impl LogDecoder {
    /// A fresh decoder.
    pub fn new() -> Self {
        Self {
            line_no: 0,
            carry: Vec::new(),
            unit: None,
            coef: Coef::Unknown,
            dialect: None,
            block: Block::None,
            redactor: redact::Redactor::new(),
            learned: 0,
        }
    }

    /// Feed a chunk of the log; complete lines are decoded into `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<J>) {
        let mut rest = chunk;
        if !self.carry.is_empty() {
            match rest.iter().position(|&b| b == b'\n') {
                None => {
                    let room = MAX_LINE.saturating_sub(self.carry.len());
                    self.carry.extend_from_slice(&rest[..rest.len().min(room)]);
                    return;
                }
                Some(p) => {
                    let room = MAX_LINE.saturating_sub(self.carry.len());
                    self.carry.extend_from_slice(&rest[..p.min(room)]);
                    let line = std::mem::take(&mut self.carry);
                    self.physical_line(&line, out);
                    rest = &rest[p + 1..];
                }
            }
        }
        while let Some(p) = rest.iter().position(|&b| b == b'\n') {
            let line = &rest[..p];
            self.physical_line(&line[..line.len().min(MAX_LINE)], out);
            rest = &rest[p + 1..];
        }
        self.carry
            .extend_from_slice(&rest[..rest.len().min(MAX_LINE)]);
    }

    /// End of the log.
    pub fn finish(&mut self, out: &mut Vec<J>) {
        if !self.carry.is_empty() {
            let line = std::mem::take(&mut self.carry);
            self.physical_line(&line, out);
        }
        self.close_block(out);
    }

    /// Serialise a record, applying credential redaction.
    pub fn render(&self, r: &J) -> String {
        let mut s = String::new();
        self.render_into(r, &mut s);
        s.pop();
        s
    }

    /// Append a record as one JSON line (with its `\n`), applying credential redaction.
    pub fn render_into(&self, r: &J, out: &mut String) {
        self.render_batch(std::slice::from_ref(r), out);
    }

    /// Append records as JSON lines (each with its `\n`), applying credential redaction to
    /// the batch in one pass (the same result as record by record: every redaction rule ends
    /// at a line end, and JSON text holds no raw J11 frame).
    pub fn render_batch(&self, recs: &[J], out: &mut String) {
        let mut lines = String::new();
        for r in recs {
            if let Ok(buf) = serde_json::to_string(r) {
                lines.push_str(&buf);
            }
            lines.push('\n');
        }
        out.push_str(&self.redactor.redact(&lines));
    }

    fn physical_line(&mut self, line: &[u8], out: &mut Vec<J>) {
        self.line_no += 1;
        // Bare CRs inside a line end sub-lines (product-configuration replies).
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.contains(&b'\r') {
            for part in line.split(|&b| b == b'\r') {
                self.logical_line(part, out);
            }
        } else {
            self.logical_line(line, out);
        }
    }

    fn logical_line(&mut self, line: &[u8], out: &mut Vec<J>) {
        let line = strip_suffixes(line);
        if line.is_empty() {
            return;
        }
        // Open blocks take their continuation lines first.
        match &mut self.block {
            Block::PanDesc { fields, .. } => {
                if let Some((k, v)) = block_kv(line) {
                    let last = k == "PairID";
                    fields.insert(k, J::String(v));
                    if last {
                        self.close_block(out);
                    }
                    return;
                }
                self.close_block(out);
            }
            Block::EdScan { line: l0 } => {
                let l0 = *l0;
                let body = line.trim_ascii();
                let body = body
                    .strip_prefix("→".as_bytes())
                    .map(|b| b.trim_ascii())
                    .unwrap_or(body);
                let tk = toks(body);
                let hexes: Vec<&[u8]> = tk
                    .iter()
                    .copied()
                    .take_while(|t| t.len() <= 2 && is_hex(t))
                    .collect();
                if !hexes.is_empty() {
                    self.block = Block::None;
                    let (side, pairs) = if !hexes.len().is_multiple_of(2) {
                        (Some(s(hexes[0])), &hexes[1..])
                    } else {
                        (None, &hexes[..])
                    };
                    let readings: Vec<J> = pairs
                        .chunks_exact(2)
                        .map(|p| json!({"channel": s(p[0]), "rssi": s(p[1])}))
                        .collect();
                    let mut f = Map::new();
                    if let Some(side) = side {
                        f.insert("side".into(), side.into());
                    }
                    f.insert("readings".into(), readings.into());
                    out.push(record(l0, "event", "EEDSCAN", None, f));
                    return;
                }
                self.block = Block::None;
                out.push(record(l0, "event", "EEDSCAN", None, Map::new()));
            }
            Block::None => {}
        }
        if line.first() == Some(&b'{') {
            self.json_line(line, out);
            return;
        }
        // Arrows separate a command from its reply on one line ("ROPT → OK 00").
        let arrow = "→".as_bytes();
        if let Some(p) = crate::util::find(line, arrow) {
            let (a, b) = (&line[..p], &line[p + arrow.len()..]);
            if !a.trim_ascii().is_empty() {
                self.segment(a, Some("sent"), out);
            }
            self.logical_line(b, out);
            return;
        }
        self.segment(line, None, out);
    }

    fn segment(&mut self, line: &[u8], default_dir: Option<&'static str>, out: &mut Vec<J>) {
        // `ERXUDP ` glued to a previous word (e.g. "SKSENDTOERXUDP …") is tried at its place.
        let glued =
            crate::util::find(line, b"ERXUDP ").filter(|&g| g > 0 && !boundary_byte(line[g - 1]));
        let mut from = 0;
        while let Some((p, kw)) = find_start(line, from) {
            if let Some(g) = glued {
                if p > g {
                    break;
                }
            }
            let dir = direction(&line[..p]).or(default_dir);
            if self.keyword(&line[p..], kw, dir, out) {
                return;
            }
            from = p + 1;
        }
        if let Some(g) = glued {
            if self.event(&line[g..], direction(&line[..g]).or(default_dir), out) {
                return;
            }
        }
        self.hex_tokens(line, out);
    }

    /// Decode from a keyword; false when the text after it does not have the keyword's shape.
    fn keyword(
        &mut self,
        body: &[u8],
        kw: Kw,
        dir: Option<&'static str>,
        out: &mut Vec<J>,
    ) -> bool {
        let n = self.line_no;
        match kw {
            Kw::Command => return self.command(body, dir, out),
            Kw::Ok => {
                let t = toks(body);
                let mut f = Map::new();
                match t.get(1) {
                    None => {}
                    Some(v) if t.len() == 2 && v.len() <= 2 && is_hex(v) => {
                        f.insert("value".into(), s(v).into());
                    }
                    _ => return false,
                }
                out.push(record(n, "reply", "OK", dir, f));
            }
            Kw::Fail => {
                let t = toks(body);
                let code = t.get(1).map(|c| s(c)).unwrap_or_default();
                let Some(num) = code.strip_prefix("ER").and_then(|c| c.parse::<u8>().ok()) else {
                    return false;
                };
                if t.len() != 2 {
                    return false;
                }
                let mut f = Map::new();
                f.insert("code".into(), code.into());
                f.insert("meaning".into(), fail_meaning(num).into());
                out.push(record(n, "reply", "FAIL", dir, f));
            }
            Kw::Address => {
                let t = toks(body);
                if t.len() != 1 || t[0].len() != 39 {
                    return false;
                }
                out.push(record(
                    n,
                    "reply",
                    "address",
                    dir,
                    obj(&[("address", s(t[0]).into())]),
                ));
            }
            Kw::Hex => {
                let end = body
                    .iter()
                    .position(|&b| !b.is_ascii_hexdigit())
                    .unwrap_or(body.len());
                let Some(bytes) = hex_decode(&body[..end]) else {
                    return false;
                };
                self.echonet(&bytes, "hex", dir, out);
            }
            Kw::Event => return self.event(body, dir, out),
        }
        true
    }

    fn hex_tokens(&mut self, line: &[u8], out: &mut Vec<J>) {
        for t in line.split(|&b| {
            matches!(
                b,
                b' ' | b'\t'
                    | b'('
                    | b')'
                    | b'"'
                    | b'\''
                    | b','
                    | b'['
                    | b']'
                    | b'='
                    | b':'
                    | b'{'
                    | b'}'
            )
        }) {
            if t.len() >= 24
                && t.len().is_multiple_of(2)
                && (t.starts_with(b"1081") || t.starts_with(b"1082"))
                && is_hex(t)
            {
                if let Some(bytes) = hex_decode(t) {
                    self.echonet(&bytes, "hex", None, out);
                }
            }
        }
    }

    /// Hide `secret` (an `SKSETPWD`/`SKSETRBID` argument) wherever it shows up later; for an ID
    /// also its Pairing ID. Values of one repeated character (authors' masks) are no secrets.
    fn remember_secret(&mut self, secret: &[u8], id: bool) {
        let ok = secret.len() >= 8
            && secret.iter().all(u8::is_ascii_alphanumeric)
            && !secret.iter().all(|&b| b == secret[0]);
        if ok && self.learned < MAX_LEARNED {
            self.learned += 1;
            let text = s(secret);
            let r = std::mem::take(&mut self.redactor).with_secret(&text);
            self.redactor = match (id, text.len().checked_sub(8)) {
                (true, Some(at)) => r.with_secret(&text[at..]),
                _ => r,
            };
        }
    }

    fn command(&mut self, body: &[u8], dir: Option<&'static str>, out: &mut Vec<J>) -> bool {
        let n = self.line_no;
        let t = toks(body);
        if !command_shape_ok(&t) {
            return false;
        }
        let name = s(t[0]);
        let mut f = Map::new();
        let arg = |i: usize| t.get(i).map(|x| J::String(s(x)));
        match t[0] {
            b"SKSETPWD" => {
                if let Some(l) = arg(1) {
                    f.insert("len".into(), l);
                }
                if let Some(pw) = t.get(2) {
                    self.remember_secret(pw, false);
                    f.insert("password".into(), redact::MARK.into());
                }
            }
            b"SKSETRBID" => {
                if let Some(id) = t.get(1) {
                    self.remember_secret(id, true);
                    f.insert("id".into(), redact::MARK.into());
                }
            }
            b"SKSCAN" => {
                for (i, k) in ["mode", "channel_mask", "duration", "side"]
                    .iter()
                    .enumerate()
                {
                    if let Some(v) = arg(i + 1) {
                        f.insert((*k).into(), v);
                    }
                }
                if let Some(d) = t.get(3).and_then(|d| hex_u8(d)) {
                    let mask = t
                        .get(2)
                        .and_then(|m| crate::util::hex_u32(m))
                        .unwrap_or(0xFFFF_FFFF);
                    let secs = crate::command::scan_duration(mask, d.min(14)).as_secs_f64();
                    f.insert(
                        "expected_seconds".into(),
                        json!((secs * 10.0).round() / 10.0),
                    );
                }
                if t.len() == 5 {
                    self.dialect = Some(LogDialect::DualStack);
                }
            }
            b"SKSREG" => {
                if let Some(v) = arg(1) {
                    f.insert("register".into(), v);
                }
                if let Some(v) = arg(2) {
                    f.insert("value".into(), v);
                }
            }
            b"SKLL64" => {
                if let Some(v) = arg(1) {
                    f.insert("mac".into(), v);
                }
            }
            b"SKJOIN" | b"SKPING" => {
                if let Some(v) = arg(1) {
                    f.insert("address".into(), v);
                }
                if let Some(v) = arg(2) {
                    f.insert("side".into(), v);
                }
            }
            b"WOPT" | b"WUART" => {
                if let Some(v) = arg(1) {
                    f.insert("mode".into(), v);
                }
            }
            b"SKSENDTO" => {
                out.push(J::Null); // placeholder, replaced below
                let idx = out.len() - 1;
                let payload = self.sendto_fields(body, &t, &mut f);
                out[idx] = record(n, "command", &name, dir, f);
                if let Some(p) = payload {
                    self.echonet(&p, "SKSENDTO", Some("sent"), out);
                }
                return true;
            }
            _ => {
                let args: Vec<J> = t[1..].iter().map(|x| J::String(s(x))).collect();
                if !args.is_empty() {
                    f.insert("args".into(), args.into());
                }
            }
        }
        out.push(record(n, "command", &name, dir, f));
        true
    }

    /// SKSENDTO fields; returns the payload when the log shows it completely.
    fn sendto_fields(
        &mut self,
        body: &[u8],
        t: &[&[u8]],
        f: &mut Map<String, J>,
    ) -> Option<Vec<u8>> {
        let names = ["handle", "address", "port", "security"];
        for (i, k) in names.iter().enumerate() {
            if let Some(v) = t.get(i + 1) {
                f.insert((*k).into(), s(v).into());
            }
        }
        // DATALEN: first 4-hex token at index >= 5; a 1-char token before it is the side.
        let li = (5..t.len().min(8)).find(|&i| t[i].len() == 4 && is_hex(t[i]))?;
        if li == 6 {
            f.insert("side".into(), s(t[5]).into());
            self.dialect.get_or_insert(LogDialect::DualStack);
        }
        let len = usize::from(hex_u16(t[li])?);
        f.insert("datalen".into(), s(t[li]).into());
        // Raw payload right after "LEN ".
        let lt = t[li];
        let off = lt.as_ptr() as usize - body.as_ptr() as usize + 4;
        let after = body.get(off + 1..).unwrap_or(&[]);
        if after.len() == len && !after.is_empty() {
            f.insert("payload".into(), hex_encode(after).into());
            return Some(after.to_vec());
        }
        // "<14 raw bytes 10 81 …>" style: the last `len` two-digit hex tokens.
        let hex2: Vec<u8> = toks(after)
            .iter()
            .map(|x| x.trim_ascii_end().strip_suffix(b">").unwrap_or(x))
            .filter(|x| x.len() == 2 && is_hex(x))
            .filter_map(hex_u8)
            .collect();
        if hex2.len() == len {
            f.insert("payload".into(), hex_encode(&hex2).into());
            return Some(hex2);
        }
        if let Some(tok) = toks(after).iter().find(|x| x.len() == 2 * len && is_hex(x)) {
            let b = hex_decode(tok)?;
            f.insert("payload".into(), hex_encode(&b).into());
            return Some(b);
        }
        if !after.is_empty() {
            f.insert("payload_shown".into(), "partial".into());
        }
        None
    }

    fn event(&mut self, body: &[u8], dir: Option<&'static str>, out: &mut Vec<J>) -> bool {
        let n = self.line_no;
        let w = &body[..word_end(body)];
        let rest = &body[w.len()..];
        let quoted = rest.first() == Some(&b' ') && rest.trim_ascii_start().first() == Some(&b'"');
        let t = toks(body);
        let mut f = Map::new();
        match w {
            b"EVENT" => {
                let (num, sender, extra): (String, Option<String>, Vec<String>) = if quoted {
                    let kv = quoted_kv(rest);
                    let g = |k: &str| kv.get(k).and_then(J::as_str).map(str::to_string);
                    (
                        g("NUM").unwrap_or_default(),
                        g("SENDER"),
                        [g("SIDE"), g("PARAM")].into_iter().flatten().collect(),
                    )
                } else {
                    (
                        t.get(1).map(|x| s(x)).unwrap_or_default(),
                        t.get(2).map(|x| s(x)),
                        t.iter().skip(3).map(|x| s(x)).collect(),
                    )
                };
                let code = hex_u8(num.as_bytes());
                let sender_ok = sender
                    .as_deref()
                    .is_none_or(|x| is_addr_like(x.as_bytes()) || x == "..." || x.len() == 39);
                if num.len() != 2
                    || code.is_none()
                    || !sender_ok
                    || extra.len() > 2
                    || extra.iter().any(|x| x.len() > 2 || !is_hex(x.as_bytes()))
                {
                    return false;
                }
                f.insert("num".into(), num.clone().into());
                if let Some(c) = code {
                    f.insert("meaning".into(), EventKind::from(c).name().into());
                }
                if let Some(snd) = sender {
                    f.insert("sender".into(), snd.into());
                }
                match extra.as_slice() {
                    [] => {}
                    [a, b] => {
                        f.insert("side".into(), a.clone().into());
                        f.insert("param".into(), b.clone().into());
                        self.dialect = Some(LogDialect::DualStack);
                    }
                    [x] => {
                        let side = match self.dialect {
                            Some(LogDialect::DualStack) => true,
                            Some(LogDialect::SingleHop) => false,
                            None => {
                                f.insert("guessed".into(), true.into());
                                x.len() == 1
                            }
                        };
                        f.insert(if side { "side" } else { "param" }.into(), x.clone().into());
                    }
                    _ => return false,
                }
                out.push(record(n, "event", "EVENT", dir, f));
            }
            b"ERXUDP" => return self.erxudp(rest, quoted, &t, dir, out),
            b"EPANDESC" => {
                if !quoted && t.len() != 1 {
                    return false;
                }
                if quoted {
                    let kv = quoted_kv(rest);
                    let mut f = Map::new();
                    for (k, v) in kv {
                        f.insert(pandesc_key(&k), v);
                    }
                    add_rssi(&mut f);
                    out.push(record(n, "event", "EPANDESC", dir, f));
                } else {
                    self.close_block(out);
                    self.block = Block::PanDesc {
                        line: n,
                        dir,
                        fields: Map::new(),
                    };
                }
            }
            b"EEDSCAN" => {
                if t.len() != 1 {
                    return false;
                }
                self.close_block(out);
                self.block = Block::EdScan { line: n };
            }
            b"EINFO" => {
                if t.len() != 6 {
                    return false;
                }
                for (i, k) in ["address", "mac", "channel", "pan_id", "last"]
                    .iter()
                    .enumerate()
                {
                    if let Some(v) = t.get(i + 1) {
                        f.insert((*k).into(), s(v).into());
                    }
                }
                if let Some(last) = t.get(5) {
                    let d = if last.len() == 4 {
                        LogDialect::SingleHop
                    } else {
                        LogDialect::DualStack
                    };
                    self.dialect = Some(d);
                    f.insert("dialect".into(), dialect_name(Some(d)));
                }
                out.push(record(n, "reply", "EINFO", dir, f));
            }
            b"EVER" | b"EAPPVER" | b"ESREG" => {
                if t.len() != 2 {
                    return false;
                }
                if let Some(v) = t.get(1) {
                    f.insert(
                        if w == b"ESREG" { "value" } else { "version" }.into(),
                        s(v).into(),
                    );
                }
                out.push(record(n, "reply", &s(w), dir, f));
            }
            b"EPONG" => {
                if !(2..=3).contains(&t.len()) {
                    return false;
                }
                if let Some(v) = t.get(1) {
                    f.insert("sender".into(), s(v).into());
                }
                out.push(record(n, "event", "EPONG", dir, f));
            }
            _ => return false,
        }
        true
    }

    fn erxudp(
        &mut self,
        rest: &[u8],
        quoted: bool,
        t: &[&[u8]],
        dir: Option<&'static str>,
        out: &mut Vec<J>,
    ) -> bool {
        let n = self.line_no;
        let mut f = Map::new();
        let data: Option<Vec<u8>>;
        let rport;
        if quoted {
            let kv = quoted_kv(rest);
            if !kv.contains_key("DATA") {
                return false;
            }
            for (k, name) in [
                ("SENDER", "sender"),
                ("DEST", "dest"),
                ("RPORT", "rport"),
                ("LPORT", "lport"),
                ("SENDERLLA", "sender_lla"),
                ("RSSI", "rssi"),
                ("SECURED", "secured"),
                ("SIDE", "side"),
                ("DATALEN", "datalen"),
            ] {
                if let Some(v) = kv.get(k) {
                    f.insert(name.into(), v.clone());
                }
            }
            rport = kv
                .get("RPORT")
                .and_then(J::as_str)
                .and_then(|p| hex_u16(p.as_bytes()));
            data = kv
                .get("DATA")
                .and_then(J::as_str)
                .and_then(|d| hex_decode(d.as_bytes()));
        } else {
            let li = (7..t.len().min(10)).find(|&i| t[i].len() == 4 && is_hex(t[i]));
            let Some(li) = li else { return false };
            if t.len() < li + 1 || t.len() > li + 2 || !is_addr_like(t[1]) && t[1].len() != 39 {
                return false;
            }
            let layout = match li {
                7 => LogDialect::SingleHop,
                _ => LogDialect::DualStack,
            };
            self.dialect.get_or_insert(layout);
            let mut names: Vec<&str> = vec!["sender", "dest", "rport", "lport", "sender_lla"];
            match li {
                7 => names.push("secured"),
                8 => names.extend(["secured", "side"]),
                _ => names.extend(["rssi", "secured", "side"]),
            }
            names.push("datalen");
            for (i, k) in names.iter().enumerate() {
                f.insert((*k).into(), s(t[i + 1]).into());
            }
            f.insert(
                "layout".into(),
                match li {
                    7 => "single_hop",
                    8 => "dual_stack",
                    _ => "dual_stack_rssi",
                }
                .into(),
            );
            rport = hex_u16(t[3]);
            let len = usize::from(hex_u16(t[li]).unwrap_or(0));
            data = match t.get(li + 1) {
                Some(d) if d.len() == 2 * len => {
                    f.insert("encoding".into(), "hex".into());
                    hex_decode(d)
                }
                Some(_) => {
                    // binary: the raw bytes after "LEN "
                    let lt = t[li];
                    let off = lt.as_ptr() as usize - rest.as_ptr() as usize + 5;
                    match rest.get(off..) {
                        Some(raw) if raw.len() == len => {
                            f.insert("encoding".into(), "binary".into());
                            Some(raw.to_vec())
                        }
                        _ => None,
                    }
                }
                None => None,
            };
        }
        let pana = rport == Some(0x02CC);
        if let Some(d) = &data {
            if pana {
                let (hex, red) = redact_pana(d);
                f.insert("data".into(), hex.into());
                if red {
                    f.insert("redacted".into(), true.into());
                }
                f.insert("protocol".into(), "PANA".into());
            } else {
                f.insert("data".into(), hex_encode(d).into());
            }
        } else {
            f.insert("data_unreadable".into(), true.into());
        }
        out.push(record(n, "event", "ERXUDP", dir, f));
        if let Some(d) = data {
            if !pana && d.len() >= 12 && d[0] == 0x10 && (d[1] == 0x81 || d[1] == 0x82) {
                self.echonet(&d, "ERXUDP", dir, out);
            }
        }
        true
    }

    fn close_block(&mut self, out: &mut Vec<J>) {
        match std::mem::replace(&mut self.block, Block::None) {
            Block::None => {}
            Block::PanDesc {
                line,
                dir,
                mut fields,
            } => {
                if fields.contains_key("side") {
                    self.dialect = Some(LogDialect::DualStack);
                }
                add_rssi(&mut fields);
                out.push(record(line, "event", "EPANDESC", dir, fields));
            }
            Block::EdScan { line } => out.push(record(line, "event", "EEDSCAN", None, Map::new())),
        }
    }

    fn json_line(&mut self, line: &[u8], out: &mut Vec<J>) {
        let Ok(v) = serde_json::from_slice::<J>(line) else {
            return;
        };
        let (Some(props), Some(seoj), Some(esv)) = (
            v.get("props").and_then(J::as_array),
            v.get("seoj").and_then(J::as_str),
            v.get("esv").and_then(J::as_str),
        ) else {
            return;
        };
        let tid = v.get("tid").and_then(J::as_u64).unwrap_or(0) as u16;
        let deoj = v.get("deoj").and_then(J::as_str).unwrap_or("05FF01");
        let mut b = vec![0x10, 0x81];
        b.extend_from_slice(&tid.to_be_bytes());
        let (Some(se), Some(de), Some(es)) = (
            hex_decode(seoj.as_bytes()),
            hex_decode(deoj.as_bytes()),
            hex_u8(esv.as_bytes()),
        ) else {
            return;
        };
        if se.len() != 3 || de.len() != 3 || props.len() > 255 {
            return;
        }
        b.extend_from_slice(&se);
        b.extend_from_slice(&de);
        b.push(es);
        b.push(props.len() as u8);
        for p in props {
            let epc = p
                .get("epc")
                .and_then(J::as_str)
                .and_then(|e| hex_u8(e.as_bytes()));
            let edt = p
                .get("edt")
                .and_then(J::as_str)
                .map(|e| hex_decode(e.as_bytes()));
            match (epc, edt) {
                (Some(epc), Some(Some(edt))) if edt.len() < 256 => {
                    b.push(epc);
                    b.push(edt.len() as u8);
                    b.extend_from_slice(&edt);
                }
                (Some(epc), None) => {
                    b.push(epc);
                    b.push(0);
                }
                _ => return,
            }
        }
        self.echonet(&b, "json", None, out);
    }

    /// Decode an ECHONET Lite frame into a record.
    fn echonet(&mut self, bytes: &[u8], source: &str, dir: Option<&'static str>, out: &mut Vec<J>) {
        let n = self.line_no;
        let repr = match FrameRepr::parse_bytes(bytes) {
            Ok(r) => r,
            Err(e) => {
                let mut f = Map::new();
                f.insert("source".into(), source.into());
                f.insert("raw".into(), hex_encode(bytes).into());
                f.insert("error".into(), e.to_string().into());
                out.push(record(n, "echonet", "malformed", dir, f));
                return;
            }
        };
        let owner = repr.property_owner();
        let class = owner.class_code();
        // Learn the scale first (a frame may carry D3/E1 together with E0).
        if class == ClassCode::LowVoltageSmartMeter && !repr.esv.is_request() {
            for p in repr.props.iter() {
                match (p.epc, p.edt.len()) {
                    (0xD3, 0) if repr.esv.is_sna() => self.coef = Coef::Unsupported,
                    (0xD3, 4) => {
                        self.coef = Coef::Value(u32::from_be_bytes([
                            p.edt[0], p.edt[1], p.edt[2], p.edt[3],
                        ]))
                    }
                    (0xE1, 1) => {
                        if let Ok(u) = EnergyUnit::from_code(p.edt[0]) {
                            self.unit = Some(u);
                        }
                    }
                    _ => {}
                }
            }
        }
        let scale = self.unit.map(|u| {
            let c = match self.coef {
                Coef::Value(c) => Some(c),
                _ => None,
            };
            LvScale::new(c, u)
        });
        let ctx = Context { lv_scale: scale };
        let mut props = Vec::new();
        for p in repr.props.iter() {
            props.push(self.property(class, p.epc, p.edt, &ctx));
        }
        let mut f = Map::new();
        f.insert("source".into(), source.into());
        f.insert("tid".into(), format!("{:04X}", repr.tid).into());
        f.insert("seoj".into(), eoj_hex(repr.seoj).into());
        f.insert("deoj".into(), eoj_hex(repr.deoj).into());
        if let Some(cn) = class_name(class, Lang::En) {
            f.insert("object".into(), cn.into());
        }
        f.insert("esv".into(), format!("{:02X}", u8::from(repr.esv)).into());
        f.insert("opc".into(), repr.props.len().into());
        f.insert("props".into(), props.into());
        if repr.esv.is_set_get() {
            let gp: Vec<J> = repr
                .get_props
                .iter()
                .map(|p| self.property(class, p.epc, p.edt, &ctx))
                .collect();
            f.insert("get_props".into(), gp.into());
        }
        let name = repr.esv.name().unwrap_or("unknown");
        out.push(record(n, "echonet", name, dir, f));
    }

    fn property(&self, class: ClassCode, epc: u8, edt: &[u8], ctx: &Context) -> J {
        let mut m = Map::new();
        m.insert("epc".into(), format!("{epc:02X}").into());
        if let Some(name) = property_name(class, epc, Lang::En) {
            m.insert("name".into(), name.into());
        }
        m.insert("pdc".into(), edt.len().into());
        m.insert("edt".into(), hex_encode(edt).into());
        if edt.is_empty() {
            return J::Object(m);
        }
        match echonet::decode(class, epc, edt) {
            Ok(v) => {
                let (text, _) = value_text(&v, Lang::En, ctx);
                self.typed(&v, &mut m);
                m.insert("text".into(), text.into());
            }
            Err(e) => {
                m.insert("error".into(), e.to_string().into());
            }
        }
        J::Object(m)
    }

    fn kwh_fields(&self, raw: Measured<u32>, m: &mut Map<String, J>) {
        let Some(unit) = self.unit else { return };
        let (c, src) = match self.coef {
            Coef::Value(c) => (Some(c), "D3"),
            Coef::Unsupported => (None, "D3 unsupported: 1"),
            Coef::Unknown => (None, "assumed 1 (D3 not seen)"),
        };
        let scale = LvScale::new(c, unit);
        if let Measured::Value(kwh) = scale.kwh(raw) {
            m.insert("kwh".into(), decimal_json(kwh));
            m.insert("coefficient".into(), src.into());
        }
    }

    fn typed(&self, v: &Value<'_>, m: &mut Map<String, J>) {
        let mut put = |k: &str, j: J| {
            m.insert(k.into(), j);
        };
        match v {
            Value::Lv(lv) => match lv {
                LvValue::InstantPower(p) => {
                    let (j, st) = measured_json(*p);
                    put("value", j);
                    put("unit", "W".into());
                    if let Some(st) = st {
                        put("status", st.into());
                    }
                }
                LvValue::Currents(c) => {
                    let amps = |x: Measured<echonet::lv::DeciAmps>| match x {
                        Measured::Value(d) => decimal_json(d.amps()),
                        _ => J::Null,
                    };
                    let t = c.t.map(amps).unwrap_or(J::Null);
                    put("value", json!({"r": amps(c.r), "t": t}));
                    put("unit", "A".into());
                }
                LvValue::CumulativeNormal(raw) | LvValue::CumulativeReverse(raw) => {
                    let (j, st) = measured_json(*raw);
                    put("value", j);
                    if let Some(st) = st {
                        put("status", st.into());
                    }
                    self.kwh_fields(*raw, m);
                }
                LvValue::FixedTimeNormal(e) | LvValue::FixedTimeReverse(e) => {
                    let (j, st) = measured_json(e.value);
                    put("value", j);
                    put("stamp", e.stamp.to_string().into());
                    if let Some(st) = st {
                        put("status", st.into());
                    }
                    self.kwh_fields(e.value, m);
                }
                LvValue::OneMinuteEnergy(e) => {
                    put("stamp", e.stamp.to_string().into());
                    put(
                        "value",
                        json!({"normal": measured_json(e.normal).0, "reverse": measured_json(e.reverse).0}),
                    );
                }
                LvValue::Coefficient(c) => put("value", (*c).into()),
                LvValue::EffectiveDigits(d) => put("value", (*d).into()),
                LvValue::EnergyUnit(u) => {
                    put("value", u.code().into());
                    put("kwh_per_count", decimal_json(u.factor()));
                }
                LvValue::HistoryNormal(h) | LvValue::HistoryReverse(h) => {
                    let slots: Vec<J> = h.slots.iter().map(|s| measured_json(*s).0).collect();
                    put("day", h.day.to_string().into());
                    put("value", slots.into());
                }
                LvValue::History2(h) | LvValue::History3(h) => {
                    let pairs: Vec<J> = h
                        .pairs()
                        .iter()
                        .map(|(a, b)| json!([measured_json(*a).0, measured_json(*b).0]))
                        .collect();
                    put("value", pairs.into());
                }
                _ => {}
            },
            Value::NodeProfile(NpValue::InstanceListNotification(l) | NpValue::InstanceList(l)) => {
                let eojs: Vec<J> = l.iter().map(|e| J::String(eoj_hex(e))).collect();
                put("value", json!({"count": l.len(), "instances": eojs}));
            }
            _ => {}
        }
    }
}

fn eoj_hex(e: echonet::Eoj) -> String {
    format!("{:02X}{:02X}{:02X}", e.class_group, e.class, e.instance)
}

fn pandesc_key(k: &str) -> String {
    match k {
        "Channel" => "channel",
        "Channel Page" => "channel_page",
        "Pan ID" => "pan_id",
        "Addr" => "addr",
        "LQI" => "lqi",
        "Side" => "side",
        "PairID" => "pair_id",
        other => return other.to_ascii_lowercase().replace(' ', "_"),
    }
    .into()
}

fn block_kv(line: &[u8]) -> Option<(String, String)> {
    // Allow prefixes like "[RECEIVE]   Channel:3B" or "<<  Channel:39".
    for key in [
        "Channel Page",
        "Channel",
        "Pan ID",
        "Addr",
        "LQI",
        "Side",
        "PairID",
    ] {
        let pat = format!("{key}:");
        if let Some(p) = crate::util::find(line, pat.as_bytes()) {
            if p == 0 || matches!(line[p - 1], b' ' | b'\t' | b']' | b'<' | b'>') {
                let v = s(line[p + pat.len()..].trim_ascii());
                return Some((pandesc_key(key), v));
            }
        }
    }
    None
}

fn add_rssi(f: &mut Map<String, J>) {
    if let Some(r) = f.get("lqi").and_then(J::as_str).and_then(lqi_rssi) {
        f.insert("rssi_dbm".into(), json!(r));
    }
}

/// Hex of a PANA payload with the keyword rules applied (they hide the EAP-PSK identity,
/// `534D` + the hex of the 32-character ID); `true` when something was hidden.
fn redact_pana(d: &[u8]) -> (String, bool) {
    let hex = hex_encode(d);
    let red = redact::redact(&hex);
    let changed = red != hex;
    (red, changed)
}

fn obj(kv: &[(&str, J)]) -> Map<String, J> {
    kv.iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect()
}

fn record(line: usize, kind: &str, name: &str, dir: Option<&str>, fields: Map<String, J>) -> J {
    let mut m = Map::new();
    m.insert("line".into(), line.into());
    m.insert("kind".into(), kind.into());
    m.insert("name".into(), name.into());
    if let Some(d) = dir {
        m.insert("dir".into(), d.into());
    }
    m.insert("fields".into(), J::Object(fields));
    J::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Vec<J> {
        decode_log(s.as_bytes())
    }

    #[test]
    fn terminal_session() {
        let r = dec("SKVER\r\nEVER 1.5.2\r\nOK\r\nROPT\rOK 01\r\n");
        let names: Vec<&str> = r.iter().map(|x| x["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["SKVER", "EVER", "OK", "ROPT", "OK"]);
        assert_eq!(r[4]["fields"]["value"], "01");
        assert_eq!(r[3]["line"], 4);
    }

    #[test]
    fn credentials_are_redacted_everywhere() {
        let log = "SKSETPWD C 0123456789AB\nSKSETRBID 00112233445566778899AABBCCDDEEFF\nfoo EVENT 21 FE80:0000:0000:0000:021C:6400:03DD:6393 00 0123456789AB\n";
        let out = decode_to_json_lines(log.as_bytes());
        assert!(!out.contains("0123456789AB"), "{out}");
        assert!(!out.contains("00112233445566778899AABBCCDDEEFF"));
        assert!(out.contains("<redacted>"));
    }

    #[test]
    fn bare_hex_and_kwh_scaling() {
        let log = "1081000102880105FF017201E10101\n1081000102880105FF017201D30400000001\n1081000502880105FF017201E00400012631\n";
        let r = dec(log);
        assert_eq!(r.len(), 3);
        let p = &r[2]["fields"]["props"][0];
        assert_eq!(p["value"], 75313);
        assert_eq!(p["kwh"], 7531.3);
    }

    #[test]
    fn junk_never_panics() {
        let mut junk: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
        junk.extend_from_slice(
            b"\nERXUDP \nEVENT\nSKSENDTO 1 2 3 4 0005 \xff\nFAIL ER\nOK ZZ\n{\"props\":1}\n",
        );
        let _ = decode_to_json_lines(&junk);
        let huge = vec![b'A'; 200_000];
        let _ = decode_to_json_lines(&huge);
    }
}
