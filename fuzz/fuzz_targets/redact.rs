//! Arbitrary bytes through the redactor, with the password planted by the harness: no panic,
//! chunked output (chunk sizes from the input) equals one-shot output, the planted secret never
//! survives. See `fuzz/harness/redact.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../harness/redact.rs"]
mod harness;

fuzz_target!(|data: &[u8]| harness::check(data));
