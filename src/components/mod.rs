//! Reusable view pieces.
pub mod announcer;
pub mod chart;
pub mod storage;
pub mod support_line;
