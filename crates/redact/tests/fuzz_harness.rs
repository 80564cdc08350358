//! The fuzz harness (`fuzz/harness/redact.rs`) run as a test: on every seed of
//! `fuzz/corpus/redact/` (hand-written seeds under every control byte, the minimised corpus of
//! the recorded campaigns as found) and on generated inputs, so it is exercised without
//! cargo-fuzz.

use proptest::prelude::*;

#[path = "../../../fuzz/harness/redact.rs"]
mod harness;

#[test]
fn seed_corpus() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/redact");
    let (mut seeds, mut grown) = (0, 0);
    for e in std::fs::read_dir(dir).expect("seed corpus") {
        let path = e.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let data = std::fs::read(&path).expect("seed");
        if name.starts_with("seed-") {
            // A hand-written seed, under every control byte.
            for ctl in 0..=255u8 {
                let mut v = data.clone();
                if let Some(c) = v.first_mut() {
                    *c = ctl;
                }
                harness::check(&v);
            }
            seeds += 1;
        } else if name.starts_with("cmin-") {
            // The corpus a recorded campaign grew, as it was found.
            harness::check(&data);
            grown += 1;
        }
    }
    assert!(seeds >= 8, "{seeds} seeds ({grown} from campaigns)");
}

proptest! {
    #[test]
    fn generated(data in proptest::collection::vec(any::<u8>(), 0..800)) {
        harness::check(&data);
    }
}
