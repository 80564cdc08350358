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
    /// Ground truth for tests, as JSON: what the meter measured over `[now − lookback, now]`.
    fn truth(&self, now_ms: u64, lookback_ms: u64) -> String;
    /// Ground truth for tests: the meter's normal-direction register at virtual time `at_ms`.
    fn count_at(&self, at_ms: u64) -> Option<u32>;
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
        {
            let mut s = st.borrow_mut();
            s.readable = Some(readable);
            s.writable = Some(writable);
            s.open = true;
        }
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
        let (r, w) = (s.readable.take(), s.writable.take());
        s.controller = None;
        s.open = false;
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

    // truth(lookbackMs): the simulator's ground truth, for the end-to-end tests.
    let st = state.clone();
    let truth = Closure::<dyn Fn(JsValue) -> JsValue>::new(move |lookback: JsValue| {
        let s = st.borrow();
        let now = s.virtual_now();
        let lb = lookback.as_f64().unwrap_or(60_000.0).max(0.0) as u64;
        JsValue::from_str(&s.device.truth(now, lb))
    });
    set(&target, "truth", &truth.into_js_value());

    // countAt(virtualMs): the meter's register at a virtual time (ms since the demo started).
    let st = state.clone();
    let count_at = Closure::<dyn Fn(JsValue) -> JsValue>::new(move |at: JsValue| {
        let at = at
            .as_f64()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .unwrap_or(0.0) as u64;
        match st.borrow().device.count_at(at) {
            Some(c) => JsValue::from_f64(f64::from(c)),
            None => JsValue::NULL,
        }
    });
    set(&target, "countAt", &count_at.into_js_value());

    target
}

/// The simulator as a demo device.
pub struct SimDevice(pub sim::Sim);

impl DemoDevice for SimDevice {
    fn write(&mut self, now_ms: u64, bytes: &[u8]) {
        self.0.write(now_ms, bytes);
    }
    fn read(&mut self, now_ms: u64) -> Vec<u8> {
        self.0.read(now_ms)
    }
    fn next_deadline(&self) -> Option<u64> {
        self.0.next_deadline()
    }
    fn unplug(&mut self) {
        self.0.unplug();
    }
    fn truth(&self, now_ms: u64, lookback_ms: u64) -> String {
        let Some(m) = self.0.meter(0) else {
            return "[]".into();
        };
        // Power is constant within a minute: sample each second of the window, keep the
        // distinct (power, register) pairs. Plain formatting keeps JSON machinery out.
        let from = now_ms.saturating_sub(lookback_ms);
        let mut seen: Vec<(i32, u32)> = Vec::new();
        let mut t = from;
        while t <= now_ms {
            let r = m.reading_at(t);
            if !seen.contains(&(r.power_w, r.import_count)) {
                seen.push((r.power_w, r.import_count));
            }
            t += 1000;
        }
        let items: Vec<String> = seen
            .iter()
            .map(|(w, c)| format!("{{\"power_w\":{w},\"import_count\":{c}}}"))
            .collect();
        format!("[{}]", items.join(","))
    }
    fn count_at(&self, at_ms: u64) -> Option<u32> {
        self.0.meter(0).map(|m| m.reading_at(at_ms).import_count)
    }
}

/// The simulator preset for a dialect and a scenario chosen in the UI.
pub fn preset_name(dialect: &str, scenario: &str) -> String {
    match (dialect, scenario) {
        (_, "demo") | (_, "") => match dialect {
            "dual-stack" => "dual-stack".into(),
            "dss" => "dss".into(),
            _ => "demo".into(),
        },
        (d, s) if d == "single-hop" || d.is_empty() => s.to_string(),
        (d, s) => format!("{d}+{s}"),
    }
}

/// Build the scenario for a preset name; `dialect+scenario` combines a dual-stack or DSS dongle
/// with a scenario (e.g. `dual-stack+wrong-password`).
pub fn scenario(preset: &str) -> sim::Scenario {
    let (dialect, name) = preset.split_once('+').unwrap_or(("", preset));
    let mut sc = sim::Scenario::preset(name).unwrap_or_default();
    let d = match dialect {
        "dual-stack" => Some(sim::Dialect::DualStack),
        "dss" => Some(sim::Dialect::DualStackNoRopt),
        _ => None,
    };
    if let Some(d) = d {
        let base = sim::Scenario::new(d);
        sc.dialect = base.dialect;
        sc.erxudp_hex = base.erxudp_hex;
        sc.uart_mode = base.uart_mode;
        sc.dongle_mac = base.dongle_mac;
    }
    sc
}

/// A demo port for a preset.
pub fn sim_port(preset: &str, speed: f64) -> JsValue {
    let p = port(Box::new(SimDevice(sim::Sim::new(scenario(preset)))), speed);
    // The newest demo port, for the end-to-end tests' ground-truth checks.
    if let Some(w) = web_sys::window() {
        set(&w, "__broute_demo_port", &p);
    }
    p
}

/// Expose `window.__broute_sim_port(preset, speed)` so the end-to-end rig's fake
/// `navigator.serial` can hand out simulator-backed ports through the real chooser path.
pub fn install_test_hook() {
    let Some(w) = web_sys::window() else { return };
    let f =
        Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(|preset: JsValue, speed: JsValue| {
            let preset = preset.as_string().unwrap_or_else(|| "demo".into());
            let speed = speed.as_f64().unwrap_or(1.0);
            sim_port(&preset, speed)
        });
    set(&w, "__broute_sim_port", &f.into_js_value());
}
