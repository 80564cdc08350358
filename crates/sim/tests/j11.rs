//! The J11 module driven by a scripted client writing hand-built frames: the pairing and
//! resume sequences of `shared/j11.md` §3, the ROHM sample frames of §4 byte for byte, the
//! state rules and input rules of §1–2, and the faults.
mod common;
use common::j11::*;
use sim::el::{esv, Frame};
use sim::{Dialect, Fault, MeterConfig, Scenario};

fn j11() -> Scenario {
    Scenario::preset("j11").unwrap()
}

fn with(f: Fault) -> Scenario {
    let mut sc = j11();
    sc.faults.set(f, true);
    sc
}

fn get_e7(tid: u16) -> Vec<u8> {
    let t = tid.to_be_bytes();
    vec![
        0x10, 0x81, t[0], t[1], 0x05, 0xFF, 0x01, 0x02, 0x88, 0x01, 0x62, 0x01, 0xE7, 0x00,
    ]
}

fn frames(got: &[Rx], code: u16) -> Vec<&Rx> {
    got.iter().filter(|f| f.code == code).collect()
}

/// Frames of the pairing sequence, step by step; the whole j11.md §3 with the demo meter.
#[test]
fn pairing_sequence_of_section_3() {
    let mut c = J11Client::new(j11());
    let m = c.sim.scenario().meters[0].clone();
    let ch = m.j11_channel();
    assert_eq!(ch, 0x0A, "SKSTACK 0x2D = 924.9 MHz = J11 channel 10");
    // 1. reset → (F2) + 0x6019, no data, as the ROHM sample F2.
    let got = c.cmd(0x00D9, &[], 1_000);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].raw, hex("D0F9EE5D 6019 0004 0391 0000"));
    assert_eq!(c.noise, 1, "one stray F2 byte at reset");
    assert_eq!(c.bytes.first(), Some(&0xF2));
    assert_eq!(c.status(), (0x02, 0x01, 0x01));
    // 2. firmware.
    let f = c.call(0x006B, &[], 100);
    assert_eq!(
        f.raw,
        hex("D0 F9 EE 5D 20 6B 00 0D 03 AC 00 A8 01 04 00 01 03 00 00 15 8A")
    );
    // 3. initial setup, 4. credentials (F4, F6 of the ROHM samples).
    let f = c.call(0x005F, &[0x05, 0x00, 0x04, 0x00], 100);
    assert_eq!(f.raw, hex("D0F9EE5D 205F 0005 0398 0001 01"));
    assert_eq!(c.status(), (0x03, 0x01, 0x01));
    let mut cred = m.route_b_id.clone().into_bytes();
    cred.extend(m.password.bytes());
    let f = c.call(0x0054, &cred, 100);
    assert_eq!(f.raw, hex("D0F9EE5D 2054 0005 038D 0001 01"));
    // 5. active scan d=6 over all 14 channels: one 0x4051 per channel every 617 ms, then 0x2051.
    let t0 = c.now;
    let d = c.scan_data(6);
    let got = c.cmd(0x0051, &d, 10_000);
    let notes = frames(&got, 0x4051);
    assert_eq!(notes.len(), 14);
    for (k, n) in notes.iter().enumerate() {
        assert_eq!(n.data[1], 4 + k as u8, "channel order");
        let dwell = 9.64 * 64.0 * (k + 1) as f64;
        let took = (n.at - t0) as f64;
        assert!((took - dwell).abs() < 30.0, "{took} vs {dwell}");
        if n.data[1] == ch {
            assert_eq!(n.data[0], 0x00, "beacon on the meter's channel");
            assert_eq!(n.data[2], 1);
            assert_eq!(&n.data[3..11], &m.mac.to_be_bytes());
            assert_eq!(&n.data[11..13], &m.pan_id.to_be_bytes());
            let rssi = n.data[13] as i8;
            assert!((-71..=-66).contains(&rssi), "25 m ≈ −68 dBm: {rssi}");
        } else {
            assert_eq!(n.data, [0x01, n.data[1]], "no beacon");
        }
    }
    let done = frames(&got, 0x2051);
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].raw, hex("D0F9EE5D 2051 0005 038A 0001 01"));
    assert!(done[0].at >= notes[13].at);
    // 6. setup with the channel, 7. start B-route.
    assert_eq!(c.result(0x005F, &[0x05, 0x00, ch, 0x00]), 0x01);
    let f = c.call(0x0053, &[], 2_000);
    assert_eq!(f.data.len(), 13);
    assert_eq!(f.data[..2], [0x01, ch]);
    assert_eq!(&f.data[2..4], &m.pan_id.to_be_bytes());
    assert_eq!(&f.data[4..12], &m.mac.to_be_bytes());
    assert_eq!(c.status(), (0x03, 0x02, 0x01));
    let f = c.call(0x005E, &[], 100);
    assert_eq!(f.data, [0x01, 0x7D, 0x21]);
    // 8. port 3610 (F15), 9. PANA (F17, then F18's shape with our meter's MAC).
    let f = c.call(0x0005, &[0x0E, 0x1A], 100);
    assert_eq!(f.raw, hex("D0F9EE5D 2005 0005 033E 0001 01"));
    let f = c.call(0x0056, &[], 100);
    assert_eq!(f.raw, hex("D0F9EE5D 2056 0005 038F 0001 01"));
    let t0 = c.now;
    let got = c.until(0x6028, 10_000);
    let n = frames(&got, 0x6028)[0].clone();
    let mut want = vec![0x01];
    want.extend_from_slice(&m.mac.to_be_bytes());
    assert_eq!(n.data, want);
    assert!(
        (1_000..=4_000).contains(&(n.at - t0)),
        "PANA time {}",
        n.at - t0
    );
    assert!(c.sim.is_joined());
    assert_eq!(c.status(), (0x03, 0x03, 0x01));
    // 10. the meter's D5 INF: multicast, encrypted, from the meter, 3610 → 3610.
    let got = c.until(0x6018, 4_000);
    let u = udp_of(frames(&got, 0x6018)[0]);
    assert_eq!(u.src, ll(m.mac));
    assert_eq!((u.src_port, u.dst_port, u.pan), (0x0E1A, 0x0E1A, m.pan_id));
    assert!(u.multicast);
    assert_eq!(u.security, 0x02);
    let inf = Frame::decode(&u.data).unwrap();
    assert_eq!(inf.esv, esv::INF);
    assert_eq!(inf.props[0].epc, 0xD5);
    assert_eq!(inf.props[0].edt, [1, 0x02, 0x88, 0x01]);
    // 11. Get E7 → 0x2008 01 00 + first five bytes → 0x6018 Get_Res with the true power.
    let got = c.send_udp(0, &get_e7(0x0101), 3_000);
    let r = frames(&got, 0x2008)[0];
    assert_eq!(r.data, [0x01, 0x00, 0x10, 0x81, 0x01, 0x01, 0x05]);
    let answers = frames(&got, 0x6018);
    assert_eq!(answers.len(), 1);
    let u = udp_of(answers[0]);
    assert!(!u.multicast);
    assert_eq!(u.security, 0x02);
    assert_eq!(u.src, ll(m.mac));
    assert!((-104..=-34).contains(&u.rssi));
    let res = Frame::decode(&u.data).unwrap();
    assert_eq!((res.tid, res.esv), (0x0101, esv::GET_RES));
    // The meter reads its register when the request reaches it (the 0x2008 time).
    let truth = c.sim.meter(0).unwrap().reading_at(r.at);
    assert_eq!(res.props[0].edt, truth.power_w.to_be_bytes());
    assert!(answers[0].at > r.at, "the answer follows 0x2008");
}

/// The ROHM sample session (j11.md §4) replayed byte for byte against a meter with the
/// sample's credentials, MAC, PAN and channel.
#[test]
fn rohm_sample_frames_byte_exact() {
    let mut sc = j11();
    sc.meters[0] = MeterConfig {
        channel: 0x21 + 2 * (0x0C - 4),
        pan_id: 0xBCDE,
        mac: 0x0050_C2FF_FEDC_2822,
        route_b_id: "00112233445566778899AABBCCDDEEFF".into(),
        password: "0123456789AB".into(),
        distance_m: 1,
        ..MeterConfig::default()
    };
    let mut c = J11Client::new(sc);
    let exact = |c: &mut J11Client, tx: &str, rx: &str, wait: u64| {
        let got = c.send(&hex(tx), wait);
        assert!(
            got.iter().any(|f| f.raw == hex(rx)),
            "{tx} → want {rx}, got {got:x?}"
        );
    };
    exact(
        &mut c,
        "D0EA83FC 00D9 0004 0416 0000",
        "D0F9EE5D 6019 0004 0391 0000",
        1_000,
    );
    exact(
        &mut c,
        "D0EA83FC 005F 0008 03A0 0009 05000400",
        "D0F9EE5D 205F 0005 0398 0001 01",
        100,
    );
    exact(
        &mut c,
        "D0EA83FC 0054 0030 03BD 09D4 3030313132323333343435353636373738383939414142424343444445454646 303132333435363738394142",
        "D0F9EE5D 2054 0005 038D 0001 01",
        100,
    );
    // The worked example of §1 (d=6, channels 4–17, pairing ID CCDDEEFF).
    let got = c.send(
        &hex("D0 EA 83 FC 00 51 00 12 03 9C 04 1D 06 00 03 FF F0 01 43 43 44 44 45 45 46 46"),
        10_000,
    );
    assert_eq!(got[0].raw, hex("D0F9EE5D 4051 0006 03AB 0005 01 04"), "F8");
    let beacon = got
        .iter()
        .find(|f| f.code == 0x4051 && f.data[0] == 0)
        .unwrap();
    // F8: D0F9EE5D 4051 0012 03B7 06BA 00 0C 01 0050C2FFFEDC2822 BCDE DE — RSSI −34..−37 here.
    assert_eq!(beacon.raw[..10], hex("D0F9EE5D 4051 0012 03B7"));
    assert_eq!(beacon.data[..13], hex("00 0C 01 0050C2FFFEDC2822 BCDE"));
    assert!((-37..=-34).contains(&(beacon.data[13] as i8)));
    assert_eq!(
        got.last().unwrap().raw,
        hex("D0F9EE5D 2051 0005 038A 0001 01"),
        "F9"
    );
    exact(
        &mut c,
        "D0EA83FC 005F 0008 03A0 0011 05000C00",
        "D0F9EE5D 205F 0005 0398 0001 01",
        100,
    );
    let got = c.send(&hex("D0EA83FC 0053 0004 0390 0000"), 2_000);
    let f13 = got.iter().find(|f| f.code == 0x2053).unwrap();
    assert_eq!(f13.raw[..10], hex("D0F9EE5D 2053 0011 0398"), "F13");
    assert_eq!(f13.data[..12], hex("01 0C BCDE 0050C2FFFEDC2822"));
    exact(
        &mut c,
        "D0EA83FC 0005 0006 0344 0028 0E1A",
        "D0F9EE5D 2005 0005 033E 0001 01",
        100,
    );
    exact(
        &mut c,
        "D0EA83FC 0056 0004 0393 0000",
        "D0F9EE5D 2056 0005 038F 0001 01",
        100,
    );
    let got = c.until(0x6028, 10_000);
    assert!(got
        .iter()
        .any(|f| f.raw == hex("D0F9EE5D 6028 000D 03A9 0436 01 0050C2FFFEDC2822")));
    c.wait(4_000);
    // F20 Get EA EB (TID 0006) → F21, then a Get_Res like F22.
    let got = c.send(
        &hex("D0EA83FC 0008 002A 036B 0A75 FE800000000000000250C2FFFEDC2822 0E1A 0E1A 0010 1081000605FF010288016202EA00EB00"),
        3_000,
    );
    assert_eq!(
        got[0].raw,
        hex("D0F9EE5D 2008 000B 0347 009D 01 00 1081000605")
    );
    let u = udp_of(got.iter().find(|f| f.code == 0x6018).unwrap());
    assert_eq!(u.src, hex("FE800000000000000250C2FFFEDC2822").as_slice());
    assert_eq!(
        (u.src_port, u.dst_port, u.pan, u.security),
        (0x0E1A, 0x0E1A, 0xBCDE, 2)
    );
    let res = Frame::decode(&u.data).unwrap();
    assert_eq!((res.tid, res.esv), (0x0006, esv::GET_RES));
    assert_eq!(
        res.props.iter().map(|p| p.epc).collect::<Vec<_>>(),
        [0xEA, 0xEB]
    );
    assert_eq!(res.props[0].edt.len(), 11);
}

#[test]
fn resume_sequence_without_scan() {
    let mut c = J11Client::new(j11());
    c.pair();
    let ch = c.sim.scenario().meters[0].j11_channel();
    c.cmd(0x00D9, &[], 0);
    c.until(0x6019, 2_000);
    assert!(!c.sim.is_joined());
    assert_eq!(c.status(), (0x02, 0x01, 0x01), "reset reverts everything");
    assert_eq!(c.result(0x005F, &[0x05, 0x00, ch, 0x00]), 0x01);
    assert_eq!(c.credentials(), 0x01);
    assert_eq!(c.call(0x0053, &[], 2_000).result(), 0x01);
    assert_eq!(c.result(0x0005, &[0x0E, 0x1A]), 0x01);
    assert_eq!(c.result(0x0056, &[]), 0x01);
    let got = c.until(0x6028, 10_000);
    assert_eq!(frames(&got, 0x6028)[0].result(), 0x01);
    // Shutdown: 0x0057 then 0x0058.
    assert_eq!(c.call(0x0057, &[], 2_000).result(), 0x01);
    assert_eq!(c.status(), (0x03, 0x02, 0x01));
    assert_eq!(c.result(0x0058, &[]), 0x01);
    assert_eq!(c.status(), (0x03, 0x01, 0x01));
    assert_eq!(
        c.result(0x0005, &[0x0E, 0x1A]),
        0x10,
        "ports dropped with the B-route"
    );
}

#[test]
fn single_tasked_busy_and_reset_always_accepted() {
    let mut c = J11Client::new(j11());
    assert_eq!(c.result(0x005F, &[0x05, 0x00, 0x04, 0x00]), 0x01);
    let d = c.scan_data(6);
    c.cmd(0x0051, &d, 1_000);
    // During the scan: busy, with the response code of the refused request.
    let f = c.call(0x006B, &[], 50);
    assert_eq!(f.raw, hex("D0F9EE5D 206B 0005 03A4 003D 3D"));
    assert_eq!(c.call(0x0001, &[], 50).data, [0x3D]);
    // Reset is always accepted: the scan stops, the module boots.
    let got = c.cmd(0x00D9, &[], 12_000);
    assert!(frames(&got, 0x2051).is_empty() && frames(&got, 0x4051).is_empty());
    assert_eq!(frames(&got, 0x6019).len(), 1);
    // After the boot, two requests in sequence are fine; pipelined ones are not.
    assert_eq!(c.result(0x006B, &[]), 0x01);
    let mut two = req(0x006B, &[]);
    two.extend(req(0x0107, &[]));
    let got = c.send(&two, 100);
    let r107 = got.iter().find(|f| f.code == 0x2107).unwrap();
    assert_eq!(r107.data, [0x3D]);
    assert_eq!(
        got.iter().find(|f| f.code == 0x206B).unwrap().result(),
        0x01
    );
}

#[test]
fn busy_while_a_notification_is_written() {
    let mut c = J11Client::new(j11());
    c.pair();
    c.until(0x6018, 4_000);
    let got = c.send_udp(0, &get_e7(7), 0);
    assert!(got.is_empty());
    c.until(0x2008, 3_000);
    // The meter's answer is due at the next deadline; a request 1 ms before it collides.
    let due = c.sim.next_deadline().unwrap();
    c.wait(due - 1 - c.now);
    let got = c.cmd(0x0001, &[], 500);
    assert_eq!(got.iter().find(|f| f.code == 0x2001).unwrap().data, [0x3D]);
    assert_eq!(frames(&got, 0x6018).len(), 1);
    assert_eq!(c.status().1, 0x03, "fine again afterwards");
}

#[test]
fn wrong_state_results() {
    let mut c = J11Client::new(j11());
    let mut cred = sim::DEMO_ROUTE_B_ID.as_bytes().to_vec();
    cred.extend(sim::DEMO_PASSWORD.bytes());
    // Not started: 0x0054, 0x0051, 0x0053 need 0x005F first.
    assert_eq!(c.result(0x0054, &cred), 0x37);
    assert_eq!(c.result(0x0051, &c.scan_data(6)), 0x37);
    assert_eq!(c.result(0x0053, &[]), 0x37);
    // Idle: everything that needs the B-route.
    assert_eq!(c.result(0x005F, &[0x05, 0x00, 0x0A, 0x00]), 0x01);
    assert_eq!(c.result(0x0053, &[]), 0x51, "no PANA settings");
    for (cmd, data) in [
        (0x0005, vec![0x0E, 0x1A]),
        (0x0056, vec![]),
        (0x00D2, vec![]),
        (0x0057, vec![]),
        (0x0058, vec![]),
        (0x0008, udp(ll(0x001C_6400_0A4F_7D21), &get_e7(1))),
    ] {
        assert_eq!(c.result(cmd, &data), 0x10, "{cmd:04X} while idle");
    }
    // Joined, not authenticated.
    assert_eq!(c.result(0x0054, &cred), 0x01);
    assert_eq!(c.call(0x0053, &[], 2_000).result(), 0x01);
    for (cmd, data) in [
        (0x005F, vec![0x05, 0x00, 0x0A, 0x00]),
        (0x0053, vec![]),
        (0x0051, c.scan_data(6)),
        (0x00D2, vec![]),
        (0x0057, vec![]),
        (0x0008, udp(ll(0x001C_6400_0A4F_7D21), &get_e7(1))),
    ] {
        assert_eq!(c.result(cmd, &data), 0x34, "{cmd:04X} while joined");
    }
    assert_eq!(c.result(0x0005, &[0x0E, 0x1A]), 0x01);
    // PANA running.
    assert_eq!(c.result(0x0056, &[]), 0x01);
    assert_eq!(c.result(0x0056, &[]), 0x52);
    assert_eq!(c.result(0x0054, &cred), 0x52);
    assert_eq!(c.result(0x0058, &[]), 0x52);
    c.until(0x6028, 10_000);
    // Authenticated.
    for (cmd, data) in [
        (0x005F, vec![0x05, 0x00, 0x0A, 0x00]),
        (0x0053, vec![]),
        (0x0051, c.scan_data(6)),
        (0x0054, cred.clone()),
        (0x0056, vec![]),
        (0x0058, vec![]),
    ] {
        assert_eq!(c.result(cmd, &data), 0x35, "{cmd:04X} while authenticated");
    }
}

#[test]
fn parameters_lengths_and_ports() {
    let mut c = J11Client::new(j11());
    assert_eq!(c.result(0x005F, &[0x05, 0x00, 0x04]), 0x11);
    assert_eq!(
        c.result(0x005F, &[0x05, 0x00, 0x12, 0x00]),
        0x04,
        "channel 18"
    );
    assert_eq!(
        c.result(0x005F, &[0x05, 0x00, 0x03, 0x00]),
        0x04,
        "channel 3"
    );
    assert_eq!(c.result(0x006B, &[0x00]), 0x11);
    assert_eq!(c.result(0x005F, &[0x05, 0x00, 0x0A, 0x00]), 0x01);
    let f = c.call(0x0107, &[], 100);
    assert_eq!(f.data, [0x01, 0x05, 0x00, 0x0A, 0x00]);
    let mut cred = sim::DEMO_ROUTE_B_ID.as_bytes().to_vec();
    cred.extend(b"k7qx3m9pa2tb"); // lower case: upper-cased by the module
    assert_eq!(c.result(0x0054, &cred[..43]), 0x11);
    let mut bad = cred.clone();
    bad[3] = b'a';
    assert_eq!(c.result(0x0054, &bad), 0x04, "ID is 0-9A-F");
    let mut bad = cred.clone();
    bad[40] = b'-';
    assert_eq!(c.result(0x0054, &bad), 0x04, "password is alphanumeric");
    assert_eq!(c.result(0x0054, &cred), 0x01);
    let mut scan = c.scan_data(6);
    scan[0] = 0;
    assert_eq!(c.result(0x0051, &scan), 0x04, "duration 0");
    scan[0] = 15;
    assert_eq!(c.result(0x0051, &scan), 0x04, "duration 15");
    scan[0] = 6;
    scan[2] = 0x07; // bit 18
    assert_eq!(c.result(0x0051, &scan), 0x04);
    assert_eq!(c.result(0x0051, &scan[..10]), 0x11);
    assert_eq!(c.call(0x0053, &[], 2_000).result(), 0x01);
    for reserved in [716u16, 19788, 31941] {
        assert_eq!(
            c.result(0x0005, &reserved.to_be_bytes()),
            0x04,
            "{reserved}"
        );
    }
    assert_eq!(c.result(0x0005, &[0x0E]), 0x11);
    assert_eq!(c.result(0x0005, &[0x0E, 0x1A]), 0x01);
    assert_eq!(c.result(0x0005, &[0x0E, 0x1A]), 0x0A);
    for p in 1..=9u16 {
        assert_eq!(c.result(0x0005, &(4000 + p).to_be_bytes()), 0x01);
    }
    assert_eq!(c.result(0x0005, &5000u16.to_be_bytes()), 0x12, "11th port");
    c.cmd(0x0056, &[], 0);
    let got = c.until(0x6028, 10_000);
    assert_eq!(
        frames(&got, 0x6028)[0].result(),
        0x01,
        "password upper-cased"
    );
    let meter = ll(c.sim.scenario().meters[0].mac);
    let mut d = udp(meter, &get_e7(1));
    d[16..18].copy_from_slice(&3611u16.to_be_bytes());
    assert_eq!(c.result(0x0008, &d), 0x0B, "source port not open");
    let mut d = udp(meter, &get_e7(1));
    d.push(0);
    assert_eq!(c.result(0x0008, &d), 0x11, "length field ≠ payload");
    assert_eq!(c.result(0x0008, &udp(meter, &[])), 0x04, "empty payload");
    assert_eq!(
        c.result(0x0008, &udp(meter, &vec![0u8; 1233])),
        0x04,
        "over 1232 bytes"
    );
    let mut global = meter;
    global[0] = 0x20;
    global[1] = 0x01;
    assert_eq!(c.result(0x0008, &udp(global, &get_e7(1))), 0x06);
}

#[test]
fn input_rules_sums_lengths_unknown_and_timeout() {
    let mut c = J11Client::new(j11());
    // Bad header sum → reply code 0x2FFF.
    let mut f = req(0x006B, &[]);
    f[9] ^= 0x01;
    let got = c.send(&f, 100);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].raw, hex("D0F9EE5D 2FFF 0005 0447 00F0 F0"));
    // Bad data sum → error reply with F1.
    let mut f = req(0x005F, &[0x05, 0x00, 0x04, 0x00]);
    f[11] ^= 0x01;
    assert_eq!(c.send(&f, 100)[0].data, [0xF1]);
    assert_eq!(c.send(&f, 100)[0].code, 0x205F);
    // Length 3 → F2, length 1354 → F3.
    let mut f = req(0x0001, &[]);
    f[7] = 3;
    f[9] -= 1;
    assert_eq!(c.send(&f, 100)[0].data, [0xF2]);
    let mut f = req(0x0001, &[]);
    f[6] = 0x05;
    f[7] = 0x4A; // 1354
    let hsum: u16 = f[..8].iter().map(|b| u16::from(*b)).sum();
    f[8..10].copy_from_slice(&hsum.to_be_bytes());
    assert_eq!(c.send(&f, 100)[0].data, [0xF3]);
    // Unknown command → reply code 0xFFFF.
    let got = c.cmd(0x0099, &[], 100);
    assert_eq!(got[0].code, 0xFFFF);
    // Bytes past the length are dropped; text is ignored; the next frame is found.
    let mut f = req(0x006B, &[]);
    f.extend_from_slice(b"SKVER\r\n\x00\x01");
    f.extend(req(0x006B, &[]));
    let got = c.send(&f, 100);
    assert!(got.iter().all(|f| f.code == 0x206B), "{got:x?}");
    let mut results: Vec<u8> = got.iter().map(Rx::result).collect();
    results.sort_unstable();
    assert_eq!(
        results,
        [0x01, 0x3D],
        "the second arrived while the first was running"
    );
    // Missing data: dropped after 1 s without input, result 0x13.
    let f = req(0x005F, &[0x05, 0x00, 0x04, 0x00]);
    let got = c.send(&f[..14], 900);
    assert!(got.is_empty());
    c.send(&f[14..15], 900); // each byte restarts the timer
    let got = c.wait(200);
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].code, got[0].result()), (0x205F, 0x13));
    assert_eq!(c.status(), (0x02, 0x01, 0x01), "the setup was not applied");
}

#[test]
fn zero_sums_rejected_unless_lenient() {
    // J11GO's reset and setup with both sums 0000 (j11.md §5 pitfall 2).
    let reset = hex("D0EA83FC 00D9 0004 0000 0000");
    let setup = hex("D0EA83FC 005F 0008 0000 0000 05000400");
    let mut c = J11Client::new(j11());
    let got = c.send(&reset, 1_000);
    assert_eq!(got[0].code, 0x2FFF);
    assert!(frames(&got, 0x6019).is_empty());
    let mut sc = j11();
    sc.j11_zero_sum_lenience = true;
    let mut c = J11Client::new(sc);
    assert_eq!(frames(&c.send(&reset, 1_000), 0x6019).len(), 1);
    assert_eq!(
        c.send(&setup, 100)[0].raw,
        hex("D0F9EE5D 205F 0005 0398 0001 01")
    );
}

#[test]
fn wrong_id_no_beacon_and_join_fails_after_beacon_timer() {
    let mut c = J11Client::new(with(Fault::WrongId));
    assert_eq!(c.result(0x005F, &[0x05, 0x00, 0x04, 0x00]), 0x01);
    let d = c.scan_data(6);
    let got = c.cmd(0x0051, &d, 10_000);
    assert!(frames(&got, 0x4051).iter().all(|f| f.data[0] == 0x01));
    assert_eq!(c.credentials(), 0x01);
    assert_eq!(c.result(0x005F, &[0x05, 0x00, 0x0A, 0x00]), 0x01);
    let t0 = c.now;
    let f = c.call(0x0053, &[], 4_000);
    assert_eq!(f.data, [0x0E]);
    assert!(f.at - t0 >= 2_600);
    assert_eq!(c.status().1, 0x01);
}

#[test]
fn short_scan_misses_a_weak_meter_and_neighbours_need_their_own_id() {
    let mut sc = Scenario::preset("weak-signal").unwrap();
    sc.dialect = Dialect::J11;
    sc.faults.set(Fault::NeighbourMeter, true);
    sc.faults.set(Fault::SeveralMeters, true);
    let mut c = J11Client::new(sc);
    assert_eq!(c.result(0x005F, &[0x05, 0x00, 0x04, 0x00]), 0x01);
    let beacons = |c: &mut J11Client, data: &[u8]| -> Vec<Vec<u8>> {
        let got = c.cmd(0x0051, data, 200_000);
        frames(&got, 0x4051)
            .iter()
            .filter(|f| f.data[0] == 0)
            .map(|f| f.data.clone())
            .collect()
    };
    let d6 = c.scan_data(6);
    assert!(beacons(&mut c, &d6).is_empty(), "d=6 < the minimum 7");
    let d7 = c.scan_data(7);
    let b = beacons(&mut c, &d7);
    assert_eq!(
        b.len(),
        1,
        "only ours: neighbours answer only their own pairing ID"
    );
    assert!((b[0][13] as i8) < -85, "250 m away");
    // Without an ID (flag 00) every meter in range answers.
    let b = beacons(&mut c, &[7, 0x00, 0x03, 0xFF, 0xF0, 0x00]);
    assert_eq!(b.len(), 3, "{b:x?}");
}

#[test]
fn wrong_password_pana_rejected() {
    let mut c = J11Client::new(with(Fault::WrongPassword));
    c.cmd(0x00D9, &[], 0);
    c.until(0x6019, 1_000);
    c.result(0x005F, &[0x05, 0x00, 0x0A, 0x00]);
    c.credentials();
    assert_eq!(c.call(0x0053, &[], 2_000).result(), 1);
    assert_eq!(c.result(0x0056, &[]), 1);
    let got = c.until(0x6028, 10_000);
    assert_eq!(frames(&got, 0x6028)[0].result(), 0x02);
    assert_eq!(c.status().1, 0x02, "still joined");
    assert!(!c.sim.is_joined());
}

#[test]
fn meter_out_of_range_no_answer_and_link_state() {
    let mut c = J11Client::new(j11());
    c.pair();
    c.until(0x6018, 4_000);
    // The meter leaves: MAC down a few seconds later, sends are not acknowledged.
    c.sim.set_fault(Fault::MeterOutOfRange, true);
    let got = c.until(0x601A, 10_000);
    let n = frames(&got, 0x601A)[0];
    assert_eq!(n.data[0], 0x03);
    assert_eq!(&n.data[1..9], &c.sim.scenario().meters[0].mac.to_be_bytes());
    let got = c.send_udp(0, &get_e7(9), 3_000);
    assert_eq!(frames(&got, 0x2008)[0].data[..2], [0x01, 0x05], "no ACK");
    assert!(frames(&got, 0x6018).is_empty());
    // It comes back: MAC up, data flows again.
    c.sim.set_fault(Fault::MeterOutOfRange, false);
    let got = c.until(0x601A, 10_000);
    assert_eq!(frames(&got, 0x601A)[0].data[0], 0x01);
    let got = c.send_udp(0, &get_e7(10), 3_000);
    assert_eq!(frames(&got, 0x2008)[0].data[1], 0x00);
    assert_eq!(frames(&got, 0x6018).len(), 1);
    // PANA against a silent meter: 0x6028 03 only after the module's long timer.
    c.call(0x0057, &[], 2_000);
    c.sim.set_fault(Fault::MeterOutOfRange, true);
    let t0 = c.now;
    assert_eq!(c.result(0x0056, &[]), 1);
    let got = c.until(0x6028, 800_000);
    let n = frames(&got, 0x6028)[0];
    assert_eq!(n.result(), 0x03);
    assert!((491_900..=706_100).contains(&(n.at - t0)), "{}", n.at - t0);
}

#[test]
fn peer_terminates_pana_down_then_pana_again() {
    let mut c = J11Client::new(with(Fault::PeerTerminates));
    c.pair();
    let got = c.until(0x601A, 70_000);
    let n = frames(&got, 0x601A)[0];
    assert_eq!(n.data[0], 0x04);
    assert_eq!(c.status().1, 0x02);
    c.sim.set_fault(Fault::PeerTerminates, false);
    assert_eq!(c.result(0x0056, &[]), 1);
    let got = c.until(0x6028, 10_000);
    assert_eq!(frames(&got, 0x6028)[0].result(), 1);
}

#[test]
fn decrypt_error_reports_0x6038_and_drops_the_frame() {
    let mut c = J11Client::new(with(Fault::DecryptError));
    c.pair();
    let mut errors = 0;
    let mut answers = 0;
    c.until(0x6018, 4_000); // the D5 decrypts (the first meter frame)
    for tid in 0..6 {
        let got = c.send_udp(0, &get_e7(tid), 2_000);
        for f in &got {
            match f.code {
                0x6038 => {
                    errors += 1;
                    assert_eq!(f.data[0], 0x01, "reason: decryption");
                    assert_eq!(f.data[1..17], ll(c.sim.scenario().meters[0].mac));
                    assert_eq!(f.data[21..], [0x10, 0x81, 0x00, tid as u8, 0x02]);
                }
                0x6018 => answers += 1,
                _ => {}
            }
        }
    }
    assert_eq!((errors, answers), (3, 3));
}

#[test]
fn self_reauthentication_at_lifetime_end_and_on_request() {
    let mut sc = j11();
    sc.pana_lifetime_s = 120;
    let mut c = J11Client::new(sc);
    c.pair();
    let t0 = c.now;
    let got = c.until(0x6028, 130_000);
    let n = frames(&got, 0x6028)[0];
    assert_eq!(n.result(), 0x01, "unsolicited re-auth result");
    assert!(n.at - t0 >= 120_000);
    // 0x00D2 → 0x20D2 01 → 0x6028 01.
    let f = c.call(0x00D2, &[], 100);
    assert_eq!(f.result(), 0x01);
    assert_eq!(
        c.result(0x0008, &udp(ll(0), &get_e7(1))),
        0x52,
        "PANA running"
    );
    let got = c.until(0x6028, 10_000);
    assert_eq!(frames(&got, 0x6028)[0].result(), 0x01);
    // A re-auth refused ends the session.
    c.sim.set_fault(Fault::WrongPassword, true);
    let got = c.until(0x6028, 130_000);
    assert_eq!(frames(&got, 0x6028)[0].result(), 0x02);
    assert_eq!(c.status().1, 0x02);
}

#[test]
fn hourly_limit_detail_02() {
    let mut sc = j11();
    sc.arib_budget_ms = 2_000;
    let mut c = J11Client::new(sc);
    c.pair();
    c.send_udp(0, &get_e7(0), 3_000); // neighbour discovery on the first send
    let mut details = Vec::new();
    for tid in 1..300u16 {
        let got = c.send_udp(0, &get_e7(tid), 700);
        if let Some(f) = frames(&got, 0x2008).iter().find(|f| f.result() == 0x01) {
            details.push(f.data[1]);
        }
    }
    let first = details
        .iter()
        .position(|d| *d == 0x02)
        .expect("limit reached");
    assert!(first > 50, "{first}");
    assert!(details[first..].iter().all(|d| *d == 0x02));
    // An hour later sends go out again.
    c.wait(3_600_000);
    let got = c.send_udp(0, &get_e7(1), 1_500);
    assert_eq!(frames(&got, 0x2008)[0].data[1], 0x00);
}

#[test]
fn unopened_port_drops_the_meter_frames() {
    let mut c = J11Client::new(j11());
    c.result(0x005F, &[0x05, 0x00, 0x0A, 0x00]);
    c.credentials();
    c.call(0x0053, &[], 2_000);
    c.result(0x0056, &[]);
    c.until(0x6028, 10_000);
    let got = c.wait(5_000);
    assert!(
        frames(&got, 0x6018).is_empty(),
        "D5 to 3610 dropped: port not open"
    );
    assert_eq!(c.result(0x0005, &[0x0E, 0x1A]), 0x01);
    let got = c.send_udp(0, &get_e7(3), 2_000);
    assert_eq!(frames(&got, 0x6018).len(), 1);
}

#[test]
fn half_hourly_inf_and_drop_replies() {
    let mut c = J11Client::new(with(Fault::DropReplies));
    c.pair();
    let got = c.wait(31 * 60_000);
    let infs: Vec<Frame> = frames(&got, 0x6018)
        .iter()
        .map(|f| udp_of(f))
        .filter(|u| !u.multicast)
        .filter_map(|u| Frame::decode(&u.data))
        .collect();
    assert!(infs
        .iter()
        .any(|f| f.esv == esv::INF && f.props.iter().any(|p| p.epc == 0xEA)));
    let mut answered = 0;
    for tid in 0..4 {
        let got = c.send_udp(0, &get_e7(tid), 2_000);
        assert_eq!(frames(&got, 0x2008)[0].data[1], 0x00, "sent all the same");
        answered += frames(&got, 0x6018).len();
    }
    assert_eq!(answered, 2, "every other answer lost");
}

#[test]
fn garbage_silence_unplug_and_byte_at_a_time() {
    let mut c = J11Client::new(with(Fault::Garbage));
    c.trickle = true;
    c.pair();
    c.until(0x6018, 4_000);
    let got = c.send_udp(0, &get_e7(1), 2_000);
    assert_eq!(frames(&got, 0x6018).len(), 1);
    assert!(c.noise > 1, "garbage between frames");
    c.sim.set_fault(Fault::Silence, true);
    assert!(c.cmd(0x006B, &[], 500).is_empty());
    c.sim.set_fault(Fault::Silence, false);
    c.sim.set_fault(Fault::Unplugged, true);
    assert!(c.cmd(0x006B, &[], 500).is_empty());
    assert_eq!(c.sim.next_deadline(), None);
    c.sim.set_fault(Fault::Garbage, false);
    c.sim.set_fault(Fault::Unplugged, false);
    let got = c.wait(1_000);
    assert_eq!(
        frames(&got, 0x6019).len(),
        1,
        "replug boots the module: {got:x?}"
    );
    assert_eq!(c.status(), (0x02, 0x01, 0x01));
}

#[test]
fn determinism_same_scenario_same_bytes() {
    let run = || {
        let mut c = J11Client::new(with(Fault::HostileNeighbour));
        c.pair();
        for tid in 0..5 {
            c.send_udp(0, &get_e7(tid), 3_000);
        }
        c.wait(40 * 60_000);
        c.bytes
    };
    let a = run();
    assert!(a.len() > 500);
    assert_eq!(a, run());
}
