//! The lock-out warning on the credentials step: shown while the tab's lock-out guard blocks
//! the ID and password in the fields (two failed attempts with this password already). It
//! says what may happen and what to do; changing the password opens the guard again, and the
//! button allows exactly one more try. The live region announces it assertively
//! (`components::announcer`, from [`lockout_announcement`]).

use leptos::prelude::*;

use crate::control::Ctl;
use crate::i18n::*;

/// What the assertive live region says while the warning is shown.
pub fn lockout_announcement(i18n: leptos_i18n::I18nContext<Locale>, failed: u8) -> String {
    format!(
        "{} {} {}",
        t_string!(i18n, lockout_title, n = failed),
        t_string!(i18n, lockout_risk),
        t_string!(i18n, lockout_todo)
    )
}

/// The warning, with its "one more try" button; nothing while the guard allows the fields.
#[component]
pub fn LockoutWarning() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    move || {
        ctl.blocked.get().map(|n| {
            view! {
                <section class="lockout" data-testid="lockout-warning" aria-labelledby="lockout-h">
                    <h3 id="lockout-h">
                        <span aria-hidden="true">"⚠ "</span>
                        {move || t_string!(i18n, lockout_title, n = n).to_string()}
                    </h3>
                    <p>{t!(i18n, lockout_risk)}</p>
                    <p>{t!(i18n, lockout_todo)}</p>
                    <div class="actions">
                        <button type="button" data-testid="lockout-confirm"
                            on:click=move |_| { ctl.submit_fields(true); }>
                            {t!(i18n, lockout_confirm)}
                        </button>
                    </div>
                </section>
            }
        })
    }
}
