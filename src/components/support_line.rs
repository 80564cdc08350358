//! The support line: one short line the customer can read out on the phone or copy — support
//! code, wizard step, dongle family and firmware, signal, app version — in the user's language
//! (`export::support` writes it), with a copy button (the Clipboard API, else the text is
//! selected for Ctrl+C).

use export::support::SupportLine as Line;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::announcer::announce;
use crate::control::Ctl;
use crate::i18n::*;
use crate::pages::setup::current_step;
use crate::platform::clipboard;

/// The line for the app's state now.
fn line(ctl: &Ctl, lang: export::Lang) -> String {
    let st = ctl.state;
    // A scan hears the meter before any packet arrives: its PAN's figures stand in until then.
    let pan = st.pans.with(|p| {
        p.iter()
            .find(|p| p.matches)
            .map(|p| (p.rssi_dbm, p.lqi))
            .unwrap_or_default()
    });
    let rssi = st
        .figures
        .with(|f| f.last_rssi_dbm)
        .or_else(|| st.last.with(|r| r.as_ref().and_then(|r| r.rssi_dbm)))
        .or(pan.0);
    let mut l = Line {
        code: st.cause.get().map(|c| c.code().to_string()),
        step: Some(current_step(&st)),
        rssi_dbm: rssi.map(i64::from),
        lqi: st.figures.with(|f| f.last_lqi).or(pan.1),
        app_version: env!("CARGO_PKG_VERSION").into(),
        ..Line::default()
    };
    if let Some(d) = st.dongle.get() {
        l = l.with_dongle(&d);
    }
    l.text(lang)
}

/// The support line with its copy button.
#[component]
pub fn SupportLine() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let text = Memo::new(move |_| line(&ctl, crate::echonet_lang(i18n.get_locale())));
    // What was copied (or selected) last, and whether the clipboard took it: the status shows
    // only while the line still says the same.
    let done = RwSignal::new(None::<(bool, String)>);
    let copy = move |_| {
        let t = text.get_untracked();
        let said = [
            t_string!(i18n, support_selected).to_string(),
            t_string!(i18n, support_copied).to_string(),
        ];
        spawn_local(async move {
            let ok = clipboard::copy(&t).await;
            if !ok {
                clipboard::select_text("support-line");
            }
            done.set(Some((ok, t)));
            let [selected, copied] = said;
            announce(if ok { copied } else { selected });
        });
    };
    let status = move || {
        done.get()
            .filter(|(_, t)| *t == text.get())
            .map(|(ok, _)| {
                let msg = if ok {
                    t_string!(i18n, support_copied)
                } else {
                    t_string!(i18n, support_selected)
                };
                view! { <span class="copy-status" data-testid="support-copy-status">{msg.to_string()}</span> }
            })
    };
    view! {
        <div class="support-line" role="group" aria-labelledby="support-line-label" data-testid="support-box">
            <p class="label" id="support-line-label">{t!(i18n, support_line_label)}</p>
            <p class="line" id="support-line" data-testid="support-line">{move || text.get()}</p>
            <div class="actions">
                <button type="button" data-testid="support-copy" on:click=copy>{t!(i18n, support_copy)}</button>
                {status}
            </div>
        </div>
    }
}
