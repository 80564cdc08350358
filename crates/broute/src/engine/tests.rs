//! The engine against a scripted dongle: every operation is answered by the test, so the
//! engine's own rules (frame authentication, notification answers, its transmit budget) are
//! checked without any protocol in between.

use core::time::Duration;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::net::Ipv6Addr;
use std::rc::Rc;

use skstack::{Instant, Mac, RouteBId, RouteBPassword};

use super::*;
use crate::device::{Channels, Datagram, DeviceEvent, Dongle, HeardPan, OpId, Outcome, Target};

/// What the engine asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Asked {
    Identify,
    Prepare,
    Credentials,
    Scan,
    Tune,
    Join,
    Send(Vec<u8>),
    Reset,
}

#[derive(Debug, Default)]
struct Script {
    next: OpId,
    /// Everything asked, in order.
    log: Vec<Asked>,
    asked: VecDeque<(OpId, Asked)>,
    events: VecDeque<DeviceEvent>,
}

/// A dongle whose every answer comes from the test (through the shared script).
#[derive(Debug, Clone, Default)]
struct Scripted(Rc<RefCell<Script>>);

impl Scripted {
    fn ask(&mut self, a: Asked) -> OpId {
        let mut s = self.0.borrow_mut();
        s.next += 1;
        let id = s.next;
        s.log.push(a.clone());
        s.asked.push_back((id, a));
        id
    }
}

impl Dongle for Scripted {
    fn dialect(&self) -> Option<Dialect> {
        Some(Dialect::SingleHop)
    }
    fn identify(&mut self, _: Instant) -> OpId {
        self.ask(Asked::Identify)
    }
    fn prepare(&mut self, _: Option<u8>, _: Instant) -> OpId {
        self.ask(Asked::Prepare)
    }
    fn set_credentials(&mut self, _: &RouteBId, _: &RouteBPassword, _: Instant) -> OpId {
        self.ask(Asked::Credentials)
    }
    fn scan(&mut self, _: u8, _: Channels, _: Instant) -> OpId {
        self.ask(Asked::Scan)
    }
    fn scan_time(&self, _: u8, _: Channels) -> Duration {
        Duration::from_secs(1)
    }
    fn max_scan_duration(&self) -> u8 {
        14
    }
    fn tune(&mut self, _: &Target, _: Instant) -> OpId {
        self.ask(Asked::Tune)
    }
    fn join(&mut self, _: &Target, _: Instant) -> OpId {
        self.ask(Asked::Join)
    }
    fn send(&mut self, _: Ipv6Addr, payload: Vec<u8>, _: Instant) -> OpId {
        self.ask(Asked::Send(payload))
    }
    fn reset(&mut self, _: Instant) -> OpId {
        self.ask(Asked::Reset)
    }
    fn accept_hex_output(&mut self, _: Instant) {}
    fn channels(&self) -> core::ops::RangeInclusive<u8> {
        0x21..=0x22
    }
    fn handle_bytes(&mut self, _: &[u8], _: Instant) {}
    fn handle_timeout(&mut self, _: Instant) {}
    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        None
    }
    fn poll_event(&mut self) -> Option<DeviceEvent> {
        self.0.borrow_mut().events.pop_front()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        None
    }
}

const METER: Mac = Mac([0x00, 0x1C, 0x64, 0x00, 0x03, 0xDD, 0x63, 0x93]);
const OTHER: Mac = Mac([0x00, 0x1C, 0x64, 0x00, 0x0B, 0xAD, 0x0E, 0x01]);
const ID: &str = "0000004F3A210000000000000A18C3D7";

/// An engine on a scripted dongle, and the test's hand on the dongle.
struct Bench {
    e: Engine,
    script: Scripted,
    now: u64,
    events: Vec<Event>,
}

impl Bench {
    /// Run the script up to the join.
    fn joined(cfg: Config) -> Self {
        let mut e = Engine::new(cfg);
        let script = Scripted::default();
        e.dev = Box::new(script.clone());
        e.set_credentials(
            RouteBId::new(ID).unwrap(),
            RouteBPassword::new("K7QX3M9PA2TB").unwrap(),
            Instant(0),
        );
        let mut b = Self {
            e,
            script,
            now: 0,
            events: Vec::new(),
        };
        b.e.start(Instant(0));
        b.pump();
        assert_eq!(b.answer(Outcome::Done), Asked::Identify);
        assert_eq!(b.answer(Outcome::Done), Asked::Prepare);
        assert_eq!(b.answer(Outcome::Done), Asked::Credentials);
        let pan = HeardPan {
            channel: 0x21,
            pan_id: 0x8888,
            mac: METER,
            lqi: Some(120),
            rssi_dbm: None,
            pair_id: Some(ID[24..].to_string()),
        };
        assert_eq!(b.answer(Outcome::Scanned(vec![pan])), Asked::Scan);
        assert_eq!(b.answer(Outcome::Done), Asked::Tune);
        assert_eq!(b.answer(Outcome::Joined { mac: None }), Asked::Join);
        b
    }

    /// Answer the oldest request with `outcome`; returns what it was.
    fn answer(&mut self, outcome: Outcome) -> Asked {
        let (op, asked) = self
            .script
            .0
            .borrow_mut()
            .asked
            .pop_front()
            .expect("a request");
        self.deliver(DeviceEvent::Done { op, outcome });
        asked
    }

    /// Pending send requests, oldest first (answered `Sent`).
    fn sent(&mut self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        loop {
            let front = self.script.0.borrow().asked.front().cloned();
            match front {
                Some((_, Asked::Send(b))) => {
                    self.answer(Outcome::Sent);
                    out.push(b);
                }
                _ => return out,
            }
        }
    }

    fn deliver(&mut self, ev: DeviceEvent) {
        self.script.0.borrow_mut().events.push_back(ev);
        self.pump();
    }

    fn pump(&mut self) {
        self.e.handle_timeout(Instant(self.now));
        while let Some(ev) = self.e.poll_event() {
            self.events.push(ev);
        }
    }

    fn advance(&mut self, ms: u64) {
        self.now += ms;
        self.pump();
    }

    fn datagram(&mut self, from: Mac, secured: bool, payload: Vec<u8>) {
        self.deliver(DeviceEvent::Datagram(Datagram {
            from: from.link_local(),
            src_port: 0x0E1A,
            dst_port: 0x0E1A,
            secured,
            rssi_dbm: None,
            payload,
        }));
    }

    fn readings(&self) -> Vec<&Reading> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Reading(r) => Some(r),
                _ => None,
            })
            .collect()
    }

    fn ignored(&self) -> Vec<Ignored> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Frame {
                    ignored: Some(i), ..
                } => Some(*i),
                _ => None,
            })
            .collect()
    }
}

/// An ECHONET Lite frame from the low-voltage meter to the controller.
fn meter_frame(tid: u16, esv: u8, props: &[(u8, &[u8])]) -> Vec<u8> {
    let mut v = vec![0x10, 0x81];
    v.extend_from_slice(&tid.to_be_bytes());
    v.extend_from_slice(&[0x02, 0x88, 0x01, 0x05, 0xFF, 0x01, esv]);
    v.push(props.len() as u8);
    for (epc, edt) in props {
        v.push(*epc);
        v.push(edt.len() as u8);
        v.extend_from_slice(edt);
    }
    v
}

fn tid_of(request: &[u8]) -> u16 {
    u16::from_be_bytes([request[2], request[3]])
}

/// The identity answer with the first reading in it (scaling: × 1, 0.1 kWh).
fn identity_answer(tid: u16, watts: i32) -> Vec<u8> {
    meter_frame(
        tid,
        0x72,
        &[
            (0xD3, &[0, 0, 0, 1]),
            (0xD7, &[6]),
            (0xE1, &[0x01]),
            (0xE7, &watts.to_be_bytes()),
            (0xE8, &[0x00, 0x19, 0x7F, 0xFE]),
            (0xE0, &[0, 0, 0x10, 0x00]),
        ],
    )
}

fn power_of(r: &Reading) -> Option<i32> {
    match r.values {
        ReadingValues::Low(lv) => lv.power_w.and_then(|m| m.value()),
        ReadingValues::High(_) => None,
    }
}

#[test]
fn frames_count_only_from_the_joined_meter_and_only_secured() {
    let mut b = Bench::joined(Config::default());
    let identity = b.sent().pop().expect("the identity request");
    let tid = tid_of(&identity);
    // A forged answer with the right TID: from another node, and unsecured from the meter's
    // own address. Neither counts.
    b.datagram(OTHER, true, identity_answer(tid, 99_999));
    b.datagram(METER, false, identity_answer(tid, 99_999));
    assert!(b.readings().is_empty());
    assert_eq!(
        b.ignored(),
        vec![Ignored::ForeignSender, Ignored::Unsecured]
    );
    assert_eq!(b.e.phase(), Phase::ExpectIdentity);
    // The meter's own answer does.
    b.datagram(METER, true, identity_answer(tid, 431));
    let r = b.readings();
    assert_eq!(r.len(), 1);
    assert_eq!(power_of(r[0]), Some(431));
    assert_eq!(b.e.figures().frames_ignored, 2);
    assert_eq!(b.e.phase(), Phase::Reading);
}

#[test]
fn malformed_frames_are_dropped_and_counted() {
    let mut b = Bench::joined(Config::default());
    b.sent();
    b.datagram(METER, true, vec![0x10, 0x81, 0x00]);
    assert_eq!(b.ignored(), vec![Ignored::Malformed]);
    assert_eq!(b.e.figures().frames_ignored, 1);
}

#[test]
fn notifications_are_answered_at_most_once_per_epc_per_minute() {
    let mut b = Bench::joined(Config::default());
    let tid = tid_of(&b.sent()[0]);
    b.datagram(METER, true, identity_answer(tid, 431));
    b.sent();
    // A flood of INFC of EA from the meter: one answer, then none for a minute.
    let ea = [
        0x07, 0xEA, 0x0B, 0x1D, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
    ];
    let infc = |tid| meter_frame(tid, 0x74, &[(0xEA, &ea)]);
    let is_infc_res = |b: &Vec<u8>| b.get(10) == Some(&0x7A);
    let mut answers = 0;
    for i in 0..100u16 {
        b.datagram(METER, true, infc(0x100 + i));
        answers += b.sent().iter().filter(|s| is_infc_res(s)).count();
        b.advance(500);
    }
    // 100 notifications over 50 s: one answer.
    assert_eq!(answers, 1);
    b.advance(20_000);
    b.datagram(METER, true, infc(0x200));
    let later = b.sent().iter().filter(|s| is_infc_res(s)).count();
    assert_eq!(later, 1, "answered again after a minute");
}

#[test]
fn the_engine_keeps_within_its_own_transmit_budget() {
    let cfg = Config {
        poll_interval: Duration::from_secs(1),
        tx_budget_bytes_per_hour: 2_000,
        ..Config::default()
    };
    let mut b = Bench::joined(cfg);
    let tid = tid_of(&b.sent()[0]);
    b.datagram(METER, true, identity_answer(tid, 431));
    // An hour of fast polling, every poll answered at once.
    let mut bytes = 0usize;
    for _ in 0..3_600 {
        for s in b.sent() {
            bytes += s.len();
            let t = tid_of(&s);
            b.datagram(METER, true, identity_answer(t, 500));
        }
        b.advance(1_000);
        assert!(b.e.figures().payload_bytes_last_hour <= 2_000);
    }
    assert!(bytes <= 2_000 + 100, "{bytes} payload bytes in an hour");
    assert!(bytes >= 1_500, "the budget is used, not starved: {bytes}");
    // Polling goes on once the hour rolls over.
    let before = b.readings().len();
    b.advance(3_600_000);
    for s in b.sent() {
        b.datagram(METER, true, identity_answer(tid_of(&s), 500));
    }
    b.advance(2_000);
    assert!(b.readings().len() > before);
}

#[test]
fn credentials_are_given_once_per_dongle_reset() {
    let mut b = Bench::joined(Config::default());
    b.sent();
    // The meter stops answering: polls time out, the session is lost, the dongle is reset.
    for _ in 0..200 {
        b.advance(10_000);
        b.sent();
        let front = b.script.0.borrow().asked.front().cloned();
        match front.map(|(_, a)| a) {
            Some(Asked::Reset) | Some(Asked::Prepare) | Some(Asked::Credentials) => {
                b.answer(Outcome::Done);
            }
            Some(Asked::Tune) => {
                b.answer(Outcome::Done);
            }
            Some(Asked::Join) => {
                b.answer(Outcome::NoAnswer);
            }
            Some(Asked::Scan) => {
                b.answer(Outcome::Scanned(Vec::new()));
            }
            _ => {}
        }
    }
    let history: Vec<Phase> = b
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Phase(p) => Some(*p),
            _ => None,
        })
        .collect();
    assert!(history.contains(&Phase::Reconnecting), "{history:?}");
    assert!(b.events.contains(&Event::Triage(Cause::SessionLost)));
    let log = b.script.0.borrow().log.clone();
    let resets = log.iter().filter(|a| **a == Asked::Reset).count();
    let credentials = log.iter().filter(|a| **a == Asked::Credentials).count();
    assert!(resets >= 1, "the silent meter led to a reset: {log:?}");
    assert_eq!(credentials, resets + 1, "{log:?}");
}
