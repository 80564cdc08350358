//! J11 commands that need no radio (j11.md §2): version, status, initial setup, credentials,
//! ports, B-route stop, PAN ID; and the dispatcher with the shared state rules.
//!
//! Checks run in this order: parameter length (0x11), state (0x10/0x34/0x35/0x37, 0x52 while
//! PANA runs, 0x51 without credentials), parameter values (0x04, ports 0x0A/0x12). Which
//! wrong-state code a command gets is **inferred** from the code names of j11.md: the code
//! names the state the module is in (0x10 "idle", 0x34 "joined", 0x35 "authenticated", 0x37
//! "not started").

use super::{r, Credentials, UNKNOWN_REPLY};
use crate::Sim;
use crate::Tag;

/// 0x206B data of the real capture (j11.md §4): FW id 0x0400, v1.3, revision 0x0000158A.
pub(crate) const FIRMWARE: [u8; 9] = [0x01, 0x04, 0x00, 0x01, 0x03, 0x00, 0x00, 0x15, 0x8A];
/// Ports the module keeps for itself (j11.md §2, 0x0005).
const RESERVED_PORTS: [u16; 3] = [716, 19788, 31941];
/// At most this many ports can be opened.
const MAX_PORTS: usize = 10;

impl Sim {
    /// B-route state as 0x0001 reports it: 01 idle, 02 joined, 03 authenticated.
    pub(super) fn j11_route_state(&self) -> u8 {
        match (self.j11.joined, self.link.session.is_some()) {
            (None, _) => 0x01,
            (Some(_), false) => 0x02,
            (Some(_), true) => 0x03,
        }
    }

    /// For commands that need B-route idle (0x005F, and with 0x005F done: 0x0051, 0x0053).
    pub(super) fn j11_need_idle(&self) -> Option<u8> {
        match self.j11_route_state() {
            0x01 => None,
            0x02 => Some(r::JOINED),
            _ => Some(r::AUTHENTICATED),
        }
    }

    /// For commands that need the initial setup and B-route idle (0x0051, 0x0053).
    pub(super) fn j11_need_started_idle(&self) -> Option<u8> {
        if self.j11.started {
            self.j11_need_idle()
        } else {
            Some(r::NOT_STARTED)
        }
    }

    /// For commands that need B-route joined but not authenticated (0x0056, 0x0058).
    pub(super) fn j11_need_joined(&self) -> Option<u8> {
        if self.j11.pana_running {
            return Some(r::PANA_RUNNING);
        }
        match self.j11_route_state() {
            0x01 => Some(r::IDLE),
            0x02 => None,
            _ => Some(r::AUTHENTICATED),
        }
    }

    /// For commands that need an authenticated B-route (0x0008, 0x00D2, 0x0057).
    pub(super) fn j11_need_authenticated(&self) -> Option<u8> {
        if self.j11.pana_running {
            return Some(r::PANA_RUNNING);
        }
        match self.j11_route_state() {
            0x01 => Some(r::IDLE),
            0x02 => Some(r::JOINED),
            _ => None,
        }
    }

    /// A request the module accepted for processing (not busy, sums right).
    pub(super) fn j11_command(&mut self, now: u64, command: u16, data: &[u8]) {
        // Local processing time (the real 0x006B round trip took 26 ms with USB).
        let t = now + self.rng.range(8, 16);
        let no_data = data.is_empty();
        let fail = |s: &mut Sim, code: u8| s.j11_respond(t, command, &[code]);
        match command {
            0x006B | 0x0001 | 0x0107 | 0x005E | 0x0053 | 0x0056 | 0x00D2 | 0x0057 | 0x0058
                if !no_data =>
            {
                fail(self, r::PARAMETER_LENGTH)
            }
            0x006B => self.j11_respond(t, command, &FIRMWARE),
            0x0001 => {
                let global = if self.j11.started { 0x03 } else { 0x02 };
                let route = self.j11_route_state();
                self.j11_respond(t, command, &[r::OK, global, route, 0x01]);
            }
            0x005F => self.j11_setup(t, data),
            0x0107 => {
                let mut d = vec![r::OK];
                d.extend_from_slice(&self.j11.setup);
                self.j11_respond(t, command, &d);
            }
            0x0054 => self.j11_credentials(t, data),
            0x0005 => self.j11_open_port(t, data),
            0x0058 => match self.j11_need_joined() {
                Some(code) => fail(self, code),
                None => {
                    self.j11.joined = None;
                    self.j11.ports.clear();
                    self.j11.neighbours.clear();
                    self.j11.link_down = false;
                    self.cancel(Tag::Session);
                    self.j11_respond(t, command, &[r::OK]);
                }
            },
            0x005E => {
                let pan = self.j11.joined.map_or(0xFFFF, |j| j.pan).to_be_bytes();
                self.j11_respond(t, command, &[r::OK, pan[0], pan[1]]);
            }
            0x0051 => self.j11_scan(t, data),
            0x0053 => self.j11_start_route(t),
            0x0056 => self.j11_start_pana(t),
            0x0008 => self.j11_send(t, data),
            0x00D2 => self.j11_reauth_cmd(t),
            0x0057 => self.j11_terminate(t),
            _ => {
                // Unknown command: reply code 0xFFFF; its data is not stated (**inferred**:
                // result 0x03 "bad command").
                self.emit(t, super::frame::response(UNKNOWN_REPLY, &[0x03]));
                self.j11.busy_until = self.j11.busy_until.max(t);
            }
        }
    }

    /// 0x005F initial setup: mode, HAN sleep, channel, TX power. Only while B-route (and HAN)
    /// are idle. Accepted values (**inferred** beyond `05 00 ch 00`): mode 0x00–0x05, sleep
    /// 0/1, channel 0x04–0x11, power 0x00–0x02.
    fn j11_setup(&mut self, t: u64, data: &[u8]) {
        let [mode, sleep, channel, power] = data else {
            return self.j11_respond(t, 0x005F, &[r::PARAMETER_LENGTH]);
        };
        if let Some(code) = self.j11_need_idle() {
            return self.j11_respond(t, 0x005F, &[code]);
        }
        if *mode > 0x05 || *sleep > 1 || !(0x04..=0x11).contains(channel) || *power > 2 {
            return self.j11_respond(t, 0x005F, &[r::BAD_PARAMETER]);
        }
        self.j11.setup = [*mode, *sleep, *channel, *power];
        self.j11.started = true;
        self.j11_respond(t, 0x005F, &[r::OK]);
    }

    /// 0x0054: 32-char ID (0–9, A–F) + 12-char password (0–9, a–z, A–Z; stored upper-cased).
    /// After 0x005F; not while authenticated.
    fn j11_credentials(&mut self, t: u64, data: &[u8]) {
        if data.len() != 44 {
            return self.j11_respond(t, 0x0054, &[r::PARAMETER_LENGTH]);
        }
        let code = if !self.j11.started {
            Some(r::NOT_STARTED)
        } else if self.j11.pana_running {
            Some(r::PANA_RUNNING)
        } else if self.j11_route_state() == 0x03 {
            Some(r::AUTHENTICATED)
        } else {
            None
        };
        if let Some(code) = code {
            return self.j11_respond(t, 0x0054, &[code]);
        }
        let (id, pw) = data.split_at(32);
        let id_ok = id
            .iter()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b));
        let pw_ok = pw.iter().all(u8::is_ascii_alphanumeric);
        if !id_ok || !pw_ok {
            return self.j11_respond(t, 0x0054, &[r::BAD_PARAMETER]);
        }
        self.j11.credentials = Some(Credentials {
            id: String::from_utf8_lossy(id).into_owned(),
            password: String::from_utf8_lossy(pw).to_ascii_uppercase(),
        });
        self.j11_respond(t, 0x0054, &[r::OK]);
    }

    /// 0x0005 open a UDP port: B-route joined (or authenticated); at most 10; not 0 and not
    /// one of the reserved ports (0x04, **inferred**: j11.md names no code for them).
    fn j11_open_port(&mut self, t: u64, data: &[u8]) {
        let [hi, lo] = data else {
            return self.j11_respond(t, 0x0005, &[r::PARAMETER_LENGTH]);
        };
        if self.j11_route_state() == 0x01 {
            return self.j11_respond(t, 0x0005, &[r::IDLE]);
        }
        let port = u16::from_be_bytes([*hi, *lo]);
        let code = if port == 0 || RESERVED_PORTS.contains(&port) {
            r::BAD_PARAMETER
        } else if self.j11.ports.contains(&port) {
            r::PORT_OPEN
        } else if self.j11.ports.len() >= MAX_PORTS {
            r::TOO_MANY_PORTS
        } else {
            self.j11.ports.push(port);
            r::OK
        };
        self.j11_respond(t, 0x0005, &[code]);
    }
}
