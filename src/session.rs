//! The session service: one engine, one serial link, and the timers between them.
//!
//! It only moves bytes, timers and signals. Bytes from the port go to
//! `broute::Engine::handle_bytes`; bytes from `poll_transmit` go to the port; the engine's
//! deadline arms one timer; engine events update [`AppState`]. The demo dongle takes the same
//! path: it is a WebSerial-shaped port backed by the simulator (`crate::serial::demo`).
//!
//! Every input given to the engine is also recorded in a `broute::replay::InputLog`: the
//! support bundle is built from it in the worker, which replays the session into a fresh engine.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use broute::replay::{Input, InputLog, Setup};
use broute::{Config, Direction, Engine, Event, Instant, PairingProfile, Phase};
use echonet::pretty::Lang;
use leptos::prelude::*;

use crate::lockout::Watch;
use crate::platform::clock;
use crate::platform::timers::Timeout;
use crate::serial::{self, Link, LinkEvent, Port};
use crate::state::{
    AppState, FrameScale, LinkStatus, Mode, Sample, ScanProgress, TraceLine, SAMPLES_MAX,
};
use crate::store;
use crate::trace_split::{frame_text, written, Piece, TraceSplitter};

/// Credentials as typed by the user, validated. Kept in memory only.
#[derive(Clone)]
pub struct Credentials {
    /// The B-route ID.
    pub id: broute::RouteBId,
    /// The password.
    pub password: broute::RouteBPassword,
}

struct Inner {
    state: AppState,
    engine: RefCell<Engine>,
    link: RefCell<Option<Link>>,
    port: RefCell<Option<Port>>,
    t0: f64,
    timer: RefCell<Option<Timeout>>,
    rx: RefCell<TraceSplitter>,
    generation: u32,
    /// Every input given to the engine, for the support bundle (bounded).
    inputs: RefCell<InputLog>,
    /// Wall-clock time (ms since the epoch) of session time 0.
    epoch_ms: f64,
    /// Hides the credentials in the trace (with the pairing ID, as text and as hex: they
    /// travel inside PANA datagrams), on top of the keyword rules.
    secrets: RefCell<redact::Redactor>,
    /// Counts failed join attempts with the credentials given, for the tab's lock-out record.
    lockout: RefCell<Option<Watch>>,
}

/// A running session. Cheap to clone.
#[derive(Clone)]
pub struct Session(Rc<Inner>);

/// Make any text safe to show: credentials redacted (keyword rules, on the raw bytes), control
/// bytes escaped.
pub fn display_text(bytes: &[u8]) -> String {
    let bytes = redact::redact_bytes(bytes);
    let mut s = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                s.push_str(&format!("\\x{:02X}", c as u32));
            } else {
                s.push(c);
            }
        }
        for b in chunk.invalid() {
            s.push_str(&format!("\\x{b:02X}"));
        }
    }
    s
}

/// A trace piece as shown (before the session's own secrets are hidden too).
fn piece_text(p: &Piece) -> String {
    match p {
        Piece::Text(b) => display_text(b),
        Piece::J11(f) => frame_text(f),
    }
}

impl Session {
    /// A new session over `port` (already chosen), with the engine settings from storage.
    pub fn new(state: AppState, port: Port, generation: u32, speed: u32) -> Self {
        let mut cfg = Config::default();
        // A demo meter that runs `speed` times faster can be paced that much faster too.
        if speed > 1 {
            cfg.history_gap /= speed;
        }
        if let Some(secs) = store::poll_interval_secs() {
            cfg.poll_interval = core::time::Duration::from_secs(secs);
        }
        let profile = store::profile();
        let setup = Setup::new(&cfg, profile);
        let engine = setup.engine();
        Self(Rc::new(Inner {
            state,
            engine: RefCell::new(engine),
            link: RefCell::new(None),
            port: RefCell::new(Some(port)),
            t0: clock::monotonic_ms(),
            timer: RefCell::new(None),
            rx: RefCell::new(TraceSplitter::new()),
            generation,
            secrets: RefCell::new(redact::Redactor::new()),
            lockout: RefCell::new(None),
            inputs: RefCell::new(InputLog::new(setup)),
            epoch_ms: clock::now_ms(),
        }))
    }

    /// Which attempt this is (the UI ignores events of older sessions).
    pub fn generation(&self) -> u32 {
        self.0.generation
    }

    fn now(&self) -> Instant {
        let ms = clock::monotonic_ms() - self.0.t0;
        Instant(if ms.is_finite() && ms > 0.0 {
            ms as u64
        } else {
            0
        })
    }

    /// Open the port and start the engine.
    pub async fn open(&self) -> Result<(), serial::SerialError> {
        let Some(port) = self.0.port.borrow().clone() else {
            return Err(serial::SerialError::Closed);
        };
        let st = self.0.state;
        st.link.set(LinkStatus::Opening);
        let weak: Weak<Inner> = Rc::downgrade(&self.0);
        let link = Link::open(&port, move |ev| {
            if let Some(inner) = weak.upgrade() {
                Session(inner).on_link(ev);
            }
        })
        .await?;
        *self.0.link.borrow_mut() = Some(link);
        st.link.set(LinkStatus::Open);
        let now = self.record(Input::Start);
        self.0.engine.borrow_mut().start(now);
        self.pump();
        Ok(())
    }

    /// Give the credentials to the engine, with the refusals the tab's lock-out guard still
    /// allows for them (`crate::lockout::decide`).
    pub fn set_credentials(&self, c: &Credentials, refusals_allowed: u8) {
        *self.0.secrets.borrow_mut() = skstack::credential_redactor(&c.id, &c.password);
        *self.0.lockout.borrow_mut() = Some(Watch::new(&c.id, &c.password, refusals_allowed));
        let now = self.record(Input::Credentials);
        let mut engine = self.0.engine.borrow_mut();
        engine.set_credentials(c.id.clone(), c.password.clone(), now);
        self.record(Input::RefusalsAllowed(refusals_allowed));
        engine.set_refusals_allowed(refusals_allowed);
        drop(engine);
        self.pump();
    }

    /// The user accepted `WOPT 01`.
    pub fn confirm_wopt(&self) {
        let now = self.record(Input::ConfirmWopt);
        self.0.engine.borrow_mut().confirm_wopt(now);
        self.0.state.wopt_offer.set(false);
        self.pump();
    }

    /// Change the polling interval of the running engine.
    pub fn set_poll_interval(&self, secs: u64) {
        let d = core::time::Duration::from_secs(secs);
        self.record(Input::PollInterval(d));
        self.0.engine.borrow_mut().set_poll_interval(d);
    }

    /// Start a history job.
    pub fn request_history(&self, req: broute::HistoryRequest) {
        let now = self.record(Input::History(req));
        self.0.engine.borrow_mut().request_history(req, now);
        self.pump();
    }

    /// Close the link (the engine stops with it).
    pub async fn close(&self) {
        self.0.timer.borrow_mut().take();
        let link = self.0.link.borrow_mut().take();
        if let Some(l) = link {
            let _ = l.close().await;
        }
        self.0.state.link.set(LinkStatus::Closed);
    }

    /// The port of this session.
    pub fn port(&self) -> Option<Port> {
        self.0.port.borrow().clone()
    }

    fn on_link(&self, ev: LinkEvent) {
        let st = self.0.state;
        match ev {
            LinkEvent::Data(bytes) => {
                self.trace_rx(&bytes);
                let now = self.record(Input::Bytes(bytes.clone()));
                self.0.engine.borrow_mut().handle_bytes(&bytes, now);
                self.pump();
            }
            LinkEvent::Lost(_) => {
                self.0.link.borrow_mut().take();
                st.link.set(LinkStatus::Lost);
                let now = self.record(Input::SerialLost);
                self.0.engine.borrow_mut().serial_lost(now);
                self.pump();
            }
            LinkEvent::Closed => {}
        }
    }

    /// Record an input for the support bundle; returns the instant it is given at.
    fn record(&self, input: Input) -> Instant {
        let now = self.now();
        self.0.inputs.borrow_mut().push(now, input);
        now
    }

    /// What the worker needs to build the support bundle: the session's input log and its
    /// clocks. `id`/`password` are the fields as typed (normalised): the worker gives them to
    /// the replay and hides every form of them.
    pub fn bundle_job(
        &self,
        id: String,
        password: String,
        lang: Lang,
    ) -> broute_worker::wire::BundleJob {
        broute_worker::wire::BundleJob {
            lang,
            app_version: env!("CARGO_PKG_VERSION").into(),
            created_ms: clock::now_ms() as i64,
            epoch_ms: self.0.epoch_ms as i64,
            id,
            password,
            log: self.0.inputs.borrow().encode(),
        }
    }

    fn trace_rx(&self, bytes: &[u8]) {
        let mut rx = self.0.rx.borrow_mut();
        rx.feed(bytes);
        let at_ms = self.now().as_millis();
        while let Some(piece) = rx.next_piece() {
            let text = self.0.secrets.borrow().redact(&piece_text(&piece));
            self.0.state.push_trace(TraceLine {
                seq: 0,
                at_ms,
                dir: '<',
                text,
                frame: None,
                ignored: None,
            });
        }
    }

    /// Move bytes to the port, events to the state, and re-arm the timer.
    fn pump(&self) {
        loop {
            let tx = self.0.engine.borrow_mut().poll_transmit();
            let Some(bytes) = tx else { break };
            let text = self
                .0
                .secrets
                .borrow()
                .redact(&piece_text(&written(&bytes)));
            self.0.state.push_trace(TraceLine {
                seq: 0,
                at_ms: self.now().as_millis(),
                dir: '>',
                text,
                frame: None,
                ignored: None,
            });
            if let Some(l) = self.0.link.borrow().as_ref() {
                l.send(&bytes);
            }
        }
        loop {
            let ev = self.0.engine.borrow_mut().poll_event();
            let Some(ev) = ev else { break };
            self.apply(ev);
        }
        self.0
            .state
            .figures
            .set(self.0.engine.borrow().figures().clone());
        self.arm_timer();
    }

    fn arm_timer(&self) {
        self.0.timer.borrow_mut().take();
        if self.0.link.borrow().is_none() {
            return;
        }
        let deadline = self.0.engine.borrow().poll_timeout();
        let Some(deadline) = deadline else { return };
        let wait = deadline.as_millis().saturating_sub(self.now().as_millis());
        // Keep progress bars moving while a scan or join runs.
        let busy = matches!(
            self.0.state.phase.get_untracked(),
            Phase::ExpectScan | Phase::ExpectJoin | Phase::Reconnecting
        );
        let wait = if busy { wait.min(250) } else { wait };
        let ms = u32::try_from(wait.min(600_000)).unwrap_or(600_000);
        let weak: Weak<Inner> = Rc::downgrade(&self.0);
        *self.0.timer.borrow_mut() = Some(Timeout::new(ms, move || {
            if let Some(inner) = weak.upgrade() {
                let s = Session(inner);
                s.0.timer.borrow_mut().take();
                let now = s.record(Input::Timeout);
                s.0.engine.borrow_mut().handle_timeout(now);
                s.pump();
            }
        }));
        self.0.state.clock_ms.set(self.now().as_millis());
    }

    fn apply(&self, ev: Event) {
        let st = self.0.state;
        if let Some(w) = self.0.lockout.borrow_mut().as_mut() {
            if w.observe(&ev) {
                st.lockout_rev.update(|n| *n += 1);
            }
        }
        match ev {
            Event::Phase(p) => {
                st.phase.set(p);
                if matches!(p, Phase::Reading) {
                    st.cause.set(None);
                    st.scan.set(None);
                }
            }
            Event::Dongle(d) => st.dongle.set(Some(d)),
            Event::WoptProposed => st.wopt_offer.set(true),
            Event::NeedCredentials => st.need_credentials.set(true),
            Event::ScanStarted {
                attempt,
                attempts,
                duration,
                expected_ms,
                ..
            } => st.scan.set(Some(ScanProgress {
                attempt,
                attempts,
                duration,
                expected_ms,
                started_ms: self.now().as_millis(),
            })),
            Event::PanFound(p) => st.pans.update(|v| v.push(p)),
            Event::ScanFinished { .. } => {}
            Event::JoinStarted { .. } => st.need_credentials.set(false),
            Event::Joined => {}
            Event::Profile(p) => store::save_profile(&p),
            Event::Meter(m) => st.meter.set(Some(m)),
            Event::Reading(r) => {
                let t = clock::now_ms();
                if let broute::ReadingValues::Low(lv) = r.values {
                    if let Some(echonet::Measured::Value(w)) = lv.power_w {
                        st.samples.update(|s| {
                            s.push_back(Sample {
                                t_ms: t,
                                w: f64::from(w),
                            });
                            while s.len() > SAMPLES_MAX {
                                s.pop_front();
                            }
                        });
                    }
                }
                st.last.set(Some(r));
                st.last_at.set(Some(t));
                let scaling = st
                    .meter
                    .with_untracked(|m| m.as_ref().map(export::Scaling::from));
                let rec = export::Record::from_reading(t as i64, &r, scaling.as_ref());
                crate::data::record(rec);
            }
            Event::HalfHour(h) => {
                st.half_hour.set(Some(h));
                // The meter's clock, for choosing what history to read.
                if let Some(d) = h.normal.as_ref().and_then(|(s, _)| s.value()) {
                    let stamp = export::time::meter_to_epoch_ms(&d);
                    st.meter_stamp.set(Some((stamp, clock::now_ms() as i64)));
                }
                let scaling = st
                    .meter
                    .with_untracked(|m| m.as_ref().map(export::Scaling::from));
                let rec =
                    export::Record::from_half_hour(clock::now_ms() as i64, &h, scaling.as_ref());
                crate::data::record(rec);
            }
            Event::History(rec) => {
                // Today's read shows the newest half hour the meter has: its clock.
                if let Some(stamp) = export::history::latest_slot_ms(&rec) {
                    st.meter_stamp.set(Some((stamp, clock::now_ms() as i64)));
                }
                for day in export::HistoryDay::from_record(&rec) {
                    crate::data::record_day(day);
                }
            }
            Event::HistoryProgress(p) => st.history.set(Some((p.done, p.total))),
            Event::HistoryDone { .. } => st.history.set(None),
            Event::Triage(c) => st.cause.set(Some(c)),
            Event::Recovered => st.cause.set(None),
            Event::Frame {
                dir,
                at,
                bytes,
                ignored,
            } => {
                let scale = st.meter.with_untracked(|m| {
                    m.as_ref()
                        .and_then(|m| m.lv.unit.map(|u| (m.lv.coefficient, u.code())))
                });
                let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
                st.push_trace(TraceLine {
                    seq: 0,
                    at_ms: at.as_millis(),
                    dir: match dir {
                        Direction::Out => '⇢',
                        Direction::In => '⇠',
                    },
                    text: hex,
                    frame: Some(FrameScale(scale)),
                    ignored,
                });
            }
            _ => {}
        }
    }
}

/// Remembered pairing profile, if any (no secrets in it).
pub fn saved_profile() -> Option<PairingProfile> {
    store::profile()
}

/// Start a session on `port` and run it; returns the session once the port is open.
pub async fn start(
    state: AppState,
    port: Port,
    mode: Mode,
    generation: u32,
    speed: u32,
) -> Result<Session, serial::SerialError> {
    state.reset_attempt();
    state.mode.set(Some(mode));
    let s = Session::new(state, port, generation, speed);
    match s.open().await {
        Ok(()) => Ok(s),
        Err(e) => {
            state.link.set(LinkStatus::Failed(e.to_string()));
            Err(e)
        }
    }
}
