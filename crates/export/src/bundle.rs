//! The support bundle: one JSON file with what a support agent needs — dongle and meter
//! identity, dialect, firmware, the phase history, causes, figures and the decoded trace —
//! and none of the user's secrets.
//!
//! **Redaction by construction.** Every piece of text in a [`Bundle`] is a [`Redacted`], made
//! only by the [`Redactor`] (the `redact` crate's rules with address hiding on, plus the user's
//! credentials) or by deserialisation (the rules again); see [`crate::redacted`]. Serial bytes
//! are cut into J11 binary frames (one trace line each: the header in hex and the length of
//! the rest, which the log decoder's records below it show decoded, addresses and credentials
//! hidden) and the text between them; the text goes through a redaction stream per direction (a J11
//! credential frame whose header is broken is only recognisable as bytes, may contain a line
//! feed and may arrive in pieces), then is split into lines, decoded, escaped, and redacted.
//!
//! Open a bundle with [`Bundle::from_json`] / [`Bundle::from_bytes`]: size-limited before
//! parsing, one linear pass of the redactor over each text, never panics, and errors that
//! carry a position and a category but never the bundle's content. Step through
//! [`Bundle::timeline`] to replay the session for the agent.

use core::fmt;

use broute::{Cause, DongleInfo, Event, Figures, MeterClass, MeterIdentity, Phase};
use logdecode::LogDecoder;
use serde::{Deserialize, Serialize};

use crate::bundle_j11::{Piece, Splitter};
use crate::record::Scaling;
use crate::Lang;

/// Format version written by this crate.
pub const BUNDLE_VERSION: u32 = 1;
/// Largest bundle [`Bundle::from_json`] accepts, bytes.
pub const MAX_BUNDLE_BYTES: usize = 20 * 1024 * 1024;
/// Longest trace line kept, bytes (longer lines are cut).
pub const MAX_LINE: usize = 64 * 1024;
/// Default most trace lines kept ([`BundleBuilder::trace_limit`]).
pub const DEFAULT_TRACE_LIMIT: usize = 20_000;

pub use crate::bundle_scan::{PanEntry, ScanEntry};
pub use crate::redacted::{Redacted, Redactor};

fn hex_upper(b: &[u8]) -> Vec<u8> {
    const H: &[u8; 16] = b"0123456789ABCDEF";
    b.iter()
        .flat_map(|&c| [H[usize::from(c >> 4)], H[usize::from(c & 15)]])
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The bundle

/// What the probes found out about the dongle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DongleSummary {
    /// Product family as far as the probes tell.
    pub family: Redacted,
    /// `SingleHop` or `DualStack`.
    pub dialect: Redacted,
    /// How ERXUDP data arrives.
    pub erxudp_mode: Redacted,
    /// `EVER` (firmware stack version).
    pub stack_version: Option<Redacted>,
    /// `EAPPVER` (application firmware version).
    pub app_version: Option<Redacted>,
    /// Whether `ROPT` exists.
    pub supports_ropt: Option<bool>,
}

/// Who the meter is (the production number masked to its last 4 characters by default).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MeterSummary {
    /// `low_voltage` or `high_voltage`.
    pub class: Redacted,
    /// Appendix release letter (0x82).
    pub release: Option<Redacted>,
    /// Manufacturer code (0x8A), `0x` + 6 hex digits.
    pub maker: Option<Redacted>,
    /// Production number (0x8D), all but the last 4 characters as `*` unless the user opted in.
    pub serial: Option<Redacted>,
    /// Scaling codes.
    pub scaling: Scaling,
}

/// The engine's counters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FiguresSummary {
    /// Polls answered.
    pub readings: u64,
    /// Requests that timed out.
    pub timeouts: u64,
    /// Last round trip, ms.
    pub last_rtt_ms: Option<u64>,
    /// Average round trip, ms.
    pub avg_rtt_ms: Option<u64>,
    /// ECHONET Lite frames sent.
    pub frames_sent: u64,
    /// ECHONET Lite payload bytes sent.
    pub payload_bytes_sent: u64,
    /// Last LQI seen.
    pub last_lqi: Option<u8>,
    /// Last RSSI seen, dBm.
    pub last_rssi_dbm: Option<i16>,
}

impl From<&Figures> for FiguresSummary {
    fn from(f: &Figures) -> Self {
        FiguresSummary {
            readings: f.readings,
            timeouts: f.timeouts,
            last_rtt_ms: f.last_rtt_ms,
            avg_rtt_ms: f.avg_rtt_ms(),
            frames_sent: f.frames_sent,
            payload_bytes_sent: f.payload_bytes_sent,
            last_lqi: f.last_lqi,
            last_rssi_dbm: f.last_rssi_dbm,
        }
    }
}

/// A phase change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseEntry {
    /// Engine time, ms.
    pub ms: u64,
    /// Phase name (`expect_join`, `reading` …).
    pub phase: Redacted,
}

/// A cause reported (or `recovered`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CauseEntry {
    /// Engine time, ms.
    pub ms: u64,
    /// Stable code (`BR-30`), empty for `recovered`.
    pub code: Redacted,
    /// Stable name (`auth_refused`, `recovered`).
    pub name: Redacted,
}

/// A free-text note (an error the app saw, a user remark).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteEntry {
    /// Engine time, ms.
    pub ms: u64,
    /// The text.
    pub text: Redacted,
}

/// Where a trace line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceDir {
    /// Host → dongle (serial).
    Sent,
    /// Dongle → host (serial).
    Received,
    /// ECHONET Lite frame sent to the meter.
    FrameOut,
    /// ECHONET Lite frame received.
    FrameIn,
}

/// One line of the trace with its decoding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceLine {
    /// Engine time, ms.
    pub ms: u64,
    /// Direction.
    pub dir: TraceDir,
    /// The line (non-printable bytes as `\xNN`).
    pub text: Redacted,
    /// Decoded form: JSON records of the log decoder, or rendered ECHONET lines.
    #[serde(default)]
    pub decoded: Vec<Redacted>,
}

/// A support bundle. Build with [`BundleBuilder`], write with [`Bundle::to_json`], open with
/// [`Bundle::from_json`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    /// Format version ([`BUNDLE_VERSION`]).
    pub version: u32,
    /// Wall-clock time the bundle was made, epoch ms.
    pub created_ms: i64,
    /// Wall-clock time of engine time 0, epoch ms, when known.
    #[serde(default)]
    pub engine_epoch_ms: Option<i64>,
    /// The app's version.
    pub app_version: Redacted,
    /// The dongle.
    #[serde(default)]
    pub dongle: Option<DongleSummary>,
    /// The meter.
    #[serde(default)]
    pub meter: Option<MeterSummary>,
    /// Phase history.
    #[serde(default)]
    pub phases: Vec<PhaseEntry>,
    /// Causes reported.
    #[serde(default)]
    pub causes: Vec<CauseEntry>,
    /// Notes.
    #[serde(default)]
    pub notes: Vec<NoteEntry>,
    /// Figures.
    #[serde(default)]
    pub figures: Option<FiguresSummary>,
    /// The trace.
    #[serde(default)]
    pub trace: Vec<TraceLine>,
    /// The scans, as the engine saw them (added in app 0.1; absent in older bundles).
    #[serde(default)]
    pub scans: Vec<ScanEntry>,
}

pub use crate::bundle_error::{BundleError, InvalidBundle, InvalidKind};

/// Just the version, read before the whole bundle (a newer bundle may have another shape).
#[derive(Deserialize)]
struct VersionOnly {
    version: u32,
}

/// What a timeline entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimelineKind<'a> {
    /// A phase change.
    Phase(&'a str),
    /// A cause (code, name).
    Cause(&'a str, &'a str),
    /// A note.
    Note(&'a str),
    /// A trace line.
    Trace(&'a TraceLine),
}

/// One step of a replay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimelineEntry<'a> {
    /// Engine time, ms.
    pub ms: u64,
    /// What happened.
    pub kind: TimelineKind<'a>,
}

impl Bundle {
    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Open a bundle. Rejects more than [`MAX_BUNDLE_BYTES`] before parsing, junk and
    /// other versions; all text is redacted again on the way in (one linear pass each).
    /// Never panics; errors never quote the input.
    pub fn from_json(s: &str) -> Result<Bundle, BundleError> {
        if s.len() > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge(s.len()));
        }
        let invalid =
            |e: serde_json::Error| BundleError::Invalid(InvalidBundle::from_json_error(&e));
        let v: VersionOnly = serde_json::from_str(s).map_err(invalid)?;
        if v.version == 0 || v.version > BUNDLE_VERSION {
            return Err(BundleError::Version(v.version));
        }
        serde_json::from_str(s).map_err(invalid)
    }

    /// Open a bundle from the bytes of a file: like [`Bundle::from_json`], and bytes that
    /// are not UTF-8 are an [`InvalidKind::Encoding`] error.
    pub fn from_bytes(b: &[u8]) -> Result<Bundle, BundleError> {
        if b.len() > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge(b.len()));
        }
        match std::str::from_utf8(b) {
            Ok(s) => Bundle::from_json(s),
            Err(e) => {
                let good = b.get(..e.valid_up_to()).unwrap_or_default();
                let line = good.iter().filter(|&&c| c == b'\n').count() + 1;
                let column = good.iter().rev().take_while(|&&c| c != b'\n').count() + 1;
                Err(BundleError::Invalid(InvalidBundle {
                    kind: InvalidKind::Encoding,
                    line,
                    column,
                }))
            }
        }
    }

    /// Every phase change, cause, note and trace line in time order (stable for equal times:
    /// phases, causes, notes, then trace lines in their order).
    pub fn timeline(&self) -> Vec<TimelineEntry<'_>> {
        let mut v: Vec<TimelineEntry<'_>> = Vec::with_capacity(
            self.phases.len() + self.causes.len() + self.notes.len() + self.trace.len(),
        );
        v.extend(self.phases.iter().map(|p| TimelineEntry {
            ms: p.ms,
            kind: TimelineKind::Phase(p.phase.as_str()),
        }));
        v.extend(self.causes.iter().map(|c| TimelineEntry {
            ms: c.ms,
            kind: TimelineKind::Cause(c.code.as_str(), c.name.as_str()),
        }));
        v.extend(self.notes.iter().map(|n| TimelineEntry {
            ms: n.ms,
            kind: TimelineKind::Note(n.text.as_str()),
        }));
        v.extend(self.trace.iter().map(|t| TimelineEntry {
            ms: t.ms,
            kind: TimelineKind::Trace(t),
        }));
        v.sort_by_key(|e| e.ms);
        v
    }

    /// The timeline as an iterator (step through it to replay the session).
    pub fn replay(&self) -> impl Iterator<Item = TimelineEntry<'_>> {
        self.timeline().into_iter()
    }
}

/// Collects a session into a [`Bundle`], redacting everything on the way in.
pub struct BundleBuilder {
    redactor: Redactor,
    bundle: Bundle,
    decoder: LogDecoder,
    /// Per direction (sent, received): the raw bytes' redaction stream (known secrets and
    /// keyword rules, addresses kept for the decoder) and the time of the last bytes.
    raw: [(redact::Stream, u64); 2],
    /// Per direction: J11 frames cut from the text.
    j11: [Splitter; 2],
    carry: [(u64, Vec<u8>); 2],
    lang: Lang,
    full_serial: bool,
    limit: usize,
    serial: Option<String>,
    tail: std::collections::VecDeque<TraceLine>,
    dropped: u64,
}

impl fmt::Debug for BundleBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BundleBuilder")
            .field("redactor", &self.redactor)
            .field("trace_lines", &self.bundle.trace.len())
            .finish()
    }
}

fn escape_line(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len());
    for &c in &b[..b.len().min(MAX_LINE)] {
        if (0x20..0x7F).contains(&c) {
            s.push(char::from(c));
        } else {
            s.push_str(&format!("\\x{c:02X}"));
        }
    }
    s
}

fn mask_serial(s: &str) -> String {
    let n = s.chars().count();
    s.chars()
        .enumerate()
        .map(|(i, c)| if i + 4 < n || n <= 4 { '*' } else { c })
        .collect()
}

impl BundleBuilder {
    /// Start a bundle. `created_ms` is the wall-clock time (`Date.now()`).
    pub fn new(redactor: Redactor, app_version: &str, created_ms: i64) -> BundleBuilder {
        let app_version = redactor.redact(app_version);
        let raw = redactor.raw_stream();
        BundleBuilder {
            redactor,
            bundle: Bundle {
                version: BUNDLE_VERSION,
                created_ms,
                engine_epoch_ms: None,
                app_version,
                dongle: None,
                meter: None,
                phases: Vec::new(),
                causes: Vec::new(),
                notes: Vec::new(),
                figures: None,
                trace: Vec::new(),
                scans: Vec::new(),
            },
            decoder: LogDecoder::new(),
            raw: [(raw.clone(), 0), (raw, 0)],
            j11: Default::default(),
            carry: [(0, Vec::new()), (0, Vec::new())],
            lang: Lang::En,
            full_serial: false,
            limit: DEFAULT_TRACE_LIMIT,
            serial: None,
            tail: std::collections::VecDeque::new(),
            dropped: 0,
        }
    }

    /// Keep at most `n` trace lines (default [`DEFAULT_TRACE_LIMIT`], about 10 MB of JSON): the
    /// first quarter (commissioning) and the most recent rest; a note says how many were left
    /// out.
    pub fn trace_limit(mut self, n: usize) -> BundleBuilder {
        self.limit = n.max(4);
        self
    }

    fn push_trace(&mut self, line: TraceLine) {
        let head = self.limit / 4;
        if self.bundle.trace.len() < head {
            self.bundle.trace.push(line);
            return;
        }
        self.tail.push_back(line);
        if self.tail.len() > self.limit - head {
            self.tail.pop_front();
            self.dropped += 1;
        }
    }

    /// Language of rendered ECHONET frames (default English, for support).
    pub fn lang(mut self, lang: Lang) -> BundleBuilder {
        self.lang = lang;
        self
    }

    /// Opt in to the full production number (default: masked to the last 4 characters).
    pub fn include_full_serial(mut self, yes: bool) -> BundleBuilder {
        self.full_serial = yes;
        self
    }

    /// Wall-clock time of engine time 0.
    pub fn engine_epoch_ms(&mut self, t: i64) {
        self.bundle.engine_epoch_ms = Some(t);
    }

    fn r(&self, s: &str) -> Redacted {
        self.redactor.redact(s)
    }

    /// The dongle's identity.
    pub fn dongle(&mut self, d: &DongleInfo) {
        self.bundle.dongle = Some(DongleSummary {
            family: self.r(d.family()),
            dialect: self.r(&format!("{:?}", d.dialect)),
            erxudp_mode: self.r(&format!("{:?}", d.erxudp_mode)),
            stack_version: d.stack_version.as_deref().map(|s| self.r(s)),
            app_version: d.app_version.as_deref().map(|s| self.r(s)),
            supports_ropt: d.supports_ropt,
        });
    }

    /// The meter's identity.
    pub fn meter(&mut self, m: &MeterIdentity) {
        let class = match m.class {
            MeterClass::LowVoltage => "low_voltage",
            MeterClass::HighVoltage => "high_voltage",
        };
        self.serial = m.serial.clone();
        let serial = m.serial.as_deref().map(|s| {
            if self.full_serial {
                self.r(s)
            } else {
                self.r(&mask_serial(s))
            }
        });
        self.bundle.meter = Some(MeterSummary {
            class: self.r(class),
            release: m.release.map(|c| self.r(&c.to_string())),
            maker: m.maker.map(|c| self.r(&format!("0x{c:06X}"))),
            serial,
            scaling: Scaling::from(m),
        });
    }

    /// The engine's figures (call last, or whenever; the latest wins).
    pub fn figures(&mut self, f: &Figures) {
        self.bundle.figures = Some(f.into());
    }

    /// A phase change.
    pub fn phase(&mut self, ms: u64, p: Phase) {
        let phase = self.r(p.name());
        self.bundle.phases.push(PhaseEntry { ms, phase });
    }

    /// A cause.
    pub fn cause(&mut self, ms: u64, c: Cause) {
        let (code, name) = (self.r(c.code()), self.r(c.name()));
        self.bundle.causes.push(CauseEntry { ms, code, name });
    }

    /// A free-text note (an error message the app saw).
    pub fn note(&mut self, ms: u64, text: &str) {
        let text = self.r(text);
        self.bundle.notes.push(NoteEntry { ms, text });
    }

    /// Take what matters from an engine event (phase, dongle, meter, cause, recovery, ECHONET
    /// frame); other events are ignored.
    pub fn event(&mut self, ms: u64, ev: &Event) {
        match ev {
            Event::Phase(p) => self.phase(ms, *p),
            Event::Dongle(d) => self.dongle(d),
            Event::Meter(m) => self.meter(m),
            Event::Triage(c) => self.cause(ms, *c),
            Event::Recovered => {
                let (code, name) = (self.r(""), self.r("recovered"));
                self.bundle.causes.push(CauseEntry { ms, code, name });
            }
            Event::Frame { dir, bytes, .. } => {
                let dir = match dir {
                    broute::Direction::Out => TraceDir::FrameOut,
                    broute::Direction::In => TraceDir::FrameIn,
                };
                let hex: String = String::from_utf8(hex_upper(bytes)).unwrap_or_default();
                let decoded = echonet::pretty::render(bytes, self.lang)
                    .iter()
                    .map(|l| self.r(l))
                    .collect();
                let text = self.r(&hex);
                self.push_trace(TraceLine {
                    ms,
                    dir,
                    text,
                    decoded,
                });
            }
            other => crate::bundle_scan::scan_event(&mut self.bundle.scans, ms, other),
        }
    }

    /// Raw serial bytes at engine time `ms`, `sent` = host → dongle. J11 binary frames are
    /// cut out (one trace line each); the rest is split into lines (a partial line waits for
    /// its end); each line or frame is decoded by the log decoder.
    pub fn serial(&mut self, ms: u64, sent: bool, bytes: &[u8]) {
        let k = usize::from(!sent);
        let mut pieces = Vec::new();
        self.j11[k].push(bytes, &mut pieces);
        for p in pieces {
            self.piece(ms, sent, p);
        }
    }

    fn piece(&mut self, ms: u64, sent: bool, p: Piece) {
        let k = usize::from(!sent);
        match p {
            // Text as a stream: a broken J11 credential frame is only recognisable as bytes,
            // and may hold a line feed or arrive in pieces.
            Piece::Text(bytes) => {
                self.raw[k].1 = ms;
                let clean = self.raw[k].0.push(&bytes);
                self.lines(ms, sent, &clean);
            }
            Piece::Frame(frame) => {
                let mut recs = Vec::new();
                self.decoder.feed_j11_frame(&frame, &mut recs);
                self.serial_line(ms, sent, &j11_frame_text(&frame), &recs);
            }
        }
    }

    fn lines(&mut self, ms: u64, sent: bool, bytes: &[u8]) {
        let k = usize::from(!sent);
        if self.carry[k].1.is_empty() {
            self.carry[k].0 = ms;
        }
        let mut rest = bytes;
        while let Some(p) = rest.iter().position(|&c| c == b'\n') {
            let mut line = std::mem::take(&mut self.carry[k].1);
            let at = self.carry[k].0;
            line.extend_from_slice(&rest[..p]);
            self.line(at, sent, &line);
            rest = &rest[p + 1..];
            self.carry[k].0 = ms;
        }
        let c = &mut self.carry[k].1;
        let room = MAX_LINE.saturating_sub(c.len());
        c.extend_from_slice(&rest[..rest.len().min(room)]);
    }

    fn line(&mut self, ms: u64, sent: bool, line: &[u8]) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return;
        }
        let prefix: &[u8] = if sent { b"[SEND] " } else { b"[RECEIVE] " };
        let mut input = Vec::with_capacity(prefix.len() + line.len() + 1);
        input.extend_from_slice(prefix);
        input.extend_from_slice(&line[..line.len().min(MAX_LINE)]);
        input.push(b'\n');
        let mut recs = Vec::new();
        self.decoder.feed(&input, &mut recs);
        self.serial_line(ms, sent, &escape_line(line), &recs);
    }

    /// One trace line of serial traffic: its text and the decoder's records for it, redacted.
    fn serial_line(&mut self, ms: u64, sent: bool, text: &str, recs: &[logdecode::Record]) {
        let decoded = recs
            .iter()
            .map(|r| self.r(&self.decoder.render(r)))
            .collect();
        let text = self.r(text);
        self.push_trace(TraceLine {
            ms,
            dir: if sent {
                TraceDir::Sent
            } else {
                TraceDir::Received
            },
            text,
            decoded,
        });
    }

    /// Finish: flush partial lines and return the bundle. Unless the user opted in to the full
    /// production number, it is scrubbed from the whole trace now (it appears in the meter's
    /// identity frame before the identity is known).
    pub fn build(mut self) -> Bundle {
        for (k, sent) in [(0, true), (1, false)] {
            if let Some(p) = self.j11[k].finish() {
                let ms = self.raw[k].1;
                self.piece(ms, sent, p);
            }
            let (stream, ms) = std::mem::replace(&mut self.raw[k], (self.redactor.raw_stream(), 0));
            let rest = stream.finish();
            self.lines(ms, sent, &rest);
        }
        for (k, sent) in [(0, true), (1, false)] {
            let (ms, line) = std::mem::take(&mut self.carry[k]);
            if !line.is_empty() {
                self.line(ms, sent, &line);
            }
        }
        let mut recs = Vec::new();
        self.decoder.finish(&mut recs);
        let mut b = self.bundle;
        b.trace.extend(self.tail);
        if self.dropped > 0 {
            let ms = b.trace.get(self.limit / 4).map_or(0, |l| l.ms);
            let text = self
                .redactor
                .redact(&format!("{} trace lines left out", self.dropped));
            b.notes.push(NoteEntry { ms, text });
        }
        if let (Some(serial), false) = (&self.serial, self.full_serial) {
            let r = self.redactor.clone().with_secret(serial);
            for l in &mut b.trace {
                l.text = r.redact(l.text.as_str());
                for d in &mut l.decoded {
                    *d = r.redact(d.as_str());
                }
            }
        }
        b
    }
}

/// Length of a J11 frame's header shown in a bundle: unique code, command, message length and
/// header checksum. The data (addresses, credentials, payloads) is never shown raw: the
/// decoded records under the line carry it with the addresses and credentials hidden.
const J11_SHOWN: usize = 10;

/// A J11 frame's trace text in a bundle: `D0F9EE5D6018004A0ABC +64 bytes`.
fn j11_frame_text(frame: &[u8]) -> String {
    let head = &frame[..frame.len().min(J11_SHOWN)];
    let mut text = String::from_utf8(hex_upper(head)).unwrap_or_default();
    let rest = frame.len().saturating_sub(J11_SHOWN);
    if rest > 0 {
        text.push_str(&format!(" +{rest} bytes"));
    }
    text
}

#[cfg(test)]
mod test {
    use super::*;

    const ID: &str = "0000004F3A210000000000000A18C3D7";
    const PW: &str = "K7QX3M9PA2TB";

    fn red() -> Redactor {
        Redactor::new().with_credentials(ID, PW)
    }

    #[test]
    fn bundle_json_round_trip_and_junk() {
        let mut b = BundleBuilder::new(red(), "0.1.0", 1_795_651_205_000);
        b.phase(0, Phase::ExpectDongle);
        b.serial(10, true, b"SKSETPWD C K7QX3M9PA2TB\r\nSKSETRB");
        b.serial(11, true, b"ID 0000004F3A210000000000000A18C3D7\r\n");
        b.serial(12, false, b"OK\r\n");
        b.cause(20, Cause::AuthRefused);
        b.note(30, "user said the pw is K7QX3M9PA2TB");
        let bundle = b.build();
        let j = bundle.to_json();
        assert!(!j.contains(PW) && !j.contains(ID), "{j}");
        let back = Bundle::from_json(&j).unwrap();
        assert_eq!(back, bundle);
        let tl = back.timeline();
        assert_eq!(tl.len(), 6);
        assert!(tl.windows(2).all(|w| w[0].ms <= w[1].ms));
        assert_eq!(tl[0].kind, TimelineKind::Phase("expect_dongle"));
        for junk in ["", "{", "[]", "null", "{\"version\":1}", "\u{0}\u{ffff}"] {
            assert!(Bundle::from_json(junk).is_err(), "{junk}");
        }
        let newer = j.replacen("\"version\": 1", "\"version\": 99", 1);
        assert_eq!(Bundle::from_json(&newer), Err(BundleError::Version(99)));
        let big = " ".repeat(MAX_BUNDLE_BYTES + 1);
        assert!(matches!(
            Bundle::from_json(&big),
            Err(BundleError::TooLarge(_))
        ));
        // A hand-edited bundle with a raw address is cleaned when opened.
        let edited = j.replacen("\"OK\"", "\"FE80:0000:0000:0000:021C:6400:03DD:6393\"", 1);
        let opened = Bundle::from_json(&edited).unwrap();
        assert!(!opened.to_json().contains("03DD:6393"));
    }

    #[test]
    fn trace_is_bounded() {
        let mut b = BundleBuilder::new(red(), "x", 0).trace_limit(8);
        for i in 0..100u64 {
            b.serial(i, false, format!("line {i}\r\n").as_bytes());
        }
        let bundle = b.build();
        let t: Vec<&str> = bundle.trace.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            t,
            [
                "line 0", "line 1", "line 94", "line 95", "line 96", "line 97", "line 98",
                "line 99"
            ]
        );
        assert_eq!(bundle.notes[0].text.as_str(), "92 trace lines left out");
    }

    #[test]
    fn serial_masked() {
        assert_eq!(mask_serial("F24G366505"), "******6505");
        assert_eq!(mask_serial("1234"), "****");
        assert_eq!(mask_serial(""), "");
    }
}
