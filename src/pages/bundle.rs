//! The support bundle: download one for the session (built in the worker by replaying the
//! session), and open one for support staff (size checked first, parsed in the worker, shown
//! a page at a time). What was opened stays while the user visits other tabs.

use broute_worker::wire::BundleProblem;
use export::bundle::MAX_BUNDLE_BYTES;
use leptos::prelude::*;
use leptos::task::spawn_local;
use skstack::normalize_input;

use crate::control::Ctl;
use crate::data::stamp;
use crate::i18n::*;
use crate::platform::files::{download, ChosenFile};
use crate::tools::{self, Request};

/// Most timeline entries "show all" lays out at once ("next" goes on from there).
const SHOW_MAX: usize = 5_000;

/// Why a support bundle did not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpenError {
    /// Over the limit (the file's size).
    TooLarge(u64),
    /// What the worker found wrong.
    Problem(BundleProblem),
    /// The file could not be read, or the worker did not answer.
    Failed,
}

/// A size as people read it: "50.0 MB".
fn megabytes(bytes: u64) -> String {
    let tenths = bytes.saturating_mul(10) / (1024 * 1024);
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

fn open_error_text(i18n: leptos_i18n::I18nContext<Locale>, e: OpenError) -> String {
    match e {
        OpenError::TooLarge(size) => t_string!(
            i18n,
            bundle_too_large,
            size = megabytes(size),
            max = megabytes(MAX_BUNDLE_BYTES as u64)
        )
        .to_string(),
        OpenError::Problem(BundleProblem::NotText(line)) => {
            t_string!(i18n, bundle_not_text, line = line).to_string()
        }
        OpenError::Problem(BundleProblem::NotBundle(line)) => {
            t_string!(i18n, bundle_not_bundle, line = line).to_string()
        }
        OpenError::Problem(BundleProblem::Truncated) => {
            t_string!(i18n, bundle_truncated).to_string()
        }
        OpenError::Problem(BundleProblem::Version(v)) => {
            t_string!(i18n, bundle_version, v = v).to_string()
        }
        OpenError::Problem(BundleProblem::TooLarge) | OpenError::Failed => {
            t_string!(i18n, bundle_error).to_string()
        }
    }
}

/// The opened bundle, kept for the page's lifetime (provided once by the shell).
#[derive(Clone, Copy)]
pub struct BundleView {
    /// The timeline lines, or why the file did not open.
    loaded: RwSignal<Option<Result<Vec<String>, OpenError>>>,
    /// Timeline lines shown.
    shown: RwSignal<usize>,
    /// A file is being read and parsed.
    opening: RwSignal<bool>,
}

impl BundleView {
    /// Create and provide the view state (once, in the shell).
    pub fn provide() {
        provide_context(Self {
            loaded: RwSignal::new(None),
            shown: RwSignal::new(20),
            opening: RwSignal::new(false),
        });
    }

    fn get() -> Self {
        expect_context::<Self>()
    }
}

/// The support-bundle card of the data page.
#[component]
pub fn BundleCard() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let BundleView {
        loaded,
        shown,
        opening,
    } = BundleView::get();
    let make = move |_| {
        // The worker learns the credentials as typed, so it can hide every form of them.
        let id = normalize_input(&ctl.id_input.get_untracked()).text;
        let pw = normalize_input(&ctl.pw_input.get_untracked()).text;
        let lang = ctl.lang();
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
        let Some(file) = ChosenFile::from_event(&ev) else {
            return;
        };
        spawn_local(async move {
            loaded.set(None);
            // The size first: a file that cannot be a bundle is never read.
            let size = file.size();
            if size > MAX_BUNDLE_BYTES as u64 {
                loaded.set(Some(Err(OpenError::TooLarge(size))));
                return;
            }
            opening.set(true);
            let result = match file.read().await {
                // Parsed in the worker: the page stays responsive whatever the file holds.
                Some(bytes) => tools::open_bundle(&bytes)
                    .await
                    .map(|t| t.lines().map(str::to_owned).collect())
                    .map_err(|e| match BundleProblem::decode(&e) {
                        Some(BundleProblem::TooLarge) => OpenError::TooLarge(size),
                        Some(p) => OpenError::Problem(p),
                        None => OpenError::Failed,
                    }),
                None => Err(OpenError::Failed),
            };
            opening.set(false);
            loaded.set(Some(result));
            shown.set(20);
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
            {move || opening.get().then(|| view! {
                <p role="status" data-testid="bundle-opening">{t!(i18n, bundle_opening)}</p>
            })}
            {move || loaded.get().map(|r| match r {
                Err(e) => view! {
                    <p class="status bad" role="alert" data-testid="bundle-error">
                        <span aria-hidden="true">"⚠ "</span>{move || open_error_text(i18n, e)}
                    </p>
                }.into_any(),
                Ok(lines) => {
                    let total = lines.len();
                    let all = total.min(SHOW_MAX);
                    view! {
                        <p role="status" data-testid="bundle-loaded">{t_string!(i18n, bundle_loaded, n = total).to_string()}</p>
                        <pre class="rx" data-testid="replay" tabindex="0">
                            {move || lines.iter().take(shown.get()).cloned().collect::<Vec<_>>().join("\n")}
                        </pre>
                        <div class="actions">
                            <button type="button" data-testid="replay-next" on:click=move |_| shown.update(|n| *n += 20)
                                disabled=move || { shown.get() >= total }>{t!(i18n, replay_next)}</button>
                            <button type="button" data-testid="replay-all" on:click=move |_| shown.set(all)
                                disabled=move || { shown.get() >= all }>{t!(i18n, replay_all)}</button>
                        </div>
                        {(total > SHOW_MAX).then(|| view! {
                            <p class="note">{move || t_string!(i18n, replay_capped, n = SHOW_MAX, total = total).to_string()}</p>
                        })}
                    }.into_any()
                }
            })}
        </section>
    }
}
