//! What crosses `postMessage` between the page and the worker.
//!
//! * page → worker: a request as text (`"<id> <op>"`, argument lines, then a body), with the
//!   binary part of a [`Request::BuildBundle`] next to it; or a bare `Uint8Array` — bytes the app
//!   wrote to the demo dongle.
//! * worker → page: [`READY`] once it listens; a reply (`"<id> ok"` or `"<id> err"`, then the
//!   body); or a bare `Uint8Array` — bytes the demo dongle sent.
//!
//! Both sides use this module, so the format has one home.

use export::story::{Source, TraceKind};
use export::{Lang, Scaling};

use crate::story_view::html::{kind_key, kind_of_key};

/// The worker's loader shim (Trunk's `data-loader-shim`), relative to `index.html`.
pub const LOADER_URL: &str = "./broute-worker_loader.js";

/// Posted by the worker once its message handler is installed.
pub const READY: &str = "ready";

/// A job for the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Become the demo dongle for a preset (see [`crate::demo::scenario`]); `speed` scales the
    /// virtual clock.
    Start {
        /// `[dialect+]scenario`.
        preset: String,
        /// 1 = real time.
        speed: u32,
    },
    /// The port was opened: deliver what the device says.
    Open,
    /// The port was closed: keep what the device says until it opens again.
    Close,
    /// Pull the plug.
    Unplug,
    /// Become the live session (`crate::session`): the bare `Uint8Array`s that follow, both
    /// ways, are its messages.
    Session,
    /// Test hook: what the meter measured over the last `lookback_ms` (JSON).
    Truth {
        /// Window, virtual ms.
        lookback_ms: u64,
    },
    /// Test hook: the meter's normal-direction register at virtual time `at_ms`.
    CountAt {
        /// Virtual ms since the demo started.
        at_ms: u64,
    },
    /// Test hook: how many join requests the app has written to the demo dongle.
    Joins,
    /// "Paste a log": decode a serial log to JSON lines.
    DecodeLog {
        /// The pasted text.
        text: String,
    },
    /// Render an ECHONET Lite frame as text lines (the trace console).
    RenderFrame {
        /// Language of the lines.
        lang: Lang,
        /// The meter's D3 coefficient and E1 unit code, when known (kWh next to raw counts).
        scale: Option<(Option<u32>, u8)>,
        /// The frame, hex.
        hex: String,
    },
    /// The chart's power samples from the stored records: `"<t_ms> <watts>"` lines.
    Samples {
        /// Stored records, one JSON object per line.
        records: String,
    },
    /// The story of a pasted log, laid out for the page (`crate::story_view`).
    LogStory {
        /// Language of the texts.
        lang: Lang,
        /// The log as pasted.
        text: String,
    },
    /// Open a support bundle (the file's bytes, at most [`export::bundle::MAX_BUNDLE_BYTES`]) and
    /// lay out its story (`crate::story_view`); a failure is a [`BundleProblem`] in its text form.
    OpenBundle {
        /// Language of the texts.
        lang: Lang,
        /// The file's bytes (the page attaches them without copying them into its own memory).
        bytes: Vec<u8>,
    },
    /// A page of the trace of the story last laid out from a `source` (by [`Request::LogStory`]
    /// or [`Request::OpenBundle`]): the trace table's HTML
    /// (`crate::story_view::html::trace_table`).
    StoryTrace {
        /// The bundle's story or the log's.
        source: Source,
        /// Language of the texts.
        lang: Lang,
        /// The kind of lines (`None`: all).
        kind: Option<TraceKind>,
        /// How many lines.
        shown: usize,
    },
    /// Build a support bundle from the session's input log.
    BuildBundle(BundleJob),
    /// The readings CSV.
    ReadingsCsv {
        /// Header language.
        lang: Lang,
        /// High-voltage columns.
        hv: bool,
        /// Meter maker column.
        maker: Option<String>,
        /// Meter serial-number column.
        serial: Option<String>,
        /// Stored records, one JSON object per line.
        records: String,
    },
    /// The meter-history CSV.
    HistoryCsv {
        /// Header language.
        lang: Lang,
        /// The meter's scaling.
        scaling: Scaling,
        /// Stored days, one JSON object per line.
        days: String,
    },
    /// The granularity diagnosis, in words.
    Granularity {
        /// Language of the text.
        lang: Lang,
        /// The meter's scaling.
        scaling: Scaling,
        /// Stored records, one JSON object per line.
        records: String,
    },
    /// The per-minute table as CSV.
    MinuteCsv {
        /// Header language.
        lang: Lang,
        /// The meter's scaling.
        scaling: Scaling,
        /// Stored records, one JSON object per line.
        records: String,
    },
}

/// Everything the worker needs to build a support bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleJob {
    /// Language of decoded lines.
    pub lang: Lang,
    /// The app's version.
    pub app_version: String,
    /// Wall-clock time of the request, epoch ms.
    pub created_ms: i64,
    /// Wall-clock time of engine time 0, epoch ms.
    pub epoch_ms: i64,
    /// The B-route ID as typed (normalised): given to the replay and hidden everywhere.
    pub id: String,
    /// The password as typed (normalised): given to the replay and hidden everywhere.
    pub password: String,
    /// `broute::replay::InputLog::encode` of the session.
    pub log: Vec<u8>,
}

fn lang_code(l: Lang) -> &'static str {
    match l {
        Lang::Ja => "ja",
        Lang::En => "en",
    }
}

fn lang_of(s: &str) -> Option<Lang> {
    match s {
        "ja" => Some(Lang::Ja),
        "en" => Some(Lang::En),
        _ => None,
    }
}

fn source_code(s: Source) -> &'static str {
    match s {
        Source::Bundle => "bundle",
        Source::Log => "log",
    }
}

fn source_of(s: &str) -> Option<Source> {
    match s {
        "bundle" => Some(Source::Bundle),
        "log" => Some(Source::Log),
        _ => None,
    }
}

/// One line, whatever it held (arguments are line-separated).
fn line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

fn opt(s: &Option<String>) -> String {
    s.as_deref()
        .map_or_else(String::new, |v| format!("={}", line(v)))
}

fn unopt(s: &str) -> Option<Option<String>> {
    match s {
        "" => Some(None),
        _ => s.strip_prefix('=').map(|v| Some(v.to_string())),
    }
}

impl Request {
    /// Text (and binary part) of this request with reply id `id`.
    pub fn encode(&self, id: u32) -> (String, Option<Vec<u8>>) {
        let scaling = |s: &Scaling| serde_json::to_string(s).unwrap_or_default();
        let (op, args, body, bytes): (&str, Vec<String>, &str, Option<Vec<u8>>) = match self {
            Request::Start { preset, speed } => {
                ("start", vec![line(preset), speed.to_string()], "", None)
            }
            Request::Open => ("open", vec![], "", None),
            Request::Close => ("close", vec![], "", None),
            Request::Unplug => ("unplug", vec![], "", None),
            Request::Session => ("session", vec![], "", None),
            Request::Truth { lookback_ms } => ("truth", vec![lookback_ms.to_string()], "", None),
            Request::CountAt { at_ms } => ("count", vec![at_ms.to_string()], "", None),
            Request::Joins => ("joins", vec![], "", None),
            Request::DecodeLog { text } => ("decode-log", vec![], text, None),
            Request::LogStory { lang, text } => {
                ("log-story", vec![lang_code(*lang).into()], text, None)
            }
            Request::OpenBundle { lang, bytes } => (
                "open-bundle",
                vec![lang_code(*lang).into()],
                "",
                Some(bytes.clone()),
            ),
            Request::StoryTrace {
                source,
                lang,
                kind,
                shown,
            } => (
                "story-trace",
                vec![
                    source_code(*source).into(),
                    lang_code(*lang).into(),
                    kind_key(*kind).into(),
                    shown.to_string(),
                ],
                "",
                None,
            ),
            Request::RenderFrame { lang, scale, hex } => {
                let scale = match scale {
                    None => String::new(),
                    Some((c, u)) => {
                        format!("{} {u}", c.map_or_else(String::new, |c| c.to_string()))
                    }
                };
                (
                    "render-frame",
                    vec![lang_code(*lang).into(), scale],
                    hex,
                    None,
                )
            }
            Request::Samples { records } => ("samples", vec![], records, None),
            Request::BuildBundle(j) => (
                "build-bundle",
                vec![
                    lang_code(j.lang).into(),
                    line(&j.app_version),
                    j.created_ms.to_string(),
                    j.epoch_ms.to_string(),
                    line(&j.id),
                    line(&j.password),
                ],
                "",
                Some(j.log.clone()),
            ),
            Request::ReadingsCsv {
                lang,
                hv,
                maker,
                serial,
                records,
            } => (
                "readings-csv",
                vec![
                    lang_code(*lang).into(),
                    u8::from(*hv).to_string(),
                    opt(maker),
                    opt(serial),
                ],
                records,
                None,
            ),
            Request::HistoryCsv {
                lang,
                scaling: s,
                days,
            } => (
                "history-csv",
                vec![lang_code(*lang).into(), scaling(s)],
                days,
                None,
            ),
            Request::Granularity {
                lang,
                scaling: s,
                records,
            } => (
                "granularity",
                vec![lang_code(*lang).into(), scaling(s)],
                records,
                None,
            ),
            Request::MinuteCsv {
                lang,
                scaling: s,
                records,
            } => (
                "minute-csv",
                vec![lang_code(*lang).into(), scaling(s)],
                records,
                None,
            ),
        };
        let mut text = format!("{id} {op}\n");
        for a in args {
            text.push_str(&a);
            text.push('\n');
        }
        text.push_str(body);
        (text, bytes)
    }

    /// Parse what [`Request::encode`] made: the reply id and the request. `None` for anything
    /// malformed.
    pub fn decode(text: &str, bytes: Option<Vec<u8>>) -> Option<(u32, Request)> {
        let (head, mut rest) = text.split_once('\n').unwrap_or((text, ""));
        let (id, op) = head.split_once(' ')?;
        let id: u32 = id.parse().ok()?;
        let mut arg = || -> Option<&str> {
            let (a, r) = rest.split_once('\n')?;
            rest = r;
            Some(a)
        };
        let req = match op {
            "start" => Request::Start {
                preset: arg()?.to_string(),
                speed: arg()?.parse().ok()?,
            },
            "open" => Request::Open,
            "close" => Request::Close,
            "unplug" => Request::Unplug,
            "session" => Request::Session,
            "truth" => Request::Truth {
                lookback_ms: arg()?.parse().ok()?,
            },
            "count" => Request::CountAt {
                at_ms: arg()?.parse().ok()?,
            },
            "joins" => Request::Joins,
            "decode-log" => Request::DecodeLog {
                text: rest.to_string(),
            },
            "log-story" => Request::LogStory {
                lang: lang_of(arg()?)?,
                text: rest.to_string(),
            },
            "open-bundle" => Request::OpenBundle {
                lang: lang_of(arg()?)?,
                bytes: bytes?,
            },
            "story-trace" => Request::StoryTrace {
                source: source_of(arg()?)?,
                lang: lang_of(arg()?)?,
                kind: kind_of_key(arg()?)?,
                shown: arg()?.parse().ok()?,
            },
            "render-frame" => {
                let lang = lang_of(arg()?)?;
                let scale = match arg()? {
                    "" => None,
                    s => {
                        let (c, u) = s.split_once(' ')?;
                        let c = if c.is_empty() {
                            None
                        } else {
                            Some(c.parse().ok()?)
                        };
                        Some((c, u.parse().ok()?))
                    }
                };
                Request::RenderFrame {
                    lang,
                    scale,
                    hex: rest.to_string(),
                }
            }
            "samples" => Request::Samples {
                records: rest.to_string(),
            },
            "build-bundle" => Request::BuildBundle(BundleJob {
                lang: lang_of(arg()?)?,
                app_version: arg()?.to_string(),
                created_ms: arg()?.parse().ok()?,
                epoch_ms: arg()?.parse().ok()?,
                id: arg()?.to_string(),
                password: arg()?.to_string(),
                log: bytes?,
            }),
            "readings-csv" => {
                let lang = lang_of(arg()?)?;
                let hv = arg()? == "1";
                let maker = unopt(arg()?)?;
                let serial = unopt(arg()?)?;
                Request::ReadingsCsv {
                    lang,
                    hv,
                    maker,
                    serial,
                    records: rest.to_string(),
                }
            }
            "history-csv" | "granularity" | "minute-csv" => {
                let lang = lang_of(arg()?)?;
                let scaling: Scaling = serde_json::from_str(arg()?).ok()?;
                let body = rest.to_string();
                match op {
                    "history-csv" => Request::HistoryCsv {
                        lang,
                        scaling,
                        days: body,
                    },
                    "granularity" => Request::Granularity {
                        lang,
                        scaling,
                        records: body,
                    },
                    _ => Request::MinuteCsv {
                        lang,
                        scaling,
                        records: body,
                    },
                }
            }
            _ => return None,
        };
        Some((id, req))
    }
}

/// Why a support bundle did not open, as the page explains it (in the user's language). Never
/// carries anything of the file but its size class and a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BundleProblem {
    /// Larger than [`export::bundle::MAX_BUNDLE_BYTES`].
    TooLarge,
    /// Not UTF-8 text (1-based line of the first bad byte).
    NotText(usize),
    /// Not JSON, or JSON of another shape (1-based line of the problem).
    NotBundle(usize),
    /// The file ends in the middle.
    Truncated,
    /// Made by a newer version of the app.
    Version(u32),
}

impl BundleProblem {
    /// The problem of an error from [`export::Bundle::from_bytes`].
    pub fn from_error(e: &export::BundleError) -> Self {
        use export::{BundleError, InvalidKind};
        match e {
            BundleError::TooLarge(_) => Self::TooLarge,
            BundleError::Version(v) => Self::Version(*v),
            BundleError::Invalid(i) => match i.kind {
                InvalidKind::Encoding => Self::NotText(i.line),
                InvalidKind::Truncated => Self::Truncated,
                _ => Self::NotBundle(i.line),
            },
        }
    }

    /// The text form sent back to the page.
    pub fn encode(&self) -> String {
        match self {
            Self::TooLarge => "too-large".into(),
            Self::NotText(l) => format!("not-text {l}"),
            Self::NotBundle(l) => format!("not-bundle {l}"),
            Self::Truncated => "truncated".into(),
            Self::Version(v) => format!("version {v}"),
        }
    }

    /// Parse [`BundleProblem::encode`]'s form; `None` for anything else (e.g. the worker did
    /// not start).
    pub fn decode(s: &str) -> Option<Self> {
        let (k, n) = s.split_once(' ').unwrap_or((s, ""));
        Some(match k {
            "too-large" => Self::TooLarge,
            "not-text" => Self::NotText(n.parse().ok()?),
            "not-bundle" => Self::NotBundle(n.parse().ok()?),
            "truncated" => Self::Truncated,
            "version" => Self::Version(n.parse().ok()?),
            _ => return None,
        })
    }
}

/// A reply to request `id`.
pub fn encode_reply(id: u32, result: &Result<String, String>) -> String {
    match result {
        Ok(body) => format!("{id} ok\n{body}"),
        Err(msg) => format!("{id} err\n{msg}"),
    }
}

/// Parse a reply: its request id and result. `None` if `text` is not a reply.
pub fn decode_reply(text: &str) -> Option<(u32, Result<String, String>)> {
    let (head, body) = text.split_once('\n')?;
    let (id, status) = head.split_once(' ')?;
    let id = id.parse().ok()?;
    match status {
        "ok" => Some((id, Ok(body.to_string()))),
        "err" => Some((id, Err(body.to_string()))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(req: Request, bytes_expected: bool) {
        let (text, bytes) = req.encode(42);
        assert_eq!(bytes.is_some(), bytes_expected);
        assert_eq!(Request::decode(&text, bytes), Some((42, req)));
    }

    #[test]
    fn every_request_round_trips() {
        let scaling = Scaling {
            coefficient: Some(1),
            unit: Some(1),
            ..Scaling::default()
        };
        round(
            Request::Start {
                preset: "dual-stack+wrong-password".into(),
                speed: 25,
            },
            false,
        );
        round(Request::Open, false);
        round(Request::Close, false);
        round(Request::Unplug, false);
        round(
            Request::Truth {
                lookback_ms: 90_000,
            },
            false,
        );
        round(Request::CountAt { at_ms: 1_800_000 }, false);
        round(Request::Joins, false);
        round(
            Request::DecodeLog {
                text: "SKVER\r\nEVER 1.2.10\r\n\nOK\n".into(),
            },
            false,
        );
        for scale in [None, Some((None, 1)), Some((Some(10), 0x0A))] {
            round(
                Request::RenderFrame {
                    lang: Lang::Ja,
                    scale,
                    hex: "1081000102880105FF017201E70400000578".into(),
                },
                false,
            );
        }
        round(
            Request::Samples {
                records: "{}\n{}".into(),
            },
            false,
        );
        round(
            Request::LogStory {
                lang: Lang::En,
                text: "SKVER\r\nEVER 1.2.10\n".into(),
            },
            false,
        );
        for (source, kind) in [
            (Source::Bundle, None),
            (Source::Log, Some(TraceKind::Echonet)),
        ] {
            round(
                Request::StoryTrace {
                    source,
                    lang: Lang::En,
                    kind,
                    shown: 200,
                },
                false,
            );
        }
        round(
            Request::OpenBundle {
                lang: Lang::Ja,
                bytes: b"{\"version\":1}\n\xFF".to_vec(),
            },
            true,
        );
        round(
            Request::BuildBundle(BundleJob {
                lang: Lang::En,
                app_version: "0.1.0".into(),
                created_ms: 1_795_651_200_000,
                epoch_ms: -5,
                id: "0000004F3A210000000000000A18C3D7".into(),
                password: "K7QX3M9PA2TB".into(),
                log: vec![1, 0, 10, 0, 0],
            }),
            true,
        );
        for (maker, serial) in [
            (None, None),
            (Some("0x000016".to_string()), Some(String::new())),
        ] {
            round(
                Request::ReadingsCsv {
                    lang: Lang::Ja,
                    hv: true,
                    maker,
                    serial,
                    records: "{\"a\":1}\n{\"a\":2}".into(),
                },
                false,
            );
        }
        round(
            Request::HistoryCsv {
                lang: Lang::Ja,
                scaling,
                days: "{}\n{}".into(),
            },
            false,
        );
        round(
            Request::Granularity {
                lang: Lang::En,
                scaling,
                records: String::new(),
            },
            false,
        );
        round(
            Request::MinuteCsv {
                lang: Lang::En,
                scaling,
                records: "x".into(),
            },
            false,
        );
    }

    #[test]
    fn malformed_requests_and_replies_are_refused() {
        for junk in [
            "",
            "x",
            "1",
            "1 nope",
            "a start\ndemo\n1\n",
            "1 start\ndemo\n",
            "1 build-bundle\nja\n",
            "1 open-bundle\n",
            "1 story-trace\nlog\nen\nnope\n100\n",
            "1 story-trace\nfile\nen\nall\n100\n",
        ] {
            assert_eq!(Request::decode(junk, None), None, "{junk:?}");
        }
        assert_eq!(decode_reply("ready"), None);
        for p in [
            BundleProblem::TooLarge,
            BundleProblem::NotText(3),
            BundleProblem::NotBundle(1),
            BundleProblem::Truncated,
            BundleProblem::Version(9),
        ] {
            assert_eq!(BundleProblem::decode(&p.encode()), Some(p));
        }
        for junk in ["", "the worker did not start", "not-text", "version x"] {
            assert_eq!(BundleProblem::decode(junk), None, "{junk:?}");
        }
        assert_eq!(decode_reply("7 maybe\nx"), None);
        assert_eq!(
            decode_reply(&encode_reply(7, &Ok("a\nb".into()))),
            Some((7, Ok("a\nb".into())))
        );
        assert_eq!(
            decode_reply(&encode_reply(8, &Err("bad".into()))),
            Some((8, Err("bad".into())))
        );
    }
}
