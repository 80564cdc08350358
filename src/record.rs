//! Recording: every reading, half-hour value and history day goes to IndexedDB as it arrives
//! (the `idb` crate), so it survives a reload, a tab crash, an unplug and a reconnect.
//!
//! Records are stored as JSON strings of [`export::Record`] / [`export::HistoryDay`] (plain
//! serialisable values with exact decimal strings), in two object stores: `records`
//! (auto-increment keys, in arrival order) and `history` (keyed by the day `YYYY-MM-DD`, so a
//! re-read day replaces itself). Writes are queued in order on a single connection.

use std::cell::RefCell;
use std::rc::Rc;

use export::{HistoryDay, Record};
use idb::{Database, DatabaseEvent, Factory, ObjectStoreParams, TransactionMode};
use wasm_bindgen::JsValue;

const DB: &str = "broute";
const VERSION: u32 = 1;
const RECORDS: &str = "records";
const HISTORY: &str = "history";

thread_local! {
    static DBH: RefCell<Option<Rc<Database>>> = const { RefCell::new(None) };
}

/// Why storage failed (shown to the user as "recording unavailable"; nothing panics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl From<idb::Error> for StoreError {
    fn from(_: idb::Error) -> Self {
        // A fixed text: formatting idb's error type costs kilobytes of bundle, and the user
        // can act on "IndexedDB" alone (private mode, storage blocked, quota).
        Self("IndexedDB".into())
    }
}

async fn db() -> Result<Rc<Database>, StoreError> {
    if let Some(d) = DBH.with(|d| d.borrow().clone()) {
        return Ok(d);
    }
    let factory = Factory::new()?;
    let mut req = factory.open(DB, Some(VERSION))?;
    req.on_upgrade_needed(|event| {
        let Ok(database) = event.database() else {
            return;
        };
        let names = database.store_names();
        if !names.iter().any(|n| n == RECORDS) {
            let mut p = ObjectStoreParams::new();
            p.auto_increment(true);
            let _ = database.create_object_store(RECORDS, p);
        }
        if !names.iter().any(|n| n == HISTORY) {
            let _ = database.create_object_store(HISTORY, ObjectStoreParams::new());
        }
    });
    let d = Rc::new(req.await?);
    DBH.with(|h| *h.borrow_mut() = Some(d.clone()));
    Ok(d)
}

async fn put(store: &str, value: String, key: Option<String>) -> Result<(), StoreError> {
    let d = db().await?;
    let tx = d.transaction(&[store], TransactionMode::ReadWrite)?;
    let s = tx.object_store(store)?;
    let key = key.map(|k| JsValue::from_str(&k));
    s.put(&JsValue::from_str(&value), key.as_ref())?.await?;
    tx.commit()?.await?;
    Ok(())
}

async fn all(store: &str) -> Result<Vec<String>, StoreError> {
    let d = db().await?;
    let tx = d.transaction(&[store], TransactionMode::ReadOnly)?;
    let s = tx.object_store(store)?;
    let values = s.get_all(None, None)?.await?;
    tx.await?;
    Ok(values.into_iter().filter_map(|v| v.as_string()).collect())
}

async fn keys(store: &str) -> Result<Vec<String>, StoreError> {
    let d = db().await?;
    let tx = d.transaction(&[store], TransactionMode::ReadOnly)?;
    let keys = tx.object_store(store)?.get_all_keys(None, None)?.await?;
    tx.await?;
    Ok(keys.into_iter().filter_map(|v| v.as_string()).collect())
}

async fn count(store: &str) -> Result<usize, StoreError> {
    let d = db().await?;
    let tx = d.transaction(&[store], TransactionMode::ReadOnly)?;
    let n = tx.object_store(store)?.count(None)?.await?;
    tx.await?;
    Ok(n as usize)
}

async fn clear(store: &str) -> Result<(), StoreError> {
    let d = db().await?;
    let tx = d.transaction(&[store], TransactionMode::ReadWrite)?;
    tx.object_store(store)?.clear()?.await?;
    tx.commit()?.await?;
    Ok(())
}

/// Store one record.
pub async fn append(r: &Record) -> Result<(), StoreError> {
    let json = serde_json::to_string(r).map_err(|e| StoreError(e.to_string()))?;
    put(RECORDS, json, None).await
}

/// How many records are stored.
pub async fn record_count() -> Result<usize, StoreError> {
    count(RECORDS).await
}

/// Every stored record as stored (one JSON object each), oldest first: for the worker's exports.
pub async fn records_raw() -> Result<Vec<String>, StoreError> {
    all(RECORDS).await
}

/// Store one history day (replacing an earlier read of the same day).
pub async fn put_day(day: &HistoryDay) -> Result<(), StoreError> {
    let json = serde_json::to_string(day).map_err(|e| StoreError(e.to_string()))?;
    put(HISTORY, json, Some(day.date.clone())).await
}

/// Every stored history day as stored (one JSON object each): for the worker's exports.
pub async fn days_raw() -> Result<Vec<String>, StoreError> {
    all(HISTORY).await
}

/// The dates (`YYYY-MM-DD`) of the stored history days: the store's keys.
pub async fn day_dates() -> Result<Vec<String>, StoreError> {
    keys(HISTORY).await
}

/// Delete every record and history day.
pub async fn clear_all() -> Result<(), StoreError> {
    clear(RECORDS).await?;
    clear(HISTORY).await
}
