//! Property tests: emit∘parse is the identity for generated frames, parsing arbitrary bytes
//! never panics, typed values re-encode to their bytes, decimals are exact.

use echonet::pretty::{render, render_with, Context, Lang};
use echonet::{
    counter_delta, decode, ClassCode, Decimal, Eoj, Esv, Frame, FrameRepr, LvScale, Property,
    PropertyList, PropertyMap,
};
use proptest::prelude::*;

fn eoj() -> impl Strategy<Value = Eoj> {
    prop_oneof![
        Just(Eoj::CONTROLLER),
        Just(Eoj::LV_SMART_METER),
        Just(Eoj::HV_SMART_METER),
        Just(Eoj::NODE_PROFILE),
        any::<[u8; 3]>().prop_map(Eoj::from_bytes),
    ]
}

fn esv() -> impl Strategy<Value = u8> {
    prop_oneof![
        prop::sample::select(vec![
            0x60u8, 0x61, 0x62, 0x63, 0x6E, 0x71, 0x72, 0x73, 0x74, 0x7A, 0x7E, 0x50, 0x51, 0x52,
            0x53, 0x5E
        ]),
        any::<u8>(),
    ]
}

fn props() -> impl Strategy<Value = Vec<(u8, Vec<u8>)>> {
    prop::collection::vec(
        (any::<u8>(), prop::collection::vec(any::<u8>(), 0..24)),
        0..8,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn emit_then_parse_is_identity(
        tid in any::<u16>(),
        seoj in eoj(),
        deoj in eoj(),
        esv in esv(),
        set in props(),
        get in props(),
    ) {
        let set: Vec<Property<'_>> = set.iter().map(|(e, d)| Property::new(*e, d)).collect();
        let get: Vec<Property<'_>> = get.iter().map(|(e, d)| Property::new(*e, d)).collect();
        let esv = Esv::from(esv);
        let mut repr = FrameRepr::new(tid, seoj, deoj, esv, PropertyList::from_props(&set));
        if esv.is_set_get() {
            repr.get_props = PropertyList::from_props(&get);
        }
        let bytes = repr.to_vec().unwrap();
        prop_assert_eq!(bytes.len(), repr.buffer_len());
        let parsed = FrameRepr::parse_bytes(&bytes).unwrap();
        prop_assert_eq!(parsed, repr);
        prop_assert_eq!(parsed.to_vec().unwrap(), bytes.clone());
        // The view agrees with the Repr.
        let view = Frame::new_checked(&bytes[..]).unwrap();
        prop_assert_eq!(view.tid(), tid);
        prop_assert_eq!(view.properties().count(), set.len());
        // A buffer one byte short is an error, never a panic.
        let mut short = vec![0u8; bytes.len() - 1];
        prop_assert!(repr.emit(&mut short).is_err());
        // Every truncation is rejected with an error.
        for cut in 0..bytes.len() {
            prop_assert!(FrameRepr::parse_bytes(&bytes[..cut]).is_err());
        }
        let _ = render(&bytes, Lang::Ja);
    }

    #[test]
    fn parse_of_arbitrary_bytes_never_panics(data in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = FrameRepr::parse_bytes(&data);
        let _ = Frame::new_checked(&data[..]);
        if data.len() >= echonet::HEADER_LEN {
            let view = Frame::new_unchecked(&data[..]);
            let _ = view.properties().count();
            let _ = view.get_properties().count();
        }
        let _ = render(&data, Lang::En);
    }

    #[test]
    fn header_like_bytes_never_panic(
        head in Just(vec![0x10u8, 0x81]),
        rest in prop::collection::vec(any::<u8>(), 0..220),
    ) {
        let mut data = head;
        data.extend(rest);
        if let Ok(repr) = FrameRepr::parse_bytes(&data) {
            prop_assert_eq!(repr.to_vec().unwrap(), data.clone());
        }
        let ctx = Context { lv_scale: Some(LvScale::new(None, echonet::EnergyUnit::TENTH)) };
        let _ = render_with(&data, Lang::Ja, &ctx);
    }

    #[test]
    fn typed_values_reencode_to_their_bytes(
        class in prop::sample::select(vec![
            ClassCode::LowVoltageSmartMeter,
            ClassCode::HighVoltageSmartMeter,
            ClassCode::NodeProfile,
            ClassCode::Controller,
        ]),
        epc in any::<u8>(),
        len in prop::sample::select(vec![1usize, 2, 3, 4, 7, 11, 12, 15, 16, 17, 23, 194]),
        seed in prop::collection::vec(any::<u8>(), 194),
    ) {
        let edt = &seed[..len];
        if let Ok(v) = decode(class, epc, edt) {
            let mut out = [0u8; 256];
            let n = v.encode(&mut out).unwrap();
            if !(0x9D..=0x9F).contains(&epc) {
                prop_assert_eq!(&out[..n], edt);
            }
        }
    }

    #[test]
    fn e7_e8_any_value(raw in any::<i32>()) {
        let edt = raw.to_be_bytes();
        for epc in [0xE7u8, 0xE8] {
            let v = decode(ClassCode::LowVoltageSmartMeter, epc, &edt).unwrap();
            let mut out = [0u8; 4];
            prop_assert_eq!(v.encode(&mut out), Ok(4));
            prop_assert_eq!(out, edt);
        }
    }

    #[test]
    fn property_map_round_trip(epcs in prop::collection::btree_set(0x80u8..=0xFF, 0..128)) {
        let epcs: Vec<u8> = epcs.into_iter().collect();
        let m = PropertyMap::from_epcs(&epcs);
        let mut buf = [0u8; 17];
        let n = m.emit(&mut buf).unwrap();
        prop_assert_eq!(n, if epcs.len() < 16 { 1 + epcs.len() } else { 17 });
        let back = PropertyMap::parse(&buf[..n], 0x9F).unwrap();
        prop_assert_eq!(back.iter().collect::<Vec<_>>(), epcs);
    }

    #[test]
    fn kwh_is_exact(raw in 0u32..100_000_000, coefficient in 0u32..1_000_000, unit in prop::sample::select(vec![0u8, 1, 2, 3, 4, 0x0A, 0x0B, 0x0C, 0x0D])) {
        let d = echonet::energy::from_raw(raw, coefficient, unit).unwrap();
        // Compare with integer arithmetic on the printed digits.
        let product = u128::from(raw) * u128::from(coefficient);
        let expect = match unit {
            0..=4 => {
                let div = 10u128.pow(u32::from(unit));
                let (i, f) = (product / div, product % div);
                let mut s = format!("{i}.{f:0w$}", w = usize::from(unit));
                while s.ends_with('0') && s.contains('.') { s.pop(); }
                if s.ends_with('.') { s.pop(); }
                s
            }
            _ => (product * 10u128.pow(u32::from(unit - 0x09))).to_string(),
        };
        prop_assert_eq!(d.to_string(), expect);
        prop_assert_eq!(d.to_string().parse::<Decimal>().unwrap(), d);
    }

    #[test]
    fn counter_delta_recovers_the_step(digits in 1u8..=8, prev in any::<u32>(), step in any::<u32>()) {
        let m = 10u64.pow(u32::from(digits));
        let prev = (u64::from(prev) % m) as u32;
        let step = u64::from(step) % m;
        let next = ((u64::from(prev) + step) % m) as u32;
        prop_assert_eq!(counter_delta(prev, next, digits), Ok(step));
    }
}
