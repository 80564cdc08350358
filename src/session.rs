//! The session service: the page's side of a live session.
//!
//! The engine, its dongle drivers, the trace's credential hiding and the support bundle's input
//! log run in a worker of their own (`broute_worker::session`, started for each session, for a
//! real dongle and the demo alike), so none of them is in the page's first load. This side only
//! moves bytes and signals: bytes from the port go to the worker; each batch the worker answers
//! with holds what to write to the port, trace lines, the engine's events (which update
//! [`AppState`]) and its figures. The demo dongle takes the same path: it is a WebSerial-shaped
//! port backed by the simulator in another worker (`crate::serial::demo`).

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use broute::{Event, PairingProfile, Phase};
use broute_worker::session::{FromSession, ToSession, TraceOut, Update as Step};
use echonet::pretty::Lang;
use futures_channel::oneshot;
use leptos::prelude::*;

use crate::lockout::Watch;
use crate::platform::clock;
use crate::platform::timers::Timeout;
use crate::platform::worker::Worker;
use crate::serial::{self, Link, LinkEvent, Port};
use crate::state::{
    AppState, FrameScale, LinkStatus, Mode, Sample, ScanProgress, TraceLine, SAMPLES_MAX,
};
use crate::store;

/// How long the session's worker may take to load before the session gives up (its wasm comes
/// from the service worker's cache, or the network on a first visit).
const ENGINE_START_MS: u32 = 30_000;

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
    link: RefCell<Option<Link>>,
    port: RefCell<Option<Port>>,
    generation: u32,
    /// The worker running the engine (terminated with the session).
    worker: RefCell<Option<Worker>>,
    speed: u32,
    /// Wall-clock time (ms since the epoch) of session time 0.
    epoch_ms: f64,
    /// Session clock of the newest batch, ms.
    clock_ms: std::cell::Cell<u64>,
    /// Who waits for the input log (the support bundle).
    log_wanted: RefCell<Option<oneshot::Sender<Vec<u8>>>>,
    /// Counts failed join attempts with the credentials given, for the tab's lock-out record.
    lockout: RefCell<Option<Watch>>,
    /// Gives up when the worker has not loaded in time.
    watchdog: RefCell<Option<Timeout>>,
}

/// A running session. Cheap to clone.
#[derive(Clone)]
pub struct Session(Rc<Inner>);

impl Session {
    /// A new session over `port` (already chosen).
    pub fn new(state: AppState, port: Port, generation: u32, speed: u32) -> Self {
        let inner = Rc::new_cyclic(|me: &Weak<Inner>| {
            let me_fail = me.clone();
            let me = me.clone();
            let worker = Worker::spawn(move |bytes| {
                let (Some(inner), Some(batch)) = (me.upgrade(), FromSession::decode(&bytes)) else {
                    return;
                };
                Session(inner).apply_batch(batch);
            })
            .ok();
            if let Some(w) = &worker {
                w.send(&broute_worker::wire::Request::Session);
                w.on_failure(move || {
                    if let Some(inner) = me_fail.upgrade() {
                        Session(inner).no_engine();
                    }
                });
            }
            Inner {
                state,
                link: RefCell::new(None),
                port: RefCell::new(Some(port)),
                generation,
                worker: RefCell::new(worker),
                speed,
                epoch_ms: clock::now_ms(),
                clock_ms: std::cell::Cell::new(0),
                log_wanted: RefCell::new(None),
                lockout: RefCell::new(None),
                watchdog: RefCell::new(None),
            }
        });
        Self(inner)
    }

    /// Which attempt this is (the UI ignores events of older sessions).
    pub fn generation(&self) -> u32 {
        self.0.generation
    }

    fn send(&self, msg: &ToSession) {
        if let Some(w) = self.0.worker.borrow().as_ref() {
            w.send_bytes(&msg.encode());
        }
    }

    /// Open the port and start the engine.
    pub async fn open(&self) -> Result<(), serial::SerialError> {
        let Some(port) = self.0.port.borrow().clone() else {
            return Err(serial::SerialError::Closed);
        };
        if self.0.worker.borrow().is_none() {
            return Err(serial::SerialError::Closed);
        }
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
        self.send(&ToSession::Start {
            poll_interval_secs: store::poll_interval_secs(),
            speed: self.0.speed,
            profile: store::profile(),
        });
        let weak = Rc::downgrade(&self.0);
        *self.0.watchdog.borrow_mut() = Some(Timeout::new(ENGINE_START_MS, move || {
            if let Some(inner) = weak.upgrade() {
                let s = Session(inner);
                let ready = s.0.worker.borrow().as_ref().is_some_and(Worker::is_ready);
                if !ready {
                    s.no_engine();
                }
            }
        }));
        Ok(())
    }

    /// The worker that runs the engine could not be started: say so and let the port go (a
    /// session without its engine would wait for ever).
    fn no_engine(&self) {
        let link = self.0.link.borrow_mut().take();
        self.0.worker.borrow_mut().take();
        self.0.state.link.set(LinkStatus::NoEngine);
        if let Some(l) = link {
            leptos::task::spawn_local(async move {
                let _ = l.close().await;
            });
        }
    }

    /// Give the credentials to the engine, with the refusals the tab's lock-out guard still
    /// allows for them (`crate::lockout::decide`).
    pub fn set_credentials(&self, c: &Credentials, refusals_allowed: u8) {
        *self.0.lockout.borrow_mut() = Some(Watch::new(&c.id, &c.password, refusals_allowed));
        self.send(&ToSession::Credentials {
            id: c.id.clone(),
            password: c.password.clone(),
            refusals_allowed,
        });
    }

    /// The user accepted `WOPT 01`.
    pub fn confirm_wopt(&self) {
        self.send(&ToSession::ConfirmWopt);
        self.0.state.wopt_offer.set(false);
    }

    /// Change the polling interval of the running engine.
    pub fn set_poll_interval(&self, secs: u64) {
        self.send(&ToSession::PollInterval(secs));
    }

    /// Start a history job.
    pub fn request_history(&self, req: broute::HistoryRequest) {
        self.send(&ToSession::History(req));
    }

    /// Close the link (the engine stops with it).
    pub async fn close(&self) {
        self.0.watchdog.borrow_mut().take();
        self.send(&ToSession::Close);
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
        match ev {
            LinkEvent::Data(bytes) => self.send(&ToSession::Bytes(bytes)),
            LinkEvent::Lost(_) => {
                self.0.link.borrow_mut().take();
                self.0.state.link.set(LinkStatus::Lost);
                self.send(&ToSession::SerialLost);
            }
            LinkEvent::Closed => {}
        }
    }

    /// What the worker needs to build the support bundle: the session's input log (asked of
    /// the session's worker) and its clocks. `id`/`password` are the fields as typed
    /// (normalised): the worker gives them to the replay and hides every form of them.
    pub async fn bundle_job(
        &self,
        id: String,
        password: String,
        lang: Lang,
    ) -> Option<broute_worker::wire::BundleJob> {
        let (tx, rx) = oneshot::channel();
        *self.0.log_wanted.borrow_mut() = Some(tx);
        self.send(&ToSession::InputLog);
        let log = rx.await.ok()?;
        Some(broute_worker::wire::BundleJob {
            lang,
            app_version: env!("CARGO_PKG_VERSION").into(),
            created_ms: clock::now_ms() as i64,
            epoch_ms: self.0.epoch_ms as i64,
            id,
            password,
            log,
        })
    }

    /// Apply what the worker answered: bytes to the port, lines to the trace, events to the
    /// state.
    fn apply_batch(&self, b: FromSession) {
        let st = self.0.state;
        self.0.clock_ms.set(b.clock_ms);
        if let Some(log) = b.input_log {
            if let Some(tx) = self.0.log_wanted.borrow_mut().take() {
                let _ = tx.send(log);
            }
        }
        if let Some(l) = self.0.link.borrow().as_ref() {
            for bytes in &b.tx {
                l.send(bytes);
            }
        }
        for t in b.trace {
            let TraceOut {
                at_ms,
                dir,
                text,
                frame,
                ignored,
            } = t;
            st.push_trace(TraceLine {
                seq: 0,
                at_ms,
                dir,
                text,
                frame: frame.map(FrameScale),
                ignored,
            });
        }
        for u in b.updates {
            match u {
                Step::Event(ev) => self.apply(ev),
                Step::History { days, latest_ms } => {
                    // Today's read shows the newest half hour the meter has: its clock.
                    if let Some(stamp) = latest_ms {
                        st.meter_stamp.set(Some((stamp, clock::now_ms() as i64)));
                    }
                    for day in days {
                        crate::data::record_day(day);
                    }
                }
            }
        }
        if let Some(f) = b.figures {
            st.figures.set(f);
        }
        st.clock_ms.set(b.clock_ms);
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
                started_ms: self.0.clock_ms.get(),
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
            Event::HistoryProgress(p) => st.history.set(Some((p.done, p.total))),
            Event::HistoryDone { .. } => st.history.set(None),
            Event::Triage(c) => st.cause.set(Some(c)),
            Event::Recovered => st.cause.set(None),
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
