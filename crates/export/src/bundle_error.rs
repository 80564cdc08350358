//! Why a support bundle could not be opened: typed errors with a position and a category,
//! never a quote of the bundle (serde_json's messages can echo the input; they are dropped).

use core::fmt;

use crate::bundle::{BUNDLE_VERSION, MAX_BUNDLE_BYTES};

/// Why a bundle could not be opened. Never quotes the bundle: a position and a category only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BundleError {
    /// Larger than [`MAX_BUNDLE_BYTES`] (the size given).
    TooLarge(usize),
    /// Not a bundle.
    Invalid(InvalidBundle),
    /// Made by a newer version of the app (or an impossible version 0).
    Version(u32),
}

/// Where and how a bundle is malformed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidBundle {
    /// What is wrong.
    pub kind: InvalidKind,
    /// 1-based line of the problem (0 when unknown).
    pub line: usize,
    /// 1-based column (byte) of the problem (0 when unknown).
    pub column: usize,
}

/// What is wrong with a malformed bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidKind {
    /// Not UTF-8 text.
    Encoding,
    /// Not JSON.
    Syntax,
    /// The text ends in the middle of the JSON.
    Truncated,
    /// JSON, but not shaped like a bundle (a field missing or of the wrong type).
    Shape,
}

impl InvalidKind {
    fn text(self) -> &'static str {
        match self {
            Self::Encoding => "not UTF-8 text",
            Self::Syntax => "not JSON",
            Self::Truncated => "the file ends too early",
            Self::Shape => "JSON, but not a support bundle",
        }
    }
}

impl InvalidBundle {
    /// Category and position of a JSON error; its message (which can quote the input) is
    /// dropped.
    pub(crate) fn from_json_error(e: &serde_json::Error) -> InvalidBundle {
        use serde_json::error::Category;
        let kind = match e.classify() {
            Category::Eof => InvalidKind::Truncated,
            Category::Data => InvalidKind::Shape,
            Category::Syntax | Category::Io => InvalidKind::Syntax,
        };
        InvalidBundle {
            kind,
            line: e.line(),
            column: e.column(),
        }
    }
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge(n) => {
                write!(f, "bundle too large ({n} bytes, limit {MAX_BUNDLE_BYTES})")
            }
            Self::Invalid(e) => write!(
                f,
                "not a support bundle: {} (line {}, column {})",
                e.kind.text(),
                e.line,
                e.column
            ),
            Self::Version(v) => write!(
                f,
                "bundle version {v} is not one this app reads (1 to {BUNDLE_VERSION})"
            ),
        }
    }
}

impl std::error::Error for BundleError {}
