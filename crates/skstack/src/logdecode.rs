//! Serial-log decoder (placeholder while the framer lands).
