//! The demo: the card that starts the simulated dongle with a dongle type and a situation,
//! and the card that offers to continue the demo after a reload. The choices are the worker's
//! (`broute_worker::demo::{DIALECTS, SCENARIOS}`), so the page offers nothing it cannot run.

use broute_worker::demo::{preset_parts, DIALECTS, SCENARIOS};
use leptos::prelude::*;

use crate::control::Ctl;
use crate::i18n::*;

/// The localised name of a demo scenario key (as in the demo card).
fn scenario_text(i18n: leptos_i18n::I18nContext<Locale>, key: &str) -> String {
    match key {
        "wrong-password" => t_string!(i18n, scenario_wrong_password),
        "wrong-id" => t_string!(i18n, scenario_wrong_id),
        "weak-signal" => t_string!(i18n, scenario_weak),
        "no-meter" => t_string!(i18n, scenario_no_meter),
        "solar" => t_string!(i18n, scenario_solar),
        "high-voltage" => t_string!(i18n, scenario_high_voltage),
        "short-session" => t_string!(i18n, scenario_short_session),
        "hostile-neighbour" => t_string!(i18n, scenario_hostile),
        _ => t_string!(i18n, scenario_normal),
    }
    .to_string()
}

/// The localised name of a demo dongle type key.
fn dialect_text(i18n: leptos_i18n::I18nContext<Locale>, key: &str) -> String {
    match key {
        "dual-stack" => t_string!(i18n, dialect_dual),
        "dss" => t_string!(i18n, dialect_dss),
        "j11" => t_string!(i18n, dialect_j11),
        _ => t_string!(i18n, dialect_single),
    }
    .to_string()
}

/// The localised name of a demo preset (`[dialect+]scenario`).
fn preset_text(i18n: leptos_i18n::I18nContext<Locale>, preset: &str) -> String {
    let (dialect, scenario) = preset_parts(preset);
    format!(
        "{} / {}",
        dialect_text(i18n, dialect),
        scenario_text(i18n, scenario)
    )
}

/// Where the user was before a reload: offer to continue there.
#[component]
pub fn ResumeCard() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let place = crate::store::place();
    move || {
        if ctl.has_session_signal().get() {
            return None;
        }
        let p = place.clone()?;
        Some(match p.strip_prefix("demo:") {
            Some(preset) => {
                let preset = preset.to_string();
                let shown = preset.clone();
                view! {
                    <section class="card resume" data-testid="resume">
                        <p>{move || t_string!(i18n, resume_demo, preset = preset_text(i18n, &shown)).to_string()}</p>
                        <button type="button" class="primary" data-testid="resume-demo"
                            on:click=move |_| ctl.start_demo(preset.clone())>
                            {t!(i18n, resume_demo_button)}
                        </button>
                    </section>
                }
                .into_any()
            }
            None => view! {
                <section class="card resume" data-testid="resume">
                    <p>{t!(i18n, resume_real)}</p>
                </section>
            }
            .into_any(),
        })
    }
}

/// "Try the demo dongle": the dongle type, the situation, and the button.
#[component]
pub fn DemoCard() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let scenarios = move || {
        let _ = i18n.get_locale();
        SCENARIOS.map(|k| (k, scenario_text(i18n, k)))
    };
    let dialects = move || {
        let _ = i18n.get_locale();
        DIALECTS.map(|k| (k, dialect_text(i18n, k)))
    };
    view! {
        <section class="card demo" aria-labelledby="demo-h">
            <h2 id="demo-h">{t!(i18n, demo_heading)}</h2>
            <p>{t!(i18n, demo_hint)}</p>
            <div class="form-row">
                <label for="demo-dialect">{t!(i18n, demo_dialect)}</label>
                <select id="demo-dialect" data-testid="demo-dialect"
                    on:change=move |ev| ctl.demo_dialect.set(event_target_value(&ev))>
                    {move || dialects().into_iter().map(|(v, l)| view! {
                        <option value=v selected=move || ctl.demo_dialect.get() == v>{l}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="form-row">
                <label for="demo-scenario">{t!(i18n, demo_scenario)}</label>
                <select id="demo-scenario" data-testid="demo-scenario"
                    on:change=move |ev| ctl.demo_scenario.set(event_target_value(&ev))>
                    {move || scenarios().into_iter().map(|(v, l)| view! {
                        <option value=v selected=move || ctl.demo_scenario.get() == v>{l}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="actions">
                <button type="button" data-testid="demo-start" on:click=move |_| ctl.connect_demo()>
                    {t!(i18n, demo_button)}
                </button>
            </div>
        </section>
    }
}
