//! SKSTACK flows over the air: active/ED scan, SKJOIN (PANA as the captures show it),
//! re-authentication, SKTERM, SKSENDTO, and the SKSTACK rendering of the shared link events
//! (ERXUDP, EVENT 26/29/32/33).

use super::{hex_arg, parse_ip, PANA_PORT};
use crate::link::{ip_string, ll_string, ll_words, Rx, Session, MULTICAST_ALL_NODES};
use crate::pana::Conversation;
use crate::scenario::{Dialect, Fault};
use crate::{Act, Sim, Tag};

impl Sim {
    /// Is the dongle tuned to meter `i`'s channel and PAN?
    pub(super) fn tuned_to(&self, i: usize) -> bool {
        self.slots.get(i).is_some_and(|s| {
            s.meter.config().channel == self.d.s02 && s.meter.config().pan_id == self.d.s03
        })
    }

    pub(super) fn cmd_scan(&mut self, t: u64, args: &[&str]) {
        let ds = self.side();
        if args.len() != if ds { 4 } else { 3 } {
            return self.fail(t, 5);
        }
        let max_d = if self.sc.dialect == Dialect::DualStack {
            10
        } else {
            14
        };
        let mode = hex_arg(args[0], 1);
        let mask = hex_arg(args[1], 8);
        let dur = hex_arg(args[2], 2);
        let side = if ds { hex_arg(args[3], 1) } else { Some(0) };
        let (Some(mode), Some(mask), Some(dur), Some(side)) = (mode, mask, dur, side) else {
            return self.fail(t, 6);
        };
        if !matches!(mode, 0 | 2 | 3) || dur > max_d || side > 1 {
            return self.fail(t, 6);
        }
        self.reply(t, "OK");
        self.cancel(Tag::Scan);
        let channels: Vec<u8> = (0..28u8)
            .filter(|b| mask & (1 << b) != 0)
            .map(|b| 0x21 + b)
            .collect();
        // 9.6 ms × (2^d + 1) per channel.
        let per_ch = 96 * ((1u64 << dur) + 1) / 10;
        let start = t + 3;
        let end = start + per_ch * channels.len() as u64;
        let own = self.own_ll();
        if mode == 0 {
            let mut line = String::new();
            if ds {
                line.push_str("0 ");
            }
            let pairs: Vec<String> = channels
                .iter()
                .map(|c| {
                    let busy = (0..self.slots.len())
                        .filter(|&i| {
                            self.meter_present(i) && self.slots[i].meter.config().channel == *c
                        })
                        .count();
                    let v = 0x10 + self.rng.range(0, 0x10) as usize + busy * 0x30;
                    format!("{c:02X} {:02X}", v.min(0xFF))
                })
                .collect();
            line.push_str(&pairs.join(" "));
            let mut block = self.event_line(0x1F, &own, None);
            block.extend(Sim::crlf("EEDSCAN"));
            block.extend(Sim::crlf(line));
            self.emit_tagged(end, Tag::Scan, block);
            return;
        }
        if side == 0 && dur >= u64::from(self.sc.min_scan_duration) {
            for (pos, ch) in channels.iter().enumerate() {
                for i in 0..self.slots.len() {
                    if !self.meter_present(i) || self.slots[i].meter.config().channel != *ch {
                        continue;
                    }
                    let cfg = self.slots[i].meter.config().clone();
                    let pair = self.pair_id_of(i);
                    if mode == 2 {
                        let id_ok = !(i == 0 && self.faults.contains(Fault::WrongId));
                        if !(cfg.answers_any_pair_id || (id_ok && pair == self.d.s0a)) {
                            continue;
                        }
                    }
                    let lqi = self.meter_lqi(i);
                    let at = start
                        + per_ch * pos as u64
                        + per_ch * 3 / 4
                        + self.rng.range(0, per_ch / 8);
                    let mut block = self.event_line(0x20, &own, None);
                    block.extend(Sim::crlf("EPANDESC"));
                    block.extend(Sim::crlf(format!("  Channel:{:02X}", cfg.channel)));
                    block.extend(Sim::crlf("  Channel Page:09"));
                    block.extend(Sim::crlf(format!("  Pan ID:{:04X}", cfg.pan_id)));
                    block.extend(Sim::crlf(format!("  Addr:{:016X}", cfg.mac)));
                    block.extend(Sim::crlf(format!("  LQI:{lqi:02X}")));
                    if ds {
                        block.extend(Sim::crlf("  Side:0"));
                    }
                    if mode == 2 {
                        block.extend(Sim::crlf(format!("  PairID:{pair}")));
                    }
                    self.emit_tagged(at, Tag::Scan, block);
                }
            }
        }
        let ev = self.event_line(0x22, &own, None);
        self.emit_tagged(end + 1, Tag::Scan, ev);
    }

    pub(super) fn cmd_join(&mut self, t: u64, args: &[&str]) {
        if args.len() != 1 {
            return self.fail(t, 5);
        }
        let Some(ip) = parse_ip(args[0]) else {
            return self.fail(t, 6);
        };
        self.reply(t, "OK");
        self.cancel(Tag::Session);
        let addr = ip_string(&ip);
        let target = (0..self.slots.len()).find(|&i| {
            self.meter_present(i) && ll_words(self.meter_mac(i)) == ip && self.tuned_to(i)
        });
        let mut at = t + 3 + self.rng.range(60, 160);
        let known = target.is_some_and(|i| self.d.neighbours.contains(&self.meter_mac(i)));
        if !known {
            let ev = self.event_line(0x21, &addr, Some(0x02));
            self.emit_tagged(at, Tag::Session, ev);
        }
        let Some(i) = target else {
            // Nobody answers the neighbour solicitation; PANA gives up.
            self.link.session = None;
            let ev = self.event_line(0x24, &addr, None);
            self.emit_tagged(at + 12_000, Tag::Session, ev);
            return;
        };
        if !known {
            at += self.rng.range(40, 120);
            let ev = self.event_line(0x02, &addr, None);
            self.emit_tagged(at, Tag::Session, ev);
            let mac = self.meter_mac(i);
            self.d.neighbours.push(mac);
        }
        let mut conv = Conversation::new(&mut self.rng);
        let (id_ok, pw_ok) = self.credentials_ok(i, &self.d.rbid, &self.d.pwd);
        let lifetime = self.sc.pana_lifetime_s;
        let own = self.own_ll();
        let mac = self.meter_mac(i);
        let id = self.slots[i].meter.config().route_b_id.clone();
        let mut msgs = vec![conv.start()];
        if id_ok {
            msgs.push(conv.psk_first(&mut self.rng, &id));
            if pw_ok {
                msgs.push(conv.psk_third(&mut self.rng));
            }
        }
        msgs.push(conv.finish(&mut self.rng, id_ok && pw_ok, lifetime));
        let n = msgs.len();
        for (k, m) in msgs.into_iter().enumerate() {
            at += self.rng.range(200, 450);
            if k > 0 || known {
                let ev = self.event_line(0x21, &addr, Some(0x00));
                self.emit_tagged(at, Tag::Session, ev);
                at += self.rng.range(150, 400);
            }
            let lqi = self.meter_lqi(i);
            let line = self.erxudp(&addr, &own, PANA_PORT, mac, false, lqi, &m);
            self.emit_tagged(at, Tag::Session, line);
            self.account_tx(at, 40 + 60);
            if k + 1 == n {
                at += self.rng.range(120, 300);
                let ev = self.event_line(0x21, &addr, Some(0x00));
                self.emit_tagged(at, Tag::Session, ev);
            }
        }
        at += self.rng.range(100, 400);
        let ok = id_ok && pw_ok;
        let ev = self.event_line(if ok { 0x25 } else { 0x24 }, &addr, None);
        self.emit_tagged(at, Tag::Session, ev);
        self.link.session = Some(Session {
            meter: i,
            established: false,
            pana: conv,
        });
        self.schedule(
            at,
            Tag::Session,
            if ok { Act::SessionUp } else { Act::SessionDown },
        );
    }

    /// Re-authentication exchange (after EVENT 29 or SKREJOIN) ending in EVENT 25.
    fn reauth(&mut self, t: u64) {
        let Some(s) = self.link.session.as_mut() else {
            return;
        };
        s.established = false;
        let i = s.meter;
        let mut conv = s.pana.clone();
        let addr = self.meter_ll(i);
        let own = self.own_ll();
        let mac = self.meter_mac(i);
        let id = self
            .slots
            .get(i)
            .map(|s| s.meter.config().route_b_id.clone())
            .unwrap_or_default();
        let (id_ok, pw_ok) = self.credentials_ok(i, &self.d.rbid, &self.d.pwd);
        let ok = id_ok && pw_ok && self.meter_present(i);
        let mut msgs = Vec::new();
        if self.meter_present(i) {
            msgs.push(conv.psk_first(&mut self.rng, &id));
            if ok {
                msgs.push(conv.psk_third(&mut self.rng));
            }
            msgs.push(conv.finish(&mut self.rng, ok, self.sc.pana_lifetime_s));
        }
        let mut at = t;
        for m in msgs {
            at += self.rng.range(250, 500);
            let ev = self.event_line(0x21, &addr, Some(0x00));
            self.emit_tagged(at, Tag::Session, ev);
            at += self.rng.range(150, 400);
            let lqi = self.meter_lqi(i);
            let line = self.erxudp(&addr, &own, PANA_PORT, mac, false, lqi, &m);
            self.emit_tagged(at, Tag::Session, line);
        }
        at += self.rng.range(200, 400);
        if self.meter_present(i) {
            let ev = self.event_line(0x21, &addr, Some(0x00));
            self.emit_tagged(at, Tag::Session, ev);
        }
        at += self.rng.range(100, 300);
        let ev = self.event_line(if ok { 0x25 } else { 0x24 }, &addr, None);
        self.emit_tagged(at, Tag::Session, ev);
        if let Some(s) = self.link.session.as_mut() {
            s.pana = conv;
        }
        self.schedule(
            at,
            Tag::Session,
            if ok { Act::SessionUp } else { Act::SessionDown },
        );
    }

    pub(super) fn cmd_rejoin(&mut self, t: u64) {
        if !self.link.session_established() {
            return self.fail(t, 10);
        }
        self.reply(t, "OK");
        self.cancel(Tag::Session);
        self.reauth(t + 3);
    }

    pub(super) fn cmd_term(&mut self, t: u64) {
        let Some(s) = self.link.session.take() else {
            return self.fail(t, 10);
        };
        self.reply(t, "OK");
        self.cancel(Tag::Session);
        let addr = self.meter_ll(s.meter);
        if self.faults.contains(Fault::TermTimeout) || !self.meter_present(s.meter) {
            let ev = self.event_line(0x28, &addr, None);
            let at = t + 3 + self.rng.range(5_000, 7_000);
            self.emit(at, ev);
        } else {
            let ev = self.event_line(0x27, &addr, None);
            let at = t + 3 + self.rng.range(300, 700);
            self.emit(at, ev);
        }
    }

    // ---- SKSENDTO ------------------------------------------------------------------------

    pub(super) fn sendto_complete(&mut self, now: u64, header: &[u8], data: &[u8]) {
        let t = self.cmd_time(now);
        if self.d.sfe {
            let mut echo = header.to_vec();
            if self.sc.dialect == Dialect::DualStackNoRopt {
                // MB-RL7023-11/DSS echoes the payload bytes except control characters.
                echo.extend(data.iter().copied().filter(|b| *b >= 0x20));
            }
            echo.extend_from_slice(b"\r\n");
            self.emit(t, echo);
        }
        let text = String::from_utf8_lossy(header).into_owned();
        let toks: Vec<&str> = text.split(' ').filter(|s| !s.is_empty()).collect();
        let ds = self.side();
        // toks: SKSENDTO HANDLE IP PORT SEC [SIDE] LEN
        let (Some(h), Some(ip), Some(port), Some(sec)) =
            (toks.get(1), toks.get(2), toks.get(3), toks.get(4))
        else {
            return self.fail(t, 5);
        };
        let handle = hex_arg(h, 1);
        let ip = parse_ip(ip);
        let port = (port.len() == 4).then(|| hex_arg(port, 4)).flatten();
        let sec = hex_arg(sec, 1);
        let side = if ds {
            toks.get(5).and_then(|s| hex_arg(s, 1))
        } else {
            Some(0)
        };
        let (Some(handle), Some(ip), Some(port), Some(sec), Some(side)) =
            (handle, ip, port, sec, side)
        else {
            return self.fail(t, 6);
        };
        if !(1..=6).contains(&handle) || sec > 2 || side > 1 {
            return self.fail(t, 6);
        }
        if handle > 2 {
            return self.fail(t, 10);
        }
        let addr = ip_string(&ip);
        if self.link.tx_limited {
            // ARIB budget exhausted: the send is cancelled silently.
            return self.reply(t, "OK");
        }
        let multicast = ip == MULTICAST_ALL_NODES;
        let target = if multicast {
            self.link
                .session
                .as_ref()
                .map(|s| s.meter)
                .filter(|&i| self.meter_present(i) && self.tuned_to(i))
        } else {
            (0..self.slots.len()).find(|&i| {
                self.meter_present(i) && ll_words(self.meter_mac(i)) == ip && self.tuned_to(i)
            })
        };
        let can_encrypt = target.is_some_and(|i| self.established_with(i));
        let mut at = t + self.rng.range(100, 300);
        if side == 1 || (sec == 1 && !can_encrypt) {
            let ev = self.event_line(0x21, &addr, Some(0x01));
            self.emit(at, ev);
            self.emit(at + 1, Sim::crlf("OK"));
            self.d.busy_until = at + 2;
            return;
        }
        self.account_tx(t, data.len() as u32);
        self.hostile_overhears(at, data);
        let Some(i) = target else {
            let ev = self.event_line(0x21, &addr, Some(if multicast { 0x00 } else { 0x02 }));
            self.emit(at, ev);
            self.emit(at + 1, Sim::crlf("OK"));
            self.d.busy_until = at + 2;
            return;
        };
        let mac = self.meter_mac(i);
        if !multicast && !self.d.neighbours.contains(&mac) {
            let ev = self.event_line(0x21, &addr, Some(0x02));
            self.emit(at, ev);
            self.emit(at + 1, Sim::crlf("OK"));
            self.d.busy_until = at + 2;
            at += self.rng.range(50, 150);
            let ev = self.event_line(0x02, &addr, None);
            self.emit(at, ev);
            self.d.neighbours.push(mac);
            at += self.rng.range(80, 200);
            let ev = self.event_line(0x21, &addr, Some(0x00));
            self.emit(at, ev);
        } else {
            let ev = self.event_line(0x21, &addr, Some(0x00));
            self.emit(at, ev);
            self.emit(at + 1, Sim::crlf("OK"));
            self.d.busy_until = at + 2;
        }
        self.d.frame_counter = self.d.frame_counter.wrapping_add(1);
        self.schedule(
            at,
            Tag::Session,
            Act::Deliver {
                meter: i,
                data: data.to_vec(),
                secured: sec != 0,
                port: port as u16,
            },
        );
    }

    // ---- rendering of the shared link events ---------------------------------------------

    /// A datagram from the air as an `ERXUDP` line.
    pub(crate) fn sk_rx(&mut self, at: u64, tag: Tag, rx: &Rx<'_>) {
        let sender = ll_string(rx.mac);
        let dest = if rx.multicast {
            ip_string(&MULTICAST_ALL_NODES)
        } else {
            self.own_ll()
        };
        let j = self.rng.range(0, 6) as i64 - 3;
        let lqi = crate::link::lqi_for(rx.distance_m, j);
        let line = self.erxudp(&sender, &dest, rx.port, rx.mac, rx.secured, lqi, rx.data);
        self.emit_tagged(at, tag, line);
    }

    /// EVENT 32 (transmit budget exhausted) or 33 (released).
    pub(crate) fn sk_tx_limit(&mut self, at: u64, limited: bool) {
        let own = self.own_ll();
        let ev = self.event_line(if limited { 0x32 } else { 0x33 }, &own, None);
        self.emit(at, ev);
    }

    /// End of the PANA lifetime: EVENT 29, then re-authentication (S17=1) or no session.
    pub(crate) fn sk_lifetime(&mut self, at: u64, meter: usize) {
        let addr = self.meter_ll(meter);
        let ev = self.event_line(0x29, &addr, None);
        self.emit(at, ev);
        if self.d.s17 {
            self.reauth(at + 1);
        } else {
            self.link.session = None;
        }
    }

    /// The meter ended the session: EVENT 26.
    pub(crate) fn sk_peer_terminated(&mut self, at: u64, meter: usize) {
        let addr = self.meter_ll(meter);
        let ev = self.event_line(0x26, &addr, None);
        self.emit(at, ev);
    }
}
