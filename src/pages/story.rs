//! The story of a session for support staff, after opening a support bundle (Data) or pasting
//! a log (Trace): what happened in plain words, the timeline of phases with times and
//! durations, the cause and the fix with the support code, the dongle and the meter, the signal
//! over time, the scans with every PAN heard, and the trace filterable by kind.
//!
//! The worker computes the story, lays it out in the user's language and renders it as HTML
//! (`broute_worker::story_view::html`); this page only inserts it, and keeps the trace's filter
//! buttons, its count and its "more" button (the worker cuts the pages of rows).

use broute_worker::story_view::html::{kind_key, StoryHtml, FILTERS, PAGE};
use broute_worker::wire::BundleProblem;
use export::bundle::MAX_BUNDLE_BYTES;
use export::story::Source;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::announcer::announce;
use crate::i18n::*;
use crate::platform::dom;
use crate::platform::files::FileBytes;
use crate::tools::{self, Request};

/// What to tell the story of.
#[derive(Clone)]
pub enum StoryInput {
    /// A support bundle: the file's bytes (its size checked before they were read), kept on the
    /// browser's side to be laid out again when the language changes.
    Bundle {
        /// The bytes.
        file: FileBytes,
        /// The file's size.
        size: u64,
    },
    /// A pasted log.
    Log(String),
}

/// Why a story could not be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenError {
    /// A file over the limit (its size): refused before anything of it was read.
    TooLarge(u64),
    /// What the worker found wrong with a bundle.
    Problem(BundleProblem),
    /// The file could not be read, or the worker did not answer.
    Failed,
}

/// A size as people read it: "50.0 MB".
fn megabytes(bytes: u64) -> String {
    let tenths = bytes.saturating_mul(10) / (1024 * 1024);
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

/// The error in words; never anything of the file's content.
fn open_error_text(i18n: I18n, e: OpenError) -> String {
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

/// A story card's state, kept by its owner (the shell for bundles, so that an opened bundle
/// stays while the user visits other tabs): what is told and how it was laid out.
#[derive(Clone, Copy)]
pub struct StoryState {
    input: RwSignal<Option<StoryInput>, LocalStorage>,
    /// Bumped at every new input (or refusal): a late answer for an older one is dropped.
    serial: RwSignal<u32>,
    story: RwSignal<Option<Result<Told, OpenError>>>,
    /// The worker is laying out a new input.
    opening: RwSignal<bool>,
    /// The input and language the story was last asked for.
    laid: StoredValue<Option<(u32, Locale)>>,
}

impl Default for StoryState {
    fn default() -> Self {
        Self {
            input: RwSignal::new_local(None),
            serial: RwSignal::new(0),
            story: RwSignal::new(None),
            opening: RwSignal::new(false),
            laid: StoredValue::new(None),
        }
    }
}

impl StoryState {
    /// Tell the story of `input` (laid out in the worker, in the user's language).
    pub fn open(&self, input: StoryInput) {
        self.story.set(None);
        self.input.set(Some(input));
        self.serial.update(|n| *n = n.wrapping_add(1));
    }

    /// Show why a file was refused before it was read.
    pub fn refuse(&self, e: OpenError) {
        self.input.set(None);
        self.serial.update(|n| *n = n.wrapping_add(1));
        self.opening.set(false);
        self.story.set(Some(Err(e)));
    }
}

/// A story as the worker rendered it.
#[derive(Clone)]
struct Told {
    /// Which of the worker's kept stories it is (for the trace's pages).
    source: Source,
    /// The language it was laid out in.
    lang: export::Lang,
    /// The HTML.
    html: StoryHtml,
}

/// Lay out `input` in the worker.
async fn lay_out(input: StoryInput, lang: export::Lang) -> Result<Told, OpenError> {
    let (source, text) = match input {
        StoryInput::Bundle { file, size } => (
            Source::Bundle,
            tools::open_bundle(lang, &file)
                .await
                .map_err(|e| match BundleProblem::decode(&e) {
                    Some(BundleProblem::TooLarge) => OpenError::TooLarge(size),
                    Some(p) => OpenError::Problem(p),
                    None => OpenError::Failed,
                })?,
        ),
        StoryInput::Log(text) => (
            Source::Log,
            tools::run(Request::LogStory { lang, text })
                .await
                .map_err(|_| OpenError::Failed)?,
        ),
    };
    let html = StoryHtml::decode(&text).ok_or(OpenError::Failed)?;
    Ok(Told { source, lang, html })
}

type I18n = leptos_i18n::I18nContext<Locale>;

/// The name of the filter `FILTERS[i]`.
fn kind_text(i18n: I18n, i: usize) -> String {
    match i {
        0 => t_string!(i18n, story_kind_all),
        1 => t_string!(i18n, story_kind_command),
        2 => t_string!(i18n, story_kind_event),
        3 => t_string!(i18n, story_kind_echonet),
        _ => t_string!(i18n, story_kind_error),
    }
    .to_string()
}

/// The story in `state` (nothing while there is none). A new story is announced and focus
/// moves to its heading; a change of language lays it out again.
#[component]
pub fn StoryCard(state: StoryState) -> impl IntoView {
    let i18n = use_i18n();
    let StoryState {
        input,
        serial,
        story,
        opening,
        laid,
    } = state;
    Effect::new(move |_| {
        let locale = i18n.get_locale();
        let n = serial.get();
        let last = laid.get_value();
        if last == Some((n, locale)) {
            return;
        }
        let Some(input) = input.get_untracked() else {
            return;
        };
        let fresh = last.is_none_or(|(m, _)| m != n);
        laid.set_value(Some((n, locale)));
        opening.set(fresh);
        let opened = t_string!(i18n, story_opened).to_string();
        spawn_local(async move {
            let r = lay_out(input, crate::echonet_lang(locale)).await;
            if serial.get_untracked() != n {
                return;
            }
            let ok = r.is_ok();
            opening.set(false);
            story.set(Some(r));
            if fresh && ok {
                announce(opened);
                request_animation_frame(|| dom::focus_id("story-h"));
            }
        });
    });
    let bundle = move || input.with(|i| !matches!(i, Some(StoryInput::Log(_))));
    view! {
        {move || (opening.get() && bundle()).then(|| view! {
            <p class="card" role="status" data-testid="story-opening">{t!(i18n, bundle_opening)}</p>
        })}
        {move || story.with(|s| s.as_ref().map(|r| match r {
            Err(e) => {
                let e = *e;
                let (id, text) = if bundle() {
                    ("bundle-error", Some(e))
                } else {
                    ("story-error", None)
                };
                let text = move || match text {
                    Some(e) => open_error_text(i18n, e),
                    None => t_string!(i18n, story_error).to_string(),
                };
                view! {
                    <div class="card">
                        <p class="status bad" role="alert" data-testid=id>
                            <span aria-hidden="true">"⚠ "</span>{text}
                        </p>
                    </div>
                }
                .into_any()
            }
            Ok(v) => view! { <StoryBody told=v.clone()/> }.into_any(),
        }))}
    }
}

/// The story: the worker's HTML around the trace's controls.
#[component]
fn StoryBody(told: Told) -> impl IntoView {
    let Told { source, lang, html } = told;
    let StoryHtml {
        counts,
        head,
        tables,
        tail,
    } = html;
    view! {
        <section class="card story" aria-labelledby="story-h" data-testid="story">
            <div inner_html=head></div>
            <Trace source=source lang=lang counts=counts tables=tables/>
            <div inner_html=tail></div>
        </section>
    }
}

/// The trace's filter buttons and its table (rows from the worker): the first page of each
/// filter came with the story; the next page is asked for ahead, so that "more" shows it at once.
#[component]
fn Trace(
    source: Source,
    lang: export::Lang,
    counts: [usize; 5],
    tables: [String; 5],
) -> impl IntoView {
    let i18n = use_i18n();
    let filter = RwSignal::new(0usize);
    let shown = RwSignal::new(PAGE);
    let table = RwSignal::new(tables[0].clone());
    let tables = StoredValue::new(tables);
    // Only the answer to the latest request is used.
    let asked = StoredValue::new(0u32);
    // The next page, asked for ahead: filter, lines, the table.
    let next = StoredValue::new(None::<(usize, usize, String)>);
    // The first `n` lines of filter `i` (`None` if another request was made meanwhile).
    let request = move |i: usize, n: usize| {
        let id = asked.try_update_value(|a| {
            *a = a.wrapping_add(1);
            *a
        });
        next.try_set_value(None);
        let req = Request::StoryTrace {
            source,
            lang,
            kind: FILTERS[i],
            shown: n,
        };
        async move {
            let html = tools::run(req).await.ok()?;
            (id.is_some() && asked.try_get_value() == id).then_some(html)
        }
    };
    // Ask for the page that ends at line `n` of filter `i` ahead (if there is one).
    let ahead = move |i: usize, n: usize| {
        let rows = request(i, n);
        if n.saturating_sub(PAGE) < counts[i] {
            spawn_local(async move {
                if let Some(html) = rows.await {
                    next.try_set_value(Some((i, n, html)));
                }
            });
        }
    };
    ahead(0, 2 * PAGE);
    let more = move |_| {
        let (i, n) = (filter.get_untracked(), shown.get_untracked() + PAGE);
        match next.try_update_value(Option::take).flatten() {
            Some((j, m, html)) if (j, m) == (i, n) => {
                shown.set(n);
                table.set(html);
                ahead(i, n + PAGE);
            }
            // Not there yet: ask for it, and show it when it comes.
            _ => {
                let rows = request(i, n);
                spawn_local(async move {
                    if let Some(html) = rows.await {
                        shown.try_set(n);
                        table.try_set(html);
                        ahead(i, n + PAGE);
                    }
                });
            }
        }
    };
    let button = move |i: usize| {
        let (k, n) = (FILTERS[i], counts[i]);
        view! {
            <button type="button" data-testid=format!("story-filter-{}", kind_key(k))
                aria-pressed=move || (filter.get() == i).to_string()
                on:click=move |_| {
                    filter.set(i);
                    shown.set(PAGE);
                    table.set(tables.with_value(|t| t[i].clone()));
                    ahead(i, 2 * PAGE);
                    announce(t_string!(i18n, story_filtered, kind = kind_text(i18n, i), n = n).to_string());
                }>
                {move || format!("{} ({n})", kind_text(i18n, i))}
            </button>
        }
    };
    let total = move || counts[filter.get()];
    view! {
        <div class="actions" role="group" aria-label=move || t_string!(i18n, story_filter_label).to_string()>
            {[0, 1, 2, 3, 4].map(button)}
        </div>
        <table class="story-table story-trace" data-testid="story-trace" aria-labelledby="story-trace-h"
            inner_html=move || table.get()></table>
        <p data-testid="story-trace-count">{move || t_string!(i18n, story_shown, shown = shown.get().min(total()), total = total()).to_string()}</p>
        {move || (shown.get() < total()).then(|| view! {
            <button type="button" data-testid="story-more" on:click=more>
                {t!(i18n, story_more)}
            </button>
        })}
    }
}
