//! The app's controller: starts, retries and stops sessions on a real or demo port.

use broute::lockout::Decision;
use leptos::prelude::*;
use leptos::task::spawn_local;
use skstack::{normalize_input, RouteBId, RouteBPassword};

use crate::lockout;
use crate::platform::storage::query_param;
use crate::serial::{self, demo, Port, SerialError};
use crate::session::{self, Credentials, Session};
use crate::state::{AppState, LinkStatus, Mode};
use crate::store;

/// The top-level tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The wizard.
    Setup,
    /// Live readings.
    Dashboard,
    /// Recording, exports, history, support bundle.
    Data,
    /// The trace console and the log decoder.
    Trace,
    /// Settings.
    Settings,
}

impl Tab {
    /// Every tab, in order.
    pub const ALL: [Tab; 5] = [
        Tab::Setup,
        Tab::Dashboard,
        Tab::Data,
        Tab::Trace,
        Tab::Settings,
    ];

    /// The tab button's id (also its test id).
    pub fn id(self) -> &'static str {
        match self {
            Tab::Setup => "tab-setup",
            Tab::Dashboard => "tab-dashboard",
            Tab::Data => "tab-data",
            Tab::Trace => "tab-trace",
            Tab::Settings => "tab-settings",
        }
    }
}

/// Handles for the whole app. `Copy`.
#[derive(Clone, Copy)]
pub struct Ctl {
    /// Reactive state.
    pub state: AppState,
    /// Current tab.
    pub tab: RwSignal<Tab>,
    /// What the user typed in the ID field (kept across retries, never stored).
    pub id_input: RwSignal<String>,
    /// What the user typed in the password field (kept across retries, never stored).
    pub pw_input: RwSignal<String>,
    /// Demo dialect choice.
    pub demo_dialect: RwSignal<String>,
    /// Demo scenario choice.
    pub demo_scenario: RwSignal<String>,
    /// Ports granted earlier.
    pub granted: RwSignal<Vec<Port>, LocalStorage>,
    /// The credentials in the fields, when the tab's lock-out guard blocks them: the failed
    /// attempts remembered for them (the warning says how many).
    pub blocked: Memo<Option<u8>>,
    session: StoredValue<Option<Session>, LocalStorage>,
    active: RwSignal<bool>,
    creds: StoredValue<Option<Credentials>, LocalStorage>,
    generation: StoredValue<u32>,
    lang: StoredValue<echonet::pretty::Lang>,
}

/// The ID and password as typed, when both are well-formed.
fn typed(id: &str, password: &str) -> Option<(RouteBId, RouteBPassword)> {
    let id = RouteBId::new(&normalize_input(id).text).ok()?;
    let password = RouteBPassword::new(&normalize_input(password).text).ok()?;
    Some((id, password))
}

/// Demo speed-up from the page address (`?speed=20`, a whole number 1–1000), for tests and
/// impatient demos.
fn demo_speed() -> u32 {
    query_param("speed")
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|s| (1..=1000).contains(s))
        .unwrap_or(1)
}

impl Ctl {
    /// Create and provide the controller.
    pub fn provide() -> Self {
        let state = AppState::new();
        let id_input = RwSignal::new(String::new());
        let pw_input = RwSignal::new(String::new());
        let blocked = Memo::new(move |_| {
            state.lockout_rev.track();
            let (id, pw) = typed(&id_input.get(), &pw_input.get())?;
            lockout::blocked(&id, &pw)
        });
        let ctl = Self {
            state,
            tab: RwSignal::new(Tab::Setup),
            id_input,
            pw_input,
            blocked,
            demo_dialect: RwSignal::new("single-hop".into()),
            demo_scenario: RwSignal::new("demo".into()),
            granted: RwSignal::new_local(Vec::new()),
            session: StoredValue::new_local(None),
            active: RwSignal::new(false),
            creds: StoredValue::new_local(None),
            generation: StoredValue::new(0),
            lang: StoredValue::new(echonet::pretty::Lang::Ja),
        };
        provide_context(ctl);
        crate::data::init(ctl.state);
        spawn_local(async move {
            if let Ok(ports) = serial::granted_ports().await {
                ctl.granted.set(ports);
            }
        });
        // First reading of an attempt: show the dashboard.
        let shown = StoredValue::new(false);
        Effect::new(move |_| {
            let has = ctl.state.last.with(|l| l.is_some());
            if has && !shown.get_value() {
                shown.set_value(true);
                ctl.tab.set(Tab::Dashboard);
                // The wizard is done: keyboard users land on the dashboard's first heading.
                request_animation_frame(|| crate::platform::dom::focus_first_heading("panel"));
            }
        });
        ctl
    }

    /// The language for exports and decoded frames.
    pub fn set_lang(&self, lang: echonet::pretty::Lang) {
        self.lang.set_value(lang);
    }

    /// True while a session exists.
    pub fn has_session(&self) -> bool {
        self.session.with_value(|s| s.is_some())
    }

    /// Reactive: whether a session exists.
    pub fn has_session_signal(&self) -> RwSignal<bool> {
        self.active
    }

    async fn stop_current(&self) {
        self.active.set(false);
        if let Some(s) = self.session.try_update_value(|s| s.take()).flatten() {
            s.close().await;
        }
    }

    async fn run(&self, port: Port, mode: Mode) {
        self.stop_current().await;
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        let place = match &mode {
            Mode::Real => "real".to_string(),
            Mode::Demo(p) => format!("demo:{p}"),
        };
        store::save_place(&place);
        let creds = self.creds.get_value();
        let speed = match mode {
            Mode::Demo(_) => demo_speed(),
            Mode::Real => 1,
        };
        // A failure to open is shown through `state.link`.
        if let Ok(s) = session::start(self.state, port, mode, generation, speed).await {
            // Credentials the lock-out guard blocks are not given: the engine asks for them,
            // and the credentials step shows the warning.
            if let Some(c) = creds {
                if let Decision::Allowed(n) = lockout::decide(&c.id, &c.password, false) {
                    s.set_credentials(&c, n);
                }
            }
            if self.generation.get_value() == generation {
                self.session.set_value(Some(s));
                self.active.set(true);
            } else {
                s.close().await;
            }
        }
    }

    /// "Connect dongle": the chooser, from the click.
    pub fn connect_real(&self) {
        let ctl = *self;
        ctl.state.link.set(LinkStatus::Requesting);
        spawn_local(async move {
            // requestPort must be the first await after the click.
            match serial::request_port().await {
                Ok(port) => ctl.run(port, Mode::Real).await,
                Err(SerialError::Cancelled) => ctl.state.link.set(LinkStatus::Cancelled),
                Err(e) => ctl.state.link.set(LinkStatus::Failed(e.to_string())),
            }
        });
    }

    /// Reconnect to a port granted earlier (no chooser).
    pub fn connect_port(&self, port: Port) {
        let ctl = *self;
        spawn_local(async move { ctl.run(port, Mode::Real).await });
    }

    /// Start the demo dongle with the chosen dialect and scenario.
    pub fn connect_demo(&self) {
        let preset = broute_worker::demo::preset_key(
            &self.demo_dialect.get_untracked(),
            &self.demo_scenario.get_untracked(),
        );
        self.start_demo(preset);
    }

    /// Start the demo dongle with a preset (chosen now, or remembered from before a reload),
    /// filling in the demo credentials when the fields are empty.
    pub fn start_demo(&self, preset: String) {
        let ctl = *self;
        if self.id_input.get_untracked().is_empty() {
            self.id_input.set(sim::DEMO_ROUTE_B_ID.to_string());
            self.pw_input.set(sim::DEMO_PASSWORD.to_string());
        }
        spawn_local(async move {
            let port = Port::from_js(demo::port(&preset, demo_speed()));
            ctl.run(port, Mode::Demo(preset)).await;
        });
    }

    /// Give validated credentials to the session (kept in memory for retries), if the tab's
    /// lock-out guard allows them; `confirmed`: the user accepted the warning about one more
    /// try after two failures. Returns whether they were given.
    pub fn submit_credentials(&self, c: Credentials, confirmed: bool) -> bool {
        let Decision::Allowed(n) = lockout::decide(&c.id, &c.password, confirmed) else {
            return false;
        };
        self.creds.set_value(Some(c.clone()));
        self.session.with_value(|s| {
            if let Some(s) = s {
                s.set_credentials(&c, n);
            }
        });
        true
    }

    /// Submit what is in the fields, if it is well-formed (see [`Ctl::submit_credentials`]).
    pub fn submit_fields(&self, confirmed: bool) -> bool {
        let typed = typed(
            &self.id_input.get_untracked(),
            &self.pw_input.get_untracked(),
        );
        typed.is_some_and(|(id, password)| {
            self.submit_credentials(Credentials { id, password }, confirmed)
        })
    }

    /// Forget the credentials given so far (the user wants to correct them).
    pub fn forget_credentials(&self) {
        self.creds.set_value(None);
    }

    /// Retry with the same port (or a fresh demo dongle of the same scenario), keeping what was
    /// entered.
    pub fn retry(&self) {
        let mode = self.state.mode.get_untracked();
        let port = self
            .session
            .with_value(|s| s.as_ref().and_then(Session::port));
        let ctl = *self;
        match mode {
            Some(Mode::Demo(preset)) => spawn_local(async move {
                let port = Port::from_js(demo::port(&preset, demo_speed()));
                ctl.run(port, Mode::Demo(preset)).await;
            }),
            Some(Mode::Real) => match port {
                Some(p) if ctl.state.link.get_untracked() != LinkStatus::Lost => {
                    spawn_local(async move { ctl.run(p, Mode::Real).await })
                }
                _ => ctl.connect_real(),
            },
            None => {}
        }
    }

    /// Close the session and go back to the connect step. The credentials are forgotten and
    /// their fields cleared (the tab's lock-out record stays).
    pub fn disconnect(&self) {
        let ctl = *self;
        store::forget_place();
        self.creds.set_value(None);
        self.id_input.set(String::new());
        self.pw_input.set(String::new());
        spawn_local(async move {
            ctl.stop_current().await;
            ctl.state.reset_attempt();
            ctl.state.mode.set(None);
            ctl.state.link.set(LinkStatus::Closed);
        });
    }

    /// Current UI language for exports and decoded frames.
    pub fn lang(&self) -> echonet::pretty::Lang {
        self.lang.get_value()
    }

    /// Run `f` on the current session.
    pub fn with_session(&self, f: impl FnOnce(&Session)) {
        self.session.with_value(|s| {
            if let Some(s) = s {
                f(s);
            }
        });
    }
}
