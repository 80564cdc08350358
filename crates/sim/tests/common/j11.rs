//! A scripted J11 client for the tests: requests built by hand from `shared/j11.md` §1 (not
//! from any driver crate), responses and notifications split and sum-checked here.

use sim::{Scenario, Sim};

pub const REQ: [u8; 4] = [0xD0, 0xEA, 0x83, 0xFC];
pub const RSP: [u8; 4] = [0xD0, 0xF9, 0xEE, 0x5D];

fn sum(b: &[u8]) -> u16 {
    b.iter().fold(0u16, |a, x| a.wrapping_add(u16::from(*x)))
}

/// A request frame with correct sums.
pub fn req(cmd: u16, data: &[u8]) -> Vec<u8> {
    let mut f = REQ.to_vec();
    f.extend_from_slice(&cmd.to_be_bytes());
    f.extend_from_slice(&(data.len() as u16 + 4).to_be_bytes());
    let h = sum(&f);
    f.extend_from_slice(&h.to_be_bytes());
    f.extend_from_slice(&sum(data).to_be_bytes());
    f.extend_from_slice(data);
    f
}

/// Hex string (spaces allowed) to bytes.
pub fn hex(s: &str) -> Vec<u8> {
    let h: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..h.len() / 2)
        .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// One module → client frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rx {
    pub code: u16,
    pub data: Vec<u8>,
    pub raw: Vec<u8>,
    /// Virtual time at which it was read.
    pub at: u64,
}

impl Rx {
    pub fn result(&self) -> u8 {
        self.data.first().copied().unwrap_or(0)
    }
}

/// Split module output into frames (skipping anything before a unique code); panics on a
/// frame with wrong sums or length — the module must never send one.
pub fn split(bytes: &[u8], at: u64, out: &mut Vec<Rx>) -> usize {
    let mut i = 0;
    let mut skipped = 0;
    while i < bytes.len() {
        if !bytes[i..].starts_with(&RSP) {
            i += 1;
            skipped += 1;
            continue;
        }
        let h = &bytes[i..i + 12];
        let len = usize::from(u16::from_be_bytes([h[6], h[7]]));
        assert!((4..=1353).contains(&len), "length {len}");
        assert_eq!(sum(&h[..8]), u16::from_be_bytes([h[8], h[9]]), "header sum");
        let data = bytes[i + 12..i + 8 + len].to_vec();
        assert_eq!(sum(&data), u16::from_be_bytes([h[10], h[11]]), "data sum");
        out.push(Rx {
            code: u16::from_be_bytes([h[4], h[5]]),
            data,
            raw: bytes[i..i + 8 + len].to_vec(),
            at,
        });
        i += 8 + len;
    }
    skipped
}

pub struct J11Client {
    pub sim: Sim,
    pub now: u64,
    /// Every frame read so far.
    pub log: Vec<Rx>,
    /// Bytes outside frames (garbage, the boot F2).
    pub noise: usize,
    pub bytes: Vec<u8>,
    /// Write requests one byte per millisecond.
    pub trickle: bool,
}

impl J11Client {
    pub fn new(sc: Scenario) -> J11Client {
        J11Client {
            sim: Sim::new(sc),
            now: 0,
            log: Vec::new(),
            noise: 0,
            bytes: Vec::new(),
            trickle: false,
        }
    }

    /// Write raw bytes, then wait `wait_ms`; the frames read meanwhile.
    pub fn send(&mut self, bytes: &[u8], wait_ms: u64) -> Vec<Rx> {
        if self.trickle {
            let mut got = Vec::new();
            for b in bytes {
                self.sim.write(self.now, core::slice::from_ref(b));
                got.extend(self.wait(1));
            }
            got.extend(self.wait(wait_ms));
            return got;
        }
        self.sim.write(self.now, bytes);
        self.wait(wait_ms)
    }

    pub fn cmd(&mut self, cmd: u16, data: &[u8], wait_ms: u64) -> Vec<Rx> {
        self.send(&req(cmd, data), wait_ms)
    }

    /// A command's response (the first frame with code cmd + 0x2000 within `wait_ms`).
    pub fn call(&mut self, cmd: u16, data: &[u8], wait_ms: u64) -> Rx {
        let got = self.cmd(cmd, data, wait_ms);
        got.into_iter()
            .find(|f| f.code == cmd + 0x2000)
            .unwrap_or_else(|| panic!("no response to {cmd:04X}"))
    }

    pub fn result(&mut self, cmd: u16, data: &[u8]) -> u8 {
        self.call(cmd, data, 500).result()
    }

    /// Step through deadlines like a host would.
    pub fn wait(&mut self, wait_ms: u64) -> Vec<Rx> {
        let end = self.now + wait_ms;
        let mut got = Vec::new();
        loop {
            match self.sim.next_deadline() {
                Some(d) if d <= end => {
                    self.now = d.max(self.now);
                    let b = self.sim.read(self.now);
                    self.take(&b, &mut got);
                }
                _ => break,
            }
        }
        self.now = end;
        let b = self.sim.read(end);
        self.take(&b, &mut got);
        got
    }

    fn take(&mut self, b: &[u8], got: &mut Vec<Rx>) {
        self.bytes.extend_from_slice(b);
        let mut v = Vec::new();
        self.noise += split(b, self.now, &mut v);
        self.log.extend(v.iter().cloned());
        got.extend(v);
    }

    /// Wait until a frame with `code` arrives (at most `max_ms`); the frames read meanwhile.
    pub fn until(&mut self, code: u16, max_ms: u64) -> Vec<Rx> {
        let end = self.now + max_ms;
        let mut got = Vec::new();
        while self.now < end {
            let step = self
                .sim
                .next_deadline()
                .map_or(end, |d| d.clamp(self.now + 1, end))
                - self.now;
            let v = self.wait(step);
            let hit = v.iter().any(|f| f.code == code);
            got.extend(v);
            if hit {
                return got;
            }
        }
        panic!("no {code:04X} within {max_ms} ms; got {got:?}");
    }

    /// 0x0001: (global, B-route, HAN).
    pub fn status(&mut self) -> (u8, u8, u8) {
        let f = self.call(0x0001, &[], 500);
        assert_eq!(f.data.len(), 4, "{f:?}");
        (f.data[1], f.data[2], f.data[3])
    }

    /// 0x0054 with the scenario meter's credentials.
    pub fn credentials(&mut self) -> u8 {
        let m = self.sim.scenario().meters[0].clone();
        let mut d = m.route_b_id.clone().into_bytes();
        d.extend(m.password.bytes());
        self.result(0x0054, &d)
    }

    /// Scan data for all channels with the meter's pairing ID.
    pub fn scan_data(&self, d: u8) -> Vec<u8> {
        let m = &self.sim.scenario().meters[0];
        let mut v = vec![d, 0x00, 0x03, 0xFF, 0xF0, 0x01];
        v.extend(m.pair_id().bytes());
        v
    }

    /// Reset and pair up to 0x6028 01 (j11.md §3 steps 1–9), with port 3610 open.
    pub fn pair(&mut self) {
        self.cmd(0x00D9, &[], 0);
        self.until(0x6019, 2_000);
        assert_eq!(self.result(0x005F, &[0x05, 0x00, 0x04, 0x00]), 0x01);
        assert_eq!(self.credentials(), 0x01);
        let ch = self.sim.scenario().meters[0].j11_channel();
        assert_eq!(self.result(0x005F, &[0x05, 0x00, ch, 0x00]), 0x01);
        let f = self.call(0x0053, &[], 4_000);
        assert_eq!(f.result(), 0x01, "{f:?}");
        assert_eq!(self.result(0x0005, &[0x0E, 0x1A]), 0x01);
        assert_eq!(self.result(0x0056, &[]), 0x01);
        let got = self.until(0x6028, 10_000);
        let n = got.iter().find(|f| f.code == 0x6028).unwrap();
        assert_eq!(n.result(), 0x01, "{n:?}");
    }

    /// 0x0008 to meter `i` from/to 3610; returns the 0x2008.
    pub fn send_udp(&mut self, i: usize, payload: &[u8], wait_ms: u64) -> Vec<Rx> {
        let mac = self
            .sim
            .scenario()
            .meters
            .get(i)
            .map(|m| m.mac)
            .unwrap_or(0);
        self.cmd(0x0008, &udp(ll(mac), payload), wait_ms)
    }
}

/// Link-local IPv6 bytes of a MAC (U/L bit flipped).
pub fn ll(mac: u64) -> [u8; 16] {
    let mut a = [0u8; 16];
    a[0] = 0xFE;
    a[1] = 0x80;
    a[8..].copy_from_slice(&(mac ^ 0x0200_0000_0000_0000).to_be_bytes());
    a
}

/// 0x0008 data: dst, 3610 → 3610, length, payload.
pub fn udp(dst: [u8; 16], payload: &[u8]) -> Vec<u8> {
    let mut d = dst.to_vec();
    d.extend_from_slice(&[0x0E, 0x1A, 0x0E, 0x1A]);
    d.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    d.extend_from_slice(payload);
    d
}

/// A decoded 0x6018.
#[derive(Debug, Clone)]
pub struct Udp {
    pub src: [u8; 16],
    pub src_port: u16,
    pub dst_port: u16,
    pub pan: u16,
    pub multicast: bool,
    pub security: u8,
    pub rssi: i8,
    pub data: Vec<u8>,
}

pub fn udp_of(f: &Rx) -> Udp {
    assert_eq!(f.code, 0x6018);
    let d = &f.data;
    let be = |k: usize| u16::from_be_bytes([d[k], d[k + 1]]);
    let len = usize::from(be(25));
    assert_eq!(d.len(), 27 + len, "0x6018 length");
    Udp {
        src: d[..16].try_into().unwrap(),
        src_port: be(16),
        dst_port: be(18),
        pan: be(20),
        multicast: d[22] == 1,
        security: d[23],
        rssi: d[24] as i8,
        data: d[27..].to_vec(),
    }
}
