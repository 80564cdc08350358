//! Reusable view pieces.
pub mod chart;
