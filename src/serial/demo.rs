//! The demo dongle: a WebSerial-shaped port whose far side is the simulator in a Web Worker.
//!
//! The object has the same shape as a `SerialPort` (`open`, `close`, `getInfo`, `forget`,
//! `readable`/`writable` streams, `disconnect` events), so the app drives it through exactly the
//! same code as a real dongle: there is one transport path. Bytes cross to the worker
//! (`crates/worker`, its own wasm, fetched only when a demo starts) with `postMessage`; the
//! worker runs `sim::Sim` on a virtual clock (`speed` × real time).

use std::cell::RefCell;
use std::rc::Rc;

use broute_worker::wire::Request;
use js_sys::{Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ReadableStream, ReadableStreamDefaultController, WritableStream};

use crate::platform::worker::Worker;

struct State {
    worker: Option<Worker>,
    controller: Option<ReadableStreamDefaultController>,
    readable: Option<ReadableStream>,
    writable: Option<WritableStream>,
    open: bool,
    unplugged: bool,
}

impl State {
    fn send(&self, req: &Request) {
        if let Some(w) = &self.worker {
            w.send(req);
        }
    }
}

thread_local! {
    /// The worker of the newest demo port: one demo runs at a time.
    static CURRENT: RefCell<Option<Worker>> = const { RefCell::new(None) };
}

fn dom_error(name: &str, message: &str) -> JsValue {
    web_sys::DomException::new_with_message_and_name(message, name)
        .map(JsValue::from)
        .unwrap_or_else(|_| JsValue::from_str(message))
}

fn set(obj: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// A demo port for a preset (`[dialect+]scenario`); `speed` scales the virtual clock.
pub fn port(preset: &str, speed: u32) -> JsValue {
    let target: JsValue = web_sys::EventTarget::new()
        .map(JsValue::from)
        .unwrap_or_else(|_| Object::new().into());
    let state = Rc::new(RefCell::new(State {
        worker: None,
        controller: None,
        readable: None,
        writable: None,
        open: false,
        unplugged: false,
    }));
    let weak = Rc::downgrade(&state);
    let worker = Worker::spawn(move |bytes| {
        let Some(s) = weak.upgrade() else { return };
        let s = s.borrow();
        if let (true, false, Some(c)) = (s.open, s.unplugged, &s.controller) {
            let _ = c.enqueue_with_chunk(&Uint8Array::from(bytes.as_slice()));
        }
    })
    .ok();
    if let Some(w) = &worker {
        w.send(&Request::Start {
            preset: preset.to_string(),
            speed,
        });
    }
    if let Some(old) = CURRENT.with(|c| c.replace(worker.clone())) {
        old.terminate();
    }
    state.borrow_mut().worker = worker;

    set(&target, "readable", &JsValue::NULL);
    set(&target, "writable", &JsValue::NULL);
    set(&target, "isDemo", &JsValue::TRUE);

    // getInfo(): no USB IDs (it is not a USB device).
    let get_info = Closure::<dyn Fn() -> JsValue>::new(|| Object::new().into());
    set(&target, "getInfo", &get_info.into_js_value());

    // open(options)
    let (st, tg) = (state.clone(), target.clone());
    let open = Closure::<dyn Fn(JsValue) -> Promise>::new(move |_options: JsValue| {
        {
            let s = st.borrow();
            if s.open {
                return Promise::reject(&dom_error(
                    "InvalidStateError",
                    "The port is already open.",
                ));
            }
            if s.unplugged {
                return Promise::reject(&dom_error("NetworkError", "Failed to open serial port."));
            }
        }
        // No borrow is held from here on: the stream constructors call start() at once.
        let source = Object::new();
        let st2 = Rc::downgrade(&st);
        let start = Closure::<dyn Fn(JsValue)>::new(move |c: JsValue| {
            if let Some(s) = st2.upgrade() {
                s.borrow_mut().controller = Some(c.unchecked_into());
            }
        });
        set(&source, "start", &start.into_js_value());
        let st3 = Rc::downgrade(&st);
        let cancel = Closure::<dyn Fn()>::new(move || {
            if let Some(s) = st3.upgrade() {
                s.borrow_mut().controller = None;
            }
        });
        set(&source, "cancel", &cancel.into_js_value());
        let readable = match ReadableStream::new_with_underlying_source(&source) {
            Ok(r) => r,
            Err(e) => return Promise::reject(&e),
        };
        // writable: each chunk goes to the worker.
        let sink = Object::new();
        let st4 = Rc::downgrade(&st);
        let write = Closure::<dyn Fn(JsValue) -> Promise>::new(move |chunk: JsValue| {
            let Some(s) = st4.upgrade() else {
                return Promise::resolve(&JsValue::UNDEFINED);
            };
            let s = s.borrow();
            if s.unplugged {
                return Promise::reject(&dom_error("NetworkError", "The device has been lost."));
            }
            if let Some(w) = &s.worker {
                w.send_bytes(&Uint8Array::new(&chunk).to_vec());
            }
            Promise::resolve(&JsValue::UNDEFINED)
        });
        set(&sink, "write", &write.into_js_value());
        let writable = match WritableStream::new_with_underlying_sink(&sink) {
            Ok(w) => w,
            Err(e) => return Promise::reject(&e),
        };
        set(&tg, "readable", &readable);
        set(&tg, "writable", &writable);
        let mut s = st.borrow_mut();
        s.readable = Some(readable);
        s.writable = Some(writable);
        s.open = true;
        s.send(&Request::Open);
        Promise::resolve(&JsValue::UNDEFINED)
    });
    set(&target, "open", &open.into_js_value());

    // close(): like Chromium, refuse while a stream is locked.
    let (st, tg) = (state.clone(), target.clone());
    let close = Closure::<dyn Fn() -> Promise>::new(move || {
        let mut s = st.borrow_mut();
        if !s.open {
            return Promise::reject(&dom_error(
                "InvalidStateError",
                "The port is already closed.",
            ));
        }
        let locked = s.readable.as_ref().is_some_and(|r| r.locked())
            || s.writable.as_ref().is_some_and(|w| w.locked());
        if locked {
            return Promise::reject(&dom_error(
                "InvalidStateError",
                "Cannot close a port with locked streams.",
            ));
        }
        let (r, w) = (s.readable.take(), s.writable.take());
        s.controller = None;
        s.open = false;
        s.send(&Request::Close);
        // The streams call back into the state (source cancel): release the borrow first.
        drop(s);
        if let Some(r) = r {
            let _ = r.cancel();
        }
        if let Some(w) = w {
            let _ = w.abort();
        }
        set(&tg, "readable", &JsValue::NULL);
        set(&tg, "writable", &JsValue::NULL);
        Promise::resolve(&JsValue::UNDEFINED)
    });
    set(&target, "close", &close.into_js_value());

    let forget = Closure::<dyn Fn() -> Promise>::new(|| Promise::resolve(&JsValue::UNDEFINED));
    set(&target, "forget", &forget.into_js_value());

    // unplug(): the demo's "pull the USB plug" (used by the tests and the demo scenarios).
    let (st, tg) = (state.clone(), target.clone());
    let unplug = Closure::<dyn Fn()>::new(move || {
        {
            let mut s = st.borrow_mut();
            if s.unplugged {
                return;
            }
            s.unplugged = true;
            s.send(&Request::Unplug);
            if let Some(c) = s.controller.take() {
                c.error_with_e(&dom_error("NetworkError", "The device has been lost."));
            }
        }
        if let Ok(ev) = web_sys::Event::new("disconnect") {
            let t: &web_sys::EventTarget = tg.unchecked_ref();
            let _ = t.dispatch_event(&ev);
        }
    });
    set(&target, "unplug", &unplug.into_js_value());

    #[cfg(feature = "e2e-hooks")]
    {
        ground_truth_hooks(&target, &state);
        crate::platform::hooks::expose("__broute_demo_port", &target);
    }

    target
}

/// `truth(lookbackMs)`, `countAt(virtualMs)` and `joins()`: the simulator's ground truth for
/// the end-to-end tests, as promises (the simulator lives in the worker).
#[cfg(feature = "e2e-hooks")]
fn ground_truth_hooks(target: &JsValue, state: &Rc<RefCell<State>>) {
    fn ask(state: &Rc<RefCell<State>>, req: Request, answer: fn(String) -> JsValue) -> Promise {
        let worker = state.borrow().worker.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let w = worker.ok_or_else(|| JsValue::from_str("no worker"))?;
            w.request(&req)
                .await
                .map(answer)
                .map_err(|e| JsValue::from_str(&e))
        })
    }
    let st = state.clone();
    let truth = Closure::<dyn Fn(JsValue) -> Promise>::new(move |lookback: JsValue| {
        let lookback_ms = lookback.as_f64().unwrap_or(60_000.0).max(0.0) as u64;
        ask(&st, Request::Truth { lookback_ms }, |s| {
            JsValue::from_str(&s)
        })
    });
    set(target, "truth", &truth.into_js_value());
    let st = state.clone();
    let count_at = Closure::<dyn Fn(JsValue) -> Promise>::new(move |at: JsValue| {
        let at_ms = at
            .as_f64()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .unwrap_or(0.0) as u64;
        // The worker answers with a number or "null", as text.
        ask(&st, Request::CountAt { at_ms }, |s| {
            s.parse::<u32>()
                .map_or(JsValue::NULL, |c| JsValue::from_f64(f64::from(c)))
        })
    });
    set(target, "countAt", &count_at.into_js_value());
    // joins(): how many join requests (SKJOIN, J11 0x0056) the app wrote to this dongle.
    let st = state.clone();
    let joins = Closure::<dyn Fn() -> Promise>::new(move || {
        ask(&st, Request::Joins, |s| {
            JsValue::from_f64(s.parse::<f64>().unwrap_or(f64::NAN))
        })
    });
    set(target, "joins", &joins.into_js_value());
}

/// Expose `window.__broute_sim_port(preset, speed)` so the end-to-end rig's fake
/// `navigator.serial` can hand out simulator-backed ports through the real chooser path (the
/// newest demo port is also `window.__broute_demo_port`, for ground-truth checks).
#[cfg(feature = "e2e-hooks")]
pub fn install_test_hook() {
    let f =
        Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(|preset: JsValue, speed: JsValue| {
            let preset = preset.as_string().unwrap_or_else(|| "demo".into());
            let speed = speed.as_f64().filter(|s| (1.0..=1000.0).contains(s));
            port(&preset, speed.map_or(1, |s| s as u32))
        });
    crate::platform::hooks::expose("__broute_sim_port", &f.into_js_value());
}
