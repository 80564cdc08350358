//! One module per page.
pub mod dashboard;
pub mod data;
pub mod demo;
pub mod lockout;
pub mod settings;
pub mod setup;
pub mod trace;
pub mod triage;
