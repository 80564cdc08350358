//! Window hooks for test and bench builds (`--features e2e-hooks` / `bench-hooks`): functions
//! the end-to-end rig and the browser benchmarks call. Nothing here is in the shipped bundle's
//! behaviour unless a feature asks for it.

use wasm_bindgen::JsValue;

/// Set `window[name] = value`.
pub fn expose(name: &str, value: &JsValue) {
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(&w, &JsValue::from_str(name), value);
    }
}

/// A plain object of numbers, `{k: v, …}`.
pub fn numbers(fields: &[(&str, f64)]) -> JsValue {
    let out = js_sys::Object::new();
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&out, &JsValue::from_str(k), &JsValue::from_f64(*v));
    }
    out.into()
}
