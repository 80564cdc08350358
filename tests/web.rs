//! Browser tests for `src/serial/` and the stored pairing profile (wasm-bindgen-test in headless
//! Chromium).
//!
//! A minimal WebSerial-shaped fake lives in inline JS: real `ReadableStream`/`WritableStream`
//! objects with a controller the test drives, and a `close()` that, like Chromium, refuses while a
//! stream is still locked.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use broute_app::serial::{Link, LinkEvent, Port, SerialError};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function make_port(openFails) {
  const stats = { opens: 0, closes: 0, closeErrors: 0, cancels: 0, writes: [], lastOptions: null };
  let ctrl = null;
  const port = new EventTarget();
  port.readable = null;
  port.writable = null;
  port.getInfo = () => ({ usbVendorId: 0x10c4, usbProductId: 0xea60 });
  port.open = async (opts) => {
    if (openFails) throw new DOMException("Failed to open serial port.", "NetworkError");
    stats.opens++;
    stats.lastOptions = { baudRate: opts.baudRate, bufferSize: opts.bufferSize };
    port.readable = new ReadableStream({ start(c) { ctrl = c; }, cancel() { stats.cancels++; ctrl = null; } });
    port.writable = new WritableStream({ write(chunk) { stats.writes.push(Array.from(chunk)); } });
  };
  port.close = async () => {
    if (port.readable.locked || port.writable.locked) { stats.closeErrors++; throw new DOMException("locked", "InvalidStateError"); }
    stats.closes++;
  };
  port.push = (bytes) => { if (ctrl) ctrl.enqueue(new Uint8Array(bytes)); };
  port.pull_plug = () => {
    if (ctrl) { ctrl.error(new DOMException("The device has been lost.", "NetworkError")); ctrl = null; }
    port.dispatchEvent(new Event("disconnect"));
  };
  port.stats = () => JSON.parse(JSON.stringify(stats));
  return port;
}
export function push(port, bytes) { port.push(bytes); }
export function pull_plug(port) { port.pull_plug(); }
export function stats(port) { return port.stats(); }
export function sleep(ms) { return new Promise((ok) => setTimeout(ok, ms)); }
"#)]
extern "C" {
    fn make_port(open_fails: bool) -> JsValue;
    fn push(port: &JsValue, bytes: &[u8]);
    fn pull_plug(port: &JsValue);
    fn stats(port: &JsValue) -> JsValue;
    fn sleep(ms: u32) -> js_sys::Promise;
}

async fn tick(ms: u32) {
    let _ = JsFuture::from(sleep(ms)).await;
}

fn stat(port: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(&stats(port), &JsValue::from_str(key)).unwrap()
}

fn collector() -> (Rc<RefCell<Vec<LinkEvent>>>, impl Fn(LinkEvent) + 'static) {
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = events.clone();
    (events, move |e| sink.borrow_mut().push(e))
}

fn received(events: &[LinkEvent]) -> Vec<u8> {
    events
        .iter()
        .filter_map(|e| match e {
            LinkEvent::Data(d) => Some(d.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

#[wasm_bindgen_test]
async fn byte_at_a_time_delivery_reassembles_lines() {
    let js = make_port(false);
    let (events, sink) = collector();
    let link = Link::open(&Port::from_js(js.clone()), sink).await.unwrap();
    let reply = b"SKVER\r\nEVER 1.2.10\r\nOK\r\nOK 01\r";
    for b in reply {
        push(&js, std::slice::from_ref(b));
    }
    for _ in 0..50 {
        if received(&events.borrow()).len() == reply.len() {
            break;
        }
        tick(5).await;
    }
    let bytes = received(&events.borrow());
    assert_eq!(bytes, reply.to_vec());
    let mut sp = skstack::LineSplitter::new();
    sp.feed(&bytes);
    let lines: Vec<String> = std::iter::from_fn(|| sp.next_line())
        .map(|l| l.text())
        .collect();
    assert_eq!(lines, ["SKVER", "EVER 1.2.10", "OK", "OK 01"]);

    // Options: 115200 with a buffer well above the 255-byte default.
    let opts = stat(&js, "lastOptions");
    let baud = js_sys::Reflect::get(&opts, &"baudRate".into())
        .unwrap()
        .as_f64();
    let buf = js_sys::Reflect::get(&opts, &"bufferSize".into())
        .unwrap()
        .as_f64();
    assert_eq!(baud, Some(115200.0));
    assert!(buf.unwrap_or(0.0) >= 4096.0);

    link.write(b"SKVER\r\n").await.unwrap();
    let writes = js_sys::Array::from(&stat(&js, "writes"));
    assert_eq!(writes.length(), 1);
    link.close().await.unwrap();
}

#[wasm_bindgen_test]
async fn device_pulled_mid_read_ends_link_once() {
    let js = make_port(false);
    let (events, sink) = collector();
    let link = Link::open(&Port::from_js(js.clone()), sink).await.unwrap();
    push(&js, b"EVER 1.2");
    tick(10).await;
    pull_plug(&js);
    tick(20).await;
    {
        let ev = events.borrow();
        let lost: Vec<_> = ev
            .iter()
            .filter(|e| matches!(e, LinkEvent::Lost(_)))
            .collect();
        assert_eq!(lost.len(), 1, "exactly one Lost: {ev:?}");
        assert!(!ev.contains(&LinkEvent::Closed));
        assert_eq!(
            received(&ev),
            b"EVER 1.2".to_vec(),
            "bytes before the pull are kept"
        );
    }
    assert!(link.is_ended());
    assert_eq!(link.write(b"SKVER\r\n").await, Err(SerialError::Closed));
    // Closing after a pull must not throw at the user.
    link.close().await.unwrap();
    assert_eq!(events.borrow().len(), 2, "no event after the final one");
}

#[wasm_bindgen_test]
async fn close_while_reading_releases_locks_and_closes_port() {
    let js = make_port(false);
    let (events, sink) = collector();
    let link = Link::open(&Port::from_js(js.clone()), sink).await.unwrap();
    tick(5).await; // the read loop is now parked in read()
    link.close().await.unwrap();
    assert_eq!(stat(&js, "cancels").as_f64(), Some(1.0));
    assert_eq!(stat(&js, "closes").as_f64(), Some(1.0));
    assert_eq!(
        stat(&js, "closeErrors").as_f64(),
        Some(0.0),
        "close() saw no locked stream"
    );
    assert_eq!(*events.borrow(), vec![LinkEvent::Closed]);
    // The port can be opened again.
    let (_events2, sink2) = collector();
    let again = Link::open(&Port::from_js(js.clone()), sink2).await.unwrap();
    again.close().await.unwrap();
    assert_eq!(stat(&js, "opens").as_f64(), Some(2.0));
}

#[wasm_bindgen_test]
async fn open_failure_is_typed() {
    let js = make_port(true);
    let (_events, sink) = collector();
    match Link::open(&Port::from_js(js), sink).await {
        Err(SerialError::Open(msg)) => assert!(msg.contains("NetworkError"), "{msg}"),
        other => panic!("expected Open error, got {:?}", other.map(|_| ())),
    }
}

#[wasm_bindgen_test]
fn stored_profile_round_trips_and_junk_is_refused() {
    // The app stores the profile in its one form (`broute::PairingProfile`), read and written
    // without serde_json on the page.
    use broute::PairingProfile;
    let from = |s: &str| PairingProfile::from_json(s).ok();
    let p = PairingProfile {
        channel: 0x21,
        pan_id: 0x8888,
        mac: skstack::Mac([0x00, 0x1D, 0x12, 0x90, 0x00, 0x12, 0x3A, 0x5C]),
        dialect: broute::Dialect::DualStack,
    };
    let json = p.to_json();
    assert_eq!(
        json,
        r#"{"channel":33,"pan_id":34952,"mac":"001D129000123A5C","dialect":"dual-stack"}"#
    );
    assert_eq!(from(&json), Some(p.clone()));
    // What the earlier serde_json writer produced (keys in another order) still loads.
    let older = r#"{"dialect":"dual-stack","mac":"001D129000123A5C","pan_id":34952,"channel":33}"#;
    assert_eq!(from(older), Some(p));
    let j11 = r#"{"channel":10,"pan_id":34952,"mac":"001D129000123A5C","dialect":"j11"}"#;
    assert_eq!(from(j11).map(|p| p.dialect), Some(broute::Dialect::J11));
    for junk in [
        "",
        "{",
        r#"{"channel":33}"#,
        r#"{"channel":9,"pan_id":1,"mac":"001D129000123A5C","dialect":"single-hop"}"#,
        r#"{"channel":33,"pan_id":70000,"mac":"001D129000123A5C","dialect":"single-hop"}"#,
        r#"{"channel":33,"pan_id":1,"mac":"001D","dialect":"single-hop"}"#,
        r#"{"channel":33,"pan_id":1,"mac":"001D129000123A5C","dialect":"j11"}"#,
        "\u{0}\"channel\":",
    ] {
        assert_eq!(from(junk), None, "{junk:?}");
    }
}
