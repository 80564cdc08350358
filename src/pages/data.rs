//! Data: the recording and its CSV, meter history to CSV, granularity, the support bundle (and
//! the story of a bundle opened, `pages::story`).

use broute::{HistoryRequest, Phase};
use export::{history, Lang, MeterColumns, Scaling};
use leptos::prelude::*;
use leptos::task::spawn_local;
use skstack::normalize_input;

use crate::control::Ctl;
use crate::data::stamp;
use crate::i18n::*;
use crate::platform::clock;
use crate::platform::files::{chosen_file_text, download};
use crate::pages::story::{StoryCard, StoryInput};
use crate::record;
use crate::tools::{self, Request};

const CSV: &str = "text/csv;charset=utf-8";

fn lang(ctl: &Ctl) -> Lang {
    ctl.lang()
}

/// Run an export in the worker and offer its text as a file `<prefix>-<stamp>.csv`.
async fn export_csv(prefix: &str, req: Request) {
    if let Ok(text) = tools::run(req).await {
        download(&format!("{prefix}-{}.csv", stamp()), CSV, text.as_bytes());
    }
}

/// The data page.
#[component]
pub fn DataPage() -> impl IntoView {
    view! {
        <RecordingCard/>
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
        let meter = st
            .meter
            .with_untracked(|m| m.as_ref().map(MeterColumns::from_identity))
            .unwrap_or_default();
        let hv = st.meter.with_untracked(|m| {
            m.as_ref()
                .is_some_and(|m| m.class == broute::MeterClass::HighVoltage)
        });
        spawn_local(async move {
            if let Ok(recs) = record::records_raw().await {
                let req = Request::ReadingsCsv {
                    lang,
                    hv,
                    maker: meter.maker,
                    serial: meter.serial,
                    records: recs.join("\n"),
                };
                export_csv("broute-readings", req).await;
            }
        });
    };
    let clear = move |_| {
        if !armed.get_untracked() {
            armed.set(true);
            return;
        }
        armed.set(false);
        spawn_local(async move {
            if record::clear_all().await.is_ok() {
                st.recorded.set(0);
                st.days_stored.set(0);
                st.samples.set(Default::default());
                cleared.set(true);
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="rec-h">
            <h2 id="rec-h">{t!(i18n, rec_heading)}</h2>
            {move || st.storage_error.get().map(|e| view! {
                <p class="status bad" role="alert">{t_string!(i18n, rec_error, detail = e).to_string()}</p>
            })}
            <p data-testid="rec-count">{move || t_string!(i18n, rec_count, n = st.recorded.get()).to_string()}</p>
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
            // Resume: only the missing days (and today) are read.
            let stored = record::day_dates().await.unwrap_or_default();
            let today = export::time::jst(clock::now_ms() as i64).map(|d| d.date());
            let to = history::days_to_read(today, n, &stored);
            ctl.with_session(|s| s.request_history(HistoryRequest::Days { from: 0, to }));
        });
    };
    let read_recent = move |_| {
        if let Some(stamp) = history::newest_half_hour(clock::now_ms() as i64) {
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
            if let (Ok(days), Some(scaling)) = (record::days_raw().await, scaling) {
                let req = Request::HistoryCsv {
                    lang,
                    scaling,
                    days: days.join("\n"),
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
    // Recompute when the meter is known or the language changes (cheap: one pass over records).
    Effect::new(move |_| {
        let _ = i18n.get_locale();
        let _ = st.recorded.get() / 10;
        let Some(scaling) = st.meter.with(|m| m.as_ref().map(Scaling::from)) else {
            text.set(None);
            return;
        };
        let lang = lang(&ctl);
        spawn_local(async move {
            let records = record::records_raw().await.unwrap_or_default().join("\n");
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
            let records = record::records_raw().await.unwrap_or_default().join("\n");
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

#[component]
fn BundleCard() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let story = RwSignal::new(None::<StoryInput>);
    let make = move |_| {
        // The worker learns the credentials as typed, so it can hide every form of them.
        let id = normalize_input(&ctl.id_input.get_untracked()).text;
        let pw = normalize_input(&ctl.pw_input.get_untracked()).text;
        let lang = lang(&ctl);
        let mut job = None;
        ctl.with_session(|s| job = Some(s.bundle_job(id, pw, lang)));
        let Some(job) = job else { return };
        spawn_local(async move {
            if let Ok(json) = tools::run(Request::BuildBundle(job)).await {
                let name = format!("broute-support-{}.json", stamp());
                download(&name, "application/json", json.as_bytes());
            }
        });
    };
    let open = move |ev: leptos::ev::Event| {
        spawn_local(async move {
            let Some(text) = chosen_file_text(&ev).await else {
                return;
            };
            story.set(Some(StoryInput::Bundle(text)));
        });
    };
    view! {
        <section class="card" aria-labelledby="bundle-h">
            <h2 id="bundle-h">{t!(i18n, bundle_heading)}</h2>
            <p class="note">{t!(i18n, bundle_hint)}</p>
            <div class="actions">
                <button type="button" class="primary" data-testid="bundle-download" on:click=make
                    disabled=move || !ctl.has_session_signal().get()>
                    {t!(i18n, bundle_download)}
                </button>
                <label class="file">
                    {t!(i18n, bundle_open)}
                    <input type="file" accept=".json,application/json" data-testid="bundle-open" on:change=open/>
                </label>
            </div>
        </section>
        <StoryCard input=story/>
    }
}
