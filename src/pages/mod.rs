//! One module per page.
pub mod dashboard;
pub mod data;
pub mod settings;
pub mod setup;
pub mod story;
pub mod trace;
pub mod triage;
