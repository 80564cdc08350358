//! The pairing profile: what lets a reconnect skip the scan, and its one serde form.
//!
//! ```json
//! {"channel": 59, "pan_id": 34952, "mac": "001D129100040B0A", "dialect": "single-hop"}
//! ```
//!
//! `dialect` is `single-hop`, `dual-stack` or `j11`; the older spellings `single_hop` /
//! `dual_stack` (the CLI's profile files before the J11 driver) still load. The channel is in
//! the dongle's own numbering (SKSTACK 0x21–0x3C, J11 0x04–0x11) and is checked against the
//! dialect; for J11 only the channel is needed to resume, but PAN ID and MAC are kept too.
//!
//! One form, two ways in: the serde derives (the CLI's files, the support bundle) and
//! [`PairingProfile::to_json`] / [`PairingProfile::from_json`], written by hand so that the web
//! page can store its profile without `serde_json`'s deserializer (about 12 KB gzipped of the
//! first load). Tests hold the two to the same text and the same acceptance.

use std::net::Ipv6Addr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use skstack::Mac;

use crate::types::Dialect;

/// The values that let a reconnect skip the scan. Never holds a credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Repr")]
pub struct PairingProfile {
    /// Channel, in the dongle's own numbering.
    pub channel: u8,
    /// PAN ID.
    pub pan_id: u16,
    /// The meter's MAC (16 hex digits).
    #[serde(serialize_with = "mac_to_hex")]
    pub mac: Mac,
    /// The dongle's dialect.
    pub dialect: Dialect,
}

impl PairingProfile {
    /// The meter's link-local address.
    pub fn address(&self) -> Ipv6Addr {
        self.mac.link_local()
    }

    /// The profile as JSON: exactly what the serde form writes (`serde_json::to_string`).
    pub fn to_json(&self) -> String {
        format!(
            "{{\"channel\":{},\"pan_id\":{},\"mac\":\"{}\",\"dialect\":\"{}\"}}",
            self.channel,
            self.pan_id,
            self.mac,
            self.dialect.name()
        )
    }

    /// Read a stored profile: a flat JSON object with the four fields in any order (other
    /// fields ignored, as serde does). The error names the rule that failed, never the input.
    pub fn from_json(text: &str) -> Result<Self, ProfileError> {
        let fields = flat_object(text).ok_or(ProfileError::NotJson)?;
        let get = |k: &str| {
            fields
                .iter()
                .rev()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| *v)
        };
        let number = |k: &str| match get(k) {
            Some(Value::Number(n)) => Some(n),
            _ => None,
        };
        let string = |k: &str| match get(k) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        };
        let repr = (|| {
            Some(Repr {
                channel: u8::try_from(number("channel")?).ok()?,
                pan_id: u16::try_from(number("pan_id")?).ok()?,
                mac: Mac::parse(string("mac")?.as_bytes())?,
                dialect: match string("dialect")? {
                    "single-hop" | "single_hop" => Dialect::SingleHop,
                    "dual-stack" | "dual_stack" => Dialect::DualStack,
                    "j11" => Dialect::J11,
                    _ => return None,
                },
            })
        })()
        .ok_or(ProfileError::Invalid)?;
        Self::try_from(repr).map_err(|_| ProfileError::Invalid)
    }
}

/// A value of a flat JSON object: what a stored profile holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value<'a> {
    Number(u64),
    Str(&'a str),
    Other,
}

/// Parse `{"key": value, …}` where values are unsigned integers, strings without escapes,
/// `true`/`false`/`null`; `None` for anything else (nested values, escapes, trailing text).
fn flat_object(text: &str) -> Option<Vec<(&str, Value<'_>)>> {
    let mut rest = text.trim().strip_prefix('{')?.trim_start();
    let mut out = Vec::new();
    if let Some(r) = rest.strip_prefix('}') {
        return r.trim().is_empty().then_some(out);
    }
    loop {
        let (key, r) = string(rest)?;
        let r = r.trim_start().strip_prefix(':')?.trim_start();
        let (value, r) = if r.starts_with('"') {
            let (s, r) = string(r)?;
            (Value::Str(s), r)
        } else {
            let end = r
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(r.len());
            let (word, r) = r.split_at(end);
            let v = match word {
                "true" | "false" | "null" => Value::Other,
                w if !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()) => {
                    Value::Number(w.parse().ok()?)
                }
                _ => return None,
            };
            (v, r)
        };
        out.push((key, value));
        let r = r.trim_start();
        if let Some(r) = r.strip_prefix(',') {
            rest = r.trim_start();
        } else {
            return r.strip_prefix('}')?.trim().is_empty().then_some(out);
        }
        if out.len() > 16 {
            return None;
        }
    }
}

/// A JSON string without escapes at the start of `s`: its content and the rest.
fn string(s: &str) -> Option<(&str, &str)> {
    let s = s.strip_prefix('"')?;
    let end = s.find('"')?;
    let content = &s[..end];
    (!content.contains('\\')).then_some((content, &s[end + 1..]))
}

/// Why a stored profile could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileError {
    /// The text is not JSON.
    NotJson,
    /// A field is missing or out of range (channel for the dialect, PAN ID, 16-digit MAC).
    Invalid,
}

impl core::fmt::Display for ProfileError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::NotJson => "the pairing profile is not JSON",
            Self::Invalid => {
                "the pairing profile needs channel (for the dialect), pan_id, mac (16 hex digits) \
                 and dialect (single-hop, dual-stack or j11)"
            }
        })
    }
}

impl std::error::Error for ProfileError {}

fn mac_to_hex<S: Serializer>(mac: &Mac, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&mac.to_string())
}

#[derive(Deserialize)]
pub(crate) struct Repr {
    channel: u8,
    pan_id: u16,
    #[serde(deserialize_with = "mac_from_hex")]
    mac: Mac,
    dialect: Dialect,
}

fn mac_from_hex<'de, D: Deserializer<'de>>(d: D) -> Result<Mac, D::Error> {
    let s = String::deserialize(d)?;
    Mac::parse(s.as_bytes()).ok_or_else(|| serde::de::Error::custom("mac must be 16 hex digits"))
}

impl TryFrom<Repr> for PairingProfile {
    type Error = &'static str;

    fn try_from(r: Repr) -> Result<Self, Self::Error> {
        if !r.dialect.valid_channel(r.channel) {
            return Err("channel out of range for the dialect");
        }
        Ok(Self {
            channel: r.channel,
            pan_id: r.pan_id,
            mac: r.mac,
            dialect: r.dialect,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PairingProfile {
        PairingProfile {
            channel: 0x3B,
            pan_id: 0x8888,
            mac: Mac::parse(b"001D129100040B0A").unwrap(),
            dialect: Dialect::DualStack,
        }
    }

    #[test]
    fn the_hand_written_form_is_the_serde_form() {
        for dialect in [Dialect::SingleHop, Dialect::DualStack, Dialect::J11] {
            let p = PairingProfile {
                channel: if dialect == Dialect::J11 { 0x11 } else { 0x21 },
                pan_id: 0xFFFF,
                mac: Mac::parse(b"C0F9450040123456").unwrap(),
                dialect,
            };
            assert_eq!(p.to_json(), serde_json::to_string(&p).unwrap());
            let pretty = serde_json::to_string_pretty(&p).unwrap();
            assert_eq!(PairingProfile::from_json(&pretty), Ok(p.clone()));
            let back: PairingProfile = serde_json::from_str(&p.to_json()).unwrap();
            assert_eq!(back, p);
        }
        // Both ways refuse the same junk.
        for junk in [
            r#"{"channel":59,"pan_id":1,"mac":"001D129100040B0A","dialect":"single-hop"} x"#,
            r#"{"channel":-1,"pan_id":1,"mac":"001D129100040B0A","dialect":"single-hop"}"#,
            r#"{"channel":59.5,"pan_id":1,"mac":"001D129100040B0A","dialect":"single-hop"}"#,
            r#"{"channel":"59","pan_id":1,"mac":"001D129100040B0A","dialect":"single-hop"}"#,
            r#"[59]"#,
        ] {
            assert!(PairingProfile::from_json(junk).is_err(), "{junk}");
            assert!(
                serde_json::from_str::<PairingProfile>(junk).is_err(),
                "{junk}"
            );
        }
        // Unknown fields are ignored by both.
        let extra = r#"{"note":"x","channel":59,"pan_id":1,"mac":"001D129100040B0A","dialect":"j11x","ok":true}"#;
        assert!(PairingProfile::from_json(extra).is_err());
        let extra = r#"{"note":"x","channel":59,"pan_id":1,"mac":"001D129100040B0A","dialect":"single-hop","ok":true}"#;
        assert_eq!(
            PairingProfile::from_json(extra).ok(),
            serde_json::from_str::<PairingProfile>(extra).ok()
        );
    }

    #[test]
    fn round_trip_in_the_one_form() {
        let p = sample();
        let json = p.to_json();
        assert_eq!(
            json,
            r#"{"channel":59,"pan_id":34952,"mac":"001D129100040B0A","dialect":"dual-stack"}"#
        );
        assert_eq!(PairingProfile::from_json(&json), Ok(p));
        let j11 = PairingProfile {
            channel: 0x0C,
            dialect: Dialect::J11,
            ..sample()
        };
        assert_eq!(PairingProfile::from_json(&j11.to_json()), Ok(j11));
    }

    #[test]
    fn old_spellings_still_load() {
        // The app's localStorage form (kebab-case) and the CLI's file form (snake_case).
        let app =
            r#"{"channel":59,"pan_id":34952,"mac":"001D129100040B0A","dialect":"single-hop"}"#;
        let cli = "{\n  \"channel\": 59,\n  \"dialect\": \"dual_stack\",\n  \"mac\": \"001D129100040B0A\",\n  \"pan_id\": 34952\n}\n";
        assert_eq!(
            PairingProfile::from_json(app).unwrap().dialect,
            Dialect::SingleHop
        );
        assert_eq!(PairingProfile::from_json(cli), Ok(sample()));
    }

    #[test]
    fn bad_profiles_are_refused_without_quoting_them() {
        for bad in [
            "",
            "{",
            r#"{"channel":59}"#,
            r#"{"channel":5,"pan_id":1,"mac":"001D129100040B0A","dialect":"single-hop"}"#,
            r#"{"channel":59,"pan_id":1,"mac":"001D129100040B0A","dialect":"j11"}"#,
            r#"{"channel":59,"pan_id":70000,"mac":"001D129100040B0A","dialect":"single-hop"}"#,
            r#"{"channel":59,"pan_id":1,"mac":"SECRETSECRET","dialect":"single-hop"}"#,
            r#"{"channel":59,"pan_id":1,"mac":"001D129100040B0A","dialect":"bp35"}"#,
        ] {
            let e = PairingProfile::from_json(bad).unwrap_err();
            assert!(!e.to_string().contains("SECRET"), "{e}");
        }
    }
}
