//! WebSerial adapter: the one module of the app that touches `navigator.serial`.
//!
//! It only moves bytes. Protocol logic lives in the pure crates; this module opens a port at
//! 115200 8N1 with a large buffer, runs one read loop that hands every chunk (of any size: chunks
//! split and join lines arbitrarily) to a callback, writes bytes in order through one writer, and
//! closes cleanly: cancel the reader, release both locks, close the port.
//!
//! A pulled device shows up two ways, and both end in [`LinkEvent::Lost`]: the `disconnect`
//! event on the port, and a pending `read()` that rejects. Serial objects are never checked with
//! `instanceof` (`dyn_into`): the test fakes and the demo dongle are plain objects with the same
//! shape, so every cast is `unchecked_into` (see `../shared/toolchain.md` §2.2).
//!
//! [`demo`] builds the demo dongle: a port of that same shape whose far side is the simulator in
//! a Web Worker.

pub mod demo;

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    ReadableStreamDefaultReader, ReadableStreamReadResult, Serial, SerialOptions, SerialPort,
    WritableStreamDefaultWriter,
};

/// Baud rate of every known SKSTACK dongle (factory default of `WUART`).
pub const BAUD_RATE: u32 = 115_200;
/// Receive buffer. The browser default (255 bytes) is shorter than one hex-mode `ERXUDP` line.
pub const BUFFER_SIZE: u32 = 16 * 1024;

/// What can go wrong at the serial layer, already sorted by what the user should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SerialError {
    /// `navigator.serial` does not exist (wrong browser or insecure context).
    Unsupported,
    /// The user closed the port chooser without picking a port.
    Cancelled,
    /// The browser refused (no user gesture, or blocked by policy).
    Refused(String),
    /// The port could not be opened (in use by another program, already open, gone).
    Open(String),
    /// A write failed (the device is gone or the port is closing).
    Write(String),
    /// The link is already closed.
    Closed,
    /// Anything else the browser reported.
    Other(String),
}

impl fmt::Display for SerialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unsupported => f.write_str("Web Serial is not available"),
            Self::Cancelled => f.write_str("no port was chosen"),
            Self::Refused(m) => write!(f, "the browser refused: {m}"),
            Self::Open(m) => write!(f, "cannot open the port: {m}"),
            Self::Write(m) => write!(f, "cannot write: {m}"),
            Self::Closed => f.write_str("the port is closed"),
            Self::Other(m) => f.write_str(m),
        }
    }
}

/// `name: message` of a JS exception, or its string form.
fn js_error_text(e: &JsValue) -> String {
    let get = |k: &str| {
        Reflect::get(e, &JsValue::from_str(k))
            .ok()
            .and_then(|v| v.as_string())
    };
    match (get("name"), get("message")) {
        (Some(n), Some(m)) if !m.is_empty() => format!("{n}: {m}"),
        (Some(n), _) => n,
        _ => e.as_string().unwrap_or_else(|| format!("{e:?}")),
    }
}

fn js_error_name(e: &JsValue) -> Option<String> {
    Reflect::get(e, &JsValue::from_str("name"))
        .ok()
        .and_then(|v| v.as_string())
}

async fn wait(p: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

/// Whether this page may use Web Serial, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// `navigator.serial` exists in a secure context.
    Available,
    /// Not a secure context (http on a non-local address): the API is hidden.
    InsecureContext,
    /// The browser has no Web Serial (Firefox, Safari, mobile).
    NoWebSerial,
}

/// Check for Web Serial and a secure context.
pub fn support() -> Support {
    let Some(window) = web_sys::window() else {
        return Support::NoWebSerial;
    };
    if !window.is_secure_context() {
        return Support::InsecureContext;
    }
    let navigator = window.navigator();
    match Reflect::has(&navigator, &JsValue::from_str("serial")) {
        Ok(true) => {
            let serial = Reflect::get(&navigator, &JsValue::from_str("serial"))
                .unwrap_or(JsValue::UNDEFINED);
            if serial.is_undefined() || serial.is_null() {
                Support::NoWebSerial
            } else {
                Support::Available
            }
        }
        _ => Support::NoWebSerial,
    }
}

fn serial() -> Result<Serial, SerialError> {
    if support() != Support::Available {
        return Err(SerialError::Unsupported);
    }
    let navigator = web_sys::window()
        .ok_or(SerialError::Unsupported)?
        .navigator();
    let s = Reflect::get(&navigator, &JsValue::from_str("serial"))
        .map_err(|_| SerialError::Unsupported)?;
    Ok(s.unchecked_into())
}

/// A port handle, before or after opening. Cheap to clone (a JS reference).
#[derive(Clone, Debug)]
pub struct Port(SerialPort);

impl PartialEq for Port {
    fn eq(&self, other: &Self) -> bool {
        JsValue::from(&self.0) == JsValue::from(&other.0)
    }
}

impl Port {
    /// Wrap any WebSerial-shaped object (the real `SerialPort`, a test fake, the demo dongle).
    pub fn from_js(value: JsValue) -> Self {
        Self(value.unchecked_into())
    }

    /// USB vendor and product ID, when the port is a USB device.
    pub fn usb_ids(&self) -> Option<(u16, u16)> {
        let info: JsValue = self.0.get_info().into();
        let num = |k: &str| {
            Reflect::get(&info, &JsValue::from_str(k))
                .ok()
                .and_then(|v| v.as_f64())
                .filter(|v| (0.0..=65535.0).contains(v))
                .map(|v| v as u16)
        };
        Some((num("usbVendorId")?, num("usbProductId")?))
    }

    /// A short label for the port: `VID:PID` in hex, or "serial" for non-USB ports.
    pub fn label(&self) -> String {
        match self.usb_ids() {
            Some((v, p)) => format!("{v:04X}:{p:04X}"),
            None => "serial".to_owned(),
        }
    }

    /// Revoke the permission the user gave for this port.
    pub async fn forget(&self) -> Result<(), SerialError> {
        let has_forget = Reflect::has(&self.0, &JsValue::from_str("forget")).unwrap_or(false);
        if !has_forget {
            return Ok(());
        }
        wait(self.0.forget().unchecked_into())
            .await
            .map(|_| ())
            .map_err(|e| SerialError::Other(js_error_text(&e)))
    }
}

/// Ask the user to choose a port. Must be called from a click handler, before any other
/// `await`, or the browser refuses. No filter: a wrong filter hides the user's dongle.
pub async fn request_port() -> Result<Port, SerialError> {
    let serial = serial()?;
    match wait(serial.request_port().unchecked_into()).await {
        Ok(v) => Ok(Port::from_js(v)),
        Err(e) => Err(match js_error_name(&e).as_deref() {
            Some("NotFoundError") | Some("AbortError") => SerialError::Cancelled,
            Some("SecurityError") | Some("NotAllowedError") => {
                SerialError::Refused(js_error_text(&e))
            }
            _ => SerialError::Other(js_error_text(&e)),
        }),
    }
}

/// Ports the user granted earlier (reconnect without the chooser).
pub async fn granted_ports() -> Result<Vec<Port>, SerialError> {
    let serial = serial()?;
    let list = wait(serial.get_ports().unchecked_into())
        .await
        .map_err(|e| SerialError::Other(js_error_text(&e)))?;
    let arr: js_sys::Array = list.unchecked_into();
    Ok(arr.iter().map(Port::from_js).collect())
}

/// What the link reports to its owner, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEvent {
    /// A chunk of bytes as the browser delivered it (any size, any split).
    Data(Vec<u8>),
    /// The link ended because the device went away (disconnect event or read error).
    Lost(String),
    /// The link ended because we closed it, or the stream ended normally.
    Closed,
}

type Sink = Rc<dyn Fn(LinkEvent)>;
type EventCallback = Closure<dyn FnMut(web_sys::Event)>;

struct Shared {
    port: SerialPort,
    reader: RefCell<Option<ReadableStreamDefaultReader>>,
    writer: RefCell<Option<WritableStreamDefaultWriter>>,
    /// Set once the link has ended; no further events are delivered after the final one.
    ended: Cell<bool>,
    closing: Cell<bool>,
    sink: Sink,
    on_disconnect: RefCell<Option<EventCallback>>,
    /// Resolves when the read loop has exited (its reader lock released).
    loop_done: RefCell<Option<Promise>>,
}

impl Shared {
    /// Deliver the final event once, and drop the disconnect listener.
    fn end(&self, ev: LinkEvent) {
        if self.ended.replace(true) {
            return;
        }
        if let Some(cb) = self.on_disconnect.borrow_mut().take() {
            let _ = self
                .port
                .remove_event_listener_with_callback("disconnect", cb.as_ref().unchecked_ref());
        }
        (self.sink)(ev);
    }
}

/// An open port: one read loop, one writer.
pub struct Link {
    shared: Rc<Shared>,
}

impl Link {
    /// Open `port` at 115200 8N1 and start the read loop. Every chunk read, and finally one
    /// `Lost` or `Closed`, is passed to `on_event`.
    pub async fn open(
        port: &Port,
        on_event: impl Fn(LinkEvent) + 'static,
    ) -> Result<Self, SerialError> {
        let port = port.0.clone();
        let opts = SerialOptions::new(BAUD_RATE);
        opts.set_data_bits(8);
        opts.set_stop_bits(1);
        opts.set_parity(web_sys::ParityType::None);
        opts.set_flow_control(web_sys::FlowControlType::None);
        opts.set_buffer_size(BUFFER_SIZE);
        if let Err(e) = wait(port.open(&opts).unchecked_into()).await {
            return Err(SerialError::Open(js_error_text(&e)));
        }
        let readable: JsValue = port.readable().into();
        let writable: JsValue = port.writable().into();
        if readable.is_null()
            || readable.is_undefined()
            || writable.is_null()
            || writable.is_undefined()
        {
            let _ = wait(port.close().unchecked_into()).await;
            return Err(SerialError::Open("the port has no streams".into()));
        }
        let get_reader = |stream: &JsValue| -> Result<JsValue, JsValue> {
            let f: Function = Reflect::get(stream, &JsValue::from_str("getReader"))?.dyn_into()?;
            f.call0(stream)
        };
        let get_writer = |stream: &JsValue| -> Result<JsValue, JsValue> {
            let f: Function = Reflect::get(stream, &JsValue::from_str("getWriter"))?.dyn_into()?;
            f.call0(stream)
        };
        let reader: ReadableStreamDefaultReader = match get_reader(&readable) {
            Ok(r) => r.unchecked_into(),
            Err(e) => {
                let _ = wait(port.close().unchecked_into()).await;
                return Err(SerialError::Open(js_error_text(&e)));
            }
        };
        let writer: WritableStreamDefaultWriter = match get_writer(&writable) {
            Ok(w) => w.unchecked_into(),
            Err(e) => {
                reader.release_lock();
                let _ = wait(port.close().unchecked_into()).await;
                return Err(SerialError::Open(js_error_text(&e)));
            }
        };
        let shared = Rc::new(Shared {
            port: port.clone(),
            reader: RefCell::new(Some(reader.clone())),
            writer: RefCell::new(Some(writer)),
            ended: Cell::new(false),
            closing: Cell::new(false),
            sink: Rc::new(on_event),
            on_disconnect: RefCell::new(None),
            loop_done: RefCell::new(None),
        });

        // Disconnect event: the device was pulled. Chrome also rejects the pending read; the
        // first of the two to arrive ends the link.
        let weak = Rc::downgrade(&shared);
        let cb = EventCallback::new(move |_ev: web_sys::Event| {
            if let Some(s) = weak.upgrade() {
                if !s.closing.get() {
                    s.end(LinkEvent::Lost("disconnect".into()));
                    // Unblock the read loop so it releases its lock.
                    if let Some(r) = s.reader.borrow().clone() {
                        // A stream that already errored rejects the cancel: await it so the
                        // rejection is handled instead of reported as uncaught.
                        wasm_bindgen_futures::spawn_local(async move {
                            let _ = wait(r.cancel()).await;
                        });
                    }
                }
            }
        });
        let _ = port.add_event_listener_with_callback("disconnect", cb.as_ref().unchecked_ref());
        *shared.on_disconnect.borrow_mut() = Some(cb);

        // The read loop, as a promise so close() can await its end.
        let loop_shared = shared.clone();
        let done = wasm_bindgen_futures::future_to_promise(async move {
            read_loop(&loop_shared, reader).await;
            Ok(JsValue::UNDEFINED)
        });
        *shared.loop_done.borrow_mut() = Some(done);
        Ok(Self { shared })
    }

    /// Write bytes as they are (commands and binary SKSENDTO payloads alike).
    pub async fn write(&self, bytes: &[u8]) -> Result<(), SerialError> {
        if self.shared.ended.get() {
            return Err(SerialError::Closed);
        }
        let writer = self
            .shared
            .writer
            .borrow()
            .clone()
            .ok_or(SerialError::Closed)?;
        let chunk = Uint8Array::from(bytes);
        wait(writer.write_with_chunk(&chunk))
            .await
            .map(|_| ())
            .map_err(|e| SerialError::Write(js_error_text(&e)))
    }

    /// Queue bytes for writing without waiting: the stream keeps them in order. A failure is
    /// the device going away, which the read side reports as `Lost`.
    pub fn send(&self, bytes: &[u8]) {
        if self.shared.ended.get() {
            return;
        }
        let Some(writer) = self.shared.writer.borrow().clone() else {
            return;
        };
        let p = writer.write_with_chunk(&Uint8Array::from(bytes));
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wait(p).await;
        });
    }

    /// True once the link has ended (closed or lost).
    pub fn is_ended(&self) -> bool {
        self.shared.ended.get()
    }

    /// The port this link runs on.
    pub fn port(&self) -> Port {
        Port(self.shared.port.clone())
    }

    /// Close cleanly: cancel the reader, wait for the read loop to release its lock, release the
    /// writer, close the port. Safe to call after the device was pulled.
    pub async fn close(self) -> Result<(), SerialError> {
        let s = &self.shared;
        s.closing.set(true);
        let reader = s.reader.borrow().clone();
        if let Some(r) = reader {
            let _ = wait(r.cancel()).await;
        }
        let done = s.loop_done.borrow_mut().take();
        if let Some(p) = done {
            let _ = wait(p).await;
        }
        if let Some(w) = s.writer.borrow_mut().take() {
            w.release_lock();
        }
        let res = wait(s.port.close().unchecked_into()).await;
        s.end(LinkEvent::Closed);
        match res {
            Ok(_) => Ok(()),
            // Closing a port whose device is gone fails; the link is over either way.
            Err(e) if js_error_name(&e).as_deref() == Some("InvalidStateError") => Ok(()),
            Err(e) => Err(SerialError::Other(js_error_text(&e))),
        }
    }
}

async fn read_loop(s: &Rc<Shared>, reader: ReadableStreamDefaultReader) {
    loop {
        match wait(reader.read()).await {
            Ok(result) => {
                let result: ReadableStreamReadResult = result.unchecked_into();
                if result.get_done().unwrap_or(false) {
                    if s.closing.get() {
                        s.end(LinkEvent::Closed);
                    } else if !s.ended.get() {
                        // The stream ended without us asking: the device went away.
                        s.end(LinkEvent::Lost("stream ended".into()));
                    }
                    break;
                }
                let value = result.get_value();
                if value.is_undefined() || value.is_null() {
                    continue;
                }
                let bytes = if value.is_instance_of::<Uint8Array>() {
                    value.unchecked_into::<Uint8Array>().to_vec()
                } else if let Some(buf) = value.dyn_ref::<js_sys::ArrayBuffer>() {
                    Uint8Array::new(buf).to_vec()
                } else {
                    continue;
                };
                if !bytes.is_empty() && !s.ended.get() {
                    (s.sink)(LinkEvent::Data(bytes));
                }
            }
            Err(e) => {
                if s.closing.get() {
                    s.end(LinkEvent::Closed);
                } else {
                    s.end(LinkEvent::Lost(js_error_text(&e)));
                }
                break;
            }
        }
    }
    reader.release_lock();
    s.reader.borrow_mut().take();
}

/// A listener for ports that are plugged in again (`connect` on `navigator.serial`), used to
/// resume after a replug. Dropping the handle removes the listener.
pub struct ConnectWatch {
    serial: Serial,
    cb: EventCallback,
}

impl ConnectWatch {
    /// Call `f` with the port each time a granted port is connected.
    pub fn new(f: impl Fn(Port) + 'static) -> Result<Self, SerialError> {
        let serial = serial()?;
        let cb = EventCallback::new(move |ev: web_sys::Event| {
            if let Some(t) = ev.target() {
                f(Port::from_js(t.into()));
            }
        });
        let _ = serial.add_event_listener_with_callback("connect", cb.as_ref().unchecked_ref());
        Ok(Self { serial, cb })
    }
}

impl Drop for ConnectWatch {
    fn drop(&mut self) {
        let _ = self
            .serial
            .remove_event_listener_with_callback("connect", self.cb.as_ref().unchecked_ref());
    }
}
