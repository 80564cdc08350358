//! SKSTACK IP dongle protocol (ROHM BP35A1/BP35C0/BP35C2, Tessera RL7023, RATOC RS-WSUHA-P, …).
//!
//! Sans-IO, in the manner of quinn-proto: bytes and the current time go in; commands to write,
//! typed events and the next deadline come out. No I/O, no clock, no threads — the crate builds
//! for `wasm32-unknown-unknown` and behaves identically there.
//!
//! Layers, bottom up:
//! * [`framer`] — bytes → [`Frame`]s (lines, blocks, binary ERXUDP, J11 frames), any chunking;
//! * [`frame`] — the typed frames and the single-line parser;
//! * [`command`] — typed commands, validated before encoding, each with its timeout and reply
//!   shape; [`credentials`] — the secret ID/password types;
//! * [`detect`] — dialect detection by probing; [`driver`] — the sans-IO [`Driver`];
//! * [`lines`] — the older minimal [`LineSplitter`] the web app uses for its raw log view.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod addr;
pub mod command;
pub mod credentials;
pub mod detect;
pub mod driver;
pub mod error;
pub mod frame;
pub mod framer;
pub mod j11;
pub mod lines;
pub mod time;
mod util;

pub use addr::Mac;
pub use command::{Command, CommandKind};
pub use credentials::{
    credential_redactor, normalize_input, CredentialError, RouteBId, RouteBPassword,
};
pub use detect::{Detection, Detector, Dialect, DialectEvidence, ErxudpMode};
pub use driver::{Driver, DriverEvent, Response};
pub use error::Error;
pub use frame::{Frame, ParseContext};
pub use framer::Framer;
pub use lines::{Line, LineSplitter};
pub use time::Instant;
