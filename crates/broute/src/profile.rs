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

    /// The profile as JSON (the one stored form).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Read a stored profile. The error names the rule that failed, never the input.
    pub fn from_json(text: &str) -> Result<Self, ProfileError> {
        serde_json::from_str(text).map_err(|e| {
            if e.is_data() {
                ProfileError::Invalid
            } else {
                ProfileError::NotJson
            }
        })
    }
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
struct Repr {
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
