//! The support bundle: download one for the session (built in the worker by replaying the
//! session), and open one for support staff (size checked first, then its story told by
//! `pages::story`, laid out in the worker). What was opened stays while the user visits other
//! tabs.

use export::bundle::MAX_BUNDLE_BYTES;
use leptos::prelude::*;
use leptos::task::spawn_local;
use skstack::normalize_input;

use crate::control::Ctl;
use crate::data::stamp;
use crate::i18n::*;
use crate::pages::story::{OpenError, StoryCard, StoryInput, StoryState};
use crate::platform::files::{download, ChosenFile};
use crate::tools::{self, Request};

/// The opened bundle's story, kept for the page's lifetime (provided once by the shell).
#[derive(Clone, Copy)]
pub struct BundleView(StoryState);

impl BundleView {
    /// Create and provide the view state (once, in the shell).
    pub fn provide() {
        provide_context(Self(StoryState::default()));
    }
}

/// The support-bundle card of the data page.
#[component]
pub fn BundleCard() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let BundleView(story) = expect_context::<BundleView>();
    let make = move |_| {
        // The worker learns the credentials as typed, so it can hide every form of them.
        let id = normalize_input(&ctl.id_input.get_untracked()).text;
        let pw = normalize_input(&ctl.pw_input.get_untracked()).text;
        let lang = ctl.lang();
        let mut session = None;
        ctl.with_session(|s| session = Some(s.clone()));
        let Some(session) = session else { return };
        spawn_local(async move {
            let Some(job) = session.bundle_job(id, pw, lang).await else {
                return;
            };
            if let Ok(json) = tools::run(Request::BuildBundle(job)).await {
                let name = format!("broute-support-{}.json", stamp());
                download(&name, "application/json", json.as_bytes());
            }
        });
    };
    let open = move |ev: leptos::ev::Event| {
        let Some(file) = ChosenFile::from_event(&ev) else {
            return;
        };
        // The size first: a file that cannot be a bundle is never read.
        let size = file.size();
        if size > MAX_BUNDLE_BYTES as u64 {
            story.refuse(OpenError::TooLarge(size));
            return;
        }
        spawn_local(async move {
            match file.read().await {
                Some(file) => story.open(StoryInput::Bundle { file, size }),
                None => story.refuse(OpenError::Failed),
            }
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
        <StoryCard state=story/>
    }
}
