//! Japanese and English texts of the story of a session (`crate::story`): causes and fixes of
//! the support codes, phase names, wizard step names, and the words of the plain-language summary
//! and the support line (`crate::support`).
//!
//! **One source for the cause and fix texts.** [`CAUSES`] holds the same sentences as the app's
//! `locales/ja.json` / `locales/en.json` keys `cause_<name>` / `fix_<name>`, [`STEPS`] those of
//! `step_<name>` (a test compares them), so the CLI's `broute bundle show`, the story JSON and the app's screens say the same
//! thing. The app can keep its `t!(cause_…)` keys or call [`cause`] / [`fix`] with its
//! language.

pub use echonet::names::Lang;
use serde::{Deserialize, Serialize};

/// A text in both languages (the story carries both; the viewer picks one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    /// Japanese.
    pub ja: String,
    /// English.
    pub en: String,
}

impl Localized {
    /// Both texts.
    pub fn new(ja: impl Into<String>, en: impl Into<String>) -> Localized {
        Localized {
            ja: ja.into(),
            en: en.into(),
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ja => &self.ja,
            Lang::En => &self.en,
        }
    }
}

/// Support code, cause name, cause [ja, en], fix [ja, en] (`broute::Cause`; texts as in the
/// app's locales).
pub const CAUSES: &[(&str, &str, [&str; 2], [&str; 2])] = &[
    ("BR-10", "no_dongle_answer", ["ドングルから応答がありません。", "The dongle does not answer."], ["選んだポートがWi-SUNドングルか確認してください。ほかのソフトがドングルを使っていないか確認し、ドングルを差し直してからもう一度試してください。", "Check that the port you chose is the Wi-SUN dongle, that no other program is using it, then plug it in again and retry."]),
    ("BR-12", "dongle_error", ["ドングルがコマンドを受け付けませんでした。", "The dongle refused a command."], ["ドングルを差し直してからもう一度試してください。続くときは通信ログを添えてサポートに連絡してください。", "Plug the dongle in again and retry. If it keeps happening, contact support with the trace."]),
    ("BR-13", "dongle_lost", ["ドングルとの接続が切れました。", "The dongle was disconnected."], ["USBが抜けていないか確認して差し直してください。差し直すと自動で再接続します。", "Check the USB plug and plug it in again; the app reconnects by itself."]),
    ("BR-20", "no_meter_heard", ["スマートメーターから応答がありません。", "No smart meter answered."], ["ドングルをメーターに近い窓際などに移し、金属の棚や家電から離してください。Bルートの利用開始の通知が届いてから数日かかることもあります。認証IDが正しいかも確認してください。", "Move the dongle closer to the meter, e.g. near a window, away from metal and appliances. The B-route service can take a few days to start after the notice arrives. Also check the authentication ID."]),
    ("BR-21", "meter_not_ours", ["近くのメーターは見つかりましたが、この認証IDのメーターではありません。", "Meters answered, but none belongs to this authentication ID."], ["認証IDを通知と1文字ずつ照らし合わせてください。特に最後の8文字（メーターの識別に使われます）を確認してください。", "Compare the ID with the notice character by character, especially the last 8 characters (they identify your meter)."]),
    ("BR-30", "auth_refused", ["メーターが認証を拒否しました。", "The meter refused authentication."], ["パスワードを確認してください（大文字と小文字を区別します）。メーターにロックされないよう、2回失敗した時点で止めています。このページを開いている間は、パスワードを直すか、確認のうえでもう1回試すと選ぶまで、同じパスワードでは接続しません。", "Check the password (upper and lower case matter). The app stopped after two refusals so the meter does not lock you out. While this page is open, it will not connect with the same password again until you correct it or confirm one more try."]),
    ("BR-31", "not_a_meter", ["つながった相手がスマートメーターではありませんでした。", "The device that answered is not a smart meter."], ["認証IDが別の機器のものでないか確認してください。", "Check that the ID is the one for your smart meter."]),
    ("BR-40", "session_lost", ["メーターとの通信が途切れました。自動で再接続しています…", "The link to the meter dropped. Reconnecting…"], ["そのままお待ちください。長く続くときはドングルの置き場所を見直してください。", "Please wait. If it lasts, reconsider where the dongle is placed."]),
    ("BR-41", "tx_limit", ["電波法の送信時間の上限に達しました。しばらくすると自動で再開します。", "The radio's legal transmit-time budget is used up. Readings resume by themselves."], ["設定で計測の間隔を長くすると起きにくくなります。", "A longer polling interval in Settings avoids this."]),
];

fn find(
    key: &str,
) -> Option<&'static (
    &'static str,
    &'static str,
    [&'static str; 2],
    [&'static str; 2],
)> {
    CAUSES.iter().find(|c| c.0 == key || c.1 == key)
}

/// The cause of a support code or cause name (`BR-30` or `auth_refused`).
pub fn cause(key: &str) -> Option<Localized> {
    find(key).map(|c| Localized::new(c.2[0], c.2[1]))
}

/// The fix of a support code or cause name.
pub fn fix(key: &str) -> Option<Localized> {
    find(key).map(|c| Localized::new(c.3[0], c.3[1]))
}

/// The support code of a cause name (`auth_refused` → `BR-30`).
pub fn code(name: &str) -> Option<&'static str> {
    find(name).map(|c| c.0)
}

/// The name of a phase (`broute::Phase::name()`) for people.
pub fn phase(name: &str) -> Localized {
    let (ja, en) = match name {
        "idle" => ("待機", "Idle"),
        "expect_dongle" => ("ドングルの確認", "Checking the dongle"),
        "expect_settings" => ("ドングルの設定", "Setting up the dongle"),
        "expect_credentials" => ("認証情報の入力待ち", "Waiting for the ID and password"),
        "expect_credentials_set" => ("認証情報の設定", "Setting the ID and password"),
        "expect_scan" => ("メーターの探索", "Scanning for the meter"),
        "expect_channel" => ("チャネルの設定", "Tuning to the meter"),
        "expect_join" => ("認証（PANA）", "Authenticating (PANA)"),
        "expect_instance_list" => ("メーターの確認", "Waiting for the meter's objects"),
        "expect_identity" => ("メーター情報の取得", "Reading the meter's identity"),
        "reading" => ("計測", "Reading"),
        "re_authenticating" => ("再認証", "Re-authenticating"),
        "tx_limited" => ("送信時間の上限", "Transmit limit"),
        "reconnecting" => ("再接続", "Reconnecting"),
        "stopped" => ("停止", "Stopped"),
        other => (other, other),
    };
    Localized::new(ja, en)
}

/// The wizard's steps [ja, en], in `broute::wizard::WizardStep` order (texts as in the app's
/// locales, keys `step_<name>`).
pub const STEPS: [(&str, [&str; 2]); 7] = [
    ("browser", ["ブラウザ", "Browser"]),
    ("connect", ["ドングル接続", "Connect"]),
    ("dongle", ["ドングル確認", "Dongle"]),
    ("credentials", ["ID・パスワード", "ID & password"]),
    ("scan", ["メーター探索", "Scan"]),
    ("join", ["認証", "Join"]),
    ("reading", ["計測開始", "Readings"]),
];

/// The name of a wizard step for people.
pub fn step(s: broute::wizard::WizardStep) -> Localized {
    let i = usize::from(s.number().saturating_sub(1));
    let [ja, en] = STEPS.get(i).map_or(["", ""], |x| x.1);
    Localized::new(ja, en)
}

/// A signal quality in one word (good, fair, weak, unknown; 「良好」…).
pub fn quality(q: broute::readout::SignalQuality) -> Localized {
    use broute::readout::SignalQuality as Q;
    let (ja, en) = match q {
        Q::Good => ("良好", "good"),
        Q::Fair => ("ふつう", "fair"),
        Q::Weak => ("弱い", "weak"),
        Q::Unknown => ("不明", "unknown"),
    };
    Localized::new(ja, en)
}

/// The dialect for people.
pub fn dialect(name: &str) -> Localized {
    match name {
        "single_hop" | "single-hop" | "SingleHop" => Localized::new("シングルホップ", "single-hop"),
        "dual_stack" | "dual-stack" | "DualStack" => {
            Localized::new("デュアルスタック", "dual-stack")
        }
        "j11" | "J11" => Localized::new("J11バイナリ", "J11 binary"),
        other => Localized::new(other, other),
    }
}

/// A number of times, as people say it (`twice`, `3 times`; 「2回」).
pub fn times(n: u64) -> Localized {
    let en = match n {
        1 => "once".to_string(),
        2 => "twice".to_string(),
        n => format!("{n} times"),
    };
    Localized::new(format!("{n}回"), en)
}

/// A signed number with a real minus sign (−68).
pub fn signed(v: i64) -> String {
    if v < 0 {
        format!("\u{2212}{}", v.unsigned_abs())
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts are the app's: `locales/*.json` keys `cause_<name>`, `fix_<name>`, `step_<name>`.
    #[test]
    fn causes_are_the_apps_texts() {
        for (lang, i) in [("ja", 0), ("en", 1)] {
            let path = format!("{}/../../locales/{lang}.json", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(path).unwrap();
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            for (_, name, c, f) in CAUSES {
                assert_eq!(v[format!("cause_{name}")], c[i], "{lang} cause_{name}");
                assert_eq!(v[format!("fix_{name}")], f[i], "{lang} fix_{name}");
            }
            for (name, t) in STEPS {
                assert_eq!(v[format!("step_{name}")], t[i], "{lang} step_{name}");
            }
            let good = quality(broute::readout::SignalQuality::Good);
            assert_eq!(
                v["signal_good"].as_str().unwrap().to_lowercase(),
                [good.ja, good.en][i]
            );
        }
        assert_eq!(
            step(broute::wizard::WizardStep::Join),
            Localized::new("認証", "Join")
        );
        assert_eq!(code("auth_refused"), Some("BR-30"));
        assert_eq!(
            cause("BR-30").unwrap().en,
            "The meter refused authentication."
        );
        assert_eq!(signed(-68), "\u{2212}68");
        assert_eq!(times(2).en, "twice");
    }
}
