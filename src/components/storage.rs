//! Storage for people: the banner shown on every tab while readings cannot be saved, and the
//! Data tab's storage card (persistence, space used, how long readings are kept).

use std::time::Duration;

use export::retention::{size_text, Keep};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::control::Ctl;
use crate::data;
use crate::i18n::*;
use crate::platform::timers;
use crate::record::Problem;

/// Retention choices offered, in days (0: everything).
const KEEP_CHOICES: [u16; 5] = [0, 7, 30, 90, 365];

/// While readings cannot be stored: what happened, that nothing is lost yet, and what to do
/// (download the CSV now; saving is retried by itself). Shown above the tabs.
#[component]
pub fn StorageBanner() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let st = ctl.state;
    let busy = RwSignal::new(false);
    let csv = move |_| {
        busy.set(true);
        let lang = ctl.lang();
        spawn_local(async move {
            data::download_readings_csv(st, lang).await;
            busy.set(false);
        });
    };
    move || {
        let s = st.storage.get();
        if s.problem.is_none() && s.dropped == 0 {
            return None;
        }
        let what = match s.problem {
            Some(Problem::Quota) => t_string!(i18n, banner_quota).to_string(),
            Some(Problem::Blocked) => t_string!(i18n, banner_blocked).to_string(),
            Some(Problem::Missing) => t_string!(i18n, banner_missing).to_string(),
            Some(Problem::Failed) => t_string!(i18n, banner_failed).to_string(),
            None => t_string!(i18n, banner_dropped_head).to_string(),
        };
        let kept = match (s.problem, s.unsaved) {
            (None, _) => String::new(),
            (Some(Problem::Missing), 0) => t_string!(i18n, banner_kept_session_none).to_string(),
            (Some(Problem::Missing), n) => t_string!(i18n, banner_kept_session, n = n).to_string(),
            (Some(_), 0) => t_string!(i18n, banner_kept_none).to_string(),
            (Some(_), n) => t_string!(i18n, banner_kept, n = n).to_string(),
        };
        let todo = match s.problem {
            Some(Problem::Quota) => t_string!(i18n, banner_todo_quota).to_string(),
            _ => t_string!(i18n, banner_todo).to_string(),
        };
        let retry = s.problem.is_some_and(|p| p != Problem::Missing);
        Some(view! {
            <section class="card banner storage-banner" data-testid="storage-banner"
                aria-labelledby="storage-banner-h">
                <p id="storage-banner-h" class="cause-title" role="alert">"⚠ " {what}</p>
                {(!kept.is_empty()).then(|| view! { <p data-testid="storage-kept">{kept}</p> })}
                {(s.dropped > 0).then(|| view! {
                    <p class="status bad">{t_string!(i18n, banner_dropped, n = s.dropped).to_string()}</p>
                })}
                <p>{todo}</p>
                <div class="actions">
                    <button type="button" class="primary" data-testid="banner-csv" on:click=csv
                        disabled=move || busy.get()>{t!(i18n, banner_csv)}</button>
                    {retry.then(|| view! {
                        <button type="button" data-testid="banner-retry" on:click=|_| data::retry_now()>
                            {t!(i18n, banner_retry)}
                        </button>
                    })}
                </div>
            </section>
        })
    }
}

/// The Data tab's storage card: is the recording persistent, how much space it uses, how long
/// readings are kept, and the question about old readings never exported.
#[component]
pub fn StorageCard() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let st = ctl.state;
    spawn_local(data::refresh_usage());
    timers::every_while_mounted(Duration::from_secs(30), || {
        spawn_local(data::refresh_usage())
    });
    let keep = RwSignal::new(crate::store::keep().days());
    let persisted = move || match st.persisted.get() {
        Some(true) => t_string!(i18n, storage_persisted_yes).to_string(),
        Some(false) => t_string!(i18n, storage_persisted_no).to_string(),
        None => t_string!(i18n, storage_persisted_unknown).to_string(),
    };
    let usage = move || {
        st.usage.get().map(|(used, quota)| {
            t_string!(
                i18n,
                storage_usage,
                used = size_text(used as u64),
                quota = size_text(quota as u64)
            )
            .to_string()
        })
    };
    let choose = move |ev: leptos::ev::Event| {
        let days: u16 = event_target_value(&ev).parse().unwrap_or(0);
        keep.set(days);
        data::set_keep(Keep::from_days(u32::from(days)));
    };
    let csv = move |_| {
        let lang = ctl.lang();
        spawn_local(async move {
            data::download_readings_csv(st, lang).await;
        });
    };
    let option = move |d: u16| {
        let label = move || {
            if d == 0 {
                t_string!(i18n, storage_keep_all).to_string()
            } else {
                t_string!(i18n, storage_keep_days, n = d).to_string()
            }
        };
        view! { <option value=d.to_string() selected=move || keep.get() == d>{label}</option> }
    };
    view! {
        <section class="card" aria-labelledby="storage-h">
            <h2 id="storage-h">{t!(i18n, storage_heading)}</h2>
            <p data-testid="storage-persisted">{persisted}</p>
            {move || usage().map(|u| view! { <p data-testid="storage-usage">{u}</p> })}
            <div class="form-row">
                <label for="keep-days">{t!(i18n, storage_keep_label)}</label>
                <select id="keep-days" data-testid="keep-days" on:change=choose>
                    {KEEP_CHOICES.map(option)}
                </select>
            </div>
            <p class="note">{t!(i18n, storage_keep_hint)}</p>
            {move || st.retention_ask.get().map(|(n, days)| view! {
                <div class="banner-inline" data-testid="retention-ask" role="group" aria-labelledby="retention-ask-q">
                    <p id="retention-ask-q">{t_string!(i18n, storage_ask, n = n, days = days).to_string()}</p>
                    <div class="actions">
                        <button type="button" class="primary" on:click=csv>{t!(i18n, rec_csv)}</button>
                        <button type="button" data-testid="retention-delete" on:click=|_| data::answer_old(true)>
                            {t!(i18n, storage_ask_delete)}
                        </button>
                        <button type="button" data-testid="retention-keep" on:click=|_| data::answer_old(false)>
                            {t!(i18n, storage_ask_keep)}
                        </button>
                    </div>
                </div>
            })}
        </section>
    }
}
