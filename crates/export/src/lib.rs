//! Pure building blocks for exporting what the commissioner recorded (issue 8).
//!
//! No I/O, no clock, no `web-sys`: the web app passes wall-clock times in (`Date.now()`) and
//! gets bytes or values back. Nothing here panics on any input.
//!
//! * [`record`]: [`Record`], the storage-neutral, serialisable form of a reading or half-hour
//!   value (what the app keeps in IndexedDB), with converters from the engine's types;
//!   [`Scaling`], the serialisable D3/D4/E1/E6/D7 set.
//! * [`readings`]: CSV of recorded readings (low-voltage, high-voltage, half-hour values).
//! * [`history`]: [`HistoryDay`] (merged slot by slot, never overwritten) and the tidy history
//!   CSV (timestamp, kWh in, kWh out, delta).
//! * [`retention`]: how long readings are kept and what may be deleted without asking.
//! * [`pending`]: the in-memory buffer that keeps readings until storage has them, its retry
//!   schedule, and the storage keys.
//! * [`granularity`]: the effective energy step, what it means for power derived from
//!   1-minute deltas, and the 1-minute table.
//! * [`bundle`]: the support bundle — redaction by construction ([`redacted`]: [`Redactor`],
//!   [`Redacted`], over the `redact` crate), bounded JSON in and out, and a replay timeline.
//! * [`story`]: the story of a session for support staff — phases with times, the triage
//!   result, dongle facts, signal, scans, the trace by kind, a plain-language summary — from a
//!   support bundle or a pasted log; [`texts`]: its Japanese and English texts.
//! * [`support`]: the support line (code, step, dongle, signal, app version) a customer reads
//!   out, from the app's state or a story.
//!
//! CSV conventions (every CSV here): UTF-8 with BOM and CRLF line ends (Excel on Japanese
//! Windows opens it without mojibake, any CSV tool reads it), a header row in the UI language
//! with units in brackets, ISO 8601 timestamps in Japan time (`2026-11-26T09:00:05+09:00`),
//! exact decimals (`7531.3`, never `7531.299999`), raw counts beside scaled values, an empty
//! cell (not `0`) where there is no data, and text that came from the meter neutralised
//! against spreadsheet formula injection ([`csvfmt::neutralise`]).
//!
//! ```
//! use export::{csv_readings, CsvOptions, Lang, Record};
//! let rec = Record::lv(1_795_651_205_000, Some(-524), Some((75313, "7531.3")));
//! let bytes = csv_readings(&[rec], Lang::En, &CsvOptions::default());
//! let text = std::str::from_utf8(&bytes[3..]).unwrap();
//! assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
//! assert!(text.contains("2026-11-26T09:00:05+09:00,-524,,,7531.3,75313"));
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod bundle;
pub mod bundle_error;
mod bundle_j11;
pub mod bundle_scan;
pub mod csvfmt;
pub mod granularity;
pub mod history;
pub mod pending;
pub mod readings;
pub mod record;
pub mod redacted;
pub mod retention;
pub mod story;
pub mod support;
pub mod texts;
pub mod time;

pub use bundle::{
    Bundle, BundleBuilder, BundleError, InvalidBundle, InvalidKind, TimelineEntry, TimelineKind,
    TraceLine,
};
pub use csvfmt::neutralise;
pub use echonet::names::Lang;
pub use granularity::{diagnose, effective_step, minute_table, minute_table_csv, Granularity};
pub use history::{csv_history, HistoryDay, SlotConflict};
pub use readings::{csv_half_hours, csv_readings, csv_readings_hv, CsvOptions, MeterColumns};
pub use record::{Cell, Counter, MeterKind, Record, RecordKind, Scaling};
pub use redacted::{Redacted, Redactor};
