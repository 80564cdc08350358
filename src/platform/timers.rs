//! Timers: `gloo-timers`, and an interval tied to the component that made it.

use std::time::Duration;

pub use gloo_timers::callback::{Interval, Timeout};
use leptos::prelude::on_cleanup;
use send_wrapper::SendWrapper;

/// Call `f` every `period` while the current reactive owner (the component) lives; the interval
/// is cancelled in its `on_cleanup`.
pub fn every_while_mounted(period: Duration, f: impl FnMut() + 'static) {
    let ms = u32::try_from(period.as_millis()).unwrap_or(u32::MAX);
    let interval = SendWrapper::new(Interval::new(ms, f));
    on_cleanup(move || drop(interval.take()));
}

/// Call `f` once after `delay`, whatever happens to the caller.
pub fn after(delay: Duration, f: impl FnOnce() + 'static) {
    let ms = u32::try_from(delay.as_millis()).unwrap_or(u32::MAX);
    Timeout::new(ms, f).forget();
}

/// Wait `ms` milliseconds.
pub async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}
