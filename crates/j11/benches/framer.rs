//! Framer and driver throughput on three 1 MiB streams:
//! * `real`: the real frames of `shared/j11.md` §4 (WSAPP 0x206B, AN F19/F21/F22, …) repeated;
//! * `noise`: pseudo-random bytes (mostly garbage, occasional 0xD0);
//! * `adversarial`: back-to-back headers with valid header sums that each announce the longest
//!   frame, so every one fails its data sum and the framer searches its 1349 data bytes again
//!   (the worst case of the linear-time bound, see `src/framer.rs`).
//!
//! The UART delivers 11.5 kB/s at 115200 baud; anything above that by orders of magnitude is
//! enough. Run: `cargo bench -p j11 --bench framer`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use j11::frame::{Direction, Frame, Repr, MAX_DATA_LEN};
use j11::{Driver, Framer, Instant};
use std::hint::black_box;

const SIZE: usize = 1 << 20;

fn hex(s: &str) -> Vec<u8> {
    let d: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    d.chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}

fn real() -> Vec<u8> {
    let frames = [
        "D0F9EE5D 206B 000D 03AC 00A8 01 0400 01 03 0000158A",
        "D0F9EE5D 4051 0012 03B7 06BA 00 0C 01 0050C2FFFEDC2822 BCDE DE",
        "D0F9EE5D 6018 0038 03C4 0E1C FE800000000000000250C2FFFEDC2822 0E1A 0E1A BCDE 00 02 DE \
         0019 1081000102880105FF017301EA0B07DF081F151E0000000DAC",
        "D0F9EE5D 2008 000B 0347 009D 01 00 1081000605",
        "D0F9EE5D 6018 0045 03D1 108D FE800000000000000250C2FFFEDC2822 0E1A 0E1A 22A9 00 02 CB \
         0026 1081000602880105FF017202EA0B07E20A020E1E00000373AFEB0B07E20A020E1E0000016A72",
    ];
    let one: Vec<u8> = frames.iter().flat_map(|f| hex(f)).collect();
    one.iter().copied().cycle().take(SIZE).collect()
}

fn noise() -> Vec<u8> {
    let mut s = 0x1234_5678_9abc_def0u64;
    (0..SIZE)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s as u8
        })
        .collect()
}

fn adversarial() -> Vec<u8> {
    let data = vec![0u8; MAX_DATA_LEN];
    let mut h = Repr {
        direction: Direction::Response,
        command: 0x6018,
        data: &data,
    }
    .to_bytes()
    .unwrap();
    h.truncate(12);
    // Make the data sum field impossible to match by any run of header bytes.
    Frame::new_unchecked(&mut h[..]).set_data_sum(0xFFFF);
    h.iter().copied().cycle().take(SIZE).collect()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("j11");
    g.throughput(Throughput::Bytes(SIZE as u64));
    g.sample_size(10);
    for (name, input) in [
        ("real", real()),
        ("noise", noise()),
        ("adversarial", adversarial()),
    ] {
        g.bench_function(format!("framer/{name}"), |b| {
            b.iter(|| {
                let mut f = Framer::new();
                let mut n = 0usize;
                for chunk in input.chunks(64) {
                    n += f.frames(black_box(chunk)).count();
                }
                n
            })
        });
        g.bench_function(format!("driver/{name}"), |b| {
            b.iter(|| {
                let mut d = Driver::new();
                let mut n = 0usize;
                for chunk in input.chunks(64) {
                    d.handle_bytes(black_box(chunk), Instant(0));
                    while d.poll_event().is_some() {
                        n += 1;
                    }
                }
                n
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
