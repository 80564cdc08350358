//! The support tools and exports that run in the worker: decode a pasted log, build support
//! bundles, the story of a bundle or a log, CSV exports and the granularity check. Each takes
//! what the page sent and returns the text to send back; bad input is an `Err` with a message,
//! never a panic.

use broute::replay::{self, InputLog, Output};
use broute::{Event, RouteBId, RouteBPassword};
use export::{Bundle, BundleBuilder, CsvOptions, HistoryDay, MeterColumns, Record, Redactor};
use export::{Lang, Scaling};

use std::cell::RefCell;

use export::story::Source;

use crate::story_view::html::{trace_table, StoryHtml};
use crate::story_view::{hex_bytes, StoryView};
use crate::wire::{BundleJob, BundleProblem, Request};

thread_local! {
    /// The last story laid out of a bundle (the Data tab's) and of a log (the Trace tab's): the
    /// pages of their traces are cut from them.
    static STORIES: RefCell<[Option<StoryView>; 2]> = const { RefCell::new([None, None]) };
}

fn slot(s: Source) -> usize {
    match s {
        Source::Bundle => 0,
        Source::Log => 1,
    }
}

/// The story `v` as HTML in `lang`, kept for its trace's pages.
fn shown(v: StoryView, lang: Lang) -> String {
    let text = StoryHtml::of(&v, lang).encode();
    let i = slot(v.source);
    STORIES.with(|s| s.borrow_mut()[i] = Some(v));
    text
}

/// Run a tool request; `None` for requests that are not tools (the demo's).
pub fn run(req: Request) -> Option<Result<String, String>> {
    Some(match req {
        Request::DecodeLog { text } => Ok(logdecode::decode_to_json_lines(text.as_bytes())),
        Request::LogStory { lang, text } => {
            Ok(shown(StoryView::of_log(text.as_bytes(), lang), lang))
        }
        Request::OpenBundle { lang, bytes } => open_bundle(&bytes, lang)
            .map(|v| shown(v, lang))
            .map_err(|p| p.encode()),
        Request::StoryTrace {
            source,
            lang,
            kind,
            shown,
        } => STORIES.with(|s| {
            s.borrow()[slot(source)]
                .as_ref()
                .map(|v| trace_table(v, lang, kind, shown))
                .ok_or_else(|| "no story".to_string())
        }),
        Request::RenderFrame { lang, scale, hex } => render_frame(lang, scale, &hex),
        Request::Samples { records } => Ok(samples(&records)),
        Request::BuildBundle(job) => build_bundle(&job),
        Request::ReadingsCsv {
            lang,
            hv,
            maker,
            serial,
            records,
        } => {
            let recs = parse_lines::<Record>(&records);
            let opts = CsvOptions {
                meter: (maker.is_some() || serial.is_some())
                    .then_some(MeterColumns { maker, serial }),
            };
            utf8(if hv {
                export::csv_readings_hv(&recs, lang, &opts)
            } else {
                export::csv_readings(&recs, lang, &opts)
            })
        }
        Request::HistoryCsv {
            lang,
            scaling,
            days,
        } => utf8(export::csv_history(
            &parse_lines::<HistoryDay>(&days),
            &scaling,
            lang,
        )),
        Request::Granularity {
            lang,
            scaling,
            records,
        } => Ok(granularity(&scaling, &records).explain(lang)),
        Request::MinuteCsv {
            lang,
            scaling,
            records,
        } => {
            let recs = parse_lines::<Record>(&records);
            let rows = export::minute_table(&export::granularity::samples(&recs), &scaling);
            utf8(export::minute_table_csv(&rows, lang))
        }
        _ => return None,
    })
}

/// An ECHONET Lite frame (hex) as the trace console shows it, one line per property.
fn render_frame(lang: Lang, scale: Option<(Option<u32>, u8)>, hex: &str) -> Result<String, String> {
    let bytes = hex_bytes(hex).ok_or("not hex")?;
    let lv_scale = scale.and_then(|(c, u)| {
        echonet::EnergyUnit::from_code(u)
            .ok()
            .map(|u| echonet::LvScale::new(c, u))
    });
    let ctx = echonet::pretty::Context { lv_scale };
    Ok(echonet::pretty::render_with(&bytes, lang, &ctx).join("\n"))
}

/// `"<t_ms> <watts>"` for each stored low-voltage reading with a power value, oldest first.
fn samples(records: &str) -> String {
    let mut out = String::new();
    for r in parse_lines::<Record>(records) {
        if r.kind != export::RecordKind::Lv {
            continue;
        }
        if let Some(w) = r.power_w.and_then(|p| p.value()) {
            out.push_str(&format!("{} {w}\n", r.t_ms));
        }
    }
    out
}

/// Values stored as one JSON object per line; lines that do not parse are skipped.
fn parse_lines<T: serde::de::DeserializeOwned>(text: &str) -> Vec<T> {
    text.lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn utf8(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

fn granularity(scaling: &Scaling, records: &str) -> export::Granularity {
    let recs = parse_lines::<Record>(records);
    export::diagnose(scaling, &export::granularity::samples(&recs))
}

/// Open a support bundle from a file's bytes: its story laid out in `lang`, or why it did not
/// open (never the file's content).
pub fn open_bundle(bytes: &[u8], lang: Lang) -> Result<StoryView, BundleProblem> {
    let b = Bundle::from_bytes(bytes).map_err(|e| BundleProblem::from_error(&e))?;
    Ok(StoryView::of_bundle(&b, lang))
}

/// Replay the session's inputs into a fresh engine and feed everything it said — serial bytes
/// both ways, phases, causes, the dongle and the meter, the figures — through the redacting
/// bundle builder. Returns the bundle's JSON.
pub fn build_bundle(job: &BundleJob) -> Result<String, String> {
    let log = InputLog::decode(&job.log).map_err(|e| e.to_string())?;
    let redactor = Redactor::new().with_credentials(&job.id, &job.password);
    let mut b = BundleBuilder::new(redactor, &job.app_version, job.created_ms).lang(job.lang);
    b.engine_epoch_ms(job.epoch_ms);
    let creds = RouteBId::new(&job.id)
        .ok()
        .zip(RouteBPassword::new(&job.password).ok());
    let mut last_ms = 0;
    let engine = replay::replay(&log, creds.as_ref().map(|(i, p)| (i, p)), |at, out| {
        let ms = at.as_millis();
        last_ms = ms;
        match out {
            Output::Received(bytes) => b.serial(ms, false, bytes),
            Output::Transmit(bytes) => b.serial(ms, true, bytes),
            // Frames are in the serial trace already, decoded there.
            Output::Event(Event::Frame { .. }) => {}
            Output::Event(ev) => b.event(ms, ev),
        }
    });
    b.figures(engine.figures());
    if log.is_full() {
        b.note(
            last_ms,
            "the session's log was full: what happened after this point is not in the bundle",
        );
    }
    Ok(b.build().to_json())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::story_view::html::{FIELD_MAX, PAGE};
    use broute::replay::{Input, Setup};
    use broute::{Config, Instant};
    use export::story::TraceKind;

    const ID: &str = sim::DEMO_ROUTE_B_ID;
    const PW: &str = sim::DEMO_PASSWORD;

    /// A recorded session against the simulator: start, credentials, then whatever the
    /// simulator says, with timeouts, for `ms` of virtual time.
    fn recorded_session(ms: u64) -> InputLog {
        let cfg = Config::default();
        let mut e = broute::Engine::new(cfg.clone());
        let mut log = InputLog::new(Setup::new(&cfg, None));
        let mut sim = sim::Sim::new(sim::Scenario::preset("demo").unwrap());
        let id = RouteBId::new(ID).unwrap();
        let pw = RouteBPassword::new(PW).unwrap();
        let drain = |e: &mut broute::Engine, sim: &mut sim::Sim, now: u64| {
            while let Some(tx) = e.poll_transmit() {
                sim.write(now, &tx);
            }
            while e.poll_event().is_some() {}
        };
        e.start(Instant(0));
        log.push(Instant(0), Input::Start);
        e.set_credentials(id, pw, Instant(0));
        log.push(Instant(0), Input::Credentials);
        drain(&mut e, &mut sim, 0);
        let mut now = 0;
        while now < ms {
            now = [e.poll_timeout().map(|t| t.as_millis()), sim.next_deadline()]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(now + 1000)
                .max(now);
            let rx = sim.read(now);
            if !rx.is_empty() {
                log.push(Instant(now), Input::Bytes(rx.clone()));
                e.handle_bytes(&rx, Instant(now));
                drain(&mut e, &mut sim, now);
            }
            if e.poll_timeout().is_some_and(|t| t.as_millis() <= now) {
                log.push(Instant(now), Input::Timeout);
                e.handle_timeout(Instant(now));
                drain(&mut e, &mut sim, now);
            }
        }
        log
    }

    #[test]
    fn built_bundle_has_the_session_and_no_secret() {
        let job = BundleJob {
            lang: Lang::En,
            app_version: "0.1.0".into(),
            created_ms: 1_795_651_200_000,
            epoch_ms: 1_795_651_100_000,
            id: ID.into(),
            password: PW.into(),
            log: recorded_session(60_000).encode(),
        };
        let json = build_bundle(&job).unwrap();
        let b = Bundle::from_json(&json).unwrap();
        assert!(
            b.phases.iter().any(|p| p.phase.as_str() == "reading"),
            "{json}"
        );
        assert!(b.dongle.is_some() && b.meter.is_some());
        assert!(b.figures.as_ref().is_some_and(|f| f.readings > 0));
        assert!(b.trace.len() > 10);
        let hex = |s: &str| s.bytes().map(|c| format!("{c:02X}")).collect::<String>();
        let up = json.to_uppercase();
        for secret in [
            ID.to_string(),
            PW.to_string(),
            hex(ID),
            hex(PW),
            ID[24..].to_string(),
        ] {
            assert!(!up.contains(&secret.to_uppercase()), "secret in the bundle");
        }
        // And the story view opens it: the session reached the readings, the support line
        // names the app, the trace has its frames decoded.
        let text = run(Request::OpenBundle {
            lang: Lang::Ja,
            bytes: json.into_bytes(),
        })
        .unwrap()
        .unwrap();
        let h = StoryHtml::decode(&text).unwrap();
        assert!(
            h.head.contains("メーターの計測まで進みました。"),
            "{}",
            h.head
        );
        assert!(h.head.contains("<th scope=\"row\">計測</th>"), "{}", h.head);
        assert!(
            !h.head.contains("<td class=\"t\"></td>"),
            "every phase has its time"
        );
        assert!(
            h.head
                .contains("<br>サポートコード なし｜手順 7/7 計測開始｜"),
            "{}",
            h.head
        );
        assert!(h.head.contains("｜アプリ 0.1.0</p>"), "{}", h.head);
        assert!(h.head.contains("<td>✓ このIDのメーター</td>"), "{}", h.head);
        assert!(h.head.contains("<dd data-testid=\"story-fact-firmware\">"));
        assert!(h.head.contains("1.2.10"));
        assert!(h.head.contains("data-testid=\"story-signal\""));
        // The trace: counts of each filter, the first page, and the pages the worker cuts from
        // the story it kept.
        assert!(
            h.counts[0] > PAGE && h.counts[1] > 0 && h.counts[3] > 0,
            "{:?}",
            h.counts
        );
        assert_eq!(h.tables[0].matches("<tr ").count(), PAGE);
        let page = |kind, shown| {
            run(Request::StoryTrace {
                source: export::story::Source::Bundle,
                lang: Lang::Ja,
                kind,
                shown,
            })
            .unwrap()
            .unwrap()
        };
        let echonet = page(Some(TraceKind::Echonet), 1000);
        assert_eq!(echonet.matches("<tr ").count(), h.counts[3]);
        assert!(echonet.contains("瞬時電力計測値"));
        assert_eq!(
            page(None, 2 * PAGE).matches("<tr ").count(),
            (2 * PAGE).min(h.counts[0])
        );
    }

    #[test]
    fn junk_is_an_error_not_a_panic() {
        // A log of junk has a story with nothing in it but its lines.
        let junk = "{not json\n\u{0}\u{FFFF}";
        let r = run(Request::LogStory {
            lang: Lang::En,
            text: junk.into(),
        });
        let h = StoryHtml::decode(&r.unwrap().unwrap()).unwrap();
        assert!(!h.head.contains("<th scope=\"row\">") && !h.head.contains("story-triage"));
        assert_eq!(h.counts[0], 2);
        // A worker that has laid out no story has no trace to cut pages from.
        let fresh = std::thread::spawn(|| {
            run(Request::StoryTrace {
                source: export::story::Source::Log,
                lang: Lang::En,
                kind: None,
                shown: 10,
            })
        });
        assert_eq!(fresh.join().unwrap(), Some(Err("no story".into())));
        // A bundle that does not read is a problem.
        let problem = |b: &[u8]| open_bundle(b, Lang::En).err();
        assert_eq!(problem(b"{not json"), Some(BundleProblem::NotBundle(1)));
        assert_eq!(
            problem(b"{\"version\": 1,\n\"app_version\": \"\xFF\"}"),
            Some(BundleProblem::NotText(2))
        );
        assert_eq!(problem(b"{\"version\": 1,"), Some(BundleProblem::Truncated));
        assert_eq!(
            problem(b"{\"version\": 99}"),
            Some(BundleProblem::Version(99))
        );
        let big = vec![b' '; export::bundle::MAX_BUNDLE_BYTES + 1];
        assert_eq!(problem(&big), Some(BundleProblem::TooLarge));
        // The reply is the problem's text form, never the file's content.
        assert_eq!(
            run(Request::OpenBundle {
                lang: Lang::Ja,
                bytes: b"{\"secret\": K7QX3M9PA2TB".to_vec()
            }),
            Some(Err("not-bundle 1".into()))
        );
        let job = BundleJob {
            lang: Lang::Ja,
            app_version: String::new(),
            created_ms: 0,
            epoch_ms: 0,
            id: String::new(),
            password: String::new(),
            log: vec![0xFF, 1, 2],
        };
        assert!(build_bundle(&job).is_err());
        assert_eq!(
            run(Request::DecodeLog {
                text: "SKVER\r\nEVER 1.2.10\r\nOK\r\n".into()
            })
            .unwrap()
            .unwrap()
            .lines()
            .count(),
            3
        );
        assert_eq!(run(Request::Open), None);
    }

    #[test]
    fn a_crafted_bundle_opens_with_every_line_cut_and_every_secret_hidden() {
        // Huge strings, 100 000 trace lines of credential keywords: opened (in linear time,
        // see export's benches), each line cut for the page.
        let keywords = "SKSETPWD C SKSETRBID SKSETPWD C K7QX3M9PA2TB";
        let line = format!(r#"{{"ms":1,"dir":"sent","text":"{keywords}"}}"#);
        let trace = vec![line.as_str(); 100_000].join(",");
        let huge = "A".repeat(4_000_000);
        let json = format!(
            r#"{{"version":1,"created_ms":0,"app_version":"{huge}","trace":[{trace}],
            "notes":[{{"ms":0,"text":"{huge}"}}]}}"#
        );
        assert!(json.len() < export::bundle::MAX_BUNDLE_BYTES);
        let v = open_bundle(json.as_bytes(), Lang::En).unwrap();
        assert_eq!(v.trace.len(), 100_000);
        let text = StoryHtml::of(&v, Lang::En).encode();
        assert!(!text.contains("K7QX3M9PA2TB"));
        let h = StoryHtml::decode(&text).unwrap();
        assert_eq!(h.counts[0], 100_000);
        assert_eq!(h.tables[0].matches("<tr ").count(), PAGE);
        // The app version is cut in the support line, the note too.
        assert!(!h.head.contains(&"A".repeat(FIELD_MAX + 1)));
        assert!(h.head.contains("(+"), "the app version is cut");
        assert!(!h.tail.contains(&"A".repeat(FIELD_MAX + 1)));
        assert!(h.tail.contains("(+3995"));
        assert!(text.len() < 100_000, "{}", text.len());
    }

    #[test]
    fn exports_read_stored_lines() {
        let rec = Record::lv(1_795_651_200_000, Some(1234), Some((92130, "9213.0")));
        let line = serde_json::to_string(&rec).unwrap();
        let csv = run(Request::ReadingsCsv {
            lang: Lang::En,
            hv: false,
            maker: Some("0x000016".into()),
            serial: None,
            records: format!("{line}\nnot json\n{line}"),
        })
        .unwrap()
        .unwrap();
        assert!(csv.starts_with('\u{FEFF}'));
        assert_eq!(csv.trim_end().split("\r\n").count(), 3, "{csv}");
        assert!(csv.contains("0x000016"));
        let scaling = Scaling {
            coefficient: Some(1),
            unit: Some(1),
            ..Scaling::default()
        };
        let text = run(Request::Granularity {
            lang: Lang::En,
            scaling,
            records: line.clone(),
        })
        .unwrap()
        .unwrap();
        assert!(!text.is_empty());
        let hist = run(Request::HistoryCsv {
            lang: Lang::Ja,
            scaling,
            days: String::new(),
        })
        .unwrap()
        .unwrap();
        assert!(hist.starts_with('\u{FEFF}'));
        let s = run(Request::Samples {
            records: format!("{line}\n{line}"),
        })
        .unwrap()
        .unwrap();
        assert_eq!(s, "1795651200000 1234\n1795651200000 1234\n");
    }

    #[test]
    fn frames_render_in_the_trace_language_with_kwh() {
        // Get_Res of E7 (1400 W) and E0 (count 92130) from a meter counting 0.1 kWh.
        let hex = "1081000102880105FF017202E70400000578E00400016 7E2".replace(' ', "");
        let ja = run(Request::RenderFrame {
            lang: Lang::Ja,
            scale: Some((None, 1)),
            hex: hex.clone(),
        })
        .unwrap()
        .unwrap();
        assert!(ja.contains("瞬時電力計測値"), "{ja}");
        assert!(ja.contains("1400"), "{ja}");
        let en = run(Request::RenderFrame {
            lang: Lang::En,
            scale: None,
            hex,
        })
        .unwrap()
        .unwrap();
        assert!(en.contains("Instantaneous power"), "{en}");
        assert!(run(Request::RenderFrame {
            lang: Lang::En,
            scale: None,
            hex: "zz".into()
        })
        .unwrap()
        .is_err());
    }
}
