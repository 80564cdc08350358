//! Small settings kept in `localStorage`: the pairing profile (never a credential), the polling
//! interval, and where the user was in the wizard.

use broute::PairingProfile;
use serde_json::{json, Value};
use skstack::{Dialect, Mac};

const PROFILE: &str = "broute.profile";
const INTERVAL: &str = "broute.poll_interval_s";
const PLACE: &str = "broute.place";
const LANG: &str = "broute.lang";

use crate::platform::storage::{get, remove, set};

/// The profile as stored: channel, PAN ID, MAC, dialect.
pub fn profile_to_json(p: &PairingProfile) -> String {
    let mac: String = p.mac.0.iter().map(|b| format!("{b:02X}")).collect();
    json!({
        "channel": p.channel,
        "pan_id": p.pan_id,
        "mac": mac,
        "dialect": match p.dialect { Dialect::SingleHop => "single-hop", Dialect::DualStack => "dual-stack" },
    })
    .to_string()
}

/// Parse a stored profile; `None` for anything malformed.
pub fn profile_from_json(s: &str) -> Option<PairingProfile> {
    let v: Value = serde_json::from_str(s).ok()?;
    let channel = u8::try_from(v.get("channel")?.as_u64()?).ok()?;
    let pan_id = u16::try_from(v.get("pan_id")?.as_u64()?).ok()?;
    let mac = Mac::parse(v.get("mac")?.as_str()?.as_bytes())?;
    let dialect = match v.get("dialect")?.as_str()? {
        "single-hop" => Dialect::SingleHop,
        "dual-stack" => Dialect::DualStack,
        _ => return None,
    };
    (0x21..=0x3C).contains(&channel).then_some(PairingProfile {
        channel,
        pan_id,
        mac,
        dialect,
    })
}

/// The remembered pairing profile.
pub fn profile() -> Option<PairingProfile> {
    profile_from_json(&get(PROFILE)?)
}

/// Remember the pairing profile.
pub fn save_profile(p: &PairingProfile) {
    set(PROFILE, &profile_to_json(p));
}

/// Forget the pairing profile.
pub fn forget_profile() {
    remove(PROFILE);
}

/// The polling interval chosen in the settings, seconds.
pub fn poll_interval_secs() -> Option<u64> {
    get(INTERVAL)?
        .parse()
        .ok()
        .filter(|s| (5..=3600).contains(s))
}

/// Remember the polling interval.
pub fn save_poll_interval_secs(s: u64) {
    set(INTERVAL, &s.to_string());
}

/// Where the user was: `"real"` or `"demo:<preset>"`, kept so a reload can offer to continue.
pub fn place() -> Option<String> {
    get(PLACE)
}

/// Remember where the user is.
pub fn save_place(p: &str) {
    set(PLACE, p);
}

/// Forget where the user was.
pub fn forget_place() {
    remove(PLACE);
}

/// The language the user chose with the header buttons (`"ja"` or `"en"`), if any.
pub fn lang() -> Option<String> {
    get(LANG).filter(|l| l == "ja" || l == "en")
}

/// Remember the language the user chose.
pub fn save_lang(l: &str) {
    set(LANG, l);
}
