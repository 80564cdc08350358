//! Small settings kept in `localStorage`: the pairing profile (never a credential), the polling
//! interval, and where the user was in the wizard.

use broute::PairingProfile;
use skstack::{Dialect, Mac};

const PROFILE: &str = "broute.profile";
const INTERVAL: &str = "broute.poll_interval_s";
const PLACE: &str = "broute.place";
const LANG: &str = "broute.lang";

use crate::platform::storage::{get, remove, set};

/// The profile as stored: channel, PAN ID, MAC, dialect, as a flat JSON object.
///
/// Written and read by hand: `serde_json`'s deserializer would add about 12 KB (gzipped) to the
/// page's first load for this one small object (docs/benchmarks.md).
pub fn profile_to_json(p: &PairingProfile) -> String {
    let mac: String = p.mac.0.iter().map(|b| format!("{b:02X}")).collect();
    let dialect = match p.dialect {
        Dialect::SingleHop => "single-hop",
        Dialect::DualStack => "dual-stack",
    };
    format!(
        "{{\"channel\":{},\"pan_id\":{},\"mac\":\"{mac}\",\"dialect\":\"{dialect}\"}}",
        p.channel, p.pan_id
    )
}

/// The value of `key` in a flat JSON object as `profile_to_json` writes it: a number, or a
/// string without escapes.
fn field<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let pattern = format!("\"{key}\":");
    let rest = json
        .get(json.find(&pattern)? + pattern.len()..)?
        .trim_start();
    match rest.strip_prefix('"') {
        Some(s) => s.split('"').next(),
        None => Some(rest.get(..rest.find([',', '}'])?)?.trim()),
    }
}

/// Parse a stored profile; `None` for anything malformed.
pub fn profile_from_json(s: &str) -> Option<PairingProfile> {
    let channel: u8 = field(s, "channel")?.parse().ok()?;
    let pan_id: u16 = field(s, "pan_id")?.parse().ok()?;
    let mac = Mac::parse(field(s, "mac")?.as_bytes())?;
    let dialect = match field(s, "dialect")? {
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
