//! The app's Web Worker, built as its own wasm so that none of it is in the page's first load:
//! the live session (the engine and its dongle drivers, for a real dongle and the demo alike),
//! the demo dongle (the simulator behind a WebSerial-shaped port) and the support tools (log
//! decoder, support-bundle builder, the story of a session, CSV exports and the granularity check).
//! The page starts one worker per job: a session, a demo dongle, the tools.
//!
//! Everything here is pure and tested on the host: [`wire`] is the message format both sides
//! speak over `postMessage`, [`session`] the live session (engine, trace lines, input log) with
//! its own messages, [`trace_split`] what crosses the port cut into trace lines, [`demo`] the
//! simulated device on a virtual clock, [`tools`] the jobs, [`story_view`] the story of a
//! session laid out for the page. `src/main.rs` is the thin wasm shell (message handler,
//! timers).
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod demo;
pub mod session;
pub mod story_view;
pub mod tools;
pub mod trace_split;
pub mod wire;
