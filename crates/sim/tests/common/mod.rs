//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod j11;

use sim::{Scenario, Sim};

/// A scripted client: writes at the current time, then advances the clock.
pub struct Client {
    pub sim: Sim,
    pub now: u64,
    pub log: Vec<u8>,
    /// Set when a test switched WOPT.
    pub hex_override: Option<bool>,
}

impl Client {
    pub fn new(sc: Scenario) -> Client {
        Client {
            sim: Sim::new(sc),
            now: 0,
            log: Vec::new(),
            hex_override: None,
        }
    }

    /// Write bytes, then wait `wait_ms` collecting output; returns the output.
    pub fn send(&mut self, bytes: &[u8], wait_ms: u64) -> Vec<u8> {
        self.sim.write(self.now, bytes);
        self.wait(wait_ms)
    }

    pub fn cmd(&mut self, line: &str, wait_ms: u64) -> String {
        let mut b = line.as_bytes().to_vec();
        b.extend_from_slice(b"\r\n");
        String::from_utf8_lossy(&self.send(&b, wait_ms)).into_owned()
    }

    pub fn wait(&mut self, wait_ms: u64) -> Vec<u8> {
        let end = self.now + wait_ms;
        let mut out = Vec::new();
        // Step through deadlines like a host would.
        loop {
            match self.sim.next_deadline() {
                Some(d) if d <= end => {
                    self.now = d.max(self.now);
                    out.extend(self.sim.read(self.now));
                }
                _ => break,
            }
        }
        self.now = end;
        out.extend(self.sim.read(end));
        self.log.extend_from_slice(&out);
        out
    }

    /// SKSENDTO with a binary payload, in the dialect's argument layout.
    pub fn sendto(&mut self, addr: &str, payload: &[u8], side: bool, wait_ms: u64) -> Vec<u8> {
        let mut b = if side {
            format!("SKSENDTO 1 {addr} 0E1A 1 0 {:04X} ", payload.len()).into_bytes()
        } else {
            format!("SKSENDTO 1 {addr} 0E1A 1 {:04X} ", payload.len()).into_bytes()
        };
        b.extend_from_slice(payload);
        self.send(&b, wait_ms)
    }

    /// Credentials, scan, join with the demo meter; panics unless EVENT 25 arrives.
    pub fn join(&mut self) -> String {
        let sc = self.sim.scenario().clone();
        let side = sc.dialect.has_side();
        let m = sc.meters[0].clone();
        let mut s = String::new();
        s += &self.cmd(&format!("SKSETPWD C {}", m.password), 50);
        s += &self.cmd(&format!("SKSETRBID {}", m.route_b_id), 50);
        let scan = if side {
            "SKSCAN 2 FFFFFFFF 6 0"
        } else {
            "SKSCAN 2 FFFFFFFF 6"
        };
        s += &self.cmd(scan, 20_000);
        s += &self.cmd(&format!("SKSREG S2 {:02X}", m.channel), 50);
        s += &self.cmd(&format!("SKSREG S3 {:04X}", m.pan_id), 50);
        s += &self.cmd(&format!("SKLL64 {:016X}", m.mac), 50);
        let addr = self.sim.meter_address(0).unwrap();
        s += &self.cmd(&format!("SKJOIN {addr}"), 6_000);
        assert!(s.contains("EVENT 25"), "join failed:\n{s}");
        s
    }
}

pub fn e7_get(tid: u16) -> Vec<u8> {
    let t = tid.to_be_bytes();
    vec![
        0x10, 0x81, t[0], t[1], 0x05, 0xFF, 0x01, 0x02, 0x88, 0x01, 0x62, 0x01, 0xE7, 0x00,
    ]
}

pub fn lines(s: &str) -> Vec<&str> {
    s.split("\r\n").filter(|l| !l.is_empty()).collect()
}

/// ERXUDP payloads in dongle output, read by byte count (binary mode) or as hex (hex
/// mode) after the 4-hex-digit DATALEN token. Independent of any client crate.
pub fn erxudp_payloads(out: &[u8], hex: bool) -> Vec<Vec<u8>> {
    let mut res = Vec::new();
    let mut i = 0;
    while i < out.len() {
        if !out[i..].starts_with(b"ERXUDP ") {
            i = out[i..]
                .windows(2)
                .position(|w| w == b"\r\n")
                .map(|p| i + p + 2)
                .unwrap_or(out.len());
            continue;
        }
        let mut spaces = 0;
        let mut found = None;
        for pos in i..out.len() {
            if out[pos] != b' ' {
                continue;
            }
            spaces += 1;
            if spaces < 7 {
                continue;
            }
            let tok_start = out[..pos]
                .iter()
                .rposition(|b| *b == b' ')
                .map_or(0, |p| p + 1);
            let tok = std::str::from_utf8(&out[tok_start..pos]).unwrap_or("");
            let Ok(n) = usize::from_str_radix(tok, 16) else {
                continue;
            };
            if tok.len() != 4 {
                continue;
            }
            let want = if hex { 2 * n } else { n };
            if out.get(pos + 1 + want..pos + 3 + want) == Some(b"\r\n".as_slice()) {
                found = Some((pos + 1, n));
                break;
            }
        }
        let Some((start, n)) = found else { break };
        let data = if hex {
            let h = std::str::from_utf8(&out[start..start + 2 * n]).unwrap();
            (0..n)
                .map(|j| u8::from_str_radix(&h[2 * j..2 * j + 2], 16).unwrap())
                .collect()
        } else {
            out[start..start + n].to_vec()
        };
        i = start + if hex { 2 * n } else { n } + 2;
        res.push(data);
    }
    res
}

/// Send an ECHONET request to meter 0 and decode the (single) answer, if any.
pub fn request(c: &mut Client, frame: &sim::el::Frame) -> Option<sim::el::Frame> {
    let side = c.sim.scenario().dialect.has_side();
    let hex = {
        // Ask the dongle: ROPT would change nothing; use the scenario flag plus WOPT history.
        c.hex_mode()
    };
    let addr = c.sim.meter_address(0).unwrap();
    let out = c.sendto(&addr, &frame.encode(), side, 1_500);
    erxudp_payloads(&out, hex)
        .into_iter()
        .filter_map(|p| sim::el::Frame::decode(&p))
        .find(|f| f.tid == frame.tid)
}

pub fn get_frame(tid: u16, deoj: [u8; 3], epcs: &[u8]) -> sim::el::Frame {
    sim::el::Frame {
        tid,
        seoj: sim::el::CONTROLLER,
        deoj,
        esv: sim::el::esv::GET,
        props: epcs
            .iter()
            .map(|e| sim::el::Prop {
                epc: *e,
                edt: vec![],
            })
            .collect(),
        props_get: vec![],
    }
}

pub const LV: [u8; 3] = [0x02, 0x88, 0x01];
pub const HV: [u8; 3] = [0x02, 0x8A, 0x01];

impl Client {
    pub fn hex_mode(&self) -> bool {
        self.hex_override.unwrap_or(self.sim.scenario().erxudp_hex)
    }
}
