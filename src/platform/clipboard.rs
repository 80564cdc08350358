//! Copying text: the Clipboard API, and selecting an element's text as the fallback (the user
//! then copies with Ctrl+C / ⌘C).

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Write `text` to the clipboard; false when the browser has no Clipboard API here (an
/// insecure page) or refused (no permission, the page not focused).
pub async fn copy(text: &str) -> bool {
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
        return false;
    };
    let clip = js_sys::Reflect::get(&nav, &JsValue::from_str("clipboard")).unwrap_or_default();
    if clip.is_undefined() || clip.is_null() {
        return false;
    }
    let clip: web_sys::Clipboard = clip.unchecked_into();
    JsFuture::from(clip.write_text(text)).await.is_ok()
}

/// Select the text of the element with `id` (so that Ctrl+C copies it).
pub fn select_text(id: &str) {
    let Some(w) = web_sys::window() else { return };
    let Some(doc) = w.document() else { return };
    let (Some(el), Ok(Some(sel)), Ok(range)) = (
        doc.get_element_by_id(id),
        w.get_selection(),
        doc.create_range(),
    ) else {
        return;
    };
    if range.select_node_contents(&el).is_ok() {
        let _ = sel.remove_all_ranges();
        let _ = sel.add_range(&range);
    }
}
