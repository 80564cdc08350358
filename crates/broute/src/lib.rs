//! Sans-IO commissioning and reading engine for a B-route smart meter.
//!
//! Time is an input, bytes go in, bytes and events come out, in the manner of quinn-proto:
//!
//! * inputs: [`Engine::handle_bytes`] (what the serial port delivered), [`Engine::handle_timeout`]
//!   (when [`Engine::poll_timeout`] has passed), and the user's actions
//!   ([`Engine::set_credentials`], [`Engine::confirm_wopt`], [`Engine::request_history`], …);
//! * outputs: [`Engine::poll_transmit`] (bytes to write to the port), [`Engine::poll_event`]
//!   ([`Event`]s for the UI) and [`Engine::poll_timeout`] (the next deadline).
//!
//! After any input, drain `poll_transmit` and `poll_event` and re-arm the timer from
//! `poll_timeout`. No I/O, no clock, no web-sys: the host tests (against the simulator on a
//! virtual clock), the CLI and the browser shell drive the same code.
//!
//! The engine goes from a freshly opened port to a stream of readings: probe the dongle and its
//! dialect (SKSTACK single-hop, dual-stack, or J11), prepare it, set the credentials, scan with growing durations, pick the meter whose
//! Pairing ID matches the ID, join, learn the meter's class and scaling, then poll it with one
//! batched Get at a time. It recovers by itself from expired sessions (EVENT 29), lost
//! sessions and silence (rejoin, then rescan, with backoff) and the transmit-time limit
//! (EVENT 32/33), and it stops — with a [`Cause`] a user can act on — when only the user can
//! help (no dongle answer, no meter heard, meter not ours, authentication refused twice).
//!
//! The engine speaks B-route operations to a [`device::Dongle`]; the SKSTACK IP driver and the
//! J11 driver implement them, and probing decides which one a port gets.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod device;
mod engine;
pub mod harness;
pub mod lockout;
mod profile;
pub mod readout;
pub mod replay;
mod types;
pub mod wizard;

pub use engine::{Config, Engine};
pub use profile::{PairingProfile, ProfileError};
pub use types::*;

pub use skstack::{Instant, RouteBId, RouteBPassword};
