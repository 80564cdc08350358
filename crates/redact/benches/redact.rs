//! Redaction throughput on 10 MB pathological inputs (see `common/inputs.rs`): keyword rules
//! alone and with the two credentials known (both with address hiding, as the support bundle
//! runs it), one-shot and streamed in 16-byte chunks. Goal: under 1 s per 10 MB on the host.
//! Figures in docs/benchmarks.md.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use redact::Redactor;
use std::hint::black_box;

mod common {
    pub mod inputs;
}
use common::inputs;

fn bench(c: &mut Criterion) {
    let size = 10 << 20;
    let plain = Redactor::new().with_addresses(true);
    let secrets = Redactor::new()
        .with_credentials(inputs::ID, inputs::PW)
        .with_addresses(true);
    let mut g = c.benchmark_group("redact_10MB");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(size as u64));
    for (name, input) in inputs::all(size) {
        for (which, r) in [("keywords", &plain), ("secrets", &secrets)] {
            g.bench_function(format!("{name}/{which}/one_shot"), |b| {
                b.iter(|| black_box(r.redact_bytes(black_box(&input))).len())
            });
            g.bench_function(format!("{name}/{which}/chunks_16"), |b| {
                b.iter(|| {
                    let mut s = r.stream();
                    let mut out = Vec::with_capacity(input.len());
                    for chunk in input.chunks(16) {
                        s.push_into(black_box(chunk), &mut out);
                    }
                    s.finish_into(&mut out);
                    black_box(out.len())
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
