//! ECHONET Lite frames → `echonet` records, with every property typed by the `echonet` codec
//! and scaled with what the log has shown so far (D3/E1 of a low-voltage meter, D3/D4 and the
//! unit codes of a high-voltage one).

use echonet::energy::{EnergyUnit, Multiplier};
use echonet::names::{class_name, property_name, Lang};
use echonet::pretty::{value_text, Context};
use echonet::{ClassCode, FrameRepr};

use crate::record::{EchonetFields, Property};
use crate::value::{hex, hexw, typed, Scales};

/// Learn scaling from a response or notification (before its own properties are typed: a
/// frame may carry D3/E1 together with E0).
pub(crate) fn learn(scales: &mut Scales, repr: &FrameRepr<'_>) {
    if repr.esv.is_request() {
        return;
    }
    let class = repr.property_owner().class_code();
    for p in repr.props.iter() {
        let one = p.edt.first().copied();
        match (class, p.epc, p.edt.len()) {
            (ClassCode::LowVoltageSmartMeter, 0xD3, 0) if repr.esv.is_sna() => {
                scales.lv_coefficient = Some(None)
            }
            (ClassCode::LowVoltageSmartMeter, 0xD3, 4) => {
                scales.lv_coefficient = Some(Some(be32(p.edt)));
            }
            (ClassCode::LowVoltageSmartMeter, 0xE1, 1) => {
                if let Some(u) = one.and_then(|c| EnergyUnit::from_code(c).ok()) {
                    scales.lv_unit = Some(u);
                }
            }
            (ClassCode::HighVoltageSmartMeter, 0xD3, 4) => {
                scales.hv_coefficient = Some(be32(p.edt))
            }
            (ClassCode::HighVoltageSmartMeter, 0xD4, 1) => {
                scales.hv_multiplier = one.and_then(|c| Multiplier::from_code(c).ok())
            }
            (ClassCode::HighVoltageSmartMeter, epc @ (0xC5 | 0xC7 | 0xCD | 0xE6), 1) => {
                let u = one.and_then(|c| EnergyUnit::from_code(c).ok());
                match epc {
                    0xC5 => scales.hv_demand_unit = u,
                    0xC7 => scales.hv_max_demand_unit = u,
                    0xCD => scales.hv_reactive_unit = u,
                    _ => scales.hv_active_unit = u,
                }
            }
            _ => {}
        }
    }
}

fn be32(b: &[u8]) -> u32 {
    match b {
        [a, b, c, d] => u32::from_be_bytes([*a, *b, *c, *d]),
        _ => 0,
    }
}

fn eoj_hex(e: echonet::Eoj) -> String {
    hex(&e.to_bytes())
}

fn property(class: ClassCode, epc: u8, edt: &[u8], scales: &Scales) -> Property {
    let mut p = Property {
        epc: hexw(epc, 2),
        name: property_name(class, epc, Lang::En).map(String::from),
        pdc: edt.len(),
        edt: hex(edt),
        value: None,
        text: None,
        error: None,
    };
    if edt.is_empty() {
        return p;
    }
    match echonet::decode(class, epc, edt) {
        Ok(v) => {
            let ctx = Context {
                lv_scale: if class == ClassCode::LowVoltageSmartMeter {
                    scales.lv()
                } else {
                    None
                },
            };
            p.text = Some(value_text(&v, Lang::En, &ctx).0);
            p.value = Some(typed(&v, scales));
        }
        Err(e) => p.error = Some(e.to_string()),
    }
    p
}

/// Decode a frame into the record's name (ESV name or `malformed`) and fields.
pub(crate) fn frame(bytes: &[u8], source: &str, scales: &mut Scales) -> (String, EchonetFields) {
    let repr = match FrameRepr::parse_bytes(bytes) {
        Ok(r) => r,
        Err(e) => {
            return (
                "malformed".into(),
                EchonetFields {
                    source: source.into(),
                    tid: None,
                    seoj: None,
                    deoj: None,
                    object: None,
                    esv: None,
                    opc: None,
                    props: Vec::new(),
                    get_props: None,
                    raw: Some(hex(bytes)),
                    error: Some(e.to_string()),
                },
            )
        }
    };
    learn(scales, &repr);
    let class = repr.property_owner().class_code();
    let props = repr
        .props
        .iter()
        .map(|p| property(class, p.epc, p.edt, scales))
        .collect();
    let get_props = repr.esv.is_set_get().then(|| {
        repr.get_props
            .iter()
            .map(|p| property(class, p.epc, p.edt, scales))
            .collect()
    });
    let name = repr.esv.name().unwrap_or("unknown").to_string();
    (
        name,
        EchonetFields {
            source: source.into(),
            tid: Some(hexw(repr.tid, 4)),
            seoj: Some(eoj_hex(repr.seoj)),
            deoj: Some(eoj_hex(repr.deoj)),
            object: class_name(class, Lang::En).map(String::from),
            esv: Some(hexw(u8::from(repr.esv), 2)),
            opc: Some(repr.props.len()),
            props,
            get_props,
            raw: None,
            error: None,
        },
    )
}

/// True when bytes start like an ECHONET Lite frame (EHD 10 81 or 10 82).
pub(crate) fn looks_like_frame(b: &[u8]) -> bool {
    b.len() >= 12 && b[0] == 0x10 && (b[1] == 0x81 || b[1] == 0x82)
}

/// Whether hex-assembled bytes are a whole frame yet: `Some(true)` complete, `Some(false)`
/// more bytes needed, `None` they can never become one (then decode them as they are).
pub(crate) fn complete(b: &[u8]) -> Option<bool> {
    match echonet::Frame::new_checked(b) {
        Ok(_) => Some(true),
        Err(
            echonet::Error::Truncated
            | echonet::Error::MissingProperty { .. }
            | echonet::Error::PdcBeyondEnd { .. },
        ) => Some(false),
        Err(_) => None,
    }
}
