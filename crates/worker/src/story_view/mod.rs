//! The story of a session (`export::story`) laid out for the page: the worker computes the
//! story of a support bundle or a pasted log and turns it into rows of text in the user's
//! language — times and durations written out, ECHONET frames of the trace decoded, the signal
//! plot's points computed — and renders it as HTML ([`html`]), so the page only inserts it (no
//! JSON parser, no decoder, no rendering on the first load).

use echonet::pretty;
use export::story::{Outcome, Source, Story, TraceItem, TraceKind};
use export::support::SupportLine;
use export::texts::{self, Lang};
use export::Bundle;
use logdecode::{Body, Record};

/// Width of the signal plot, SVG user units.
pub const PLOT_W: i64 = 600;
/// Height of the signal plot, SVG user units.
pub const PLOT_H: i64 = 140;
/// Signal at the top of the plot, dBm.
pub const PLOT_TOP_DBM: i64 = -40;
/// Signal at the bottom of the plot, dBm.
pub const PLOT_BOTTOM_DBM: i64 = -110;
/// Most points drawn in the signal plot.
pub const PLOT_POINTS: usize = 150;
/// Most decoded lines shown under one trace line.
const NOTE_LINES: usize = 12;

/// The plot's y for a signal level (clamped to the plot).
pub fn plot_y(dbm: i64) -> i64 {
    let d = dbm.clamp(PLOT_BOTTOM_DBM, PLOT_TOP_DBM);
    (PLOT_TOP_DBM - d) * PLOT_H / (PLOT_TOP_DBM - PLOT_BOTTOM_DBM)
}

/// How a phase of the timeline ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Passed.
    Done,
    /// A recovery (re-authenticating, reconnecting, transmit limit).
    Recovery,
    /// Where the session failed (the phase before it stopped).
    Failed,
    /// The last state (reading, stopped, or where the log ends).
    Last,
}

/// One phase of the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhaseRow {
    /// Start, as a clock from the start of the session (`0:05.2`), or a log line (`L12`).
    pub at: String,
    /// The phase for people.
    pub label: String,
    /// How long (`5.2 s`, `1分5秒`); empty when not known.
    pub duration: String,
    /// How it ended.
    pub mark: Mark,
}

/// The triage result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TriageRow {
    /// Support code.
    pub code: String,
    /// The cause.
    pub cause: String,
    /// The fix.
    pub fix: String,
    /// When (clock), if known.
    pub at: String,
    /// It cleared by itself later.
    pub recovered: bool,
}

/// A fact about the dongle or the meter: `key` is `family`, `dialect`, `firmware`, `mode`
/// (`hex`/`binary`), `class` (`low_voltage`/`high_voltage`), `release`, `maker` or `serial`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    /// What it is.
    pub key: String,
    /// Its value (a dialect already in words).
    pub value: String,
}

/// The signal over time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignalRow {
    /// The plot's polyline, `x,y x,y …` in a [`PLOT_W`] × [`PLOT_H`] box.
    pub points: String,
    /// Measurements.
    pub count: usize,
    /// Weakest, dBm.
    pub min: i64,
    /// Strongest, dBm.
    pub max: i64,
    /// Latest, dBm.
    pub last: i64,
    /// Clock of the first measurement (empty without times).
    pub from: String,
    /// Clock of the last measurement.
    pub to: String,
}

/// A PAN heard in a scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanRow {
    /// Channel as the dongle numbers it.
    pub channel: String,
    /// PAN ID.
    pub pan_id: String,
    /// Link quality, empty when not known.
    pub lqi: String,
    /// Signal, dBm with a real minus sign, empty when not known.
    pub rssi: String,
    /// Its Pairing ID matches the B-route ID (`None`: not known).
    pub matched: Option<bool>,
}

/// One scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanRow {
    /// Start (clock or log line).
    pub at: String,
    /// How long it listened, when known.
    pub duration: String,
    /// The duration exponent as the dongle was given it.
    pub exponent: String,
    /// Every PAN heard.
    pub pans: Vec<PanRow>,
}

/// One line of the trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceRow {
    /// Clock or log line.
    pub at: String,
    /// What it is, for filtering.
    pub kind: TraceKind,
    /// `→` sent, `←` received, empty when not known.
    pub dir: String,
    /// The line (redacted).
    pub text: String,
    /// What it says, decoded (ECHONET frames in the user's language), lines separated by LF.
    pub note: String,
}

/// A note the app wrote into a bundle (e.g. that the session's log was full).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteRow {
    /// Clock from the start of the session.
    pub at: String,
    /// The note.
    pub text: String,
}

/// The story of a session, ready to draw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoryView {
    /// Bundle or log.
    pub source: Source,
    /// How it ended.
    pub outcome: Outcome,
    /// What happened, in plain words.
    pub summary: String,
    /// The support line of the bundle (empty for a log).
    pub support: String,
    /// The phases.
    pub phases: Vec<PhaseRow>,
    /// The triage result.
    pub triage: Option<TriageRow>,
    /// Dongle and meter facts.
    pub facts: Vec<Fact>,
    /// The signal over time.
    pub signal: Option<SignalRow>,
    /// The scans.
    pub scans: Vec<ScanRow>,
    /// The trace.
    pub trace: Vec<TraceRow>,
    /// The bundle's notes.
    pub notes: Vec<NoteRow>,
}

/// `m:ss.d` (or `h:mm:ss` from an hour on) of a time since the start of the session.
fn clock(ms: i64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}.{}", s / 60, s % 60, ms % 1000 / 100)
    }
}

/// A duration in words: `5.2 s` / `5.2秒`, `1 min 5 s` / `1分5秒`, `1 h 2 min` / `1時間2分`.
fn duration(ms: i64, lang: Lang) -> String {
    let ms = ms.max(0);
    let s = ms / 1000;
    match (lang, s) {
        (Lang::Ja, 0..60) => format!("{s}.{}秒", ms % 1000 / 100),
        (Lang::En, 0..60) => format!("{s}.{} s", ms % 1000 / 100),
        (Lang::Ja, 60..3600) => format!("{}分{}秒", s / 60, s % 60),
        (Lang::En, 60..3600) => format!("{} min {} s", s / 60, s % 60),
        (Lang::Ja, _) => format!("{}時間{}分", s / 3600, s / 60 % 60),
        (Lang::En, _) => format!("{} h {} min", s / 3600, s / 60 % 60),
    }
}

/// Bytes of a hex string (two digits a byte, nothing else).
pub fn hex_bytes(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    hex.as_bytes()
        .chunks(2)
        .map(|p| {
            core::str::from_utf8(p)
                .ok()
                .and_then(|s| u8::from_str_radix(s, 16).ok())
        })
        .collect()
}

/// The ECHONET Lite frame of a decoded record, rebuilt from its fields (the trace keeps the
/// record, not the bytes).
fn frame_of(e: &logdecode::EchonetFields) -> Option<Vec<u8>> {
    if e.raw.is_some() || e.get_props.is_some() {
        return None;
    }
    let mut b = vec![0x10, 0x81];
    for h in [&e.tid, &e.seoj, &e.deoj, &e.esv] {
        b.extend(hex_bytes(h.as_deref()?)?);
    }
    b.push(u8::try_from(e.props.len()).ok()?);
    for p in &e.props {
        b.extend(hex_bytes(&p.epc)?);
        let edt = hex_bytes(&p.edt)?;
        b.push(u8::try_from(edt.len()).ok()?);
        b.extend(edt);
    }
    Some(b)
}

/// What a trace line says, decoded: its ECHONET frames in `lang`, the name and fields of a J11
/// frame, the meaning of a dongle event or failure.
fn note(t: &TraceItem, lang: Lang) -> String {
    let mut out: Vec<String> = Vec::new();
    let recs: Vec<Record> = t
        .decoded
        .iter()
        .filter_map(|d| Record::from_json(d).ok())
        .collect();
    if recs.is_empty() && matches!(t.dir.as_deref(), Some("frame_in" | "frame_out")) {
        // A frame of the engine's, as hex: decode it in the user's language.
        if let Some(bytes) = hex_bytes(&t.text) {
            out.extend(pretty::render(&bytes, lang));
        }
    }
    for r in &recs {
        match &r.body {
            Body::Echonet(e) => match frame_of(e) {
                Some(bytes) => out.extend(pretty::render(&bytes, lang)),
                None => out.push(format!("{} {}", r.name, e.error.as_deref().unwrap_or(""))),
            },
            Body::J11(f) => {
                let mut s = r.name.clone();
                for (k, v) in f.iter() {
                    if let Some(v) = v
                        .as_str()
                        .filter(|_| !matches!(k.as_str(), "code" | "message"))
                    {
                        s.push_str(&format!(" {k}={v}"));
                    } else if let Some(n) = v.as_i64() {
                        s.push_str(&format!(" {k}={n}"));
                    }
                }
                out.push(s);
            }
            Body::Event(_) | Body::Reply(_) => {
                if let Some(m) = r.field("meaning") {
                    out.push(m.replace('_', " "));
                }
            }
            _ => {}
        }
    }
    out.truncate(NOTE_LINES);
    out.join("\n")
}

fn mode_key(m: &str) -> Option<&'static str> {
    let m = m.to_ascii_lowercase();
    if m.contains("hex") {
        Some("hex")
    } else if m.contains("binary") {
        Some("binary")
    } else {
        None
    }
}

impl StoryView {
    /// The story of a support bundle in `lang`, with its support line and notes.
    pub fn of_bundle(b: &Bundle, lang: Lang) -> StoryView {
        let notes: Vec<(i64, &str)> = b
            .notes
            .iter()
            .map(|n| (i64::try_from(n.ms).unwrap_or(i64::MAX), n.text.as_str()))
            .collect();
        Self::new(
            &Story::from_bundle(b),
            lang,
            Some(b.app_version.as_str()),
            &notes,
        )
    }

    /// The story of a log pasted from any program, in `lang`.
    pub fn of_log(log: &[u8], lang: Lang) -> StoryView {
        Self::new(&Story::from_log(log), lang, None, &[])
    }

    /// Lay out `story` in `lang`; `app_version` (a bundle's) gives the support line, `notes`
    /// are the bundle's (engine time, text).
    fn new(s: &Story, lang: Lang, app_version: Option<&str>, notes: &[(i64, &str)]) -> StoryView {
        let t0 = s
            .phases
            .iter()
            .filter_map(|p| p.start_ms)
            .chain(s.trace.iter().filter_map(|t| t.ms))
            .min()
            .unwrap_or(0);
        let at = |ms: Option<i64>, line: Option<usize>| match (ms, line) {
            (Some(ms), _) => clock(ms - t0),
            (None, Some(l)) => format!("L{l}"),
            (None, None) => String::new(),
        };
        let failed = s.triage.as_ref().is_some_and(|t| !t.recovered);
        let n = s.phases.len();
        let phases = s
            .phases
            .iter()
            .enumerate()
            .map(|(i, p)| PhaseRow {
                at: at(p.start_ms, p.line),
                label: p.label.get(lang).to_string(),
                duration: p.duration_ms.map(|d| duration(d, lang)).unwrap_or_default(),
                mark: if i + 1 == n {
                    Mark::Last
                } else if failed && i + 2 == n && s.phases[n - 1].phase == "stopped" {
                    Mark::Failed
                } else if matches!(
                    p.phase.as_str(),
                    "re_authenticating" | "reconnecting" | "tx_limited"
                ) {
                    Mark::Recovery
                } else {
                    Mark::Done
                },
            })
            .collect();
        let triage = s.triage.as_ref().map(|t| TriageRow {
            code: t.code.clone(),
            cause: t.cause.get(lang).to_string(),
            fix: t.fix.get(lang).to_string(),
            at: t.at_ms.map(|m| clock(m - t0)).unwrap_or_default(),
            recovered: t.recovered,
        });
        let d = &s.dongle;
        let m = &s.meter;
        let facts = [
            ("family", d.family.clone()),
            (
                "dialect",
                d.dialect
                    .as_deref()
                    .map(|x| texts::dialect(x).get(lang).to_string()),
            ),
            ("firmware", d.firmware.clone()),
            (
                "mode",
                d.erxudp_mode
                    .as_deref()
                    .and_then(mode_key)
                    .map(String::from),
            ),
            ("class", m.class.clone()),
            ("release", m.release.clone()),
            ("maker", m.maker.clone()),
            ("serial", m.serial.clone()),
        ]
        .into_iter()
        .filter_map(|(key, v)| {
            v.filter(|v| !v.is_empty()).map(|value| Fact {
                key: key.into(),
                value,
            })
        })
        .collect();
        let scans = s
            .scans
            .iter()
            .map(|sc| ScanRow {
                at: at(sc.start_ms, sc.line),
                duration: match (sc.start_ms, sc.end_ms) {
                    (Some(a), Some(b)) if b >= a => duration(b - a, lang),
                    _ => String::new(),
                },
                exponent: sc.duration.map(|d| d.to_string()).unwrap_or_default(),
                pans: sc
                    .pans
                    .iter()
                    .map(|p| PanRow {
                        channel: p.channel.clone(),
                        pan_id: p.pan_id.clone().unwrap_or_default(),
                        lqi: p.lqi.map(|l| l.to_string()).unwrap_or_default(),
                        rssi: p.rssi_dbm.map(texts::signed).unwrap_or_default(),
                        matched: p.pair_id_match,
                    })
                    .collect(),
            })
            .collect();
        let trace = s
            .trace
            .iter()
            .map(|t| TraceRow {
                at: at(t.ms, t.line),
                kind: t.kind,
                dir: match t.dir.as_deref() {
                    Some("sent" | "frame_out") => "→",
                    Some("received" | "frame_in") => "←",
                    _ => "",
                }
                .into(),
                text: t.text.clone(),
                note: note(t, lang),
            })
            .collect();
        StoryView {
            source: s.source,
            outcome: s.outcome,
            summary: s.summary.get(lang).to_string(),
            support: app_version
                .map(|v| SupportLine::from_story(s, v).text(lang))
                .unwrap_or_default(),
            phases,
            triage,
            facts,
            signal: signal(s, t0),
            scans,
            trace,
            notes: notes
                .iter()
                .map(|(ms, text)| NoteRow {
                    at: clock(ms.saturating_sub(t0)),
                    text: (*text).to_string(),
                })
                .collect(),
        }
    }
}

/// The signal plot: the measurements in time order (by index when the times are not known),
/// averaged into at most [`PLOT_POINTS`] points.
fn signal(s: &Story, t0: i64) -> Option<SignalRow> {
    let samples: Vec<(Option<i64>, i64)> = s
        .signal
        .iter()
        .filter_map(|x| x.rssi_dbm.map(|r| (x.ms, r)))
        .collect();
    let (first, last) = (samples.first()?, samples.last()?);
    let timed = samples.iter().all(|x| x.0.is_some());
    let n = samples.len();
    let x_of = |i: usize, ms: Option<i64>| -> i64 {
        match (timed, first.0, last.0, ms) {
            (true, Some(a), Some(b), Some(m)) if b > a => (m - a) * PLOT_W / (b - a),
            _ if n > 1 => i as i64 * PLOT_W / (n as i64 - 1),
            _ => PLOT_W / 2,
        }
    };
    // Buckets of equal width on the x axis; each draws its mean.
    let mut buckets: Vec<(i64, i64, i64)> = vec![(0, 0, 0); PLOT_POINTS];
    for (i, (ms, r)) in samples.iter().enumerate() {
        let x = x_of(i, *ms);
        let k = usize::try_from(x * (PLOT_POINTS as i64 - 1) / PLOT_W.max(1))
            .unwrap_or(0)
            .min(PLOT_POINTS - 1);
        let b = &mut buckets[k];
        b.0 += x;
        b.1 += r;
        b.2 += 1;
    }
    let points: Vec<String> = buckets
        .iter()
        .filter(|b| b.2 > 0)
        .map(|b| format!("{},{}", b.0 / b.2, plot_y(b.1.div_euclid(b.2))))
        .collect();
    let rssi = samples.iter().map(|x| x.1);
    let when = |ms: Option<i64>| ms.map(|m| clock(m - t0)).unwrap_or_default();
    Some(SignalRow {
        points: points.join(" "),
        count: n,
        min: rssi.clone().min()?,
        max: rssi.max()?,
        last: last.1,
        from: when(first.0),
        to: when(last.0),
    })
}

pub mod html;
mod words;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_and_durations() {
        assert_eq!(clock(5_200), "0:05.2");
        assert_eq!(clock(65_000), "1:05.0");
        assert_eq!(clock(3_723_000), "1:02:03");
        assert_eq!(duration(5_230, Lang::Ja), "5.2秒");
        assert_eq!(duration(65_000, Lang::Ja), "1分5秒");
        assert_eq!(duration(65_000, Lang::En), "1 min 5 s");
        assert_eq!(duration(3_720_000, Lang::En), "1 h 2 min");
        assert_eq!(plot_y(-40), 0);
        assert_eq!(plot_y(-110), PLOT_H);
        assert_eq!(plot_y(-200), PLOT_H);
        assert_eq!(hex_bytes("10810A"), Some(vec![0x10, 0x81, 0x0A]));
        assert_eq!(hex_bytes("108"), None);
        assert_eq!(hex_bytes("zz"), None);
    }

    /// A log of a wrong password: a scan that heard the meter, two refusals, with timestamps
    /// and a frame.
    const LOG: &str = "2026-11-26 09:00:00.000 >> \"SKSCAN 2 FFFFFFFF 6 0\"\n\
        2026-11-26 09:00:00.010 << OK\n\
        2026-11-26 09:00:04.000 << EPANDESC\n\
        2026-11-26 09:00:04.001 <<   Channel:3B\n\
        2026-11-26 09:00:04.002 <<   Channel Page:09\n\
        2026-11-26 09:00:04.003 <<   Pan ID:6393\n\
        2026-11-26 09:00:04.004 <<   Addr:001C640003DD6393\n\
        2026-11-26 09:00:04.005 <<   LQI:85\n\
        2026-11-26 09:00:04.006 <<   PairID:00F6D114\n\
        2026-11-26 09:00:10.000 << EVENT 22 FE80:0000:0000:0000:021C:6400:03DD:6393 0\n\
        2026-11-26 09:00:11.000 >> SKJOIN FE80:0000:0000:0000:021C:6400:03DD:6393\n\
        2026-11-26 09:00:20.000 << EVENT 24 FE80:0000:0000:0000:021C:6400:03DD:6393 0\n\
        2026-11-26 09:00:21.000 >> SKJOIN FE80:0000:0000:0000:021C:6400:03DD:6393\n\
        2026-11-26 09:00:30.000 << EVENT 24 FE80:0000:0000:0000:021C:6400:03DD:6393 0\n\
        2026-11-26 09:00:31.000 RX: 10 81 00 01 02 88 01 05 FF 01 72 01 E7 04 00 00 05 78\n";

    #[test]
    fn a_pasted_log_is_laid_out_in_both_languages() {
        let ja = StoryView::of_log(LOG.as_bytes(), Lang::Ja);
        let en = StoryView::of_log(LOG.as_bytes(), Lang::En);
        assert_eq!(ja.source, Source::Log);
        assert!(
            ja.summary.contains("認証が2回拒否されました。"),
            "{}",
            ja.summary
        );
        assert!(en.summary.contains("refused twice"), "{}", en.summary);
        assert!(ja.support.is_empty());
        let t = ja.triage.as_ref().unwrap();
        assert_eq!((t.code.as_str(), t.recovered), ("BR-30", false));
        assert!(t.fix.contains("パスワード"));
        // Times from the start of the log, durations in words.
        assert_eq!(ja.phases[0].at, "0:00.0");
        assert_eq!(ja.phases[0].label, "メーターの探索");
        assert_eq!(ja.phases[0].duration, "11.0秒");
        assert_eq!(en.phases[0].duration, "11.0 s");
        assert_eq!(ja.phases.last().unwrap().mark, Mark::Last);
        assert_eq!(ja.phases[ja.phases.len() - 2].mark, Mark::Failed);
        // The scan with the PAN heard.
        let pan = &ja.scans[0].pans[0];
        assert_eq!((pan.channel.as_str(), pan.pan_id.as_str()), ("3B", "6393"));
        assert_eq!(pan.lqi, "133");
        assert_eq!(ja.scans[0].exponent, "6");
        // The frame decoded in each language.
        let frame = |v: &StoryView| {
            v.trace
                .iter()
                .find(|t| t.kind == TraceKind::Echonet)
                .map(|t| t.note.clone())
                .unwrap_or_default()
        };
        assert!(frame(&ja).contains("瞬時電力計測値"), "{}", frame(&ja));
        assert!(frame(&en).contains("Instantaneous power"), "{}", frame(&en));
        assert!(ja.trace.iter().any(|t| t.kind == TraceKind::Error));
        assert!(ja
            .trace
            .iter()
            .any(|t| t.kind == TraceKind::Command && t.dir == "→"));
        let sig = ja.signal.as_ref().unwrap();
        assert_eq!((sig.count, sig.last), (1, sig.min));
        // As HTML, in each language.
        let h = html::StoryHtml::of(&ja, Lang::Ja);
        assert!(h.head.contains("認証が2回拒否されました。"));
        assert!(h
            .head
            .contains(r#"<strong data-testid="story-code">BR-30</strong>"#));
        assert!(h.head.contains("<td>11.0秒</td>"));
        assert!(h.head.contains(">ここで失敗</td>"), "{}", h.head);
        assert!(h.tables[0].contains("瞬時電力計測値"));
        let h = html::StoryHtml::of(&en, Lang::En);
        assert!(h.head.contains("refused twice"));
        assert!(h.head.contains("<td>11.0 s</td>"));
        assert!(h.tables[0].contains("Instantaneous power"));
    }
}
