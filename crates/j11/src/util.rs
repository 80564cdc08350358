//! Small shared helpers.

use core::fmt;

/// Shows bytes as upper-case hex without separators.
pub(crate) struct Hex<'a>(pub &'a [u8]);

impl fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

/// Big-endian u16 at `at`, if present.
pub(crate) fn be16(b: &[u8], at: usize) -> Option<u16> {
    match b.get(at..at.checked_add(2)?) {
        Some(&[x, y]) => Some(u16::from_be_bytes([x, y])),
        _ => None,
    }
}

/// `N` bytes at `at`, if present.
pub(crate) fn array<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// A byte-valued enum with a catch-all `Other(u8)` (smoltcp's `enum_with_unknown!`).
macro_rules! enum_with_unknown {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:expr ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// Any other value.
            Other(u8),
        }

        impl $name {
            /// The value of a byte.
            pub fn from_u8(b: u8) -> Self {
                match b {
                    $( $value => Self::$variant, )+
                    other => Self::Other(other),
                }
            }

            /// The byte.
            pub fn to_u8(self) -> u8 {
                match self {
                    $( Self::$variant => $value, )+
                    Self::Other(b) => b,
                }
            }
        }
    };
}
pub(crate) use enum_with_unknown;

#[cfg(test)]
pub(crate) mod tests {
    /// Bytes from hex text; spaces are ignored.
    pub(crate) fn hex(s: &str) -> Vec<u8> {
        let d: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        d.chunks(2)
            .map(|p| u8::from_str_radix(core::str::from_utf8(p).unwrap(), 16).unwrap())
            .collect()
    }

    /// A module → host frame with correct sums.
    pub(crate) fn resp(command: u16, data: &[u8]) -> Vec<u8> {
        crate::frame::Repr {
            direction: crate::frame::Direction::Response,
            command,
            data,
        }
        .to_bytes()
        .unwrap()
    }
}
