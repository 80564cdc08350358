//! What both dongle families share: the radio link to the meters (presence, addresses, signal
//! quality, the credentials check), the PANA session and its timed events, ECHONET delivery
//! to and from the meters, and the ARIB STD-T108 transmit-time accounting.
//!
//! The dialects only *render* what happens here: SKSTACK text lines in `dongle`, J11 frames in
//! `j11`. Everything a meter sends to the dongle goes through [`Sim::rx_udp`], which picks the
//! renderer.

use std::collections::VecDeque;

use crate::pana::Conversation;
use crate::scenario::{Dialect, Fault};
use crate::{Act, Sim, Tag};

/// ECHONET Lite UDP port.
pub(crate) const EL_PORT: u16 = 0x0E1A;
/// ARIB accounting window.
pub(crate) const ARIB_WINDOW_MS: u64 = 3_600_000;
/// FF02::1, where the meter multicasts its instance list.
pub(crate) const MULTICAST_ALL_NODES: [u16; 8] = [0xFF02, 0, 0, 0, 0, 0, 0, 1];

/// Link-local IPv6 of a MAC: FE80::/64 + MAC with the U/L bit inverted.
pub(crate) fn ll_words(mac: u64) -> [u16; 8] {
    let iid = mac ^ 0x0200_0000_0000_0000;
    [
        0xFE80,
        0,
        0,
        0,
        (iid >> 48) as u16,
        (iid >> 32) as u16,
        (iid >> 16) as u16,
        iid as u16,
    ]
}

/// An address as 16 bytes (network order).
pub(crate) fn ip_bytes(w: &[u16; 8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (k, x) in w.iter().enumerate() {
        out[2 * k..2 * k + 2].copy_from_slice(&x.to_be_bytes());
    }
    out
}

/// The full upper-case colon form the SKSTACK modules print.
pub(crate) fn ip_string(w: &[u16; 8]) -> String {
    w.iter()
        .map(|x| format!("{x:04X}"))
        .collect::<Vec<_>>()
        .join(":")
}

pub(crate) fn ll_string(mac: u64) -> String {
    ip_string(&ll_words(mac))
}

/// log10(d) × 1000 for d ≥ 1, integer arithmetic (decade + linear interpolation on a table),
/// so that native and wasm builds agree.
fn log10_x1000(distance_m: u32) -> i64 {
    const LOG: [i64; 11] = [0, 0, 301, 477, 602, 699, 778, 845, 903, 954, 1000];
    let mut d = i64::from(distance_m.max(1));
    let mut decade = 0;
    while d >= 10_000 {
        d /= 10;
        decade += 1000;
    }
    // d in 1..10000: scale into 1..10 with 3 extra digits.
    let (mant, extra) = if d >= 1000 {
        (d, 3000)
    } else if d >= 100 {
        (d * 10, 2000)
    } else if d >= 10 {
        (d * 100, 1000)
    } else {
        (d * 1000, 0)
    };
    let i = (mant / 1000) as usize;
    let frac = mant % 1000;
    let lo = LOG.get(i).copied().unwrap_or(1000);
    let hi = LOG.get(i + 1).copied().unwrap_or(1000);
    decade + extra + lo + (hi - lo) * frac / 1000
}

/// RSSI × 10 in dBm at a distance: RSSI ≈ −35 − 24·log10 d.
fn rssi_x10(distance_m: u32) -> i64 {
    -350 - 240 * log10_x1000(distance_m) / 1000
}

/// LQI for a distance: LQI = (RSSI + 104.27) / 0.275 (the SKSTACK EPANDESC/ERXUDP value).
pub(crate) fn lqi_for(distance_m: u32, jitter: i64) -> u8 {
    let lqi = (rssi_x10(distance_m) + 1043) * 4 / 11 + jitter;
    lqi.clamp(0, 255) as u8
}

/// RSSI in signed dBm for a distance (the J11 value), clamped to the module's −104…−34 range.
pub(crate) fn rssi_for(distance_m: u32, jitter_db: i64) -> i8 {
    let r = (rssi_x10(distance_m) + 5).div_euclid(10) + jitter_db;
    r.clamp(-104, -34) as i8
}

/// A PANA session with a meter (both dialects).
#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub meter: usize,
    pub established: bool,
    pub pana: Conversation,
}

/// Dialect-independent link state. A dongle reset (SKRESET, J11 0x00D9, replug) starts afresh.
#[derive(Debug, Clone, Default)]
pub(crate) struct Link {
    pub session: Option<Session>,
    /// (time, airtime ms) of each transmission in the sliding hour.
    pub tx: VecDeque<(u64, u32)>,
    pub tx_limited: bool,
    drop_toggle: bool,
    decrypt_count: u32,
}

impl Link {
    pub(crate) fn session_established(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.established)
    }

    /// Airtime used in the current window, ms.
    pub(crate) fn tx_used(&self) -> u64 {
        self.tx.iter().map(|(_, c)| u64::from(*c)).sum()
    }

    fn expire_tx(&mut self, at: u64) {
        while self
            .tx
            .front()
            .is_some_and(|(t0, _)| *t0 + ARIB_WINDOW_MS <= at)
        {
            self.tx.pop_front();
        }
    }
}

/// A UDP datagram arriving over the air at the dongle.
#[derive(Debug, Clone)]
pub(crate) struct Rx<'a> {
    /// Sender's MAC (its link-local address derives from it).
    pub mac: u64,
    /// Sender's PAN ID (J11 reports it).
    pub pan: u16,
    /// Distance of the sender (signal quality).
    pub distance_m: u32,
    /// Sent to FF02::1 rather than to the dongle.
    pub multicast: bool,
    /// MAC-layer security was applied.
    pub secured: bool,
    /// Source and destination port (ECHONET: 3610 both).
    pub port: u16,
    pub data: &'a [u8],
}

impl Sim {
    // ---- meters on the air ----------------------------------------------------------------

    /// Is meter `i` on the air and in range?
    pub(crate) fn meter_present(&self, i: usize) -> bool {
        let Some(slot) = self.slots.get(i) else {
            return false;
        };
        if let Some(f) = slot.gated_by {
            if !self.faults.contains(f) {
                return false;
            }
        }
        !(i == 0 && self.faults.contains(Fault::MeterOutOfRange))
    }

    pub(crate) fn meter_ll(&self, i: usize) -> String {
        self.slots
            .get(i)
            .map(|s| ll_string(s.meter.config().mac))
            .unwrap_or_default()
    }

    pub(crate) fn meter_mac(&self, i: usize) -> u64 {
        self.slots.get(i).map(|s| s.meter.config().mac).unwrap_or(0)
    }

    fn meter_distance(&self, i: usize) -> u32 {
        self.slots
            .get(i)
            .map(|s| s.meter.config().distance_m)
            .unwrap_or(1000)
    }

    /// LQI of a frame from meter `i` (±3 jitter).
    pub(crate) fn meter_lqi(&mut self, i: usize) -> u8 {
        let d = self.meter_distance(i);
        let j = self.rng.range(0, 6) as i64 - 3;
        lqi_for(d, j)
    }

    /// RSSI (dBm) of a frame from meter `i` (±2 dB jitter).
    pub(crate) fn meter_rssi(&mut self, i: usize) -> i8 {
        let d = self.meter_distance(i);
        let j = self.rng.range(0, 4) as i64 - 2;
        rssi_for(d, j)
    }

    /// Does meter `i`'s PAA accept these credentials? (ID ok, password ok), faults applied.
    pub(crate) fn credentials_ok(&self, i: usize, id: &str, password: &str) -> (bool, bool) {
        let Some(slot) = self.slots.get(i) else {
            return (false, false);
        };
        let cfg = slot.meter.config();
        let (mut id_ok, mut pw_ok) = if self.sc.accept_any_credentials && i == 0 {
            (id.len() == 32, !password.is_empty())
        } else {
            (id == cfg.route_b_id, password == cfg.password)
        };
        if i == 0 && self.faults.contains(Fault::WrongId) {
            id_ok = false;
        }
        if i == 0 && self.faults.contains(Fault::WrongPassword) {
            pw_ok = false;
        }
        (id_ok, pw_ok)
    }

    /// Is a PANA session with meter `i` established?
    pub(crate) fn established_with(&self, i: usize) -> bool {
        self.link
            .session
            .as_ref()
            .is_some_and(|s| s.established && s.meter == i)
    }

    // ---- frames to the dongle ---------------------------------------------------------------

    /// A datagram reaches the dongle at `at`: rendered in the dialect's form (SKSTACK
    /// `ERXUDP`, J11 0x6018) and scheduled for output.
    pub(crate) fn rx_udp(&mut self, at: u64, tag: Tag, rx: &Rx<'_>) {
        if self.sc.dialect == Dialect::J11 {
            self.j11_rx(at, tag, rx);
        } else {
            self.sk_rx(at, tag, rx);
        }
    }

    /// An encrypted ECHONET frame from meter `i` reaches the dongle at `at`, unless
    /// [`Fault::DecryptError`] spoils it (every second meter frame fails to decrypt).
    fn rx_from_meter(&mut self, at: u64, i: usize, multicast: bool, data: &[u8]) {
        if self.faults.contains(Fault::DecryptError) {
            self.link.decrypt_count = self.link.decrypt_count.wrapping_add(1);
            if self.link.decrypt_count.is_multiple_of(2) {
                if self.sc.dialect == Dialect::J11 {
                    let mac = self.meter_mac(i);
                    self.j11_decrypt_error(at, mac, data);
                }
                // SKSTACK modules drop such a frame without a word.
                return;
            }
        }
        let Some(cfg) = self.slots.get(i).map(|s| s.meter.config().clone()) else {
            return;
        };
        if i == 0 {
            self.observe(at, data);
        }
        let rx = Rx {
            mac: cfg.mac,
            pan: cfg.pan_id,
            distance_m: cfg.distance_m,
            multicast,
            secured: true,
            port: EL_PORT,
            data,
        };
        self.rx_udp(at, Tag::Session, &rx);
    }

    // ---- transmit accounting ------------------------------------------------------------------

    /// Record transmit time for a frame with `payload` bytes; over budget the dongle is
    /// transmit-limited (SKSTACK says so with EVENT 32; J11 only in the 0x2008 detail).
    pub(crate) fn account_tx(&mut self, at: u64, payload: u32) {
        // 100 kbit/s, ~60 bytes of MAC/6LoWPAN/UDP/security overhead, ~4 ms CSMA/preamble.
        let cost = 4 + (payload + 60) * 8 / 100;
        self.link.tx.push_back((at, cost));
        self.link.expire_tx(at);
        if !self.link.tx_limited && self.link.tx_used() >= u64::from(self.sc.arib_budget_ms) {
            self.link.tx_limited = true;
            if self.sc.dialect != Dialect::J11 {
                self.sk_tx_limit(at + 1, true);
            }
            let release = self
                .link
                .tx
                .front()
                .map(|(t0, _)| t0 + ARIB_WINDOW_MS)
                .unwrap_or(at + ARIB_WINDOW_MS);
            self.schedule(release, Tag::Plain, Act::TxRelease);
        }
    }

    // ---- timed events -------------------------------------------------------------------------

    pub(crate) fn internal(&mut self, at: u64, act: Act) {
        match act {
            Act::Out(_) => {}
            Act::SessionUp => self.session_up(at),
            Act::SessionDown => {
                self.link.session = None;
            }
            Act::Deliver {
                meter,
                data,
                secured,
                port,
            } => {
                if !self.established_with(meter)
                    || !secured
                    || port != EL_PORT
                    || !self.meter_present(meter)
                {
                    return;
                }
                let faults = self.faults;
                let Some(answer) = self.slots[meter].meter.handle(&data, at, faults) else {
                    return;
                };
                if self.faults.contains(Fault::DropReplies) {
                    self.link.drop_toggle = !self.link.drop_toggle;
                    if self.link.drop_toggle {
                        return;
                    }
                }
                let lat = self.rng.range(100, 400);
                self.rx_from_meter(at + lat, meter, false, &answer);
            }
            Act::HalfHour => {
                let Some(i) = self
                    .link
                    .session
                    .as_ref()
                    .filter(|s| s.established)
                    .map(|s| s.meter)
                else {
                    return;
                };
                if self.meter_present(i) {
                    let faults = self.faults;
                    if let Some(frame) = self.slots[i].meter.half_hour_inf(at, faults) {
                        self.rx_from_meter(at, i, false, &frame);
                    }
                }
                self.schedule_half_hour(at);
            }
            Act::Lifetime => {
                let Some(i) = self.link.session.as_ref().map(|s| s.meter) else {
                    return;
                };
                self.cancel(Tag::Session);
                if self.sc.dialect == Dialect::J11 {
                    self.j11_reauth(at, i);
                } else {
                    self.sk_lifetime(at, i);
                }
            }
            Act::PeerTerminate => {
                let Some(s) = self.link.session.take() else {
                    return;
                };
                self.cancel(Tag::Session);
                if self.sc.dialect == Dialect::J11 {
                    self.j11_peer_terminated(at, s.meter);
                } else {
                    self.sk_peer_terminated(at, s.meter);
                }
            }
            Act::TxRelease => {
                self.link.expire_tx(at);
                if self.link.tx_used() < u64::from(self.sc.arib_budget_ms) {
                    self.link.tx_limited = false;
                    if self.sc.dialect != Dialect::J11 {
                        self.sk_tx_limit(at, false);
                    }
                } else {
                    let next = self
                        .link
                        .tx
                        .front()
                        .map(|(t0, _)| t0 + ARIB_WINDOW_MS)
                        .unwrap_or(at + 1000);
                    self.schedule(next.max(at + 1), Tag::Plain, Act::TxRelease);
                }
            }
            Act::J11(timer) => self.j11_timer(at, timer),
            Act::Hostile => self.hostile_tick(at),
        }
    }

    /// The session is (re)established: lifetime timer, the meter's instance-list INF to
    /// FF02::1, half-hourly INF, and the scheduled peer termination under its fault.
    fn session_up(&mut self, at: u64) {
        let Some(s) = self.link.session.as_mut() else {
            return;
        };
        s.established = true;
        let i = s.meter;
        let lifetime = u64::from(self.sc.pana_lifetime_s) * 1000;
        self.schedule(at + lifetime, Tag::Session, Act::Lifetime);
        let d5 = at + self.rng.range(50, 3000);
        if self.meter_present(i) {
            let faults = self.faults;
            let frame = self.slots[i].meter.instance_list_inf(faults);
            self.rx_from_meter(d5, i, true, &frame);
        }
        self.schedule_half_hour(at);
        if self.faults.contains(Fault::PeerTerminates) {
            self.schedule(at + 60_000, Tag::Session, Act::PeerTerminate);
        }
    }

    fn schedule_half_hour(&mut self, at: u64) {
        let civil = self.civil_time(at).to_seconds();
        let next = civil - civil.rem_euclid(1800) + 1800;
        let delta_ms = (next - civil) as u64 * 1000 - (at % 1000);
        let jitter = self.rng.range(1_000, 8_000);
        self.schedule(at + delta_ms + jitter, Tag::Session, Act::HalfHour);
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn link_local_from_mac() {
        assert_eq!(
            ll_string(0x001C_6400_03DD_6393),
            "FE80:0000:0000:0000:021C:6400:03DD:6393"
        );
        assert_eq!(
            ip_bytes(&ll_words(0x0050_C2FF_FEDC_2822)),
            [0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x50, 0xC2, 0xFF, 0xFE, 0xDC, 0x28, 0x22]
        );
    }

    #[test]
    fn signal_falls_with_distance() {
        let near = lqi_for(5, 0);
        let mid = lqi_for(25, 0);
        let far = lqi_for(250, 0);
        assert!(near > mid && mid > far, "{near} {mid} {far}");
        assert!(far < 0x40);
        assert!(mid > 0x70);
        assert_eq!(rssi_for(25, 0), -68);
        assert_eq!(rssi_for(250, 0), -92);
        assert_eq!(rssi_for(1, 0), -35);
        assert_eq!(rssi_for(1, 5), -34, "clamped to the module's range");
        assert_eq!(rssi_for(100_000, 0), -104);
    }
}
