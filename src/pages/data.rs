//! Data: the recording and its CSV, meter history to CSV, granularity, the support bundle
//! (`pages::bundle`).

use broute::{HistoryRequest, Phase};
use export::{history, Lang, Scaling};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::storage::StorageCard;
use crate::control::Ctl;
use crate::data::{self, export_csv};
use crate::i18n::*;
use crate::pages::bundle::BundleCard;
use crate::platform::clock;
use crate::tools::{self, Request};

fn lang(ctl: &Ctl) -> Lang {
    ctl.lang()
}

/// The meter's clock now (the computer's, unless the meter's differs by more than an hour).
fn meter_now(ctl: &Ctl) -> i64 {
    history::meter_now_ms(
        clock::now_ms() as i64,
        ctl.state.meter_stamp.get_untracked(),
    )
}

/// The data page.
#[component]
pub fn DataPage() -> impl IntoView {
    view! {
        <RecordingCard/>
        <StorageCard/>
        <HistoryCard/>
        <GranularityCard/>
        <BundleCard/>
    }
}

#[component]
fn RecordingCard() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let st = ctl.state;
    let armed = RwSignal::new(false);
    let cleared = RwSignal::new(false);
    let export_csv = move |_| {
        let lang = lang(&ctl);
        spawn_local(async move {
            data::download_readings_csv(st, lang).await;
        });
    };
    let clear = move |_| {
        if !armed.get_untracked() {
            armed.set(true);
            return;
        }
        armed.set(false);
        spawn_local(async move {
            if data::clear_all().await {
                cleared.set(true);
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="rec-h">
            <h2 id="rec-h">{t!(i18n, rec_heading)}</h2>
            <p data-testid="rec-count">{move || {
                let n = st.recorded.get();
                // Readings wait in memory only a moment while writes succeed: said only when
                // they fail.
                match st.storage.with(|s| s.problem.map(|_| s.unsaved)) {
                    None | Some(0) => t_string!(i18n, rec_count, n = n).to_string(),
                    Some(m) => t_string!(i18n, rec_count_unsaved, n = n, m = m).to_string(),
                }
            }}</p>
            <div class="actions">
                <button type="button" class="primary" data-testid="rec-csv" on:click=export_csv
                    disabled=move || st.recorded.get() == 0>
                    {t!(i18n, rec_csv)}
                </button>
                <button type="button" data-testid="rec-clear" on:click=clear
                    disabled=move || st.recorded.get() == 0 && st.days_stored.get() == 0>
                    {move || if armed.get() { t!(i18n, rec_clear_confirm).into_any() } else { t!(i18n, rec_clear).into_any() }}
                </button>
                {move || cleared.get().then(|| view! { <span role="status">{t!(i18n, rec_cleared)}</span> })}
            </div>
        </section>
    }
}

#[component]
fn HistoryCard() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let st = ctl.state;
    let days = RwSignal::new("7".to_string());
    let connected = move || {
        matches!(
            st.phase.get(),
            Phase::Reading | Phase::ReAuthenticating | Phase::TxLimited
        )
    };
    let read = move |_| {
        let n = days.get_untracked().trim().parse::<u8>().unwrap_or(7);
        spawn_local(async move {
            // Resume: only the missing or partial days (and today) are read.
            let complete = data::complete_days().await;
            let today = export::time::jst(meter_now(&ctl)).map(|d| d.date());
            let to = history::days_to_read(today, n, &complete);
            ctl.with_session(|s| s.request_history(HistoryRequest::Days { from: 0, to }));
        });
    };
    let read_recent = move |_| {
        if let Some(stamp) = history::newest_half_hour(meter_now(&ctl)) {
            let count = history::RECENT_HALF_HOURS;
            ctl.with_session(|s| s.request_history(HistoryRequest::HalfHours { stamp, count }));
        }
    };
    let has_ec = move || {
        st.meter.with(|m| {
            m.as_ref().is_some_and(|m| {
                m.class == broute::MeterClass::LowVoltage
                    && m.get_map.as_ref().is_some_and(|g| g.contains(0xEC))
            })
        })
    };
    let export_csv = move |_| {
        let lang = lang(&ctl);
        let scaling = st.meter.with_untracked(|m| m.as_ref().map(Scaling::from));
        spawn_local(async move {
            if let Some(scaling) = scaling {
                let req = Request::HistoryCsv {
                    lang,
                    scaling,
                    days: data::history_days().await.join("\n"),
                };
                export_csv("broute-history", req).await;
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="hist-h">
            <h2 id="hist-h">{t!(i18n, hist_heading)}</h2>
            <p class="note">{t!(i18n, hist_hint)}</p>
            <div class="form-row">
                <label for="hist-days">{t!(i18n, hist_days)}</label>
                <input id="hist-days" data-testid="hist-days" type="number" min="1" max=history::MAX_DAYS
                    prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev))/>
                <button type="button" data-testid="hist-read" on:click=read
                    disabled=move || !connected() || st.history.get().is_some()>
                    {t!(i18n, hist_read)}
                </button>
            </div>
            <p class="note">{t!(i18n, hist_resume_note)}</p>
            {move || has_ec().then(|| view! {
                <button type="button" data-testid="hist-recent" on:click=read_recent
                    disabled=move || !connected() || st.history.get().is_some()>
                    {t!(i18n, hist_recent)}
                </button>
            })}
            {move || (!connected()).then(|| view! { <p class="note">{t!(i18n, hist_need_session)}</p> })}
            {move || st.history.get().map(|(done, total)| view! {
                <progress data-testid="hist-progress" max=total value=done
                    aria-label=move || t_string!(i18n, hist_heading).to_string()></progress>
                <p role="status">{t_string!(i18n, hist_progress, done = done, total = total).to_string()}</p>
            })}
            <p data-testid="hist-stored">{move || t_string!(i18n, hist_stored, n = st.days_stored.get()).to_string()}</p>
            <button type="button" data-testid="hist-csv" on:click=export_csv
                disabled=move || st.days_stored.get() == 0 || st.meter.with(|m| m.is_none())>
                {t!(i18n, hist_csv)}
            </button>
        </section>
    }
}

#[component]
fn GranularityCard() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let st = ctl.state;
    let text = RwSignal::new(None::<String>);
    // Recompute when the meter is known, the language changes, and every 120 readings (10
    // minutes at 5 s), over the last 24 hours (one key range of the store).
    Effect::new(move |_| {
        let _ = i18n.get_locale();
        let _ = st.recorded.get() / 120;
        let Some(scaling) = st.meter.with(|m| m.as_ref().map(Scaling::from)) else {
            text.set(None);
            return;
        };
        let lang = lang(&ctl);
        spawn_local(async move {
            let records = data::recent_readings().await.join("\n");
            let req = Request::Granularity {
                lang,
                scaling,
                records,
            };
            if let Ok(t) = tools::run(req).await {
                text.set(Some(t));
            }
        });
    });
    let export_csv = move |_| {
        let lang = lang(&ctl);
        let Some(scaling) = st.meter.with_untracked(|m| m.as_ref().map(Scaling::from)) else {
            return;
        };
        spawn_local(async move {
            let records = data::readings().await.0.join("\n");
            let req = Request::MinuteCsv {
                lang,
                scaling,
                records,
            };
            export_csv("broute-minutes", req).await;
        });
    };
    view! {
        <section class="card" aria-labelledby="gran-h">
            <h2 id="gran-h">{t!(i18n, gran_heading)}</h2>
            <p data-testid="granularity">
                {move || match text.get() {
                    Some(t) => t.into_any(),
                    None => t!(i18n, gran_need_meter).into_any(),
                }}
            </p>
            <button type="button" data-testid="gran-csv" on:click=export_csv
                disabled=move || st.meter.with(|m| m.is_none()) || st.recorded.get() == 0>
                {t!(i18n, gran_minute_csv)}
            </button>
        </section>
    }
}
