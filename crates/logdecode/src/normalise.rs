//! Input normalisation: one log line as some program printed it → the payload (what the
//! dongle or the host wrote) plus what was recognised around it.
//!
//! Recognised, in any combination and order at the start of a line: timestamps
//! ([`crate::timestamp`]), uptimes (`[  1668]`, `(658)`), log levels (`DEBUG`, `INFO:`, `[D]`,
//! `trce:`), logger and thread names (`root:`, `[custom_components.x]`, `(MainThread)`,
//! `Name.Space[0]`, `- name -`), direction markers (`>>`, `<<`, `>`, `<`, `->`, `<-`, `TX:`,
//! `RX:`, `[send]`, `[RECEIVE]`, `ECHO:`, …); then quotes around the payload (`"…"`, `'…'`,
//! `b'…'`, escapes undone); at the end a node `debug` suffix (`+6ms`) and literal `\r\n`
//! escapes. Full-width spaces, no-break spaces and tabs read as spaces. Each step is a bounded
//! look at the front or the back of the line: linear time.

use std::borrow::Cow;

use crate::record::{Dir, Input, Part};
use crate::timestamp::timestamp;

/// A line after normalisation.
#[derive(Debug)]
pub(crate) struct Norm<'a> {
    /// What the dongle or host wrote (may hold several lines when a quoted payload had
    /// escaped line ends).
    pub payload: Cow<'a, [u8]>,
    /// Direction, when a marker said it.
    pub dir: Option<Dir>,
    /// What was recognised.
    pub input: Input,
}

/// Most prefixes looked at per line.
const MAX_PREFIXES: usize = 16;
/// Longest bracketed or parenthesised prefix.
const MAX_BRACKET: usize = 96;

const LEVELS: &[&str] = &[
    "DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL", "FATAL", "TRACE", "NOTICE", "VERBOSE",
    "DBG", "ERR", "INF", "WRN",
];
const NET_LEVELS: &[&str] = &["trce", "dbug", "info", "warn", "fail", "crit"];
const LEVEL_LETTERS: &[u8] = b"DIWEVTC";

/// Word markers (case-insensitive), with the direction they state.
const WORD_MARKERS: &[(&str, Dir)] = &[
    ("SEND", Dir::Sent),
    ("SENT", Dir::Sent),
    ("TX", Dir::Sent),
    ("WRITE", Dir::Sent),
    ("OUT", Dir::Sent),
    ("RECEIVE", Dir::Received),
    ("RECEIVED", Dir::Received),
    ("RECV", Dir::Received),
    ("RX", Dir::Received),
    ("READ", Dir::Received),
    ("IN", Dir::Received),
    ("ECHO", Dir::Echo),
];

/// Symbol markers, longest first.
const SYMBOL_MARKERS: &[(&str, Dir)] = &[
    ("-->", Dir::Sent),
    ("<--", Dir::Received),
    (">>>", Dir::Sent),
    ("<<<", Dir::Received),
    (">>", Dir::Sent),
    ("<<", Dir::Received),
    ("->", Dir::Sent),
    ("<-", Dir::Received),
    ("=>", Dir::Sent),
    ("<=", Dir::Received),
    (">", Dir::Sent),
    ("<", Dir::Received),
];

fn word_marker(w: &[u8]) -> Option<Dir> {
    WORD_MARKERS
        .iter()
        .find(|(m, _)| w.eq_ignore_ascii_case(m.as_bytes()))
        .map(|(_, d)| *d)
}

fn is_level_word(w: &[u8]) -> bool {
    LEVELS.iter().any(|l| w.eq_ignore_ascii_case(l.as_bytes()))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Tabs, full-width spaces (U+3000) and no-break spaces (U+00A0) as ASCII spaces.
fn fix_spaces(raw: &[u8]) -> Option<Vec<u8>> {
    memchr::memchr3(b'\t', 0xE3, 0xC2, raw)?;
    let mut out = Vec::with_capacity(raw.len());
    let mut changed = false;
    let mut i = 0;
    while i < raw.len() {
        match raw[i..] {
            [b'\t', ..] => {
                out.push(b' ');
                i += 1;
                changed = true;
            }
            [0xE3, 0x80, 0x80, ..] => {
                out.push(b' ');
                i += 3;
                changed = true;
            }
            [0xC2, 0xA0, ..] => {
                out.push(b' ');
                i += 2;
                changed = true;
            }
            _ => {
                out.push(raw[i]);
                i += 1;
            }
        }
    }
    changed.then_some(out)
}

fn trim_end(s: &[u8], mut end: usize) -> usize {
    while end > 0 && matches!(s[end - 1], b' ' | b'\r' | b'\n') {
        end -= 1;
    }
    end
}

/// Strip suffixes: `+NNms` (node debug) and literal `\r`, `\n` escapes.
fn strip_suffixes(s: &[u8], mut end: usize, input: &mut Input) -> usize {
    loop {
        end = trim_end(s, end);
        let t = &s[..end];
        if t.ends_with(b"\\n") || t.ends_with(b"\\r") {
            end -= 2;
            input.note(Part::Escapes);
            continue;
        }
        // An author's elision: ` ...` or ` …` at the end.
        if let Some(e) = [&b" ..."[..], " …".as_bytes()]
            .into_iter()
            .find(|e| t.len() > e.len() && t.ends_with(e))
        {
            end -= e.len();
            input.note(Part::Ellipsis);
            continue;
        }
        // An author's elision: ` ...` or ` …` at the end.
        for e in [&b" ..."[..], " …".as_bytes()] {
            if t.len() > e.len() && t.ends_with(e) {
                end -= e.len();
                input.note(Part::Ellipsis);
            }
        }
        if end < t.len() {
            continue;
        }
        if let Some(sp) = t.iter().rposition(|&b| b == b' ') {
            let last = &t[sp + 1..];
            if last.len() > 3
                && last[0] == b'+'
                && last.ends_with(b"ms")
                && last[1..last.len() - 2].iter().all(u8::is_ascii_digit)
            {
                end = sp;
                input.note(Part::Suffix);
                continue;
            }
        }
        return end;
    }
}

/// A `[…]` prefix: uptime, marker, level or logger. Returns bytes consumed.
fn bracket(s: &[u8], input: &mut Input, dir: &mut Option<Dir>) -> Option<usize> {
    let close = s.iter().take(MAX_BRACKET).position(|&b| b == b']')?;
    let inner = &s[1..close];
    let mut n = close + 1;
    if s.get(n) == Some(&b':') {
        n += 1;
    }
    let t = inner.trim_ascii();
    if t.is_empty() {
        return None;
    }
    if t.iter().all(u8::is_ascii_digit) {
        input.note(Part::Uptime);
        if input.t_ms.is_none() {
            input.t_ms = core::str::from_utf8(t).ok()?.parse().ok();
            input.timestamp = Some(text(inner));
        }
        return Some(n);
    }
    if let Some(d) = word_marker(t) {
        *dir = Some(d);
        input.marker = Some(text(&s[..close + 1]));
        input.note(Part::Marker);
        return Some(n);
    }
    if (t.len() == 1 && LEVEL_LETTERS.contains(&t[0].to_ascii_uppercase())) || is_level_word(t) {
        input.level = Some(text(t));
        input.note(Part::Level);
        return Some(n);
    }
    if inner.contains(&b' ') || inner.contains(&b'"') || inner.contains(&b'[') {
        return None;
    }
    input.logger = Some(text(inner));
    input.note(Part::Logger);
    Some(n)
}

/// A `(…)` prefix: uptime or thread.
fn paren(s: &[u8], input: &mut Input) -> Option<usize> {
    let close = s.iter().take(MAX_BRACKET).position(|&b| b == b')')?;
    let inner = &s[1..close];
    if inner.is_empty() || inner.contains(&b' ') || inner.contains(&b'(') {
        return None;
    }
    if !inner
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
    {
        return None;
    }
    if inner.iter().all(u8::is_ascii_digit) {
        input.note(Part::Uptime);
        if input.t_ms.is_none() {
            input.t_ms = core::str::from_utf8(inner).ok()?.parse().ok();
            input.timestamp = Some(text(inner));
        }
    } else {
        input.note(Part::Thread);
    }
    Some(close + 1)
}

fn word_len(s: &[u8]) -> usize {
    s.iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
        .unwrap_or(s.len())
}

/// A direction marker at the start.
fn marker(s: &[u8], input: &mut Input, dir: &mut Option<Dir>) -> Option<usize> {
    for (m, d) in SYMBOL_MARKERS {
        if s.starts_with(m.as_bytes()) {
            let n = m.len();
            // `<14 raw bytes …>` or `<redacted>` is not a marker.
            if *m == "<" && s.get(1).is_some_and(|b| b.is_ascii_alphanumeric()) {
                return None;
            }
            *dir = Some(*d);
            input.marker = Some((*m).to_string());
            input.note(Part::Marker);
            return Some(n);
        }
    }
    let w = word_len(s);
    if w == 0 {
        return None;
    }
    let d = word_marker(&s[..w])?;
    let n = match s.get(w) {
        Some(b':' | b'>' | b'<') => w + 1,
        // Bare `TX D0EA…` / `RX OK`: only the upper-case short forms.
        Some(b' ') if matches!(&s[..w], b"TX" | b"RX") => w,
        _ => return None,
    };
    *dir = Some(d);
    input.marker = Some(text(&s[..n]));
    input.note(Part::Marker);
    Some(n)
}

/// A log level at the start (`DEBUG`, `INFO:`, `trce:`, `E (`), with a Python-style
/// `:logger:` after it.
fn level(s: &[u8], input: &mut Input) -> Option<usize> {
    let w = word_len(s);
    if w == 0 {
        return None;
    }
    let word = &s[..w];
    let next = s.get(w).copied();
    let is_level = match next {
        Some(b':') => is_level_word(word) || NET_LEVELS.iter().any(|l| word == l.as_bytes()),
        Some(b' ') | None => {
            is_level_word(word) && word.iter().all(u8::is_ascii_uppercase)
                || (w == 1 && LEVEL_LETTERS.contains(&word[0]) && s.get(w + 1) == Some(&b'('))
        }
        _ => false,
    };
    if !is_level {
        return None;
    }
    input.level = Some(text(word));
    input.note(Part::Level);
    let mut n = w;
    if next == Some(b':') {
        n += 1;
        // Python logging's default `LEVEL:logger:message`.
        let rest = &s[n..];
        if let Some(c) = rest.iter().take(64).position(|&b| b == b':') {
            let name = &rest[..c];
            if !name.is_empty()
                && name
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
                && word_marker(name).is_none()
            {
                input.logger = Some(text(name));
                input.note(Part::Logger);
                n += c + 1;
            }
        }
    }
    Some(n)
}

/// A logger name: `name - ` (after a timestamp or level), `Name.Space[0] `, or `name: `
/// after a level.
fn logger(s: &[u8], input: &mut Input) -> Option<usize> {
    let end = s.iter().take(80).position(|&b| b == b' ')?;
    let tok = &s[..end];
    let ok_char = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'/');
    let seen_prefix = input.timestamp.is_some() || input.level.is_some();
    if seen_prefix && s[end..].starts_with(b" - ") && tok.iter().all(ok_char) {
        input.logger = Some(text(tok));
        input.note(Part::Logger);
        return Some(end + 3);
    }
    if let Some(open) = tok.iter().position(|&b| b == b'[') {
        let (name, idx) = (&tok[..open], &tok[open..]);
        if name.contains(&b'.')
            && name.iter().all(ok_char)
            && idx.len() >= 3
            && idx.ends_with(b"]")
            && idx[1..idx.len() - 1].iter().all(u8::is_ascii_digit)
        {
            input.logger = Some(text(tok));
            input.note(Part::Logger);
            return Some(end);
        }
    }
    if input.level.is_some() && input.logger.is_none() && tok.len() > 1 && tok.ends_with(b":") {
        let name = &tok[..tok.len() - 1];
        if name.iter().all(ok_char) && name.iter().any(|b| b.is_ascii_lowercase() || *b == b'.') {
            input.logger = Some(text(name));
            input.note(Part::Logger);
            return Some(end);
        }
    }
    None
}

/// Undo backslash escapes of a quoted string.
fn unescape(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b != b'\\' || i + 1 == s.len() {
            out.push(b);
            i += 1;
            continue;
        }
        let e = s[i + 1];
        i += 2;
        match e {
            b'r' => out.push(b'\r'),
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'0' => out.push(0),
            b'\\' | b'"' | b'\'' | b'`' => out.push(e),
            b'x' => {
                let h = |c: Option<&u8>| c.and_then(|c| char::from(*c).to_digit(16));
                match (h(s.get(i)), h(s.get(i + 1))) {
                    (Some(a), Some(b)) => {
                        out.push((a * 16 + b) as u8);
                        i += 2;
                    }
                    _ => out.extend_from_slice(b"\\x"),
                }
            }
            _ => {
                out.push(b'\\');
                out.push(e);
            }
        }
    }
    out
}

/// Quotes around the payload: `"…"`, `'…'`, `` `…` ``, `b'…'`, `b"…"`. Returns the inside
/// range and whether it has escapes.
fn quoted(s: &[u8]) -> Option<(usize, usize)> {
    let open = match s {
        [b'b', q @ (b'"' | b'\''), ..] => (*q, 2),
        [q @ (b'"' | b'\'' | b'`'), ..] => (*q, 1),
        _ => return None,
    };
    let (q, start) = open;
    let close = s.iter().rposition(|&b| b == q)?;
    if close < start
        || !s[close + 1..]
            .iter()
            .all(|b| matches!(b, b' ' | b',' | b')' | b';'))
    {
        return None;
    }
    // An unescaped quote inside means this is not one quoted payload (`"K":"V"` renderings).
    let inner = &s[start..close];
    let mut esc = false;
    for &b in inner {
        if esc {
            esc = false;
        } else if b == b'\\' {
            esc = true;
        } else if b == q {
            return None;
        }
    }
    Some((start, close))
}

/// Normalise one line (without its line end).
pub(crate) fn normalise(raw: &[u8]) -> Norm<'_> {
    let mut input = Input::default();
    let mut dir = None;
    let fixed = fix_spaces(raw);
    if fixed.is_some() {
        input.note(Part::Spaces);
    }
    let s: &[u8] = fixed.as_deref().unwrap_or(raw);
    let end = strip_suffixes(s, s.len(), &mut input);
    let mut i = 0;
    for _ in 0..MAX_PREFIXES {
        while i < end && s[i] == b' ' {
            i += 1;
        }
        if i >= end {
            break;
        }
        let rest = &s[i..end];
        if let Some((n, t_ms)) = timestamp(rest) {
            if input.timestamp.is_none() {
                input.timestamp = Some(text(rest[..n].trim_ascii()));
                input.t_ms = t_ms;
            }
            input.note(Part::Timestamp);
            i += n;
            continue;
        }
        let step = match rest[0] {
            b'[' => bracket(rest, &mut input, &mut dir),
            b'(' => paren(rest, &mut input),
            b'-' if rest.starts_with(b"- ") => Some(2),
            _ => None,
        }
        .or_else(|| marker(rest, &mut input, &mut dir))
        .or_else(|| level(rest, &mut input))
        .or_else(|| logger(rest, &mut input));
        match step {
            Some(n) => i += n,
            None => break,
        }
    }
    while i < end && s[i] == b' ' {
        i += 1;
    }
    let body = &s[i.min(end)..end];
    let payload: Cow<'_, [u8]> = match quoted(body) {
        Some((a, b)) => {
            input.note(Part::Quotes);
            let inner = &body[a..b];
            if inner.contains(&b'\\') {
                Cow::Owned(unescape(inner))
            } else {
                own_or_borrow(raw, fixed.as_deref(), inner)
            }
        }
        None => own_or_borrow(raw, fixed.as_deref(), body),
    };
    Norm {
        payload,
        dir,
        input,
    }
}

fn own_or_borrow<'a>(raw: &'a [u8], fixed: Option<&[u8]>, part: &[u8]) -> Cow<'a, [u8]> {
    match fixed {
        Some(_) => Cow::Owned(part.to_vec()),
        None => {
            // `part` lies inside `raw`.
            let off = part.as_ptr() as usize - raw.as_ptr() as usize;
            Cow::Borrowed(&raw[off..off + part.len()])
        }
    }
}

/// The direction the text before a keyword states, if any (the last marker wins), and the
/// marker as written.
pub(crate) fn direction_in(prefix: &[u8]) -> Option<(Dir, String)> {
    let mut found = None;
    let mut p = 0;
    while p < prefix.len() {
        let r = &prefix[p..];
        let hit = match r[0] {
            b'>' if r.starts_with(b">>") => Some((Dir::Sent, 2)),
            b'<' if r.starts_with(b"<<") => Some((Dir::Received, 2)),
            b'[' => r
                .iter()
                .take(12)
                .position(|&b| b == b']')
                .and_then(|c| word_marker(&r[1..c]).map(|d| (d, c + 1))),
            b'E' | b'e' if r.len() >= 5 && r[..5].eq_ignore_ascii_case(b"ECHO:") => {
                Some((Dir::Echo, 5))
            }
            b'T' | b'R' | b't' | b'r'
                if (p == 0 || !prefix[p - 1].is_ascii_alphanumeric())
                    && r.len() >= 3
                    && r[2] == b':'
                    && (r[..2].eq_ignore_ascii_case(b"TX")
                        || r[..2].eq_ignore_ascii_case(b"RX")) =>
            {
                word_marker(&r[..2]).map(|d| (d, 3))
            }
            _ => None,
        };
        match hit {
            Some((d, n)) => {
                found = Some((d, text(&r[..n])));
                p += n;
            }
            None => p += 1,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> (String, Option<Dir>, Input) {
        let r = normalise(s.as_bytes());
        (
            String::from_utf8_lossy(&r.payload).into_owned(),
            r.dir,
            r.input,
        )
    }

    #[test]
    fn styles() {
        let (p, d, i) = n(r#">> "SKSCAN 2 FFFFFFFF 7 0""#);
        assert_eq!((p.as_str(), d), ("SKSCAN 2 FFFFFFFF 7 0", Some(Dir::Sent)));
        assert_eq!(i.stripped, [Part::Marker, Part::Quotes]);
        let (p, d, _) = n(r#"<< "OK""#);
        assert_eq!((p.as_str(), d), ("OK", Some(Dir::Received)));
        let (p, _, i) =
            n("2024-03-05 12:34:56.789 DEBUG (MainThread) [custom_components.x] >> SKVER");
        assert_eq!(p, "SKVER");
        assert_eq!(i.logger.as_deref(), Some("custom_components.x"));
        assert_eq!(i.level.as_deref(), Some("DEBUG"));
        let (p, _, i) = n("INFO:root:RX: OK");
        assert_eq!((p.as_str(), i.logger.as_deref()), ("OK", Some("root")));
        let (p, _, i) = n("2024-03-05 12:34:56,789 - broute.dongle - DEBUG - TX: SKVER");
        assert_eq!(
            (p.as_str(), i.logger.as_deref()),
            ("SKVER", Some("broute.dongle"))
        );
        let (p, d, i) =
            n("2026/04/01 17:52:51 trce: SkstackIpDotNet.SKDeviceBP35C0[0] <<EVENT 22 X");
        assert_eq!((p.as_str(), d), ("EVENT 22 X", Some(Dir::Received)));
        assert_eq!(i.level.as_deref(), Some("trce"));
        let (p, _, i) = n("[12:34:56][D][broute:123]: [send] SKVER");
        assert_eq!(p, "SKVER");
        assert_eq!(i.t_ms, Some(45_296_000));
        let (p, _, _) = n("DEBUG:root:>> b'SKSETPWD C 0123456789AB\\r\\n'");
        assert_eq!(p, "SKSETPWD C 0123456789AB\r\n");
        let (p, _, i) = n("\u{3000}OK\u{3000}01 +6ms");
        assert_eq!(p, "OK 01");
        assert_eq!(i.stripped, [Part::Spaces, Part::Suffix]);
        let (p, _, _) = n("  Channel:3B");
        assert_eq!(p, "Channel:3B");
        let (p, _, _) = n(r#"[MAIN] EVENT "NUM":"22","SENDER":"x""#);
        assert_eq!(p, r#"EVENT "NUM":"22","SENDER":"x""#);
        let (p, d, _) = n("<14 raw bytes>");
        assert_eq!((p.as_str(), d), ("<14 raw bytes>", None));
    }

    #[test]
    fn direction_in_text() {
        assert_eq!(
            direction_in(b"write_with_crln(): [SEND] ").map(|d| d.0),
            Some(Dir::Sent)
        );
        assert_eq!(direction_in(b"<<ECHO:").map(|d| d.0), Some(Dir::Echo));
        assert_eq!(direction_in(b"rl7023 "), None);
    }
}
