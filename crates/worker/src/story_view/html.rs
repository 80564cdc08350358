//! The story view as HTML, in the user's language: the worker renders it, the page only inserts
//! it (`inner_html`), so neither the rendering nor its labels are in the page's first load.
//!
//! The page keeps the trace's filter buttons, its count and its "more" button; the worker keeps
//! the last story it laid out and cuts the trace's rows for a filter from it
//! ([`trace_table`]). Everything that came from a bundle or a log is escaped ([`escape`]) and
//! cut to [`FIELD_MAX`] characters (a hand-made bundle can hold strings of megabytes).

use std::fmt::Write;

use broute::readout::SignalQuality;
use export::story::{Outcome, Source, TraceKind};
use export::texts::{self, Lang};

use super::words::{words, Words};
use super::{
    plot_y, Fact, Mark, NoteRow, PhaseRow, ScanRow, SignalRow, StoryView, TraceRow, TriageRow,
    PLOT_H, PLOT_W,
};

/// Longest field put in the HTML, characters (real lines are a few kilobytes at most).
pub const FIELD_MAX: usize = 4096;

/// Trace lines shown at first, and added by "more".
pub const PAGE: usize = 100;

/// The filters of the trace, in the order of their buttons (`None`: every line).
pub const FILTERS: [Option<TraceKind>; 5] = [
    None,
    Some(TraceKind::Command),
    Some(TraceKind::Event),
    Some(TraceKind::Echonet),
    Some(TraceKind::Error),
];

/// Separates the parts of [`StoryHtml`]'s text form (a comment: it cannot come from escaped
/// data).
const PART: &str = "<!--part-->";

/// A key for a filter (test ids, `data-kind`, the wire).
pub fn kind_key(k: Option<TraceKind>) -> &'static str {
    match k {
        None => "all",
        Some(TraceKind::Command) => "command",
        Some(TraceKind::Event) => "event",
        Some(TraceKind::Echonet) => "echonet",
        Some(TraceKind::Error) => "error",
        Some(TraceKind::Other) => "other",
    }
}

/// The filter of a [`kind_key`].
pub fn kind_of_key(s: &str) -> Option<Option<TraceKind>> {
    [
        None,
        Some(TraceKind::Command),
        Some(TraceKind::Event),
        Some(TraceKind::Echonet),
        Some(TraceKind::Error),
        Some(TraceKind::Other),
    ]
    .into_iter()
    .find(|k| kind_key(*k) == s)
}

/// Text made safe for HTML content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A field of data: cut to [`FIELD_MAX`] characters (saying how much was left out), escaped.
fn field(s: &str) -> String {
    match s.char_indices().nth(FIELD_MAX) {
        None => escape(s),
        Some((at, _)) => escape(&format!("{} … (+{} bytes)", &s[..at], s.len() - at)),
    }
}

/// The story as the page gets it: the HTML around the trace's filter buttons, the trace table's
/// first page for each filter (so that a filter shows at once), and the number of lines of each
/// filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoryHtml {
    /// Lines of each of [`FILTERS`].
    pub counts: [usize; 5],
    /// From the story's heading to the trace's heading (`story-trace-h`).
    pub head: String,
    /// The trace table's content for each of [`FILTERS`], the first [`PAGE`] lines
    /// ([`trace_table`]).
    pub tables: [String; 5],
    /// After the trace (the bundle's notes).
    pub tail: String,
}

impl StoryHtml {
    /// The story `v` in `lang`.
    pub fn of(v: &StoryView, lang: Lang) -> StoryHtml {
        let w = words(lang);
        let mut head = String::new();
        body(&mut head, v, w);
        let _ = write!(head, r#"<h3 id="story-trace-h">{}</h3>"#, w.trace);
        let mut tail = String::new();
        notes(&mut tail, &v.notes, w);
        StoryHtml {
            counts: FILTERS.map(|k| v.trace.iter().filter(|t| matches(t, k)).count()),
            head,
            tables: FILTERS.map(|k| trace_table(v, lang, k, PAGE)),
            tail,
        }
    }

    /// The text sent to the page: the counts on the first line, then the parts.
    pub fn encode(&self) -> String {
        let counts: Vec<String> = self.counts.iter().map(|n| n.to_string()).collect();
        let mut o = format!("{}\n{}", counts.join(" "), self.head);
        for t in self.tables.iter().chain([&self.tail]) {
            o.push_str(PART);
            o.push_str(t);
        }
        o
    }

    /// Parse [`StoryHtml::encode`]'s text; `None` for anything else.
    pub fn decode(s: &str) -> Option<StoryHtml> {
        let (counts, rest) = s.split_once('\n')?;
        let mut n = counts.split(' ').map(|c| c.parse::<usize>().ok());
        let mut counts = [0; 5];
        for c in &mut counts {
            *c = n.next()??;
        }
        let mut parts = rest.splitn(7, PART).map(str::to_string);
        let head = parts.next()?;
        let mut tables: [String; 5] = Default::default();
        for t in &mut tables {
            *t = parts.next()?;
        }
        Some(StoryHtml {
            counts,
            head,
            tables,
            tail: parts.next()?,
        })
    }
}

fn matches(t: &TraceRow, k: Option<TraceKind>) -> bool {
    k.is_none_or(|k| t.kind == k)
}

/// The trace table's content (head and rows) for the lines of kind `kind` (`None`: all), the
/// first `shown` of them.
pub fn trace_table(v: &StoryView, lang: Lang, kind: Option<TraceKind>, shown: usize) -> String {
    let w = words(lang);
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>"#,
        w.col_time, w.col_kind, w.col_dir, w.col_line
    );
    for t in v.trace.iter().filter(|t| matches(t, kind)).take(shown) {
        trace_row(&mut o, t, w);
    }
    o.push_str("</tbody>");
    o
}

fn kind_text(w: &Words, k: TraceKind) -> &'static str {
    match k {
        TraceKind::Command => w.kind_command,
        TraceKind::Event => w.kind_event,
        TraceKind::Echonet => w.kind_echonet,
        TraceKind::Error => w.kind_error,
        TraceKind::Other => w.kind_other,
    }
}

fn trace_row(o: &mut String, t: &TraceRow, w: &Words) {
    let class = if t.kind == TraceKind::Error {
        "k-error"
    } else {
        ""
    };
    let dir = match t.dir.as_str() {
        "→" => format!("→ {}", w.dir_sent),
        "←" => format!("← {}", w.dir_received),
        _ => String::new(),
    };
    let _ = write!(
        o,
        r#"<tr class="{class}" data-kind="{}"><td class="t">{}</td><td>{}</td><td>{dir}</td><td><code>{}</code>"#,
        kind_key(Some(t.kind)),
        field(&t.at),
        kind_text(w, t.kind),
        field(&t.text)
    );
    if !t.note.is_empty() {
        let _ = write!(o, r#"<pre class="dec">{}</pre>"#, field(&t.note));
    }
    o.push_str("</td></tr>");
}

/// Everything before the trace.
fn body(o: &mut String, v: &StoryView, w: &Words) {
    let title = match v.source {
        Source::Bundle => w.heading_bundle,
        Source::Log => w.heading_log,
    };
    let (sym, class, outcome) = match v.outcome {
        Outcome::Reading => ("✓ ", "outcome ok", w.outcome_reading),
        Outcome::Stopped => ("⚠ ", "outcome bad", w.outcome_stopped),
        Outcome::Unfinished => ("… ", "outcome", w.outcome_unfinished),
    };
    let _ = write!(
        o,
        r#"<h2 id="story-h" tabindex="-1">{title}</h2><p class="{class}" data-testid="story-outcome"><span aria-hidden="true">{sym}</span>{outcome}</p><p class="summary" data-testid="story-summary">{}</p>"#,
        field(&v.summary)
    );
    if !v.support.is_empty() {
        let _ = write!(
            o,
            r#"<p class="support-line" data-testid="story-support"><span class="label">{}</span><br>{}</p>"#,
            w.support_line_label,
            field(&v.support)
        );
    }
    timeline(o, &v.phases, v.outcome, w);
    if let Some(t) = &v.triage {
        triage(o, t, w);
    }
    facts(o, &v.facts, w);
    signal(o, v.signal.as_ref(), w);
    scans(o, &v.scans, w);
}

fn timeline(o: &mut String, phases: &[PhaseRow], outcome: Outcome, w: &Words) {
    let _ = write!(
        o,
        r#"<h3 id="story-tl-h">{}</h3><table class="story-table timeline" data-testid="story-timeline" aria-labelledby="story-tl-h"><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>"#,
        w.timeline, w.col_time, w.col_phase, w.col_duration, w.col_result
    );
    for p in phases {
        let (sym, class, text) = match (p.mark, outcome) {
            (Mark::Done, _) => ("✓ ", "done", w.mark_done),
            (Mark::Recovery, _) => ("↻ ", "recovery", w.mark_recovery),
            (Mark::Failed, _) => ("⚠ ", "failed", w.mark_failed),
            (Mark::Last, Outcome::Reading) => ("● ", "done", w.mark_reading),
            (Mark::Last, Outcome::Stopped) => ("■ ", "failed", w.mark_stopped),
            (Mark::Last, Outcome::Unfinished) => ("… ", "last", w.mark_last),
        };
        let duration = if p.duration.is_empty() {
            "—".to_string()
        } else {
            field(&p.duration)
        };
        let _ = write!(
            o,
            r#"<tr class="{class}"><td class="t">{}</td><th scope="row">{}</th><td>{duration}</td><td><span aria-hidden="true">{sym}</span>{text}</td></tr>"#,
            field(&p.at),
            field(&p.label)
        );
    }
    o.push_str("</tbody></table>");
}

fn triage(o: &mut String, t: &TriageRow, w: &Words) {
    let at = if t.at.is_empty() {
        String::new()
    } else {
        format!(" ({})", field(&t.at))
    };
    let _ = write!(
        o,
        r#"<h3>{}</h3><div class="triage-result" data-testid="story-triage"><p class="cause-title"><span aria-hidden="true">⚠ </span>{} <strong data-testid="story-code">{}</strong>{at} — {}</p><p class="cause-fix" data-testid="story-fix">{}</p>"#,
        w.triage,
        w.code_label,
        field(&t.code),
        field(&t.cause),
        field(&t.fix)
    );
    if t.recovered {
        let _ = write!(o, "<p>{}</p>", w.recovered);
    }
    o.push_str("</div>");
}

fn facts(o: &mut String, facts: &[Fact], w: &Words) {
    let _ = write!(
        o,
        r#"<h3>{}</h3><dl class="facts" data-testid="story-facts">"#,
        w.facts
    );
    for f in facts {
        let label = match f.key.as_str() {
            "family" => w.fact_family,
            "dialect" => w.fact_dialect,
            "firmware" => w.fact_firmware,
            "mode" => w.fact_mode,
            "class" => w.fact_class,
            "release" => w.fact_release,
            "maker" => w.fact_maker,
            _ => w.fact_serial,
        };
        let value = match f.value.as_str() {
            "low_voltage" => w.low_voltage.to_string(),
            "high_voltage" => w.high_voltage.to_string(),
            "hex" => w.mode_hex.to_string(),
            "binary" => w.mode_binary.to_string(),
            other => field(other),
        };
        let _ = write!(
            o,
            r#"<dt>{label}</dt><dd data-testid="story-fact-{}">{value}</dd>"#,
            field(&f.key)
        );
    }
    o.push_str("</dl>");
}

fn signal(o: &mut String, signal: Option<&SignalRow>, w: &Words) {
    let Some(s) = signal else {
        let _ = write!(o, "<h3>{}</h3><p>{}</p>", w.signal, w.signal_none);
        return;
    };
    let sig = texts::signed;
    let q = match SignalQuality::from_rssi(i16::try_from(s.last).ok()) {
        SignalQuality::Good => w.signal_good,
        SignalQuality::Fair => w.signal_fair,
        SignalQuality::Weak => w.signal_weak,
        SignalQuality::Unknown => w.signal_unknown,
    };
    let text = w
        .signal_text
        .replace("{n}", &s.count.to_string())
        .replace("{min}", &sig(s.min))
        .replace("{max}", &sig(s.max))
        .replace("{last}", &sig(s.last))
        .replace("{q}", q);
    let (good, weak) = (plot_y(-70), plot_y(-85));
    let _ = write!(
        o,
        concat!(
            r#"<h3 id="story-sig-h">{title}</h3>"#,
            r#"<svg class="chart signal" viewBox="-44 -6 {vw} {vh}" role="img" aria-labelledby="story-sig-h" aria-describedby="story-sig-text" data-testid="story-signal">"#,
            r#"<line x1="0" x2="{w}" y1="{good}" y2="{good}" class="zero"></line>"#,
            r#"<line x1="0" x2="{w}" y1="{weak}" y2="{weak}" class="zero"></line>"#,
            r#"<text x="-44" y="{good_t}" class="axis">−70</text>"#,
            r#"<text x="-44" y="{weak_t}" class="axis">−85</text>"#,
            r#"<text x="-44" y="4" class="axis">dBm</text>"#,
            r#"<polyline points="{points}" class="line dots"></polyline>"#,
            r#"<text x="0" y="{below}" class="axis">{from}</text>"#,
            r#"<text x="{to_x}" y="{below}" class="axis">{to}</text>"#,
            r#"</svg><p id="story-sig-text" data-testid="story-signal-text">{text}</p>"#,
        ),
        title = w.signal,
        vw = PLOT_W + 52,
        vh = PLOT_H + 24,
        w = PLOT_W,
        good = good,
        weak = weak,
        good_t = good + 4,
        weak_t = weak + 4,
        points = field(&s.points),
        below = PLOT_H + 16,
        from = field(&s.from),
        to_x = PLOT_W - 50,
        to = field(&s.to),
        text = escape(&text),
    );
}

fn scans(o: &mut String, scans: &[ScanRow], w: &Words) {
    if scans.is_empty() {
        return;
    }
    let _ = write!(o, "<h3>{}</h3>", w.scans);
    let dash = |s: &str| {
        if s.is_empty() {
            "—".to_string()
        } else {
            field(s)
        }
    };
    for (i, sc) in scans.iter().enumerate() {
        let caption = w
            .scan_caption
            .replace("{n}", &(i + 1).to_string())
            .replace("{at}", &dash(&sc.at))
            .replace("{dur}", &dash(&sc.duration))
            .replace("{d}", &dash(&sc.exponent));
        let _ = write!(
            o,
            r#"<table class="story-table" data-testid="story-scan"><caption>{caption}</caption><thead><tr><th scope="col">{}</th><th scope="col">PAN ID</th><th scope="col">LQI</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>"#,
            w.col_channel, w.col_rssi, w.col_pair
        );
        if sc.pans.is_empty() {
            let _ = write!(o, r#"<tr><td colspan="5">{}</td></tr>"#, w.no_pans);
        }
        for p in &sc.pans {
            let (class, pair) = match p.matched {
                Some(true) => ("ours", format!("✓ {}", w.scan_ours)),
                Some(false) => ("other", format!("✗ {}", w.scan_other)),
                None => ("other", w.signal_unknown.to_string()),
            };
            let _ = write!(
                o,
                r#"<tr class="{class}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{pair}</td></tr>"#,
                field(&p.channel),
                field(&p.pan_id),
                field(&p.lqi),
                field(&p.rssi)
            );
        }
        o.push_str("</tbody></table>");
    }
}

/// The notes the app wrote into a bundle.
fn notes(o: &mut String, notes: &[NoteRow], w: &Words) {
    if notes.is_empty() {
        return;
    }
    let _ = write!(o, r#"<h3>{}</h3><ul data-testid="story-notes">"#, w.notes);
    for n in notes {
        let _ = write!(
            o,
            r#"<li><span class="t">{}</span> {}</li>"#,
            field(&n.at),
            field(&n.text)
        );
    }
    o.push_str("</ul>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::story_view::PanRow;

    const HOSTILE: &str = r#"<img src=x onerror=alert(1)>"' & done"#;

    fn hostile_view() -> StoryView {
        let h = || HOSTILE.to_string();
        StoryView {
            source: Source::Bundle,
            outcome: Outcome::Stopped,
            summary: h(),
            support: h(),
            phases: vec![PhaseRow {
                at: h(),
                label: h(),
                duration: h(),
                mark: Mark::Failed,
            }],
            triage: Some(TriageRow {
                code: h(),
                cause: h(),
                fix: h(),
                at: h(),
                recovered: true,
            }),
            facts: vec![Fact {
                key: h(),
                value: h(),
            }],
            signal: Some(SignalRow {
                points: h(),
                count: 1,
                min: -80,
                max: -80,
                last: -80,
                from: h(),
                to: h(),
            }),
            scans: vec![ScanRow {
                at: h(),
                duration: h(),
                exponent: h(),
                pans: vec![PanRow {
                    channel: h(),
                    pan_id: h(),
                    lqi: h(),
                    rssi: h(),
                    matched: Some(true),
                }],
            }],
            trace: vec![TraceRow {
                at: h(),
                kind: TraceKind::Error,
                dir: h(),
                text: h(),
                note: h(),
            }],
            notes: vec![NoteRow { at: h(), text: h() }],
        }
    }

    #[test]
    fn escaping_makes_hostile_text_inert() {
        assert_eq!(
            escape(HOSTILE),
            "&lt;img src=x onerror=alert(1)&gt;&quot;&#39; &amp; done"
        );
        for lang in [Lang::Ja, Lang::En] {
            let h = StoryHtml::of(&hostile_view(), lang);
            for part in [&h.head, &h.tables[0], &h.tables[4], &h.tail] {
                // No tag, attribute or entity of the data's own: every `<`, `"` and `'` in the
                // output is ours.
                assert!(!part.contains("<img"), "{part}");
                assert!(!part.contains("\"'"), "{part}");
                assert!(!part.contains("& done"), "{part}");
                assert!(part.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39; &amp; done"));
            }
            // In an attribute too (the fact's key names its test id).
            assert!(h.head.contains(r#"data-testid="story-fact-&lt;img"#));
            assert!(h.head.contains(r#"points="&lt;img src=x"#));
            assert_eq!(StoryHtml::decode(&h.encode()), Some(h));
        }
    }

    #[test]
    fn long_fields_are_cut() {
        let long = "é".repeat(FIELD_MAX + 10);
        let f = field(&long);
        assert!(f.chars().count() < FIELD_MAX + 32);
        assert!(f.ends_with("… (+20 bytes)"), "{}", &f[f.len() - 40..]);
        assert_eq!(field("a<b"), "a&lt;b");
    }

    #[test]
    fn filters_and_pages_of_the_trace() {
        let mut v = hostile_view();
        v.trace = (0..250)
            .map(|i| TraceRow {
                at: format!("L{i}"),
                kind: if i % 5 == 0 {
                    TraceKind::Command
                } else {
                    TraceKind::Other
                },
                dir: "→".into(),
                text: format!("line {i}"),
                note: String::new(),
            })
            .collect();
        let h = StoryHtml::of(&v, Lang::En);
        assert_eq!(h.counts, [250, 50, 0, 0, 0]);
        assert_eq!(h.tables[0].matches("<tr ").count(), PAGE);
        assert_eq!(h.tables[1].matches("data-kind=\"command\"").count(), 50);
        assert_eq!(h.tables[2].matches("<tr ").count(), 0);
        let head = "<th scope=\"col\">Time (from the start)</th>";
        assert!(h.tables[0].contains(head));
        assert!(h.tables[0].contains("<td>→ sent</td>"));
        let cmds = trace_table(&v, Lang::Ja, Some(TraceKind::Command), 30);
        assert_eq!(cmds.matches("data-kind=\"command\"").count(), 30);
        assert_eq!(cmds.matches("<tr ").count(), 30);
        assert!(cmds.contains("<td>コマンド</td>") && cmds.contains("→ 送信"));
        let all = trace_table(&v, Lang::En, None, 1000);
        assert_eq!(all.matches("<tr ").count(), 250);
        for k in FILTERS.into_iter().chain([Some(TraceKind::Other)]) {
            assert_eq!(kind_of_key(kind_key(k)), Some(k));
        }
        assert_eq!(kind_of_key("nope"), None);
        assert_eq!(StoryHtml::decode("1 2 3\nx"), None);
        assert_eq!(StoryHtml::decode("1 2 3 4 5\nno parts"), None);
    }
}
