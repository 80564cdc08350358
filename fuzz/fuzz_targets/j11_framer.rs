//! Arbitrary bytes through the J11 framer (whole and in chunks whose size the input picks),
//! the message parsers and the sans-IO driver (input split at a position the input picks):
//! nothing may panic, chunking must not change the framer's output, and the framer never
//! holds more than one maximum frame.
#![no_main]

use j11::frame::{Direction, Repr, MAX_FRAME_LEN};
use j11::{Driver, Framer, Instant, Message, Request};
use libfuzzer_sys::fuzz_target;

fn frames(input: &[u8], step: usize) -> Vec<Result<j11::RawFrame, j11::Diagnostic>> {
    let mut f = Framer::new();
    let mut out = Vec::new();
    for chunk in input.chunks(step) {
        out.extend(f.frames(chunk));
        assert!(f.buffered() <= MAX_FRAME_LEN);
    }
    out.extend(f.finish().map(Err));
    out
}

fuzz_target!(|data: &[u8]| {
    let step = usize::from(data.first().copied().unwrap_or(1)).max(1);
    let whole = frames(data, data.len().max(1));
    assert_eq!(frames(data, step), whole);

    // Every frame (and the raw input read as command + data) through the parsers.
    for f in whole.iter().flatten() {
        let _ = Message::parse(&f.repr());
        let _ = Request::parse(&f.repr());
    }
    if let [a, b, rest @ ..] = data {
        let command = u16::from_be_bytes([*a, *b]);
        for direction in [Direction::Request, Direction::Response] {
            let _ = Message::parse(&Repr {
                direction,
                command,
                data: rest,
            });
        }
    }

    // The driver with a request in flight and one queued.
    let mut d = Driver::new();
    let _ = d.submit(Request::Status, Instant(0));
    let _ = d.submit(Request::StartPana, Instant(0));
    let split = usize::from(data.get(1).copied().unwrap_or(0)) * data.len() / 256;
    let (a, b) = data.split_at(split.min(data.len()));
    d.handle_bytes(a, Instant(1));
    d.handle_timeout(Instant(1_000));
    d.handle_bytes(b, Instant(2_000));
    for _ in 0..32 {
        match d.poll_timeout() {
            Some(t) => d.handle_timeout(t),
            None => break,
        }
    }
    assert!(d.framer().buffered() <= MAX_FRAME_LEN);
    assert!(d.is_idle());
    while d.poll_transmit().is_some() {}
    while d.poll_event().is_some() {}
});
