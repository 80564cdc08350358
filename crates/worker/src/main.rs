//! The worker's wasm shell: install the message handler, post `ready`, then turn each message
//! into a call on the pure parts (`broute_worker::{demo, session, tools, wire}`) and post the
//! answer. A worker is one of: a demo dongle (bare `Uint8Array`s are the bytes the app writes
//! and the dongle sends), a live session (after [`Request::Session`], bare `Uint8Array`s are
//! `session` messages and batches), or the tools; requests and replies are text.
#![deny(unsafe_code)]

fn main() {
    #[cfg(target_arch = "wasm32")]
    web::run();
}

#[cfg(target_arch = "wasm32")]
mod web {
    use std::cell::RefCell;
    use std::rc::{Rc, Weak};

    use broute_worker::demo::Device;
    use broute_worker::session::{FromSession, SessionHost, ToSession};
    use broute_worker::tools;
    use broute_worker::wire::{self, Request};
    use gloo_timers::callback::Timeout;
    use js_sys::{Array, Uint8Array};
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    struct State {
        scope: DedicatedWorkerGlobalScope,
        device: Option<Device>,
        timer: Option<Timeout>,
        session: Option<SessionHost>,
        session_timer: Option<Timeout>,
        me: Weak<RefCell<State>>,
    }

    impl State {
        fn now(&self) -> f64 {
            self.scope
                .performance()
                .map_or_else(js_sys::Date::now, |p| p.now())
        }

        fn post(&self, v: &JsValue) {
            let _ = self.scope.post_message(v);
        }

        /// Deliver what the device has said and arm the timer for its next deadline.
        fn pump(&mut self) {
            self.timer.take();
            let now = self.now();
            let Some(d) = self.device.as_mut() else {
                return;
            };
            let (out, wait) = d.pump(now);
            if !out.is_empty() {
                self.post(&Uint8Array::from(out.as_slice()).into());
            }
            if let Some(wait) = wait {
                let me = self.me.clone();
                self.timer = Some(Timeout::new(wait as u32, move || {
                    if let Some(s) = me.upgrade() {
                        s.borrow_mut().pump();
                    }
                }));
            }
        }

        /// Post a session batch and arm the session's timer.
        fn session_out(&mut self, out: &FromSession) {
            self.session_timer.take();
            self.post(&Uint8Array::from(out.encode().as_slice()).into());
            let now = self.now();
            let Some(wait) = self.session.as_ref().and_then(|h| h.wait_ms(now)) else {
                return;
            };
            let me = self.me.clone();
            self.session_timer = Some(Timeout::new(wait as u32, move || {
                if let Some(s) = me.upgrade() {
                    let mut s = s.borrow_mut();
                    s.session_timer.take();
                    let now = s.now();
                    if let Some(out) = s.session.as_mut().map(|h| h.timeout(now)) {
                        s.session_out(&out);
                    }
                }
            }));
        }

        fn handle(&mut self, id: u32, req: Request) {
            let now = self.now();
            let reply = match req {
                Request::Start { preset, speed } => {
                    self.device = Some(Device::new(&preset, speed, now));
                    None
                }
                Request::Session => {
                    self.session = Some(SessionHost::new(now));
                    None
                }
                Request::Open | Request::Close => {
                    if let Some(d) = self.device.as_mut() {
                        d.set_open(matches!(req, Request::Open));
                    }
                    self.pump();
                    None
                }
                Request::Unplug => {
                    if let Some(d) = self.device.as_mut() {
                        d.unplug();
                    }
                    None
                }
                #[cfg(feature = "e2e-hooks")]
                Request::Truth { lookback_ms } => Some(Ok(self
                    .device
                    .as_ref()
                    .map_or_else(|| "[]".into(), |d| d.truth(now, lookback_ms)))),
                #[cfg(feature = "e2e-hooks")]
                Request::CountAt { at_ms } => Some(Ok(self
                    .device
                    .as_ref()
                    .and_then(|d| d.count_at(at_ms))
                    .map_or_else(|| "null".into(), |c| c.to_string()))),
                #[cfg(feature = "e2e-hooks")]
                Request::Joins => Some(Ok(self
                    .device
                    .as_ref()
                    .map_or(0, Device::joins)
                    .to_string())),
                other => tools::run(other),
            };
            if let Some(r) = reply {
                self.post(&JsValue::from_str(&wire::encode_reply(id, &r)));
            }
        }
    }

    pub fn run() {
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let state = Rc::new_cyclic(|me| {
            RefCell::new(State {
                scope: scope.clone(),
                device: None,
                timer: None,
                session: None,
                session_timer: None,
                me: me.clone(),
            })
        });
        let st = state.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let data = ev.data();
            let mut s = st.borrow_mut();
            if let Some(bytes) = data.dyn_ref::<Uint8Array>() {
                let now = s.now();
                if s.session.is_some() {
                    let msg = ToSession::decode(&bytes.to_vec());
                    if let Some(out) = msg.and_then(|m| Some(s.session.as_mut()?.handle(m, now))) {
                        s.session_out(&out);
                    }
                    return;
                }
                if let Some(d) = s.device.as_mut() {
                    d.write(now, &bytes.to_vec());
                }
                s.pump();
                return;
            }
            let (text, bytes) = match data.dyn_ref::<Array>() {
                Some(a) => (
                    a.get(0).as_string(),
                    a.get(1).dyn_ref::<Uint8Array>().map(Uint8Array::to_vec),
                ),
                None => (data.as_string(), None),
            };
            if let Some((id, req)) = text.and_then(|t| Request::decode(&t, bytes)) {
                s.handle(id, req);
            }
        });
        scope.set_onmessage(Some(on_message.into_js_value().unchecked_ref()));
        let _ = scope.post_message(&JsValue::from_str(wire::READY));
    }
}
