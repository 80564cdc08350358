//! Fuzz the ECHONET Lite frame parser: arbitrary bytes through parse, typed decode of every
//! property, rendering in both languages, and the emit∘parse identity for accepted frames.
#![no_main]

use echonet::pretty::{render_with, Context, Lang};
use echonet::{decode, EnergyUnit, Frame, FrameRepr, LvScale};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The view and the iterator must not panic even when the frame is rejected.
    let view = Frame::new_unchecked(data);
    if data.len() >= echonet::HEADER_LEN {
        let _ = view.properties().count();
        let _ = view.get_properties().count();
    }
    if let Ok(repr) = FrameRepr::parse_bytes(data) {
        // emit∘parse is the identity.
        let mut buf = vec![0u8; repr.buffer_len()];
        assert_eq!(repr.emit(&mut buf), Ok(data.len()));
        assert_eq!(&buf[..], data);
        // Typed decode never panics; what decodes re-encodes to the same bytes, except
        // property maps, whose encoding is normalised (sorted list / bitmap).
        let class = repr.property_owner().class_code();
        for p in repr.props.iter().chain(repr.get_props.iter()) {
            if let Ok(v) = decode(class, p.epc, p.edt) {
                let mut out = [0u8; 256];
                let is_map = (0x9D..=0x9F).contains(&p.epc);
                if let (Ok(n), false) = (v.encode(&mut out), is_map) {
                    assert_eq!(&out[..n], p.edt, "EPC {:02X}", p.epc);
                }
            }
        }
    }
    let ctx = Context {
        lv_scale: Some(LvScale::new(
            Some(999_999),
            EnergyUnit::from_code(0x0D).unwrap(),
        )),
    };
    let _ = render_with(data, Lang::Ja, &ctx);
    let _ = render_with(data, Lang::En, &Context::default());
});
