//! Sans-IO commissioning and reading engine for a B-route smart meter.
//!
//! Time is an input, bytes go in, bytes and events come out (`handle_*`, `poll_*`). No I/O,
//! no clock, no web-sys: the host tests and the browser shell drive the same code.
#![deny(unsafe_code)]
#![warn(missing_docs)]
