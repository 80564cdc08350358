//! Simulated Wi-SUN dongle and smart meter: the demo dongle, and the backbone of the tests.
//!
//! Deterministic: it runs on a virtual clock given by the caller.
#![deny(unsafe_code)]
#![warn(missing_docs)]
