//! Small settings kept in `localStorage`: the pairing profile (never a credential), the polling
//! interval, where the user was in the wizard, the language, how long readings are kept and up
//! to when they were exported.

use broute::PairingProfile;

const PROFILE: &str = "broute.profile";
const INTERVAL: &str = "broute.poll_interval_s";
const PLACE: &str = "broute.place";
const LANG: &str = "broute.lang";
const KEEP_DAYS: &str = "broute.keep_days";
const EXPORTED: &str = "broute.exported_through_ms";

use crate::platform::storage::{get, remove, set};

/// The remembered pairing profile (its one form, `broute::PairingProfile`; the older
/// spellings still load).
pub fn profile() -> Option<PairingProfile> {
    PairingProfile::from_json(&get(PROFILE)?).ok()
}

/// Remember the pairing profile.
pub fn save_profile(p: &PairingProfile) {
    set(PROFILE, &p.to_json());
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

/// How long readings are kept (everything unless the user chose a number of days).
pub fn keep() -> export::retention::Keep {
    export::retention::Keep::from_days(get(KEEP_DAYS).and_then(|d| d.parse().ok()).unwrap_or(0))
}

/// Remember how long readings are kept.
pub fn save_keep(k: export::retention::Keep) {
    set(KEEP_DAYS, &k.days().to_string());
}

/// Every reading stamped at or before this time (epoch ms) has been exported to CSV.
pub fn exported_through() -> Option<i64> {
    get(EXPORTED)?.parse().ok()
}

/// Remember up to when readings have been exported.
pub fn save_exported_through(t_ms: i64) {
    set(EXPORTED, &t_ms.to_string());
}
