//! The hostile neighbour ([`Fault::HostileNeighbour`]): a node next door that keeps sending
//! ECHONET Lite frames with made-up values, for trust tests (a client must use only frames
//! that come secured from the meter it joined).
//!
//! While the fault is on, every 3–6 s (before the join as well as after) it sends, in turn:
//!
//! 1. a Get_Res with E7 = [`HOSTILE_POWER_W`], **unsecured**, from its own address
//!    ([`HOSTILE_MAC`]), to the dongle;
//! 2. an INF with EA = [`HOSTILE_ENERGY_COUNT`], **secured** but from a foreign address
//!    ([`FOREIGN_MAC`]), to the dongle;
//! 3. an INF D5 instance list ([`HOSTILE_INSTANCES`]), unsecured, to FF02::1;
//! 4. a Get_Res with E7 = [`HOSTILE_POWER_W`], secured, from the foreign address.
//!
//! It also overhears every ECHONET Get the client puts on the air and answers it 20–80 ms
//! later — before the meter does — with a Get_Res carrying **the same TID**, alternately
//! unsecured from its own address and secured from the foreign one. Every property in such an
//! answer is forged: E7 = [`HOSTILE_POWER_W`], EA/EB = [`HOSTILE_ENERGY_COUNT`] with the
//! current half-hour stamp, anything else the 4-byte [`HOSTILE_ENERGY_COUNT`].
//!
//! SKSTACK dongles show these as `ERXUDP` lines (SECURED 0 or 1); a J11 module as 0x6018
//! (security 01 or 02), only once port 3610 is open. Our meter's frames are unaffected.

use crate::el::{esv, Frame, Prop, CONTROLLER, NODE_PROFILE};
use crate::link::{Rx, EL_PORT};
use crate::scenario::Fault;
use crate::{Act, Sim, Tag};

/// The instantaneous power (E7, W) in every hostile frame: never a true reading.
pub const HOSTILE_POWER_W: i32 = 99_999;
/// The cumulative energy count in hostile EA/EB frames.
pub const HOSTILE_ENERGY_COUNT: u32 = 987_654;
/// The hostile neighbour's own MAC (sender of the unsecured frames).
pub const HOSTILE_MAC: u64 = 0x001C_6400_0BAD_0E01;
/// The foreign MAC the "secured" hostile frames come from (neither our meter nor the dongle).
pub const FOREIGN_MAC: u64 = 0x001C_6400_0BAD_0E02;
/// The hostile neighbour's PAN ID (J11 0x6018 reports it; the foreign sender claims ours).
pub const HOSTILE_PAN: u16 = 0x0BAD;
/// The instances its D5 list claims: a meter and a PV inverter.
pub const HOSTILE_INSTANCES: [[u8; 3]; 2] = [[0x02, 0x88, 0x01], [0x02, 0x79, 0x01]];

const METER_EOJ: [u8; 3] = [0x02, 0x88, 0x01];

/// The neighbour's own counters.
#[derive(Debug, Clone, Default)]
pub(crate) struct Neighbour {
    step: u8,
    tid: u16,
    secured_next: bool,
}

impl Sim {
    /// Start the neighbour's timer (once; a running timer is kept).
    pub(crate) fn hostile_start(&mut self, now: u64) {
        if self.queue.iter().any(|i| matches!(i.act, Act::Hostile)) {
            return;
        }
        let at = now + self.rng.range(1_500, 3_000);
        self.schedule(at, Tag::Hostile, Act::Hostile);
    }

    /// The periodic frame.
    pub(crate) fn hostile_tick(&mut self, at: u64) {
        if !self.faults.contains(Fault::HostileNeighbour) {
            return;
        }
        self.hostile.tid = self.hostile.tid.wrapping_add(1);
        let tid = 0xBA00 | (self.hostile.tid & 0xFF);
        let step = self.hostile.step % 4;
        self.hostile.step = self.hostile.step.wrapping_add(1);
        let power = Prop {
            epc: 0xE7,
            edt: HOSTILE_POWER_W.to_be_bytes().to_vec(),
        };
        let (frame, secured, multicast) = match step {
            0 => (meter_frame(tid, esv::GET_RES, vec![power]), false, false),
            1 => {
                let ea = Prop {
                    epc: 0xEA,
                    edt: self.hostile_energy(at),
                };
                (meter_frame(tid, esv::INF, vec![ea]), true, false)
            }
            2 => {
                let mut list = vec![HOSTILE_INSTANCES.len() as u8];
                list.extend(HOSTILE_INSTANCES.iter().flatten());
                let f = Frame {
                    tid,
                    seoj: NODE_PROFILE,
                    deoj: NODE_PROFILE,
                    esv: esv::INF,
                    props: vec![Prop {
                        epc: 0xD5,
                        edt: list,
                    }],
                    props_get: vec![],
                };
                (f, false, true)
            }
            _ => (meter_frame(tid, esv::GET_RES, vec![power]), true, false),
        };
        self.hostile_send(at, &frame.encode(), secured, multicast);
        let next = at + self.rng.range(3_000, 6_000);
        self.schedule(next, Tag::Hostile, Act::Hostile);
    }

    /// The client put `data` on the air at `at`: a Get is answered with the same TID first.
    pub(crate) fn hostile_overhears(&mut self, at: u64, data: &[u8]) {
        if !self.faults.contains(Fault::HostileNeighbour) {
            return;
        }
        let Some(req) = Frame::decode(data) else {
            return;
        };
        if req.esv != esv::GET {
            return;
        }
        let props = req
            .props
            .iter()
            .map(|p| Prop {
                epc: p.epc,
                edt: match p.epc {
                    0xE7 => HOSTILE_POWER_W.to_be_bytes().to_vec(),
                    0xEA | 0xEB => self.hostile_energy(at),
                    _ => HOSTILE_ENERGY_COUNT.to_be_bytes().to_vec(),
                },
            })
            .collect();
        let answer = Frame {
            tid: req.tid,
            seoj: req.deoj,
            deoj: req.seoj,
            esv: esv::GET_RES,
            props,
            props_get: vec![],
        };
        let secured = self.hostile.secured_next;
        self.hostile.secured_next = !secured;
        let lat = self.rng.range(20, 80);
        self.hostile_send(at + lat, &answer.encode(), secured, false);
    }

    /// EA/EB data: the current half-hour stamp and [`HOSTILE_ENERGY_COUNT`].
    fn hostile_energy(&self, at: u64) -> Vec<u8> {
        let t = self.civil_time(at);
        let mut edt = t.year.to_be_bytes().to_vec();
        edt.extend_from_slice(&[t.month, t.day, t.hour, t.minute - t.minute % 30, 0]);
        edt.extend_from_slice(&HOSTILE_ENERGY_COUNT.to_be_bytes());
        edt
    }

    /// Unsecured frames come from the neighbour itself; secured ones from the foreign address,
    /// claiming our meter's PAN.
    fn hostile_send(&mut self, at: u64, data: &[u8], secured: bool, multicast: bool) {
        let our_pan = self.slots.first().map_or(0, |s| s.meter.config().pan_id);
        let rx = Rx {
            mac: if secured { FOREIGN_MAC } else { HOSTILE_MAC },
            pan: if secured { our_pan } else { HOSTILE_PAN },
            distance_m: if secured { 30 } else { 40 },
            multicast,
            secured,
            port: EL_PORT,
            data,
        };
        self.rx_udp(at, Tag::Plain, &rx);
    }
}

fn meter_frame(tid: u16, esv: u8, props: Vec<Prop>) -> Frame {
    Frame {
        tid,
        seoj: METER_EOJ,
        deoj: CONTROLLER,
        esv,
        props,
        props_get: vec![],
    }
}
