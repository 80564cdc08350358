//! `Fault::HostileNeighbour` in every dialect: forged frames really appear — unsecured from the
//! neighbour's own address, secured from a foreign address, Get_Res with the client's TID
//! ahead of the meter's answer — and the meter's own frames stay true.
mod common;
use common::j11::{udp_of, J11Client};
use common::*;
use sim::el::{esv, Frame};
use sim::hostile::{FOREIGN_MAC, HOSTILE_ENERGY_COUNT, HOSTILE_INSTANCES, HOSTILE_MAC};
use sim::{Dialect, Fault, Scenario, HOSTILE_POWER_W};

/// One received datagram, whatever the dialect.
#[derive(Debug)]
struct Seen {
    at: u64,
    sender_mac: u64,
    secured: bool,
    multicast: bool,
    frame: Frame,
}

fn e7(f: &Frame) -> Option<i32> {
    f.props
        .iter()
        .find(|p| p.epc == 0xE7 && p.edt.len() == 4)
        .map(|p| i32::from_be_bytes([p.edt[0], p.edt[1], p.edt[2], p.edt[3]]))
}

/// ERXUDP lines (any SKSTACK layout, SA2 off) read by their own tokens: sender MAC, SECURED,
/// destination, and the payload by DATALEN.
fn erxudp(out: &[u8], hex: bool, side: bool, at: u64, seen: &mut Vec<Seen>) {
    let mut i = 0;
    while let Some(p) = out[i..].windows(7).position(|w| w == b"ERXUDP ") {
        let start = i + p;
        let want = if side { 9 } else { 8 };
        let mut toks = Vec::new();
        let mut pos = start;
        while toks.len() < want {
            let end = pos + out[pos..].iter().position(|b| *b == b' ').unwrap();
            toks.push(String::from_utf8_lossy(&out[pos..end]).into_owned());
            pos = end + 1;
        }
        let n = usize::from_str_radix(&toks[want - 1], 16).unwrap();
        let data: Vec<u8> = if hex {
            let h = std::str::from_utf8(&out[pos..pos + 2 * n]).unwrap();
            (0..n)
                .map(|k| u8::from_str_radix(&h[2 * k..2 * k + 2], 16).unwrap())
                .collect()
        } else {
            out[pos..pos + n].to_vec()
        };
        i = pos + if hex { 2 * n } else { n };
        if toks[3] != "0E1A" {
            continue; // PANA
        }
        seen.push(Seen {
            at,
            sender_mac: u64::from_str_radix(&toks[5], 16).unwrap(),
            secured: toks[6] == "1",
            multicast: toks[2].starts_with("FF02"),
            frame: Frame::decode(&data).expect("ECHONET frame"),
        });
    }
}

fn check(seen: &[Seen], meter_mac: u64, requests: &[u16], truth: impl Fn(u64) -> i32) {
    let from = |mac: u64| seen.iter().filter(move |s| s.sender_mac == mac);
    // Unsecured, from the neighbour itself: E7 forged, and its D5 list.
    assert!(from(HOSTILE_MAC).all(|s| !s.secured));
    assert!(from(HOSTILE_MAC).any(|s| e7(&s.frame) == Some(HOSTILE_POWER_W)));
    assert!(from(HOSTILE_MAC).any(|s| s.multicast
        && s.frame.props[0].epc == 0xD5
        && s.frame.props[0].edt[0] == HOSTILE_INSTANCES.len() as u8));
    // Secured, from a foreign address: E7 and EA forged.
    assert!(from(FOREIGN_MAC).all(|s| s.secured));
    assert!(from(FOREIGN_MAC).any(|s| e7(&s.frame) == Some(HOSTILE_POWER_W)));
    assert!(from(FOREIGN_MAC).any(|s| s
        .frame
        .props
        .iter()
        .any(|p| p.epc == 0xEA && p.edt[7..] == HOSTILE_ENERGY_COUNT.to_be_bytes())));
    // Every request is answered first by the neighbour, with the same TID, then by the meter.
    for tid in requests {
        let forged = seen
            .iter()
            .find(|s| s.frame.tid == *tid && s.sender_mac != meter_mac)
            .unwrap_or_else(|| panic!("no forged answer to {tid:04X}"));
        assert_eq!(forged.frame.esv, esv::GET_RES);
        assert_eq!(e7(&forged.frame), Some(HOSTILE_POWER_W));
        let real = seen
            .iter()
            .find(|s| s.frame.tid == *tid && s.sender_mac == meter_mac)
            .unwrap_or_else(|| panic!("no answer from the meter to {tid:04X}"));
        assert!(forged.at <= real.at, "forged first");
        assert!(real.secured);
    }
    assert!(seen
        .iter()
        .filter(|s| s.sender_mac != meter_mac)
        .any(|s| s.secured));
    assert!(seen
        .iter()
        .filter(|s| requests.contains(&s.frame.tid) && s.sender_mac != meter_mac)
        .any(|s| !s.secured));
    // The meter's frames are untouched: secured, and its E7 is the truth.
    for s in from(meter_mac) {
        assert!(s.secured);
        if let Some(p) = e7(&s.frame) {
            assert_ne!(p, HOSTILE_POWER_W);
            // Read when the request reached the meter, up to ~0.8 s before it was seen.
            assert!(p == truth(s.at) || p == truth(s.at.saturating_sub(800)));
        }
    }
}

#[test]
fn skstack_dialects_show_forged_frames() {
    for d in [
        Dialect::SingleHop,
        Dialect::DualStack,
        Dialect::DualStackNoRopt,
    ] {
        let mut sc = Scenario::new(d);
        sc.faults.set(Fault::HostileNeighbour, true);
        let mut c = Client::new(sc);
        let (hex, side) = (c.hex_mode(), d.has_side());
        let mut seen = Vec::new();
        // Before the join already.
        let out = c.wait(10_000);
        erxudp(&out, hex, side, c.now, &mut seen);
        assert!(seen.iter().any(|s| s.sender_mac == HOSTILE_MAC), "{d:?}");
        let before = c.log.len();
        c.join();
        let out = c.log[before..].to_vec();
        erxudp(&out, hex, side, c.now, &mut seen);
        let addr = c.sim.meter_address(0).unwrap();
        let meter_mac = c.sim.scenario().meters[0].mac;
        let mut requests = Vec::new();
        for tid in 0x0100..0x0108u16 {
            c.sendto(&addr, &e7_get(tid), side, 0);
            requests.push(tid);
            // Step in small slices so every line gets its own read time.
            for _ in 0..30 {
                let out = c.wait(100);
                erxudp(&out, hex, side, c.now, &mut seen);
            }
        }
        let out = c.wait(20_000);
        erxudp(&out, hex, side, c.now, &mut seen);
        let m = &c.sim;
        check(&seen, meter_mac, &requests, |at| {
            m.meter(0).unwrap().reading_at(at).power_w
        });
    }
}

#[test]
fn j11_shows_forged_frames_once_3610_is_open() {
    let mut sc = Scenario::preset("j11").unwrap();
    sc.faults.set(Fault::HostileNeighbour, true);
    let mut c = J11Client::new(sc);
    // Not before port 3610 is open: the module drops datagrams for unopened ports.
    let got = c.wait(10_000);
    assert!(got.iter().all(|f| f.code != 0x6018));
    c.pair();
    let meter_mac = c.sim.scenario().meters[0].mac;
    let mut requests = Vec::new();
    for tid in 0x0200..0x0208u16 {
        let payload = e7_get(tid);
        c.send_udp(0, &payload, 0);
        requests.push(tid);
        for _ in 0..30 {
            c.wait(100);
        }
    }
    c.wait(20_000);
    let seen: Vec<Seen> = c
        .log
        .iter()
        .filter(|f| f.code == 0x6018)
        .map(|f| {
            let u = udp_of(f);
            assert!(matches!(u.security, 0x01 | 0x02));
            let mac = u64::from_be_bytes(u.src[8..].try_into().unwrap()) ^ 0x0200_0000_0000_0000;
            Seen {
                at: f.at,
                sender_mac: mac,
                secured: u.security == 0x02,
                multicast: u.multicast,
                frame: Frame::decode(&u.data).expect("ECHONET frame"),
            }
        })
        .collect();
    let m = &c.sim;
    check(&seen, meter_mac, &requests, |at| {
        m.meter(0).unwrap().reading_at(at).power_w
    });
}

#[test]
fn switching_on_at_run_time_and_off_again() {
    let mut c = Client::new(Scenario::default());
    c.join();
    let quiet = c.wait(20_000);
    assert!(
        erxudp_payloads(&quiet, false).is_empty(),
        "no neighbour without the fault"
    );
    c.sim.set_fault(Fault::HostileNeighbour, true);
    let loud = c.wait(20_000);
    assert!(erxudp_payloads(&loud, false).len() >= 3);
    c.sim.set_fault(Fault::HostileNeighbour, false);
    c.wait(7_000);
    assert!(erxudp_payloads(&c.wait(20_000), false).is_empty());
}
