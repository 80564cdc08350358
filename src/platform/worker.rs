//! The app's Web Worker (`crates/worker`, its own wasm): started on demand, spoken to in the
//! `broute_worker::wire` format.
//!
//! Messages posted before the worker has loaded its wasm would be lost, so they wait here
//! until it says [`wire::READY`].

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use broute_worker::wire::{self, Request};
use js_sys::{Array, Function, Promise, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::files::FileBytes;

struct Inner {
    worker: web_sys::Worker,
    ready: Cell<bool>,
    queue: RefCell<Vec<JsValue>>,
    pending: RefCell<Vec<(u32, Function)>>,
    next_id: Cell<u32>,
    on_bytes: Box<dyn Fn(Vec<u8>)>,
    on_fail: RefCell<Option<Box<dyn Fn()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// A running worker. Cheap to clone; terminated when the last clone is dropped or on
/// [`Worker::terminate`].
#[derive(Clone)]
pub struct Worker(Rc<Inner>);

impl Worker {
    /// Start a worker; `on_bytes` receives the bytes it posts (the demo dongle's output).
    pub fn spawn(on_bytes: impl Fn(Vec<u8>) + 'static) -> Result<Self, String> {
        let worker = web_sys::Worker::new(wire::LOADER_URL).map_err(|e| {
            e.as_string()
                .unwrap_or_else(|| "cannot start the worker".into())
        })?;
        let inner = Rc::new(Inner {
            worker,
            ready: Cell::new(false),
            queue: RefCell::new(Vec::new()),
            pending: RefCell::new(Vec::new()),
            next_id: Cell::new(1),
            on_bytes: Box::new(on_bytes),
            on_fail: RefCell::new(None),
        });
        let weak: Weak<Inner> = Rc::downgrade(&inner);
        let on_message =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                if let Some(inner) = weak.upgrade() {
                    Worker(inner).received(ev.data());
                }
            });
        inner
            .worker
            .set_onmessage(Some(on_message.into_js_value().unchecked_ref()));
        let weak = Rc::downgrade(&inner);
        let on_error = Closure::<dyn Fn()>::new(move || {
            // The worker could not load (offline without a cache, …): fail what waits.
            if let Some(inner) = weak.upgrade() {
                if let Some(f) = inner.on_fail.borrow().as_ref() {
                    f();
                }
                for (id, resolve) in inner.pending.borrow_mut().drain(..) {
                    let text = wire::encode_reply(id, &Err("the worker did not start".into()));
                    let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str(&text));
                }
            }
        });
        inner
            .worker
            .set_onerror(Some(on_error.into_js_value().unchecked_ref()));
        Ok(Self(inner))
    }

    fn received(&self, data: JsValue) {
        if let Some(bytes) = data.dyn_ref::<Uint8Array>() {
            (self.0.on_bytes)(bytes.to_vec());
            return;
        }
        let Some(text) = data.as_string() else { return };
        if text == wire::READY {
            self.0.ready.set(true);
            for m in self.0.queue.borrow_mut().drain(..) {
                let _ = self.0.worker.post_message(&m);
            }
            return;
        }
        let Some((id, _)) = wire::decode_reply(&text) else {
            return;
        };
        let resolve = {
            let mut pending = self.0.pending.borrow_mut();
            let at = pending.iter().position(|(i, _)| *i == id);
            at.map(|i| pending.swap_remove(i).1)
        };
        if let Some(resolve) = resolve {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str(&text));
        }
    }

    fn post(&self, message: JsValue) {
        if self.0.ready.get() {
            let _ = self.0.worker.post_message(&message);
        } else {
            self.0.queue.borrow_mut().push(message);
        }
    }

    fn post_request(&self, id: u32, req: &Request, file: Option<&FileBytes>) {
        let (text, bytes) = req.encode(id);
        self.post(match (file, bytes) {
            (Some(f), _) => Array::of2(&JsValue::from_str(&text), &f.0).into(),
            (None, None) => JsValue::from_str(&text),
            (None, Some(b)) => {
                Array::of2(&JsValue::from_str(&text), &Uint8Array::from(b.as_slice())).into()
            }
        });
    }

    /// Whether the worker has loaded its wasm and listens.
    pub fn is_ready(&self) -> bool {
        self.0.ready.get()
    }

    /// Call `f` if the worker reports that it failed (its script could not load, or threw).
    pub fn on_failure(&self, f: impl Fn() + 'static) {
        *self.0.on_fail.borrow_mut() = Some(Box::new(f));
    }

    /// Send bytes (to the demo dongle, or a session's message).
    pub fn send_bytes(&self, bytes: &[u8]) {
        self.post(Uint8Array::from(bytes).into());
    }

    /// Send a request that has no answer.
    pub fn send(&self, req: &Request) {
        self.post_request(0, req, None);
    }

    /// Send a request and wait for its answer.
    pub async fn request(&self, req: &Request) -> Result<String, String> {
        self.request_with(req, None).await
    }

    /// Send a request whose binary part is a file's bytes (in place of the request's own), and
    /// wait for its answer.
    pub async fn request_with(
        &self,
        req: &Request,
        file: Option<&FileBytes>,
    ) -> Result<String, String> {
        let id = self.0.next_id.get();
        self.0.next_id.set(id.wrapping_add(1).max(1));
        let pending = &self.0.pending;
        let promise = Promise::new(&mut |resolve, _reject| {
            pending.borrow_mut().push((id, resolve));
        });
        self.post_request(id, req, file);
        let text = JsFuture::from(promise)
            .await
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        match wire::decode_reply(&text) {
            Some((_, result)) => result,
            None => Err("no answer from the worker".into()),
        }
    }

    /// Stop the worker now.
    pub fn terminate(&self) {
        self.0.worker.terminate();
    }
}
