//! The trace console for support staff, and "paste a log" (decoded, and its story told by
//! `pages::story`).
//!
//! The console is keyed by line number (`<For>`): a new line adds one row, the oldest row goes,
//! nothing else is rendered again. ECHONET frames are decoded in the worker when their row is
//! shown (and again when the language changes), so the decoder is not in the first load.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::control::Ctl;
use crate::i18n::*;
use crate::pages::story::{StoryCard, StoryInput, StoryState};
use crate::state::{FrameScale, TraceLine};
use crate::tools::{self, Request};
use broute::Ignored;

fn clock(ms: u64) -> String {
    format!("{:>4}.{:03}", ms / 1000, ms % 1000)
}

/// Most trace lines rendered at once (the newest).
const SHOWN: usize = 400;

/// Why a frame was not taken as meter data, in words.
pub fn ignored_text(i18n: leptos_i18n::I18nContext<Locale>, why: Ignored) -> String {
    match why {
        Ignored::NotJoined => t_string!(i18n, ignored_not_joined),
        Ignored::ForeignSender => t_string!(i18n, ignored_foreign_sender),
        Ignored::Unsecured => t_string!(i18n, ignored_unsecured),
        Ignored::Malformed => t_string!(i18n, ignored_malformed),
    }
    .to_string()
}

/// One line of the console; a frame's decoded lines arrive from the worker. A frame the
/// engine dropped is not decoded (it is not meter data): it is marked, with the reason.
#[component]
fn TraceRow(line: TraceLine) -> impl IntoView {
    let i18n = use_i18n();
    let decoded = RwSignal::new(String::new());
    let ignored = line.ignored.map(|why| {
        view! {
            <p class="ign" data-testid="trace-ignored" data-reason=why.name()>
                <span aria-hidden="true">"⊘ "</span>
                {move || t_string!(i18n, ignored_label, reason = ignored_text(i18n, why)).to_string()}
            </p>
        }
    });
    if let (Some(FrameScale(scale)), None) = (line.frame, line.ignored) {
        let hex = line.text.clone();
        Effect::new(move |_| {
            let lang = crate::echonet_lang(i18n.get_locale());
            let hex = hex.clone();
            spawn_local(async move {
                if let Ok(text) = tools::run(Request::RenderFrame { lang, scale, hex }).await {
                    decoded.try_set(text);
                }
            });
        });
    }
    view! {
        <div class=if line.ignored.is_some() { "tl ignored" } else { "tl" }>
            <span class="t">{clock(line.at_ms)}</span>
            <span class="d">{line.dir.to_string()}</span>
            <span class="x">{line.text}</span>
            {ignored}
            {move || decoded.with(|d| (!d.is_empty()).then(|| view! { <pre class="dec">{d.clone()}</pre> }))}
        </div>
    }
}

/// The trace page.
#[component]
pub fn TracePage() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let st = ctl.state;
    let pasted = RwSignal::new(String::new());
    let decoded = RwSignal::new(Vec::<String>::new());
    let story = StoryState::default();
    let decode = move |_| {
        let text = pasted.get_untracked();
        story.open(StoryInput::Log(text.clone()));
        spawn_local(async move {
            if let Ok(out) = tools::run(Request::DecodeLog { text }).await {
                decoded.set(out.lines().map(str::to_owned).collect());
            }
        });
    };
    let shown = move || {
        st.trace.with(|t| {
            let skip = t.len().saturating_sub(SHOWN);
            t.iter().skip(skip).cloned().collect::<Vec<_>>()
        })
    };
    view! {
        <section class="card" aria-labelledby="trace-h">
            <h2 id="trace-h">{t!(i18n, trace_heading)}</h2>
            <p class="note">{t!(i18n, trace_hint)}</p>
            <p data-testid="trace-ignored-count">
                {move || t_string!(i18n, trace_ignored_count, n = st.figures.with(|f| f.frames_ignored)).to_string()}
            </p>
            <div class="trace" data-testid="trace" role="log" aria-live="off" tabindex="0"
                aria-labelledby="trace-h">
                {move || st.trace.with(|t| t.is_empty()).then(|| view! { <p>{t!(i18n, trace_empty)}</p> })}
                <For each=shown key=|l| l.seq let(line)>
                    <TraceRow line=line/>
                </For>
            </div>
        </section>
        <section class="card" aria-labelledby="paste-h">
            <h2 id="paste-h">{t!(i18n, paste_heading)}</h2>
            <p class="note">{t!(i18n, paste_hint)}</p>
            <label for="paste" class="sr-only">{t!(i18n, paste_heading)}</label>
            <textarea id="paste" data-testid="paste" rows="8" spellcheck="false"
                prop:value=move || pasted.get()
                on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
            <div class="actions">
                <button type="button" data-testid="paste-decode" on:click=decode>{t!(i18n, paste_button)}</button>
            </div>
            {move || {
                let d = decoded.get();
                (!d.is_empty()).then(|| view! {
                    <p role="status" data-testid="paste-count">{t_string!(i18n, paste_result, n = d.len()).to_string()}</p>
                    <pre class="rx" data-testid="paste-result" tabindex="0"
                        aria-label=move || t_string!(i18n, paste_heading).to_string()>{d.join("\n")}</pre>
                })
            }}
        </section>
        <StoryCard state=story/>
    }
}
