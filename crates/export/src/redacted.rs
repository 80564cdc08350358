//! Redacted text and the support bundle's redactor.
//!
//! Every piece of text in a [`crate::Bundle`] is a [`Redacted`], and the only ways to make one
//! run the `redact` crate's rules with address hiding on: [`Redactor::redact`] (with the user's
//! credentials known) and deserialisation (the rules again, without known secrets, so a bundle
//! edited by hand or made by another tool is cleaned when it is opened). See the `redact` crate
//! for the rules: credential arguments, J11 credential frames, the PANA identity, `PairID`
//! values, known secrets in every form, IPv6 addresses, EUI-64s, MACs and 32-digit tokens.

use core::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Text that has been through the redactor. There is no other way to make one.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Redacted(String);

impl Redacted {
    /// The redacted text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl Serialize for Redacted {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Redacted {
    /// Runs the rules again (one linear pass): text from a file is never trusted.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(reading_rules().redact(&s))
    }
}

/// The rules applied to text read from a file (built once).
fn reading_rules() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(Redactor::new)
}

/// The bundle's redactor: the `redact` crate's rules with address hiding on, plus the secrets
/// given. `Debug` shows only counts.
#[derive(Clone)]
pub struct Redactor(redact::Redactor);

impl Default for Redactor {
    fn default() -> Self {
        Redactor::new()
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl Redactor {
    /// The keyword and address rules (no secret known).
    pub fn new() -> Redactor {
        Redactor(redact::Redactor::new().with_addresses(true))
    }

    /// Also hide `secret` wherever it appears (text or hex of its ASCII, any case, with
    /// separators). Secrets shorter than [`redact::MIN_SECRET_LEN`] characters are ignored.
    pub fn with_secret(self, secret: &str) -> Redactor {
        Redactor(self.0.with_secret(secret))
    }

    /// Hide the B-route ID (and its Pairing ID, the last 8 characters) and the password.
    pub fn with_credentials(self, id: &str, password: &str) -> Redactor {
        Redactor(self.0.with_credentials(id, password))
    }

    /// Redact `text` (one linear pass; should a known secret survive, the whole text goes).
    pub fn redact(&self, text: &str) -> Redacted {
        Redacted(self.0.redact(text))
    }

    /// Redact raw bytes in one go.
    pub fn redact_bytes(&self, bytes: &[u8]) -> Vec<u8> {
        self.0.redact_bytes(bytes)
    }

    /// A stream for raw serial bytes: the known secrets and the keyword rules, but addresses
    /// kept (the log decoder needs them to read the lines; the text is redacted in full
    /// afterwards).
    pub(crate) fn raw_stream(&self) -> redact::Stream {
        self.0.clone().with_addresses(false).stream()
    }
}

#[cfg(test)]
mod test {
    use super::*;

    const ID: &str = "0000004F3A210000000000000A18C3D7";
    const PW: &str = "K7QX3M9PA2TB";

    fn hex(s: &str) -> String {
        s.bytes().map(|b| format!("{b:02X}")).collect()
    }

    #[test]
    fn generic_rules() {
        let r = Redactor::new();
        let cases = [
            ("SKSETPWD C K7QX3M9PA2TB", "SKSETPWD C <redacted>"),
            ("sksetpwd c K7QX3M9PA2TB", "sksetpwd c <redacted>"),
            (
                "SKSETRBID 0000004F3A210000000000000A18C3D7\r",
                "SKSETRBID <redacted>\r",
            ),
            (
                "EVENT 21 FE80:0000:0000:0000:021C:6400:03DD:6393 00",
                "EVENT 21 FE80::XXXX 00",
            ),
            ("SKJOIN fe80::21c:6400:3dd:6393", "SKJOIN FE80::XXXX"),
            (
                r#"{"name":"SKSETPWD","len":"C"}"#,
                r#"{"name":"SKSETPWD","len":"C"}"#,
            ),
            (
                r#""SKSETPWD C K7QX3M9PA2TB" sent"#,
                r#""SKSETPWD C <redacted>" sent"#,
            ),
            ("to 2001:db8::1.", "to <ipv6>."),
            ("  Addr:001C6400030C12EE", "  Addr:<mac>"),
            ("  PairID:0A18C3D7", "  PairID:<redacted>"),
            (r#"{"pair_id":"0A18C3D7"}"#, r#"{"pair_id":"<redacted>"}"#),
            ("mac 00:1C:64:00:03:0C:12:EE", "mac <ipv6>"),
            (
                "09:00:05 12:30 broute::Cause 0E1A",
                "09:00:05 12:30 broute::Cause 0E1A",
            ),
            ("SM0000004F3A210000000000000A18C3D7xy", "SM<redacted>xy"),
            (
                "1081000105FF010288016202E700E800",
                "1081000105FF010288016202E700E800",
            ),
        ];
        for (i, o) in cases {
            assert_eq!(r.redact(i).as_str(), o, "{i}");
        }
        let out = r.redact(&format!("ERXUDP x 00534D{}FF", hex(ID)));
        assert_eq!(out.as_str(), "ERXUDP x 00534D<redacted>FF");
        // Raw bytes: a J11 credential frame (j11.md §4, F5, with this ID and password).
        let mut frame = vec![
            0xD0, 0xEA, 0x83, 0xFC, 0x00, 0x54, 0x00, 0x30, 0x03, 0xBD, 0, 0,
        ];
        frame.extend(ID.bytes().chain(PW.bytes()));
        let out = r.redact_bytes(&frame);
        assert_eq!(&out[..10], &frame[..10]);
        assert_eq!(&out[10..], b"<redacted>");
    }

    #[test]
    fn secrets_any_form() {
        let r = Redactor::new().with_credentials(ID, PW);
        let id_hex = hex(ID);
        for t in [
            format!("id is {ID}!"),
            format!("id is {}", ID.to_lowercase()),
            format!("pw={PW};"),
            format!("pw={}", PW.to_lowercase()),
            "0A18C3D7 is the pairing id".to_string(),
            format!("hex {id_hex}"),
            format!("hex {}", id_hex.to_lowercase()),
            "pw K7QX 3M9P A2TB spaced".to_string(),
            "4B:37:51:58:33:4D:39:50:41:32:54:42".to_string(),
        ] {
            let out = r.redact(&t);
            let up = out.as_str().to_ascii_uppercase();
            for s in [ID, PW, "0A18C3D7", &id_hex] {
                assert!(!up.contains(s), "{t} → {out}");
            }
            assert!(out.as_str().contains("<redacted>"), "{out}");
        }
        assert_eq!(r.redact("nothing here").as_str(), "nothing here");
        assert_eq!(format!("{r:?}"), "Redactor { secrets: 3, addresses: true }");
    }
}
