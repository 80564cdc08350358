//! One module per page (and the parts of pages that have their own file).
pub mod bundle;
pub mod dashboard;
pub mod data;
pub mod demo;
pub mod lockout;
pub mod settings;
pub mod setup;
pub mod story;
pub mod trace;
pub mod triage;
