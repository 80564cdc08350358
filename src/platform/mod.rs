//! The browser, behind small functions: the only module besides `crate::serial` that touches
//! web-sys or js-sys. Clock, timers (`gloo-timers`), `localStorage`, downloads, reading a chosen
//! file, the clipboard, focus, the service worker, the page address, the Web Worker, and the
//! window hooks that test and bench builds install.
//!
//! Everything here is thin: no app logic, no protocol, nothing that needs a test of its own
//! beyond the end-to-end tests that drive the real browser.

pub mod clipboard;
pub mod clock;
pub mod dom;
pub mod files;
pub mod hooks;
pub mod storage;
pub mod sw;
pub mod timers;
pub mod worker;
