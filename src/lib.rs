//! B-route Commissioner: the Leptos (CSR) web app.
//!
//! The app only moves bytes, timers and signals: the protocol lives in the pure crates
//! (`echonet`, `skstack`, `broute`, `sim`). `serial` is the one module that touches WebSerial.
//! This crate targets `wasm32-unknown-unknown` only (the WebSerial bindings need the
//! `web_sys_unstable_apis` cfg that `.cargo/config.toml` sets for that target).
#![deny(unsafe_code)]

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub mod demo;
pub mod pages;
pub mod serial;

use i18n::*;
use leptos::prelude::*;

/// The whole application.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <I18nContextProvider>
            <Shell/>
        </I18nContextProvider>
    }
}

#[component]
fn Shell() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <header class="top">
            <h1>{t!(i18n, app_title)}</h1>
            <LanguageSwitch/>
        </header>
        <main id="main">
            <p class="tagline">{t!(i18n, tagline)}</p>
            <pages::start::StartPage/>
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
                on:click=move |_| i18n.set_locale(locale)
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
