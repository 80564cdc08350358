//! One module per page.
pub mod dashboard;
pub mod settings;
pub mod setup;
pub mod trace;
