//! B-route credentials: the 32-character authentication ID and the 12-character password.
//!
//! Both are secrets. The types here never print their content: `Debug` and `Display` show a
//! redacted placeholder, validation errors name the rule and the 1-based character position
//! but never the character, and nothing in this crate copies them into an event or
//! diagnostic. The bytes are only reachable through the command encoder, which needs them on
//! the wire.
//!
//! Rules (`../shared/protocol.md` §E): the ID is exactly 32 and the password exactly 12 ASCII
//! letters or digits. Anything else — a space, CR, LF, control byte or non-ASCII character —
//! is refused, so no credential can ever inject a second command into a command line.

use core::fmt;

/// Why a credential was refused. Never contains the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialError {
    /// Wrong number of characters.
    Length {
        /// Which credential.
        which: CredentialKind,
        /// Required number of characters.
        expected: usize,
        /// Number of characters given.
        found: usize,
    },
    /// A character that is not an ASCII letter or digit.
    InvalidChar {
        /// Which credential.
        which: CredentialKind,
        /// 1-based character position of the first bad character.
        position: usize,
        /// What kind of character it was.
        class: CharClass,
    },
}

/// Which of the two credentials an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// The 32-character authentication ID (認証ID).
    Id,
    /// The 12-character password.
    Password,
}

/// The class of a refused character (tells the user what to fix without echoing it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharClass {
    /// Space or tab.
    Whitespace,
    /// CR, LF or another control character.
    Control,
    /// ASCII punctuation or symbol.
    Symbol,
    /// Not ASCII (full-width letters, kana, …).
    NonAscii,
}

impl CredentialError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Length {
                which: CredentialKind::Id,
                ..
            } => "credential.id.length",
            Self::Length {
                which: CredentialKind::Password,
                ..
            } => "credential.password.length",
            Self::InvalidChar {
                which: CredentialKind::Id,
                ..
            } => "credential.id.char",
            Self::InvalidChar {
                which: CredentialKind::Password,
                ..
            } => "credential.password.char",
        }
    }
}

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |w: &CredentialKind| match w {
            CredentialKind::Id => "authentication ID",
            CredentialKind::Password => "password",
        };
        match self {
            Self::Length {
                which,
                expected,
                found,
            } => {
                write!(
                    f,
                    "{} must be exactly {expected} characters, got {found}",
                    name(which)
                )
            }
            Self::InvalidChar {
                which,
                position,
                class,
            } => write!(
                f,
                "{}: character {position} is not an ASCII letter or digit ({})",
                name(which),
                match class {
                    CharClass::Whitespace => "space",
                    CharClass::Control => "control character",
                    CharClass::Symbol => "symbol",
                    CharClass::NonAscii => "non-ASCII character",
                }
            ),
        }
    }
}

impl std::error::Error for CredentialError {}

fn check<const N: usize>(s: &str, which: CredentialKind) -> Result<[u8; N], CredentialError> {
    for (i, c) in s.chars().enumerate() {
        if !c.is_ascii_alphanumeric() {
            let class = if c == ' ' || c == '\t' {
                CharClass::Whitespace
            } else if c.is_control() {
                CharClass::Control
            } else if c.is_ascii() {
                CharClass::Symbol
            } else {
                CharClass::NonAscii
            };
            return Err(CredentialError::InvalidChar {
                which,
                position: i + 1,
                class,
            });
        }
    }
    // All ASCII now, so bytes == chars.
    let b = s.as_bytes();
    if b.len() != N {
        return Err(CredentialError::Length {
            which,
            expected: N,
            found: b.len(),
        });
    }
    let mut out = [0u8; N];
    out.copy_from_slice(b);
    Ok(out)
}

/// The B-route authentication ID: exactly 32 ASCII letters/digits.
#[derive(Clone, PartialEq, Eq)]
pub struct RouteBId([u8; 32]);

impl RouteBId {
    /// Number of characters.
    pub const LEN: usize = 32;

    /// Validate an ID. Pass user input through [`normalize_input`] first.
    pub fn new(s: &str) -> Result<Self, CredentialError> {
        check::<32>(s, CredentialKind::Id).map(Self)
    }

    /// The Pairing ID derived from the ID: its last 8 characters. The module sends it in its
    /// beacon requests and the meter's `EPANDESC` shows it as `PairID` (§E), so it can be
    /// compared with scan results. It is a quarter of the secret: do not display it casually.
    pub fn pairing_id(&self) -> &str {
        core::str::from_utf8(&self.0[24..]).unwrap_or("")
    }

    pub(crate) fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The 32 bytes, for another protocol's encoder (J11 0x0054) or a salted hash. The one
    /// way out besides this crate's own encoder: never print, log or store what it returns.
    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for RouteBId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RouteBId(<redacted>)")
    }
}

impl fmt::Display for RouteBId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The B-route password: exactly 12 ASCII letters/digits.
#[derive(Clone, PartialEq, Eq)]
pub struct RouteBPassword([u8; 12]);

impl RouteBPassword {
    /// Number of characters.
    pub const LEN: usize = 12;

    /// Validate a password. Pass user input through [`normalize_input`] first.
    pub fn new(s: &str) -> Result<Self, CredentialError> {
        check::<12>(s, CredentialKind::Password).map(Self)
    }

    pub(crate) fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The 12 bytes, for another protocol's encoder (J11 0x0054) or a salted hash. The one
    /// way out besides this crate's own encoder: never print, log or store what it returns.
    pub fn expose_bytes(&self) -> &[u8; 12] {
        &self.0
    }
}

impl fmt::Debug for RouteBPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RouteBPassword(<redacted>)")
    }
}

impl fmt::Display for RouteBPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// User input after [`normalize_input`].
#[derive(Clone, PartialEq, Eq)]
pub struct Normalized {
    /// The input with spaces and hyphens removed.
    pub text: String,
    /// Number of characters left (compare with 32 or 12 to guide the user while typing).
    pub count: usize,
}

impl fmt::Debug for Normalized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Normalized")
            .field("text", &"<redacted>")
            .field("count", &self.count)
            .finish()
    }
}

/// Normalise a credential typed or pasted from the grid operator's letter: removes spaces
/// (ASCII space, tab, ideographic space U+3000) and hyphens (ASCII `-`, U+2010–U+2015,
/// U+2212 minus, U+FF0D full-width hyphen-minus) and nothing else — no case change, no character mapping — and counts what is left.
pub fn normalize_input(s: &str) -> Normalized {
    let text: String = s
        .chars()
        .filter(|c| {
            !matches!(
                c,
                ' ' | '\t' | '\u{3000}' | '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FF0D}'
            )
        })
        .collect();
    let count = text.chars().count();
    Normalized { text, count }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "00112233445566778899AABBCCDDEEFF";

    #[test]
    fn valid_credentials() {
        let id = RouteBId::new(ID).unwrap();
        assert_eq!(id.pairing_id(), "CCDDEEFF");
        assert_eq!(id.expose(), ID.as_bytes());
        let pw = RouteBPassword::new("0123456789AB").unwrap();
        assert_eq!(pw.expose(), b"0123456789AB");
    }

    #[test]
    fn debug_and_display_are_redacted() {
        let id = RouteBId::new(ID).unwrap();
        let pw = RouteBPassword::new("0123456789AB").unwrap();
        for s in [
            format!("{id:?}"),
            format!("{id}"),
            format!("{pw:?}"),
            format!("{pw}"),
        ] {
            assert!(!s.contains("0011") && !s.contains("0123"), "{s}");
            assert!(s.contains("redacted"));
        }
        let n = normalize_input("0123 4567 89AB");
        assert!(!format!("{n:?}").contains("0123"));
    }

    #[test]
    fn length_rule() {
        assert_eq!(
            RouteBId::new(&ID[..31]),
            Err(CredentialError::Length {
                which: CredentialKind::Id,
                expected: 32,
                found: 31
            })
        );
        assert_eq!(
            RouteBPassword::new("0123456789ABC"),
            Err(CredentialError::Length {
                which: CredentialKind::Password,
                expected: 12,
                found: 13
            })
        );
    }

    #[test]
    fn injection_is_refused_with_position() {
        let e = RouteBPassword::new("0123456789A\r").unwrap_err();
        assert_eq!(
            e,
            CredentialError::InvalidChar {
                which: CredentialKind::Password,
                position: 12,
                class: CharClass::Control
            }
        );
        assert!(!e.to_string().contains("0123"));
        assert_eq!(e.code(), "credential.password.char");
        let e = RouteBPassword::new("01234 6789AB").unwrap_err();
        assert!(matches!(
            e,
            CredentialError::InvalidChar {
                position: 6,
                class: CharClass::Whitespace,
                ..
            }
        ));
        let e = RouteBId::new("００112233445566778899AABBCCDDEEFF").unwrap_err();
        assert!(matches!(
            e,
            CredentialError::InvalidChar {
                position: 1,
                class: CharClass::NonAscii,
                ..
            }
        ));
        let e = RouteBPassword::new("0123456789A;").unwrap_err();
        assert!(matches!(
            e,
            CredentialError::InvalidChar {
                class: CharClass::Symbol,
                ..
            }
        ));
    }

    #[test]
    fn normalize_removes_spaces_and_hyphens_only() {
        let n = normalize_input(" 0011-2233 4455\u{3000}6677－8899aabb ccdd eeff ");
        assert_eq!(n.text, "00112233445566778899aabbccddeeff");
        assert_eq!(n.count, 32);
        let n = normalize_input("ab_c");
        assert_eq!(n.text, "ab_c");
        assert_eq!(n.count, 4);
    }
}

/// A redactor that hides these credentials — the ID, its Pairing ID (the last 8 characters)
/// and the password — in every form they can take in dongle output or a log (text, hex of
/// their ASCII, with separators; any case), on top of the keyword rules (`SKSETPWD`,
/// `SKSETRBID`, J11 credential frames, the PANA identity, `PairID`). See the `redact` crate.
pub fn credential_redactor(id: &RouteBId, password: &RouteBPassword) -> redact::Redactor {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    redact::Redactor::new().with_credentials(&text(id.expose()), &text(password.expose()))
}

#[cfg(test)]
mod redactor_tests {
    use super::*;

    #[test]
    fn hides_text_hex_and_pairing_id_in_any_case() {
        let id = RouteBId::new("0000004F3A210000000000000A18C3D7").unwrap();
        let pw = RouteBPassword::new("K7QX3M9PA2TB").unwrap();
        let r = credential_redactor(&id, &pw);
        let id_hex: String = "0000004F3A210000000000000A18C3D7"
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect();
        let text = format!(
            "SM0000004f3a210000000000000a18c3d7 pw k7qx3m9pa2tb hex {id_hex} PairID:0A18C3D7 ok"
        );
        let out = r.redact(&text);
        for secret in ["0000004F3A21", "K7QX3M9PA2TB", "0A18C3D7", "30303030"] {
            assert!(!out.to_ascii_uppercase().contains(secret), "{out}");
        }
        assert!(out.ends_with(" ok"));
        assert_eq!(
            format!("{r:?}"),
            "Redactor { secrets: 3, addresses: false }"
        );
        assert_eq!(r.redact("EVER 1.2.10 – 日本語"), "EVER 1.2.10 – 日本語");
    }
}
