//! Focus and keys.

use wasm_bindgen::JsCast;

/// Move keyboard focus to the element with `id`.
pub fn focus_id(id: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Move keyboard focus to the first heading (`h2`) inside the element with `id`, making it
/// focusable from script (`tabindex=-1`) without putting it in the Tab order.
pub fn focus_first_heading(id: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(Some(h)) = doc.query_selector(&format!("#{id} h2")) else {
        return;
    };
    if !h.has_attribute("tabindex") {
        let _ = h.set_attribute("tabindex", "-1");
    }
    if let Ok(h) = h.dyn_into::<web_sys::HtmlElement>() {
        let _ = h.focus();
    }
}

/// The `key` of a keyboard event (`"ArrowRight"`, `"Enter"`, …).
pub fn key(ev: &web_sys::KeyboardEvent) -> String {
    ev.key()
}
