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

/// A file the user chose: its size is known before anything of it is read.
pub struct ChosenFile(web_sys::File);

/// A file's bytes, kept on the browser's side (handed to the worker without a copy into the
/// page's memory).
#[derive(Clone)]
pub struct FileBytes(pub(crate) js_sys::Uint8Array);

impl ChosenFile {
    /// The first file chosen in the `<input type=file>` that fired `ev`. The input is cleared,
    /// so choosing the same file again is a new choice.
    pub fn from_event(ev: &web_sys::Event) -> Option<Self> {
        let input: web_sys::HtmlInputElement = ev.target()?.dyn_into().ok()?;
        let file = input.files()?.get(0)?;
        input.set_value("");
        Some(Self(file))
    }

    /// Its size, bytes (`File.size`: nothing is read).
    pub fn size(&self) -> u64 {
        let s = self.0.size();
        if s.is_finite() && s > 0.0 {
            s as u64
        } else {
            0
        }
    }

    /// Read it whole.
    pub async fn read(&self) -> Option<FileBytes> {
        let buf = wasm_bindgen_futures::JsFuture::from(self.0.array_buffer())
            .await
            .ok()?;
        Some(FileBytes(js_sys::Uint8Array::new(&buf)))
    }
}
