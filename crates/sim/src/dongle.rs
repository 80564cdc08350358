//! The SKSTACK IP text dongle: command-line parsing (including SKSENDTO's length-counted
//! binary payload), registers, scans, PANA join, UDP transfer and events, per dialect.
//!
//! Written from `shared/protocol.md` §A and the captures in `shared/fixtures/transcripts`.

use std::collections::VecDeque;

use crate::pana::Conversation;
use crate::scenario::{Dialect, Fault, Scenario};
use crate::{Act, Sim, Tag};

/// Longest command line accepted before `FAIL ER09` (UART input error).
const MAX_LINE: usize = 512;
/// Longest SKSENDTO payload (A1M: 1232 bytes).
const MAX_DATALEN: usize = 0x4D0;
/// PANA UDP port.
const PANA_PORT: u16 = 0x02CC;
/// ECHONET Lite UDP port.
const EL_PORT: u16 = 0x0E1A;
/// ARIB accounting window.
const ARIB_WINDOW_MS: u64 = 3_600_000;

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

pub(crate) fn ip_string(w: &[u16; 8]) -> String {
    w.iter()
        .map(|x| format!("{x:04X}"))
        .collect::<Vec<_>>()
        .join(":")
}

pub(crate) fn ll_string(mac: u64) -> String {
    ip_string(&ll_words(mac))
}

const MULTICAST_ALL_NODES: [u16; 8] = [0xFF02, 0, 0, 0, 0, 0, 0, 1];

/// Full 8×4-hex-digit form only, as the module demands.
fn parse_ip(s: &str) -> Option<[u16; 8]> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 8 {
        return None;
    }
    let mut w = [0u16; 8];
    for (k, p) in parts.iter().enumerate() {
        if p.len() != 4 {
            return None;
        }
        w[k] = u16::from_str_radix(p, 16).ok()?;
    }
    Some(w)
}

fn hex_arg(s: &str, max_digits: usize) -> Option<u64> {
    if s.is_empty() || s.len() > max_digits || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(s, 16).ok()
}

fn hex_upper(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02X}")).collect()
}

/// LQI for a distance: RSSI ≈ −35 − 24·log10(d) dBm, LQI = (RSSI + 104.27) / 0.275.
fn lqi_for(distance_m: u32, jitter: i64) -> u8 {
    // log10(d) × 1000 with integer arithmetic: decade + linear interpolation on a table.
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
    let log1000 = decade + extra + lo + (hi - lo) * frac / 1000;
    let rssi_x10 = -350 - 240 * log1000 / 1000;
    let lqi = (rssi_x10 + 1043) * 4 / 11 + jitter;
    lqi.clamp(0, 255) as u8
}

#[derive(Debug, Clone)]
enum Input {
    /// Collecting a command line.
    Line,
    /// Reading SKSENDTO's DATALEN raw bytes; `header` is the text part including the space.
    Binary {
        header: Vec<u8>,
        need: usize,
        data: Vec<u8>,
    },
    /// Skipping to the end of a bad line; the FAIL code to report there.
    Discard { code: u8 },
}

#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub meter: usize,
    pub established: bool,
    pub pana: Conversation,
}

/// Dongle state (registers, input parser, session, transmit accounting).
#[derive(Debug, Clone)]
pub(crate) struct Dongle {
    line: Vec<u8>,
    input: Input,
    after_cr: bool,
    busy_until: u64,
    sfe: bool,
    s02: u8,
    s03: u16,
    s0a: String,
    s15: bool,
    s16: u32,
    s17: bool,
    sa0: bool,
    sa1: bool,
    sa2: bool,
    sf0: u8,
    sff: bool,
    rbid: String,
    pwd: String,
    hex: bool,
    uart: u8,
    neighbours: Vec<u64>,
    session: Option<Session>,
    tx: VecDeque<(u64, u32)>,
    tx_limited: bool,
    drop_toggle: bool,
    frame_counter: u32,
}

impl Dongle {
    pub(crate) fn power_on(sc: &Scenario) -> Dongle {
        Dongle {
            line: Vec::new(),
            input: Input::Line,
            after_cr: false,
            busy_until: 0,
            sfe: sc.echo,
            s02: 0x21,
            s03: 0xFFFF,
            s0a: String::new(),
            s15: false,
            s16: 0x384,
            s17: true,
            sa0: true,
            sa1: true,
            sa2: false,
            sf0: 0,
            sff: false,
            rbid: String::new(),
            pwd: String::new(),
            hex: sc.erxudp_hex || sc.dialect == Dialect::DualStackNoRopt,
            uart: sc.uart_mode,
            neighbours: Vec::new(),
            session: None,
            tx: VecDeque::new(),
            tx_limited: false,
            drop_toggle: false,
            frame_counter: 0,
        }
    }

    /// Soft reset (SKRESET): registers and stack state back to power-on values; WOPT/WUART
    /// live in flash and survive.
    fn reset(&mut self, sc: &Scenario) {
        let (hex, uart) = (self.hex, self.uart);
        *self = Dongle::power_on(sc);
        self.hex = hex;
        self.uart = uart;
    }

    pub(crate) fn session_established(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.established)
    }
}

impl Sim {
    fn side(&self) -> bool {
        self.sc.dialect.has_side()
    }

    fn own_ll(&self) -> String {
        ll_string(self.sc.dongle_mac)
    }

    fn crlf(s: impl Into<String>) -> Vec<u8> {
        let mut v = s.into().into_bytes();
        v.extend_from_slice(b"\r\n");
        v
    }

    /// `EVENT <num> <addr> [<side>] [<param>]`.
    fn event_line(&self, num: u8, addr: &str, param: Option<u8>) -> Vec<u8> {
        let mut s = format!("EVENT {num:02X} {addr}");
        if self.side() {
            s.push_str(" 0");
        }
        if let Some(p) = param {
            s.push_str(&format!(" {p:02X}"));
        }
        Sim::crlf(s)
    }

    /// `ERXUDP` in the dialect's layout and the current WOPT mode.
    #[allow(clippy::too_many_arguments)]
    fn erxudp(
        &self,
        sender: &str,
        dest: &str,
        port: u16,
        mac: u64,
        secured: bool,
        lqi: u8,
        data: &[u8],
    ) -> Vec<u8> {
        let mut s = format!("ERXUDP {sender} {dest} {port:04X} {port:04X} {mac:016X} ");
        if self.side() && self.d.sa2 {
            s.push_str(&format!("{lqi:02X} "));
        }
        s.push_str(if secured { "1 " } else { "0 " });
        if self.side() {
            s.push_str("0 ");
        }
        s.push_str(&format!("{:04X} ", data.len()));
        let mut v = s.into_bytes();
        if self.d.hex {
            v.extend(hex_upper(data).into_bytes());
        } else {
            v.extend_from_slice(data);
        }
        v.extend_from_slice(b"\r\n");
        v
    }

    fn meter_present(&self, i: usize) -> bool {
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

    fn meter_ll(&self, i: usize) -> String {
        self.slots
            .get(i)
            .map(|s| ll_string(s.meter.config().mac))
            .unwrap_or_default()
    }

    fn meter_mac(&self, i: usize) -> u64 {
        self.slots.get(i).map(|s| s.meter.config().mac).unwrap_or(0)
    }

    fn meter_lqi(&mut self, i: usize) -> u8 {
        let d = self
            .slots
            .get(i)
            .map(|s| s.meter.config().distance_m)
            .unwrap_or(1000);
        let j = self.rng.range(0, 6) as i64 - 3;
        lqi_for(d, j)
    }

    /// Does meter `i`'s PAA accept our credentials?
    fn credentials_ok(&self, i: usize) -> (bool, bool) {
        let Some(slot) = self.slots.get(i) else {
            return (false, false);
        };
        let cfg = slot.meter.config();
        let (mut id_ok, mut pw_ok) = if self.sc.accept_any_credentials && i == 0 {
            (self.d.rbid.len() == 32, !self.d.pwd.is_empty())
        } else {
            (self.d.rbid == cfg.route_b_id, self.d.pwd == cfg.password)
        };
        if i == 0 && self.faults.contains(Fault::WrongId) {
            id_ok = false;
        }
        if i == 0 && self.faults.contains(Fault::WrongPassword) {
            pw_ok = false;
        }
        (id_ok, pw_ok)
    }

    fn pair_id_of(&self, i: usize) -> String {
        if i == 0 && self.sc.accept_any_credentials && self.d.s0a.len() == 8 {
            return self.d.s0a.clone();
        }
        self.slots
            .get(i)
            .map(|s| s.meter.config().pair_id().to_string())
            .unwrap_or_default()
    }

    // ---- input -------------------------------------------------------------------------

    pub(crate) fn input_byte(&mut self, now: u64, b: u8) {
        match &mut self.d.input {
            Input::Binary { need, data, .. } => {
                data.push(b);
                if data.len() >= *need {
                    let Input::Binary { header, data, .. } =
                        core::mem::replace(&mut self.d.input, Input::Line)
                    else {
                        return;
                    };
                    self.d.after_cr = false;
                    self.sendto_complete(now, &header, &data);
                }
                return;
            }
            Input::Discard { code } => {
                if b == b'\r' || b == b'\n' {
                    let code = *code;
                    self.d.input = Input::Line;
                    self.d.after_cr = b == b'\r';
                    let t = self.cmd_time(now);
                    self.emit(t, Sim::crlf(format!("FAIL ER{code:02}")));
                    self.d.busy_until = t + 2;
                }
                return;
            }
            Input::Line => {}
        }
        if b == b'\n' && self.d.after_cr {
            self.d.after_cr = false;
            return;
        }
        self.d.after_cr = b == b'\r';
        if b == b'\r' || b == b'\n' {
            let line = core::mem::take(&mut self.d.line);
            if !line.is_empty() {
                self.on_line(now, &line);
            }
            return;
        }
        self.d.line.push(b);
        if self.d.line.len() > MAX_LINE {
            self.d.line.clear();
            self.d.input = Input::Discard { code: 9 };
            return;
        }
        if b == b' ' && self.d.line.starts_with(b"SKSENDTO ") {
            self.sendto_header_check();
        }
    }

    /// Called at each space of a `SKSENDTO ` line: once the DATALEN token is complete,
    /// switch to counting raw payload bytes.
    fn sendto_header_check(&mut self) {
        let line = &self.d.line;
        if line.len() >= 2 && line[line.len() - 2] == b' ' {
            return;
        }
        let tokens: Vec<&[u8]> = line
            .split(|c| *c == b' ')
            .filter(|t| !t.is_empty())
            .collect();
        let len_index = if self.side() { 7 } else { 6 };
        if tokens.len() != len_index {
            return;
        }
        let Some(len_tok) = tokens.last().and_then(|t| core::str::from_utf8(t).ok()) else {
            return;
        };
        match (len_tok.len() == 4).then(|| hex_arg(len_tok, 4)).flatten() {
            Some(n) if (n as usize) <= MAX_DATALEN => {
                let header = core::mem::take(&mut self.d.line);
                if n == 0 {
                    self.d.input = Input::Discard { code: 6 };
                    return;
                }
                self.d.input = Input::Binary {
                    header,
                    need: n as usize,
                    data: Vec::new(),
                };
            }
            _ => {
                self.d.line.clear();
                self.d.input = Input::Discard { code: 6 };
            }
        }
    }

    fn cmd_time(&self, now: u64) -> u64 {
        now.max(self.d.busy_until)
    }

    fn echo(&mut self, t: u64, line: &[u8]) {
        if self.d.sfe {
            let mut v = line.to_vec();
            v.extend_from_slice(b"\r\n");
            self.emit(t, v);
        }
    }

    fn reply(&mut self, t: u64, s: &str) {
        self.emit(t + 2, Sim::crlf(s));
        self.d.busy_until = t + 3;
    }

    fn fail(&mut self, t: u64, code: u8) {
        self.reply(t, &format!("FAIL ER{code:02}"));
    }

    /// Product-configuration replies end in a bare CR.
    fn reply_cr(&mut self, t: u64, s: &str) {
        let mut v = s.as_bytes().to_vec();
        v.push(b'\r');
        self.emit(t + 2, v);
        self.d.busy_until = t + 3;
    }

    fn on_line(&mut self, now: u64, raw: &[u8]) {
        let t = self.cmd_time(now);
        self.echo(t, raw);
        let text = String::from_utf8_lossy(raw).into_owned();
        let toks: Vec<&str> = text.split(' ').filter(|s| !s.is_empty()).collect();
        let Some((&cmd, args)) = toks.split_first() else {
            return;
        };
        let nargs = args.len();
        let ds = self.side();
        match cmd {
            "SKVER" if nargs == 0 => {
                let v = self.sc.dialect.stack_version();
                self.emit(t + 1, Sim::crlf(format!("EVER {v}")));
                self.reply(t, "OK");
            }
            "SKAPPVER" if nargs == 0 => {
                let v = self.sc.dialect.app_version();
                self.emit(t + 1, Sim::crlf(format!("EAPPVER {v}")));
                self.reply(t, "OK");
            }
            "SKINFO" if nargs == 0 => {
                let last = if ds {
                    "0".to_string()
                } else {
                    "FFFE".to_string()
                };
                let s = format!(
                    "EINFO {} {:016X} {:02X} {:04X} {}",
                    self.own_ll(),
                    self.sc.dongle_mac,
                    self.d.s02,
                    self.d.s03,
                    last
                );
                self.emit(t + 1, Sim::crlf(s));
                self.reply(t, "OK");
            }
            "SKRESET" if nargs == 0 => {
                let sc = self.sc.clone();
                self.d.reset(&sc);
                self.cancel(Tag::Scan);
                self.cancel(Tag::Session);
                self.reply(t, "OK");
            }
            "SKSAVE" | "SKLOAD" | "SKERASE" if nargs == 0 => self.reply(t, "OK"),
            "SKREJOIN" if nargs == 0 => self.cmd_rejoin(t),
            "SKTERM" if nargs == 0 => self.cmd_term(t),
            "SKVER" | "SKAPPVER" | "SKINFO" | "SKRESET" | "SKSAVE" | "SKLOAD" | "SKERASE"
            | "SKREJOIN" | "SKTERM" => self.fail(t, 5),
            "SKSREG" => self.cmd_sreg(t, args),
            "SKSETPWD" => self.cmd_setpwd(t, args),
            "SKSETRBID" => self.cmd_setrbid(t, args),
            "SKSCAN" => self.cmd_scan(t, args),
            "SKLL64" => {
                if nargs != 1 {
                    return self.fail(t, 5);
                }
                match (args[0].len() == 16)
                    .then(|| hex_arg(args[0], 16))
                    .flatten()
                {
                    Some(mac) => {
                        self.emit(t + 2, Sim::crlf(ll_string(mac)));
                        self.d.busy_until = t + 3;
                    }
                    None => self.fail(t, 6),
                }
            }
            "SKJOIN" => self.cmd_join(t, args),
            "SKSENDTO" => {
                // Reached only when the line ended before the DATALEN token was complete.
                let need = if ds { 7 } else { 6 };
                self.fail(t, if nargs < need { 5 } else { 6 });
            }
            "SKPING" => {
                if nargs != 1 {
                    return self.fail(t, 5);
                }
                let Some(ip) = parse_ip(args[0]) else {
                    return self.fail(t, 6);
                };
                self.reply(t, "OK");
                let target = (0..self.slots.len()).find(|&i| {
                    self.meter_present(i) && ll_words(self.meter_mac(i)) == ip && self.tuned_to(i)
                });
                if let Some(i) = target {
                    let addr = self.meter_ll(i);
                    let lat = self.rng.range(150, 400);
                    let mut line = format!("EPONG {addr}");
                    if ds {
                        line.push_str(" 0");
                    }
                    self.emit(t + lat, Sim::crlf(line));
                }
            }
            "ROPT" | "WOPT" | "RUART" | "WUART" if self.sc.dialect == Dialect::DualStackNoRopt => {
                self.fail(t, 4)
            }
            "ROPT" if nargs == 0 => {
                let v = if self.d.hex { "OK 01" } else { "OK 00" };
                self.reply_cr(t, v);
            }
            "WOPT" if nargs == 1 => {
                match (args[0].len() <= 2).then(|| hex_arg(args[0], 2)).flatten() {
                    Some(v) if v <= 1 => {
                        self.d.hex = v & 1 == 1;
                        self.reply_cr(t, "OK");
                    }
                    _ => self.reply_cr(t, "FAIL ER06"),
                }
            }
            "RUART" if nargs == 0 => {
                let v = format!("OK {:02X}", self.d.uart);
                self.reply_cr(t, &v);
            }
            "WUART" if nargs == 1 => match hex_arg(args[0], 2) {
                Some(v) => {
                    self.d.uart = v as u8;
                    self.reply_cr(t, "OK");
                }
                None => self.reply_cr(t, "FAIL ER06"),
            },
            "ROPT" | "WOPT" | "RUART" | "WUART" => self.reply_cr(t, "FAIL ER05"),
            _ => self.fail(t, 4),
        }
    }

    fn cmd_sreg(&mut self, t: u64, args: &[&str]) {
        if args.is_empty() || args.len() > 2 {
            return self.fail(t, 5);
        }
        let name = args[0].to_ascii_uppercase();
        let Some(num) = name.strip_prefix('S').and_then(|n| hex_arg(n, 2)) else {
            return self.fail(t, 6);
        };
        let ds = self.side();
        let value = args.get(1).copied();
        let d = &mut self.d;
        // (current value as printed, write result)
        let bool_val = |s: &str| match s {
            "0" => Some(false),
            "1" => Some(true),
            _ => None,
        };
        let result: Result<Option<String>, u8> = match (num, value) {
            (0x02, None) => Ok(Some(format!("{:02X}", d.s02))),
            (0x02, Some(v)) => match hex_arg(v, 2) {
                Some(c) if (0x21..=0x3C).contains(&c) => {
                    d.s02 = c as u8;
                    Ok(None)
                }
                _ => Err(6),
            },
            (0x03, None) => Ok(Some(format!("{:04X}", d.s03))),
            (0x03, Some(v)) => hex_arg(v, 4)
                .map(|p| d.s03 = p as u16)
                .map(|_| None)
                .ok_or(6),
            (0x07, None) => Ok(Some(format!("{:08X}", d.frame_counter))),
            (0x0A, None) => Ok(Some(d.s0a.clone())),
            (0x0A, Some(v)) if v.len() == 8 => {
                d.s0a = v.to_string();
                Ok(None)
            }
            (0x15, None) => Ok(Some(u8::from(d.s15).to_string())),
            (0x15, Some(v)) => bool_val(v).map(|b| d.s15 = b).map(|_| None).ok_or(6),
            (0x16, None) => Ok(Some(format!("{:08X}", d.s16))),
            (0x16, Some(v)) => match hex_arg(v, 8) {
                Some(x) if x >= 0x3C => {
                    d.s16 = x as u32;
                    Ok(None)
                }
                _ => Err(6),
            },
            (0x17, None) => Ok(Some(u8::from(d.s17).to_string())),
            (0x17, Some(v)) => bool_val(v).map(|b| d.s17 = b).map(|_| None).ok_or(6),
            (0xA0, None) => Ok(Some(u8::from(d.sa0).to_string())),
            (0xA0, Some(v)) => bool_val(v).map(|b| d.sa0 = b).map(|_| None).ok_or(6),
            (0xA1, None) => Ok(Some(u8::from(d.sa1).to_string())),
            (0xA1, Some(v)) => bool_val(v).map(|b| d.sa1 = b).map(|_| None).ok_or(6),
            (0xA2, None) if ds => Ok(Some(u8::from(d.sa2).to_string())),
            (0xA2, Some(v)) if ds => bool_val(v).map(|b| d.sa2 = b).map(|_| None).ok_or(6),
            (0xF0, None) if ds => Ok(Some(d.sf0.to_string())),
            (0xF0, Some(v)) if ds => bool_val(v)
                .map(|b| d.sf0 = u8::from(b))
                .map(|_| None)
                .ok_or(6),
            (0xFB, None) => Ok(Some(u8::from(d.tx_limited).to_string())),
            (0xFD, None) => {
                let used: u64 = d.tx.iter().map(|(_, c)| u64::from(*c)).sum();
                Ok(Some(format!("{used:08X}")))
            }
            (0xFE, None) => Ok(Some(u8::from(d.sfe).to_string())),
            (0xFE, Some(v)) => bool_val(v).map(|b| d.sfe = b).map(|_| None).ok_or(6),
            (0xFF, None) => Ok(Some(u8::from(d.sff).to_string())),
            (0xFF, Some(v)) => bool_val(v).map(|b| d.sff = b).map(|_| None).ok_or(6),
            _ => Err(6),
        };
        match result {
            Ok(Some(v)) => {
                self.emit(t + 1, Sim::crlf(format!("ESREG {v}")));
                self.reply(t, "OK");
            }
            Ok(None) => self.reply(t, "OK"),
            Err(code) => self.fail(t, code),
        }
    }

    fn cmd_setpwd(&mut self, t: u64, args: &[&str]) {
        if args.len() != 2 {
            return self.fail(t, 5);
        }
        match hex_arg(args[0], 2) {
            Some(n) if (1..=32).contains(&n) => {
                self.d.pwd = args[1].chars().take(n as usize).collect();
                self.reply(t, "OK");
            }
            _ => self.fail(t, 6),
        }
    }

    fn cmd_setrbid(&mut self, t: u64, args: &[&str]) {
        if args.len() != 1 {
            return self.fail(t, 5);
        }
        let id = args[0];
        if id.len() != 32 || !id.is_ascii() {
            return self.fail(t, 6);
        }
        self.d.rbid = id.to_string();
        self.d.s0a = id[24..].to_string();
        self.reply(t, "OK");
    }

    /// Is the dongle tuned to meter `i`'s channel and PAN?
    fn tuned_to(&self, i: usize) -> bool {
        self.slots.get(i).is_some_and(|s| {
            s.meter.config().channel == self.d.s02 && s.meter.config().pan_id == self.d.s03
        })
    }

    fn cmd_scan(&mut self, t: u64, args: &[&str]) {
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

    fn cmd_join(&mut self, t: u64, args: &[&str]) {
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
            self.d.session = None;
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
        let (id_ok, pw_ok) = self.credentials_ok(i);
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
        self.d.session = Some(super::dongle::Session {
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
        let Some(s) = self.d.session.as_mut() else {
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
        let (id_ok, pw_ok) = self.credentials_ok(i);
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
        if let Some(s) = self.d.session.as_mut() {
            s.pana = conv;
        }
        self.schedule(
            at,
            Tag::Session,
            if ok { Act::SessionUp } else { Act::SessionDown },
        );
    }

    fn cmd_rejoin(&mut self, t: u64) {
        if !self.d.session_established() {
            return self.fail(t, 10);
        }
        self.reply(t, "OK");
        self.cancel(Tag::Session);
        self.reauth(t + 3);
    }

    fn cmd_term(&mut self, t: u64) {
        let Some(s) = self.d.session.take() else {
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

    fn sendto_complete(&mut self, now: u64, header: &[u8], data: &[u8]) {
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
        if self.d.tx_limited {
            // ARIB budget exhausted: the send is cancelled silently.
            return self.reply(t, "OK");
        }
        let multicast = ip == MULTICAST_ALL_NODES;
        let target = if multicast {
            self.d
                .session
                .as_ref()
                .map(|s| s.meter)
                .filter(|&i| self.meter_present(i) && self.tuned_to(i))
        } else {
            (0..self.slots.len()).find(|&i| {
                self.meter_present(i) && ll_words(self.meter_mac(i)) == ip && self.tuned_to(i)
            })
        };
        let established_with = |i: usize, d: &Dongle| {
            d.session
                .as_ref()
                .is_some_and(|s| s.established && s.meter == i)
        };
        let can_encrypt = target.is_some_and(|i| established_with(i, &self.d));
        let mut at = t + self.rng.range(100, 300);
        if side == 1 || (sec == 1 && !can_encrypt) {
            let ev = self.event_line(0x21, &addr, Some(0x01));
            self.emit(at, ev);
            self.emit(at + 1, Sim::crlf("OK"));
            self.d.busy_until = at + 2;
            return;
        }
        self.account_tx(t, data.len() as u32);
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

    /// Record transmit time for a frame with `payload` bytes; raise EVENT 32 over budget.
    fn account_tx(&mut self, at: u64, payload: u32) {
        // 100 kbit/s, ~60 bytes of MAC/6LoWPAN/UDP/security overhead, ~4 ms CSMA/preamble.
        let cost = 4 + (payload + 60) * 8 / 100;
        self.d.tx.push_back((at, cost));
        while self
            .d
            .tx
            .front()
            .is_some_and(|(t0, _)| *t0 + ARIB_WINDOW_MS <= at)
        {
            self.d.tx.pop_front();
        }
        let used: u64 = self.d.tx.iter().map(|(_, c)| u64::from(*c)).sum();
        if !self.d.tx_limited && used >= u64::from(self.sc.arib_budget_ms) {
            self.d.tx_limited = true;
            let own = self.own_ll();
            let ev = self.event_line(0x32, &own, None);
            self.emit(at + 1, ev);
            let release = self
                .d
                .tx
                .front()
                .map(|(t0, _)| t0 + ARIB_WINDOW_MS)
                .unwrap_or(at + ARIB_WINDOW_MS);
            self.schedule(release, Tag::Plain, Act::TxRelease);
        }
    }

    // ---- internal events -------------------------------------------------------------------

    pub(crate) fn internal(&mut self, at: u64, act: Act) {
        match act {
            Act::Out(_) => {}
            Act::SessionUp => {
                let Some(s) = self.d.session.as_mut() else {
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
                    let addr = self.meter_ll(i);
                    let lqi = self.meter_lqi(i);
                    let mc = ip_string(&MULTICAST_ALL_NODES);
                    let line =
                        self.erxudp(&addr, &mc, EL_PORT, self.meter_mac(i), true, lqi, &frame);
                    self.emit_tagged(d5, Tag::Session, line);
                }
                self.schedule_half_hour(at);
                if self.faults.contains(Fault::PeerTerminates) {
                    self.schedule(at + 60_000, Tag::Session, Act::PeerTerminate);
                }
            }
            Act::SessionDown => {
                self.d.session = None;
            }
            Act::Deliver {
                meter,
                data,
                secured,
                port,
            } => {
                let ok = self
                    .d
                    .session
                    .as_ref()
                    .is_some_and(|s| s.established && s.meter == meter);
                if !ok || !secured || port != EL_PORT || !self.meter_present(meter) {
                    return;
                }
                let faults = self.faults;
                let Some(answer) = self.slots[meter].meter.handle(&data, at, faults) else {
                    return;
                };
                if self.faults.contains(Fault::DropReplies) {
                    self.d.drop_toggle = !self.d.drop_toggle;
                    if self.d.drop_toggle {
                        return;
                    }
                }
                let lat = self.rng.range(100, 400);
                let addr = self.meter_ll(meter);
                let own = self.own_ll();
                let lqi = self.meter_lqi(meter);
                let line = self.erxudp(
                    &addr,
                    &own,
                    EL_PORT,
                    self.meter_mac(meter),
                    true,
                    lqi,
                    &answer,
                );
                self.emit_tagged(at + lat, Tag::Session, line);
            }
            Act::HalfHour => {
                let Some(i) = self
                    .d
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
                        let addr = self.meter_ll(i);
                        let own = self.own_ll();
                        let lqi = self.meter_lqi(i);
                        let line =
                            self.erxudp(&addr, &own, EL_PORT, self.meter_mac(i), true, lqi, &frame);
                        self.emit_tagged(at, Tag::Session, line);
                    }
                }
                self.schedule_half_hour(at);
            }
            Act::Lifetime => {
                let Some(i) = self.d.session.as_ref().map(|s| s.meter) else {
                    return;
                };
                self.cancel(Tag::Session);
                let addr = self.meter_ll(i);
                let ev = self.event_line(0x29, &addr, None);
                self.emit(at, ev);
                if self.d.s17 {
                    self.reauth(at + 1);
                } else {
                    self.d.session = None;
                }
            }
            Act::PeerTerminate => {
                let Some(s) = self.d.session.take() else {
                    return;
                };
                self.cancel(Tag::Session);
                let addr = self.meter_ll(s.meter);
                let ev = self.event_line(0x26, &addr, None);
                self.emit(at, ev);
            }
            Act::TxRelease => {
                while self
                    .d
                    .tx
                    .front()
                    .is_some_and(|(t0, _)| *t0 + ARIB_WINDOW_MS <= at)
                {
                    self.d.tx.pop_front();
                }
                let used: u64 = self.d.tx.iter().map(|(_, c)| u64::from(*c)).sum();
                if used < u64::from(self.sc.arib_budget_ms) {
                    self.d.tx_limited = false;
                    let own = self.own_ll();
                    let ev = self.event_line(0x33, &own, None);
                    self.emit(at, ev);
                } else {
                    let next = self
                        .d
                        .tx
                        .front()
                        .map(|(t0, _)| t0 + ARIB_WINDOW_MS)
                        .unwrap_or(at + 1000);
                    self.schedule(next.max(at + 1), Tag::Plain, Act::TxRelease);
                }
            }
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
            parse_ip("FE80:0000:0000:0000:021C:6400:03DD:6393"),
            Some(ll_words(0x001C_6400_03DD_6393))
        );
        assert_eq!(parse_ip("FE80::1"), None);
    }

    #[test]
    fn lqi_falls_with_distance() {
        let near = lqi_for(5, 0);
        let mid = lqi_for(25, 0);
        let far = lqi_for(250, 0);
        assert!(near > mid && mid > far, "{near} {mid} {far}");
        assert!(far < 0x40);
        assert!(mid > 0x70);
    }
}
