//! Glue between the session and storage: record as things arrive, reload at start, downloads.

use std::cell::RefCell;

use export::{HistoryDay, Record, RecordKind};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::record;
use crate::state::{AppState, Sample, SAMPLES_MAX};

thread_local! {
    static STATE: RefCell<Option<AppState>> = const { RefCell::new(None) };
}

/// Remember the app state and reload what was recorded before (chart and counters).
pub fn init(state: AppState) {
    STATE.with(|s| *s.borrow_mut() = Some(state));
    spawn_local(async move {
        match record::records().await {
            Ok(recs) => {
                state.recorded.set(recs.len());
                let samples: std::collections::VecDeque<Sample> = recs
                    .iter()
                    .filter(|r| r.kind == RecordKind::Lv)
                    .filter_map(|r| {
                        Some(Sample {
                            t_ms: r.t_ms as f64,
                            w: f64::from(r.power_w?.value()?),
                        })
                    })
                    .collect();
                let skip = samples.len().saturating_sub(SAMPLES_MAX);
                state.samples.set(samples.into_iter().skip(skip).collect());
            }
            Err(e) => state.storage_error.set(Some(e.0)),
        }
        if let Ok(days) = record::days().await {
            state.days_stored.set(days.len());
        }
    });
}

fn with_state(f: impl FnOnce(AppState)) {
    if let Some(s) = STATE.with(|s| *s.borrow()) {
        f(s);
    }
}

/// Store a record (in arrival order).
pub fn record(r: Record) {
    spawn_local(async move {
        match record::append(&r).await {
            Ok(()) => with_state(|s| s.recorded.update(|n| *n += 1)),
            Err(e) => with_state(|s| s.storage_error.set(Some(e.0))),
        }
    });
}

/// Store a history day.
pub fn record_day(d: HistoryDay) {
    spawn_local(async move {
        if record::put_day(&d).await.is_ok() {
            if let Ok(days) = record::days().await {
                with_state(|s| s.days_stored.set(days.len()));
            }
        }
    });
}

/// Offer `bytes` as a file download.
pub fn download(name: &str, mime: &str, bytes: &[u8]) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(a) = doc.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    // Revoke after the click has been handled.
    let url2 = url.clone();
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url2);
    });
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000);
    }
}

/// A file name stamp in Japan time, e.g. `20261126-0900`.
pub fn stamp() -> String {
    let t = js_sys::Date::now() as i64;
    export::time::jst(t)
        .map(|d| {
            format!(
                "{:04}{:02}{:02}-{:02}{:02}",
                d.year, d.month, d.day, d.hour, d.minute
            )
        })
        .unwrap_or_else(|| "export".into())
}

/// Read a file chosen in an `<input type=file>` as text (size-limited by the caller).
pub async fn read_file(input: &web_sys::HtmlInputElement) -> Option<String> {
    let file = input.files()?.get(0)?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()?;
    text.as_string()
}
