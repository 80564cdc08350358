//! Human-readable rendering of frames (trace console, log decoder), in Japanese or English.
//!
//! Names come from [`crate::names`]; values from the typed decoders. Rendering never fails: a
//! frame that does not parse renders as an error line plus a hex dump, a property that does
//! not decode renders its raw EDT and the reason.

use core::fmt::Display;

use crate::common::{CommonValue, FaultStatus, Hex, OnOff};
use crate::datetime::{DateTime, OrUnset};
use crate::energy::LvScale;
use crate::frame::{ClassCode, Esv, FrameRepr, Property};
use crate::hv::HvValue;
use crate::lv::{History1, LvValue, PairHistory, StampedEnergy};
use crate::measured::Measured;
use crate::names::{class_name, esv_description, property_name};
use crate::node_profile::NpValue;
use crate::value::{decode, Value};

pub use crate::names::Lang;

/// Optional knowledge that improves rendering (e.g. the scale read earlier from D3/E1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Context {
    /// Low-voltage scaling; when set, raw energy counts are also shown in kWh.
    pub lv_scale: Option<LvScale>,
}

/// Render raw frame bytes as text lines.
pub fn render(bytes: &[u8], lang: Lang) -> Vec<String> {
    render_with(bytes, lang, &Context::default())
}

/// Render raw frame bytes as text lines, using `ctx`.
pub fn render_with(bytes: &[u8], lang: Lang, ctx: &Context) -> Vec<String> {
    match FrameRepr::parse_bytes(bytes) {
        Ok(repr) => render_repr(&repr, lang, ctx),
        Err(e) => vec![
            format!(
                "{}: {e} [{}]",
                lang.pick("不正なフレーム", "Malformed frame"),
                e.code()
            ),
            format!("  {}", Hex(bytes)),
        ],
    }
}

fn eoj_text(eoj: crate::frame::Eoj, lang: Lang) -> String {
    match class_name(eoj.class_code(), lang) {
        Some(n) => format!("{eoj} {n}"),
        None => format!("{eoj}"),
    }
}

/// The header line of a frame: service, TID, source → destination, OPC.
pub fn frame_summary(repr: &FrameRepr<'_>, lang: Lang) -> String {
    let esv = match (repr.esv.name(), esv_description(repr.esv, lang)) {
        (Some(n), Some(d)) => format!("{n}({d})"),
        _ => format!("ESV {:02X}", u8::from(repr.esv)),
    };
    format!(
        "{esv} TID={:04X} {} → {} OPC={}",
        repr.tid,
        eoj_text(repr.seoj, lang),
        eoj_text(repr.deoj, lang),
        repr.props.len()
    )
}

/// Render a parsed frame as text lines.
pub fn render_repr(repr: &FrameRepr<'_>, lang: Lang, ctx: &Context) -> Vec<String> {
    let mut lines = vec![frame_summary(repr, lang)];
    let class = repr.property_owner().class_code();
    for p in repr.props.iter() {
        render_property(&mut lines, class, repr.esv, p, lang, ctx);
    }
    if repr.esv.is_set_get() {
        lines.push(format!("  OPCGet={}", repr.get_props.len()));
        for p in repr.get_props.iter() {
            render_property(&mut lines, class, repr.esv, p, lang, ctx);
        }
    }
    lines
}

fn render_property(
    lines: &mut Vec<String>,
    class: ClassCode,
    esv: Esv,
    p: Property<'_>,
    lang: Lang,
    ctx: &Context,
) {
    let name =
        property_name(class, p.epc, lang).unwrap_or(lang.pick("(不明なEPC)", "(unknown EPC)"));
    let head = format!("  {:02X} {name}", p.epc);
    if p.edt.is_empty() {
        let what = if esv.is_sna() {
            lang.pick("応答不可", "not available")
        } else if esv == Esv::SetRes || esv == Esv::SetGetRes {
            lang.pick("受理", "accepted")
        } else {
            lang.pick("(要求)", "(requested)")
        };
        lines.push(format!("{head}: {what}"));
        return;
    }
    match decode(class, p.epc, p.edt) {
        Ok(v) => {
            let (summary, extra) = value_text(&v, lang, ctx);
            lines.push(format!("{head}: {summary}"));
            lines.extend(extra.into_iter().map(|l| format!("    {l}")));
        }
        Err(e) => lines.push(format!(
            "{head}: {} ({}: {e} [{}])",
            Hex(p.edt),
            lang.pick("解釈不可", "cannot decode"),
            e.code()
        )),
    }
}

fn measured<T: Display>(m: &Measured<T>, unit: &str, lang: Lang) -> String {
    match m {
        Measured::Value(v) if unit.is_empty() => v.to_string(),
        Measured::Value(v) => format!("{v} {unit}"),
        Measured::NoData => lang.pick("データなし", "no data").to_string(),
        Measured::Overflow => lang.pick("オーバーフロー", "overflow").to_string(),
        Measured::Underflow => lang.pick("アンダーフロー", "underflow").to_string(),
    }
}

fn energy(m: &Measured<u32>, lang: Lang, ctx: &Context) -> String {
    match (m, ctx.lv_scale) {
        (Measured::Value(raw), Some(s)) => format!("{raw} ({} kWh)", s.apply(*raw)),
        _ => measured(m, "", lang),
    }
}

fn unset<T: Display>(v: &OrUnset<T>, lang: Lang) -> String {
    match v {
        OrUnset::Value(v) => v.to_string(),
        OrUnset::Unset => lang.pick("未設定", "unset").to_string(),
    }
}

fn day_text(d: &OrUnset<u8>, lang: Lang) -> String {
    match d {
        OrUnset::Value(0) => lang.pick("当日", "today").to_string(),
        OrUnset::Value(n) => match lang {
            Lang::Ja => format!("{n}日前"),
            Lang::En => format!("{n} day(s) ago"),
        },
        OrUnset::Unset => unset::<u8>(&OrUnset::Unset, lang),
    }
}

fn stamped(s: &StampedEnergy, lang: Lang, ctx: &Context) -> String {
    format!("{} {}", unset(&s.stamp, lang), energy(&s.value, lang, ctx))
}

fn history1(h: &History1, lang: Lang, ctx: &Context) -> (String, Vec<String>) {
    let day = match h.day {
        OrUnset::Value(d) => day_text(&OrUnset::Value(u8::try_from(d).unwrap_or(u8::MAX)), lang),
        OrUnset::Unset => unset::<u8>(&OrUnset::Unset, lang),
    };
    let summary = match lang {
        Lang::Ja => format!("{day}、30分毎48コマ(00:00から)"),
        Lang::En => format!("{day}, 48 half-hour slots from 00:00"),
    };
    let extra = h
        .slots
        .chunks(4)
        .enumerate()
        .map(|(row, chunk)| {
            chunk
                .iter()
                .enumerate()
                .map(|(k, m)| {
                    let t = History1::slot_time(row * 4 + k)
                        .map(|t| t.to_string())
                        .unwrap_or_default();
                    format!("{t} {}", energy(m, lang, ctx))
                })
                .collect::<Vec<_>>()
                .join("  ")
        })
        .collect();
    (summary, extra)
}

fn pair_history(h: &PairHistory, lang: Lang, ctx: &Context) -> (String, Vec<String>) {
    let summary = match lang {
        Lang::Ja => format!(
            "{}から{}分毎に遡る{}組(正方向/逆方向)",
            unset(&h.stamp, lang),
            h.step_minutes,
            h.pairs().len()
        ),
        Lang::En => format!(
            "{} pair(s) (normal/reverse) going back {} min each from {}",
            h.pairs().len(),
            h.step_minutes,
            unset(&h.stamp, lang)
        ),
    };
    let extra = h
        .pairs()
        .iter()
        .enumerate()
        .map(|(i, (n, r))| {
            let t = h
                .slot_stamp(i)
                .map(|t: DateTime| t.to_string())
                .unwrap_or_else(|| format!("#{i}"));
            format!("{t} {} / {}", energy(n, lang, ctx), energy(r, lang, ctx))
        })
        .collect();
    (summary, extra)
}

fn common_text(v: &CommonValue<'_>, lang: Lang) -> String {
    match v {
        CommonValue::OperationStatus(OnOff::On) => "ON".into(),
        CommonValue::OperationStatus(OnOff::Off) => "OFF".into(),
        CommonValue::OperationStatus(OnOff::Unknown(b)) => format!("{b:02X}"),
        CommonValue::FaultStatus(FaultStatus::Fault) => lang.pick("異常あり", "fault").into(),
        CommonValue::FaultStatus(FaultStatus::NoFault) => lang.pick("異常なし", "no fault").into(),
        CommonValue::FaultStatus(FaultStatus::Unknown(b)) => format!("{b:02X}"),
        CommonValue::StandardVersion(s) => s.to_string(),
        CommonValue::Manufacturer(m) => m.to_string(),
        CommonValue::ProductionNumber(p) => p.to_string(),
        CommonValue::CurrentTime(t) => t.to_string(),
        CommonValue::CurrentDate(d) => d.to_string(),
        CommonValue::StatusMap(m) | CommonValue::SetMap(m) | CommonValue::GetMap(m) => {
            m.to_string()
        }
        CommonValue::InstallationLocation(b)
        | CommonValue::IdentificationNumber(b)
        | CommonValue::Other { edt: b, .. } => Hex(b).to_string(),
    }
}

fn currents(c: &crate::lv::Currents, lang: Lang) -> String {
    let t = match &c.t {
        Some(t) => measured(t, "A", lang),
        None => lang
            .pick("なし(単相2線式)", "not present (single-phase 2-wire)")
            .to_string(),
    };
    format!("R {} / T {t}", measured(&c.r, "A", lang))
}

/// Text of a typed value: a summary and, for histories, extra lines.
pub fn value_text(v: &Value<'_>, lang: Lang, ctx: &Context) -> (String, Vec<String>) {
    let one = |s: String| (s, Vec::new());
    match v {
        Value::Lv(v) => match v {
            LvValue::Common(c) => one(common_text(c, lang)),
            LvValue::RouteBId(id) => one(id.to_string()),
            LvValue::OneMinuteEnergy(e) => one(format!(
                "{} {} / {}",
                unset(&e.stamp, lang),
                energy(&e.normal, lang, ctx),
                energy(&e.reverse, lang, ctx)
            )),
            LvValue::Coefficient(c) => one(c.to_string()),
            LvValue::EffectiveDigits(d) => one(match lang {
                Lang::Ja => format!("{d}桁"),
                Lang::En => format!("{d} digits"),
            }),
            LvValue::CumulativeNormal(m) | LvValue::CumulativeReverse(m) => {
                one(energy(m, lang, ctx))
            }
            LvValue::EnergyUnit(u) => one(format!("{u} kWh")),
            LvValue::HistoryNormal(h) | LvValue::HistoryReverse(h) => history1(h, lang, ctx),
            LvValue::HistoryDay(d) => one(day_text(d, lang)),
            LvValue::InstantPower(p) => one(measured(p, "W", lang)),
            LvValue::Currents(c) => one(currents(c, lang)),
            LvValue::FixedTimeNormal(s) | LvValue::FixedTimeReverse(s) => {
                one(stamped(s, lang, ctx))
            }
            LvValue::History2(h) | LvValue::History3(h) => pair_history(h, lang, ctx),
            LvValue::History2Setting(s) | LvValue::History3Setting(s) => one(match lang {
                Lang::Ja => format!("{}、{}組", unset(&s.stamp, lang), s.count),
                Lang::En => format!("{}, {} pair(s)", unset(&s.stamp, lang), s.count),
            }),
            LvValue::Unknown { edt, .. } => one(Hex(edt).to_string()),
        },
        Value::Hv(v) => {
            let no_ctx = Context::default();
            match v {
                HvValue::Common(c) => one(common_text(c, lang)),
                HvValue::MonthlyMaxDemand(m) | HvValue::CumulativeMaxDemand(m) => {
                    one(measured(m, "", lang))
                }
                HvValue::FixedTimeDemand(s)
                | HvValue::ReactiveEnergy(s)
                | HvValue::FixedTimeReactiveEnergy(s)
                | HvValue::ActiveEnergy(s)
                | HvValue::FixedTimeActiveEnergy(s)
                | HvValue::PowerFactorActiveEnergy(s) => one(stamped(s, lang, &no_ctx)),
                HvValue::DemandDigits(d)
                | HvValue::ReactiveDigits(d)
                | HvValue::ActiveDigits(d) => one(match lang {
                    Lang::Ja => format!("{d}桁"),
                    Lang::En => format!("{d} digits"),
                }),
                HvValue::DemandUnit(u) => one(format!("{u} kW")),
                HvValue::CumulativeMaxDemandUnit(u) => one(format!("{u} kW")),
                HvValue::ReactiveUnit(u) => one(format!("{u} kvarh")),
                HvValue::ActiveUnit(u) => one(format!("{u} kWh")),
                HvValue::DemandHistory(h)
                | HvValue::ReactiveHistory(h)
                | HvValue::ActiveHistory(h) => history1(h, lang, &no_ctx),
                HvValue::Coefficient(c) => one(c.to_string()),
                HvValue::Multiplier(m) => one(format!("×{m}")),
                HvValue::BillingDay(d) => one(match lang {
                    Lang::Ja => format!("{d}日"),
                    Lang::En => format!("day {d}"),
                }),
                HvValue::HistoryDay(d) => one(day_text(d, lang)),
                HvValue::Unknown { edt, .. } => one(Hex(edt).to_string()),
            }
        }
        Value::NodeProfile(v) => match v {
            NpValue::Common(c) => one(common_text(c, lang)),
            NpValue::Version(v) => one(v.to_string()),
            NpValue::InstanceCount(n) => one(n.to_string()),
            NpValue::ClassCount(n) => one(n.to_string()),
            NpValue::InstanceListNotification(l) | NpValue::InstanceList(l) => {
                let list: Vec<String> = l.iter().map(|e| eoj_text(e, lang)).collect();
                one(format!("[{}] {}", l.len(), list.join(", ")))
            }
            NpValue::ClassList(l) => {
                let list: Vec<String> = l
                    .iter()
                    .map(|c| {
                        let code = u16::from(c);
                        match class_name(c, lang) {
                            Some(n) => format!("{code:04X} {n}"),
                            None => format!("{code:04X}"),
                        }
                    })
                    .collect();
                one(format!("[{}] {}", l.len(), list.join(", ")))
            }
            NpValue::Unknown { edt, .. } => one(Hex(edt).to_string()),
        },
        Value::Common(c) => one(common_text(c, lang)),
        Value::Raw(b) => one(Hex(b).to_string()),
    }
}

#[cfg(test)]
mod test {
    use super::*;
    use crate::energy::EnergyUnit;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn test_render_e7_get_res_ja_en() {
        // ak1211 log (../shared/fixtures/transcripts/ak1211-m5stickc-wisunhat-BP35A1_comm.txt).
        let b = hex("1081000102880105FF017201E704000004A8");
        assert_eq!(
            render(&b, Lang::Ja),
            [
                "Get_Res(プロパティ値読み出し応答) TID=0001 028801 低圧スマート電力量メータ → 05FF01 コントローラ OPC=1",
                "  E7 瞬時電力計測値: 1192 W",
            ]
        );
        assert_eq!(render(&b, Lang::En)[1], "  E7 Instantaneous power: 1192 W");
    }

    #[test]
    fn test_render_values_with_units() {
        let ctx = Context {
            lv_scale: Some(LvScale::new(None, EnergyUnit::HUNDREDTH)),
        };
        let ea = hex("1081000102880105FF017201EA0B07E6080114000000012CC7");
        assert_eq!(
            render_with(&ea, Lang::Ja, &ctx)[1],
            "  EA 定時積算電力量計測値(正方向計測値): 2022-08-01 20:00:00 76999 (769.99 kWh)"
        );
        let e8 = hex("1081000102880105FF017201E80400620022");
        assert_eq!(
            render(&e8, Lang::En)[1],
            "  E8 Instantaneous currents: R 9.8 A / T 3.4 A"
        );
        let e8 = hex("1081000102880105FF017201E80400627FFE");
        assert_eq!(
            render(&e8, Lang::Ja)[1],
            "  E8 瞬時電流計測値: R 9.8 A / T なし(単相2線式)"
        );
        let sna = hex("1081000102880105FF015201D300");
        assert_eq!(render(&sna, Lang::Ja)[1], "  D3 係数: 応答不可");
        let get = hex("1081000105FF010288016201E700");
        assert_eq!(
            render(&get, Lang::En)[1],
            "  E7 Instantaneous power: (requested)"
        );
        let d5 = hex("108103610EF0010EF0017301D50401028801");
        assert_eq!(
            render(&d5, Lang::Ja)[1],
            "  D5 インスタンスリスト通知: [1] 028801 低圧スマート電力量メータ"
        );
        let nodata = hex("1081000102880105FF017201E7047FFFFFFE");
        assert_eq!(
            render(&nodata, Lang::En)[1],
            "  E7 Instantaneous power: no data"
        );
    }

    #[test]
    fn test_render_errors() {
        let lines = render(&hex("1081000102880105FF017201E70400"), Lang::En);
        assert_eq!(
            lines[0],
            "Malformed frame: PDC beyond the end: EPC 0xE7 announces 4 bytes past the frame end [pdc_beyond_end]"
        );
        let bad_edt = hex("1081000102880105FF017201E7020000");
        assert_eq!(
            render(&bad_edt, Lang::Ja)[1],
            "  E7 瞬時電力計測値: 0000 (解釈不可: EPC 0xE7: EDT of 2 byte(s) has the wrong size [bad_edt_length])"
        );
    }

    #[test]
    fn test_render_history() {
        let mut b = hex("1081000102880105FF017201E2C2");
        b.extend_from_slice(&[0x00, 0x00]);
        for i in 0..48u32 {
            b.extend_from_slice(&(1000 + i).to_be_bytes());
        }
        let lines = render(&b, Lang::En);
        assert_eq!(
            lines[1],
            "  E2 Historical cumulative energy 1 (normal direction): today, 48 half-hour slots from 00:00"
        );
        assert_eq!(lines.len(), 2 + 12);
        assert_eq!(
            lines[2],
            "    00:00 1000  00:30 1001  01:00 1002  01:30 1003"
        );
    }
}
