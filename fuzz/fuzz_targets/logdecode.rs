//! Arbitrary bytes through the log decoder: no panic; chunking (sizes from the input) gives
//! the same records, so the same JSON lines as decoding whole (inputs here are under the 64 KiB
//! chunk `decode_to_json_lines` renders after); every line is a record of the schema that
//! parses back. Records are rendered once, after `finish`: a decoder renders with the secrets
//! it has learned so far, so rendering after every small chunk may show a secret that a later
//! line reveals as one (documented on `LogDecoder::render_batch`; the first campaign found
//! exactly that). Seeds: the shared transcripts re-printed in several styles
//! (`corpus/logdecode`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let whole = logdecode::decode_to_json_lines(data);
    let step = usize::from(data.first().copied().unwrap_or(1)).max(1);
    let mut d = logdecode::LogDecoder::new();
    let mut recs = Vec::new();
    let mut chunked = String::new();
    for c in data.chunks(step) {
        d.feed(c, &mut recs);
    }
    d.finish(&mut recs);
    d.render_batch(&recs, &mut chunked);
    assert_eq!(whole, chunked);
    for line in whole.lines() {
        // A record whose text was replaced whole by the redactor's final check is no JSON.
        if line != redact::MARK {
            assert!(logdecode::Record::from_json(line).is_ok(), "{line}");
        }
    }
});
