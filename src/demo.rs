//! The demo dongle: a WebSerial-shaped port whose far side is a simulated device.
//!
//! The object has the same shape as a `SerialPort` (`open`, `close`, `getInfo`, `forget`,
//! `readable`/`writable` streams, `disconnect` events), so the app drives it through exactly the
//! same `serial` module as a real dongle: there is one transport path. The device behind it is any
//! [`DemoDevice`] — the simulator in demo mode and in the end-to-end tests.
//!
//! Time: the device runs on a virtual clock, `(performance.now() − t0) × speed` milliseconds.
//! `speed` is 1 for a realistic demo; the tests raise it so a 17-second scan takes a moment.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ReadableStream, ReadableStreamDefaultController, WritableStream};

/// A byte-level device on a virtual clock (sans-IO): what the demo port needs from a simulator.
pub trait DemoDevice {
    /// Bytes written by the app (commands and binary payloads alike) at virtual time `now_ms`.
    fn write(&mut self, now_ms: u64, bytes: &[u8]);
    /// Everything the device has sent up to `now_ms`, in order.
    fn read(&mut self, now_ms: u64) -> Vec<u8>;
    /// When the device next has something to say or to do, if ever.
    fn next_deadline(&self) -> Option<u64>;
    /// Pull the plug: the device answers nothing from now on.
    fn unplug(&mut self);
}

struct State {
    device: Box<dyn DemoDevice>,
    controller: Option<ReadableStreamDefaultController>,
    readable: Option<ReadableStream>,
    writable: Option<WritableStream>,
    open: bool,
    unplugged: bool,
    timer: Option<i32>,
    t0: f64,
    speed: f64,
    tick: Option<Function>,
}

fn now_real() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

impl State {
    fn virtual_now(&self) -> u64 {
        let ms = (now_real() - self.t0) * self.speed;
        if ms.is_finite() && ms > 0.0 {
            ms as u64
        } else {
            0
        }
    }
}

fn dom_error(name: &str, message: &str) -> JsValue {
    web_sys::DomException::new_with_message_and_name(message, name)
        .map(JsValue::from)
        .unwrap_or_else(|_| JsValue::from_str(message))
}

fn set(obj: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Move everything due from the device into the readable stream and arm the timer for the next
/// deadline.
fn pump(state: &Rc<RefCell<State>>) {
    let mut s = state.borrow_mut();
    if let (Some(id), Some(w)) = (s.timer.take(), web_sys::window()) {
        w.clear_timeout_with_handle(id);
    }
    if !s.open || s.unplugged {
        return;
    }
    let now = s.virtual_now();
    let out = s.device.read(now);
    if !out.is_empty() {
        if let Some(c) = &s.controller {
            let _ = c.enqueue_with_chunk(&Uint8Array::from(out.as_slice()));
        }
    }
    if let (Some(deadline), Some(tick), Some(w)) =
        (s.device.next_deadline(), s.tick.clone(), web_sys::window())
    {
        let wait = (deadline.saturating_sub(now) as f64 / s.speed).clamp(0.0, 2_147_483_000.0);
        s.timer = w
            .set_timeout_with_callback_and_timeout_and_arguments_0(&tick, wait.ceil() as i32)
            .ok();
    }
}

/// Build a WebSerial-shaped port backed by `device`. `speed` scales virtual time (1 = real time).
pub fn port(device: Box<dyn DemoDevice>, speed: f64) -> JsValue {
    let target: JsValue = web_sys::EventTarget::new()
        .map(JsValue::from)
        .unwrap_or_else(|_| Object::new().into());
    let state = Rc::new(RefCell::new(State {
        device,
        controller: None,
        readable: None,
        writable: None,
        open: false,
        unplugged: false,
        timer: None,
        t0: now_real(),
        speed: if speed.is_finite() && speed > 0.0 {
            speed
        } else {
            1.0
        },
        tick: None,
    }));

    let weak = Rc::downgrade(&state);
    let tick = Closure::<dyn FnMut()>::new(move || {
        if let Some(s) = weak.upgrade() {
            pump(&s);
        }
    });
    state.borrow_mut().tick = Some(tick.into_js_value().unchecked_into());

    set(&target, "readable", &JsValue::NULL);
    set(&target, "writable", &JsValue::NULL);
    set(&target, "isDemo", &JsValue::TRUE);

    // getInfo(): no USB IDs (it is not a USB device).
    let get_info = Closure::<dyn Fn() -> JsValue>::new(|| Object::new().into());
    set(&target, "getInfo", &get_info.into_js_value());

    // open(options)
    let (st, tg) = (state.clone(), target.clone());
    let open = Closure::<dyn Fn(JsValue) -> Promise>::new(move |_options: JsValue| {
        let mut s = st.borrow_mut();
        if s.open {
            return Promise::reject(&dom_error("InvalidStateError", "The port is already open."));
        }
        if s.unplugged {
            return Promise::reject(&dom_error("NetworkError", "Failed to open serial port."));
        }
        // readable: the controller is captured in start().
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
        // writable: each chunk goes to the device, then the pump runs.
        let sink = Object::new();
        let st4 = Rc::downgrade(&st);
        let write = Closure::<dyn Fn(JsValue) -> Promise>::new(move |chunk: JsValue| {
            let Some(s) = st4.upgrade() else {
                return Promise::resolve(&JsValue::UNDEFINED);
            };
            if s.borrow().unplugged {
                return Promise::reject(&dom_error("NetworkError", "The device has been lost."));
            }
            let bytes = Uint8Array::new(&chunk).to_vec();
            {
                let mut b = s.borrow_mut();
                let now = b.virtual_now();
                b.device.write(now, &bytes);
            }
            pump(&s);
            Promise::resolve(&JsValue::UNDEFINED)
        });
        set(&sink, "write", &write.into_js_value());
        let writable = match WritableStream::new_with_underlying_sink(&sink) {
            Ok(w) => w,
            Err(e) => return Promise::reject(&e),
        };
        set(&tg, "readable", &readable);
        set(&tg, "writable", &writable);
        s.readable = Some(readable);
        s.writable = Some(writable);
        s.open = true;
        drop(s);
        pump(&st);
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
        if let Some(r) = s.readable.take() {
            let _ = r.cancel();
        }
        if let Some(w) = s.writable.take() {
            let _ = w.abort();
        }
        s.controller = None;
        s.open = false;
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
            s.device.unplug();
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

    target
}
