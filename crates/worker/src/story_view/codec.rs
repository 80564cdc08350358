//! The story view's text form: one row per line, a tag then fields separated by tabs, with
//! `\`, tab, CR and LF escaped inside fields. Every field is cut to [`FIELD_MAX`] characters:
//! a hand-made bundle can hold strings of megabytes, which the page must not have to lay out.

use export::story::{Outcome, Source, TraceKind};

use super::{
    Fact, Mark, NoteRow, PanRow, PhaseRow, ScanRow, SignalRow, StoryView, TraceRow, TriageRow,
};

/// Longest field sent to the page, characters (real lines are a few kilobytes at most).
pub const FIELD_MAX: usize = 4096;

/// A field cut to [`FIELD_MAX`] characters, saying how much was left out.
fn cut(s: &str) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(FIELD_MAX) {
        None => s.into(),
        Some((at, _)) => format!("{} … (+{} bytes)", &s[..at], s.len() - at).into(),
    }
}

fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '\t' => o.push_str("\\t"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            c => o.push(c),
        }
    }
    o
}

fn unescape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            o.push(c);
            continue;
        }
        match it.next() {
            Some('t') => o.push('\t'),
            Some('n') => o.push('\n'),
            Some('r') => o.push('\r'),
            Some(c) => o.push(c),
            None => {}
        }
    }
    o
}

fn row(out: &mut String, tag: &str, fields: &[&str]) {
    out.push_str(tag);
    for f in fields {
        out.push('\t');
        out.push_str(&escape(&cut(f)));
    }
    out.push('\n');
}

const KINDS: [(TraceKind, &str); 5] = [
    (TraceKind::Command, "c"),
    (TraceKind::Event, "e"),
    (TraceKind::Echonet, "n"),
    (TraceKind::Error, "x"),
    (TraceKind::Other, "o"),
];

const MARKS: [(Mark, &str); 4] = [
    (Mark::Done, "d"),
    (Mark::Recovery, "r"),
    (Mark::Failed, "f"),
    (Mark::Last, "l"),
];

fn code_of<T: PartialEq + Copy>(table: &[(T, &'static str)], v: T) -> &'static str {
    table.iter().find(|(t, _)| *t == v).map_or("", |(_, c)| c)
}

fn value_of<T: Copy>(table: &[(T, &'static str)], c: &str) -> Option<T> {
    table.iter().find(|(_, k)| *k == c).map(|(t, _)| *t)
}

fn bool_code(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "y",
        Some(false) => "n",
        None => "",
    }
}

impl StoryView {
    /// The rows as text.
    pub fn encode(&self) -> String {
        let mut o = String::new();
        let source = match self.source {
            Source::Bundle => "bundle",
            Source::Log => "log",
        };
        let outcome = match self.outcome {
            Outcome::Reading => "reading",
            Outcome::Stopped => "stopped",
            Outcome::Unfinished => "unfinished",
        };
        row(&mut o, "story", &[source, outcome]);
        row(&mut o, "summary", &[&self.summary]);
        row(&mut o, "support", &[&self.support]);
        for p in &self.phases {
            let mark = code_of(&MARKS, p.mark);
            row(&mut o, "phase", &[&p.at, &p.label, &p.duration, mark]);
        }
        if let Some(t) = &self.triage {
            let rec = if t.recovered { "1" } else { "0" };
            row(&mut o, "triage", &[&t.code, &t.cause, &t.fix, &t.at, rec]);
        }
        for f in &self.facts {
            row(&mut o, "fact", &[&f.key, &f.value]);
        }
        if let Some(s) = &self.signal {
            let nums = [s.count as i64, s.min, s.max, s.last].map(|n| n.to_string());
            row(
                &mut o,
                "signal",
                &[
                    &s.points, &nums[0], &nums[1], &nums[2], &nums[3], &s.from, &s.to,
                ],
            );
        }
        for sc in &self.scans {
            row(&mut o, "scan", &[&sc.at, &sc.duration, &sc.exponent]);
            for p in &sc.pans {
                let m = bool_code(p.matched);
                row(&mut o, "pan", &[&p.channel, &p.pan_id, &p.lqi, &p.rssi, m]);
            }
        }
        for t in &self.trace {
            let kind = code_of(&KINDS, t.kind);
            row(&mut o, "trace", &[&t.at, kind, &t.dir, &t.text, &t.note]);
        }
        for n in &self.notes {
            row(&mut o, "note", &[&n.at, &n.text]);
        }
        o
    }

    /// Read what [`StoryView::encode`] wrote; `None` when the first row is not a story's.
    /// Rows that do not read are skipped.
    pub fn decode(text: &str) -> Option<StoryView> {
        let mut lines = text.lines();
        let head: Vec<String> = lines.next()?.split('\t').map(unescape).collect();
        let [tag, source, outcome] = head.as_slice() else {
            return None;
        };
        if tag != "story" {
            return None;
        }
        let mut v = StoryView {
            source: if source == "log" {
                Source::Log
            } else {
                Source::Bundle
            },
            outcome: match outcome.as_str() {
                "reading" => Outcome::Reading,
                "stopped" => Outcome::Stopped,
                _ => Outcome::Unfinished,
            },
            summary: String::new(),
            support: String::new(),
            phases: Vec::new(),
            triage: None,
            facts: Vec::new(),
            signal: None,
            scans: Vec::new(),
            trace: Vec::new(),
            notes: Vec::new(),
        };
        for line in lines {
            let f: Vec<String> = line.split('\t').map(unescape).collect();
            match f.as_slice() {
                [t, s] if t == "summary" => v.summary = s.clone(),
                [t, s] if t == "support" => v.support = s.clone(),
                [t, at, label, duration, mark] if t == "phase" => {
                    if let Some(mark) = value_of(&MARKS, mark) {
                        v.phases.push(PhaseRow {
                            at: at.clone(),
                            label: label.clone(),
                            duration: duration.clone(),
                            mark,
                        });
                    }
                }
                [t, code, cause, fix, at, rec] if t == "triage" => {
                    v.triage = Some(TriageRow {
                        code: code.clone(),
                        cause: cause.clone(),
                        fix: fix.clone(),
                        at: at.clone(),
                        recovered: rec == "1",
                    })
                }
                [t, key, value] if t == "fact" => v.facts.push(Fact {
                    key: key.clone(),
                    value: value.clone(),
                }),
                [t, points, count, min, max, last, from, to] if t == "signal" => {
                    let n = |s: &String| s.parse::<i64>().ok();
                    if let (Some(c), Some(min), Some(max), Some(last)) =
                        (n(count), n(min), n(max), n(last))
                    {
                        v.signal = Some(SignalRow {
                            points: points.clone(),
                            count: usize::try_from(c).unwrap_or(0),
                            min,
                            max,
                            last,
                            from: from.clone(),
                            to: to.clone(),
                        });
                    }
                }
                [t, at, duration, exponent] if t == "scan" => v.scans.push(ScanRow {
                    at: at.clone(),
                    duration: duration.clone(),
                    exponent: exponent.clone(),
                    pans: Vec::new(),
                }),
                [t, channel, pan_id, lqi, rssi, m] if t == "pan" => {
                    if let Some(sc) = v.scans.last_mut() {
                        sc.pans.push(PanRow {
                            channel: channel.clone(),
                            pan_id: pan_id.clone(),
                            lqi: lqi.clone(),
                            rssi: rssi.clone(),
                            matched: match m.as_str() {
                                "y" => Some(true),
                                "n" => Some(false),
                                _ => None,
                            },
                        });
                    }
                }
                [t, at, kind, dir, text, note] if t == "trace" => {
                    if let Some(kind) = value_of(&KINDS, kind) {
                        v.trace.push(TraceRow {
                            at: at.clone(),
                            kind,
                            dir: dir.clone(),
                            text: text.clone(),
                            note: note.clone(),
                        });
                    }
                }
                [t, at, text] if t == "note" => v.notes.push(NoteRow {
                    at: at.clone(),
                    text: text.clone(),
                }),
                _ => {}
            }
        }
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_round_trips() {
        for s in [
            "",
            "a\tb",
            "line1\nline2\r\n",
            "back\\slash\\t",
            "全角\u{3000}",
        ] {
            assert_eq!(unescape(&escape(s)), s);
            assert!(!escape(s).contains(['\t', '\n', '\r']));
        }
    }

    #[test]
    fn long_fields_are_cut() {
        let long = "é".repeat(FIELD_MAX + 10);
        let c = cut(&long);
        assert_eq!(
            c.chars().count(),
            FIELD_MAX + " … (+20 bytes)".chars().count()
        );
        assert!(c.ends_with(" … (+20 bytes)"));
        assert_eq!(cut("short"), "short");
    }
}
