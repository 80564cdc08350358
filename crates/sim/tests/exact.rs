//! Byte-exact checks of the tricky lines, determinism, J11 mode and meter details.
mod common;
use common::*;
use sim::el::{esv, Frame, Prop};
use sim::{Dialect, Scenario, Sim};

fn exchange(sim: &mut Sim, t: u64, bytes: &[u8]) -> Vec<u8> {
    sim.write(t, bytes);
    sim.read(t + 100)
}

#[test]
fn product_config_replies_end_in_bare_cr() {
    let mut sim = Sim::new(Scenario::new(Dialect::DualStack));
    assert_eq!(exchange(&mut sim, 0, b"ROPT\r"), b"ROPT\r\nOK 00\r");
    assert_eq!(exchange(&mut sim, 200, b"WOPT 01\r"), b"WOPT 01\r\nOK\r");
    assert_eq!(exchange(&mut sim, 400, b"ROPT\r\n"), b"ROPT\r\nOK 01\r");
    assert_eq!(exchange(&mut sim, 600, b"RUART\r"), b"RUART\r\nOK 80\r");
    let mut dss = Sim::new(Scenario::new(Dialect::DualStackNoRopt));
    assert_eq!(exchange(&mut dss, 0, b"ROPT\r"), b"ROPT\r\nFAIL ER04\r\n");
}

#[test]
fn skll64_bare_reply_and_skinfo() {
    let mut sim = Sim::new(Scenario::default());
    assert_eq!(
        exchange(&mut sim, 0, b"SKLL64 001C640003DD6393\r\n"),
        b"SKLL64 001C640003DD6393\r\nFE80:0000:0000:0000:021C:6400:03DD:6393\r\n"
    );
    assert_eq!(
        exchange(&mut sim, 200, b"SKINFO\r\n"),
        b"SKINFO\r\nEINFO FE80:0000:0000:0000:021D:1291:0012:3A5C 001D129100123A5C 21 FFFF FFFE\r\nOK\r\n"
    );
    let mut ds = Sim::new(Scenario::new(Dialect::DualStack));
    let out = exchange(&mut ds, 0, b"SKINFO\r\n");
    assert!(
        out.ends_with(b" 21 FFFF 0\r\nOK\r\n"),
        "{}",
        String::from_utf8_lossy(&out)
    );
}

#[test]
fn echo_off_and_registers() {
    let mut sim = Sim::new(Scenario::default());
    assert_eq!(
        exchange(&mut sim, 0, b"SKSREG SFE 0\r\n"),
        b"SKSREG SFE 0\r\nOK\r\n"
    );
    assert_eq!(
        exchange(&mut sim, 200, b"SKSREG S16\r\n"),
        b"ESREG 00000384\r\nOK\r\n"
    );
    assert_eq!(
        exchange(&mut sim, 400, b"SKSREG S2 3D\r\n"),
        b"FAIL ER06\r\n"
    );
    assert_eq!(exchange(&mut sim, 600, b"SKSREG S02 3C\r\n"), b"OK\r\n");
    assert_eq!(
        exchange(&mut sim, 800, b"SKSREG S2\r\n"),
        b"ESREG 3C\r\nOK\r\n"
    );
    assert_eq!(
        exchange(&mut sim, 1000, b"SKSETRBID 0123\r\n"),
        b"FAIL ER06\r\n"
    );
    let id = b"SKSETRBID 0000004F3A210000000000000A18C3D7\r\n";
    assert_eq!(exchange(&mut sim, 1200, id), b"OK\r\n");
    assert_eq!(
        exchange(&mut sim, 1400, b"SKSREG S0A\r\n"),
        b"ESREG 0A18C3D7\r\nOK\r\n"
    );
    assert_eq!(exchange(&mut sim, 1600, b"SKFOO\r\n"), b"FAIL ER04\r\n");
    assert_eq!(
        exchange(&mut sim, 1800, b"SKSETPWD C\r\n"),
        b"FAIL ER05\r\n"
    );
    assert_eq!(
        exchange(&mut sim, 2000, b"SKSETPWD 21 x\r\n"),
        b"FAIL ER06\r\n"
    );
}

#[test]
fn skscan_argument_counts_per_dialect() {
    let mut sh = Sim::new(Scenario::default());
    assert_eq!(
        exchange(&mut sh, 0, b"SKSCAN 2 FFFFFFFF 6 0\r\n"),
        b"SKSCAN 2 FFFFFFFF 6 0\r\nFAIL ER05\r\n"
    );
    assert_eq!(
        exchange(&mut sh, 200, b"SKSCAN 2 FFFFFFFF F\r\n"),
        b"SKSCAN 2 FFFFFFFF F\r\nFAIL ER06\r\n"
    );
    let mut ds = Sim::new(Scenario::new(Dialect::DualStack));
    assert_eq!(
        exchange(&mut ds, 0, b"SKSCAN 2 FFFFFFFF 6\r\n"),
        b"SKSCAN 2 FFFFFFFF 6\r\nFAIL ER05\r\n"
    );
    assert_eq!(
        exchange(&mut ds, 200, b"SKSCAN 2 FFFFFFFF B 0\r\n"),
        b"SKSCAN 2 FFFFFFFF B 0\r\nFAIL ER06\r\n"
    );
}

#[test]
fn scan_takes_real_time_and_needs_duration() {
    let mut sim = Sim::new(Scenario::default());
    sim.write(0, b"SKSETRBID 0000004F3A210000000000000A18C3D7\r\n");
    sim.write(10, b"SKSCAN 2 FFFFFFFF 4\r\n");
    // 28 × 9.6 ms × 17 = 4569.6 ms
    let early = sim.read(4_500);
    assert!(!String::from_utf8_lossy(&early).contains("EVENT 22"));
    let done = String::from_utf8_lossy(&sim.read(4_700)).into_owned();
    assert_eq!(
        done, "EVENT 22 FE80:0000:0000:0000:021D:1291:0012:3A5C\r\n",
        "d=4 < min 5: no beacon"
    );
    sim.write(5_000, b"SKSCAN 2 FFFFFFFF 5\r\n");
    let out = String::from_utf8_lossy(&sim.read(5_000 + 8_900)).into_owned();
    let lqi = out
        .lines()
        .find_map(|l| l.strip_prefix("  LQI:"))
        .unwrap()
        .to_string();
    let expect = format!(
        "SKSCAN 2 FFFFFFFF 5\r\nOK\r\nEVENT 20 FE80:0000:0000:0000:021D:1291:0012:3A5C\r\nEPANDESC\r\n  Channel:2D\r\n  Channel Page:09\r\n  Pan ID:7D21\r\n  Addr:001C64000A4F7D21\r\n  LQI:{lqi}\r\n  PairID:0A18C3D7\r\nEVENT 22 FE80:0000:0000:0000:021D:1291:0012:3A5C\r\n"
    );
    assert_eq!(out, expect);
    // Single channel mask: 0x2D is bit 12; one channel at d=5 takes 9.6 × 33 ms.
    sim.write(20_000, b"SKSCAN 2 00001000 5\r\n");
    let out = String::from_utf8_lossy(&sim.read(20_000 + 330)).into_owned();
    assert!(
        out.contains("EPANDESC") && out.contains("EVENT 22"),
        "{out}"
    );
}

#[test]
fn weak_signal_lqi_and_duration() {
    let mut c = Client::new(Scenario::preset("weak-signal").unwrap());
    c.cmd("SKSETRBID 0000004F3A210000000000000A18C3D7", 50);
    assert!(!c.cmd("SKSCAN 2 FFFFFFFF 6", 20_000).contains("EPANDESC"));
    let s = c.cmd("SKSCAN 2 FFFFFFFF 7", 40_000);
    let lqi = s.lines().find_map(|l| l.strip_prefix("  LQI:")).unwrap();
    assert!(u8::from_str_radix(lqi, 16).unwrap() < 0x40, "{lqi}");
}

#[test]
fn sendto_echo_is_text_part_only_or_printables_on_dss() {
    let payload = [
        0x10, 0x81, 0x00, 0x01, 0x05, 0xFF, 0x01, 0x02, 0x88, 0x01, 0x62, 0x01, 0xE7, 0x00,
    ];
    let ip = "FE80:0000:0000:0000:021C:6400:0A4F:7D21";
    let mut sim = Sim::new(Scenario::new(Dialect::DualStack));
    let mut w = format!("SKSENDTO 1 {ip} 0E1A 1 0 000E ").into_bytes();
    w.extend_from_slice(&payload);
    sim.write(0, &w);
    let out = sim.read(5);
    assert_eq!(
        out,
        format!("SKSENDTO 1 {ip} 0E1A 1 0 000E \r\n").as_bytes()
    );
    let mut dss = Sim::new(Scenario::new(Dialect::DualStackNoRopt));
    dss.write(0, &w);
    let out = dss.read(5);
    let mut expect = format!("SKSENDTO 1 {ip} 0E1A 1 0 000E ").into_bytes();
    expect.extend_from_slice(&[0x81, 0xFF, 0x88, b'b', 0xE7, b'\r', b'\n']);
    assert_eq!(out, expect);
}

#[test]
fn sendto_payload_with_crlf_and_spaces_is_counted() {
    let mut c = Client::new(Scenario::default());
    c.join();
    // TID 0x0D0A and a SetC of E5 = 0x20 (space): CR, LF and space inside the payload.
    let f = Frame {
        tid: 0x0D0A,
        seoj: sim::el::CONTROLLER,
        deoj: LV,
        esv: esv::SETC,
        props: vec![Prop {
            epc: 0xE5,
            edt: vec![0x20],
        }],
        props_get: vec![],
    };
    let r = request(&mut c, &f).unwrap();
    assert_eq!(r.esv, esv::SET_RES, "E5 = 32 days ago is in range");
    assert_eq!(r.tid, 0x0D0A);
    let f = request(&mut c, &get_frame(0x200D, LV, &[0xE5])).unwrap();
    assert_eq!(f.props[0].edt, [0x20]);
}

#[test]
fn wrong_sendto_arguments() {
    let mut sim = Sim::new(Scenario::default());
    // Single-hop given the dual-stack layout: '0' is read as DATALEN -> ER06.
    let out = exchange(
        &mut sim,
        0,
        b"SKSENDTO 1 FE80:0000:0000:0000:021C:6400:0A4F:7D21 0E1A 1 0 000E abc\r\n",
    );
    assert!(
        out.ends_with(b"FAIL ER06\r\n"),
        "{}",
        String::from_utf8_lossy(&out)
    );
    let out = exchange(
        &mut sim,
        500,
        b"SKSENDTO 1 FE80::1 0E1A 1 000E 12345678901234",
    );
    assert!(
        out.ends_with(b"FAIL ER06\r\n"),
        "{}",
        String::from_utf8_lossy(&out)
    );
    let out = exchange(
        &mut sim,
        1000,
        b"SKSENDTO 1 FE80:0000:0000:0000:021C:6400:0A4F:7D21\r\n",
    );
    assert!(out.ends_with(b"FAIL ER05\r\n"));
}

#[test]
fn determinism_same_seed_same_bytes() {
    fn session(seed: u64) -> Vec<u8> {
        let sc = Scenario {
            seed,
            ..Scenario::default()
        };
        let mut c = Client::new(sc);
        c.join();
        let addr = c.sim.meter_address(0).unwrap();
        for tid in 0..5 {
            c.sendto(&addr, &e7_get(tid), false, 5_000);
        }
        c.wait(3_600_000);
        c.log
    }
    assert_eq!(session(1), session(1));
    assert_ne!(session(1), session(2));
}

#[test]
fn read_timing_does_not_change_output() {
    let run = |step: u64| {
        let mut sim = Sim::new(Scenario::default());
        sim.write(
            0,
            b"SKSETRBID 0000004F3A210000000000000A18C3D7\r\nSKSCAN 2 FFFFFFFF 6\r\n",
        );
        let mut out = Vec::new();
        let mut t = 0;
        while t < 20_000 {
            t += step;
            out.extend(sim.read(t));
        }
        out
    };
    assert_eq!(run(7), run(5_000));
}

#[test]
fn j11_mode_answers_only_j11_frames() {
    let mut sim = Sim::new(Scenario::new(Dialect::J11));
    assert!(exchange(&mut sim, 0, b"SKVER\r\nSKINFO\r\n").is_empty());
    // 0x006B firmware version request, no data; the answer is the real capture's (j11.md §4).
    let req = [
        0xD0, 0xEA, 0x83, 0xFC, 0x00, 0x6B, 0x00, 0x04, 0x03, 0xA8, 0x00, 0x00,
    ];
    let out = exchange(&mut sim, 200, &req);
    assert_eq!(
        out,
        [
            0xD0, 0xF9, 0xEE, 0x5D, 0x20, 0x6B, 0x00, 0x0D, 0x03, 0xAC, 0x00, 0xA8, 0x01, 0x04,
            0x00, 0x01, 0x03, 0x00, 0x00, 0x15, 0x8A
        ]
    );
    // A corrupted header checksum gets reply code 0x2FFF (result F0).
    let mut bad = req;
    bad[9] ^= 1;
    let out = exchange(&mut sim, 400, &bad);
    assert_eq!(&out[4..6], &[0x2F, 0xFF]);
    assert_eq!(out[12], 0xF0);
}

#[test]
fn e2_history_for_yesterday_and_release_r_properties() {
    let mut c = Client::new(Scenario::preset("solar").unwrap());
    c.join();
    let set = Frame {
        tid: 1,
        seoj: sim::el::CONTROLLER,
        deoj: LV,
        esv: esv::SETC,
        props: vec![Prop {
            epc: 0xE5,
            edt: vec![1],
        }],
        props_get: vec![],
    };
    assert_eq!(request(&mut c, &set).unwrap().esv, esv::SET_RES);
    let f = request(&mut c, &get_frame(2, LV, &[0xE2, 0xE4])).unwrap();
    assert_eq!(f.esv, esv::GET_RES);
    let e2 = &f.props[0].edt;
    assert_eq!(&e2[..2], &[0, 1]);
    let vals: Vec<u32> = e2[2..]
        .chunks(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    assert!(vals.windows(2).all(|w| w[0] <= w[1]), "cumulative");
    // yesterday 00:00 is 33 h before start (09:00)
    let m = c.sim.meter(0).unwrap();
    let start = m.reading_at(0);
    assert!(vals[47] <= start.import_count);
    let e4: Vec<u32> = f.props[1].edt[2..]
        .chunks(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    assert!(e4[47] > e4[0], "solar exported yesterday");
    // Release R: D0 and EE/EF.
    let f = request(&mut c, &get_frame(3, LV, &[0x82, 0xD0, 0xC0, 0xEF])).unwrap();
    assert_eq!(f.esv, esv::GET_RES);
    assert_eq!(f.props[0].edt, [0, 0, b'R', 0]);
    assert_eq!(f.props[1].edt.len(), 15);
    assert_eq!(f.props[2].edt.len(), 16);
    assert_eq!(f.props[3].edt, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]);
    let set_ef = Frame {
        tid: 4,
        seoj: sim::el::CONTROLLER,
        deoj: LV,
        esv: esv::SETC,
        props: vec![Prop {
            epc: 0xEF,
            edt: vec![0x07, 0xEA, 11, 26, 9, 0, 5],
        }],
        props_get: vec![],
    };
    assert_eq!(request(&mut c, &set_ef).unwrap().esv, esv::SET_RES);
    let f = request(&mut c, &get_frame(5, LV, &[0xEE])).unwrap();
    assert_eq!(f.props[0].edt.len(), 7 + 5 * 8);
    // Default meter (Release J) lacks them: Get_SNA.
    let mut c = Client::new(Scenario::default());
    c.join();
    let f = request(&mut c, &get_frame(6, LV, &[0xD0, 0xE7])).unwrap();
    assert_eq!(f.esv, esv::GET_SNA);
}

#[test]
fn high_voltage_meter_over_the_air() {
    let mut c = Client::new(Scenario::preset("high-voltage").unwrap());
    c.join();
    let f = request(
        &mut c,
        &get_frame(
            1,
            HV,
            &[0xD3, 0xD4, 0xE6, 0xE2, 0xC1, 0xC3, 0xCA, 0xE7, 0xC6, 0xCE],
        ),
    )
    .unwrap();
    assert_eq!(f.esv, esv::GET_RES, "{f:?}");
    assert_eq!(f.props[0].edt, [0, 0, 0, 24]);
    assert_eq!(f.props[1].edt, [2]);
    assert_eq!(f.props[2].edt, [0]);
    assert_eq!(f.props[3].edt.len(), 11);
    for p in &f.props[7..] {
        assert_eq!(p.edt.len(), 194);
    }
    let count = u32::from_be_bytes([
        f.props[3].edt[7],
        f.props[3].edt[8],
        f.props[3].edt[9],
        f.props[3].edt[10],
    ]);
    // E2 is stamped at the whole minute the request arrived in.
    let minute_ms = (c.now - 1_000) / 60_000 * 60_000;
    let truth = c.sim.meter(0).unwrap().reading_at(minute_ms);
    assert_eq!(count, truth.import_count);
    // 0.24 kWh per count
    let kwh = f64::from(count) * 0.24;
    assert!(
        (kwh - truth.import_wh as f64 / 1000.0).abs() < 0.5,
        "{kwh} vs {}",
        truth.import_wh
    );
}

#[test]
fn property_maps_and_node_profile() {
    let mut c = Client::new(Scenario::default());
    c.join();
    let f = request(&mut c, &get_frame(1, LV, &[0x9F, 0x9E, 0x9D])).unwrap();
    assert_eq!(f.props[0].edt.len(), 17, "bitmap form for >= 16 properties");
    assert_eq!(f.props[1].edt, [3, 0x81, 0xE5, 0xED]);
    assert_eq!(f.props[2].edt, [3, 0x80, 0x81, 0x88]);
    let f = request(&mut c, &get_frame(2, [0x0E, 0xF0, 0x01], &[0xD6, 0xD3])).unwrap();
    assert_eq!(f.seoj, [0x0E, 0xF0, 0x01]);
    assert_eq!(f.props[0].edt, [1, 0x02, 0x88, 0x01]);
}

#[test]
fn every_preset_builds_and_answers() {
    for (name, _) in sim::PRESETS {
        let sc = Scenario::preset(name).unwrap();
        let j11 = sc.dialect == Dialect::J11;
        let mut sim = Sim::new(sc);
        let out = exchange(&mut sim, 0, b"SKVER\r\n");
        assert_eq!(out.is_empty(), j11, "{name}");
    }
    assert!(Scenario::preset("nope").is_none());
}
