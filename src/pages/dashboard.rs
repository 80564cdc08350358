//! Live readings: power, currents, energy, half-hour value, chart, signal, state, identity, and
//! the support line.

use broute::readout::{energy_scale, fixed, grouped, SignalQuality};
use broute::{Energy, MeterClass, Phase, ReadingValues};
use echonet::{DateTime, Measured, OrUnset};
use leptos::prelude::*;

use crate::components::chart::PowerChart;
use crate::components::support_line::SupportLine;
use crate::control::Ctl;
use crate::i18n::*;
use crate::pages::triage::CauseText;
use crate::platform::{clock, timers};

fn stamp(s: OrUnset<DateTime>) -> String {
    match s {
        OrUnset::Value(d) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            d.year, d.month, d.day, d.hour, d.minute
        ),
        OrUnset::Unset => "—".into(),
    }
}

/// kWh with its unit, the raw count when the unit is unknown, or "no data".
fn energy_text(e: &Energy, no_data: &str, unit: &str, scale: u8) -> String {
    match (e.kwh, e.raw) {
        (Some(k), _) => format!("{} {unit}", fixed(k, scale)),
        (None, Measured::Value(raw)) => format!("{raw} (raw)"),
        _ => no_data.to_string(),
    }
}

/// The dashboard page.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctl = expect_context::<Ctl>();
    let st = ctl.state;
    let no_data = move || t_string!(i18n, dash_no_data).to_string();
    crate::data::load_samples(st);

    // "Updated N s ago" ticks once a second while the page is shown.
    let now = RwSignal::new(clock::now_ms());
    timers::every_while_mounted(core::time::Duration::from_secs(1), move || {
        now.set(clock::now_ms())
    });

    let window = RwSignal::new(600_000.0_f64);
    // Digits after the point that the meter's unit gives (0.1 kWh → 1; D4 adds its own).
    let scale = move || st.meter.with(|m| m.as_ref().map_or(0, energy_scale));
    let class = move || st.meter.with(|m| m.as_ref().map(|m| m.class));

    let banner = move || {
        st.cause
            .get()
            .filter(|c| !c.is_fatal() || st.phase.get() == Phase::Stopped)
            .map(|c| view! { <section class="card banner" data-testid="banner" aria-labelledby="banner-h"><CauseText cause=c heading_id="banner-h"/></section> })
    };

    let low = move || {
        let r = st.last.get().and_then(|r| match r.values {
            ReadingValues::Low(lv) => Some(lv),
            _ => None,
        });
        let Some(lv) = r else {
            return view! { <p class="waiting" data-testid="waiting">{t!(i18n, dash_waiting)}</p> }
                .into_any();
        };
        let power = match lv.power_w {
            Some(Measured::Value(w)) => {
                let dir = if w < 0 {
                    t_string!(i18n, dash_export)
                } else {
                    t_string!(i18n, dash_import)
                };
                let value = grouped(i64::from(w).abs());
                // One name for screen readers: value, unit in words, direction.
                let label = t_string!(i18n, power_label, w = value.clone(), dir = dir).to_string();
                view! {
                    <output class="big" data-testid="power" aria-live="off" aria-label=label>
                        <span class="value">{value}</span><span class="unit">" W"</span>
                    </output>
                    <p class=if w < 0 { "dir export" } else { "dir import" } data-testid="power-dir">
                        <span aria-hidden="true">{if w < 0 { "↑ " } else { "↓ " }}</span>{dir.to_string()}
                    </p>
                }
                .into_any()
            }
            Some(_) => {
                view! { <p class="big nodata" data-testid="power">{no_data()}</p> }.into_any()
            }
            None => view! { <p class="big">"—"</p> }.into_any(),
        };
        let currents = lv.currents.map(|c| {
            let fmt = |m: Measured<echonet::lv::DeciAmps>| match m {
                Measured::Value(a) => format!("{a} A"),
                _ => no_data(),
            };
            let r = fmt(c.r);
            let t = c.t.map(fmt);
            view! {
                <dl class="facts">
                    <dt>{t!(i18n, dash_phase_r)}</dt><dd data-testid="current-r">{r}</dd>
                    <dt>{t!(i18n, dash_phase_t)}</dt>
                    <dd data-testid="current-t">{match t {
                        Some(t) => t.into_any(),
                        None => t!(i18n, dash_single_phase).into_any(),
                    }}</dd>
                </dl>
            }
        });
        let e_in = lv
            .energy_normal
            .map(|e| energy_text(&e, &no_data(), "kWh", scale()));
        let e_out = lv
            .energy_reverse
            .map(|e| energy_text(&e, &no_data(), "kWh", scale()));
        view! {
            <div class="grid">
                <section class="card power" aria-labelledby="p-h">
                    <h2 id="p-h">{t!(i18n, dash_power)}</h2>
                    {power}
                </section>
                <section class="card" aria-labelledby="c-h">
                    <h2 id="c-h">{t!(i18n, dash_currents)}</h2>
                    {currents}
                </section>
                <section class="card" aria-labelledby="e-h">
                    <h2 id="e-h">{t!(i18n, dash_energy_in)}</h2>
                    <p class="mid" data-testid="energy-in">{e_in.unwrap_or_else(|| "—".into())}</p>
                    <h2>{t!(i18n, dash_energy_out)}</h2>
                    <p class="mid" data-testid="energy-out">{e_out.unwrap_or_else(|| "—".into())}</p>
                </section>
            </div>
        }
        .into_any()
    };

    let high = move || {
        let r = st.last.get().and_then(|r| match r.values {
            ReadingValues::High(hv) => Some(hv),
            _ => None,
        });
        let Some(hv) = r else {
            return view! { <p class="waiting" data-testid="waiting">{t!(i18n, dash_waiting)}</p> }
                .into_any();
        };
        let demand = hv.demand.map(|(s, raw, kw)| match kw {
            Some(k) => format!("{k} kW ({})", stamp(s)),
            None => match raw {
                Measured::Value(v) => format!("{v} (raw)"),
                _ => no_data(),
            },
        });
        let active = hv.active_energy.map(|(s, e)| {
            format!(
                "{} ({})",
                energy_text(&e, &no_data(), "kWh", scale()),
                stamp(s)
            )
        });
        let maxd = hv.monthly_max_demand.map(|(raw, kw)| match kw {
            Some(k) => format!("{k} kW"),
            None => match raw {
                Measured::Value(v) => format!("{v} (raw)"),
                _ => no_data(),
            },
        });
        let reactive = hv.reactive_energy.map(|(s, e)| {
            format!(
                "{} ({})",
                energy_text(&e, &no_data(), "kvarh", scale()),
                stamp(s)
            )
        });
        view! {
            <div class="grid">
                <section class="card power">
                    <h2>{t!(i18n, dash_demand)}</h2>
                    <p class="big" data-testid="demand">{demand.unwrap_or_else(|| "—".into())}</p>
                </section>
                <section class="card">
                    <h2>{t!(i18n, dash_active_energy)}</h2>
                    <p class="mid" data-testid="active-energy">{active.unwrap_or_else(|| "—".into())}</p>
                    <h2>{t!(i18n, dash_max_demand)}</h2>
                    <p class="mid">{maxd.unwrap_or_else(|| "—".into())}</p>
                    <h2>{t!(i18n, dash_reactive)}</h2>
                    <p class="mid">{reactive.unwrap_or_else(|| "—".into())}</p>
                </section>
            </div>
        }
        .into_any()
    };

    let half_hour = move || {
        st.half_hour.get().and_then(|h| h.normal).map(|(s, e)| {
            view! {
                <section class="card">
                    <h2>{t!(i18n, dash_half_hour)}</h2>
                    <p class="mid" data-testid="half-hour">{format!("{} — {}", stamp(s), energy_text(&e, &no_data(), "kWh", scale()))}</p>
                </section>
            }
        })
    };

    let updated = move || {
        st.last_at.get().map(|t| {
            let secs = ((now.get() - t) / 1000.0).max(0.0) as u64;
            view! { <p class="updated" data-testid="updated">{t_string!(i18n, dash_updated, secs = secs).to_string()}</p> }
        })
    };

    let state_text = move || {
        let _ = i18n.get_locale();
        match st.phase.get() {
            Phase::Reading => t_string!(i18n, state_reading).to_string(),
            Phase::ReAuthenticating => t_string!(i18n, state_reauth).to_string(),
            Phase::TxLimited => t_string!(i18n, state_txlimit).to_string(),
            Phase::Reconnecting => t_string!(i18n, state_reconnecting).to_string(),
            Phase::Stopped => t_string!(i18n, state_stopped).to_string(),
            _ => "…".to_string(),
        }
    };

    let rssi = move || {
        st.figures
            .with(|f| f.last_rssi_dbm)
            .or_else(|| st.last.get().and_then(|r| r.rssi_dbm))
    };
    let quality = move || SignalQuality::from_rssi(rssi());
    let signal = move || {
        let _ = i18n.get_locale();
        match quality() {
            SignalQuality::Good => t_string!(i18n, signal_good).to_string(),
            SignalQuality::Fair => t_string!(i18n, signal_fair).to_string(),
            SignalQuality::Weak => t_string!(i18n, signal_weak).to_string(),
            SignalQuality::Unknown => t_string!(i18n, signal_unknown).to_string(),
        }
    };
    // Bars as shapes, so the gauge does not rely on colour alone.
    let bars = move || {
        let n = quality().bars();
        (1..=3)
            .map(|b| if b <= n { '▮' } else { '▯' })
            .collect::<String>()
    };

    let identity = move || {
        st.meter.get().map(|m| {
            let class_text = match m.class {
                MeterClass::LowVoltage => t!(i18n, meter_low_voltage).into_any(),
                MeterClass::HighVoltage => t!(i18n, meter_high_voltage).into_any(),
            };
            view! {
                <dt>{t!(i18n, dash_meter)}</dt><dd data-testid="meter-class">{class_text}</dd>
                <dt>{t!(i18n, meter_release)}</dt><dd>{m.release.map(|c| c.to_string()).unwrap_or_else(|| "—".into())}</dd>
                <dt>{t!(i18n, meter_maker)}</dt><dd>{m.maker.map(|c| format!("{c:06X}")).unwrap_or_else(|| "—".into())}</dd>
            }
        })
    };

    let window_button = move |ms: f64, label: &'static str, id: &'static str| {
        let text = move || {
            let _ = i18n.get_locale();
            match label {
                "10m" => t_string!(i18n, window_10m).to_string(),
                "1h" => t_string!(i18n, window_1h).to_string(),
                _ => t_string!(i18n, window_24h).to_string(),
            }
        };
        view! {
            <button type="button" data-testid=id aria-pressed=move || (window.get() == ms).to_string()
                on:click=move |_| window.set(ms)>{text}</button>
        }
    };

    view! {
        {banner}
        {move || match class() {
            Some(MeterClass::HighVoltage) => high().into_any(),
            _ => low().into_any(),
        }}
        {updated}
        {half_hour}
        {move || (class() != Some(MeterClass::HighVoltage)).then(|| view! {
            <section class="card" aria-labelledby="chart-h">
                <h2 id="chart-h">{t!(i18n, dash_chart)}</h2>
                <div class="actions" role="group" aria-label=move || t_string!(i18n, window_label).to_string()>
                    {window_button(600_000.0, "10m", "win-10m")}
                    {window_button(3_600_000.0, "1h", "win-1h")}
                    {window_button(86_400_000.0, "24h", "win-24h")}
                </div>
                <PowerChart samples=st.samples window_ms=Signal::derive(move || window.get())
                    label=Signal::derive(move || t_string!(i18n, dash_chart).to_string())/>
            </section>
        })}
        <div class="grid">
            <section class="card" aria-labelledby="s-h">
                <h2 id="s-h">{t!(i18n, dash_signal)}</h2>
                <meter min="-110" max="-40" low="-85" high="-70" optimum="-45" data-testid="signal-meter"
                    aria-labelledby="s-h" aria-describedby="signal-text"
                    value=move || rssi().map(|r| r.to_string()).unwrap_or_else(|| "-110".into())></meter>
                <p data-testid="signal" id="signal-text">
                    <span class="bars" aria-hidden="true">{bars}" "</span>
                    {signal}{move || rssi().map(|r| format!(" ({r} dBm)"))}
                    <span class="sr-only">{move || format!(" — {}", t_string!(i18n, signal_bars, n = quality().bars()))}</span>
                </p>
            </section>
            <section class="card" aria-labelledby="st-h">
                <h2 id="st-h">{t!(i18n, dash_state)}</h2>
                <p data-testid="session-state">{state_text}</p>
                <dl class="facts" data-testid="meter-identity">
                    {identity}
                    <dt>{t!(i18n, frames_ignored)}</dt>
                    <dd data-testid="frames-ignored">{move || st.figures.with(|f| f.frames_ignored)}</dd>
                </dl>
            </section>
        </div>
        <section class="card">
            <SupportLine/>
        </section>
    }
}
