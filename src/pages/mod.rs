//! One module per page.
pub mod start;
