//! A hand-written SVG line chart of power, downsampled so a redraw stays cheap.
//!
//! Samples in the window are grouped into at most [`BUCKETS`] time buckets; each bucket draws
//! its mean (the line) and its min–max range (the band), so a spike never disappears however
//! many samples share a pixel, and the SVG has a bounded number of points whatever the window.

use std::collections::VecDeque;

use leptos::prelude::*;

use crate::state::Sample;

/// Most buckets drawn.
pub const BUCKETS: usize = 240;
const W: f64 = 640.0;
const H: f64 = 200.0;
const PAD_L: f64 = 56.0;
const PAD_B: f64 = 22.0;

/// One bucket: time at its centre, mean, min, max.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Centre time, ms.
    pub t: f64,
    /// Mean watts.
    pub mean: f64,
    /// Minimum watts.
    pub min: f64,
    /// Maximum watts.
    pub max: f64,
}

/// Group the samples of `[end − window, end]` into at most `n` buckets (empty ones skipped).
pub fn downsample(samples: &VecDeque<Sample>, end: f64, window: f64, n: usize) -> Vec<Bucket> {
    let n = n.max(1);
    let start = end - window;
    let width = window / n as f64;
    let mut acc: Vec<(f64, f64, f64, u32)> = vec![(0.0, f64::INFINITY, f64::NEG_INFINITY, 0); n];
    // Samples are in time order: skip the old ones quickly.
    let first = samples.partition_point(|s| s.t_ms < start);
    for s in samples.range(first..) {
        if s.t_ms > end || !s.w.is_finite() {
            continue;
        }
        let i = (((s.t_ms - start) / width) as usize).min(n - 1);
        let a = &mut acc[i];
        a.0 += s.w;
        a.1 = a.1.min(s.w);
        a.2 = a.2.max(s.w);
        a.3 += 1;
    }
    acc.into_iter()
        .enumerate()
        .filter(|(_, a)| a.3 > 0)
        .map(|(i, a)| Bucket {
            t: start + width * (i as f64 + 0.5),
            mean: a.0 / f64::from(a.3),
            min: a.1,
            max: a.2,
        })
        .collect()
}

/// One decimal without float formatting (keeps core's float printer out of the bundle).
fn d1(v: f64) -> String {
    let t = (v * 10.0).round() as i64;
    let sign = if t < 0 { "-" } else { "" };
    format!("{sign}{}.{}", t.abs() / 10, t.abs() % 10)
}

/// Whole number without float formatting.
fn d0(v: f64) -> String {
    (v.round() as i64).to_string()
}

fn hhmm(t_ms: f64) -> String {
    // Japan time (UTC+9, no daylight saving).
    let secs = (t_ms / 1000.0).floor() as i64 + 9 * 3600;
    let m = secs.rem_euclid(86_400) / 60;
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// The chart. `window_ms` selects the time span; the end is the newest sample.
#[component]
pub fn PowerChart(
    samples: RwSignal<VecDeque<Sample>>,
    window_ms: Signal<f64>,
    #[prop(into)] label: Signal<String>,
) -> impl IntoView {
    let data = Memo::new(move |_| {
        let w = window_ms.get();
        samples.with(|s| {
            let end = s.back().map_or(0.0, |x| x.t_ms);
            (end, downsample(s, end, w, BUCKETS))
        })
    });
    let geometry = move || {
        let (end, b) = data.get();
        let w = window_ms.get();
        let lo = b.iter().map(|x| x.min).fold(0.0_f64, f64::min);
        let hi = b.iter().map(|x| x.max).fold(100.0_f64, f64::max);
        let span = (hi - lo).max(1.0);
        let x = |t: f64| PAD_L + (t - (end - w)) / w * (W - PAD_L - 4.0);
        let y = |v: f64| 4.0 + (hi - v) / span * (H - PAD_B - 8.0);
        let line: String = b
            .iter()
            .map(|p| format!("{},{}", d1(x(p.t)), d1(y(p.mean))))
            .collect::<Vec<_>>()
            .join(" ");
        let mut band: Vec<String> = b
            .iter()
            .map(|p| format!("{},{}", d1(x(p.t)), d1(y(p.max))))
            .collect();
        band.extend(
            b.iter()
                .rev()
                .map(|p| format!("{},{}", d1(x(p.t)), d1(y(p.min)))),
        );
        (line, band.join(" "), y(0.0), lo, hi, end, w)
    };
    view! {
        <svg class="chart" viewBox="0 0 640 200" role="img" aria-label=move || label.get()
            data-testid="chart" preserveAspectRatio="none">
            {move || {
                let (line, band, zero, lo, hi, end, w) = geometry();
                view! {
                    <line x1=d0(PAD_L) x2=d0(W) y1=d1(zero) y2=d1(zero) class="zero"/>
                    <polygon points=band class="band"/>
                    <polyline points=line class="line" data-testid="chart-line"/>
                    <text x="2" y="14" class="axis">{format!("{} W", d0(hi))}</text>
                    <text x="2" y=d0(H - PAD_B) class="axis">{format!("{} W", d0(lo))}</text>
                    <text x=d0(PAD_L) y=d0(H - 4.0) class="axis">{if end > 0.0 { hhmm(end - w) } else { String::new() }}</text>
                    <text x=d0(W - 40.0) y=d0(H - 4.0) class="axis">{if end > 0.0 { hhmm(end) } else { String::new() }}</text>
                }
            }}
        </svg>
    }
}
