//! App-wide reactive state: what the UI shows. Written only by the session service.

use std::collections::VecDeque;

use broute::{
    Cause, DongleInfo, Figures, HalfHour, Ignored, MeterIdentity, PanInfo, Phase, Reading,
};
use leptos::prelude::*;

use crate::record::Problem;

/// How the serial link is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkStatus {
    /// Nothing opened.
    Idle,
    /// The port chooser is open.
    Requesting,
    /// Opening the port.
    Opening,
    /// Open.
    Open,
    /// The device went away.
    Lost,
    /// Closed by the user.
    Closed,
    /// The user closed the chooser without a port.
    Cancelled,
    /// Opening failed (the browser's reason).
    Failed(String),
    /// The session's worker (the engine) could not be started: offline on a first visit, or
    /// its files blocked.
    NoEngine,
}

/// Real dongle or the demo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// A real dongle over Web Serial.
    Real,
    /// The built-in simulated dongle with a scenario preset.
    Demo(String),
}

/// The scan in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanProgress {
    /// 1-based attempt.
    pub attempt: u8,
    /// Of how many.
    pub attempts: u8,
    /// SKSCAN duration exponent.
    pub duration: u8,
    /// Expected length of this attempt, ms.
    pub expected_ms: u64,
    /// When it started (session clock, ms).
    pub started_ms: u64,
}

/// One line of the trace console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceLine {
    /// Running number (the key of the line in the console).
    pub seq: u64,
    /// Session clock, ms.
    pub at_ms: u64,
    /// `>` sent, `<` received, `⇢`/`⇠` ECHONET frame out/in.
    pub dir: char,
    /// Text, credentials already redacted (a frame's hex).
    pub text: String,
    /// For an ECHONET frame: what the console needs to decode it (in the worker, when shown).
    pub frame: Option<FrameScale>,
    /// For an incoming ECHONET frame the engine dropped: why (it is not meter data).
    pub ignored: Option<Ignored>,
}

/// The meter's low-voltage scaling when a frame arrived: D3 coefficient and E1 unit code, if
/// known (the decoded lines then show kWh next to raw counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameScale(pub Option<(Option<u32>, u8)>);

/// A power sample for the chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Wall clock, ms since the Unix epoch.
    pub t_ms: f64,
    /// Watts.
    pub w: f64,
}

/// How storage is doing: the banner and the Data tab's storage card.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreStatus {
    /// Why writes fail now (`None` while they succeed). [`Problem::Missing`]: there is no
    /// store this session, readings are kept in memory only.
    pub problem: Option<Problem>,
    /// Readings and history days kept in memory, not stored yet.
    pub unsaved: usize,
    /// Readings dropped because memory for unsaved readings was full.
    pub dropped: u64,
}

/// Lines kept in the trace console.
pub const TRACE_MAX: usize = 3000;
/// Samples kept for the chart (24 h at 5 s).
pub const SAMPLES_MAX: usize = 17_280;

/// Every signal the UI reads. `Copy`: pass it around freely.
#[derive(Clone, Copy)]
pub struct AppState {
    /// Serial link.
    pub link: RwSignal<LinkStatus>,
    /// Real or demo.
    pub mode: RwSignal<Option<Mode>>,
    /// Engine phase.
    pub phase: RwSignal<Phase>,
    /// The dongle, once identified.
    pub dongle: RwSignal<Option<DongleInfo>>,
    /// The engine offers `WOPT 01`.
    pub wopt_offer: RwSignal<bool>,
    /// The engine waits for credentials.
    pub need_credentials: RwSignal<bool>,
    /// Scan in progress.
    pub scan: RwSignal<Option<ScanProgress>>,
    /// PANs heard.
    pub pans: RwSignal<Vec<PanInfo>>,
    /// The meter.
    pub meter: RwSignal<Option<MeterIdentity>>,
    /// Current problem, if any (cleared on recovery).
    pub cause: RwSignal<Option<Cause>>,
    /// Latest reading.
    pub last: RwSignal<Option<Reading>>,
    /// Wall-clock time of the latest reading, ms.
    pub last_at: RwSignal<Option<f64>>,
    /// Latest half-hour value.
    pub half_hour: RwSignal<Option<HalfHour>>,
    /// Power samples for the chart.
    pub samples: RwSignal<VecDeque<Sample>>,
    /// Trace console.
    pub trace: RwSignal<VecDeque<TraceLine>>,
    /// Engine figures.
    pub figures: RwSignal<Figures>,
    /// Session clock for progress displays, ms (ticks while something is in progress).
    pub clock_ms: RwSignal<u64>,
    /// History job progress (done, total).
    pub history: RwSignal<Option<(u16, u16)>>,
    /// The newest half hour the meter has recorded (epoch ms, from a half-hour value's stamp or
    /// today's history) and the wall-clock time it was learnt (ms): the meter's clock, for
    /// choosing what history to read.
    pub meter_stamp: RwSignal<Option<(i64, i64)>>,
    /// Readings recorded: stored in IndexedDB, plus those kept in memory until they are.
    pub recorded: RwSignal<usize>,
    /// History days recorded (stored or kept in memory).
    pub days_stored: RwSignal<usize>,
    /// How storage is doing.
    pub storage: RwSignal<StoreStatus>,
    /// Whether the browser keeps this site's storage even when the disk runs low (`None`:
    /// not known, or the browser cannot say).
    pub persisted: RwSignal<Option<bool>>,
    /// Bytes this site uses and may use (`navigator.storage.estimate()`).
    pub usage: RwSignal<Option<(f64, f64)>>,
    /// Readings older than the retention setting that were never exported: how many, and the
    /// setting in days (the Data tab asks what to do).
    pub retention_ask: RwSignal<Option<(usize, u16)>>,
    /// Bumped whenever the tab's lock-out record changes (`crate::lockout`), so what depends
    /// on it is derived again.
    pub lockout_rev: RwSignal<u32>,
}

impl AppState {
    /// Fresh state.
    pub fn new() -> Self {
        Self {
            link: RwSignal::new(LinkStatus::Idle),
            mode: RwSignal::new(None),
            phase: RwSignal::new(Phase::Idle),
            dongle: RwSignal::new(None),
            wopt_offer: RwSignal::new(false),
            need_credentials: RwSignal::new(false),
            scan: RwSignal::new(None),
            pans: RwSignal::new(Vec::new()),
            meter: RwSignal::new(None),
            cause: RwSignal::new(None),
            last: RwSignal::new(None),
            last_at: RwSignal::new(None),
            half_hour: RwSignal::new(None),
            samples: RwSignal::new(VecDeque::new()),
            trace: RwSignal::new(VecDeque::new()),
            figures: RwSignal::new(Figures::default()),
            clock_ms: RwSignal::new(0),
            history: RwSignal::new(None),
            meter_stamp: RwSignal::new(None),
            recorded: RwSignal::new(0),
            days_stored: RwSignal::new(0),
            storage: RwSignal::new(StoreStatus::default()),
            persisted: RwSignal::new(None),
            usage: RwSignal::new(None),
            retention_ask: RwSignal::new(None),
            lockout_rev: RwSignal::new(0),
        }
    }

    /// Forget everything about the previous attempt (keeps the trace and the samples).
    pub fn reset_attempt(&self) {
        self.phase.set(Phase::Idle);
        self.dongle.set(None);
        self.wopt_offer.set(false);
        self.need_credentials.set(false);
        self.scan.set(None);
        self.pans.set(Vec::new());
        self.cause.set(None);
    }

    /// Append a trace line (numbering it), dropping the oldest beyond [`TRACE_MAX`].
    pub fn push_trace(&self, mut line: TraceLine) {
        self.trace.update(|t| {
            line.seq = t.back().map_or(0, |l| l.seq + 1);
            t.push_back(line);
            while t.len() > TRACE_MAX {
                t.pop_front();
            }
        });
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}
