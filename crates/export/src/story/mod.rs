//! The story of a session, for support staff: what happened, in order, with the cause and the
//! fix — built from a support bundle ([`Story::from_bundle`]) or from a log pasted from any
//! program ([`Story::from_log`], through the `logdecode` crate).
//!
//! A [`Story`] holds the phases with their start times and durations, the triage result (code,
//! cause and fix in Japanese and English, [`crate::texts`]), the dongle and meter facts, the
//! signal over time, the scans with every PAN heard, the trace with a kind per line for
//! filtering, and a plain-language summary in both languages. Pure and serde-serialisable: the
//! app builds it in a Web Worker and renders its JSON; `broute bundle show` prints it.
//!
//! ```
//! let log = b"SKSCAN 2 FFFFFFFF 6\r\nOK\r\nEVENT 20 FE80:0000:0000:0000:021C:6400:03DD:6393\r\n\
//! EPANDESC\r\n  Channel:3B\r\n  Channel Page:09\r\n  Pan ID:6393\r\n  Addr:001C640003DD6393\r\n\
//! LQI:85\r\n  PairID:00F6D114\r\nEVENT 22 FE80:0000:0000:0000:021C:6400:03DD:6393\r\n\
//! SKJOIN FE80:0000:0000:0000:021C:6400:03DD:6393\r\nOK\r\n\
//! EVENT 24 FE80:0000:0000:0000:021C:6400:03DD:6393\r\n\
//! SKJOIN FE80:0000:0000:0000:021C:6400:03DD:6393\r\nOK\r\n\
//! EVENT 24 FE80:0000:0000:0000:021C:6400:03DD:6393\r\n";
//! let story = export::story::Story::from_log(log);
//! assert_eq!(story.triage.as_ref().unwrap().code, "BR-30");
//! assert_eq!(
//!     story.summary.en,
//!     "The meter was found on channel 3B at \u{2212}68 dBm. Authentication was refused twice. \
//!      The meter refused authentication. Check the password (upper and lower case matter). \
//!      The app stopped after two refusals so the meter does not lock you out. While this page \
//!      is open, it will not connect with the same password again until you correct it or \
//!      confirm one more try."
//! );
//! ```

mod bundle;
mod infer;
mod summary;

use serde::{Deserialize, Serialize};

use crate::texts::{Lang, Localized};

/// Version of the story's JSON shape.
pub const STORY_VERSION: u32 = 1;

/// Where a story came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A support bundle (the engine's own phases, causes and scans).
    Bundle,
    /// A pasted log (phases and causes inferred from commands and events).
    Log,
}

/// How the session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The meter was read.
    Reading,
    /// Stopped on a cause that needs the user.
    Stopped,
    /// Neither (the log ends before either).
    Unfinished,
}

/// A phase with when it started and how long it lasted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseSpan {
    /// Stable name (`expect_scan`, `reading`, …; `broute::Phase::name()`).
    pub phase: String,
    /// For people.
    pub label: Localized,
    /// Start, ms (engine time in a bundle; the log's own clock in a log); `null` when the log
    /// has no times.
    pub start_ms: Option<i64>,
    /// How long, ms; `null` for the last phase or without times.
    pub duration_ms: Option<i64>,
    /// First log line of the phase (logs only).
    #[serde(default)]
    pub line: Option<usize>,
}

/// The triage result: the support code with its cause and fix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triage {
    /// Support code (`BR-30`).
    pub code: String,
    /// Stable name (`auth_refused`).
    pub name: String,
    /// The cause.
    pub cause: Localized,
    /// The fix.
    pub fix: Localized,
    /// When, ms.
    pub at_ms: Option<i64>,
    /// It cleared later (the session came back by itself).
    pub recovered: bool,
}

/// What is known about the dongle.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DongleFacts {
    /// Product family.
    pub family: Option<String>,
    /// `single_hop`, `dual_stack` or `j11`.
    pub dialect: Option<String>,
    /// Firmware (`EVER 1.2.10`, `EAPPVER rev26e`, `J11 1.3 rev 158A`).
    pub firmware: Option<String>,
    /// How ERXUDP data arrives (SKSTACK).
    pub erxudp_mode: Option<String>,
}

/// What is known about the meter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeterFacts {
    /// `low_voltage` or `high_voltage`.
    pub class: Option<String>,
    /// Appendix release letter.
    pub release: Option<String>,
    /// Maker code.
    pub maker: Option<String>,
    /// Production number (masked in bundles).
    pub serial: Option<String>,
}

/// One signal measurement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignalSample {
    /// When, ms.
    pub ms: Option<i64>,
    /// Log line.
    pub line: Option<usize>,
    /// dBm (measured, or estimated from the LQI).
    pub rssi_dbm: Option<i64>,
    /// Link quality (SKSTACK scans).
    pub lqi: Option<u8>,
    /// Where it came from: `scan`, `packet`, `link`.
    pub source: String,
}

/// A PAN heard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pan {
    /// Channel, as the dongle numbers it (hex for SKSTACK, decimal for J11).
    pub channel: String,
    /// PAN ID, hex.
    pub pan_id: Option<String>,
    /// Link quality.
    pub lqi: Option<u8>,
    /// Signal, dBm.
    pub rssi_dbm: Option<i64>,
    /// Its Pairing ID matches the B-route ID (`null`: not known).
    pub pair_id_match: Option<bool>,
}

/// One scan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan {
    /// Start, ms.
    pub start_ms: Option<i64>,
    /// End, ms.
    pub end_ms: Option<i64>,
    /// Duration exponent.
    pub duration: Option<u8>,
    /// Log line of the scan command.
    pub line: Option<usize>,
    /// Every PAN heard.
    pub pans: Vec<Pan>,
}

/// What a trace line is, for filtering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceKind {
    /// A command (SKSTACK command, J11 request).
    Command,
    /// A reply or event from the dongle.
    Event,
    /// An ECHONET Lite frame.
    Echonet,
    /// A failure (`FAIL`, EVENT 24, a J11 error result, an unreadable line, a cause).
    Error,
    /// Anything else.
    Other,
}

/// One line of the trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceItem {
    /// When, ms.
    pub ms: Option<i64>,
    /// Log line.
    pub line: Option<usize>,
    /// For filtering.
    pub kind: TraceKind,
    /// `sent`, `received`, `echo`, `frame_in`, `frame_out`.
    pub dir: Option<String>,
    /// The line (redacted).
    pub text: String,
    /// Its decoded records (JSON lines, schema of `docs/decode.md`).
    pub decoded: Vec<String>,
}

/// Authentication attempts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthFacts {
    /// PANA started.
    pub attempts: u32,
    /// Refused (EVENT 24, J11 0x6028 02).
    pub refused: u32,
    /// Succeeded at least once.
    pub connected: bool,
}

/// Readings seen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadingFacts {
    /// Answers with meter data.
    pub count: u64,
    /// Last instantaneous power, W.
    pub last_power_w: Option<String>,
}

/// The story of a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Story {
    /// [`STORY_VERSION`].
    pub story_version: u32,
    /// Bundle or log.
    pub source: Source,
    /// How it ended.
    pub outcome: Outcome,
    /// Phases in order.
    pub phases: Vec<PhaseSpan>,
    /// The triage result (the last cause; `null` when nothing went wrong).
    pub triage: Option<Triage>,
    /// The dongle.
    pub dongle: DongleFacts,
    /// The meter.
    pub meter: MeterFacts,
    /// Signal over time.
    pub signal: Vec<SignalSample>,
    /// Scans with every PAN heard.
    pub scans: Vec<Scan>,
    /// Authentication.
    pub auth: AuthFacts,
    /// Readings.
    pub readings: ReadingFacts,
    /// The trace.
    pub trace: Vec<TraceItem>,
    /// What happened, in plain words.
    pub summary: Localized,
}

impl Story {
    /// The story of a pasted log (any program's format, see `docs/decode.md`).
    pub fn from_log(log: &[u8]) -> Story {
        infer::from_log(log)
    }

    /// The story of a support bundle.
    pub fn from_bundle(b: &crate::Bundle) -> Story {
        bundle::from_bundle(b)
    }

    /// As pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The summary and a compact timeline as text (what `broute bundle show` prints).
    pub fn to_text(&self, lang: Lang) -> String {
        summary::text(self, lang)
    }
}
