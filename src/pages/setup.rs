//! The commissioning wizard: one page per step and a step indicator (the triage card for a
//! problem is in `pages::triage`).

use broute::wizard::WizardStep;
use broute::Phase;
use leptos::prelude::*;
use skstack::credentials::{CharClass, CredentialError};
use skstack::{normalize_input, ErxudpMode, RouteBId, RouteBPassword};

use crate::control::Ctl;
use crate::i18n::*;
use crate::pages::demo::{DemoCard, ResumeCard};
use crate::pages::lockout::LockoutWarning;
use crate::pages::triage::TriageCard;
use crate::platform::dom;
use crate::serial::{self, Support};
use crate::state::{AppState, LinkStatus};

/// The wizard step the state is at (see `broute::wizard`).
pub fn current_step(st: &AppState) -> WizardStep {
    let phase = st.phase.get();
    let open = st.link.get() == LinkStatus::Open;
    st.figures
        .with(|f| WizardStep::derive(phase, open, &f.history))
}

fn step_name(i18n: leptos_i18n::I18nContext<Locale>, s: WizardStep) -> String {
    match s {
        WizardStep::Browser => t_string!(i18n, step_browser),
        WizardStep::Connect => t_string!(i18n, step_connect),
        WizardStep::Dongle => t_string!(i18n, step_dongle),
        WizardStep::Credentials => t_string!(i18n, step_credentials),
        WizardStep::Scan => t_string!(i18n, step_scan),
        WizardStep::Join => t_string!(i18n, step_join),
        WizardStep::Reading => t_string!(i18n, step_reading),
    }
    .to_string()
}

#[component]
fn StepIndicator(step: Memo<WizardStep>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="step-of" data-testid="step-of">
            {move || t_string!(i18n, step_of, n = step.get().number()).to_string()}
        </p>
        <ol class="steps" aria-label=move || t_string!(i18n, steps_label).to_string()>
            {move || {
                let cur = step.get();
                WizardStep::ALL
                    .into_iter()
                    .map(|s| {
                        let (class, mark) = if s < cur {
                            ("done", "✓".to_string())
                        } else if s == cur {
                            ("current", s.number().to_string())
                        } else {
                            ("todo", s.number().to_string())
                        };
                        let done = (s < cur).then(|| {
                            view! { <span class="sr-only">{t_string!(i18n, step_done).to_string()}</span> }
                        });
                        view! {
                            <li class=class aria-current=(s == cur).then_some("step")>
                                <span class="num" aria-hidden="true">{mark}</span>
                                <span class="sr-only">{s.number()}". "</span>
                                <span class="name">{step_name(i18n, s)}</span>
                                {done}
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ol>
    }
}

/// The setup page.
#[component]
pub fn SetupPage() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let st = ctl.state;
    let step = Memo::new(move |_| current_step(&st));
    let fatal = Memo::new(move |_| st.cause.get().filter(|c| c.is_fatal()));
    // When the step (or the triage card) changes, keyboard and screen-reader users land on
    // the new step's heading.
    Effect::new(move |prev: Option<(WizardStep, bool)>| {
        let now = (step.get(), fatal.with(Option::is_some));
        if prev.is_some_and(|p| p != now) {
            request_animation_frame(|| dom::focus_first_heading("wizard-step"));
        }
        now
    });
    view! {
        <StepIndicator step=step/>
        <div id="wizard-step">
            {move || {
                if let Some(c) = fatal.get() {
                    return view! { <TriageCard cause=c/> }.into_any();
                }
                match step.get() {
                    WizardStep::Browser | WizardStep::Connect => {
                        view! { <BrowserCard/> <ResumeCard/> <ConnectCard/> <DemoCard/> }.into_any()
                    }
                    WizardStep::Dongle => view! { <DongleCard/> }.into_any(),
                    WizardStep::Credentials => view! { <DongleSummary/> <CredentialsCard/> }.into_any(),
                    WizardStep::Scan => view! { <ScanCard/> }.into_any(),
                    WizardStep::Join => view! { <JoinCard/> }.into_any(),
                    WizardStep::Reading => view! { <ReadingCard/> }.into_any(),
                }
            }}
        </div>
        <SessionBar/>
    }
}

#[component]
fn BrowserCard() -> impl IntoView {
    let i18n = use_i18n();
    let support = serial::support();
    let class = if support == Support::Available {
        "check ok"
    } else {
        "check bad"
    };
    let text = move || {
        let _ = i18n.get_locale();
        match support {
            Support::Available => t_string!(i18n, check_ok),
            Support::InsecureContext => t_string!(i18n, check_insecure),
            Support::NoWebSerial => t_string!(i18n, check_no_serial),
        }
        .to_string()
    };
    view! {
        <section class="card" aria-labelledby="check-h">
            <h2 id="check-h">{t!(i18n, check_heading)}</h2>
            <p class=class data-testid="browser-check">
                <span aria-hidden="true">{if support == Support::Available { "✓ " } else { "⚠ " }}</span>
                {text}
            </p>
        </section>
    }
}

pub fn link_text(i18n: leptos_i18n::I18nContext<Locale>, l: &LinkStatus) -> String {
    match l {
        LinkStatus::Idle => t_string!(i18n, state_idle).to_string(),
        LinkStatus::Requesting => t_string!(i18n, state_requesting).to_string(),
        LinkStatus::Opening => t_string!(i18n, state_opening).to_string(),
        LinkStatus::Open => t_string!(i18n, state_open).to_string(),
        LinkStatus::Closed => t_string!(i18n, state_closed).to_string(),
        LinkStatus::Lost => t_string!(i18n, state_lost).to_string(),
        LinkStatus::Cancelled => t_string!(i18n, state_cancelled).to_string(),
        LinkStatus::Failed(d) => t_string!(i18n, state_error, detail = d.clone()).to_string(),
        LinkStatus::NoEngine => t_string!(i18n, state_no_engine).to_string(),
    }
}

#[component]
fn ConnectCard() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let st = ctl.state;
    if serial::support() != Support::Available {
        return ().into_any();
    }
    let busy = move || matches!(st.link.get(), LinkStatus::Requesting | LinkStatus::Opening);
    let status_class = move || match st.link.get() {
        LinkStatus::Lost | LinkStatus::Failed(_) | LinkStatus::Cancelled | LinkStatus::NoEngine => {
            "status bad"
        }
        _ => "status",
    };
    view! {
        <section class="card" aria-labelledby="connect-h">
            <h2 id="connect-h">{t!(i18n, connect_heading)}</h2>
            <p>{t!(i18n, connect_hint)}</p>
            <div class="actions">
                <button type="button" class="primary" data-testid="connect" disabled=busy
                    on:click=move |_| ctl.connect_real()>
                    {t!(i18n, connect_button)}
                </button>
                {move || ctl.granted.get().into_iter().map(|port| {
                    let name = port.label();
                    let p2 = port.clone();
                    view! {
                        <button type="button" data-testid="reconnect" disabled=busy
                            on:click=move |_| ctl.connect_port(p2.clone())>
                            {t!(i18n, reconnect_button, name = name.clone())}
                        </button>
                    }
                }).collect_view()}
            </div>
            <p class=status_class data-testid="status">
                <span class="label">{t!(i18n, status_label)}": "</span>
                {move || { let _ = i18n.get_locale(); link_text(i18n, &st.link.get()) }}
            </p>
        </section>
    }
    .into_any()
}

fn mode_text(i18n: leptos_i18n::I18nContext<Locale>, m: ErxudpMode) -> String {
    match m {
        ErxudpMode::Hex => t_string!(i18n, mode_hex).to_string(),
        ErxudpMode::Binary => t_string!(i18n, mode_binary).to_string(),
        ErxudpMode::Unknown => t_string!(i18n, mode_unknown).to_string(),
    }
}

#[component]
fn DongleSummary() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let st = ctl.state;
    move || {
        st.dongle.get().map(|d| {
            let fw = d.firmware();
            view! {
                <dl class="facts" data-testid="dongle-facts">
                    <dt>{t!(i18n, dongle_family)}</dt>
                    <dd data-testid="dongle-family">{d.family()}</dd>
                    <dt>{t!(i18n, dongle_firmware)}</dt>
                    <dd data-testid="dongle-firmware">{fw}</dd>
                    {d.erxudp_mode.map(|m| view! {
                        <dt>{t!(i18n, dongle_mode)}</dt>
                        <dd data-testid="dongle-mode">{move || mode_text(i18n, m)}</dd>
                    })}
                </dl>
            }
        })
    }
}

#[component]
fn DongleCard() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="dongle-h" aria-busy="true">
            <h2 id="dongle-h">{t!(i18n, dongle_heading)}</h2>
            <p>{t!(i18n, dongle_probing)}</p>
            <progress aria-label=move || t_string!(i18n, dongle_probing).to_string()></progress>
            <DongleSummary/>
        </section>
    }
}

/// Validation state of one credential field, for display.
fn field_status(
    i18n: leptos_i18n::I18nContext<Locale>,
    raw: &str,
    max: usize,
    check: fn(&str) -> Result<(), CredentialError>,
) -> (bool, String) {
    let n = normalize_input(raw);
    if n.count == 0 {
        return (
            false,
            t_string!(i18n, cred_count, n = 0usize, max = max).to_string(),
        );
    }
    match check(&n.text) {
        Ok(()) => (true, t_string!(i18n, cred_ok).to_string()),
        Err(CredentialError::InvalidChar {
            position, class, ..
        }) => {
            let kind = match class {
                CharClass::Whitespace => t_string!(i18n, char_space).to_string(),
                CharClass::Control => t_string!(i18n, char_control).to_string(),
                CharClass::Symbol => t_string!(i18n, char_symbol).to_string(),
                CharClass::NonAscii => t_string!(i18n, char_nonascii).to_string(),
            };
            (
                false,
                t_string!(i18n, cred_bad_char, pos = position, kind = kind).to_string(),
            )
        }
        Err(CredentialError::Length {
            found, expected, ..
        }) => {
            let count = t_string!(i18n, cred_count, n = found, max = expected).to_string();
            let hint = if found < expected {
                t_string!(i18n, cred_too_short, n = expected - found).to_string()
            } else {
                t_string!(i18n, cred_too_long, n = found - expected).to_string()
            };
            (false, format!("{count} — {hint}"))
        }
        Err(_) => (false, String::new()),
    }
}

fn check_id(s: &str) -> Result<(), CredentialError> {
    RouteBId::new(s).map(|_| ())
}

fn check_pw(s: &str) -> Result<(), CredentialError> {
    RouteBPassword::new(s).map(|_| ())
}

#[component]
fn CredentialsCard() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let st = ctl.state;
    let show = RwSignal::new(false);
    let id_state = Memo::new(move |_| {
        let _ = i18n.get_locale();
        field_status(i18n, &ctl.id_input.get(), RouteBId::LEN, check_id)
    });
    let pw_state = Memo::new(move |_| {
        let _ = i18n.get_locale();
        field_status(i18n, &ctl.pw_input.get(), RouteBPassword::LEN, check_pw)
    });
    let ready = move || id_state.get().0 && pw_state.get().0;
    let waiting = move || st.phase.get() == Phase::ExpectCredentialsSet;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        ctl.submit_fields(false);
    };
    let is_demo = move || matches!(st.mode.get(), Some(crate::state::Mode::Demo(_)));
    view! {
        <section class="card" aria-labelledby="cred-h">
            <h2 id="cred-h">{t!(i18n, cred_heading)}</h2>
            <p>{t!(i18n, cred_hint)}</p>
            {move || is_demo().then(|| view! { <p class="note">{t!(i18n, cred_demo_note)}</p> })}
            <LockoutWarning/>
            <form on:submit=submit autocomplete="off">
                <div class="field">
                    <label for="cred-id">{t!(i18n, cred_id)}</label>
                    <input id="cred-id" data-testid="cred-id" type="text" inputmode="latin"
                        autocomplete="off" spellcheck="false" autocapitalize="characters"
                        aria-describedby="cred-id-where cred-id-status"
                        prop:value=move || ctl.id_input.get()
                        on:input=move |ev| ctl.id_input.set(event_target_value(&ev))/>
                    <p class="where" id="cred-id-where">{t!(i18n, cred_id_where)}</p>
                    <p id="cred-id-status" data-testid="cred-id-status"
                        class=move || if id_state.get().0 { "field-ok" } else { "field-hint" }>
                        {move || id_state.get().1}
                    </p>
                </div>
                <div class="field">
                    <label for="cred-password">{t!(i18n, cred_password)}</label>
                    <div class="pw-row">
                        <input id="cred-password" data-testid="cred-password"
                            type=move || if show.get() { "text" } else { "password" }
                            autocomplete="off" spellcheck="false"
                            aria-describedby="cred-pw-where cred-pw-status"
                            prop:value=move || ctl.pw_input.get()
                            on:input=move |ev| ctl.pw_input.set(event_target_value(&ev))/>
                        <label class="inline">
                            <input type="checkbox" data-testid="cred-show"
                                prop:checked=move || show.get()
                                on:change=move |ev| show.set(event_target_checked(&ev))/>
                            {t!(i18n, cred_show)}
                        </label>
                    </div>
                    <p class="where" id="cred-pw-where">{t!(i18n, cred_password_where)}</p>
                    <p id="cred-pw-status" data-testid="cred-pw-status"
                        class=move || if pw_state.get().0 { "field-ok" } else { "field-hint" }>
                        {move || pw_state.get().1}
                    </p>
                </div>
                <p class="note">{t!(i18n, cred_not_stored)}</p>
                <div class="actions">
                    <button type="submit" class="primary" data-testid="cred-submit"
                        disabled=move || !ready() || waiting() || ctl.blocked.get().is_some()>
                        {t!(i18n, cred_submit)}
                    </button>
                </div>
            </form>
        </section>
    }
}

#[component]
fn ScanCard() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let st = ctl.state;
    let pct = move || {
        st.scan.get().map_or(0.0, |s| {
            let elapsed = st.clock_ms.get().saturating_sub(s.started_ms) as f64;
            (elapsed / s.expected_ms.max(1) as f64 * 100.0).clamp(0.0, 99.0)
        })
    };
    view! {
        <section class="card" aria-labelledby="scan-h" aria-busy="true">
            <h2 id="scan-h">{t!(i18n, scan_heading)}</h2>
            {move || st.scan.get().map(|s| {
                let secs = s.expected_ms.div_ceil(1000);
                view! {
                    <p data-testid="scan-attempt">
                        {move || t_string!(i18n, scan_attempt, k = s.attempt, n = s.attempts, secs = secs).to_string()}
                    </p>
                }
            })}
            <progress data-testid="scan-progress" max="100" value=move || (pct().round() as i64).to_string()
                aria-label=move || t_string!(i18n, scan_heading).to_string()></progress>
            <p class="note">{t!(i18n, scan_hint)}</p>
            <PansList/>
        </section>
    }
}

#[component]
fn PansList() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let st = ctl.state;
    move || {
        let pans = st.pans.get();
        (!pans.is_empty()).then(|| {
            view! {
                <h3>{t!(i18n, scan_found)}</h3>
                <ul class="pans" data-testid="pans">
                    {pans.into_iter().map(|p| {
                        let lqi = p.lqi.map(|l| format!(" LQI {l}")).unwrap_or_default();
                        view! {
                            <li class=if p.matches { "ours" } else { "other" }>
                                {format!("CH {:02X} / PAN {:04X}{lqi} — ", p.channel, p.pan_id)}
                                {if p.matches { t!(i18n, scan_ours).into_any() } else { t!(i18n, scan_other).into_any() }}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
        })
    }
}

#[component]
fn JoinCard() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let st = ctl.state;
    view! {
        <section class="card" aria-labelledby="join-h" aria-busy="true">
            <h2 id="join-h">
                {move || if matches!(st.phase.get(), Phase::ExpectIdentity | Phase::ExpectInstanceList) {
                    t!(i18n, identity_heading).into_any()
                } else {
                    t!(i18n, join_heading).into_any()
                }}
            </h2>
            <p>{t!(i18n, join_hint)}</p>
            <progress aria-label=move || t_string!(i18n, join_heading).to_string()></progress>
        </section>
    }
}

#[component]
fn ReadingCard() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    view! {
        <section class="card" aria-labelledby="reading-h">
            <h2 id="reading-h">{t!(i18n, step_reading)}</h2>
            <div class="actions">
                <button type="button" class="primary" data-testid="open-dashboard"
                    on:click=move |_| ctl.tab.set(crate::control::Tab::Dashboard)>
                    {t!(i18n, tab_dashboard)}
                </button>
            </div>
        </section>
    }
}

#[component]
fn SessionBar() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let st = ctl.state;
    move || {
        (st.link.get() == LinkStatus::Open).then(|| {
            view! {
                <div class="session-bar">
                    <button type="button" data-testid="disconnect" on:click=move |_| ctl.disconnect()>
                        {t!(i18n, disconnect_button)}
                    </button>
                </div>
            }
        })
    }
}
