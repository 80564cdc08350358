//! The app's Web Worker, built as its own wasm so that only the visitors who need it download it:
//! the demo dongle (the simulator behind a WebSerial-shaped port) and the support tools (log
//! decoder, support-bundle builder, the story of a session, CSV exports and the granularity check).
//!
//! Everything here is pure and tested on the host: [`wire`] is the message format both sides
//! speak over `postMessage`, [`demo`] the simulated device on a virtual clock, [`tools`] the
//! jobs, [`story_view`] the story of a session laid out for the page. `src/main.rs` is the thin
//! wasm shell (message handler, timers).
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod demo;
pub mod story_view;
pub mod tools;
pub mod wire;
