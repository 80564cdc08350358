//! The decoder's redaction: which records the rules must see (one check per chunk over the
//! lines the rules may change), the credentials it learns, and rendering records as redacted
//! JSON lines.

use super::*;

impl LogDecoder {
    /// Mark the records of the lines (decoded in this call) that match a redaction rule: one
    /// pass of the rules over the lines they may change (a quick test first, per line, with
    /// the credentials known now); the lines whose text changed are the ones. (No rule spans a
    /// line end, so the lines of the result are the lines of the input; should they not be,
    /// every line is checked on its own. A raw J11 credential frame's hidden bytes may run on
    /// into the next line: the line after each line selected goes through the rules too, so
    /// they see what they would have seen over all the lines.)
    pub(super) fn flush_checks(&mut self, out: &mut [Record]) {
        if self.marks.is_empty() {
            self.check.clear();
            return;
        }
        let mut sel = std::mem::take(&mut self.sel);
        let mut marks = std::mem::take(&mut self.sel_marks);
        let mut next = false;
        for &(r0, r1, b0, b1) in &self.marks {
            let seg = self.check.get(b0..b1).unwrap_or_default();
            let may = self.redactor.may_change(seg);
            if may && seg.iter().any(|&b| json_escapes(b)) {
                // JSON writes these bytes escaped (`\"`, `\\`, `\t`…), and the rules may read
                // the escaped form otherwise than the raw one (a quote ends `SKSETPWD`'s
                // argument, a backslash does not): the records go through the rules.
                for r in out.get_mut(r0..r1).into_iter().flatten() {
                    r.sensitive = true;
                }
            }
            if may || next {
                let s0 = sel.len();
                sel.extend_from_slice(seg);
                marks.push((r0, r1, s0, sel.len()));
            }
            next = may;
        }
        if !marks.is_empty() {
            self.mark_changed(&sel, &marks, out);
        }
        sel.clear();
        marks.clear();
        self.sel = sel;
        self.sel_marks = marks;
        self.check.clear();
        self.marks.clear();
    }

    /// Mark the records of the lines in `check` (per line: records from, to; bytes from, to)
    /// whose text the rules change.
    pub(super) fn mark_changed(
        &self,
        check: &[u8],
        marks: &[(usize, usize, usize, usize)],
        out: &mut [Record],
    ) {
        let red = self.redactor.redact_bytes(check);
        if red == check {
            return;
        }
        // Offsets (in `check`) of the lines that changed, when the lines line up.
        let mut changed = Vec::new();
        let aligned = {
            let mut a = check.split(|&b| b == b'\n');
            let mut b = red.split(|&b| b == b'\n');
            let mut off = 0;
            loop {
                match (a.next(), b.next()) {
                    (Some(x), Some(y)) => {
                        if x != y {
                            changed.push(off);
                        }
                        off += x.len() + 1;
                    }
                    (None, None) => break true,
                    _ => break false,
                }
            }
        };
        let mut k = 0;
        for &(r0, r1, b0, b1) in marks {
            let hit = if aligned {
                while k < changed.len() && changed[k] < b0 {
                    k += 1;
                }
                k < changed.len() && changed[k] < b1
            } else {
                check.get(b0..b1).is_some_and(|b| self.fires(b))
            };
            if hit {
                for r in out.get_mut(r0..r1).into_iter().flatten() {
                    r.sensitive = true;
                }
            }
        }
    }

    /// Redact text with the rules and the credentials this decoder has learned (for showing
    /// the lines of the log beside their records).
    pub fn redact_text(&self, s: &str) -> String {
        self.redactor.redact(s)
    }

    /// Redact one record's JSON line (without `\n`) and keep it JSON: what
    /// [`LogDecoder::render`] does to every record that needs the rules.
    pub fn redact_json_line(&self, line: &str) -> String {
        let red = self.redactor.redact_bytes(line.as_bytes());
        let mut out = Vec::with_capacity(red.len());
        json_again(&red, &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Serialise a record as one JSON line (without `\n`), redacted.
    pub fn render(&self, r: &Record) -> String {
        let mut s = String::new();
        self.render_into(r, &mut s);
        s.pop();
        s
    }

    /// Append a record as one JSON line (with its `\n`), redacted.
    pub fn render_into(&self, r: &Record, out: &mut String) {
        self.render_batch(std::slice::from_ref(r), out);
    }

    /// Append records as JSON lines (each with its `\n`), redacted in one pass (the same
    /// result as record by record: every rule ends at a line end, and JSON holds no raw J11
    /// frame). The rules are those known now: a secret a later line reveals (an `SKSETPWD`
    /// after a line that showed the password bare) hides only what is rendered after that
    /// line was fed — render after `finish` to apply every learned secret to every record.
    pub fn render_batch(&self, recs: &[Record], out: &mut String) {
        let mut buf = Vec::with_capacity(recs.len() * 256);
        self.render_bytes(recs, &mut buf);
        match String::from_utf8(buf) {
            Ok(s) => out.push_str(&s),
            Err(e) => out.push_str(&String::from_utf8_lossy(e.as_bytes())),
        }
    }

    /// [`LogDecoder::render_batch`] into bytes (UTF-8 but for what the rules may cut).
    pub(crate) fn render_bytes(&self, recs: &[Record], buf: &mut Vec<u8>) {
        // Records whose input matched no redaction rule are written as they are; the others
        // go through the rules (with the learned credentials) in runs.
        let mut run: Vec<u8> = Vec::new();
        for r in recs {
            if r.sensitive || r.epoch < self.learned {
                let at = run.len();
                match json::write(r, &mut run) {
                    Ok(()) => run.push(b'\n'),
                    Err(_) => run.truncate(at),
                }
            } else {
                if !run.is_empty() {
                    self.redact_run(&run, buf);
                    run.clear();
                }
                let at = buf.len();
                match json::write(r, buf) {
                    Ok(()) => buf.push(b'\n'),
                    Err(_) => buf.truncate(at),
                }
            }
        }
        if !run.is_empty() {
            self.redact_run(&run, buf);
        }
    }

    /// Records' JSON lines (each with its `\n`) through the rules, each line JSON again.
    fn redact_run(&self, run: &[u8], buf: &mut Vec<u8>) {
        let red = self.redactor.redact_bytes(run);
        if red == run {
            buf.extend_from_slice(run);
            return;
        }
        for line in red.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            json_again(line, buf);
            buf.push(b'\n');
        }
    }

    /// Would the redaction rules change these bytes?
    pub(super) fn fires(&self, b: &[u8]) -> bool {
        self.redactor.may_change(b) && self.redactor.redact_bytes(b) != b
    }

    /// Hide `secret` (an `SKSETPWD`/`SKSETRBID` argument, a J11 credential) wherever it shows
    /// up later; for an ID also its Pairing ID. Values of one repeated character (authors'
    /// masks) are no secrets, but an ID's Pairing ID is kept for matching `PairID`s.
    pub(super) fn remember_secret(&mut self, secret: &[u8], id: bool) {
        if !secret.iter().all(u8::is_ascii_alphanumeric) {
            return;
        }
        let text = String::from_utf8_lossy(secret).into_owned();
        if id && text.len() == 32 {
            self.pairing_id = Some(text[24..].to_ascii_uppercase());
        }
        let ok = secret.len() >= 8 && !secret.iter().all(|&b| b == secret[0]);
        if ok && self.learned < MAX_LEARNED {
            self.learned += 1;
            let r = std::mem::take(&mut self.redactor).with_secret(&text);
            self.redactor = match (id, text.len().checked_sub(8)) {
                (true, Some(at)) => r.with_secret(&text[at..]),
                _ => r,
            };
        }
    }
}

/// A byte JSON writes escaped (a segment's line end excepted: it is the separator).
fn json_escapes(b: u8) -> bool {
    b == b'"' || b == b'\\' || (b < 0x20 && b != b'\n')
}

/// A redacted JSON line as JSON again. The rules work on the text, so they may cut into an
/// escape (`\u0001` → `\u<redacted>`; `\t` then a secret that starts with `t`): a broken escape
/// loses its backslash and what is left of it. A line that is still no JSON (a rule that hid
/// digits of a number) is replaced whole by [`redact::MARK`]. Nothing is ever shown that the
/// rules hid.
fn json_again(line: &[u8], out: &mut Vec<u8>) {
    if line == redact::MARK.as_bytes() || is_json(line) {
        out.extend_from_slice(line);
        return;
    }
    let at = out.len();
    let mut in_str = false;
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if !in_str {
            in_str = b == b'"';
            out.push(b);
            i += 1;
            continue;
        }
        match b {
            b'"' => {
                in_str = false;
                out.push(b);
                i += 1;
            }
            b'\\' => {
                let next = line.get(i + 1).copied();
                let hex4 = line
                    .get(i + 2..i + 6)
                    .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
                match next {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                        out.extend_from_slice(&line[i..i + 2]);
                        i += 2;
                    }
                    Some(b'u') if hex4 => {
                        out.extend_from_slice(&line[i..i + 6]);
                        i += 6;
                    }
                    Some(b'u') => {
                        // `\u` and the digits the rules left of it.
                        i += 2;
                        let mut n = 0;
                        while n < 4 && line.get(i).is_some_and(u8::is_ascii_hexdigit) {
                            i += 1;
                            n += 1;
                        }
                    }
                    _ => i += 1,
                }
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    if !is_json(&out[at..]) {
        out.truncate(at);
        out.extend_from_slice(redact::MARK.as_bytes());
    }
}

fn is_json(b: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(b).is_ok()
}

#[cfg(test)]
mod tests {
    use super::json_again;

    fn again(s: &str) -> String {
        let mut out = Vec::new();
        json_again(s.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn broken_escapes_lose_their_backslash_and_nothing_else_shows() {
        // What the fuzz target found: a rule that hid the digits of `\u0000`.
        assert_eq!(
            again(r#"{"t":"a\u0001\u<redacted>:1207"}"#),
            r#"{"t":"a\u0001<redacted>:1207"}"#
        );
        assert_eq!(
            again(r#"{"t":"a\u00<redacted>"}"#),
            r#"{"t":"a<redacted>"}"#
        );
        // `\t` and a secret starting with `t`.
        assert_eq!(
            again(r#"{"t":"x\<redacted> y"}"#),
            r#"{"t":"x<redacted> y"}"#
        );
        // Valid lines are left as they are.
        let ok = r#"{"t":"\"\\\/\b\f\n\r\t\u00e9"}"#;
        assert_eq!(again(ok), ok);
        // Still no JSON (hidden digits of a number): the whole line goes.
        assert_eq!(again(r#"{"line":<redacted>}"#), redact::MARK);
    }
}
