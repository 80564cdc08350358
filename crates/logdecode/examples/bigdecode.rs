//! Profiling helper: decode ~10 MB made of the fixture transcripts repeated (`MIB=1` for a
//! smaller log, e.g. under `valgrind --tool=callgrind`; `FULL_ONLY=1` only decodes to JSON
//! lines, `DECODE_ONLY=1` only to records; `OUT=path` writes the JSON lines of the log to
//! `path` once, to compare byte for byte with another build's).
fn main() {
    let mib: usize = std::env::var("MIB")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(10);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let mut one = Vec::new();
    for p in names {
        one.extend(std::fs::read(p).unwrap());
        one.push(b'\n');
    }
    let mut log = Vec::new();
    while log.len() < mib << 20 {
        log.extend_from_slice(&one);
    }
    let mb = log.len() as f64 / f64::from(1u32 << 20);
    if let Ok(path) = std::env::var("OUT") {
        std::fs::write(path, logdecode::decode_to_json_lines(&log)).unwrap();
        return;
    }
    if std::env::var("FULL_ONLY").is_ok() {
        for _ in 0..4.min(mib) {
            std::hint::black_box(logdecode::decode_to_json_lines(&log));
        }
        return;
    }
    if std::env::var("DECODE_ONLY").is_ok() {
        for _ in 0..5 {
            std::hint::black_box(logdecode::decode_log(&log));
        }
        return;
    }
    let t = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..3 {
        n += logdecode::decode_to_json_lines(&log).len();
    }
    eprintln!(
        "{n} bytes out, {:.1} MiB/s",
        3.0 * mb / t.elapsed().as_secs_f64()
    );
    let t = std::time::Instant::now();
    let recs = logdecode::decode_log(&log);
    eprintln!(
        "decode only: {:.1} MiB/s ({} records)",
        mb / t.elapsed().as_secs_f64(),
        recs.len()
    );
    let t = std::time::Instant::now();
    let mut buf = Vec::new();
    for r in &recs {
        serde_json::to_writer(&mut buf, r).unwrap();
        buf.push(b'\n');
    }
    eprintln!(
        "serialise only: {:.1} MiB/s of input ({} bytes)",
        mb / t.elapsed().as_secs_f64(),
        buf.len()
    );
    let t = std::time::Instant::now();
    let red = redact::Redactor::new()
        .with_secret("0123456789AB")
        .with_secret("00112233445566778899AABBCCDDEEFF")
        .with_secret("AAAABBBBCCCC");
    let out = red.redact_bytes(&buf);
    eprintln!(
        "redact only: {:.1} MiB/s of input ({} bytes)",
        mb / t.elapsed().as_secs_f64(),
        out.len()
    );
}
