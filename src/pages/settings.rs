//! Settings: language, polling interval, forget the pairing profile, forget the port.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::control::Ctl;
use crate::i18n::*;
use crate::store;

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let interval = RwSignal::new(store::poll_interval_secs().unwrap_or(10).to_string());
    let saved = RwSignal::new(false);
    let forgot_profile = RwSignal::new(false);
    let forgot_port = RwSignal::new(false);
    let save_interval = move |_| {
        if let Ok(s) = interval.get_untracked().trim().parse::<u64>() {
            let s = s.clamp(5, 3600);
            store::save_poll_interval_secs(s);
            ctl.with_session(|sess| sess.set_poll_interval(s));
            interval.set(s.to_string());
            saved.set(true);
        }
    };
    let forget_port = move |_| {
        let ports = ctl.granted.get_untracked();
        spawn_local(async move {
            for p in ports {
                let _ = p.forget().await;
            }
            ctl.granted.set(Vec::new());
            forgot_port.set(true);
        });
    };
    let lang_button = move |locale: Locale, label: &'static str, code: &'static str| {
        view! {
            <button type="button" lang=code data-testid=format!("settings-lang-{code}")
                aria-pressed=move || (i18n.get_locale() == locale).to_string()
                on:click=move |_| {
                    i18n.set_locale(locale);
                    store::save_lang(code);
                }>{label}</button>
        }
    };
    view! {
        <section class="card" aria-labelledby="set-h">
            <h2 id="set-h">{t!(i18n, settings_heading)}</h2>
            <div class="field" role="group" aria-labelledby="set-lang">
                <p id="set-lang" class="label-like">{t!(i18n, language)}</p>
                <div class="actions">
                    {lang_button(Locale::ja, "日本語", "ja")}
                    {lang_button(Locale::en, "English", "en")}
                </div>
            </div>
            <div class="field">
                <label for="interval">{t!(i18n, settings_interval)}</label>
                <input id="interval" data-testid="interval" type="number" min="5" max="3600" step="1"
                    prop:value=move || interval.get()
                    on:input=move |ev| { saved.set(false); interval.set(event_target_value(&ev)) }/>
                <p class="note">{t!(i18n, settings_interval_hint)}</p>
                <button type="button" data-testid="interval-save" on:click=save_interval>{t!(i18n, settings_saved)}</button>
                {move || saved.get().then(|| view! { <span role="status">" ✓"</span> })}
            </div>
            <div class="field">
                <button type="button" data-testid="forget-profile" on:click=move |_| {
                    store::forget_profile();
                    forgot_profile.set(true);
                }>{t!(i18n, settings_forget_profile)}</button>
                <p class="note">{t!(i18n, settings_forget_profile_hint)}</p>
                {move || forgot_profile.get().then(|| view! { <p role="status">{t!(i18n, settings_done)}</p> })}
            </div>
            <div class="field">
                <button type="button" data-testid="forget-port" on:click=forget_port>{t!(i18n, settings_forget_port)}</button>
                {move || forgot_port.get().then(|| view! { <p role="status">{t!(i18n, settings_done)}</p> })}
            </div>
        </section>
    }
}
