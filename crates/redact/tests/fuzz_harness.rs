//! The fuzz harness (`fuzz/harness/redact.rs`) run as a test: on every seed of
//! `fuzz/corpus/redact/` and on generated inputs, so it is exercised without cargo-fuzz.

use proptest::prelude::*;

#[path = "../../../fuzz/harness/redact.rs"]
mod harness;

#[test]
fn seed_corpus() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/corpus/redact");
    let mut n = 0;
    for e in std::fs::read_dir(dir).expect("seed corpus") {
        let data = std::fs::read(e.expect("entry").path()).expect("seed");
        for ctl in 0..=255u8 {
            let mut v = data.clone();
            if let Some(c) = v.first_mut() {
                *c = ctl;
            }
            harness::check(&v);
        }
        n += 1;
    }
    assert!(n >= 8, "{n} seeds");
}

proptest! {
    #[test]
    fn generated(data in proptest::collection::vec(any::<u8>(), 0..800)) {
        harness::check(&data);
    }
}
