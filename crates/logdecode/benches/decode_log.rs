//! Log-decoder throughput: a ~10 MB log made by repeating every fixture transcript, decoded
//! to JSON lines. Target: >= 50 MB/s on the host.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

fn big_log() -> Vec<u8> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut one = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for p in names {
        one.extend(std::fs::read(p).unwrap());
        one.push(b'\n');
    }
    let mut log = Vec::with_capacity(10 << 20);
    while log.len() < 10 << 20 {
        log.extend_from_slice(&one);
    }
    log
}

fn bench(c: &mut Criterion) {
    let log = big_log();
    let mut g = c.benchmark_group("decode_log");
    g.throughput(Throughput::Bytes(log.len() as u64));
    g.sample_size(10);
    g.bench_function("json_lines", |b| {
        b.iter(|| black_box(logdecode::decode_to_json_lines(black_box(&log))))
    });
    g.bench_function("framer", |b| {
        b.iter(|| {
            let mut f = skstack::Framer::new();
            f.push(black_box(&log));
            f.finish();
            let mut n = 0usize;
            while f.next_frame().is_some() {
                n += 1;
            }
            black_box(n)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
