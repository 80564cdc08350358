//! Every human-readable name in one place: classes, services and properties, in Japanese and
//! English. Japanese property names follow the ECHONET Appendix (機器オブジェクト詳細規定).

use crate::frame::{ClassCode, Esv};

/// Language of rendered text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Japanese.
    #[default]
    Ja,
    /// English.
    En,
}

impl Lang {
    /// Pick the string for this language.
    pub const fn pick(self, ja: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
}

type Names = &'static [(u8, &'static str, &'static str)];

/// Device super class (0x80–0x9F), shared by all device objects.
const SUPER_CLASS: Names = &[
    (0x80, "動作状態", "Operation status"),
    (0x81, "設置場所", "Installation location"),
    (0x82, "規格Version情報", "Standard version information"),
    (0x83, "識別番号", "Identification number"),
    (0x88, "異常発生状態", "Fault status"),
    (0x8A, "メーカコード", "Manufacturer code"),
    (0x8D, "製造番号", "Production number"),
    (0x97, "現在時刻設定", "Current time setting"),
    (0x98, "現在年月日設定", "Current date setting"),
    (
        0x9D,
        "状変アナウンスプロパティマップ",
        "Status change announcement property map",
    ),
    (0x9E, "Setプロパティマップ", "Set property map"),
    (0x9F, "Getプロパティマップ", "Get property map"),
];

/// Low-voltage smart electric energy meter 0x0288.
const LV_METER: Names = &[
    (0xC0, "Bルート識別番号", "Route B identification number"),
    (
        0xD0,
        "1分積算電力量計測値(正方向、逆方向計測値)",
        "One-minute cumulative energy (normal and reverse)",
    ),
    (0xD3, "係数", "Coefficient"),
    (
        0xD7,
        "積算電力量有効桁数",
        "Number of effective digits for cumulative energy",
    ),
    (
        0xE0,
        "積算電力量計測値(正方向計測値)",
        "Cumulative energy (normal direction)",
    ),
    (
        0xE1,
        "積算電力量単位(正方向、逆方向計測値)",
        "Unit for cumulative energy (normal and reverse)",
    ),
    (
        0xE2,
        "積算電力量計測値履歴1(正方向計測値)",
        "Historical cumulative energy 1 (normal direction)",
    ),
    (
        0xE3,
        "積算電力量計測値(逆方向計測値)",
        "Cumulative energy (reverse direction)",
    ),
    (
        0xE4,
        "積算電力量計測値履歴1(逆方向計測値)",
        "Historical cumulative energy 1 (reverse direction)",
    ),
    (0xE5, "積算履歴収集日1", "Day for historical data 1"),
    (0xE7, "瞬時電力計測値", "Instantaneous power"),
    (0xE8, "瞬時電流計測値", "Instantaneous currents"),
    (
        0xEA,
        "定時積算電力量計測値(正方向計測値)",
        "Cumulative energy at fixed time (normal direction)",
    ),
    (
        0xEB,
        "定時積算電力量計測値(逆方向計測値)",
        "Cumulative energy at fixed time (reverse direction)",
    ),
    (
        0xEC,
        "積算電力量計測値履歴2(正方向、逆方向計測値)",
        "Historical cumulative energy 2 (normal and reverse)",
    ),
    (0xED, "積算履歴収集日2", "Day for historical data 2"),
    (
        0xEE,
        "積算電力量計測値履歴3(正方向、逆方向計測値)",
        "Historical cumulative energy 3 (normal and reverse)",
    ),
    (0xEF, "積算履歴収集日3", "Day for historical data 3"),
];

/// High-voltage smart electric energy meter 0x028A.
const HV_METER: Names = &[
    (0xC1, "月間最大需要電力", "Monthly maximum power demand"),
    (0xC2, "累積最大需要電力", "Cumulative maximum power demand"),
    (
        0xC3,
        "定時需要電力(30分平均電力)",
        "Power demand at fixed time (30-minute average)",
    ),
    (
        0xC4,
        "需要電力有効桁数",
        "Number of effective digits of power demand",
    ),
    (0xC5, "需要電力単位", "Unit of power demand"),
    (0xC6, "需要電力計測値履歴", "Historical power demand"),
    (
        0xC7,
        "累積最大需要電力単位",
        "Unit of cumulative maximum power demand",
    ),
    (
        0xCA,
        "力測積算無効電力量(遅れ)計測値",
        "Reactive energy (lag) for power factor measurement",
    ),
    (
        0xCB,
        "定時力測積算無効電力量(遅れ)計測値",
        "Reactive energy (lag) for power factor at fixed time",
    ),
    (
        0xCC,
        "力測積算無効電力量(遅れ)有効桁数",
        "Number of effective digits of reactive energy (lag)",
    ),
    (
        0xCD,
        "力測積算無効電力量(遅れ)単位",
        "Unit of reactive energy (lag)",
    ),
    (
        0xCE,
        "力測積算無効電力量(遅れ)計測値履歴",
        "Historical reactive energy (lag)",
    ),
    (0xD3, "係数", "Coefficient"),
    (0xD4, "係数の倍率", "Multiplying factor for coefficient"),
    (0xE0, "確定日", "Fixed date (billing day)"),
    (0xE1, "積算履歴収集日", "Day for historical data"),
    (0xE2, "積算有効電力量計測値", "Cumulative active energy"),
    (
        0xE3,
        "定時積算有効電力量計測値",
        "Cumulative active energy at fixed time",
    ),
    (
        0xE4,
        "力測積算有効電力量計測値",
        "Active energy for power factor measurement",
    ),
    (
        0xE5,
        "積算有効電力量有効桁数",
        "Number of effective digits of active energy",
    ),
    (0xE6, "積算有効電力量単位", "Unit of active energy"),
    (
        0xE7,
        "積算有効電力量計測値履歴",
        "Historical cumulative active energy",
    ),
];

/// Node profile 0x0EF0 (its 0x82 differs from the device super class).
const NODE_PROFILE: Names = &[
    (0x82, "Version情報", "Version information"),
    (
        0xD3,
        "自ノードインスタンス数",
        "Number of self-node instances",
    ),
    (0xD4, "自ノードクラス数", "Number of self-node classes"),
    (0xD5, "インスタンスリスト通知", "Instance list notification"),
    (
        0xD6,
        "自ノードインスタンスリストS",
        "Self-node instance list S",
    ),
    (0xD7, "自ノードクラスリストS", "Self-node class list S"),
];

fn lookup(table: Names, epc: u8, lang: Lang) -> Option<&'static str> {
    table
        .iter()
        .find(|(e, _, _)| *e == epc)
        .map(|&(_, ja, en)| lang.pick(ja, en))
}

/// Name of property `epc` of `class`, if known.
pub fn property_name(class: ClassCode, epc: u8, lang: Lang) -> Option<&'static str> {
    let own = match class {
        ClassCode::LowVoltageSmartMeter => lookup(LV_METER, epc, lang),
        ClassCode::HighVoltageSmartMeter => lookup(HV_METER, epc, lang),
        ClassCode::NodeProfile => lookup(NODE_PROFILE, epc, lang),
        _ => None,
    };
    own.or_else(|| lookup(SUPER_CLASS, epc, lang))
}

/// Name of a class, if known.
pub fn class_name(class: ClassCode, lang: Lang) -> Option<&'static str> {
    Some(match class {
        ClassCode::LowVoltageSmartMeter => lang.pick(
            "低圧スマート電力量メータ",
            "Low-voltage smart electric energy meter",
        ),
        ClassCode::HighVoltageSmartMeter => lang.pick(
            "高圧スマート電力量メータ",
            "High-voltage smart electric energy meter",
        ),
        ClassCode::NodeProfile => lang.pick("ノードプロファイル", "Node profile"),
        ClassCode::Controller => lang.pick("コントローラ", "Controller"),
        ClassCode::Unknown(_) => return None,
    })
}

/// Descriptive name of a service code, if known (the short code name is [`Esv::name`]).
pub fn esv_description(esv: Esv, lang: Lang) -> Option<&'static str> {
    Some(match esv {
        Esv::SetI => lang.pick(
            "プロパティ値書き込み要求(応答不要)",
            "write request (no response)",
        ),
        Esv::SetC => lang.pick("プロパティ値書き込み要求(応答要)", "write request"),
        Esv::Get => lang.pick("プロパティ値読み出し要求", "read request"),
        Esv::InfReq => lang.pick("プロパティ値通知要求", "notification request"),
        Esv::SetGet => lang.pick(
            "プロパティ値書き込み・読み出し要求",
            "write-and-read request",
        ),
        Esv::SetRes => lang.pick("プロパティ値書き込み応答", "write response"),
        Esv::GetRes => lang.pick("プロパティ値読み出し応答", "read response"),
        Esv::Inf => lang.pick("プロパティ値通知", "notification"),
        Esv::Infc => lang.pick(
            "プロパティ値通知(応答要)",
            "notification (response required)",
        ),
        Esv::InfcRes => lang.pick("プロパティ値通知応答", "notification response"),
        Esv::SetGetRes => lang.pick(
            "プロパティ値書き込み・読み出し応答",
            "write-and-read response",
        ),
        Esv::SetISna => lang.pick(
            "プロパティ値書き込み要求不可応答(応答不要)",
            "write not possible (SetI)",
        ),
        Esv::SetCSna => lang.pick("プロパティ値書き込み要求不可応答", "write not possible"),
        Esv::GetSna => lang.pick("プロパティ値読み出し不可応答", "read not possible"),
        Esv::InfSna => lang.pick("プロパティ値通知不可応答", "notification not possible"),
        Esv::SetGetSna => lang.pick(
            "プロパティ値書き込み・読み出し不可応答",
            "write-and-read not possible",
        ),
        Esv::Unknown(_) => return None,
    })
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_names() {
        let lv = ClassCode::LowVoltageSmartMeter;
        assert_eq!(property_name(lv, 0xE7, Lang::Ja), Some("瞬時電力計測値"));
        assert_eq!(
            property_name(lv, 0xE7, Lang::En),
            Some("Instantaneous power")
        );
        assert_eq!(property_name(lv, 0xE8, Lang::Ja), Some("瞬時電流計測値"));
        assert_eq!(
            property_name(lv, 0xE0, Lang::Ja),
            Some("積算電力量計測値(正方向計測値)")
        );
        assert_eq!(
            property_name(lv, 0xE1, Lang::Ja),
            Some("積算電力量単位(正方向、逆方向計測値)")
        );
        assert_eq!(
            property_name(lv, 0xD7, Lang::Ja),
            Some("積算電力量有効桁数")
        );
        assert_eq!(
            property_name(lv, 0xEA, Lang::Ja),
            Some("定時積算電力量計測値(正方向計測値)")
        );
        assert_eq!(
            property_name(lv, 0x9F, Lang::Ja),
            Some("Getプロパティマップ")
        );
        assert_eq!(property_name(lv, 0xF0, Lang::Ja), None);
        let np = ClassCode::NodeProfile;
        assert_eq!(property_name(np, 0x82, Lang::Ja), Some("Version情報"));
        assert_eq!(property_name(np, 0x8A, Lang::En), Some("Manufacturer code"));
        let hv = ClassCode::HighVoltageSmartMeter;
        assert_eq!(
            property_name(hv, 0xE7, Lang::Ja),
            Some("積算有効電力量計測値履歴")
        );
        assert_eq!(property_name(hv, 0xD4, Lang::Ja), Some("係数の倍率"));
        // Every class-specific EPC the decoders know has a name in both languages.
        for epc in [
            0xC0u8, 0xD0, 0xD3, 0xD7, 0xE0, 0xE1, 0xE2, 0xE3, 0xE4, 0xE5, 0xE7, 0xE8, 0xEA, 0xEB,
            0xEC, 0xED, 0xEE, 0xEF,
        ] {
            assert!(property_name(lv, epc, Lang::Ja).is_some(), "{epc:02X}");
        }
        for epc in (0xC1u8..=0xC7)
            .chain(0xCA..=0xCE)
            .chain([0xD3, 0xD4])
            .chain(0xE0..=0xE7)
        {
            assert!(property_name(hv, epc, Lang::En).is_some(), "{epc:02X}");
        }
        assert_eq!(
            esv_description(Esv::GetSna, Lang::Ja),
            Some("プロパティ値読み出し不可応答")
        );
        assert_eq!(class_name(lv, Lang::Ja), Some("低圧スマート電力量メータ"));
    }
}
