//! Glue between the session and storage: record as things arrive, reload at start.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use export::{HistoryDay, Record};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::record;
use crate::state::{AppState, Sample, SAMPLES_MAX};
use crate::tools::{self, Request};

thread_local! {
    static STATE: RefCell<Option<AppState>> = const { RefCell::new(None) };
    static SAMPLES_LOADED: Cell<bool> = const { Cell::new(false) };
}

/// Remember the app state and count what was recorded before (the chart's samples are loaded
/// when the dashboard is first shown: [`load_samples`]).
pub fn init(state: AppState) {
    STATE.with(|s| *s.borrow_mut() = Some(state));
    spawn_local(async move {
        match record::record_count().await {
            Ok(n) => state.recorded.set(n),
            Err(e) => state.storage_error.set(Some(e.0)),
        }
        if let Ok(days) = record::day_dates().await {
            state.days_stored.set(days.len());
        }
    });
}

/// Fill the chart with the stored readings' power (once per page load; the records are read in
/// the worker). Samples that arrived meanwhile stay after them.
pub fn load_samples(state: AppState) {
    if SAMPLES_LOADED.with(|l| l.replace(true)) {
        return;
    }
    spawn_local(async move {
        let Ok(recs) = record::records_raw().await else {
            return;
        };
        if recs.is_empty() {
            return;
        }
        let Ok(text) = tools::run(Request::Samples {
            records: recs.join("\n"),
        })
        .await
        else {
            return;
        };
        let stored: VecDeque<Sample> = text
            .lines()
            .filter_map(|l| {
                let (t, w) = l.split_once(' ')?;
                Some(Sample {
                    t_ms: t.parse::<i64>().ok()? as f64,
                    w: f64::from(w.parse::<i32>().ok()?),
                })
            })
            .collect();
        state.samples.update(|live| {
            let last = stored.back().map_or(f64::MIN, |s| s.t_ms);
            let mut all = stored;
            all.extend(live.iter().filter(|s| s.t_ms > last).copied());
            let skip = all.len().saturating_sub(SAMPLES_MAX);
            *live = all.into_iter().skip(skip).collect();
        });
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
            if let Ok(days) = record::day_dates().await {
                with_state(|s| s.days_stored.set(days.len()));
            }
        }
    });
}

/// A file name stamp in Japan time, e.g. `20261126-0900`.
pub fn stamp() -> String {
    let t = crate::platform::clock::now_ms() as i64;
    export::time::jst(t)
        .map(|d| {
            format!(
                "{:04}{:02}{:02}-{:02}{:02}",
                d.year, d.month, d.day, d.hour, d.minute
            )
        })
        .unwrap_or_else(|| "export".into())
}
