//! Decoder for serial logs pasted from anywhere: a terminal, a Python script, Home Assistant,
//! an ESP32 sketch, a blog post — SKSTACK commands and dongle output, ECHONET Lite and J11
//! frames written as hex — into typed records, one JSON object per line (schema version
//! [`SCHEMA_VERSION`], `docs/decode.md`). Behind `broute decode`, the app's "paste a log" and
//! the support bundle's decoded trace. Pure: no I/O, no clock; builds for wasm32.
//!
//! Layers:
//! * input normalisation ([`normalise`](crate::normalise), [`timestamp`](crate::timestamp)):
//!   line ends LF, CR LF or CR; timestamps, uptimes, levels, logger and thread names, direction
//!   markers, quotes and escapes, full-width spaces — each reported in the record's `input`;
//! * records: the dongle's lines through the `skstack` framer ([`device`](crate::device); no
//!   second parser of `EVENT`/`ERXUDP`/`EINFO` lines), commands ([`command`](crate::command)),
//!   `"KEY":"VALUE"` and JSON renderings turned back into what they render
//!   ([`kv`](crate::kv)), frames written as hex over one or several lines
//!   ([`hexdump`](crate::hexdump));
//! * typing: ECHONET Lite through the `echonet` codec ([`value`], with exact decimals and
//!   explicit no-data markers), J11 through the `j11` crate's frame view and typed messages;
//! * rendering: JSON lines, every one through the `redact` crate's rules plus the credentials
//!   the log showed.
//!
//! Every line produces at least one record: a line that is not recognised comes out as
//! `kind: "unrecognised"` with its text. Time is linear in the input, memory bounded by the
//! longest line ([`MAX_LINE`]) and the longest hex frame (4 KiB over at most 128 lines).
//!
//! ```
//! let out = logdecode::decode_to_json_lines(b">> \"SKSCAN 2 FFFFFFFF 6 0\"\n<< \"OK\"\n");
//! let recs: Vec<logdecode::Record> =
//!     out.lines().map(|l| logdecode::Record::from_json(l).unwrap()).collect();
//! assert_eq!(recs[0].name, "SKSCAN");
//! assert_eq!(recs[0].field("duration"), Some("6"));
//! assert_eq!(recs[1].dir, Some(logdecode::Dir::Received));
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod command;
mod decoder;
mod device;
mod echonet_typing;
mod hexdump;
mod j11_typing;
mod json;
mod kv;
mod normalise;
pub mod record;
mod timestamp;
pub mod value;

pub use decoder::{LogDecoder, MAX_LEARNED, MAX_LINE};
pub use record::{
    Body, Dir, EchonetFields, Fields, Input, Kind, Part, Property, Record, Unrecognised,
    SCHEMA_VERSION,
};
pub use value::Value;

/// Decode a whole log into records.
pub fn decode_log(input: &[u8]) -> Vec<Record> {
    let mut d = LogDecoder::new();
    let mut out = Vec::new();
    d.feed(input, &mut out);
    d.finish(&mut out);
    out
}

/// Decode a whole log into JSON lines (one object per line, each ending in `\n`), redacted.
pub fn decode_to_json_lines(input: &[u8]) -> String {
    let mut d = LogDecoder::new();
    let mut recs = Vec::new();
    // The JSON is about 3.2 times the log (the captures).
    let mut out = Vec::with_capacity(input.len().saturating_mul(7) / 2);
    // Render as we go: fewer live records. The last chunk is rendered after `finish`, so a
    // secret the last line reveals (it has no line end) hides what that chunk holds too.
    let mut chunks = input.chunks(64 * 1024).peekable();
    while let Some(chunk) = chunks.next() {
        d.feed(chunk, &mut recs);
        if chunks.peek().is_none() {
            d.finish(&mut recs);
        }
        d.render_bytes(&recs, &mut out);
        recs.clear();
    }
    if input.is_empty() {
        d.finish(&mut recs);
        d.render_bytes(&recs, &mut out);
    }
    // Chunks end at record ends, so this is what converting chunk by chunk gives.
    match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}
