//! Frames decoded per second: parse + typed decode of a realistic mix of meter frames
//! (E7/E8/E0 Get_Res, EA INF, E2 history Get_Res of 194 bytes).
//!
//! Run with `cargo bench -p echonet --bench decode`. The same mix runs in Wasm via
//! `crates/echonet/bench-wasm` (see its README).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use echonet::pretty::{render, Lang};
use echonet::{decode, FrameRepr};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The benchmark mix; byte sources are the transcripts under ../shared/fixtures/transcripts/.
fn mix() -> Vec<Vec<u8>> {
    let mut e2 = hex("1081000902880105FF017201E2C20001");
    for i in 0..48u32 {
        e2.extend_from_slice(&(76_000 + 59 * i).to_be_bytes());
    }
    vec![
        hex("1081000102880105FF017201E704000004A8"), // ak1211 E7
        hex("1081000102880105FF017201E80400620022"), // ak1211 E8
        hex("1081000502880105FF017201E00400012631"), // vkgtaro E0
        hex("1081036202880105FF017301EA0B07E60801141E0000012D02"), // ak1211 EA INF
        e2,                                          // E2 history, 208-byte frame
    ]
}

/// Parse and decode every property; return a checksum so nothing is optimised away.
fn decode_frame(bytes: &[u8]) -> u32 {
    let Ok(repr) = FrameRepr::parse_bytes(bytes) else {
        return 0;
    };
    let class = repr.property_owner().class_code();
    let mut n = 0;
    for p in repr.props.iter() {
        // black_box the whole typed value so no part of the decode is optimised away.
        if black_box(decode(class, p.epc, p.edt)).is_ok() {
            n += 1;
        }
    }
    n
}

fn bench(c: &mut Criterion) {
    let frames = mix();
    let mut g = c.benchmark_group("echonet");
    g.throughput(Throughput::Elements(frames.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| {
            frames
                .iter()
                .filter(|f| FrameRepr::parse_bytes(black_box(f)).is_ok())
                .count()
        })
    });
    g.bench_function("parse+decode", |b| {
        b.iter(|| {
            frames
                .iter()
                .map(|f| decode_frame(black_box(f)))
                .sum::<u32>()
        })
    });
    g.bench_function("render_ja", |b| {
        b.iter(|| {
            frames
                .iter()
                .map(|f| render(black_box(f), Lang::Ja).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
