//! The credentials as the J11 module takes them (`shared/j11.md` §2, 0x0054 and 0x0051): the
//! 32-character ID in hex digits 0–9 A–F (lower-case ones are upper-cased, other letters
//! refused), the 12-character password as given (the module upper-cases it), and the pairing
//! ID, the last 8 characters of the ID.
//!
//! The bytes come from the validated [`RouteBId`] and [`RouteBPassword`] of `skstack`
//! (`expose_bytes`, the one way out besides its own encoder; a test checks the ROHM sample
//! frame F5 byte for byte). Nothing here prints them.

use core::fmt;

use skstack::{RouteBId, RouteBPassword};

use crate::error::Error;
use crate::request::RequestKind;
use crate::util::array;

/// The pairing ID: the last 8 characters of the (upper-cased) B-route ID. A quarter of the
/// secret: `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct PairingId([u8; 8]);

impl PairingId {
    /// The pairing ID of a B-route ID (refuses IDs with non-hex characters).
    pub fn from_id(id: &RouteBId) -> Result<Self, Error> {
        let id = hex_id(id)?;
        array::<8>(&id, 24).map(Self).ok_or(Error::InvalidArgument {
            request: RequestKind::ActiveScan,
            what: "ID too short",
        })
    }

    /// The 8 characters.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("")
    }

    pub(crate) fn as_bytes(&self) -> &[u8; 8] {
        &self.0
    }

    pub(crate) fn parse(b: [u8; 8]) -> Option<Self> {
        b.iter().all(|&c| is_id_char(c)).then_some(Self(b))
    }
}

impl fmt::Debug for PairingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PairingId(<redacted>)")
    }
}

/// A character the J11 module takes in an ID: 0–9, A–F.
pub(crate) fn is_id_char(c: u8) -> bool {
    matches!(c, b'0'..=b'9' | b'A'..=b'F')
}

/// The ID as the J11 module wants it: 32 characters 0–9 A–F, lower-case hex upper-cased.
pub(crate) fn hex_id(id: &RouteBId) -> Result<[u8; 32], Error> {
    let mut b = *id.expose_bytes();
    for (i, c) in b.iter_mut().enumerate() {
        c.make_ascii_uppercase();
        if !is_id_char(*c) {
            return Err(Error::IdNotHex { position: i + 1 });
        }
    }
    Ok(b)
}

pub(crate) fn password_bytes(pw: &RouteBPassword) -> Result<[u8; 12], Error> {
    Ok(*pw.expose_bytes())
}
