//! The support bundle: one JSON file with what a support agent needs — dongle and meter
//! identity, dialect, firmware, the phase history, causes, figures and the decoded trace —
//! and none of the user's secrets.
//!
//! **Redaction by construction.** Every piece of text in a [`Bundle`] is a [`Redacted`], and
//! the only ways to make one run the redactor: [`Redactor::redact`] (with the user's
//! credentials known, so exact occurrences are scrubbed as text and as hex) and
//! deserialisation (which runs the generic rules again, so a bundle edited by hand or made by
//! another tool is cleaned when it is opened). The redactor removes:
//!
//! * the arguments of `SKSETPWD` / `SKSETRBID` (through [`skstack::frame::redact_credentials`]
//!   and again case-insensitively);
//! * IPv6 addresses, full and compressed (`FE80:0000:…:6393`, `fe80::21c:6400:3dd:6393` →
//!   `FE80::XXXX`, others → `<ipv6>`), colon-separated EUI-64s, bare 16-hex-digit MACs
//!   (`<mac>`) and bare 32-hex-digit tokens (an ID or an address without colons);
//! * the Pairing ID after `PairID` (`PairID:<redacted>`);
//! * the EAP-PSK identity `SM` + 32 characters inside PANA payloads, as text or as hex;
//! * with [`Redactor::with_credentials`]: the ID, its Pairing ID (last 8 characters) and the
//!   password wherever they appear, case-insensitively, bare or as the hex of their ASCII,
//!   even with spaces, colons or hyphens between the characters.
//!
//! A final check searches the result for every known secret once more; should one survive
//! (it cannot, by the rules above, but the check is what makes it a guarantee), the whole
//! text is replaced.
//!
//! Open a bundle with [`Bundle::from_json`] (size-limited, never panics) and step through
//! [`Bundle::timeline`] to replay the session for the agent.

use core::fmt;

use broute::{Cause, DongleInfo, Event, Figures, MeterClass, MeterIdentity, Phase};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use skstack::logdecode::LogDecoder;

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

const MARK: &str = "<redacted>";
const FALLBACK: &str = "<hidden>";

// ---------------------------------------------------------------------------------------------
// Redacted text

/// Text that has been through the redactor. There is no other way to make one.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Redacted(String);

impl Redacted {
    /// The redacted text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl Serialize for Redacted {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Redacted {
    /// Runs the generic rules again: text from a file is never trusted.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Redactor::new().redact(&s))
    }
}

// ---------------------------------------------------------------------------------------------
// The redactor

#[derive(Clone)]
struct Secret {
    /// Upper-case ASCII forms to look for (text and hex).
    forms: Vec<Vec<u8>>,
}

/// Removes identifying data and secrets from text. See the module docs for the rules.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Vec<Secret>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

fn hex_upper(b: &[u8]) -> Vec<u8> {
    const H: &[u8; 16] = b"0123456789ABCDEF";
    b.iter()
        .flat_map(|&c| [H[usize::from(c >> 4)], H[usize::from(c & 15)]])
        .collect()
}

fn is_sep(b: u8) -> bool {
    matches!(b, b' ' | b':' | b'-' | b',' | b'.' | b'\t' | b'_')
}

impl Redactor {
    /// The generic rules only (no secrets known).
    pub fn new() -> Redactor {
        Redactor::default()
    }

    /// Also scrub `secret` wherever it appears (text or hex of its ASCII, any case). Secrets
    /// shorter than 6 characters are ignored (they would match ordinary text).
    pub fn with_secret(mut self, secret: &str) -> Redactor {
        let s = secret.trim();
        if s.chars().count() < 6 {
            return self;
        }
        let mut forms: Vec<Vec<u8>> = Vec::new();
        let mut add = |v: Vec<u8>| {
            if !forms.contains(&v) {
                forms.push(v);
            }
        };
        let compact: Vec<u8> = s.bytes().filter(|&b| !is_sep(b)).collect();
        add(compact.to_ascii_uppercase());
        add(hex_upper(&compact));
        add(hex_upper(&compact.to_ascii_uppercase()));
        add(hex_upper(&compact.to_ascii_lowercase()));
        self.secrets.push(Secret { forms });
        self
    }

    /// Scrub the B-route ID (and its Pairing ID, the last 8 characters) and the password.
    pub fn with_credentials(self, id: &str, password: &str) -> Redactor {
        let id = id.trim();
        let pair = id
            .char_indices()
            .rev()
            .nth(7)
            .map(|(i, _)| &id[i..])
            .unwrap_or("");
        self.with_secret(id).with_secret(pair).with_secret(password)
    }

    /// Redact `text`.
    pub fn redact(&self, text: &str) -> Redacted {
        let s = skstack::frame::redact_credentials(text);
        let s = command_args(&s);
        let s = pair_id(&s);
        let s = sm_identity_text(&s);
        let mut s = hex_tokens(&s);
        for _ in 0..3 {
            match self.scrub(&s) {
                None => return Redacted(s),
                Some(t) => s = t,
            }
        }
        // Not reachable by the rules above; the guarantee does not depend on that.
        if self.scrub(FALLBACK).is_none() {
            Redacted(FALLBACK.to_string())
        } else {
            Redacted(String::new())
        }
    }

    /// Replace every occurrence of a secret form (separators between characters ignored);
    /// `None` when there was none.
    fn scrub(&self, s: &str) -> Option<String> {
        if self.secrets.is_empty() {
            return None;
        }
        let bytes = s.as_bytes();
        let mut compact = Vec::with_capacity(bytes.len());
        let mut index = Vec::with_capacity(bytes.len());
        for (i, &b) in bytes.iter().enumerate() {
            if !is_sep(b) {
                compact.push(b.to_ascii_uppercase());
                index.push(i);
            }
        }
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for sec in &self.secrets {
            for f in &sec.forms {
                let n = f.len();
                if n == 0 || n > compact.len() {
                    continue;
                }
                let mut i = 0;
                while i + n <= compact.len() {
                    if compact[i..i + n] == f[..] {
                        spans.push((index[i], index[i + n - 1] + 1));
                        i += n;
                    } else {
                        i += 1;
                    }
                }
            }
        }
        if spans.is_empty() {
            return None;
        }
        spans.sort_unstable();
        let mut out = String::with_capacity(s.len());
        let mut at = 0;
        for (a, b) in spans {
            if b <= at {
                continue;
            }
            if a > at {
                out.push_str(s.get(at..a).unwrap_or_default());
                out.push_str(MARK);
            } else if !out.ends_with(MARK) {
                out.push_str(MARK);
            }
            at = b;
        }
        out.push_str(s.get(at..).unwrap_or_default());
        Some(out)
    }
}

fn find_ci(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len())
        .find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// `SKSETPWD …` / `SKSETRBID …` in any case: the rest of the line (or of the quoted string)
/// goes.
fn command_args(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    loop {
        let next = [&b"SKSETPWD"[..], b"SKSETRBID"]
            .iter()
            .filter_map(|k| find_ci(b, k, at).map(|p| (p, k.len())))
            .min();
        let Some((p, n)) = next else { break };
        let end = b[p + n..]
            .iter()
            .position(|&c| matches!(c, b'\r' | b'\n' | b'"'))
            .map_or(b.len(), |e| p + n + e);
        out.push_str(&s[at..p + n]);
        let rest = &s[p + n..end];
        if rest.trim().is_empty() {
            out.push_str(rest);
        } else if already_redacted(rest) {
            // Already redacted by skstack (`SKSETPWD C <redacted>`); keep it.
            out.push_str(rest);
        } else {
            out.push(' ');
            out.push_str(MARK);
        }
        at = end;
    }
    out.push_str(&s[at..]);
    out
}

fn already_redacted(rest: &str) -> bool {
    let keep = rest.trim_end();
    keep.strip_suffix(MARK).is_some_and(|before| {
        before.len() <= 4 && before.bytes().all(|c| c == b' ' || c.is_ascii_hexdigit())
    })
}

/// `PairID:xxxxxxxx`, `"pair_id":"xxxxxxxx"` and the like.
fn pair_id(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    loop {
        let next = [&b"PAIRID"[..], b"PAIR_ID", b"PAIR ID"]
            .iter()
            .filter_map(|k| find_ci(b, k, at).map(|p| (p, k.len())))
            .min();
        let Some((p, n)) = next else { break };
        let mut i = p + n;
        while i < b.len() && i < p + n + 6 && matches!(b[i], b'"' | b'\'' | b':' | b'=' | b' ') {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        out.push_str(&s[at..start]);
        if i > start {
            out.push_str(MARK);
        }
        at = i;
    }
    out.push_str(&s[at..]);
    out
}

/// `SM` + 32 letters/digits (the EAP-PSK identity as text, e.g. in a binary ERXUDP line).
fn sm_identity_text(s: &str) -> String {
    let b = s.as_bytes();
    let mut v: Option<Vec<u8>> = None;
    let mut i = 0;
    while i + 34 <= b.len() {
        if &b[i..i + 2] == b"SM" && b[i + 2..i + 34].iter().all(u8::is_ascii_alphanumeric) {
            let w = v.get_or_insert_with(|| b.to_vec());
            for c in &mut w[i + 2..i + 34] {
                *c = b'*';
            }
            i += 34;
        } else {
            i += 1;
        }
    }
    match v {
        // Only ASCII bytes were replaced by ASCII: still UTF-8.
        Some(w) => String::from_utf8(w).unwrap_or_default(),
        None => s.to_string(),
    }
}

fn is_hexcolon(c: u8) -> bool {
    c.is_ascii_hexdigit() || c == b':'
}

/// Addresses, MACs, 32-digit tokens and hex-encoded PANA identities.
fn hex_tokens(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    let mut i = 0;
    while i < b.len() {
        if !is_hexcolon(b[i]) {
            i += 1;
            continue;
        }
        let a = i;
        while i < b.len() && is_hexcolon(b[i]) {
            i += 1;
        }
        let end = i;
        let mut c = a;
        while c < end && b[c] == b':' {
            c += 1;
        }
        let mut d = end;
        while d > c && b[d - 1] == b':' {
            d -= 1;
        }
        if c >= d {
            continue;
        }
        let left_ok = c > a || a == 0 || !b[a - 1].is_ascii_alphanumeric();
        let right_ok = d < end || end == b.len() || !b[end].is_ascii_alphanumeric();
        let core = &s[c..d];
        let replacement: Option<String> = if !(left_ok && right_ok) {
            None
        } else if core.contains(':') {
            classify_colon(core)
        } else if core.len() == 16 {
            Some("<mac>".to_string())
        } else if core.len() == 32 && !core.starts_with("1081") {
            Some(MARK.to_string())
        } else {
            None
        };
        // A long hex payload (PANA in ERXUDP) may carry the EAP-PSK identity, bounded or not.
        let replacement = match replacement {
            None if !core.contains(':') && core.len() >= 68 => pana_hex(core),
            r => r,
        };
        if let Some(r) = replacement {
            out.push_str(&s[at..c]);
            out.push_str(&r);
            at = d;
        }
    }
    out.push_str(&s[at..]);
    out
}

fn classify_colon(core: &str) -> Option<String> {
    let groups: Vec<&str> = core.split(':').collect();
    if groups.iter().any(|g| g.len() > 4) {
        return None;
    }
    let nonempty = groups.iter().filter(|g| !g.is_empty()).count();
    let colons = groups.len() - 1;
    let compressed = core.contains("::") && nonempty >= 2 && colons <= 7;
    let full = groups.len() == 8 && nonempty == 8;
    if !(compressed || full) {
        return None;
    }
    if groups[0].eq_ignore_ascii_case("fe80") {
        Some("FE80::XXXX".to_string())
    } else {
        Some("<ipv6>".to_string())
    }
}

/// Hex text with `534D` ("SM") followed by 32 hex-encoded letters/digits: blank the identity
/// as `2A` (`*`), keeping the hex valid.
fn pana_hex(core: &str) -> Option<String> {
    let b = core.as_bytes();
    let mut v: Option<Vec<u8>> = None;
    let mut i = 0;
    while i + 68 <= b.len() {
        if b[i..i + 4].eq_ignore_ascii_case(b"534D") && decodes_alnum(&b[i + 4..i + 68]) {
            let w = v.get_or_insert_with(|| b.to_vec());
            for pair in w[i + 4..i + 68].chunks_mut(2) {
                pair.copy_from_slice(b"2A");
            }
            i += 68;
        } else {
            i += 1;
        }
    }
    v.and_then(|w| String::from_utf8(w).ok())
}

fn decodes_alnum(hex: &[u8]) -> bool {
    hex.chunks(2).all(|p| {
        let s = core::str::from_utf8(p).ok();
        s.and_then(|s| u8::from_str_radix(s, 16).ok())
            .is_some_and(|c| c.is_ascii_alphanumeric())
    })
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
}

/// Why a bundle could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BundleError {
    /// Larger than [`MAX_BUNDLE_BYTES`].
    TooLarge(usize),
    /// Not a bundle (JSON error, with its message).
    Invalid(String),
    /// Made by a newer version of the app.
    Version(u32),
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge(n) => {
                write!(f, "bundle too large ({n} bytes, limit {MAX_BUNDLE_BYTES})")
            }
            Self::Invalid(e) => write!(f, "not a support bundle: {e}"),
            Self::Version(v) => write!(
                f,
                "bundle version {v} is newer than this app ({BUNDLE_VERSION})"
            ),
        }
    }
}

impl std::error::Error for BundleError {}

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

    /// Open a bundle. Rejects more than [`MAX_BUNDLE_BYTES`], junk and newer versions; all
    /// text is redacted again on the way in. Never panics.
    pub fn from_json(s: &str) -> Result<Bundle, BundleError> {
        if s.len() > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge(s.len()));
        }
        let b: Bundle = serde_json::from_str(s).map_err(|e| BundleError::Invalid(e.to_string()))?;
        if b.version > BUNDLE_VERSION {
            return Err(BundleError::Version(b.version));
        }
        Ok(b)
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
            },
            decoder: LogDecoder::new(),
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
            _ => {}
        }
    }

    /// Raw serial bytes at engine time `ms`, `sent` = host → dongle. Split into lines (a
    /// partial line waits for its end); each line is decoded by the log decoder.
    pub fn serial(&mut self, ms: u64, sent: bool, bytes: &[u8]) {
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
        let decoded = recs
            .iter()
            .map(|r| self.r(&self.decoder.render(r)))
            .collect();
        let text = self.r(&escape_line(line));
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

#[cfg(test)]
mod test {
    use super::*;

    const ID: &str = "0000004F3A210000000000000A18C3D7";
    const PW: &str = "K7QX3M9PA2TB";

    fn red() -> Redactor {
        Redactor::new().with_credentials(ID, PW)
    }

    #[test]
    fn generic_rules() {
        let r = Redactor::new();
        let cases = [
            ("SKSETPWD C K7QX3M9PA2TB", "SKSETPWD C <redacted>"),
            ("sksetpwd c K7QX3M9PA2TB", "sksetpwd <redacted>"),
            (
                "SKSETRBID 0000004F3A210000000000000A18C3D7\r",
                "SKSETRBID <redacted>\r",
            ),
            (
                "EVENT 21 FE80:0000:0000:0000:021C:6400:03DD:6393 00",
                "EVENT 21 FE80::XXXX 00",
            ),
            ("SKJOIN fe80::21c:6400:3dd:6393", "SKJOIN FE80::XXXX"),
            (
                r#"{"name":"SKSETPWD","len":"C"}"#,
                r#"{"name":"SKSETPWD","len":"C"}"#,
            ),
            (
                r#""SKSETPWD C K7QX3M9PA2TB" sent"#,
                r#""SKSETPWD C <redacted>"#,
            ),
            ("to 2001:db8::1.", "to <ipv6>."),
            ("  Addr:001C6400030C12EE", "  Addr:<mac>"),
            ("  PairID:0A18C3D7", "  PairID:<redacted>"),
            (r#"{"pair_id":"0A18C3D7"}"#, r#"{"pair_id":"<redacted>"}"#),
            ("mac 00:1C:64:00:03:0C:12:EE", "mac <ipv6>"),
            (
                "09:00:05 12:30 broute::Cause 0E1A",
                "09:00:05 12:30 broute::Cause 0E1A",
            ),
            (
                "SM0000004F3A210000000000000A18C3D7xy",
                "SM********************************xy",
            ),
            (
                "1081000105FF010288016202E700E800",
                "1081000105FF010288016202E700E800",
            ),
        ];
        for (i, o) in cases {
            assert_eq!(r.redact(i).as_str(), o, "{i}");
        }
        let hex = format!(
            "00{}{}FF",
            "534D",
            String::from_utf8(hex_upper(ID.as_bytes())).unwrap()
        );
        let out = r.redact(&format!("ERXUDP x {hex}"));
        assert!(
            out.as_str().contains(&format!("534D{}FF", "2A".repeat(32))),
            "{out}"
        );
    }

    #[test]
    fn secrets_any_form() {
        let r = red();
        let id_hex = String::from_utf8(hex_upper(ID.as_bytes())).unwrap();
        for t in [
            format!("id is {ID}!"),
            format!("id is {}", ID.to_lowercase()),
            format!("pw={PW};"),
            format!("pw={}", PW.to_lowercase()),
            "0A18C3D7 is the pairing id".to_string(),
            format!("hex {id_hex}"),
            format!("hex {}", id_hex.to_lowercase()),
            "pw K7QX 3M9P A2TB spaced".to_string(),
            "4B:37:51:58:33:4D:39:50:41:32:54:42".to_string(),
        ] {
            let out = r.redact(&t);
            let up = out.as_str().to_ascii_uppercase();
            for s in [ID, PW, "0A18C3D7", &id_hex] {
                assert!(!up.contains(s), "{t} → {out}");
            }
            assert!(
                out.as_str().contains("<redacted>") || out.as_str().contains("<ipv6>"),
                "{out}"
            );
        }
        assert_eq!(r.redact("nothing here").as_str(), "nothing here");
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
