//! Reusable view pieces.
pub mod announcer;
pub mod chart;
pub mod support_line;
