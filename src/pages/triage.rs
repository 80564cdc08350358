//! Problems in plain words: the explanation of a `Cause` with its support code, the wizard's
//! triage card, and the text the live region announces.

use broute::Cause;
use leptos::prelude::*;

use crate::components::support_line::SupportLine;
use crate::control::Ctl;
use crate::i18n::*;

fn cause_texts(i18n: leptos_i18n::I18nContext<Locale>, c: Cause) -> (String, String) {
    let (a, b) = match c {
        Cause::NoDongleAnswer => (
            t_string!(i18n, cause_no_dongle_answer),
            t_string!(i18n, fix_no_dongle_answer),
        ),
        Cause::DongleError => (
            t_string!(i18n, cause_dongle_error),
            t_string!(i18n, fix_dongle_error),
        ),
        Cause::DongleLost => (
            t_string!(i18n, cause_dongle_lost),
            t_string!(i18n, fix_dongle_lost),
        ),
        Cause::NoMeterHeard => (
            t_string!(i18n, cause_no_meter_heard),
            t_string!(i18n, fix_no_meter_heard),
        ),
        Cause::MeterNotOurs => (
            t_string!(i18n, cause_meter_not_ours),
            t_string!(i18n, fix_meter_not_ours),
        ),
        Cause::AuthRefused => (
            t_string!(i18n, cause_auth_refused),
            t_string!(i18n, fix_auth_refused),
        ),
        Cause::NotAMeter => (
            t_string!(i18n, cause_not_a_meter),
            t_string!(i18n, fix_not_a_meter),
        ),
        Cause::TxLimit => (
            t_string!(i18n, cause_tx_limit),
            t_string!(i18n, fix_tx_limit),
        ),
        _ => (
            t_string!(i18n, cause_session_lost),
            t_string!(i18n, fix_session_lost),
        ),
    };
    (a.to_string(), b.to_string())
}

/// What to announce for a cause: its title and support code.
pub fn cause_announcement(i18n: leptos_i18n::I18nContext<Locale>, c: Cause) -> String {
    format!("{} ({})", cause_texts(i18n, c).0, c.code())
}

/// The plain-words explanation of a cause with its support code (also used by the dashboard),
/// under a heading marked with a warning sign (not only a colour).
#[component]
pub fn CauseText(cause: Cause, heading_id: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h2 class="cause-title" id=heading_id>
            <span aria-hidden="true">"⚠ "</span>
            <span data-testid="triage-title">{move || { let _ = i18n.get_locale(); cause_texts(i18n, cause).0 }}</span>
        </h2>
        <p class="cause-fix" data-testid="triage-fix">
            {move || { let _ = i18n.get_locale(); cause_texts(i18n, cause).1 }}
        </p>
        <p class="code">{t!(i18n, code_label)}": "<strong data-testid="triage-code">{cause.code()}</strong></p>
    }
}

/// The wizard's card for a problem only the user can fix: the explanation, the ways on, and
/// the support line.
#[component]
pub fn TriageCard(cause: Cause) -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let credential_fix = matches!(
        cause,
        Cause::AuthRefused | Cause::MeterNotOurs | Cause::NoMeterHeard
    );
    view! {
        <section class="card triage" data-testid="triage" aria-labelledby="triage-h">
            <CauseText cause=cause heading_id="triage-h"/>
            <div class="actions">
                <button type="button" class="primary" data-testid="retry" on:click=move |_| ctl.retry()>
                    {t!(i18n, retry_button)}
                </button>
                {credential_fix.then(|| view! {
                    <button type="button" data-testid="fix-credentials" on:click=move |_| {
                        ctl.forget_credentials();
                        ctl.retry();
                    }>
                        {t!(i18n, change_credentials)}
                    </button>
                })}
                <button type="button" data-testid="start-over" on:click=move |_| ctl.disconnect()>
                    {t!(i18n, back_to_connect)}
                </button>
            </div>
            <SupportLine/>
        </section>
    }
}
