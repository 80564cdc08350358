//! Glue between the session and storage: nothing recorded is lost while the page is open.
//!
//! Every reading goes into an in-memory buffer first ([`export::pending::Pending`]) and leaves
//! it only once a write to IndexedDB has committed; history days likewise. Writes run one at a
//! time, in order, in batches. When a write fails (the disk is full, the store is blocked or
//! gone) the readings stay in memory, the banner says so, and the write is tried again with
//! backoff (1 s … 1 min); without IndexedDB at all (some private modes) the session records in
//! memory only. Exports read the store *and* the buffer, so a CSV can always be made.
//!
//! Counts come from the store's key counts plus the buffer (nothing is loaded to count), the
//! chart's and the granularity check's recent window from a key range, and old readings are
//! deleted by the retention setting only when they were exported ([`export::retention`]).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use export::pending::{key_bound, reading_key, Backoff, Pending};
use export::retention::{self, Keep};
use export::{HistoryDay, Lang, MeterColumns, Record, Scaling, SlotConflict};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::platform::files::download;
use crate::platform::{clock, storage_manager, timers};
use crate::record::{self, Problem, StoreError};
use crate::state::{AppState, Sample, StoreStatus, TraceLine, SAMPLES_MAX};
use crate::store;
use crate::tools::{self, Request};

/// Readings written in one transaction.
const BATCH: usize = 2000;
/// The chart's and the granularity check's window: 24 hours.
pub const WINDOW_MS: i64 = 86_400_000;

/// What waits to be stored, and how writing goes.
#[derive(Default)]
struct Writer {
    pending: Pending,
    /// History days not stored yet, one per date (merged).
    days: Vec<HistoryDay>,
    seq: u32,
    /// A write is running.
    busy: bool,
    /// A retry is scheduled.
    waiting: bool,
    backoff: Backoff,
    persist_asked: bool,
    /// The user chose to keep the unexported old readings (this page load).
    keep_old: bool,
    /// Bumped when the recording is cleared: a write that started before does not take
    /// readings recorded after the clear out of the buffer.
    epoch: u32,
}

thread_local! {
    static STATE: RefCell<Option<AppState>> = const { RefCell::new(None) };
    static SAMPLES_LOADED: Cell<bool> = const { Cell::new(false) };
    static W: RefCell<Writer> = RefCell::new(Writer {
        pending: Pending::new(),
        ..Writer::default()
    });
}

fn with_state(f: impl FnOnce(AppState)) {
    if let Some(s) = STATE.with(|s| *s.borrow()) {
        f(s);
    }
}

fn problem() -> Option<Problem> {
    let mut p = None;
    with_state(|s| p = s.storage.with_untracked(|st| st.problem));
    p
}

/// Show the buffer's size and the current problem.
fn show(problem: Option<Problem>) {
    let (unsaved, dropped) = W.with(|w| {
        let w = w.borrow();
        (w.pending.len() + w.days.len(), w.pending.dropped())
    });
    with_state(|s| {
        let next = StoreStatus {
            problem,
            unsaved,
            dropped,
        };
        if s.storage.get_untracked() != next {
            s.storage.set(next);
        }
    });
}

/// Count what is recorded: the store's keys plus what waits in memory.
async fn recount() {
    let pending = W.with(|w| w.borrow().pending.len());
    if let Ok(n) = record::reading_count().await {
        with_state(|s| s.recorded.set(n + pending));
    }
    recount_days().await;
}

/// Count the history days: the store's plus those waiting in memory.
async fn recount_days() {
    let day_dates: Vec<String> =
        W.with(|w| w.borrow().days.iter().map(|d| d.date.clone()).collect());
    if let Ok(days) = record::days_raw().await {
        let mut dates: Vec<String> = days
            .iter()
            .filter_map(|j| HistoryDay::from_json(j).map(|d| d.date))
            .collect();
        dates.extend(day_dates);
        dates.sort();
        dates.dedup();
        with_state(|s| s.days_stored.set(dates.len()));
    }
}

/// Remember the app state, open the store and count what was recorded before (the chart's
/// samples are loaded when the dashboard is first shown: [`load_samples`]).
pub fn init(state: AppState) {
    STATE.with(|s| *s.borrow_mut() = Some(state));
    record::on_blocked(|| show(Some(Problem::Blocked)));
    spawn_local(async move {
        match record::open_now().await {
            Ok(()) => {
                // Opened (perhaps after another tab let go): nothing is wrong now.
                show(None);
                recount().await;
                apply_retention().await;
                kick();
            }
            Err(StoreError(p)) => failed(p),
        }
    });
}

/// A write failed (or the store could not be opened): keep everything, say so, retry later
/// (not when there is no IndexedDB at all: then this session records in memory only).
fn failed(p: Problem) {
    show(Some(p));
    if p == Problem::Missing {
        return;
    }
    let ms = W.with(|w| {
        let mut w = w.borrow_mut();
        w.waiting = true;
        w.backoff.failed()
    });
    timers::after(std::time::Duration::from_millis(u64::from(ms)), || {
        W.with(|w| w.borrow_mut().waiting = false);
        kick();
    });
}

/// Start writing what waits, unless a write runs or a retry is scheduled.
fn kick() {
    let start = W.with(|w| {
        let mut w = w.borrow_mut();
        let idle = !w.busy && !w.waiting && (!w.pending.is_empty() || !w.days.is_empty());
        if idle {
            w.busy = true;
        }
        idle
    });
    if start && problem() != Some(Problem::Missing) {
        spawn_local(flush());
    } else if start {
        W.with(|w| w.borrow_mut().busy = false);
    }
}

/// Try to store now (the banner's "try again").
pub fn retry_now() {
    W.with(|w| w.borrow_mut().waiting = false);
    if problem() == Some(Problem::Missing) {
        // Maybe the store is there now (it never is in a private window).
        spawn_local(async {
            if record::open_now().await.is_ok() {
                show(None);
                kick();
            }
        });
        return;
    }
    kick();
}

/// Write everything that waits, history days first, readings in batches, in order.
async fn flush() {
    let was_failing = problem().is_some();
    let result = flush_all().await;
    W.with(|w| w.borrow_mut().busy = false);
    match result {
        Ok(wrote_days) => {
            W.with(|w| w.borrow_mut().backoff.succeeded());
            show(None);
            if was_failing {
                recount().await;
                apply_retention().await;
            } else if wrote_days {
                recount_days().await;
            }
            // Readings that arrived meanwhile.
            kick();
        }
        Err(StoreError(p)) => failed(p),
    }
}

/// `Ok(true)` when history days were written.
async fn flush_all() -> Result<bool, StoreError> {
    let days = W.with(|w| std::mem::take(&mut w.borrow_mut().days));
    let wrote_days = !days.is_empty();
    let mut rest: VecDeque<HistoryDay> = days.into();
    while let Some(day) = rest.pop_front() {
        match record::merge_day(&day).await {
            Ok(conflicts) => note(&conflicts),
            Err(e) => {
                rest.push_front(day);
                // Keep them, merged with any read meanwhile (the older read first).
                W.with(|w| {
                    let mut w = w.borrow_mut();
                    let newer = std::mem::take(&mut w.days);
                    w.days = rest.into();
                    for d in newer {
                        add_day(&mut w.days, d);
                    }
                });
                return Err(e);
            }
        }
    }
    loop {
        let (batch, epoch) = W.with(|w| {
            let w = w.borrow();
            (w.pending.batch(BATCH), w.epoch)
        });
        if batch.is_empty() {
            return Ok(wrote_days);
        }
        record::append(&batch).await?;
        W.with(|w| {
            let mut w = w.borrow_mut();
            if w.epoch == epoch {
                w.pending.written(batch.len());
            }
        });
        show(problem());
    }
}

/// Slot conflicts between two reads of a day go to the trace.
fn note(conflicts: &[SlotConflict]) {
    with_state(|s| {
        let at_ms = s.clock_ms.get_untracked();
        for c in conflicts {
            s.push_trace(TraceLine {
                seq: 0,
                at_ms,
                dir: '≠',
                text: c.to_string(),
                frame: None,
                ignored: None,
            });
        }
    });
}

fn add_day(days: &mut Vec<HistoryDay>, d: HistoryDay) -> Vec<SlotConflict> {
    match days.iter_mut().find(|x| x.date == d.date) {
        Some(x) => x.merge_from(&d),
        None => {
            days.push(d);
            Vec::new()
        }
    }
}

/// Record a reading (in arrival order). The first one of a page load asks the browser to
/// keep the site's storage even when the disk runs low.
pub fn record(r: Record) {
    let Ok(json) = serde_json::to_string(&r) else {
        return;
    };
    let ask = W.with(|w| {
        let mut w = w.borrow_mut();
        let key = reading_key(r.t_ms, w.seq);
        w.seq = w.seq.wrapping_add(1);
        w.pending.push(key, json);
        !std::mem::replace(&mut w.persist_asked, true)
    });
    with_state(|s| s.recorded.update(|n| *n += 1));
    if ask {
        spawn_local(async {
            let granted = storage_manager::persist().await;
            with_state(|s| s.persisted.set(granted));
        });
    }
    show(problem());
    kick();
}

/// Record a day of meter history: merged into the stored day, never replacing it.
pub fn record_day(d: HistoryDay) {
    let (new_date, conflicts) = W.with(|w| {
        let mut w = w.borrow_mut();
        let new_date = !w.days.iter().any(|x| x.date == d.date);
        (new_date, add_day(&mut w.days, d))
    });
    note(&conflicts);
    if new_date && problem().is_some() {
        // Counted again from the store once it has them.
        with_state(|s| s.days_stored.update(|n| *n += 1));
    }
    show(problem());
    kick();
}

/// Every reading recorded (JSON), oldest first: the store's (when it can be read) and those
/// kept in memory. `false` when the store could not be read (the export then has only what
/// this page holds).
///
/// No reading is in both: a write's transaction ends before a later read starts, and the
/// buffer drops the written readings in the same microtask as the write ends, so the buffer is
/// taken right after the read.
pub async fn readings() -> (Vec<String>, bool) {
    let stored = record::readings_all().await;
    let ok = stored.is_ok();
    let mut lines = stored.unwrap_or_default();
    W.with(|w| lines.extend(w.borrow().pending.json().map(str::to_owned)));
    (lines, ok)
}

/// The readings of the last 24 hours (JSON), oldest first: a key range of the store, plus
/// those kept in memory.
pub async fn recent_readings() -> Vec<String> {
    let since = clock::now_ms() as i64 - WINDOW_MS;
    let mut lines = record::readings_since(since).await.unwrap_or_default();
    W.with(|w| {
        let w = w.borrow();
        lines.extend(w.pending.json_from(key_bound(since)).map(str::to_owned));
    });
    lines
}

/// Every history day recorded (JSON): the store's and those kept in memory (later entries
/// override earlier ones slot by slot when exported).
pub async fn history_days() -> Vec<String> {
    let mut lines = record::days_raw().await.unwrap_or_default();
    W.with(|w| lines.extend(w.borrow().days.iter().map(HistoryDay::to_json)));
    lines
}

/// The dates of the history days recorded with every slot filled: what the resume skips.
pub async fn complete_days() -> Vec<String> {
    let mut days = record::days().await.unwrap_or_default();
    W.with(|w| days.extend(w.borrow().days.iter().cloned()));
    export::history::merged(&days)
        .into_iter()
        .filter(HistoryDay::is_complete)
        .map(|d| d.date)
        .collect()
}

/// Build the readings CSV in the worker and offer it as a download; remember up to when
/// readings were exported (the retention setting deletes only those). `false` when there was
/// nothing to export or the worker failed.
pub async fn download_readings_csv(st: AppState, lang: Lang) -> bool {
    let meter = st
        .meter
        .with_untracked(|m| m.as_ref().map(MeterColumns::from_identity))
        .unwrap_or_default();
    let hv = st.meter.with_untracked(|m| {
        m.as_ref()
            .is_some_and(|m| m.class == broute::MeterClass::HighVoltage)
    });
    let (lines, store_read) = readings().await;
    // The newest reading exported: the file has every reading up to it (unless the store could
    // not be read: then it has only what this page holds, and marks nothing as exported).
    let newest = lines
        .iter()
        .filter_map(|l| Record::stored_time(l))
        .max()
        .filter(|_| store_read);
    let req = Request::ReadingsCsv {
        lang,
        hv,
        maker: meter.maker,
        serial: meter.serial,
        records: lines.join("\n"),
    };
    if !export_csv("broute-readings", req).await {
        return false;
    }
    if let Some(t) = retention::exported_through(store::exported_through(), newest) {
        store::save_exported_through(t);
    }
    apply_retention().await;
    true
}

/// Run an export in the worker and offer its text as a file `<prefix>-<stamp>.csv`.
pub async fn export_csv(prefix: &str, req: Request) -> bool {
    match tools::run(req).await {
        Ok(text) => {
            download(
                &format!("{prefix}-{}.csv", stamp()),
                "text/csv;charset=utf-8",
                text.as_bytes(),
            );
            true
        }
        Err(_) => false,
    }
}

/// Delete what the retention setting lets go without asking, and find what it would delete
/// but was never exported (the Data tab asks about those).
pub async fn apply_retention() {
    let keep = store::keep();
    let now = clock::now_ms() as i64;
    let plan = retention::plan(keep, now, store::exported_through());
    if let Some(t) = plan.delete_before {
        if record::delete_before(t).await.is_ok() {
            recount().await;
        }
    }
    let mut ask = None;
    if let (Some((from, to)), false) = (plan.ask, W.with(|w| w.borrow().keep_old)) {
        let below = |t| async move { record::count_before(t).await.unwrap_or(0) };
        let n = below(to).await.saturating_sub(below(from).await);
        if n > 0 {
            ask = Some((n, keep.days()));
        }
    }
    with_state(|s| s.retention_ask.set(ask));
}

/// Change the retention setting and apply it.
pub fn set_keep(k: Keep) {
    store::save_keep(k);
    W.with(|w| w.borrow_mut().keep_old = false);
    spawn_local(apply_retention());
}

/// The user's answer about old readings never exported: delete them anyway, or keep them
/// (not asked again until the page is loaded again or the setting changes).
pub fn answer_old(delete: bool) {
    W.with(|w| w.borrow_mut().keep_old = !delete);
    with_state(|s| s.retention_ask.set(None));
    if !delete {
        return;
    }
    let cutoff = store::keep().cutoff(clock::now_ms() as i64);
    spawn_local(async move {
        if let Some(t) = cutoff {
            if record::delete_before(t).await.is_ok() {
                recount().await;
                refresh_usage().await;
            }
        }
    });
}

/// Ask the browser whether storage is persistent and how much is used.
pub async fn refresh_usage() {
    let persisted = storage_manager::persisted().await;
    let usage = storage_manager::estimate().await;
    with_state(|s| {
        s.persisted.set(persisted);
        s.usage.set(usage);
    });
}

/// Delete every reading and history day (also those waiting in memory).
pub async fn clear_all() -> bool {
    if record::clear_all().await.is_err() && problem().is_none() {
        return false;
    }
    W.with(|w| {
        let mut w = w.borrow_mut();
        let n = w.pending.len();
        w.pending.written(n);
        w.days.clear();
        w.epoch = w.epoch.wrapping_add(1);
    });
    show(problem());
    with_state(|s| {
        s.recorded.set(0);
        s.days_stored.set(0);
        s.samples.set(Default::default());
    });
    true
}

/// Fill the chart with the power of the last 24 hours' readings (once per page load; one key
/// range of the store, read in the worker). Samples that arrived meanwhile stay after them.
pub fn load_samples(state: AppState) {
    if SAMPLES_LOADED.with(|l| l.replace(true)) {
        return;
    }
    spawn_local(async move {
        let recs = recent_readings().await;
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

/// The meter's scaling, when known.
pub fn scaling(st: AppState) -> Option<Scaling> {
    st.meter.with_untracked(|m| m.as_ref().map(Scaling::from))
}

/// A file name stamp in Japan time, e.g. `20261126-0900`.
pub fn stamp() -> String {
    let t = clock::now_ms() as i64;
    export::time::jst(t)
        .map(|d| {
            format!(
                "{:04}{:02}{:02}-{:02}{:02}",
                d.year, d.month, d.day, d.hour, d.minute
            )
        })
        .unwrap_or_else(|| "export".into())
}
