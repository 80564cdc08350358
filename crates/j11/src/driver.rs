//! The sans-IO client driver (quinn-proto shape, like `skstack::Driver`).
//!
//! Inputs: [`Driver::submit`] (a [`Request`], validated and encoded at once, then queued),
//! [`Driver::handle_bytes`] with what the serial port delivered, and [`Driver::handle_timeout`]
//! once the deadline from [`Driver::poll_timeout`] has passed. All take `now`; the driver never
//! reads a clock. Outputs, pull-based: [`Driver::poll_transmit`] (bytes to write),
//! [`Driver::poll_event`] ([`DriverEvent`]s) and [`Driver::poll_timeout`]. Poll all three after
//! every input call.
//!
//! The module is single-tasked (J11 §3.2.4.2), so one request is in flight at a time; the
//! others wait in a bounded queue. A response is matched by its code (request + 0x2000);
//! reset completes on the boot notification 0x6019. Notifications may come at any time, also
//! between a request and its response (pitfall 10), and are passed on as they come; those of
//! an active scan (0x4051) are also collected into its [`Response::ActiveScan`].
//!
//! Special answers: result 0x3D (busy) makes the driver send the same request again after
//! [`Config::busy_retry_delay`], at most [`Config::busy_retries`] times, then fail with the
//! busy result; 0x2FFF and 0xFFFF fail the request in flight; a boot notification while
//! another request waits fails it with [`Error::ModuleRestarted`] (the module forgets it); a
//! 0x2008 whose detail is not "sent" or "queued" fails with [`Error::NotSent`] (pitfall 6).
//!
//! `Debug` never shows request bytes: queued and in-flight requests are kept encoded in
//! [`Encoded`], whose `Debug` shows only the length, so a 0x0054 frame cannot leak the
//! credentials.

use std::collections::VecDeque;

use core::time::Duration;

use skstack::Instant;

use crate::error::{Error, MessageError};
use crate::frame::{Direction, RawFrame};
use crate::framer::{Diagnostic, Framer};
use crate::notification::{Notification, ScanResult};
use crate::request::{Completion, Encoded, Request, RequestKind};
use crate::response::{Message, Reply, Response};
use crate::result::ResultCode;

/// Identifies a submitted request in [`DriverEvent::Completed`].
pub type RequestId = u64;

/// At most this many 0x4051 results are collected for one scan (14 channels are possible).
const MAX_SCAN_RESULTS: usize = 64;

/// Tunables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// How often a request answered with 0x3D (busy) is sent again.
    pub busy_retries: u8,
    /// Pause before sending it again.
    pub busy_retry_delay: Duration,
    /// Requests waiting behind the one in flight.
    pub max_queued: usize,
    /// Events held until polled; beyond it notifications and diagnostics are dropped and
    /// counted ([`DriverEvent::EventsLost`]), and [`Driver::submit`] refuses new requests.
    pub max_events: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            busy_retries: 5,
            busy_retry_delay: Duration::from_millis(200),
            max_queued: 16,
            max_events: 256,
        }
    }
}

/// Why a frame from the module was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnexpectedReason {
    /// A well-formed response (or 0x2FFF/0xFFFF) while no request waits for it.
    NotAwaited,
    /// Unknown code, malformed data, or a request frame (the module never sends one).
    Invalid(MessageError),
}

/// What the driver tells its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DriverEvent {
    /// A submitted request finished.
    Completed {
        /// Its id.
        id: RequestId,
        /// Which request.
        request: RequestKind,
        /// The outcome.
        result: Result<Response, Error>,
    },
    /// A notification (also those that complete or feed a request).
    Notification(Notification),
    /// The framer skipped input.
    BadFrame(Diagnostic),
    /// A frame that was not used.
    Unexpected {
        /// The frame.
        frame: RawFrame,
        /// Why.
        reason: UnexpectedReason,
    },
    /// Events were dropped because they were not polled in time.
    EventsLost {
        /// How many.
        count: u64,
    },
}

#[derive(Debug)]
struct Queued {
    id: RequestId,
    kind: RequestKind,
    bytes: Encoded,
    timeout: Duration,
}

#[derive(Debug, Clone, Copy)]
enum Wait {
    /// Sent; the answer is due by `deadline`.
    Answer { deadline: Instant },
    /// Answered busy; send again at `at`.
    Retry { at: Instant },
}

#[derive(Debug)]
struct InFlight {
    req: Queued,
    wait: Wait,
    busy_left: u8,
    scan: Vec<ScanResult>,
}

/// The sans-IO J11 client driver.
#[derive(Debug)]
pub struct Driver {
    config: Config,
    framer: Framer,
    queue: VecDeque<Queued>,
    in_flight: Option<InFlight>,
    transmits: VecDeque<Encoded>,
    events: VecDeque<DriverEvent>,
    lost_events: u64,
    next_id: RequestId,
}

impl Default for Driver {
    fn default() -> Self {
        Self::new()
    }
}

impl Driver {
    /// A driver with the default [`Config`].
    pub fn new() -> Self {
        Self::with_config(Config::default())
    }

    /// A driver with this configuration.
    pub fn with_config(config: Config) -> Self {
        Self {
            config,
            framer: Framer::new(),
            queue: VecDeque::new(),
            in_flight: None,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            lost_events: 0,
            next_id: 1,
        }
    }

    /// The framer (for its buffer size).
    pub fn framer(&self) -> &Framer {
        &self.framer
    }

    /// True when no request is in flight or queued.
    pub fn is_idle(&self) -> bool {
        self.in_flight.is_none() && self.queue.is_empty()
    }

    /// The request in flight.
    pub fn in_flight(&self) -> Option<(RequestId, RequestKind)> {
        self.in_flight.as_ref().map(|f| (f.req.id, f.req.kind))
    }

    /// Requests waiting behind the one in flight.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Validate, encode and queue a request; it is sent when the module is free. The result
    /// comes as [`DriverEvent::Completed`] with the returned id.
    pub fn submit(&mut self, request: Request, now: Instant) -> Result<RequestId, Error> {
        let bytes = request.encode()?;
        if self.queue.len() >= self.config.max_queued || self.events.len() >= self.config.max_events
        {
            return Err(Error::QueueFull);
        }
        let id = self.next_id;
        self.next_id += 1;
        self.queue.push_back(Queued {
            id,
            kind: request.kind(),
            bytes,
            timeout: request.timeout(),
        });
        self.start_next(now);
        Ok(id)
    }

    /// Drop every queued and in-flight request (each completes with [`Error::Cancelled`]),
    /// and any bytes not yet polled. For a closed port.
    pub fn cancel_all(&mut self) {
        self.transmits.clear();
        let flight = self.in_flight.take().map(|f| f.req);
        for q in flight.into_iter().chain(self.queue.drain(..)) {
            self.events.push_back(DriverEvent::Completed {
                id: q.id,
                request: q.kind,
                result: Err(Error::Cancelled),
            });
        }
    }

    /// Bytes received from the module.
    pub fn handle_bytes(&mut self, bytes: &[u8], now: Instant) {
        let mut input = bytes;
        while let Some(out) = self.framer.feed(&mut input) {
            match out {
                Ok(frame) => self.on_frame(frame, now),
                Err(d) => self.push_event(DriverEvent::BadFrame(d)),
            }
        }
    }

    /// Call when the deadline from [`Driver::poll_timeout`] has passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        let Some(f) = &mut self.in_flight else {
            return;
        };
        match f.wait {
            Wait::Answer { deadline } if now >= deadline => {
                let error = Error::Timeout {
                    request: f.req.kind,
                    after: f.req.timeout,
                };
                self.complete(Err(error), now);
            }
            Wait::Retry { at } if now >= at => {
                self.transmits.push_back(f.req.bytes.clone());
                f.wait = Wait::Answer {
                    deadline: now + f.req.timeout,
                };
            }
            _ => {}
        }
    }

    /// Next bytes to write to the port.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmits.pop_front().map(Encoded::into_vec)
    }

    /// Next event.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<DriverEvent> {
        self.events.pop_front().or_else(|| {
            (self.lost_events > 0).then(|| DriverEvent::EventsLost {
                count: core::mem::take(&mut self.lost_events),
            })
        })
    }

    /// When to call [`Driver::handle_timeout`] next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.in_flight.as_ref().map(|f| match f.wait {
            Wait::Answer { deadline } => deadline,
            Wait::Retry { at } => at,
        })
    }

    fn push_event(&mut self, e: DriverEvent) {
        if self.events.len() >= self.config.max_events {
            self.lost_events += 1;
        } else {
            self.events.push_back(e);
        }
    }

    fn start_next(&mut self, now: Instant) {
        if self.in_flight.is_some() {
            return;
        }
        let Some(req) = self.queue.pop_front() else {
            return;
        };
        self.transmits.push_back(req.bytes.clone());
        self.in_flight = Some(InFlight {
            wait: Wait::Answer {
                deadline: now + req.timeout,
            },
            busy_left: self.config.busy_retries,
            scan: Vec::new(),
            req,
        });
    }

    fn complete(&mut self, result: Result<Response, Error>, now: Instant) {
        if let Some(f) = self.in_flight.take() {
            // Always kept: at most one per submitted request, and submit checks the space.
            self.events.push_back(DriverEvent::Completed {
                id: f.req.id,
                request: f.req.kind,
                result,
            });
        }
        self.start_next(now);
    }

    /// The in-flight request if it is waiting for an answer (not for a busy retry).
    fn awaiting(&self) -> Option<&InFlight> {
        self.in_flight
            .as_ref()
            .filter(|f| matches!(f.wait, Wait::Answer { .. }))
    }

    fn awaits_response(&self, code: u16) -> bool {
        self.awaiting()
            .is_some_and(|f| f.req.kind.completion() == Completion::Response(code))
    }

    fn on_frame(&mut self, frame: RawFrame, now: Instant) {
        let message = if frame.direction == Direction::Request {
            Err(MessageError::WrongDirection(frame.command))
        } else {
            Message::parse(&frame.repr())
        };
        match message {
            Ok(Message::Reply(reply)) if self.awaits_response(frame.command) => {
                self.on_reply(reply, now)
            }
            Ok(Message::Notification(n)) => self.on_notification(n, now),
            Ok(Message::HeaderSumRejected) if self.awaiting().is_some() => {
                self.complete(Err(Error::HeaderSumRejected), now)
            }
            Ok(Message::CommandRejected) if self.awaiting().is_some() => {
                self.complete(Err(Error::CommandRejected), now)
            }
            Ok(_) => self.push_event(DriverEvent::Unexpected {
                frame,
                reason: UnexpectedReason::NotAwaited,
            }),
            Err(error) => {
                if frame.direction == Direction::Response && self.awaits_response(frame.command) {
                    if let Some(f) = &self.in_flight {
                        let request = f.req.kind;
                        self.complete(Err(Error::Malformed { request, error }), now);
                        return;
                    }
                }
                self.push_event(DriverEvent::Unexpected {
                    frame,
                    reason: UnexpectedReason::Invalid(error),
                });
            }
        }
    }

    fn on_reply(&mut self, reply: Reply, now: Instant) {
        let Some(f) = &mut self.in_flight else {
            return;
        };
        let request = f.req.kind;
        if reply.result == ResultCode::Busy && f.busy_left > 0 {
            f.busy_left -= 1;
            f.wait = Wait::Retry {
                at: now + self.config.busy_retry_delay,
            };
            return;
        }
        let result = match (reply.result, reply.body) {
            (ResultCode::Success, Some(Response::Ok)) if request == RequestKind::ActiveScan => {
                Ok(Response::ActiveScan(core::mem::take(&mut f.scan)))
            }
            (ResultCode::Success, Some(Response::UdpSent(r))) if !r.detail.is_accepted() => {
                Err(Error::NotSent { detail: r.detail })
            }
            (ResultCode::Success, Some(body)) => Ok(body),
            (result, _) => Err(Error::Failed { request, result }),
        };
        self.complete(result, now);
    }

    fn on_notification(&mut self, n: Notification, now: Instant) {
        let completes = match (&n, self.in_flight.as_mut()) {
            (Notification::Boot, Some(f)) if f.req.kind == RequestKind::Reset => {
                Some(Ok(Response::Booted))
            }
            (Notification::Boot, Some(_)) => Some(Err(Error::ModuleRestarted)),
            (Notification::ScanResult(s), Some(f))
                if f.req.kind == RequestKind::ActiveScan && f.scan.len() < MAX_SCAN_RESULTS =>
            {
                f.scan.push(s.clone());
                None
            }
            _ => None,
        };
        self.push_event(DriverEvent::Notification(n));
        if let Some(result) = completes {
            self.complete(result, now);
        }
    }
}

#[cfg(test)]
mod tests;
