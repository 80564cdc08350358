//! The browser, behind small functions: the only module besides `crate::serial` that touches
//! web-sys or js-sys. Clock, timers (`gloo-timers`), `localStorage` and `sessionStorage`,
//! `navigator.storage` (persistence, space used) and the names of storage errors, random bytes
//! (`crypto.getRandomValues`), downloads, reading a chosen file (its size first), the clipboard, focus, the
//! service worker, the page address, the Web Worker, and the window hooks that test and bench
//! builds install. (IndexedDB itself is used through the `idb` crate in `crate::record`.)
//!
//! Everything here is thin: no app logic, no protocol, nothing that needs a test of its own
//! beyond the end-to-end tests that drive the real browser.

pub mod clipboard;
pub mod clock;
pub mod dom;
pub mod files;
pub mod hooks;
pub mod storage;
pub mod storage_manager;
pub mod sw;
pub mod timers;
pub mod worker;
