//! The trace console for support staff, and "paste a log".

use leptos::prelude::*;

use crate::control::Ctl;
use crate::i18n::*;

fn clock(ms: u64) -> String {
    format!("{:>4}.{:03}", ms / 1000, ms % 1000)
}

/// Most trace lines rendered at once (the newest).
const SHOWN: usize = 400;

/// The trace page.
#[component]
pub fn TracePage() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let st = ctl.state;
    let pasted = RwSignal::new(String::new());
    let decoded = RwSignal::new(Vec::<String>::new());
    let decode = move |_| {
        let text = pasted.get_untracked();
        let out = logdecode::decode_to_json_lines(text.as_bytes());
        decoded.set(out.lines().map(str::to_owned).collect());
    };
    view! {
        <section class="card" aria-labelledby="trace-h">
            <h2 id="trace-h">{t!(i18n, trace_heading)}</h2>
            <p class="note">{t!(i18n, trace_hint)}</p>
            <div class="trace" data-testid="trace" role="log" aria-live="off" tabindex="0">
                {move || st.trace.with(|t| {
                    if t.is_empty() {
                        return view! { <p>{t!(i18n, trace_empty)}</p> }.into_any();
                    }
                    let skip = t.len().saturating_sub(SHOWN);
                    t.iter().skip(skip).map(|l| {
                        let dir = l.dir.to_string();
                        let decoded = l.decoded.join("\n");
                        view! {
                            <div class="tl">
                                <span class="t">{clock(l.at_ms)}</span>
                                <span class="d">{dir}</span>
                                <span class="x">{l.text.clone()}</span>
                                {(!decoded.is_empty()).then(|| view! { <pre class="dec">{decoded}</pre> })}
                            </div>
                        }
                    }).collect_view().into_any()
                })}
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
                    <pre class="rx" data-testid="paste-result" tabindex="0">{d.join("\n")}</pre>
                })
            }}
        </section>
    }
}
