//! Wall clock and monotonic clock.

/// Wall-clock time, ms since the Unix epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Monotonic time since the page started, ms (`performance.now()`; the wall clock if the page
/// has no performance timer).
pub fn monotonic_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}
