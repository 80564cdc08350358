//! The ROHM J11 binary UART API, client side (BP35C0-J11, BP35C1-J11, BP35C2-J11-T01, RATOC
//! RS-WSUHA-J11).
//!
//! These dongles speak binary frames instead of SKSTACK text (`shared/protocol.md` §A.8,
//! `shared/j11.md`). This crate is sans-IO in the manner of quinn-proto: bytes and the current
//! time go in; bytes to write, typed events and the next deadline come out. No I/O, no clock,
//! no threads: it builds for the host and for `wasm32-unknown-unknown` alike.
//!
//! Layers, bottom up:
//! * [`frame`] — the frame codec (j11.md §1, J11 §2.3–2.6): a [`Frame`] view over bytes and a
//!   validated [`Repr`] with `parse`/`emit` (smoltcp `wire` style); correct checksums always.
//! * [`framer`] — the incremental [`Framer`] (atat style): any chunking, resync on the unique
//!   code, typed [`Diagnostic`]s for garbage and bad frames, bounded memory, linear time.
//! * [`request`] — typed [`Request`]s for every command of j11.md §2, validated before
//!   encoding, each with its response code and timeout (j11.md §2 timing, J11 table 35).
//! * [`result`], [`response`], [`notification`] — the result byte ([`ResultCode`], J11 table
//!   34), typed responses ([`Reply`], [`Response`]) and notifications ([`Notification`]);
//!   [`Message::parse`] dispatches any frame from the module.
//! * [`driver`] — the sans-IO client [`Driver`]: one request in flight, matching by response
//!   code, interleaved notifications, busy retry, timeouts (j11.md §1, §3, §5).
//!
//! Where sources disagree, the specification (J11 §) wins and the doc comment of the place
//! says so: correct checksums although J11GO/WSAPP send zeros (pitfall 2, [`frame`]); the
//! 0x6018 PAN ID at offset 20 and signed RSSI (pitfall 4, [`notification::UdpReceived`]);
//! scans always with ID flag 01 and the pairing ID (pitfall 8, [`request::ActiveScan`]); 0x0058
//! for "end B-route", never 0x0053 (pitfall 1); the 0x2008 detail decides whether a datagram
//! went out (pitfall 6, [`Error::NotSent`]).
//!
//! Credentials come as the validated [`skstack::RouteBId`] and [`skstack::RouteBPassword`].
//! J11 takes only hex digits in the ID: lower-case ones are upper-cased, others refused
//! ([`Error::IdNotHex`]). Nothing in this crate prints them: `Debug` of requests, encoded
//! bytes, the framer and the driver shows no credential byte.
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod credentials;
pub mod driver;
pub mod error;
pub mod frame;
pub mod framer;
pub mod notification;
pub mod request;
pub mod response;
pub mod result;
mod util;

pub use driver::{Config, Driver, DriverEvent, RequestId, UnexpectedReason};
pub use error::{Error, MessageError};
pub use frame::{Direction, Frame, FrameError, RawFrame, Repr};
pub use framer::{Diagnostic, Framer};
pub use notification::Notification;
pub use request::{
    ActiveScan, Channel, Encoded, InitialSetup, PairingId, Request, RequestKind, SendUdp,
};
pub use response::{Message, Reply, Response, SendDetail, SendStatus};
pub use result::ResultCode;
pub use skstack::{Instant, Mac, RouteBId, RouteBPassword};
