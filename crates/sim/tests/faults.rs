//! One test per fault, plus session lifetime, ARIB budget and half-hourly INF.
mod common;
use common::*;
use sim::el::esv;
use sim::{Dialect, Fault, Scenario};

fn with(f: Fault) -> Scenario {
    let mut sc = Scenario::default();
    sc.faults.set(f, true);
    sc
}

fn scan(c: &mut Client) -> String {
    let m = c.sim.scenario().meters[0].clone();
    c.cmd(&format!("SKSETPWD C {}", m.password), 50);
    c.cmd(&format!("SKSETRBID {}", m.route_b_id), 50);
    c.cmd("SKSCAN 2 FFFFFFFF 6", 20_000)
}

fn join_attempt(c: &mut Client) -> String {
    let m = c.sim.scenario().meters[0].clone();
    c.cmd(&format!("SKSREG S2 {:02X}", m.channel), 50);
    c.cmd(&format!("SKSREG S3 {:04X}", m.pan_id), 50);
    let addr = c.sim.meter_address(0).unwrap();
    c.cmd(&format!("SKJOIN {addr}"), 15_000)
}

#[test]
fn wrong_id_no_beacon_then_event_24() {
    let mut c = Client::new(with(Fault::WrongId));
    let s = scan(&mut c);
    assert!(!s.contains("EPANDESC"), "{s}");
    assert!(s.contains("EVENT 22"));
    let j = join_attempt(&mut c);
    assert!(j.contains("EVENT 24") && !j.contains("EVENT 25"), "{j}");
}

#[test]
fn real_wrong_credentials_are_detected_too() {
    let mut c = Client::new(Scenario::default());
    c.cmd("SKSETPWD C WRONGPASSWRD", 50);
    let m = c.sim.scenario().meters[0].clone();
    c.cmd(&format!("SKSETRBID {}", m.route_b_id), 50);
    let j = join_attempt(&mut c);
    assert!(j.contains("EVENT 24"), "{j}");
    assert!(!c.sim.is_joined());
    let mut c = Client::new(Scenario::default());
    c.cmd(
        &format!("SKSETRBID {}", "00000000000000000000000000000000"),
        50,
    );
    let s = c.cmd("SKSCAN 2 FFFFFFFF 6", 20_000);
    assert!(!s.contains("EPANDESC"), "other PairID: no beacon");
}

#[test]
fn wrong_password_event_24_after_pana() {
    let mut c = Client::new(with(Fault::WrongPassword));
    let s = scan(&mut c);
    assert!(s.contains("EPANDESC"));
    let j = join_attempt(&mut c);
    assert!(j.contains("ERXUDP") && j.contains("02CC"), "{j}");
    assert!(j.contains("EVENT 24") && !j.contains("EVENT 25"), "{j}");
    assert!(!c.sim.is_joined());
}

#[test]
fn out_of_range() {
    let mut c = Client::new(with(Fault::MeterOutOfRange));
    let s = scan(&mut c);
    assert!(!s.contains("EPANDESC"));
    let j = join_attempt(&mut c);
    assert!(
        j.contains("EVENT 21") && j.contains(" 02\r\n") && j.contains("EVENT 24"),
        "{j}"
    );
    assert!(!j.contains("ERXUDP"));
}

#[test]
fn neighbour_and_several_meters() {
    let mut c = Client::new(with(Fault::NeighbourMeter));
    let s = scan(&mut c);
    assert_eq!(s.matches("EPANDESC").count(), 2, "{s}");
    let pair_ids: Vec<&str> = s
        .lines()
        .filter_map(|l| l.strip_prefix("  PairID:"))
        .collect();
    assert_eq!(pair_ids.len(), 2);
    assert_ne!(pair_ids[0], pair_ids[1]);
    let mut sc = with(Fault::SeveralMeters);
    sc.faults.set(Fault::NeighbourMeter, true);
    let mut c = Client::new(sc);
    assert_eq!(scan(&mut c).matches("EPANDESC").count(), 4);
    // Joining ours still works among neighbours.
    assert!(join_attempt(&mut c).contains("EVENT 25"));
}

#[test]
fn silence() {
    let mut c = Client::new(with(Fault::Silence));
    assert!(c.cmd("SKVER", 1000).is_empty());
    c.sim.set_fault(Fault::Silence, false);
    assert!(c.cmd("SKVER", 1000).contains("EVER"));
}

#[test]
fn dropped_replies() {
    let mut c = Client::new(with(Fault::DropReplies));
    c.join();
    let mut answers = 0;
    for tid in 0..4 {
        if request(&mut c, &get_frame(tid, LV, &[0xE7])).is_some() {
            answers += 1;
        }
    }
    assert_eq!(answers, 2);
}

#[test]
fn peer_terminates_event_26() {
    let mut c = Client::new(with(Fault::PeerTerminates));
    c.join();
    assert!(c.sim.is_joined());
    let out = String::from_utf8_lossy(&c.wait(61_000)).into_owned();
    assert!(out.contains("EVENT 26"), "{out}");
    assert!(!c.sim.is_joined());
}

#[test]
fn skterm_27_28_and_er10() {
    let mut c = Client::new(Scenario::default());
    assert!(c.cmd("SKTERM", 100).contains("FAIL ER10"));
    c.join();
    let s = c.cmd("SKTERM", 2000);
    assert!(s.contains("OK\r\n") && s.contains("EVENT 27"), "{s}");
    let mut c = Client::new(with(Fault::TermTimeout));
    c.join();
    let s = c.cmd("SKTERM", 10_000);
    assert!(s.contains("EVENT 28") && !s.contains("EVENT 27"), "{s}");
    assert!(c.cmd("SKREJOIN", 100).contains("FAIL ER10"));
}

#[test]
fn get_sna_for_d3_and_e1() {
    let mut sc = with(Fault::GetSnaD3);
    sc.faults.set(Fault::GetSnaE1, true);
    let mut c = Client::new(sc);
    c.join();
    let f = request(&mut c, &get_frame(7, LV, &[0xD3, 0xE1, 0xE7])).unwrap();
    assert_eq!(f.esv, esv::GET_SNA);
    assert!(f.props[0].edt.is_empty() && f.props[1].edt.is_empty());
    assert_eq!(
        f.props[2].edt.len(),
        4,
        "the good property still has its value"
    );
}

#[test]
fn no_data_values() {
    let mut c = Client::new(with(Fault::NoData));
    c.join();
    let f = request(&mut c, &get_frame(8, LV, &[0xE7, 0xE8, 0xE0])).unwrap();
    assert_eq!(f.props[0].edt, [0x7F, 0xFF, 0xFF, 0xFE]);
    assert_eq!(f.props[1].edt, [0x7F, 0xFE, 0x7F, 0xFE]);
    assert_eq!(f.props[2].edt, [0xFF, 0xFF, 0xFF, 0xFE]);
}

#[test]
fn crlf_inside_binary_payload() {
    let mut c = Client::new(with(Fault::CrLfInPayload));
    c.join();
    let addr = c.sim.meter_address(0).unwrap();
    let out = c.sendto(&addr, &get_frame(9, LV, &[0xE7]).encode(), false, 1500);
    let frames = erxudp_payloads(&out, false);
    assert_eq!(frames.len(), 1);
    assert!(frames[0].windows(2).any(|w| w == b"\r\n"));
    assert_eq!(&frames[0][14..18], &[0, 0, 0x0D, 0x0A]);
}

#[test]
fn garbage_bytes_between_lines() {
    let mut c = Client::new(with(Fault::Garbage));
    let mut all = Vec::new();
    for _ in 0..10 {
        all.extend(c.send(b"SKVER\r\n", 200));
    }
    let text = String::from_utf8_lossy(&all);
    assert_eq!(text.matches("EVER 1.2.10\r\n").count(), 10);
    assert!(
        all.iter().any(|b| !b.is_ascii()) || text.lines().count() > 30,
        "some garbage expected"
    );
}

#[test]
fn unplug_and_replug() {
    let mut c = Client::new(Scenario::default());
    c.sim.write(0, b"SKVER\r\n");
    c.sim.unplug();
    assert!(c.sim.is_unplugged());
    assert!(c.sim.read(1000).is_empty());
    assert_eq!(c.sim.next_deadline(), None);
    c.sim.write(1000, b"SKVER\r\n");
    assert!(c.sim.read(2000).is_empty());
    c.sim.set_fault(Fault::Unplugged, false);
    c.now = 2000;
    assert!(c.cmd("SKVER", 100).contains("EVER"));
    let c2 = Client::new(with(Fault::Unplugged));
    assert!(c2.sim.is_unplugged());
}

#[test]
fn lifetime_event_29_then_reauth() {
    let sc = Scenario {
        pana_lifetime_s: 120,
        ..Scenario::default()
    };
    let mut c = Client::new(sc);
    c.join();
    let out = String::from_utf8_lossy(&c.wait(125_000)).into_owned();
    let i29 = out.find("EVENT 29").expect("EVENT 29");
    let i25 = out[i29..].find("EVENT 25").expect("re-auth EVENT 25");
    assert!(
        out[i29..i29 + i25].contains("02CC"),
        "PANA traffic during re-auth"
    );
    assert!(c.sim.is_joined());
    assert!(request(&mut c, &get_frame(3, LV, &[0xE7])).is_some());
}

#[test]
fn arib_budget_event_32_33() {
    let mut c = Client::new(Scenario::preset("tx-limit").unwrap());
    c.join();
    let addr = c.sim.meter_address(0).unwrap();
    let mut all = String::new();
    for tid in 0..400u16 {
        let out = c.sendto(&addr, &get_frame(tid, LV, &[0xE7]).encode(), false, 400);
        all.push_str(&String::from_utf8_lossy(&out));
        if all.contains("EVENT 32") {
            break;
        }
    }
    assert!(all.contains("EVENT 32"), "budget never exhausted");
    assert!(c.cmd("SKSREG SFB", 100).contains("ESREG 1"));
    // Sends are now silently cancelled: OK only, no EVENT 21, no answer.
    let out = String::from_utf8_lossy(&c.sendto(
        &addr,
        &get_frame(999, LV, &[0xE7]).encode(),
        false,
        1500,
    ))
    .into_owned();
    assert!(
        out.contains("OK") && !out.contains("EVENT 21") && !out.contains("ERXUDP 0"),
        "{out}"
    );
    let later = String::from_utf8_lossy(&c.wait(3_700_000)).into_owned();
    assert!(later.contains("EVENT 33"));
}

#[test]
fn half_hour_inf_with_ea_eb() {
    let mut c = Client::new(Scenario::default());
    c.join();
    // start is 09:00; wait past 09:30
    let out = c.wait(30 * 60_000 + 10_000 - c.now);
    let frames: Vec<_> = erxudp_payloads(&out, false)
        .into_iter()
        .filter_map(|p| sim::el::Frame::decode(&p))
        .collect();
    let inf = frames
        .iter()
        .find(|f| f.esv == esv::INF && f.props.iter().any(|p| p.epc == 0xEA))
        .expect("EA INF");
    let ea = &inf.props[0].edt;
    assert_eq!(&ea[..7], &[0x07, 0xEA, 11, 26, 9, 30, 0]);
    let truth = c.sim.meter(0).unwrap().reading_at(30 * 60_000);
    assert_eq!(&ea[7..], &truth.import_count.to_be_bytes());
    assert_eq!(inf.props[1].epc, 0xEB);
}

#[test]
fn dual_stack_rssi_field_with_sa2() {
    let mut sc = Scenario::new(Dialect::DualStack);
    sc.erxudp_hex = true;
    let mut c = Client::new(sc);
    c.join();
    assert!(c.cmd("SKSREG SA2 1", 50).contains("OK"));
    let addr = c.sim.meter_address(0).unwrap();
    let out = String::from_utf8_lossy(&c.sendto(&addr, &e7_get(1), true, 1500)).into_owned();
    let line = out.lines().find(|l| l.starts_with("ERXUDP")).unwrap();
    assert_eq!(line.split(' ').count(), 11, "{line}");
    let single = Scenario::default();
    let mut c = Client::new(single);
    assert!(
        c.cmd("SKSREG SA2 1", 50).contains("FAIL ER06"),
        "no SA2 on single-hop"
    );
}
