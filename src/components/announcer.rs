//! The page's live regions: progress (scan, join, reading) is announced politely, problems
//! (a lost dongle, a triage cause with its code, the lock-out warning) assertively. Both always exist, so screen
//! readers see every change; their texts are derived from the app state. A third, polite
//! region says what the user's own actions did ([`announce`]: copied, a story opened, a filter
//! applied).

use broute::Phase;
use leptos::prelude::*;

use crate::control::Ctl;
use crate::i18n::*;
use crate::pages::lockout::lockout_announcement;
use crate::pages::setup::link_text;
use crate::pages::triage::cause_announcement;
use crate::state::LinkStatus;

thread_local! {
    /// The text of the notice region (made by the announcer, which lives as long as the page).
    static NOTICE: std::cell::Cell<Option<RwSignal<String>>> = const { std::cell::Cell::new(None) };
}

thread_local! {
    /// Bumped at every announcement: a text waiting for the next frame is dropped when another
    /// was said meanwhile.
    static SAID: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Say `text` politely (the result of something the user did). A new text is shown at once; the
/// same text said twice is announced twice (cleared, then shown again at the next frame).
pub fn announce(text: String) {
    if let Some(n) = NOTICE.with(std::cell::Cell::get) {
        let k = SAID.with(|s| {
            s.set(s.get().wrapping_add(1));
            s.get()
        });
        if n.with_untracked(|t| *t != text) {
            n.set(text);
            return;
        }
        n.set(String::new());
        request_animation_frame(move || {
            if SAID.with(std::cell::Cell::get) == k {
                n.set(text);
            }
        });
    }
}

/// The live regions (visually hidden), mounted once in the shell.
#[component]
pub fn Announcer() -> impl IntoView {
    let i18n = use_i18n();
    let notice = RwSignal::new(String::new());
    NOTICE.with(|n| n.set(Some(notice)));
    let ctl = expect_context::<Ctl>();
    let st = ctl.state;
    let polite = Memo::new(move |_| {
        let _ = i18n.get_locale();
        match st.phase.get() {
            Phase::Idle | Phase::Stopped => match st.link.get() {
                l @ (LinkStatus::Requesting
                | LinkStatus::Opening
                | LinkStatus::Open
                | LinkStatus::Closed) => link_text(i18n, &l),
                _ => String::new(),
            },
            Phase::ExpectDongle | Phase::ExpectSettings => {
                t_string!(i18n, dongle_probing).to_string()
            }
            Phase::ExpectCredentials | Phase::ExpectCredentialsSet => {
                t_string!(i18n, cred_heading).to_string()
            }
            Phase::ExpectScan => st
                .scan
                .get()
                .map(|s| {
                    let found = st.pans.with(Vec::len);
                    t_string!(
                        i18n,
                        announce_scan,
                        k = s.attempt,
                        n = s.attempts,
                        found = found
                    )
                    .to_string()
                })
                .unwrap_or_else(|| t_string!(i18n, scan_heading).to_string()),
            Phase::ExpectChannel | Phase::ExpectJoin => t_string!(i18n, join_heading).to_string(),
            Phase::ExpectInstanceList | Phase::ExpectIdentity => {
                t_string!(i18n, identity_heading).to_string()
            }
            Phase::Reading => t_string!(i18n, state_reading).to_string(),
            Phase::ReAuthenticating => t_string!(i18n, state_reauth).to_string(),
            Phase::TxLimited => t_string!(i18n, state_txlimit).to_string(),
            Phase::Reconnecting => t_string!(i18n, state_reconnecting).to_string(),
        }
    });
    let alert = Memo::new(move |_| {
        let _ = i18n.get_locale();
        if let Some(c) = st.cause.get() {
            return cause_announcement(i18n, c);
        }
        let asking = matches!(
            st.phase.get(),
            Phase::ExpectCredentials | Phase::ExpectCredentialsSet
        );
        if let (true, Some(n)) = (asking, ctl.blocked.get()) {
            return lockout_announcement(i18n, n);
        }
        match st.link.get() {
            l @ (LinkStatus::Lost
            | LinkStatus::Cancelled
            | LinkStatus::Failed(_)
            | LinkStatus::NoEngine) => link_text(i18n, &l),
            _ => String::new(),
        }
    });
    view! {
        <div class="sr-only" role="status" aria-live="polite" data-testid="announce-polite">{polite}</div>
        <div class="sr-only" role="alert" aria-live="assertive" data-testid="announce-alert">{alert}</div>
        <div class="sr-only" role="status" aria-live="polite" data-testid="announce-notice">{move || notice.get()}</div>
    }
}
