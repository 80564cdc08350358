//! The support line: one short line a customer can read out on the phone or copy into a
//! message — support code, wizard step, dongle family and firmware, signal, app version — in
//! the user's language.
//!
//! The app builds it from its live state ([`SupportLine::with_dongle`] and the fields), the CLI
//! from a support bundle's story ([`SupportLine::from_story`]); both print [`SupportLine::text`].
//!
//! ```
//! use export::support::SupportLine;
//! use export::Lang;
//! use broute::wizard::WizardStep;
//! let line = SupportLine {
//!     code: Some("BR-30".into()),
//!     step: Some(WizardStep::Join),
//!     family: Some("BP35C0 / BP35C2 / RS-WSUHA-P".into()),
//!     firmware: Some("1.5.2".into()),
//!     rssi_dbm: Some(-68),
//!     lqi: None,
//!     app_version: "0.1.0".into(),
//! };
//! assert_eq!(
//!     line.text(Lang::Ja),
//!     "サポートコード BR-30｜手順 6/7 認証｜ドングル BP35C0/BP35C2/RS-WSUHA-P（EVER 1.5.2）｜電波 \u{2212}68 dBm（良好）｜アプリ 0.1.0"
//! );
//! assert_eq!(
//!     line.text(Lang::En),
//!     "Support code BR-30 | Step 6/7 Join | Dongle BP35C0/BP35C2/RS-WSUHA-P (EVER 1.5.2) | Signal \u{2212}68 dBm (good) | App 0.1.0"
//! );
//! ```

use broute::readout::SignalQuality;
use broute::wizard::WizardStep;
use broute::{DongleInfo, Instant, Phase};

use crate::story::Story;
use crate::texts::{self, signed, Lang};

/// What the support line says. Every part but the app version may be unknown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SupportLine {
    /// Support code of the current problem (`BR-30`), if any.
    pub code: Option<String>,
    /// Where the wizard is (or where it stopped).
    pub step: Option<WizardStep>,
    /// Dongle family (`DongleInfo::family()`).
    pub family: Option<String>,
    /// Firmware (`DongleInfo::firmware()`: `1.5.2 rev26e`, `J11 1.3 rev 158A`).
    pub firmware: Option<String>,
    /// Latest RSSI, dBm.
    pub rssi_dbm: Option<i64>,
    /// Latest LQI (used when no RSSI is known).
    pub lqi: Option<u8>,
    /// The app's version.
    pub app_version: String,
}

/// RSSI estimated from an LQI (0.275 × LQI − 104.27, rounded; integers only).
fn rssi_of_lqi(lqi: u8) -> i64 {
    (275 * i64::from(lqi) - 104_270 + 500).div_euclid(1000)
}

impl SupportLine {
    /// Take the family and firmware of an identified dongle.
    pub fn with_dongle(mut self, d: &DongleInfo) -> Self {
        self.family = Some(d.family().to_string());
        let fw = d.firmware();
        self.firmware = (!fw.trim().is_empty()).then(|| fw.trim().to_string());
        self
    }

    /// The line of a support bundle's (or a log's) story: the unresolved cause, the step the
    /// session reached, the dongle, the latest signal.
    pub fn from_story(s: &Story, app_version: &str) -> Self {
        let history: Vec<(Instant, Phase)> = s
            .phases
            .iter()
            .filter_map(|p| Phase::from_name(&p.phase))
            .map(|p| (Instant(0), p))
            .collect();
        let step = history
            .last()
            .map(|(_, p)| WizardStep::derive(*p, false, &history));
        Self {
            code: s
                .triage
                .as_ref()
                .filter(|t| !t.recovered && !t.code.is_empty())
                .map(|t| t.code.clone()),
            step,
            family: s.dongle.family.clone(),
            firmware: s.dongle.firmware.clone(),
            rssi_dbm: s.signal.iter().rev().find_map(|x| x.rssi_dbm),
            lqi: s.signal.iter().rev().find_map(|x| x.lqi),
            app_version: app_version.to_string(),
        }
    }

    /// The line in `lang`: parts separated by 「｜」 in Japanese and ` | ` in English.
    pub fn text(&self, lang: Lang) -> String {
        let ja = lang == Lang::Ja;
        let pick = |j: &'static str, e: &'static str| lang.pick(j, e);
        let paren = |s: &str| {
            if ja {
                format!("（{s}）")
            } else {
                format!(" ({s})")
            }
        };
        let mut parts = Vec::with_capacity(5);
        parts.push(format!(
            "{} {}",
            pick("サポートコード", "Support code"),
            self.code.as_deref().unwrap_or(pick("なし", "none"))
        ));
        if let Some(s) = self.step {
            parts.push(format!(
                "{} {}/7 {}",
                pick("手順", "Step"),
                s.number(),
                texts::step(s).get(lang)
            ));
        }
        parts.push(match (&self.family, &self.firmware) {
            (None, None) => pick("ドングル 未確認", "Dongle not identified").to_string(),
            (family, fw) => {
                let fw = fw.as_deref().map(|f| {
                    paren(&if f.starts_with("J11") {
                        f.to_string()
                    } else {
                        format!("EVER {f}")
                    })
                });
                format!(
                    "{} {}{}",
                    pick("ドングル", "Dongle"),
                    family.as_deref().unwrap_or("?").replace(" / ", "/"),
                    fw.unwrap_or_default()
                )
            }
        });
        let rssi = self.rssi_dbm.or(self.lqi.map(rssi_of_lqi));
        let q = SignalQuality::from_rssi(rssi.map(|r| r.clamp(-200, 0) as i16));
        let q = texts::quality(q);
        parts.push(match (self.rssi_dbm, self.lqi) {
            (Some(r), _) => format!(
                "{} {} dBm{}",
                pick("電波", "Signal"),
                signed(r),
                paren(q.get(lang))
            ),
            (None, Some(l)) => format!("{} LQI {l}{}", pick("電波", "Signal"), paren(q.get(lang))),
            (None, None) => format!("{} {}", pick("電波", "Signal"), q.get(lang)),
        });
        parts.push(format!("{} {}", pick("アプリ", "App"), self.app_version));
        parts.join(pick("｜", " | "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lqi_estimate_matches_the_formula() {
        for (lqi, want) in [(0u8, -104), (85, -81), (100, -77), (255, -34)] {
            assert_eq!(rssi_of_lqi(lqi), want, "LQI {lqi}");
        }
    }

    #[test]
    fn unknowns_are_said_plainly() {
        let line = SupportLine {
            app_version: "0.1.0".into(),
            ..SupportLine::default()
        };
        assert_eq!(
            line.text(Lang::Ja),
            "サポートコード なし｜ドングル 未確認｜電波 不明｜アプリ 0.1.0"
        );
        assert_eq!(
            line.text(Lang::En),
            "Support code none | Dongle not identified | Signal unknown | App 0.1.0"
        );
        let j11 = DongleInfo {
            dialect: broute::Dialect::J11,
            erxudp_mode: None,
            stack_version: Some("1.3".into()),
            app_version: Some("rev 158A".into()),
            supports_ropt: None,
        };
        let line = SupportLine {
            step: Some(WizardStep::Reading),
            lqi: Some(85),
            ..line.with_dongle(&j11)
        };
        assert_eq!(
            line.text(Lang::En),
            "Support code none | Step 7/7 Readings | Dongle RS-WSUHA-J11/BP35C2-J11-T01/BP35C0-J11 (J11 1.3 rev 158A) | Signal LQI 85 (fair) | App 0.1.0"
        );
        assert!(line.text(Lang::Ja).contains("電波 LQI 85（ふつう）"));
    }
}
