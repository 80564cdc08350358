//! The SKSTACK IP text dongle: command-line parsing (including SKSENDTO's length-counted
//! binary payload), registers, scans, PANA join, UDP transfer and events, per dialect.
//!
//! Written from `shared/protocol.md` §A and the captures in `shared/fixtures/transcripts`.

use crate::link::{ll_string, ll_words, Link};
use crate::scenario::{Dialect, Scenario};
use crate::{Sim, Tag};

mod flows;

/// Longest command line accepted before `FAIL ER09` (UART input error).
const MAX_LINE: usize = 512;
/// Longest SKSENDTO payload (A1M: 1232 bytes).
const MAX_DATALEN: usize = 0x4D0;
/// PANA UDP port.
const PANA_PORT: u16 = 0x02CC;

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

/// SKSTACK dongle state (registers, input parser, neighbour cache); the session and the
/// transmit accounting are in [`crate::link::Link`].
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
                self.link = Link::default();
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
        let (tx_limited, tx_used) = (self.link.tx_limited, self.link.tx_used());
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
            (0xFB, None) => Ok(Some(u8::from(tx_limited).to_string())),
            (0xFD, None) => Ok(Some(format!("{tx_used:08X}"))),
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
}

#[cfg(test)]
mod unit {
    use super::*;
    use crate::link::ll_words;

    #[test]
    fn full_form_addresses_only() {
        assert_eq!(
            parse_ip("FE80:0000:0000:0000:021C:6400:03DD:6393"),
            Some(ll_words(0x001C_6400_03DD_6393))
        );
        assert_eq!(parse_ip("FE80::1"), None);
    }
}
