//! Arbitrary bytes through the SKSTACK framer (whole and in chunks chosen by the input) and the
//! sans-IO driver: neither may panic, and chunking must not change the framer's output. (The
//! log decoder has its own target, `logdecode`.)
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Whole.
    let mut whole = skstack::Framer::new();
    whole.push(data);
    whole.finish();
    let a: Vec<_> = std::iter::from_fn(|| whole.next_frame()).collect();
    // Chunked: the first byte picks the chunk size.
    let step = usize::from(data.first().copied().unwrap_or(1)).max(1);
    let mut chunked = skstack::Framer::new();
    for c in data.chunks(step) {
        chunked.push(c);
    }
    chunked.finish();
    let b: Vec<_> = std::iter::from_fn(|| chunked.next_frame()).collect();
    assert_eq!(a, b);
    // Driver with detection running.
    let mut d = skstack::Driver::new();
    d.start_detection(skstack::Instant(0));
    d.handle_bytes(data, skstack::Instant(1));
    d.handle_timeout(skstack::Instant(1_000_000));
    while d.poll_event().is_some() {}
    while d.poll_transmit().is_some() {}
});
