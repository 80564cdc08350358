//! The session service: one engine, one serial link, and the timers between them.
//!
//! It only moves bytes, timers and signals. Bytes from the port go to
//! `broute::Engine::handle_bytes`; bytes from `poll_transmit` go to the port; the engine's
//! deadline arms one `setTimeout`; engine events update [`AppState`]. The demo dongle takes the
//! same path: it is a WebSerial-shaped port backed by the simulator (`crate::demo`).

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use broute::{Config, Direction, Engine, Event, Instant, PairingProfile, Phase};
use echonet::pretty::{render_with, Context, Lang};
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::serial::{self, Link, LinkEvent, Port};
use crate::state::{AppState, LinkStatus, Mode, Sample, ScanProgress, TraceLine, SAMPLES_MAX};
use crate::store;

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
    timer: Cell<Option<i32>>,
    tick: RefCell<Option<js_sys::Function>>,
    rx: RefCell<skstack::LineSplitter>,
    lang: Cell<Lang>,
    generation: u32,
    /// Raw serial bytes both ways and engine events, for the support bundle (bounded).
    log: RefCell<std::collections::VecDeque<(u64, LogItem)>>,
    /// Wall-clock time (ms since the epoch) of session time 0.
    epoch_ms: f64,
    /// Hides the credentials in the trace (with the pairing ID, as text and as hex: they
    /// travel inside PANA datagrams), on top of the keyword rules.
    secrets: RefCell<redact::Redactor>,
}

/// One entry of the support-bundle log.
#[derive(Clone)]
enum LogItem {
    Serial { sent: bool, bytes: Vec<u8> },
    Event(Box<Event>),
}

/// Entries kept for the support bundle (the newest).
const LOG_MAX: usize = 50_000;

/// A running session. Cheap to clone.
#[derive(Clone)]
pub struct Session(Rc<Inner>);

fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

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

/// The bytes without their final CR LF or CR (for display).
fn trim_line_end(b: &[u8]) -> &[u8] {
    b.strip_suffix(b"\r\n")
        .or_else(|| b.strip_suffix(b"\r"))
        .unwrap_or(b)
}

impl Session {
    /// A new session over `port` (already chosen), with the engine settings from storage.
    pub fn new(state: AppState, port: Port, lang: Lang, generation: u32, speed: f64) -> Self {
        let mut cfg = Config::default();
        // A demo meter that runs `speed` times faster can be paced that much faster too.
        if speed > 1.0 {
            cfg.history_gap = cfg.history_gap.div_f64(speed);
        }
        if let Some(secs) = store::poll_interval_secs() {
            cfg.poll_interval = core::time::Duration::from_secs(secs);
        }
        let mut engine = Engine::new(cfg);
        if let Some(p) = store::profile() {
            engine.set_profile(p);
        }
        Self(Rc::new(Inner {
            state,
            engine: RefCell::new(engine),
            link: RefCell::new(None),
            port: RefCell::new(Some(port)),
            t0: perf_now(),
            timer: Cell::new(None),
            tick: RefCell::new(None),
            rx: RefCell::new(skstack::LineSplitter::new()),
            lang: Cell::new(lang),
            generation,
            secrets: RefCell::new(redact::Redactor::new()),
            log: RefCell::new(std::collections::VecDeque::new()),
            epoch_ms: js_sys::Date::now(),
        }))
    }

    /// Which attempt this is (the UI ignores events of older sessions).
    pub fn generation(&self) -> u32 {
        self.0.generation
    }

    fn now(&self) -> Instant {
        let ms = perf_now() - self.0.t0;
        Instant(if ms.is_finite() && ms > 0.0 {
            ms as u64
        } else {
            0
        })
    }

    /// The display language for decoded frames.
    pub fn set_lang(&self, lang: Lang) {
        self.0.lang.set(lang);
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
        let weak = Rc::downgrade(&self.0);
        let tick = Closure::<dyn FnMut()>::new(move || {
            if let Some(inner) = weak.upgrade() {
                let s = Session(inner);
                s.0.timer.set(None);
                let now = s.now();
                s.0.engine.borrow_mut().handle_timeout(now);
                s.pump();
            }
        });
        *self.0.tick.borrow_mut() = Some(tick.into_js_value().unchecked_into());
        let now = self.now();
        self.0.engine.borrow_mut().start(now);
        self.pump();
        Ok(())
    }

    /// Give the credentials to the engine.
    pub fn set_credentials(&self, c: &Credentials) {
        *self.0.secrets.borrow_mut() = skstack::credential_redactor(&c.id, &c.password);
        let now = self.now();
        self.0
            .engine
            .borrow_mut()
            .set_credentials(c.id.clone(), c.password.clone(), now);
        self.pump();
    }

    /// The user accepted `WOPT 01`.
    pub fn confirm_wopt(&self) {
        let now = self.now();
        self.0.engine.borrow_mut().confirm_wopt(now);
        self.0.state.wopt_offer.set(false);
        self.pump();
    }

    /// Change the polling interval of the running engine.
    pub fn set_poll_interval(&self, secs: u64) {
        self.0
            .engine
            .borrow_mut()
            .set_poll_interval(core::time::Duration::from_secs(secs));
    }

    /// Start a history job.
    pub fn request_history(&self, req: broute::HistoryRequest) {
        let now = self.now();
        self.0.engine.borrow_mut().request_history(req, now);
        self.pump();
    }

    /// Close the link (the engine stops with it).
    pub async fn close(&self) {
        if let Some(id) = self.0.timer.take() {
            if let Some(w) = web_sys::window() {
                w.clear_timeout_with_handle(id);
            }
        }
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
                self.log(LogItem::Serial {
                    sent: false,
                    bytes: bytes.clone(),
                });
                self.trace_rx(&bytes);
                let now = self.now();
                self.0.engine.borrow_mut().handle_bytes(&bytes, now);
                self.pump();
            }
            LinkEvent::Lost(_) => {
                self.0.link.borrow_mut().take();
                st.link.set(LinkStatus::Lost);
                let now = self.now();
                self.0.engine.borrow_mut().serial_lost(now);
                self.pump();
            }
            LinkEvent::Closed => {}
        }
    }

    fn log(&self, item: LogItem) {
        let at = self.now().as_millis();
        let mut log = self.0.log.borrow_mut();
        log.push_back((at, item));
        while log.len() > LOG_MAX {
            log.pop_front();
        }
    }

    /// Build the support bundle: identities, phases, causes, figures and the decoded trace,
    /// everything passed through the redactor (credentials, addresses, MACs, pairing ID).
    pub fn support_bundle(&self, redactor: export::Redactor, lang: Lang) -> export::Bundle {
        let mut b = export::BundleBuilder::new(
            redactor,
            env!("CARGO_PKG_VERSION"),
            js_sys::Date::now() as i64,
        )
        .lang(lang);
        b.engine_epoch_ms(self.0.epoch_ms as i64);
        let st = self.0.state;
        if let Some(d) = st.dongle.get_untracked() {
            b.dongle(&d);
        }
        if let Some(m) = st.meter.get_untracked() {
            b.meter(&m);
        }
        for (at, item) in self.0.log.borrow().iter() {
            match item {
                LogItem::Serial { sent, bytes } => b.serial(*at, *sent, bytes),
                LogItem::Event(ev) => b.event(*at, ev),
            }
        }
        b.figures(self.0.engine.borrow().figures());
        b.build()
    }

    fn trace_rx(&self, bytes: &[u8]) {
        let mut rx = self.0.rx.borrow_mut();
        rx.feed(bytes);
        let at_ms = self.now().as_millis();
        while let Some(line) = rx.next_line() {
            if line.bytes.is_empty() {
                continue;
            }
            let text = self.0.secrets.borrow().redact(&display_text(&line.bytes));
            self.0.state.push_trace(TraceLine {
                at_ms,
                dir: '<',
                text,
                decoded: Vec::new(),
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
                .redact(&display_text(trim_line_end(&bytes)));
            self.0.state.push_trace(TraceLine {
                at_ms: self.now().as_millis(),
                dir: '>',
                text,
                decoded: Vec::new(),
            });
            if let Some(l) = self.0.link.borrow().as_ref() {
                l.send(&bytes);
            }
            self.log(LogItem::Serial { sent: true, bytes });
        }
        loop {
            let ev = self.0.engine.borrow_mut().poll_event();
            let Some(ev) = ev else { break };
            if !matches!(ev, Event::Frame { .. }) {
                self.log(LogItem::Event(Box::new(ev.clone())));
            }
            self.apply(ev);
        }
        self.0
            .state
            .figures
            .set(self.0.engine.borrow().figures().clone());
        self.arm_timer();
    }

    fn arm_timer(&self) {
        let Some(w) = web_sys::window() else { return };
        if let Some(id) = self.0.timer.take() {
            w.clear_timeout_with_handle(id);
        }
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
        if let Some(tick) = self.0.tick.borrow().as_ref() {
            let ms = i32::try_from(wait.min(600_000)).unwrap_or(600_000);
            self.0.timer.set(
                w.set_timeout_with_callback_and_timeout_and_arguments_0(tick, ms)
                    .ok(),
            );
        }
        self.0.state.clock_ms.set(self.now().as_millis());
    }

    fn apply(&self, ev: Event) {
        let st = self.0.state;
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
                let t = js_sys::Date::now();
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
                let scaling = st
                    .meter
                    .with_untracked(|m| m.as_ref().map(export::Scaling::from));
                let rec = export::Record::from_half_hour(
                    js_sys::Date::now() as i64,
                    &h,
                    scaling.as_ref(),
                );
                crate::data::record(rec);
            }
            Event::History(rec) => {
                for day in export::HistoryDay::from_record(&rec) {
                    crate::data::record_day(day);
                }
            }
            Event::HistoryProgress(p) => st.history.set(Some((p.done, p.total))),
            Event::HistoryDone { .. } => st.history.set(None),
            Event::Triage(c) => st.cause.set(Some(c)),
            Event::Recovered => st.cause.set(None),
            Event::Frame { dir, at, bytes, .. } => {
                let lang = self.0.lang.get();
                let scale = st.meter.with_untracked(|m| {
                    m.as_ref().and_then(|m| {
                        m.lv.unit
                            .map(|u| echonet::LvScale::new(m.lv.coefficient, u))
                    })
                });
                let decoded = render_with(&bytes, lang, &Context { lv_scale: scale });
                let hex: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
                st.push_trace(TraceLine {
                    at_ms: at.as_millis(),
                    dir: match dir {
                        Direction::Out => '⇢',
                        Direction::In => '⇠',
                    },
                    text: hex,
                    decoded,
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
    lang: Lang,
    generation: u32,
    speed: f64,
) -> Result<Session, serial::SerialError> {
    state.reset_attempt();
    state.mode.set(Some(mode));
    let s = Session::new(state, port, lang, generation, speed);
    match s.open().await {
        Ok(()) => Ok(s),
        Err(e) => {
            state.link.set(LinkStatus::Failed(e.to_string()));
            Err(e)
        }
    }
}
