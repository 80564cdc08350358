//! Hooks for the browser measurements (`make bench-browser`, tests/e2e/bench.mjs): fill the
//! dashboard's power series with a day of realistic readings without waiting a day.
//!
//! `window.__broute_fill_samples(n, step_ms)` replaces the samples with `n` readings `step_ms`
//! apart ending now; `window.__broute_push_sample()` appends the next one (as a live reading
//! would, dropping the oldest beyond [`SAMPLES_MAX`]). Powers come from the simulator's load
//! profile (`sim::Meter::reading_at`) of the demo meter. Both return the number of samples.
//!
//! `window.__broute_fill_store(n, step_ms)` writes `n` such readings `step_ms` apart, ending
//! now, into the app's IndexedDB store (the same keys and JSON as recorded readings, 5000 per
//! transaction) and resolves to `{records, ms}`: a week of recording without waiting a week.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;

use crate::control::Ctl;
use crate::platform::{clock, hooks};
use crate::state::{Sample, SAMPLES_MAX};

struct Gen {
    meter: sim::Meter,
    /// Virtual ms of the next sample.
    next_ms: u64,
    step_ms: u64,
}

impl Gen {
    fn new() -> Self {
        let sc = sim::Scenario::preset("demo").unwrap_or_default();
        let seed = sim::rng::hash3(sc.seed, 100, 0);
        let cfg = sc.meters.first().cloned().unwrap_or_default();
        Self {
            meter: sim::Meter::new(cfg, sc.start, seed),
            next_ms: 0,
            step_ms: 5_000,
        }
    }

    fn next(&mut self) -> f64 {
        let w = f64::from(self.meter.reading_at(self.next_ms).power_w);
        self.next_ms += self.step_ms;
        w
    }
}

fn set_fn(name: &str, f: JsValue) {
    hooks::expose(name, &f);
}

/// Installs the window hooks; renders nothing. Mounted once inside the app's shell.
#[component]
pub fn BenchHooks() -> impl IntoView {
    let samples = expect_context::<Ctl>().state.samples;
    let gen = Rc::new(RefCell::new(Gen::new()));

    let g = gen.clone();
    let fill =
        Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(move |n: JsValue, step: JsValue| {
            let n = n
                .as_f64()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .unwrap_or(0.0) as usize;
            let n = n.min(SAMPLES_MAX);
            let step = step
                .as_f64()
                .filter(|s| s.is_finite() && *s >= 1.0)
                .unwrap_or(5_000.0);
            let mut g = g.borrow_mut();
            *g = Gen::new();
            g.step_ms = step as u64;
            let end = clock::now_ms();
            // One push at a time, as live readings arrive: the deque's capacity grows the same way.
            samples.update(|s| {
                s.clear();
                for i in 0..n {
                    let w = g.next();
                    s.push_back(Sample {
                        t_ms: end - step * (n - 1 - i) as f64,
                        w,
                    });
                }
            });
            JsValue::from(n as f64)
        });
    set_fn("__broute_fill_samples", fill.into_js_value());

    let push = Closure::<dyn Fn() -> JsValue>::new(move || {
        let mut g = gen.borrow_mut();
        let step = g.step_ms as f64;
        let w = g.next();
        let mut len = 0;
        samples.update(|s| {
            let t_ms = s.back().map_or_else(clock::now_ms, |x| x.t_ms + step);
            s.push_back(Sample { t_ms, w });
            while s.len() > SAMPLES_MAX {
                s.pop_front();
            }
            len = s.len();
        });
        JsValue::from(len as f64)
    });
    set_fn("__broute_push_sample", push.into_js_value());

    // __broute_bench_csv(n): build n recorded readings 5 s apart from the simulator's profile
    // and time the readings CSV export and the JSON the recording stores; returns
    // {csv_ms, csv_bytes, json_ms, json_bytes}.
    let bench_csv = Closure::<dyn Fn(JsValue) -> JsValue>::new(move |n: JsValue| {
        let n = n
            .as_f64()
            .filter(|n| n.is_finite() && *n >= 0.0)
            .unwrap_or(17_280.0) as usize;
        let mut g = Gen::new();
        let t0 = 1_795_651_200_000_i64; // 2026-11-26 09:00 JST
        let recs: Vec<export::Record> = (0..n)
            .map(|i| {
                let r = g.meter.reading_at(g.next_ms);
                g.next_ms += 5_000;
                let kwh = format!("{}.{}", r.import_count / 10, r.import_count % 10);
                export::Record::lv(
                    t0 + 5_000 * i as i64,
                    Some(r.power_w),
                    Some((r.import_count, &kwh)),
                )
            })
            .collect();
        let now = clock::monotonic_ms;
        let a = now();
        let csv = export::csv_readings(&recs, export::Lang::Ja, &export::CsvOptions::default());
        let b = now();
        let json: usize = recs
            .iter()
            .filter_map(|r| serde_json::to_string(r).ok())
            .map(|s| s.len())
            .sum();
        let c = now();
        hooks::numbers(&[
            ("records", n as f64),
            ("csv_ms", b - a),
            ("csv_bytes", csv.len() as f64),
            ("json_ms", c - b),
            ("json_bytes", json as f64),
        ])
    });
    set_fn("__broute_bench_csv", bench_csv.into_js_value());

    let fill_store =
        Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(move |n: JsValue, step: JsValue| {
            let n = n
                .as_f64()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .unwrap_or(0.0) as usize;
            let step = step
                .as_f64()
                .filter(|s| s.is_finite() && *s >= 1.0)
                .unwrap_or(5_000.0) as i64;
            wasm_bindgen_futures::future_to_promise(async move {
                let t0 = clock::monotonic_ms();
                let end = clock::now_ms() as i64;
                let mut g = Gen::new();
                let mut batch = Vec::with_capacity(5000);
                for i in 0..n {
                    let r = g.meter.reading_at(g.next_ms);
                    g.next_ms += step as u64;
                    let kwh = format!("{}.{}", r.import_count / 10, r.import_count % 10);
                    let t = end - step * (n - 1 - i) as i64;
                    let rec = export::Record::lv(t, Some(r.power_w), Some((r.import_count, &kwh)));
                    let json = serde_json::to_string(&rec).unwrap_or_default();
                    batch.push((export::pending::reading_key(t, 0), json));
                    if batch.len() == 5000 || i + 1 == n {
                        crate::record::append(&batch)
                            .await
                            .map_err(|_| JsValue::from_str("store failed"))?;
                        batch.clear();
                    }
                }
                Ok(hooks::numbers(&[
                    ("records", n as f64),
                    ("ms", clock::monotonic_ms() - t0),
                ]))
            })
            .into()
        });
    set_fn("__broute_fill_store", fill_store.into_js_value());
}
