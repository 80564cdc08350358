//! J11 commands and notifications that involve the radio: active scan (0x0051 → 0x4051 per
//! channel → 0x2051), B-route start (0x0053 EBR), PANA (0x0056 → 0x6028), re-authentication
//! (0x00D2 and at the end of the session lifetime), PANA termination (0x0057), UDP send
//! (0x0008 → 0x2008) and what arrives from the air (0x6018, 0x601A, 0x6038).

use super::{frame, r, Joined, Timer};
use crate::link::{ip_bytes, ll_words, rssi_for, Rx, Session, MULTICAST_ALL_NODES};
use crate::pana::Conversation;
use crate::scenario::{Fault, MeterConfig};
use crate::{Act, Sim, Tag};

/// Per-channel dwell of an active scan: 9.64 ms · 2^d (j11.md §2, 0x0051).
pub(crate) fn scan_dwell_ms(duration: u8) -> u64 {
    964 * (1u64 << duration.min(14)) / 100
}

/// A failing 0x0053 answers after the 2.5 s beacon timer (j11.md: 2.6 s).
const EBR_FAIL_MS: u64 = 2_600;
/// PANA (0x0056) succeeding, ms.
const PANA_OK_MS: (u64, u64) = (1_500, 3_500);
/// PANA refused after the EAP exchange, ms.
const PANA_REJECTED_MS: (u64, u64) = (1_200, 2_500);
/// PANA without any answer from the meter (j11.md timing table: 491.9–706.0 s).
const PANA_SILENT_MS: (u64, u64) = (491_900, 706_000);
/// Re-authentication without any answer (j11.md: 180.1–236.7 s).
const REAUTH_SILENT_MS: (u64, u64) = (180_100, 236_700);
/// Largest 0x0008 payload.
const MAX_UDP: usize = 1232;

/// 0x6028 results.
const PANA_OK: u8 = 0x01;
const PANA_REJECTED: u8 = 0x02;
const PANA_NO_ANSWER: u8 = 0x03;

impl Sim {
    fn meter_config(&self, i: usize) -> Option<&MeterConfig> {
        self.slots.get(i).map(|s| s.meter.config())
    }

    /// Does meter `i` answer a beacon request carrying `pair_id`? J11 honours the pairing ID
    /// strictly (neighbours' meters answer only their own); [`Fault::WrongId`] silences ours.
    fn j11_pairs(&self, i: usize, pair_id: &[u8]) -> bool {
        if i == 0 && self.faults.contains(Fault::WrongId) {
            return false;
        }
        if i == 0 && self.sc.accept_any_credentials {
            return true;
        }
        self.meter_config(i)
            .is_some_and(|c| c.pair_id().as_bytes() == pair_id)
    }

    /// 0x0051 active scan: duration(1) 1–14, channel mask(4) (bits 4–17), ID flag(1),
    /// pairing ID(8) with flag 01. One 0x4051 per channel after its dwell, 0x2051 at the end;
    /// busy throughout. A meter's beacon is caught only with d ≥ the scenario's minimum.
    pub(super) fn j11_scan(&mut self, t: u64, data: &[u8]) {
        const CMD: u16 = 0x0051;
        let (head, pair_id) = match data.len() {
            6 => (data, None),
            14 => (&data[..6], Some(&data[6..])),
            _ => return self.j11_respond(t, CMD, &[r::PARAMETER_LENGTH]),
        };
        if let Some(code) = self.j11_need_started_idle() {
            return self.j11_respond(t, CMD, &[code]);
        }
        let duration = head[0];
        let mask = u32::from_be_bytes([head[1], head[2], head[3], head[4]]);
        let flag = head[5];
        let flag_ok = matches!((flag, pair_id), (0, None) | (1, Some(_)));
        if !(1..=14).contains(&duration) || mask == 0 || mask & !0x0003_FFF0 != 0 || !flag_ok {
            return self.j11_respond(t, CMD, &[r::BAD_PARAMETER]);
        }
        let dwell = scan_dwell_ms(duration);
        let heard = duration >= self.sc.min_scan_duration;
        let mut at = t;
        for ch in (4u8..=17).filter(|c| mask & (1 << c) != 0) {
            at += dwell;
            let mut beacons = Vec::new();
            for i in 0..self.slots.len() {
                let on_channel = self.meter_config(i).is_some_and(|c| c.j11_channel() == ch);
                let answers = pair_id.is_none_or(|p| self.j11_pairs(i, p));
                if heard && on_channel && answers && self.meter_present(i) && beacons.len() < 20 {
                    let (mac, pan) = self.meter_config(i).map_or((0, 0), |c| (c.mac, c.pan_id));
                    let rssi = self.meter_rssi(i);
                    beacons.push((mac, pan, rssi));
                }
            }
            let mut d = if beacons.is_empty() {
                vec![0x01, ch]
            } else {
                vec![0x00, ch, beacons.len() as u8]
            };
            for (mac, pan, rssi) in beacons {
                d.extend_from_slice(&mac.to_be_bytes());
                d.extend_from_slice(&pan.to_be_bytes());
                d.push(rssi as u8);
            }
            self.emit_tagged(at, Tag::Scan, frame::response(0x4051, &d));
        }
        self.j11_respond(at + 1, CMD, &[r::OK]);
    }

    /// 0x0053 start B-route: an enhanced beacon request with the credentials' pairing ID on
    /// the channel of 0x005F. Our meter answers → R=01 with channel, PAN, MAC, RSSI; nobody →
    /// 0x0E after the beacon timer. Without credentials: 0x51 (**inferred**).
    pub(super) fn j11_start_route(&mut self, t: u64) {
        const CMD: u16 = 0x0053;
        if let Some(code) = self.j11_need_started_idle() {
            return self.j11_respond(t, CMD, &[code]);
        }
        let Some(pair) = self.j11.credentials.as_ref().map(|c| {
            let n = c.id.len();
            c.id.as_bytes()[n.saturating_sub(8)..].to_vec()
        }) else {
            return self.j11_respond(t, CMD, &[r::NO_PANA_SETTINGS]);
        };
        let channel = self.j11.setup[2];
        self.account_tx(t, 20);
        let target = (0..self.slots.len()).find(|&i| {
            self.meter_present(i)
                && self.j11_pairs(i, &pair)
                && self
                    .meter_config(i)
                    .is_some_and(|c| c.j11_channel() == channel)
        });
        let Some(i) = target else {
            let at = t + EBR_FAIL_MS + self.rng.range(0, 100);
            return self.j11_respond(at, CMD, &[r::JOIN_FAILED]);
        };
        let (mac, pan) = self.meter_config(i).map_or((0, 0), |c| (c.mac, c.pan_id));
        self.j11.joined = Some(Joined {
            meter: i,
            channel,
            pan,
            mac,
        });
        self.j11.link_down = false;
        let rssi = self.meter_rssi(i);
        let mut d = vec![r::OK, channel];
        d.extend_from_slice(&pan.to_be_bytes());
        d.extend_from_slice(&mac.to_be_bytes());
        d.push(rssi as u8);
        let at = t + self.rng.range(300, 800);
        self.j11_respond(at, CMD, &d);
    }

    /// 0x0056 start PANA: 0x2056 R=01 at once, 0x6028 later.
    pub(super) fn j11_start_pana(&mut self, t: u64) {
        const CMD: u16 = 0x0056;
        if let Some(code) = self.j11_need_joined() {
            return self.j11_respond(t, CMD, &[code]);
        }
        let Some(j) = self.j11.joined else {
            return self.j11_respond(t, CMD, &[r::IDLE]);
        };
        if self.j11.credentials.is_none() {
            return self.j11_respond(t, CMD, &[r::NO_PANA_SETTINGS]);
        }
        self.j11_respond(t, CMD, &[r::OK]);
        self.j11_pana(t + 1, j.meter, PANA_SILENT_MS);
    }

    /// Run PANA (authentication or re-authentication) with meter `meter`; 0x6028 at its end.
    fn j11_pana(&mut self, t: u64, meter: usize, silent: (u64, u64)) {
        self.j11.pana_running = true;
        let (id, pw) = self
            .j11
            .credentials
            .as_ref()
            .map(|c| (c.id.clone(), c.password.clone()))
            .unwrap_or_default();
        let (id_ok, pw_ok) = self.credentials_ok(meter, &id, &pw);
        let (result, (lo, hi)) = if !self.meter_present(meter) {
            (PANA_NO_ANSWER, silent)
        } else if id_ok && pw_ok {
            (PANA_OK, PANA_OK_MS)
        } else {
            (PANA_REJECTED, PANA_REJECTED_MS)
        };
        // Our PANA messages on the air (the meter's are its own airtime).
        let sent = if result == PANA_OK { 3 } else { 2 };
        for k in 0..sent {
            self.account_tx(t + k * 400, 40 + 60);
        }
        let at = t + self.rng.range(lo, hi);
        self.schedule(at, Tag::Plain, Act::J11(Timer::Pana { meter, result }));
    }

    /// PANA finished: 0x6028 with the result and the meter's MAC; success (re)starts the
    /// shared session (lifetime, D5 INF, half-hourly INF).
    pub(super) fn j11_pana_done(&mut self, at: u64, meter: usize, result: u8) {
        if !self.j11.pana_running {
            return;
        }
        self.j11.pana_running = false;
        let mut d = vec![result];
        d.extend_from_slice(&self.meter_mac(meter).to_be_bytes());
        self.emit(at, frame::response(0x6028, &d));
        if result == PANA_OK {
            if self.link.session.is_none() {
                let pana = Conversation::new(&mut self.rng);
                self.link.session = Some(Session {
                    meter,
                    established: false,
                    pana,
                });
            }
            self.internal(at, Act::SessionUp);
        } else {
            self.link.session = None;
            self.cancel(Tag::Session);
        }
    }

    /// 0x00D2: authenticated only; 0x20D2 R=01, then re-authentication → 0x6028.
    pub(super) fn j11_reauth_cmd(&mut self, t: u64) {
        if let Some(code) = self.j11_need_authenticated() {
            return self.j11_respond(t, 0x00D2, &[code]);
        }
        self.j11_respond(t, 0x00D2, &[r::OK]);
        let Some(meter) = self.link.session.as_ref().map(|s| s.meter) else {
            return;
        };
        self.cancel(Tag::Session);
        self.j11_reauth(t + 1, meter);
    }

    /// Re-authentication (0x00D2, or the module's own at the end of the session lifetime —
    /// **inferred**, j11.md: no expiry event exists): no data flows until the unsolicited
    /// 0x6028 (01, or 02/03 under a fault, which end the session).
    pub(crate) fn j11_reauth(&mut self, at: u64, meter: usize) {
        if let Some(s) = self.link.session.as_mut() {
            s.established = false;
        }
        self.j11_pana(at, meter, REAUTH_SILENT_MS);
    }

    /// 0x0057 PANA termination: authenticated only; → joined. The answer waits for the
    /// meter's reply (or its timeout under [`Fault::TermTimeout`] / out of range — the
    /// module still ends the session, **inferred**).
    pub(super) fn j11_terminate(&mut self, t: u64) {
        if let Some(code) = self.j11_need_authenticated() {
            return self.j11_respond(t, 0x0057, &[code]);
        }
        let meter = self.link.session.take().map(|s| s.meter);
        self.cancel(Tag::Session);
        self.account_tx(t, 40 + 60);
        let silent = self.faults.contains(Fault::TermTimeout)
            || !meter.is_some_and(|m| self.meter_present(m));
        let wait = if silent {
            self.rng.range(5_000, 7_000)
        } else {
            self.rng.range(300, 700)
        };
        self.j11_respond(t + wait, 0x0057, &[r::OK]);
    }

    /// 0x0008 send UDP: dst IPv6(16), src port(2), dst port(2), len(2), payload.
    /// 0x2008 R=01 carries detail 0xYZ (Y = 0, Z: 0 sent, 2 hourly limit, 5 no ACK) and the
    /// payload's first 1–5 bytes.
    pub(super) fn j11_send(&mut self, t: u64, data: &[u8]) {
        const CMD: u16 = 0x0008;
        if data.len() < 22 {
            return self.j11_respond(t, CMD, &[r::PARAMETER_LENGTH]);
        }
        let (head, payload) = data.split_at(22);
        let be = |k: usize| u16::from_be_bytes([head[k], head[k + 1]]);
        let (src_port, dst_port, len) = (be(16), be(18), usize::from(be(20)));
        if len == 0 || len > MAX_UDP {
            return self.j11_respond(t, CMD, &[r::BAD_PARAMETER]);
        }
        if payload.len() != len {
            return self.j11_respond(t, CMD, &[r::PARAMETER_LENGTH]);
        }
        if let Some(code) = self.j11_need_authenticated() {
            return self.j11_respond(t, CMD, &[code]);
        }
        if !self.j11.ports.contains(&src_port) {
            return self.j11_respond(t, CMD, &[r::PORT_NOT_OPEN]);
        }
        let multicast = head[..16] == ip_bytes(&MULTICAST_ALL_NODES);
        if !multicast && head[..8] != [0xFE, 0x80, 0, 0, 0, 0, 0, 0] {
            return self.j11_respond(t, CMD, &[r::BAD_DESTINATION]);
        }
        let detail_frame = |detail: u8| {
            let mut d = vec![r::OK, detail];
            d.extend_from_slice(&payload[..len.min(5)]);
            d
        };
        if self.link.tx_limited {
            let at = t + self.rng.range(10, 30);
            return self.j11_respond(at, CMD, &detail_frame(0x02));
        }
        self.account_tx(t, len as u32);
        let Some(j) = self.j11.joined else {
            return self.j11_respond(t, CMD, &[r::IDLE]);
        };
        let target = if multicast {
            Some(j.meter).filter(|&i| self.meter_present(i))
        } else {
            (0..self.slots.len()).find(|&i| {
                self.meter_present(i)
                    && ip_bytes(&ll_words(self.meter_mac(i))) == head[..16]
                    && self
                        .meter_config(i)
                        .is_some_and(|c| c.j11_channel() == j.channel && c.pan_id == j.pan)
            })
        };
        // The first unicast to a node costs a neighbour discovery.
        let mac = target.map(|i| self.meter_mac(i));
        let nd = match mac {
            Some(m) if !multicast && !self.j11.neighbours.contains(&m) => {
                self.j11.neighbours.push(m);
                self.rng.range(600, 1_500)
            }
            _ => 0,
        };
        if target.is_none() && !multicast {
            // MAC retries without an acknowledgement.
            let at = t + self.rng.range(800, 1_200);
            return self.j11_respond(at, CMD, &detail_frame(0x05));
        }
        let at = t + nd + self.rng.range(40, 150);
        self.j11_respond(at, CMD, &detail_frame(0x00));
        self.hostile_overhears(at, payload);
        if let Some(i) = target {
            self.schedule(
                at,
                Tag::Session,
                Act::Deliver {
                    meter: i,
                    data: payload.to_vec(),
                    secured: true,
                    port: dst_port,
                },
            );
        }
    }

    // ---- from the air ------------------------------------------------------------------

    /// 0x6018: src IPv6(16), src port(2), dst port(2), src PAN(2), dst type(1) 00 unicast /
    /// 01 multicast, security(1) 01 plain / 02 encrypted, RSSI(1), len(2), data. Dropped when
    /// the destination port is not open.
    pub(crate) fn j11_rx(&mut self, at: u64, tag: Tag, rx: &Rx<'_>) {
        if !self.j11.ports.contains(&rx.port) {
            return;
        }
        let j = self.rng.range(0, 4) as i64 - 2;
        let rssi = rssi_for(rx.distance_m, j);
        let mut d = ip_bytes(&ll_words(rx.mac)).to_vec();
        d.extend_from_slice(&rx.port.to_be_bytes());
        d.extend_from_slice(&rx.port.to_be_bytes());
        d.extend_from_slice(&rx.pan.to_be_bytes());
        d.push(u8::from(rx.multicast));
        d.push(if rx.secured { 0x02 } else { 0x01 });
        d.push(rssi as u8);
        d.extend_from_slice(&(rx.data.len() as u16).to_be_bytes());
        d.extend_from_slice(rx.data);
        self.emit_tagged(at, tag, frame::response(0x6018, &d));
    }

    /// 0x6038 receive error, reason 01 (decryption): src IPv6(16), MAC seq(1), fragment(1),
    /// tag(2), the first bytes (1–5) of what arrived. The frame itself is dropped.
    pub(crate) fn j11_decrypt_error(&mut self, at: u64, mac: u64, data: &[u8]) {
        if self.j11.joined.is_none() {
            return;
        }
        self.j11.rx_seq = self.j11.rx_seq.wrapping_add(1);
        let mut d = vec![0x01];
        d.extend_from_slice(&ip_bytes(&ll_words(mac)));
        d.extend_from_slice(&[self.j11.rx_seq, 0x00, 0x00, 0x00]);
        d.extend_from_slice(&data[..data.len().min(5)]);
        self.emit_tagged(at, Tag::Session, frame::response(0x6038, &d));
    }

    /// 0x601A link state: state(1), MAC(8), RSSI(1).
    fn j11_link_state(&mut self, at: u64, state: u8, meter: usize, rssi: i8) {
        let mut d = vec![state];
        d.extend_from_slice(&self.meter_mac(meter).to_be_bytes());
        d.push(rssi as u8);
        self.emit(at, frame::response(0x601A, &d));
    }

    /// The meter ended the session ([`Fault::PeerTerminates`]): 0x601A 04 (PANA down); the
    /// module is back to joined, 0x0056 is allowed again.
    pub(crate) fn j11_peer_terminated(&mut self, at: u64, meter: usize) {
        self.j11.pana_running = false;
        let rssi = self.meter_rssi(meter);
        self.j11_link_state(at, 0x04, meter, rssi);
    }

    /// [`Fault::MeterOutOfRange`] switched at run time: while joined, the module notices a
    /// few seconds later.
    pub(crate) fn j11_link_changed(&mut self, now: u64) {
        if self.j11.joined.is_some() {
            let at = now + self.rng.range(3_000, 5_000);
            self.schedule(at, Tag::Plain, Act::J11(Timer::Link));
        }
    }

    /// 0x601A 03 (MAC down) when the joined meter is gone, 01 (MAC up) when it is back. The
    /// B-route and PANA state stay as they are (**inferred**): sends fail with detail 05
    /// meanwhile.
    pub(super) fn j11_link_check(&mut self, at: u64) {
        let Some(j) = self.j11.joined else {
            return;
        };
        let present = self.meter_present(j.meter);
        if present != self.j11.link_down {
            return;
        }
        self.j11.link_down = !present;
        if present {
            let rssi = self.meter_rssi(j.meter);
            self.j11_link_state(at, 0x01, j.meter, rssi);
        } else {
            self.j11_link_state(at, 0x03, j.meter, -104);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::scan_dwell_ms;

    #[test]
    fn dwell_matches_the_timing_table() {
        // j11.md: 14 channels at d=6 ≈ 8.6 s, d=8 ≈ 35.8 s incl. 1 s margin; 1 ch d=8 ≈ 2.6 s.
        assert_eq!(14 * scan_dwell_ms(6), 8_624);
        assert_eq!(14 * scan_dwell_ms(8), 34_538);
        assert_eq!(scan_dwell_ms(8), 2_467);
    }
}
