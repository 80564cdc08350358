//! `navigator.storage` (persistence and the space used) and the names of storage errors.
//!
//! A browser may evict a site's storage when the disk runs low unless the site's storage is
//! *persistent*; `persist()` asks for that (Chrome decides by itself, without a prompt, from how
//! the site is used: installed, bookmarked, visited often). Where `navigator.storage` is missing
//! (an insecure context, an old browser) every answer is `None`.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn manager() -> Option<JsValue> {
    let nav = web_sys::window()?.navigator();
    let m = Reflect::get(&nav, &JsValue::from_str("storage")).ok()?;
    (!m.is_undefined() && !m.is_null()).then_some(m)
}

/// Call `manager.<method>()` and wait for its promise.
async fn call(method: &str) -> Option<JsValue> {
    let m = manager()?;
    let f: Function = Reflect::get(&m, &JsValue::from_str(method))
        .ok()?
        .dyn_into()
        .ok()?;
    let p: Promise = f.call0(&m).ok()?.dyn_into().ok()?;
    JsFuture::from(p).await.ok()
}

/// Ask for persistent storage; whether it is granted.
pub async fn persist() -> Option<bool> {
    call("persist").await?.as_bool()
}

/// Whether storage is persistent now.
pub async fn persisted() -> Option<bool> {
    call("persisted").await?.as_bool()
}

/// Bytes used by this site and the most it may use: `(usage, quota)`.
pub async fn estimate() -> Option<(f64, f64)> {
    let e = call("estimate").await?;
    let num = |k: &str| Reflect::get(&e, &JsValue::from_str(k)).ok()?.as_f64();
    Some((num("usage")?, num("quota")?))
}

/// The `name` of an error value (`"QuotaExceededError"`, …), if it has one.
pub fn error_name(e: &JsValue) -> Option<String> {
    Reflect::get(e, &JsValue::from_str("name"))
        .ok()?
        .as_string()
}

/// The `error.name` of an aborted IndexedDB transaction (`null` when the page aborted it).
pub fn transaction_error(tx: &JsValue) -> Option<String> {
    let e = Reflect::get(tx, &JsValue::from_str("error")).ok()?;
    if e.is_null() || e.is_undefined() {
        return None;
    }
    error_name(&e)
}
