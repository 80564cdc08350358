//! IndexedDB (the `idb` crate): the recorded readings and the meter's history days.
//!
//! Database `broute`, version 2, values stored as JSON strings:
//! * `readings`: one [`export::Record`] per reading, keyed by its time
//!   ([`export::pending::reading_key`]: ms × 1024 + a sequence number), so "the last 24 hours",
//!   "older than 30 days" and counts are key ranges, never a scan of every reading;
//! * `history`: one [`export::HistoryDay`] per day, keyed by the date (`YYYY-MM-DD`); a new read
//!   is merged into the stored day slot by slot inside one transaction ([`merge_day`]);
//! * `records`: version 1's readings (auto-increment keys), moved into `readings` in one
//!   transaction the first time version 2 opens.
//!
//! Nothing here keeps data of its own: `crate::data` holds new readings in memory until a write
//! here has committed. Every failure is a [`StoreError`] saying what kind it was. The connection
//! closes itself when another tab needs to upgrade the database, and is opened again on the
//! next use.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use export::pending::key_bound;
use export::{HistoryDay, Record, SlotConflict};
use idb::{Database, DatabaseEvent, Factory, KeyRange, ObjectStoreParams, Query, Transaction};
use idb::{TransactionMode, TransactionResult};
use wasm_bindgen::JsValue;

use crate::platform::{storage_manager::error_name, timers};

const DB: &str = "broute";
const VERSION: u32 = 2;
const READINGS: &str = "readings";
const HISTORY: &str = "history";
/// Version 1's readings.
const OLD_RECORDS: &str = "records";

/// What kind of storage failure happened (the banner says what it means).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The browser has no IndexedDB (some private modes, storage disabled).
    Missing,
    /// The browser's storage for this site is full (`QuotaExceededError`).
    Quota,
    /// Another tab holds an older version of the database open and does not let go.
    Blocked,
    /// Anything else (the store could not be opened, a write was refused).
    Failed,
}

/// A storage failure. Nothing panics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreError(pub Problem);

/// The kind of a DOMException name.
fn problem(name: Option<String>) -> Problem {
    match name.as_deref() {
        Some("QuotaExceededError") => Problem::Quota,
        _ => Problem::Failed,
    }
}

impl From<idb::Error> for StoreError {
    fn from(e: idb::Error) -> Self {
        // The JavaScript error inside, when there is one, names the kind (formatting idb's
        // error type would cost kilobytes of bundle).
        use idb::Error as E;
        let js: Option<JsValue> = match e {
            E::IndexedDbNotFound(_) => return StoreError(Problem::Missing),
            E::DomException(d) => Some(d.into()),
            E::UpdateFailed(v)
            | E::AddFailed(v)
            | E::DeleteFailed(v)
            | E::ClearFailed(v)
            | E::IndexedDbOpenFailed(v)
            | E::TransactionOpenFailed(v)
            | E::TransactionCommitError(v) => Some(v),
            _ => None,
        };
        // A failure may mean a closed connection: open a new one next time.
        forget_connection();
        StoreError(problem(js.as_ref().and_then(error_name)))
    }
}

enum Conn {
    Closed,
    Opening,
    Open(Rc<Database>),
}

thread_local! {
    static CONN: RefCell<Conn> = const { RefCell::new(Conn::Closed) };
    static BLOCKED: Cell<bool> = const { Cell::new(false) };
    static ON_BLOCKED: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Call `f` when opening the database is blocked by another tab (until it is closed there).
pub fn on_blocked(f: impl Fn() + 'static) {
    ON_BLOCKED.with(|o| *o.borrow_mut() = Some(Box::new(f)));
}

fn forget_connection() {
    CONN.with(|c| {
        let mut c = c.borrow_mut();
        if matches!(*c, Conn::Open(_)) {
            *c = Conn::Closed;
        }
    });
}

/// The open connection, opening it if needed. While another call is opening it, wait for that
/// (up to 10 s; at once when it is blocked).
async fn db() -> Result<Rc<Database>, StoreError> {
    for _ in 0..400 {
        let opening = CONN.with(|c| match &*c.borrow() {
            Conn::Open(d) => Err(d.clone()),
            Conn::Opening => Ok(true),
            Conn::Closed => Ok(false),
        });
        match opening {
            Err(d) => return Ok(d),
            Ok(false) => return open().await,
            Ok(true) if BLOCKED.with(Cell::get) => return Err(StoreError(Problem::Blocked)),
            Ok(true) => timers::sleep(25).await,
        }
    }
    Err(StoreError(Problem::Failed))
}

async fn open() -> Result<Rc<Database>, StoreError> {
    CONN.with(|c| *c.borrow_mut() = Conn::Opening);
    let r = open_inner().await;
    BLOCKED.with(|b| b.set(false));
    CONN.with(|c| {
        *c.borrow_mut() = match &r {
            Ok(d) => Conn::Open(d.clone()),
            Err(_) => Conn::Closed,
        }
    });
    r
}

async fn open_inner() -> Result<Rc<Database>, StoreError> {
    let factory = Factory::new()?;
    let mut req = factory.open(DB, Some(VERSION))?;
    req.on_upgrade_needed(|event| {
        let Ok(database) = event.database() else {
            return;
        };
        let names = database.store_names();
        for store in [READINGS, HISTORY] {
            if !names.iter().any(|n| n == store) {
                let _ = database.create_object_store(store, ObjectStoreParams::new());
            }
        }
    });
    req.on_blocked(|_| {
        BLOCKED.with(|b| b.set(true));
        ON_BLOCKED.with(|o| {
            if let Some(f) = o.borrow().as_ref() {
                f();
            }
        });
    });
    let mut d = req.await?;
    // Let a newer version in another tab upgrade: close, and open again on the next use.
    d.on_version_change(|_| {
        CONN.with(|c| {
            if let Conn::Open(d) = &*c.borrow() {
                d.close();
            }
        });
        forget_connection();
    });
    d.on_close(|_| forget_connection());
    d.forget_callbacks();
    let d = Rc::new(d);
    if d.store_names().iter().any(|n| n == OLD_RECORDS) {
        migrate(&d).await?;
    }
    Ok(d)
}

/// Move version 1's readings into `readings`, keyed by their time, in one transaction (so a
/// failure leaves them where they were).
async fn migrate(d: &Database) -> Result<(), StoreError> {
    let tx = d.transaction(&[OLD_RECORDS, READINGS], TransactionMode::ReadWrite)?;
    let old = tx.object_store(OLD_RECORDS)?;
    let values = old.get_all(None, None)?.await?;
    if values.is_empty() {
        return Ok(());
    }
    let new = tx.object_store(READINGS)?;
    for (seq, v) in values.iter().enumerate() {
        let t = v
            .as_string()
            .and_then(|j| Record::stored_time(&j))
            .unwrap_or(0);
        let key = export::pending::reading_key(t, seq as u32);
        new.put(v, Some(&JsValue::from_f64(key)))?;
    }
    old.clear()?;
    commit(tx).await
}

/// Commit `tx` and wait for it; an aborted transaction is an error of the kind it names
/// (a full disk aborts the transaction at commit with `QuotaExceededError`).
async fn commit(tx: Transaction) -> Result<(), StoreError> {
    let js = JsValue::from(tx);
    let tx = Transaction::try_from(js.clone())?;
    match tx.commit()?.await? {
        TransactionResult::Committed => Ok(()),
        TransactionResult::Aborted => {
            forget_connection();
            let name = crate::platform::storage_manager::transaction_error(&js);
            Err(StoreError(problem(name)))
        }
    }
}

fn range_from(key: f64) -> Result<Query, StoreError> {
    Ok(Query::KeyRange(KeyRange::lower_bound(
        &JsValue::from_f64(key),
        None,
    )?))
}

fn range_before(key: f64) -> Result<Query, StoreError> {
    Ok(Query::KeyRange(KeyRange::upper_bound(
        &JsValue::from_f64(key),
        Some(true),
    )?))
}

fn strings(values: Vec<JsValue>) -> Vec<String> {
    values.into_iter().filter_map(|v| v.as_string()).collect()
}

/// Open the database now (at start): `Ok` when it is usable.
pub async fn open_now() -> Result<(), StoreError> {
    db().await.map(|_| ())
}

/// Store readings `(key, JSON)` in one transaction: all or none.
pub async fn append(items: &[(f64, String)]) -> Result<(), StoreError> {
    let d = db().await?;
    let tx = d.transaction(&[READINGS], TransactionMode::ReadWrite)?;
    let s = tx.object_store(READINGS)?;
    for (key, json) in items {
        s.put(&JsValue::from_str(json), Some(&JsValue::from_f64(*key)))?;
    }
    commit(tx).await
}

/// How many readings are stored (the store counts its keys; nothing is loaded).
pub async fn reading_count() -> Result<usize, StoreError> {
    let d = db().await?;
    let tx = d.transaction(&[READINGS], TransactionMode::ReadOnly)?;
    let n = tx.object_store(READINGS)?.count(None)?.await?;
    Ok(n as usize)
}

/// How many readings are stamped before `t_ms`.
pub async fn count_before(t_ms: i64) -> Result<usize, StoreError> {
    let d = db().await?;
    let tx = d.transaction(&[READINGS], TransactionMode::ReadOnly)?;
    let q = range_before(key_bound(t_ms))?;
    let n = tx.object_store(READINGS)?.count(Some(q))?.await?;
    Ok(n as usize)
}

/// The stored readings stamped at or after `t_ms` (JSON), oldest first: one key-range query.
pub async fn readings_since(t_ms: i64) -> Result<Vec<String>, StoreError> {
    let d = db().await?;
    let tx = d.transaction(&[READINGS], TransactionMode::ReadOnly)?;
    let q = range_from(key_bound(t_ms))?;
    Ok(strings(
        tx.object_store(READINGS)?.get_all(Some(q), None)?.await?,
    ))
}

/// Every stored reading (JSON), oldest first: for exports.
pub async fn readings_all() -> Result<Vec<String>, StoreError> {
    let d = db().await?;
    let tx = d.transaction(&[READINGS], TransactionMode::ReadOnly)?;
    Ok(strings(
        tx.object_store(READINGS)?.get_all(None, None)?.await?,
    ))
}

/// Delete the readings stamped before `t_ms`.
pub async fn delete_before(t_ms: i64) -> Result<(), StoreError> {
    let d = db().await?;
    let tx = d.transaction(&[READINGS], TransactionMode::ReadWrite)?;
    tx.object_store(READINGS)?
        .delete(range_before(key_bound(t_ms))?)?;
    commit(tx).await
}

/// Merge a day of history into the stored one (or store it), in one transaction; returns the
/// slots whose value changed. A stored value that does not parse is replaced (only this app
/// writes the store).
pub async fn merge_day(day: &HistoryDay) -> Result<Vec<SlotConflict>, StoreError> {
    let d = db().await?;
    let tx = d.transaction(&[HISTORY], TransactionMode::ReadWrite)?;
    let s = tx.object_store(HISTORY)?;
    let key = JsValue::from_str(&day.date);
    let stored = s
        .get(key.clone())?
        .await?
        .and_then(|v| v.as_string())
        .and_then(|j| HistoryDay::from_json(&j));
    let (merged, conflicts) = match stored {
        Some(mut old) => {
            let c = old.merge_from(day);
            (old, c)
        }
        None => (day.clone(), Vec::new()),
    };
    s.put(&JsValue::from_str(&merged.to_json()), Some(&key))?;
    commit(tx).await?;
    Ok(conflicts)
}

/// Every stored history day as stored (JSON), oldest first.
pub async fn days_raw() -> Result<Vec<String>, StoreError> {
    let d = db().await?;
    let tx = d.transaction(&[HISTORY], TransactionMode::ReadOnly)?;
    Ok(strings(
        tx.object_store(HISTORY)?.get_all(None, None)?.await?,
    ))
}

/// Every stored history day (those that parse), oldest first.
pub async fn days() -> Result<Vec<HistoryDay>, StoreError> {
    Ok(days_raw()
        .await?
        .iter()
        .filter_map(|j| HistoryDay::from_json(j))
        .collect())
}

/// Delete every reading and history day.
pub async fn clear_all() -> Result<(), StoreError> {
    let d = db().await?;
    let tx = d.transaction(&[READINGS, HISTORY], TransactionMode::ReadWrite)?;
    tx.object_store(READINGS)?.clear()?;
    tx.object_store(HISTORY)?.clear()?;
    commit(tx).await
}
