//! Files in and out: offer bytes as a download, read the file the user chose.

use std::time::Duration;

use wasm_bindgen::JsCast;

/// Offer `bytes` as a file download named `name`.
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
    super::timers::after(Duration::from_secs(10), move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
}

/// The text of the first file chosen in the `<input type=file>` that fired `ev`.
pub async fn chosen_file_text(ev: &web_sys::Event) -> Option<String> {
    let input: web_sys::HtmlInputElement = ev.target()?.dyn_into().ok()?;
    let file = input.files()?.get(0)?;
    wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()?
        .as_string()
}
