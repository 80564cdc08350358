//! Start page: browser check, connect a dongle, send `SKVER`, show what comes back.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::*;
use crate::serial::{self, Link, LinkEvent, Port, SerialError, Support};

/// Where the connection is, as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// Nothing opened yet.
    Idle,
    /// The port chooser is open.
    Requesting,
    /// `open()` is in progress.
    Opening,
    /// The port is open and the read loop runs.
    Open,
    /// Closing on the user's request.
    Closing,
    /// Closed on the user's request.
    Closed,
    /// The device went away.
    Lost,
    /// The user closed the chooser without a port.
    Cancelled,
    /// Opening failed; the text is the browser's reason.
    Failed(String),
}

/// Most recent lines kept on screen.
const MAX_LINES: usize = 200;

#[component]
fn BrowserCheck(support: Support) -> impl IntoView {
    let i18n = use_i18n();
    let class = if support == Support::Available {
        "check ok"
    } else {
        "check bad"
    };
    // Re-render on language change: read the locale inside the closure.
    let text = move || {
        let _ = i18n.get_locale();
        match support {
            Support::Available => t_string!(i18n, check_ok),
            Support::InsecureContext => t_string!(i18n, check_insecure),
            Support::NoWebSerial => t_string!(i18n, check_no_serial),
        }
        .to_string()
    };
    view! {
        <section class="card" aria-labelledby="check-h">
            <h2 id="check-h">{t!(i18n, check_heading)}</h2>
            <p class=class data-testid="browser-check" role=if support == Support::Available { "status" } else { "alert" }>
                {text}
            </p>
        </section>
    }
}

/// The start page.
#[component]
pub fn StartPage() -> impl IntoView {
    let support = serial::support();
    view! {
        <BrowserCheck support=support/>
        {(support == Support::Available).then(|| view! { <ConnectPanel/> })}
    }
}

#[component]
fn ConnectPanel() -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(LinkState::Idle);
    let lines = RwSignal::new(Vec::<String>::new());
    let version = RwSignal::new(None::<String>);
    let granted = RwSignal::new_local(Vec::<Port>::new());
    let link = StoredValue::new_local(None::<Link>);

    // Ports granted on an earlier visit: offer them without the chooser.
    spawn_local(async move {
        if let Ok(ports) = serial::granted_ports().await {
            granted.set(ports);
        }
    });

    let open_port = move |port: Port| {
        spawn_local(async move {
            state.set(LinkState::Opening);
            lines.set(Vec::new());
            version.set(None);
            let splitter = std::rc::Rc::new(std::cell::RefCell::new(skstack::LineSplitter::new()));
            let on_event = move |ev: LinkEvent| match ev {
                LinkEvent::Data(bytes) => {
                    let mut sp = splitter.borrow_mut();
                    sp.feed(&bytes);
                    let mut new = Vec::new();
                    while let Some(line) = sp.next_line() {
                        let text = line.text();
                        if text.is_empty() {
                            continue;
                        }
                        if let Some(v) = text.strip_prefix("EVER ") {
                            version.set(Some(v.trim().to_owned()));
                        }
                        new.push(text);
                    }
                    if !new.is_empty() {
                        lines.update(|l| {
                            l.extend(new);
                            let excess = l.len().saturating_sub(MAX_LINES);
                            l.drain(..excess);
                        });
                    }
                }
                LinkEvent::Lost(_) => {
                    state.set(LinkState::Lost);
                    link.set_value(None);
                }
                LinkEvent::Closed => {}
            };
            match Link::open(&port, on_event).await {
                Ok(l) => {
                    state.set(LinkState::Open);
                    let res = l.write(b"SKVER\r\n").await;
                    link.set_value(Some(l));
                    if let Err(e) = res {
                        state.set(LinkState::Failed(e.to_string()));
                    }
                }
                Err(e) => state.set(LinkState::Failed(e.to_string())),
            }
        });
    };

    let on_connect = move |_| {
        state.set(LinkState::Requesting);
        spawn_local(async move {
            // requestPort must be the first await after the click.
            match serial::request_port().await {
                Ok(port) => open_port(port),
                Err(SerialError::Cancelled) => state.set(LinkState::Cancelled),
                Err(e) => state.set(LinkState::Failed(e.to_string())),
            }
        });
    };

    let on_disconnect = move |_| {
        let Some(l) = link.try_update_value(|v| v.take()).flatten() else {
            return;
        };
        state.set(LinkState::Closing);
        spawn_local(async move {
            let _ = l.close().await;
            state.set(LinkState::Closed);
        });
    };

    let busy = move || {
        matches!(
            state.get(),
            LinkState::Requesting | LinkState::Opening | LinkState::Open | LinkState::Closing
        )
    };
    let status_text = move || {
        let _ = i18n.get_locale();
        match state.get() {
            LinkState::Idle => t_string!(i18n, state_idle).to_string(),
            LinkState::Requesting => t_string!(i18n, state_requesting).to_string(),
            LinkState::Opening => t_string!(i18n, state_opening).to_string(),
            LinkState::Open => t_string!(i18n, state_open).to_string(),
            LinkState::Closing => t_string!(i18n, state_closing).to_string(),
            LinkState::Closed => t_string!(i18n, state_closed).to_string(),
            LinkState::Lost => t_string!(i18n, state_lost).to_string(),
            LinkState::Cancelled => t_string!(i18n, state_cancelled).to_string(),
            LinkState::Failed(detail) => t_string!(i18n, state_error, detail = detail).to_string(),
        }
    };
    let status_class = move || match state.get() {
        LinkState::Lost | LinkState::Failed(_) => "status bad",
        LinkState::Open => "status ok",
        _ => "status",
    };

    view! {
        <section class="card" aria-labelledby="connect-h">
            <h2 id="connect-h">{t!(i18n, connect_heading)}</h2>
            <p>{t!(i18n, connect_hint)}</p>
            <div class="actions">
                <button type="button" class="primary" data-testid="connect" on:click=on_connect disabled=busy>
                    {t!(i18n, connect_button)}
                </button>
                <For
                    each=move || granted.get().into_iter().enumerate()
                    key=|(i, p)| (*i, p.label())
                    let:item
                >
                    {
                        let (_, port) = item;
                        let name = port.label();
                        let port2 = port.clone();
                        view! {
                            <button type="button" data-testid="reconnect" disabled=busy
                                on:click=move |_| open_port(port2.clone())>
                                {t!(i18n, reconnect_button, name = name.clone())}
                            </button>
                        }
                    }
                </For>
                <button type="button" data-testid="disconnect" on:click=on_disconnect
                    disabled=move || state.get() != LinkState::Open>
                    {t!(i18n, disconnect_button)}
                </button>
            </div>
            <p class=status_class data-testid="status" role="status" aria-live="polite">
                <span class="label">{t!(i18n, status_label)}": "</span>{status_text}
            </p>
            <dl class="facts">
                <dt>{t!(i18n, version_label)}</dt>
                <dd data-testid="version">
                    {move || match version.get() {
                        Some(v) => v,
                        None if state.get() == LinkState::Open => t_string!(i18n, version_waiting).to_string(),
                        None => "—".to_string(),
                    }}
                </dd>
            </dl>
            <h3>{t!(i18n, received_heading)}</h3>
            <pre class="rx" data-testid="rx" aria-live="off" tabindex="0">
                {move || {
                    let l = lines.get();
                    if l.is_empty() { t_string!(i18n, received_empty).to_string() } else { l.join("\n") }
                }}
            </pre>
        </section>
    }
}
