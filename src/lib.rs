//! B-route Commissioner: the Leptos (CSR) web app.
//!
//! The app only moves bytes, timers and signals: the protocol lives in the pure crates
//! (`echonet`, `skstack`, `broute`, `export`). `serial` is the one module that touches WebSerial
//! (`serial::demo` is the simulated dongle behind the same WebSerial shape, run in the worker);
//! `platform` is the one module for the rest of the browser (clock, timers, storage, files,
//! focus, the worker, the service worker); `session` wires one engine to one link; `tools` runs
//! the support tools and exports in the worker. This crate targets `wasm32-unknown-unknown`
//! only (the WebSerial bindings need the `web_sys_unstable_apis` cfg that `.cargo/config.toml`
//! sets for that target).
#![deny(unsafe_code)]

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

#[cfg(feature = "bench-hooks")]
pub mod bench_hooks;
pub mod components;
pub mod control;
pub mod data;
pub mod lockout;
pub mod pages;
pub mod platform;
pub mod record;
pub mod serial;
pub mod session;
pub mod state;
pub mod store;
pub mod tools;

use control::{Ctl, Tab};
use i18n::*;
use leptos::prelude::*;
use platform::dom;

/// The language of exports and decoded frames for a UI locale.
pub fn echonet_lang(l: Locale) -> echonet::pretty::Lang {
    match l {
        Locale::ja => echonet::pretty::Lang::Ja,
        Locale::en => echonet::pretty::Lang::En,
    }
}

/// The whole application.
#[component]
pub fn App() -> impl IntoView {
    #[cfg(feature = "e2e-hooks")]
    serial::demo::install_test_hook();
    platform::sw::register();
    view! {
        <I18nContextProvider>
            <Shell/>
        </I18nContextProvider>
    }
}

#[component]
fn Shell() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = Ctl::provide();
    pages::bundle::BundleView::provide();
    // A language chosen with the header buttons wins over the browser's preference. The
    // provider applies the browser's choice in an effect, so apply ours in a later one, once.
    Effect::new(move |done: Option<()>| {
        if done.is_none() {
            match store::lang().as_deref() {
                Some("ja") => i18n.set_locale(Locale::ja),
                Some("en") => i18n.set_locale(Locale::en),
                _ => {}
            }
        }
    });
    // Exports and decoded frames follow the UI language.
    Effect::new(move |_| ctl.set_lang(echonet_lang(i18n.get_locale())));
    let tab_button = move |tab: Tab| {
        let label = move || {
            let _ = i18n.get_locale();
            match tab {
                Tab::Setup => t_string!(i18n, tab_setup),
                Tab::Dashboard => t_string!(i18n, tab_dashboard),
                Tab::Data => t_string!(i18n, tab_data),
                Tab::Trace => t_string!(i18n, tab_trace),
                Tab::Settings => t_string!(i18n, tab_settings),
            }
        };
        let selected = move || ctl.tab.get() == tab;
        // Tabs pattern: one tab in the Tab order; arrows, Home and End move between tabs.
        let keydown = move |ev: leptos::ev::KeyboardEvent| {
            let i = Tab::ALL.iter().position(|t| *t == tab).unwrap_or(0);
            let n = Tab::ALL.len();
            let next = match dom::key(&ev).as_str() {
                "ArrowRight" => (i + 1) % n,
                "ArrowLeft" => (i + n - 1) % n,
                "Home" => 0,
                "End" => n - 1,
                _ => return,
            };
            ev.prevent_default();
            let t = Tab::ALL[next];
            ctl.tab.set(t);
            dom::focus_id(t.id());
        };
        view! {
            <button type="button" role="tab" id=tab.id() data-testid=tab.id() aria-controls="panel"
                aria-selected=move || selected().to_string()
                tabindex=move || if selected() { "0" } else { "-1" }
                on:click=move |_| ctl.tab.set(tab)
                on:keydown=keydown>
                {label}
            </button>
        }
    };
    #[cfg(feature = "bench-hooks")]
    let hooks = view! { <bench_hooks::BenchHooks/> };
    #[cfg(not(feature = "bench-hooks"))]
    let hooks = ();
    view! {
        {hooks}
        <header class="top">
            <h1>{t!(i18n, app_title)}</h1>
            <LanguageSwitch/>
        </header>
        <main id="main">
            <components::storage::StorageBanner/>
            <div class="tabs" role="tablist" aria-label=move || t_string!(i18n, tabs_label).to_string()>
                {Tab::ALL.map(tab_button)}
            </div>
            <div id="panel" role="tabpanel" aria-labelledby=move || ctl.tab.get().id()>
                {move || match ctl.tab.get() {
                    Tab::Setup => pages::setup::SetupPage().into_any(),
                    Tab::Dashboard => pages::dashboard::DashboardPage().into_any(),
                    Tab::Data => pages::data::DataPage().into_any(),
                    Tab::Trace => pages::trace::TracePage().into_any(),
                    Tab::Settings => pages::settings::SettingsPage().into_any(),
                }}
            </div>
            <components::announcer::Announcer/>
        </main>
    }
}

/// Language buttons (日本語 / English), each marked with `aria-pressed`.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let button = move |locale: Locale, label: &'static str, lang: &'static str| {
        view! {
            <button
                type="button"
                class="lang"
                lang=lang
                aria-pressed=move || (i18n.get_locale() == locale).to_string()
                on:click=move |_| {
                    i18n.set_locale(locale);
                    store::save_lang(lang);
                }
            >
                {label}
            </button>
        }
    };
    view! {
        <nav class="langs" aria-label=move || t_string!(i18n, language)>
            {button(Locale::ja, "日本語", "ja")}
            {button(Locale::en, "English", "en")}
        </nav>
    }
}
