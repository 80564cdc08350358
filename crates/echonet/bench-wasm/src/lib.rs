//! `run(n)`: parse + typed-decode the benchmark mix `n` times; returns the number of
//! properties decoded (so the work cannot be optimised away). Same mix as
//! `crates/echonet/benches/decode.rs`.

use echonet::lv::LvValue;
use echonet::{decode, FrameRepr, Measured, Value};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn mix() -> Vec<Vec<u8>> {
    let mut e2 = hex("1081000902880105FF017201E2C20001");
    for i in 0..48u32 {
        e2.extend_from_slice(&(76_000 + 59 * i).to_be_bytes());
    }
    vec![
        hex("1081000102880105FF017201E704000004A8"),
        hex("1081000102880105FF017201E80400620022"),
        hex("1081000502880105FF017201E00400012631"),
        hex("1081036202880105FF017301EA0B07E60801141E0000012D02"),
        e2,
    ]
}

/// Number of frames in one round of the mix.
#[no_mangle]
pub extern "C" fn frames_per_round() -> u32 {
    mix().len() as u32
}

/// Decode the mix `n` times; return a checksum of the decoded values.
///
/// Each round rewrites the TID and the last EDT byte of every frame so that the optimiser
/// cannot hoist the work out of the loop.
#[no_mangle]
pub extern "C" fn run(n: u32) -> u32 {
    let mut frames = mix();
    let mut sum = 0u32;
    for i in 0..n {
        for f in frames.iter_mut() {
            let [.., lo, hi, _] = i.to_be_bytes();
            f[2] = lo;
            f[3] = hi;
            if let Some(last) = f.last_mut() {
                *last = hi;
            }
            let Ok(repr) = FrameRepr::parse_bytes(f) else {
                continue;
            };
            sum = sum.wrapping_add(u32::from(repr.tid));
            let class = repr.property_owner().class_code();
            for p in repr.props.iter() {
                let v = core::hint::black_box(decode(class, p.epc, p.edt));
                sum = sum.wrapping_add(checksum(v));
            }
        }
    }
    sum
}

fn checksum(v: echonet::Result<Value<'_>>) -> u32 {
    match v {
        Ok(Value::Lv(LvValue::InstantPower(Measured::Value(w)))) => w as u32,
        Ok(Value::Lv(LvValue::CumulativeNormal(Measured::Value(c)))) => c,
        Ok(Value::Lv(LvValue::Currents(c))) => c.r.value().map_or(0, |a| a.0 as u32),
        Ok(Value::Lv(LvValue::FixedTimeNormal(s))) => s.value.value().unwrap_or(0),
        Ok(Value::Lv(LvValue::HistoryNormal(h))) => h
            .slots
            .iter()
            .fold(0u32, |a, s| a.wrapping_add(s.value().unwrap_or(1))),
        Ok(_) => 1,
        Err(_) => 0,
    }
}
