//! Installable, offline after the first load: registers the service worker (`sw.js`, written
//! by `scripts/post-build.mjs` from `assets/sw.js`).
//!
//! Only where `navigator.serviceWorker` exists (a secure context: https or localhost). A failed
//! registration is not an error for the user — the app simply does not work offline — so it is
//! neither a panic nor a console error.

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Register `./sw.js` (next to index.html) if the browser has service workers.
pub fn register() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let present = js_sys::Reflect::get(&navigator, &JsValue::from_str("serviceWorker"))
        .map(|v| !v.is_undefined() && !v.is_null())
        .unwrap_or(false);
    if !present {
        return;
    }
    let promise = navigator.service_worker().register("./sw.js");
    leptos::task::spawn_local(async move {
        // Rejections (no sw.js when served some other way, storage disabled, …) are ignored.
        let _ = JsFuture::from(promise).await;
    });
}
